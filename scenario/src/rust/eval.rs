//! The symbolic evaluator of Rust reproducers: its state, blocks and bindings, and calls. It runs
//! the test or `main` function, follows the shared map through `Arc` clones, lock guards,
//! references, struct fields and copies, inlines the file's own functions, methods and closures,
//! and starts a thread for each spawned closure (through the shared builder, `crate::build`).

use super::syntax::{line_of, tokens, type_name};
use crate::build::{Atom, Builder, Enter, Lang};
use crate::go::Scale;
use std::collections::{BTreeSet, HashMap};
use syn::{Expr, Pat, Stmt};

/// A value the evaluator tracks.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Int(i64),
    Str(String),
    /// The shared map, or a handle to it (an `Arc`, a guard, a reference, a clone of a snapshot).
    Map,
    /// A value of one of the file's struct types (that may hold the map in a field).
    Obj(String),
    /// A closure: an index into the evaluator's closures.
    Closure(usize),
    /// A range of integers (`0..n`), which iterator adapters run over.
    Range(i64, i64),
    /// A `thread::scope`'s scope, whose `spawn` starts a thread.
    Scope,
    Opaque,
}

/// How a block was left early.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Flow {
    Return(Val),
    Break,
    Continue,
}

impl Val {
    pub fn atom(&self) -> Atom {
        match self {
            Val::Int(n) => Atom::Int(*n),
            Val::Str(s) => Atom::Str(s.clone()),
            _ => Atom::Unknown,
        }
    }
}

/// Statements at most that one import evaluates.
const MAX_STEPS: usize = 20_000;
/// How deep inlined calls nest at most.
const MAX_CALLS: usize = 16;
/// How deep expressions are evaluated at most; deeper parts are not translated.
pub(super) const MAX_EXPR_DEPTH: usize = 200;

/// The words of the Rust importer's notes.
const RUST: Lang = Lang {
    name: "Rust",
    thread: "thread",
    no_threads: "no map operation runs in a thread: expected `thread::spawn` or `thread::scope` closures that use the map",
};

pub(super) struct Importer {
    pub b: Builder,
    pub fns: HashMap<String, syn::ItemFn>,
    /// Methods and associated functions of the file's types, by type and name.
    pub methods: HashMap<(String, String), syn::ImplItemFn>,
    /// The file's struct types, with each field's type as text.
    pub structs: HashMap<String, Vec<(String, String)>>,
    /// Struct fields that hold the map.
    pub map_fields: BTreeSet<(String, String)>,
    pub closures: Vec<(syn::ExprClosure, Vec<HashMap<String, Val>>)>,
    pub env: Vec<HashMap<String, Val>>,
    /// What the map's declaration says: `Mutex`, `RwLock`, `DashMap`, `SkipMap`, `ArcSwap`.
    pub has_map: bool,
    pub locked: bool,
    pub dashmap: bool,
    pub skipmap: bool,
    pub cow: Option<bool>,
    /// A thread loops forever with no way out and is never stopped.
    pub unstopped_cleaner: bool,
    pub calls: usize,
    pub expr_depth: usize,
    pub steps: usize,
    /// Set by `return`, `break` and `continue` until the construct they leave sees it.
    pub flow: Option<Flow>,
    /// The types whose methods are running (what `Self` names).
    pub self_ty: Vec<String>,
    pub map_line: usize,
}

