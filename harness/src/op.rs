//! The operations a model thread performs on a map, the predicates they take, and what they return.
//!
//! Six operations every map has (insert, remove, get, len, clear, iterate) and the compound ones
//! people call where a check-then-act race would otherwise be theirs to get right: get-or-insert
//! (Go's `LoadOrStore`, Rust's `entry(k).or_insert(v)`), compare-and-swap and compare-and-delete
//! (Go 1.20's `CompareAndSwap` and `CompareAndDelete`), remove-if and retain with a predicate over
//! the value, and an update in place (`entry(k).and_modify(..)`). Swap is an insert (it returns the
//! old value) and Go's `LoadAndDelete` a remove. The compound operations are optional: a map
//! declares the ones its API has ([`crate::Ops`]). Every predicate and modification is drawn from a
//! small closed set, so an operation is data: it is written in the scenario syntax by its
//! `Display`, and a history replays exactly.

use crate::structure::{Key, Value};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which keys an iteration deletes as it visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeleteIf {
    Nothing,
    All,
    Even,
    Odd,
    Key(Key),
}

impl DeleteIf {
    pub fn matches(self, key: Key) -> bool {
        match self {
            DeleteIf::Nothing => false,
            DeleteIf::All => true,
            DeleteIf::Even => key.is_multiple_of(2),
            DeleteIf::Odd => key % 2 == 1,
            DeleteIf::Key(k) => k == key,
        }
    }
}

/// Which values a remove-if or a retain removes: a predicate over the value, from a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueIf {
    /// No value (a retain that keeps everything: a walk over the entries).
    Nothing,
    All,
    Even,
    Odd,
    /// This value.
    Is(Value),
    /// Every value but this one.
    Not(Value),
}

impl ValueIf {
    /// Whether `value` is one the predicate removes.
    pub fn matches(self, value: Value) -> bool {
        match self {
            ValueIf::Nothing => false,
            ValueIf::All => true,
            ValueIf::Even => value.is_multiple_of(2),
            ValueIf::Odd => value % 2 == 1,
            ValueIf::Is(v) => v == value,
            ValueIf::Not(v) => v != value,
        }
    }
}

impl fmt::Display for ValueIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueIf::Nothing => write!(f, "none"),
            ValueIf::All => write!(f, "all"),
            ValueIf::Even => write!(f, "even"),
            ValueIf::Odd => write!(f, "odd"),
            ValueIf::Is(v) => write!(f, "{v}"),
            ValueIf::Not(v) => write!(f, "not {v}"),
        }
    }
}

/// The largest value: keys and values are words below 2^63 (the bounds every reader of outside
/// input keeps; structures may reserve the words above).
pub const MAX_VALUE: Value = u64::MAX >> 1;

/// An update's new value: `value + add`, wrapping below 2^63, so that an update never leaves the
/// values a structure must be able to store.
pub const fn added(value: Value, add: Value) -> Value {
    value.wrapping_add(add) & MAX_VALUE
}

/// One operation a model thread performs on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum Op {
    Insert {
        key: Key,
        value: Value,
    },
    Remove {
        key: Key,
    },
    Get {
        key: Key,
    },
    Len,
    Clear,
    /// Iterate, removing (through the map's own `remove`) each visited key that matches.
    Iterate {
        delete: DeleteIf,
    },
    Reclaim,
    /// The key's value when it has one; otherwise inserts `value`. Returns the existing value, or
    /// none when it inserted (Go's `LoadOrStore`, Rust's `entry(k).or_insert(v)`).
    GetOrInsert {
        key: Key,
        value: Value,
    },
    /// Replaces the key's value with `new` when it is `old`; returns whether it did.
    CompareAndSwap {
        key: Key,
        old: Value,
        new: Value,
    },
    /// Removes the key when its value is `old`; returns whether it did.
    CompareAndDelete {
        key: Key,
        old: Value,
    },
    /// Removes the key when its value matches `delete`; returns the value it removed, or none
    /// (the key was absent, or its value did not match).
    RemoveIf {
        key: Key,
        delete: ValueIf,
    },
    /// Visits every entry in one call of the map, removing those whose value matches `delete`;
    /// returns the entries visited (Rust's `retain`, with the predicate negated).
    Retain {
        delete: ValueIf,
    },
    /// Updates the key's value in place to `value + add` ([`added`]) when it has one; otherwise
    /// inserts `insert` when given. Returns the previous value (Rust's
    /// `entry(k).and_modify(..).or_insert(..)`).
    Update {
        key: Key,
        add: Value,
        insert: Option<Value>,
    },
}

impl Op {
    /// The key of a single-key operation.
    pub fn key(&self) -> Option<Key> {
        match *self {
            Op::Insert { key, .. }
            | Op::Remove { key }
            | Op::Get { key }
            | Op::GetOrInsert { key, .. }
            | Op::CompareAndSwap { key, .. }
            | Op::CompareAndDelete { key, .. }
            | Op::RemoveIf { key, .. }
            | Op::Update { key, .. } => Some(key),
            Op::Len | Op::Clear | Op::Iterate { .. } | Op::Reclaim | Op::Retain { .. } => None,
        }
    }

