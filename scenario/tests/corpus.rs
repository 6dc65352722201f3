//! The public corpus of reproducers (`scenarios/imported/`): each Go or Rust source, written from a
//! real incident that its header cites, imports with its hazard kept. The header's
//! `mapcheck-expect:` line names the structures that have the hazard the source exercises; the
//! import must name exactly those as expected to fail, and the scenario file beside the source must
//! be what the importer writes today (`MAPCHECK_UPDATE_IMPORTED=1` rewrites them). Running each
//! scenario file, and so checking that those structures fail with the expected oracles while the
//! correct ones pass, is `models/tests/scenarios.rs`, which runs every file under `scenarios/`.

use mapcheck_scenario::{go, parse, rust, Expect, Scenario};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/imported")
}

fn sources() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "go" || e == "rs"))
        .collect();
    out.sort();
    out
}

fn import(path: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let shown = format!(
        "scenarios/imported/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    let scale = go::Scale::default();
    match path.extension().and_then(|e| e.to_str()) {
        Some("go") => go::import(&shown, &text, scale)
            .map(|g| g.scenario)
            .map_err(|e| format!("{shown}: {e}")),
        _ => rust::import(&shown, &text, scale)
            .map(|r| r.scenario)
            .map_err(|e| format!("{shown}: {e}")),
    }
}

/// The structures a source's header says its hazard must fail.
fn declared(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.trim_start_matches(['/', ' ']).strip_prefix("mapcheck-expect:"))
        .unwrap_or_else(|| panic!("{}: no `mapcheck-expect:` line", path.display()));
    line.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn the_corpus_covers_fifty_reproducers_with_cited_sources() {
    let all = sources();
    assert!(all.len() >= 50, "{} reproducers", all.len());
    assert!(all.iter().any(|p| p.extension().unwrap() == "go"));
    assert!(all.iter().any(|p| p.extension().unwrap() == "rs"));
    for p in &all {
        let text = std::fs::read_to_string(p).unwrap();
        assert!(
            text.lines().take(3).any(|l| l.contains("Source: https://")),
            "{}: the header must cite its source",
            p.display()
        );
    }
}

#[test]
fn every_reproducer_imports_with_its_hazard_kept() {
    let update = std::env::var_os("MAPCHECK_UPDATE_IMPORTED").is_some();
    let mut problems = Vec::new();
    for path in sources() {
        let s = match import(&path) {
            Ok(s) => s,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let want = declared(&path);
        let got: BTreeSet<String> = s.expect.iter().map(|(n, _)| n.name.clone()).collect();
        if got != want {
            problems.push(format!(
                "{}: expected to fail (or to report a finding) on {want:?}, the import names {got:?}",
                path.display()
            ));
        }
        for (n, e) in &s.expect {
            assert!(
                matches!(e, Expect::Finding) || matches!(e, Expect::Fail(set) if !set.is_empty()),
                "{}: {} {e}",
                path.display(),
                n.name
            );
        }
        // The file written parses back to the same scenario.
        let text = s.to_toml();
        let back = parse("x.toml", &text).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(back.threads, s.threads);
        let toml = path.with_extension("toml");
        if update {
            std::fs::write(&toml, &text).unwrap();
        } else {
            let on_disk = std::fs::read_to_string(&toml).unwrap_or_default();
            if on_disk != text {
                problems.push(format!(
                    "{} is not what the importer writes today; rerun with MAPCHECK_UPDATE_IMPORTED=1",
                    toml.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_scenario_file_in_the_corpus_has_its_source() {
    for e in std::fs::read_dir(corpus()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let has = ["go", "rs"].iter().any(|x| p.with_extension(x).exists());
            assert!(has, "{} has no source beside it", p.display());
        }
    }
}

/// The reproducers whose hazard the importer does not keep (`not-kept/`, each with why in
/// `HELDOUT.md`): still not kept. When one is, it moves beside the others.
#[test]
fn the_reproducers_not_kept_are_still_not_kept() {
    let dir = corpus().join("not-kept");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        seen += 1;
        let want = declared(&p);
        match import(&p) {
            Err(_) => {}
            Ok(s) => {
                let got: BTreeSet<String> = s.expect.iter().map(|(n, _)| n.name.clone()).collect();
                assert!(
                    !want.is_subset(&got),
                    "{} is kept now: move it beside the others",
                    p.display()
                );
            }
        }
    }
    assert!(seen >= 1);
}

/// The compound operations the importers' hazard analysis believes each structure has are the
/// ones the zoo declares (a structure named for a workload it lacks an operation of is left out).
#[test]
fn the_hazard_support_table_is_the_zoos() {
    use mapcheck_harness::Ops;
    for e in mapcheck_models::structures() {
        assert_eq!(
            mapcheck_scenario::hazard::compound::supports(e.info.name),
            e.supports,
            "{}: update scenario/src/hazard/compound.rs",
            e.info.name
        );
    }
    assert!(!mapcheck_scenario::hazard::compound::supports("nonesuch").contains(Ops::RETAIN));
}
