//! Deferred reclamation and process-wide state: what a structure declares so that the leak oracle
//! judges the map's own memory, not the memory its crate manages around it.
//!
//! Many concurrent maps free memory after `drop` returns: through epochs (crossbeam-epoch, seize,
//! sdd), through background housekeeping, or into a pool created lazily on first use and kept for
//! the life of the process. A structure declares these in a [`Settle`] value
//! ([`Structure::SETTLE`](crate::Structure::SETTLE)), and every engine does the same with it:
//!
//! - [`Settle::once`] runs once per process, before the structure's first run, outside allocation
//!   tracking: what the crate allocates once per process is made there, counted once and never
//!   against a run.
//! - [`Settle::per_thread`] runs on every thread an engine runs the map on, before that thread's
//!   first run, outside allocation tracking: what the crate keeps per thread (an epoch participant
//!   record, a thread's parking data, a process-wide table sized by the number of threads).
//! - [`Settle::after_drop`] runs after the map is dropped and before its leaks are judged, outside
//!   allocation tracking, on the thread that dropped the map and on every thread that ran its
//!   operations, one after the other, for up to [`SETTLE_ROUNDS`] rounds while the run still holds
//!   memory: it frees what the crate deferred (advances the epoch, flushes per-thread garbage).
//!
//! A step that needs the map itself (a cache's pending maintenance, a collector the map owns or
//! shares) is the map's own [`Map::settle`](crate::Map::settle), run once every thread is done and
//! before the drop.
//!
//! Whatever a run allocated and still holds after that is a leak. A leak that happens once (in the
//! first run only) is reported like any other: only what `once` and `per_thread` allocate is
//! exempt, so a crate's process-wide state must be declared, not guessed; the leak report names
//! these causes and the step that declares each.
//!
//! The steps of common crates come with the library, for whatever version of the crate a map
//! uses: [`settle!`](crate::settle!) takes the path of each crate (as the user's crate depends on
//! it, so that the steps reach the same instance of it as the map does) and builds one `Settle`:
//!
//! ```
//! # mod sdd { pub struct Guard; impl Guard { pub fn new() -> Guard { Guard }
//! #     pub fn accelerate(&self) {} pub fn epoch(&self) -> u8 { 0 } } }
//! use mapcheck_harness::settle::Settle;
//! // scc's sdd epochs, for the sdd the map's scc uses.
//! const SETTLE: Settle = mapcheck_harness::settle!(sdd: sdd);
//! assert_eq!((SETTLE.per_thread.len(), SETTLE.after_drop.len()), (1, 1));
//! ```
//!
//! - `sdd: PATH` (scc): a thread's retirements sit in that thread's own collector and are freed by
//!   that thread once it has witnessed three more epochs; each thread gets a collector on first
//!   use. Every thread registers before its first run, and after the drop every thread of the run
//!   takes guards, urging the epoch on, until it has witnessed enough epochs ([`witness_epochs`]).
//! - `crossbeam_epoch: PATH`: a thread's deferred functions sit in its local bag until it flushes;
//!   once in the global queue, any thread's collection runs them after the global epoch has
//!   advanced twice. The default collector is created once per process, each thread registers on
//!   first use, and after the drop every thread of the run flushes repeatedly ([`repeat`]).
//! - `parking_lot_core: PATH` (dashmap, parking_lot's locks, flurry's bin locks): the first time a
//!   thread parks, parking_lot_core creates its per-thread record and grows a process-wide hash
//!   table sized by the number of threads, and never frees the old table. Every thread creates its
//!   record before its first run, without parking.
//! - seize (papaya, flurry) with a collector owned by the map (their default) needs nothing: the
//!   collector reclaims everything retired through it when the map drops it. A collector shared
//!   between maps outlives the map: flush it in the map's own [`Map::settle`](crate::Map::settle).
//!
//! Other crates' steps are plain functions or non-capturing closures, which may call the generic
//! helpers with the crate's own functions: `after_drop: &[|| mapcheck::settle::repeat(16, ||
//! crossbeam_epoch::pin().flush())]`.

use std::any::TypeId;
use std::collections::HashSet;
use std::sync::Mutex;

