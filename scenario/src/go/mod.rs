//! The Go importer: turns a Go reproducer of the kind bug reports carry (a map or a sync.Map,
//! `go func() { ... }()` blocks, loops, `delete`, `range`) into a scenario, scaled down so it can be
//! explored exhaustively. What it scales it notes; what it cannot translate it reports with its
//! line, in the scenario's notes and in [`GoImport::untranslated`].
//!
//! It reads a practical subset of Go, not the whole language: a tokenizer with Go's semicolon rule,
//! and a recursive-descent reader of statements and expressions that evaluates the program
//! symbolically. Goroutines become threads; operations the main goroutine performs before the first
//! goroutine starts become the initial contents when they are all inserts.

use super::{EngineSpec, Expect, Named, Scenario, Step, DEFAULT_SCHEDULES};
use mapcheck_harness::{DeleteIf, Op};
use std::collections::{BTreeMap, HashMap};

/// Iterations at most of a loop that fills the map before the goroutines start.
const FILL_LOOP_LIMIT: u64 = 10_000;

/// How far a reproducer is scaled down.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Threads at most (goroutines, and the main goroutine when it operates on the map).
    pub threads: usize,
    /// Iterations of a loop at most.
    pub loop_iterations: u64,
    /// Operations per thread at most.
    pub ops_per_thread: usize,
    /// Initial entries at most.
    pub initial: usize,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            threads: 3,
            loop_iterations: 2,
            ops_per_thread: 4,
            initial: 4,
        }
    }
}

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

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Str(String),
    Punct(&'static str),
    Semi,
    Other(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

const PUNCTS: &[&str] = &[
    "<<=", ">>=", "&^=", "...", "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=",
    "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^", "+", "-", "*", "/", "%", "&", "|", "^", "<", ">", "=",
    "!", "(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "~",
];

fn tokenize(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let semi_after = |out: &Vec<Token>| {
        matches!(
            out.last().map(|t| &t.tok),
            Some(
                Tok::Ident(_)
                    | Tok::Int(_)
                    | Tok::Str(_)
                    | Tok::Other(_)
                    | Tok::Punct(")" | "]" | "}" | "++" | "--")
            )
        )
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            if semi_after(&out) {
                out.push(Token { tok: Tok::Semi, line });
            }
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                line,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            let value = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).ok()
            } else if let Some(f) = text.strip_suffix("e5").or_else(|| text.strip_suffix("e6")) {
                // `1e5`-style counts in loops.
                let exp = if text.ends_with("e5") { 100_000 } else { 1_000_000 };
                f.parse::<i64>().ok().map(|m| m * exp)
            } else {
                text.parse::<i64>().ok()
            };
            out.push(Token {
                tok: value.map_or(Tok::Other('#'), Tok::Int),
                line,
            });
        } else if c == '"' || c == '`' || c == '\'' {
            let quote = c;
            i += 1;
            let mut s = String::new();
            while i < chars.len() && chars[i] != quote {
                if chars[i] == '\\' && quote != '`' && i + 1 < chars.len() {
                    i += 1;
                }
                if chars[i] == '\n' {
                    if quote != '`' {
                        break;
                    }
                    line += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(Token {
                tok: Tok::Str(s),
                line,
            });
        } else if let Some(p) = PUNCTS.iter().find(|p| {
            let pc: Vec<char> = p.chars().collect();
            chars[i..].starts_with(&pc)
        }) {
            i += p.chars().count();
            if *p == ";" {
                out.push(Token { tok: Tok::Semi, line });
            } else {
                out.push(Token {
                    tok: Tok::Punct(p),
                    line,
                });
            }
        } else {
            out.push(Token {
                tok: Tok::Other(c),
                line,
            });
            i += 1;
        }
    }
    if semi_after(&out) {
        out.push(Token { tok: Tok::Semi, line });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Syntax

#[derive(Debug, Clone)]
enum Expr {
    Ident(String),
    Int(i64),
    Str(String),
    Call(Box<Expr>, Vec<Expr>),
    Selector(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Unary(&'static str, Box<Expr>),
    FuncLit(Vec<String>, Vec<Stmt>),
    /// `T{...}` with its type's text and its elements (`key: value` or `value`).
    Composite(String, Vec<(Option<Expr>, Expr)>),
    /// A type in expression position (`map[string]int`, `[]byte`, `*T`), as text.
    Type(String),
}

#[derive(Debug, Clone)]
enum Stmt {
    Expr(Expr, usize),
    /// `lhs = rhs`, `lhs := rhs`, `lhs op= rhs`.
    Assign(Vec<Expr>, &'static str, Vec<Expr>, usize),
    IncDec(Expr, &'static str, usize),
    /// `var x T = e` / `var x = e` / `var x T`.
    Var(String, Option<String>, Option<Expr>, usize),
    Go(Expr, usize),
    Defer(Expr, usize),
    Block(Vec<Stmt>),
    If(Option<Box<Stmt>>, Expr, Vec<Stmt>, Option<Box<Stmt>>, usize),
    For(
        Option<Box<Stmt>>,
        Option<Expr>,
        Option<Box<Stmt>>,
        Vec<Stmt>,
        usize,
    ),
    /// `for k, v := range x` (names may be `_` or absent).
    Range(Vec<String>, Expr, Vec<Stmt>, usize),
    Return(Vec<Expr>, usize),
    Break,
    Continue,
    Func(String, Vec<String>, Vec<Stmt>, usize),
    /// Something the reader skipped: its first line and its text.
    Skipped(usize, String),
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    src_lines: Vec<&'a str>,
    /// Nesting guard: a pathological input must not overflow the stack.
    depth: usize,
}

type PResult<T> = Result<T, (usize, String)>;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }
    fn line(&self) -> usize {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map_or(1, |t| t.line)
    }
    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(q)) if q == s)
    }
    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, p: &str) -> PResult<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err((self.line(), format!("expected `{p}`, found {}", self.describe())))
        }
    }
    fn describe(&self) -> String {
        match self.peek() {
            None => "the end of the input".into(),
            Some(Tok::Ident(s)) => format!("`{s}`"),
            Some(Tok::Int(n)) => format!("`{n}`"),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::Punct(p)) => format!("`{p}`"),
            Some(Tok::Semi) => "the end of the line".into(),
            Some(Tok::Other(c)) => format!("`{c}`"),
        }
    }
    fn skip_semis(&mut self) {
        while matches!(self.peek(), Some(Tok::Semi)) {
            self.pos += 1;
        }
    }
    fn ident(&mut self) -> PResult<String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err((self.line(), format!("expected a name, found {}", self.describe()))),
        }
    }

    /// Skips to the end of the current statement (balancing brackets) and returns its text.
    fn skip_statement(&mut self) -> Stmt {
        let line = self.line();
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                Tok::Semi if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        let end = self.toks.get(self.pos.saturating_sub(1)).map_or(line, |t| t.line);
        let start = line.saturating_sub(1).min(self.src_lines.len().saturating_sub(1));
        let text = self.src_lines[start..end.min(self.src_lines.len()).max(start)]
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        Stmt::Skipped(line, text)
    }

    fn file(&mut self) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            self.skip_semis();
            if self.peek().is_none() {
                break;
            }
            if self.is("}") {
                // A stray brace from a fragment cut out of a larger text.
                self.pos += 1;
                continue;
            }
            let before = self.pos;
            out.push(self.statement_or_skip());
            if self.pos == before {
                self.pos += 1;
            }
        }
        out
    }

    fn statement_or_skip(&mut self) -> Stmt {
        let start = self.pos;
        match self.statement() {
            Ok(s) => s,
            Err(_) => {
                self.pos = start;
                self.skip_statement()
            }
        }
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.depth += 1;
        if self.depth > 64 {
            return Err((self.line(), "nesting too deep".into()));
        }
        self.expect("{")?;
        let mut out = Vec::new();
        loop {
            self.skip_semis();
            if self.eat("}") {
                break;
            }
            if self.peek().is_none() {
                return Err((self.line(), "a `{` is never closed".into()));
            }
            let before = self.pos;
            out.push(self.statement_or_skip());
            if self.pos == before {
                self.pos += 1;
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let line = self.line();
        match self.peek() {
            Some(Tok::Ident(k)) => match k.as_str() {
                "package" | "import" | "type" | "const" => {
                    if self.is_ident("import") || self.is_ident("type") || self.is_ident("const") {
                        let kw = k.clone();
                        self.pos += 1;
                        if self.is("(")
                            || (kw == "type"
                                && matches!(self.peek_at(1), Some(Tok::Ident(s)) if s == "struct"))
                        {
                            return Ok(self.skip_statement());
                        }
                    }
                    Ok(self.skip_statement())
                }
                "func" => {
                    self.pos += 1;
                    if self.is("(") {
                        // A method: skip its receiver, keep it as a function named `Type.name`.
                        self.skip_parens()?;
                    }
                    let name = self.ident()?;
                    let params = self.params()?;
                    self.skip_result_type()?;
                    let body = self.block()?;
                    Ok(Stmt::Func(name, params, body, line))
                }
                "var" => {
                    self.pos += 1;
                    let name = self.ident()?;
                    let ty = if self.is("=") {
                        None
                    } else {
                        Some(self.type_text()?)
                    };
                    let init = if self.eat("=") { Some(self.expr()?) } else { None };
                    Ok(Stmt::Var(name, ty, init, line))
                }
                "go" => {
                    self.pos += 1;
                    Ok(Stmt::Go(self.expr()?, line))
                }
                "defer" => {
                    self.pos += 1;
                    Ok(Stmt::Defer(self.expr()?, line))
                }
                "return" => {
                    self.pos += 1;
                    let mut vals = Vec::new();
                    if !matches!(self.peek(), Some(Tok::Semi) | Some(Tok::Punct("}"))) {
                        vals = self.expr_list()?;
                    }
                    Ok(Stmt::Return(vals, line))
                }
                "break" => {
                    self.pos += 1;
                    Ok(Stmt::Break)
                }
                "continue" => {
                    self.pos += 1;
                    Ok(Stmt::Continue)
                }
                "if" => self.if_stmt(),
                "for" => self.for_stmt(),
                _ => self.simple(),
            },
            Some(Tok::Punct("{")) => Ok(Stmt::Block(self.block()?)),
            _ => self.simple(),
        }
    }

    fn skip_parens(&mut self) -> PResult<()> {
        self.skip_balanced("(", ")")
    }

    /// Skips from `open` to its matching `close`, both included.
    fn skip_balanced(&mut self, open: &'static str, close: &'static str) -> PResult<()> {
        self.expect(open)?;
        let mut depth = 1;
        while depth > 0 {
            match self.peek() {
                None => return Err((self.line(), format!("a `{open}` is never closed"))),
                Some(Tok::Punct(p)) if *p == open => depth += 1,
                Some(Tok::Punct(p)) if *p == close => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Parameter names of `(a, b int, c string)`.
    fn params(&mut self) -> PResult<Vec<String>> {
        self.expect("(")?;
        let mut names = Vec::new();
        let mut depth = 0;
        let mut first_in_group = true;
        loop {
            match self.peek() {
                None => return Err((self.line(), "a `(` is never closed".into())),
                Some(Tok::Punct(")")) if depth == 0 => {
                    self.pos += 1;
                    break;
                }
                Some(Tok::Punct("(" | "[" | "{")) => depth += 1,
                Some(Tok::Punct(")" | "]" | "}")) => depth -= 1,
                Some(Tok::Punct(",")) if depth == 0 => first_in_group = true,
                Some(Tok::Ident(s)) if depth == 0 && first_in_group => {
                    names.push(s.clone());
                    first_in_group = false;
                }
                _ => {}
            }
            self.pos += 1;
        }
        Ok(names)
    }

    fn skip_result_type(&mut self) -> PResult<()> {
        if self.is("(") {
            return self.skip_parens();
        }
        if !self.is("{") {
            self.type_text()?;
        }
        Ok(())
    }

    /// A type, as text: `int`, `map[string]int`, `*T`, `[]byte`, `sync.Map`, `interface{}`,
    /// `func(k, v any) bool`, `chan int`.
    fn type_text(&mut self) -> PResult<String> {
        let mut out = String::new();
        loop {
            if self.eat("*") {
                out.push('*');
            } else if self.eat("[") {
                out.push('[');
                while !self.is("]") {
                    match self.peek() {
                        Some(Tok::Int(n)) => out.push_str(&n.to_string()),
                        Some(Tok::Ident(s)) => out.push_str(s),
                        Some(Tok::Punct("...")) => out.push_str("..."),
                        _ => return Err((self.line(), "unexpected token in a type".into())),
                    }
                    self.pos += 1;
                }
                self.pos += 1;
                out.push(']');
            } else if self.is_ident("map") {
                self.pos += 1;
                self.expect("[")?;
                let k = self.type_text()?;
                self.expect("]")?;
                let v = self.type_text()?;
                return Ok(format!("{out}map[{k}]{v}"));
            } else if self.is_ident("chan") {
                self.pos += 1;
                out.push_str("chan ");
            } else if self.is_ident("func") {
                self.pos += 1;
                self.skip_parens()?;
                if !matches!(
                    self.peek(),
                    Some(Tok::Punct("{" | ")" | "," | "]" | "=")) | Some(Tok::Semi)
                ) {
                    self.skip_result_type()?;
                }
                return Ok(format!("{out}func"));
            } else if self.is_ident("interface") || self.is_ident("struct") {
                let kw = self.ident()?;
                self.skip_balanced("{", "}")?;
                return Ok(format!("{out}{kw}{{}}"));
            } else {
                let mut name = self.ident()?;
                if self.is(".") {
                    self.pos += 1;
                    name = format!("{name}.{}", self.ident()?);
                }
                return Ok(format!("{out}{name}"));
            }
        }
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        let line = self.line();
        self.pos += 1;
        let save = self.pos;
        let mut init = None;
        let s = self.simple_no_brace()?;
        let cond = if matches!(self.peek(), Some(Tok::Semi)) {
            self.pos += 1;
            init = Some(Box::new(s));
            self.expr_no_brace()?
        } else {
            match s {
                Stmt::Expr(e, _) => e,
                _ => {
                    self.pos = save;
                    return Err((line, "unsupported if condition".into()));
                }
            }
        };
        let then = self.block()?;
        let els = if self.is_ident("else") {
            self.pos += 1;
            if self.is_ident("if") {
                Some(Box::new(self.if_stmt()?))
            } else {
                Some(Box::new(Stmt::Block(self.block()?)))
            }
        } else {
            None
        };
        Ok(Stmt::If(init, cond, then, els, line))
    }

    fn for_stmt(&mut self) -> PResult<Stmt> {
        let line = self.line();
        self.pos += 1;
        if self.is("{") {
            return Ok(Stmt::For(None, None, None, self.block()?, line));
        }
        // `for range x`, `for k := range x`, `for k, v := range x`, `for k = range x`
        if self.is_ident("range") {
            self.pos += 1;
            let over = self.expr_no_brace()?;
            return Ok(Stmt::Range(Vec::new(), over, self.block()?, line));
        }
        let save = self.pos;
        let mut names = Vec::new();
        while let Some(Tok::Ident(n)) = self.peek() {
            names.push(n.clone());
            self.pos += 1;
            if !self.eat(",") {
                break;
            }
        }
        if (self.eat(":=") || self.eat("=")) && self.is_ident("range") {
            self.pos += 1;
            let over = self.expr_no_brace()?;
            return Ok(Stmt::Range(names, over, self.block()?, line));
        }
        self.pos = save;
        // Three-clause or condition-only.
        let init = if matches!(self.peek(), Some(Tok::Semi)) {
            None
        } else {
            Some(Box::new(self.simple_no_brace()?))
        };
        if self.is("{") {
            let cond = match init.map(|b| *b) {
                Some(Stmt::Expr(e, _)) => Some(e),
                None => None,
                Some(_) => return Err((line, "unsupported for clause".into())),
            };
            return Ok(Stmt::For(None, cond, None, self.block()?, line));
        }
        if !matches!(self.peek(), Some(Tok::Semi)) {
            return Err((line, "unsupported for clause".into()));
        }
        self.pos += 1;
        let cond = if matches!(self.peek(), Some(Tok::Semi)) {
            None
        } else {
            Some(self.expr_no_brace()?)
        };
        if !matches!(self.peek(), Some(Tok::Semi)) {
            return Err((line, "unsupported for clause".into()));
        }
        self.pos += 1;
        let post = if self.is("{") {
            None
        } else {
            Some(Box::new(self.simple_no_brace()?))
        };
        Ok(Stmt::For(init, cond, post, self.block()?, line))
    }

    fn simple(&mut self) -> PResult<Stmt> {
        self.simple_inner(true)
    }
    fn simple_no_brace(&mut self) -> PResult<Stmt> {
        self.simple_inner(false)
    }

    fn simple_inner(&mut self, braces: bool) -> PResult<Stmt> {
        let line = self.line();
        let lhs = self.expr_list_b(braces)?;
        for op in [
            ":=", "=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=",
        ] {
            if self.is(op) {
                self.pos += 1;
                let op: &'static str = PUNCTS.iter().find(|p| **p == op).copied().unwrap_or("=");
                let rhs = self.expr_list_b(braces)?;
                return Ok(Stmt::Assign(lhs, op, rhs, line));
            }
        }
        if self.is("++") || self.is("--") {
            let op = if self.eat("++") {
                "++"
            } else {
                self.pos += 1;
                "--"
            };
            return Ok(Stmt::IncDec(
                lhs.into_iter().next().unwrap_or(Expr::Int(0)),
                op,
                line,
            ));
        }
        if self.is("<-") {
            return Err((line, "channel sends are not translated".into()));
        }
        let mut lhs = lhs;
        if lhs.len() != 1 {
            return Err((line, "expected a statement".into()));
        }
        let e = lhs.remove(0);
        if !matches!(self.peek(), None | Some(Tok::Semi) | Some(Tok::Punct("}" | "{"))) {
            return Err((line, format!("unexpected {}", self.describe())));
        }
        Ok(Stmt::Expr(e, line))
    }

    fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        self.expr_list_b(true)
    }
    fn expr_list_b(&mut self, braces: bool) -> PResult<Vec<Expr>> {
        let mut out = vec![self.expr_b(braces)?];
        while self.eat(",") {
            out.push(self.expr_b(braces)?);
        }
        Ok(out)
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.expr_b(true)
    }
    fn expr_no_brace(&mut self) -> PResult<Expr> {
        self.expr_b(false)
    }

    fn expr_b(&mut self, braces: bool) -> PResult<Expr> {
        self.depth += 1;
        if self.depth > 64 {
            return Err((self.line(), "nesting too deep".into()));
        }
        let r = self.binary(0, braces);
        self.depth -= 1;
        r
    }

    fn binary(&mut self, min: u8, braces: bool) -> PResult<Expr> {
        let mut lhs = self.unary(braces)?;
        while let Some(Tok::Punct(p)) = self.peek() {
            let op: &'static str = p;
            let prec = match op {
                "||" => 1,
                "&&" => 2,
                "==" | "!=" | "<" | "<=" | ">" | ">=" => 3,
                "+" | "-" | "|" | "^" => 4,
                "*" | "/" | "%" | "<<" | ">>" | "&" | "&^" => 5,
                _ => break,
            };
            if prec <= min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec, braces)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self, braces: bool) -> PResult<Expr> {
        for op in ["-", "!", "&", "*", "<-", "^", "+"] {
            if self.is(op) {
                self.pos += 1;
                let op: &'static str = PUNCTS.iter().find(|p| **p == op).copied().unwrap_or("-");
                return Ok(Expr::Unary(op, Box::new(self.unary(braces)?)));
            }
        }
        self.primary(braces)
    }

    fn primary(&mut self, braces: bool) -> PResult<Expr> {
        let line = self.line();
        let mut e = match self.peek().cloned() {
            Some(Tok::Int(n)) => {
                self.pos += 1;
                Expr::Int(n)
            }
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Expr::Str(s)
            }
            Some(Tok::Punct("(")) => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                e
            }
            Some(Tok::Punct("[")) => {
                let t = self.type_text()?;
                if self.is("{") {
                    let elems = self.composite()?;
                    Expr::Composite(t, elems)
                } else {
                    Expr::Type(t)
                }
            }
            Some(Tok::Ident(s)) if s == "func" => {
                self.pos += 1;
                let params = self.params()?;
                if !self.is("{") {
                    self.skip_result_type()?;
                }
                let body = self.block()?;
                Expr::FuncLit(params, body)
            }
            Some(Tok::Ident(s)) if s == "map" || s == "chan" || s == "interface" || s == "struct" => {
                let t = self.type_text()?;
                if self.is("{") {
                    let elems = self.composite()?;
                    Expr::Composite(t, elems)
                } else {
                    Expr::Type(t)
                }
            }
            Some(Tok::Ident(s)) => {
                self.pos += 1;
                Expr::Ident(s)
            }
            _ => return Err((line, format!("expected an expression, found {}", self.describe()))),
        };
        loop {
            if self.eat(".") {
                if self.is("(") {
                    // A type assertion `x.(T)`.
                    self.skip_parens()?;
                    continue;
                }
                let name = self.ident()?;
                e = Expr::Selector(Box::new(e), name);
            } else if self.is("(") {
                self.pos += 1;
                let mut args = Vec::new();
                self.skip_semis();
                while !self.is(")") {
                    let arg = self.expr()?;
                    args.push(arg);
                    self.eat("...");
                    if !self.eat(",") {
                        break;
                    }
                    self.skip_semis();
                }
                self.skip_semis();
                self.expect(")")?;
                e = Expr::Call(Box::new(e), args);
            } else if self.is("[") {
                self.pos += 1;
                let idx = self.expr()?;
                if self.eat(":") && !self.is("]") {
                    self.expr()?;
                }
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(idx));
            } else if braces && self.is("{") && matches!(e, Expr::Ident(_) | Expr::Selector(..)) {
                let name = type_name(&e);
                let elems = self.composite()?;
                e = Expr::Composite(name, elems);
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn composite(&mut self) -> PResult<Vec<(Option<Expr>, Expr)>> {
        self.expect("{")?;
        let mut out = Vec::new();
        loop {
            self.skip_semis();
            if self.eat("}") {
                break;
            }
            if self.is("...") {
                // `T{...}`: fields elided in the report.
                while !self.is("}") {
                    if self.peek().is_none() {
                        return Err((self.line(), "a `{` is never closed".into()));
                    }
                    self.pos += 1;
                }
                continue;
            }
            let first = if self.is("{") {
                Expr::Composite(String::new(), self.composite()?)
            } else {
                self.expr()?
            };
            if self.eat(":") {
                let v = if self.is("{") {
                    Expr::Composite(String::new(), self.composite()?)
                } else {
                    self.expr()?
                };
                out.push((Some(first), v));
            } else {
                out.push((None, first));
            }
            self.skip_semis();
            if !self.eat(",") {
                self.skip_semis();
                self.expect("}")?;
                break;
            }
        }
        Ok(out)
    }
}

fn type_name(e: &Expr) -> String {
    match e {
        Expr::Ident(s) => s.clone(),
        Expr::Selector(x, n) => format!("{}.{n}", type_name(x)),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Symbolic evaluation

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Int(i64),
    Str(String),
    /// A value the importer cannot compute (a pointer, a struct, a call result).
    Opaque,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MapKind {
    Plain,
    SyncMap,
}

/// A thread being built.
#[derive(Debug, Default, Clone)]
struct ThreadOps {
    ops: Vec<Step>,
    line: usize,
}

struct Importer {
    scale: Scale,
    funcs: HashMap<String, (Vec<String>, Vec<Stmt>)>,
    maps: BTreeMap<String, MapKind>,
    /// Keys written as strings, numbered in order of appearance.
    string_keys: BTreeMap<String, u64>,
    next_string_key: u64,
    /// Values the importer could not compute get fresh numbers from here.
    next_opaque: u64,
    initial: Vec<(u64, u64)>,
    /// Threads started with `go`.
    goroutines: Vec<ThreadOps>,
    /// The main goroutine's operations after the first `go`.
    main_after: Vec<Step>,
    started: bool,
    notes: Vec<String>,
    untranslated: Vec<(usize, String)>,
    mutex_lines: Vec<usize>,
    waitgroup_lines: Vec<usize>,
    dropped_ops: BTreeMap<usize, usize>,
    dropped_threads: usize,
    /// The thread currently being filled: `None` is the main goroutine.
    current: Option<usize>,
    depth: usize,
}

enum Flow {
    Normal,
    Break,
    Continue,
    Return,
}

type Env = Vec<HashMap<String, Val>>;

impl Importer {
    fn lookup(env: &Env, name: &str) -> Option<Val> {
        env.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn set(env: &mut Env, name: &str, v: Val) {
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

    fn define(env: &mut Env, name: &str, v: Val) {
        if name != "_" {
            if let Some(top) = env.last_mut() {
                top.insert(name.to_string(), v);
            }
        }
    }

    fn eval(&mut self, e: &Expr, env: &mut Env) -> Val {
        match e {
            Expr::Int(n) => Val::Int(*n),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Ident(n) => Self::lookup(env, n).unwrap_or(match n.as_str() {
                "true" => Val::Int(1),
                "false" => Val::Int(0),
                "nil" => Val::Opaque,
                // A name the input never defines (`key`, `metricKey`): one symbolic key per name.
                _ => Val::Str(format!("<{n}>")),
            }),
            Expr::Unary("-", x) => match self.eval(x, env) {
                Val::Int(n) => Val::Int(n.wrapping_neg()),
                _ => Val::Opaque,
            },
            Expr::Unary("!", x) => match self.eval(x, env) {
                Val::Int(n) => Val::Int((n == 0) as i64),
                _ => Val::Opaque,
            },
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a, env), self.eval(b, env));
                match (a, b) {
                    (Val::Int(a), Val::Int(b)) => Val::Int(match *op {
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
                        _ => return Val::Opaque,
                    }),
                    (Val::Str(a), Val::Str(b)) => match *op {
                        "+" => Val::Str(a + &b),
                        "==" => Val::Int((a == b) as i64),
                        "!=" => Val::Int((a != b) as i64),
                        _ => Val::Opaque,
                    },
                    _ => Val::Opaque,
                }
            }
            Expr::Call(f, args) => {
                let name = type_name(f);
                match name.as_str() {
                    "fmt.Sprintf" | "fmt.Sprint" => {
                        let vals: Vec<Val> = args.iter().map(|a| self.eval(a, env)).collect();
                        sprintf(&name, &vals)
                    }
                    "strconv.Itoa" | "string" | "int" | "int64" | "uint64" => {
                        match args.first().map(|a| self.eval(a, env)) {
                            Some(Val::Int(n)) if name == "strconv.Itoa" => Val::Str(n.to_string()),
                            Some(v) => v,
                            None => Val::Opaque,
                        }
                    }
                    _ => Val::Opaque,
                }
            }
            _ => Val::Opaque,
        }
    }

    fn key(&mut self, v: Val) -> u64 {
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
            Val::Opaque => {
                self.next_opaque += 1;
                1_000_000 + self.next_opaque
            }
        }
    }

    fn value(&mut self, v: Val) -> u64 {
        match v {
            Val::Int(n) => n as u64,
            _ => {
                self.next_opaque += 1;
                1_000_000 + self.next_opaque
            }
        }
    }

    /// Names used as maps without a visible `make` (a fragment cut from a larger program):
    /// assumed to be maps, with a note.
    fn adopt_map(&mut self, e: &Expr, kind: MapKind, line: usize) {
        if self.map_of(e).is_some() {
            return;
        }
        let name = match e {
            Expr::Ident(n) => n.clone(),
            Expr::Selector(..) => type_name(e),
            _ => return,
        };
        if name.is_empty() || name == "_" {
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

    fn map_of(&self, e: &Expr) -> Option<(String, MapKind)> {
        let name = match e {
            Expr::Ident(n) => n.clone(),
            Expr::Selector(_, _) => type_name(e),
            Expr::Unary("&", x) => return self.map_of(x),
            _ => return None,
        };
        // `sm.m` (a map field inside a wrapper) counts as the map `m` when that is known.
        self.maps.get(&name).map(|k| (name.clone(), *k)).or_else(|| {
            let last = name.rsplit('.').next()?;
            self.maps.get(last).map(|k| (last.to_string(), *k))
        })
    }

    fn emit(&mut self, op: Op, spelling: super::Spelling, line: usize) {
        let step = Step { op, spelling };
        match self.current {
            Some(t) => {
                if self.goroutines[t].ops.len() < self.scale.ops_per_thread {
                    self.goroutines[t].ops.push(step);
                } else {
                    *self.dropped_ops.entry(line).or_default() += 1;
                }
            }
            None if !self.started => {
                if let Op::Insert { key, value } = op {
                    if let Some(slot) = self.initial.iter_mut().find(|(k, _)| *k == key) {
                        slot.1 = value;
                    } else {
                        self.initial.push((key, value));
                    }
                } else {
                    // Setup that is not an insert runs as part of the main goroutine's thread.
                    self.main_after.push(step);
                }
            }
            None => {
                if self.main_after.len() < self.scale.ops_per_thread {
                    self.main_after.push(step);
                } else {
                    *self.dropped_ops.entry(line).or_default() += 1;
                }
            }
        }
    }

    /// Records every map operation inside an expression (`len(m)` in a print, `m[k]` in a
    /// condition).
    fn scan_expr(&mut self, e: &Expr, env: &mut Env, line: usize) {
        match e {
            Expr::Call(f, args) => {
                if self.map_call(f, args, env, line) {
                    return;
                }
                for a in args {
                    self.scan_expr(a, env, line);
                }
                if let Expr::FuncLit(params, body) = &**f {
                    // An immediately called literal runs in the current goroutine.
                    self.call_closure(params, body, args, env);
                }
            }
            Expr::Index(m, k) => {
                if let Some((_, MapKind::Plain)) = self.map_of(m) {
                    let key = self.eval(k, env);
                    let key = self.key(key);
                    self.emit(Op::Get { key }, super::Spelling::Get, line);
                } else {
                    self.scan_expr(k, env, line);
                }
            }
            Expr::Binary(_, a, b) => {
                self.scan_expr(a, env, line);
                self.scan_expr(b, env, line);
            }
            Expr::Unary(_, a) | Expr::Selector(a, _) => self.scan_expr(a, env, line),
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
    fn map_call(&mut self, f: &Expr, args: &[Expr], env: &mut Env, line: usize) -> bool {
        use super::Spelling as S;
        match f {
            Expr::Ident(name) if matches!(name.as_str(), "delete" | "len" | "clear") => {
                if name == "delete" && args.len() == 2 {
                    self.adopt_map(&args[0], MapKind::Plain, line);
                }
                let Some(m) = args.first().and_then(|a| self.map_of(a)) else {
                    return false;
                };
                let _ = m;
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
            Expr::Selector(recv, method) => {
                if matches!(
                    method.as_str(),
                    "Store" | "Load" | "Delete" | "LoadAndDelete" | "Range" | "LoadOrStore"
                ) && !matches!(&**recv, Expr::Ident(n) if self.funcs.contains_key(n))
                {
                    self.adopt_map(recv, MapKind::SyncMap, line);
                }
                let Some((_, MapKind::SyncMap)) = self.map_of(recv) else {
                    return false;
                };
                let arg = |me: &mut Self, env: &mut Env, i: usize| {
                    args.get(i).map_or(Val::Opaque, |a| me.eval(a, env))
                };
                match method.as_str() {
                    "Store" | "Swap" | "LoadOrStore" => {
                        let k = arg(self, env, 0);
                        let v = arg(self, env, 1);
                        let (key, value) = (self.key(k), self.value(v));
                        if method != "Store" {
                            self.note_once(format!(
                                "line {line}: `{method}` is imported as store (the scenario format has no {method})"
                            ));
                        }
                        self.emit(Op::Insert { key, value }, S::Store, line);
                    }
                    "Load" => {
                        let k = arg(self, env, 0);
                        let key = self.key(k);
                        self.emit(Op::Get { key }, S::Load, line);
                    }
                    "Delete" => {
                        let k = arg(self, env, 0);
                        let key = self.key(k);
                        self.emit(Op::Remove { key }, S::Delete, line);
                    }
                    "LoadAndDelete" => {
                        let k = arg(self, env, 0);
                        let key = self.key(k);
                        self.emit(Op::Remove { key }, S::LoadAndDelete, line);
                    }
                    "Clear" => self.emit(Op::Clear, S::Clear, line),
                    "Range" => {
                        let delete = match args.first() {
                            Some(Expr::FuncLit(params, body)) => {
                                let params = params.clone();
                                self.range_deletes(&params, body, env, line)
                            }
                            _ => DeleteIf::Nothing,
                        };
                        self.emit(Op::Iterate { delete }, S::Range, line);
                    }
                    other => {
                        self.untranslated
                            .push((line, format!("sync.Map method `{other}` is not translated")));
                    }
                }
                true
            }
            _ => false,
        }
    }

    fn note_once(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Which visited keys the body of a range deletes: `all` when it deletes the visited key
    /// unconditionally; under a condition, the keys of the initial contents for which the condition
    /// holds, as a key, a parity, or (when neither fits) all, with a note.
    fn range_deletes(&mut self, names: &[String], body: &[Stmt], env: &Env, line: usize) -> DeleteIf {
        let Some(kv) = names.first().filter(|k| *k != "_") else {
            return DeleteIf::Nothing;
        };
        let vv = names.get(1).cloned();
        let mut found = DeleteIf::Nothing;
        for s in body {
            match s {
                Stmt::Expr(Expr::Call(f, args), _) if self.is_delete_of(f, args, kv) => return DeleteIf::All,
                Stmt::If(None, cond, then, None, _) => {
                    let deletes = then.iter().any(
                        |s| matches!(s, Stmt::Expr(Expr::Call(f, args), _) if self.is_delete_of(f, args, kv)),
                    );
                    if deletes {
                        found = self.condition(cond, kv, vv.as_deref(), env, line);
                    }
                }
                _ => {}
            }
        }
        found
    }

    fn is_delete_of(&self, f: &Expr, args: &[Expr], kv: &str) -> bool {
        let is_kv = |e: &Expr| matches!(e, Expr::Ident(n) if n == kv);
        match f {
            Expr::Ident(n) if n == "delete" => {
                args.len() == 2 && self.map_of(&args[0]).is_some() && is_kv(&args[1])
            }
            Expr::Selector(recv, m) if m == "Delete" || m == "LoadAndDelete" => {
                self.map_of(recv).is_some() && args.first().is_some_and(is_kv)
            }
            _ => false,
        }
    }

    fn condition(&mut self, cond: &Expr, kv: &str, vv: Option<&str>, env: &Env, line: usize) -> DeleteIf {
        // Evaluate the condition on each initial entry: keys are numbered, so bind the key to its
        // original spelling when it was a string.
        let originals: BTreeMap<u64, String> =
            self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect();
        let entries = self.initial.clone();
        let mut chosen = Vec::new();
        let mut computed = !entries.is_empty();
        for (k, v) in &entries {
            let mut env = env.clone();
            let mut scope = HashMap::new();
            let key_val = originals
                .get(k)
                .map_or(Val::Int(*k as i64), |s| Val::Str(s.clone()));
            scope.insert(kv.to_string(), key_val);
            if let Some(vv) = vv {
                scope.insert(vv.to_string(), Val::Int(*v as i64));
            }
            env.push(scope);
            match self.eval(cond, &mut env) {
                Val::Int(n) => {
                    if n != 0 {
                        chosen.push(*k);
                    }
                }
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

    /// A range over a map whose contents the input never shows: it starts with keys 1 and 2.
    fn assume_contents(&mut self, line: usize) {
        if self.initial.is_empty() && !self.started && self.main_after.is_empty() {
            self.initial.extend([(1, 1), (2, 2)]);
            self.note_once(format!(
                "line {line}: the map's contents are not in the input; it starts with 1:1 and 2:2"
            ));
        }
    }

    /// `for k := range m { go func() { ... delete(m, k) }() }`: the main goroutine iterates while a
    /// goroutine per visited key works on it.
    fn range_spawning(
        &mut self,
        names: &[String],
        over: &Expr,
        body: &[Stmt],
        env: &mut Env,
        line: usize,
        kind: MapKind,
    ) {
        let _ = over;
        self.assume_contents(line);
        let _ = kind;
        let spelling = super::Spelling::Range;
        self.started = true;
        self.emit(
            Op::Iterate {
                delete: DeleteIf::Nothing,
            },
            spelling,
            line,
        );
        let originals: BTreeMap<u64, String> =
            self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect();
        let visited: Vec<(u64, u64)> = self.initial.clone();
        for (k, v) in visited.into_iter().take(self.scale.threads) {
            env.push(HashMap::new());
            if let Some(kv) = names.first() {
                let key_val = originals
                    .get(&k)
                    .map_or(Val::Int(k as i64), |s| Val::Str(s.clone()));
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

    /// Runs a function body: a named function sees the globals, a literal (a closure) sees
    /// everything in scope where it is written.
    fn call_body(&mut self, params: &[String], body: &[Stmt], args: &[Expr], env: &mut Env) {
        self.call(params, body, args, env, false)
    }

    fn call_closure(&mut self, params: &[String], body: &[Stmt], args: &[Expr], env: &mut Env) {
        self.call(params, body, args, env, true)
    }

    fn call(&mut self, params: &[String], body: &[Stmt], args: &[Expr], env: &mut Env, closure: bool) {
        self.depth += 1;
        if self.depth > 16 {
            self.depth -= 1;
            return;
        }
        let mut scope = HashMap::new();
        for (p, a) in params.iter().zip(args) {
            let v = self.eval(a, env);
            scope.insert(p.clone(), v);
        }
        if closure {
            env.push(scope);
            self.block(body, env);
            env.pop();
        } else {
            let mut inner: Env = vec![env.first().cloned().unwrap_or_default(), scope];
            self.block(body, &mut inner);
        }
        self.depth -= 1;
    }

    fn spawn(&mut self, e: &Expr, env: &mut Env, line: usize) {
        let (params, body, args, closure): (Vec<String>, Vec<Stmt>, Vec<Expr>, bool) = match e {
            Expr::Call(f, args) => match &**f {
                Expr::FuncLit(p, b) => (p.clone(), b.clone(), args.clone(), true),
                Expr::Ident(name) => match self.funcs.get(name) {
                    Some((p, b)) => (p.clone(), b.clone(), args.clone(), false),
                    None => {
                        self.untranslated.push((
                            line,
                            format!("`go {name}(...)`: the function is not in the input"),
                        ));
                        return;
                    }
                },
                _ => {
                    self.untranslated
                        .push((line, "this `go` statement is not translated".into()));
                    return;
                }
            },
            _ => {
                self.untranslated
                    .push((line, "this `go` statement is not translated".into()));
                return;
            }
        };
        if self.current.is_some() {
            self.untranslated.push((
                line,
                "a goroutine started by a goroutine runs its operations in the goroutine that started it"
                    .into(),
            ));
            self.call(&params, &body, &args, env, closure);
            return;
        }
        // The main goroutine keeps one thread for itself when it operates on the map later.
        let limit = self.scale.threads;
        if self.goroutines.len() >= limit {
            self.dropped_threads += 1;
            return;
        }
        self.started = true;
        self.goroutines.push(ThreadOps {
            ops: Vec::new(),
            line,
        });
        let saved = self.current.replace(self.goroutines.len() - 1);
        self.call(&params, &body, &args, env, closure);
        self.current = saved;
    }

    fn block(&mut self, stmts: &[Stmt], env: &mut Env) -> Flow {
        for s in stmts {
            match self.stmt(s, env) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    fn stmt(&mut self, s: &Stmt, env: &mut Env) -> Flow {
        match s {
            Stmt::Func(name, params, body, _) => {
                self.funcs.insert(name.clone(), (params.clone(), body.clone()));
            }
            Stmt::Var(name, ty, init, line) => {
                let is_sync = ty.as_deref() == Some("sync.Map") || ty.as_deref() == Some("*sync.Map");
                if is_sync {
                    if !self.maps.is_empty() && !self.maps.contains_key(name) {
                        self.untranslated.push((
                            *line,
                            format!("a second map `{name}`: its operations go to the same scenario map"),
                        ));
                    }
                    self.maps.insert(name.clone(), MapKind::SyncMap);
                } else if ty.as_deref() == Some("sync.Mutex") || ty.as_deref() == Some("sync.RWMutex") {
                    self.mutex_lines.push(*line);
                } else if ty.as_deref() == Some("sync.WaitGroup") {
                    self.waitgroup_lines.push(*line);
                } else if let Some(e) = init {
                    self.assign_one(name, e, env, *line, true);
                } else if ty.as_deref().is_some_and(|t| t.starts_with("map[")) {
                    self.untranslated.push((
                        *line,
                        "a nil map: writes to it panic in Go; the scenario starts from an empty map".into(),
                    ));
                    self.maps.insert(name.clone(), MapKind::Plain);
                } else {
                    Self::define(env, name, Val::Int(0));
                }
            }
            Stmt::Assign(lhs, op, rhs, line) => self.assign(lhs, op, rhs, env, *line),
            Stmt::IncDec(Expr::Ident(n), op, _) => {
                if let Some(Val::Int(v)) = Self::lookup(env, n) {
                    Self::set(env, n, Val::Int(if *op == "++" { v + 1 } else { v - 1 }));
                }
            }
            Stmt::IncDec(e, _, line) => self.scan_expr(e, env, *line),
            Stmt::Expr(e, line) => self.expr_stmt(e, env, *line),
            Stmt::Go(e, line) => self.spawn(e, env, *line),
            Stmt::Defer(e, line) => {
                if !self.sync_call(e, *line) {
                    self.untranslated.push((
                        *line,
                        "`defer` runs at the end of its function; it is run in place".into(),
                    ));
                    self.expr_stmt(e, env, *line);
                }
            }
            Stmt::Block(b) => {
                env.push(HashMap::new());
                let f = self.block(b, env);
                env.pop();
                return f;
            }
            Stmt::If(init, cond, then, els, line) => {
                env.push(HashMap::new());
                if let Some(i) = init {
                    self.stmt(i, env);
                }
                self.scan_expr(cond, env, *line);
                let taken = match self.eval(cond, env) {
                    Val::Int(n) => Some(n != 0),
                    _ => None,
                };
                let flow = match taken {
                    Some(true) => self.block(then, env),
                    Some(false) => match els {
                        Some(e) => self.stmt(e, env),
                        None => Flow::Normal,
                    },
                    None => {
                        // Unknown condition (`if ok`, a comparison with a map read): take the
                        // branch, which holds the operations the report is about.
                        self.note_once(format!(
                            "line {line}: the condition cannot be computed statically; its `then` branch is taken"
                        ));
                        self.block(then, env)
                    }
                };
                env.pop();
                return flow;
            }
            Stmt::For(init, cond, post, body, line) => {
                return self.for_loop(init, cond, post, body, env, *line)
            }
            Stmt::Range(names, over, body, line) => self.range(names, over, body, env, *line),
            Stmt::Return(vals, line) => {
                for v in vals {
                    self.scan_expr(v, env, *line);
                }
                return Flow::Return;
            }
            Stmt::Break => return Flow::Break,
            Stmt::Continue => return Flow::Continue,
            Stmt::Skipped(line, text) => {
                let t = text.trim();
                if t.starts_with("package") || t.starts_with("import") {
                    return Flow::Normal;
                }
                if t.starts_with("type") {
                    self.note_once(format!(
                        "line {line}: type declaration `{}` skipped",
                        abbreviate(t)
                    ));
                    return Flow::Normal;
                }
                self.untranslated
                    .push((*line, format!("not translated: `{}`", abbreviate(t))));
            }
        }
        Flow::Normal
    }

    /// `wg.Add`, `wg.Done`, `wg.Wait`, `mu.Lock` and friends: recognised and noted.
    fn sync_call(&mut self, e: &Expr, line: usize) -> bool {
        if let Expr::Call(f, _) = e {
            if let Expr::Selector(_, m) = &**f {
                match m.as_str() {
                    "Add" | "Done" | "Wait" => {
                        self.waitgroup_lines.push(line);
                        return true;
                    }
                    "Lock" | "Unlock" | "RLock" | "RUnlock" => {
                        self.mutex_lines.push(line);
                        return true;
                    }
                    _ => {}
                }
            }
            let name = type_name(f);
            if matches!(
                name.as_str(),
                "runtime.Gosched"
                    | "time.Sleep"
                    | "runtime.GC"
                    | "fmt.Println"
                    | "fmt.Printf"
                    | "log.Println"
                    | "log.Printf"
                    | "println"
                    | "print"
            ) {
                if name.starts_with("runtime") || name.starts_with("time") {
                    self.note_once(format!(
                        "`{name}` is a scheduling hint in Go; the engines explore the interleavings instead"
                    ));
                }
                return false;
            }
        }
        false
    }

    fn expr_stmt(&mut self, e: &Expr, env: &mut Env, line: usize) {
        if self.sync_call(e, line) {
            return;
        }
        if let Expr::Call(f, args) = e {
            if self.map_call(f, args, env, line) {
                return;
            }
            if let Expr::Ident(name) = &**f {
                if let Some((p, b)) = self.funcs.get(name).cloned() {
                    self.call_body(&p, &b, args, env);
                    return;
                }
            }
            let name = type_name(f);
            let known_noop = matches!(
                name.as_str(),
                "runtime.Gosched"
                    | "time.Sleep"
                    | "runtime.GC"
                    | "fmt.Println"
                    | "fmt.Printf"
                    | "log.Println"
                    | "log.Printf"
                    | "println"
                    | "print"
            );
            let before = self.op_count();
            self.scan_expr(e, env, line);
            if !known_noop && self.op_count() == before {
                self.untranslated.push((
                    line,
                    format!(
                        "call to `{}` is not translated",
                        if name.is_empty() { "?" } else { &name }
                    ),
                ));
            }
            return;
        }
        self.scan_expr(e, env, line);
    }

    fn op_count(&self) -> usize {
        self.goroutines.iter().map(|t| t.ops.len()).sum::<usize>()
            + self.main_after.len()
            + self.initial.len()
            + self.dropped_ops.values().sum::<usize>()
    }

    fn assign_one(&mut self, name: &str, e: &Expr, env: &mut Env, line: usize, define: bool) {
        // A new map: `make(map[K]V[, n])`, a map literal, `&sync.Map{}`, `sync.Map{}`.
        let kind = match e {
            Expr::Call(f, args) if type_name(f) == "make" => match args.first() {
                Some(Expr::Type(t)) if t.starts_with("map[") => Some((MapKind::Plain, None)),
                _ => None,
            },
            Expr::Composite(t, elems) if t.starts_with("map[") => Some((MapKind::Plain, Some(elems))),
            Expr::Composite(t, _) if t == "sync.Map" => Some((MapKind::SyncMap, None)),
            Expr::Unary("&", x) if matches!(&**x, Expr::Composite(t, _) if t == "sync.Map") => {
                Some((MapKind::SyncMap, None))
            }
            Expr::Call(f, _) if type_name(f) == "new" => None,
            _ => None,
        };
        if let Some((kind, elems)) = kind {
            if self.maps.contains_key(name) {
                // Rebuilding a map to give its memory back is the rebuild design's reclamation step.
                self.note_once(format!(
                    "line {line}: replacing `{name}` with a new map is the rebuild structure's reclamation \
                     step: imported as reclaim()"
                ));
                self.emit(Op::Reclaim, super::Spelling::Reclaim, line);
                return;
            }
            if self.maps.len() == 1 && !self.maps.contains_key(name) {
                self.untranslated.push((
                    line,
                    format!("a second map `{name}`: its operations go to the same scenario map"),
                ));
            }
            self.maps.insert(name.to_string(), kind);
            if let Some(elems) = elems {
                for (k, v) in elems {
                    let (Some(k), v) = (k, v) else { continue };
                    let kv = self.eval(k, env);
                    let vv = self.eval(v, env);
                    let (key, value) = (self.key(kv), self.value(vv));
                    self.emit(Op::Insert { key, value }, super::Spelling::Insert, line);
                }
            }
            return;
        }
        self.scan_expr(e, env, line);
        let v = self.eval(e, env);
        if define {
            Self::define(env, name, v);
        } else {
            Self::set(env, name, v);
        }
    }

    fn assign(&mut self, lhs: &[Expr], op: &str, rhs: &[Expr], env: &mut Env, line: usize) {
        let define = op == ":=";
        // `m[k] = v`
        if let ([Expr::Index(m, k)], [v]) = (lhs, rhs) {
            if !matches!(**k, Expr::Int(_)) || self.map_of(m).is_some() {
                self.adopt_map(m, MapKind::Plain, line);
            }
            if let Some((_, MapKind::Plain)) = self.map_of(m) {
                self.scan_expr(v, env, line);
                let kv = self.eval(k, env);
                let key = self.key(kv);
                let value = if op == "=" {
                    let vv = self.eval(v, env);
                    self.value(vv)
                } else {
                    self.note_once(format!(
                        "line {line}: `{op}` on a map entry is imported as a get then an insert"
                    ));
                    self.emit(Op::Get { key }, super::Spelling::Get, line);
                    self.value(Val::Opaque)
                };
                self.emit(Op::Insert { key, value }, super::Spelling::Insert, line);
                return;
            }
        }
        // `v, ok := m[k]`, `v, ok := m.Load(k)`, `x := len(m)`: the read is an operation.
        if rhs.len() == 1 && lhs.len() >= 2 {
            self.scan_expr(&rhs[0], env, line);
            for l in lhs {
                if let Expr::Ident(n) = l {
                    if define {
                        Self::define(env, n, Val::Opaque);
                    } else {
                        Self::set(env, n, Val::Opaque);
                    }
                }
            }
            return;
        }
        for (l, r) in lhs.iter().zip(rhs) {
            match l {
                Expr::Ident(n) if op == ":=" || op == "=" => self.assign_one(n, r, env, line, define),
                Expr::Ident(n) => {
                    self.scan_expr(r, env, line);
                    let cur = Self::lookup(env, n).unwrap_or(Val::Opaque);
                    let rv = self.eval(r, env);
                    let bin: &'static str = match op {
                        "+=" => "+",
                        "-=" => "-",
                        "*=" => "*",
                        _ => "",
                    };
                    let v = match (cur, rv) {
                        (Val::Int(a), Val::Int(b)) if !bin.is_empty() => self.eval(
                            &Expr::Binary(bin, Box::new(Expr::Int(a)), Box::new(Expr::Int(b))),
                            env,
                        ),
                        _ => Val::Opaque,
                    };
                    Self::set(env, n, v);
                }
                Expr::Selector(..) if self.map_of(l).is_none() => {
                    // A field write (`sm.m = make(...)`).
                    let name = type_name(l);
                    let last = name.rsplit('.').next().unwrap_or(&name).to_string();
                    self.assign_one(&last, r, env, line, true);
                }
                _ => self.scan_expr(r, env, line),
            }
        }
    }

    fn for_loop(
        &mut self,
        init: &Option<Box<Stmt>>,
        cond: &Option<Expr>,
        post: &Option<Box<Stmt>>,
        body: &[Stmt],
        env: &mut Env,
        line: usize,
    ) -> Flow {
        env.push(HashMap::new());
        if let Some(i) = init {
            self.stmt(i, env);
        }
        // A loop that fills the map before any goroutine starts runs in full (the initial contents
        // are cut down to the keys the threads use afterwards); a loop that starts goroutines runs
        // once per thread; a loop inside a goroutine runs a few times.
        let spawns = body_has_go(body);
        let cap = if spawns {
            self.scale.threads as u64
        } else if self.current.is_none() && !self.started {
            FILL_LOOP_LIMIT
        } else {
            self.scale.loop_iterations
        };
        let mut n = 0u64;
        let mut would_run = None;
        loop {
            let go_on = match cond {
                None => true,
                Some(c) => matches!(self.eval(c, env), Val::Int(v) if v != 0),
            };
            if !go_on {
                break;
            }
            if n >= cap {
                would_run = Some(self.count_iterations(init, cond, post, env));
                break;
            }
            n += 1;
            env.push(HashMap::new());
            let flow = self.block(body, env);
            env.pop();
            match flow {
                Flow::Break => break,
                Flow::Return => {
                    env.pop();
                    return Flow::Return;
                }
                _ => {}
            }
            match post {
                Some(p) => {
                    self.stmt(p, env);
                }
                None if cond.is_none() => {
                    self.note_once(format!("line {line}: an endless `for` loop runs {cap} times"));
                }
                None => {}
            }
        }
        if let Some(total) = would_run {
            let total = total.map_or("more".to_string(), |t| t.to_string());
            self.note_once(format!(
                "line {line}: a loop of {total} iterations is scaled down to {n}"
            ));
        }
        env.pop();
        Flow::Normal
    }

    /// How many times a counting loop would run in Go (for the note), when it can be computed.
    fn count_iterations(
        &mut self,
        _init: &Option<Box<Stmt>>,
        cond: &Option<Expr>,
        _post: &Option<Box<Stmt>>,
        env: &mut Env,
    ) -> Option<i64> {
        if let Some(Expr::Binary(op, a, b)) = cond {
            if let (Expr::Ident(v), bound) = (&**a, &**b) {
                let start = 0;
                let _ = v;
                if let Val::Int(n) = self.eval(bound, env) {
                    return Some(if *op == "<=" { n - start + 1 } else { n - start });
                }
            }
        }
        None
    }

    fn range(&mut self, names: &[String], over: &Expr, body: &[Stmt], env: &mut Env, line: usize) {
        if names.len() == 2 || body_uses_map_op(body, over) {
            self.adopt_map(over, MapKind::Plain, line);
        }
        if let Some((_, kind)) = self.map_of(over) {
            if body_has_go(body) {
                return self.range_spawning(names, over, body, env, line, kind);
            }
            self.assume_contents(line);
            let delete = self.range_deletes(names, body, env, line);
            let _ = kind;
            let spelling = super::Spelling::Range;
            self.emit(Op::Iterate { delete }, spelling, line);
            // Other operations in the body would run once per visited key; the scenario format
            // runs the iteration as one operation.
            let others = body.iter().any(|s| !matches!(s, Stmt::Expr(Expr::Call(f, args), _) if names.first().is_some_and(|k| self.is_delete_of(f, args, k))) && !matches!(s, Stmt::If(..)));
            if others {
                self.untranslated.push((
                    line,
                    "statements in the range body other than deleting the visited key are not translated"
                        .into(),
                ));
            }
            return;
        }
        // A range over a counted collection (`for _, k := range keys`, `for i := range 10`).
        match over {
            Expr::Int(n) => {
                let n = (*n).max(0) as u64;
                let runs = n.min(self.scale.loop_iterations);
                if runs < n {
                    self.note_once(format!(
                        "line {line}: a loop of {n} iterations is scaled down to {runs}"
                    ));
                }
                for i in 0..runs {
                    env.push(HashMap::new());
                    if let Some(k) = names.first() {
                        Self::define(env, k, Val::Int(i as i64));
                    }
                    let f = self.block(body, env);
                    env.pop();
                    if matches!(f, Flow::Break | Flow::Return) {
                        break;
                    }
                }
            }
            _ => {
                self.untranslated.push((
                    line,
                    "a range over something other than the map is not translated (its body runs once)".into(),
                ));
                env.push(HashMap::new());
                for n in names {
                    Self::define(env, n, Val::Opaque);
                }
                self.block(body, env);
                env.pop();
            }
        }
    }
}

fn body_has_go(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Go(..) => true,
        Stmt::Block(b) | Stmt::For(_, _, _, b, _) | Stmt::Range(_, _, b, _) => body_has_go(b),
        Stmt::If(_, _, then, els, _) => {
            body_has_go(then)
                || els
                    .as_ref()
                    .is_some_and(|e| body_has_go(std::slice::from_ref(&**e)))
        }
        _ => false,
    })
}

/// Whether a range body deletes from or writes to `over` (so `over` is a map).
fn body_uses_map_op(body: &[Stmt], over: &Expr) -> bool {
    let target = type_name(over);
    let is_target = |e: &Expr| !target.is_empty() && type_name(e) == target;
    body.iter().any(|s| match s {
        Stmt::Expr(Expr::Call(f, args), _) => {
            matches!(&**f, Expr::Ident(n) if n == "delete") && args.first().is_some_and(is_target)
        }
        Stmt::If(_, _, then, _, _) => body_uses_map_op(then, over),
        Stmt::Go(Expr::Call(f, _), _) => match &**f {
            Expr::FuncLit(_, b) => body_uses_map_op(b, over),
            _ => false,
        },
        _ => false,
    })
}

fn sprintf(name: &str, vals: &[Val]) -> Val {
    if name == "fmt.Sprint" {
        let mut s = String::new();
        for v in vals {
            match v {
                Val::Int(n) => s.push_str(&n.to_string()),
                Val::Str(t) => s.push_str(t),
                Val::Opaque => return Val::Opaque,
            }
        }
        return Val::Str(s);
    }
    let Some(Val::Str(fmt)) = vals.first() else {
        return Val::Opaque;
    };
    let mut out = String::new();
    let mut args = vals[1..].iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(_) => match args.next() {
                Some(Val::Int(n)) => out.push_str(&n.to_string()),
                Some(Val::Str(s)) => out.push_str(s),
                _ => return Val::Opaque,
            },
            None => out.push('%'),
        }
    }
    Val::Str(out)
}

fn abbreviate(s: &str) -> String {
    let s: String = s.chars().take(80).collect();
    s
}

/// Imports a Go reproducer. `file` names it in the scenario's source.
pub fn import(file: &str, src: &str, scale: Scale) -> Result<GoImport, GoError> {
    let toks = tokenize(src);
    let mut p = Parser {
        toks: &toks,
        pos: 0,
        src_lines: src.lines().collect(),
        depth: 0,
    };
    let stmts = p.file();
    let mut imp = Importer {
        scale,
        funcs: HashMap::new(),
        maps: BTreeMap::new(),
        string_keys: BTreeMap::new(),
        next_string_key: 1,
        next_opaque: 0,
        initial: Vec::new(),
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
    };
    // Declarations first, so calls to functions defined later resolve; then `main`, or the
    // top-level statements of a fragment.
    let mut top = Vec::new();
    for s in &stmts {
        match s {
            Stmt::Func(name, params, body, _) => {
                imp.funcs.insert(name.clone(), (params.clone(), body.clone()));
            }
            Stmt::Var(..) => top.insert(
                top.iter().take_while(|s| matches!(s, Stmt::Var(..))).count(),
                s.clone(),
            ),
            other => top.push(other.clone()),
        }
    }
    let mut env: Env = vec![HashMap::new()];
    imp.block(&top, &mut env);
    if let Some((params, body)) = imp.funcs.get("main").cloned() {
        imp.call_body(&params, &body, &[], &mut env);
    } else {
        // A fragment: run its functions in the order they are written, each as the main goroutine.
        let mut order: Vec<(usize, String)> = stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Func(name, _, _, line) => Some((*line, name.clone())),
                _ => None,
            })
            .collect();
        order.sort();
        for (line, name) in order {
            if let Some((params, body)) = imp.funcs.get(&name).cloned() {
                let before = imp.op_count();
                imp.call_body(&params, &body, &[], &mut env);
                if imp.op_count() > before {
                    imp.notes.push(format!(
                        "line {line}: the input has no main; `{name}` runs as the main goroutine"
                    ));
                }
            }
        }
    }
    if imp.maps.is_empty() {
        return Err(GoError {
            line: 1,
            message: "no map found: expected `make(map[...]...)`, a map literal or a `sync.Map`".into(),
        });
    }
    // The initial contents: the keys the threads use first, then others, at most `scale.initial`.
    let used: std::collections::BTreeSet<u64> = imp
        .goroutines
        .iter()
        .flat_map(|t| t.ops.iter())
        .chain(imp.main_after.iter())
        .filter_map(|s| match s.op {
            Op::Iterate {
                delete: DeleteIf::Key(k),
            } => Some(k),
            op => op.key(),
        })
        .collect();
    let filled = imp.initial.len();
    if filled > scale.initial {
        type Entries = Vec<(u64, u64)>;
        let (mut keep, rest): (Entries, Entries) =
            imp.initial.iter().copied().partition(|(k, _)| used.contains(k));
        keep.truncate(scale.initial);
        keep.extend(rest.into_iter().take(scale.initial.saturating_sub(keep.len())));
        let mut kept: Vec<(u64, u64)> = imp.initial.iter().copied().filter(|e| keep.contains(e)).collect();
        kept.truncate(scale.initial);
        imp.initial = kept;
        imp.notes.push(format!(
            "the initial contents are scaled down from {filled} entries to {} (the keys the threads use first)",
            imp.initial.len()
        ));
    }
    let mut threads: Vec<Vec<Step>> = imp
        .goroutines
        .iter()
        .map(|t| t.ops.clone())
        .filter(|t| !t.is_empty())
        .collect();
    if !imp.main_after.is_empty() {
        if imp.goroutines.is_empty() {
            threads.push(imp.main_after.clone());
        } else if threads.len() >= scale.threads {
            imp.dropped_threads += 1;
        } else {
            threads.push(imp.main_after.clone());
            imp.notes.push(
                "the main goroutine's operations after it started the goroutines run as the last thread \
                 (a scenario has no join point: `wg.Wait()` is not modelled)"
                    .into(),
            );
        }
    }
    if threads.is_empty() {
        return Err(GoError {
            line: imp.goroutines.first().map_or(1, |t| t.line),
            message:
                "no map operation runs concurrently: expected `go func() { ... }()` blocks that use the map"
                    .into(),
        });
    }
    if threads.len() == 1 {
        imp.notes
            .push("only one thread operates on the map: the scenario has no concurrency".into());
    }
    let goroutines = imp.goroutines.len() + imp.dropped_threads;
    if imp.dropped_threads > 0 {
        imp.notes.push(format!(
            "{goroutines} goroutines are scaled down to {} threads",
            threads.len()
        ));
    }
    for (line, n) in &imp.dropped_ops {
        imp.notes.push(format!(
            "line {line}: {n} more operation(s) dropped to keep at most {} per thread and {} initial entries",
            scale.ops_per_thread, scale.initial
        ));
    }
    let in_scenario: std::collections::BTreeSet<u64> = imp
        .initial
        .iter()
        .map(|(k, _)| *k)
        .chain(threads.iter().flatten().filter_map(|s| match s.op {
            Op::Iterate {
                delete: DeleteIf::Key(k),
            } => Some(k),
            op => op.key(),
        }))
        .collect();
    let mapping: Vec<String> = imp
        .string_keys
        .iter()
        .filter(|(_, k)| in_scenario.contains(k))
        .map(|(s, k)| format!("{s:?} = {k}"))
        .collect();
    if !mapping.is_empty() {
        imp.notes
            .push(format!("string keys are numbered: {}", mapping.join(", ")));
    }
    if imp.next_opaque > 0 {
        imp.notes.push(format!(
            "{} value(s) the importer could not compute (pointers, structs, slices) are numbered from 1000001",
            imp.next_opaque
        ));
    }
    let kinds: Vec<MapKind> = imp.maps.values().copied().collect();
    let sync_map = kinds.contains(&MapKind::SyncMap);
    let plain = kinds.contains(&MapKind::Plain);
    let locked = !imp.mutex_lines.is_empty();
    if locked {
        imp.mutex_lines.sort_unstable();
        imp.mutex_lines.dedup();
        imp.notes.push(format!(
            "a mutex guards the map (lines {}): the structures under test bring their own synchronisation; \
             `locked` is the RWMutex design",
            join_lines(&imp.mutex_lines)
        ));
    }
    if !imp.waitgroup_lines.is_empty() {
        imp.waitgroup_lines.sort_unstable();
        imp.waitgroup_lines.dedup();
        imp.notes.push(format!(
            "a WaitGroup (lines {}) starts and joins the goroutines: threads start together and are joined at the end",
            join_lines(&imp.waitgroup_lines)
        ));
    }
    let mut seen_lines = std::collections::BTreeSet::new();
    imp.untranslated.retain(|(line, _)| seen_lines.insert(*line));
    for (line, why) in &imp.untranslated {
        imp.notes.push(format!("line {line}: {why}"));
    }
    let (structures, expect) = hazards(&threads, &imp.initial, plain && !locked, sync_map, &mut imp.notes);
    let name = std::path::Path::new(file.split(':').next().unwrap_or(file))
        .file_stem()
        .map(|s| s.to_string_lossy().replace('_', "-"))
        .unwrap_or_else(|| "go-import".into());
    let scenario = Scenario {
        name,
        source: format!("Go reproducer {file}"),
        description: None,
        initial: imp.initial,
        threads,
        structures,
        engines: vec![
            EngineSpec::Loom { bound: 2 },
            EngineSpec::ShuttlePct { depth: 3 },
            EngineSpec::ShuttleRandom,
        ],
        seed: 42,
        schedules: DEFAULT_SCHEDULES,
        expect,
        pinned: None,
        notes: imp.notes,
        origin: super::Origin::new(file, ""),
    };
    Ok(GoImport {
        scenario,
        untranslated: imp.untranslated,
    })
}

/// The structures a reproducer applies to and what each must show: every correct structure must
/// pass, and each hazard the script exercises names the structure that has it.
fn hazards(
    threads: &[Vec<Step>],
    initial: &[(u64, u64)],
    unlocked_plain_map: bool,
    sync_map: bool,
    notes: &mut Vec<String>,
) -> (Vec<Named>, Vec<(Named, Expect)>) {
    use mapcheck_harness::Oracle;
    let mut expect: Vec<(Named, Expect)> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    let mut hazard = |name: &str, oracles: &[Oracle], why: &str| -> String {
        expect.push((Named::new(name), Expect::Fail(oracles.iter().copied().collect())));
        format!("hazard: {why}; expected to fail on `{name}`")
    };
    let writes = |t: &Vec<Step>| {
        t.iter()
            .any(|s| matches!(s.op, Op::Insert { .. } | Op::Remove { .. } | Op::Clear))
    };
    let writers = threads.iter().filter(|t| writes(t)).count();
    // Go's delete returns early on an empty map, so an empty map nobody inserts into cannot crash.
    let ever_filled = !initial.is_empty()
        || threads
            .iter()
            .flatten()
            .any(|s| matches!(s.op, Op::Insert { .. }));
    if unlocked_plain_map && writers >= 1 && threads.len() >= 2 && !ever_filled {
        found.push(
            "the map is empty and nothing inserts: Go's delete returns early on an empty map, so only \
             the race detector would flag this"
                .into(),
        );
    }
    if unlocked_plain_map && writers >= 1 && threads.len() >= 2 && ever_filled {
        found.push(hazard(
            "gomap",
            &[Oracle::Panic, Oracle::DataRace],
            "an unlocked Go map written while another goroutine uses it (\"concurrent map writes\")",
        ));
    }
    let iterate_deleting = threads
        .iter()
        .flatten()
        .any(|s| matches!(s.op, Op::Iterate { delete } if delete != DeleteIf::Nothing));
    if iterate_deleting {
        found.push(hazard(
            "locked-iterlock",
            &[Oracle::Deadlock],
            "deleting while a range holds the read lock",
        ));
    }
    let present: std::collections::BTreeSet<u64> = initial.iter().map(|(k, _)| *k).collect();
    let removers = |k: u64| {
        threads
            .iter()
            .filter(|t| t.iter().any(|s| s.op == Op::Remove { key: k }))
            .count()
    };
    if present.iter().any(|&k| removers(k) >= 2) {
        found.push(hazard(
            "locked-racy-remove",
            &[
                Oracle::ExactlyOnceDelete,
                Oracle::Linearizability,
                Oracle::LostDelete,
            ],
            "two goroutines delete the same present key",
        ));
    }
    let _ = sync_map;
    notes.extend(found);
    let mut structures = vec![Named::new("correct")];
    structures.extend(expect.iter().map(|(n, _)| n.clone()));
    (structures, expect)
}

fn join_lines(lines: &[usize]) -> String {
    let v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    v.join(", ")
}

#[cfg(test)]
mod tests;
