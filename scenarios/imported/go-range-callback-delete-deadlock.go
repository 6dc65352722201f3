// Source: https://github.com/mhmtszr/concurrent-swiss-map/issues/8 ("Deleting from within a Range
// will result in deadlock": Range holds the shard's read lock while the callback's Delete waits
// for the write lock). The same report for another library:
// https://github.com/orcaman/concurrent-map/issues/46.
// Hazard: S2 and failure class 3, a delete from inside a range that holds the read lock.
// mapcheck-expect: locked-iterlock
package main

import "sync"

type Map struct {
	sync.RWMutex
	m map[string]int
}

func (c *Map) Store(k string, v int) { c.Lock(); c.m[k] = v; c.Unlock() }
func (c *Map) Delete(k string)      { c.Lock(); delete(c.m, k); c.Unlock() }

func (c *Map) Range(f func(k string, v int) bool) {
	c.RLock()
	defer c.RUnlock()
	for k, v := range c.m {
		if !f(k, v) {
			break
		}
	}
}

func TestSwissDeleteFromRange(t *testing.T) {
	smp := &Map{m: make(map[string]int)}
	smp.Store("aaa", 10)
	smp.Store("aab", 11)
	smp.Store("aac", 15)
	smp.Store("aad", 124)
	go func() {
		smp.Range(func(key string, value int) bool {
			if value > 20 {
				smp.Delete(key)
			}
			return true
		})
	}()
	go smp.Store("aaf", 987)
}
