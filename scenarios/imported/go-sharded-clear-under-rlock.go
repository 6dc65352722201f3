// Source: https://github.com/mhmtszr/concurrent-swiss-map/pull/4 ("feat: add clear function"; the
// review: Clear took each shard's read lock, so writers can update a shard while it is cleared).
// Hazard: S5, a whole-map clear that goes shard by shard is not atomic while others write and read.
// mapcheck-expect: sharded-clear-skips
package main

import (
	"hash/fnv"
	"sync"
)

type shard struct {
	sync.RWMutex
	items map[string]int
}

type CsMap struct {
	shards []*shard
}

func New(n int) *CsMap {
	m := &CsMap{shards: make([]*shard, n)}
	for i := 0; i < n; i++ {
		m.shards[i] = &shard{items: make(map[string]int)}
	}
	return m
}

func (m *CsMap) getShard(key string) *shard {
	h := fnv.New32a()
	h.Write([]byte(key))
	return m.shards[h.Sum32()%uint32(len(m.shards))]
}

func (m *CsMap) Store(key string, v int) {
	s := m.getShard(key)
	s.Lock()
	s.items[key] = v
	s.Unlock()
}

func (m *CsMap) Has(key string) bool {
	s := m.getShard(key)
	s.RLock()
	_, ok := s.items[key]
	s.RUnlock()
	return ok
}

func (m *CsMap) Clear() {
	for i := 0; i < len(m.shards); i++ {
		s := m.shards[i]
		s.RLock()
		clear(s.items)
		s.RUnlock()
	}
}

func main() {
	m := New(32)
	m.Store("a", 1)
	m.Store("b", 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		m.Clear()
	}()
	go func() {
		defer wg.Done()
		m.Store("c", 3)
		_ = m.Has("a")
	}()
	wg.Wait()
}
