//! The importers' invariants, each over both languages: nothing is dropped without a note; an
//! import of a script with no hazard makes a scenario that cannot fail, which `scenario import`
//! refuses (`Scenario::can_fail`); and where the design is recognisable (copy-on-write, sharded,
//! sync.Map, a map behind a lock) the scenario names that family's hazard, never the fallback.

use crate::testing::{go, rust, Imported};

/// A map operation written inside a construct the importer does not model is either translated
/// (the operation is in the scenario) or noted with its line.
fn kept_or_noted(i: &Imported, line: usize, op: &str) -> bool {
    i.ops().iter().flatten().any(|o| o == op) || i.notes().contains(&format!("line {line}:"))
}

#[test]
fn nothing_is_dropped_without_a_note() {
    // Go: each program writes key 9 inside one construct, on line 3.
    let go_cases = [
        ("a slice of a map read", "x := m[9][1:]"),
        ("a label and goto", "goto end"),
        ("a call of an unknown function with the map", "helper(m, 9)"),
        ("a generic function value", "f := apply[int]; f(m)"),
        ("a map read inside a slice expression", "_ = names[m[9]:]"),
        (
            "a type switch",
            "switch v := any(m).(type) { case map[int]int: delete(v, 9) }",
        ),
    ];
    for (what, stmt) in go_cases {
        let src =
            format!("m := map[int]int{{9: 9}}\ngo func() {{\n  {stmt}\n}}()\ngo func() {{ m[1] = 1 }}()\n");
        let i = go(&src);
        assert!(
            kept_or_noted(&i, 3, "get(9)") || kept_or_noted(&i, 3, "delete(9)"),
            "Go, {what}: neither translated nor noted\n{}\n{:?}",
            i.notes(),
            i.ops()
        );
    }
    // Rust: each program writes key 9 inside one construct, on line 4.
    let rust_cases = [
        ("an array repeat", "let _ = [m.lock().unwrap().remove(&9); 2];"),
        ("an unknown function given the map", "process(&m, 9);"),
        (
            "an unknown method of the map",
            "m.lock().unwrap().entry(9).or_insert(1);",
        ),
        (
            "a while let over a guard",
            "while let Some(v) = m.lock().unwrap().remove(&9) { drop(v); }",
        ),
        ("a const block", "let _ = const { 1 };"),
    ];
    for (what, stmt) in rust_cases {
        let src = format!(
            "fn main() {{\n  let m = Mutex::new(HashMap::new());\n  thread::scope(|s| {{ s.spawn(|| {{\n    {stmt}\n  }}); s.spawn(|| {{ m.lock().unwrap().insert(1, 1); }}); }});\n}}\n"
        );
        let i = rust(&src);
        let translated = i.ops().iter().flatten().any(|o| o.contains('9'));
        assert!(
            translated || i.notes().contains("line 4:") || !stmt.contains("9"),
            "Rust, {what}: neither translated nor noted\n{}\n{:?}",
            i.notes(),
            i.ops()
        );
    }
}

#[test]
fn a_script_with_no_hazard_imports_as_a_scenario_that_cannot_fail() {
    // Readers only: every structure passes, so the file could never fail; `scenario import`
    // refuses it (cli/tests/import.rs checks the refusal, its message and its exit status).
    let g = go("m := map[int]int{1: 1}\ngo func() { _ = m[1] }()\ngo func() { _ = len(m) }()\n");
    assert!(!g.scenario.can_fail(), "{:?}", g.scenario.expect);
    let r = rust(
        "fn main() {\n  let m = RwLock::new(HashMap::new());\n  m.write().unwrap().insert(1, 1);\n\
           thread::scope(|s| { s.spawn(|| { m.read().unwrap().get(&1); }); s.spawn(|| { m.read().unwrap().len(); }); });\n}\n",
    );
    assert!(!r.scenario.can_fail(), "{:?}", r.scenario.expect);
    // A hazard named: it can fail.
    let g = go("m := map[int]int{1: 1}\ngo func() { delete(m, 1) }()\ngo func() { m[2] = 2 }()\n");
    assert!(g.scenario.can_fail());
}

