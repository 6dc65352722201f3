//! Rust expressions: arithmetic and strings the evaluator can compute, the map's methods as
//! operations, `for` loops (scaled, or an iteration over the map whose body may remove the
//! visited key), `retain`, spawning, and assembling the scenario.

use super::eval::{line_of, tokens, Importer, Val};
use super::{RustError, RustImport};
use crate::hazard::{self, Design};
use crate::{Scenario, Spelling as S, DEFAULT_SCHEDULES};
use mapcheck_harness::{DeleteIf, Op};
use std::collections::{BTreeSet, HashMap};
use syn::{Expr, Pat};

/// Methods that hand out the map itself (a clone of its `Arc`, a lock guard, a snapshot).
const HANDLES: &[&str] = &[
    "clone",
    "lock",
    "read",
    "write",
    "unwrap",
    "expect",
    "load",
    "load_full",
    "as_ref",
    "borrow",
    "borrow_mut",
    "deref",
    "get_mut",
    "into_inner",
    "unwrap_or_else",
];

impl Importer {
    pub(super) fn eval(&mut self, e: &Expr) -> Val {
        let line = line_of(e);
        match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Int(i) => i.base10_parse::<i64>().map_or(Val::Opaque, Val::Int),
                syn::Lit::Str(s) => Val::Str(s.value()),
                syn::Lit::Bool(b) => Val::Int(b.value as i64),
                syn::Lit::Char(c) => Val::Str(c.value().to_string()),
                _ => Val::Opaque,
            },
            Expr::Path(p) => {
                let name = tokens(&p.path).replace(' ', "");
                self.lookup(&name).unwrap_or(Val::Opaque)
            }
            Expr::Reference(r) => self.eval(&r.expr),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Group(g) => self.eval(&g.expr),
            Expr::Cast(c) => self.eval(&c.expr),
            Expr::Unary(u) => match (&u.op, self.eval(&u.expr)) {
                (syn::UnOp::Neg(_), Val::Int(n)) => Val::Int(n.wrapping_neg()),
                (syn::UnOp::Not(_), Val::Int(n)) => Val::Int((n == 0) as i64),
                (syn::UnOp::Deref(_), v) => v,
                _ => Val::Opaque,
            },
            Expr::Binary(b) => {
                let (l, r) = (self.eval(&b.left), self.eval(&b.right));
                binary(&tokens(&b.op), l, r)
            }
            Expr::Block(b) => self.block(&b.block.stmts).unwrap_or(Val::Opaque),
            Expr::Unsafe(b) => self.block(&b.block.stmts).unwrap_or(Val::Opaque),
            Expr::Assign(a) => {
                let v = self.eval(&a.right);
                if let Expr::Path(p) = &*a.left {
                    self.set(&tokens(&p.path).replace(' ', ""), v);
                }
                Val::Opaque
            }
            Expr::If(i) => self.if_expr(i),
            Expr::ForLoop(f) => {
                self.for_loop(f);
                Val::Opaque
            }
            Expr::While(w) => {
                self.untranslated.push((
                    line,
                    "a `while` loop is not translated: its body runs once".into(),
                ));
                self.block(&w.body.stmts);
                Val::Opaque
            }
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Call(c) => self.call(c, line),
            Expr::MethodCall(m) => self.method(m, line),
            Expr::Closure(_) => Val::Opaque,
            Expr::Try(t) => self.eval(&t.expr),
            Expr::Tuple(t) => {
                for e in &t.elems {
                    self.eval(e);
                }
                Val::Opaque
            }
            Expr::Index(i) => {
                self.eval(&i.expr);
                self.eval(&i.index);
                Val::Opaque
            }
            _ => Val::Opaque,
        }
    }

    fn if_expr(&mut self, i: &syn::ExprIf) -> Val {
        let line = line_of(&i.cond);
        let cond = self.eval(&i.cond);
        match cond {
            Val::Int(0) => match &i.else_branch {
                Some((_, e)) => self.eval(e),
                None => Val::Opaque,
            },
            Val::Int(_) => self.block(&i.then_branch.stmts).unwrap_or(Val::Opaque),
            _ => {
                self.note_once(format!(
                    "line {line}: the condition cannot be computed statically; its `then` branch is taken"
                ));
                self.block(&i.then_branch.stmts).unwrap_or(Val::Opaque)
            }
        }
    }

    fn call(&mut self, c: &syn::ExprCall, line: usize) -> Val {
        let f = tokens(&c.func).replace(' ', "");
        let last = f.rsplit("::").next().unwrap_or(&f).to_string();
        if last == "spawn" {
            if let Some(arg) = c.args.first() {
                self.spawn(arg, line);
            }
            return Val::Opaque;
        }
        if last == "scope" {
            // `thread::scope(|s| { s.spawn(...); ... })`: the scope's threads.
            if let Some(Expr::Closure(cl)) = c.args.first() {
                self.env.push(HashMap::new());
                if let Some(p) = cl.inputs.first() {
                    self.bind(p, Val::Scope);
                }
                self.eval(&cl.body);
                self.env.pop();
            }
            return Val::Opaque;
        }
        let args: Vec<Val> = c.args.iter().map(|a| self.eval(a)).collect();
        match last.as_str() {
            // `Arc::new(m)`, `Arc::clone(&m)`, `Mutex::new(m)`: the same map.
            "new" | "clone" | "from" | "from_pointee" if args.first() == Some(&Val::Map) => Val::Map,
            "from" | "String" => args.into_iter().next().unwrap_or(Val::Opaque),
            "sleep" | "yield_now" => {
                self.note_once(format!(
                    "`{f}` only changes the schedule; the engines explore the interleavings instead"
                ));
                Val::Opaque
            }
            name if self.fns.contains_key(name) => self.call_fn(name, args),
            _ => Val::Opaque,
        }
    }

    fn method(&mut self, m: &syn::ExprMethodCall, line: usize) -> Val {
        let name = m.method.to_string();
        let recv = self.eval(&m.receiver);
        if name == "spawn" {
            if let Some(arg) = m.args.first() {
                self.spawn(arg, line);
            }
            return Val::Opaque;
        }
        if recv != Val::Map {
            let args: Vec<Val> = m.args.iter().map(|a| self.eval(a)).collect();
            return match (name.as_str(), recv) {
                (
                    "to_string" | "to_owned" | "into" | "clone" | "key" | "deref",
                    v @ (Val::Str(_) | Val::Int(_)),
                ) => v,
                ("join", _) | ("push", _) => Val::Opaque,
                _ => {
                    let _ = args;
                    Val::Opaque
                }
            };
        }
        if matches!(name.as_str(), "lock" | "write" | "read") {
            self.locked = true;
        }
        if HANDLES.contains(&name.as_str()) {
            return Val::Map;
        }
        let arg = |me: &mut Self, i: usize| m.args.iter().nth(i).map_or(Val::Opaque, |a| me.eval(a));
        match name.as_str() {
            "insert" => {
                let (k, v) = (arg(self, 0), arg(self, 1));
                let (key, value) = (self.key(k), self.value(v));
                self.emit(Op::Insert { key, value }, S::Insert, line);
            }
            "remove" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.emit(Op::Remove { key }, S::Remove, line);
            }
            "get" | "contains_key" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.emit(Op::Get { key }, S::Get, line);
            }
            "len" | "is_empty" => self.emit(Op::Len, S::Len, line),
            "clear" => self.emit(Op::Clear, S::Clear, line),
            "retain" => {
                let delete = match m.args.first() {
                    Some(Expr::Closure(c)) => self.retain(c, line),
                    _ => DeleteIf::All,
                };
                self.emit(Op::Iterate { delete }, S::Iterate, line);
            }
            "iter" | "keys" | "values" | "iter_mut" | "range" => return Val::Map,
            "store" | "swap" => {
                self.cow.get_or_insert(false);
            }
            "rcu" | "compare_and_swap" => {
                self.cow = Some(true);
                if let Some(Expr::Closure(c)) = m.args.first() {
                    self.env.push(HashMap::new());
                    if let Some(p) = c.inputs.first() {
                        self.bind(p, Val::Map);
                    }
                    self.eval(&c.body);
                    self.env.pop();
                }
            }
            other => {
                self.untranslated
                    .push((line, format!("the map's method `{other}` is not translated")));
            }
        }
        Val::Opaque
    }

    /// `retain(|k, v| cond)` keeps the entries for which the condition holds: it deletes the
    /// initial keys for which it does not, as a key, a parity or all.
    fn retain(&mut self, c: &syn::ExprClosure, line: usize) -> DeleteIf {
        let names: Vec<String> = c.inputs.iter().map(pat_name).collect();
        let keys: Vec<(u64, u64)> = self.initial.clone();
        let originals: HashMap<u64, String> = self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect();
        let mut deleted = Vec::new();
        let saved = self.deferred.replace(Vec::new());
        for (k, v) in &keys {
            self.env.push(HashMap::new());
            let kv = originals
                .get(k)
                .map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
            if let Some(n) = names.first() {
                self.define(n, kv);
            }
            if let Some(n) = names.get(1) {
                self.define(n, Val::Int(*v as i64));
            }
            let keep = self.eval(&c.body);
            self.env.pop();
            match keep {
                Val::Int(0) => deleted.push(*k),
                Val::Int(_) => {}
                _ => {
                    self.deferred = saved;
                    self.untranslated.push((
                        line,
                        "the condition of `retain` is not translated; it deletes every key".into(),
                    ));
                    return DeleteIf::All;
                }
            }
        }
        self.deferred = saved;
        predicate(&keys.iter().map(|(k, _)| *k).collect::<Vec<_>>(), &deleted)
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) {
        let line = line_of(&f.expr);
        if let Expr::Range(r) = &*f.expr {
            let start = r.start.as_ref().map_or(Val::Int(0), |s| self.eval(s));
            let end = r.end.as_ref().map_or(Val::Opaque, |e| self.eval(e));
            let (Val::Int(a), Val::Int(b)) = (start, end) else {
                self.untranslated
                    .push((line, "a loop whose bounds cannot be computed runs once".into()));
                self.env.push(HashMap::new());
                self.bind(&f.pat, Val::Opaque);
                self.block(&f.body.stmts);
                self.env.pop();
                return;
            };
            let b = if matches!(r.limits, syn::RangeLimits::Closed(_)) {
                b.saturating_add(1)
            } else {
                b
            };
            let total = b.saturating_sub(a).max(0) as u64;
            let spawns = tokens(&f.body).contains("spawn");
            let cap = if spawns {
                self.scale.threads as u64
            } else if self.current.is_none() && !self.started {
                crate::MAX_INITIAL as u64
            } else {
                self.scale.loop_iterations
            };
            let runs = total.min(cap);
            if runs < total {
                let what = if spawns { "thread-spawning loop" } else { "loop" };
                self.note_once(format!(
                    "line {line}: a {what} of {total} iterations is scaled down to {runs}"
                ));
            }
            for i in 0..runs {
                self.env.push(HashMap::new());
                self.bind(&f.pat, Val::Int(a + i as i64));
                self.block(&f.body.stmts);
                self.env.pop();
            }
            return;
        }
        if self.eval(&f.expr) == Val::Map {
            self.iteration(f, line);
            return;
        }
        // A loop over something else (`for h in handles { h.join().unwrap(); }`): once.
        self.env.push(HashMap::new());
        self.bind(&f.pat, Val::Opaque);
        self.block(&f.body.stmts);
        self.env.pop();
    }

    /// `for (k, v) in map.iter() { ... }`: one iteration; removing the visited key (under a
    /// condition the evaluator computes over the initial keys) is its delete; other writes run
    /// after it, noted.
    fn iteration(&mut self, f: &syn::ExprForLoop, line: usize) {
        let visited = pat_name(&f.pat);
        let body = tokens(&f.body).replace(' ', "");
        let keys: Vec<(u64, u64)> = self.initial.clone();
        let originals: HashMap<u64, String> = self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect();
        let mut deleted = Vec::new();
        let mut computed = !keys.is_empty();
        let saved = self.deferred.replace(Vec::new());
        let mut others = Vec::new();
        for (k, _) in keys.iter().take(64) {
            self.deferred = Some(Vec::new());
            self.env.push(HashMap::new());
            let kv = originals
                .get(k)
                .map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
            // The visited entry's key, however the loop names it (`k`, `*k`, `entry.key()`).
            self.define(&visited, kv.clone());
            self.define("__visited", kv);
            self.block(&f.body.stmts);
            self.env.pop();
            let ops = self.deferred.take().unwrap_or_default();
            let mut removed_visited = false;
            for s in ops {
                match s.op {
                    Op::Remove { key } if key == *k => removed_visited = true,
                    Op::Remove { key } if self.string_keys.values().all(|v| *v != key) && key > 1_000_000 => {
                        computed = false
                    }
                    _ => others.push(s),
                }
            }
            if removed_visited {
                deleted.push(*k);
            }
        }
        self.deferred = saved;
        let all: Vec<u64> = keys.iter().map(|(k, _)| *k).collect();
        let delete = if !computed && body.contains("remove") {
            self.untranslated.push((
                line,
                "the key removed inside the loop is not translated; every key is removed".into(),
            ));
            DeleteIf::All
        } else {
            predicate(&all, &deleted)
        };
        self.emit(Op::Iterate { delete }, S::Iterate, line);
        let mut seen = BTreeSet::new();
        others.retain(|s| seen.insert(format!("{s}")));
        if !others.is_empty() {
            self.note_once(format!(
                "line {line}: the loop body's other map operations run once after the iteration (the scenario \
                 format has no insert inside an iteration)"
            ));
        }
        for s in others {
            self.emit(s.op, s.spelling, line);
        }
    }

    pub(super) fn finish(mut self, file: &str, src: &str) -> Result<RustImport, RustError> {
        if !self.has_map {
            return Err(RustError {
                line: 1,
                message: "no map found: expected a HashMap behind a Mutex or RwLock, a DashMap, a SkipMap or an ArcSwap"
                    .into(),
            });
        }
        let mut threads: Vec<Vec<crate::Step>> =
            self.threads.iter().filter(|t| !t.is_empty()).cloned().collect();
        if !self.main_after.is_empty() {
            if threads.len() < self.scale.threads {
                if !threads.is_empty() {
                    self.notes.push(
                        "the main thread's operations after it started the threads run as the last thread"
                            .into(),
                    );
                }
                threads.push(std::mem::take(&mut self.main_after));
            } else {
                self.dropped_threads += 1;
            }
        }
        if threads.is_empty() {
            return Err(RustError {
                line: self.thread_lines.first().copied().unwrap_or(self.map_line),
                message: "no map operation runs in a thread: expected `thread::spawn` or `thread::scope` closures that use the map".into(),
            });
        }
        if threads.len() == 1 {
            self.notes
                .push("only one thread operates on the map: the scenario has no concurrency".into());
        }
        if self.dropped_threads > 0 {
            self.notes.push(format!(
                "{} threads are scaled down to {}",
                self.threads.len() + self.dropped_threads,
                threads.len()
            ));
        }
        for (line, n) in &self.dropped_ops {
            self.notes.push(format!(
                "line {line}: {n} more operation(s) dropped to keep at most {} per thread",
                self.scale.ops_per_thread
            ));
        }
        if self.initial.len() > self.scale.initial {
            let used: BTreeSet<u64> = threads.iter().flatten().filter_map(|s| s.op.key()).collect();
            let filled = self.initial.len();
            let mut keep: Vec<u64> = self
                .initial
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| used.contains(k))
                .collect();
            keep.extend(self.initial.iter().map(|(k, _)| *k).filter(|k| !used.contains(k)));
            keep.truncate(self.scale.initial);
            self.initial.retain(|(k, _)| keep.contains(k));
            self.notes.push(format!(
                "the initial contents are scaled down from {filled} entries to {} (the keys the threads use first)",
                self.initial.len()
            ));
        }
        let design_name = if self.dashmap {
            "a DashMap: sharded, each shard behind its own reader-writer lock"
        } else if self.skipmap {
            "a SkipMap: lock-free, iteration weakly consistent"
        } else if self.cow.is_some() {
            "a copy-on-write map published through an ArcSwap"
        } else if self.locked {
            "a HashMap behind a lock: `locked` is that design"
        } else {
            "a map with no lock the importer can see"
        };
        self.notes.push(format!("the map is {design_name}"));
        if !self.string_keys.is_empty() {
            let m: Vec<String> = self
                .string_keys
                .iter()
                .take(16)
                .map(|(s, k)| format!("{:?} = {k}", crate::import::shorten(s, 40)))
                .collect();
            self.notes
                .push(format!("string keys are numbered: {}", m.join(", ")));
        }
        let mut seen = BTreeSet::new();
        self.untranslated.retain(|u| seen.insert(u.clone()));
        for (line, why) in &self.untranslated {
            self.notes.push(format!("line {line}: {why}"));
        }
        let design = Design {
            unlocked_map: false,
            sync_map: false,
            copy_on_write: self.cow,
            sharded: self.dashmap,
            unstopped_cleaner: false,
            memory: false,
        };
        let h = hazard::analyse(&threads, &self.initial, &design);
        self.notes.extend(h.notes);
        let name = std::path::Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().replace('_', "-"))
            .unwrap_or_else(|| "rust-import".into());
        let mut scenario = Scenario {
            name,
            source: crate::import::source("Rust", file, src),
            description: None,
            initial: self.initial,
            engines: crate::import::engines(threads.len()),
            threads,
            structures: h.structures,
            seed: 42,
            schedules: DEFAULT_SCHEDULES,
            expect: h.expect,
            pinned: None,
            notes: self.notes,
            origin: crate::Origin::new(file, ""),
        };
        crate::import::fit(&mut scenario);
        Ok(RustImport {
            scenario,
            untranslated: self.untranslated,
        })
    }
}

