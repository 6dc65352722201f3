//! The text parts of a failure report that need only a history: the interleaving as a table with
//! one column per thread, and the line-fitting every text report uses.
//!
//! No line of a text report is wider than [`WIDTH`] columns: a long iteration result is cut to the
//! entries that fit and a count of the rest, a history with too many threads for columns is listed
//! one operation per line, and prose is wrapped. The whole history stays in the failure record and
//! its picture. A compound operation whose row does not fit its column is written in a compact
//! spelling (`cas(1, 10→20)` for `compare_and_swap(1, 10, 20)`), with a legend line under the
//! header naming each abbreviation used, so that its arguments and result stay readable.

use crate::history::{History, Op, Ret};
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
    let mut abbreviated: Vec<&'static str> = Vec::new();
    for e in &h.events {
        let mark = if marked.contains(&e.id) { "*" } else { "" };
        let indent = if e.parent.is_some() { "  " } else { "" };
        let lead = format!("{indent}{mark}");
        // The full spelling when the longest row of the operation fits, else the compact one.
        let full = e.op.to_string();
        let longest = match &e.ret {
            Some(r) => format!("{lead}... {full} -> {r}"),
            None => format!("{lead}{full} (never returned)"),
        };
        let op = match compact(&e.op) {
            Some((short, name)) if longest.chars().count() > cell => {
                if !abbreviated.contains(&name) {
                    abbreviated.push(name);
                }
                short
            }
            _ => full,
        };
        match (&e.ret, e.ret_at) {
            (Some(r), Some(at)) if at == e.invoke + 1 => {
                rows.push((e.invoke, e.thread, returned(&lead, &op, r, cell)));
            }
            (Some(r), Some(at)) => {
                rows.push((e.invoke, e.thread, clip(&format!("{lead}{op} ..."), cell)));
                rows.push((at, e.thread, returned(&format!("{lead}... "), &op, r, cell)));
            }
            _ => rows.push((
                e.invoke,
                e.thread,
                clip(&format!("{lead}{op} (never returned)"), cell),
            )),
        }
    }
    rows.sort_by_key(|r| r.0);
    let mut out = String::new();
    let mut initial = initial_line(h);
    if !abbreviated.is_empty() {
        initial.push_str(&wrap("     abbreviated: ", &abbreviated.join(", ")));
    }
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
    let mut line = format!("{:>4} ", "step");
    for (t, w) in width.iter().enumerate() {
        let _ = write!(line, "| {:<w$} ", format!("thread {t}"));
    }
    let _ = writeln!(out, "{}", line.trim_end());
    out.push_str(&initial);
    for (i, (_, t, s)) in rows.iter().enumerate() {
        let mut line = format!("{:>4} ", i + 1);
        for (c, w) in width.iter().enumerate() {
            let cell = if c == *t { s.as_str() } else { "" };
            let _ = write!(line, "| {cell:<w$} ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
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

/// A compound operation's compact spelling for a narrow column, with the legend entry of its
/// abbreviation; `None` for the six plain operations, whose names are short.
fn compact(op: &Op) -> Option<(String, &'static str)> {
    Some(match *op {
        Op::GetOrInsert { key, value } => (format!("goi({key}, {value})"), "goi = get_or_insert"),
        Op::CompareAndSwap { key, old, new } => (
            format!("cas({key}, {old}→{new})"),
            "cas(k, old→new) = compare_and_swap",
        ),
        Op::CompareAndDelete { key, old } => (format!("cad({key}, {old})"), "cad = compare_and_delete"),
        Op::RemoveIf { key, delete } => (format!("rm_if({key}, {delete})"), "rm_if = remove_if"),
        Op::Update { key, add, insert } => (
            match insert {
                None => format!("upd({key}, +{add})"),
                Some(v) => format!("upd({key}, +{add} or {v})"),
            },
            "upd(k, +add or insert) = update",
        ),
        Op::Retain { delete } => (format!("retain({delete})"), "retain(p) = retain(delete: p)"),
        _ => return None,
    })
}

/// "`lead` op -> result", the result cut to fit `room` columns.
fn returned(lead: &str, op: &str, r: &Ret, room: usize) -> String {
    let head = format!("{lead}{op} -> ");
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
    use crate::history::{DeleteIf, Event, Op};

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

    /// Every compound operation in a four-thread table: written in full where its row fits, in the
    /// compact spelling with a legend where it does not, its arguments and result always whole.
    #[test]
    fn compound_operations_stay_readable_in_narrow_columns() {
        use crate::history::ValueIf;
        let ops = [
            (
                Op::GetOrInsert { key: 1, value: 100 },
                Ret::Value(None),
                "goi(1, 100) -> none",
            ),
            (
                Op::CompareAndSwap {
                    key: 1,
                    old: 100,
                    new: 101,
                },
                Ret::Bool(true),
                "cas(1, 100→101) -> true",
            ),
            (
                Op::CompareAndDelete { key: 2, old: 20 },
                Ret::Bool(false),
                "cad(2, 20) -> false",
            ),
            (
                Op::RemoveIf {
                    key: 3,
                    delete: ValueIf::Odd,
                },
                Ret::Value(Some(31)),
                "rm_if(3, odd) -> 31",
            ),
            (
                Op::Update {
                    key: 1,
                    add: 1,
                    insert: Some(1),
                },
                Ret::Value(Some(0)),
                "upd(1, +1 or 1) -> 0",
            ),
            (
                Op::Retain {
                    delete: ValueIf::Even,
                },
                Ret::Yielded(vec![(1, 10)]),
                "retain(even) -> [1:10]",
            ),
        ];
        let events: Vec<Event> = ops
            .iter()
            .enumerate()
            .map(|(i, (op, ret, _))| event(i, i % 4, *op, ret.clone(), 2 * i as u64, 2 * i as u64 + 1))
            .collect();
        let h = History {
            initial: Vec::new(),
            events,
            quiescence: None,
            leaks: None,
        };
        let t = table(&h, &[]);
        assert!(widest(&t) <= WIDTH, "{t}");
        for (_, _, row) in &ops {
            assert!(t.contains(row), "{row} missing:\n{t}");
        }
        assert!(!t.contains('…'), "nothing cut:\n{t}");
        assert!(
            t.contains("abbreviated: goi = get_or_insert, cas(k, old→new) = compare_and_swap"),
            "{t}"
        );
        // With room, the full spelling.
        let two = History {
            events: h.events[..2]
                .iter()
                .map(|e| Event {
                    thread: e.id,
                    ..e.clone()
                })
                .collect(),
            ..h.clone()
        };
        let t = table(&two, &[]);
        assert!(t.contains("compare_and_swap(1, 100, 101) -> true"), "{t}");
        assert!(!t.contains("abbreviated"), "{t}");
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
