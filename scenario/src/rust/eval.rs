//! The symbolic evaluator of Rust reproducers: runs the test or `main` function, follows the
//! shared map through `Arc` clones, lock guards and references, starts a thread for each spawned
//! closure, and scales loops down as the Go importer does.

use crate::go::Scale;
use crate::{Spelling, Step};
use mapcheck_harness::Op;
use quote::ToTokens;
use std::collections::{BTreeMap, HashMap};
use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt};

/// A value the evaluator tracks.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Int(i64),
    Str(String),
    /// The shared map, or a handle to it (an `Arc`, a guard, a reference, a clone of a snapshot).
    Map,
    /// A `thread::scope`'s scope, whose `spawn` starts a thread.
    Scope,
    Opaque,
}

/// Statements at most that one import evaluates.
const MAX_STEPS: usize = 200_000;
/// How deep inlined calls nest at most.
const MAX_DEPTH: usize = 16;

pub(super) struct Importer {
    pub scale: Scale,
    pub fns: HashMap<String, syn::ItemFn>,
    pub env: Vec<HashMap<String, Val>>,
    /// What the map's declaration says: `Mutex`, `RwLock`, `DashMap`, `SkipMap`, `ArcSwap`.
    pub has_map: bool,
    pub locked: bool,
    pub dashmap: bool,
    pub skipmap: bool,
    pub cow: Option<bool>,
    pub string_keys: BTreeMap<String, u64>,
    pub next_string_key: u64,
    pub next_opaque: u64,
    pub initial: Vec<(u64, u64)>,
    /// Where each key of `initial` is, so a fill loop stays linear.
    pub initial_at: HashMap<u64, usize>,
    pub threads: Vec<Vec<Step>>,
    pub thread_lines: Vec<usize>,
    pub main_after: Vec<Step>,
    pub started: bool,
    pub current: Option<usize>,
    pub notes: Vec<String>,
    pub untranslated: Vec<(usize, String)>,
    pub dropped_ops: BTreeMap<usize, usize>,
    pub dropped_threads: usize,
    pub depth: usize,
    pub steps: usize,
    pub deferred: Option<Vec<Step>>,
    pub map_line: usize,
}

pub(super) fn line_of<T: Spanned>(t: &T) -> usize {
    t.span().start().line
}

/// The tokens of a syntax node, as text (to look for type names).
pub(super) fn tokens<T: ToTokens>(t: &T) -> String {
    t.to_token_stream().to_string()
}

impl Importer {
    pub fn new(scale: Scale) -> Importer {
        Importer {
            scale,
            fns: HashMap::new(),
            env: vec![HashMap::new()],
            has_map: false,
            locked: false,
            dashmap: false,
            skipmap: false,
            cow: None,
            string_keys: BTreeMap::new(),
            next_string_key: 1,
            next_opaque: 0,
            initial: Vec::new(),
            initial_at: HashMap::new(),
            threads: Vec::new(),
            thread_lines: Vec::new(),
            main_after: Vec::new(),
            started: false,
            current: None,
            notes: Vec::new(),
            untranslated: Vec::new(),
            dropped_ops: BTreeMap::new(),
            dropped_threads: 0,
            depth: 0,
            steps: 0,
            deferred: None,
            map_line: 1,
        }
    }

    pub fn note_once(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Val> {
        self.env.iter().rev().find_map(|s| s.get(name).cloned())
    }

    pub fn define(&mut self, name: &str, v: Val) {
        if name != "_" {
            if let Some(top) = self.env.last_mut() {
                top.insert(name.to_string(), v);
            }
        }
    }

    pub fn set(&mut self, name: &str, v: Val) {
        for scope in self.env.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(name) {
                *slot = v;
                return;
            }
        }
        self.define(name, v);
    }

    /// Runs the file: its test functions in order, or `main`.
    pub fn run_file(&mut self, file: &syn::File) -> Result<(), super::RustError> {
        for item in &file.items {
            if let syn::Item::Fn(f) = item {
                self.fns.insert(f.sig.ident.to_string(), f.clone());
            }
        }
        let is_test = |f: &syn::ItemFn| f.attrs.iter().any(|a| tokens(a).contains("test"));
        let mut entry: Vec<syn::ItemFn> = file
            .items
            .iter()
            .filter_map(|i| match i {
                syn::Item::Fn(f) if is_test(f) => Some(f.clone()),
                _ => None,
            })
            .collect();
        if entry.is_empty() {
            entry.extend(self.fns.get("main").cloned());
        }
        let Some(first) = entry.first() else {
            return Err(super::RustError {
                line: 1,
                message: "no entry point: expected a `#[test]` function or `fn main`".into(),
            });
        };
        if entry.len() > 1 {
            self.notes.push(format!(
                "the file has {} tests; the first, `{}`, is imported",
                entry.len(),
                first.sig.ident
            ));
        }
        let body = first.block.clone();
        self.block(&body.stmts);
        Ok(())
    }

