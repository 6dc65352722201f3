// Source: https://github.com/golang/go/issues/11260 ("sync/atomic: atomic.Value doesn't support
// CompareAndSwap"; the answer: protect the write side with a mutex). Without one, two writers that
// load, copy and Store the map each publish a copy without the other's change.
// Hazard: S4 and failure classes 1-2, copy-on-write without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
package main

import "sync/atomic"

type Config struct {
	v atomic.Value // map[string]int
}

func (c *Config) Delete(k string) {
	old := c.v.Load().(map[string]int)
	n := make(map[string]int, len(old))
	for k2, v := range old {
		n[k2] = v
	}
	delete(n, k)
	c.v.Store(n)
}

func (c *Config) Set(k string, val int) {
	old := c.v.Load().(map[string]int)
	n := make(map[string]int, len(old)+1)
	for k2, v := range old {
		n[k2] = v
	}
	n[k] = val
	c.v.Store(n)
}

func (c *Config) Get(k string) int { return c.v.Load().(map[string]int)[k] }

func main() {
	c := &Config{}
	c.v.Store(map[string]int{"timeout": 30})
	go func() {
		c.Delete("timeout")
		c.Get("timeout")
	}()
	go func() {
		c.Set("retries", 3)
		c.Get("retries")
	}()
}
