//! The symbolic evaluator's state and its statements: it runs the program's main goroutine,
//! recording every operation on the map in the thread that performs it (`emit`), computing the
//! integers and strings it can (loop counters, keys built with `fmt.Sprintf`) and numbering what it
//! cannot.

use super::ast::{dotted, Expr, Func, Stmt, TypeDecl};
use crate::build::{Atom, Builder, Lang, Scale};
use crate::Spelling;
use mapcheck_harness::Op;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A value the evaluator tracks.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Int(i64),
    Str(String),
    /// A value of a declared struct type (a wrapper around the map), by type name.
    Obj(String),
    /// A reference to a map (a parameter, or a copy-on-write map loaded from its atomic pointer).
    Map(String),
    /// A function value: an index into the evaluator's closures.
    Func(usize),
    /// A channel: an index into the evaluator's channels.
    Chan(usize),
    /// A slice or array literal's elements.
    List(Vec<Val>),
    /// A value the importer cannot compute (a pointer, a call result).
    Opaque,
}

impl Val {
    /// The value as a key or value of the map.
    pub fn atom(&self) -> Atom {
        match self {
            Val::Int(n) => Atom::Int(*n),
            Val::Str(s) => Atom::Str(s.clone()),
            _ => Atom::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum MapKind {
    Plain,
    SyncMap,
}

pub(super) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Val),
}

pub(super) type Env = Vec<HashMap<String, Val>>;

/// A goroutine that waited on a channel, to run again at the end of the main goroutine.
pub(super) struct Pending {
    pub thread: usize,
    pub func: Func,
    pub recv: Option<Val>,
    pub args: Vec<Expr>,
    pub env: Env,
    pub closure: bool,
}

/// The evaluator: the Go-specific state, beside the shared import builder `b`.
pub(super) struct Importer {
    pub b: Builder,
    pub funcs: HashMap<String, Func>,
    /// Methods by receiver type and name.
    pub methods: HashMap<(String, String), Func>,
    pub types: HashMap<String, TypeDecl>,
    pub maps: BTreeMap<String, MapKind>,
    /// Maps held in a struct beside a mutex: the locked design.
    pub locked_maps: BTreeSet<String>,
    /// Maps made (by `make`, a literal, a struct literal): making one again rebuilds it.
    pub made: BTreeSet<String>,
    pub mutex_lines: Vec<usize>,
    pub waitgroup_lines: Vec<usize>,
    pub depth: usize,
    /// Copy-on-write publication seen: `Store` (false) or `CompareAndSwap` (true).
    pub cow: Option<bool>,
    /// Memory is measured or given back (`runtime.ReadMemStats`, `debug.FreeOSMemory`, a rebuild).
    pub memory: bool,
    /// Statements run so far, to stop pathological programs.
    pub steps: usize,
    /// Entries are marked deleted and purged by a later pass (the tombstone design).
    pub tombstones: bool,
    /// A goroutine cleans the map in an endless loop nobody can stop.
    pub unstopped_cleaner: bool,
    /// Function values (literals assigned or passed), with the scope they were written in.
    pub closures: Vec<(Func, Env)>,
    /// Values sent on each channel (by channel number) and not yet received.
    pub channels: Vec<std::collections::VecDeque<Val>>,
    /// A goroutine waited on a channel nothing had been sent on yet.
    pub waiting: bool,
    /// Goroutines to run again once the main goroutine has sent on its channels.
    pub pending: Vec<Pending>,
    /// Where the first `make(map...)` or map type is, for an error that says why none was used.
    pub map_seen: Option<usize>,
    /// The map is split into shards (`shards.rs`).
    pub sharded: bool,
    /// Goroutines that waited on a channel are running again: a receive that finds nothing
    /// means nothing more is sent.
    pub rerun: bool,
    /// Values the goroutine running again may still receive (its share of what was sent).
    pub receive_budget: Option<usize>,
    /// The running goroutine ranges over the map with a body that deletes, though it visited
    /// nothing (a sweep).
    pub sweeps: bool,
    /// A loop over every shard is running (`shards.rs`).
    pub in_shard_loop: bool,
    /// Locks the running goroutine holds (`Lock` and `RLock` not yet undone).
    pub held: usize,
    /// Lines of map operations a goroutine performs holding no lock, in a script that has locks.
    pub unlocked: Vec<usize>,
    /// Variables that are an `atomic.Value` or `atomic.Pointer` holding the map.
    pub atomic_vars: BTreeSet<String>,
    /// The kind of the map the last operation found, for the lock check.
    pub last_kind: Option<MapKind>,
    /// The line of the statement running.
    pub line: usize,
}

/// Statements at most that one import evaluates.
const MAX_STEPS: usize = 20_000;

/// The words of the Go importer's notes.
pub(super) const GO: Lang = Lang {
    name: "Go",
    thread: "goroutine",
    no_threads: "no map operation runs concurrently: expected `go func() { ... }()` blocks that use the map",
};

impl Importer {
    pub fn new(scale: Scale) -> Importer {
        Importer {
            b: Builder::new(GO, scale),
            funcs: HashMap::new(),
            methods: HashMap::new(),
            types: HashMap::new(),
            maps: BTreeMap::new(),
            locked_maps: BTreeSet::new(),
            made: BTreeSet::new(),
            mutex_lines: Vec::new(),
            waitgroup_lines: Vec::new(),
            depth: 0,
            cow: None,
            memory: false,
            steps: 0,
            tombstones: false,
            unstopped_cleaner: false,
            closures: Vec::new(),
            channels: Vec::new(),
            waiting: false,
            pending: Vec::new(),
            map_seen: None,
            sharded: false,
            rerun: false,
            receive_budget: None,
            in_shard_loop: false,
            sweeps: false,
            held: 0,
            unlocked: Vec::new(),
            atomic_vars: BTreeSet::new(),
            last_kind: None,
            line: 0,
        }
    }

