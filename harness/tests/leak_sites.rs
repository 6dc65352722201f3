//! The leak oracle's evidence: the allocations a dropped structure still holds, by size and count,
//! and the call site inside the structure that made them. A structure that leaks on purpose is
//! reported with its leak's size and the function that allocated it, under every engine; a correct
//! one that allocates and frees is not reported; and the runs that explore keep no call stacks
//! (only the run again for the report does).

use mapcheck_harness::alloc::{self, Scope};
use mapcheck_harness::history::{Leaked, Leaks};
use mapcheck_harness::rt::{Mutex, Runtime};
use mapcheck_harness::{
    Engine, IterationGuarantee, Key, Limits, Map, Op, Oracle, Outcome, ReclamationPolicy, Structure,
    StructureInfo, Value, Verdict, Workload,
};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Duration;

/// A locked map; with `LEAKS`, every remove leaves behind a 48-byte block it allocated.
struct Held<R: Runtime, const LEAKS: bool>(Mutex<R, BTreeMap<Key, Box<Value>>>);

impl<R: Runtime, const LEAKS: bool> Held<R, LEAKS> {
    /// The remove's bookkeeping: the block it forgets to free.
    #[inline(never)]
    fn tombstone(&self, k: Key) {
        let block = std::hint::black_box(Box::new([k as u8; 48]));
        if LEAKS {
            std::mem::forget(block);
        }
    }
}

impl<R: Runtime, const LEAKS: bool> Map for Held<R, LEAKS> {
    fn insert(&self, k: Key, v: Value) -> Option<Value> {
        self.0.lock().insert(k, Box::new(v)).map(|b| *b)
    }
    fn remove(&self, k: Key) -> Option<Value> {
        self.tombstone(k);
        self.0.lock().remove(&k).map(|b| *b)
    }
    fn get(&self, k: Key) -> Option<Value> {
        self.0.lock().get(&k).map(|b| **b)
    }
    fn len(&self) -> usize {
        self.0.lock().len()
    }
    fn clear(&self) {
        self.0.lock().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let entries: Vec<(Key, Value)> = self.0.lock().iter().map(|(k, v)| (*k, **v)).collect();
        for (k, v) in entries {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
}

struct HeldS<const LEAKS: bool>;
impl<const LEAKS: bool> Structure for HeldS<LEAKS> {
    type Map<R: Runtime> = Held<R, LEAKS>;
    fn new<R: Runtime>() -> Held<R, LEAKS> {
        Held(Mutex::new(BTreeMap::new()))
    }
    const INFO: StructureInfo = StructureInfo {
        name: "test-held",
        summary: "a locked map of boxed values",
        iteration: IterationGuarantee::Snapshot,
        reclamation: ReclamationPolicy::NotObservable,
        atomic_whole_map: true,
        unsynchronised: false,
        mutant: None,
    };
}

fn workload() -> Workload {
    Workload {
        initial: vec![(1, 10), (2, 20)],
        threads: vec![
            vec![Op::Remove { key: 1 }, Op::Insert { key: 3, value: 30 }],
            vec![Op::Remove { key: 2 }, Op::Get { key: 3 }],
        ],
    }
}

fn limits() -> Limits {
    Limits {
        max_schedules: 50,
        budget: Duration::from_secs(30),
        ..Limits::default()
    }
}

const ENGINES: [Engine; 3] = [
    Engine::Loom { preemption_bound: 1 },
    Engine::ShuttleRandom { seed: 3 },
    Engine::Threads { seed: 3 },
];

fn leaks_of(o: &Outcome) -> &Leaks {
    let failed = o.failure.as_ref().expect("the failing run is kept");
    failed.history.leaks.as_ref().expect("leaks were judged")
}

#[test]
fn a_leak_is_reported_with_its_size_count_and_the_function_that_allocated_it() {
    for engine in ENGINES {
        let o = mapcheck_harness::run::<HeldS<true>>(&workload(), engine, limits());
        let Verdict::Fail(f) = &o.verdict else {
            panic!("{engine}: the leak was not reported: {:?}", o.verdict);
        };
        assert_eq!(f.oracle, Oracle::Leak, "{engine}: {}", f.summary);
        let leaks = leaks_of(&o);
        assert_eq!((leaks.bytes, leaks.allocations), (96, 2), "{engine}");
        assert_eq!(leaks.blocks.len(), 1, "{engine}: {:?}", leaks.blocks);
        let Leaked { size, count, site } = &leaks.blocks[0];
        assert_eq!((*size, *count), (48, 2), "{engine}");
        let inner = site
            .first()
            .unwrap_or_else(|| panic!("{engine}: no call site: {leaks:?}"));
        // An inlined frame is printed with its bare name; its file and line say where it is.
        assert!(inner.contains("tombstone"), "{engine}: {site:?}");
        assert!(
            inner.contains("leak_sites.rs:2"),
            "{engine}: the file and line: {site:?}"
        );
        assert!(
            site.iter().any(|f| f.contains("remove")),
            "{engine}: its caller: {site:?}"
        );
        assert!(
            f.summary.contains("2 x 48 bytes allocated in ") && f.summary.contains("tombstone"),
            "{engine}: {}",
            f.summary
        );
        assert_eq!(
            f,
            match &o.failure.as_ref().unwrap().verdict {
                Verdict::Fail(g) => g,
                other => panic!("{other:?}"),
            }
        );
    }
}

#[test]
fn a_structure_that_frees_what_it_allocates_is_not_reported() {
    for engine in ENGINES {
        let o = mapcheck_harness::run::<HeldS<false>>(&workload(), engine, limits());
        assert_eq!(o.verdict, Verdict::Pass, "{engine}");
    }
}

#[inline(never)]
fn leak_one(size: usize) {
    std::mem::forget(std::hint::black_box(vec![0u8; size]));
}

#[test]
fn sizes_are_kept_always_and_call_stacks_only_inside_with_sites() {
    let plain = Scope::new();
    assert!(
        !plain.keeps_sites(),
        "a scope of an ordinary run keeps no call stacks"
    );
    plain.run(|| {
        leak_one(24);
        leak_one(24);
        leak_one(40);
    });
    assert_eq!(
        plain.leaked(),
        vec![
            Leaked {
                size: 24,
                count: 2,
                site: Vec::new()
            },
            Leaked {
                size: 40,
                count: 1,
                site: Vec::new()
            },
        ],
        "the largest total first"
    );
    plain.close();

    let kept = alloc::with_sites(Scope::new);
    assert!(kept.keeps_sites());
    assert!(
        !Scope::new().keeps_sites(),
        "only scopes created inside with_sites"
    );
    kept.run(|| leak_one(24));
    let leaked = kept.leaked();
    assert_eq!((leaked[0].size, leaked[0].count), (24, 1));
    assert!(
        leaked[0]
            .site
            .first()
            .is_some_and(|f| f.contains("leak_one") && f.contains("leak_sites.rs:")),
        "{leaked:?}"
    );
    kept.close();
    assert!(kept.leaked().is_empty(), "closed");
}
