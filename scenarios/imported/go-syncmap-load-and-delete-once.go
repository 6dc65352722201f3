// Source: https://github.com/golang/go/issues/33762 ("sync: add new Map method LoadAndDelete":
// a Load then a Delete is not atomic, so two goroutines can both act on one value; the method
// added takes the value out once).
// Hazard: failure class 4 (exactly-once delete: a delete that checks, then deletes under another
// lock, hands one value to two callers) and S3's stale entries.
// mapcheck-expect: locked-racy-remove, syncmap
package main

import "sync"

var pending sync.Map

func doSomething(v interface{}) {}

func finish(key string) {
	if actual, deleted := pending.LoadAndDelete(key); deleted {
		doSomething(actual)
	}
}

func main() {
	pending.LoadOrStore("job-1", "payload-1")
	pending.LoadOrStore("job-2", "payload-2")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		finish("job-1")
	}()
	go func() {
		defer wg.Done()
		finish("job-1")
	}()
	wg.Wait()
}
