//! The fuzz targets' decoding and checks, fed fixed byte strings without libFuzzer: the correct
//! structures pass, and planted bugs are caught by the right oracle.

use mapcheck_fuzz::reach::Reach;
use mapcheck_fuzz::{ops, scenario, schedules, selection, Checked};
use mapcheck_harness::engine::Sequential;
use mapcheck_harness::verdict::{set_judging, Judging};
use mapcheck_harness::{Engine, Limits, Ops, Oracle, Size, Verdict, Workload};

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

/// `n` byte strings of up to `len` bytes from a fixed seed.
fn inputs(seed: u64, n: usize, len: usize) -> Vec<Vec<u8>> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            let l = 8 + (mapcheck_harness::engine::splitmix(&mut state) as usize % len);
            (0..l)
                .map(|_| mapcheck_harness::engine::splitmix(&mut state) as u8)
                .collect()
        })
        .collect()
}

#[test]
fn correct_structures_pass_the_ops_target() {
    let correct = selection("correct").unwrap();
    assert!(!correct.is_empty());
    for data in inputs(1, 300, 400) {
        match ops::check_with(&data, &correct) {
            Checked::Pass => {}
            other => panic!("{other:?}"),
        }
    }
}

/// Inserts keys 0..16, then removes them all: `[0; 4]` picks `Insert` and `[0x30; 4]` picks
/// `Remove` among the operation kinds whichever way the four bytes are read.
fn fill_then_drain() -> Vec<u8> {
    let mut data = vec![0, 0]; // the structure, no initial entries
    for k in 0..16u8 {
        data.extend([0, 0, 0, 0, k, 1, 0]);
    }
    for k in 0..16u8 {
        data.extend([0x30, 0x30, 0x30, 0x30, k]);
    }
    data
}

/// `again` is the failure `first` is, with fuller evidence where its engine has it: the same oracle,
/// and the same summary up to the first group of leaked bytes, which a rerun that keeps call
/// stacks names with its site.
fn assert_same_finding(again: &Verdict, first: &Verdict) {
    match (again, first) {
        (Verdict::Fail(a), Verdict::Fail(f)) => {
            assert_eq!(a.oracle, f.oracle);
            let head = |s: &str| s.split(" bytes").take(2).collect::<Vec<_>>().join(" bytes");
            assert_eq!(
                head(&a.summary),
                head(&f.summary),
                "{} / {}",
                a.summary,
                f.summary
            );
        }
        (a, f) => panic!("not the same finding: {a:?} / {f:?}"),
    }
}

#[test]
fn the_ops_target_finds_a_leak_and_a_table_that_never_shrinks() {
    let data = fill_then_drain();
    let correct = ops::check_with(&data, &selection("correct").unwrap());
    assert!(matches!(correct, Checked::Pass), "{correct:?}");
    for (mutant, oracle) in [
        ("locked-leaky-remove", Oracle::Leak),
        ("locked-noshrink", Oracle::Reclamation),
    ] {
        let entries = selection(mutant).unwrap();
        let found = ops::check_with(&data, &entries).found().expect(mutant);
        assert_eq!(found.structure, mutant);
        assert_eq!(found.oracle(), Some(oracle), "{found}");
        let record = mapcheck_fuzz::to_record("ops", &data, &entries)
            .unwrap()
            .expect("the failing input fails again under shuttle");
        assert_eq!(record.token.structure, mutant);
        // The record's run is the finding again, with fuller evidence where the engine has it (a
        // leak's call sites, from a run again that keeps call stacks).
        assert_same_finding(&record.verdict, &found.verdict);
    }
}

/// A structure that runs threads of its own (`tombstone`'s collector) is found by building it and
/// runs under shuttle without preemption: an input is the same run every time, and its finding
/// records a schedule that replays it.
#[test]
fn a_structure_with_threads_of_its_own_is_run_the_same_every_time_and_replays() {
    let all = ops::subjects(&selection("all").unwrap());
    let threaded: Vec<&str> = all
        .iter()
        .filter(|s| ops::threaded(s))
        .map(|s| s.info.name)
        .collect();
    assert_eq!(
        threaded,
        [
            "tombstone",
            "tombstone-gc-race",
            "tombstone-gc-leak",
            "tombstone-reclaim-reset"
        ],
        "the structures whose map starts a thread"
    );
    let data = fill_then_drain();
    let entries = selection("tombstone-gc-leak").unwrap();
    let first = ops::check_with(&data, &entries)
        .found()
        .expect("the collector is never stopped");
    assert_eq!(first.oracle(), Some(Oracle::Leak), "{first}");
    for _ in 0..10 {
        let again = ops::check_with(&data, &entries)
            .found()
            .expect("found every time");
        assert_eq!((&again.verdict, &again.history), (&first.verdict, &first.history));
    }
    let correct = ops::check_with(&data, &selection("tombstone").unwrap());
    assert!(matches!(correct, Checked::Pass), "{correct:?}");
    let record = mapcheck_fuzz::to_record("ops", &data, &entries)
        .unwrap()
        .expect("the input fails again");
    assert_eq!(record.verdict, first.verdict);
    let replayed = mapcheck_harness::replay::<mapcheck_models::mutants::TombstoneGcLeak>(
        &record.workload,
        record.token.engine,
        &record.token.pinned,
        record.limits,
    );
    assert_same_finding(&replayed.verdict, &record.verdict);
}

