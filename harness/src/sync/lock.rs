//! The drop-in `Mutex`, `RwLock` and `Condvar`: std's signatures, each value loom's, shuttle's or
//! std's primitive by the runtime it was created under.
//!
//! Under loom and shuttle a lock operation is a call into the model checker, made outside the
//! structure's allocation scope (the checker's own bookkeeping is not the map's memory), and a guard
//! dropped while an execution is being torn down is not released (see `rt::Guard`). On std the
//! calls go straight to `std::sync`, poisoning included.

use super::{creating, mixed};
use crate::alloc::untracked;
use crate::rt::{Guard, Loom, RuntimeKind, Shuttle};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
use std::time::Duration;

/// A `LockResult` with its guard converted, poisoned or not.
#[inline]
fn map_lock<G, H>(r: LockResult<G>, f: impl FnOnce(G) -> H) -> LockResult<H> {
    match r {
        Ok(g) => Ok(f(g)),
        Err(p) => Err(PoisonError::new(f(p.into_inner()))),
    }
}

/// A `TryLockResult` with its guard converted.
#[inline]
fn map_try<G, H>(r: TryLockResult<G>, f: impl FnOnce(G) -> H) -> TryLockResult<H> {
    match r {
        Ok(g) => Ok(f(g)),
        Err(TryLockError::Poisoned(p)) => Err(TryLockError::Poisoned(PoisonError::new(f(p.into_inner())))),
        Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
    }
}

/// Defines a lock type over the three runtimes' primitives, with `new`, `Default`, `From`, `Debug`,
/// `get_mut` and `into_inner`.
macro_rules! lock_type {
    ($name:ident, $std:ty, $loom:ty, $shuttle:ty) => {
        pub struct $name<T> {
            inner: Inner<T>,
        }

        enum Inner<T> {
            Std($std),
            Loom($loom),
            Shuttle($shuttle),
        }

        impl<T> $name<T> {
            /// A new lock around `value`, of the runtime running the current execution.
            #[inline]
            pub fn new(value: T) -> Self {
                let inner = match creating() {
                    RuntimeKind::Std => Inner::Std(<$std>::new(value)),
                    RuntimeKind::Loom => Inner::Loom(untracked(|| <$loom>::new(value))),
                    RuntimeKind::Shuttle => Inner::Shuttle(untracked(|| <$shuttle>::new(value))),
                };
                $name { inner }
            }

            /// The value, with no locking: `self` is not shared.
            #[inline]
            pub fn get_mut(&mut self) -> LockResult<&mut T> {
                match &mut self.inner {
                    Inner::Std(l) => l.get_mut(),
                    Inner::Loom(l) => l.get_mut(),
                    Inner::Shuttle(l) => l.get_mut(),
                }
            }

            /// The value, consuming the lock.
            #[inline]
            pub fn into_inner(self) -> LockResult<T> {
                match self.inner {
                    Inner::Std(l) => l.into_inner(),
                    Inner::Loom(l) => untracked(|| l.into_inner()),
                    Inner::Shuttle(l) => untracked(|| l.into_inner()),
                }
            }
        }

        impl<T: Default> Default for $name<T> {
            fn default() -> Self {
                $name::new(T::default())
            }
        }

        impl<T> From<T> for $name<T> {
            fn from(value: T) -> Self {
                $name::new(value)
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

/// Defines a guard type over the three runtimes' guards, dereferencing to the locked value.
macro_rules! guard_type {
    ($name:ident, $inner:ident, $std:ident, $loom:ident, $shuttle:ident, $($mut:ident)?) => {
        pub struct $name<'a, T> {
            inner: $inner<'a, T>,
        }

        enum $inner<'a, T> {
            Std(std::sync::$std<'a, T>),
            Loom(Guard<loom::sync::$loom<'a, T>>),
            Shuttle(Guard<shuttle::sync::$shuttle<'a, T>>),
        }

        impl<T> Deref for $name<'_, T> {
            type Target = T;
            #[inline]
            fn deref(&self) -> &T {
                match &self.inner {
                    $inner::Std(g) => g,
                    $inner::Loom(g) => g,
                    $inner::Shuttle(g) => g,
                }
            }
        }

        $(
            impl<T> $mut for $name<'_, T> {
                #[inline]
                fn deref_mut(&mut self) -> &mut T {
                    match &mut self.inner {
                        $inner::Std(g) => g,
                        $inner::Loom(g) => g,
                        $inner::Shuttle(g) => g,
                    }
                }
            }
        )?

        impl<T: fmt::Debug> fmt::Debug for $name<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }
    };
}

lock_type!(
    Mutex,
    std::sync::Mutex<T>,
    loom::sync::Mutex<T>,
    shuttle::sync::Mutex<T>
);
guard_type!(
    MutexGuard,
    MutexGuardInner,
    MutexGuard,
    MutexGuard,
    MutexGuard,
    DerefMut
);

impl<T> Mutex<T> {
    /// Locks, blocking until the lock is free; `Err` when a thread panicked holding it (std's
    /// poisoning), with the guard inside.
    #[inline]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        match &self.inner {
            Inner::Std(m) => map_lock(m.lock(), MutexGuard::std),
            Inner::Loom(m) => map_lock(untracked(|| m.lock()), MutexGuard::loom),
            Inner::Shuttle(m) => map_lock(untracked(|| m.lock()), MutexGuard::shuttle),
        }
    }

    /// Locks if the lock is free.
    #[inline]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        match &self.inner {
            Inner::Std(m) => map_try(m.try_lock(), MutexGuard::std),
            Inner::Loom(m) => map_try(untracked(|| m.try_lock()), MutexGuard::loom),
            Inner::Shuttle(m) => map_try(untracked(|| m.try_lock()), MutexGuard::shuttle),
        }
    }
}

