//! Reads Go with tree-sitter's Go grammar (which also accepts the statements of a fragment at the
//! top level) and lowers its concrete syntax tree to the evaluator's [`Stmt`] and [`Expr`]. Text
//! the grammar cannot read (prose between the snippets of a report) becomes [`Stmt::NotGo`] with
//! its line; Go the evaluator does not model becomes [`Stmt::Skipped`].

use super::ast::{Expr, For, Func, If, Stmt, TypeDecl};
use tree_sitter::{Node, Parser};

/// Nesting deeper than this is not lowered (a pathological input must not exhaust the stack).
const MAX_DEPTH: usize = 200;

thread_local! {
    /// One parser per thread, reused: a parser keeps its allocations between parses.
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// The statements and declarations of a Go file or fragment, in source order.
pub(super) fn parse(src: &str) -> Vec<Stmt> {
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(src, None)
    });
    let Some(tree) = tree else {
        return Vec::new();
    };
    let mut l = Lower {
        src: src.as_bytes(),
        depth: 0,
    };
    l.statements(tree.root_node())
}

/// A short excerpt of some source text for a note: one line, at most 80 characters.
pub(crate) fn excerpt(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 80 {
        one_line
    } else {
        let cut: String = one_line.chars().take(77).collect();
        format!("{cut}...")
    }
}

struct Lower<'a> {
    src: &'a [u8],
    depth: usize,
}

fn line(n: Node) -> usize {
    n.start_position().row + 1
}

