// Source: https://github.com/puzpuzpuz/xsync/issues/109 ("Map Leaking entries": LoadOrStore,
// LoadAndDelete and Delete from many goroutines; entries went missing). Each value stored must be
// taken out once: two LoadAndDelete calls for one key may not both get it.
// Hazard: failure classes 1 and 4 on sync.Map (exactly-once delete), and S3's stale entries.
// mapcheck-expect: locked-racy-remove, syncmap
package main

import "sync"

func main() {
	var clients sync.Map
	clients.LoadOrStore(uint64(1), "conn-1")
	clients.LoadOrStore(uint64(2), "conn-2")
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, ok := clients.LoadAndDelete(uint64(1)); ok {
				_ = v
			}
		}()
	}
	wg.Wait()
}
