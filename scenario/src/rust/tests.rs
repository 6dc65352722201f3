//! Tests of the Rust importer on the shapes Rust reproducers take, one test per construct.

use super::*;
use crate::testing::rust as imp;

#[test]
fn a_mutex_hashmap_with_spawned_threads() {
    let r = imp(
        "use std::{collections::HashMap, sync::{Arc, Mutex}, thread};\n\
         #[test]\nfn race() {\n  let map = Arc::new(Mutex::new(HashMap::new()));\n\
           for i in 0..100 { map.lock().unwrap().insert(i, i * 2); }\n\
           let mut handles = Vec::new();\n\
           for _ in 0..8 {\n    let m = Arc::clone(&map);\n    handles.push(thread::spawn(move || {\n      m.lock().unwrap().remove(&1);\n      assert!(m.lock().unwrap().get(&1).is_none());\n    }));\n  }\n\
           for h in handles { h.join().unwrap(); }\n}\n",
    );
    assert_eq!(
        r.ops(),
        [
            ["remove(1)", "get(1)"],
            ["remove(1)", "get(1)"],
            ["remove(1)", "get(1)"]
        ]
    );
    assert_eq!(r.scenario.initial.len(), 4);
    assert!(r.expects("locked-racy-remove"), "{:?}", r.expected());
    assert!(
        r.notes()
            .contains("thread-spawning loop of 8 iterations is scaled down to 3"),
        "{}",
        r.notes()
    );
}

#[test]
fn a_dashmap_removed_from_while_iterating_in_a_scope() {
    let r = imp(
        "fn main() {\n  let map: DashMap<u64, u64> = DashMap::new();\n  map.insert(1, 1);\n  map.insert(2, 2);\n\
           std::thread::scope(|s| {\n    s.spawn(|| {\n      for entry in map.iter() {\n        if *entry.key() % 2 == 0 {\n          map.remove(entry.key());\n        }\n      }\n    });\n    s.spawn(|| { map.insert(3, 3); });\n  });\n}\n",
    );
    assert_eq!(r.ops(), [vec!["iterate(delete: 2)"], vec!["insert(3, 3)"]]);
    assert!(r.expects("locked-iterlock"), "{:?}", r.expected());
}

#[test]
fn retain_and_strings() {
    let r = imp(
        "fn main() {\n  let m = Arc::new(RwLock::new(HashMap::new()));\n\
           for i in 0..4 { m.write().unwrap().insert(format!(\"k{i}\"), i); }\n\
           let a = m.clone();\n  let t = thread::spawn(move || a.write().unwrap().retain(|_, v| *v % 2 == 1));\n\
           m.write().unwrap().clear();\n  t.join().unwrap();\n}\n",
    );
    assert_eq!(r.ops(), [vec!["retain(delete: even)"], vec!["clear()"]]);
    assert!(r.notes().contains("\"k0\" = 1"), "{}", r.notes());
}

#[test]
fn threads_spawned_inside_iterator_adapters() {
    let r = imp(
        "fn main() {\n  let store = Arc::new(Mutex::new(HashMap::new()));\n  store.lock().unwrap().insert(9, 9);\n\
           let workers: Vec<_> = (0..6).map(|n| {\n    let s = store.clone();\n    thread::spawn(move || { s.lock().unwrap().remove(&9); })\n  }).collect();\n\
           (1..=2).for_each(|k| { store.lock().unwrap().get(&k); });\n\
           for w in workers { w.join().unwrap(); }\n}\n",
    );
    assert_eq!(
        r.ops(),
        [vec!["remove(9)"], vec!["remove(9)"], vec!["remove(9)"]],
        "{}",
        r.notes()
    );
    assert!(
        r.notes()
            .contains("a thread-spawning iterator of 6 elements is scaled down to 3"),
        "{}",
        r.notes()
    );
}

#[test]
fn a_loop_runs_scaled_and_an_endless_cleaner_thread_leaks() {
    let r = imp(
        "fn main() {\n  let cache = Arc::new(Mutex::new(HashMap::new()));\n  cache.lock().unwrap().insert(1, 5);\n  cache.lock().unwrap().insert(2, 50);\n\
           let c = cache.clone();\n  thread::spawn(move || loop {\n    thread::sleep(Duration::from_secs(1));\n    c.lock().unwrap().retain(|_, t| *t > 10);\n  });\n\
           let d = cache.clone();\n  thread::spawn(move || {\n    let mut n = 0;\n    loop {\n      n += 1;\n      d.lock().unwrap().insert(3, n);\n      if n == 1 { break; }\n    }\n  });\n}\n",
    );
    assert_eq!(
        r.ops(),
        [
            vec!["retain(delete: 5)", "retain(delete: 5)"],
            vec!["insert(3, 1)"]
        ],
        "{}",
        r.notes()
    );
    assert!(r.expects("tombstone-gc-leak"), "{:?}", r.expected());
    assert!(
        r.notes()
            .contains("line 6: this thread loops forever with no way to stop it"),
        "{}",
        r.notes()
    );
}

