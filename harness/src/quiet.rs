//! Captures panic messages during exploration instead of printing them.
//!
//! Loom and shuttle report failures by panicking, and a mutant may panic in thousands of schedules;
//! the harness reports the failure itself, once. One process-wide hook is installed, once, after
//! shuttle's own (which would print a schedule for every panic): on a thread that is inside
//! [`quietly`] (loom and shuttle run every model thread on the caller's OS thread) or that is a
//! harness worker thread, it records the first panic message for that thread and prints nothing;
//! inside a shuttle execution that is not the harness's it defers to shuttle's hook; everywhere else
//! it defers to the hook that was there before shuttle's, so unrelated panics (a failing assertion
//! in the caller's test) are reported as usual, without shuttle's "Task failed, serializing
//! schedule" and a task name it cannot find.

use shuttle_engine::runtime::execution::{ExecutionState, ExecutionStateBorrowError};
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Once};

thread_local! {
    static QUIET: Cell<usize> = const { Cell::new(0) };
    static FIRST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install() {
    INSTALL.call_once(|| {
        // Shuttle installs its printing hook on its first run, wrapping the hook it finds; keep
        // that one (the caller's) for panics outside any shuttle execution, make shuttle's run
        // happen, then wrap both.
        type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync>;
        let outside: Hook = Arc::from(panic::take_hook());
        let inner = Arc::clone(&outside);
        panic::set_hook(Box::new(move |info| inner(info)));
        let config = shuttle::Config::new();
        shuttle::Runner::new(shuttle::scheduler::RoundRobinScheduler::new(1), config).run(|| {});
        let shuttles: Hook = Arc::from(panic::take_hook());
        panic::set_hook(Box::new(move |info| {
            if QUIET.try_with(Cell::get).unwrap_or(0) == 0 {
                return if in_shuttle_execution() {
                    shuttles(info)
                } else {
                    outside(info)
                };
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

/// Whether this thread is running a shuttle execution (its state is set, or borrowed by the code
/// that panicked).
fn in_shuttle_execution() -> bool {
    !matches!(
        ExecutionState::try_with(|_| ()),
        Err(ExecutionStateBorrowError::NotSet)
    )
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

/// The message of a panic payload: its text, or a note that it had none.
pub(crate) fn payload_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn only_a_shuttle_execution_counts_as_one() {
        assert!(!in_shuttle_execution());
        shuttle::check_random(|| assert!(in_shuttle_execution()), 1);
        assert!(!in_shuttle_execution());
    }

    /// A failing assertion in the caller's own test, after the harness ran, reaches the caller's
    /// hook and prints nothing of shuttle's.
    #[test]
    fn a_panic_outside_any_execution_goes_to_the_callers_hook_without_shuttles_words() {
        static CALLER: AtomicUsize = AtomicUsize::new(0);
        panic::set_hook(Box::new(|_| {
            CALLER.fetch_add(1, Ordering::SeqCst);
        }));
        let (_, msg) = quietly(|| panic!("inside"));
        assert_eq!(msg.as_deref(), Some("inside"), "a quiet panic is recorded");
        assert_eq!(CALLER.load(Ordering::SeqCst), 0, "and not passed on");
        let mut err = gag::BufferRedirect::stderr().unwrap();
        let r = std::panic::catch_unwind(|| panic!("the caller's own assertion"));
        let mut printed = String::new();
        err.read_to_string(&mut printed).unwrap();
        drop(err);
        assert!(r.is_err());
        assert_eq!(CALLER.load(Ordering::SeqCst), 1, "the caller's hook saw it once");
        assert!(
            !printed.contains("Task failed"),
            "shuttle's words were printed: {printed}"
        );
    }
}
