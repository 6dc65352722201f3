//! The operation syntax of scenario files: `insert(1, 10)`, `delete(1)`, `iterate(delete: even)`,
//! with the map spellings and the sync.Map spellings of the same operations.

use mapcheck_harness::{DeleteIf, Op};
use mapcheck_harness::{Key, Value};
use std::fmt;
use std::ops::Range;

/// One operation of a scenario thread, with the name it was written with (`store` and `insert` are
/// the same operation; the file keeps what its author wrote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    pub spelling: Spelling,
}

/// The names an operation can be written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spelling {
    Insert,
    Store,
    Remove,
    Delete,
    LoadAndDelete,
    Get,
    Load,
    Len,
    Clear,
    Iterate,
    Range,
    Reclaim,
}

/// Every name, with its arguments, for error messages and the format's documentation.
pub const FORMS: &[(&str, &str)] = &[
    (
        "insert(KEY, VALUE)",
        "insert or overwrite; returns the previous value",
    ),
    ("store(KEY, VALUE)", "sync.Map's Store: the same as insert"),
    ("remove(KEY)", "remove; returns the removed value"),
    (
        "delete(KEY)",
        "Go's delete(m, k) and sync.Map's Delete: the same as remove",
    ),
    (
        "load_and_delete(KEY)",
        "sync.Map's LoadAndDelete: the same as remove",
    ),
    ("get(KEY)", "look up; Go's v, ok := m[k]"),
    ("load(KEY)", "sync.Map's Load: the same as get"),
    ("len()", "the number of entries"),
    ("clear()", "remove every entry (Go's clear(m))"),
    (
        "iterate() / iterate(delete: all|even|odd|KEY)",
        "visit every entry, deleting the visited keys that match",
    ),
    (
        "range() / range(delete: ...)",
        "Go's for k := range m and sync.Map's Range: the same as iterate",
    ),
    (
        "reclaim()",
        "the structure's reclamation step (GC tick, promotion, rebuild)",
    ),
];

impl Spelling {
    pub fn name(self) -> &'static str {
        match self {
            Spelling::Insert => "insert",
            Spelling::Store => "store",
            Spelling::Remove => "remove",
            Spelling::Delete => "delete",
            Spelling::LoadAndDelete => "load_and_delete",
            Spelling::Get => "get",
            Spelling::Load => "load",
            Spelling::Len => "len",
            Spelling::Clear => "clear",
            Spelling::Iterate => "iterate",
            Spelling::Range => "range",
            Spelling::Reclaim => "reclaim",
        }
    }

    fn from_name(name: &str) -> Option<Spelling> {
        const ALL: [Spelling; 12] = [
            Spelling::Insert,
            Spelling::Store,
            Spelling::Remove,
            Spelling::Delete,
            Spelling::LoadAndDelete,
            Spelling::Get,
            Spelling::Load,
            Spelling::Len,
            Spelling::Clear,
            Spelling::Iterate,
            Spelling::Range,
            Spelling::Reclaim,
        ];
        let canon = name.to_ascii_lowercase().replace('-', "_");
        let canon = match canon.as_str() {
            "loadanddelete" => "load_and_delete",
            c => c,
        };
        ALL.into_iter().find(|s| s.name() == canon)
    }

    /// The spelling a plain operation is written with by default.
    pub fn of(op: &Op) -> Spelling {
        match op {
            Op::Insert { .. } => Spelling::Insert,
            Op::Remove { .. } => Spelling::Remove,
            Op::Get { .. } => Spelling::Get,
            Op::Len => Spelling::Len,
            Op::Clear => Spelling::Clear,
            Op::Iterate { .. } => Spelling::Iterate,
            Op::Reclaim => Spelling::Reclaim,
            // The compound operations have no scenario spelling yet; a step is written with the
            // operation's own name (see `Display for Step`).
            _ => Spelling::Insert,
        }
    }

    /// Whether this spelling can name `op`.
    pub fn fits(self, op: &Op) -> bool {
        use Spelling::*;
        matches!(
            (self, op),
            (Insert | Store, Op::Insert { .. })
                | (Remove | Delete | LoadAndDelete, Op::Remove { .. })
                | (Get | Load, Op::Get { .. })
                | (Len, Op::Len)
                | (Clear, Op::Clear)
                | (Iterate | Range, Op::Iterate { .. })
                | (Reclaim, Op::Reclaim)
        )
    }
}