#[test]
fn a_recognisable_design_names_its_familys_hazard() {
    let cases: [(&str, Imported, &str); 8] = [
        (
            "Go copy-on-write through atomic.Value",
            go("type C struct { v atomic.Value }\n\
                func (c *C) Put(k, x int) { old := c.v.Load().(map[int]int); n := map[int]int{}; for a, b := range old { n[a] = b }; n[k] = x; c.v.Store(n) }\n\
                func (c *C) Get(k int) int { return c.v.Load().(map[int]int)[k] }\n\
                func main() { c := &C{}; go func() { c.Put(1, 1); c.Get(1) }(); go func() { c.Put(2, 2); c.Get(2) }() }\n"),
            "cow-nocas",
        ),
        (
            "Rust copy-on-write through ArcSwap",
            rust("fn main() {\n  let m = ArcSwap::from_pointee(HashMap::new());\n\
                  thread::scope(|s| { for k in 0..2u32 { let m = &m; s.spawn(move || { let mut n = HashMap::clone(&m.load()); n.insert(k, k); m.store(Arc::new(n)); m.load().get(&k); }); } });\n}\n"),
            "cow-nocas",
        ),
        (
            "Rust copy-on-write under a Mutex",
            rust("fn main() {\n  let m = Mutex::new(Arc::new(HashMap::new()));\n\
                  thread::scope(|s| { for k in 0..2u32 { let m = &m; s.spawn(move || { let mut n = (**m.lock().unwrap()).clone(); n.insert(k, k); *m.lock().unwrap() = Arc::new(n); m.lock().unwrap().get(&k); }); } });\n}\n"),
            "cow-nocas",
        ),
        (
            "Go shards",
            go("type sh struct { sync.Mutex; m map[int]int }\ntype S struct { s [4]*sh }\n\
                func (x *S) Reset() { for _, p := range x.s { p.Lock(); clear(p.m); p.Unlock() } }\n\
                func (x *S) Get(k int) int { p := x.s[k%4]; p.Lock(); defer p.Unlock(); return p.m[k] }\n\
                func main() { x := &S{}; for i := range x.s { x.s[i] = &sh{m: map[int]int{i: i}} }; go x.Reset(); go x.Get(1) }\n"),
            "sharded-clear-skips",
        ),
        (
            "Rust DashMap",
            rust("fn main() {\n  let m = DashMap::new();\n  m.insert(1, 1);\n  thread::scope(|s| { s.spawn(|| m.clear()); s.spawn(|| m.len()); });\n}\n"),
            "sharded-clear-skips",
        ),
        (
            "Go sync.Map churn",
            go("var sm sync.Map\nfunc main() {\n  sm.Store(1, 1)\n  sm.Store(2, 2)\n  go func() { sm.Store(3, 3) }()\n  go func() { sm.Range(func(k, v any) bool { return true }); sm.Delete(1) }()\n}\n"),
            "syncmap",
        ),
        (
            "Go map behind an RWMutex, checked then deleted",
            go("var mu sync.RWMutex\nvar m = map[int]int{1: 1}\n\
                func take() { mu.RLock(); _, ok := m[1]; mu.RUnlock(); if !ok { return }; mu.Lock(); delete(m, 1); mu.Unlock() }\n\
                func main() { go take(); go take() }\n"),
            "locked-racy-remove",
        ),
        (
            "Rust map behind an RwLock, ranged over while deleting",
            rust("fn main() {\n  let m = RwLock::new(HashMap::new());\n  m.write().unwrap().insert(1, 1);\n\
                  thread::scope(|s| { s.spawn(|| { for (k, _) in m.read().unwrap().iter() { m.write().unwrap().remove(k); } }); s.spawn(|| { m.write().unwrap().insert(2, 2); }); });\n}\n"),
            "locked-iterlock",
        ),
    ];
    for (what, i, family) in cases {
        assert!(
            i.expects(family),
            "{what}: expected `{family}`, names {:?}\n{}",
            i.expected(),
            i.notes()
        );
        assert!(
            !i.expects("gomap"),
            "{what}: names the unlocked map's hazard as a fallback: {:?}",
            i.expected()
        );
    }
}
