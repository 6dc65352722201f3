//! Calls: the map built-ins (`delete`, `len`, `clear`), sync.Map's methods, copy-on-write loads and
//! publications, the script's own functions and methods (inlined, so a wrapper type's methods
//! become the operations they perform), synchronisation calls (noted), and `go` statements.

use super::ast::{dotted, literal, Expr, Func};
use super::eval::{Env, Flow, Importer, MapKind, Pending, Val};
use crate::build::Enter;
use crate::Spelling as S;
use mapcheck_harness::{DeleteIf, Op};
use std::collections::HashMap;

/// Calls Go offers to give memory back or to measure it.
const MEMORY: &[&str] = &[
    "runtime.GC",
    "runtime.ReadMemStats",
    "debug.FreeOSMemory",
    "debug.SetGCPercent",
    "pprof.WriteHeapProfile",
];

/// Calls that only change the schedule.
const SCHEDULING: &[&str] = &["runtime.Gosched", "time.Sleep"];

/// How deep inlined calls nest at most (recursion is cut there).
const MAX_CALL_DEPTH: usize = 16;

impl Importer {
    /// The value of a call: conversions and formatting the evaluator can compute, and the value a
    /// user-defined function or method returns (its body runs, recording its operations).
    pub(super) fn eval_call(&mut self, f: &Expr, args: &[Expr], env: &mut Env) -> Val {
        let name = dotted(f);
        match name.as_str() {
            "fmt.Sprintf" | "fmt.Sprint" => {
                let vals: Vec<Val> = args.iter().map(|a| self.eval(a, env)).collect();
                return sprintf(&name, &vals);
            }
            "strconv.Itoa" | "strconv.FormatInt" => {
                return match args.first().map(|a| self.eval(a, env)) {
                    Some(Val::Int(n)) => Val::Str(n.to_string()),
                    _ => Val::Opaque,
                }
            }
            "string" | "int" | "int64" | "int32" | "uint64" | "uint32" | "uint" => {
                return args.first().map_or(Val::Opaque, |a| self.eval(a, env))
            }
            "make" | "new" => {
                let ty = match args.first() {
                    Some(Expr::Type(t) | Expr::Ident(t)) => t.trim_start_matches('*').to_string(),
                    _ => String::new(),
                };
                if ty.starts_with("map[") {
                    self.map_seen.get_or_insert(self.line);
                }
                if name == "make" && (ty.starts_with("chan") || ty.starts_with("<-chan")) {
                    return self.make_chan();
                }
                if self.types.contains_key(&ty) {
                    return Val::Obj(ty);
                }
                return Val::Opaque;
            }
            _ => {}
        }
        if let Some((func, recv)) = self.resolve(f, env) {
            return self.call(&func, recv, args, env, false);
        }
        if let Some(i) = self.closure_of(f, env) {
            return self.call_value(i, args, env);
        }
        // A copy-on-write map loaded from its atomic pointer is the map.
        if let Expr::Selector(x, m) = f {
            if m == "Load" && self.is_atomic_map(x, env) {
                if let Some((name, _)) = self.map_of(x, env) {
                    return Val::Map(name);
                }
            }
        }
        Val::Opaque
    }

    /// The user-defined function or method a call goes to, and the receiver's value.
    fn resolve(&self, f: &Expr, env: &Env) -> Option<(Func, Option<Val>)> {
        match f {
            Expr::Ident(n) if Self::lookup(env, n).is_none() => self.funcs.get(n).map(|f| (f.clone(), None)),
            Expr::Selector(x, m) => {
                let ty = self.type_of(x, env)?;
                let func = self.methods.get(&(ty.clone(), m.clone()))?;
                Some((func.clone(), Some(Val::Obj(ty))))
            }
            _ => None,
        }
    }

    /// The function value a name holds.
    fn closure_of(&self, f: &Expr, env: &Env) -> Option<usize> {
        match f {
            Expr::Ident(n) => match Self::lookup(env, n) {
                Some(Val::Func(i)) => Some(i),
                _ => None,
            },
            _ => None,
        }
    }

