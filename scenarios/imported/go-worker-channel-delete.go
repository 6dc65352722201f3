// Source: https://github.com/dailymotion-oss/osiris/pull/42 ("fix concurrent map writes"): worker
// goroutines take keys from a channel and delete them from a plain map the main goroutine also
// writes.
// Hazard: S1, an unlocked Go map written by several goroutines ("concurrent map writes").
// mapcheck-expect: gomap
package main

import "sync"

func main() {
	pending := make(map[int]string)
	for i := 0; i < 10; i++ {
		pending[i] = "queued"
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				delete(pending, id)
			}
		}()
	}
	for i := 0; i < 10; i++ {
		jobs <- i
		pending[i+100] = "retry"
	}
	close(jobs)
	wg.Wait()
}
