// Source: https://github.com/go-chassis/sc-client/pull/64 ("Fix the problem of concurrent map
// writing"): a registry built by its constructor, written by watch callbacks on their own
// goroutines.
// Hazard: S1, an unlocked Go map written by several goroutines ("concurrent map writes").
// mapcheck-expect: gomap
package main

type Instance struct {
	ID   string
	Addr string
}

type Registry struct {
	instances map[string]*Instance
}

func NewRegistry() *Registry {
	r := new(Registry)
	r.instances = make(map[string]*Instance)
	return r
}

func (r *Registry) onEvent(kind string, in *Instance) {
	switch kind {
	case "CREATE", "UPDATE":
		r.instances[in.ID] = in
	case "DELETE":
		delete(r.instances, in.ID)
	}
}

func main() {
	r := NewRegistry()
	r.onEvent("CREATE", &Instance{ID: "svc-1", Addr: "a"})
	go r.onEvent("UPDATE", &Instance{ID: "svc-1", Addr: "b"})
	go r.onEvent("DELETE", &Instance{ID: "svc-1"})
	select {}
}
