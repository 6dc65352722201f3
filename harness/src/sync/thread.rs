//! Drop-in `std::thread` for maps that start threads of their own (a garbage collector, a
//! janitor): `spawn`, `Builder`, `JoinHandle`, `yield_now` and `sleep`, run by the runtime of the
//! current execution.
//!
//! A thread a map starts inherits the map's allocation scope and is counted by the leak oracle
//! until its body returns, as with the facade's `rt::spawn`. Under loom and shuttle there is no
//! clock: `sleep` is a yield, so a background loop that sleeps between rounds is explored as one
//! that may run at any point (bound it with a stop flag, as the map should anyway).

use crate::rt::{self, Loom, RuntimeKind, Shuttle, Std};
use std::time::Duration;

/// A handle to join a thread started with [`spawn`].
pub struct JoinHandle<T: Send + 'static>(Inner<T>);

enum Inner<T: Send + 'static> {
    Std(rt::JoinHandle<Std, T>),
    Loom(rt::JoinHandle<Loom, T>),
    Shuttle(rt::JoinHandle<Shuttle, T>),
}

impl<T: Send + 'static> JoinHandle<T> {
    /// Waits for the thread to finish; `Err` with its panic payload if it panicked.
    pub fn join(self) -> std::thread::Result<T> {
        match self.0 {
            Inner::Std(h) => h.join(),
            Inner::Loom(h) => h.join(),
            Inner::Shuttle(h) => h.join(),
        }
    }
}

impl<T: Send + 'static> std::fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHandle").finish_non_exhaustive()
    }
}

/// Starts a thread of the runtime running the current execution.
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    JoinHandle(match super::current() {
        RuntimeKind::Std => Inner::Std(rt::spawn::<Std, T>(f)),
        RuntimeKind::Loom => Inner::Loom(rt::spawn::<Loom, T>(f)),
        RuntimeKind::Shuttle => Inner::Shuttle(rt::spawn::<Shuttle, T>(f)),
    })
}

/// `std::thread::Builder`'s shape. The name and stack size are kept for std threads; loom and
/// shuttle threads are the model checker's own.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }
    pub fn name(mut self, name: String) -> Builder {
        self.name = Some(name);
        self
    }
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.stack_size = Some(size);
        self
    }
    /// Starts the thread; an error only when the operating system refuses one.
    pub fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if super::current() != RuntimeKind::Std || (self.name.is_none() && self.stack_size.is_none()) {
            return Ok(spawn(f));
        }
        // A named or sized std thread: the same scope bookkeeping as `rt::spawn`, through std's builder.
        let mut b = std::thread::Builder::new();
        if let Some(n) = self.name {
            b = b.name(n);
        }
        if let Some(s) = self.stack_size {
            b = b.stack_size(s);
        }
        rt::spawn_with::<T>(f, |body| b.spawn(body)).map(|h| JoinHandle(Inner::Std(h)))
    }
}

/// Yields to the scheduler (loom's and shuttle's scheduling point; std's `yield_now`).
pub fn yield_now() {
    match super::current() {
        RuntimeKind::Std => std::thread::yield_now(),
        RuntimeKind::Loom => rt::yield_now::<Loom>(),
        RuntimeKind::Shuttle => rt::yield_now::<Shuttle>(),
    }
}

/// Sleeps on std threads; a yield under loom and shuttle, which have no clock.
pub fn sleep(dur: Duration) {
    match super::current() {
        RuntimeKind::Std => std::thread::sleep(dur),
        _ => yield_now(),
    }
}