impl Lower<'_> {
    fn text(&self, n: Node) -> &str {
        n.utf8_text(self.src).unwrap_or("")
    }

    fn named_children<'t>(&self, n: Node<'t>) -> Vec<Node<'t>> {
        let mut c = n.walk();
        n.named_children(&mut c)
            .filter(|c| c.kind() != "comment")
            .collect()
    }

    /// The statements under a `source_file`, `block` or `statement_list`.
    fn statements(&mut self, n: Node) -> Vec<Stmt> {
        let mut out = Vec::new();
        for c in self.named_children(n) {
            match c.kind() {
                "statement_list" => out.extend(self.statements(c)),
                "package_clause" | "import_declaration" | "empty_statement" => {}
                _ => out.extend(self.stmt(c)),
            }
        }
        out
    }

    fn block(&mut self, n: Option<Node>) -> Vec<Stmt> {
        n.map_or_else(Vec::new, |b| self.nested(|l| l.statements(b)))
    }

    fn nested<T: Default>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        if self.depth >= MAX_DEPTH {
            return T::default();
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn skipped(&self, n: Node) -> Stmt {
        Stmt::Skipped(line(n), super::syntax::excerpt(self.text(n)))
    }

    /// One statement or declaration; several for a grouped `var (...)`.
    fn stmt(&mut self, n: Node) -> Vec<Stmt> {
        let l = line(n);
        let field = |f: &str| n.child_by_field_name(f);
        let one = match n.kind() {
            "ERROR" => {
                // Statements the grammar recovered inside the error are kept; the rest is text.
                let inner: Vec<Node> = self
                    .named_children(n)
                    .into_iter()
                    .filter(|c| c.kind().ends_with("_statement") || c.kind().ends_with("_declaration"))
                    .collect();
                if inner.is_empty() {
                    return vec![Stmt::NotGo(l, excerpt(self.text(n)))];
                }
                let mut out = vec![Stmt::NotGo(l, excerpt(self.text(n)))];
                for c in inner {
                    out.extend(self.stmt(c));
                }
                return out;
            }
            "expression_statement" => match self.named_children(n).first() {
                Some(e) => Stmt::Expr(self.expr(*e), l),
                None => return Vec::new(),
            },
            "assignment_statement" => {
                let op = field("operator").map_or("=".to_string(), |o| self.text(o).to_string());
                Stmt::Assign(self.exprs(field("left")), op, self.exprs(field("right")), l)
            }
            "short_var_declaration" => Stmt::Assign(
                self.exprs(field("left")),
                ":=".into(),
                self.exprs(field("right")),
                l,
            ),
            "inc_statement" | "dec_statement" => {
                let op = if n.kind() == "inc_statement" { "++" } else { "--" };
                match self.named_children(n).first() {
                    Some(e) => Stmt::IncDec(self.expr(*e), op, l),
                    None => return Vec::new(),
                }
            }
            "go_statement" | "defer_statement" => {
                let e = self
                    .named_children(n)
                    .first()
                    .map_or(Expr::Opaque, |e| self.expr(*e));
                if n.kind() == "go_statement" {
                    Stmt::Go(e, l)
                } else {
                    Stmt::Defer(e, l)
                }
            }
            "block" => Stmt::Block(self.block(Some(n))),
            "send_statement" => {
                let ch = field("channel").map_or(Expr::Opaque, |c| self.expr(c));
                let v = field("value").map_or(Expr::Opaque, |v| self.expr(v));
                Stmt::Send(ch, v, l)
            }
            "if_statement" => self.if_stmt(n),
            "for_statement" => self.for_stmt(n),
            "return_statement" => Stmt::Return(
                self.named_children(n)
                    .first()
                    .map_or_else(Vec::new, |e| self.exprs(Some(*e))),
                l,
            ),
            "break_statement" => Stmt::Break,
            "continue_statement" => Stmt::Continue,
            "labeled_statement" => {
                return self
                    .named_children(n)
                    .into_iter()
                    .filter(|c| c.kind() != "label_name")
                    .flat_map(|c| self.stmt(c))
                    .collect()
            }
            "var_declaration" | "const_declaration" => return self.var_decl(n),
            "function_declaration" | "method_declaration" => self.func(n),
            "type_declaration" => return self.type_decl(n),
            "expression_switch_statement" | "type_switch_statement" => return vec![self.switch(n)],
            "select_statement" => {
                let mut cases = Vec::new();
                for c in self.named_children(n) {
                    let comm = c
                        .child_by_field_name("communication")
                        .map_or(String::new(), |m| excerpt(self.text(m)));
                    // The communication (`v, ok := <-ch`, `ch <- v`) runs first, then the body.
                    let body: Vec<Stmt> = self.nested(|l| {
                        let mut out = Vec::new();
                        if let Some(m) = c.child_by_field_name("communication") {
                            out.extend(l.communication(m));
                        }
                        out.extend(
                            l.named_children(c)
                                .into_iter()
                                .filter(|s| Some(*s) != c.child_by_field_name("communication"))
                                .flat_map(|s| {
                                    if s.kind() == "statement_list" {
                                        l.statements(s)
                                    } else {
                                        l.stmt(s)
                                    }
                                }),
                        );
                        out
                    });
                    cases.push((comm, body));
                }
                Stmt::Select(cases, l)
            }
            _ => self.skipped(n),
        };
        vec![one]
    }

    /// `switch tag { case a, b: ... default: ... }` (a type switch's cases are choices).
    fn switch(&mut self, n: Node) -> Stmt {
        let l = line(n);
        let init = n
            .child_by_field_name("initializer")
            .and_then(|i| self.stmt(i).into_iter().next())
            .map(Box::new);
        let tag = if n.kind() == "expression_switch_statement" {
            n.child_by_field_name("value").map(|v| self.expr(v))
        } else {
            Some(Expr::Opaque)
        };
        let mut cases = Vec::new();
        for c in self.named_children(n) {
            let (values, skip) = match c.kind() {
                "expression_case" => {
                    let v = c.child_by_field_name("value");
                    (self.exprs(v), v)
                }
                // A type case matches a value the importer does not know.
                "type_case" => (vec![Expr::Opaque], c.child_by_field_name("type")),
                "default_case" => (Vec::new(), None),
                _ => continue,
            };
            let body: Vec<Stmt> = self.nested(|me| {
                me.named_children(c)
                    .into_iter()
                    .filter(|s| {
                        Some(*s) != skip
                            && !matches!(s.kind(), "type_identifier" | "qualified_type" | "pointer_type")
                    })
                    .flat_map(|s| {
                        if s.kind() == "statement_list" {
                            me.statements(s)
                        } else {
                            me.stmt(s)
                        }
                    })
                    .collect()
            });
            cases.push((values, body));
        }
        Stmt::Switch(super::ast::Switch {
            init,
            tag,
            cases,
            line: l,
        })
    }

    /// A `select` case's communication as a statement: a receive assigned or not, or a send.
    fn communication(&mut self, m: Node) -> Vec<Stmt> {
        let l = line(m);
        match m.kind() {
            "receive_statement" => {
                let right = m
                    .child_by_field_name("right")
                    .map_or(Expr::Opaque, |r| self.expr(r));
                match m.child_by_field_name("left") {
                    Some(left) => {
                        let op = if self.text(m).contains(":=") { ":=" } else { "=" };
                        vec![Stmt::Assign(self.exprs(Some(left)), op.into(), vec![right], l)]
                    }
                    None => vec![Stmt::Expr(right, l)],
                }
            }
            "send_statement" => self.stmt(m),
            _ => {
                // A bare receive (`case <-done:`) is an expression.
                vec![Stmt::Expr(self.expr(m), l)]
            }
        }
    }

    fn if_stmt(&mut self, n: Node) -> Stmt {
        let init = n
            .child_by_field_name("initializer")
            .and_then(|i| self.stmt(i).into_iter().next())
            .map(Box::new);
        let cond = n
            .child_by_field_name("condition")
            .map_or(Expr::Opaque, |c| self.expr(c));
        let then = self.block(n.child_by_field_name("consequence"));
        let els = n.child_by_field_name("alternative").map(|a| {
            Box::new(if a.kind() == "if_statement" {
                self.nested(|l| Some(l.if_stmt(a)))
                    .unwrap_or(Stmt::Block(Vec::new()))
            } else {
                Stmt::Block(self.block(Some(a)))
            })
        });
        Stmt::If(If {
            init,
            cond,
            then,
            els,
            line: line(n),
        })
    }

    fn for_stmt(&mut self, n: Node) -> Stmt {
        let l = line(n);
        let body = self.block(n.child_by_field_name("body"));
        let head = self
            .named_children(n)
            .into_iter()
            .find(|c| Some(*c) != n.child_by_field_name("body"));
        match head {
            None => Stmt::For(For {
                init: None,
                cond: None,
                post: None,
                body,
                line: l,
            }),
            Some(h) if h.kind() == "range_clause" => {
                let names = h
                    .child_by_field_name("left")
                    .map(|left| {
                        self.named_children(left)
                            .into_iter()
                            .map(|c| self.text(c).to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let over = h
                    .child_by_field_name("right")
                    .map_or(Expr::Opaque, |r| self.expr(r));
                Stmt::Range(names, over, body, l)
            }
            Some(h) if h.kind() == "for_clause" => {
                let part = |me: &mut Self, f: &str| {
                    h.child_by_field_name(f)
                        .and_then(|s| me.stmt(s).into_iter().next())
                        .map(Box::new)
                };
                let init = part(self, "initializer");
                let post = part(self, "update");
                let cond = h.child_by_field_name("condition").map(|c| self.expr(c));
                Stmt::For(For {
                    init,
                    cond,
                    post,
                    body,
                    line: l,
                })
            }
            Some(c) => Stmt::For(For {
                init: None,
                cond: Some(self.expr(c)),
                post: None,
                body,
                line: l,
            }),
        }
    }

    fn var_decl(&mut self, n: Node) -> Vec<Stmt> {
        let mut out = Vec::new();
        let mut specs = Vec::new();
        for c in self.named_children(n) {
            match c.kind() {
                "var_spec" | "const_spec" => specs.push(c),
                "var_spec_list" | "const_spec_list" => specs.extend(
                    self.named_children(c)
                        .into_iter()
                        .filter(|s| s.kind().ends_with("_spec")),
                ),
                _ => {}
            }
        }
        for spec in specs {
            let mut cur = spec.walk();
            let names: Vec<String> = spec
                .children_by_field_name("name", &mut cur)
                .map(|c| self.text(c).to_string())
                .collect();
            let ty = spec
                .child_by_field_name("type")
                .map(|t| self.text(t).split_whitespace().collect::<String>());
            let values = self.exprs(spec.child_by_field_name("value"));
            for (i, name) in names.into_iter().enumerate() {
                out.push(Stmt::Var(name, ty.clone(), values.get(i).cloned(), line(spec)));
            }
        }
        out
    }

    fn params(&self, list: Option<Node>) -> Vec<String> {
        let Some(list) = list else { return Vec::new() };
        let mut out = Vec::new();
        for p in self.named_children(list) {
            let mut cur = p.walk();
            let names: Vec<String> = p
                .children_by_field_name("name", &mut cur)
                .map(|c| self.text(c).to_string())
                .collect();
            if names.is_empty() {
                out.push("_".to_string());
            }
            out.extend(names);
        }
        out
    }

    fn func(&mut self, n: Node) -> Stmt {
        let recv = n.child_by_field_name("receiver").and_then(|r| {
            let p = self.named_children(r).into_iter().next()?;
            let name = p
                .child_by_field_name("name")
                .map_or(String::new(), |c| self.text(c).to_string());
            let ty = p.child_by_field_name("type").map(|t| self.text(t))?;
            let ty = ty.trim_start_matches('*');
            let ty = ty.split('[').next().unwrap_or(ty).trim().to_string();
            Some((name, ty))
        });
        Stmt::Func(Func {
            name: n
                .child_by_field_name("name")
                .map_or(String::new(), |c| self.text(c).to_string()),
            recv,
            params: self.params(n.child_by_field_name("parameters")),
            body: self.block(n.child_by_field_name("body")),
            line: line(n),
        })
    }

    fn type_decl(&mut self, n: Node) -> Vec<Stmt> {
        let mut out = Vec::new();
        for spec in self.named_children(n) {
            if !matches!(spec.kind(), "type_spec" | "type_alias") {
                continue;
            }
            let name = spec
                .child_by_field_name("name")
                .map_or(String::new(), |c| self.text(c).to_string());
            let Some(ty) = spec.child_by_field_name("type") else {
                continue;
            };
            let mut fields = Vec::new();
            let mut alias = None;
            if ty.kind() == "struct_type" {
                for list in self.named_children(ty) {
                    for f in self.named_children(list) {
                        if f.kind() != "field_declaration" {
                            continue;
                        }
                        let Some(t) = f.child_by_field_name("type") else {
                            continue;
                        };
                        let t = self.text(t).split_whitespace().collect::<String>();
                        let mut cur = f.walk();
                        let names: Vec<String> = f
                            .children_by_field_name("name", &mut cur)
                            .map(|c| self.text(c).to_string())
                            .collect();
                        if names.is_empty() {
                            // An embedded field is named by its type (`sync.Mutex` is `Mutex`).
                            let embedded = t.trim_start_matches('*');
                            let short = embedded.rsplit('.').next().unwrap_or(embedded);
                            fields.push((short.to_string(), t.clone()));
                        }
                        for name in names {
                            fields.push((name, t.clone()));
                        }
                    }
                }
            } else {
                alias = Some(self.text(ty).split_whitespace().collect::<String>());
            }
            out.push(Stmt::Type(TypeDecl { name, fields, alias }));
        }
        out
    }

    fn exprs(&mut self, n: Option<Node>) -> Vec<Expr> {
        let Some(n) = n else { return Vec::new() };
        if n.kind() == "expression_list" {
            self.named_children(n).into_iter().map(|c| self.expr(c)).collect()
        } else {
            vec![self.expr(n)]
        }
    }

    fn expr(&mut self, n: Node) -> Expr {
        self.nested(|l| Some(l.expr_inner(n))).unwrap_or(Expr::Opaque)
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        let field = |f: &str| n.child_by_field_name(f);
        match n.kind() {
            "identifier" | "field_identifier" | "package_identifier" | "type_identifier" => {
                Expr::Ident(self.text(n).to_string())
            }
            "true" => Expr::Int(1),
            "false" => Expr::Int(0),
            "nil" | "iota" => Expr::Ident(self.text(n).to_string()),
            "int_literal" | "float_literal" => number(self.text(n)).map_or(Expr::Opaque, Expr::Int),
            "interpreted_string_literal" | "raw_string_literal" | "rune_literal" => {
                Expr::Str(unquote(self.text(n)))
            }
            "parenthesized_expression" => self
                .named_children(n)
                .first()
                .map_or(Expr::Opaque, |e| self.expr(*e)),
            "call_expression" => {
                let f = field("function").map_or(Expr::Opaque, |f| self.expr(f));
                let args = field("arguments")
                    .map(|a| {
                        self.named_children(a)
                            .into_iter()
                            .map(|c| {
                                if c.kind() == "variadic_argument" {
                                    self.named_children(c)
                                        .first()
                                        .map_or(Expr::Opaque, |e| self.expr(*e))
                                } else {
                                    self.expr(c)
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Expr::Call(Box::new(f), args)
            }
            "selector_expression" => {
                let x = field("operand").map_or(Expr::Opaque, |o| self.expr(o));
                let f = field("field").map_or(String::new(), |f| self.text(f).to_string());
                Expr::Selector(Box::new(x), f)
            }
            "qualified_type" => Expr::Type(self.text(n).to_string()),
            "index_expression" => {
                let x = field("operand").map_or(Expr::Opaque, |o| self.expr(o));
                let i = field("index").map_or(Expr::Opaque, |i| self.expr(i));
                Expr::Index(Box::new(x), Box::new(i))
            }
            "binary_expression" => {
                let op = field("operator").map_or(String::new(), |o| self.text(o).to_string());
                let a = field("left").map_or(Expr::Opaque, |o| self.expr(o));
                let b = field("right").map_or(Expr::Opaque, |o| self.expr(o));
                Expr::Binary(op, Box::new(a), Box::new(b))
            }
            "unary_expression" => {
                let op = field("operator").map_or(String::new(), |o| self.text(o).to_string());
                let a = field("operand").map_or(Expr::Opaque, |o| self.expr(o));
                Expr::Unary(op, Box::new(a))
            }
            "func_literal" => Expr::FuncLit(self.params(field("parameters")), self.block(field("body"))),
            "composite_literal" => {
                let ty = field("type").map_or(String::new(), |t| {
                    self.text(t).split_whitespace().collect::<String>()
                });
                let elems = field("body").map_or_else(Vec::new, |b| self.elements(b));
                Expr::Composite(ty, elems)
            }
            "type_assertion_expression" | "type_conversion_expression" => {
                // `x.(T)` and `T(x)`: the value of x.
                match field("operand") {
                    Some(o) => self.expr(o),
                    None => Expr::Opaque,
                }
            }
            "map_type" | "slice_type" | "array_type" | "pointer_type" | "channel_type" | "struct_type"
            | "interface_type" | "function_type" | "generic_type" => {
                Expr::Type(self.text(n).split_whitespace().collect::<String>())
            }
            // Nothing is dropped silently: the evaluator notes what it does not model.
            _ => Expr::Unknown(line(n), excerpt(self.text(n))),
        }
    }

    fn elements(&mut self, body: Node) -> Vec<(Option<Expr>, Expr)> {
        let mut out = Vec::new();
        for el in self.named_children(body) {
            let value = |me: &mut Self, n: Node| -> Expr {
                let inner = me.named_children(n).into_iter().next();
                match inner {
                    Some(i) if i.kind() == "literal_value" => {
                        Expr::Composite(String::new(), me.nested(|m| m.elements(i)))
                    }
                    Some(i) => me.expr(i),
                    None => Expr::Opaque,
                }
            };
            match el.kind() {
                "keyed_element" => {
                    let parts = self.named_children(el);
                    if parts.len() == 2 {
                        let k = value(self, parts[0]);
                        let v = value(self, parts[1]);
                        out.push((Some(k), v));
                    }
                }
                "literal_element" => {
                    let v = value(self, el);
                    out.push((None, v));
                }
                _ => {}
            }
        }
        out
    }
}

/// A Go integer or integral float literal (`0x1F`, `1_000`, `1e5`, `0o17`).
fn number(text: &str) -> Option<i64> {
    let t: String = text.chars().filter(|c| *c != '_').collect();
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        return i64::from_str_radix(h, 16).ok();
    }
    if let Some(o) = lower.strip_prefix("0o") {
        return i64::from_str_radix(o, 8).ok();
    }
    if let Some(b) = lower.strip_prefix("0b") {
        return i64::from_str_radix(b, 2).ok();
    }
    if let Ok(n) = lower.parse::<i64>() {
        return Some(n);
    }
    let f = lower.parse::<f64>().ok()?;
    (f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
}

/// The contents of a string or rune literal, escapes resolved where simple.
fn unquote(text: &str) -> String {
    // The quotes are one byte each, but a literal cut short (an error the grammar recovered
    // from) may end in any character: strip by characters.
    let mut chars = text.chars();
    chars.next();
    chars.next_back();
    let inner = chars.as_str();
    if text.starts_with('`') {
        return inner.to_string();
    }
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert_eq!(number("1e5"), Some(100_000));
        assert_eq!(number("0x1F"), Some(31));
        assert_eq!(number("1_000"), Some(1000));
        assert_eq!(number("1.5"), None);
        assert_eq!(unquote("\"a\\\"b\""), "a\"b");
        assert_eq!(unquote("`raw\\n`"), "raw\\n");
        // A literal cut short by an error may end in a multi-byte character.
        assert_eq!(unquote("\"aé"), "a");
        assert_eq!(unquote("é"), "");
    }

    #[test]
    fn a_fragment_with_prose_keeps_its_statements() {
        let stmts = parse("m := map[int]int{}\nthis is prose, not Go.\ngo func() { delete(m, 1) }()\n");
        assert!(matches!(stmts[0], Stmt::Assign(..)));
        assert!(stmts.iter().any(|s| matches!(s, Stmt::Go(..))), "{stmts:?}");
        assert!(stmts.iter().any(|s| matches!(s, Stmt::NotGo(2, _))), "{stmts:?}");
    }
}
