//! Tests of the Rust importer on the compound calls: one test per construct (`entry` chains, the
//! counter, `retain`, `remove_if`, in-place updates, get-or-insert methods).

use crate::testing::rust as imp;

/// A `Mutex<HashMap>` filled with keys 1 and 2 (values 10 and 21), one thread running `body` on
/// `m`, another removing key 1.
fn on_locked_map(body: &str) -> String {
    format!(
        "use std::{{collections::HashMap, sync::{{Arc, Mutex}}, thread}};\n\
         fn main() {{\n  let map = Arc::new(Mutex::new(HashMap::new()));\n\
           map.lock().unwrap().insert(1, 10);\n  map.lock().unwrap().insert(2, 21);\n\
           let m = map.clone();\n  let a = thread::spawn(move || {{ {body} }});\n\
           let b = thread::spawn(move || {{ map.lock().unwrap().remove(&1); }});\n\
           a.join().unwrap();\n  b.join().unwrap();\n}}\n"
    )
}

fn first_thread(body: &str) -> Vec<String> {
    let r = imp(&on_locked_map(body));
    assert_eq!(r.ops()[1], ["remove(1)"], "{}", r.notes());
    r.ops()[0].clone()
}

#[test]
fn entry_or_insert_is_get_or_insert() {
    assert_eq!(
        first_thread("m.lock().unwrap().entry(1).or_insert(5);"),
        ["get_or_insert(1, 5)"]
    );
}

#[test]
fn entry_or_insert_with_runs_the_closure() {
    assert_eq!(
        first_thread("m.lock().unwrap().entry(3).or_insert_with(|| 4 + 3);"),
        ["get_or_insert(3, 7)"]
    );
}

#[test]
fn entry_or_default_inserts_zero() {
    assert_eq!(
        first_thread("m.lock().unwrap().entry(3).or_default();"),
        ["get_or_insert(3, 0)"]
    );
}

#[test]
fn entry_and_modify_or_insert_is_an_update() {
    assert_eq!(
        first_thread("m.lock().unwrap().entry(1).and_modify(|v| *v += 2).or_insert(1);"),
        ["update(1, add: 2, insert: 1)"]
    );
    assert_eq!(
        first_thread("m.lock().unwrap().entry(1).and_modify(|v| { *v = *v + 3 }).or_insert(1);"),
        ["update(1, add: 3, insert: 1)"]
    );
}

#[test]
fn and_modify_alone_updates_only_a_present_key() {
    assert_eq!(
        first_thread("m.lock().unwrap().entry(2).and_modify(|v| *v += 1);"),
        ["update(2, add: 1)"]
    );
}

#[test]
fn a_modification_that_is_not_an_addition_is_noted() {
    let r = imp(&on_locked_map(
        "m.lock().unwrap().entry(2).and_modify(|v| *v *= 2).or_insert(1);",
    ));
    assert_eq!(r.ops()[0], ["update(2, add: 1, insert: 1)"]);
    assert!(r.notes().contains("is not an addition"), "{}", r.notes());
}

#[test]
fn the_entry_counter_is_an_update() {
    assert_eq!(
        first_thread("*m.lock().unwrap().entry(1).or_insert(0) += 1;"),
        ["update(1, add: 1, insert: 1)"]
    );
}

#[test]
fn retain_over_the_value_is_a_retain() {
    assert_eq!(
        first_thread("m.lock().unwrap().retain(|_, v| *v > 15);"),
        ["retain(delete: 10)"]
    );
    assert_eq!(
        first_thread("m.lock().unwrap().retain(|_, v| *v % 2 == 1);"),
        ["retain(delete: even)"]
    );
}

#[test]
fn retain_over_the_key_is_noted() {
    let r = imp(&on_locked_map("m.lock().unwrap().retain(|k, _| *k != 2);"));
    assert_eq!(r.ops()[0], ["retain(delete: 21)"]);
    assert!(
        r.notes()
            .contains("the values it removes from the initial entries"),
        "{}",
        r.notes()
    );
}

#[test]
fn dashmap_remove_if_and_alter() {
    let r = imp(
        "use dashmap::DashMap;\nfn main() {\n  let map: DashMap<u64, u64> = DashMap::new();\n  map.insert(1, 10);\n\
           std::thread::scope(|s| {\n    s.spawn(|| { map.remove_if(&1, |_, v| *v == 10); });\n\
             s.spawn(|| { map.alter(&1, |_, v| v + 1); });\n  });\n}\n",
    );
    assert_eq!(
        r.ops(),
        [vec!["remove_if(1, delete: 10)"], vec!["update(1, add: 1)"]]
    );
}

#[test]
fn scc_remove_if_and_entry_or_put() {
    let r = imp(
        "fn main() {\n  let map: scc::HashMap<u64, u64> = scc::HashMap::new();\n  map.insert(1, 10);\n\
           std::thread::scope(|s| {\n    s.spawn(|| { map.remove_if(&1, |v| *v % 2 == 0); });\n\
             s.spawn(|| { map.entry(1).or_put(3); });\n  });\n}\n",
    );
    assert_eq!(
        r.ops(),
        [vec!["remove_if(1, delete: even)"], vec!["get_or_insert(1, 3)"]]
    );
}

