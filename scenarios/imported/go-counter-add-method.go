// Source: https://github.com/orian/counters/issues/1 ("A counter map is unlocked for a moment"):
// the counter type's methods write its map while another goroutine reads and resets it.
// Hazard: S1, an unlocked Go map written by several goroutines ("concurrent map writes").
// mapcheck-expect: gomap
package main

import "sync"

type Counters struct {
	m map[string]int
}

func NewCounters() *Counters {
	return &Counters{m: make(map[string]int)}
}

// Add bumps a counter; Done forgets it.
func (c *Counters) Add(name string, n int) {
	c.m[name] += n
}

func (c *Counters) Done(name string) {
	delete(c.m, name)
}

func (c *Counters) Get(name string) int {
	return c.m[name]
}

func main() {
	c := NewCounters()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Add("requests", 1)
			c.Done("requests")
		}()
	}
	wg.Wait()
	println(c.Get("requests"))
}
