//! The drop-in atomics: `std::sync::atomic`'s types and methods, each value loom's, shuttle's or
//! std's atomic by the runtime it was created under.
//!
//! Under loom and shuttle every access is a call into the model checker, made outside the
//! structure's allocation scope. `get_mut` is left out: loom's atomics cannot lend their value.

use super::creating;
use crate::alloc::untracked;
use crate::rt::RuntimeKind;
use std::fmt;
use std::sync::atomic::Ordering;

/// Calls `$method` on whichever atomic `$self` holds, through the model checker's scope guard
/// under loom and shuttle.
macro_rules! dispatch {
    ($self:expr, $inner:ident, $a:ident => $call:expr) => {
        match &$self.0 {
            $inner::Std($a) => $call,
            $inner::Loom($a) => untracked(|| $call),
            $inner::Shuttle($a) => untracked(|| $call),
        }
    };
}

/// Defines a drop-in atomic `$name` over `$t` with the methods every atomic has.
macro_rules! atomic_common {
    ($name:ident, $t:ty, $inner:ident, $($generic:ident)?) => {
        impl$(<$generic>)? $name$(<$generic>)? {
            /// A new atomic of the runtime running the current execution.
            #[inline]
            pub fn new(v: $t) -> Self {
                $name(match creating() {
                    RuntimeKind::Std => $inner::Std(std::sync::atomic::$name::new(v)),
                    RuntimeKind::Loom => $inner::Loom(untracked(|| loom::sync::atomic::$name::new(v))),
                    RuntimeKind::Shuttle => $inner::Shuttle(untracked(|| shuttle::sync::atomic::$name::new(v))),
                })
            }
            #[inline]
            pub fn load(&self, order: Ordering) -> $t {
                dispatch!(self, $inner, a => a.load(order))
            }
            #[inline]
            pub fn store(&self, v: $t, order: Ordering) {
                dispatch!(self, $inner, a => a.store(v, order))
            }
            #[inline]
            pub fn swap(&self, v: $t, order: Ordering) -> $t {
                dispatch!(self, $inner, a => a.swap(v, order))
            }
            #[inline]
            pub fn compare_exchange(&self, current: $t, new: $t, success: Ordering, failure: Ordering) -> Result<$t, $t> {
                dispatch!(self, $inner, a => a.compare_exchange(current, new, success, failure))
            }
            #[inline]
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                dispatch!(self, $inner, a => a.compare_exchange_weak(current, new, success, failure))
            }
            /// Applies `f` until the compare-and-exchange succeeds or `f` returns `None`, as std's.
            #[inline]
            pub fn fetch_update<F>(&self, set_order: Ordering, fetch_order: Ordering, mut f: F) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                let mut prev = self.load(fetch_order);
                while let Some(next) = f(prev) {
                    match self.compare_exchange_weak(prev, next, set_order, fetch_order) {
                        Ok(v) => return Ok(v),
                        Err(v) => prev = v,
                    }
                }
                Err(prev)
            }
            #[inline]
            pub fn into_inner(self) -> $t {
                match self.0 {
                    $inner::Std(a) => a.into_inner(),
                    $inner::Loom(a) => untracked(|| a.into_inner()),
                    $inner::Shuttle(a) => untracked(|| a.into_inner()),
                }
            }
        }

        impl$(<$generic>)? fmt::Debug for $name$(<$generic>)? {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
            }
        }

        impl$(<$generic>)? From<$t> for $name$(<$generic>)? {
            fn from(v: $t) -> Self {
                $name::new(v)
            }
        }
    };
}

/// Defines a drop-in integer atomic.
macro_rules! atomic_int {
    ($name:ident, $t:ty, $inner:ident) => {
        pub struct $name($inner);

        enum $inner {
            Std(std::sync::atomic::$name),
            Loom(loom::sync::atomic::$name),
            Shuttle(shuttle::sync::atomic::$name),
        }

        impl $name {
            #[inline]
            pub fn fetch_add(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_add(v, order),
                    |a| a.fetch_add(v, order),
                    |a| a.fetch_add(v, order),
                )
            }
            #[inline]
            pub fn fetch_sub(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_sub(v, order),
                    |a| a.fetch_sub(v, order),
                    |a| a.fetch_sub(v, order),
                )
            }
            #[inline]
            pub fn fetch_and(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_and(v, order),
                    |a| a.fetch_and(v, order),
                    |a| a.fetch_and(v, order),
                )
            }
            #[inline]
            pub fn fetch_nand(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_nand(v, order),
                    |a| a.fetch_nand(v, order),
                    |a| a.fetch_nand(v, order),
                )
            }
            #[inline]
            pub fn fetch_or(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_or(v, order),
                    |a| a.fetch_or(v, order),
                    |a| a.fetch_or(v, order),
                )
            }
            #[inline]
            pub fn fetch_xor(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_xor(v, order),
                    |a| a.fetch_xor(v, order),
                    |a| a.fetch_xor(v, order),
                )
            }
            #[inline]
            pub fn fetch_max(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_max(v, order),
                    |a| a.fetch_max(v, order),
                    |a| a.fetch_max(v, order),
                )
            }
            #[inline]
            pub fn fetch_min(&self, v: $t, order: Ordering) -> $t {
                self.dispatch(
                    |a| a.fetch_min(v, order),
                    |a| a.fetch_min(v, order),
                    |a| a.fetch_min(v, order),
                )
            }

            #[inline]
            fn dispatch(
                &self,
                s: impl FnOnce(&std::sync::atomic::$name) -> $t,
                l: impl FnOnce(&loom::sync::atomic::$name) -> $t,
                h: impl FnOnce(&shuttle::sync::atomic::$name) -> $t,
            ) -> $t {
                match &self.0 {
                    $inner::Std(a) => s(a),
                    $inner::Loom(a) => untracked(|| l(a)),
                    $inner::Shuttle(a) => untracked(|| h(a)),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new(0)
            }
        }

        atomic_common!($name, $t, $inner,);
    };
}

