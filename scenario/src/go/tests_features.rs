//! Tests of the Go importer on the shapes reproducers are written in beyond the incident reports'
//! own: helper functions, wrapper types and their methods, `clear`, range bodies that write,
//! sync.Map's newer methods, goroutines started in loops, copy-on-write.

use super::*;
use crate::parse;

fn imp(src: &str) -> GoImport {
    let g = import("t.go", src, Scale::default()).unwrap_or_else(|e| panic!("{e}"));
    let text = g.scenario.to_toml();
    parse("t.toml", &text).unwrap_or_else(|e| panic!("{}\n{text}", e.render()));
    g
}

fn ops(g: &GoImport) -> Vec<Vec<String>> {
    g.scenario
        .threads
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn expected(g: &GoImport) -> Vec<String> {
    g.scenario.expect.iter().map(|(n, _)| n.name.clone()).collect()
}

fn notes(g: &GoImport) -> String {
    g.scenario.notes.join("\n")
}

#[test]
fn helper_functions_are_inlined() {
    let g = imp("package main\nvar m = map[int]int{1: 10, 2: 20}\n\
         func drop(k int) { delete(m, k) }\n\
         func main() {\n  go drop(1)\n  go func() { drop(1) }()\n}\n");
    assert_eq!(ops(&g), [["delete(1)"], ["delete(1)"]]);
    assert_eq!(expected(&g), ["gomap", "locked-racy-remove"]);
}

#[test]
fn a_struct_with_a_mutex_and_a_map_is_the_locked_family() {
    let g = imp(
        "package main\n\
         type Cache struct {\n  mu sync.RWMutex\n  items map[string]int\n}\n\
         func (c *Cache) Store(k string, v int) { c.mu.Lock(); c.items[k] = v; c.mu.Unlock() }\n\
         func (c *Cache) Delete(k string) {\n  c.mu.RLock()\n  _, ok := c.items[k]\n  c.mu.RUnlock()\n  if ok {\n    c.mu.Lock()\n    delete(c.items, k)\n    c.mu.Unlock()\n  }\n}\n\
         func main() {\n  c := &Cache{items: make(map[string]int)}\n  c.Store(\"a\", 1)\n\
           go c.Delete(\"a\")\n  go c.Delete(\"a\")\n}\n",
    );
    assert_eq!(ops(&g), [["get(1)", "delete(1)"], ["get(1)", "delete(1)"]]);
    assert_eq!(g.scenario.initial, [(1, 1)]);
    let e = expected(&g);
    assert!(!e.contains(&"gomap".to_string()), "the map is locked: {e:?}");
    assert!(e.contains(&"locked-racy-remove".to_string()), "{e:?}");
    assert!(!notes(&g).contains("sync.Map"), "{}", notes(&g));
}

#[test]
fn clear_len_and_range_bodies_that_write() {
    let g = imp("m := map[int]int{1: 1, 2: 2}\n\
         go func() { clear(m) }()\n\
         go func() { _ = len(m) }()\n\
         for k := range m {\n  if k == 1 {\n    clear(m)\n  }\n}\n");
    assert_eq!(
        ops(&g),
        [vec!["clear()"], vec!["len()"], vec!["range(delete: all)"]]
    );
    assert!(notes(&g).contains("`clear` inside the range"), "{}", notes(&g));

    let g = imp("m := map[int]int{1: 1, 2: 2}\n\
         go func() { delete(m, 2) }()\n\
         for k, v := range m {\n  m[7] = v\n  delete(m, 1)\n  _ = k\n}\n");
    assert_eq!(
        ops(&g),
        [
            vec!["delete(2)"],
            vec!["range(delete: 1)", "insert(7, 1)", "insert(7, 2)"]
        ]
    );
    let n = notes(&g);
    assert!(n.contains("run once after the iteration"), "{n}");
    assert!(n.contains("imported as `delete: 1`"), "{n}");
}

#[test]
fn sync_map_methods() {
    let g = imp("var m sync.Map\nm.Store(1, 1)\n\
         go func() { m.LoadOrStore(2, 2); m.Swap(1, 3) }()\n\
         go func() { m.CompareAndDelete(1, 1); m.LoadAndDelete(2) }()\n\
         go func() { m.Range(func(k, v any) bool { m.Delete(k); return true }); m.Clear() }()\n");
    assert_eq!(
        ops(&g),
        [
            vec!["range(delete: all)", "clear()"],
            vec!["load_or_store(2, 2)", "swap(1, 3)"],
            vec!["reclaim()", "compare_and_delete(1, 1)", "load_and_delete(2)"],
        ]
    );
    let n = notes(&g);
    // The deleting thread goes last, where its deleted entries stay: the finding is judged with
    // the threads run in the order they are listed.
    assert!(n.contains("the threads are listed so that"), "{n}");
    assert!(expected(&g).contains(&"syncmap".to_string()), "{n}");
    assert!(
        !n.contains("` is imported as"),
        "every method is translated exactly: {n}"
    );
    // The deleting range is `locked-iterlock`'s hazard, but that mutant has no get-or-insert:
    // named, it could only be not applicable.
    assert!(!expected(&g).contains(&"locked-iterlock".to_string()), "{n}");
    assert!(
        n.contains("`locked-iterlock` has the hazard but not every operation"),
        "{n}"
    );
}

/// `LoadOrStore` is a get-or-insert, not a store: a present value is kept.
#[test]
fn load_or_store_is_get_or_insert() {
    let g = imp("var m sync.Map\nm.Store(\"a\", 1)\n\
         go func() { v, loaded := m.LoadOrStore(\"a\", 2); _ = v; _ = loaded }()\n\
         go func() { m.Delete(\"a\") }()\n");
    assert_eq!(
        ops(&g),
        [vec!["load_or_store(1, 2)"], vec!["reclaim()", "delete(1)"]]
    );
    assert_eq!(g.scenario.initial, [(1, 1)]);
}

#[test]
fn compare_and_swap_keeps_its_old_value() {
    let g = imp("var m sync.Map\nm.Store(1, 10)\n\
         go func() { m.CompareAndSwap(1, 10, 11) }()\n\
         go func() { m.CompareAndSwap(1, 10, 12) }()\n");
    assert_eq!(
        ops(&g),
        [
            vec!["compare_and_swap(1, 10, 11)"],
            vec!["compare_and_swap(1, 10, 12)"]
        ]
    );
}

#[test]
fn compare_and_delete_keeps_its_old_value() {
    let g = imp("var m sync.Map\nm.Store(1, 10)\n\
         go func() { m.Store(1, 11) }()\n\
         go func() { m.CompareAndDelete(1, 10) }()\n");
    assert_eq!(
        ops(&g),
        [
            vec!["store(1, 11)"],
            vec!["reclaim()", "compare_and_delete(1, 10)"]
        ]
    );
}

#[test]
fn swap_and_load_and_delete_keep_their_names() {
    let g = imp("var m sync.Map\nm.Store(1, 10)\n\
         go func() { old, _ := m.Swap(1, 11); _ = old }()\n\
         go func() { v, ok := m.LoadAndDelete(1); _, _ = v, ok }()\n");
    assert_eq!(
        ops(&g),
        [vec!["swap(1, 11)"], vec!["reclaim()", "load_and_delete(1)"]]
    );
}

/// A Range whose body compare-and-deletes the entry it visits is a retain: each removal is one
/// step with the value the body read.
#[test]
fn range_with_compare_and_delete_is_a_retain() {
    let g = imp("var m sync.Map\nm.Store(1, 10)\nm.Store(2, 21)\nm.Store(3, 30)\n\
         go func() {\n  m.Range(func(k, v any) bool {\n    if v.(int)%2 == 0 {\n      m.CompareAndDelete(k, v)\n    }\n    return true\n  })\n}()\n\
         go func() { m.Store(2, 22) }()\n");
    assert_eq!(ops(&g), [vec!["retain(delete: even)"], vec!["store(2, 22)"]]);
    assert!(
        notes(&g).contains("imported as `retain(delete: even)`"),
        "{}",
        notes(&g)
    );
}

/// A Range that deletes with a plain `Delete` after reading the value is a check-then-act: a value
/// stored between the read and the delete is deleted. It stays an iteration that deletes.
#[test]
fn range_with_a_conditional_delete_is_not_a_retain() {
    let g = imp("var m sync.Map\nm.Store(1, 10)\nm.Store(2, 21)\n\
         go func() {\n  m.Range(func(k, v any) bool {\n    if v.(int) == 10 {\n      m.Delete(k)\n    }\n    return true\n  })\n}()\n\
         go func() { m.Store(1, 11) }()\n");
    // (The deleting thread is listed last: the order the reclamation finding is judged in.)
    assert_eq!(ops(&g), [vec!["store(1, 11)"], vec!["range(delete: 1)"]]);
}

/// A compare-and-delete inside a Range that compares with another value than the one visited is
/// not a retain: its keys are deleted by the iteration, noted.
#[test]
fn range_with_another_comparison_is_noted() {
    let g = imp("var m sync.Map\nm.Store(1, 10)\nm.Store(2, 21)\n\
         go func() {\n  m.Range(func(k, v any) bool {\n    m.CompareAndDelete(k, 10)\n    return true\n  })\n}()\n\
         go func() { m.Store(1, 11) }()\n");
    assert_eq!(ops(&g)[0], ["range(delete: all)"]);
    assert!(
        notes(&g).contains("compare-and-deletes are imported as deletes"),
        "{}",
        notes(&g)
    );
}

/// A plain map's check-then-act under two lock sections stays two operations: the gap between
/// them is the hazard, and a get-or-insert would hide it.
#[test]
fn check_then_act_under_separate_locks_stays_two_operations() {
    let g = imp("package main\nvar mu sync.RWMutex\nvar m = map[string]int{}\n\
         func get(k string) {\n  mu.RLock()\n  _, ok := m[k]\n  mu.RUnlock()\n  if !ok {\n    mu.Lock()\n    m[k] = 1\n    mu.Unlock()\n  }\n}\n\
         func main() {\n  go get(\"a\")\n  go get(\"a\")\n}\n");
    assert_eq!(
        ops(&g),
        [vec!["get(1)", "insert(1, 1)"], vec!["get(1)", "insert(1, 1)"]]
    );
}

#[test]
fn goroutines_started_in_loops_are_scaled_and_noted() {
    let g = imp("m := make(map[int]int)\nfor i := range 8 {\n  go func() { m[i] = i }()\n}\n");
    assert_eq!(ops(&g), [["insert(0, 0)"], ["insert(1, 1)"], ["insert(2, 2)"]]);
    assert!(
        notes(&g).contains("a loop of 8 iterations is scaled down to 3"),
        "{}",
        notes(&g)
    );
}

#[test]
fn copy_on_write_without_compare_and_swap() {
    let g = imp(
        "package main\n\
         type Cow struct { v atomic.Value }\n\
         func (c *Cow) Delete(k int) {\n  old := c.v.Load().(map[int]int)\n  n := make(map[int]int, len(old))\n\
           for k2, v := range old {\n    n[k2] = v\n  }\n  delete(n, k)\n  c.v.Store(n)\n}\n\
         func (c *Cow) Put(k, v int) {\n  old := c.v.Load().(map[int]int)\n  n := make(map[int]int)\n\
           for k2, v2 := range old {\n    n[k2] = v2\n  }\n  n[k] = v\n  c.v.Store(n)\n}\n\
         func (c *Cow) Get(k int) int { return c.v.Load().(map[int]int)[k] }\n\
         func main() {\n  c := &Cow{}\n  go func() { c.Delete(1); c.Get(1) }()\n  go func() { c.Put(2, 20); c.Get(2) }()\n}\n",
    );
    assert_eq!(ops(&g), [["delete(1)", "get(1)"], ["insert(2, 20)", "get(2)"]]);
    assert!(
        expected(&g).contains(&"cow-nocas".to_string()),
        "{:?}\n{}",
        expected(&g),
        notes(&g)
    );
    assert!(notes(&g).contains("a plain store"), "{}", notes(&g));
    assert!(g.untranslated.is_empty(), "{:?}", g.untranslated);
}

#[test]
fn a_huge_loop_never_makes_a_file_the_parser_rejects() {
    let g = imp("m := make(map[int]int)\ngo func() {\n  for i := 0; i <= 10000; i++ { m[i] = i }\n}()\n");
    assert!(g
        .scenario
        .threads
        .iter()
        .all(|t| t.len() <= crate::MAX_OPS_PER_THREAD));
    let scale = Scale {
        ops_per_thread: 100_000,
        loop_iterations: 100_000,
        ..Scale::default()
    };
    let g = import(
        "t.go",
        "m := make(map[int]int)\ngo func() {\n  for i := 0; i <= 5000; i++ { m[i] = i }\n}()\n",
        scale,
    )
    .unwrap();
    parse("t.toml", &g.scenario.to_toml()).unwrap_or_else(|e| panic!("{}", e.render()));
    assert!(
        notes(&g).contains("5001 operations are scaled down to 64"),
        "{}",
        notes(&g)
    );
}

#[test]
fn a_wrapper_whose_range_takes_a_callback_that_deletes() {
    let g = imp(
        "package main\n\
         type M struct {\n  sync.RWMutex\n  m map[string]int\n}\n\
         func (c *M) Delete(k string) { c.Lock(); delete(c.m, k); c.Unlock() }\n\
         func (c *M) Range(f func(k string, v int) bool) {\n  c.RLock()\n  defer c.RUnlock()\n  for k, v := range c.m {\n    if !f(k, v) {\n      break\n    }\n  }\n}\n\
         func main() {\n  c := &M{m: map[string]int{\"a\": 10, \"b\": 30}}\n\
           go func() { c.Range(func(k string, v int) bool {\n    if v > 20 {\n      c.Delete(k)\n    }\n    return true\n  }) }()\n}\n",
    );
    assert_eq!(ops(&g), [["range(delete: 2)"]]);
    assert!(
        expected(&g).contains(&"locked-iterlock".to_string()),
        "{:?}",
        expected(&g)
    );
}

#[test]
fn a_janitor_nobody_stops_and_tombstones() {
    let g = imp(
        "package main\n\
         type entry struct {\n  v int\n  deleted bool\n}\n\
         type C struct {\n  mu sync.Mutex\n  items map[int]entry\n}\n\
         func (c *C) Del(k int) { c.mu.Lock(); c.items[k] = entry{deleted: true}; c.mu.Unlock() }\n\
         func (c *C) Set(k, v int) { c.mu.Lock(); c.items[k] = entry{v: v}; c.mu.Unlock() }\n\
         func (c *C) Get(k int) int { c.mu.Lock(); defer c.mu.Unlock(); return c.items[k].v }\n\
         func (c *C) purge() {\n  c.mu.Lock()\n  for k, e := range c.items {\n    if e.deleted {\n      delete(c.items, k)\n    }\n  }\n  c.mu.Unlock()\n}\n\
         func (c *C) janitor() {\n  t := time.NewTicker(time.Second)\n  for {\n    select {\n    case <-t.C:\n      c.purge()\n    }\n  }\n}\n\
         func main() {\n  c := &C{items: map[int]entry{1: {v: 10}}}\n  go c.janitor()\n\
           go func() { c.Del(1); c.Set(1, 11); c.Get(1) }()\n}\n",
    );
    let t = ops(&g);
    assert_eq!(
        t[0],
        ["reclaim()", "reclaim()"],
        "the janitor's purge is the GC pass"
    );
    assert_eq!(t[1][0], "delete(1)", "the tombstone is the delete: {t:?}");
    assert!(t[1][1].starts_with("insert(1, ") && t[1][2] == "get(1)", "{t:?}");
    let e = expected(&g);
    assert!(
        e.contains(&"tombstone-gc-leak".to_string()) && e.contains(&"tombstone-gc-race".to_string()),
        "{e:?}\n{}",
        notes(&g)
    );
}
