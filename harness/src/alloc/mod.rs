//! The counting allocator behind the leak oracle: which bytes a structure allocated and did not give
//! back after it was dropped, and which threads it started that are still running.
//!
//! Allocations are attributed to a [`Scope`] (one run) only while the current thread is inside
//! [`Scope::run`] and outside [`untracked`]. The harness enters the scope around every call into the
//! structure (creation, operations, reclamation, drop); the runtime facade leaves it around every
//! call into loom or shuttle, whose own bookkeeping allocates, and every scheduling point is such a
//! call. So under loom and shuttle, where all model threads share one OS thread, the tracking state
//! is saved and restored by each task around each switch, and is in effect per task.
//!
//! Threads a structure starts through the facade inherit its scope and are counted until their body
//! returns.
//!
//! A leak's evidence: the size of every allocation still held is always known (the table keeps it),
//! so a leak is reported by size and count at no cost to the runs that do not leak. Where each was
//! made costs a call stack per allocation, so only scopes created inside [`with_sites`] keep one
//! (resolved to symbols only when a leak is reported): the engines run a leaking run again inside
//! it, for its report, and the runs that found the leak pay nothing.
//!
//! The allocator must be installed by the final binary:
//! `#[global_allocator] static A: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;`
//! Without it the leak oracle has no data and reports nothing (it never reports "no leak").

mod site;

use crate::history::Leaked;
use rustc_hash::FxBuildHasher;
use site::site;
use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The counting allocator: `System`, plus attribution of live allocations to scopes.
pub struct Counting;

thread_local! {
    static SCOPE: Cell<u64> = const { Cell::new(0) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
static NEXT: AtomicU64 = AtomicU64::new(1);
/// Tracked allocations in the table; deallocations skip the table while it is empty.
static TRACKED: AtomicUsize = AtomicUsize::new(0);
/// Keyed by address; hashed with FxHash, since it runs on every allocation and free during a run
/// (SipHash was a measurable share of exploration time) and addresses need no defence against
/// chosen keys.
static TABLE: Mutex<Option<Table>> = Mutex::new(None);

/// Address -> (scope, size) of each tracked allocation.
type Table = HashMap<usize, (u64, usize), FxBuildHasher>;

/// A one-hash Bloom filter in front of the table: the bit of an address is set (under the table's
/// lock) before the address is recorded, so a free whose bit is clear cannot be in the table and
/// skips its lock. During a run most frees are the runtimes' and the harness's own, never tracked;
/// the filter is cleared when a scope closes with nothing tracked.
const FILTER_WORDS: usize = 1024;
static FILTER: [AtomicU64; FILTER_WORDS] = [const { AtomicU64::new(0) }; FILTER_WORDS];

/// The filter word and bit of `ptr`.
fn filter_bit(ptr: usize) -> (usize, u64) {
    let h = ((ptr >> 4) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48;
    ((h / 64) as usize % FILTER_WORDS, 1 << (h % 64))
}
static THREADS: Mutex<Option<HashMap<u64, usize>>> = Mutex::new(None);

/// The top bit of a scope's id: its tracked allocations also keep the call stack that made them.
const SITES: u64 = 1 << 63;
/// Scopes created while this is above zero keep call stacks (see [`with_sites`]).
static WITH_SITES: AtomicUsize = AtomicUsize::new(0);
/// Address -> (scope, call stack) of each tracked allocation of a scope that keeps call stacks.
static STACKS: Mutex<Option<HashMap<usize, (u64, Backtrace), FxBuildHasher>>> = Mutex::new(None);

fn current() -> u64 {
    SCOPE.try_with(Cell::get).unwrap_or(0)
}

fn set(scope: u64) -> u64 {
    SCOPE.try_with(|s| s.replace(scope)).unwrap_or(0)
}

/// Runs `f` with the allocator's own bookkeeping guarded against re-entry.
fn guarded(f: impl FnOnce()) {
    let entered = BUSY.try_with(|b| !b.replace(true)).unwrap_or(false);
    if entered {
        f();
        let _ = BUSY.try_with(|b| b.set(false));
    }
}

fn record(ptr: *mut u8, size: usize, scope: u64) {
    if scope == 0 || ptr.is_null() {
        return;
    }
    guarded(|| {
        // Taken before the table's lock; what the capture allocates is not tracked (this thread
        // is busy).
        let stack = (scope & SITES != 0).then(Backtrace::force_capture);
        let mut t = TABLE.lock().unwrap_or_else(|e| e.into_inner());
        let (word, bit) = filter_bit(ptr as usize);
        FILTER[word].fetch_or(bit, Ordering::Relaxed);
        if t.get_or_insert_with(HashMap::default)
            .insert(ptr as usize, (scope, size))
            .is_none()
        {
            TRACKED.fetch_add(1, Ordering::Relaxed);
        }
        drop(t);
        if let Some(stack) = stack {
            STACKS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_with(HashMap::default)
                .insert(ptr as usize, (scope, stack));
        }
    });
}

/// Forgets `ptr`, returning the scope it was attributed to.
fn forget(ptr: *mut u8) -> u64 {
    if TRACKED.load(Ordering::Relaxed) == 0 {
        return 0;
    }
    // A pointer is recorded before it is handed out, so whoever frees it sees its bit.
    let (word, bit) = filter_bit(ptr as usize);
    if FILTER[word].load(Ordering::Relaxed) & bit == 0 {
        return 0;
    }
    let mut scope = 0;
    guarded(|| {
        let mut t = TABLE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, _)) = t.as_mut().and_then(|t| t.remove(&(ptr as usize))) {
            TRACKED.fetch_sub(1, Ordering::Relaxed);
            scope = s;
        }
        drop(t);
        if scope & SITES != 0 {
            let mut stacks = STACKS.lock().unwrap_or_else(|e| e.into_inner());
            let stack = stacks.as_mut().and_then(|m| m.remove(&(ptr as usize)));
            drop(stacks);
            // Freed while this thread is busy: its memory was never tracked.
            drop(stack);
        }
    });
    scope
}

// SAFETY: every request is passed to `System` unchanged; the bookkeeping only reads the pointers.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        let p = unsafe { System.alloc(layout) };
        record(p, layout.size(), current());
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        let p = unsafe { System.alloc_zeroed(layout) };
        record(p, layout.size(), current());
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        forget(ptr);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Forget the old block while it is still allocated: once `System.realloc` frees it, another
        // thread may be handed the same address and record it, and forgetting it afterwards would
        // take that thread's entry (and give its scope this block).
        let owner = forget(ptr);
        let q = unsafe { System.realloc(ptr, layout, new_size) };
        if q.is_null() {
            record(ptr, layout.size(), owner);
        } else {
            record(q, new_size, if owner != 0 { owner } else { current() });
        }
        q
    }
}

