// Source: https://github.com/semihalev/sdns/pull/394 ("Fix SyncUInt64Map memory leak": Del only
// marked nodes as deleted; the fix adds a periodic Compact that removes them). A compaction that
// races with a key deleted and stored again must keep the new value.
// Hazard: S6 and failure class 2, a reinsert racing with the pass that purges tombstones.
// mapcheck-expect: tombstone-gc-race
package main

import "sync"

type node struct {
	val     uint64
	deleted bool
}

type SyncUInt64Map struct {
	mu    sync.Mutex
	nodes map[uint64]node
}

func (m *SyncUInt64Map) Set(k, v uint64) { m.mu.Lock(); m.nodes[k] = node{val: v}; m.mu.Unlock() }
func (m *SyncUInt64Map) Del(k uint64)    { m.mu.Lock(); m.nodes[k] = node{deleted: true}; m.mu.Unlock() }

func (m *SyncUInt64Map) Get(k uint64) (uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[k]
	return n.val, ok && !n.deleted
}

func (m *SyncUInt64Map) Compact() {
	m.mu.Lock()
	for k, n := range m.nodes {
		if n.deleted {
			delete(m.nodes, k)
		}
	}
	m.mu.Unlock()
}

func main() {
	m := &SyncUInt64Map{nodes: map[uint64]node{7: {val: 70}}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		m.Del(7)
		m.Set(7, 71)
	}()
	go func() {
		defer wg.Done()
		m.Compact()
		m.Get(7)
	}()
	wg.Wait()
}
