// Source: https://github.com/zishang520/socket.io/pull/161 ("replace sync.Map internals with
// map+RWMutex": with high room churn, deleted rooms stay behind as expunged entries in the read
// layer and the process's memory grows while the number of rooms does not).
// Hazard: S3, sync.Map keeps deleted entries (nil or expunged) until a new key and a promotion.
// mapcheck-expect: syncmap
package main

import (
	"fmt"
	"sync"
)

type Adapter struct {
	rooms sync.Map
}

func (a *Adapter) Join(room string, sid string) {
	a.rooms.Store(room, sid)
}

func (a *Adapter) Leave(room string) {
	a.rooms.LoadAndDelete(room)
}

func (a *Adapter) Count() int {
	n := 0
	a.rooms.Range(func(k, v any) bool {
		n++
		return true
	})
	return n
}

func main() {
	a := &Adapter{}
	for i := 0; i < 4; i++ {
		a.Join(fmt.Sprintf("room-%d", i), "sid")
	}
	var wg sync.WaitGroup
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			_ = a.Count()
			a.Leave(fmt.Sprintf("room-%d", c))
			a.Join(fmt.Sprintf("room-new-%d", c), "sid")
		}(c)
	}
	wg.Wait()
}
