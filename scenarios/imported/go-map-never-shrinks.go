// Source: https://github.com/golang/go/issues/20135 ("maps do not shrink after elements removal
// (delete)"): a map filled and then emptied keeps its buckets; only replacing the map frees them.
// Hazard: failure class 5, a table sized for a peak long gone.
// mapcheck-expect: gomap, locked-iterlock, locked-noshrink
package main

import (
	"fmt"
	"runtime"
)

func main() {
	m := make(map[int][128]byte)
	for i := 0; i < 1000000; i++ {
		m[i] = [128]byte{}
	}
	for k := range m {
		delete(m, k)
	}
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	fmt.Println(len(m), stats.Alloc)
}
