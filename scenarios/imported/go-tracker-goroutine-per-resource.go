// Source: https://github.com/werf/kubedog/pull/121 ("Fix 'fatal error: concurrent map read and map
// write'"): one tracking goroutine per resource updates a shared status map that the main loop
// reads.
// Hazard: S1, an unlocked Go map written while another goroutine uses it.
// mapcheck-expect: gomap
package main

import "fmt"

type Tracker struct {
	states map[string]string
}

func main() {
	t := &Tracker{states: map[string]string{}}
	resources := []string{"deploy/api", "deploy/web", "sts/db"}
	done := make(chan struct{})
	for _, r := range resources {
		go func(name string) {
			t.states[name] = "ready"
			done <- struct{}{}
		}(r)
	}
	for range resources {
		<-done
		fmt.Println(len(t.states))
	}
}
