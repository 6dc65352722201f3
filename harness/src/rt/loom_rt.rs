//! The loom runtime: exhaustive exploration with loom's primitives and its causality-checked cell.

use loom::sync::atomic::{AtomicPtr, AtomicUsize};
use loom::sync::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Marker for loom 0.7 (exhaustive, bounded by preemptions).
pub struct Loom;

super::impl_atomic_ops!(AtomicUsize, AtomicPtr);

impl super::Runtime for Loom {
    const NAME: &'static str = "loom";
    const KIND: super::RuntimeKind = super::RuntimeKind::Loom;
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
    type Arc<T: Send + Sync> = loom::sync::Arc<T>;
    type JoinHandle<T: Send + 'static> = loom::thread::JoinHandle<T>;
    type Cell<T> = loom::cell::UnsafeCell<T>;

    fn arc_new<T: Send + Sync>(v: T) -> Self::Arc<T> {
        // Loom registers the Arc in its own store; loom itself reports leaked Arcs.
        crate::alloc::untracked(|| loom::sync::Arc::new(v))
    }
    fn arc_ptr_eq<T: Send + Sync>(a: &Self::Arc<T>, b: &Self::Arc<T>) -> bool {
        loom::sync::Arc::ptr_eq(a, b)
    }
    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        loom::thread::spawn(f)
    }
    fn join<T: Send + 'static>(h: Self::JoinHandle<T>) -> std::thread::Result<T> {
        h.join()
    }
    fn yield_now() {
        loom::thread::yield_now()
    }
    /// A `SeqCst` fence: loom joins every `SeqCst` fence into one causality, in execution order,
    /// so a fence at one operation's return happens-before the fence at any later invocation.
    fn history_point() {
        crate::alloc::untracked(|| loom::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst))
    }
    fn cell_new<T>(v: T) -> Self::Cell<T> {
        crate::alloc::untracked(|| loom::cell::UnsafeCell::new(v))
    }
    fn cell_with<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&T) -> O) -> O {
        // SAFETY: loom tracks this access and panics on a causality violation (a data race)
        // before the pointer is used; otherwise no conflicting access is in flight.
        let scope = crate::alloc::inherit();
        crate::alloc::untracked(|| c.with(|p| crate::alloc::thread_body_scope(scope, || f(unsafe { &*p }))))
    }
    fn cell_with_mut<T, O>(c: &Self::Cell<T>, f: impl FnOnce(&mut T) -> O) -> O {
        // SAFETY: as for `cell_with`; loom checks the write access.
        let scope = crate::alloc::inherit();
        crate::alloc::untracked(|| {
            c.with_mut(|p| crate::alloc::thread_body_scope(scope, || f(unsafe { &mut *p })))
        })
    }
}
