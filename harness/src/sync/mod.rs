//! Drop-in synchronisation types: `std::sync`'s shapes, run by loom, shuttle or std, whichever
//! engine is running the current execution.
//!
//! A map written against `std::sync` is checked by pointing its `use` lines here in test builds and
//! nowhere else, as loom's users do with `cfg(loom)` and shuttle's with `shuttle::sync`:
//!
//! ```
//! # mod example {
//! #[cfg(not(test))]
//! use std::sync::{Arc, Mutex};
//! #[cfg(test)]
//! use mapcheck_harness::sync::{Arc, Mutex};
//! # }
//! ```
//!
//! (From a map's own crate, `mapcheck::sync`, with `mapcheck` a dev-dependency.) Every type has the
//! std signature a map uses (`lock()` returns a `LockResult` to unwrap, atomics take an
//! `Ordering`), so the map's code does not change and its production build stays on std.
//!
//! Each value is built, when it is created, from the primitive of the runtime that runs the current
//! execution: loom's inside a loom exploration, shuttle's inside a shuttle one, std's otherwise (real
//! threads, and any code outside mapcheck). So loom, shuttle and real threads all run the same
//! compiled map in one test binary, from one `#[test]`, with no runtime type parameter. The price is
//! one match on a small tag per operation; `cargo xtask bench` measures it against std and against
//! the generic facade (`docs/performance.md`).
//!
//! What is not here, and why:
//! - `Arc` and `Weak` are std's own (as in `shuttle::sync`): reference counts are not scheduling
//!   points, and the leak oracle sees every allocation they make. `Arc::make_mut`, `into_raw`,
//!   unsized coercions all work as in std.
//! - `const fn new`: which runtime a value belongs to is decided when it is created, so a value in a
//!   `static` would belong to no execution. Keep statics on std (they are shared between runs).
//! - `UnsafeCell`: std's cannot be tracked and loom's has another interface; a map built on raw
//!   cells and atomics is checked through its atomics.
//!
//! **Architecture Invariant:** a value belongs to the runtime it was created under, for its whole
//! life. The engines mark the thread that runs a loom or shuttle exploration for the extent of the
//! exploration ([`enter`]); every model thread of that exploration runs on it.

mod atomic_types;
mod lock;
pub mod thread;

pub use lock::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, WaitTimeoutResult};
pub use std::sync::{Arc, LockResult, PoisonError, TryLockError, TryLockResult, Weak};

/// Atomic types shaped as `std::sync::atomic`'s.
pub mod atomic {
    pub use super::atomic_types::{
        fence, AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr, AtomicU16,
        AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
    };
    pub use std::sync::atomic::{compiler_fence, Ordering};
}

/// `std::hint`'s spin-loop hint: under loom and shuttle a spinning thread must yield, or the
/// exploration would spin for ever on one schedule.
pub mod hint {
    /// A spin-loop hint; a yield to the scheduler under loom and shuttle.
    pub fn spin_loop() {
        match super::current() {
            crate::rt::RuntimeKind::Std => std::hint::spin_loop(),
            _ => super::thread::yield_now(),
        }
    }
}

use crate::rt::RuntimeKind;
use std::cell::Cell;

thread_local! {
    static CURRENT: Cell<RuntimeKind> = const { Cell::new(RuntimeKind::Std) };
    static CREATED: Cell<u64> = const { Cell::new(0) };
}

/// The runtime that new drop-in values on this thread are built with.
pub fn current() -> RuntimeKind {
    CURRENT.with(Cell::get)
}

/// Marks this thread as running `kind`'s executions until the returned guard is dropped. The loom
/// and shuttle engines hold one for the extent of an exploration.
pub fn enter(kind: RuntimeKind) -> Entered {
    Entered(CURRENT.with(|c| c.replace(kind)))
}

/// Puts back the runtime a thread ran before [`enter`].
pub struct Entered(RuntimeKind);

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0))
    }
}

/// How many drop-in values this thread has created; the engines read it to tell a map that uses
/// them from one whose synchronisation loom and shuttle cannot see.
pub fn created() -> u64 {
    CREATED.with(Cell::get)
}

/// The runtime a value being created now belongs to, counted.
fn creating() -> RuntimeKind {
    CREATED.with(|c| c.set(c.get().wrapping_add(1)));
    current()
}

/// The panic of a value used with one from another runtime: it was created in another execution
/// (kept in a `static`, or carried from one run to the next).
#[cold]
#[track_caller]
fn mixed(what: &str) -> ! {
    panic!(
        "mapcheck::sync: a {what} created under one runtime was used with one created under another; \
         a drop-in value belongs to the execution that created it (keep statics on std types)"
    )
}

#[cfg(test)]
mod tests {
    use super::atomic::{AtomicUsize, Ordering};
    use super::*;

    #[test]
    fn values_belong_to_the_runtime_they_were_created_under() {
        assert_eq!(current(), RuntimeKind::Std);
        let before = created();
        let m = Mutex::new(1);
        assert_eq!(created(), before + 1);
        *m.lock().unwrap() += 1;
        assert_eq!(*m.lock().unwrap(), 2);
        let a = AtomicUsize::new(3);
        assert_eq!(a.fetch_add(1, Ordering::SeqCst), 3);
        loom::model(|| {
            let _e = enter(RuntimeKind::Loom);
            let m = Arc::new(Mutex::new(0));
            let m2 = m.clone();
            let t = thread::spawn(move || *m2.lock().unwrap() += 1);
            *m.lock().unwrap() += 1;
            t.join().unwrap();
            assert_eq!(*m.lock().unwrap(), 2);
        });
        assert_eq!(current(), RuntimeKind::Std, "the mark is put back");
    }

    /// loom sees the drop-in atomics: a lost update between two threads is found.
    #[test]
    fn loom_explores_the_drop_in_atomics() {
        static LOST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        loom::model(|| {
            let _e = enter(RuntimeKind::Loom);
            let a = Arc::new(AtomicUsize::new(0));
            let b = a.clone();
            let t = thread::spawn(move || {
                let v = b.load(Ordering::SeqCst);
                b.store(v + 1, Ordering::SeqCst);
            });
            let v = a.load(Ordering::SeqCst);
            a.store(v + 1, Ordering::SeqCst);
            t.join().unwrap();
            if a.load(Ordering::SeqCst) == 1 {
                LOST.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        });
        assert!(
            LOST.load(std::sync::atomic::Ordering::SeqCst),
            "loom interleaved the load and store"
        );
    }

    #[test]
    fn shuttle_explores_the_drop_in_locks() {
        static BOTH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        shuttle::check_random(
            || {
                let _e = enter(RuntimeKind::Shuttle);
                let l = Arc::new(RwLock::new(Vec::new()));
                let l2 = l.clone();
                let t = thread::spawn(move || l2.write().unwrap().push(1));
                l.write().unwrap().push(2);
                t.join().unwrap();
                if l.read().unwrap()[0] == 1 {
                    BOTH.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            },
            100,
        );
        let n = BOTH.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            n > 0 && n < 100,
            "shuttle ran both orders: {n} of 100 put the thread first"
        );
    }
}
