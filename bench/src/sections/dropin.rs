//! Section "drop-in": what the drop-in route costs. The same map (a reader-writer lock around a
//! `HashMap`) written against the generic runtime facade (`locked`) and against the drop-in types
//! of `mapcheck::sync` (run through `DropIn`), explored under loom and shuttle beside the bare loom
//! and shuttle closures of section 2; the cost of one lock and one atomic operation on std threads
//! for std, the drop-in type and the facade; and the user crate's first cold `cargo test` and its
//! dependency count.

use super::util::*;
use crate::Config;
use mapcheck::sync::atomic::{AtomicUsize as DropAtomic, Ordering};
use mapcheck::sync::{Mutex as DropMutex, RwLock};
use mapcheck::{Adapter, DropIn};
use mapcheck_bench::direct::{bare_loom, bare_shuttle, Reference};
use mapcheck_bench::summary::Section;
use mapcheck_harness::rt::{AtomicUsize as RtAtomic, AtomicUsizeOps, Mutex as RtMutex, Std};
use mapcheck_harness::{
    Engine, Entry, Footprint, IterationGuarantee, Key, Map, ReclamationPolicy, Size, StructureInfo, Value,
};
use mapcheck_models::patterns::MODELS;
use mapcheck_models::structure;
use serde_json::json;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::hint::black_box;
use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

type DetMap = HashMap<Key, Value, BuildHasherDefault<DefaultHasher>>;

/// `locked` as a user would write it: std's shapes, from `mapcheck::sync`.
pub struct DropInLocked(RwLock<DetMap>);

impl Map for DropInLocked {
    fn insert(&self, key: Key, value: Value) -> Option<Value> {
        self.0.write().unwrap().insert(key, value)
    }
    fn remove(&self, key: Key) -> Option<Value> {
        self.0.write().unwrap().remove(&key)
    }
    fn get(&self, key: Key) -> Option<Value> {
        self.0.read().unwrap().get(&key).copied()
    }
    fn len(&self) -> usize {
        self.0.read().unwrap().len()
    }
    fn clear(&self) {
        self.0.write().unwrap().clear()
    }
    fn iterate(&self, visit: &mut dyn FnMut(Key, Value) -> ControlFlow<()>) {
        let copy: Vec<(Key, Value)> = self.0.read().unwrap().iter().map(|(k, v)| (*k, *v)).collect();
        for (k, v) in copy {
            if visit(k, v).is_break() {
                break;
            }
        }
    }
    fn reclaim(&self) {
        self.0.write().unwrap().shrink_to_fit()
    }
    fn footprint(&self) -> Footprint {
        let m = self.0.read().unwrap();
        Footprint {
            live: m.len(),
            stale: 0,
            snapshots: 1,
            capacity: m.capacity(),
            bytes: m.capacity() * std::mem::size_of::<(Key, Value)>(),
        }
    }
}

impl Adapter for DropInLocked {
    const INFO: StructureInfo = StructureInfo::new("locked-drop-in")
        .iteration(IterationGuarantee::Snapshot)
        .reclamation(ReclamationPolicy::ShrinksWithLive)
        .atomic_whole_map();
    fn new() -> Self {
        DropInLocked(RwLock::new(DetMap::default()))
    }
}

