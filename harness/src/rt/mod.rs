//! The runtime facade: the sync primitives structures are written against, once, for loom, shuttle and std.
//!
//! A structure is generic over `R: Runtime` and names its primitives through the wrapper types in
//! this module (`Mutex<R, T>`, `RwLock<R, T>`, `AtomicUsize<R>`, `AtomicPtr<R, T>`, `Arc<R, T>`,
//! `Condvar<R>`, `RaceCell<R, T>`, [`spawn`], [`yield_now`], [`draw`]). Each runtime is a zero-sized marker
//! type ([`Loom`], [`Shuttle`], [`Std`]) whose associated types are that library's primitives. The
//! three instantiations are ordinary monomorphisations, so loom, shuttle and std threads run the same
//! source in one binary with no `cfg` switch.
//!
//! **Architecture Invariant:** nothing outside this module names `loom::`, `shuttle::` or
//! `std::sync` primitives for a structure's own state. Bookkeeping that must stay invisible to the
//! model checker (history order, footprint counters) uses `std::sync::atomic` on purpose.

mod loom_rt;
mod shuttle_rt;
mod std_rt;

pub use loom_rt::Loom;
pub use shuttle_rt::Shuttle;
pub use std_rt::Std;

use std::ops::{Deref, DerefMut};
pub use std::sync::atomic::Ordering;

/// Operations on a runtime's `usize` atomic, mirroring `std::sync::atomic::AtomicUsize`.
pub trait AtomicUsizeOps: Send + Sync {
    fn new(v: usize) -> Self;
    fn load(&self, order: Ordering) -> usize;
    fn store(&self, v: usize, order: Ordering);
    fn swap(&self, v: usize, order: Ordering) -> usize;
    fn compare_exchange(
        &self,
        current: usize,
        new: usize,
        success: Ordering,
        failure: Ordering,
    ) -> Result<usize, usize>;
    fn fetch_add(&self, v: usize, order: Ordering) -> usize;
    fn fetch_sub(&self, v: usize, order: Ordering) -> usize;
}

/// Operations on a runtime's pointer atomic, mirroring `std::sync::atomic::AtomicPtr`.
pub trait AtomicPtrOps<T>: Send + Sync {
    fn new(p: *mut T) -> Self;
    fn load(&self, order: Ordering) -> *mut T;
    fn store(&self, p: *mut T, order: Ordering);
    fn swap(&self, p: *mut T, order: Ordering) -> *mut T;
    fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T>;
}

/// One execution environment for structures: loom, shuttle or std threads.
///
/// The associated types are the environment's own primitives; the free functions are the few
/// operations that cannot be written as methods on those types without naming the library.
pub trait Runtime: Sized + Send + Sync + 'static {
    /// Short name used in reports and replay tokens: `loom`, `shuttle` or `threads`.
    const NAME: &'static str;
    /// Which of the three this is, as a value (the drop-in types of [`crate::sync`] dispatch on it).
    const KIND: RuntimeKind;
    /// Whether [`RaceCell`] accesses are checked by the runtime (a data race is reported instead of
    /// being undefined behaviour). Structures that are unsynchronised on purpose only run where this
    /// is true.
    const CHECKS_RACES: bool;

    type Mutex<T: Send>: Send + Sync;
    type MutexGuard<'a, T: Send + 'a>: DerefMut<Target = T>;
    type RwLock<T: Send + Sync>: Send + Sync;
    type ReadGuard<'a, T: Send + Sync + 'a>: Deref<Target = T>;
    type WriteGuard<'a, T: Send + Sync + 'a>: DerefMut<Target = T>;
    type Condvar: Send + Sync;
    type AtomicUsize: AtomicUsizeOps;
    type AtomicPtr<T>: AtomicPtrOps<T>;
    type Arc<T: Send + Sync>: Clone + Deref<Target = T> + Send + Sync;
    type JoinHandle<T: Send + 'static>: Send;
    type Cell<T>;

    fn mutex_new<T: Send>(v: T) -> Self::Mutex<T>;
    fn mutex_lock<T: Send>(m: &Self::Mutex<T>) -> Self::MutexGuard<'_, T>;
    fn rwlock_new<T: Send + Sync>(v: T) -> Self::RwLock<T>;
    fn rwlock_read<T: Send + Sync>(l: &Self::RwLock<T>) -> Self::ReadGuard<'_, T>;
    fn rwlock_write<T: Send + Sync>(l: &Self::RwLock<T>) -> Self::WriteGuard<'_, T>;
    fn condvar_new() -> Self::Condvar;
    fn condvar_wait<'a, T: Send>(c: &Self::Condvar, g: Self::MutexGuard<'a, T>) -> Self::MutexGuard<'a, T>;
    fn condvar_notify_all(c: &Self::Condvar);
    fn arc_new<T: Send + Sync>(v: T) -> Self::Arc<T>;
    fn arc_ptr_eq<T: Send + Sync>(a: &Self::Arc<T>, b: &Self::Arc<T>) -> bool;
    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;
    fn join<T: Send + 'static>(h: Self::JoinHandle<T>) -> std::thread::Result<T>;
    fn yield_now();
    fn cell_new<T>(v: T) -> Self::Cell<T>;
    /// Reads through the cell; the runtime checks the access for races where it can.
    fn cell_with<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&T) -> O) -> O;
    /// Writes through the cell; the runtime checks the access for races where it can.
    fn cell_with_mut<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&mut T) -> O) -> O;
    /// Called by the history recorder at every position it takes in the run's global order (an
    /// invocation, a return, a visit), with no scheduling point in between, so that an operation
    /// recorded after another's return is ordered after it by the runtime too. Only loom needs it
    /// (a `SeqCst` fence; see `history.rs`); shuttle's executions are sequentially consistent, and
    /// on real threads the recorder adds no synchronisation.
    fn history_point() {}
    /// A random draw made by the engine (see [`draw`]); by default `fallback` itself.
    fn draw(fallback: u64) -> u64 {
        fallback
    }
}

