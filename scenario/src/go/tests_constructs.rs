//! Tests of the Go importer on the constructs reproducers posted in issues and on Q&A sites use:
//! each in a general form (names unlike any reproducer's), one test per construct.

use super::*;
use crate::testing::go as imp;

#[test]
fn own_methods_named_like_sync_calls_are_inlined() {
    let g = imp("type Tally struct { hits map[string]int }\n\
         func (t *Tally) Add(k string) { t.hits[k] = 1 }\n\
         func (t *Tally) Done(k string) { delete(t.hits, k) }\n\
         func (t *Tally) Lock(k string) int { return t.hits[k] }\n\
         func main() {\n  t := &Tally{hits: map[string]int{}}\n\
           go func() { t.Add(\"x\"); t.Lock(\"x\") }()\n  go func() { t.Done(\"x\") }()\n}\n");
    assert_eq!(
        g.ops(),
        [vec!["insert(1, 1)", "get(1)"], vec!["delete(1)"]],
        "{}",
        g.notes()
    );
    assert!(!g.notes().contains("WaitGroup"), "{}", g.notes());
    assert!(g.expects("gomap"));
}

#[test]
fn a_call_on_the_right_of_an_element_assignment_runs() {
    let g = imp("var mu sync.Mutex\nvar owners = map[int]int{7: 1}\n\
         func take(k int) bool { mu.Lock(); defer mu.Unlock(); delete(owners, k); return true }\n\
         func main() {\n  got := make([]bool, 2)\n  for w := 0; w < 2; w++ {\n    go func(w int) { got[w] = take(7) }(w)\n  }\n}\n");
    assert_eq!(g.ops(), [vec!["delete(7)"], vec!["delete(7)"]], "{}", g.notes());
    assert!(g.expects("locked-racy-remove"));
}

#[test]
fn a_guard_that_only_leaves_is_passed() {
    let g = imp("type Book struct { mu sync.RWMutex; rows map[int]int }\n\
         func (b *Book) Drop(k int) bool {\n  b.mu.RLock()\n  _, there := b.rows[k]\n  b.mu.RUnlock()\n\
           if !there {\n    log.Printf(\"missing %d\", k)\n    return false\n  }\n\
           b.mu.Lock()\n  delete(b.rows, k)\n  b.mu.Unlock()\n  return true\n}\n\
         func main() {\n  b := &Book{rows: map[int]int{3: 30}}\n  go b.Drop(3)\n  go b.Drop(3)\n}\n");
    assert_eq!(
        g.ops(),
        [vec!["get(3)", "delete(3)"], vec!["get(3)", "delete(3)"]]
    );
    assert!(
        g.notes()
            .contains("line 6: the condition cannot be computed statically; the path past the guard"),
        "{}",
        g.notes()
    );
    assert!(g.expects("locked-racy-remove"));
    // A condition whose `then` branch does work is still taken.
    let g = imp("m := map[int]int{1: 1}\ngo func() { if _, ok := m[1]; ok { delete(m, 1) } }()\ngo func() { m[2] = 2 }()\n");
    assert_eq!(g.ops()[0], ["get(1)", "delete(1)"]);
}

#[test]
fn a_sharded_map_built_in_a_constructor_is_the_sharded_family() {
    let g = imp("type part struct { sync.Mutex; kv map[uint64]uint64 }\n\
         type Table struct { parts []*part }\n\
         func Make(n int) *Table {\n  t := &Table{parts: make([]*part, n)}\n  for i := 0; i < n; i++ { t.parts[i] = &part{kv: make(map[uint64]uint64)} }\n  return t\n}\n\
         func (t *Table) pick(k uint64) *part { return t.parts[k%uint64(len(t.parts))] }\n\
         func (t *Table) Put(k, v uint64) { p := t.pick(k); p.Lock(); p.kv[k] = v; p.Unlock() }\n\
         func (t *Table) Size() int { n := 0; for _, p := range t.parts { p.Lock(); n += len(p.kv); p.Unlock() }; return n }\n\
         func (t *Table) Wipe() { for i := 0; i < len(t.parts); i++ { p := t.parts[i]; p.Lock(); p.kv = make(map[uint64]uint64); p.Unlock() } }\n\
         func main() {\n  t := Make(8)\n  t.Put(5, 50)\n  go t.Wipe()\n  go func() { t.Put(6, 60); _ = t.Size() }()\n}\n");
    assert_eq!(g.scenario.initial, [(5, 50)]);
    assert_eq!(
        g.ops(),
        [vec!["clear()"], vec!["insert(6, 60)", "len()"]],
        "{}",
        g.notes()
    );
    assert!(
        g.notes()
            .contains("a loop over every shard is one operation on the whole map"),
        "{}",
        g.notes()
    );
    assert!(g.notes().contains("the map is sharded"), "{}", g.notes());
    assert_eq!(g.expected(), ["sharded-clear-skips"], "{}", g.notes());
}

