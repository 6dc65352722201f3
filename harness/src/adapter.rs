//! Adapters: any concurrent map crate as a structure, checked on real threads.
//!
//! A structure written against the runtime facade runs under loom, shuttle and real threads. A
//! third-party crate uses `std::sync` (or its own atomics) and cannot be model-checked, but it can
//! be driven on real OS threads and judged by the same oracles. An [`Adapter`] says how each map
//! operation maps onto the crate's API and declares the crate's guarantees; [`Adapted`] makes it a
//! [`Structure`] that the engines accept on [`Engine::Threads`](crate::Engine::Threads) only (loom
//! and shuttle report it as not applicable).
//!
//! ```
//! use mapcheck_harness::adapter::{Adapted, Adapter};
//! use mapcheck_harness::{IterationGuarantee, Key, ReclamationPolicy, StructureInfo, Value};
//! use std::collections::HashMap;
//! use std::ops::ControlFlow;
//! use std::sync::Mutex;
//!
//! struct MyMap(Mutex<HashMap<Key, Value>>);
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
use crate::structure::{Footprint, Key, Map, Structure, StructureInfo, Value};
use std::marker::PhantomData;
use std::ops::ControlFlow;

/// A concurrent map crate as the real-thread engine drives it: plain methods over the crate's API,
/// and its declared guarantees. Every method may be called from any thread at once, and from inside
/// the `visit` callback of [`Adapter::iterate`].
pub trait Adapter: Send + Sync + Sized + 'static {
    /// The name, design, iteration guarantee, reclamation policy and atomicity of len and clear, as
    /// the crate documents them.
    const INFO: StructureInfo;
    /// True when the crate documents `len` as an estimate under concurrent changes: its results are
    /// then not judged (see [`Structure::LEN_IS_ESTIMATE`]).
    const LEN_IS_ESTIMATE: bool = false;
    /// An empty map.
    fn new() -> Self;
    /// Inserts or overwrites; returns the previous value.
    fn insert(&self, key: Key, value: Value) -> Option<Value>;
    /// Removes the key; returns the value this call removed, if any.
    fn remove(&self, key: Key) -> Option<Value>;
    fn get(&self, key: Key) -> Option<Value>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn clear(&self);
    /// Calls `visit` for the entries. The callback may call [`Adapter::remove`] of the visited key,
    /// so an adapter must not hold a lock of the crate across the call where the crate forbids it
    /// (copy the entries first, as the example above does).
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>);
    /// The crate's reclamation or maintenance call (a shrink, a collector flush); by default none.
    fn reclaim(&self) {}
    /// What the map holds, as far as the crate exposes it; by default the live entries only.
    fn footprint(&self) -> Footprint {
        Footprint {
            live: self.len(),
            ..Footprint::default()
        }
    }
}

/// The [`Structure`] of an adapter: the same map whatever the runtime, run on real threads only.
pub struct Adapted<A>(PhantomData<fn() -> A>);

/// An adapter's map, as the engines hold it.
pub struct AdaptedMap<A>(pub A);

impl<A: Adapter> Map for AdaptedMap<A> {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.remove(key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.get(key)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        self.0.iterate(visit)
    }
    fn reclaim(&self) {
        self.0.reclaim()
    }
    fn footprint(&self) -> Footprint {
        self.0.footprint()
    }
}

impl<A: Adapter> Structure for Adapted<A> {
    type Map<R: Runtime> = AdaptedMap<A>;
    fn new<R: Runtime>() -> AdaptedMap<A> {
        AdaptedMap(A::new())
    }
    const INFO: StructureInfo = A::INFO;
    const REAL_THREADS_ONLY: bool = true;
    const LEN_IS_ESTIMATE: bool = A::LEN_IS_ESTIMATE;
}
