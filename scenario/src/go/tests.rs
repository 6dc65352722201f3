//! Tests of the Go importer on the reproducers from the incident reports (copied verbatim into
//! `fixtures/`, each naming its report and lines) and on small hand-written programs.

use super::*;
use crate::parse;

fn imp(name: &str, src: &str) -> GoImport {
    let g = import(name, src, Scale::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    // Every import writes a file that parses back.
    let text = g.scenario.to_toml();
    parse(&format!("{name}.toml"), &text).unwrap_or_else(|e| panic!("{}\n{text}", e.render()));
    g
}

fn ops(g: &GoImport) -> Vec<Vec<String>> {
    g.scenario
        .threads
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn notes(g: &GoImport) -> String {
    g.scenario.notes.join("\n")
}

fn expects(g: &GoImport, structure: &str) -> bool {
    g.scenario.expect.iter().any(|(n, _)| n.name == structure)
}

#[test]
fn concurrent_delete_scales_goroutines_loops_and_keys() {
    let g = imp(
        "concurrent_delete.go",
        include_str!("fixtures/concurrent_delete.go"),
    );
    let t = ops(&g);
    assert_eq!(t.len(), 3, "10 goroutines become 3 threads: {t:?}");
    for thread in &t {
        assert_eq!(thread, &["delete(1)", "delete(2)"], "50 deletes become 2");
    }
    assert_eq!(g.scenario.initial.len(), 4);
    assert!(g.scenario.initial.contains(&(1, 0)) && g.scenario.initial.contains(&(2, 1)));
    let n = notes(&g);
    assert!(
        n.contains("line 13: a goroutine-starting loop of 10 iterations is scaled down to 3"),
        "{n}"
    );
    assert!(
        n.contains("line 17: a loop of 50 iterations is scaled down to 2"),
        "{n}"
    );
    assert!(n.contains("scaled down from 100 entries to 4"), "{n}");
    assert!(n.contains("\"key-0\" = 1"), "{n}");
    assert!(n.contains("WaitGroup"), "{n}");
    assert!(
        expects(&g, "gomap") && expects(&g, "locked-racy-remove"),
        "{:?}",
        g.scenario.expect
    );
}

#[test]
fn sync_map_reproducers() {
    let g = imp(
        "syncmap_store_race.go",
        include_str!("fixtures/syncmap_store_race.go"),
    );
    assert_eq!(
        ops(&g),
        [
            ["store(0, 1000001)"],
            ["store(1, 1000002)"],
            ["store(2, 1000003)"]
        ]
    );
    assert!(
        notes(&g).contains("`raceWriter` runs as the main goroutine"),
        "{}",
        notes(&g)
    );
    assert!(notes(&g).contains("scheduling hint"), "{}", notes(&g));

    let g = imp(
        "syncmap_range_delete.go",
        include_str!("fixtures/syncmap_range_delete.go"),
    );
    assert_eq!(
        ops(&g),
        [vec!["reclaim()", "delete(42)"], vec!["range()"]],
        "the deleting thread promotes the long-lived contents first"
    );
    assert!(expects(&g, "syncmap"), "{:?}", g.scenario.expect);
    assert!(
        g.scenario.initial.contains(&(42, 84)),
        "key 42 is kept: {:?}",
        g.scenario.initial
    );
    assert!(g.scenario.initial.len() <= 4);

    let g = imp("syncmap_stale.go", include_str!("fixtures/syncmap_stale.go"));
    assert_eq!(
        ops(&g),
        [["reclaim()", "delete(1)"]],
        "the store before any goroutine is the initial contents, promoted as in a long-lived map"
    );
    assert_eq!(g.scenario.initial, [(1, 1_000_001)]);
    assert!(
        notes(&g).contains("`m.cache` is used as a sync.Map"),
        "{}",
        notes(&g)
    );
}

#[test]
fn two_deletes_of_one_key() {
    let g = imp("delete_same_key.go", include_str!("fixtures/delete_same_key.go"));
    assert_eq!(ops(&g)[..2], [vec!["delete(1)"], vec!["delete(1)"]]);
    let n = notes(&g);
    assert!(n.contains("second map `sm`"), "{n}");
    assert!(
        !n.contains("`sm` is used as a sync.Map"),
        "its declaration is read: {n}"
    );
    assert!(
        g.untranslated.iter().any(|(line, _)| *line == 7),
        "the prose between the snippets is reported: {:?}",
        g.untranslated
    );
}

#[test]
fn ranges_that_delete() {
    let g = imp("range_delete.go", include_str!("fixtures/range_delete.go"));
    assert_eq!(ops(&g), [["range(delete: all)"]]);
    assert_eq!(g.scenario.initial, [(1, 1), (2, 2), (3, 3)]);
    assert!(expects(&g, "locked-iterlock"));

    let g = imp("range_delete_if.go", include_str!("fixtures/range_delete_if.go"));
    assert_eq!(
        ops(&g),
        [["range(delete: 2)"]],
        "the condition holds for the assumed 2:2"
    );
    assert!(notes(&g).contains("starts with 1:1 and 2:2"), "{}", notes(&g));
    assert!(expects(&g, "locked-iterlock"));

    let src = "m := map[string]int{\"a\": 1, \"b\": 2, \"c\": 3}\n\
               go func() { m[\"d\"] = 4 }()\n\
               for k, v := range m {\n    if v%2 == 0 {\n        delete(m, k)\n    }\n}\n";
    let g = imp("cond.go", src);
    assert_eq!(ops(&g), [vec!["insert(4, 4)"], vec!["range(delete: 2)"]]);

    let g = imp(
        "range_spawn_delete.go",
        include_str!("fixtures/range_spawn_delete.go"),
    );
    assert_eq!(ops(&g), [vec!["delete(1)"], vec!["delete(2)"], vec!["range()"]]);
    assert!(notes(&g).contains("starts with 1:1 and 2:2"), "{}", notes(&g));
}

#[test]
fn rebuild_and_churn() {
    let g = imp(
        "rebuild_after_delete.go",
        include_str!("fixtures/rebuild_after_delete.go"),
    );
    let t = ops(&g);
    assert_eq!(t.len(), 1);
    assert!(t[0].contains(&"reclaim()".to_string()), "{t:?}");
    assert!(t[0].contains(&"len()".to_string()), "{t:?}");

    let g = imp(
        "churn_never_shrinks.go",
        include_str!("fixtures/churn_never_shrinks.go"),
    );
    assert_eq!(
        ops(&g),
        [["range(delete: all)", "reclaim()"]],
        "runtime.GC() asks for memory back"
    );
    assert_eq!(
        g.scenario.initial.len(),
        32,
        "a script about memory keeps a peak worth reclaiming"
    );
    assert!(
        expects(&g, "locked-noshrink") && expects(&g, "locked-iterlock"),
        "{:?}",
        g.scenario.expect
    );
}

#[test]
fn mutexes_are_recognised() {
    let g = imp("locked_delete.go", include_str!("fixtures/locked_delete.go"));
    assert!(notes(&g).contains("a mutex guards the map"), "{}", notes(&g));
    assert!(!expects(&g, "gomap"));
}

#[test]
fn what_is_not_translated_is_reported_with_its_line() {
    let src =
        "m := make(map[int]int)\nch := make(chan int)\ngo func() {\n  m[1] = 1\n  goto done\n}()\nselect {}\n";
    let g = imp("x.go", src);
    let lines: Vec<usize> = g.untranslated.iter().map(|(l, _)| *l).collect();
    assert!(lines.contains(&5), "{:?}", g.untranslated);
    assert!(notes(&g).contains("line 5:"), "{}", notes(&g));
}

#[test]
fn inputs_without_a_map_or_threads_are_errors() {
    let e = import("x.go", "package main\nfunc main() {}\n", Scale::default()).unwrap_err();
    assert!(e.message.contains("no map found"), "{e}");
    let e = import("x.go", "m := make(map[int]int)\n", Scale::default()).unwrap_err();
    assert!(e.message.contains("no map operation"), "{e}");
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "",
        "}",
        "{",
        "(((",
        "go",
        "go func(",
        "for {",
        "for i := 0; i < ; i++ {}",
        "m := make(map[",
        "m := map[int]int{1: }",
        "var m sync.Map\nm.Range(",
        "x := `unterminated",
        "\"",
        "'",
        "func f() { f() }\nfunc main() { f() }",
        "m := make(map[int]int)\nfor { m[1] = 1 }",
        "m := make(map[int]int)\ngo func() { for { go func() { delete(m, 1) }() } }()",
    ];
    for src in inputs {
        let _ = import("odd.go", src, Scale::default());
    }
    let deep = "(".repeat(10_000);
    let _ = import("deep.go", &deep, Scale::default());
    let deep = "{".repeat(10_000);
    let _ = import("deep.go", &deep, Scale::default());
}

/// Every reproducer of the incident reports imports with the hazard it exercises: the structures
/// that have it are named as expected to fail (the scenario files under `scenarios/go-*.toml`,
/// imported from the same lines of the reports, run them). The four with none are the reports'
/// safe examples or single-goroutine fragments: no structure can fail them.
#[test]
fn every_seed_keeps_its_hazard() {
    let table: [(&str, &str, &[&str]); 11] = [
        (
            "concurrent_delete.go",
            include_str!("fixtures/concurrent_delete.go"),
            &["gomap", "locked-racy-remove"],
        ),
        (
            "syncmap_stale.go",
            include_str!("fixtures/syncmap_stale.go"),
            &["syncmap"],
        ),
        (
            "syncmap_range_delete.go",
            include_str!("fixtures/syncmap_range_delete.go"),
            &["syncmap"],
        ),
        (
            "range_delete.go",
            include_str!("fixtures/range_delete.go"),
            &["locked-iterlock"],
        ),
        (
            "range_delete_if.go",
            include_str!("fixtures/range_delete_if.go"),
            &["locked-iterlock"],
        ),
        (
            "range_spawn_delete.go",
            include_str!("fixtures/range_spawn_delete.go"),
            &["gomap"],
        ),
        (
            "churn_never_shrinks.go",
            include_str!("fixtures/churn_never_shrinks.go"),
            &["gomap", "locked-iterlock", "locked-noshrink"],
        ),
        (
            "delete_same_key.go",
            include_str!("fixtures/delete_same_key.go"),
            &[],
        ),
        ("locked_delete.go", include_str!("fixtures/locked_delete.go"), &[]),
        (
            "rebuild_after_delete.go",
            include_str!("fixtures/rebuild_after_delete.go"),
            &[],
        ),
        (
            "syncmap_store_race.go",
            include_str!("fixtures/syncmap_store_race.go"),
            &[],
        ),
    ];
    for (name, src, want) in table {
        let g = imp(name, src);
        let mut got: Vec<&str> = g.scenario.expect.iter().map(|(n, _)| n.name.as_str()).collect();
        got.sort_unstable();
        assert_eq!(got, want, "{name}: {}", notes(&g));
    }
}
