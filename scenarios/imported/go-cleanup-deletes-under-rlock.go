// Source: https://github.com/dinumathai/pushgateway/pull/3 ("Replace RLock with Lock in
// cleanupStaleValues": the cleanup deleted from the metric groups under the read lock and crashed
// with "concurrent map iteration and map write").
// Hazard: S2 and failure class 3, deleting while a range holds the read lock.
// mapcheck-expect: locked-iterlock
package main

import (
	"sync"
	"time"
)

type metricGroup struct {
	lastPush time.Time
	stale    bool
}

type DiskMetricStore struct {
	lock         sync.RWMutex
	metricGroups map[uint64]metricGroup
}

func (dms *DiskMetricStore) cleanupStaleValues() {
	dms.lock.RLock()
	defer dms.lock.RUnlock()
	for id, group := range dms.metricGroups {
		if group.stale {
			delete(dms.metricGroups, id)
		}
	}
}

func (dms *DiskMetricStore) GetMetricFamilies() int {
	dms.lock.RLock()
	defer dms.lock.RUnlock()
	n := 0
	for range dms.metricGroups {
		n++
	}
	return n
}

func main() {
	dms := &DiskMetricStore{metricGroups: map[uint64]metricGroup{
		1: {stale: true},
		2: {stale: false},
	}}
	go dms.cleanupStaleValues()
	go dms.GetMetricFamilies()
	time.Sleep(time.Second)
}
