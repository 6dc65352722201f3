//! The leak oracle: after the structure is dropped, every byte it allocated is returned and every
//! thread it started has stopped. Its report names the likely causes a crate that is not wrong
//! shows the same way (memory freed later, per-thread or per-process state) and the settle step
//! that declares each.

use crate::failure::{Failure, Oracle};
use crate::history::Leaks;
use crate::settle::Settle;

/// Judges what a run still held after its structure was dropped and its declared settle steps
/// (`settle`) ran.
pub fn check(leaks: &Leaks, settle: &Settle) -> Option<Failure> {
    if leaks.bytes == 0 && leaks.threads == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if leaks.bytes > 0 {
        parts.push(format!(
            "{} bytes in {} allocation(s) were not returned after the structure was dropped",
            leaks.bytes, leaks.allocations
        ));
    }
    if leaks.threads > 0 {
        parts.push(format!(
            "{} thread(s) it started were still running after it was dropped",
            leaks.threads
        ));
    }
    let mut summary = format!("leak: {}", parts.join("; "));
    if leaks.bytes > 0 {
        summary.push_str(&format!("; {}", causes(settle)));
    }
    Some(Failure {
        oracle: Oracle::Leak,
        summary,
        evidence: Vec::new(),
        linearization: None,
    })
}

/// What else a leak may be, and which settle step declares it, given what `settle` declares.
fn causes(settle: &Settle) -> String {
    let deferred = if settle.defers() {
        "the declared after-drop settle steps ran and did not free it (a collector or thread they \
         do not reach?)"
    } else {
        "if the crate frees memory after the drop (deferred frees: epoch-based reclamation such as \
         crossbeam-epoch, seize or sdd, or background maintenance), declare an after-drop settle \
         step (Settle::after_drop)"
    };
    let registration = if settle.per_thread.is_empty() && settle.once.is_empty() {
        "if it is state the crate creates on a thread's first use (per-thread registration: an \
         epoch participant, parking_lot's thread data) or once per process, declare a per-thread \
         or once step (Settle::per_thread, Settle::once)"
    } else {
        "state the declared per-thread and once steps create is not counted"
    };
    format!(
        "likely causes other than the map: {deferred}; {registration}; mapcheck::settle has the \
         steps of sdd, crossbeam-epoch and parking_lot, and a documented leak can be declared \
         known (Known::leak)"
    )
}
