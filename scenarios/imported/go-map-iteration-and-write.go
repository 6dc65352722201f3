// Source: https://github.com/flashbots/rpc-endpoint/issues/35 ("fatal error: concurrent map
// iteration and map write"; the fix added an RWMutex). Also seen in
// https://github.com/shalb/cluster.dev/issues/197 after a Go update.
// Hazard: S1, an unlocked Go map ranged over while another goroutine writes it.
// mapcheck-expect: gomap
package main

var pending = map[string]int{"a": 1, "b": 2}

func record(id string, n int) { pending[id] = n }

func main() {
	go record("c", 3)
	go func() {
		total := 0
		for _, n := range pending {
			total += n
		}
	}()
}
