// Source: https://github.com/mark3labs/mcp-go/pull/365 ("properly remove sessionTool to prevent
// memory leak"): a delete method that looks the session up first and returns early when it is
// not there, called for one session from two handlers.
// Hazard: S2 and failure class 4, two goroutines delete the same present key.
// mapcheck-expect: locked-racy-remove
package main

import "sync"

type sessionToolsStore struct {
	mu    sync.RWMutex
	tools map[string]int
}

func newStore() *sessionToolsStore {
	return &sessionToolsStore{tools: make(map[string]int)}
}

func (s *sessionToolsStore) set(id string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tools[id] = n
}

func (s *sessionToolsStore) delete(id string) bool {
	s.mu.RLock()
	_, ok := s.tools[id]
	s.mu.RUnlock()
	if !ok {
		return false
	}
	s.mu.Lock()
	delete(s.tools, id)
	s.mu.Unlock()
	return true
}

func main() {
	s := newStore()
	s.set("session-1", 2)
	s.set("session-2", 5)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.delete("session-1") }()
	go func() { defer wg.Done(); s.delete("session-1") }()
	wg.Wait()
}