/// The three runtimes as a value: what the drop-in types of [`crate::sync`] build their primitive
/// with, chosen when each is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuntimeKind {
    Loom,
    Shuttle,
    Std,
}

/// A lock guard of any runtime. Dropping it releases the lock, which under loom and shuttle is a
/// scheduling point, so the release runs outside the structure's allocation scope (see `alloc`).
///
/// While a loom or shuttle execution unwinds (a deadlock or a failure stopped it), the guard is not
/// released: the model checker is tearing the execution down, and a lock operation then would panic
/// inside a panic, which aborts the process.
pub struct Guard<G>(std::mem::ManuallyDrop<G>, bool);

impl<G> Guard<G> {
    pub(crate) fn new<R: Runtime>(g: G) -> Self {
        Guard(std::mem::ManuallyDrop::new(g), R::CHECKS_RACES)
    }
    pub(crate) fn into_inner(self) -> G {
        let mut me = std::mem::ManuallyDrop::new(self);
        // SAFETY: `me` is never used or dropped again, so the guard is moved out exactly once.
        unsafe { std::mem::ManuallyDrop::take(&mut me.0) }
    }
}

impl<G: Deref> Deref for Guard<G> {
    type Target = G::Target;
    fn deref(&self) -> &G::Target {
        &self.0
    }
}

impl<G: DerefMut> DerefMut for Guard<G> {
    fn deref_mut(&mut self) -> &mut G::Target {
        &mut self.0
    }
}

impl<G> Drop for Guard<G> {
    fn drop(&mut self) {
        if self.1 && std::thread::panicking() {
            return;
        }
        // SAFETY: `drop` runs once and the guard is not used afterwards.
        crate::alloc::untracked(|| unsafe { std::mem::ManuallyDrop::drop(&mut self.0) })
    }
}

/// The guard of a locked [`Mutex`].
pub type MutexGuard<'a, R, T> = Guard<<R as Runtime>::MutexGuard<'a, T>>;

/// A mutual-exclusion lock of runtime `R`.
pub struct Mutex<R: Runtime, T: Send>(R::Mutex<T>);

impl<R: Runtime, T: Send> Mutex<R, T> {
    pub fn new(v: T) -> Self {
        Mutex(R::mutex_new(v))
    }
    /// Locks, ignoring poisoning: a panic in another thread is reported by the liveness oracle.
    pub fn lock(&self) -> MutexGuard<'_, R, T> {
        Guard::new::<R>(R::mutex_lock(&self.0))
    }
}

