// Source: https://tigerabrodi.blog/golang-concurrency-6-worker-pool-pattern (a worker pool whose
// workers take jobs from a shared channel; here each worker records its result in a shared map
// instead of a results channel, as the questions about "concurrent map writes" in pools show).
// Hazard: S1, an unlocked Go map written by several goroutines ("concurrent map writes").
// mapcheck-expect: gomap
package main

import (
	"fmt"
	"sync"
)

func worker(id int, jobs <-chan int, results map[int]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for job := range jobs {
		fmt.Printf("Worker %d grabbed job %d\n", id, job)
		results[job] = job * job
	}
}

func main() {
	jobs := make(chan int, 100)
	results := make(map[int]int)
	var wg sync.WaitGroup
	for workerID := 1; workerID <= 3; workerID++ {
		wg.Add(1)
		go worker(workerID, jobs, results, &wg)
	}
	for jobNumber := 1; jobNumber <= 9; jobNumber++ {
		jobs <- jobNumber
	}
	close(jobs)
	wg.Wait()
	fmt.Println(len(results))
}