#[test]
fn a_match_takes_the_arm_that_operates_on_the_map() {
    let r = imp(
        "fn take(m: &RwLock<HashMap<u32, u32>>, k: u32) -> bool {\n  let hit = m.read().unwrap().get(&k).copied();\n\
           match hit {\n    None => false,\n    Some(_) => { m.write().unwrap().remove(&k); true }\n  }\n}\n\
         fn main() {\n  let m = Arc::new(RwLock::new(HashMap::new()));\n  m.write().unwrap().insert(4, 4);\n\
           let (a, b) = (m.clone(), m.clone());\n  let x = thread::spawn(move || take(&a, 4));\n  let y = thread::spawn(move || take(&b, 4));\n}\n",
    );
    assert_eq!(
        r.ops(),
        [vec!["get(4)", "remove(4)"], vec!["get(4)", "remove(4)"]]
    );
    assert!(r.notes().contains("the arm `Some (_)` is taken"), "{}", r.notes());
    assert!(r.expects("locked-racy-remove"));
    // A value the evaluator knows selects its arm.
    let r = imp(
        "fn main() {\n  let m = Arc::new(Mutex::new(HashMap::new()));\n  let c = m.clone();\n\
           thread::spawn(move || match 2 { 1 => { c.lock().unwrap().insert(1, 1); } _ => { c.lock().unwrap().insert(2, 2); } });\n\
           m.lock().unwrap().len();\n}\n",
    );
    assert_eq!(r.ops(), [vec!["insert(2, 2)"], vec!["len()"]]);
}

#[test]
fn a_map_cloned_changed_and_swapped_under_a_mutex_is_copy_on_write() {
    let r = imp(
        "fn main() {\n  let table: Arc<Mutex<Arc<HashMap<u8, u8>>>> = Arc::new(Mutex::new(Arc::new(HashMap::new())));\n\
           for k in 1..=2u8 {\n    let t = table.clone();\n    thread::spawn(move || {\n      let cur = t.lock().unwrap().clone();\n      let mut next = (*cur).clone();\n      next.insert(k, k);\n      *t.lock().unwrap() = Arc::new(next);\n      t.lock().unwrap().get(&k);\n    });\n  }\n}\n",
    );
    assert_eq!(
        r.ops(),
        [vec!["insert(1, 1)", "get(1)"], vec!["insert(2, 2)", "get(2)"]]
    );
    assert_eq!(r.expected(), ["cow-nocas"], "{}", r.notes());
    assert!(r.notes().contains("replaced by a changed copy"), "{}", r.notes());
}

#[test]
fn struct_methods_fields_and_closures_are_followed() {
    let r = imp(
        "struct Registry { inner: RwLock<HashMap<u64, u64>> }\n\
         impl Registry {\n  fn new() -> Self { Self { inner: RwLock::new(HashMap::new()) } }\n\
           fn with<F: FnOnce(&mut HashMap<u64, u64>)>(&self, f: F) { let mut g = self.inner.write().unwrap(); f(&mut g); }\n\
           fn drop_key(&self, k: u64) { self.with(|m| { m.remove(&k); }); }\n}\n\
         fn main() {\n  let reg = Arc::new(Registry::new());\n  reg.with(|m| { m.insert(8, 1); });\n\
           let r2 = Arc::clone(&reg);\n  let h = thread::spawn(move || r2.drop_key(8));\n  reg.drop_key(8);\n}\n",
    );
    assert_eq!(r.scenario.initial, [(8, 1)]);
    assert_eq!(r.ops(), [vec!["remove(8)"], vec!["remove(8)"]], "{}", r.notes());
    assert!(r.expects("locked-racy-remove"));
}

#[test]
fn deep_nesting_never_overflows_the_stack() {
    // 5,000 nested parentheses and a 50,000-term sum: a short error, not a crash.
    let parens = format!(
        "fn main() {{ let x = {}1{}; }}\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let e = import("t.rs", &parens, Scale::default()).unwrap_err();
    assert!(e.message.contains("nested deeper than 1000"), "{e}");
    let sum = format!("fn main() {{\n let x = {};\n}}\n", vec!["1"; 50_000].join(" + "));
    let e = import("t.rs", &sum, Scale::default()).unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("more than 10000 operators"), "{e}");
    // Just within the bounds, the file is read and its expressions beyond the evaluator's depth
    // are noted, not followed.
    let deep = format!(
        "fn main() {{\n let m = Mutex::new(HashMap::new());\n let k = {}1{};\n thread::scope(|s| {{ s.spawn(|| m.lock().unwrap().insert(k, {})); }});\n}}\n",
        "(".repeat(900),
        ")".repeat(900),
        vec!["1"; 9_000].join(" + ")
    );
    let r = imp(&deep);
    assert_eq!(r.scenario.threads.len(), 1);
    assert!(
        r.notes()
            .contains("nested deeper than 200 levels is not translated"),
        "{}",
        r.notes()
    );
}

#[test]
fn errors_name_the_line() {
    let e = import("t.rs", "fn main() { let x = 1; }", Scale::default()).unwrap_err();
    assert!(e.message.contains("no map found"), "{e}");
    let e = import("t.rs", "fn main( {", Scale::default()).unwrap_err();
    assert!(e.message.contains("not Rust"), "{e}");
    let e = import("t.rs", "struct S;", Scale::default()).unwrap_err();
    assert!(e.message.contains("no entry point"), "{e}");
}
