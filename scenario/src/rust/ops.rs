//! Rust expressions: arithmetic and strings the evaluator can compute, struct values and the map
//! held in their fields, calls to the file's functions, methods and closures, and the map's
//! methods as operations. Control flow (`if`, `match`, loops, iterator adapters) is `control.rs`.

use super::eval::{Flow, Importer, Val, MAX_EXPR_DEPTH};
use super::syntax::{eline, excerpt, tokens};
use crate::Spelling as S;
use mapcheck_harness::Op;
use std::collections::HashMap;
use syn::Expr;

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
    "as_mut",
    "borrow",
    "borrow_mut",
    "deref",
    "deref_mut",
    "into_inner",
    "unwrap_or_else",
    "pin",
    "to_owned",
];

impl Importer {
    pub(super) fn eval(&mut self, e: &Expr) -> Val {
        if self.expr_depth >= MAX_EXPR_DEPTH {
            self.b.untranslated(
                eline(e),
                format!("an expression nested deeper than {MAX_EXPR_DEPTH} levels is not translated"),
            );
            return Val::Opaque;
        }
        self.expr_depth += 1;
        let v = self.eval_inner(e);
        self.expr_depth -= 1;
        v
    }

    fn eval_inner(&mut self, e: &Expr) -> Val {
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
            Expr::Try(t) => self.eval(&t.expr),
            Expr::Await(a) => self.eval(&a.base),
            Expr::Unary(u) => match (&u.op, self.eval(&u.expr)) {
                (syn::UnOp::Neg(_), Val::Int(n)) => Val::Int(n.wrapping_neg()),
                (syn::UnOp::Not(_), Val::Int(n)) => Val::Int((n == 0) as i64),
                (syn::UnOp::Deref(_), v) => v,
                _ => Val::Opaque,
            },
            Expr::Binary(b) => self.binary(b),
            Expr::Block(b) => self.block(&b.block.stmts).unwrap_or(Val::Opaque),
            Expr::Unsafe(b) => self.block(&b.block.stmts).unwrap_or(Val::Opaque),
            Expr::Async(b) => self.block(&b.block.stmts).unwrap_or(Val::Opaque),
            Expr::Assign(a) => {
                self.assign(a);
                Val::Opaque
            }
            Expr::If(i) => self.if_expr(i),
            Expr::Match(m) => self.match_expr(m),
            Expr::ForLoop(f) => {
                self.for_loop(f);
                Val::Opaque
            }
            Expr::While(w) => {
                self.while_loop(w);
                Val::Opaque
            }
            Expr::Loop(l) => self.loop_expr(l),
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Call(c) => self.call(c),
            Expr::MethodCall(m) => self.method(m),
            Expr::Closure(c) => self.closure(c),
            Expr::Tuple(t) => {
                for e in &t.elems {
                    self.eval(e);
                }
                Val::Opaque
            }
            Expr::Array(a) => {
                for e in &a.elems {
                    self.eval(e);
                }
                Val::Opaque
            }
            Expr::Index(i) => {
                self.eval(&i.expr);
                self.eval(&i.index);
                Val::Opaque
            }
            Expr::Field(f) => {
                let base = self.eval(&f.base);
                let field = match &f.member {
                    syn::Member::Named(n) => n.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                match base {
                    Val::Obj(t) if self.map_fields.contains(&(t.clone(), field.clone())) => Val::Map,
                    _ => Val::Opaque,
                }
            }
            Expr::Struct(s) => self.struct_literal(s),
            Expr::Range(r) => {
                let start = r.start.as_ref().map_or(Val::Int(0), |s| self.eval(s));
                let end = r.end.as_ref().map_or(Val::Opaque, |e| self.eval(e));
                match (start, end) {
                    (Val::Int(a), Val::Int(b)) => {
                        let b = match r.limits {
                            syn::RangeLimits::Closed(_) => b.saturating_add(1),
                            syn::RangeLimits::HalfOpen(_) => b,
                        };
                        Val::Range(a, b)
                    }
                    _ => Val::Opaque,
                }
            }
            Expr::Return(r) => {
                let v = r.expr.as_ref().map_or(Val::Opaque, |e| self.eval(e));
                self.flow = Some(Flow::Return(v));
                Val::Opaque
            }
            Expr::Break(b) => {
                if let Some(e) = &b.expr {
                    self.eval(e);
                }
                self.flow = Some(Flow::Break);
                Val::Opaque
            }
            Expr::Continue(_) => {
                self.flow = Some(Flow::Continue);
                Val::Opaque
            }
            Expr::Let(l) => {
                let v = self.eval(&l.expr);
                self.bind(&l.pat, v);
                Val::Opaque
            }
            Expr::Verbatim(_) | Expr::Infer(_) => Val::Opaque,
            other => {
                // Nothing is skipped silently: a kind of expression the evaluator does not model
                // is noted with its line.
                self.b
                    .untranslated(eline(other), format!("not translated: `{}`", excerpt(other)));
                Val::Opaque
            }
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Val {
        let op = tokens(&b.op);
        if matches!(op.as_str(), "+=" | "-=") {
            let r = self.eval(&b.right);
            if self.entry_add(&b.left, &op, &r, eline(&b.left)) {
                return Val::Opaque;
            }
        }
        let (l, r) = (self.eval(&b.left), self.eval(&b.right));
        let compound =
            op.len() >= 2 && op.ends_with('=') && !matches!(op.as_str(), "==" | "!=" | "<=" | ">=");
        let bin = if compound {
            &op[..op.len() - 1]
        } else {
            op.as_str()
        };
        let v = match crate::build::binary(bin, &l.atom(), &r.atom()) {
            Some(crate::build::Atom::Int(n)) if l != Val::Opaque && r != Val::Opaque => Val::Int(n),
            Some(crate::build::Atom::Str(s)) => Val::Str(s),
            _ => Val::Opaque,
        };
        if compound {
            match &*b.left {
                Expr::Path(p) => self.set(&tokens(&p.path).replace(' ', ""), v),
                // `*v += 1` on a binding (a closure's parameter).
                Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                    if let Expr::Path(p) = &*u.expr {
                        self.set(&tokens(&p.path).replace(' ', ""), v);
                    }
                }
                _ => {}
            }
            return Val::Opaque;
        }
        v
    }

    fn assign(&mut self, a: &syn::ExprAssign) {
        let v = self.eval(&a.right);
        match &*a.left {
            Expr::Path(p) => self.set(&tokens(&p.path).replace(' ', ""), v),
            // `*v = *v + 1` on a binding (a closure's parameter).
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) && matches!(&*u.expr, Expr::Path(_)) => {
                if let Expr::Path(p) = &*u.expr {
                    self.set(&tokens(&p.path).replace(' ', ""), v);
                }
            }
            target => {
                // `*guard = Arc::new(next)`, `self.map = new`: a copy of the map published in
                // place of the one every thread shares.
                let old = self.eval(target);
                if old == Val::Map && v == Val::Map {
                    self.cow.get_or_insert(false);
                    self.b.note_once(format!(
                        "line {}: the map is replaced by a changed copy (`{}`): the copy-on-write design, \
                         published without compare-and-swap",
                        eline(&a.right),
                        excerpt(a)
                    ));
                }
            }
        }
    }

