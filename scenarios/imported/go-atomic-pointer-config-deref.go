// Source: https://github.com/nil-go/konf/pull/378 ("use atomic.Pointer for map to avoid race"): the
// configuration values live in a map behind an atomic.Pointer; loaders copy it, merge their values
// and store the copy.
// Hazard: S4 and failure classes 1-2, copy-on-write published without compare-and-swap loses a write.
// mapcheck-expect: cow-nocas
package main

import (
	"sync"
	"sync/atomic"
)

type Config struct {
	values atomic.Pointer[map[string]any]
}

func (c *Config) Load(key string, value any) {
	values := make(map[string]any)
	if old := c.values.Load(); old != nil {
		for k, v := range *old {
			values[k] = v
		}
	}
	values[key] = value
	c.values.Store(&values)
}

func (c *Config) Get(key string) any {
	return (*c.values.Load())[key]
}

func main() {
	c := &Config{}
	c.Load("log.level", "info")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.Load("db.url", "postgres://"); _ = c.Get("db.url") }()
	go func() { defer wg.Done(); c.Load("http.port", 8080); _ = c.Get("http.port") }()
	wg.Wait()
}
