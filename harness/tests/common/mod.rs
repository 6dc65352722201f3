//! Helpers shared by the oracle tests: hand-written histories in a compact form.
#![allow(dead_code)]

pub mod brute;

use mapcheck_harness::history::{Event, History, Op, Ret};

/// One hand-written operation: thread, op, result, invoke position, return position.
pub type Row = (usize, Op, Option<Ret>, u64, Option<u64>);

/// Builds a history from rows.
pub fn h(initial: &[(u64, u64)], rows: &[Row]) -> History {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| r.3);
    History {
        initial: initial.to_vec(),
        events: rows
            .into_iter()
            .enumerate()
            .map(|(id, (thread, op, ret, invoke, ret_at))| Event {
                id,
                thread,
                op,
                ret,
                invoke,
                ret_at,
                parent: None,
                visits: Vec::new(),
            })
            .collect(),
        quiescence: None,
        leaks: None,
    }
}

pub fn ins(key: u64, value: u64) -> Op {
    Op::Insert { key, value }
}
pub fn rem(key: u64) -> Op {
    Op::Remove { key }
}
pub fn get(key: u64) -> Op {
    Op::Get { key }
}
pub fn v(x: Option<u64>) -> Option<Ret> {
    Some(Ret::Value(x))
}
