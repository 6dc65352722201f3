// Source: https://github.com/matrixorigin/matrixone/pull/24387 ("reduce RSS growth from dedupLoad
// sync.Map retention": the cache-stampede guard kept its in-flight calls in a sync.Map, and the
// entries deleted after each load stayed, so RSS grew; replaced by a mutex and a plain map).
// Hazard: S3, sync.Map keeps deleted entries (nil or expunged) until a new key and a promotion.
// mapcheck-expect: syncmap
package main

import "sync"

type loadCall struct {
	done chan struct{}
	data []byte
}

type dedupLoad struct {
	inflight sync.Map
}

// load runs one read per key however many callers ask for it at once: the first caller stores
// its call with LoadOrStore and deletes it when the read is done; the others find it and wait.
func (d *dedupLoad) load(key int) []byte {
	call := &loadCall{done: make(chan struct{})}
	if prev, loaded := d.inflight.LoadOrStore(key, call); loaded {
		c := prev.(*loadCall)
		<-c.done
		return c.data
	}
	call.data = []byte("block")
	close(call.done)
	d.inflight.Delete(key)
	return call.data
}

func main() {
	d := &dedupLoad{}
	// Blocks loaded earlier: their calls were stored, served and promoted to the read-only part.
	for block := 1; block <= 3; block++ {
		d.inflight.Store(block, &loadCall{})
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		d.inflight.Delete(1)
		d.inflight.Delete(2)
	}()
	go func() {
		defer wg.Done()
		d.load(7)
	}()
	wg.Wait()
}
