//! The map's compound calls: `entry(k)` chains (`or_insert`, `or_insert_with`, `or_default`,
//! `and_modify`, scc's `or_put`), the counter `*map.entry(k).or_insert(0) += n`, `remove_if`
//! (DashMap's and scc's), in-place updates with a closure (DashMap's `alter`, papaya's `update`,
//! `compute`-like), get-or-insert methods (papaya's `get_or_insert`), and `retain`. A predicate or
//! a modification is read off the closure by running it on sample values and taking the member of
//! the format's closed set that agrees on all of them; when none does, the closest is taken and
//! noted.

use super::eval::{Importer, Val};
use super::syntax::{excerpt, pat_name, tokens};
use crate::Spelling as S;
use mapcheck_harness::{Op, ValueIf};
use std::collections::{BTreeSet, HashMap};
use syn::{Expr, ExprMethodCall};

/// The methods of an entry that end or extend an `entry(k)` chain.
const TAIL: &[&str] = &[
    "and_modify",
    "or_insert",
    "or_insert_with",
    "or_insert_with_key",
    "or_default",
    "or_put",
    "or_put_with",
];

/// An `entry(k)` chain, read off the syntax: the map's expression, the key's, the modification's
/// closure and what is inserted when the key is absent.
struct Chain<'a> {
    map: &'a Expr,
    key: &'a Expr,
    modify: Option<&'a Expr>,
    insert: Option<(&'a str, Option<&'a Expr>)>,
}

fn chain(m: &ExprMethodCall) -> Option<Chain<'_>> {
    let mut modify = None;
    let mut insert = None;
    let mut at = m;
    loop {
        let name = at.method.to_string();
        if name == "entry" {
            return Some(Chain {
                map: &at.receiver,
                key: at.args.first()?,
                modify,
                insert,
            });
        }
        if !TAIL.contains(&name.as_str()) {
            return None;
        }
        if name == "and_modify" {
            modify = at.args.first();
        } else if insert.is_none() {
            insert = Some((TAIL[TAIL.iter().position(|t| *t == name)?], at.args.first()));
        }
        let Expr::MethodCall(inner) = &*at.receiver else {
            return None;
        };
        at = inner;
    }
}

/// Sample values a closure is run on: small words, the initial values and the integers the
/// closure names (and their neighbours).
fn samples(initial: &[(u64, u64)], closure: &Expr) -> Vec<u64> {
    let mut out: BTreeSet<u64> = (0..4).collect();
    out.extend(initial.iter().map(|(_, v)| *v));
    for word in excerpt(closure).split(|c: char| !c.is_ascii_digit()) {
        if let Ok(n) = word.parse::<u64>() {
            out.extend([n.saturating_sub(1), n, n.saturating_add(1)]);
        }
    }
    out.into_iter().take(64).collect()
}

/// A difference as an update's `add`: values wrap below 2^63, so subtracting n is adding
/// 2^63 - n.
fn wrapping(d: i64) -> u64 {
    (d as u64) & mapcheck_harness::op::MAX_VALUE
}

impl Importer {
    /// A chain on the map: emits its operation and returns true.
    pub(super) fn entry_call(&mut self, m: &ExprMethodCall, line: usize) -> bool {
        let Some(c) = chain(m) else { return false };
        if self.eval(c.map) != Val::Map {
            return false;
        }
        let op = self.chain_op(&c, line);
        self.b.emit(op, S::of(&op), line);
        true
    }

    /// `*map.entry(k).or_insert(v) += n` (a counter): one update in place; true when `left` is
    /// such a chain.
    pub(super) fn entry_add(&mut self, left: &Expr, op: &str, right: &Val, line: usize) -> bool {
        let Expr::Unary(u) = left else { return false };
        let (syn::UnOp::Deref(_), Expr::MethodCall(m)) = (&u.op, &*u.expr) else {
            return false;
        };
        let Some(c) = chain(m) else { return false };
        if c.insert.is_none() || c.modify.is_some() || self.eval(c.map) != Val::Map {
            return false;
        }
        let add = match (op, right) {
            ("+=", Val::Int(n)) => wrapping(*n),
            ("-=", Val::Int(n)) => wrapping(n.wrapping_neg()),
            _ => {
                self.b.note_once(format!(
                    "line {line}: `{op}` on the entry's value is not computed; imported as `add: 1`"
                ));
                1
            }
        };
        let op = match self.chain_op(&c, line) {
            Op::GetOrInsert { key, value } => Op::Update {
                key,
                add,
                insert: Some(mapcheck_harness::op::added(value, add)),
            },
            other => other,
        };
        self.b.emit(op, S::of(&op), line);
        true
    }