/// Nanoseconds per call of `f`, the best of three rounds of `n` calls.
fn per_op(n: usize, mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..n {
                f();
            }
            started.elapsed().as_secs_f64() * 1e9 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

pub(crate) fn dropin(cfg: &Config) -> Section {
    let generic = structure("locked").expect("locked is registered");
    let dropin = Entry::of::<DropIn<DropInLocked>>();
    let min = Duration::from_millis(if cfg.quick { 150 } else { 400 });
    let mut rows = Vec::new();
    let mut data = serde_json::Map::new();
    let mut worst = f64::INFINITY;
    let mut left_out = Vec::new();
    for m in MODELS {
        let lw = (m.build)(Size::LOOM);
        let sw = (m.build)(Size::SHUTTLE);
        // The drop-in map has the six operations only: a model that calls a compound one is not
        // applicable to it, and has no row rather than a rate of zero.
        if dropin.absent(&lw).is_some() || dropin.absent(&sw).is_some() {
            left_out.push(m.name);
            continue;
        }
        let loom = |e: &Entry| {
            rate(
                || {
                    let l = limits(cfg.loom_throughput_cap, Duration::from_secs(60));
                    (e.run)(&lw, Engine::Loom { preemption_bound: 2 }, l).schedules
                },
                min,
            )
            .0
        };
        let n = cfg.throughput_schedules;
        let shuttle = |e: &Entry| {
            rate(
                || {
                    (e.run)(
                        &sw,
                        Engine::ShuttleRandom { seed: 7 },
                        limits(n, Duration::from_secs(60)),
                    )
                    .schedules
                },
                min,
            )
            .0
        };
        let (lg, ld) = (loom(&generic), loom(&dropin));
        let lb = rate(|| bare_loom::<Reference>(&lw, 2, cfg.loom_throughput_cap), min).0;
        let (sg, sd) = (shuttle(&generic), shuttle(&dropin));
        let sb = rate(
            || {
                bare_shuttle::<Reference>(&sw, n);
                n
            },
            min,
        )
        .0;
        worst = worst.min(ld / lg).min(sd / sg);
        progress(
            "drop-in",
            format!(
                "{}: loom drop-in {ld:.0}/s, generic {lg:.0}/s, bare {lb:.0}/s; shuttle drop-in {sd:.0}/s, generic {sg:.0}/s, bare {sb:.0}/s",
                m.name
            ),
        );
        data.insert(
            m.name.into(),
            json!({"loom": {"drop_in": ld, "generic": lg, "bare": lb}, "shuttle": {"drop_in": sd, "generic": sg, "bare": sb}}),
        );
        rows.push(vec![
            m.name.to_string(),
            format!("{ld:.0}"),
            format!("{lg:.0}"),
            format!("{lb:.0}"),
            format!("{:.2}", ld / lg),
            format!("{sd:.0}"),
            format!("{sg:.0}"),
            format!("{sb:.0}"),
            format!("{:.2}", sd / sg),
        ]);
    }
    // One operation on std threads: the price of the tag the drop-in types dispatch on.
    let n = if cfg.quick { 2_000_000 } else { 20_000_000 };
    let std_mutex = std::sync::Mutex::new(0u64);
    let drop_mutex = DropMutex::new(0u64);
    let rt_mutex = RtMutex::<Std, u64>::new(0);
    let std_atomic = std::sync::atomic::AtomicUsize::new(0);
    let drop_atomic = DropAtomic::new(0);
    let rt_atomic = RtAtomic::<Std>::new(0);
    let costs = [
        (
            "Mutex lock + unlock",
            [
                per_op(n, || *black_box(&std_mutex).lock().unwrap() += 1),
                per_op(n, || *black_box(&drop_mutex).lock().unwrap() += 1),
                per_op(n, || *black_box(&rt_mutex).lock() += 1),
            ],
        ),
        (
            "AtomicUsize fetch_add",
            [
                per_op(n, || {
                    black_box(&std_atomic).fetch_add(1, Ordering::SeqCst);
                }),
                per_op(n, || {
                    black_box(&drop_atomic).fetch_add(1, Ordering::SeqCst);
                }),
                per_op(n, || {
                    AtomicUsizeOps::fetch_add(&**black_box(&rt_atomic), 1, Ordering::SeqCst);
                }),
            ],
        ),
    ];
    let mut notes = vec![
        "Schedules per second, best of one measurement of at least the time shown in section 2, the same workloads and caps: loom at preemption bound 2 on the loom-sized workload, shuttle random on the shuttle-sized one. drop-in: `DropIn<DropInLocked>`, the map on `mapcheck::sync`; generic: `locked` on the facade; bare: section 2's bare closures over `locked`. The ratio is drop-in / generic.".to_string(),
    ];
    if !left_out.is_empty() {
        notes.push(format!(
            "Not measured: {} (they call compound operations, which the drop-in map does not have).",
            left_out.join(", ")
        ));
    }
    for (what, [s, d, r]) in &costs {
        notes.push(format!(
            "One {what} on std threads (uncontended, {} calls, best of 3): std {s:.1} ns, drop-in {d:.1} ns, generic facade {r:.1} ns.",
            fmt_n(n)
        ));
        data.insert(
            format!("per_op {what}"),
            json!({"std_ns": s, "drop_in_ns": d, "generic_ns": r}),
        );
    }
    if !cfg.quick {
        let (line, figures) = user_crate();
        notes.push(line);
        data.insert("user_crate".into(), figures);
    }
    Section {
        id: "drop-in".into(),
        title: "2b. The drop-in route: a map on mapcheck::sync against the generic facade and bare loom and shuttle".into(),
        goal: Some("the drop-in route keeps at least 0.75 of the generic route's schedules per second".into()),
        goal_met: Some(worst >= 0.75),
        notes,
        columns: [
            "model",
            "loom drop-in",
            "loom generic",
            "loom bare",
            "ratio",
            "shuttle drop-in",
            "shuttle generic",
            "shuttle bare",
            "ratio",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        data: serde_json::Value::Object(data),
    }
}

/// The user crate's first `cargo test` in a fresh target directory (dependencies already
/// downloaded), and how many crates its dependency tree holds.
fn user_crate() -> (String, serde_json::Value) {
    let manifest = Path::new("examples/user-crate/Cargo.toml");
    let target = std::env::temp_dir().join(format!("mapcheck-bench-user-crate-{}", std::process::id()));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = Command::new(&cargo)
        .args(["tree", "-e", "normal,dev", "--prefix", "none", "--manifest-path"])
        .arg(manifest)
        .output();
    let crates = tree.ok().filter(|o| o.status.success()).map(|o| {
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        let set: std::collections::BTreeSet<String> = text
            .lines()
            .map(|l| l.trim_end_matches(" (*)").to_string())
            .collect();
        set.len()
    });
    progress(
        "drop-in",
        "the user crate's cold `cargo test` (a fresh target directory)",
    );
    let started = Instant::now();
    let status = Command::new(&cargo)
        .args(["test", "--quiet", "--manifest-path"])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("MAPCHECK_DIR")
        .status();
    let secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&target);
    let ok = status.map(|s| s.success()).unwrap_or(false);
    let line = format!(
        "The user crate (`examples/user-crate`): {} crates in its tree (`cargo tree -e normal,dev`; goal at most 60); its first `cargo test` in a fresh target directory took {} ({}; goal at most 2 minutes on 2 cores), two 10 s checks included.",
        crates.map_or("?".into(), |n| n.to_string()),
        fmt_secs(secs),
        if ok { "passed" } else { "FAILED" }
    );
    (
        line,
        json!({"crates": crates, "cold_test_secs": secs, "passed": ok}),
    )
}