    /// Calls a function value: its body runs in the scope it was written in.
    fn call_value(&mut self, i: usize, args: &[Expr], env: &mut Env) -> Val {
        let Some((func, captured)) = self.closures.get(i).cloned() else {
            return Val::Opaque;
        };
        let mut inner = captured;
        let mut scope = HashMap::new();
        for (p, a) in func.params.iter().zip(args) {
            scope.insert(p.clone(), self.eval(a, env));
        }
        inner.push(scope);
        if self.depth >= MAX_CALL_DEPTH {
            return Val::Opaque;
        }
        self.depth += 1;
        let held = self.held;
        let flow = self.block(&func.body, &mut inner);
        self.held = held;
        self.depth -= 1;
        match flow {
            Flow::Return(v) => v,
            _ => Val::Opaque,
        }
    }

    /// Whether `x` is an `atomic.Value` or `atomic.Pointer` that holds the map.
    pub(super) fn is_atomic_map(&self, x: &Expr, env: &Env) -> bool {
        if let Expr::Ident(n) = x {
            if self.atomic_vars.contains(n) && !matches!(Self::lookup(env, n), Some(Val::Map(_))) {
                return true;
            }
        }
        self.field_type(x, env)
            .is_some_and(|(_, _, ty)| ty.starts_with("atomic.Value") || ty.starts_with("atomic.Pointer"))
    }

    /// Runs a function body. A named function sees the globals; a literal (a closure) sees
    /// everything in scope where it is written.
    pub(super) fn call(
        &mut self,
        func: &Func,
        recv: Option<Val>,
        args: &[Expr],
        env: &mut Env,
        closure: bool,
    ) -> Val {
        if self.depth >= MAX_CALL_DEPTH {
            self.b.untranslated.push((
                func.line,
                format!(
                    "calls nest deeper than {MAX_CALL_DEPTH}: `{}` is not inlined further",
                    func.name
                ),
            ));
            return Val::Opaque;
        }
        self.depth += 1;
        let held = self.held;
        let mut scope = HashMap::new();
        if let (Some((name, _)), Some(v)) = (&func.recv, recv) {
            if !name.is_empty() {
                scope.insert(name.clone(), v);
            }
        }
        for (p, a) in func.params.iter().zip(args) {
            let v = self.eval(a, env);
            let v = match (v, a) {
                // A map passed by name is the same map.
                (Val::Str(_), e) => match self.map_of(e, env) {
                    Some((m, _)) => Val::Map(m),
                    None => self.eval(e, env),
                },
                (v, _) => v,
            };
            scope.insert(p.clone(), v);
        }
        let flow = if closure {
            env.push(scope);
            let f = self.block(&func.body, env);
            env.pop();
            f
        } else {
            let mut inner: Env = vec![env.first().cloned().unwrap_or_default(), scope];
            self.block(&func.body, &mut inner)
        };
        // A function releases at its end what it locked (`defer mu.Unlock()`).
        self.held = held;
        self.depth -= 1;
        match flow {
            Flow::Return(v) => v,
            _ => Val::Opaque,
        }
    }

    pub(super) fn expr_stmt(&mut self, e: &Expr, env: &mut Env, line: usize) {
        if self.sync_call(e, env, line, false) {
            return;
        }
        if let Expr::Unary(op, ch) = e {
            if op == "<-" {
                self.receive(ch, env);
                return;
            }
        }
        let Expr::Call(f, args) = e else {
            self.scan_expr(e, env, line);
            return;
        };
        if self.map_call(f, args, env, line) {
            return;
        }
        for a in args {
            self.scan_expr(a, env, line);
        }
        if let Expr::FuncLit(params, body) = &**f {
            // An immediately called literal runs in the current goroutine.
            let func = literal(params, body, line);
            self.call(&func, None, args, env, true);
            return;
        }
        if let Some((func, recv)) = self.resolve(f, env) {
            self.call(&func, recv, args, env, false);
            return;
        }
        if let Some(i) = self.closure_of(f, env) {
            self.call_value(i, args, env);
            return;
        }
        let name = dotted(f);
        if let Expr::Selector(x, m) = &**f {
            if matches!(m.as_str(), "Store" | "Swap") && self.is_atomic_map(x, env) {
                self.cow.get_or_insert(false);
                return;
            }
            if m == "CompareAndSwap" && self.is_atomic_map(x, env) {
                self.cow = Some(true);
                return;
            }
        }
        // The arguments of a call the importer does not follow still run their own calls
        // (`fmt.Println(c.Count())`).
        for a in args.iter().filter(|a| matches!(a, Expr::Call(..))) {
            self.eval(a, env);
        }
        if super::ast::REPORTING.contains(&name.as_str()) {
            return;
        }
        if name == "close" && args.len() == 1 && matches!(self.eval(&args[0], env), Val::Chan(_)) {
            // Closing a channel ends the ranges over it once its values are received.
            return;
        }
        self.b.untranslated.push((
            line,
            format!(
                "call to `{}` is not translated",
                if name.is_empty() { "?" } else { &name }
            ),
        ));
    }

