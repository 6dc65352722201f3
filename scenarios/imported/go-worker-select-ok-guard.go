// Source: https://ritvikroy.com/blog/concurrency-in-go-dummy-post (a worker that selects on the
// context and on the jobs channel, returning when the channel is closed; here each worker also
// records the jobs it finished in a shared map, the "concurrent map writes" such pools hit).
// Hazard: S1, an unlocked Go map written by several goroutines ("concurrent map writes").
// mapcheck-expect: gomap
package main

import (
	"context"
	"sync"
)

type Job struct {
	ID int
}

func worker(ctx context.Context, jobs <-chan Job, done map[int]bool, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case job, ok := <-jobs:
			if !ok {
				return
			}
			done[job.ID] = true
		}
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobs := make(chan Job, 10)
	done := make(map[int]bool)
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go worker(ctx, jobs, done, &wg)
	}
	for i := 1; i <= 8; i++ {
		jobs <- Job{ID: i}
	}
	close(jobs)
	wg.Wait()
}
