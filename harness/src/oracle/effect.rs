//! What an operation did to one key, as the oracles read it off its result: what it saw the key
//! holding, what it may have left the key as, and whether its result says it certainly wrote it.
//!
//! A conditional write is the plain operation its result says it was: a get-or-insert that found a
//! value read it, one that found none inserted; a compare-and-swap that swapped saw `old` and put
//! `new`, one that failed saw the key not holding `old` and wrote nothing; a compare-and-delete,
//! a remove-if and a retain took out what they say they took out; an update saw what it returned
//! and put what it computed from it. A conditional write whose result is not known (pending, or
//! unobserved) may have written or not: it can explain what another operation saw, but it is never
//! the write an oracle relies on having happened.

use crate::history::{added, Event, Op, Ret};
use crate::structure::{Key, Value};

/// What a write may leave a key as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaves {
    Absent,
    Value(Value),
    /// A value not known in advance (an update whose result is not known).
    Any,
}

impl Leaves {
    /// Whether a key left so may hold `value` (`None`: absent).
    pub(crate) fn may_be(self, value: Option<Value>) -> bool {
        match (self, value) {
            (Leaves::Absent, None) => true,
            (Leaves::Value(v), Some(w)) => v == w,
            (Leaves::Any, Some(_)) => true,
            _ => false,
        }
    }
}

/// What an operation saw a key holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Saw {
    /// This value, or absent.
    Is(Option<Value>),
    /// Any state but this value (a compare-and-swap or compare-and-delete that failed).
    Not(Value),
}

/// Whether `e` removed `key` in a retain: it visited the key with a value its predicate matches.
fn retained_out(e: &Event, key: Key) -> bool {
    match (e.op, &e.ret) {
        (Op::Retain { delete }, Some(Ret::Yielded(kv))) => {
            kv.iter().any(|&(k, v)| k == key && delete.matches(v))
        }
        _ => false,
    }
}

/// What `e` may have left `key` as, when it may have written it; `None` when it certainly did not
/// (a read, a conditional write whose result says it did nothing, an operation on another key).
pub(crate) fn may_leave(e: &Event, key: Key) -> Option<Leaves> {
    if let Op::Clear = e.op {
        return Some(Leaves::Absent);
    }
    if let Op::Retain { .. } = e.op {
        let unknown = !matches!(e.ret, Some(Ret::Yielded(_)));
        return (unknown || retained_out(e, key)).then_some(Leaves::Absent);
    }
    if e.op.key() != Some(key) {
        return None;
    }
    let ret = e.ret.as_ref();
    match e.op {
        Op::Insert { value, .. } => Some(Leaves::Value(value)),
        Op::Remove { .. } => Some(Leaves::Absent),
        Op::GetOrInsert { value, .. } => {
            (!matches!(ret, Some(Ret::Value(Some(_))))).then_some(Leaves::Value(value))
        }
        Op::CompareAndSwap { new, .. } => (ret != Some(&Ret::Bool(false))).then_some(Leaves::Value(new)),
        Op::CompareAndDelete { .. } => (ret != Some(&Ret::Bool(false))).then_some(Leaves::Absent),
        Op::RemoveIf { .. } => (ret != Some(&Ret::Value(None))).then_some(Leaves::Absent),
        Op::Update { add, insert, .. } => match ret {
            Some(Ret::Value(Some(v))) => Some(Leaves::Value(added(*v, add))),
            Some(Ret::Value(None)) => insert.map(Leaves::Value),
            _ => Some(Leaves::Any),
        },
        _ => None,
    }
}

/// What `e` certainly left `key` as, when its result (or its kind) says it wrote it: an insert, a
/// remove, a clear, and a conditional write whose result says it wrote. Whether it took effect
/// before another operation is the caller's to judge from positions.
pub(crate) fn certainly_left(e: &Event, key: Key) -> Option<Leaves> {
    let ret = e.ret.as_ref();
    let known = match e.op {
        Op::Insert { .. } | Op::Remove { .. } | Op::Clear => true,
        Op::GetOrInsert { .. } => ret == Some(&Ret::Value(None)),
        Op::CompareAndSwap { .. } | Op::CompareAndDelete { .. } => ret == Some(&Ret::Bool(true)),
        Op::RemoveIf { .. } => matches!(ret, Some(Ret::Value(Some(_)))),
        Op::Update { .. } => matches!(ret, Some(Ret::Value(_))),
        Op::Retain { .. } => retained_out(e, key),
        _ => false,
    };
    if known {
        may_leave(e, key)
    } else {
        None
    }
}

