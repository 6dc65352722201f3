// Source: https://github.com/remeh/upd/pull/7 ("Fix a deadlock in CleanJob": the cleaner holds the
// database for reading while Expire takes it again for writing through deleteMetadata).
// Hazard: S2 and failure class 3, deleting while a range holds the read lock deadlocks.
// mapcheck-expect: locked-iterlock
package main

import (
	"sync"
	"time"
)

type Metadata struct {
	expiresAt time.Time
	expired   bool
}

type Database struct {
	mu    sync.RWMutex
	files map[string]*Metadata
}

func (d *Database) deleteMetadata(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.files, name)
}

func (d *Database) CleanJob() {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for name, m := range d.files {
		if m.expired {
			d.deleteMetadata(name)
		}
	}
}

func main() {
	d := &Database{files: map[string]*Metadata{
		"a.txt": {expired: true},
		"b.txt": {expired: false},
	}}
	go d.CleanJob()
	go func() {
		d.mu.Lock()
		d.files["c.txt"] = &Metadata{}
		d.mu.Unlock()
	}()
	time.Sleep(time.Second)
}
