//! Every scenario file under `scenarios/` runs as one test: it must parse, name known structures,
//! and meet its expectation on every structure; a mismatch fails with the report and the replay
//! command. Also: a failure record imported as a scenario fails the same way on every run.

use datatest_stable::Utf8Path;
use mapcheck::runner::CellSpec;
use mapcheck::{runner, Registry};
use mapcheck_harness::{Engine, Limits, Verdict};
use mapcheck_models::{patterns::model, structure};
use mapcheck_scenario::run::{from_record, render, run, Filter};
use mapcheck_scenario::{self as scenario, Expect};
use std::path::PathBuf;

/// The leak oracle needs to see every allocation.
#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

/// The schedules a cell expected to pass runs here (the scenario's own bound when smaller): every
/// hazard is still caught within the file's bound, and `cargo xtask scenario run` explores each
/// correct structure to it.
const PASSING_SCHEDULES: usize = 300;

fn failures_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mapcheck-scenario-tests-{}-{name}", std::process::id()))
}

fn scenario_file(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let file = format!("scenarios/{path}");
    let s = scenario::parse(&file, &text).map_err(|e| e.render())?;
    let dir = failures_dir(&s.name);
    let result = run(
        &Registry::of(mapcheck_models::structures()),
        &s,
        &Filter {
            passing_schedules: Some(PASSING_SCHEDULES),
            ..Filter::default()
        },
        &dir,
    )
    .map_err(|e| e.render())?;
    if !result.ok() {
        return Err(render(&result, &file).into());
    }
    // The corpus must say where each scenario came from, and be able to fail: it runs a structure
    // that has the hazard (one expected to fail), or it pins a schedule on a regression.
    assert!(!s.source.trim().is_empty());
    let can_fail = s.expect.iter().any(|(_, e)| *e != Expect::Pass) || s.pinned.is_some();
    if !can_fail {
        return Err(format!(
            "{file}: every structure it runs is expected to pass and no schedule is pinned, so it \
             cannot fail: name a structure that has the hazard under [expect], or pin a schedule"
        )
        .into());
    }
    Ok(())
}

/// Not a scenario file: the imported failure replays the same way every time.
fn imported_failure_replays(_: &Utf8Path, _: String) -> datatest_stable::Result<()> {
    let dir = failures_dir("import");
    let m = model("cow-swap").unwrap();
    let entry = structure("cow-nocas").unwrap();
    let limits = Limits {
        max_schedules: 5_000,
        ..Limits::default()
    };
    let cell = runner::run_cell(
        &CellSpec::of_model(
            m,
            &entry,
            Engine::Loom { preemption_bound: 2 },
            mapcheck_harness::Size::LOOM,
            limits,
            Some(std::time::Duration::from_secs(5)),
        ),
        &dir,
    );
    let record = cell
        .record
        .ok_or("cow-nocas must fail cow-swap under loom")?
        .record;
    let Verdict::Fail(original) = &record.verdict else {
        unreachable!()
    };
    let imported = from_record(&record, "imported", "a test");
    // Through the file format and back.
    let text = imported.to_toml();
    let s = scenario::parse("imported.toml", &text).map_err(|e| e.render())?;
    assert_eq!(
        s.expectation("cow-nocas"),
        Expect::Fail([original.oracle].into_iter().collect())
    );
    for _ in 0..3 {
        let result = run(
            &Registry::of(mapcheck_models::structures()),
            &s,
            &Filter::default(),
            &dir,
        )
        .map_err(|e| e.render())?;
        assert!(result.ok(), "{}", render(&result, "imported.toml"));
        let cell = &result.structures[0].cells[0];
        assert!(cell.pinned, "the pinned schedule is replayed");
        match &cell.outcome().verdict {
            Verdict::Fail(f) => assert_eq!(f.oracle, original.oracle),
            other => panic!("the pinned run did not fail: {other:?}"),
        }
        // loom replays by running its deterministic order up to the pinned execution.
        if let mapcheck_harness::Pinned::Loom { execution } = record.token.pinned {
            assert_eq!(
                cell.outcome().schedules,
                execution,
                "loom stopped at the pinned execution"
            );
        }
    }
    Ok(())
}

