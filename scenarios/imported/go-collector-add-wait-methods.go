// Source: https://github.com/k1LoW/grouped_process_exporter/pull/6 ("Fix concurrent map
// (map[string]*grouped_proc.GroupedProc) writes"): each collector goroutine adds the processes it
// finds to one map of groups.
// Hazard: S1, an unlocked Go map written by several goroutines ("concurrent map writes").
// mapcheck-expect: gomap
package main

import "sync"

type GroupedProc struct {
	PIDs []int
}

type Grouper struct {
	procs map[string]*GroupedProc
	wg    sync.WaitGroup
}

func (g *Grouper) Add(group string, pid int) {
	gp, ok := g.procs[group]
	if !ok {
		gp = &GroupedProc{}
		g.procs[group] = gp
	}
	gp.PIDs = append(gp.PIDs, pid)
}

func (g *Grouper) Wait() {
	g.wg.Wait()
}

func main() {
	g := &Grouper{procs: make(map[string]*GroupedProc)}
	for _, name := range []string{"nginx", "postgres", "nginx"} {
		g.wg.Add(1)
		go func(name string) {
			defer g.wg.Done()
			g.Add(name, 42)
		}(name)
	}
	g.Wait()
}
