//! Control flow in Rust reproducers: `if` and `match` (a condition the evaluator cannot compute
//! is a choice: the path that reaches the map operations is taken, past a guard that only leaves),
//! loops scaled down (`for` over a range or the map, `while`, `loop`), iterator adapters whose
//! closures start threads, `retain`, and an iteration whose body removes the visited key.

use super::eval::{Flow, Importer, Val};
use super::syntax::{eline, is_guard, is_simple, pat_name, tokens};
use crate::Spelling as S;
use mapcheck_harness::{DeleteIf, Op};
use std::collections::{BTreeSet, HashMap};
use syn::{Expr, Pat, Stmt};

impl Importer {
    pub(super) fn if_expr(&mut self, i: &syn::ExprIf) -> Val {
        let line = eline(&i.cond);
        self.env.push(HashMap::new());
        let cond = self.eval(&i.cond);
        let out = match cond {
            Val::Int(0) => match &i.else_branch {
                Some((_, e)) => self.eval(e),
                None => Val::Opaque,
            },
            Val::Int(_) => self.block(&i.then_branch.stmts).unwrap_or(Val::Opaque),
            _ if is_guard(&i.then_branch.stmts) => {
                // A guard: the path that goes on to the map operations is the one taken.
                self.b.note_once(format!(
                    "line {line}: the condition cannot be computed statically; the path past the guard, \
                     which goes on to the map operations, is taken"
                ));
                match &i.else_branch {
                    Some((_, e)) => self.eval(e),
                    None => Val::Opaque,
                }
            }
            _ => {
                self.b.note_once(format!(
                    "line {line}: the condition cannot be computed statically; its `then` branch is taken"
                ));
                self.block(&i.then_branch.stmts).unwrap_or(Val::Opaque)
            }
        };
        self.env.pop();
        out
    }

    /// `match`: on the map's entry, the operation its arms make together (`entry.rs`); otherwise
    /// the arm the scrutinee's value selects when it is known, else the first arm that does more
    /// than produce a value or leave (the one that operates on the map).
    pub(super) fn match_expr(&mut self, m: &syn::ExprMatch) -> Val {
        let line = m.match_token.span.start().line;
        if let Some(v) = self.entry_match(m, line) {
            return v;
        }
        let v = self.eval(&m.expr);
        let known = matches!(v, Val::Int(_) | Val::Str(_));
        let literal = |p: &Pat| -> Option<Val> {
            match p {
                Pat::Lit(l) => match &l.lit {
                    syn::Lit::Int(i) => i.base10_parse::<i64>().ok().map(Val::Int),
                    syn::Lit::Str(s) => Some(Val::Str(s.value())),
                    syn::Lit::Bool(b) => Some(Val::Int(b.value as i64)),
                    _ => None,
                },
                _ => None,
            }
        };
        let trivial = |e: &Expr| match e {
            Expr::Block(b) => {
                is_guard(&b.block.stmts)
                    || b.block
                        .stmts
                        .iter()
                        .all(|s| matches!(s, Stmt::Expr(e, _) if is_simple(e)))
            }
            e => is_simple(e) || matches!(e, Expr::Return(_) | Expr::Break(_) | Expr::Continue(_)),
        };
        let arm = if known {
            m.arms.iter().find(|a| match literal(&a.pat) {
                Some(l) => l == v,
                None => !matches!(a.pat, Pat::Lit(_)),
            })
        } else {
            let chosen = m
                .arms
                .iter()
                .find(|a| !trivial(&a.body))
                .or_else(|| m.arms.first());
            if m.arms.len() > 1 {
                if let Some(a) = chosen {
                    self.b.note_once(format!(
                        "line {line}: the value matched cannot be computed statically; the arm `{}` is taken",
                        crate::import::shorten(&tokens(&a.pat), 40)
                    ));
                }
            }
            chosen
        };
        let Some(arm) = arm else { return Val::Opaque };
        self.env.push(HashMap::new());
        self.bind(&arm.pat, v);
        let out = self.eval(&arm.body);
        self.env.pop();
        out
    }

    /// How many times a loop runs at most: once per thread for a loop that starts threads, in
    /// full for a fill loop before the threads start, a few times otherwise.
    fn loop_cap(&self, spawns: bool) -> u64 {
        if spawns {
            self.b.scale.threads as u64
        } else if self.b.current.is_none() && !self.b.started {
            crate::MAX_INITIAL as u64
        } else {
            self.b.scale.loop_iterations
        }
    }

    /// Runs a loop body once; false when the loop must stop (`break`, `return`).
    fn iteration_body(&mut self, body: &[Stmt]) -> bool {
        self.block(body);
        match self.flow.take() {
            Some(Flow::Break) => false,
            Some(Flow::Continue) | None => true,
            Some(r @ Flow::Return(_)) => {
                self.flow = Some(r);
                false
            }
        }
    }

    pub(super) fn loop_expr(&mut self, l: &syn::ExprLoop) -> Val {
        let line = l.loop_token.span.start().line;
        let cap = self.b.scale.loop_iterations;
        let mut n = 0;
        while n < cap {
            n += 1;
            if !self.iteration_body(&l.body.stmts) {
                return Val::Opaque;
            }
        }
        self.b.note_once(format!(
            "line {line}: a `loop` is scaled down to {cap} iterations"
        ));
        Val::Opaque
    }

