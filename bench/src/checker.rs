//! Checker speed: the generated map histories (`lincheck::generate`, about THREADS operations open
//! at once), their export for the porcupine driver, and their translation to a map specification
//! for two Rust peers, stateright's `LinearizabilityTester` and todc-utils' `WGLChecker` (single-key
//! operations only: neither spec has len, clear or iteration).

use mapcheck_harness::history::{History, Op, Ret};

pub use mapcheck_harness::lincheck::generate::{generate, overlap, Generated, Overlap, Placement, Shape};

/// The seed every benchmark history is generated from.
pub const SEED: u64 = 7;

/// A shape as command-line words (`OPS THREADS KEYS WHOLE_MAP_PERMILLE VIOLATION`), so that a child
/// process regenerates the same history; [`shape_from_args`] reads them back.
pub fn shape_args(shape: &Shape) -> Vec<String> {
    vec![
        shape.ops.to_string(),
        shape.threads.to_string(),
        shape.keys.to_string(),
        shape.whole_map_permille.to_string(),
        shape.violation.map_or("none".to_string(), |p| p.to_string()),
    ]
}

/// The shape [`shape_args`] wrote.
pub fn shape_from_args(args: &[String]) -> Result<Shape, String> {
    let [ops, threads, keys, permille, violation] = args else {
        return Err("expected OPS THREADS KEYS WHOLE_MAP_PERMILLE VIOLATION".into());
    };
    let num = |what: &str, s: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("{what} `{s}` is not a whole number"))
    };
    Ok(Shape {
        ops: num("OPS", ops)? as usize,
        threads: num("THREADS", threads)? as usize,
        keys: num("KEYS", keys)?,
        whole_map_permille: num("WHOLE_MAP_PERMILLE", permille)? as u32,
        violation: match violation.as_str() {
            "none" => None,
            "early" => Some(Placement::Early),
            "middle" => Some(Placement::Middle),
            "late" => Some(Placement::Late),
            other => return Err(format!("VIOLATION `{other}` is not none, early, middle or late")),
        },
    })
}

/// The history in the line format the porcupine driver reads (`bench/porcupine/main.go`): one
/// operation a line, `thread kind key value invoke return result`.
pub fn export(h: &History) -> String {
    let mut out = String::with_capacity(h.events.len() * 32);
    for e in &h.events {
        let (kind, key, value) = match e.op {
            Op::Insert { key, value } => ("insert", key, value),
            Op::Remove { key } => ("remove", key, 0),
            Op::Get { key } => ("get", key, 0),
            Op::Len => ("len", 0, 0),
            Op::Clear => ("clear", 0, 0),
            Op::Iterate { .. } => ("iter", 0, 0),
            Op::Reclaim => continue,
            // The porcupine driver models the six operations; the generated histories hold no other.
            _ => unreachable!("a generated history holds none of the compound operations"),
        };
        let ret_at = e.ret_at.map_or("-".to_string(), |r| r.to_string());
        let result = match &e.ret {
            None | Some(Ret::Unit) | Some(Ret::Value(None)) => "-".to_string(),
            Some(Ret::Value(Some(v))) => v.to_string(),
            Some(Ret::Bool(b)) => b.to_string(),
            Some(Ret::Len(n)) => n.to_string(),
            Some(Ret::Yielded(kv)) if kv.is_empty() => "-".to_string(),
            Some(Ret::Yielded(kv)) => kv
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(","),
            // The bench's generated histories come from maps that return every result.
            Some(Ret::Unobserved) => unreachable!("a generated history records every result"),
        };
        out.push_str(&format!(
            "{} {kind} {key} {value} {} {ret_at} {result}\n",
            e.thread, e.invoke
        ));
    }
    out
}

/// Every invocation and return in time order: (thread, event index, is the return).
#[cfg(feature = "peers")]
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

#[cfg(feature = "peers")]
fn value(r: &Option<Ret>) -> Option<u64> {
    match r {
        Some(Ret::Value(v)) => *v,
        _ => None,
    }
}

/// stateright's `SequentialSpec` for the map: insert and remove return the previous value, get the
/// current one.
#[cfg(feature = "peers")]
pub mod stateright_spec {
    use super::*;
    use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};
    use std::collections::BTreeMap;

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
#[cfg(feature = "peers")]
pub mod todc_spec {
    use super::*;
    use std::collections::BTreeMap;
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