    /// `T { field: value, .. }`: a value of a struct type; a field given the map holds it.
    fn struct_literal(&mut self, s: &syn::ExprStruct) -> Val {
        let mut ty = s
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if ty == "Self" {
            ty = self.self_ty.last().cloned().unwrap_or_default();
        }
        for f in &s.fields {
            let name = match &f.member {
                syn::Member::Named(n) => n.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            };
            let v = self.eval(&f.expr);
            if v == Val::Map || self.declares_map(&f.expr) {
                self.map_fields.insert((ty.clone(), name));
            }
        }
        if let Some(rest) = &s.rest {
            self.eval(rest);
        }
        Val::Obj(ty)
    }

    fn call(&mut self, c: &syn::ExprCall) -> Val {
        let line = eline(&Expr::Call(c.clone()));
        let f = tokens(&c.func).replace(' ', "");
        let segments: Vec<&str> = f.split("::").collect();
        let last = segments.last().copied().unwrap_or("").to_string();
        if let Some(Val::Closure(i)) = self.lookup(&f) {
            let args: Vec<Val> = c.args.iter().map(|a| self.eval(a)).collect();
            return self.call_closure(i, args);
        }
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
                self.flow = None;
                self.env.pop();
            }
            return Val::Opaque;
        }
        let args: Vec<Val> = c.args.iter().map(|a| self.eval(a)).collect();
        // `Type::method(...)` of the file's own types, `Self::new()`.
        if segments.len() >= 2 {
            let mut ty = segments[segments.len() - 2].to_string();
            if ty == "Self" {
                ty = self.self_ty.last().cloned().unwrap_or_default();
            }
            if let Some(m) = self.methods.get(&(ty.clone(), last.clone())).cloned() {
                let has_self = matches!(m.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
                let (recv, args) = match (has_self, args.split_first()) {
                    (true, Some((r, rest))) => (Some(r.clone()), rest.to_vec()),
                    _ => (None, args),
                };
                self.self_ty.push(ty);
                let out = self.call_fn(&m.sig, &m.block, recv, args);
                self.self_ty.pop();
                return out;
            }
        }
        match last.as_str() {
            // `Arc::new(m)`, `Arc::clone(&m)`, `Mutex::new(m)`: the same map.
            "new" | "clone" | "from" | "from_pointee" | "new_from" if args.first() == Some(&Val::Map) => {
                if f.contains("Mutex") || f.contains("RwLock") {
                    self.locked = true;
                }
                if f.contains("ArcSwap") {
                    self.cow.get_or_insert(false);
                }
                Val::Map
            }
            // `Arc::new(service)`, `Arc::clone(&service)`, `Box::new(cache)`: the same value.
            "new" | "clone" | "from" if matches!(args.first(), Some(Val::Obj(_))) => args[0].clone(),
            "from" | "String" => args.into_iter().next().unwrap_or(Val::Opaque),
            "sleep" | "yield_now" => {
                self.b.note_once(format!(
                    "`{f}` only changes the schedule; the engines explore the interleavings instead"
                ));
                Val::Opaque
            }
            name if self.fns.contains_key(name) && segments.len() == 1 => {
                let Some(func) = self.fns.get(name).cloned() else {
                    return Val::Opaque;
                };
                self.call_fn(&func.sig, &func.block, None, args)
            }
            // `Store(map)`: a tuple struct of the file holding the map in a field (`self.0`).
            name if name.starts_with(char::is_uppercase)
                && c.args
                    .iter()
                    .zip(&args)
                    .any(|(e, a)| *a == Val::Map || self.declares_map(e)) =>
            {
                for (i, (e, a)) in c.args.iter().zip(&args).enumerate() {
                    if *a == Val::Map || self.declares_map(e) {
                        self.map_fields.insert((name.to_string(), i.to_string()));
                    }
                }
                Val::Obj(name.to_string())
            }
            _ => {
                if args.contains(&Val::Map) {
                    self.b.untranslated(
                        line,
                        format!(
                            "the call `{}` with the map is not translated",
                            crate::import::shorten(&f, 60)
                        ),
                    );
                }
                Val::Opaque
            }
        }
    }

    fn method(&mut self, m: &syn::ExprMethodCall) -> Val {
        let line = m.method.span().start().line;
        let name = m.method.to_string();
        if name.starts_with("or_") || name == "and_modify" {
            if self.entry_call(m, line) {
                return Val::Opaque;
            }
        }
        let recv = self.eval(&m.receiver);
        if name == "spawn" {
            if let Some(arg) = m.args.first() {
                self.spawn(arg, line);
            }
            return Val::Opaque;
        }
        if let Val::Obj(ty) = &recv {
            if let Some(f) = self.methods.get(&(ty.clone(), name.clone())).cloned() {
                let args: Vec<Val> = m.args.iter().map(|a| self.eval(a)).collect();
                self.self_ty.push(ty.clone());
                let out = self.call_fn(&f.sig, &f.block, Some(recv.clone()), args);
                self.self_ty.pop();
                return out;
            }
            if name == "clone" {
                return recv;
            }
        }
        if recv != Val::Map {
            return self.other_method(m, &name, recv, line);
        }
        if matches!(name.as_str(), "lock" | "write" | "read") {
            self.locked = true;
        }
        if HANDLES.contains(&name.as_str()) || (name == "get_mut" && m.args.is_empty()) {
            return Val::Map;
        }
        let arg = |me: &mut Self, i: usize| m.args.iter().nth(i).map_or(Val::Opaque, |a| me.eval(a));
        match name.as_str() {
            "insert" => {
                let (k, v) = (arg(self, 0), arg(self, 1));
                let (key, value) = (self.key(k), self.value(v));
                self.b.emit(Op::Insert { key, value }, S::Insert, line);
            }
            "remove" | "remove_entry" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.b.emit(Op::Remove { key }, S::Remove, line);
            }
            "get" | "contains_key" | "get_mut" => {
                let k = arg(self, 0);
                let key = self.key(k);
                self.b.emit(Op::Get { key }, S::Get, line);
            }
            "len" | "is_empty" => self.b.emit(Op::Len, S::Len, line),
            "clear" => self.b.emit(Op::Clear, S::Clear, line),
            "retain" => self.retain_op(m, line),
            "remove_if" | "remove_if_mut" => self.remove_if(m, line),
            "alter" | "update" => self.update_with(m, line),
            "get_or_insert" | "get_or_insert_with" => self.get_or_insert(m, line),
            "iter" | "keys" | "values" | "iter_mut" | "range" | "into_iter" => return Val::Map,
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
                    self.flow = None;
                    self.env.pop();
                }
            }
            other => {
                self.b
                    .untranslated(line, format!("the map's method `{other}` is not translated"));
            }
        }
        Val::Opaque
    }

    /// A method on something that is not the map: strings and numbers, iterator adapters whose
    /// closures may start threads, closures passed on.
    fn other_method(&mut self, m: &syn::ExprMethodCall, name: &str, recv: Val, line: usize) -> Val {
        let args: Vec<Val> = m.args.iter().map(|a| self.eval(a)).collect();
        let closure = args.iter().find_map(|a| match a {
            Val::Closure(i) => Some(*i),
            _ => None,
        });
        match (name, recv) {
            (
                "to_string" | "to_owned" | "into" | "clone" | "key" | "deref" | "as_str",
                v @ (Val::Str(_) | Val::Int(_)),
            ) => v,
            ("into_iter" | "iter" | "rev" | "by_ref" | "enumerate" | "zip", v @ Val::Range(..)) => v,
            ("step_by", Val::Range(a, b)) => Val::Range(a, b),
            (
                "map" | "for_each" | "filter_map" | "flat_map" | "inspect" | "try_for_each" | "filter"
                | "all" | "any",
                Val::Range(a, b),
            ) => {
                if let Some(i) = closure {
                    self.adapter(i, a, b, line);
                }
                Val::Opaque
            }
            (
                "map" | "for_each" | "filter_map" | "flat_map" | "inspect" | "try_for_each" | "and_then"
                | "map_or" | "unwrap_or_else" | "then",
                _,
            ) => {
                if let Some(i) = closure {
                    // An iterator over something the importer cannot count: its closure runs once.
                    let before = self.b.op_count() + self.b.threads.len();
                    self.call_closure(i, vec![Val::Opaque, Val::Opaque]);
                    if self.b.op_count() + self.b.threads.len() > before
                        && !matches!(name, "and_then" | "map_or" | "unwrap_or_else" | "then")
                    {
                        self.b.note_once(format!(
                            "line {line}: `{name}` over something the importer cannot count runs its closure once"
                        ));
                    }
                }
                Val::Opaque
            }
            _ => Val::Opaque,
        }
    }
}
