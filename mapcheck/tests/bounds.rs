//! Bad input and faults at the library's level: what loom cannot run is not applicable, keys and
//! values are bounded where they are read, tokens and records carry no unbounded size, records and
//! pictures are written whole or not at all, a build that does not know a version claims no
//! difference, and `MAPCHECK_BUDGET` says what it takes.

use mapcheck::bounds::{MAX_WORD, MAX_WORD_TEXT};
use mapcheck::record::{picture_path, Fingerprint};
use mapcheck::{FailureRecord, ReplayToken};
use mapcheck_harness::{Engine, Limits, Op, Pinned, Size, Verdict, Workload};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;

fn inserts(threads: usize) -> Workload {
    Workload {
        initial: vec![],
        threads: (0..threads as u64)
            .map(|k| vec![Op::Insert { key: k, value: 1 }])
            .collect(),
    }
}

fn loom() -> Engine {
    Engine::Loom { preemption_bound: 2 }
}

fn limits() -> Limits {
    Limits {
        max_schedules: 50,
        ..Limits::default()
    }
}

/// Issue 21, cause 1: a workload with more threads than loom models was reported as a panic of
/// the structure (loom's own assertion); it is not applicable, with the reason, and so is a run
/// that needs more threads because the structure starts one of its own.
#[test]
fn loom_is_not_applicable_to_more_threads_than_it_models() {
    let locked = structure("locked").unwrap();
    let o = (locked.run)(&inserts(4), loom(), limits());
    assert_eq!(o.verdict, Verdict::Pass, "four threads and the main one fit");
    let o = (locked.run)(&inserts(5), loom(), limits());
    assert!(
        matches!(&o.verdict, Verdict::NotApplicable { reason } if reason.contains("5 threads")),
        "{:?}",
        o.verdict
    );
    let o = (locked.replay)(&inserts(5), loom(), &Pinned::Loom { execution: 1 }, limits());
    assert!(
        matches!(o.verdict, Verdict::NotApplicable { .. }),
        "{:?}",
        o.verdict
    );
    // tombstone starts a collector thread: three model threads fit, four do not.
    let tombstone = structure("tombstone").unwrap();
    let o = (tombstone.run)(&inserts(3), loom(), limits());
    assert_eq!(o.verdict, Verdict::Pass);
    let o = (tombstone.run)(&inserts(4), loom(), limits());
    assert!(
        matches!(&o.verdict, Verdict::NotApplicable { reason } if reason.contains("threads of its own")),
        "{:?}",
        o.verdict
    );
    // shuttle has no such limit.
    let o = (locked.run)(&inserts(8), Engine::ShuttleRandom { seed: 1 }, limits());
    assert_eq!(o.verdict, Verdict::Pass);
}

/// Issue 21, cause 2: the largest key and value the format holds run on the correct structures
/// that reserve the words above it; a token or record with a larger one is refused, naming it.
#[test]
fn the_largest_word_runs_and_a_larger_one_is_refused() {
    let w = Workload {
        initial: vec![(MAX_WORD, MAX_WORD)],
        threads: vec![
            vec![
                Op::Insert {
                    key: MAX_WORD - 1,
                    value: MAX_WORD,
                },
                Op::Remove { key: MAX_WORD },
            ],
            vec![Op::Get { key: MAX_WORD - 1 }],
        ],
    };
    for name in ["syncmap", "pooled", "slots", "locked"] {
        let s = structure(name).unwrap();
        for engine in [Engine::ShuttleRandom { seed: 3 }, Engine::Threads { seed: 3 }] {
            let o = (s.run)(&w, engine, limits());
            assert_eq!(o.verdict, Verdict::Pass, "{name} under {engine}");
        }
    }
    let mut token = token();
    token.workload = Some(Workload {
        initial: vec![],
        threads: vec![vec![Op::Insert {
            key: 1,
            value: MAX_WORD + 1,
        }]],
    });
    let e = ReplayToken::decode(&token.encode()).unwrap_err();
    assert!(
        e.contains("`workload.threads[0][0]`: value 9223372036854775808 is above")
            && e.contains(MAX_WORD_TEXT),
        "{e}"
    );
}

fn token() -> ReplayToken {
    ReplayToken {
        model: "concurrent-delete".into(),
        size: Size::LOOM,
        structure: "locked".into(),
        engine: loom(),
        pinned: Pinned::Loom { execution: 1 },
        workload: None,
        oracle: None,
    }
}

/// Issue 21, cause 5: sizes in a token were never bounded (`keys = 2^64-1` hung building the
/// model's workload, `ops = 10^12` aborted on its allocation); each is refused where the token is
/// read, naming the field and the bound.
#[test]
fn token_sizes_are_bounded_where_the_token_is_read() {
    assert!(ReplayToken::decode(&token().encode()).is_ok());
    let cases: [(fn(&mut ReplayToken), &str); 6] = [
        (
            |t| t.size.keys = u64::MAX,
            "`size.keys` is 18446744073709551615; at most 64",
        ),
        (
            |t| t.size.ops = 1_000_000_000_000,
            "`size.ops` is 1000000000000; at most 64",
        ),
        (|t| t.size.threads = 9, "`size.threads` is 9; expected 1 to 8"),
        (
            |t| {
                t.pinned = Pinned::Loom {
                    execution: usize::MAX,
                }
            },
            "`pinned.execution` is 18446744073709551615; expected 1 to 10000000",
        ),
        (
            |t| {
                t.engine = Engine::Loom {
                    preemption_bound: 1000,
                }
            },
            "`engine.preemption_bound` is 1000; at most 8",
        ),
        (
            |t| t.model = "m".repeat(1000),
            "`model` is 1000 characters long; at most 200",
        ),
    ];
    for (mutate, expected) in cases {
        let mut t = token();
        mutate(&mut t);
        let e = ReplayToken::decode(&t.encode()).unwrap_err();
        assert!(e.contains(expected), "{e}");
        assert!(e.len() < 200, "{e}");
    }
}

