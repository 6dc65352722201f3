//! Tests of the scenario format: every key, the round trip through `to_toml`, and the errors.

use super::*;
use mapcheck_harness::{DeleteIf, Op};

const FULL: &str = r#"
name = "full"
source = "a bug report: after a concurrent delete the key came back"
description = "every key of the format"
structures = ["correct", "cow-nocas"]
engines = ["loom:2", "shuttle-pct:2", "shuttle-random"]
seed = 7
schedules = 500
notes = ["scaled: 10 goroutines to 2 threads"]
initial = [[1, 10], [2, 20]]

[[thread]]
ops = ["delete(1)", "load(1)", "range(delete: even)"]

[[thread]]
ops = ["store(3, 30)", "len()", "reclaim()", "clear", "get(2)"]

[expect]
cow-nocas = ["lost-delete", "linearizability"]
locked = "pass"

[pinned]
structure = "cow-nocas"
engine = "shuttle-pct:2"
seed = 7
schedule = "0101r1"
"#;

#[test]
fn every_key_is_read() {
    let s = parse("scenarios/full.toml", FULL).unwrap();
    assert_eq!(s.name, "full");
    assert!(s.source.contains("came back"));
    assert_eq!(s.description.as_deref(), Some("every key of the format"));
    assert_eq!(
        s.structures.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
        ["correct", "cow-nocas"]
    );
    assert_eq!(
        s.engines,
        [
            EngineSpec::Loom { bound: 2 },
            EngineSpec::ShuttlePct { depth: 2 },
            EngineSpec::ShuttleRandom
        ]
    );
    assert_eq!((s.seed, s.schedules), (7, 500));
    assert_eq!(s.initial, [(1, 10), (2, 20)]);
    assert_eq!(s.threads.len(), 2);
    assert_eq!(s.threads[0][0].op, Op::Remove { key: 1 });
    assert_eq!(s.threads[0][0].spelling, Spelling::Delete);
    assert_eq!(
        s.threads[0][2].op,
        Op::Iterate {
            delete: DeleteIf::Even
        }
    );
    assert_eq!(s.threads[1][3].op, Op::Clear);
    assert_eq!(
        s.expectation("cow-nocas"),
        Expect::Fail(
            [Oracle::LostDelete, Oracle::Linearizability]
                .into_iter()
                .collect()
        )
    );
    assert_eq!(s.expectation("locked"), Expect::Pass);
    assert_eq!(s.expectation("sharded"), Expect::Pass);
    let p = s.pinned.as_ref().unwrap();
    assert_eq!(p.structure.name, "cow-nocas");
    assert_eq!(
        p.schedule,
        Pinned::Shuttle {
            seed: 7,
            steps: "0101r1".into()
        }
    );
    assert_eq!(s.workload().threads[1].len(), 5);
}

#[test]
fn written_files_parse_back_to_the_same_scenario() {
    let s = parse("full.toml", FULL).unwrap();
    let text = s.to_toml();
    let back = parse("full.toml", &text).unwrap_or_else(|e| panic!("{}\n{text}", e.render()));
    let strip = |mut s: Scenario| {
        s.origin = Origin::new("", "");
        for n in s.structures.iter_mut().chain(s.expect.iter_mut().map(|(n, _)| n)) {
            n.span = 0..0;
        }
        if let Some(p) = &mut s.pinned {
            p.structure.span = 0..0;
        }
        s
    };
    assert_eq!(strip(back), strip(s));
}

#[test]
fn defaults_fill_what_the_file_leaves_out() {
    let s = parse("dir/min.toml", "source = \"s\"\n[[thread]]\nops = [\"len\"]\n").unwrap();
    assert_eq!(s.name, "min");
    assert_eq!(s.engines, DEFAULT_ENGINES);
    assert_eq!((s.seed, s.schedules), (42, DEFAULT_SCHEDULES));
    assert!(s.structures.is_empty() && s.expect.is_empty() && s.initial.is_empty());
}