/// Whether the counting allocator is this process's global allocator.
pub fn installed() -> bool {
    if INSTALLED.load(Ordering::Relaxed) {
        return true;
    }
    // Any allocation at all flips the flag; make one so the answer does not depend on history.
    drop(std::hint::black_box(Box::new(0u8)));
    INSTALLED.load(Ordering::Relaxed)
}

/// One run's attribution scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope(u64);

impl Default for Scope {
    fn default() -> Self {
        Scope::new()
    }
}

impl Scope {
    /// A fresh scope; inside [`with_sites`], one whose allocations keep their call stacks.
    pub fn new() -> Scope {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        if WITH_SITES.load(Ordering::Relaxed) > 0 {
            Scope(id | SITES)
        } else {
            Scope(id)
        }
    }

    /// Whether this scope's allocations keep their call stacks.
    pub fn keeps_sites(self) -> bool {
        self.0 & SITES != 0
    }

    /// Runs `f` with its allocations attributed to this scope (until `f` returns or unwinds).
    pub fn run<T>(self, f: impl FnOnce() -> T) -> T {
        with_scope(self.0, f)
    }

    /// Bytes and allocations attributed to this scope that are still live.
    pub fn live(self) -> (usize, usize) {
        let mut out = (0, 0);
        if TRACKED.load(Ordering::Relaxed) == 0 {
            return out;
        }
        guarded(|| {
            let t = TABLE.lock().unwrap_or_else(|e| e.into_inner());
            for (s, size) in t.iter().flat_map(|t| t.values()) {
                if *s == self.0 {
                    out.0 += size;
                    out.1 += 1;
                }
            }
        });
        out
    }

