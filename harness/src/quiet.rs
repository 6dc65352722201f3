//! Captures panic messages during exploration instead of printing them.
//!
//! Loom and shuttle report failures by panicking, and a mutant may panic in thousands of schedules;
//! the harness reports the failure itself, once. While [`quietly`] runs, the process-wide panic hook
//! is replaced by one that records the first message and prints nothing; the previous hook is put
//! back afterwards. Shuttle installs a printing hook of its own the first time it runs, so that is
//! forced to happen before ours goes in.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, Once};

static FIRST: Mutex<Option<String>> = Mutex::new(None);
static SHUTTLE_HOOK: Once = Once::new();
static NESTING: Mutex<usize> = Mutex::new(0);

fn record(info: &panic::PanicHookInfo<'_>) {
    // Loom and shuttle unwind their coroutines with non-string payloads when they tear an
    // execution down; those are not failures, so only messages are kept.
    let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s.clone()
    } else {
        return;
    };
    let mut first = FIRST.lock().unwrap_or_else(|e| e.into_inner());
    if first.is_none() {
        *first = Some(msg);
    }
}

/// Runs `f`, catching any panic, and returns the first panic message seen meanwhile.
pub fn quietly<T>(f: impl FnOnce() -> T) -> (Option<T>, Option<String>) {
    SHUTTLE_HOOK.call_once(|| {
        let config = shuttle::Config::new();
        shuttle::Runner::new(shuttle::scheduler::RoundRobinScheduler::new(1), config).run(|| {});
    });
    let previous = {
        let mut n = NESTING.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        if *n == 1 {
            let prev = panic::take_hook();
            panic::set_hook(Box::new(record));
            Some(prev)
        } else {
            None
        }
    };
    reset();
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    let msg = take();
    {
        let mut n = NESTING.lock().unwrap_or_else(|e| e.into_inner());
        *n -= 1;
        if let Some(prev) = previous {
            panic::set_hook(prev);
        }
    }
    (r.ok(), msg)
}

/// Clears the recorded message, so the next panic recorded is the first of a new run.
pub fn reset() {
    *FIRST.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Takes the first message recorded since the last reset.
pub fn take() -> Option<String> {
    FIRST.lock().unwrap_or_else(|e| e.into_inner()).take()
}
