//! Which cap stops a run. Most tests feed the watchdog samples they make up (a process frozen for
//! seconds, threads waiting for a CPU, a hand-off that never completes), so no verdict depends on
//! the machine's timing; a few run real threads under caps small enough for a test, with margins
//! of tens of polls.

use super::*;
use crate::history::Op;
use crate::structure::{Key, Map, Value};
use std::ops::ControlFlow;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::channel;
use std::sync::Arc;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A poll of `wall` ms of which the machine held the run up for `held` ms.
fn poll(wall: u64, held: u64) -> Interval {
    Interval {
        wall: ms(wall),
        held: ms(held),
    }
}

/// A sample of a run in `phase` with `ops` invocations and returns and `steps` harness steps so
/// far, thread 0's operation at log slot `pending` (if any), and `inside` structure code.
fn sample(interval: Interval, ops: u64, steps: u64, pending: Option<usize>, inside: bool) -> Sample {
    Sample {
        interval,
        progress: (ops, steps),
        phase: RUNNING,
        open: vec![pending, None],
        inside,
    }
}

fn caps(stall_ms: u64, operation_ms: u64, run_ms: u64) -> Caps {
    Caps {
        stall: ms(stall_ms),
        operation: ms(operation_ms),
        run: ms(run_ms),
    }
}

/// Feeds `samples` to a fresh watch with the default two-second caps; the cap hit, if any.
fn feed(samples: impl IntoIterator<Item = Sample>) -> (Watch, Option<Stuck>) {
    let mut w = Watch::new(Caps::from_stall(Duration::from_secs(2)));
    for s in samples {
        if let Err(stuck) = w.sample(&s) {
            return (w, Some(stuck));
        }
    }
    (w, None)
}

#[test]
fn a_blocked_run_is_a_stall_after_the_cap_of_time_it_could_run() {
    // Thread 0 blocked in an operation, nothing else moving, the machine idle: 40 polls of 50 ms.
    let (w, stuck) = feed((0..100).map(|_| sample(poll(50, 0), 1, 3, Some(0), false)));
    let stuck = stuck.expect("a deadlock");
    assert_eq!(stuck.cap, Cap::Stall(Duration::from_secs(2)));
    assert_eq!(stuck.culprit, Culprit::Operation);
    // The first poll saw the operation start; the stall runs from there.
    assert_eq!(w.counted, ms(2_050));
}

#[test]
fn a_frozen_process_is_not_a_stall_and_the_figures_show_the_freeze() {
    // SIGSTOP for three seconds: the watchdog's poll lasts 3,050 ms, of which it slept 50; then
    // the run goes on and ends. Before the clock counted only running time, this was a deadlock
    // when the run happened to be between two steps when it was frozen.
    let mut samples = vec![sample(poll(50, 0), 10, 4, None, false)];
    samples.push(sample(poll(3_050, 3_000), 10, 4, None, false));
    samples.push(sample(poll(50, 0), 12, 6, None, false));
    let (w, stuck) = feed(samples);
    assert!(stuck.is_none(), "{stuck:?}");
    assert_eq!(w.longest_held, ms(3_000), "the freeze is in the figures");
    assert_eq!(
        w.longest_stall.0,
        ms(50),
        "the stall counts only the time the run could run"
    );
}

#[test]
fn threads_waiting_for_a_cpu_never_make_a_stall_however_long() {
    // A machine so loaded that the run's threads wait for a CPU for the whole of every poll, for
    // a minute of wall time: nothing to blame on the structure.
    let (w, stuck) = feed((0..1_200).map(|_| sample(poll(50, 50), 7, 9, None, false)));
    assert!(stuck.is_none(), "{stuck:?}");
    assert_eq!(w.counted, Duration::ZERO);
}

#[test]
fn under_load_a_real_deadlock_is_still_caught_later_in_wall_time() {
    // The run's threads blocked (they wait for no CPU), the watchdog itself woken 25 ms late at
    // every poll: the cap of two seconds is reached after four seconds of wall time.
    let (w, stuck) = feed((0..1_000).map(|_| sample(poll(50, 25), 5, 5, Some(2), false)));
    assert_eq!(stuck.expect("caught").cap, Cap::Stall(Duration::from_secs(2)));
    assert_eq!(w.counted, ms(2_025), "100 polls after the first");
}

#[test]
fn a_stall_is_blamed_on_whose_code_ran() {
    let stall = |pending, inside| {
        let (_, stuck) = feed((0..50).map(|_| sample(poll(50, 0), 3, 3, pending, inside)));
        stuck.expect("a stall").culprit
    };
    assert_eq!(stall(Some(1), false), Culprit::Operation);
    assert_eq!(stall(None, true), Culprit::Structure, "its drop or settle step");
    assert_eq!(stall(None, false), Culprit::Handoff, "no structure code ran");
}

#[test]
fn a_harness_step_is_progress() {
    // No operation starts or finishes for ten seconds, but the settle step moves from thread to
    // thread every poll: not a stall.
    let (_, stuck) = feed((0..200).map(|i| sample(poll(50, 0), 160, i, None, true)));
    assert!(stuck.is_none(), "{stuck:?}");
}

