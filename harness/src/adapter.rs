//! Adapters: any concurrent map crate as a structure, checked on real threads.
//!
//! A structure written against the runtime facade runs under loom, shuttle and real threads. A
//! third-party crate uses `std::sync` (or its own atomics) and cannot be model-checked, but it can
//! be driven on real OS threads and judged by the same oracles. An adapter implements [`Map`] over
//! the crate's API and [`Adapter`] for the crate's declared guarantees: which results its API does
//! not return ([`Adapter::UNOBSERVED`]), which operations it lacks ([`Adapter::SUPPORTS`]), how its
//! deferred reclamation settles after a drop ([`Adapter::SETTLE`]), and which documented
//! behaviours are findings rather than failures ([`Adapter::KNOWN`]). [`Adapted`] makes it a [`Structure`] that the engines accept on
//! [`Engine::Threads`](crate::Engine::Threads) only (loom and shuttle report it as not applicable).
//!
//! ```
//! use mapcheck_harness::adapter::{Adapted, Adapter};
//! use mapcheck_harness::{IterationGuarantee, Key, Map, ReclamationPolicy, StructureInfo, Value};
//! use std::collections::HashMap;
//! use std::ops::ControlFlow;
//! use std::sync::Mutex;
//!
//! struct MyMap(Mutex<HashMap<Key, Value>>);
//!
//! impl Map for MyMap {
//!     fn insert(&self, k: Key, v: Value) -> Option<Value> {
//!         self.0.lock().unwrap().insert(k, v)
//!     }
//!     fn remove(&self, k: Key) -> Option<Value> {
//!         self.0.lock().unwrap().remove(&k)
//!     }
//!     fn get(&self, k: Key) -> Option<Value> {
//!         self.0.lock().unwrap().get(&k).copied()
//!     }
//!     fn len(&self) -> usize {
//!         self.0.lock().unwrap().len()
//!     }
//!     fn clear(&self) {
//!         self.0.lock().unwrap().clear()
//!     }
//!     fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
//!         // Copy under the lock, visit without it: the visitor may remove the key it visits.
//!         let copy: Vec<(Key, Value)> = self.0.lock().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
//!         for (k, v) in copy {
//!             if visit(k, v).is_break() {
//!                 break;
//!             }
//!         }
//!     }
//! }
//!
//! impl Adapter for MyMap {
//!     const INFO: StructureInfo = StructureInfo {
//!         name: "my-map",
//!         summary: "a mutex around a HashMap",
//!         iteration: IterationGuarantee::Snapshot,
//!         reclamation: ReclamationPolicy::NotObservable,
//!         atomic_whole_map: true,
//!         unsynchronised: false,
//!         mutant: None,
//!     };
//!     fn new() -> Self {
//!         MyMap(Mutex::default())
//!     }
//! }
//!
//! // `Adapted<MyMap>` is a `Structure`: run a workload on real threads.
//! use mapcheck_harness::{Engine, Limits, Op, Verdict, Workload};
//! let w = Workload {
//!     initial: vec![(1, 10)],
//!     threads: vec![vec![Op::Remove { key: 1 }], vec![Op::Remove { key: 1 }]],
//! };
//! let limits = Limits { max_schedules: 20, ..Limits::default() };
//! let o = mapcheck_harness::run::<Adapted<MyMap>>(&w, Engine::Threads { seed: 1 }, limits);
//! assert_eq!(o.verdict, Verdict::Pass);
//! // Under loom or shuttle it is not applicable, and says why.
//! let o = mapcheck_harness::run::<Adapted<MyMap>>(&w, Engine::ShuttleDfs, limits);
//! assert!(matches!(o.verdict, Verdict::NotApplicable { .. }) && o.schedules == 0);
//! ```

use crate::rt::Runtime;
use crate::settle::Settle;
use crate::structure::{Known, Map, Ops, Structure, StructureInfo, Unobserved};
use std::marker::PhantomData;

/// A concurrent map crate as the real-thread engine drives it: the [`Map`] methods over the
/// crate's API, plus its declared guarantees. Every method may be called from any thread at once,
/// and from inside the `visit` callback of [`Map::iterate`], so an adapter must not hold a lock of
/// the crate across that call where the crate forbids it (copy the entries first, as the example
/// above does).
pub trait Adapter: Map + Sized {
    /// The name, design, iteration guarantee, reclamation policy and atomicity of len and clear, as
    /// the crate documents them.
    const INFO: StructureInfo;
    /// True when the crate documents `len` as an estimate under concurrent changes: its results are
    /// then not judged (see [`Structure::LEN_IS_ESTIMATE`]).
    const LEN_IS_ESTIMATE: bool = false;
    /// The results the crate's API does not return (see [`Structure::UNOBSERVED`]).
    const UNOBSERVED: Unobserved = Unobserved::NONE;
    /// The crate's deferred reclamation and process-wide state (see [`crate::settle`]).
    const SETTLE: Settle = Settle::NONE;
    /// The operations the crate's API has (see [`Structure::SUPPORTS`]): one it lacks is declared
    /// absent, never emulated.
    const SUPPORTS: Ops = Ops::STANDARD;
    /// The behaviours the crate documents that would fail an oracle (see [`Structure::KNOWN`]).
    const KNOWN: &'static [Known] = &[];
    /// An empty map.
    fn new() -> Self;
}

/// The [`Structure`] of an adapter: the same map whatever the runtime, run on real threads only.
pub struct Adapted<A>(PhantomData<fn() -> A>);

impl<A: Adapter> Structure for Adapted<A> {
    type Map<R: Runtime> = A;
    fn new<R: Runtime>() -> A {
        A::new()
    }
    const INFO: StructureInfo = A::INFO;
    const REAL_THREADS_ONLY: bool = true;
    const LEN_IS_ESTIMATE: bool = A::LEN_IS_ESTIMATE;
    const UNOBSERVED: Unobserved = A::UNOBSERVED;
    const SETTLE: Settle = A::SETTLE;
    const SUPPORTS: Ops = A::SUPPORTS;
    const KNOWN: &'static [Known] = A::KNOWN;
}

/// The [`Structure`] of a map written with the drop-in types of [`crate::sync`] (a map on
/// `std::sync` whose `use` lines point at `mapcheck::sync` in test builds): the same map whatever
/// the runtime, run by every engine, its locks and atomics loom's or shuttle's inside their
/// explorations.
///
/// Before loom or shuttle runs it, the engines check once per process that the map creates
/// drop-in values at all (in `new`, `insert`, `get` and `remove`): one that does not is still on
/// `std::sync`, invisible to the model checkers, and is run on real threads only, with the reason.
pub struct DropIn<A>(PhantomData<fn() -> A>);

impl<A: Adapter> Structure for DropIn<A> {
    type Map<R: Runtime> = A;
    fn new<R: Runtime>() -> A {
        A::new()
    }
    const INFO: StructureInfo = A::INFO;
    const DROP_IN: bool = true;
    const LEN_IS_ESTIMATE: bool = A::LEN_IS_ESTIMATE;
    const UNOBSERVED: Unobserved = A::UNOBSERVED;
    const SETTLE: Settle = A::SETTLE;
    const SUPPORTS: Ops = A::SUPPORTS;
    const KNOWN: &'static [Known] = A::KNOWN;
}
