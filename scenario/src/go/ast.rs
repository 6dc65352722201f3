//! The Go syntax the evaluator works on: the statements and expressions reproducers use, lowered
//! from tree-sitter's concrete syntax tree by `syntax.rs`. Types stay as their source text.

/// An expression. Types in expression position (`make(map[string]int)`) are [`Expr::Type`].
#[derive(Debug, Clone)]
pub(super) enum Expr {
    Ident(String),
    Int(i64),
    Str(String),
    Call(Box<Expr>, Vec<Expr>),
    Selector(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Binary(String, Box<Expr>, Box<Expr>),
    Unary(String, Box<Expr>),
    /// A function literal: its parameter names and body.
    FuncLit(Vec<String>, Vec<Stmt>),
    /// `T{...}` with its type's text and its elements (`key: value` or `value`).
    Composite(String, Vec<(Option<Expr>, Expr)>),
    /// A type in expression position, as text.
    Type(String),
    /// Something the lowering does not model (a slice expression, a channel receive).
    Opaque,
    /// An expression the lowering does not model (a slice expression, a generic instantiation):
    /// its line and text, noted where it is used.
    Unknown(usize, String),
}

/// A statement, with its 1-based line where the evaluator reports on it.
#[derive(Debug, Clone)]
pub(super) enum Stmt {
    Expr(Expr, usize),
    /// `lhs = rhs`, `lhs := rhs`, `lhs op= rhs`.
    Assign(Vec<Expr>, String, Vec<Expr>, usize),
    IncDec(Expr, &'static str, usize),
    /// `var x T = e` / `var x = e` / `var x T`.
    Var(String, Option<String>, Option<Expr>, usize),
    Go(Expr, usize),
    Defer(Expr, usize),
    Block(Vec<Stmt>),
    If(If),
    For(For),
    /// `for k, v := range x` (names may be `_` or absent).
    Range(Vec<String>, Expr, Vec<Stmt>, usize),
    Return(Vec<Expr>, usize),
    Break,
    Continue,
    /// A declaration of a function or a method.
    Func(Func),
    /// `type Name struct { ... }` or `type Name T`.
    Type(TypeDecl),
    /// Something the importer does not translate: its line and its text (shortened).
    Skipped(usize, String),
    /// `select { case ...: ... }`: each case's communication (as text; empty for `default`) and
    /// body.
    Select(Vec<(String, Vec<Stmt>)>, usize),
    /// `ch <- v`.
    Send(Expr, Expr, usize),
    Switch(Switch),
    /// A line of text that is not Go (prose between snippets of a report).
    NotGo(usize, String),
}

#[derive(Debug, Clone)]
pub(super) struct If {
    pub init: Option<Box<Stmt>>,
    pub cond: Expr,
    pub then: Vec<Stmt>,
    pub els: Option<Box<Stmt>>,
    pub line: usize,
}

/// `switch init; tag { case values: body ... }`; a case with no values is `default`; a switch
/// with no tag compares each case's value with `true`.
#[derive(Debug, Clone)]
pub(super) struct Switch {
    pub init: Option<Box<Stmt>>,
    pub tag: Option<Expr>,
    pub cases: Vec<(Vec<Expr>, Vec<Stmt>)>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub(super) struct For {
    pub init: Option<Box<Stmt>>,
    pub cond: Option<Expr>,
    pub post: Option<Box<Stmt>>,
    pub body: Vec<Stmt>,
    pub line: usize,
}

/// A function or method declaration.
#[derive(Debug, Clone)]
pub(super) struct Func {
    pub name: String,
    /// A method's receiver: its name (may be empty) and its type name without `*`.
    pub recv: Option<(String, String)>,
    pub params: Vec<String>,
    pub body: Vec<Stmt>,
    pub line: usize,
}

/// A type declaration: a struct's fields (name and type text), or another type's text.
#[derive(Debug, Clone)]
pub(super) struct TypeDecl {
    pub name: String,
    pub fields: Vec<(String, String)>,
    /// The underlying type's text when it is not a struct.
    pub alias: Option<String>,
}

/// A function literal as a function.
pub(super) fn literal(params: &[String], body: &[Stmt], line: usize) -> Func {
    Func {
        name: "func literal".into(),
        recv: None,
        params: params.to_vec(),
        body: body.to_vec(),
        line,
    }
}

/// The dotted name of an identifier or selector chain (`a.b.c`), or empty.
pub(super) fn dotted(e: &Expr) -> String {
    match e {
        Expr::Ident(s) => s.clone(),
        Expr::Selector(x, n) => {
            let base = dotted(x);
            if base.is_empty() {
                String::new()
            } else {
                format!("{base}.{n}")
            }
        }
        _ => String::new(),
    }
}

/// Whether a statement list starts a goroutine anywhere inside (not in nested function literals
/// that are only defined).
pub(super) fn has_go(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Go(..) => true,
        Stmt::Block(b) | Stmt::Range(_, _, b, _) => has_go(b),
        Stmt::For(f) => has_go(&f.body),
        Stmt::If(i) => has_go(&i.then) || i.els.as_ref().is_some_and(|e| has_go(std::slice::from_ref(&**e))),
        Stmt::Select(cases, _) => cases.iter().any(|(_, b)| has_go(b)),
        Stmt::Switch(sw) => sw.cases.iter().any(|(_, b)| has_go(b)),
        _ => false,
    })
}

/// Calls that only report: they change nothing the scenario models.
pub(super) const REPORTING: &[&str] = &[
    "fmt.Println",
    "fmt.Printf",
    "fmt.Print",
    "log.Println",
    "log.Printf",
    "log.Print",
    "println",
    "print",
    "t.Log",
    "t.Logf",
    "t.Error",
    "t.Errorf",
];

/// Whether a block only leaves (`return` of plain values, `break`, `continue`, `panic`), reporting
/// at most: the body of a guard like `if !ok { return false }`.
pub(super) fn is_guard(body: &[Stmt]) -> bool {
    let plain = |e: &Expr| matches!(e, Expr::Int(_) | Expr::Str(_) | Expr::Ident(_) | Expr::Opaque);
    let mut leaves = false;
    for s in body {
        match s {
            Stmt::Return(vals, _) if vals.iter().all(plain) => leaves = true,
            Stmt::Break | Stmt::Continue => leaves = true,
            Stmt::Expr(Expr::Call(f, _), _)
                if matches!(
                    dotted(f).as_str(),
                    "panic" | "log.Fatal" | "log.Fatalf" | "t.Fatal" | "t.Fatalf"
                ) =>
            {
                leaves = true
            }
            Stmt::Expr(Expr::Call(f, _), _) if REPORTING.contains(&dotted(f).as_str()) => {}
            _ => return false,
        }
    }
    leaves
}

/// Whether a `select` case waits for a stop signal (a cancelled context, a closed stop channel).
pub(super) fn is_stop_case(comm: &str) -> bool {
    let c = comm.to_ascii_lowercase();
    [
        "done()", "stop", "quit", "exit", "close", "cancel", "shutdown", "ctx.",
    ]
    .iter()
    .any(|w| c.contains(w))
}

/// Whether a goroutine's body loops forever with no way out: an endless `for` with no `return`
/// or `break` inside and no `select` case waiting for a stop signal.
pub(super) fn loops_forever(body: &[Stmt]) -> bool {
    fn exits(body: &[Stmt]) -> bool {
        body.iter().any(|s| match s {
            Stmt::Return(..) | Stmt::Break => true,
            Stmt::Select(cases, _) => cases.iter().any(|(c, b)| is_stop_case(c) || exits(b)),
            Stmt::If(i) => {
                exits(&i.then) || i.els.as_ref().is_some_and(|e| exits(std::slice::from_ref(&**e)))
            }
            Stmt::Block(b) => exits(b),
            _ => false,
        })
    }
    body.iter().any(|s| match s {
        Stmt::For(f) if f.cond.is_none() && f.init.is_none() => !exits(&f.body),
        Stmt::Range(_, Expr::Selector(_, c), b, _) if c == "C" => !exits(b),
        _ => false,
    })
}

/// The element type of a slice, array or map type's text (`[]*shard` is `shard`).
pub(super) fn elem_type(ty: &str) -> Option<&str> {
    let t = ty.trim_start_matches('*');
    let rest = if let Some(r) = t.strip_prefix("map[") {
        // `map[K]V`: the value type, after the key's closing bracket.
        let mut depth = 1;
        let end = r.char_indices().find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        })?;
        &r[end + 1..]
    } else {
        let r = t.strip_prefix('[')?;
        &r[r.find(']')? + 1..]
    };
    Some(rest.trim_start_matches('*'))
}
