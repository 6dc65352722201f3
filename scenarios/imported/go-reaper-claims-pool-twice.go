// Source: https://github.com/gocraft/work/pull/207 ("avoid reaper race by getting and deleting stale
// pools atomically": two reapers both find the same dead pool and both release its locks).
// Hazard: S2 and failure class 4, a check under the read lock and a delete under the write lock let
// two goroutines each take the same entry out.
// mapcheck-expect: locked-racy-remove
package main

import "sync"

type Reaper struct {
	mu    sync.RWMutex
	pools map[string]int
}

func (r *Reaper) Claim(pool string) bool {
	r.mu.RLock()
	_, ok := r.pools[pool]
	r.mu.RUnlock()
	if !ok {
		return false
	}
	r.mu.Lock()
	delete(r.pools, pool)
	r.mu.Unlock()
	return true
}

func main() {
	r := &Reaper{pools: map[string]int{"pool-1": 3, "pool-2": 1}}
	claimed := make([]bool, 2)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			claimed[id] = r.Claim("pool-1")
		}(i)
	}
	wg.Wait()
	if claimed[0] && claimed[1] {
		panic("pool-1 reaped twice")
	}
}