/// How the harness lets a structure's deferred reclamation finish, and what the structure's crate
/// allocates once per process or per thread. Every list may be empty; [`Settle::NONE`] declares
/// nothing (the map frees everything in its `drop`).
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    /// Run once per process before the structure's first run, outside allocation tracking.
    pub once: &'static [fn()],
    /// Run on every thread an engine uses for the map, before that thread's first run, outside
    /// allocation tracking.
    pub per_thread: &'static [fn()],
    /// Run after the map is dropped, outside allocation tracking, on the thread that dropped it and
    /// on every thread that ran its operations, in rounds while the run still holds memory.
    pub after_drop: &'static [fn()],
}

impl Settle {
    /// Nothing deferred, nothing process-wide, nothing per thread.
    pub const NONE: Settle = Settle {
        once: &[],
        per_thread: &[],
        after_drop: &[],
    };

    /// Whether there is an after-drop step to run.
    pub fn defers(&self) -> bool {
        !self.after_drop.is_empty()
    }
}

impl Default for Settle {
    fn default() -> Self {
        Settle::NONE
    }
}

/// Rounds of [`Settle::after_drop`] (each on every thread of the run, in turn) before memory the run
/// still holds counts as leaked. Epoch schemes free a retirement after the epoch has advanced two
/// or three times; one round usually suffices, the rest absorb a thread that was briefly inside a
/// guard when the epoch tried to advance.
pub const SETTLE_ROUNDS: usize = 4;

/// Epoch changes a thread witnesses after the drop in [`settle!`](crate::settle!)'s sdd step: sdd
/// frees a retirement once its thread has witnessed three epochs after it, and one more covers a
/// retirement made just before the thread's view of the epoch was updated.
pub const SDD_EPOCHS: usize = 4;

/// Guards a thread takes at most in one step of [`witness_epochs`] waiting for the epoch to move:
/// the epoch cannot advance while another thread holds a guard, and the harness's rounds retry.
pub const MAX_GUARDS: usize = 100_000;

/// Flushes per after-drop step of [`settle!`](crate::settle!)'s crossbeam-epoch step: each advances
/// the global epoch at most once and runs at most a few sealed bags, and a bag runs two epochs
/// after it was sealed.
pub const FLUSHES: usize = 16;

/// The after-drop step of an epoch scheme in which a thread frees what it retired once it has
/// witnessed enough epochs (sdd): takes guards on the calling thread with `guard` (which should ask
/// the epoch to advance), reading the epoch each sees with `epoch`, until `epochs` changes have
/// been witnessed or [`MAX_GUARDS`] guards taken. Generic over the crate's guard and epoch types,
/// so it serves every version of the crate.
pub fn witness_epochs<G, E: PartialEq>(guard: impl Fn() -> G, epoch: impl Fn(&G) -> E, epochs: usize) {
    let mut seen = epoch(&guard());
    let mut witnessed = 0;
    for _ in 0..MAX_GUARDS {
        if witnessed >= epochs {
            break;
        }
        let g = guard();
        let now = epoch(&g);
        drop(g);
        if now != seen {
            seen = now;
            witnessed += 1;
        }
    }
}

/// Runs `step` `times` times: an after-drop step that makes progress one epoch at a time
/// (crossbeam-epoch's `pin().flush()`).
pub fn repeat(times: usize, step: impl Fn()) {
    for _ in 0..times {
        step();
    }
}

