// Source: https://github.com/fyne-io/fyne/pull/5143 ("we don't reset them safely": maps reset by
// assigning a new one while other goroutines use them) and https://github.com/go101/go101/issues/256
// (`aMap = make(map[K]V)` to give a drained map's memory back).
// Hazard: S7 and failure class 2, a writer racing the swap to a fresh map loses its entry; the
// script is about giving memory back, so a delete that leaks the value is caught too (class 5).
// mapcheck-expect: rebuild-unguarded, locked-leaky-remove
package main

import "sync"

var (
	mu       sync.Mutex
	sessions = map[string]int{"old": 1}
)

func expire() {
	mu.Lock()
	delete(sessions, "old")
	if len(sessions) == 0 {
		sessions = make(map[string]int)
	}
	mu.Unlock()
}

func login(id string) {
	mu.Lock()
	sessions[id] = 2
	mu.Unlock()
}

func active(id string) bool {
	mu.Lock()
	defer mu.Unlock()
	_, ok := sessions[id]
	return ok
}

func main() {
	go expire()
	go func() {
		login("new")
		active("new")
	}()
}