    /// Records the map operations inside an expression (`len(m)` in a print, `m[k]` in a
    /// condition).
    pub(super) fn scan_expr(&mut self, e: &Expr, env: &mut Env, line: usize) {
        match e {
            Expr::Call(f, args) => {
                if self.map_call(f, args, env, line) {
                    return;
                }
                for a in args {
                    self.scan_expr(a, env, line);
                }
                if let Expr::FuncLit(params, body) = &**f {
                    let func = literal(params, body, line);
                    self.call(&func, None, args, env, true);
                }
            }
            Expr::Index(m, k) => {
                if let Some((_, MapKind::Plain)) = self.map_of(m, env) {
                    let key = self.eval(k, env);
                    let key = self.key(key);
                    self.emit(Op::Get { key }, S::Get, line);
                } else {
                    self.scan_expr(m, env, line);
                    self.scan_expr(k, env, line);
                }
            }
            Expr::Binary(_, a, b) => {
                self.scan_expr(a, env, line);
                self.scan_expr(b, env, line);
            }
            Expr::Unary(_, a) | Expr::Selector(a, _) => self.scan_expr(a, env, line),
            Expr::Unknown(at, text) => self.b.untranslated(*at, format!("not translated: `{text}`")),
            Expr::Composite(_, elems) => {
                for (k, v) in elems {
                    if let Some(k) = k {
                        self.scan_expr(k, env, line);
                    }
                    self.scan_expr(v, env, line);
                }
            }
            _ => {}
        }
    }

    /// A call on a map: `delete(m, k)`, `len(m)`, `clear(m)`, `m.Store(k, v)`, ...; true when it
    /// was one.
    pub(super) fn map_call(&mut self, f: &Expr, args: &[Expr], env: &mut Env, line: usize) -> bool {
        match f {
            Expr::Ident(name)
                if matches!(name.as_str(), "delete" | "len" | "clear")
                    && Self::lookup(env, name).is_none() =>
            {
                if (name == "delete" && args.len() == 2) || name == "clear" {
                    if let Some(a) = args.first() {
                        self.adopt_map(a, MapKind::Plain, line, env);
                    }
                }
                if args.first().and_then(|a| self.map_of(a, env)).is_none() {
                    return false;
                }
                match name.as_str() {
                    "delete" if args.len() == 2 => {
                        let k = self.eval(&args[1], env);
                        let key = self.key(k);
                        self.emit(Op::Remove { key }, S::Delete, line);
                    }
                    "len" => self.emit(Op::Len, S::Len, line),
                    "clear" => self.emit(Op::Clear, S::Clear, line),
                    _ => return false,
                }
                true
            }
            Expr::Selector(recv, method) => self.sync_map_call(recv, method, args, env, line),
            _ => false,
        }
    }

