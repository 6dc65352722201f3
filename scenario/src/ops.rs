//! The operation syntax of scenario files: `insert(1, 10)`, `delete(1)`, `iterate(delete: even)`,
//! `get_or_insert(1, 10)`, `compare_and_swap(1, 10, 20)`, `retain(delete: odd)`, with the map
//! spellings and the sync.Map spellings of the same operations.

use mapcheck_harness::{DeleteIf, Op, ValueIf};
use mapcheck_harness::{Key, Value};
use std::fmt;
use std::ops::Range;

/// One operation of a scenario thread, with the name it was written with (`store` and `insert` are
/// the same operation; the file keeps what its author wrote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    pub spelling: Spelling,
}

/// The names an operation can be written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spelling {
    Insert,
    Store,
    Remove,
    Delete,
    LoadAndDelete,
    Get,
    Load,
    Len,
    Clear,
    Iterate,
    Range,
    Reclaim,
    GetOrInsert,
    LoadOrStore,
    Swap,
    CompareAndSwap,
    CompareAndDelete,
    RemoveIf,
    Retain,
    Update,
}

/// Every name, with its arguments, for error messages and the format's documentation.
pub const FORMS: &[(&str, &str)] = &[
    (
        "insert(KEY, VALUE)",
        "insert or overwrite; returns the previous value",
    ),
    ("store(KEY, VALUE)", "sync.Map's Store: the same as insert"),
    ("remove(KEY)", "remove; returns the removed value"),
    (
        "delete(KEY)",
        "Go's delete(m, k) and sync.Map's Delete: the same as remove",
    ),
    (
        "load_and_delete(KEY)",
        "sync.Map's LoadAndDelete: the same as remove",
    ),
    ("get(KEY)", "look up; Go's v, ok := m[k]"),
    ("load(KEY)", "sync.Map's Load: the same as get"),
    ("len()", "the number of entries"),
    ("clear()", "remove every entry (Go's clear(m))"),
    (
        "iterate() / iterate(delete: all|even|odd|KEY)",
        "visit every entry, deleting the visited keys that match",
    ),
    (
        "range() / range(delete: ...)",
        "Go's for k := range m and sync.Map's Range: the same as iterate",
    ),
    (
        "reclaim()",
        "the structure's reclamation step (GC tick, promotion, rebuild)",
    ),
    (
        "get_or_insert(KEY, VALUE)",
        "the key's value, or inserts VALUE when absent (Rust's entry(k).or_insert(v)); returns the \
         existing value or none",
    ),
    (
        "load_or_store(KEY, VALUE)",
        "sync.Map's LoadOrStore: the same as get_or_insert",
    ),
    ("swap(KEY, VALUE)", "sync.Map's Swap: the same as insert"),
    (
        "compare_and_swap(KEY, OLD, NEW)",
        "replaces the value with NEW when it is OLD; returns whether it did",
    ),
    (
        "compare_and_delete(KEY, OLD)",
        "removes the key when its value is OLD; returns whether it did",
    ),
    (
        "remove_if(KEY, delete: all|even|odd|none|VALUE|not VALUE)",
        "removes the key when its value matches; returns the removed value",
    ),
    (
        "retain(delete: all|even|odd|none|VALUE|not VALUE)",
        "one call that removes every entry whose value matches (Rust's retain, negated)",
    ),
    (
        "update(KEY, add: N) / update(KEY, add: N, insert: VALUE)",
        "adds N to the key's value in place, or inserts VALUE when absent (entry's and_modify and \
         or_insert); returns the previous value",
    ),
];