/// A record of a real failure, written under `dir`.
fn failure(dir: &std::path::Path) -> (FailureRecord, std::path::PathBuf) {
    let entry = structure("cow-nocas").unwrap();
    let w = (model("cow-swap").unwrap().build)(Size::LOOM);
    let o = (entry.run)(&w, loom(), Limits::default());
    let f = o.failure.expect("cow-nocas fails cow-swap under loom");
    let mut t = token();
    t.structure = "cow-nocas".into();
    t.model = "cow-swap".into();
    t.pinned = f.pinned.clone();
    let record = FailureRecord::of(t, Limits::default(), w, &f, o.schedules, None);
    let path = record.write(dir).unwrap();
    (record, path)
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mapcheck-bounds-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Issue 21, cause 8: records and pictures were written in place, so a full disk left zero-byte
/// records behind and the report still named them. A record is written whole with its picture, or
/// neither is, and a record written before for the same failure is left as it was.
#[test]
fn records_and_pictures_are_written_whole_or_not_at_all() {
    let dir = scratch("atomic");
    let (record, path) = failure(&dir);
    let before = std::fs::read(&path).unwrap();
    assert_eq!(FailureRecord::read(&path).unwrap(), record);
    // The picture cannot be renamed into place (a folder is in its way): the write fails, and
    // neither file is touched.
    let picture = picture_path(&path);
    std::fs::remove_file(&picture).unwrap();
    std::fs::create_dir(&picture).unwrap();
    let mut other = record.clone();
    other.schedules += 1;
    assert!(other.write(&dir).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before, "the old record is intact");
    // Nothing half-written is left: only the record and the folder in the picture's way.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // A record cannot be written where its folder cannot be made: an error, no file.
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert!(record.write(&file.join("failures")).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records and tokens come from outside: a record out of bounds is refused with the field named.
#[test]
fn record_sizes_are_bounded_where_the_record_is_read() {
    let dir = scratch("record-bounds");
    let (record, path) = failure(&dir);
    let mut bad = record.clone();
    bad.workload.threads = vec![vec![Op::Len]; 9];
    bad.limits.lin_steps = u64::MAX;
    std::fs::write(&path, serde_json::to_vec(&bad).unwrap()).unwrap();
    let e = FailureRecord::read(&path).unwrap_err();
    assert!(
        e.contains("`limits.lin_steps` is 18446744073709551615; expected 1 to 200000000"),
        "{e}"
    );
    std::fs::write(&path, "").unwrap();
    let e = FailureRecord::read(&path).unwrap_err();
    assert!(
        e.contains("not a mapcheck failure record: EOF while parsing"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 21, cause 9: a build whose target directory is outside the workspace does not find the
/// Cargo.lock and knows no loom version; a replay said `loom 0.7.2 then, unknown now`. A part one
/// side does not know is not a difference.
#[test]
fn an_unknown_part_of_a_fingerprint_is_not_a_difference() {
    let now = Fingerprint::current();
    let mut then = now.clone();
    then.loom = "unknown".into();
    then.binary = "unknown (No such file or directory)".into();
    assert!(then.differences(&now).is_empty(), "{:?}", then.differences(&now));
    assert!(now.differences(&then).is_empty());
    then.shuttle = "0.1.0".into();
    assert_eq!(then.differences(&now).len(), 1);
}

/// `MAPCHECK_BUDGET=3s` said it does not parse without saying what it takes; `1e20` panicked in
/// the conversion to a duration. Run in a child process, with the variable set.
#[test]
fn mapcheck_budget_says_what_it_takes() {
    if let Ok(v) = std::env::var("MAPCHECK_BUDGET") {
        // The child: building a check reads the variable.
        let r = std::panic::catch_unwind(mapcheck::Check::new);
        let message = match r {
            Ok(_) => format!("accepted {v}"),
            Err(p) => p
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "a panic without a message".into()),
        };
        println!("CHILD: {message}");
        return;
    }
    for (value, expected) in [
        (
            "3s",
            "MAPCHECK_BUDGET=\"3s\" does not parse; it takes seconds as a number (10, 2.5)",
        ),
        (
            "1e20",
            "MAPCHECK_BUDGET is 100000000000000000000 seconds; at most 86400 (a day)",
        ),
        ("2.5", "accepted 2.5"),
    ] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "bounds::mapcheck_budget_says_what_it_takes",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MAPCHECK_BUDGET", value)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find(|l| l.contains("CHILD: "))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains(expected), "{line}");
    }
}
