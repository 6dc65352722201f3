//! Loops: counting loops (scaled down, and noted), loops that start goroutines (one thread per
//! iteration, at most `scale.threads`), ranges over the map (one iteration operation whose
//! deletes follow the body: the visited key, another key, or everything for `clear`), ranges that
//! only copy the map (copy-on-write), and ranges over other collections.

use super::ast::{dotted, has_go, Expr, For, Stmt};
use super::eval::{Env, Flow, Importer, MapKind, Val};
use crate::Spelling;
use mapcheck_harness::{DeleteIf, Op};
use std::collections::{BTreeMap, HashMap};

/// Iterations at most of a loop that fills the map before the goroutines start (the initial
/// contents hold at most this many entries).
const FILL_LOOP_LIMIT: u64 = crate::MAX_INITIAL as u64;

impl Importer {
    pub(super) fn for_loop(&mut self, f: &For, env: &mut Env) -> Flow {
        env.push(HashMap::new());
        if let Some(i) = &f.init {
            self.stmt(i, env);
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
            let what = if has_go(&f.body) { "goroutine-starting loop" } else { "loop" };
            self.note_once(format!("line {}: a {what} of {total} iterations is scaled down to {n}", f.line));
        }
        env.pop();
        flow
    }

    fn loop_cap(&self, body: &[Stmt]) -> u64 {
        if has_go(body) {
            self.scale.threads as u64
        } else if self.current.is_none() && !self.started {
            FILL_LOOP_LIMIT
        } else {
            self.scale.loop_iterations
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

    pub(super) fn range(&mut self, names: &[String], over: &Expr, body: &[Stmt], env: &mut Env, line: usize) -> Flow {
        if names.len() == 2 || body_writes(body, over) {
            self.adopt_map(over, MapKind::Plain, line, env);
        }
        if self.map_of(over, env).is_some() {
            if has_go(body) {
                self.range_spawning(names, body, env, line);
            } else if let Some(dst) = self.copy_loop(names, body, over, env) {
                // `for k, v := range old { n[k] = v }`: a copy of the map, as copy-on-write makes.
                self.untranslated
                    .retain(|(_, why)| !why.contains(&format!("a second map `{dst}`")));
                self.note_once(format!(
                    "line {line}: copying the map into `{dst}` (copy-on-write) is not an operation; \
                     the copy's changes are the map's"
                ));
            } else {
                self.assume_contents(line);
                let delete = self.range_body(names, body, env, line);
                self.emit(Op::Iterate { delete }, Spelling::Range, line);
                self.flush_deferred(line);
            }
            return Flow::Normal;
        }
        // A range over a counted collection (`for i := range 10`, `for _, k := range keys`).
        let count = match self.eval(over, env) {
            Val::Int(n) => Some(n.max(0) as u64),
            _ => None,
        };
        let cap = self.loop_cap(body);
        let runs = count.map_or(1, |n| n.min(cap));
        if count.is_none() {
            self.untranslated.push((
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
                let v = if count.is_some() { Val::Int(i as i64) } else { Val::Opaque };
                Self::define(env, k, v);
            }
            for n in names.iter().skip(1) {
                Self::define(env, n, Val::Opaque);
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

    /// The destination of a loop that only copies each visited entry into another map.
    fn copy_loop(&mut self, names: &[String], body: &[Stmt], over: &Expr, env: &mut Env) -> Option<String> {
        let [k, v] = names else { return None };
        let [Stmt::Assign(lhs, op, rhs, _)] = body else { return None };
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

    /// A range over a map whose contents the input never shows: it starts with keys 1 and 2.
    pub(super) fn assume_contents(&mut self, line: usize) {
        if self.initial.is_empty() && !self.started && self.main_after.is_empty() {
            self.initial.extend([(1, 1), (2, 2)]);
            self.note_once(format!(
                "line {line}: the map's contents are not in the input; it starts with 1:1 and 2:2"
            ));
        }
    }

    /// What the body of a range (or of sync.Map's `Range` callback) does to the map, as the
    /// iteration's deletes. Writes the iteration cannot express run after it, with a note.
    pub(super) fn range_body(&mut self, names: &[String], body: &[Stmt], env: &mut Env, line: usize) -> DeleteIf {
        let kv = names.first().filter(|k| *k != "_").cloned().unwrap_or_default();
        let vv = names.get(1).cloned();
        let mut found: Vec<DeleteIf> = Vec::new();
        self.body_effects(&kv, vv.as_deref(), body, None, env, line, &mut found);
        if found.contains(&DeleteIf::All) || found.len() > 1 {
            if found.len() > 1 && !found.contains(&DeleteIf::All) {
                self.note_once(format!(
                    "line {line}: the range body deletes keys in several ways; the iteration deletes every key"
                ));
            }
            return DeleteIf::All;
        }
        found.pop().unwrap_or(DeleteIf::Nothing)
    }

    #[allow(clippy::too_many_arguments)]
    fn body_effects(
        &mut self,
        kv: &str,
        vv: Option<&str>,
        body: &[Stmt],
        cond: Option<&Expr>,
        env: &mut Env,
        line: usize,
        found: &mut Vec<DeleteIf>,
    ) {
        for s in body {
            match s {
                Stmt::If(i) if i.init.is_none() => {
                    let c = match cond {
                        None => i.cond.clone(),
                        Some(outer) => Expr::Binary("&&".into(), Box::new(outer.clone()), Box::new(i.cond.clone())),
                    };
                    self.body_effects(kv, vv, &i.then, Some(&c), env, line, found);
                    if let Some(e) = &i.els {
                        let not = Expr::Unary("!".into(), Box::new(i.cond.clone()));
                        let c = match cond {
                            None => not,
                            Some(outer) => Expr::Binary("&&".into(), Box::new(outer.clone()), Box::new(not)),
                        };
                        self.body_effects(kv, vv, std::slice::from_ref(e), Some(&c), env, line, found);
                    }
                }
                Stmt::Block(b) => self.body_effects(kv, vv, b, cond, env, line, found),
                Stmt::Expr(Expr::Call(f, args), l) => {
                    let name = dotted(f);
                    let method = name.rsplit('.').next().unwrap_or("");
                    let is_map_arg = |me: &mut Self, env: &Env| args.first().is_some_and(|a| me.map_of(a, env).is_some());
                    let recv_is_map = |me: &mut Self, env: &Env| match &**f {
                        Expr::Selector(r, _) => me.map_of(r, env).is_some_and(|(_, k)| k == MapKind::SyncMap),
                        _ => false,
                    };
                    let deleted_key = if name == "delete" && args.len() == 2 && is_map_arg(self, env) {
                        Some(&args[1])
                    } else if matches!(method, "Delete" | "LoadAndDelete" | "CompareAndDelete") && recv_is_map(self, env) {
                        args.first()
                    } else {
                        None
                    };
                    let clears = (name == "clear" && is_map_arg(self, env)) || (method == "Clear" && recv_is_map(self, env));
                    if let Some(k) = deleted_key {
                        if matches!(k, Expr::Ident(n) if n == kv) {
                            let pred = match cond {
                                None => DeleteIf::All,
                                Some(c) => self.condition(c, kv, vv, env, *l),
                            };
                            if pred != DeleteIf::Nothing {
                                found.push(pred);
                            }
                        } else {
                            self.other_key_delete(k, kv, env, *l, found);
                        }
                    } else if clears {
                        self.note_once(format!(
                            "line {l}: `clear` inside the range is imported as deleting every visited key"
                        ));
                        found.push(DeleteIf::All);
                    } else {
                        self.defer_write(s, kv, env, *l);
                    }
                }
                Stmt::Assign(..) | Stmt::IncDec(..) => self.defer_write(s, kv, env, line),
                _ => {}
            }
        }
    }

    /// `delete(m, K)` inside a range, K not the visited key.
    fn other_key_delete(&mut self, k: &Expr, kv: &str, env: &mut Env, line: usize, found: &mut Vec<DeleteIf>) {
        env.push(HashMap::new());
        Self::define(env, kv, Val::Opaque);
        let v = self.eval(k, env);
        env.pop();
        match v {
            Val::Int(_) | Val::Str(_) => {
                let key = self.key(v);
                self.note_once(format!(
                    "line {line}: deleting key {key} inside the range is imported as `delete: {key}` (deleted \
                     when the iteration visits it, the closest the format has)"
                ));
                found.push(DeleteIf::Key(key));
            }
            _ => self.untranslated.push((
                line,
                "a delete inside the range of a key computed from the visited one is not translated".into(),
            )),
        }
    }

    /// A write inside a range body that is not a delete: it runs after the iteration, once.
    fn defer_write(&mut self, s: &Stmt, kv: &str, env: &mut Env, line: usize) {
        let before = self.op_count();
        let saved = std::mem::take(&mut self.deferred);
        self.deferring = true;
        env.push(HashMap::new());
        Self::define(env, kv, Val::Opaque);
        self.stmt(s, env);
        env.pop();
        self.deferring = false;
        let new = std::mem::replace(&mut self.deferred, saved);
        if !new.is_empty() {
            self.note_once(format!(
                "line {line}: the range body's other map operations run once after the iteration (the \
                 scenario format has no insert inside an iteration)"
            ));
        }
        self.deferred.extend(new);
        let _ = before;
    }

    /// Emits the operations a range body deferred.
    fn flush_deferred(&mut self, line: usize) {
        for step in std::mem::take(&mut self.deferred) {
            self.emit(step.op, step.spelling, line);
        }
    }

    /// Which initial keys a delete's condition holds for: a key, a parity, all, or (when none of
    /// those fits or it cannot be computed) all, reported.
    pub(super) fn condition(&mut self, cond: &Expr, kv: &str, vv: Option<&str>, env: &Env, line: usize) -> DeleteIf {
        // Keys are numbered, so bind the key to its original spelling when it was a string.
        let originals: BTreeMap<u64, String> = self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect();
        let entries = self.initial.clone();
        let mut chosen = Vec::new();
        let mut computed = !entries.is_empty();
        for (k, v) in &entries {
            let mut env = env.clone();
            let mut scope = HashMap::new();
            let key_val = originals.get(k).map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
            scope.insert(kv.to_string(), key_val);
            if let Some(vv) = vv {
                scope.insert(vv.to_string(), Val::Int(*v as i64));
            }
            env.push(scope);
            match self.eval(cond, &mut env) {
                Val::Int(n) if n != 0 => chosen.push(*k),
                Val::Int(_) => {}
                _ => computed = false,
            }
        }
        if computed {
            let keys: Vec<u64> = entries.iter().map(|(k, _)| *k).collect();
            let evens: Vec<u64> = keys.iter().copied().filter(|k| k % 2 == 0).collect();
            let odds: Vec<u64> = keys.iter().copied().filter(|k| k % 2 == 1).collect();
            if chosen.is_empty() {
                return DeleteIf::Nothing;
            }
            if chosen == keys {
                return DeleteIf::All;
            }
            if chosen.len() == 1 {
                return DeleteIf::Key(chosen[0]);
            }
            if chosen == evens {
                return DeleteIf::Even;
            }
            if chosen == odds {
                return DeleteIf::Odd;
            }
        }
        self.untranslated.push((
            line,
            "the condition of a delete inside a range is not translated; the range deletes every key".into(),
        ));
        DeleteIf::All
    }

    /// `for k := range m { go func() { ... delete(m, k) }() }`: the main goroutine iterates while a
    /// goroutine per visited key works on it.
    fn range_spawning(&mut self, names: &[String], body: &[Stmt], env: &mut Env, line: usize) {
        self.assume_contents(line);
        self.started = true;
        self.emit(Op::Iterate { delete: DeleteIf::Nothing }, Spelling::Range, line);
        let originals: BTreeMap<u64, String> = self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect();
        let visited: Vec<(u64, u64)> = self.initial.clone();
        for (k, v) in visited.into_iter().take(self.scale.threads) {
            env.push(HashMap::new());
            if let Some(kv) = names.first() {
                let key_val = originals.get(&k).map_or(Val::Int(k as i64), |s| Val::Str(s.clone()));
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
            matches!(dotted(f).as_str(), "delete" | "clear") && args.first().is_some_and(|a| dotted(a) == target)
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