impl Spelling {
    pub fn name(self) -> &'static str {
        match self {
            Spelling::Insert => "insert",
            Spelling::Store => "store",
            Spelling::Remove => "remove",
            Spelling::Delete => "delete",
            Spelling::LoadAndDelete => "load_and_delete",
            Spelling::Get => "get",
            Spelling::Load => "load",
            Spelling::Len => "len",
            Spelling::Clear => "clear",
            Spelling::Iterate => "iterate",
            Spelling::Range => "range",
            Spelling::Reclaim => "reclaim",
            Spelling::GetOrInsert => "get_or_insert",
            Spelling::LoadOrStore => "load_or_store",
            Spelling::Swap => "swap",
            Spelling::CompareAndSwap => "compare_and_swap",
            Spelling::CompareAndDelete => "compare_and_delete",
            Spelling::RemoveIf => "remove_if",
            Spelling::Retain => "retain",
            Spelling::Update => "update",
        }
    }

    fn from_name(name: &str) -> Option<Spelling> {
        const ALL: [Spelling; 20] = [
            Spelling::Insert,
            Spelling::Store,
            Spelling::Remove,
            Spelling::Delete,
            Spelling::LoadAndDelete,
            Spelling::Get,
            Spelling::Load,
            Spelling::Len,
            Spelling::Clear,
            Spelling::Iterate,
            Spelling::Range,
            Spelling::Reclaim,
            Spelling::GetOrInsert,
            Spelling::LoadOrStore,
            Spelling::Swap,
            Spelling::CompareAndSwap,
            Spelling::CompareAndDelete,
            Spelling::RemoveIf,
            Spelling::Retain,
            Spelling::Update,
        ];
        // Go's method names (`LoadOrStore`) are the snake-case names without the underscores.
        let canon = name.to_ascii_lowercase().replace('-', "_");
        ALL.into_iter()
            .find(|s| s.name() == canon || (!canon.contains('_') && s.name().replace('_', "") == canon))
    }

    /// The spelling a plain operation is written with by default.
    pub fn of(op: &Op) -> Spelling {
        match op {
            Op::Insert { .. } => Spelling::Insert,
            Op::Remove { .. } => Spelling::Remove,
            Op::Get { .. } => Spelling::Get,
            Op::Len => Spelling::Len,
            Op::Clear => Spelling::Clear,
            Op::Iterate { .. } => Spelling::Iterate,
            Op::Reclaim => Spelling::Reclaim,
            Op::GetOrInsert { .. } => Spelling::GetOrInsert,
            Op::CompareAndSwap { .. } => Spelling::CompareAndSwap,
            Op::CompareAndDelete { .. } => Spelling::CompareAndDelete,
            Op::RemoveIf { .. } => Spelling::RemoveIf,
            Op::Retain { .. } => Spelling::Retain,
            Op::Update { .. } => Spelling::Update,
        }
    }

    /// Whether this spelling can name `op`.
    pub fn fits(self, op: &Op) -> bool {
        use Spelling::*;
        matches!(
            (self, op),
            (Insert | Store | Swap, Op::Insert { .. })
                | (Remove | Delete | LoadAndDelete, Op::Remove { .. })
                | (Get | Load, Op::Get { .. })
                | (Len, Op::Len)
                | (Clear, Op::Clear)
                | (Iterate | Range, Op::Iterate { .. })
                | (Reclaim, Op::Reclaim)
                | (GetOrInsert | LoadOrStore, Op::GetOrInsert { .. })
                | (CompareAndSwap, Op::CompareAndSwap { .. })
                | (CompareAndDelete, Op::CompareAndDelete { .. })
                | (RemoveIf, Op::RemoveIf { .. })
                | (Retain, Op::Retain { .. })
                | (Update, Op::Update { .. })
        )
    }
}