#[test]
fn correct_structures_pass_the_schedules_target() {
    let correct = selection("correct").unwrap();
    for data in inputs(3, 200, 64) {
        match schedules::check_with(&data, &correct) {
            Checked::Pass => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_schedules_target_finds_a_racy_remove_and_records_its_schedule() {
    let entries = selection("locked-racy-remove").unwrap();
    let data = inputs(4, 3000, 64)
        .into_iter()
        .find(|d| schedules::check_with(d, &entries).is_found())
        .expect("some input interleaves two removes of one key");
    let record = mapcheck_fuzz::to_record("schedules", &data, &entries)
        .unwrap()
        .expect("the input fails again");
    assert!(matches!(
        record.token.pinned,
        mapcheck_harness::Pinned::Shuttle { .. }
    ));
    let replayed = mapcheck_harness::replay::<mapcheck_models::mutants::LockedRacyRemove>(
        &record.workload,
        record.token.engine,
        &record.token.pinned,
        record.limits,
    );
    assert_eq!(
        replayed.verdict, record.verdict,
        "the pinned schedule replays the failure"
    );
}

#[test]
fn the_scenario_target_accepts_every_scenario_file_and_garbage() {
    // The target's seeds: every scenario file and every reproducer under `scenarios/`.
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for f in std::fs::read_dir(dir).unwrap() {
            let p = f.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios").as_ref(),
        &mut files,
    );
    // Inputs the target once failed on, kept as regressions.
    walk(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenario-regressions").as_ref(),
        &mut files,
    );
    for f in files {
        let data = std::fs::read(&f).unwrap();
        scenario::check(&data).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    for data in inputs(5, 300, 200) {
        scenario::check(&data).unwrap();
    }
    scenario::check(b"[[thread]]\nops = [\"insert(1,\"]\n").unwrap();
}

#[test]
fn a_bad_selection_is_a_clear_error() {
    let Err(e) = selection("no-such-map") else {
        panic!("accepted")
    };
    assert!(e.contains("unknown structure `no-such-map`"), "{e}");
}

/// Found by the `ops` target while fuzzing `sharded-clear-skips` (libFuzzer left it in the working
/// directory as a `crash-` file): a clear that skips the last shard leaves key 29 behind, and a later
/// iteration yields it, a value the key did not hold during the iteration. Every correct structure
/// passes it.
#[test]
fn the_ops_target_finds_a_clear_that_skips_a_shard() {
    let data = include_bytes!("ops-sharded-clear-skips.bin");
    let correct = ops::check_with(data, &selection("correct").unwrap());
    assert!(matches!(correct, Checked::Pass), "{correct:?}");
    let sharded = ops::check_with(data, &selection("sharded").unwrap());
    assert!(matches!(sharded, Checked::Pass), "{sharded:?}");
    let entries = selection("sharded-clear-skips").unwrap();
    let found = ops::check_with(data, &entries)
        .found()
        .expect("the clear that skips a shard is caught");
    assert_eq!(found.oracle(), Some(Oracle::Iteration), "{found}");
    let record = mapcheck_fuzz::to_record("ops", data, &entries)
        .unwrap()
        .expect("it fails again under shuttle");
    assert_eq!(record.verdict, found.verdict);
}

/// Inputs for the judging tests: generated ones, the checked-in seeds and regression inputs, and the
/// inputs the reachability probe builds from every mutant's models.
fn corpus(target: &str, seed: u64, n: usize, len: usize) -> Vec<Vec<u8>> {
    let mut out = inputs(seed, n, len);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    for f in std::fs::read_dir(dir).unwrap() {
        out.push(std::fs::read(f.unwrap().path()).unwrap());
    }
    if target == "ops" {
        out.push(fill_then_drain());
        out.push(include_bytes!("ops-sharded-clear-skips.bin").to_vec());
    }
    out
}

/// The `ops` target compares each run with the sequential map and judges it by every oracle only
/// when they differ. Judged both ways at once (`CrossCheck` panics on any disagreement), every input
/// of the corpus on every structure that runs single-threaded gets the same verdict; the mutants
/// the target reaches are found the cheap way with the oracle the full judge names; and a correct
/// structure's runs never need the full oracles.
#[test]
fn the_ops_target_judges_cheaply_and_finds_what_the_full_oracles_find() {
    let data = corpus("ops", 21, 300, 400);
    let mut found: std::collections::BTreeMap<&str, Oracle> = Default::default();
    let mut cross = Sequential::new(Judging::CrossCheck);
    let mut cheap = Sequential::new(Judging::Witness);
    let mut runs = 0;
    for entry in selection("all").unwrap() {
        // The probe's projections of this structure's models, as workloads the target can carry.
        let projected: Vec<Workload> = entry
            .targets
            .iter()
            .flat_map(|m| {
                let m = mapcheck_models::patterns::model(m).unwrap();
                [Size::LOOM, Size::SHUTTLE, Size::THREADS].map(|s| ops::project(&(m.build)(s)))
            })
            .collect();
        let decoded = data
            .iter()
            .filter_map(|d| ops::decode(d, &[entry]).map(|(_, w)| w));
        for w in decoded.chain(projected) {
            // A structure that deadlocks single-threaded would hang on real threads; shuttle tells.
            let one = Limits {
                max_schedules: 1,
                ..Limits::default()
            };
            let under_shuttle = (entry.run)(&w, Engine::ShuttleRandom { seed: 0 }, one);
            if matches!(&under_shuttle.verdict, Verdict::Fail(f) if f.oracle == Oracle::Deadlock) {
                assert!(
                    entry.info.expected_to_fail(),
                    "{} deadlocks on {w:?}",
                    entry.info.name
                );
                continue;
            }
            runs += 1;
            let full = (entry.sequential_run)(&mut cross, &w);
            let fast = (entry.sequential_run)(&mut cheap, &w);
            if !entry.info.expected_to_fail() {
                assert_eq!(fast.verdict, Verdict::Pass, "{} on {w:?}", entry.info.name);
                assert!(
                    !fast.fully_judged,
                    "{}: a correct run needed the full oracles",
                    entry.info.name
                );
            }
            if let (Verdict::Fail(a), Verdict::Fail(b)) = (&full.verdict, &fast.verdict) {
                assert_eq!(a.oracle, b.oracle, "{} on {w:?}", entry.info.name);
                found.entry(entry.info.name).or_insert(b.oracle);
            }
        }
    }
    assert!(runs > 3000, "{runs} runs");
    assert_eq!(mapcheck_harness::verdict::disagreements(), 0);
    // The mutants the reachability probe (`cargo run -p mapcheck-fuzz --example reach`) says the ops
    // target reaches, all from inputs of this corpus.
    for mutant in [
        "sharded-misroute",
        "tombstone-gc-leak",
        "locked-leaky-remove",
        "sharded-clear-skips",
        "locked-noshrink",
    ] {
        assert!(found.contains_key(mutant), "{mutant} was not found: {found:?}");
    }
}

/// The `schedules` target under the engines' judging, both ways at once (`CrossCheck` panics on any
/// run where the witness and the full oracles disagree): every input of the corpus on every
/// structure, correct ones passing; then the reachability probe of every mutant (its models cut to
/// the target's bounds and explored, the seeds, generated inputs), which reaches the mutants the
/// target must find.
#[test]
fn the_schedules_target_judges_cheaply_and_finds_what_the_full_oracles_find() {
    set_judging(Judging::CrossCheck);
    let data = corpus("schedules", 22, 600, 64);
    for entry in selection("all").unwrap() {
        for d in &data {
            match schedules::check_with(d, &[entry]) {
                Checked::Found(f) => assert!(entry.info.expected_to_fail(), "{f}"),
                Checked::Unknown(reason) => panic!("{}: no verdict: {reason}", entry.info.name),
                Checked::Pass => {}
            }
        }
    }
    let reached: Vec<&str> = mapcheck_fuzz::reach::mutants()
        .iter()
        .filter(|e| {
            matches!(
                mapcheck_fuzz::reach::reach("schedules", e),
                Ok(Reach::Reaches { .. })
            )
        })
        .map(|e| e.info.name)
        .collect();
    set_judging(Judging::Witness);
    assert_eq!(mapcheck_harness::verdict::disagreements(), 0);
    for m in [
        "cow-nocas",
        "locked-racy-remove",
        "locked-iterlock",
        "sharded-misroute",
        "tombstone-gc-race",
        "rebuild-unguarded",
        "tombstone-gc-leak",
        "locked-leaky-remove",
        // The compound operations' races: the inputs of a structure that has them draw them.
        "locked-racy-get-or-insert",
        "sharded-racy-update",
        "sharded-racy-compare-delete",
        "locked-racy-retain",
    ] {
        assert!(reached.contains(&m), "{m} not reached: {reached:?}");
    }
}

/// A sync.Map `Range` that overlaps a `Clear` and a store: the range's own copy of the read map
/// still yields the entry the clear dropped, holding the value it had when the clear ran. Go
/// documents that a range "may reflect any mapping for that key from any point during the Range
/// call", so `syncmap` declares weakly consistent iteration since the start, and this input (found
/// by the `schedules` target, a false failure under the per-visit rule) passes.
#[test]
fn a_syncmap_range_overlapping_a_clear_is_not_a_failure() {
    let data = include_bytes!("schedules-syncmap-range-clear.bin");
    let checked = schedules::check_with(data, &selection("syncmap").unwrap());
    assert!(matches!(checked, Checked::Pass), "{checked:?}");
}

/// The `replay` target on its seeds (the bad tokens and records of the command line's corpus, and
/// good ones), on random bytes, and on random bytes read as token and record JSON: no panic, every
/// refusal one short line, whatever is accepted reads back as itself and replays.
#[test]
fn the_replay_target_accepts_its_seeds_and_garbage() {
    use mapcheck_fuzz::replay::{self, Input};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/replay");
    let mut seeds: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 50, "{} seeds", seeds.len());
    for f in &seeds {
        let data = std::fs::read(f).unwrap();
        replay::check(&data).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    for (i, mut data) in inputs(7, 300, 300).into_iter().enumerate() {
        // Plain bytes, then the same bytes as a token's JSON and as a record's JSON.
        replay::check(&data).unwrap();
        data[0] = (i % 2) as u8;
        replay::check(&data).unwrap();
    }
    assert!(matches!(replay::route(b"mc1-xyz"), Input::Token(t) if t == "mc1-xyz"));
    assert!(matches!(replay::route(b"\x01{}"), Input::Record(r) if r == b"{}"));
}

/// A seed that is accepted replays: the target reaches the engines, not only the readers.
#[test]
fn the_replay_target_replays_what_it_accepts() {
    use mapcheck_fuzz::replay;
    let token = br#"{"model":"concurrent-delete","size":{"threads":2,"ops":3,"keys":2},"structure":"locked","engine":{"kind":"loom","preemption_bound":2},"pinned":{"kind":"loom","execution":1}}"#;
    let input = mapcheck::runner::ReplayInput::of_token(
        mapcheck::ReplayToken::decode(&format!(
            "mc1-{}",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, token)
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(replay::cheap(&input));
    let mut data = vec![0u8];
    data.extend_from_slice(token);
    replay::check(&data).unwrap();
}

/// The inputs of a structure that has compound operations draw them: plain generated bytes, decoded
/// by the `schedules` target, find each compound-operation race, and the failing workload calls
/// the operation; the same bytes on the correct structure the mutant is planted in pass.
#[test]
fn the_schedules_target_draws_compound_operations_and_finds_their_races() {
    let data = inputs(25, 20_000, 96);
    for (mutant, base, op) in [
        ("locked-racy-get-or-insert", "locked", Ops::GET_OR_INSERT),
        ("sharded-racy-update", "sharded", Ops::UPDATE),
        ("sharded-racy-compare-delete", "sharded", Ops::COMPARE_AND_DELETE),
        ("locked-racy-retain", "locked", Ops::RETAIN),
    ] {
        let entries = selection(mutant).unwrap();
        let correct = selection(base).unwrap();
        let found = data
            .iter()
            .find_map(|d| schedules::check_with(d, &entries).found().map(|f| (d, f)));
        let Some((d, found)) = found else {
            panic!("{mutant}: no generated input fails")
        };
        assert!(
            Ops::called_by(found.workload.threads.iter().flatten()).contains(op),
            "{mutant}: {found}"
        );
        let again = schedules::check_with(d, &correct);
        assert!(matches!(again, Checked::Pass), "{base}: {again:?}");
    }
}

/// The targets' own lists instantiate one run per structure; they name the registry's structures in
/// its order, so that an input's first byte picks the structure it always picked, and a structure
/// added to the registry cannot be left out of the fuzzing.
#[test]
fn the_targets_list_the_registrys_structures_in_its_order() {
    let registry: Vec<&str> = mapcheck_models::structures()
        .iter()
        .map(|e| e.info.name)
        .collect();
    let ops: Vec<&str> = mapcheck_fuzz::registry::all::<ops::Sequentially>()
        .iter()
        .map(|s| s.info.name)
        .collect();
    let schedules: Vec<&str> = mapcheck_fuzz::registry::all::<schedules::Scheduled>()
        .iter()
        .map(|s| s.info.name)
        .collect();
    assert_eq!(ops, registry);
    assert_eq!(schedules, registry);
}
