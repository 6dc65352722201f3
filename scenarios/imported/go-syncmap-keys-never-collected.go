// Source: https://github.com/golang/go/issues/40999 ("sync: sync.Map keys will never be garbage
// collected": once a key has been promoted to the read-only part, Delete only sets its value to
// nil, so a map whose keys come and go keeps every key it has read). See also
// https://github.com/ChainSafe/gossamer/issues/2281.
// Hazard: S3 and failure class 5, deleted sync.Map entries left as stale entries.
// mapcheck-expect: syncmap
package main

import "sync"

type bigKey struct{ id int }

func main() {
	var m sync.Map
	for i := 0; i < 3; i++ {
		m.Store(i, struct{}{})
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		m.Load(0)
		m.Delete(0)
	}()
	go func() {
		defer wg.Done()
		m.Delete(1)
	}()
	wg.Wait()
}