/// A reader-writer lock of runtime `R`.
pub struct RwLock<R: Runtime, T: Send + Sync>(R::RwLock<T>);

impl<R: Runtime, T: Send + Sync> RwLock<R, T> {
    pub fn new(v: T) -> Self {
        RwLock(R::rwlock_new(v))
    }
    pub fn read(&self) -> Guard<R::ReadGuard<'_, T>> {
        Guard::new::<R>(R::rwlock_read(&self.0))
    }
    pub fn write(&self) -> Guard<R::WriteGuard<'_, T>> {
        Guard::new::<R>(R::rwlock_write(&self.0))
    }
}

/// A condition variable of runtime `R`, used with [`Mutex`].
pub struct Condvar<R: Runtime>(R::Condvar);

impl<R: Runtime> Condvar<R> {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Condvar(R::condvar_new())
    }
    pub fn wait<'a, T: Send>(&self, g: MutexGuard<'a, R, T>) -> MutexGuard<'a, R, T> {
        Guard::new::<R>(R::condvar_wait(&self.0, g.into_inner()))
    }
    pub fn notify_all(&self) {
        R::condvar_notify_all(&self.0)
    }
}

/// A `usize` atomic of runtime `R`.
pub struct AtomicUsize<R: Runtime>(R::AtomicUsize);

impl<R: Runtime> AtomicUsize<R> {
    pub fn new(v: usize) -> Self {
        AtomicUsize(AtomicUsizeOps::new(v))
    }
}

impl<R: Runtime> Deref for AtomicUsize<R> {
    type Target = R::AtomicUsize;
    fn deref(&self) -> &R::AtomicUsize {
        &self.0
    }
}

/// A pointer atomic of runtime `R`.
pub struct AtomicPtr<R: Runtime, T>(R::AtomicPtr<T>);

impl<R: Runtime, T> AtomicPtr<R, T> {
    pub fn new(p: *mut T) -> Self {
        AtomicPtr(AtomicPtrOps::new(p))
    }
}

impl<R: Runtime, T> Deref for AtomicPtr<R, T> {
    type Target = R::AtomicPtr<T>;
    fn deref(&self) -> &R::AtomicPtr<T> {
        &self.0
    }
}

/// A reference-counted pointer of runtime `R` (loom checks it for leaks). Loom records clones and
/// drops in its own store, so they run outside the structure's allocation scope; what the value
/// itself frees is still seen, because frees are tracked whatever the scope.
pub struct Arc<R: Runtime, T: Send + Sync>(std::mem::ManuallyDrop<R::Arc<T>>);

impl<R: Runtime, T: Send + Sync> Arc<R, T> {
    pub fn new(v: T) -> Self {
        Arc(std::mem::ManuallyDrop::new(R::arc_new(v)))
    }
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        R::arc_ptr_eq(&a.0, &b.0)
    }
}

impl<R: Runtime, T: Send + Sync> Clone for Arc<R, T> {
    fn clone(&self) -> Self {
        Arc(std::mem::ManuallyDrop::new(crate::alloc::untracked(|| {
            (*self.0).clone()
        })))
    }
}

impl<R: Runtime, T: Send + Sync> Drop for Arc<R, T> {
    fn drop(&mut self) {
        // As for lock guards: no model-checker operation while an execution is being torn down.
        if R::CHECKS_RACES && std::thread::panicking() {
            return;
        }
        // SAFETY: `drop` runs once and the pointer is not used afterwards.
        crate::alloc::untracked(|| unsafe { std::mem::ManuallyDrop::drop(&mut self.0) })
    }
}

impl<R: Runtime, T: Send + Sync> Deref for Arc<R, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A thread of runtime `R`.
pub struct JoinHandle<R: Runtime, T: Send + 'static>(R::JoinHandle<T>);

impl<R: Runtime, T: Send + 'static> JoinHandle<R, T> {
    pub fn join(self) -> std::thread::Result<T> {
        crate::alloc::untracked(|| R::join(self.0))
    }
}

/// Spawns a thread of runtime `R`. A thread started by a structure inherits its allocation scope
/// and is counted by the leak oracle until its body returns.
pub fn spawn<R: Runtime, T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> JoinHandle<R, T> {
    let scope = crate::alloc::inherit();
    crate::alloc::thread_started(scope);
    JoinHandle(crate::alloc::untracked(|| {
        R::spawn(move || crate::alloc::thread_body(scope, f))
    }))
}