fn error(text: &str) -> ScenarioError {
    match parse("s.toml", text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

fn at(text: &str, needle: &str) -> (usize, usize) {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in text"));
    Origin::new("", text).line_col(i)
}

const HEAD: &str = "source = \"s\"\n";

#[test]
fn an_unknown_key_is_an_error_at_the_key() {
    let text = format!("{HEAD}sede = 3\n[[thread]]\nops = [\"len\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "sede"));
    assert!(e.message.contains("unknown field `sede`"), "{}", e.message);
    assert!(
        e.message.contains("`seed`"),
        "lists what was expected: {}",
        e.message
    );

    let text = format!("{HEAD}[[thread]]\nops = [\"len\"]\nop = [\"len\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "op = "));

    let text = format!("{HEAD}[[thread]]\nops = [\"len\"]\n[pinned]\nstructure = \"x\"\nengine = \"loom\"\nexecution = 1\nstep = 2\n");
    assert_eq!(error(&text).line_col(), at(&text, "step"));
}

#[test]
fn a_bad_operation_is_pointed_at_inside_its_string() {
    let text = format!("{HEAD}[[thread]]\nops = [\"len\", \"insert(1, x)\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "x)"));
    assert!(e.message.contains("expected a value"), "{}", e.message);
    let r = e.render();
    assert!(r.contains("s.toml:3:"), "{r}");
    assert!(r.contains("insert(1, x)"), "{r}");

    let text = format!("{HEAD}[[thread]]\nops = [\"frobnicate(1)\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "frobnicate"));
    assert!(e.help.as_deref().unwrap().contains("load_and_delete(KEY)"));
}

#[test]
fn wrong_types_name_what_was_found_and_expected() {
    let text = format!("{HEAD}seed = \"many\"\n[[thread]]\nops = [\"len\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "\"many\""));
    assert!(
        e.message.contains("string") && e.message.contains("whole number"),
        "{}",
        e.message
    );

    let text = format!("{HEAD}initial = [[1, -3]]\n[[thread]]\nops = [\"len\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col().0, 2, "{}", e.short());

    let text = format!("{HEAD}[[thread]]\nops = [\"len\", 3]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "3]"), "{}", e.short());
}

#[test]
fn toml_syntax_errors_point_at_the_line() {
    let text = format!("{HEAD}[[thread]]\nops = [\"len\"\n");
    let e = error(&text);
    assert!(e.line_col().0 >= 3, "{}", e.short());
    let text = "source = \"s\nx".to_string();
    let e = error(&text);
    assert!(e.line_col().0 <= 2, "{}", e.short());
}

#[test]
fn structural_errors() {
    let e = error("[[thread]]\nops = [\"len\"]\n");
    assert!(e.message.contains("missing field `source`"), "{}", e.message);
    assert!(e.help.is_some());

    let e = error(HEAD);
    assert!(e.message.contains("no threads"), "{}", e.message);

    let text = format!("{HEAD}[[thread]]\nops = []\n");
    assert!(error(&text).message.contains("thread 0 has no operations"));

    let text = format!("{HEAD}initial = [[1, 2], [1, 3]]\n[[thread]]\nops = [\"len\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "[1, 3]"));
    assert!(e.message.contains("listed twice"));

    let text = format!("{HEAD}engines = [\"loom\", \"shuttle-fast\"]\n[[thread]]\nops = [\"len\"]\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "\"shuttle-fast\""));
    assert!(
        e.message.contains("unknown engine `shuttle-fast`"),
        "{}",
        e.message
    );

    let text = format!("{HEAD}engines = [\"loom:9\"]\n[[thread]]\nops = [\"len\"]\n");
    assert!(error(&text).message.contains("preemption bound from 0 to 8"));
    let text = format!("{HEAD}engines = [\"shuttle-pct:0\"]\n[[thread]]\nops = [\"len\"]\n");
    assert!(error(&text).message.contains("PCT depth from 1 to 8"));

    let text = format!("{HEAD}schedules = 0\n[[thread]]\nops = [\"len\"]\n");
    assert!(error(&text).message.contains("`schedules` is 0"));

    let many = (0..=MAX_THREADS)
        .map(|_| "[[thread]]\nops = [\"len\"]\n")
        .collect::<String>();
    assert!(error(&format!("{HEAD}{many}")).message.contains("at most 8"));
}

#[test]
fn expectations_are_checked() {
    let text = format!("{HEAD}[[thread]]\nops = [\"len\"]\n[expect]\nlocked = \"lost-delet\"\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "locked ="));
    assert!(e.message.contains("unknown oracle `lost-delet`"), "{}", e.message);
    assert!(e.message.contains("lost-delete"), "{}", e.message);

    let text = format!("{HEAD}[[thread]]\nops = [\"len\"]\n[expect]\n\"cow-nocas\" = 3\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "\"cow-nocas\""));

    let text = format!("{HEAD}[[thread]]\nops = [\"len\"]\n[expect]\nx = [\"pass\", \"leak\"]\n");
    assert!(error(&text).message.contains("cannot be combined"));

    let ok = parse(
        "s.toml",
        &format!("{HEAD}[[thread]]\nops = [\"len\"]\n[expect]\na = \"fail\"\nb = \"exactly-once\"\n"),
    )
    .unwrap();
    assert_eq!(ok.expectation("a"), Expect::Fail(BTreeSet::new()));
    assert!(ok.expectation("a").accepts(Oracle::Leak));
    assert_eq!(
        ok.expectation("b"),
        Expect::Fail([Oracle::ExactlyOnceDelete].into_iter().collect())
    );
}

#[test]
fn pinned_runs_are_checked() {
    let base = format!("{HEAD}[[thread]]\nops = [\"len\"]\n[pinned]\nstructure = \"locked\"\n");
    let e = error(&format!("{base}engine = \"loom\"\n"));
    assert!(e.message.contains("needs `execution`"), "{}", e.message);
    let e = error(&format!("{base}engine = \"loom\"\nschedule = \"01\"\n"));
    assert!(
        e.message.contains("takes `execution`, not `schedule`"),
        "{}",
        e.message
    );
    let text = format!("{base}engine = \"shuttle-random\"\nschedule = \"01x!\"\n");
    let e = error(&text);
    assert_eq!(e.line_col(), at(&text, "!"));
    let s = parse("s.toml", &format!("{base}engine = \"loom:2\"\nexecution = 4\n")).unwrap();
    assert_eq!(s.pinned.unwrap().schedule, Pinned::Loom { execution: 4 });
    let s = parse(
        "s.toml",
        &format!("{base}engine = \"threads\"\nseed = 3\niteration = 0\n"),
    )
    .unwrap();
    assert_eq!(s.pinned.unwrap().schedule, Pinned::Threads { iteration: 0 });
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "",
        "\u{0}",
        "source = 1",
        "[[thread]]",
        "source = \"s\"\n[[thread]]\nops = \"len\"",
        "source = \"s\"\nthread = 3",
        "source = \"s\"\n[expect]\n\"\" = \"pass\"\n[[thread]]\nops = [\"len\"]",
        "source = \"s\"\n[[thread]]\nops = ['''get(\n1)''']",
        "source = \"s\"\n[[thread]]\nops = [\"get(\\u00e9)\"]",
        "source = \"s\"\ninitial = [[1]]\n[[thread]]\nops = [\"len\"]",
        "source = \"s\"\ninitial = [[1, 2, 3]]\n[[thread]]\nops = [\"len\"]",
        "source = \"s\"\n[pinned]\nstructure = \"x\"\nengine = \"threads\"\niteration = -1",
    ];
    for text in inputs {
        if let Err(e) = parse("odd.toml", text) {
            let _ = e.render();
        }
    }
}

#[test]
fn markdown_reports_give_up_their_fenced_scenario() {
    let md = "# After a delete the key came back\n\nSteps:\n\n```go\ndelete(m, k)\n```\n\n```toml\nsource = \"issue 12\"\n[[thread]]\nops = [\"delete(1)\"]\n```\n";
    let s = from_markdown("reports/issue-12.md", md).unwrap();
    assert_eq!(s.name, "issue-12");
    assert_eq!(s.threads[0][0].op, Op::Remove { key: 1 });

    let bad = md.replace("delete(1)", "delete(one)");
    let e = from_markdown("reports/issue-12.md", &bad).unwrap_err();
    assert_eq!(e.file, "reports/issue-12.md");
    assert_eq!(e.line_col(), at(&bad, "one)"), "points into the Markdown file");

    let e = from_markdown("r.md", "no blocks here\n").unwrap_err();
    assert!(e.message.contains("no scenario found"));
}

/// Keys and values are bounded by the format (the structures may reserve the words above it), in
/// operations and in `initial`, with the field and the bound in the message.
#[test]
fn keys_and_values_above_the_largest_word_are_refused() {
    let file = |initial: &str, op: &str| {
        format!("source = \"s\"\ninitial = [{initial}]\n[[thread]]\nops = [\"{op}\"]\n")
    };
    let ok = parse(
        "ok.toml",
        &file(
            "[9223372036854775807, 9223372036854775807]",
            "insert(9223372036854775807, 9223372036854775807)",
        ),
    )
    .unwrap();
    assert_eq!(
        ok.threads[0][0].op,
        Op::Insert {
            key: MAX_WORD,
            value: MAX_WORD
        }
    );
    for (initial, op, expected) in [
        (
            "",
            "insert(18446744073709551615, 1)",
            "key 18446744073709551615 is above 9223372036854775807 (2^63-1), the largest key",
        ),
        (
            "",
            "store(1, 9223372036854775808)",
            "value 9223372036854775808 is above",
        ),
        (
            "",
            "iterate(delete: 18446744073709551615)",
            "key 18446744073709551615 is above",
        ),
        (
            "[18446744073709551615, 1]",
            "len()",
            "key 18446744073709551615 in `initial` is above",
        ),
        (
            "[1, 18446744073709551614]",
            "len()",
            "value 18446744073709551614 in `initial` is above",
        ),
    ] {
        let e = parse("big.toml", &file(initial, op)).unwrap_err();
        assert!(e.message.contains(expected), "{}", e.message);
    }
}

/// Issue 21, cause 3: a pinned loom run that cannot exist (permutation 0, past every bound, or
/// u64::MAX, which wrapped to 0) is refused by the parser, naming the bound.
#[test]
fn a_pinned_run_that_cannot_exist_is_refused() {
    let pinned = |key: &str| {
        format!(
            "source = \"s\"\nstructures = [\"locked\"]\nengines = [\"loom\", \"threads\", \"shuttle-random\"]\n\
             [[thread]]\nops = [\"len\"]\n[pinned]\nstructure = \"locked\"\n{key}\n"
        )
    };
    for (key, expected) in [
        (
            "engine = \"loom\"\nexecution = 0",
            "`execution` is 0; expected 1 to 10000000",
        ),
        (
            "engine = \"loom\"\nexecution = 18446744073709551615",
            "`execution` is 18446744073709551615; expected 1 to 10000000",
        ),
        (
            "engine = \"loom\"\nexecution = 10000001",
            "`execution` is 10000001",
        ),
        (
            "engine = \"threads\"\niteration = 10000000",
            "`iteration` is 10000000; expected 0 to 9999999",
        ),
    ] {
        let e = parse("pin.toml", &pinned(key)).unwrap_err();
        assert!(e.message.contains(expected), "{}", e.message);
    }
    let long = format!(
        "engine = \"shuttle-random\"\nschedule = \"{}\"",
        "0".repeat(MAX_STEPS + 1)
    );
    let e = parse("pin.toml", &pinned(&long)).unwrap_err();
    assert!(
        e.message
            .contains("`schedule` has 1000001 steps; at most 1000000"),
        "{}",
        e.message
    );
}

/// Issue 21, cause 3: a pinned permutation loom's exploration never reaches was graded as
/// passing (`pass 20 all`, exit 0): the pinned run never happened, which meets no expectation.
#[test]
fn a_pinned_run_that_never_happened_is_a_mismatch() {
    let text = |execution: u64| {
        format!(
            "source = \"s\"\nstructures = [\"locked\"]\nengines = [\"loom\"]\nschedules = 50\n\
             [[thread]]\nops = [\"insert(1, 1)\"]\n[[thread]]\nops = [\"insert(2, 1)\"]\n\
             [expect]\nlocked = \"pass\"\n[pinned]\nstructure = \"locked\"\nengine = \"loom\"\nexecution = {execution}\n"
        )
    };
    let registry = mapcheck::Registry::of(mapcheck_models::structures());
    let dir = std::env::temp_dir().join(format!("mapcheck-scenario-pinned-{}", std::process::id()));
    let graded = |execution| {
        let s = parse("pin.toml", &text(execution)).unwrap();
        run::run(&registry, &s, &run::Filter::default(), &dir).unwrap()
    };
    let happened = graded(3);
    assert!(happened.ok(), "{}", run::render(&happened, "pin.toml"));
    let never = graded(1_000_000);
    assert!(!never.ok(), "{}", run::render(&never, "pin.toml"));
    let why = never.structures[0].mismatch.as_deref().unwrap();
    assert!(
        why.contains("the pinned loom(preemption bound 2) run did not happen"),
        "{why}"
    );
    let shown = run::render(&never, "pin.toml");
    assert!(
        shown.contains("loom (pinned): did not happen") && !shown.contains("all"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
