// Command porcupine-driver checks one map history exported by mapcheck-bench with porcupine, so
// that the two checkers can be timed side by side on the same histories.
//
// Usage: porcupine-driver HISTORY TIMEOUT_SECONDS
//
// HISTORY has one operation a line: "thread kind key value invoke return result", where kind is
// insert, remove, get, len, clear or iter; value is the inserted value (0 otherwise); return is "-"
// for a pending operation; result is "-" for none (or for clear), a number, or, for iter, the
// entries yielded as "k:v,k:v" ("-" when none). A history of single-key operations is checked with
// a per-key model and porcupine's Partition (P-compositionality); one with len, clear or iter with a
// whole-map model, unpartitioned.
//
// It prints "ready" once the history is read, then "VERDICT WALL_SECONDS CPU_SECONDS PEAK_RSS_KB" with
// VERDICT one of ok, violation, unknown (porcupine's Ok, Illegal, and Unknown after the timeout).
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
)

type input struct {
	kind  string
	key   uint64
	value uint64
}

type kv struct{ k, v uint64 }

type output struct {
	pending bool
	present bool
	value   uint64
	kvs     []kv
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "porcupine-driver: "+format+"\n", args...)
	os.Exit(2)
}

func parse(path string) ([]porcupine.Operation, bool) {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	var ops []porcupine.Operation
	whole := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	line := 0
	for sc.Scan() {
		line++
		fs := strings.Fields(sc.Text())
		if len(fs) != 7 {
			fail("%s:%d: expected 7 fields, found %d", path, line, len(fs))
		}
		num := func(s string) uint64 {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				fail("%s:%d: %q is not a number", path, line, s)
			}
			return n
		}
		in := input{kind: fs[1], key: num(fs[2]), value: num(fs[3])}
		switch in.kind {
		case "insert", "remove", "get":
		case "len", "clear", "iter":
			whole = true
		default:
			fail("%s:%d: unknown operation %q", path, line, in.kind)
		}
		out := output{}
		ret := int64(math.MaxInt64)
		if fs[5] == "-" {
			out.pending = true
		} else {
			ret = int64(num(fs[5]))
		}
		if !out.pending && fs[6] != "-" {
			if in.kind == "iter" {
				for _, p := range strings.Split(fs[6], ",") {
					kvp := strings.SplitN(p, ":", 2)
					if len(kvp) != 2 {
						fail("%s:%d: %q is not key:value", path, line, p)
					}
					out.kvs = append(out.kvs, kv{num(kvp[0]), num(kvp[1])})
				}
				sort.Slice(out.kvs, func(i, j int) bool { return out.kvs[i].k < out.kvs[j].k })
			} else {
				out.present, out.value = true, num(fs[6])
			}
		}
		ops = append(ops, porcupine.Operation{
			ClientId: int(num(fs[0])),
			Input:    in,
			Call:     int64(num(fs[4])),
			Output:   out,
			Return:   ret,
		})
	}
	if err := sc.Err(); err != nil {
		fail("%s: %v", path, err)
	}
	return ops, whole
}

// cell is one key's state: its value when present.
type cell struct {
	present bool
	value   uint64
}

// keyModel is porcupine's key-value model restricted to one key, with porcupine's Partition
// splitting the history per key.
var keyModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[uint64][]porcupine.Operation{}
		var keys []uint64
		for _, op := range history {
			k := op.Input.(input).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() interface{} { return cell{} },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		s, i, o := state.(cell), in.(input), out.(output)
		next := s
		switch i.kind {
		case "insert":
			next = cell{true, i.value}
		case "remove":
			next = cell{}
		}
		if o.pending {
			return true, next
		}
		return o.present == s.present && (!o.present || o.value == s.value), next
	},
	Hash: func(state interface{}) uint64 {
		s := state.(cell)
		if !s.present {
			return 0
		}
		return s.value*0x9E3779B97F4A7C15 + 1
	},
}

// mapState is the whole map as its entries sorted by key; states are never modified in place.
type mapState []kv

func (m mapState) find(k uint64) (int, bool) {
	i := sort.Search(len(m), func(i int) bool { return m[i].k >= k })
	return i, i < len(m) && m[i].k == k
}

func (m mapState) with(k uint64, v uint64, present bool) mapState {
	i, found := m.find(k)
	out := make(mapState, 0, len(m)+1)
	out = append(out, m[:i]...)
	if present {
		out = append(out, kv{k, v})
	}
	if found {
		i++
	}
	return append(out, m[i:]...)
}

// mapModel is the whole map, for histories with len, clear or iteration (no partition).
var mapModel = porcupine.Model{
	Init: func() interface{} { return mapState{} },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		s, i, o := state.(mapState), in.(input), out.(output)
		next := s
		ok := true
		switch i.kind {
		case "insert", "remove", "get":
			at, found := s.find(i.key)
			if !o.pending {
				ok = o.present == found && (!found || o.value == s[at].v)
			}
			if i.kind == "insert" {
				next = s.with(i.key, i.value, true)
			} else if i.kind == "remove" && found {
				next = s.with(i.key, 0, false)
			}
		case "len":
			ok = o.pending || (o.present && o.value == uint64(len(s)))
		case "clear":
			next = mapState{}
		case "iter":
			if !o.pending {
				ok = len(o.kvs) == len(s)
				for j := 0; ok && j < len(s); j++ {
					ok = o.kvs[j] == s[j]
				}
			}
		}
		return ok, next
	},
	Equal: func(a, b interface{}) bool {
		x, y := a.(mapState), b.(mapState)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	},
	Hash: func(state interface{}) uint64 {
		h := uint64(1469598103934665603)
		for _, e := range state.(mapState) {
			h = (h ^ e.k) * 1099511628211
			h = (h ^ e.v) * 1099511628211
		}
		return h
	},
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: porcupine-driver HISTORY TIMEOUT_SECONDS")
	}
	timeout, err := strconv.ParseFloat(os.Args[2], 64)
	if err != nil {
		fail("%q is not a number of seconds", os.Args[2])
	}
	ops, whole := parse(os.Args[1])
	model := keyModel
	if whole {
		model = mapModel
	}
	fmt.Println("ready")
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	started := time.Now()
	res := porcupine.CheckOperationsTimeout(model, ops, time.Duration(timeout*float64(time.Second)))
	wall := time.Since(started).Seconds()
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := func(r syscall.Rusage) float64 {
		return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
	}
	verdict := map[porcupine.CheckResult]string{
		porcupine.Ok: "ok", porcupine.Illegal: "violation", porcupine.Unknown: "unknown",
	}[res]
	fmt.Printf("%s %f %f %d\n", verdict, wall, cpu(after)-cpu(before), peakKB(after.Maxrss))
}

// peakKB is Linux's VmHWM, the peak resident set of this program's own address space; getrusage's
// Maxrss (the fallback) also counts the parent's memory at the fork that started this process.
func peakKB(fallback int64) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fallback
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fs := strings.Fields(l)
			if len(fs) >= 2 {
				if n, err := strconv.ParseInt(fs[1], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return fallback
}