    fn chain_op(&mut self, c: &Chain<'_>, line: usize) -> Op {
        let k = self.eval(c.key);
        let key = self.key(k.clone());
        let insert = c.insert.map(|(how, arg)| {
            let v = match (how, arg) {
                ("or_default", _) => Val::Int(0),
                ("or_insert_with" | "or_put_with", Some(f)) => self.apply(f, Vec::new()),
                ("or_insert_with_key", Some(f)) => self.apply(f, vec![k.clone()]),
                (_, Some(v)) => self.eval(v),
                (_, None) => Val::Opaque,
            };
            self.value(v)
        });
        match (c.modify, insert) {
            (None, Some(value)) => Op::GetOrInsert { key, value },
            (Some(f), insert) => Op::Update {
                key,
                add: self.modification(f, line),
                insert,
            },
            (None, None) => Op::Get { key },
        }
    }

    /// Runs a closure on `args`, capturing (and dropping) any map operation inside it.
    fn apply(&mut self, f: &Expr, args: Vec<Val>) -> Val {
        let Expr::Closure(c) = f else {
            return self.eval(f);
        };
        let saved = self.b.deferred.replace(Vec::new());
        self.env.push(HashMap::new());
        for (p, a) in c.inputs.iter().zip(args) {
            self.define(&pat_name(p), a);
        }
        let out = self.eval(&c.body);
        self.flow = None;
        self.env.pop();
        self.b.deferred = saved;
        out
    }

    /// What a modification closure adds: `|v| *v += n`, `|_, v| v + n`, `|v| *v = *v + n` (run on
    /// sample values: the same difference on all of them); otherwise 1, noted.
    fn modification(&mut self, f: &Expr, line: usize) -> u64 {
        let Expr::Closure(c) = f else {
            return self.not_computed(f, line);
        };
        let params: Vec<String> = c.inputs.iter().map(pat_name).collect();
        let mut diffs = BTreeSet::new();
        for x in [0u64, 1, 2, 10] {
            self.env.push(HashMap::new());
            let saved = self.b.deferred.replace(Vec::new());
            for (i, p) in params.iter().enumerate() {
                // The value is the last parameter (`|v|`, `|k, v|`).
                let v = if i + 1 == params.len() {
                    Val::Int(x as i64)
                } else {
                    Val::Opaque
                };
                self.define(p, v);
            }
            let out = self.eval(&c.body);
            // `*v += n` changes the binding; `v + n` returns the new value.
            let after = match out {
                Val::Int(n) => Some(n),
                _ => params.last().and_then(|p| match self.lookup(p) {
                    Some(Val::Int(n)) if n != x as i64 => Some(n),
                    _ => None,
                }),
            };
            self.flow = None;
            self.b.deferred = saved;
            self.env.pop();
            match after {
                Some(n) => diffs.insert(n.wrapping_sub(x as i64)),
                None => return self.not_computed(f, line),
            };
        }
        match diffs.into_iter().collect::<Vec<_>>()[..] {
            [d] => wrapping(d),
            _ => self.not_computed(f, line),
        }
    }

    fn not_computed(&mut self, f: &Expr, line: usize) -> u64 {
        self.b.note_once(format!(
            "line {line}: the modification `{}` is not an addition the importer computes; imported as \
             `add: 1`",
            excerpt(f)
        ));
        1
    }

