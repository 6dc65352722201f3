//! The recorder's ordering points under loom: an operation recorded as invoked after another one
//! returned must see its effects, which loom alone does not promise (it gives `SeqCst` loads and
//! stores no single total order, and the history clock is invisible to it). Checked with loom on a
//! one-word map written and read with `Relaxed`, so that only the recorder's ordering can order
//! the write before the read.

use mapcheck_harness::rt::{AtomicUsize, AtomicUsizeOps, Loom, Ordering::Relaxed, Runtime, Std};
use mapcheck_harness::{Footprint, History, Key, Map, Op, Recorder, Ret, Value};
use std::ops::ControlFlow;
use std::sync::atomic::AtomicUsize as StdCount;
use std::sync::Arc;

/// One key's value in one word, with no ordering of its own.
struct RelaxedWord<R: Runtime>(AtomicUsize<R>);

impl<R: Runtime> Map for RelaxedWord<R> {
    fn insert(&self, _: Key, value: Value) -> Option<Value> {
        self.0.store(value as usize, Relaxed);
        None
    }
    fn remove(&self, _: Key) -> Option<Value> {
        None
    }
    fn get(&self, _: Key) -> Option<Value> {
        Some(self.0.load(Relaxed) as Value)
    }
    fn len(&self) -> usize {
        1
    }
    fn clear(&self) {}
    fn iterate(&self, _: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {}
    fn footprint(&self) -> Footprint {
        Footprint::default()
    }
}

/// Explores every interleaving of a writer and a reader (loom without a preemption bound) with the
/// recorder `new` makes, and counts the executions in which the read was invoked after the write
/// returned, and those among them in which the read still saw the old value.
fn after_return(new: fn(usize) -> Arc<Recorder>) -> (usize, usize) {
    let ordered = Arc::new(StdCount::new(0));
    let stale = Arc::new(StdCount::new(0));
    let (o, s) = (ordered.clone(), stale.clone());
    loom::model(move || {
        let rec = new(2);
        let map = loom::sync::Arc::new(RelaxedWord::<Loom>(AtomicUsize::new(0)));
        let (r, m) = (rec.clone(), map.clone());
        let writer = loom::thread::spawn(move || {
            r.apply(0, &*m, Op::Insert { key: 1, value: 7 });
        });
        let (r, m) = (rec.clone(), map.clone());
        let reader = loom::thread::spawn(move || {
            r.apply(1, &*m, Op::Get { key: 1 });
        });
        writer.join().unwrap();
        reader.join().unwrap();
        let h: History = rec.history(vec![]);
        let write = h.events.iter().find(|e| e.thread == 0).unwrap();
        let read = h.events.iter().find(|e| e.thread == 1).unwrap();
        if write.ret_at.unwrap() < read.invoke {
            o.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if read.ret != Some(Ret::Value(Some(7))) {
                s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    let load = |c: &StdCount| c.load(std::sync::atomic::Ordering::SeqCst);
    (load(&ordered), load(&stale))
}

/// With loom's ordering points, real-time precedence in the history is happens-before: a read
/// invoked after the write returned never sees the old value.
#[test]
fn real_time_precedence_is_happens_before_under_loom() {
    let (ordered, stale) = after_return(Recorder::for_runtime::<Loom>);
    assert!(ordered > 0, "some execution runs the read after the write");
    assert_eq!(
        stale, 0,
        "{stale} of {ordered} reads after the write's return saw the old value"
    );
}

/// Without them (the recorder real threads and shuttle use, which adds no synchronisation), loom
/// lets such a read see the old value: the property above is the ordering points' doing.
#[test]
fn without_ordering_points_loom_reads_an_older_value_after_the_return() {
    let (ordered, stale) = after_return(Recorder::new);
    assert!(
        stale > 0,
        "none of {ordered} reads after the write's return saw the old value"
    );
    // The recorder for std threads is the same: no fence on real threads.
    let (_, stale_std) = after_return(Recorder::for_runtime::<Std>);
    assert_eq!(stale_std, stale);
}
