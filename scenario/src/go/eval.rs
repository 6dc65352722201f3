//! The symbolic evaluator's state and its statements: it runs the program's main goroutine,
//! recording every operation on the map in the thread that performs it (`emit`), computing the
//! integers and strings it can (loop counters, keys built with `fmt.Sprintf`) and numbering what it
//! cannot.

use super::ast::{dotted, Expr, Func, Stmt, TypeDecl};
use super::Scale;
use crate::{Spelling, Step};
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
    /// A value the importer cannot compute (a pointer, a call result).
    Opaque,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum MapKind {
    Plain,
    SyncMap,
}

/// A thread being built.
#[derive(Debug, Default, Clone)]
pub(super) struct ThreadOps {
    pub ops: Vec<Step>,
    pub line: usize,
}

pub(super) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Val),
}

pub(super) type Env = Vec<HashMap<String, Val>>;

/// The evaluator.
pub(super) struct Importer {
    pub scale: Scale,
    pub funcs: HashMap<String, Func>,
    /// Methods by receiver type and name.
    pub methods: HashMap<(String, String), Func>,
    pub types: HashMap<String, TypeDecl>,
    pub maps: BTreeMap<String, MapKind>,
    /// Maps held in a struct beside a mutex: the locked design.
    pub locked_maps: BTreeSet<String>,
    /// Keys written as strings, numbered in order of appearance.
    pub string_keys: BTreeMap<String, u64>,
    pub next_string_key: u64,
    /// Values the importer could not compute get fresh numbers from here.
    pub next_opaque: u64,
    pub initial: Vec<(u64, u64)>,
    /// Where each key of `initial` is, so a fill loop stays linear.
    pub initial_at: HashMap<u64, usize>,
    /// Threads started with `go`.
    pub goroutines: Vec<ThreadOps>,
    /// The main goroutine's operations after the first `go` (or setup that is not an insert).
    pub main_after: Vec<Step>,
    pub started: bool,
    pub notes: Vec<String>,
    pub untranslated: Vec<(usize, String)>,
    pub mutex_lines: Vec<usize>,
    pub waitgroup_lines: Vec<usize>,
    pub dropped_ops: BTreeMap<usize, usize>,
    pub dropped_threads: usize,
    /// The thread currently being filled: `None` is the main goroutine.
    pub current: Option<usize>,
    pub depth: usize,
    /// Copy-on-write publication seen: `Store` (false) or `CompareAndSwap` (true).
    pub cow: Option<bool>,
    /// Memory is measured or given back (`runtime.ReadMemStats`, `debug.FreeOSMemory`, a rebuild).
    pub memory: bool,
    /// Statements run so far, to stop pathological programs.
    pub steps: usize,
    /// Operations a range body performs that run after its iteration.
    pub deferred: Vec<Step>,
    pub deferring: bool,
    /// Entries are marked deleted and purged by a later pass (the tombstone design).
    pub tombstones: bool,
    /// A goroutine cleans the map in an endless loop nobody can stop.
    pub unstopped_cleaner: bool,
    /// Function values (literals assigned or passed), with the scope they were written in.
    pub closures: Vec<(Func, Env)>,
}

/// Statements at most that one import evaluates.
const MAX_STEPS: usize = 200_000;

