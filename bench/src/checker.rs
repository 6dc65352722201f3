//! Checker speed: generated map histories, checked by mapcheck's linearizability checker and by two
//! peers, stateright's `LinearizabilityTester` and todc-utils' `WGLChecker`, on the same histories
//! translated to a map specification for each.

use mapcheck_harness::engine::splitmix;
use mapcheck_harness::history::{Event, History, Op, Ret};
use mapcheck_harness::spec::SpecMap;
use std::collections::BTreeMap;

/// Which history to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub ops: usize,
    pub threads: usize,
    pub keys: u64,
    /// Linearizable by construction, or the same history with its last read changed to a value
    /// never written.
    pub linearizable: bool,
}

/// A history of about `shape.ops` operations, linearizable by construction: operations are applied
/// to the spec in order, each at its linearization point, and each thread's invocation and return
/// are placed around that point without overlapping the thread's previous operation (the generator
/// of `harness/examples/checker_speed.rs`).
pub fn generate(shape: Shape, seed: u64) -> History {
    let Shape {
        ops, threads, keys, ..
    } = shape;
    let mut rng = seed;
    let mut spec = SpecMap::default();
    let mut prev_ret = vec![0u64; threads];
    let mut events = Vec::with_capacity(ops);
    let spacing = 64u64;
    for j in 0..ops {
        let t = (splitmix(&mut rng) % threads as u64) as usize;
        let point = (j as u64 + 1) * spacing * threads as u64;
        let spread = spacing * threads as u64 / 2;
        let invoke = (point - 1 - splitmix(&mut rng) % spread).max(prev_ret[t] + 1);
        if invoke >= point {
            continue;
        }
        let ret_at = point + 1 + splitmix(&mut rng) % spread;
        let key = splitmix(&mut rng) % keys.max(1);
        let op = match splitmix(&mut rng) % 3 {
            0 => Op::Insert { key, value: j as u64 },
            1 => Op::Remove { key },
            _ => Op::Get { key },
        };
        let ret = spec.apply(&op);
        prev_ret[t] = ret_at;
        events.push(Event {
            id: 0,
            thread: t,
            op,
            ret: Some(ret),
            invoke: invoke * 16 + t as u64,
            ret_at: Some(ret_at * 16 + t as u64),
            parent: None,
            visits: Vec::new(),
        });
    }
    events.sort_by_key(|e| e.invoke);
    for (i, e) in events.iter_mut().enumerate() {
        e.id = i;
    }
    if !shape.linearizable {
        if let Some(e) = events.iter_mut().rev().find(|e| matches!(e.op, Op::Get { .. })) {
            e.ret = Some(Ret::Value(Some(u64::MAX)));
        }
    }
    History {
        initial: vec![],
        events,
        quiescence: None,
        leaks: None,
    }
}

/// Every invocation and return in time order: (thread, event index, is the return).
fn actions(h: &History) -> Vec<(usize, usize, bool)> {
    let mut a: Vec<(u64, usize, usize, bool)> = Vec::with_capacity(h.events.len() * 2);
    for (i, e) in h.events.iter().enumerate() {
        a.push((e.invoke, e.thread, i, false));
        a.push((
            e.ret_at.expect("generated histories are complete"),
            e.thread,
            i,
            true,
        ));
    }
    a.sort_unstable();
    a.into_iter().map(|(_, t, i, r)| (t, i, r)).collect()
}

fn value(r: &Option<Ret>) -> Option<u64> {
    match r {
        Some(Ret::Value(v)) => *v,
        _ => None,
    }
}

/// stateright's `SequentialSpec` for the map: insert and remove return the previous value, get the
/// current one.
pub mod stateright_spec {
    use super::*;
    use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum MapOp {
        Insert(u64, u64),
        Remove(u64),
        Get(u64),
    }

    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    pub struct MapSpec(pub BTreeMap<u64, u64>);

    impl SequentialSpec for MapSpec {
        type Op = MapOp;
        type Ret = Option<u64>;
        fn invoke(&mut self, op: &MapOp) -> Option<u64> {
            match *op {
                MapOp::Insert(k, v) => self.0.insert(k, v),
                MapOp::Remove(k) => self.0.remove(&k),
                MapOp::Get(k) => self.0.get(&k).copied(),
            }
        }
    }

    /// The tester with the history recorded, ready for `is_consistent`.
    pub fn tester(h: &History) -> LinearizabilityTester<usize, MapSpec> {
        let mut t = LinearizabilityTester::new(MapSpec(h.initial.iter().copied().collect()));
        for (thread, i, is_ret) in actions(h) {
            let e = &h.events[i];
            if is_ret {
                t.on_return(thread, value(&e.ret)).expect("well-formed history");
            } else {
                let op = match e.op {
                    Op::Insert { key, value } => MapOp::Insert(key, value),
                    Op::Remove { key } => MapOp::Remove(key),
                    Op::Get { key } => MapOp::Get(key),
                    _ => unreachable!("generated histories hold single-key operations"),
                };
                t.on_invoke(thread, op).expect("well-formed history");
            }
        }
        t
    }

    pub fn check(t: &LinearizabilityTester<usize, MapSpec>) -> bool {
        t.is_consistent()
    }
}

/// todc-utils' `Specification` for the map: an operation carries its result (unknown at the call),
/// and is valid from a state when the map there gives that result.
pub mod todc_spec {
    use super::*;
    use todc_utils::linearizability::history::{Action, History as TodcHistory};
    use todc_utils::linearizability::WGLChecker;
    use todc_utils::specifications::Specification;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum MapOp {
        /// key, value, previous value (`None` at the call).
        Insert(u64, u64, Option<Option<u64>>),
        Remove(u64, Option<Option<u64>>),
        Get(u64, Option<Option<u64>>),
    }

    pub struct MapSpec;

    impl Specification for MapSpec {
        type State = BTreeMap<u64, u64>;
        type Operation = MapOp;
        fn init() -> Self::State {
            BTreeMap::new()
        }
        fn apply(op: &MapOp, state: &Self::State) -> (bool, Self::State) {
            let mut next = state.clone();
            let (ret, expected) = match *op {
                MapOp::Insert(k, v, r) => (next.insert(k, v), r),
                MapOp::Remove(k, r) => (next.remove(&k), r),
                MapOp::Get(k, r) => (next.get(&k).copied(), r),
            };
            if expected == Some(ret) {
                (true, next)
            } else {
                (false, state.clone())
            }
        }
    }

    pub fn history(h: &History) -> TodcHistory<MapOp> {
        assert!(
            h.initial.is_empty(),
            "the generated histories start empty, as MapSpec::init"
        );
        let acts = actions(h)
            .into_iter()
            .map(|(thread, i, is_ret)| {
                let e = &h.events[i];
                let r = is_ret.then(|| value(&e.ret));
                let op = match e.op {
                    Op::Insert { key, value } => MapOp::Insert(key, value, r),
                    Op::Remove { key } => MapOp::Remove(key, r),
                    Op::Get { key } => MapOp::Get(key, r),
                    _ => unreachable!("generated histories hold single-key operations"),
                };
                (
                    thread,
                    if is_ret {
                        Action::Response(op)
                    } else {
                        Action::Call(op)
                    },
                )
            })
            .collect();
        TodcHistory::from_actions(acts)
    }

    pub fn check(h: TodcHistory<MapOp>) -> bool {
        WGLChecker::<MapSpec>::is_linearizable(h)
    }
}