    /// The key an operation may add to the map (one absent before it): an insert's, a
    /// get-or-insert's, an update's that inserts when the key is absent.
    pub fn may_add(&self) -> Option<Key> {
        match *self {
            Op::Insert { key, .. }
            | Op::GetOrInsert { key, .. }
            | Op::Update {
                key, insert: Some(_), ..
            } => Some(key),
            _ => None,
        }
    }

    /// Whether the operation is one of the compound ones (outside [`crate::Ops::STANDARD`]).
    pub fn is_compound(&self) -> bool {
        matches!(
            self,
            Op::GetOrInsert { .. }
                | Op::CompareAndSwap { .. }
                | Op::CompareAndDelete { .. }
                | Op::RemoveIf { .. }
                | Op::Retain { .. }
                | Op::Update { .. }
        )
    }

    /// The map's name of the operation, as the scenario syntax spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Insert { .. } => "insert",
            Op::Remove { .. } => "remove",
            Op::Get { .. } => "get",
            Op::Len => "len",
            Op::Clear => "clear",
            Op::Iterate { .. } => "iterate",
            Op::Reclaim => "reclaim",
            Op::GetOrInsert { .. } => "get_or_insert",
            Op::CompareAndSwap { .. } => "compare_and_swap",
            Op::CompareAndDelete { .. } => "compare_and_delete",
            Op::RemoveIf { .. } => "remove_if",
            Op::Retain { .. } => "retain",
            Op::Update { .. } => "update",
        }
    }

    /// Writes the operation in the scenario syntax under another of its names (`store` for
    /// `insert`, `delete` for `remove`, `range` for `iterate`, `load_or_store` for
    /// `get_or_insert`, ...).
    pub fn write_named(&self, f: &mut impl fmt::Write, name: &str) -> fmt::Result {
        match *self {
            Op::Insert { key, value } | Op::GetOrInsert { key, value } => {
                write!(f, "{name}({key}, {value})")
            }
            Op::Remove { key } | Op::Get { key } => write!(f, "{name}({key})"),
            Op::Len | Op::Clear | Op::Reclaim => write!(f, "{name}()"),
            Op::Iterate { delete } => match delete {
                DeleteIf::Nothing => write!(f, "{name}()"),
                DeleteIf::All => write!(f, "{name}(delete: all)"),
                DeleteIf::Even => write!(f, "{name}(delete: even)"),
                DeleteIf::Odd => write!(f, "{name}(delete: odd)"),
                DeleteIf::Key(k) => write!(f, "{name}(delete: {k})"),
            },
            Op::CompareAndSwap { key, old, new } => write!(f, "{name}({key}, {old}, {new})"),
            Op::CompareAndDelete { key, old } => write!(f, "{name}({key}, {old})"),
            Op::RemoveIf { key, delete } => write!(f, "{name}({key}, delete: {delete})"),
            Op::Retain { delete } => write!(f, "{name}(delete: {delete})"),
            Op::Update { key, add, insert } => match insert {
                None => write!(f, "{name}({key}, add: {add})"),
                Some(v) => write!(f, "{name}({key}, add: {add}, insert: {v})"),
            },
        }
    }
}

/// The operation in the scenario syntax, with the map's names: `insert(1, 10)`, `remove(1)`,
/// `iterate(delete: even)`, `compare_and_swap(1, 10, 20)`, `retain(delete: odd)`,
/// `update(1, add: 1, insert: 1)`. Reports, pictures, fuzz inputs and scenario files all write it
/// so.
impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_named(f, self.name())
    }
}

/// What an operation returned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ret {
    /// Insert's previous value, remove's removed value, get's value; get-or-insert's existing
    /// value (none when it inserted), remove-if's removed value, update's previous value.
    Value(Option<Value>),
    Len(usize),
    /// The entries an iteration or a retain visited, in the order visited.
    Yielded(Vec<(Key, Value)>),
    Unit,
    /// Whether a compare-and-swap swapped, or a compare-and-delete deleted.
    Bool(bool),
    /// The operation returned, but the map's API gives back no result for it (a cache's insert or
    /// invalidate); declared with [`Structure::UNOBSERVED`](crate::Structure::UNOBSERVED). Its
    /// real-time order is judged, its result is not.
    Unobserved,
}

impl fmt::Display for Ret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ret::Value(Some(v)) => write!(f, "{v}"),
            Ret::Value(None) => write!(f, "none"),
            Ret::Len(n) => write!(f, "{n}"),
            Ret::Yielded(kv) => {
                write!(f, "[")?;
                for (i, (k, v)) in kv.iter().enumerate() {
                    if i > 0 {
                        write!(f, " ")?;
                    }
                    write!(f, "{k}:{v}")?;
                }
                write!(f, "]")
            }
            Ret::Unit => write!(f, "ok"),
            Ret::Bool(b) => write!(f, "{b}"),
            Ret::Unobserved => write!(f, "unobserved"),
        }
    }
}