    fn sync_map_call(
        &mut self,
        recv: &Expr,
        method: &str,
        args: &[Expr],
        env: &mut Env,
        line: usize,
    ) -> bool {
        const METHODS: &[&str] = &[
            "Store",
            "Load",
            "Delete",
            "LoadAndDelete",
            "Range",
            "LoadOrStore",
            "Swap",
            "CompareAndDelete",
            "CompareAndSwap",
            "Clear",
        ];
        if !METHODS.contains(&method) {
            return false;
        }
        // A method of the script's own type is its own, not sync.Map's.
        if self
            .resolve(&Expr::Selector(Box::new(recv.clone()), method.to_string()), env)
            .is_some()
            || self.is_atomic_map(recv, env)
        {
            return false;
        }
        if !matches!(recv, Expr::Ident(n) if self.funcs.contains_key(n)) {
            self.adopt_map(recv, MapKind::SyncMap, line, env);
        }
        let Some((_, MapKind::SyncMap)) = self.map_of(recv, env) else {
            return false;
        };
        let mut arg = |me: &mut Self, i: usize| args.get(i).map_or(Val::Opaque, |a| me.eval(a, env));
        match method {
            "Store" | "Swap" => {
                let (k, v) = (arg(self, 0), arg(self, 1));
                let (key, value) = (self.key(k), self.value(v));
                // Swap stores and returns the previous value: what insert does.
                let spelling = if method == "Swap" { S::Swap } else { S::Store };
                self.emit(Op::Insert { key, value }, spelling, line);
            }
            "LoadOrStore" => {
                let (k, v) = (arg(self, 0), arg(self, 1));
                let (key, value) = (self.key(k), self.value(v));
                self.emit(Op::GetOrInsert { key, value }, S::LoadOrStore, line);
            }
            "CompareAndSwap" => {
                let (k, old, new) = (arg(self, 0), arg(self, 1), arg(self, 2));
                let (key, old, new) = (self.key(k), self.value(old), self.value(new));
                self.emit(Op::CompareAndSwap { key, old, new }, S::CompareAndSwap, line);
            }
            "Load" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.emit(Op::Get { key }, S::Load, line);
            }
            "Delete" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.emit(Op::Remove { key }, S::Delete, line);
            }
            "LoadAndDelete" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.emit(Op::Remove { key }, S::LoadAndDelete, line);
            }
            "CompareAndDelete" => {
                let (k, old) = (arg(self, 0), arg(self, 1));
                let (key, old) = (self.key(k), self.value(old));
                self.emit(Op::CompareAndDelete { key, old }, S::CompareAndDelete, line);
            }
            "Clear" => self.emit(Op::Clear, S::Clear, line),
            _ => {
                let (delete, after, retain) = match args.first() {
                    Some(Expr::FuncLit(params, body)) => self.range_body(params, body, env, line),
                    _ => (DeleteIf::Nothing, Vec::new(), None),
                };
                match retain {
                    Some(delete) => self.emit(Op::Retain { delete }, S::Retain, line),
                    None => self.emit(Op::Iterate { delete }, S::Range, line),
                }
                for step in after {
                    self.emit(step.op, step.spelling, line);
                }
            }
        }
        true
    }

    /// `wg.Add`, `wg.Done`, `wg.Wait`, `mu.Lock` and friends, scheduling hints and memory calls:
    /// recognised and noted; true when the call is one of them.
    pub(super) fn sync_call(&mut self, e: &Expr, env: &Env, line: usize, deferred: bool) -> bool {
        let Expr::Call(f, _) = e else { return false };
        if let Expr::Selector(_, m) = &**f {
            // A method of the script's own type with one of these names is its own (a queue's
            // `Add`, a job's `Done`), not a WaitGroup's or a mutex's.
            let own = matches!(
                m.as_str(),
                "Add" | "Done" | "Wait" | "Lock" | "Unlock" | "RLock" | "RUnlock"
            ) && self.resolve(f, env).is_some();
            match m.as_str() {
                _ if own => {}
                "Add" | "Done" | "Wait" => {
                    self.waitgroup_lines.push(line);
                    return true;
                }
                "Lock" | "Unlock" | "RLock" | "RUnlock" => {
                    self.mutex_lines.push(line);
                    if !deferred {
                        if m.starts_with("Unlock") || m.starts_with("RUnlock") {
                            self.held = self.held.saturating_sub(1);
                        } else {
                            self.held += 1;
                        }
                    }
                    return true;
                }
                _ => {}
            }
        }
        let name = dotted(f);
        if SCHEDULING.contains(&name.as_str()) {
            self.note_once(format!(
                "`{name}` is a scheduling hint in Go; the engines explore the interleavings instead"
            ));
            return true;
        }
        if MEMORY.contains(&name.as_str()) {
            self.memory = true;
            if matches!(name.as_str(), "runtime.GC" | "debug.FreeOSMemory") {
                self.note_once(format!(
                    "line {line}: `{name}` asks for memory back: imported as the structure's reclamation \
                     step, reclaim()"
                ));
                self.emit(Op::Reclaim, S::Reclaim, line);
            } else {
                self.note_once(format!(
                    "line {line}: `{name}` measures memory: the reclamation oracle judges the footprint \
                     after each run instead"
                ));
            }
            return true;
        }
        false
    }

    /// `go f(...)`, `go func() { ... }()`, `go c.method()`: a new thread, at most `scale.threads`.
    pub(super) fn spawn(&mut self, e: &Expr, env: &mut Env, line: usize) {
        let (func, recv, args, closure) = match e {
            Expr::Call(f, args) => match &**f {
                Expr::FuncLit(p, b) => (literal(p, b, line), None, args.clone(), true),
                other => match self.resolve(other, env) {
                    Some((func, recv)) => (func, recv, args.clone(), false),
                    None => {
                        self.b.untranslated.push((
                            line,
                            format!("`go {}(...)`: the function is not in the input", dotted(other)),
                        ));
                        return;
                    }
                },
            },
            _ => {
                self.b
                    .untranslated
                    .push((line, "this `go` statement is not translated".into()));
                return;
            }
        };
        let forever = super::ast::loops_forever(&func.body);
        let spawn_env = env.clone();
        match self.b.enter_thread(line) {
            Enter::Dropped => {}
            Enter::Inline => {
                self.call(&func, recv, &args, env, closure);
            }
            Enter::Thread(saved) => {
                let thread = self.b.current.unwrap_or_default();
                self.waiting = false;
                let held = std::mem::take(&mut self.held);
                self.sweeps = false;
                self.call(&func, recv.clone(), &args, env, closure);
                self.held = held;
                if forever && self.cleans(thread) {
                    self.unstopped_cleaner = true;
                    self.note_once(format!(
                        "line {line}: this goroutine cleans the map in a loop that never ends and that nothing \
                         stops: it outlives the map (a goroutine leak); its loop runs {} times",
                        self.b.scale.loop_iterations
                    ));
                }
                if std::mem::take(&mut self.waiting) {
                    // It waited on a channel nothing had been sent on yet: it runs again once the
                    // main goroutine has sent what it sends.
                    self.b.threads[thread].ops.clear();
                    self.pending.push(Pending {
                        thread,
                        func,
                        recv,
                        args,
                        env: spawn_env,
                        closure,
                    });
                }
                self.b.leave_thread(saved);
            }
        }
    }

    /// Runs again the goroutines that waited on a channel, now that the main goroutine has sent
    /// its values.
    pub(super) fn run_pending(&mut self) {
        self.rerun = true;
        let pending = std::mem::take(&mut self.pending);
        // The goroutines that receive share the values sent: each takes its part in turn.
        let queued: usize = self.channels.iter().map(|c| c.len()).sum();
        let share = queued.div_ceil(pending.len().max(1)).max(1);
        for p in pending {
            self.receive_budget = Some(share);
            let saved = self.b.current.replace(p.thread);
            let mut env = p.env;
            self.call(&p.func, p.recv, &p.args, &mut env, p.closure);
            if std::mem::take(&mut self.waiting) {
                let line = self.b.threads[p.thread].line;
                self.b.untranslated(
                    line,
                    "this goroutine receives from a channel nothing is sent on: its receive loop runs no time",
                );
            }
            self.b.current = saved;
        }
        self.receive_budget = None;
    }

    /// Whether a goroutine's operations clean the map (delete, clear, purge).
    fn cleans(&self, thread: usize) -> bool {
        self.sweeps
            || self.b.threads[thread].ops.iter().any(|s| {
                matches!(s.op, Op::Remove { .. } | Op::Clear | Op::Reclaim)
                    || matches!(s.op, Op::Iterate { delete } if delete != DeleteIf::Nothing)
            })
    }
}

fn sprintf(name: &str, vals: &[Val]) -> Val {
    let piece = |v: &Val| match v {
        Val::Int(n) => Some(n.to_string()),
        Val::Str(t) => Some(t.clone()),
        _ => None,
    };
    if name == "fmt.Sprint" {
        let mut s = String::new();
        for v in vals {
            s.push_str(&piece(v).unwrap_or_default());
            if piece(v).is_none() {
                return Val::Opaque;
            }
        }
        return Val::Str(s);
    }
    let Some(Val::Str(fmt)) = vals.first() else {
        return Val::Opaque;
    };
    let mut out = String::new();
    let mut args = vals[1..].iter();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flags and widths (`%03d`) up to the verb.
        let mut verb = chars.next();
        while let Some(v) = verb.filter(|v| v.is_ascii_digit() || matches!(v, '-' | '+' | '#' | ' ' | '.')) {
            let _ = v;
            verb = chars.next();
        }
        match verb {
            Some('%') => out.push('%'),
            Some(_) => match args.next().and_then(piece) {
                Some(p) => out.push_str(&p),
                None => return Val::Opaque,
            },
            None => out.push('%'),
        }
        if out.len() > 256 {
            return Val::Opaque;
        }
    }
    Val::Str(out)
}
