//! The Rust importer: turns a Rust reproducer (a test or `main` that spawns threads with
//! `std::thread::spawn` or `std::thread::scope`, directly or from an iterator adapter, over one
//! shared map) into a scenario, scaled down the way the Go importer scales (at most three
//! threads, loops inside threads run twice, fill loops run in full and the initial contents are
//! cut to the keys the threads use).
//!
//! The map may be a `HashMap` (or `BTreeMap`) behind a `Mutex` or `RwLock`, a map with a
//! DashMap-like API (sharded, locked per shard), a map with a SkipMap-like API (lock-free), or a
//! copy-on-write map (behind an `ArcSwap`, or an `Arc` replaced under a lock); it may be held in a
//! field of the file's own struct types, whose methods are inlined, as are its functions and
//! closures. Its operations are `insert`, `remove`, `get`, `contains_key`, `len`, `clear`, `iter`
//! (a `for` loop over it, whose body may remove the visited key) and `retain`. The file is parsed
//! with `syn` on a thread of its own with a large stack, after a check that bounds its nesting;
//! `eval.rs` runs the entry function symbolically, `ops.rs` turns expressions and method calls on
//! the map into operations, `control.rs` runs conditions and loops, `finish.rs` assembles the
//! scenario through the shared builder.

mod control;
mod entry;
mod eval;
mod finish;
mod ops;
mod syntax;

pub use crate::build::Scale;
use crate::Scenario;

/// The result of an import.
#[derive(Debug, Clone)]
pub struct RustImport {
    pub scenario: Scenario,
    /// Lines the importer could not translate, with why.
    pub untranslated: Vec<(usize, String)>,
}

/// Why nothing could be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RustError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Brackets nested deeper than this are refused before parsing.
pub const MAX_NESTING: usize = 1_000;
/// Operators in one expression without brackets at most (a chain like `1 + 1 + ... + 1`).
pub const MAX_CHAIN: usize = 10_000;
/// The stack the parser and the evaluator run on: `syn` parses and drops nested expressions
/// recursively, so the depth of the input decides how deep they go.
const STACK: usize = 256 << 20;

/// Imports a Rust reproducer. `file` names it in the scenario's source.
pub fn import(file: &str, src: &str, scale: Scale) -> Result<RustImport, RustError> {
    let depth = nesting(src)?;
    let run = || -> Result<RustImport, RustError> {
        let parsed = syn::parse_file(src).map_err(|e| RustError {
            line: e.span().start().line,
            message: format!(
                "not Rust that `syn` can read: {}",
                crate::import::shorten(&e.to_string(), 160)
            ),
        })?;
        let mut imp = eval::Importer::new(scale);
        imp.run_file(&parsed)?;
        imp.finish(file, src)
    };
    if depth <= SHALLOW {
        // Shallow input fits any thread's stack: no thread of its own.
        return run();
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("rust-import".into())
            .stack_size(STACK)
            .spawn_scoped(s, run)
            .map_err(|e| RustError {
                line: 1,
                message: format!("cannot start the importer's thread: {e}"),
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(RustError {
                    line: 1,
                    message: "the importer stopped on this input (a bug of the importer)".into(),
                })
            })
    })
}

/// Input whose nesting (brackets, plus operators in a chain) is at most this is parsed on the
/// calling thread.
const SHALLOW: usize = 48;

/// Refuses input nested deeper than the parser can take: brackets nested beyond
/// [`MAX_NESTING`], or a chain of more than [`MAX_CHAIN`] operators inside one pair of brackets.
/// Strings, characters and comments are skipped. Returns how deep the input goes: its deepest
/// brackets plus its longest chain.
fn nesting(src: &str) -> Result<usize, RustError> {
    let bytes = src.as_bytes();
    let (mut depth, mut line, mut i) = (0usize, 1usize, 0usize);
    let mut chains: Vec<usize> = vec![0];
    let (mut deepest, mut longest) = (0usize, 0usize);
    let too_deep = |line: usize, what: String| RustError { line, message: what };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => line += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    line += (bytes[i] == b'\n') as usize;
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    line += (bytes[i] == b'\n') as usize;
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                chains.push(0);
                if depth > MAX_NESTING {
                    return Err(too_deep(
                        line,
                        format!(
                            "brackets nested deeper than {MAX_NESTING}: not a reproducer the importer reads"
                        ),
                    ));
                }
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if chains.len() > 1 {
                    chains.pop();
                }
            }
            b';' | b',' => {
                if let Some(c) = chains.last_mut() {
                    *c = 0;
                }
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'<' | b'>' | b'=' | b'!' | b'.' => {
                if let Some(c) = chains.last_mut() {
                    *c += 1;
                    longest = longest.max(*c);
                    if *c > MAX_CHAIN {
                        return Err(too_deep(
                            line,
                            format!("an expression of more than {MAX_CHAIN} operators: not a reproducer the importer reads"),
                        ));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(deepest + longest)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compound;
