//! The Go importer: turns a Go reproducer of the kind bug reports carry (a map, a sync.Map or a
//! struct wrapping one, goroutines, loops, `delete`, `range`, `clear`) into a scenario, scaled
//! down so it can be explored exhaustively. What it scales it notes; what it cannot translate it
//! reports with its line, in the scenario's notes and in [`GoImport::untranslated`].
//!
//! The text is read with tree-sitter's Go grammar (`syntax.rs`), which also accepts a fragment's
//! statements at the top level and recovers from prose between snippets. A symbolic evaluator
//! (`eval.rs`, `assign.rs`, `calls.rs`, `loops.rs`) runs the main goroutine: goroutines become
//! threads, the script's own functions and methods are inlined (so a wrapper type's methods become
//! the map operations they perform), and operations the main goroutine performs before the first
//! goroutine starts become the initial contents when they are inserts. `finish.rs` assembles the
//! scenario and names the structures whose hazard the script exercises (`crate::hazard`).

mod assign;
mod ast;
mod calls;
mod chans;
mod eval;
mod finish;
mod loops;
mod shards;
mod syntax;

use crate::Scenario;

pub use crate::build::Scale;

/// The result of an import.
#[derive(Debug, Clone)]
pub struct GoImport {
    pub scenario: Scenario,
    /// Lines the importer could not translate, with why.
    pub untranslated: Vec<(usize, String)>,
}

/// Why nothing could be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for GoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Imports a Go reproducer. `file` names it in the scenario's source.
pub fn import(file: &str, src: &str, scale: Scale) -> Result<GoImport, GoError> {
    let stmts = syntax::parse(src);
    let mut imp = eval::Importer::new(scale);
    // Declarations first, so calls to functions defined later resolve; then `main`, or the
    // top-level statements of a fragment.
    let mut top = Vec::new();
    for s in &stmts {
        match s {
            ast::Stmt::Func(f) => imp.declare_func(f),
            ast::Stmt::Type(t) => {
                imp.types.insert(t.name.clone(), t.clone());
            }
            ast::Stmt::Var(..) => top.insert(
                top.iter().take_while(|s| matches!(s, ast::Stmt::Var(..))).count(),
                s.clone(),
            ),
            other => top.push(other.clone()),
        }
    }
    let mut env: eval::Env = vec![Default::default()];
    imp.block(&top, &mut env);
    if let Some(main) = imp.funcs.get("main").cloned() {
        imp.call(&main, None, &[], &mut env, false);
        imp.run_pending();
    } else {
        // A fragment: run its functions in the order they are written, each as the main goroutine
        // (tests named `TestX` included).
        let mut order: Vec<(usize, String)> = stmts
            .iter()
            .filter_map(|s| match s {
                ast::Stmt::Func(f) if f.recv.is_none() && f.params.len() <= 1 => {
                    Some((f.line, f.name.clone()))
                }
                _ => None,
            })
            .collect();
        order.sort();
        let called = called_functions(&stmts);
        for (line, name) in order {
            if called.contains(&name) && !name.starts_with("Test") {
                continue;
            }
            if let Some(f) = imp.funcs.get(&name).cloned() {
                let before = imp.b.op_count();
                imp.call(&f, None, &[], &mut env, false);
                imp.run_pending();
                if imp.b.op_count() > before {
                    imp.b.notes.push(format!(
                        "line {line}: the input has no main; `{name}` runs as the main goroutine"
                    ));
                }
            }
        }
    }
    if imp.map_seen.is_none() {
        imp.map_seen = first_map(&stmts);
    }
    imp.finish(file, src)
}

/// The line of the first `make(map...)` or map literal in the source, run or not.
fn first_map(stmts: &[ast::Stmt]) -> Option<usize> {
    fn expr(e: &ast::Expr) -> bool {
        use ast::Expr::*;
        match e {
            Call(f, args) => {
                (ast::dotted(f) == "make" && matches!(args.first(), Some(Type(t)) if t.starts_with("map[")))
                    || expr(f)
                    || args.iter().any(expr)
            }
            Composite(t, elems) => {
                t.trim_start_matches('&').starts_with("map[")
                    || elems.iter().any(|(k, v)| k.as_ref().is_some_and(expr) || expr(v))
            }
            Selector(x, _) | Unary(_, x) => expr(x),
            Index(a, b) | Binary(_, a, b) => expr(a) || expr(b),
            FuncLit(_, body) => first_map(body).is_some(),
            _ => false,
        }
    }
    stmts.iter().find_map(|s| {
        use ast::Stmt::*;
        match s {
            Assign(l, _, r, line) if l.iter().chain(r).any(expr) => Some(*line),
            Var(_, _, Some(e), line) | Expr(e, line) | Go(e, line) | Defer(e, line) if expr(e) => Some(*line),
            Block(b) => first_map(b),
            If(i) => first_map(&i.then)
                .or_else(|| i.els.as_ref().and_then(|e| first_map(std::slice::from_ref(&**e)))),
            For(f) => first_map(&f.body),
            Range(_, _, b, _) => first_map(b),
            Func(f) => first_map(&f.body),
            _ => None,
        }
    })
}

/// Names of the functions some other function calls (they run when called, not on their own).
fn called_functions(stmts: &[ast::Stmt]) -> std::collections::BTreeSet<String> {
    fn walk_expr(e: &ast::Expr, out: &mut std::collections::BTreeSet<String>) {
        use ast::Expr::*;
        match e {
            Call(f, args) => {
                if let Ident(n) = &**f {
                    out.insert(n.clone());
                }
                walk_expr(f, out);
                args.iter().for_each(|a| walk_expr(a, out));
            }
            Selector(x, _) | Unary(_, x) => walk_expr(x, out),
            Index(a, b) | Binary(_, a, b) => {
                walk_expr(a, out);
                walk_expr(b, out);
            }
            FuncLit(_, body) => walk(body, out),
            Composite(_, elems) => elems.iter().for_each(|(k, v)| {
                k.iter().for_each(|k| walk_expr(k, out));
                walk_expr(v, out);
            }),
            _ => {}
        }
    }
    fn walk(stmts: &[ast::Stmt], out: &mut std::collections::BTreeSet<String>) {
        use ast::Stmt::*;
        for s in stmts {
            match s {
                Expr(e, _) | Go(e, _) | Defer(e, _) => walk_expr(e, out),
                Assign(l, _, r, _) => l.iter().chain(r).for_each(|e| walk_expr(e, out)),
                Var(_, _, Some(e), _) => walk_expr(e, out),
                Block(b) => walk(b, out),
                If(i) => {
                    walk_expr(&i.cond, out);
                    walk(&i.then, out);
                    if let Some(e) = &i.els {
                        walk(std::slice::from_ref(&**e), out);
                    }
                }
                For(f) => walk(&f.body, out),
                Range(_, over, b, _) => {
                    walk_expr(over, out);
                    walk(b, out);
                }
                Return(v, _) => v.iter().for_each(|e| walk_expr(e, out)),
                Func(f) => walk(&f.body, out),
                _ => {}
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(stmts, &mut out);
    out
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_constructs;
#[cfg(test)]
mod tests_features;