    /// A predicate closure over the value as the format's closed set: run on sample values (the
    /// key, when it takes one, unknown), the member that agrees on every sample, or `None` when
    /// the closure reads the key or no member agrees. `negate` for a retain's keep.
    pub(super) fn value_if(&mut self, f: &Expr, negate: bool) -> Option<ValueIf> {
        let Expr::Closure(c) = f else { return None };
        let params: Vec<String> = c.inputs.iter().map(pat_name).collect();
        let values = samples(&self.b.initial, f);
        let mut outcome = Vec::new();
        for &x in &values {
            let args: Vec<Val> = (0..params.len())
                .map(|i| {
                    if i + 1 == params.len() {
                        Val::Int(x as i64)
                    } else {
                        Val::Opaque
                    }
                })
                .collect();
            match self.apply(f, args) {
                Val::Int(b) => outcome.push((x, (b != 0) != negate)),
                _ => return None,
            }
        }
        let mut candidates = vec![ValueIf::Nothing, ValueIf::All, ValueIf::Even, ValueIf::Odd];
        candidates.extend(values.iter().map(|&v| ValueIf::Is(v)));
        candidates.extend(values.iter().map(|&v| ValueIf::Not(v)));
        candidates
            .into_iter()
            .find(|p| outcome.iter().all(|&(x, removes)| p.matches(x) == removes))
    }

    /// `map.remove_if(&k, |k, v| ...)` (DashMap), `map.remove_if(&k, |v| ...)` (scc).
    pub(super) fn remove_if(&mut self, m: &ExprMethodCall, line: usize) {
        let k = m.args.first().map_or(Val::Opaque, |a| self.eval(a));
        let key = self.key(k);
        let delete = match m.args.iter().nth(1) {
            Some(f) => self.value_if(f, false).unwrap_or_else(|| {
                self.b.note_once(format!(
                    "line {line}: the condition of `remove_if` is not one the format has (all, even, \
                     odd, a value, every value but one); it removes whatever the key holds"
                ));
                ValueIf::All
            }),
            None => ValueIf::All,
        };
        self.b.emit(Op::RemoveIf { key, delete }, S::RemoveIf, line);
    }

    /// `map.alter(&k, |_, v| v + 1)` (DashMap), `map.update(k, |v| v + 1)` (papaya): the key's
    /// value changed in place when it has one.
    pub(super) fn update_with(&mut self, m: &ExprMethodCall, line: usize) {
        let k = m.args.first().map_or(Val::Opaque, |a| self.eval(a));
        let key = self.key(k);
        let add = match m.args.iter().nth(1) {
            Some(f) => self.modification(f, line),
            None => 1,
        };
        self.b.emit(
            Op::Update {
                key,
                add,
                insert: None,
            },
            S::Update,
            line,
        );
    }

    /// `map.get_or_insert(k, v)`, `map.get_or_insert_with(k, || v)` (papaya).
    pub(super) fn get_or_insert(&mut self, m: &ExprMethodCall, line: usize) {
        let k = m.args.first().map_or(Val::Opaque, |a| self.eval(a));
        let key = self.key(k);
        let v = match m.args.iter().nth(1) {
            Some(f @ Expr::Closure(_)) => self.apply(f, Vec::new()),
            Some(v) => self.eval(v),
            None => Val::Opaque,
        };
        let value = self.value(v);
        self.b.emit(Op::GetOrInsert { key, value }, S::GetOrInsert, line);
    }

    /// `map.retain(|k, v| keep)`: one retain. A predicate over the value is the format's; one that
    /// reads the key is run on the initial entries and imported as the values it removes, noted.
    pub(super) fn retain_op(&mut self, m: &ExprMethodCall, line: usize) {
        let Some(f) = m.args.first() else {
            self.b.emit(
                Op::Retain {
                    delete: ValueIf::Nothing,
                },
                S::Retain,
                line,
            );
            return;
        };
        let delete = match self.value_if(f, true) {
            Some(d) => d,
            None => {
                let Expr::Closure(c) = f else {
                    return self.retain_all(line);
                };
                let params: Vec<String> = c.inputs.iter().map(pat_name).collect();
                let entries = self.b.initial.clone();
                let originals = self.b.originals();
                let mut gone = Vec::new();
                for (k, v) in &entries {
                    let kv = originals
                        .get(k)
                        .map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
                    let args = match params.len() {
                        1 => vec![Val::Int(*v as i64)],
                        _ => vec![kv, Val::Int(*v as i64)],
                    };
                    match self.apply(f, args) {
                        Val::Int(0) => gone.push(*v),
                        Val::Int(_) => {}
                        _ => return self.retain_all(line),
                    }
                }
                let values: Vec<u64> = entries.iter().map(|(_, v)| *v).collect();
                let (d, _) = crate::build::value_predicate(&values, &gone);
                self.b.note_once(format!(
                    "line {line}: the condition of `retain` is not one of the format's predicates over \
                     the value (all, even, odd, a value, every value but one); imported as `delete: {d}`, \
                     the values it removes from the initial entries"
                ));
                d
            }
        };
        self.b.emit(Op::Retain { delete }, S::Retain, line);
    }