#[test]
fn papaya_get_or_insert_and_update() {
    let r = imp(
        "fn main() {\n  let map = papaya::HashMap::new();\n  map.pin().insert(1, 10);\n\
           std::thread::scope(|s| {\n    s.spawn(|| { map.pin().get_or_insert_with(2, || 20); });\n\
             s.spawn(|| { map.pin().update(1, |v| v - 1); });\n  });\n}\n",
    );
    assert_eq!(
        r.ops(),
        [
            vec!["get_or_insert(2, 20)"],
            vec!["update(1, add: 9223372036854775807)"]
        ]
    );
}

#[test]
fn a_tuple_struct_holding_the_map() {
    let r = imp(
        "struct Store(Arc<DashMap<u64, u64>>);\nimpl Store {\n  fn bump(&self, k: u64) { self.0.entry(k).or_default(); }\n}\n\
         fn main() {\n  let s = Arc::new(Store(Arc::new(DashMap::new())));\n  let a = s.clone();\n\
           let t = thread::spawn(move || a.bump(1));\n  s.bump(2);\n  t.join().unwrap();\n}\n",
    );
    assert_eq!(
        r.ops(),
        [vec!["get_or_insert(1, 0)"], vec!["get_or_insert(2, 0)"]]
    );
}

/// `match` on the map's entry, with the two arms std, DashMap and scc name alike.
fn entry_match(occupied: &str, vacant: &str) -> String {
    format!(
        "match m.lock().unwrap().entry(1) {{ std::collections::hash_map::Entry::Occupied(mut o) => {occupied}, \
         Entry::Vacant(v) => {vacant} }};"
    )
}

#[test]
fn a_match_on_the_entry_that_reads_or_inserts_is_get_or_insert() {
    assert_eq!(
        first_thread(&entry_match("*o.get()", "*v.insert(5)")),
        ["get_or_insert(1, 5)"]
    );
    assert_eq!(
        first_thread(&entry_match(
            "{ let x = *o.get(); println!(\"{x}\"); }",
            "{ v.insert(5); }"
        )),
        ["get_or_insert(1, 5)"]
    );
}

#[test]
fn a_match_on_the_entry_that_adds_or_inserts_is_an_update() {
    assert_eq!(
        first_thread(&entry_match("{ *o.get_mut() += 2; }", "{ v.insert(1); }")),
        ["update(1, add: 2, insert: 1)"]
    );
    assert_eq!(
        first_thread(&entry_match("{ *o.into_mut() += 3; }", "{}")),
        ["update(1, add: 3)"]
    );
}

#[test]
fn a_match_on_the_entry_that_removes_or_puts_one_value_is_a_remove_or_an_insert() {
    assert_eq!(first_thread(&entry_match("{ o.remove(); }", "{}")), ["remove(1)"]);
    // An arm that binds nothing is left alone, whatever else it names `_`.
    assert_eq!(
        first_thread(
            "match m.lock().unwrap().entry(1) { Entry::Occupied(o) => { o.remove(); }, \
             Entry::Vacant(_) => { (0..2).for_each(|_| ()); } };"
        ),
        ["remove(1)"]
    );
    assert_eq!(
        first_thread(&entry_match("{ o.insert(7); }", "{ v.insert(7); }")),
        ["insert(1, 7)"]
    );
}

/// Arms that make no single operation together, or that the importer cannot read, are said to be
/// not translated, and nothing is made up for them.
#[test]
fn a_match_on_the_entry_that_is_no_single_operation_is_not_translated() {
    for (occupied, vacant, why) in [
        ("{ o.remove(); }", "{ v.insert(1); }", "is no single operation"),
        ("{ o.insert(2); }", "{ v.insert(1); }", "is no single operation"),
        (
            "{ o.remove(); o.insert(3); }",
            "{}",
            "in an arm of a match on the map's entry",
        ),
        (
            "{ *o.get_mut() *= 2; }",
            "{}",
            "in an arm of a match on the map's entry",
        ),
        (
            "{}",
            "{ v.insert(1); m.lock().unwrap().remove(&2); }",
            "the map used again",
        ),
    ] {
        let r = imp(&on_locked_map(&entry_match(occupied, vacant)));
        // Only the other thread's remove is left.
        assert_eq!(r.ops().concat(), ["remove(1)"], "{occupied} / {vacant}");
        assert!(
            r.untranslated.iter().any(|(_, w)| w.contains(why)),
            "{occupied} / {vacant}: {:?}",
            r.untranslated
        );
    }
    let guarded =
        "match m.lock().unwrap().entry(1) { Entry::Occupied(o) if *o.get() > 3 => { o.remove(); }, \
                   Entry::Occupied(_) => {}, Entry::Vacant(_) => {} };";
    let r = imp(&on_locked_map(guarded));
    assert!(
        r.untranslated.iter().any(|(_, w)| w.contains("guard")),
        "{:?}",
        r.untranslated
    );
}