#[test]
fn one_operation_pending_while_others_progress_hits_the_operation_cap_in_counted_time() {
    // Thread 0's operation stays pending while the clock ticks; half of every poll the machine held
    // the run up, so the four-second cap takes eight seconds of wall time.
    let (w, stuck) = feed((0..1_000).map(|i| sample(poll(50, 25), i, 1, Some(0), false)));
    match stuck.expect("a livelock").cap {
        Cap::Operation { thread, ticks, after } => {
            assert_eq!((thread, after), (0, Duration::from_secs(4)));
            assert_eq!(ticks, 160);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        w.counted,
        ms(4_025),
        "160 polls after the operation was first seen"
    );
}

#[test]
fn the_figures_name_where_the_longest_stall_sat() {
    let (w, _) = feed((0..10).map(|_| sample(poll(50, 0), 3, 3, None, false)));
    assert_eq!(
        w.longest_stall,
        (
            ms(450),
            "in the harness's hand-off between the model threads and the driver"
        )
    );
}

#[test]
fn structure_code_is_marked_across_a_hand_off_and_an_unwind() {
    let run = RunState::default();
    let inside = || run.inside.load(Ordering::SeqCst);
    run.inside(|| {
        assert_eq!(inside(), 1);
        run.outside(|| assert_eq!(inside(), 0));
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| run.inside(|| panic!("in a step"))));
        assert!(r.is_err());
        assert_eq!(inside(), 1, "restored after the unwind");
    });
    assert_eq!(inside(), 0);
}

#[test]
fn the_summary_line_shows_the_machines_hold_up() {
    let st = Stats {
        runs: 3,
        longest_stall: ms(12),
        longest_stall_at: "in an operation",
        longest_held: ms(3_004),
        stall_cap: Duration::from_secs(2),
        ..Stats::default()
    };
    let line = st.line().unwrap();
    assert!(
        line.contains("longest without progress 12 ms (deadlock at 2000 ms, in an operation)"),
        "{line}"
    );
    assert!(line.contains("held a run up for at most 3004 ms"), "{line}");
}

#[test]
fn the_caps_grow_with_the_budget_within_bounds() {
    let of = |secs| {
        Caps::for_limits(Limits {
            budget: Duration::from_secs(secs),
            ..Limits::default()
        })
    };
    assert_eq!(of(1).stall, Duration::from_secs(2), "never under two seconds");
    assert_eq!(of(8).stall, Duration::from_secs(4));
    assert_eq!(of(100).stall, Duration::from_secs(10), "never over ten seconds");
    for secs in [1, 8, 100] {
        let c = of(secs);
        assert!(c.stall < c.operation && c.operation < c.run, "{c:?}");
    }
}

use std::panic::AssertUnwindSafe;

/// A map whose `get` of key 0 never returns (until `release`), and whose other calls return at
/// once.
#[derive(Default)]
struct Blocking {
    release: AtomicBool,
}

impl Map for Blocking {
    fn insert(&self, _: Key, _: Value) -> Option<Value> {
        None
    }
    fn remove(&self, _: Key) -> Option<Value> {
        None
    }
    fn get(&self, k: Key) -> Option<Value> {
        while k == 0 && !self.release.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        None
    }
    fn len(&self) -> usize {
        0
    }
    fn clear(&self) {}
    fn iterate(&self, _: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {}
}

/// Runs thread 0's operations (`stuck`: a `get(0)` that never returns) and thread 1's (a `get(1)`
/// every millisecond until released) under the watchdog with `caps`, on real threads.
fn watched(stuck: bool, ticking: bool, caps: Caps) -> Result<(), Stopped> {
    let rec = Recorder::new(2);
    let map = Arc::new(Blocking::default());
    let (tx, rx) = channel::<()>();
    let run = RunState::default();
    run.enter(RUNNING);
    let mut handles = Vec::new();
    if stuck {
        let (rec, map) = (rec.clone(), map.clone());
        handles.push(std::thread::spawn(move || {
            rec.apply(0, &*map, Op::Get { key: 0 });
        }));
    }
    if ticking {
        let (rec, map) = (rec.clone(), map.clone());
        handles.push(std::thread::spawn(move || {
            while !map.release.load(Ordering::SeqCst) {
                rec.apply(1, &*map, Op::Get { key: 1 });
                std::thread::sleep(Duration::from_millis(1));
            }
        }));
    }
    if !stuck && !ticking {
        tx.send(()).unwrap();
    }
    let r = watch(&rx, &rec, &run, caps, &mut Clock::new(&[]), || ());
    map.release.store(true, Ordering::SeqCst);
    for h in handles {
        h.join().unwrap();
    }
    drop(tx);
    r.map_err(|s| match s.cap {
        Cap::Stall(_) => Stopped::Stall,
        Cap::Operation { thread, .. } => Stopped::Operation(thread),
        Cap::Run(_) => Stopped::Run,
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Stopped {
    Stall,
    Operation(usize),
    Run,
}

#[test]
fn a_run_that_ends_is_not_stopped() {
    assert_eq!(watched(false, false, caps(100, 100, 100)), Ok(()));
}

#[test]
fn a_run_where_nothing_happens_is_a_stall() {
    assert_eq!(
        watched(true, false, caps(100, 10_000, 10_000)),
        Err(Stopped::Stall)
    );
}

#[test]
fn one_operation_pending_while_others_tick_hits_the_operation_cap() {
    assert_eq!(
        watched(true, true, caps(5_000, 200, 10_000)),
        Err(Stopped::Operation(0))
    );
}

#[test]
fn a_run_that_keeps_ticking_hits_the_run_cap() {
    assert_eq!(watched(false, true, caps(5_000, 5_000, 300)), Err(Stopped::Run));
}

#[test]
fn the_poll_in_which_a_run_ends_counts_towards_its_length() {
    let (mut w, stuck) = feed([sample(poll(50, 10), 4, 2, None, false)]);
    assert!(stuck.is_none());
    w.finish(poll(20, 5));
    assert_eq!(w.counted, ms(55));
    assert_eq!(w.longest_held, ms(10));
}
