// Source: https://github.com/topcheer/ggcode/pull/2314 ("instanceKeysEnv behind an atomic pointer"):
// a package map replaced by atomic.Pointer[map[string]string]; writers copy the published map,
// change the copy and Store it.
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap: two writers
// each publish a copy without the other's change.
// mapcheck-expect: cow-nocas
package main

import (
	"sync"
	"sync/atomic"
)

var instanceKeysEnv atomic.Pointer[map[string]string]

func setKey(k, v string) {
	old := *instanceKeysEnv.Load()
	next := make(map[string]string, len(old)+1)
	for key, val := range old {
		next[key] = val
	}
	next[k] = v
	instanceKeysEnv.Store(&next)
}

func lookup(k string) string {
	m := *instanceKeysEnv.Load()
	return m[k]
}

func main() {
	initial := map[string]string{"HOME": "/root"}
	instanceKeysEnv.Store(&initial)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		setKey("API_KEY", "a")
		_ = lookup("API_KEY")
	}()
	go func() {
		defer wg.Done()
		setKey("REGION", "b")
		_ = lookup("REGION")
	}()
	wg.Wait()
}