/// What a single-key operation `e` saw its key holding, when its result says.
pub(crate) fn saw(e: &Event) -> Option<(Key, Saw)> {
    let key = e.op.key()?;
    let saw = match (e.op, e.ret.as_ref()?) {
        (Op::RemoveIf { .. }, Ret::Value(None)) => return None,
        (_, Ret::Value(v)) => Saw::Is(*v),
        (Op::CompareAndSwap { old, .. } | Op::CompareAndDelete { old, .. }, Ret::Bool(true)) => {
            Saw::Is(Some(old))
        }
        (Op::CompareAndSwap { old, .. } | Op::CompareAndDelete { old, .. }, Ret::Bool(false)) => {
            Saw::Not(old)
        }
        _ => return None,
    };
    Some((key, saw))
}

/// Every key-value pair an operation saw present: a single-key operation's value, and the entries
/// an iteration or a retain visited.
pub(crate) fn seen_present(e: &Event) -> Vec<(Key, Value)> {
    match (&e.op, &e.ret) {
        (Op::Iterate { .. } | Op::Retain { .. }, Some(Ret::Yielded(kv))) => kv.clone(),
        _ => match saw(e) {
            Some((k, Saw::Is(Some(v)))) => vec![(k, v)],
            _ => Vec::new(),
        },
    }
}

/// The values an operation took out of the map: a remove's or an overwrite's result, and what a
/// compare-and-swap replaced, a compare-and-delete or remove-if removed, an update replaced, a
/// retain removed.
pub(crate) fn taken(e: &Event) -> Vec<(Key, Value)> {
    match (e.op, &e.ret) {
        (
            Op::Remove { key } | Op::Insert { key, .. } | Op::RemoveIf { key, .. },
            Some(Ret::Value(Some(v))),
        ) => {
            vec![(key, *v)]
        }
        (Op::Update { key, .. }, Some(Ret::Value(Some(v)))) => vec![(key, *v)],
        (Op::CompareAndSwap { key, old, .. } | Op::CompareAndDelete { key, old }, Some(Ret::Bool(true))) => {
            vec![(key, old)]
        }
        (Op::Retain { delete }, Some(Ret::Yielded(kv))) => {
            kv.iter().copied().filter(|(_, v)| delete.matches(*v)).collect()
        }
        _ => Vec::new(),
    }
}

/// What a key is after an operation on it, for counting the live entries: present (an insert, a
/// get-or-insert, an update that inserts when absent, whatever they found), absent (a remove, a
/// clear, a conditional removal whose result says it removed), or either (a conditional removal
/// whose result is not known). `None` for an operation that never changes whether the key is
/// present (a read, a compare-and-swap, an update that inserts nothing, a conditional removal that
/// removed nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    Present,
    Absent,
    Either,
}

pub(crate) fn presence(e: &Event, key: Key) -> Option<Presence> {
    match e.op {
        Op::Insert { key: k, .. } | Op::GetOrInsert { key: k, .. } => (k == key).then_some(Presence::Present),
        Op::Update {
            key: k,
            insert: Some(_),
            ..
        } => (k == key).then_some(Presence::Present),
        Op::Remove { key: k } => (k == key).then_some(Presence::Absent),
        Op::Clear => Some(Presence::Absent),
        Op::CompareAndDelete { key: k, .. } | Op::RemoveIf { key: k, .. } if k == key => {
            match (certainly_left(e, key), may_leave(e, key)) {
                (Some(_), _) => Some(Presence::Absent),
                (None, Some(_)) => Some(Presence::Either),
                (None, None) => None,
            }
        }
        Op::Retain { .. } => match (certainly_left(e, key), may_leave(e, key)) {
            (Some(_), _) => Some(Presence::Absent),
            (None, Some(_)) => Some(Presence::Either),
            (None, None) => None,
        },
        _ => None,
    }
}
