// Source: https://github.com/aceld/zinx/issues/114 (the answer: atomic.Value's Load and Store are
// each atomic, but a Remove or an update that loads the map, changes a copy and stores it is not).
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
package main

import (
	"sync"
	"sync/atomic"
)

func main() {
	var conns atomic.Value
	conns.Store(map[uint32]string{})

	update := func(id uint32, addr string) {
		old := conns.Load().(map[uint32]string)
		next := make(map[uint32]string, len(old)+1)
		for k, v := range old {
			next[k] = v
		}
		next[id] = addr
		conns.Store(next)
	}
	get := func(id uint32) string {
		return conns.Load().(map[uint32]string)[id]
	}

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); update(1, "10.0.0.1"); _ = get(1) }()
	go func() { defer wg.Done(); update(2, "10.0.0.2"); _ = get(2) }()
	wg.Wait()
}