impl Importer {
    pub fn new(scale: Scale) -> Importer {
        Importer {
            b: Builder::new(RUST, scale),
            fns: HashMap::new(),
            methods: HashMap::new(),
            structs: HashMap::new(),
            map_fields: BTreeSet::new(),
            closures: Vec::new(),
            env: vec![HashMap::new()],
            has_map: false,
            locked: false,
            dashmap: false,
            skipmap: false,
            cow: None,
            unstopped_cleaner: false,
            calls: 0,
            expr_depth: 0,
            steps: 0,
            flow: None,
            self_ty: Vec::new(),
            map_line: 1,
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

    pub fn key(&mut self, v: Val) -> u64 {
        self.b.key(v.atom())
    }

    pub fn value(&mut self, v: Val) -> u64 {
        self.b.value(v.atom())
    }

    /// Runs the file: its first test function, or `main`.
    pub fn run_file(&mut self, file: &syn::File) -> Result<(), super::RustError> {
        for item in &file.items {
            self.item(item);
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
            self.b.notes.push(format!(
                "the file has {} tests; the first, `{}`, is imported",
                entry.len(),
                first.sig.ident
            ));
        }
        let body = first.block.clone();
        self.block(&body.stmts);
        Ok(())
    }

    /// Declarations: functions, the methods of `impl` blocks, and struct types.
    fn item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Fn(f) => {
                self.fns.insert(f.sig.ident.to_string(), f.clone());
            }
            syn::Item::Impl(i) => {
                let ty = type_name(&i.self_ty);
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        self.methods
                            .insert((ty.clone(), f.sig.ident.to_string()), f.clone());
                    }
                }
            }
            syn::Item::Struct(s) => {
                let name = s.ident.to_string();
                let fields: Vec<(String, String)> = s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let n = f.ident.as_ref().map_or(i.to_string(), |i| i.to_string());
                        (n, tokens(&f.ty).replace(' ', ""))
                    })
                    .collect();
                for (f, ty) in &fields {
                    if self.declares_map_text(ty, line_of(s)) {
                        self.map_fields.insert((name.clone(), f.clone()));
                    }
                }
                self.structs.insert(name, fields);
            }
            syn::Item::Mod(m) => {
                for i in m.content.iter().flat_map(|(_, items)| items) {
                    self.item(i);
                }
            }
            _ => {}
        }
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
                    // `let (a, b) = (x.clone(), y.clone());`: element by element.
                    if let (Pat::Tuple(p), Some(Expr::Tuple(t))) = (&l.pat, l.init.as_ref().map(|i| &*i.expr))
                    {
                        if p.elems.len() == t.elems.len() {
                            for (p, e) in p.elems.iter().zip(&t.elems) {
                                let v = self.eval(e);
                                self.bind(p, v);
                            }
                            continue;
                        }
                    }
                    let v = l.init.as_ref().map_or(Val::Opaque, |i| {
                        let v = self.eval(&i.expr);
                        let declares = self.declares_map(&i.expr);
                        if v == Val::Opaque && declares {
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
                Stmt::Item(item) => {
                    self.item(item);
                    None
                }
            };
            if self.flow.is_some() {
                break;
            }
        }
        self.env.pop();
        last
    }

    /// Whether an expression creates the shared map; records its design.
    pub fn declares_map(&mut self, e: &Expr) -> bool {
        let t = tokens(e).replace(' ', "");
        self.declares_map_text(&t, line_of(e))
    }

    /// Whether a type or an expression, as text, names a map; records its design.
    fn declares_map_text(&mut self, t: &str, line: usize) -> bool {
        let makes = [
            "HashMap::",
            "BTreeMap::",
            "DashMap::",
            "SkipMap::",
            "ArcSwap::",
            "HashMap<",
            "BTreeMap<",
            "DashMap<",
            "SkipMap<",
        ]
        .iter()
        .any(|m| t.contains(m));
        if !makes {
            return false;
        }
        if !self.has_map {
            self.map_line = line;
        }
        self.has_map = true;
        self.locked |= t.contains("Mutex") || t.contains("RwLock");
        self.dashmap |= t.contains("DashMap");
        self.skipmap |= t.contains("SkipMap");
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
            Pat::TupleStruct(t) => {
                for p in &t.elems {
                    self.bind(p, v.clone());
                }
            }
            _ => {}
        }
    }

    /// Calls one of the file's functions (or methods, with `recv` as `self`).
    pub fn call_fn(
        &mut self,
        f: &syn::Signature,
        body: &syn::Block,
        recv: Option<Val>,
        args: Vec<Val>,
    ) -> Val {
        if self.calls >= MAX_CALLS {
            self.b.untranslated(
                line_of(f),
                format!(
                    "calls nest deeper than {MAX_CALLS}: `{}` is not inlined further",
                    f.ident
                ),
            );
            return Val::Opaque;
        }
        self.calls += 1;
        let saved = std::mem::replace(&mut self.env, vec![HashMap::new()]);
        let mut args = args.into_iter();
        for input in &f.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    let v = recv.clone().unwrap_or(Val::Opaque);
                    self.define("self", v);
                }
                syn::FnArg::Typed(p) => {
                    let v = args.next().unwrap_or(Val::Opaque);
                    self.bind(&p.pat, v);
                }
            }
        }
        let out = self.block(&body.stmts).unwrap_or(Val::Opaque);
        let out = match self.flow.take() {
            Some(Flow::Return(v)) => v,
            _ => out,
        };
        self.env = saved;
        self.calls -= 1;
        out
    }

    /// Calls a closure value with arguments.
    pub fn call_closure(&mut self, i: usize, args: Vec<Val>) -> Val {
        let Some((c, captured)) = self.closures.get(i).cloned() else {
            return Val::Opaque;
        };
        if self.calls >= MAX_CALLS {
            return Val::Opaque;
        }
        self.calls += 1;
        let saved = std::mem::replace(&mut self.env, captured);
        self.env.push(HashMap::new());
        for (p, v) in c.inputs.iter().zip(args) {
            self.bind(p, v);
        }
        let out = self.eval(&c.body);
        let out = match self.flow.take() {
            Some(Flow::Return(v)) => v,
            _ => out,
        };
        self.env = saved;
        self.calls -= 1;
        out
    }

    /// A closure as a value.
    pub fn closure(&mut self, c: &syn::ExprClosure) -> Val {
        if self.closures.len() >= 1024 {
            return Val::Opaque;
        }
        self.closures.push((c.clone(), self.env.clone()));
        Val::Closure(self.closures.len() - 1)
    }

    /// Starts a thread running a closure (or a closure value).
    pub fn spawn(&mut self, body: &Expr, line: usize) {
        let closure = match body {
            Expr::Closure(c) => Some(c.clone()),
            e => match self.eval(e) {
                Val::Closure(i) => self.closures.get(i).map(|(c, _)| c.clone()),
                _ => None,
            },
        };
        let Some(c) = closure else {
            self.b
                .untranslated(line, "a thread whose body is not a closure is not translated");
            return;
        };
        match self.b.enter_thread(line) {
            Enter::Dropped => {}
            Enter::Inline => {
                self.eval(&c.body);
                self.flow = None;
            }
            Enter::Thread(saved) => {
                if super::syntax::loops_forever(&c.body) {
                    self.unstopped_cleaner = true;
                    self.b.note_once(format!(
                        "line {line}: this thread loops forever with no way to stop it: it outlives the map \
                         (a thread leak); its loop runs {} times",
                        self.b.scale.loop_iterations
                    ));
                }
                self.env.push(HashMap::new());
                self.eval(&c.body);
                self.flow = None;
                self.env.pop();
                self.b.leave_thread(saved);
            }
        }
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
        if name == "vec" {
            for a in &args {
                self.eval(a);
            }
            return Val::Opaque;
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
