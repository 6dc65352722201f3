// Source: https://github.com/golang/go/issues/23156 ("Use map to insert and delete data can case
// memory leak": a million inserts, a range that deletes every key, debug.FreeOSMemory, and the
// heap stays large). The same behaviour for a Go cache:
// https://github.com/patrickmn/go-cache/issues/110.
// Hazard: failure class 5, deleting every key does not give the buckets back.
// mapcheck-expect: gomap, locked-iterlock, locked-noshrink
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func main() {
	a := make(map[int]int)
	stats := new(runtime.MemStats)
	for i := 1000000; i > 0; i-- {
		a[i] = 0
	}
	for k := range a {
		delete(a, k)
	}
	debug.FreeOSMemory()
	fmt.Printf("len(a)=%v\n", len(a))
	runtime.ReadMemStats(stats)
}
