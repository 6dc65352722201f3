// Source: https://github.com/patrickmn/go-cache/issues/166 ("goroutine leak at cache.go:1079 -
// runJanitor": the janitor's loop has no exit a caller can trigger, so goleak finds it after the
// cache is gone); fixed by a Stop method in https://github.com/patrickmn/go-cache/pull/191.
// Hazard: S6 and failure class 5, a background cleaner nobody stops outlives the map.
// mapcheck-expect: tombstone-gc-leak
package main

import (
	"sync"
	"time"
)

type item struct {
	v       int
	expired bool
}

type cache struct {
	mu    sync.RWMutex
	items map[string]item
}

func (c *cache) Set(k string, v int) { c.mu.Lock(); c.items[k] = item{v: v}; c.mu.Unlock() }

func (c *cache) Get(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.items[k].v
}

func (c *cache) DeleteExpired() {
	c.mu.Lock()
	for k, it := range c.items {
		if it.expired {
			delete(c.items, k)
		}
	}
	c.mu.Unlock()
}

type janitor struct{ interval time.Duration }

func (j *janitor) Run(c *cache) {
	ticker := time.NewTicker(j.interval)
	for {
		select {
		case <-ticker.C:
			c.DeleteExpired()
		}
	}
}

func main() {
	c := &cache{items: make(map[string]item)}
	j := &janitor{interval: time.Minute}
	go j.Run(c)
	go func() {
		c.Set("a", 1)
		c.Get("a")
	}()
}
