// Source: https://github.com/fyne-io/fyne/pull/5143 (for Go before 1.23, resetting a sync.Map by a
// Range that deletes every entry, while other goroutines keep storing into it).
// Hazard: failure class 3 (deleting during iteration) and S3 (the deleted entries go stale).
// mapcheck-expect: locked-iterlock, syncmap
package main

import "sync"

var cache sync.Map

func reset() {
	cache.Range(func(k, v any) bool {
		cache.Delete(k)
		return true
	})
}

func main() {
	cache.Store("theme", 1)
	cache.Store("font", 2)
	go reset()
	go func() {
		cache.Store("icon", 3)
		cache.Load("icon")
	}()
}
