//! Tests of the Rust importer on the shapes Rust reproducers take.

use super::*;

fn imp(src: &str) -> RustImport {
    let r = import("t.rs", src, Scale::default()).unwrap_or_else(|e| panic!("{e}"));
    let text = r.scenario.to_toml();
    crate::parse("t.toml", &text).unwrap_or_else(|e| panic!("{}\n{text}", e.render()));
    r
}

fn ops(r: &RustImport) -> Vec<Vec<String>> {
    r.scenario
        .threads
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn expected(r: &RustImport) -> Vec<String> {
    r.scenario.expect.iter().map(|(n, _)| n.name.clone()).collect()
}

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
        ops(&r),
        [
            ["remove(1)", "get(1)"],
            ["remove(1)", "get(1)"],
            ["remove(1)", "get(1)"]
        ]
    );
    assert_eq!(r.scenario.initial.len(), 4);
    assert!(
        expected(&r).contains(&"locked-racy-remove".to_string()),
        "{:?}",
        expected(&r)
    );
    let n = r.scenario.notes.join("\n");
    assert!(
        n.contains("thread-spawning loop of 8 iterations is scaled down to 3"),
        "{n}"
    );
}

#[test]
fn a_dashmap_removed_from_while_iterating_in_a_scope() {
    let r = imp(
        "fn main() {\n  let map: DashMap<u64, u64> = DashMap::new();\n  map.insert(1, 1);\n  map.insert(2, 2);\n\
           std::thread::scope(|s| {\n    s.spawn(|| {\n      for entry in map.iter() {\n        if *entry.key() % 2 == 0 {\n          map.remove(entry.key());\n        }\n      }\n    });\n    s.spawn(|| { map.insert(3, 3); });\n  });\n}\n",
    );
    assert_eq!(ops(&r), [vec!["iterate(delete: 2)"], vec!["insert(3, 3)"]]);
    assert!(
        expected(&r).contains(&"locked-iterlock".to_string()),
        "{:?}",
        expected(&r)
    );
}

#[test]
fn retain_and_strings() {
    let r = imp(
        "fn main() {\n  let m = Arc::new(RwLock::new(HashMap::new()));\n\
           for i in 0..4 { m.write().unwrap().insert(format!(\"k{i}\"), i); }\n\
           let a = m.clone();\n  let t = thread::spawn(move || a.write().unwrap().retain(|_, v| *v % 2 == 1));\n\
           m.write().unwrap().clear();\n  t.join().unwrap();\n}\n",
    );
    assert_eq!(ops(&r), [vec!["iterate(delete: odd)"], vec!["clear()"]]);
    let n = r.scenario.notes.join("\n");
    assert!(n.contains("\"k0\" = 1"), "{n}");
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
