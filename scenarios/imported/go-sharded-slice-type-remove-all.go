// Source: https://github.com/orcaman/concurrent-map/issues/6 ("Race conditions using shards": Count
// and Iter go shard by shard while other goroutines insert and remove) and pull request #93, which
// added a Clear built the same way.
// Hazard: S5, a whole-map clear across shards is not atomic; a concurrent Count sees it half done.
// mapcheck-expect: sharded-clear-skips
package main

import "sync"

var SHARD_COUNT = 32

type ConcurrentMap []*ConcurrentMapShared

type ConcurrentMapShared struct {
	items map[string]interface{}
	sync.RWMutex
}

func New() ConcurrentMap {
	m := make(ConcurrentMap, SHARD_COUNT)
	for i := 0; i < SHARD_COUNT; i++ {
		m[i] = &ConcurrentMapShared{items: make(map[string]interface{})}
	}
	return m
}

func (m ConcurrentMap) GetShard(key string) *ConcurrentMapShared {
	return m[uint(fnv32(key))%uint(SHARD_COUNT)]
}

func (m ConcurrentMap) Set(key string, value interface{}) {
	shard := m.GetShard(key)
	shard.Lock()
	shard.items[key] = value
	shard.Unlock()
}

func (m ConcurrentMap) Count() int {
	count := 0
	for i := 0; i < SHARD_COUNT; i++ {
		shard := m[i]
		shard.RLock()
		count += len(shard.items)
		shard.RUnlock()
	}
	return count
}

func (m ConcurrentMap) Clear() {
	for _, shard := range m {
		shard.Lock()
		for k := range shard.items {
			delete(shard.items, k)
		}
		shard.Unlock()
	}
}

func fnv32(key string) uint32 {
	hash := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		hash *= 16777619
		hash ^= uint32(key[i])
	}
	return hash
}

func main() {
	m := New()
	m.Set("x", 1)
	m.Set("y", 2)
	done := make(chan bool)
	go func() {
		m.Clear()
		done <- true
	}()
	go func() {
		m.Set("z", 3)
		println(m.Count())
		done <- true
	}()
	<-done
	<-done
}
