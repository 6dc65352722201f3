// Source: https://github.com/golang/go/issues/51972 ("sync: add new Map methods CompareAndSwap,
// CompareAndDelete, Swap": abuse reports de-bounced per client by swapping in the time of the
// last report; an entry is dropped only while it still holds the time this worker saw).
// Hazard: a compare-and-delete that compares, then deletes under the lock again, drops the entry a
// newer report stored in between; and S3, sync.Map keeps deleted entries until a promotion.
// mapcheck-expect: sharded-racy-compare-delete, syncmap
package main

import "sync"

var lastReportTimes sync.Map

func report(clientIP string, now int) {
	last, hasReportHistory := lastReportTimes.Swap(clientIP, now)
	if hasReportHistory && now-last.(int) < 60 {
		return
	}
	sendAbuseReport(clientIP)
}

// forget drops a client's entry unless another report replaced it meanwhile.
func forget(clientIP string, seen int) {
	lastReportTimes.CompareAndDelete(clientIP, seen)
}

func sendAbuseReport(clientIP string) {}

func main() {
	lastReportTimes.Store("10.0.0.1", 100)
	lastReportTimes.Store("10.0.0.2", 200)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		forget("10.0.0.1", 100)
		forget("10.0.0.2", 200)
	}()
	go func() {
		defer wg.Done()
		report("10.0.0.3", 300)
		report("10.0.0.1", 400)
	}()
	wg.Wait()
}