/// Not a scenario file: a wrong expectation is reported as a mismatch, never as ok.
fn wrong_expectations_are_mismatches(_: &Utf8Path, _: String) -> datatest_stable::Result<()> {
    let dir = failures_dir("wrong");
    let text =
        "source = \"test\"\nstructures = [\"locked\", \"locked-racy-remove\"]\nengines = [\"loom:2\"]\n\
                initial = [[1, 10]]\n[[thread]]\nops = [\"delete(1)\"]\n[[thread]]\nops = [\"delete(1)\"]\n\
                [expect]\nlocked = \"lost-delete\"\n";
    let s = scenario::parse("wrong.toml", text).map_err(|e| e.render())?;
    let result = run(
        &Registry::of(mapcheck_models::structures()),
        &s,
        &Filter::default(),
        &dir,
    )
    .map_err(|e| e.render())?;
    let by = |n: &str| result.structures.iter().find(|r| r.structure == n).unwrap();
    assert!(by("locked")
        .mismatch
        .as_deref()
        .unwrap()
        .contains("no engine found it"));
    let racy = by("locked-racy-remove").mismatch.as_deref().unwrap();
    assert!(racy.contains("expected pass"), "{racy}");
    assert!(render(&result, "wrong.toml").contains("cargo xtask replay"));
    // The printed replay command's argument (the record) replays the same failure.
    let (record, path) = by("locked-racy-remove")
        .cells
        .iter()
        .find_map(|c| c.cell.record.as_ref())
        .map(|r| (r.record.clone(), r.path.clone().unwrap()))
        .ok_or("the failing cell wrote a record")?;
    let Verdict::Fail(seen) = &record.verdict else {
        unreachable!()
    };
    let input = runner::replay_input(
        &Registry::of(mapcheck_models::structures()),
        path.to_str().unwrap(),
    )?;
    let again = runner::replay(&Registry::of(mapcheck_models::structures()), &input)?;
    match again.verdict {
        Verdict::Fail(f) => assert_eq!(f.oracle, seen.oracle),
        other => panic!("the replayed scenario failure did not fail: {other:?}"),
    }
    assert!(!result.ok());
    Ok(())
}

/// Not a scenario file: a structure expected to report a reclamation finding must report one; a
/// structure that shrinks does not, and that is a mismatch, while Go's map that never shrinks does.
fn finding_expectations_are_graded(_: &Utf8Path, _: String) -> datatest_stable::Result<()> {
    let dir = failures_dir("finding");
    let text = "source = \"test\"\nstructures = [\"locked\", \"gomap\"]\nengines = [\"loom:2\"]\n\
                initial = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7], [8, 8], [9, 9], [10, 10], \
                [11, 11], [12, 12], [13, 13], [14, 14], [15, 15], [16, 16], [17, 17], [18, 18], [19, 19], [20, 20]]\n\
                [[thread]]\nops = [\"range(delete: all)\", \"reclaim()\"]\n\
                [expect]\nlocked = \"finding\"\ngomap = \"finding\"\n";
    let s = scenario::parse("finding.toml", text).map_err(|e| e.render())?;
    let result = run(
        &Registry::of(mapcheck_models::structures()),
        &s,
        &Filter::default(),
        &dir,
    )
    .map_err(|e| e.render())?;
    let by = |n: &str| result.structures.iter().find(|r| r.structure == n).unwrap();
    let locked = by("locked")
        .mismatch
        .as_deref()
        .expect("locked reports no finding");
    assert!(locked.contains("expected a reclamation finding"), "{locked}");
    assert!(by("gomap").mismatch.is_none(), "{:?}", by("gomap").mismatch);
    assert!(!result.ok());
    Ok(())
}

/// Not a scenario file: the test suite's cap on passing cells shortens only the cells expected to
/// pass; a cell expected to fail still explores to the scenario's bound.
fn the_cap_on_passing_cells_leaves_expected_failures_their_bound(
    _: &Utf8Path,
    text: String,
) -> datatest_stable::Result<()> {
    let dir = failures_dir("cap");
    let s = scenario::parse("cow-swap-lost-delete.toml", &text).map_err(|e| e.render())?;
    let filter = Filter {
        passing_schedules: Some(3),
        ..Filter::default()
    };
    let result =
        run(&Registry::of(mapcheck_models::structures()), &s, &filter, &dir).map_err(|e| e.render())?;
    assert!(result.ok(), "{}", render(&result, "cow-swap-lost-delete.toml"));
    let (mut passing, mut beyond_cap) = (0, 0);
    for r in &result.structures {
        for c in r.cells.iter().filter(|c| c.cell.result.ran()) {
            let o = c.outcome();
            if r.expect == Expect::Pass {
                assert!(o.schedules <= 3, "{}: {} schedules", r.structure, o.schedules);
                passing += 1;
            } else {
                assert!(
                    o.verdict.is_fail(),
                    "{} under {} was not caught",
                    r.structure,
                    c.engine
                );
                beyond_cap += usize::from(!c.pinned && o.schedules > 3);
            }
        }
    }
    // cow-nocas is caught under shuttle-pct after 4 schedules: past the cap, which it ignored.
    assert!(
        beyond_cap > 0,
        "no unpinned catch needed more schedules than the cap"
    );
    assert!(passing > 0, "the scenario runs a structure expected to pass");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

datatest_stable::harness! {
    { test = the_cap_on_passing_cells_leaves_expected_failures_their_bound, root = "../scenarios", pattern = r"^cow-swap-lost-delete\.toml$" },
    { test = scenario_file, root = "../scenarios", pattern = r"\.toml$" },
    { test = imported_failure_replays, root = "../scenarios", pattern = r"^cow-swap-lost-delete\.toml$" },
    { test = wrong_expectations_are_mismatches, root = "../scenarios", pattern = r"^cow-swap-lost-delete\.toml$" },
    { test = finding_expectations_are_graded, root = "../scenarios", pattern = r"^cow-swap-lost-delete\.toml$" },
}