    fn retain_all(&mut self, line: usize) {
        self.b.untranslated(
            line,
            "the condition of `retain` is not translated; it removes every entry",
        );
        self.b.emit(Op::Retain { delete: ValueIf::All }, S::Retain, line);
    }
}

/// What one arm of a `match map.entry(k)` does with its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArmDoes {
    /// Reads the entry, or leaves it alone.
    Nothing,
    /// `*o.get_mut() += n` (or `-=`): the value plus `n`, wrapped.
    Add(u64),
    /// `o.insert(x)` or `v.insert(x)`: the value `x`.
    Put(u64),
    /// `o.remove()` (or `remove_entry`, `swap_remove`, `shift_remove`).
    Remove,
}

/// The binding an `Entry::Occupied(o)` / `Entry::Vacant(v)` pattern names, and which of the two
/// it is (true: occupied).
fn entry_arm(p: &syn::Pat) -> Option<(bool, String)> {
    let syn::Pat::TupleStruct(t) = p else {
        return None;
    };
    let last = t.path.segments.last()?.ident.to_string();
    let occupied = match last.as_str() {
        "Occupied" => true,
        "Vacant" => false,
        _ => return None,
    };
    let name = t.elems.first().map_or_else(|| "_".into(), pat_name);
    Some((occupied, name))
}

/// The method call an expression is, under any `*`, `&` or parentheses.
fn call_in(e: &Expr) -> Option<&ExprMethodCall> {
    match e {
        Expr::MethodCall(m) => Some(m),
        Expr::Unary(u) => call_in(&u.expr),
        Expr::Reference(r) => call_in(&r.expr),
        Expr::Paren(p) => call_in(&p.expr),
        _ => None,
    }
}

/// The variable an expression starts from (`m` in `m.lock().unwrap()`, `self.map`'s `self`).
fn root(e: &Expr) -> Option<String> {
    match e {
        Expr::MethodCall(m) => root(&m.receiver),
        Expr::Field(f) => root(&f.base),
        Expr::Unary(u) => root(&u.expr),
        Expr::Reference(r) => root(&r.expr),
        Expr::Paren(p) => root(&p.expr),
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

/// Whether the expression's tokens name the word `name`.
fn names(e: &Expr, name: &str) -> bool {
    tokens(e)
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == name)
}

/// Whether `e` is the path `name`.
fn is_binding(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Path(p) if p.path.is_ident(name))
}

impl Importer {
    /// `match map.entry(k) { Entry::Occupied(o) => .., Entry::Vacant(v) => .. }`: the one operation
    /// the two arms make together (reading and inserting: a get-or-insert; adding and inserting:
    /// an update; removing: a remove; putting one value either way: an insert); `None` when the
    /// scrutinee is not an entry of the map. Arms that do something else are not translated.
    pub(super) fn entry_match(&mut self, m: &syn::ExprMatch, line: usize) -> Option<Val> {
        let call = call_in(&m.expr)?;
        if call.method != "entry" || self.eval(&call.receiver) != Val::Map {
            return None;
        }
        let key_expr = call.args.first()?;
        let key = self.eval(key_expr);
        let key = self.key(key);
        let (mut occupied, mut vacant) = (None, None);
        for arm in &m.arms {
            let Some((is_occupied, name)) = entry_arm(&arm.pat) else {
                self.b.untranslated(
                    line,
                    format!(
                        "the arm `{}` of a match on the map's entry is not translated (expected \
                         `Entry::Occupied(o)` and `Entry::Vacant(v)`)",
                        crate::import::shorten(&tokens(&arm.pat), 40)
                    ),
                );
                return Some(Val::Opaque);
            };
            if arm.guard.is_some() {
                self.b.untranslated(
                    line,
                    "a guard on an arm of a match on the map's entry is not translated",
                );
                return Some(Val::Opaque);
            }
            let map = root(&call.receiver).unwrap_or_default();
            let Some(does) = self.arm_does(&arm.body, &name, &map, line) else {
                return Some(Val::Opaque);
            };
            if is_occupied {
                occupied = Some(does);
            } else {
                vacant = Some(does);
            }
        }
        let (o, v) = (
            occupied.unwrap_or(ArmDoes::Nothing),
            vacant.unwrap_or(ArmDoes::Nothing),
        );
        let op = match (o, v) {
            (ArmDoes::Nothing, ArmDoes::Put(value)) => Op::GetOrInsert { key, value },
            (ArmDoes::Nothing, ArmDoes::Nothing) => Op::Get { key },
            (ArmDoes::Add(add), ArmDoes::Put(value)) => Op::Update {
                key,
                add,
                insert: Some(value),
            },
            (ArmDoes::Add(add), ArmDoes::Nothing) => Op::Update {
                key,
                add,
                insert: None,
            },
            (ArmDoes::Remove, ArmDoes::Nothing) => Op::Remove { key },
            (ArmDoes::Put(a), ArmDoes::Put(b)) if a == b => Op::Insert { key, value: a },
            (o, v) => {
                self.b.untranslated(
                    line,
                    format!(
                        "a match on the map's entry whose arms do {o:?} (occupied) and {v:?} \
                         (vacant) is no single operation of the format; not translated"
                    ),
                );
                return Some(Val::Opaque);
            }
        };
        self.b.emit(op, S::of(&op), line);
        Some(Val::Opaque)
    }

