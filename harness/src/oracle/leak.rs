//! The leak oracle: after the structure is dropped, every byte it allocated is returned and every
//! thread it started has stopped.

use crate::failure::{Failure, Oracle};
use crate::history::Leaks;

pub fn check(leaks: &Leaks) -> Option<Failure> {
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
    Some(Failure {
        oracle: Oracle::Leak,
        summary: format!("leak: {}", parts.join("; ")),
        evidence: Vec::new(),
        linearization: None,
    })
}