impl Step {
    pub fn new(op: Op) -> Step {
        Step {
            op,
            spelling: Spelling::of(&op),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op.is_compound() {
            return write!(f, "{}", self.op);
        }
        self.op.write_named(f, self.spelling.name())
    }
}

/// A syntax error inside one operation: byte offsets into the operation's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

fn err(span: Range<usize>, message: impl Into<String>) -> OpError {
    OpError {
        span,
        message: message.into(),
        help: None,
    }
}

/// Parses one operation, e.g. `insert(1, 10)`, `len`, `range(delete: 3)`.
pub fn parse_step(text: &str) -> Result<Step, OpError> {
    let lead = text.len() - text.trim_start().len();
    let name_end = text[lead..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(text.len(), |e| lead + e);
    let name = text[lead..name_end].trim();
    if name.is_empty() {
        return Err(OpError {
            help: Some(forms_help()),
            ..err(0..text.len(), "expected an operation name, found nothing")
        });
    }
    let name_span = lead..name_end;
    let spelling = Spelling::from_name(name).ok_or_else(|| OpError {
        help: Some(forms_help()),
        ..err(name_span.clone(), format!("unknown operation `{}`", short(name)))
    })?;
    let rest = &text[name_end..];
    let args: Vec<(Range<usize>, &str)> = match rest.trim() {
        "" => Vec::new(),
        r if r.starts_with('(') => {
            let open = name_end + rest.find('(').unwrap_or(0);
            let close = text
                .rfind(')')
                .filter(|&c| c > open)
                .ok_or_else(|| err(open..text.len(), "this `(` is never closed; expected `)`"))?;
            let trailing = text[close + 1..].trim();
            if !trailing.is_empty() {
                let at = close + 1 + text[close + 1..].find(trailing).unwrap_or(0);
                return Err(err(
                    at..text.len(),
                    format!("unexpected `{}` after the operation", short(trailing)),
                ));
            }
            let inner = &text[open + 1..close];
            if inner.trim().is_empty() {
                Vec::new()
            } else {
                let mut out = Vec::new();
                let mut at = open + 1;
                for part in inner.split(',') {
                    let lead = part.len() - part.trim_start().len();
                    let s = part.trim();
                    out.push((at + lead..at + lead + s.len(), s));
                    at += part.len() + 1;
                }
                out
            }
        }
        r => {
            let at = name_end + rest.find(r).unwrap_or(0);
            return Err(err(
                at..text.len(),
                format!("expected `(` after `{}`, found `{}`", short(name), short(r)),
            ));
        }
    };
    let whole = 0..text.len();
    let want = |n: usize, form: &str| -> Result<(), OpError> {
        if args.len() == n {
            Ok(())
        } else {
            let span = if args.is_empty() {
                whole.clone()
            } else {
                args[0].0.start..args[args.len() - 1].0.end
            };
            Err(err(
                span,
                format!(
                    "`{}` takes {n} argument{}, found {}; expected `{form}`",
                    spelling.name(),
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
            ))
        }
    };
    let number = |i: usize, what: &str| -> Result<u64, OpError> {
        let (span, s) = &args[i];
        whole_number(span.clone(), s, what)
    };
    let n = spelling.name();
    let op = match spelling {
        Spelling::Insert | Spelling::Store => {
            want(2, &format!("{n}(KEY, VALUE)"))?;
            Op::Insert {
                key: number(0, "key")? as Key,
                value: number(1, "value")? as Value,
            }
        }
        Spelling::Remove | Spelling::Delete | Spelling::LoadAndDelete => {
            want(1, &format!("{n}(KEY)"))?;
            Op::Remove {
                key: number(0, "key")?,
            }
        }
        Spelling::Get | Spelling::Load => {
            want(1, &format!("{n}(KEY)"))?;
            Op::Get {
                key: number(0, "key")?,
            }
        }
        Spelling::Len => {
            want(0, "len()")?;
            Op::Len
        }
        Spelling::Clear => {
            want(0, "clear()")?;
            Op::Clear
        }
        Spelling::Reclaim => {
            want(0, "reclaim()")?;
            Op::Reclaim
        }
        Spelling::Iterate | Spelling::Range => {
            if args.len() > 1 {
                want(1, &format!("{n}(delete: all|even|odd|KEY)"))?;
            }
            let delete = match args.first() {
                None => DeleteIf::Nothing,
                Some((span, arg)) => {
                    let Some((word, what)) = arg.split_once(':') else {
                        return Err(err(
                            span.clone(),
                            format!("expected `delete: all|even|odd|KEY`, found `{}`", short(arg)),
                        ));
                    };
                    if word.trim() != "delete" {
                        return Err(err(
                            span.clone(),
                            format!("expected `delete:`, found `{}:`", short(word.trim())),
                        ));
                    }
                    match what.trim() {
                        "all" => DeleteIf::All,
                        "even" => DeleteIf::Even,
                        "odd" => DeleteIf::Odd,
                        "none" | "nothing" => DeleteIf::Nothing,
                        k if k.starts_with(|c: char| c.is_ascii_digit()) => {
                            DeleteIf::Key(whole_number(span.clone(), k, "key")?)
                        }
                        k => {
                            return Err(err(
                                span.clone(),
                                format!(
                                    "expected `all`, `even`, `odd` or a key after `delete:`, found `{}`",
                                    crate::import::shorten(k, 40)
                                ),
                            ))
                        }
                    }
                }
            };
            Op::Iterate { delete }
        }
    };
    Ok(Step { op, spelling })
}

/// Input quoted in a message: at most 40 characters.
fn short(s: &str) -> String {
    crate::import::shorten(s, 40)
}

/// A key or value written `s` (underscores allowed): a whole number from 0 to [`crate::MAX_WORD`].
fn whole_number(span: Range<usize>, s: &str, what: &str) -> Result<u64, OpError> {
    let digits = s.replace('_', "");
    let bad = || {
        err(
            span.clone(),
            format!(
                "expected a {what} (a whole number from 0 to {}), found `{}`",
                crate::MAX_WORD_TEXT,
                short(s)
            ),
        )
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match digits.parse::<u64>() {
        Ok(w) if w <= crate::MAX_WORD => Ok(w),
        _ => Err(err(
            span.clone(),
            format!(
                "{what} {} is above {}, the largest {what}",
                crate::import::shorten(s, 40),
                crate::MAX_WORD_TEXT
            ),
        )),
    }
}

fn forms_help() -> String {
    let names: Vec<&str> = FORMS.iter().map(|(f, _)| *f).collect();
    format!("the operations are: {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_and_prints_back() {
        let cases = [
            ("insert(1, 10)", Op::Insert { key: 1, value: 10 }),
            ("store(2, 20)", Op::Insert { key: 2, value: 20 }),
            ("remove(3)", Op::Remove { key: 3 }),
            ("delete(3)", Op::Remove { key: 3 }),
            ("load_and_delete(4)", Op::Remove { key: 4 }),
            ("get(5)", Op::Get { key: 5 }),
            ("load(5)", Op::Get { key: 5 }),
            ("len()", Op::Len),
            ("clear()", Op::Clear),
            ("reclaim()", Op::Reclaim),
            (
                "iterate()",
                Op::Iterate {
                    delete: DeleteIf::Nothing,
                },
            ),
            (
                "iterate(delete: all)",
                Op::Iterate {
                    delete: DeleteIf::All,
                },
            ),
            (
                "range(delete: even)",
                Op::Iterate {
                    delete: DeleteIf::Even,
                },
            ),
            (
                "range(delete: odd)",
                Op::Iterate {
                    delete: DeleteIf::Odd,
                },
            ),
            (
                "range(delete: 7)",
                Op::Iterate {
                    delete: DeleteIf::Key(7),
                },
            ),
        ];
        for (text, op) in cases {
            let step = parse_step(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(step.op, op, "{text}");
            assert_eq!(step.to_string(), text);
        }
    }

    #[test]
    fn lenient_spacing_and_bare_names() {
        assert_eq!(parse_step("  len ").unwrap().op, Op::Len);
        assert_eq!(
            parse_step("LoadAndDelete( 4 )").unwrap().op,
            Op::Remove { key: 4 }
        );
        assert_eq!(
            parse_step("insert(1_000,2)").unwrap().op,
            Op::Insert { key: 1000, value: 2 }
        );
        assert_eq!(
            parse_step("range").unwrap().op,
            Op::Iterate {
                delete: DeleteIf::Nothing
            }
        );
    }

    #[test]
    fn errors_point_at_the_offending_part() {
        let e = parse_step("inser(1, 2)").unwrap_err();
        assert_eq!(e.span, 0..5);
        assert!(e.message.contains("unknown operation `inser`"));
        assert!(e.help.unwrap().contains("insert(KEY, VALUE)"));

        let e = parse_step("insert(1, x)").unwrap_err();
        assert_eq!(e.span, 10..11);
        assert!(e.message.contains("expected a value"), "{}", e.message);

        let e = parse_step("remove(1, 2)").unwrap_err();
        assert!(e.message.contains("takes 1 argument, found 2"), "{}", e.message);

        let e = parse_step("get(1").unwrap_err();
        assert!(e.message.contains("never closed"), "{}", e.message);

        let e = parse_step("get(-1)").unwrap_err();
        assert_eq!(e.span, 4..6);

        let e = parse_step("iterate(remove: 1)").unwrap_err();
        assert!(e.message.contains("expected `delete:`"), "{}", e.message);

        let e = parse_step("len() x").unwrap_err();
        assert!(e.message.contains("unexpected `x`"), "{}", e.message);

        let e = parse_step("").unwrap_err();
        assert!(e.message.contains("expected an operation name"));
    }

    #[test]
    fn no_input_panics() {
        for s in [
            "(",
            ")",
            "(()",
            "a(,)",
            "é(1)",
            "get(é)",
            "get(1)é",
            "iterate(delete:)",
            ",",
            "insert(,",
            "x)(",
        ] {
            let _ = parse_step(s);
        }
    }
}