#[test]
fn a_map_nothing_runs_is_reported_at_its_line() {
    let e = import(
        "t.go",
        "package main\n\nfunc unused() {\n  m := make(map[int]int)\n  m[1] = 1\n}\n\nfunc main() {}\n",
        Scale::default(),
    )
    .unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.message.contains("no statement the importer runs uses it"),
        "{e}"
    );
}

#[test]
fn atomic_pointers_and_local_atomic_values_are_copy_on_write() {
    // A package-level atomic.Pointer to a map, dereferenced where it is loaded.
    let g = imp("var routes atomic.Pointer[map[int]int]\n\
         func put(k, v int) {\n  cur := *routes.Load()\n  next := make(map[int]int)\n  for a, b := range cur { next[a] = b }\n  next[k] = v\n  routes.Store(&next)\n}\n\
         func get(k int) int { return (*routes.Load())[k] }\n\
         func main() {\n  m := map[int]int{}\n  routes.Store(&m)\n  go func() { put(1, 10); get(1) }()\n  go func() { put(2, 20); get(2) }()\n}\n");
    assert_eq!(
        g.ops(),
        [vec!["insert(1, 10)", "get(1)"], vec!["insert(2, 20)", "get(2)"]]
    );
    assert_eq!(g.expected(), ["cow-nocas"], "{}", g.notes());
    // A local atomic.Value, used through function values.
    let g = imp("func main() {\n  var snap atomic.Value\n  snap.Store(map[int]int{})\n\
           set := func(k int) {\n    old := snap.Load().(map[int]int)\n    cp := make(map[int]int)\n    for a, b := range old { cp[a] = b }\n    cp[k] = k\n    snap.Store(cp)\n  }\n\
           read := func(k int) int { return snap.Load().(map[int]int)[k] }\n\
           go func() { set(4); read(4) }()\n  go func() { set(5); read(5) }()\n}\n");
    assert_eq!(
        g.ops(),
        [vec!["insert(4, 4)", "get(4)"], vec!["insert(5, 5)", "get(5)"]]
    );
    assert_eq!(g.expected(), ["cow-nocas"], "{}", g.notes());
}

#[test]
fn channels_carry_keys_to_the_workers_that_receive_them() {
    let g = imp("func main() {\n  seen := map[int]bool{10: true, 11: true, 12: true}\n  todo := make(chan int, 8)\n\
           for w := 0; w < 2; w++ {\n    go func() {\n      for k := range todo { delete(seen, k) }\n    }()\n  }\n\
           todo <- 10\n  todo <- 11\n  close(todo)\n}\n");
    assert_eq!(g.ops(), [vec!["delete(10)"], vec!["delete(11)"]], "{}", g.notes());
    assert!(g.untranslated.is_empty(), "{:?}", g.untranslated);
    assert!(g.expects("gomap"));
    // A worker that selects on its jobs, with the `ok` of the receive.
    let g = imp("func run(jobs chan int, out map[int]int) {\n  for {\n    select {\n    case <-stop:\n      return\n\
           case j, ok := <-jobs:\n      if !ok { return }\n      out[j] = 1\n    }\n  }\n}\n\
         func main() {\n  out := map[int]int{}\n  jobs := make(chan int)\n  go run(jobs, out)\n  go run(jobs, out)\n  jobs <- 3\n  jobs <- 4\n  close(jobs)\n}\n");
    assert_eq!(
        g.ops(),
        [vec!["insert(3, 1)"], vec!["insert(4, 1)"]],
        "{}",
        g.notes()
    );
}

#[test]
fn a_sync_map_churn_keeps_deleted_entries() {
    let g = imp("var live sync.Map\n\
         func main() {\n  for i := 0; i < 3; i++ { live.Store(i, i) }\n\
           go func() { live.Range(func(k, v any) bool { return true }); live.Delete(0); live.Delete(1) }()\n\
           go func() { live.Store(7, 7) }()\n}\n");
    assert_eq!(g.expected(), ["syncmap"], "{}", g.notes());
    assert_eq!(g.scenario.expect[0].1, crate::Expect::Finding);
}

