//! The leak oracle: after the structure is dropped, every byte it allocated is returned and every
//! thread it started has stopped. Its evidence lists the allocations still held by size and count
//! and, where the allocator kept them, the call sites inside the structure that made them; its
//! report names the likely causes a crate that is not wrong shows the same way (memory freed later,
//! per-thread or per-process state) and the settle step that declares each.

use crate::failure::{Failure, Oracle};
use crate::history::{Leaked, Leaks};
use crate::settle::Settle;

/// Groups of leaked allocations named in the summary; the record keeps them all.
const SHOWN: usize = 3;

/// Judges what a run still held after its structure was dropped and its declared settle steps
/// (`settle`) ran.
pub fn check(leaks: &Leaks, settle: &Settle) -> Option<Failure> {
    if leaks.bytes == 0 && leaks.threads == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if leaks.bytes > 0 {
        let mut text = format!(
            "{} bytes in {} allocation(s) were not returned after the structure was dropped",
            leaks.bytes, leaks.allocations
        );
        if !leaks.blocks.is_empty() {
            text.push_str(": ");
            text.push_str(&blocks(leaks));
        }
        parts.push(text);
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

/// The largest groups, `2 x 48 bytes allocated in f (file:line), called from g (file:line)`, and
/// what is left out.
fn blocks(leaks: &Leaks) -> String {
    let mut shown: Vec<String> = leaks.blocks.iter().take(SHOWN).map(group).collect();
    let (count, bytes) = leaks
        .blocks
        .iter()
        .take(SHOWN)
        .fold((0, 0), |(c, b), l| (c + l.count, b + l.count * l.size));
    if count < leaks.allocations {
        shown.push(format!(
            "{} more allocation(s) of {} bytes in all",
            leaks.allocations - count,
            leaks.bytes.saturating_sub(bytes)
        ));
    }
    shown.join("; ")
}

fn group(l: &Leaked) -> String {
    let mut text = format!("{} x {} bytes", l.count, l.size);
    let mut frames = l.site.iter();
    if let Some(inner) = frames.next() {
        text.push_str(&format!(" allocated in {inner}"));
        for outer in frames {
            text.push_str(&format!(", called from {outer}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaks(blocks: Vec<Leaked>) -> Leaks {
        let bytes = blocks.iter().map(|b| b.size * b.count).sum();
        let allocations = blocks.iter().map(|b| b.count).sum();
        Leaks {
            bytes,
            allocations,
            threads: 0,
            blocks,
        }
    }

    fn leaked(size: usize, count: usize, site: &[&str]) -> Leaked {
        Leaked {
            size,
            count,
            site: site.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn nothing_held_is_no_leak() {
        assert_eq!(check(&Leaks::default(), &Settle::NONE), None);
    }

    #[test]
    fn the_summary_names_sizes_counts_and_call_sites() {
        let l = leaks(vec![
            leaked(
                48,
                2,
                &[
                    "my_map::Node::new (src/node.rs:12)",
                    "my_map::Map::remove (src/lib.rs:40)",
                ],
            ),
            leaked(16, 1, &[]),
        ]);
        let f = check(&l, &Settle::NONE).expect("a leak");
        assert_eq!(f.oracle, Oracle::Leak);
        assert!(
            f.summary.starts_with(
                "leak: 112 bytes in 3 allocation(s) were not returned after the structure was dropped: \
                 2 x 48 bytes allocated in my_map::Node::new (src/node.rs:12), called from \
                 my_map::Map::remove (src/lib.rs:40); 1 x 16 bytes; likely causes"
            ),
            "{}",
            f.summary
        );
    }

    #[test]
    fn groups_past_the_first_three_are_summed() {
        let l = leaks((1..=5).map(|i| leaked(i * 8, 1, &[])).collect());
        let f = check(&l, &Settle::NONE).expect("a leak");
        assert!(
            f.summary.contains(
                "1 x 8 bytes; 1 x 16 bytes; 1 x 24 bytes; 2 more allocation(s) of 72 bytes in all; "
            ),
            "{}",
            f.summary
        );
    }

    #[test]
    fn a_record_without_groups_still_reports_bytes_and_allocations() {
        let l = Leaks {
            bytes: 1_280,
            allocations: 1,
            threads: 0,
            blocks: Vec::new(),
        };
        let f = check(&l, &Settle::NONE).expect("a leak");
        assert!(
            f.summary
                .contains("were not returned after the structure was dropped; likely causes"),
            "{}",
            f.summary
        );
    }
}