impl Importer {
    pub fn new(scale: Scale) -> Importer {
        Importer {
            scale,
            funcs: HashMap::new(),
            methods: HashMap::new(),
            types: HashMap::new(),
            maps: BTreeMap::new(),
            locked_maps: BTreeSet::new(),
            string_keys: BTreeMap::new(),
            next_string_key: 1,
            next_opaque: 0,
            initial: Vec::new(),
            initial_at: HashMap::new(),
            goroutines: Vec::new(),
            main_after: Vec::new(),
            started: false,
            notes: Vec::new(),
            untranslated: Vec::new(),
            mutex_lines: Vec::new(),
            waitgroup_lines: Vec::new(),
            dropped_ops: BTreeMap::new(),
            dropped_threads: 0,
            current: None,
            depth: 0,
            cow: None,
            memory: false,
            steps: 0,
            deferred: Vec::new(),
            deferring: false,
            tombstones: false,
            unstopped_cleaner: false,
            closures: Vec::new(),
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
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
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
            Expr::Unary(op, x) => match (op.as_str(), self.eval(x, env)) {
                ("-", Val::Int(n)) => Val::Int(n.wrapping_neg()),
                ("!", Val::Int(n)) => Val::Int((n == 0) as i64),
                ("&" | "*", v @ Val::Obj(_)) => v,
                _ => Val::Opaque,
            },
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a, env), self.eval(b, env));
                binary(op, a, b)
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
            Expr::FuncLit(params, body) => {
                if self.closures.len() >= 1024 {
                    return Val::Opaque;
                }
                let func = super::calls::literal(params, body, 0);
                self.closures.push((func, env.clone()));
                Val::Func(self.closures.len() - 1)
            }
            _ => Val::Opaque,
        }
    }

    pub fn key(&mut self, v: Val) -> u64 {
        match v {
            Val::Int(n) => n as u64,
            Val::Str(s) => {
                if let Some(k) = self.string_keys.get(&s) {
                    return *k;
                }
                let k = self.next_string_key;
                self.next_string_key += 1;
                self.string_keys.insert(s, k);
                k
            }
            _ => self.opaque(),
        }
    }

    pub fn value(&mut self, v: Val) -> u64 {
        match v {
            Val::Int(n) if n >= 0 => n as u64,
            _ => self.opaque(),
        }
    }

    fn opaque(&mut self) -> u64 {
        self.next_opaque += 1;
        1_000_000 + self.next_opaque
    }

    /// Records one operation in the thread running now.
    pub fn emit(&mut self, op: Op, spelling: Spelling, line: usize) {
        let step = Step { op, spelling };
        if self.deferring {
            self.deferred.push(step);
            return;
        }
        let cap = self.scale.ops_per_thread;
        match self.current {
            Some(t) => {
                if self.goroutines[t].ops.len() < cap {
                    self.goroutines[t].ops.push(step);
                } else {
                    *self.dropped_ops.entry(line).or_default() += 1;
                }
            }
            None if !self.started => {
                if let (Op::Insert { key, value }, true) = (op, self.main_after.is_empty()) {
                    if let Some(&at) = self.initial_at.get(&key) {
                        self.initial[at].1 = value;
                    } else if self.initial.len() < crate::MAX_INITIAL {
                        self.initial_at.insert(key, self.initial.len());
                        self.initial.push((key, value));
                    } else {
                        *self.dropped_ops.entry(line).or_default() += 1;
                    }
                } else if self.main_after.len() < cap {
                    // Setup that is not an insert runs as part of the main goroutine's thread.
                    self.main_after.push(step);
                } else {
                    *self.dropped_ops.entry(line).or_default() += 1;
                }
            }
            None => {
                if self.main_after.len() < cap {
                    self.main_after.push(step);
                } else {
                    *self.dropped_ops.entry(line).or_default() += 1;
                }
            }
        }
    }

    pub fn op_count(&self) -> usize {
        self.goroutines.iter().map(|t| t.ops.len()).sum::<usize>()
            + self.main_after.len()
            + self.initial.len()
            + self.dropped_ops.values().sum::<usize>()
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
        if self.steps > MAX_STEPS {
            return Flow::Return(Val::Opaque);
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
                if !self.sync_call(e, *line) {
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
                self.untranslated
                    .push((*line, format!("not translated: `{text}`")));
            }
            Stmt::Select(cases, line) => {
                // The first case that is not a stop signal runs: it holds the work the goroutine
                // does; the scenario has no channels.
                let chosen = cases.iter().find(|(c, _)| !super::ast::is_stop_case(c));
                if let Some((comm, body)) = chosen {
                    self.note_once(format!(
                        "line {line}: `select` runs its case `{}` (the scenario has no channels)",
                        if comm.is_empty() { "default" } else { comm }
                    ));
                    return self.scoped(body, env);
                }
            }
            Stmt::NotGo(line, text) => {
                self.untranslated
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
            Some("sync.Map") => self.new_map(name, MapKind::SyncMap, line),
            Some("sync.Mutex" | "sync.RWMutex") => self.mutex_lines.push(line),
            Some("sync.WaitGroup") => self.waitgroup_lines.push(line),
            Some(t) if init.is_none() && t.starts_with("map[") => {
                self.untranslated.push((
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
            self.untranslated.push((
                line,
                format!("a second map `{name}`: its operations go to the same scenario map"),
            ));
        }
        self.maps.insert(name.to_string(), kind);
    }

    /// The map an expression names: a variable, a field of a wrapper struct (`c.m`, `s.shards[i].m`),
    /// or a name used as a map without a visible declaration.
    pub fn map_of(&mut self, e: &Expr, env: &Env) -> Option<(String, MapKind)> {
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
                let (_, _, ty) = self.field_type(x, env)?;
                // The element type of a slice, array or map of structs (`[]*shard`, `[16]shard`).
                let elem = ty.rsplit(']').next()?.trim_start_matches('*');
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
        self.notes.push(format!(
            "line {line}: `{name}` is used as {what} but its declaration is not in the input; assumed {what}"
        ));
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
            "&" => a & b,
            "|" => a | b,
            "^" => a ^ b,
            "<<" if (0..63).contains(&b) => a.wrapping_shl(b as u32),
            ">>" if (0..63).contains(&b) => a.wrapping_shr(b as u32),
            _ => return Val::Opaque,
        }),
        (Val::Str(a), Val::Str(b)) => match op {
            "+" => {
                if a.len() + b.len() > 256 {
                    return Val::Opaque;
                }
                Val::Str(a + &b)
            }
            "==" => Val::Int((a == b) as i64),
            "!=" => Val::Int((a != b) as i64),
            _ => Val::Opaque,
        },
        _ => Val::Opaque,
    }
}