impl<'a, T> MutexGuard<'a, T> {
    #[inline]
    fn std(g: std::sync::MutexGuard<'a, T>) -> Self {
        MutexGuard {
            inner: MutexGuardInner::Std(g),
        }
    }
    #[inline]
    fn loom(g: loom::sync::MutexGuard<'a, T>) -> Self {
        MutexGuard {
            inner: MutexGuardInner::Loom(Guard::new::<Loom>(g)),
        }
    }
    #[inline]
    fn shuttle(g: shuttle::sync::MutexGuard<'a, T>) -> Self {
        MutexGuard {
            inner: MutexGuardInner::Shuttle(Guard::new::<Shuttle>(g)),
        }
    }
}

mod rw {
    //! The reader-writer lock lives in a module of its own: its `Inner` is not the mutex's.
    use super::*;

    lock_type!(
        RwLock,
        std::sync::RwLock<T>,
        loom::sync::RwLock<T>,
        shuttle::sync::RwLock<T>
    );
    guard_type!(
        RwLockReadGuard,
        ReadInner,
        RwLockReadGuard,
        RwLockReadGuard,
        RwLockReadGuard,
    );
    guard_type!(
        RwLockWriteGuard,
        WriteInner,
        RwLockWriteGuard,
        RwLockWriteGuard,
        RwLockWriteGuard,
        DerefMut
    );

    impl<T> RwLock<T> {
        /// Locks for reading, blocking while a writer holds it.
        #[inline]
        pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
            match &self.inner {
                Inner::Std(l) => map_lock(l.read(), |g| RwLockReadGuard {
                    inner: ReadInner::Std(g),
                }),
                Inner::Loom(l) => map_lock(untracked(|| l.read()), |g| RwLockReadGuard {
                    inner: ReadInner::Loom(Guard::new::<Loom>(g)),
                }),
                Inner::Shuttle(l) => map_lock(untracked(|| l.read()), |g| RwLockReadGuard {
                    inner: ReadInner::Shuttle(Guard::new::<Shuttle>(g)),
                }),
            }
        }

        /// Locks for writing, blocking while anyone holds it.
        #[inline]
        pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
            match &self.inner {
                Inner::Std(l) => map_lock(l.write(), |g| RwLockWriteGuard {
                    inner: WriteInner::Std(g),
                }),
                Inner::Loom(l) => map_lock(untracked(|| l.write()), |g| RwLockWriteGuard {
                    inner: WriteInner::Loom(Guard::new::<Loom>(g)),
                }),
                Inner::Shuttle(l) => map_lock(untracked(|| l.write()), |g| RwLockWriteGuard {
                    inner: WriteInner::Shuttle(Guard::new::<Shuttle>(g)),
                }),
            }
        }

        /// Locks for reading if no writer holds it.
        #[inline]
        pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
            match &self.inner {
                Inner::Std(l) => map_try(l.try_read(), |g| RwLockReadGuard {
                    inner: ReadInner::Std(g),
                }),
                Inner::Loom(l) => map_try(untracked(|| l.try_read()), |g| RwLockReadGuard {
                    inner: ReadInner::Loom(Guard::new::<Loom>(g)),
                }),
                Inner::Shuttle(l) => map_try(untracked(|| l.try_read()), |g| RwLockReadGuard {
                    inner: ReadInner::Shuttle(Guard::new::<Shuttle>(g)),
                }),
            }
        }

        /// Locks for writing if no one holds it.
        #[inline]
        pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
            match &self.inner {
                Inner::Std(l) => map_try(l.try_write(), |g| RwLockWriteGuard {
                    inner: WriteInner::Std(g),
                }),
                Inner::Loom(l) => map_try(untracked(|| l.try_write()), |g| RwLockWriteGuard {
                    inner: WriteInner::Loom(Guard::new::<Loom>(g)),
                }),
                Inner::Shuttle(l) => map_try(untracked(|| l.try_write()), |g| RwLockWriteGuard {
                    inner: WriteInner::Shuttle(Guard::new::<Shuttle>(g)),
                }),
            }
        }
    }
}