    /// The allocations attributed to this scope that are still live, grouped by size and, when the
    /// scope keeps call stacks, by where inside the structure they were made (see [`site`]); the
    /// largest total first, at most [`Leaks::MAX_BLOCKS`](crate::history::Leaks::MAX_BLOCKS)
    /// groups. Resolving the call stacks to symbols is slow (debug information is read on first
    /// use): call it for a run that leaked.
    pub fn leaked(self) -> Vec<Leaked> {
        if TRACKED.load(Ordering::Relaxed) == 0 {
            return Vec::new();
        }
        let mut live: Vec<(usize, usize)> = Vec::new();
        guarded(|| {
            let t = TABLE.lock().unwrap_or_else(|e| e.into_inner());
            let mine = t.iter().flat_map(|t| t.iter()).filter(|(_, (s, _))| *s == self.0);
            live.extend(mine.map(|(addr, (_, size))| (*addr, *size)));
        });
        let mut groups: BTreeMap<(usize, Vec<String>), usize> = BTreeMap::new();
        for (addr, size) in live {
            let site = if self.keeps_sites() {
                let stacks = STACKS.lock().unwrap_or_else(|e| e.into_inner());
                let stack = stacks.as_ref().and_then(|m| m.get(&addr));
                stack.map(|(_, b)| site(&b.to_string())).unwrap_or_default()
            } else {
                Vec::new()
            };
            *groups.entry((size, site)).or_default() += 1;
        }
        let mut blocks: Vec<Leaked> = groups
            .into_iter()
            .map(|((size, site), count)| Leaked { size, count, site })
            .collect();
        blocks.sort_by(|a, b| (b.size * b.count, b.size).cmp(&(a.size * a.count, a.size)));
        blocks.truncate(crate::history::Leaks::MAX_BLOCKS);
        blocks
    }

    /// Threads started in this scope whose body has not returned.
    pub fn threads_alive(self) -> usize {
        THREADS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(|t| t.get(&self.0).copied())
            .unwrap_or(0)
    }

    /// Forgets everything attributed to this scope.
    pub fn close(self) {
        // Nothing tracked at all (the common case once a correct structure is dropped): no table
        // to sweep.
        let tracked = TRACKED.load(Ordering::Relaxed) > 0;
        guarded(|| {
            let mut t = TABLE.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(t) = t.as_mut().filter(|_| tracked) {
                let before = t.len();
                t.retain(|_, (s, _)| *s != self.0);
                TRACKED.fetch_sub(before - t.len(), Ordering::Relaxed);
            }
            // Under the table's lock, so no record sets a bit meanwhile.
            if t.as_ref().is_none_or(|t| t.is_empty()) {
                for w in &FILTER {
                    w.store(0, Ordering::Relaxed);
                }
            }
        });
        if let Some(t) = THREADS.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            t.remove(&self.0);
        }
        if self.keeps_sites() {
            guarded(|| {
                let mut stacks = STACKS.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(m) = stacks.as_mut() {
                    m.retain(|_, (s, _)| *s != self.0);
                }
            });
        }
    }
}

/// Runs `f` with every scope created meanwhile (on any thread) keeping the call stack of each
/// allocation it tracks: for running a leaking run again, to report where its leaks were made.
pub fn with_sites<T>(f: impl FnOnce() -> T) -> T {
    struct Done;
    impl Drop for Done {
        fn drop(&mut self) {
            WITH_SITES.fetch_sub(1, Ordering::Relaxed);
        }
    }
    WITH_SITES.fetch_add(1, Ordering::Relaxed);
    let _done = Done;
    f()
}

/// Whether scopes created now keep call stacks (the caller runs inside [`with_sites`]).
pub fn keeping_sites() -> bool {
    WITH_SITES.load(Ordering::Relaxed) > 0
}

/// Runs `f` with no scope: for calls into loom, shuttle and the harness's own bookkeeping.
pub fn untracked<T>(f: impl FnOnce() -> T) -> T {
    with_scope(0, f)
}

/// Runs `f` with the calling thread's scope set to `scope`, and restores the previous one when `f`
/// returns or unwinds (a structure that panics must not leave its run's scope on a pooled thread).
fn with_scope<T>(scope: u64, f: impl FnOnce() -> T) -> T {
    struct Restore(u64);
    impl Drop for Restore {
        fn drop(&mut self) {
            set(self.0);
        }
    }
    let _restore = Restore(set(scope));
    f()
}

/// The scope of the calling thread, for a thread the structure is about to start.
pub(crate) fn inherit() -> u64 {
    current()
}

/// Marks a thread of scope `scope` as started; [`thread_body`] marks it stopped.
pub(crate) fn thread_started(scope: u64) {
    if scope != 0 {
        // The counter table's own memory is the harness's, not the structure's.
        untracked(|| {
            *THREADS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert_with(HashMap::new)
                .entry(scope)
                .or_default() += 1
        });
    }
}

/// Runs a started thread's body in its parent's scope and counts it stopped when the body returns.
pub(crate) fn thread_body<T>(scope: u64, f: impl FnOnce() -> T) -> T {
    let prev = set(scope);
    let out = f();
    set(prev);
    if scope != 0 {
        if let Some(n) = THREADS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
            .and_then(|t| t.get_mut(&scope))
        {
            *n = n.saturating_sub(1);
        }
    }
    out
}

/// Runs `f` in `scope` without counting a thread: re-enters a structure's scope inside a runtime call.
pub(crate) fn thread_body_scope<T>(scope: u64, f: impl FnOnce() -> T) -> T {
    with_scope(scope, f)
}