/// [`spawn`] for a std thread started by the caller's `start` (a named or sized
/// `std::thread::Builder`); `start`'s error when the operating system refuses the thread.
pub(crate) fn spawn_with<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
    start: impl FnOnce(Box<dyn FnOnce() -> T + Send>) -> std::io::Result<std::thread::JoinHandle<T>>,
) -> std::io::Result<JoinHandle<Std, T>> {
    let scope = crate::alloc::inherit();
    crate::alloc::thread_started(scope);
    match crate::alloc::untracked(|| start(Box::new(move || crate::alloc::thread_body(scope, f)))) {
        Ok(h) => Ok(JoinHandle(h)),
        Err(e) => {
            // The thread never ran: count it stopped.
            crate::alloc::thread_body(scope, || ());
            Err(e)
        }
    }
}

/// Yields to the scheduler (a spin-loop hint under loom and shuttle).
pub fn yield_now<R: Runtime>() {
    crate::alloc::untracked(R::yield_now)
}

/// A random 64-bit draw for a structure that randomises on purpose (Go's map starts each iteration
/// at a random bucket and offset), taken from the engine's own randomness so that a replay makes
/// the same draw.
///
/// Under shuttle it is a draw from shuttle's generator: the scheduler makes it, and the recorded
/// schedule holds it (an `r` step), so random, PCT and fuzzer-driven schedules explore different
/// draws and a replay repeats each one; the depth-first scheduler answers every execution's draws
/// from one fixed seed, so its search is exhaustive over interleavings for those draws. Loom has no choice primitive (an exploration must be a
/// deterministic function of its schedule), and a sequential or real-thread run must stay
/// reproducible from its input, so there the draw is `fallback`: the caller derives it from its
/// own state (for Go's map, the entry count and table size at the start of the iteration), which
/// differs between interleavings and replays exactly.
pub fn draw<R: Runtime>(fallback: u64) -> u64 {
    crate::alloc::untracked(|| R::draw(fallback))
}

/// An unsynchronised cell: a structure that shares one across threads without a lock is racy on
/// purpose, and the runtime must catch it.
///
/// Under loom it is `loom::cell::UnsafeCell`, whose causality checker reports the data race.
/// Under shuttle every access is a scheduling point, so interleavings inside a structure's
/// unsynchronised code are explored (shuttle runs one task at a time, so no access overlaps
/// another at the machine level). Under std threads it is backed by a lock taken with `try_lock`,
/// so an overlapping access panics with "unsynchronised concurrent access" instead of being
/// undefined behaviour; unsynchronised structures are not run on real threads anyway.
pub struct RaceCell<R: Runtime, T>(R::Cell<T>);

// SAFETY: every runtime's `Cell` either serialises access (shuttle runs one task at a time, std
// guards each access with a try-lock) or checks it and panics on a race (loom). A value inside is
// only ever touched from inside `with`/`with_mut`, so moving or sharing the cell between threads
// cannot expose unsynchronised access to safe code.
unsafe impl<R: Runtime, T: Send> Sync for RaceCell<R, T> {}
unsafe impl<R: Runtime, T: Send> Send for RaceCell<R, T> {}

impl<R: Runtime, T> RaceCell<R, T> {
    pub fn new(v: T) -> Self {
        RaceCell(R::cell_new(v))
    }
    pub fn with<O>(&self, f: impl FnOnce(&T) -> O) -> O {
        R::cell_with(&self.0, f)
    }
    pub fn with_mut<O>(&self, f: impl FnOnce(&mut T) -> O) -> O {
        R::cell_with_mut(&self.0, f)
    }
    /// Reads a copy of the value.
    pub fn get(&self) -> T
    where
        T: Copy,
    {
        self.with(|v| *v)
    }
    /// Overwrites the value.
    pub fn set(&self, v: T) {
        self.with_mut(|slot| *slot = v)
    }
}