pub use rw::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A condition variable, used with [`Mutex`].
pub struct Condvar {
    inner: CondvarInner,
}

enum CondvarInner {
    Std(std::sync::Condvar),
    Loom(loom::sync::Condvar),
    Shuttle(shuttle::sync::Condvar),
}

/// Whether a timed wait returned because its time ran out (std's `WaitTimeoutResult`, which only
/// std can build).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    #[inline]
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl Condvar {
    #[inline]
    pub fn new() -> Condvar {
        let inner = match creating() {
            RuntimeKind::Std => CondvarInner::Std(std::sync::Condvar::new()),
            RuntimeKind::Loom => CondvarInner::Loom(untracked(loom::sync::Condvar::new)),
            RuntimeKind::Shuttle => CondvarInner::Shuttle(untracked(shuttle::sync::Condvar::new)),
        };
        Condvar { inner }
    }

    /// Releases the guard's lock, waits for a notification, and locks again.
    #[inline]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        match (&self.inner, guard.inner) {
            (CondvarInner::Std(c), MutexGuardInner::Std(g)) => map_lock(c.wait(g), MutexGuard::std),
            (CondvarInner::Loom(c), MutexGuardInner::Loom(g)) => {
                map_lock(untracked(|| c.wait(g.into_inner())), MutexGuard::loom)
            }
            (CondvarInner::Shuttle(c), MutexGuardInner::Shuttle(g)) => {
                map_lock(untracked(|| c.wait(g.into_inner())), MutexGuard::shuttle)
            }
            _ => mixed("Condvar"),
        }
    }

    /// Waits while `condition` holds for the locked value.
    #[inline]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    /// Waits for a notification or until `dur` has passed. Under loom and shuttle there is no clock:
    /// the wait may end at any scheduling point, as a timeout would, which the model checker explores.
    #[inline]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        match (&self.inner, guard.inner) {
            (CondvarInner::Std(c), MutexGuardInner::Std(g)) => map_lock(c.wait_timeout(g, dur), |(g, t)| {
                (MutexGuard::std(g), WaitTimeoutResult(t.timed_out()))
            }),
            (CondvarInner::Loom(c), MutexGuardInner::Loom(g)) => {
                map_lock(untracked(|| c.wait_timeout(g.into_inner(), dur)), |(g, t)| {
                    (MutexGuard::loom(g), WaitTimeoutResult(t.timed_out()))
                })
            }
            (CondvarInner::Shuttle(c), MutexGuardInner::Shuttle(g)) => {
                map_lock(untracked(|| c.wait_timeout(g.into_inner(), dur)), |(g, t)| {
                    (MutexGuard::shuttle(g), WaitTimeoutResult(t.timed_out()))
                })
            }
            _ => mixed("Condvar"),
        }
    }

    /// Wakes one waiting thread.
    #[inline]
    pub fn notify_one(&self) {
        match &self.inner {
            CondvarInner::Std(c) => c.notify_one(),
            CondvarInner::Loom(c) => untracked(|| c.notify_one()),
            CondvarInner::Shuttle(c) => untracked(|| c.notify_one()),
        }
    }

    /// Wakes every waiting thread.
    #[inline]
    pub fn notify_all(&self) {
        match &self.inner {
            CondvarInner::Std(c) => c.notify_all(),
            CondvarInner::Loom(c) => untracked(|| c.notify_all()),
            CondvarInner::Shuttle(c) => untracked(|| c.notify_all()),
        }
    }
}

impl Default for Condvar {
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
