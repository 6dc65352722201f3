//! The shuttle runtime: randomised, PCT, DFS and replayed schedules with shuttle's primitives.

use shuttle::sync::atomic::{AtomicPtr, AtomicUsize};
use shuttle::sync::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Marker for shuttle 0.9 (random, PCT, DFS, replay).
pub struct Shuttle;

super::impl_atomic_ops!(AtomicUsize, AtomicPtr);

/// A cell whose every access is a shuttle scheduling point.
///
/// Shuttle runs one task at a time on one OS thread, so the accesses never overlap at the machine
/// level; the scheduling point is what lets shuttle interleave other tasks between the reads and
/// writes of an unsynchronised structure, which is where its races live.
pub struct ShuttleCell<T>(std::cell::UnsafeCell<T>);

impl super::Runtime for Shuttle {
    const NAME: &'static str = "shuttle";
    const KIND: super::RuntimeKind = super::RuntimeKind::Shuttle;
    const CHECKS_RACES: bool = true;

    super::impl_locks!(
        Mutex,
        MutexGuard,
        RwLock,
        RwLockReadGuard,
        RwLockWriteGuard,
        Condvar
    );

    type AtomicUsize = AtomicUsize;
    type AtomicPtr<T> = AtomicPtr<T>;
    type Arc<T: Send + Sync> = shuttle::sync::Arc<T>;
    type JoinHandle<T: Send + 'static> = shuttle::thread::JoinHandle<T>;
    type Cell<T> = ShuttleCell<T>;

    fn arc_new<T: Send + Sync>(v: T) -> Self::Arc<T> {
        shuttle::sync::Arc::new(v)
    }
    fn arc_ptr_eq<T: Send + Sync>(a: &Self::Arc<T>, b: &Self::Arc<T>) -> bool {
        shuttle::sync::Arc::ptr_eq(a, b)
    }
    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        shuttle::thread::spawn(f)
    }
    fn join<T: Send + 'static>(h: Self::JoinHandle<T>) -> std::thread::Result<T> {
        h.join()
    }
    fn yield_now() {
        shuttle::thread::yield_now()
    }
    fn cell_new<T>(v: T) -> Self::Cell<T> {
        ShuttleCell(std::cell::UnsafeCell::new(v))
    }
    fn cell_with<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&T) -> O) -> O {
        // A plain context switch (not `yield_now`, which tells the scheduler to deprioritise us).
        crate::alloc::untracked(|| shuttle::thread::sleep(std::time::Duration::ZERO));
        // SAFETY: shuttle runs exactly one task at a time and `f` contains no scheduling point, so
        // no other access to the cell is in progress while this reference lives.
        f(unsafe { &*c.0.get() })
    }
    fn cell_with_mut<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&mut T) -> O) -> O {
        crate::alloc::untracked(|| shuttle::thread::sleep(std::time::Duration::ZERO));
        // SAFETY: as for `cell_with`.
        f(unsafe { &mut *c.0.get() })
    }
    /// A draw from shuttle's generator, which the scheduler controls and the schedule records.
    fn draw(_fallback: u64) -> u64 {
        use shuttle::rand::RngCore;
        shuttle::rand::thread_rng().next_u64()
    }
}
