// Source: https://github.com/slackhq/nebula/issues/316 ("fatal error: concurrent map writes"):
// tunnels were deleted from a plain map by several goroutines without a lock.
// Hazard: S1 and failure class 4, two goroutines deleting the same present key from an unlocked map.
// mapcheck-expect: gomap, locked-racy-remove
package main

import "sync"

type hostMap struct {
	hosts map[uint32]string
}

func (h *hostMap) drop(vpnIP uint32) { delete(h.hosts, vpnIP) }

func main() {
	h := &hostMap{hosts: map[uint32]string{1: "a", 2: "b"}}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.drop(1)
		}()
	}
	wg.Wait()
}