macro_rules! impl_atomic_ops {
    ($usize:ty, $ptr:ident) => {
        impl $crate::rt::AtomicUsizeOps for $usize {
            fn new(v: usize) -> Self {
                $crate::alloc::untracked(|| <$usize>::new(v))
            }
            fn load(&self, o: $crate::rt::Ordering) -> usize {
                $crate::alloc::untracked(|| <$usize>::load(self, o))
            }
            fn store(&self, v: usize, o: $crate::rt::Ordering) {
                $crate::alloc::untracked(|| <$usize>::store(self, v, o))
            }
            fn swap(&self, v: usize, o: $crate::rt::Ordering) -> usize {
                $crate::alloc::untracked(|| <$usize>::swap(self, v, o))
            }
            fn compare_exchange(
                &self,
                c: usize,
                n: usize,
                s: $crate::rt::Ordering,
                f: $crate::rt::Ordering,
            ) -> Result<usize, usize> {
                $crate::alloc::untracked(|| <$usize>::compare_exchange(self, c, n, s, f))
            }
            fn fetch_add(&self, v: usize, o: $crate::rt::Ordering) -> usize {
                $crate::alloc::untracked(|| <$usize>::fetch_add(self, v, o))
            }
            fn fetch_sub(&self, v: usize, o: $crate::rt::Ordering) -> usize {
                $crate::alloc::untracked(|| <$usize>::fetch_sub(self, v, o))
            }
        }
        impl<T> $crate::rt::AtomicPtrOps<T> for $ptr<T> {
            fn new(p: *mut T) -> Self {
                $crate::alloc::untracked(|| $ptr::new(p))
            }
            fn load(&self, o: $crate::rt::Ordering) -> *mut T {
                $crate::alloc::untracked(|| $ptr::load(self, o))
            }
            fn store(&self, p: *mut T, o: $crate::rt::Ordering) {
                $crate::alloc::untracked(|| $ptr::store(self, p, o))
            }
            fn swap(&self, p: *mut T, o: $crate::rt::Ordering) -> *mut T {
                $crate::alloc::untracked(|| $ptr::swap(self, p, o))
            }
            fn compare_exchange(
                &self,
                c: *mut T,
                n: *mut T,
                s: $crate::rt::Ordering,
                f: $crate::rt::Ordering,
            ) -> Result<*mut T, *mut T> {
                $crate::alloc::untracked(|| $ptr::compare_exchange(self, c, n, s, f))
            }
        }
    };
}
pub(crate) use impl_atomic_ops;

macro_rules! impl_locks {
    ($m:ident, $mg:ident, $rw:ident, $rg:ident, $wg:ident, $cv:ident) => {
        type Mutex<T: Send> = $m<T>;
        type MutexGuard<'a, T: Send + 'a> = $mg<'a, T>;
        type RwLock<T: Send + Sync> = $rw<T>;
        type ReadGuard<'a, T: Send + Sync + 'a> = $rg<'a, T>;
        type WriteGuard<'a, T: Send + Sync + 'a> = $wg<'a, T>;
        type Condvar = $cv;

        fn mutex_new<T: Send>(v: T) -> $m<T> {
            $crate::alloc::untracked(|| $m::new(v))
        }
        fn mutex_lock<T: Send>(m: &$m<T>) -> $mg<'_, T> {
            $crate::alloc::untracked(|| m.lock().unwrap_or_else(|e| e.into_inner()))
        }
        fn rwlock_new<T: Send + Sync>(v: T) -> $rw<T> {
            $crate::alloc::untracked(|| $rw::new(v))
        }
        fn rwlock_read<T: Send + Sync>(l: &$rw<T>) -> $rg<'_, T> {
            $crate::alloc::untracked(|| l.read().unwrap_or_else(|e| e.into_inner()))
        }
        fn rwlock_write<T: Send + Sync>(l: &$rw<T>) -> $wg<'_, T> {
            $crate::alloc::untracked(|| l.write().unwrap_or_else(|e| e.into_inner()))
        }
        fn condvar_new() -> $cv {
            $crate::alloc::untracked(|| $cv::new())
        }
        fn condvar_wait<'a, T: Send>(
            c: &Self::Condvar,
            g: Self::MutexGuard<'a, T>,
        ) -> Self::MutexGuard<'a, T> {
            $crate::alloc::untracked(|| c.wait(g).unwrap_or_else(|e| e.into_inner()))
        }
        fn condvar_notify_all(c: &$cv) {
            $crate::alloc::untracked(|| c.notify_all())
        }
    };
}
pub(crate) use impl_locks;