    pub fn lookup(env: &Env, name: &str) -> Option<Val> {
        env.iter().rev().find_map(|s| s.get(name).cloned())
    }

    pub fn set(env: &mut Env, name: &str, v: Val) {
        for scope in env.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(name) {
                *slot = v;
                return;
            }
        }
        if let Some(top) = env.last_mut() {
            top.insert(name.to_string(), v);
        }
    }

    pub fn define(env: &mut Env, name: &str, v: Val) {
        if name != "_" {
            if let Some(top) = env.last_mut() {
                top.insert(name.to_string(), v);
            }
        }
    }

    pub fn note_once(&mut self, note: String) {
        self.b.note_once(note)
    }

    pub fn eval(&mut self, e: &Expr, env: &mut Env) -> Val {
        match e {
            Expr::Int(n) => Val::Int(*n),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Ident(n) => Self::lookup(env, n).unwrap_or(match n.as_str() {
                "nil" => Val::Opaque,
                _ if self.maps.contains_key(n) => Val::Map(n.clone()),
                // A name the input never defines (`key`, `metricKey`): one symbolic key per name.
                _ => Val::Str(format!("<{n}>")),
            }),
            Expr::Unary(op, x) if op == "<-" => self.receive(x, env).0,
            Expr::Unary(op, x) => match (op.as_str(), self.eval(x, env)) {
                ("-", Val::Int(n)) => Val::Int(n.wrapping_neg()),
                ("!", Val::Int(n)) => Val::Int((n == 0) as i64),
                ("&" | "*", v @ (Val::Obj(_) | Val::Map(_) | Val::Chan(_))) => v,
                _ => Val::Opaque,
            },
            // An element of a slice of structs (a shard).
            Expr::Index(..) => self.type_of(e, env).map_or(Val::Opaque, Val::Obj),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a, env), self.eval(b, env));
                binary(op, a, b)
            }
            Expr::Composite(t, elems) if t.starts_with('[') && elems.len() <= 64 => {
                Val::List(elems.iter().map(|(_, v)| self.eval(v, env)).collect())
            }
            Expr::Composite(t, _) => {
                let t = t.trim_start_matches('&');
                if self.types.contains_key(t) {
                    Val::Obj(t.to_string())
                } else {
                    Val::Opaque
                }
            }
            Expr::Call(f, args) => self.eval_call(f, args, env),
            Expr::Unknown(line, text) => {
                self.b.untranslated(*line, format!("not translated: `{text}`"));
                Val::Opaque
            }
            Expr::FuncLit(params, body) => {
                if self.closures.len() >= 1024 {
                    return Val::Opaque;
                }
                let func = super::ast::literal(params, body, 0);
                self.closures.push((func, env.clone()));
                Val::Func(self.closures.len() - 1)
            }
            _ => Val::Opaque,
        }
    }

    pub fn key(&mut self, v: Val) -> u64 {
        self.b.key(v.atom())
    }

    pub fn value(&mut self, v: Val) -> u64 {
        self.b.value(v.atom())
    }

    /// Records one operation in the thread running now.
    pub fn emit(&mut self, op: Op, spelling: Spelling, line: usize) {
        let in_thread = self.b.current.is_some() || self.b.started;
        if in_thread && self.held == 0 && self.last_kind == Some(MapKind::Plain) && !self.in_shard_loop {
            self.unlocked.push(line);
        }
        self.b.emit(op, spelling, line)
    }

    pub fn block(&mut self, stmts: &[Stmt], env: &mut Env) -> Flow {
        for s in stmts {
            match self.stmt(s, env) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    pub fn scoped(&mut self, stmts: &[Stmt], env: &mut Env) -> Flow {
        env.push(HashMap::new());
        let f = self.block(stmts, env);
        env.pop();
        f
    }

    pub fn stmt(&mut self, s: &Stmt, env: &mut Env) -> Flow {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.waiting {
            // Out of steps, or a goroutine waiting on a channel: unwind to where it started.
            return Flow::Return(Val::Opaque);
        }
        if let Some(l) = stmt_line(s) {
            self.line = l;
        }
        match s {
            Stmt::Func(f) => self.declare_func(f),
            Stmt::Type(t) => {
                self.types.insert(t.name.clone(), t.clone());
            }
            Stmt::Var(name, ty, init, line) => self.var(name, ty.as_deref(), init.as_ref(), env, *line),
            Stmt::Assign(lhs, op, rhs, line) => self.assign(lhs, op, rhs, env, *line),
            Stmt::IncDec(Expr::Ident(n), op, _) => {
                if let Some(Val::Int(v)) = Self::lookup(env, n) {
                    let v = if *op == "++" {
                        v.wrapping_add(1)
                    } else {
                        v.wrapping_sub(1)
                    };
                    Self::set(env, n, Val::Int(v));
                }
            }
            Stmt::IncDec(e, _, line) => {
                // `m[k]++`: a read and a write of the entry.
                let rhs = Expr::Binary("+".into(), Box::new(e.clone()), Box::new(Expr::Int(1)));
                self.assign(std::slice::from_ref(e), "+=", &[rhs], env, *line);
            }
            Stmt::Expr(e, line) => self.expr_stmt(e, env, *line),
            Stmt::Go(e, line) => self.spawn(e, env, *line),
            Stmt::Defer(e, line) => {
                if !self.sync_call(e, env, *line, true) {
                    self.note_once(format!(
                        "line {line}: `defer` runs at the end of its function; it is run in place"
                    ));
                    self.expr_stmt(e, env, *line);
                }
            }
            Stmt::Block(b) => return self.scoped(b, env),
            Stmt::If(i) => {
                env.push(HashMap::new());
                if let Some(init) = &i.init {
                    self.stmt(init, env);
                }
                self.scan_expr(&i.cond, env, i.line);
                let flow = match self.eval(&i.cond, env) {
                    Val::Int(n) if n != 0 => self.block(&i.then, env),
                    Val::Int(_) => match &i.els {
                        Some(e) => self.stmt(e, env),
                        None => Flow::Normal,
                    },
                    _ if super::ast::is_guard(&i.then) => {
                        // A guard (`if !ok { return false }`): the path that goes on to the map
                        // operations is the one taken; its `else`, or what follows.
                        self.note_once(format!(
                            "line {}: the condition cannot be computed statically; the path past the guard, \
                             which goes on to the map operations, is taken",
                            i.line
                        ));
                        match &i.els {
                            Some(e) => self.stmt(e, env),
                            None => Flow::Normal,
                        }
                    }
                    _ => {
                        // An unknown condition (`if ok`, a comparison with a map read): take the
                        // branch, which holds the operations the report is about.
                        self.note_once(format!(
                            "line {}: the condition cannot be computed statically; its `then` branch is taken",
                            i.line
                        ));
                        self.block(&i.then, env)
                    }
                };
                env.pop();
                return flow;
            }
            Stmt::For(f) => return self.for_loop(f, env),
            Stmt::Range(names, over, body, line) => return self.range(names, over, body, env, *line),
            Stmt::Return(vals, line) => {
                for v in vals {
                    self.scan_expr(v, env, *line);
                }
                let v = vals.first().map_or(Val::Opaque, |v| self.eval(v, env));
                return Flow::Return(v);
            }
            Stmt::Break => return Flow::Break,
            Stmt::Continue => return Flow::Continue,
            Stmt::Skipped(line, text) => {
                self.b
                    .untranslated
                    .push((*line, format!("not translated: `{text}`")));
            }
            Stmt::Select(cases, line) => return self.select(cases, env, *line),
            Stmt::Switch(sw) => return self.switch(sw, env),
            Stmt::Send(ch, v, line) => self.send(ch, v, env, *line),
            Stmt::NotGo(line, text) => {
                self.b
                    .untranslated
                    .push((*line, format!("not Go, skipped: `{text}`")));
            }
        }
        Flow::Normal
    }

    pub fn declare_func(&mut self, f: &Func) {
        match &f.recv {
            Some((_, ty)) => {
                self.methods.insert((ty.clone(), f.name.clone()), f.clone());
            }
            None => {
                self.funcs.insert(f.name.clone(), f.clone());
            }
        }
    }

    fn var(&mut self, name: &str, ty: Option<&str>, init: Option<&Expr>, env: &mut Env, line: usize) {
        let ty = ty.map(|t| t.trim_start_matches('*'));
        match ty {
            Some(t) if t.starts_with("atomic.Value") || t.starts_with("atomic.Pointer[") => {
                // A map published through an atomic pointer (copy-on-write), as a variable.
                self.atomic_vars.insert(name.to_string());
                self.new_map(name, MapKind::Plain, line);
            }
            Some("sync.Map") => self.new_map(name, MapKind::SyncMap, line),
            Some("sync.Mutex" | "sync.RWMutex") => self.mutex_lines.push(line),
            Some("sync.WaitGroup") => self.waitgroup_lines.push(line),
            Some(t) if init.is_none() && t.starts_with("map[") => {
                self.b.untranslated.push((
                    line,
                    "a nil map: writes to it panic in Go; the scenario starts from an empty map".into(),
                ));
                self.new_map(name, MapKind::Plain, line);
            }
            Some(t) if init.is_none() && self.types.contains_key(t) => {
                Self::define(env, name, Val::Obj(t.to_string()));
            }
            _ => match init {
                Some(e) => self.assign_one(name, e, env, line, true),
                None => Self::define(env, name, Val::Int(0)),
            },
        }
    }

    /// A new map variable; a second map shares the scenario's one map, with a note.
    pub fn new_map(&mut self, name: &str, kind: MapKind, line: usize) {
        if !self.maps.is_empty() && !self.maps.contains_key(name) {
            self.b.untranslated.push((
                line,
                format!("a second map `{name}`: its operations go to the same scenario map"),
            ));
        }
        self.maps.insert(name.to_string(), kind);
        self.made.insert(name.to_string());
    }

    /// The map an expression names: a variable, a field of a wrapper struct (`c.m`, `s.shards[i].m`),
    /// or a name used as a map without a visible declaration.
    pub fn map_of(&mut self, e: &Expr, env: &Env) -> Option<(String, MapKind)> {
        let found = self.map_of_inner(e, env);
        if let Some((_, k)) = &found {
            self.last_kind = Some(*k);
        }
        found
    }

    fn map_of_inner(&mut self, e: &Expr, env: &Env) -> Option<(String, MapKind)> {
        match e {
            Expr::Unary(op, x) if op == "&" || op == "*" => return self.map_of(x, env),
            // A copy-on-write map loaded from its atomic pointer.
            Expr::Call(f, args) if args.is_empty() => {
                return match &**f {
                    Expr::Selector(x, m) if m == "Load" && self.is_atomic_map(x, env) => self.map_of(x, env),
                    _ => None,
                }
            }
            Expr::Ident(n) => {
                if let Some(Val::Map(m)) = Self::lookup(env, n) {
                    return self.maps.get(&m).map(|k| (m.clone(), *k));
                }
                return self.maps.get(n).map(|k| (n.clone(), *k));
            }
            _ => {}
        }
        if let Some((owner, field, ty)) = self.field_type(e, env) {
            let kind = map_kind(&ty, &self.types)?;
            let name = format!("{owner}.{field}");
            if !self.maps.contains_key(&name) {
                self.maps.insert(name.clone(), kind);
            }
            let locked = self.types.get(&owner).is_some_and(|t| {
                t.fields
                    .iter()
                    .any(|(_, ty)| matches!(ty.trim_start_matches('*'), "sync.Mutex" | "sync.RWMutex"))
            });
            if locked {
                self.locked_maps.insert(name.clone());
            }
            return Some((name, kind));
        }
        let name = dotted(e);
        self.maps.get(&name).map(|k| (name.clone(), *k)).or_else(|| {
            // `sm.m` counts as the map `m` when that is known.
            let last = name.rsplit('.').next()?;
            self.maps.get(last).map(|k| (last.to_string(), *k))
        })
    }

    /// For a field access `x.f` whose owner's type is a declared struct: the struct's name, the
    /// field and its type text.
    pub fn field_type(&self, e: &Expr, env: &Env) -> Option<(String, String, String)> {
        let Expr::Selector(x, f) = e else { return None };
        let owner = self.type_of(x, env)?;
        let decl = self.types.get(&owner)?;
        let ty = decl.fields.iter().find(|(n, _)| n == f)?.1.clone();
        Some((owner, f.clone(), ty))
    }

    /// The declared struct type an expression has, when the evaluator knows it.
    pub fn type_of(&self, e: &Expr, env: &Env) -> Option<String> {
        match e {
            Expr::Ident(n) => match Self::lookup(env, n) {
                Some(Val::Obj(t)) => Some(t),
                _ => None,
            },
            Expr::Unary(_, x) => self.type_of(x, env),
            Expr::Selector(..) => {
                let (_, _, ty) = self.field_type(e, env)?;
                let t = ty.trim_start_matches('*');
                self.types.contains_key(t).then(|| t.to_string())
            }
            Expr::Index(x, _) => {
                let ty = self.type_text(x, env)?;
                // The element type of a slice, array or map of structs (`[]*shard`, `[16]shard`).
                let elem = super::ast::elem_type(&ty)?;
                self.types.contains_key(elem).then(|| elem.to_string())
            }
            _ => None,
        }
    }

    /// Names used as maps without a visible `make` (a fragment cut from a larger program):
    /// assumed to be maps, with a note.
    pub fn adopt_map(&mut self, e: &Expr, kind: MapKind, line: usize, env: &Env) {
        if self.map_of(e, env).is_some() {
            return;
        }
        if let Expr::Ident(n) = e {
            if Self::lookup(env, n).is_some_and(|v| !matches!(v, Val::Str(_))) {
                return;
            }
        }
        let name = dotted(e);
        if name.is_empty() || name == "_" || self.type_of(e, env).is_some() {
            return;
        }
        let what = if kind == MapKind::SyncMap {
            "a sync.Map"
        } else {
            "a map"
        };
        self.b.notes.push(format!(
            "line {line}: `{name}` is used as {what} but its declaration is not in the input; assumed {what}"
        ));
        self.made.insert(name.clone());
        self.maps.insert(name, kind);
    }
}

/// The map kind of a type's text, following declared named types.
pub(super) fn map_kind(ty: &str, types: &HashMap<String, TypeDecl>) -> Option<MapKind> {
    let t = ty.trim_start_matches('*');
    if t.starts_with("map[") {
        Some(MapKind::Plain)
    } else if t == "sync.Map" {
        Some(MapKind::SyncMap)
    } else if t.starts_with("atomic.Value") || t.starts_with("atomic.Pointer[map[") {
        // A copy-on-write map published through an atomic pointer.
        Some(MapKind::Plain)
    } else {
        let alias = types.get(t)?.alias.as_deref()?;
        if alias == t {
            return None;
        }
        map_kind(alias, &HashMap::new())
    }
}

fn binary(op: &str, a: Val, b: Val) -> Val {
    match crate::build::binary(op, &a.atom(), &b.atom()) {
        Some(Atom::Int(n)) if !matches!((&a, &b), (Val::Opaque, _) | (_, Val::Opaque)) => Val::Int(n),
        Some(Atom::Str(s)) => Val::Str(s),
        _ => Val::Opaque,
    }
}

/// The line a statement reports on, when it has one.
fn stmt_line(s: &Stmt) -> Option<usize> {
    match s {
        Stmt::Expr(_, l)
        | Stmt::Assign(.., l)
        | Stmt::IncDec(_, _, l)
        | Stmt::Var(.., l)
        | Stmt::Go(_, l)
        | Stmt::Defer(_, l)
        | Stmt::Range(.., l)
        | Stmt::Return(_, l)
        | Stmt::Skipped(l, _)
        | Stmt::Select(_, l)
        | Stmt::Send(.., l)
        | Stmt::NotGo(l, _) => Some(*l),
        Stmt::If(i) => Some(i.line),
        Stmt::For(f) => Some(f.line),
        Stmt::Switch(sw) => Some(sw.line),
        _ => None,
    }
}
