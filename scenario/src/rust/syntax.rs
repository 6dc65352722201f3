//! Syntax helpers of the Rust importer, on `syn`'s tree alone: lines, token text and excerpts,
//! type and pattern names, and the shapes control flow is judged by (a guard that only leaves, a
//! loop with no way out).

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt};

pub(super) fn line_of<T: Spanned>(t: &T) -> usize {
    t.span().start().line
}

/// The tokens of a syntax node, as text (to look for type names).
pub(super) fn tokens<T: ToTokens>(t: &T) -> String {
    t.to_token_stream().to_string()
}

/// A short excerpt of a syntax node for a note.
pub(super) fn excerpt<T: ToTokens>(t: &T) -> String {
    crate::import::shorten(&tokens(t).split_whitespace().collect::<Vec<_>>().join(" "), 80)
}

/// The line an expression starts on, read from one of its own tokens (a node's full span would
/// walk all its tokens, which is slow on a deep expression).
pub(super) fn eline(e: &Expr) -> usize {
    match e {
        Expr::MethodCall(m) => m.method.span().start().line,
        Expr::Call(c) => c.paren_token.span.open().start().line,
        Expr::Macro(m) => m.mac.bang_token.span.start().line,
        Expr::ForLoop(f) => f.for_token.span.start().line,
        Expr::While(w) => w.while_token.span.start().line,
        Expr::Loop(l) => l.loop_token.span.start().line,
        Expr::If(i) => i.if_token.span.start().line,
        Expr::Match(m) => m.match_token.span.start().line,
        Expr::Closure(c) => c.or1_token.span.start().line,
        Expr::Assign(a) => a.eq_token.span.start().line,
        Expr::Binary(b) => line_of(&b.op),
        Expr::Paren(p) => p.paren_token.span.open().start().line,
        Expr::Block(b) => b.block.brace_token.span.open().start().line,
        Expr::Return(r) => r.return_token.span.start().line,
        Expr::Unary(u) => line_of(&u.op),
        Expr::Reference(r) => r.and_token.span.start().line,
        Expr::Field(f) => line_of(&f.member),
        Expr::Lit(l) => l.lit.span().start().line,
        Expr::Path(p) => p.path.segments.first().map_or(1, |s| s.ident.span().start().line),
        _ => line_of(e),
    }
}

/// Macros that only report: a block of these and an exit is a guard.
const REPORTING: &[&str] = &[
    "println",
    "eprintln",
    "print",
    "eprint",
    "panic",
    "unreachable",
    "debug",
    "info",
    "warn",
    "error",
    "trace",
    "log",
    "assert",
];

/// Whether a block only leaves (`return`, `break`, `continue`, a panic), reporting at most: the
/// `else` of a guard like `if !found { return false; }`.
pub(super) fn is_guard(stmts: &[Stmt]) -> bool {
    let exits = |e: &Expr| match e {
        Expr::Return(r) => r.expr.as_deref().is_none_or(is_simple),
        Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => {
            let n = m
                .mac
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            n == "panic" || n == "unreachable"
        }
        _ => false,
    };
    let reports = |e: &Expr| match e {
        Expr::Macro(m) => m
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| REPORTING.contains(&s.ident.to_string().as_str())),
        e => is_simple(e),
    };
    let mut left = false;
    for s in stmts {
        match s {
            Stmt::Expr(e, _) if exits(e) => left = true,
            Stmt::Expr(e, _) if reports(e) => {}
            Stmt::Macro(m) => {
                let n = m
                    .mac
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if n == "panic" || n == "unreachable" {
                    left = true;
                } else if !REPORTING.contains(&n.as_str()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    left
}

/// A literal, a name, or a constructor of them (`false`, `None`, `Err(e)`).
pub(super) fn is_simple(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Path(_) => true,
        Expr::Call(c) => c.args.iter().all(is_simple),
        Expr::Reference(r) => is_simple(&r.expr),
        Expr::Tuple(t) => t.elems.iter().all(is_simple),
        _ => false,
    }
}

/// Whether a thread's body loops forever with no way out: a `loop` with no `break` or `return`.
pub(super) fn loops_forever(body: &Expr) -> bool {
    let endless = |l: &syn::ExprLoop| {
        let t = tokens(&l.body);
        !t.contains("break") && !t.contains("return")
    };
    match body {
        Expr::Loop(l) => endless(l),
        Expr::Block(b) => b.block.stmts.iter().any(|s| match s {
            Stmt::Expr(Expr::Loop(l), _) => endless(l),
            _ => false,
        }),
        _ => false,
    }
}

/// The name of a type (`KeyService` in `KeyService`, `Arc<KeyService>`, `AtomicValue<T>`).
pub(super) fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        syn::Type::Reference(r) => type_name(&r.elem),
        _ => String::new(),
    }
}

/// The name a pattern binds first (`k` in `(k, v)`, `entry`, `&k`).
pub(super) fn pat_name(p: &Pat) -> String {
    match p {
        Pat::Ident(i) => i.ident.to_string(),
        Pat::Tuple(t) => t.elems.first().map_or_else(|| "_".into(), pat_name),
        Pat::Reference(r) => pat_name(&r.pat),
        Pat::Type(t) => pat_name(&t.pat),
        _ => "_".into(),
    }
}
