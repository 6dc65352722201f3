//! The text parts of a failure report that need only a history: the interleaving as a table with
//! one column per thread.

use crate::history::History;
use std::fmt::Write as _;

/// The interleaving as a table: one column per thread, one row per invocation or return, in the
/// run's global order. Operations named by the oracle are marked `*`.
pub fn table(h: &History, marked: &[usize]) -> String {
    let threads = h.events.iter().map(|e| e.thread + 1).max().unwrap_or(0);
    let mut rows: Vec<(u64, usize, String)> = Vec::new();
    for e in &h.events {
        let mark = if marked.contains(&e.id) { "*" } else { "" };
        let indent = if e.parent.is_some() { "  " } else { "" };
        match (&e.ret, e.ret_at) {
            (Some(r), Some(at)) if at == e.invoke + 1 => {
                rows.push((e.invoke, e.thread, format!("{indent}{mark}{} -> {r}", e.op)));
            }
            (Some(r), Some(at)) => {
                rows.push((e.invoke, e.thread, format!("{indent}{mark}{} ...", e.op)));
                rows.push((at, e.thread, format!("{indent}{mark}... {} -> {r}", e.op)));
            }
            _ => rows.push((
                e.invoke,
                e.thread,
                format!("{indent}{mark}{} (never returned)", e.op),
            )),
        }
    }
    rows.sort_by_key(|r| r.0);
    let mut width = vec![10usize; threads];
    for (_, t, s) in &rows {
        width[*t] = width[*t].max(s.chars().count());
    }
    let mut out = String::new();
    let _ = write!(out, "{:>4} ", "step");
    for (t, w) in width.iter().enumerate() {
        let _ = write!(out, "| {:<w$} ", format!("thread {t}"));
    }
    out.push('\n');
    if !h.initial.is_empty() {
        let init: Vec<String> = h.initial.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let _ = writeln!(out, "     initial contents: {}", init.join(" "));
    }
    for (i, (_, t, s)) in rows.iter().enumerate() {
        let _ = write!(out, "{:>4} ", i + 1);
        for (c, w) in width.iter().enumerate() {
            let cell = if c == *t { s.as_str() } else { "" };
            let _ = write!(out, "| {cell:<w$} ");
        }
        out.push('\n');
    }
    out
}