/// The settle steps of common crates, for the versions the map uses, as one [`Settle`]: each
/// `crate: path` pair names a crate the steps serve and the path the user's crate reaches it by
/// (its name in `Cargo.toml`): `sdd: sdd`, `crossbeam_epoch: crossbeam_epoch`,
/// `parking_lot_core: parking_lot_core`. See [the module](crate::settle) for what each does. For
/// use in a `const` (`const SETTLE: Settle = mapcheck::settle!(sdd: sdd, parking_lot_core:
/// parking_lot_core);`).
#[macro_export]
macro_rules! settle {
    (@acc [$($o:expr),*] [$($p:expr),*] [$($a:expr),*]) => {
        $crate::settle::Settle { once: &[$($o),*], per_thread: &[$($p),*], after_drop: &[$($a),*] }
    };
    (@acc [$($o:expr),*] [$($p:expr),*] [$($a:expr),*] sdd: $($c:ident)::+ $(, $($rest:tt)*)?) => {
        $crate::settle!(@acc [$($o),*]
            [$($p,)* {
                /// Creates the calling thread's sdd collector.
                fn register_thread() {
                    ::core::mem::drop($($c)::+::Guard::new());
                }
                register_thread as fn()
            }]
            [$($a,)* {
                /// Takes guards, urging the epoch on, until this thread has seen enough epochs.
                fn witness_epochs() {
                    $crate::settle::witness_epochs(
                        || {
                            let guard = $($c)::+::Guard::new();
                            guard.accelerate();
                            guard
                        },
                        |guard| guard.epoch(),
                        $crate::settle::SDD_EPOCHS,
                    )
                }
                witness_epochs as fn()
            }]
            $($($rest)*)?)
    };
    (@acc [$($o:expr),*] [$($p:expr),*] [$($a:expr),*] crossbeam_epoch: $($c:ident)::+ $(, $($rest:tt)*)?) => {
        $crate::settle!(@acc
            [$($o,)* {
                /// Creates the default collector.
                fn create_collector() {
                    let _ = $($c)::+::default_collector();
                }
                create_collector as fn()
            }]
            [$($p,)* {
                /// Registers the calling thread with the default collector.
                fn register_thread() {
                    ::core::mem::drop($($c)::+::pin());
                }
                register_thread as fn()
            }]
            [$($a,)* {
                /// Moves this thread's deferred functions to the global queue and collects, repeatedly.
                fn flush() {
                    $crate::settle::repeat($crate::settle::FLUSHES, || $($c)::+::pin().flush())
                }
                flush as fn()
            }]
            $($($rest)*)?)
    };
    (@acc [$($o:expr),*] [$($p:expr),*] [$($a:expr),*] parking_lot_core: $($c:ident)::+ $(, $($rest:tt)*)?) => {
        $crate::settle!(@acc [$($o),*]
            [$($p,)* {
                /// Creates the calling thread's parking record (growing the process-wide table of
                /// parked threads if it needs to), without parking.
                fn register_thread() {
                    static KEY: u8 = 0;
                    // SAFETY: `validate` returns false, so the thread never sleeps and is never
                    // queued; none of the callbacks panics or calls into parking_lot_core.
                    unsafe {
                        $($c)::+::park(
                            ::core::ptr::addr_of!(KEY) as usize,
                            || false,
                            || {},
                            |_, _| {},
                            $($c)::+::DEFAULT_PARK_TOKEN,
                            ::core::option::Option::None,
                        );
                    }
                }
                register_thread as fn()
            }]
            [$($a),*]
            $($($rest)*)?)
    };
    (@acc [$($o:expr),*] [$($p:expr),*] [$($a:expr),*] $other:ident : $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "mapcheck::settle!: no settle steps for `", ::core::stringify!($other),
            "`; the crates it knows are sdd, crossbeam_epoch and parking_lot_core (write other steps as functions)"
        ))
    };
    ($($rest:tt)*) => {
        $crate::settle!(@acc [] [] [] $($rest)*)
    };
}

/// Structures whose [`Settle::once`] has run in this process.
static DONE: Mutex<Option<HashSet<TypeId>>> = Mutex::new(None);

/// Runs `settle.once` for structure `key` unless it already ran in this process, then
/// `settle.per_thread` on the calling thread, both outside allocation tracking. Concurrent callers
/// for the same structure wait for the first. The error is the message of a step that panicked.
pub(crate) fn prepare(key: TypeId, settle: &Settle) -> Result<(), String> {
    crate::alloc::untracked(|| {
        if !settle.once.is_empty() {
            let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
            if !done.get_or_insert_with(HashSet::new).contains(&key) {
                steps(settle.once, "once")?;
                done.get_or_insert_with(HashSet::new).insert(key);
            }
        }
        steps(settle.per_thread, "per-thread")
    })
}

/// Runs `settle.after_drop` on the calling thread, outside allocation tracking.
pub(crate) fn after_drop(settle: &Settle) -> Result<(), String> {
    crate::alloc::untracked(|| steps(settle.after_drop, "after-drop"))
}

/// Runs declared steps in order; a panic stops them and comes back as the message of a failure
/// that names the step, so that a broken declaration is reported rather than hidden.
fn steps(fs: &[fn()], which: &str) -> Result<(), String> {
    for f in fs {
        std::panic::catch_unwind(f).map_err(|p| {
            format!(
                "the structure's declared {which} settle step panicked: {}",
                crate::quiet::payload_message(&*p)
            )
        })?;
    }
    Ok(())
}