#[test]
fn a_locked_map_used_without_its_lock_is_unlocked_there() {
    let g = imp("type Reg struct { mu sync.Mutex; by map[int]int }\n\
         func (r *Reg) Set(k int) { r.mu.Lock(); r.by[k] = k; r.mu.Unlock() }\n\
         func (r *Reg) Peek(k int) int { return r.by[k] }\n\
         func main() {\n  r := &Reg{by: map[int]int{}}\n  go r.Set(1)\n  go r.Peek(1)\n}\n");
    assert!(g.expects("gomap"), "{}", g.notes());
    assert!(
        g.notes().contains("used without a lock on line(s) 3"),
        "{}",
        g.notes()
    );
    // Every use under the lock: the locked design, no unlocked-map hazard.
    let g = imp("type Reg struct { mu sync.Mutex; by map[int]int }\n\
         func (r *Reg) Set(k int) { r.mu.Lock(); defer r.mu.Unlock(); r.by[k] = k }\n\
         func main() {\n  r := &Reg{by: map[int]int{}}\n  go r.Set(1)\n  go r.Set(2)\n}\n");
    assert!(!g.expects("gomap"), "{}", g.notes());
}

#[test]
fn a_forever_loop_is_a_cleaner_only_when_it_cleans() {
    let watcher = imp(
        "m := map[int]int{}\ngo func() { for { for k := range m { _ = k } } }()\ngo func() { m[1] = 1 }()\n",
    );
    assert!(!watcher.expects("tombstone-gc-leak"), "{}", watcher.notes());
    let sweeper = imp("m := map[int]int{}\ngo func() { for { for k, v := range m { if v < 0 { delete(m, k) } } } }()\ngo func() { m[1] = 1 }()\n");
    assert!(sweeper.expects("tombstone-gc-leak"), "{}", sweeper.notes());
}

#[test]
fn a_range_over_a_slice_literal_visits_its_elements() {
    let g = imp("func main() {\n  seen := map[string]int{}\n\
           for _, host := range []string{\"a\", \"b\", \"c\", \"d\"} {\n    go func(h string) { seen[h] = 1 }(host)\n  }\n}\n");
    assert_eq!(
        g.ops(),
        [vec!["insert(1, 1)"], vec!["insert(2, 1)"], vec!["insert(3, 1)"]],
        "{}",
        g.notes()
    );
}

#[test]
fn a_field_made_in_a_constructor_is_made_not_rebuilt() {
    let g = imp("type Pool struct { conns map[int]int }\n\
         func NewPool() *Pool { p := new(Pool); p.conns = make(map[int]int); return p }\n\
         func (p *Pool) Reset() { p.conns = make(map[int]int) }\n\
         func main() {\n  p := NewPool()\n  go func() { p.conns[1] = 1 }()\n  go func() { p.Reset(); _ = p.conns[1] }()\n}\n");
    // The constructor's make is no operation; the later one rebuilds the map.
    assert_eq!(
        g.ops(),
        [vec!["insert(1, 1)"], vec!["reclaim()", "get(1)"]],
        "{}",
        g.notes()
    );
}

#[test]
fn a_switch_takes_the_case_its_value_selects() {
    let g = imp("var idx = map[string]int{}\n\
         func apply(op string, k string) {\n  switch op {\n  case \"put\", \"set\":\n    idx[k] = 1\n  case \"del\":\n    delete(idx, k)\n  default:\n    _ = idx[k]\n  }\n}\n\
         func main() {\n  go apply(\"set\", \"x\")\n  go apply(\"del\", \"x\")\n  go apply(\"get\", \"x\")\n}\n");
    assert_eq!(g.ops(), [vec!["insert(1, 1)"], vec!["delete(1)"], vec!["get(1)"]]);
    // A value it cannot compute: a choice, the first case that does more than leave.
    let g = imp("m := map[int]int{}\ngo func(v any) {\n  switch v.(type) {\n  case nil:\n    return\n  case int:\n    m[1] = 1\n  }\n}(x)\ngo func() { m[2] = 2 }()\n");
    assert_eq!(
        g.ops(),
        [vec!["insert(1, 1)"], vec!["insert(2, 2)"]],
        "{}",
        g.notes()
    );
    assert!(g.notes().contains("case 2 is taken"), "{}", g.notes());
}

#[test]
fn two_writers_of_one_key_behind_a_lock_are_the_lock_familys_racy_insert() {
    let g = imp("type Reg struct { mu sync.RWMutex; m map[int]int }\n\
         func (r *Reg) Ensure(k, v int) {\n  r.mu.RLock()\n  _, ok := r.m[k]\n  r.mu.RUnlock()\n  if ok { return }\n  r.mu.Lock()\n  r.m[k] = v\n  r.mu.Unlock()\n}\n\
         func main() {\n  r := &Reg{m: map[int]int{}}\n  go r.Ensure(1, 10)\n  go r.Ensure(1, 20)\n}\n");
    assert_eq!(g.expected(), ["locked-racy-insert"], "{}", g.notes());
}
