//! The std runtime: real OS threads, for stress runs and for structures without the facade.

use std::sync::atomic::{AtomicPtr, AtomicUsize};
use std::sync::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Marker for real OS threads and `std::sync`.
pub struct Std;

super::impl_atomic_ops!(AtomicUsize, AtomicPtr);

/// A cell guarded by a lock taken with `try_lock`: an overlapping access panics with
/// "unsynchronised concurrent access" instead of being undefined behaviour.
pub struct StdCell<T>(Mutex<T>);

fn cell_lock<T>(c: &StdCell<T>) -> MutexGuard<'_, T> {
    match c.0.try_lock() {
        Ok(g) => g,
        Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => {
            panic!("unsynchronised concurrent access to a RaceCell on real threads")
        }
    }
}

impl super::Runtime for Std {
    const NAME: &'static str = "threads";
    const KIND: super::RuntimeKind = super::RuntimeKind::Std;
    const CHECKS_RACES: bool = false;

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
    type Arc<T: Send + Sync> = std::sync::Arc<T>;
    type JoinHandle<T: Send + 'static> = std::thread::JoinHandle<T>;
    type Cell<T> = StdCell<T>;

    fn arc_new<T: Send + Sync>(v: T) -> Self::Arc<T> {
        std::sync::Arc::new(v)
    }
    fn arc_ptr_eq<T: Send + Sync>(a: &Self::Arc<T>, b: &Self::Arc<T>) -> bool {
        std::sync::Arc::ptr_eq(a, b)
    }
    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        std::thread::spawn(f)
    }
    fn join<T: Send + 'static>(h: Self::JoinHandle<T>) -> std::thread::Result<T> {
        h.join()
    }
    fn yield_now() {
        std::thread::yield_now()
    }
    fn cell_new<T>(v: T) -> Self::Cell<T> {
        StdCell(Mutex::new(v))
    }
    fn cell_with<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&T) -> O) -> O {
        f(&cell_lock(c))
    }
    fn cell_with_mut<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&mut T) -> O) -> O {
        f(&mut cell_lock(c))
    }
}