impl Step {
    pub fn new(op: Op) -> Step {
        Step {
            op,
            spelling: Spelling::of(&op),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.op.write_named(f, self.spelling.name())
    }
}

/// A syntax error inside one operation: byte offsets into the operation's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

fn err(span: Range<usize>, message: impl Into<String>) -> OpError {
    OpError {
        span,
        message: message.into(),
        help: None,
    }
}

/// Parses one operation, e.g. `insert(1, 10)`, `len`, `range(delete: 3)`.
pub fn parse_step(text: &str) -> Result<Step, OpError> {
    let lead = text.len() - text.trim_start().len();
    let name_end = text[lead..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(text.len(), |e| lead + e);
    let name = text[lead..name_end].trim();
    if name.is_empty() {
        return Err(OpError {
            help: Some(forms_help()),
            ..err(0..text.len(), "expected an operation name, found nothing")
        });
    }
    let name_span = lead..name_end;
    let spelling = Spelling::from_name(name).ok_or_else(|| OpError {
        help: Some(forms_help()),
        ..err(name_span.clone(), format!("unknown operation `{}`", short(name)))
    })?;
    let rest = &text[name_end..];
    let args: Vec<(Range<usize>, &str)> = match rest.trim() {
        "" => Vec::new(),
        r if r.starts_with('(') => {
            let open = name_end + rest.find('(').unwrap_or(0);
            let close = text
                .rfind(')')
                .filter(|&c| c > open)
                .ok_or_else(|| err(open..text.len(), "this `(` is never closed; expected `)`"))?;
            let trailing = text[close + 1..].trim();
            if !trailing.is_empty() {
                let at = close + 1 + text[close + 1..].find(trailing).unwrap_or(0);
                return Err(err(
                    at..text.len(),
                    format!("unexpected `{}` after the operation", short(trailing)),
                ));
            }
            let inner = &text[open + 1..close];
            if inner.trim().is_empty() {
                Vec::new()
            } else {
                let mut out = Vec::new();
                let mut at = open + 1;
                for part in inner.split(',') {
                    let lead = part.len() - part.trim_start().len();
                    let s = part.trim();
                    out.push((at + lead..at + lead + s.len(), s));
                    at += part.len() + 1;
                }
                out
            }
        }
        r => {
            let at = name_end + rest.find(r).unwrap_or(0);
            return Err(err(
                at..text.len(),
                format!("expected `(` after `{}`, found `{}`", short(name), short(r)),
            ));
        }
    };
    let whole = 0..text.len();
    let want = |n: usize, form: &str| -> Result<(), OpError> {
        if args.len() == n {
            Ok(())
        } else {
            let span = if args.is_empty() {
                whole.clone()
            } else {
                args[0].0.start..args[args.len() - 1].0.end
            };
            Err(err(
                span,
                format!(
                    "`{}` takes {n} argument{}, found {}; expected `{form}`",
                    spelling.name(),
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
            ))
        }
    };
    let number = |i: usize, what: &str| -> Result<u64, OpError> {
        let (span, s) = &args[i];
        whole_number(span.clone(), s, what)
    };
    let n = spelling.name();
    let op = match spelling {
        Spelling::Insert | Spelling::Store | Spelling::Swap => {
            want(2, &format!("{n}(KEY, VALUE)"))?;
            Op::Insert {
                key: number(0, "key")? as Key,
                value: number(1, "value")? as Value,
            }
        }
        Spelling::Remove | Spelling::Delete | Spelling::LoadAndDelete => {
            want(1, &format!("{n}(KEY)"))?;
            Op::Remove {
                key: number(0, "key")?,
            }
        }
        Spelling::Get | Spelling::Load => {
            want(1, &format!("{n}(KEY)"))?;
            Op::Get {
                key: number(0, "key")?,
            }
        }
        Spelling::Len => {
            want(0, "len()")?;
            Op::Len
        }
        Spelling::Clear => {
            want(0, "clear()")?;
            Op::Clear
        }
        Spelling::Reclaim => {
            want(0, "reclaim()")?;
            Op::Reclaim
        }
        Spelling::Iterate | Spelling::Range => {
            if args.len() > 1 {
                want(1, &format!("{n}(delete: all|even|odd|KEY)"))?;
            }
            let delete = match args.first() {
                None => DeleteIf::Nothing,
                Some((span, arg)) => {
                    let Some((word, what)) = arg.split_once(':') else {
                        return Err(err(
                            span.clone(),
                            format!("expected `delete: all|even|odd|KEY`, found `{}`", short(arg)),
                        ));
                    };
                    if word.trim() != "delete" {
                        return Err(err(
                            span.clone(),
                            format!("expected `delete:`, found `{}:`", short(word.trim())),
                        ));
                    }
                    match what.trim() {
                        "all" => DeleteIf::All,
                        "even" => DeleteIf::Even,
                        "odd" => DeleteIf::Odd,
                        "none" | "nothing" => DeleteIf::Nothing,
                        k if k.starts_with(|c: char| c.is_ascii_digit()) => {
                            DeleteIf::Key(whole_number(span.clone(), k, "key")?)
                        }
                        k => {
                            return Err(err(
                                span.clone(),
                                format!(
                                    "expected `all`, `even`, `odd` or a key after `delete:`, found `{}`",
                                    crate::import::shorten(k, 40)
                                ),
                            ))
                        }
                    }
                }
            };
            Op::Iterate { delete }
        }
        Spelling::GetOrInsert | Spelling::LoadOrStore => {
            want(2, &format!("{n}(KEY, VALUE)"))?;
            Op::GetOrInsert {
                key: number(0, "key")?,
                value: number(1, "value")?,
            }
        }
        Spelling::CompareAndSwap => {
            want(3, "compare_and_swap(KEY, OLD, NEW)")?;
            Op::CompareAndSwap {
                key: number(0, "key")?,
                old: number(1, "value")?,
                new: number(2, "value")?,
            }
        }
        Spelling::CompareAndDelete => {
            want(2, "compare_and_delete(KEY, OLD)")?;
            Op::CompareAndDelete {
                key: number(0, "key")?,
                old: number(1, "value")?,
            }
        }
        Spelling::RemoveIf => {
            want(2, "remove_if(KEY, delete: all|even|odd|none|VALUE|not VALUE)")?;
            let (span, arg) = &args[1];
            Op::RemoveIf {
                key: number(0, "key")?,
                delete: value_if(span.clone(), named(span.clone(), arg, "delete")?)?,
            }
        }
        Spelling::Retain => {
            if args.len() > 1 {
                want(1, "retain(delete: all|even|odd|none|VALUE|not VALUE)")?;
            }
            let delete = match args.first() {
                None => ValueIf::Nothing,
                Some((span, arg)) => value_if(span.clone(), named(span.clone(), arg, "delete")?)?,
            };
            Op::Retain { delete }
        }
        Spelling::Update => {
            if args.len() != 3 {
                want(2, "update(KEY, add: N) or update(KEY, add: N, insert: VALUE)")?;
            }
            let (span, arg) = &args[1];
            let add = named(span.clone(), arg, "add")?;
            let insert = match args.get(2) {
                None => None,
                Some((span, arg)) => Some(whole_number(
                    span.clone(),
                    named(span.clone(), arg, "insert")?,
                    "value",
                )?),
            };
            Op::Update {
                key: number(0, "key")?,
                add: whole_number(span.clone(), add, "value")?,
                insert,
            }
        }
    };
    Ok(Step { op, spelling })
}

/// The text after `word:` in an argument written `word: text`.
fn named<'a>(span: Range<usize>, arg: &'a str, word: &str) -> Result<&'a str, OpError> {
    match arg.split_once(':') {
        Some((w, rest)) if w.trim() == word => Ok(rest.trim()),
        Some((w, _)) => Err(err(
            span,
            format!("expected `{word}:`, found `{}:`", short(w.trim())),
        )),
        None => Err(err(
            span,
            format!("expected `{word}: ...`, found `{}`", short(arg)),
        )),
    }
}

/// A predicate over values: `all`, `even`, `odd`, `none`, a value, or `not VALUE`.
fn value_if(span: Range<usize>, text: &str) -> Result<ValueIf, OpError> {
    Ok(match text {
        "all" => ValueIf::All,
        "even" => ValueIf::Even,
        "odd" => ValueIf::Odd,
        "none" | "nothing" => ValueIf::Nothing,
        t if t.starts_with(|c: char| c.is_ascii_digit()) => ValueIf::Is(whole_number(span, t, "value")?),
        t => match t
            .strip_prefix("not")
            .filter(|r| r.starts_with(char::is_whitespace))
        {
            Some(v) => ValueIf::Not(whole_number(span, v.trim(), "value")?),
            None => {
                return Err(err(
                    span,
                    format!(
                        "expected `all`, `even`, `odd`, `none`, a value or `not VALUE` after `delete:`, \
                         found `{}`",
                        short(t)
                    ),
                ))
            }
        },
    })
}

/// Every key and value an operation names (for renumbering words above the format's bound).
pub fn words(op: &Op) -> Vec<u64> {
    let vif = |d: ValueIf| match d {
        ValueIf::Is(v) | ValueIf::Not(v) => Some(v),
        _ => None,
    };
    match *op {
        Op::Insert { key, value } | Op::GetOrInsert { key, value } => vec![key, value],
        Op::Remove { key } | Op::Get { key } => vec![key],
        Op::Iterate {
            delete: DeleteIf::Key(key),
        } => vec![key],
        Op::CompareAndSwap { key, old, new } => vec![key, old, new],
        Op::CompareAndDelete { key, old } => vec![key, old],
        Op::RemoveIf { key, delete } => std::iter::once(key).chain(vif(delete)).collect(),
        Op::Retain { delete } => vif(delete).into_iter().collect(),
        Op::Update { key, add, insert } => [key, add].into_iter().chain(insert).collect(),
        Op::Len | Op::Clear | Op::Reclaim | Op::Iterate { .. } => Vec::new(),
    }
}

/// The operation with its key (and an iteration's key to delete) passed through `f`.
pub fn map_keys(op: Op, f: impl Fn(u64) -> u64) -> Op {
    match op {
        Op::Iterate {
            delete: DeleteIf::Key(k),
        } => Op::Iterate {
            delete: DeleteIf::Key(f(k)),
        },
        Op::Insert { key, value } => Op::Insert { key: f(key), value },
        Op::Remove { key } => Op::Remove { key: f(key) },
        Op::Get { key } => Op::Get { key: f(key) },
        Op::GetOrInsert { key, value } => Op::GetOrInsert { key: f(key), value },
        Op::CompareAndSwap { key, old, new } => Op::CompareAndSwap {
            key: f(key),
            old,
            new,
        },
        Op::CompareAndDelete { key, old } => Op::CompareAndDelete { key: f(key), old },
        Op::RemoveIf { key, delete } => Op::RemoveIf { key: f(key), delete },
        Op::Update { key, add, insert } => Op::Update {
            key: f(key),
            add,
            insert,
        },
        op @ (Op::Len | Op::Clear | Op::Reclaim | Op::Iterate { .. } | Op::Retain { .. }) => op,
    }
}

/// The operation with every key and value passed through `f`.
pub fn map_words(op: Op, f: impl Fn(u64) -> u64) -> Op {
    let vif = |d: ValueIf| match d {
        ValueIf::Is(v) => ValueIf::Is(f(v)),
        ValueIf::Not(v) => ValueIf::Not(f(v)),
        d => d,
    };
    match op {
        Op::Insert { key, value } => Op::Insert {
            key: f(key),
            value: f(value),
        },
        Op::GetOrInsert { key, value } => Op::GetOrInsert {
            key: f(key),
            value: f(value),
        },
        Op::Remove { key } => Op::Remove { key: f(key) },
        Op::Get { key } => Op::Get { key: f(key) },
        Op::Iterate {
            delete: DeleteIf::Key(key),
        } => Op::Iterate {
            delete: DeleteIf::Key(f(key)),
        },
        Op::CompareAndSwap { key, old, new } => Op::CompareAndSwap {
            key: f(key),
            old: f(old),
            new: f(new),
        },
        Op::CompareAndDelete { key, old } => Op::CompareAndDelete {
            key: f(key),
            old: f(old),
        },
        Op::RemoveIf { key, delete } => Op::RemoveIf {
            key: f(key),
            delete: vif(delete),
        },
        Op::Retain { delete } => Op::Retain { delete: vif(delete) },
        Op::Update { key, add, insert } => Op::Update {
            key: f(key),
            add: f(add),
            insert: insert.map(&f),
        },
        op @ (Op::Len | Op::Clear | Op::Reclaim | Op::Iterate { .. }) => op,
    }
}

/// Input quoted in a message: at most 40 characters.
fn short(s: &str) -> String {
    crate::import::shorten(s, 40)
}

/// A key or value written `s` (underscores allowed): a whole number from 0 to [`crate::MAX_WORD`].
fn whole_number(span: Range<usize>, s: &str, what: &str) -> Result<u64, OpError> {
    let digits = s.replace('_', "");
    let bad = || {
        err(
            span.clone(),
            format!(
                "expected a {what} (a whole number from 0 to {}), found `{}`",
                crate::MAX_WORD_TEXT,
                short(s)
            ),
        )
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match digits.parse::<u64>() {
        Ok(w) if w <= crate::MAX_WORD => Ok(w),
        _ => Err(err(
            span.clone(),
            format!(
                "{what} {} is above {}, the largest {what}",
                crate::import::shorten(s, 40),
                crate::MAX_WORD_TEXT
            ),
        )),
    }
}

fn forms_help() -> String {
    let names: Vec<&str> = FORMS.iter().map(|(f, _)| *f).collect();
    format!("the operations are: {}", names.join(", "))
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
