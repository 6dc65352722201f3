//! `gomap` under two writers: the harness shows it failing under loom (the data race itself) and
//! shuttle (Go's "concurrent map writes" detector in some schedules), and the detector is shown to be
//! best-effort: some schedules overlap two writes without it firing.

use mapcheck_harness::rt::{spawn, Arc, Shuttle};
use mapcheck_harness::{Engine, Limits, Op, Oracle, Recorder, Structure, Verdict, Workload};
use mapcheck_models::structures::gomap::Gomap;
use shuttle::scheduler::RandomScheduler;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn two_writers() -> Workload {
    Workload {
        initial: vec![],
        threads: vec![
            vec![Op::Insert { key: 1, value: 10 }, Op::Remove { key: 2 }],
            vec![Op::Insert { key: 2, value: 20 }, Op::Remove { key: 1 }],
        ],
    }
}

fn limits() -> Limits {
    Limits {
        max_schedules: 2_000,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    }
}

fn oracle(v: &Verdict) -> Option<Oracle> {
    match v {
        Verdict::Fail(f) => Some(f.oracle),
        _ => None,
    }
}

#[test]
fn loom_reports_the_data_race() {
    let o = mapcheck_harness::run::<Gomap>(&two_writers(), Engine::Loom { preemption_bound: 2 }, limits());
    assert_eq!(oracle(&o.verdict), Some(Oracle::DataRace), "{:?}", o.verdict);
}

#[test]
fn shuttle_pct_fires_the_concurrent_map_writes_detector() {
    let o =
        mapcheck_harness::run::<Gomap>(&two_writers(), Engine::ShuttlePct { seed: 1, depth: 2 }, limits());
    match &o.verdict {
        Verdict::Fail(f) => {
            assert_eq!(f.oracle, Oracle::Panic);
            assert!(f.summary.contains("concurrent map"), "{}", f.summary);
        }
        other => panic!("expected the detector to fire, got {other:?}"),
    }
}

#[test]
fn gomap_does_not_run_on_real_threads() {
    let o = mapcheck_harness::run::<Gomap>(&two_writers(), Engine::Threads { seed: 1 }, limits());
    assert!(matches!(o.verdict, Verdict::NotApplicable { .. }));
    assert_eq!(o.schedules, 0);
}

/// Over many random schedules, count the runs in which the detector fired and the runs in which two
/// writes overlapped (one invoked before the other returned) and the detector stayed silent.
#[test]
fn the_detector_is_best_effort() {
    let fired = std::sync::Arc::new(AtomicUsize::new(0));
    let silent_overlap = std::sync::Arc::new(AtomicUsize::new(0));
    let (f2, s2) = (fired.clone(), silent_overlap.clone());
    let mut config = shuttle::Config::new();
    config.silence_warnings = true;
    let runner = shuttle::Runner::new(RandomScheduler::new_from_seed(3, 3_000), config);
    let (done, _) = mapcheck_harness::quiet::quietly(|| {
        runner.run(move || {
            let map = Arc::<Shuttle, _>::new(Gomap::new::<Shuttle>());
            let rec = Recorder::new(2);
            let panics = std::sync::Arc::new(AtomicUsize::new(0));
            let hs: Vec<_> = (0..2u64)
                .map(|t| {
                    let (map, rec, panics) = (map.clone(), rec.clone(), panics.clone());
                    spawn::<Shuttle, _>(move || {
                        let op = Op::Insert { key: t + 1, value: t };
                        if catch_unwind(AssertUnwindSafe(|| rec.apply(t as usize, &*map, op))).is_err() {
                            panics.fetch_add(1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            let h = rec.history(vec![]);
            let writes: Vec<_> = h.events.iter().filter(|e| e.ret_at.is_some()).collect();
            let overlapped = writes.len() == 2 && writes[0].ret_at.unwrap() > writes[1].invoke;
            if panics.load(Ordering::SeqCst) > 0 {
                f2.fetch_add(1, Ordering::SeqCst);
            } else if overlapped {
                s2.fetch_add(1, Ordering::SeqCst);
            }
        })
    });
    let (fired, silent) = (
        fired.load(Ordering::SeqCst),
        silent_overlap.load(Ordering::SeqCst),
    );
    assert!(done.is_some(), "every schedule ran to completion");
    eprintln!("detector fired in {fired} schedules; {silent} schedules overlapped two writes silently");
    assert!(fired > 0, "the detector fired in no schedule");
    assert!(
        silent > 0,
        "every overlapping schedule was detected (fired {fired})"
    );
}
