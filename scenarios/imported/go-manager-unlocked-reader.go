// Source: https://github.com/gitpod-io/gitpod/pull/2277 ("avoid 'fatal error: concurrent map read
// and map write'": there was read access to a map that was not synced with concurrent write
// access). The writer takes the manager's mutex; the status reader does not.
// Hazard: S1, a Go map read without the lock its writers take ("concurrent map read and map write").
// mapcheck-expect: gomap
package main

import "sync"

type Manager struct {
	mu         sync.Mutex
	workspaces map[string]string
}

func NewManager() *Manager {
	return &Manager{workspaces: make(map[string]string)}
}

func (m *Manager) start(id string) {
	m.mu.Lock()
	m.workspaces[id] = "running"
	m.mu.Unlock()
}

func (m *Manager) stop(id string) {
	m.mu.Lock()
	delete(m.workspaces, id)
	m.mu.Unlock()
}

// status is called from the gRPC handlers without the lock.
func (m *Manager) status(id string) string {
	return m.workspaces[id]
}

func main() {
	m := NewManager()
	m.start("ws-1")
	go m.stop("ws-1")
	go func() { _ = m.status("ws-1") }()
	go m.start("ws-2")
	select {}
}
