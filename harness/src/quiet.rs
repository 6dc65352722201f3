//! Captures panic messages during exploration instead of printing them.
//!
//! Loom and shuttle report failures by panicking, and a mutant may panic in thousands of schedules;
//! the harness reports the failure itself, once. One process-wide hook is installed, once, after
//! shuttle's own (which would print a schedule for every panic): on a thread that is inside
//! [`quietly`] (loom and shuttle run every model thread on the caller's OS thread) or that is a
//! harness worker thread, it records the first panic message for that thread and prints nothing;
//! everywhere else it defers to the hook it replaced, so unrelated panics (a failing test in the same
//! process) are reported as usual.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<usize> = const { Cell::new(0) };
    static FIRST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install() {
    INSTALL.call_once(|| {
        // Shuttle installs its printing hook on its first run; make that happen first, then wrap it.
        let config = shuttle::Config::new();
        shuttle::Runner::new(shuttle::scheduler::RoundRobinScheduler::new(1), config).run(|| {});
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.try_with(Cell::get).unwrap_or(0) == 0 {
                return previous(info);
            }
            // Loom and shuttle unwind their coroutines with non-string payloads when they tear an
            // execution down; those are not failures, so only messages are kept.
            let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
                s.to_string()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                return;
            };
            let _ = FIRST.try_with(|f| {
                let mut f = f.borrow_mut();
                if f.is_none() {
                    *f = Some(msg);
                }
            });
        }));
    });
}

/// Runs `f`, catching any panic, and returns the first panic message seen on this thread meanwhile.
pub fn quietly<T>(f: impl FnOnce() -> T) -> (Option<T>, Option<String>) {
    install();
    QUIET.with(|q| q.set(q.get() + 1));
    FIRST.with(|m| m.borrow_mut().take());
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(q.get() - 1));
    let msg = FIRST.with(|m| m.borrow_mut().take());
    (r.ok(), msg)
}

/// Marks the calling thread (a harness worker on real threads) as quiet for the rest of its life:
/// its panics reach the harness through `join`, not through the terminal.
pub fn quiet_thread() {
    install();
    QUIET.with(|q| q.set(q.get() + 1));
}