atomic_int!(AtomicUsize, usize, AtomicUsizeInner);
atomic_int!(AtomicIsize, isize, AtomicIsizeInner);
atomic_int!(AtomicU8, u8, AtomicU8Inner);
atomic_int!(AtomicU16, u16, AtomicU16Inner);
atomic_int!(AtomicU32, u32, AtomicU32Inner);
atomic_int!(AtomicU64, u64, AtomicU64Inner);
atomic_int!(AtomicI8, i8, AtomicI8Inner);
atomic_int!(AtomicI16, i16, AtomicI16Inner);
atomic_int!(AtomicI32, i32, AtomicI32Inner);
atomic_int!(AtomicI64, i64, AtomicI64Inner);

/// A boolean atomic.
pub struct AtomicBool(AtomicBoolInner);

enum AtomicBoolInner {
    Std(std::sync::atomic::AtomicBool),
    Loom(loom::sync::atomic::AtomicBool),
    Shuttle(shuttle::sync::atomic::AtomicBool),
}

atomic_common!(AtomicBool, bool, AtomicBoolInner,);

impl AtomicBool {
    #[inline]
    pub fn fetch_and(&self, v: bool, order: Ordering) -> bool {
        self.bits(
            |a| a.fetch_and(v, order),
            |a| a.fetch_and(v, order),
            |a| a.fetch_and(v, order),
        )
    }
    #[inline]
    pub fn fetch_nand(&self, v: bool, order: Ordering) -> bool {
        self.bits(
            |a| a.fetch_nand(v, order),
            |a| a.fetch_nand(v, order),
            |a| a.fetch_nand(v, order),
        )
    }
    #[inline]
    pub fn fetch_or(&self, v: bool, order: Ordering) -> bool {
        self.bits(
            |a| a.fetch_or(v, order),
            |a| a.fetch_or(v, order),
            |a| a.fetch_or(v, order),
        )
    }
    #[inline]
    pub fn fetch_xor(&self, v: bool, order: Ordering) -> bool {
        self.bits(
            |a| a.fetch_xor(v, order),
            |a| a.fetch_xor(v, order),
            |a| a.fetch_xor(v, order),
        )
    }

    #[inline]
    fn bits(
        &self,
        s: impl FnOnce(&std::sync::atomic::AtomicBool) -> bool,
        l: impl FnOnce(&loom::sync::atomic::AtomicBool) -> bool,
        h: impl FnOnce(&shuttle::sync::atomic::AtomicBool) -> bool,
    ) -> bool {
        match &self.0 {
            AtomicBoolInner::Std(a) => s(a),
            AtomicBoolInner::Loom(a) => untracked(|| l(a)),
            AtomicBoolInner::Shuttle(a) => untracked(|| h(a)),
        }
    }
}

impl Default for AtomicBool {
    fn default() -> Self {
        AtomicBool::new(false)
    }
}

/// A raw-pointer atomic.
pub struct AtomicPtr<T>(AtomicPtrInner<T>);

enum AtomicPtrInner<T> {
    Std(std::sync::atomic::AtomicPtr<T>),
    Loom(loom::sync::atomic::AtomicPtr<T>),
    Shuttle(shuttle::sync::atomic::AtomicPtr<T>),
}

atomic_common!(AtomicPtr, *mut T, AtomicPtrInner, T);

impl<T> Default for AtomicPtr<T> {
    fn default() -> Self {
        AtomicPtr::new(std::ptr::null_mut())
    }
}

/// A memory fence of the runtime running the current execution.
pub fn fence(order: Ordering) {
    match super::current() {
        RuntimeKind::Std => std::sync::atomic::fence(order),
        RuntimeKind::Loom => untracked(|| loom::sync::atomic::fence(order)),
        RuntimeKind::Shuttle => untracked(|| shuttle::sync::atomic::fence(order)),
    }
}