    /// What an arm's body does with the entry bound to `name`: at most one thing, said by a
    /// statement that calls a method of the entry; statements that name neither the entry nor the
    /// map (`map`, the variable the map's expression starts from) are left alone. `None` (noted as
    /// not translated) when it does more, or something else, or uses the map again.
    fn arm_does(&mut self, body: &Expr, name: &str, map: &str, line: usize) -> Option<ArmDoes> {
        let exprs: Vec<&Expr> = match body {
            Expr::Block(b) => b
                .block
                .stmts
                .iter()
                .filter_map(|s| match s {
                    syn::Stmt::Expr(e, _) => Some(e),
                    _ => None,
                })
                .collect(),
            e => vec![e],
        };
        let mut does = ArmDoes::Nothing;
        for e in exprs {
            if !map.is_empty() && names(e, map) {
                self.b.untranslated(
                    line,
                    format!(
                        "`{}`, the map used again inside an arm of a match on its entry, is not \
                         translated",
                        crate::import::shorten(&tokens(e), 60)
                    ),
                );
                return None;
            }
            // An arm that binds nothing (`Entry::Vacant(_)`) has no entry to use.
            if name == "_" || !names(e, name) {
                continue;
            }
            let this = match e {
                Expr::Binary(b) if matches!(b.op, syn::BinOp::AddAssign(_) | syn::BinOp::SubAssign(_)) => {
                    let target = call_in(&b.left)
                        .filter(|c| is_binding(&c.receiver, name))
                        .filter(|c| matches!(c.method.to_string().as_str(), "get_mut" | "into_mut"));
                    match (target, self.eval(&b.right)) {
                        (Some(_), Val::Int(n)) => {
                            Some(ArmDoes::Add(if matches!(b.op, syn::BinOp::AddAssign(_)) {
                                wrapping(n)
                            } else {
                                wrapping(n.wrapping_neg())
                            }))
                        }
                        _ => None,
                    }
                }
                e => match call_in(e).filter(|c| is_binding(&c.receiver, name)) {
                    Some(c) => match c.method.to_string().as_str() {
                        "get" | "key" | "get_mut" | "into_mut" => Some(ArmDoes::Nothing),
                        "remove" | "remove_entry" | "swap_remove" | "shift_remove" => Some(ArmDoes::Remove),
                        "insert" | "insert_entry" => {
                            let v = c.args.first().map_or(Val::Opaque, |a| self.eval(a));
                            Some(ArmDoes::Put(self.value(v)))
                        }
                        _ => None,
                    },
                    None => None,
                },
            };
            match (does, this) {
                (ArmDoes::Nothing, Some(t)) => does = t,
                (_, Some(ArmDoes::Nothing)) => {}
                _ => {
                    self.b.untranslated(
                        line,
                        format!(
                            "`{}` in an arm of a match on the map's entry is not translated",
                            crate::import::shorten(&tokens(e), 60)
                        ),
                    );
                    return None;
                }
            }
        }
        Some(does)
    }
}
