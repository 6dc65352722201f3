// Source: https://github.com/stripe-archive/timberlake/pull/97 ("Fix race condition on map access":
// crashes with "fatal error: concurrent map iteration and map write"; the running-job loop was the
// only loop that did not lock before reading jt.jobs).
// Hazard: S1, an unlocked Go map iterated while another goroutine writes it.
// mapcheck-expect: gomap
package main

import (
	"sync"
	"time"
)

type job struct {
	running bool
}

type jobTracker struct {
	jobsLock sync.Mutex
	jobs     map[string]*job
}

func newJobTracker() *jobTracker {
	return &jobTracker{jobs: make(map[string]*job)}
}

func (jt *jobTracker) saveJob(id string, j *job) {
	jt.jobsLock.Lock()
	jt.jobs[id] = j
	jt.jobsLock.Unlock()
}

func (jt *jobTracker) runningJobLoop() {
	for {
		for id, j := range jt.jobs {
			if !j.running {
				continue
			}
			_ = id
		}
		time.Sleep(time.Second)
	}
}

func main() {
	jt := newJobTracker()
	jt.saveJob("job_1", &job{running: true})
	go jt.runningJobLoop()
	go jt.saveJob("job_2", &job{running: true})
	time.Sleep(time.Minute)
}