    /// Records one operation in the thread running now.
    pub fn emit(&mut self, op: Op, spelling: Spelling, line: usize) {
        let step = Step { op, spelling };
        if let Some(d) = &mut self.deferred {
            d.push(step);
            return;
        }
        let cap = self.scale.ops_per_thread;
        let slot = match self.current {
            Some(t) => &mut self.threads[t],
            None if !self.started && self.main_after.is_empty() => {
                if let Op::Insert { key, value } = op {
                    if let Some(&at) = self.initial_at.get(&key) {
                        self.initial[at].1 = value;
                    } else if self.initial.len() < crate::MAX_INITIAL {
                        self.initial_at.insert(key, self.initial.len());
                        self.initial.push((key, value));
                    }
                    return;
                }
                &mut self.main_after
            }
            None => &mut self.main_after,
        };
        if slot.len() < cap {
            slot.push(step);
        } else {
            *self.dropped_ops.entry(line).or_default() += 1;
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

    pub fn block(&mut self, stmts: &[Stmt]) -> Option<Val> {
        self.env.push(HashMap::new());
        let mut last = None;
        for s in stmts {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                break;
            }
            last = match s {
                Stmt::Local(l) => {
                    let v = l.init.as_ref().map_or(Val::Opaque, |i| {
                        let v = self.eval(&i.expr);
                        if !self.has_map && self.declares_map(&i.expr) {
                            return Val::Map;
                        }
                        v
                    });
                    self.bind(&l.pat, v);
                    None
                }
                Stmt::Expr(e, semi) => {
                    let v = self.eval(e);
                    semi.is_none().then_some(v)
                }
                Stmt::Macro(m) => {
                    self.mac(&m.mac);
                    None
                }
                Stmt::Item(syn::Item::Fn(f)) => {
                    self.fns.insert(f.sig.ident.to_string(), f.clone());
                    None
                }
                Stmt::Item(_) => None,
            };
        }
        self.env.pop();
        last
    }

    /// Whether an expression creates the shared map; records its design.
    fn declares_map(&mut self, e: &Expr) -> bool {
        let t = tokens(e).replace(' ', "");
        let makes = [
            "HashMap::",
            "BTreeMap::",
            "DashMap::",
            "SkipMap::",
            "ArcSwap::",
            "HashMap<",
            "DashMap<",
        ]
        .iter()
        .any(|m| t.contains(m));
        if !makes {
            return false;
        }
        self.has_map = true;
        self.map_line = line_of(e);
        self.locked = t.contains("Mutex") || t.contains("RwLock");
        self.dashmap = t.contains("DashMap");
        self.skipmap = t.contains("SkipMap");
        if t.contains("ArcSwap") {
            self.cow.get_or_insert(false);
        }
        true
    }

    pub fn bind(&mut self, pat: &Pat, v: Val) {
        match pat {
            Pat::Ident(i) => self.define(&i.ident.to_string(), v),
            Pat::Type(t) => self.bind(&t.pat, v),
            Pat::Reference(r) => self.bind(&r.pat, v),
            Pat::Tuple(t) => {
                for p in &t.elems {
                    self.bind(p, Val::Opaque);
                }
            }
            _ => {}
        }
    }

    pub fn call_fn(&mut self, name: &str, args: Vec<Val>) -> Val {
        let Some(f) = self.fns.get(name).cloned() else {
            return Val::Opaque;
        };
        if self.depth >= MAX_DEPTH {
            return Val::Opaque;
        }
        self.depth += 1;
        let saved = std::mem::replace(&mut self.env, vec![HashMap::new()]);
        for (input, v) in f.sig.inputs.iter().zip(args) {
            if let syn::FnArg::Typed(p) = input {
                self.bind(&p.pat, v);
            }
        }
        let out = self.block(&f.block.stmts).unwrap_or(Val::Opaque);
        self.env = saved;
        self.depth -= 1;
        out
    }

    /// Starts a thread running a closure.
    pub fn spawn(&mut self, closure: &Expr, line: usize) {
        let Expr::Closure(c) = closure else {
            self.untranslated.push((
                line,
                "a thread whose body is not a closure is not translated".into(),
            ));
            return;
        };
        if self.current.is_some() {
            self.note_once(format!(
                "line {line}: a thread started by a thread runs its operations in the thread that started it"
            ));
            self.eval(&c.body);
            return;
        }
        if self.threads.len() >= self.scale.threads {
            self.dropped_threads += 1;
            return;
        }
        self.started = true;
        self.threads.push(Vec::new());
        self.thread_lines.push(line);
        let saved = self.current.replace(self.threads.len() - 1);
        self.env.push(HashMap::new());
        self.eval(&c.body);
        self.env.pop();
        self.current = saved;
    }

    /// A macro: formatting computes a string; the arguments of assertions and prints are read (a
    /// map read inside `assert_eq!` is an operation).
    pub fn mac(&mut self, m: &syn::Macro) -> Val {
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let args = m
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
            .map(|p| p.into_iter().collect::<Vec<_>>())
            .unwrap_or_default();
        if name == "format" {
            return self.format(&args);
        }
        for a in &args {
            self.eval(a);
        }
        Val::Opaque
    }

    fn format(&mut self, args: &[Expr]) -> Val {
        let Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) = args.first()
        else {
            return Val::Opaque;
        };
        let fmt = s.value();
        let mut out = String::new();
        let mut rest = args[1..].iter();
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c != '{' {
                out.push(c);
                continue;
            }
            let mut inner = String::new();
            for d in chars.by_ref() {
                if d == '}' {
                    break;
                }
                inner.push(d);
            }
            if inner == "{" {
                out.push('{');
                continue;
            }
            let name = inner.split(':').next().unwrap_or("");
            let v = if name.is_empty() {
                rest.next().map_or(Val::Opaque, |e| self.eval(e))
            } else {
                self.lookup(name).unwrap_or(Val::Opaque)
            };
            match v {
                Val::Int(n) => out.push_str(&n.to_string()),
                Val::Str(s) => out.push_str(&s),
                _ => return Val::Opaque,
            }
            if out.len() > 256 {
                return Val::Opaque;
            }
        }
        Val::Str(out)
    }
}
