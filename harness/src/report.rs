//! The text parts of a failure report that need only a history: the interleaving as a table with
//! one column per thread, and the line-fitting every text report uses.
//!
//! No line of a text report is wider than [`WIDTH`] columns: a long iteration result is cut to the
//! entries that fit and a count of the rest, a history with too many threads for columns is listed
//! one operation per line, and prose is wrapped. The whole history stays in the failure record and
//! its picture.

use crate::history::{Event, History, Ret};
use std::fmt::Write as _;

/// The widest line of a text report, in columns.
pub const WIDTH: usize = 120;

/// The narrowest a thread's column may get before the table becomes a list.
const MIN_COLUMN: usize = 22;

/// The interleaving as a table: one column per thread, one row per invocation or return, in the
/// run's global order. Operations named by the oracle are marked `*`. With more threads than fit
/// in [`WIDTH`] columns, one row per line naming its thread instead.
pub fn table(h: &History, marked: &[usize]) -> String {
    let threads = h.events.iter().map(|e| e.thread + 1).max().unwrap_or(0).max(1);
    // "step " and, per column, "| " and a space after it.
    let column = (WIDTH - 5) / threads - 3;
    let columns = column >= MIN_COLUMN;
    let cell = if columns { column } else { WIDTH - 11 };
    let mut rows: Vec<(u64, usize, String)> = Vec::new();
    for e in &h.events {
        let mark = if marked.contains(&e.id) { "*" } else { "" };
        let indent = if e.parent.is_some() { "  " } else { "" };
        let lead = format!("{indent}{mark}");
        match (&e.ret, e.ret_at) {
            (Some(r), Some(at)) if at == e.invoke + 1 => {
                rows.push((e.invoke, e.thread, returned(&lead, e, r, cell)));
            }
            (Some(r), Some(at)) => {
                rows.push((e.invoke, e.thread, clip(&format!("{lead}{} ...", e.op), cell)));
                rows.push((at, e.thread, returned(&format!("{lead}... "), e, r, cell)));
            }
            _ => rows.push((
                e.invoke,
                e.thread,
                clip(&format!("{lead}{} (never returned)", e.op), cell),
            )),
        }
    }
    rows.sort_by_key(|r| r.0);
    let mut out = String::new();
    let initial = initial_line(h);
    if !columns {
        let _ = writeln!(out, "step | thread | operation");
        out.push_str(&initial);
        for (i, (_, t, s)) in rows.iter().enumerate() {
            let _ = writeln!(out, "{:>4} | {:>6} | {s}", i + 1, format!("T{t}"));
        }
        return out;
    }
    let mut width = vec![10usize; threads];
    for (_, t, s) in &rows {
        width[*t] = width[*t].max(s.chars().count());
    }
    let _ = write!(out, "{:>4} ", "step");
    for (t, w) in width.iter().enumerate() {
        let _ = write!(out, "| {:<w$} ", format!("thread {t}"));
    }
    out.push('\n');
    out.push_str(&initial);
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

/// "     initial contents: 1:10 3:30", cut to one line with a count of the rest.
fn initial_line(h: &History) -> String {
    if h.initial.is_empty() {
        return String::new();
    }
    let head = "     initial contents: ";
    let entries: Vec<String> = h.initial.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{head}{}\n", listed(&entries, WIDTH - head.len()))
}

/// `items` joined by spaces, as many as fit in `room` columns with "+N more" for the rest.
fn listed(items: &[String], room: usize) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let rest = items.len() - i;
        let tail = if rest > 1 {
            format!(" +{} more", rest - 1).len()
        } else {
            0
        };
        let sep = usize::from(!out.is_empty());
        if out.chars().count() + sep + item.chars().count() + tail > room {
            let _ = write!(out, "{}+{rest} more", if out.is_empty() { "" } else { " " });
            return out;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(item);
    }
    out
}

/// "`lead` op -> result", the result cut to fit `room` columns.
fn returned(lead: &str, e: &Event, r: &Ret, room: usize) -> String {
    let head = format!("{lead}{} -> ", e.op);
    let left = room.saturating_sub(head.chars().count());
    let ret = match r {
        Ret::Yielded(kv) if r.to_string().chars().count() > left => {
            let items: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("[{}]", listed(&items, left.saturating_sub(2)))
        }
        r => r.to_string(),
    };
    clip(&format!("{head}{ret}"), room)
}

/// `s` cut to `room` columns, ending in `…` when cut.
pub fn clip(s: &str, room: usize) -> String {
    if s.chars().count() <= room {
        return s.to_string();
    }
    let mut out: String = s.chars().take(room.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` as lines of at most [`WIDTH`] columns: the first starts with `first`, the others with
/// as many spaces, words kept whole where they fit.
pub fn wrap(first: &str, text: &str) -> String {
    let indent = " ".repeat(first.chars().count());
    let room = WIDTH - indent.len();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > room {
            // A word wider than a line (a path, a token) is split where it must be.
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(room).collect();
            word = word.chars().skip(room).collect();
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(if i == 0 { first } else { &indent });
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{DeleteIf, Op};

    fn event(id: usize, thread: usize, op: Op, ret: Ret, invoke: u64, ret_at: u64) -> Event {
        Event {
            id,
            thread,
            op,
            ret: Some(ret),
            invoke,
            ret_at: Some(ret_at),
            parent: None,
            visits: Vec::new(),
        }
    }

    fn widest(s: &str) -> usize {
        s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    /// A 26-entry iteration among four threads fits in 120 columns, with a count of what was cut.
    #[test]
    fn a_long_iteration_is_cut_to_fit_with_a_count() {
        let kv: Vec<(u64, u64)> = (0..26).map(|k| (k, k * 10)).collect();
        let mut events = vec![event(
            0,
            0,
            Op::Iterate {
                delete: DeleteIf::Nothing,
            },
            Ret::Yielded(kv.clone()),
            0,
            1,
        )];
        for t in 1..4 {
            events.push(event(
                t,
                t,
                Op::Insert {
                    key: 100 + t as u64,
                    value: 1,
                },
                Ret::Value(None),
                2 * t as u64,
                2 * t as u64 + 1,
            ));
        }
        let h = History {
            initial: kv,
            events,
            quiescence: None,
            leaks: None,
        };
        let t = table(&h, &[0]);
        assert!(widest(&t) <= WIDTH, "{t}");
        assert!(
            t.contains(" more]"),
            "the cut iteration says how much was cut:\n{t}"
        );
        assert!(t.contains("initial contents: 0:0 1:10"), "{t}");
    }

    /// Sixteen threads do not fit as columns: one row per line names its thread.
    #[test]
    fn many_threads_are_listed_one_operation_per_line() {
        let events: Vec<Event> = (0..16)
            .map(|t| {
                event(
                    t,
                    t,
                    Op::Get { key: t as u64 },
                    Ret::Value(None),
                    2 * t as u64,
                    2 * t as u64 + 1,
                )
            })
            .collect();
        let h = History {
            initial: Vec::new(),
            events,
            quiescence: None,
            leaks: None,
        };
        let t = table(&h, &[]);
        assert!(widest(&t) <= WIDTH, "{t}");
        assert!(t.contains("|    T15 | get(15) -> none"), "{t}");
    }

    #[test]
    fn prose_is_wrapped_under_its_label() {
        let text = "word ".repeat(60);
        let w = wrap("evidence ", text.trim());
        assert!(widest(&w) <= WIDTH, "{w}");
        assert!(w.lines().nth(1).unwrap().starts_with("         word"), "{w}");
    }
}
