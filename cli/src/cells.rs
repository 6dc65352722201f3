//! One cell of `mapcheck check --json`: what ran, how it came out, the reason of an `n/a` (an
//! engine that cannot run the structure, or an operation the model calls that the structure
//! declares absent), the replay line of a failure, and the findings.

use mapcheck::runner::Cell;
use mapcheck_harness::{Engine, EngineSpec, Entry, Size, Verdict};
use mapcheck_models::patterns::Model;
use serde_json::{json, Value};

/// The JSON object of one cell of `model` on `structure` under `spec` (`engine`: its parameters in
/// this shard, `None` when it runs on another), at `size`.
pub fn json(
    model: &Model,
    structure: &Entry,
    spec: EngineSpec,
    engine: Option<Engine>,
    size: Size,
    cell: &Cell,
) -> Value {
    let o = &cell.outcome;
    let r = &cell.result;
    let (oracle, summary) = match &o.verdict {
        Verdict::Fail(f) => (Some(f.oracle.to_string()), Some(f.summary.clone())),
        Verdict::Unknown { reason } | Verdict::NotApplicable { reason } => (None, Some(reason.clone())),
        Verdict::Pass => (None, None),
    };
    let record = cell.record.as_ref();
    json!({
        "model": model.name,
        "structure": structure.info.name,
        "engine": spec.family(),
        "engine_params": engine.map(|e| e.to_string()),
        "expected": if structure.info.expected_to_fail() { "fail" } else { "pass" },
        "verdict": r.word(),
        "as_expected": r.as_expected(),
        "schedules": o.schedules,
        "unknown_runs": o.unknown_runs,
        // Top-level operations run: the workload's, once per schedule.
        "operations": o.schedules * size_ops(model, size),
        "exhausted": o.exhausted,
        "elapsed_ms": o.elapsed.as_millis() as u64,
        "oracle": oracle,
        "summary": summary,
        "replay": record.map(|r| format!("cargo xtask replay {}", r.record.token.encode())),
        "record": record.and_then(|r| r.path.as_ref().ok()).map(|p| p.display().to_string()),
        "picture": record.and_then(|r| r.path.as_ref().ok()).map(|p| {
            mapcheck::record::picture_path(p).display().to_string()
        }),
        "finding": cell.finding,
        // Behaviours the structure declares known that the runs showed: findings, not failures,
        // each with the runs it was seen in.
        "known": o.findings,
    })
}

/// The operations of one run of `model` at `size`.
pub fn size_ops(model: &Model, size: Size) -> usize {
    (model.build)(size).threads.iter().map(Vec::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapcheck::runner::{run_cell, CellSpec};
    use mapcheck_harness::{Known, Limits, Map, Ops, Runtime, Structure, StructureInfo};
    use mapcheck_models::patterns::model;
    use mapcheck_models::structures::locked::{Locked, LockedMap};
    use std::time::Duration;

    /// `locked`, declared without `clear`.
    struct NoClear;

    impl Structure for NoClear {
        type Map<R: Runtime> = LockedMap<R>;
        fn new<R: Runtime>() -> LockedMap<R> {
            Locked::new::<R>()
        }
        const INFO: StructureInfo = StructureInfo::new("test-no-clear").atomic_whole_map();
        const SUPPORTS: Ops = Ops::STANDARD.without(Ops::CLEAR);
    }

    /// `locked` with a leak in every remove, declared known.
    struct KnownLeak;

    struct Leaky<R: Runtime>(LockedMap<R>);

    impl<R: Runtime> Map for Leaky<R> {
        fn insert(&self, k: u64, v: u64) -> Option<u64> {
            self.0.insert(k, v)
        }
        fn remove(&self, k: u64) -> Option<u64> {
            std::mem::forget(std::hint::black_box(Box::new([0u8; 16])));
            self.0.remove(k)
        }
        fn get(&self, k: u64) -> Option<u64> {
            self.0.get(k)
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn clear(&self) {
            self.0.clear()
        }
        fn iterate(&self, visit: &mut dyn FnMut(u64, u64) -> std::ops::ControlFlow<()>) {
            self.0.iterate(visit)
        }
    }

    impl Structure for KnownLeak {
        type Map<R: Runtime> = Leaky<R>;
        fn new<R: Runtime>() -> Leaky<R> {
            Leaky(Locked::new::<R>())
        }
        const INFO: StructureInfo = StructureInfo::new("test-known-leak").atomic_whole_map();
        const KNOWN: &'static [Known] = &[Known::leak("documented")];
    }

    fn cell_json(entry: &Entry, model_name: &str, spec: EngineSpec) -> Value {
        let m = model(model_name).unwrap();
        let engine = spec.engine(7);
        let size = Size::for_engine(&engine);
        let limits = Limits {
            max_schedules: 10,
            budget: Duration::from_secs(30),
            ..Limits::default()
        };
        let dir = std::env::temp_dir().join("mapcheck-cli-cells-test");
        let cell = run_cell(&CellSpec::of_model(m, entry, engine, size, limits, None), &dir);
        json(m, entry, spec, Some(engine), size, &cell)
    }

    #[test]
    fn an_absent_operation_is_n_a_with_its_reason_under_every_engine() {
        let entry = Entry::of::<NoClear>();
        for spec in EngineSpec::ALL {
            let j = cell_json(&entry, "sharded-whole-map", spec);
            assert_eq!(j["verdict"], "n/a", "{j}");
            assert_eq!(j["schedules"], 0, "{j}");
            let reason = j["summary"].as_str().unwrap();
            assert!(reason.contains("test-no-clear declares no clear"), "{reason}");
        }
        assert_eq!(
            cell_json(&entry, "concurrent-delete", EngineSpec::ALL[0])["verdict"],
            "pass"
        );
    }

    #[test]
    fn a_known_behaviour_is_listed_with_its_runs() {
        let j = cell_json(&Entry::of::<KnownLeak>(), "concurrent-delete", EngineSpec::ALL[1]);
        assert_eq!(j["verdict"], "pass", "{j}");
        let known = &j["known"][0];
        assert_eq!(known["oracle"], "leak", "{j}");
        assert_eq!(known["declared"], "documented", "{j}");
        assert_eq!(known["runs"], j["schedules"], "every run removes: {j}");
    }
}