    pub(super) fn while_loop(&mut self, w: &syn::ExprWhile) {
        let line = w.while_token.span.start().line;
        let cap = self.loop_cap(false).min(crate::MAX_OPS_PER_THREAD as u64);
        let mut n = 0;
        let mut unknown = false;
        loop {
            self.env.push(HashMap::new());
            let go_on = match self.eval(&w.cond) {
                Val::Int(0) => false,
                Val::Int(_) => true,
                _ => {
                    unknown = true;
                    true
                }
            };
            if !go_on || n >= cap || (unknown && n >= self.b.scale.loop_iterations) {
                self.env.pop();
                break;
            }
            n += 1;
            let more = self.iteration_body(&w.body.stmts);
            self.env.pop();
            if !more {
                break;
            }
        }
        if unknown {
            self.b.note_once(format!(
                "line {line}: the `while` condition cannot be computed statically; the loop runs {n} times"
            ));
        }
    }

    /// An iterator adapter (`(0..n).map(|i| ...)`, `for_each`) over a range: its closure runs
    /// once per element, scaled as a loop is.
    pub(super) fn adapter(&mut self, closure: usize, a: i64, b: i64, line: usize) {
        let total = b.saturating_sub(a).max(0) as u64;
        let spawns = self
            .closures
            .get(closure)
            .is_some_and(|(c, _)| tokens(&c.body).contains("spawn"));
        let runs = total.min(self.loop_cap(spawns));
        if runs < total {
            let what = if spawns {
                "thread-spawning iterator"
            } else {
                "iterator"
            };
            self.b.note_once(format!(
                "line {line}: a {what} of {total} elements is scaled down to {runs}"
            ));
        }
        for i in 0..runs {
            self.call_closure(closure, vec![Val::Int(a + i as i64)]);
        }
    }

    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) {
        let line = f.for_token.span.start().line;
        let over = self.eval(&f.expr);
        if let Val::Range(a, b) = over {
            let total = b.saturating_sub(a).max(0) as u64;
            let spawns = tokens(&f.body).contains("spawn");
            let runs = total.min(self.loop_cap(spawns));
            if runs < total {
                let what = if spawns { "thread-spawning loop" } else { "loop" };
                self.b.note_once(format!(
                    "line {line}: a {what} of {total} iterations is scaled down to {runs}"
                ));
            }
            for i in 0..runs {
                self.env.push(HashMap::new());
                self.bind(&f.pat, Val::Int(a + i as i64));
                let more = self.iteration_body(&f.body.stmts);
                self.env.pop();
                if !more {
                    break;
                }
            }
            return;
        }
        if matches!(&*f.expr, Expr::Range(_)) {
            self.b
                .untranslated(line, "a loop whose bounds cannot be computed runs once");
        }
        if over == Val::Map {
            self.iteration(f, line);
            return;
        }
        // A loop over something else (`for h in handles { h.join().unwrap(); }`): once.
        self.env.push(HashMap::new());
        self.bind(&f.pat, Val::Opaque);
        self.iteration_body(&f.body.stmts);
        self.env.pop();
    }

    /// `for (k, v) in map.iter() { ... }`: one iteration; removing the visited key (under a
    /// condition the evaluator computes over the initial keys) is its delete; other writes run
    /// after it, noted.
    fn iteration(&mut self, f: &syn::ExprForLoop, line: usize) {
        let visited = pat_name(&f.pat);
        let body = tokens(&f.body).replace(' ', "");
        let keys: Vec<(u64, u64)> = self.b.initial.clone();
        let originals = self.b.originals();
        let mut deleted = Vec::new();
        let mut computed = !keys.is_empty();
        let saved = self.b.deferred.replace(Vec::new());
        let mut others = Vec::new();
        for (k, v) in keys.iter().take(64) {
            self.b.deferred = Some(Vec::new());
            self.env.push(HashMap::new());
            let kv = originals
                .get(k)
                .map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
            // The visited entry's key, however the loop names it (`k`, `*k`, `entry.key()`).
            self.define(&visited, kv.clone());
            if let Pat::Tuple(t) = &*f.pat {
                if let Some(p) = t.elems.iter().nth(1) {
                    self.bind(p, Val::Int(*v as i64));
                    if let Pat::Ident(i) = p {
                        self.define(&i.ident.to_string(), Val::Int(*v as i64));
                    }
                    if let Pat::Reference(r) = p {
                        if let Pat::Ident(i) = &*r.pat {
                            self.define(&i.ident.to_string(), Val::Int(*v as i64));
                        }
                    }
                }
            }
            self.block(&f.body.stmts);
            self.flow = None;
            self.env.pop();
            let ops = self.b.deferred.take().unwrap_or_default();
            let mut removed_visited = false;
            for s in ops {
                match s.op {
                    Op::Remove { key } if key == *k => removed_visited = true,
                    Op::Remove { key }
                        if self.b.string_keys.values().all(|v| *v != key) && key > 1_000_000 =>
                    {
                        computed = false
                    }
                    _ => others.push(s),
                }
            }
            if removed_visited {
                deleted.push(*k);
            }
        }
        self.b.deferred = saved;
        let all: Vec<u64> = keys.iter().map(|(k, _)| *k).collect();
        let delete = if !computed && body.contains("remove") {
            self.b.untranslated(
                line,
                "the key removed inside the loop is not translated; every key is removed",
            );
            DeleteIf::All
        } else {
            crate::build::predicate(&all, &deleted)
        };
        self.b.emit(Op::Iterate { delete }, S::Iterate, line);
        let mut seen = BTreeSet::new();
        others.retain(|s| seen.insert(format!("{s}")));
        if !others.is_empty() {
            self.b.note_once(format!(
                "line {line}: the loop body's other map operations run once after the iteration (the scenario \
                 format has no insert inside an iteration)"
            ));
        }
        for s in others {
            self.b.emit(s.op, s.spelling, line);
        }
    }
}