/// The name a pattern binds first (`k` in `(k, v)`, `entry`, `&k`).
fn pat_name(p: &Pat) -> String {
    match p {
        Pat::Ident(i) => i.ident.to_string(),
        Pat::Tuple(t) => t.elems.first().map_or_else(|| "_".into(), pat_name),
        Pat::Reference(r) => pat_name(&r.pat),
        Pat::Type(t) => pat_name(&t.pat),
        _ => "_".into(),
    }
}

/// The keys `deleted` out of `keys` as an iteration's delete: none, all, one key, or a parity.
fn predicate(keys: &[u64], deleted: &[u64]) -> DeleteIf {
    let evens: Vec<u64> = keys.iter().copied().filter(|k| k % 2 == 0).collect();
    let odds: Vec<u64> = keys.iter().copied().filter(|k| k % 2 == 1).collect();
    if deleted.is_empty() {
        DeleteIf::Nothing
    } else if deleted == keys {
        DeleteIf::All
    } else if deleted.len() == 1 {
        DeleteIf::Key(deleted[0])
    } else if deleted == evens {
        DeleteIf::Even
    } else if deleted == odds {
        DeleteIf::Odd
    } else {
        DeleteIf::All
    }
}

fn binary(op: &str, a: Val, b: Val) -> Val {
    match (a, b) {
        (Val::Int(a), Val::Int(b)) => Val::Int(match op {
            "+" => a.wrapping_add(b),
            "-" => a.wrapping_sub(b),
            "*" => a.wrapping_mul(b),
            "/" if b != 0 => a.wrapping_div(b),
            "%" if b != 0 => a.wrapping_rem(b),
            "==" => (a == b) as i64,
            "!=" => (a != b) as i64,
            "<" => (a < b) as i64,
            "<=" => (a <= b) as i64,
            ">" => (a > b) as i64,
            ">=" => (a >= b) as i64,
            "&&" => (a != 0 && b != 0) as i64,
            "||" => (a != 0 || b != 0) as i64,
            _ => return Val::Opaque,
        }),
        (Val::Str(a), Val::Str(b)) => match op {
            "==" => Val::Int((a == b) as i64),
            "!=" => Val::Int((a != b) as i64),
            _ => Val::Opaque,
        },
        _ => Val::Opaque,
    }
}
