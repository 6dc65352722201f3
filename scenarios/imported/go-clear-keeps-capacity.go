// Source: https://github.com/grafana/grafana-ci-otel-collector/pull/423 ("Clear() retains the
// capacity of the map meaning memory allocation continues to grow"; the fix creates a new map per
// emission). Go 1.21's clear(m) keeps the buckets, as SEEDS.md notes; see also
// https://github.com/go101/go101/issues/256.
// Hazard: failure class 5, clear() empties the map but keeps its memory.
// mapcheck-expect: gomap, locked-noshrink
package main

import (
	"fmt"
	"runtime"
)

func emit(series map[string]float64) {
	for i := 0; i < 5000; i++ {
		series[fmt.Sprintf("job-%d", i)] = 1
	}
	clear(series)
	runtime.GC()
}

func main() {
	series := make(map[string]float64)
	emit(series)
}
