//! Loops and switches: counting loops (scaled down, and noted), loops that start goroutines (one
//! thread per iteration, at most `scale.threads`), ranges over a slice literal's elements, `switch`
//! (a case the evaluator cannot decide is a choice), ranges over the map (one iteration operation whose
//! deletes follow the body: the visited key, another key, or everything for `clear`), ranges that
//! only copy the map (copy-on-write), and ranges over other collections.

use super::ast::{dotted, has_go, is_guard, Expr, For, Stmt, Switch};
use super::eval::{Env, Flow, Importer, MapKind, Val};
use crate::Spelling;
use crate::Step;
use mapcheck_harness::{DeleteIf, Op, ValueIf};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Iterations at most of a loop that fills the map before the goroutines start (the initial
/// contents hold at most this many entries).
const FILL_LOOP_LIMIT: u64 = crate::MAX_INITIAL as u64;

/// Entries at most a range body is run for.
const MAX_VISITS: usize = 64;

/// Field names that mark an entry as deleted (a tombstone).
pub(super) const TOMBSTONE_FIELDS: &[&str] =
    &["deleted", "dead", "tombstone", "removed", "isDeleted", "Deleted"];

impl Importer {
    pub(super) fn for_loop(&mut self, f: &For, env: &mut Env) -> Flow {
        env.push(HashMap::new());
        if let Some(i) = &f.init {
            self.stmt(i, env);
        }
        if self.indexes_shards(&f.body, env) {
            // `for i := 0; i < len(m.shards); i++ { s := m.shards[i]; ... }`.
            let flow = self.shard_loop(&[], &f.body, env, f.line);
            env.pop();
            return flow;
        }
        // A loop that fills the map before any goroutine starts runs in full (the initial contents
        // are cut down afterwards); a loop that starts goroutines runs once per thread; a loop
        // inside a goroutine runs a few times.
        let cap = self.loop_cap(&f.body);
        let mut n = 0u64;
        let mut cut = false;
        let flow = loop {
            let go_on = match &f.cond {
                None => true,
                Some(c) => matches!(self.eval(c, env), Val::Int(v) if v != 0),
            };
            if !go_on {
                break Flow::Normal;
            }
            if n >= cap {
                cut = true;
                break Flow::Normal;
            }
            n += 1;
            match self.scoped(&f.body, env) {
                Flow::Break => break Flow::Normal,
                Flow::Return(v) => break Flow::Return(v),
                _ => {}
            }
            if let Some(p) = &f.post {
                self.stmt(p, env);
            }
        };
        if cut {
            let total = match (&f.cond, &f.post) {
                (Some(c), Some(_)) => self.remaining(c, env, n),
                _ => None,
            };
            let total = total.map_or("more".to_string(), |t| t.to_string());
            let what = if has_go(&f.body) {
                "goroutine-starting loop"
            } else {
                "loop"
            };
            self.note_once(format!(
                "line {}: a {what} of {total} iterations is scaled down to {n}",
                f.line
            ));
        }
        env.pop();
        flow
    }

    fn loop_cap(&self, body: &[Stmt]) -> u64 {
        if has_go(body) {
            self.b.scale.threads as u64
        } else if self.b.current.is_none() && !self.b.started {
            FILL_LOOP_LIMIT
        } else {
            self.b.scale.loop_iterations
        }
    }

    /// How many iterations a counting loop `i < N` would have run in all, for the note.
    fn remaining(&mut self, cond: &Expr, env: &mut Env, done: u64) -> Option<i64> {
        let Expr::Binary(op, a, b) = cond else { return None };
        let (Val::Int(i), Val::Int(n)) = (self.eval(a, env), self.eval(b, env)) else {
            return None;
        };
        let left = match op.as_str() {
            "<" => n - i,
            "<=" => n - i + 1,
            _ => return None,
        };
        Some(left.max(0).saturating_add(done as i64))
    }

    pub(super) fn range(
        &mut self,
        names: &[String],
        over: &Expr,
        body: &[Stmt],
        env: &mut Env,
        line: usize,
    ) -> Flow {
        if let Some(shard) = self.shard_elem(over, env) {
            // `for _, s := range m.shards { ... }`.
            let mut bind = Vec::new();
            if let Some(i) = names.first() {
                bind.push((i.clone(), Val::Int(0)));
            }
            if let Some(v) = names.get(1) {
                bind.push((v.clone(), Val::Obj(shard)));
            }
            return self.shard_loop(&bind, body, env, line);
        }
        if let Val::Chan(c) = self.eval(over, env) {
            return self.range_chan(c, names, body, env, line);
        }
        if names.len() == 2 || body_writes(body, over) {
            self.adopt_map(over, MapKind::Plain, line, env);
        }
        if self.map_of(over, env).is_some() {
            if has_go(body) {
                self.range_spawning(names, body, env, line);
            } else if let Some(dst) = self.copy_loop(names, body, over, env) {
                // `for k, v := range old { n[k] = v }`: a copy of the map, as copy-on-write makes.
                self.b
                    .untranslated
                    .retain(|(_, why)| !why.contains(&format!("a second map `{dst}`")));
                self.note_once(format!(
                    "line {line}: copying the map into `{dst}` (copy-on-write) is not an operation; \
                     the copy's changes are the map's"
                ));
            } else {
                let (delete, after, _) = self.range_body(names, body, env, line);
                if delete != DeleteIf::Nothing && mentions_tombstone(body) {
                    // A pass that deletes the entries marked dead is the tombstone design's GC.
                    self.tombstones = true;
                    self.note_once(format!(
                        "line {line}: the range deletes the entries marked as tombstones: the tombstone \
                         structure's GC pass, imported as reclaim()"
                    ));
                    self.emit(Op::Reclaim, Spelling::Reclaim, line);
                } else {
                    self.emit(Op::Iterate { delete }, Spelling::Range, line);
                }
                for step in after {
                    self.emit(step.op, step.spelling, line);
                }
            }
            return Flow::Normal;
        }
        // A range over a counted collection (`for i := range 10`, `for _, k := range keys`).
        let listed = self.eval(over, env);
        let count = match &listed {
            Val::Int(n) => Some((*n).max(0) as u64),
            Val::List(items) => Some(items.len() as u64),
            _ => None,
        };
        let cap = self.loop_cap(body);
        let runs = count.map_or(1, |n| n.min(cap));
        if count.is_none() {
            self.b.untranslated.push((
                line,
                "a range over something other than the map: its body runs once".into(),
            ));
        } else if runs < count.unwrap_or(0) {
            self.note_once(format!(
                "line {line}: a loop of {} iterations is scaled down to {runs}",
                count.unwrap_or(0)
            ));
        }
        for i in 0..runs {
            env.push(HashMap::new());
            if let Some(k) = names.first() {
                let v = if count.is_some() {
                    Val::Int(i as i64)
                } else {
                    Val::Opaque
                };
                Self::define(env, k, v);
            }
            for n in names.iter().skip(1) {
                let v = match &listed {
                    Val::List(items) => items.get(i as usize).cloned().unwrap_or(Val::Opaque),
                    _ => Val::Opaque,
                };
                Self::define(env, n, v);
            }
            let f = self.block(body, env);
            env.pop();
            match f {
                Flow::Break => break,
                Flow::Return(v) => return Flow::Return(v),
                _ => {}
            }
        }
        Flow::Normal
    }

    /// `switch`: the case the tag's value selects when the evaluator can decide it; a case it
    /// cannot decide is a choice, and the first such case that does more than leave is taken.
    pub(super) fn switch(&mut self, sw: &Switch, env: &mut Env) -> Flow {
        env.push(HashMap::new());
        if let Some(init) = &sw.init {
            self.stmt(init, env);
        }
        let tag = match &sw.tag {
            Some(t) => {
                self.scan_expr(t, env, sw.line);
                self.eval(t, env)
            }
            None => Val::Int(1),
        };
        let mut chosen = None;
        let mut undecided = false;
        for (i, (values, body)) in sw.cases.iter().enumerate() {
            if values.is_empty() {
                continue;
            }
            let mut hit = false;
            for v in values {
                self.scan_expr(v, env, sw.line);
                match (&tag, self.eval(v, env)) {
                    (Val::Int(a), Val::Int(b)) if sw.tag.is_some() => hit |= *a == b,
                    (Val::Str(a), Val::Str(b)) => hit |= *a == b,
                    (Val::Int(_), Val::Int(b)) => hit |= b != 0,
                    _ => undecided = true,
                }
            }
            if hit || (undecided && !is_guard(body)) {
                chosen = Some(i);
                break;
            }
        }
        if undecided {
            if let Some(i) = chosen {
                self.note_once(format!(
                    "line {}: the switch's value cannot be computed statically; case {} is taken",
                    sw.line,
                    i + 1
                ));
            }
        }
        let chosen = chosen.or_else(|| sw.cases.iter().position(|(v, _)| v.is_empty()));
        let flow = match chosen {
            Some(i) => self.block(&sw.cases[i].1, env),
            None => Flow::Normal,
        };
        env.pop();
        match flow {
            Flow::Break => Flow::Normal,
            other => other,
        }
    }

    /// The destination of a loop that only copies each visited entry into another map.
    fn copy_loop(&mut self, names: &[String], body: &[Stmt], over: &Expr, env: &mut Env) -> Option<String> {
        let [k, v] = names else { return None };
        let [Stmt::Assign(lhs, op, rhs, _)] = body else {
            return None;
        };
        let ([Expr::Index(dst, key)], [Expr::Ident(val)]) = (lhs.as_slice(), rhs.as_slice()) else {
            return None;
        };
        let same_key = matches!(&**key, Expr::Ident(n) if n == k);
        if op != "=" || !same_key || val != v {
            return None;
        }
        let (dst_name, _) = self.map_of(dst, env)?;
        let (src_name, _) = self.map_of(over, env)?;
        (dst_name != src_name).then_some(dst_name)
    }

    /// What the body of a range (or of sync.Map's `Range` callback) does to the map, found by
    /// running it once per initial entry with the operations held back: removing the visited key
    /// is the iteration's delete (a key, a parity or all, by which keys it happened for); `clear`
    /// deletes every key; removing one other fixed key is `delete: KEY`; other operations run
    /// once after the iteration, noted. The held-back operations are returned.
    pub(super) fn range_body(
        &mut self,
        names: &[String],
        body: &[Stmt],
        env: &mut Env,
        line: usize,
    ) -> (DeleteIf, Vec<Step>, Option<ValueIf>) {
        self.b.assume_contents(line);
        let kv = names.first().cloned().unwrap_or_else(|| "_".into());
        let vv = names.get(1).cloned();
        let originals: BTreeMap<u64, String> = self.b.originals();
        let entries: Vec<(u64, u64)> = self.b.initial.iter().copied().take(MAX_VISITS).collect();
        if entries.is_empty() && self.b.current.is_some() {
            // Nothing to visit: whether the body would delete (a sweep) is still worth knowing.
            let saved = self.b.deferred.replace(Vec::new());
            env.push(HashMap::new());
            Self::define(env, &kv, Val::Opaque);
            self.block(body, env);
            env.pop();
            let ops = self.b.deferred.take().unwrap_or_default();
            self.b.deferred = saved;
            self.sweeps |= ops.iter().any(|s| matches!(s.op, Op::Remove { .. } | Op::Clear));
        }
        let saved = self.b.deferred.take();
        let (mut deleted, mut others, mut clears, mut fixed) =
            (Vec::new(), Vec::new(), false, BTreeSet::new());
        // sync.Map's `CompareAndDelete(k, v)` of the visited entry: (key, visited value, old).
        let mut compared: Vec<(u64, u64, u64)> = Vec::new();
        let mut stopped = false;
        for (k, v) in &entries {
            self.b.deferred = Some(Vec::new());
            env.push(HashMap::new());
            let key_val = originals
                .get(k)
                .map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
            Self::define(env, &kv, key_val);
            if let Some(vv) = &vv {
                Self::define(env, vv, Val::Int(*v as i64));
            }
            let flow = self.block(body, env);
            env.pop();
            for step in self.b.deferred.take().unwrap_or_default() {
                match step.op {
                    Op::Remove { key } if key == *k => deleted.push(*k),
                    Op::CompareAndDelete { key, old } if key == *k => compared.push((*k, *v, old)),
                    Op::Clear => clears = true,
                    Op::Remove { key } if entries.iter().any(|(e, _)| *e == key) => {
                        fixed.insert(key);
                    }
                    _ => others.push(step),
                }
            }
            if matches!(flow, Flow::Break | Flow::Return(Val::Int(0))) {
                stopped = true;
                break;
            }
        }
        self.b.deferred = saved;
        if stopped {
            self.note_once(format!(
                "line {line}: the range stops early in Go; the scenario's iteration visits every entry"
            ));
        }
        let mut seen = BTreeSet::new();
        others.retain(|s| seen.insert(s.to_string()));
        if !others.is_empty() {
            self.note_once(format!(
                "line {line}: the range body's other map operations run once after the iteration (the \
                 scenario format has no insert inside an iteration)"
            ));
        }
        // Every deletion a compare-and-delete of the visited entry with the value visited: each
        // removal is one step with the read the body saw, which is what a retain is.
        let retains = !compared.is_empty()
            && deleted.is_empty()
            && fixed.is_empty()
            && !clears
            && compared.iter().all(|(_, v, old)| v == old);
        if retains {
            let values: Vec<u64> = entries.iter().map(|(_, v)| *v).collect();
            let gone: Vec<u64> = compared.iter().map(|(_, v, _)| *v).collect();
            let (retain, exact) = crate::build::value_predicate(&values, &gone);
            self.note_once(format!(
                "line {line}: the range that compare-and-deletes the entries it visits is imported as \
                 `retain(delete: {retain})`{}",
                if exact {
                    ""
                } else {
                    " (the closest predicate to the values it deletes)"
                }
            ));
            return (DeleteIf::Nothing, others, Some(retain));
        }
        if !compared.is_empty() {
            self.note_once(format!(
                "line {line}: the range's compare-and-deletes are imported as deletes of the visited keys \
                 (the body also deletes otherwise, or compares with another value)"
            ));
            deleted.extend(compared.iter().map(|(k, _, _)| *k));
            deleted.sort_unstable();
            deleted.dedup();
        }
        let keys: Vec<u64> = entries.iter().map(|(k, _)| *k).collect();
        let delete = if clears {
            self.note_once(format!(
                "line {line}: `clear` inside the range is imported as deleting every visited key"
            ));
            DeleteIf::All
        } else if !fixed.is_empty() {
            let mut all: BTreeSet<u64> = fixed.clone();
            all.extend(deleted.iter().copied());
            if all.len() == 1 {
                let key = all.iter().next().copied().unwrap_or_default();
                self.note_once(format!(
                    "line {line}: deleting key {key} inside the range is imported as `delete: {key}` (deleted \
                     when the iteration visits it, the closest the format has)"
                ));
                DeleteIf::Key(key)
            } else {
                self.note_once(format!(
                    "line {line}: the range body deletes several keys; the iteration deletes every key"
                ));
                DeleteIf::All
            }
        } else {
            crate::build::predicate(&keys, &deleted)
        };
        (delete, others, None)
    }

    /// `for k := range m { go func() { ... delete(m, k) }() }`: the main goroutine iterates while a
    /// goroutine per visited key works on it.
    fn range_spawning(&mut self, names: &[String], body: &[Stmt], env: &mut Env, line: usize) {
        self.b.assume_contents(line);
        self.b.started = true;
        self.emit(
            Op::Iterate {
                delete: DeleteIf::Nothing,
            },
            Spelling::Range,
            line,
        );
        let originals: BTreeMap<u64, String> = self.b.originals();
        let visited: Vec<(u64, u64)> = self.b.initial.clone();
        for (k, v) in visited.into_iter().take(self.b.scale.threads) {
            env.push(HashMap::new());
            if let Some(kv) = names.first() {
                let key_val = originals
                    .get(&k)
                    .map_or(Val::Int(k as i64), |s| Val::Str(s.clone()));
                Self::define(env, kv, key_val);
            }
            if let Some(vv) = names.get(1) {
                Self::define(env, vv, Val::Int(v as i64));
            }
            self.block(body, env);
            env.pop();
        }
        self.note_once(format!(
            "line {line}: the range runs as one iteration in the main goroutine; its body runs once per initial key"
        ));
    }
}

/// Whether a range body writes to `over` (so `over` is a map even without a declaration).
fn body_writes(body: &[Stmt], over: &Expr) -> bool {
    let target = dotted(over);
    !target.is_empty() && mentions_write(body, &target)
}

/// Whether statements delete from, clear or assign into `target`.
fn mentions_write(body: &[Stmt], target: &str) -> bool {
    body.iter().any(|s| match s {
        Stmt::Expr(Expr::Call(f, args), _) => {
            matches!(dotted(f).as_str(), "delete" | "clear")
                && args.first().is_some_and(|a| dotted(a) == target)
        }
        Stmt::Assign(lhs, _, _, _) => lhs
            .iter()
            .any(|l| matches!(l, Expr::Index(m, _) if dotted(m) == target)),
        Stmt::If(i) => mentions_write(&i.then, target),
        Stmt::Block(b) => mentions_write(b, target),
        Stmt::Go(Expr::Call(f, _), _) => match &**f {
            Expr::FuncLit(_, b) => mentions_write(b, target),
            _ => false,
        },
        _ => false,
    })
}

/// Whether statements test a tombstone field (`e.deleted`).
fn mentions_tombstone(body: &[Stmt]) -> bool {
    fn expr(e: &Expr) -> bool {
        match e {
            Expr::Selector(x, f) => TOMBSTONE_FIELDS.contains(&f.as_str()) || expr(x),
            Expr::Binary(_, a, b) => expr(a) || expr(b),
            Expr::Unary(_, a) => expr(a),
            _ => false,
        }
    }
    body.iter().any(|s| match s {
        Stmt::If(i) => expr(&i.cond) || mentions_tombstone(&i.then),
        Stmt::Block(b) => mentions_tombstone(b),
        _ => false,
    })
}
