//! Bounds on every size that comes from outside: a replay token, a failure record, a scenario file,
//! a flag, an environment variable. Each is checked where the input is read, and the error names the
//! field and its bound, so that no input can make a run allocate without end, loop for ever, or hand
//! a structure a key it cannot hold.
//!
//! One set of numbers serves every reader: the scenario format re-exports the workload bounds, the
//! command line and the front door the budget bound, and tokens and records are checked here.

use mapcheck_harness::{DeleteIf, Key, Value};
use mapcheck_harness::{Engine, History, Limits, Op, Pinned, Size, Workload};
use std::time::Duration;

/// The largest key or value an input may hold: 2^63 - 1. The top half of the 64-bit words is left
/// to the structures, which may reserve some of it for their own marks (`syncmap` reserves the two
/// largest words, `pooled` the largest key), as lock-free maps commonly do.
pub const MAX_WORD: u64 = i64::MAX as u64;
/// The bound as the messages write it.
pub const MAX_WORD_TEXT: &str = "9223372036854775807 (2^63-1)";
/// Threads of a workload. loom models fewer (see `mapcheck_harness::engine`): a workload with more
/// threads than loom supports is not applicable under loom, and runs under shuttle and threads.
pub const MAX_THREADS: usize = 8;
/// Operations per thread of a scenario.
pub const MAX_OPS_PER_THREAD: usize = 64;
/// Initial entries of a workload.
pub const MAX_INITIAL: usize = 1024;
/// Operations per thread of a workload carried by a token or a record: a model's own workload at
/// the largest size a token may name (`churn` makes eight operations per key) fits.
pub const MAX_RECORD_OPS_PER_THREAD: usize = 4096;
/// Operations per thread and distinct keys of the size a token rebuilds a model's workload from.
pub const MAX_SIZE_OPS: usize = 64;
pub const MAX_SIZE_KEYS: u64 = 64;
/// Schedules of an exploration, and the pinned loom permutation or thread iteration of a replay.
pub const MAX_SCHEDULES: usize = 10_000_000;
/// Scheduling steps of one shuttle run, and the length of a pinned shuttle schedule.
pub const MAX_STEPS: usize = 1_000_000;
/// Search steps of the linearizability checker per partition (100 times its default).
pub const MAX_LIN_STEPS: u64 = 200_000_000;
/// A wall-clock budget, in seconds: one day.
pub const MAX_BUDGET_SECS: u64 = 86_400;
/// loom's preemption bound and PCT's depth, as `EngineSpec` names them.
pub const MAX_LOOM_BOUND: usize = 8;
pub const MAX_PCT_DEPTH: usize = 8;
/// Characters of a replay token, and of a model or structure name inside one.
pub const MAX_TOKEN_CHARS: usize = 1 << 20;
pub const MAX_NAME_CHARS: usize = 200;
/// Bytes of a failure record file.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;
/// Bytes of a text input: a scenario file, a Go, Rust or Markdown reproducer.
pub const MAX_TEXT_BYTES: u64 = 4 << 20;

/// `s` cut to at most `max` characters, with `...` where it was cut, and its control characters
/// escaped (`\n`, `\u{1b}`): what a message quotes of an input, on one line.
pub fn excerpt(s: &str, max: usize) -> String {
    let escaped: String = s
        .chars()
        .take(max + 1)
        .flat_map(|c| {
            let e: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            e
        })
        .collect();
    if escaped.chars().count() <= max && s.chars().count() <= max {
        return escaped;
    }
    let cut: String = escaped.chars().take(max.saturating_sub(3)).collect();
    format!("{cut}...")
}

/// The message for a name that is not one of `known` (`what`: "structure", "model"): the names
/// when they fit in a short line, else the nearest one and where to find them all.
pub fn unknown_name(what: &str, name: &str, known: &[&str]) -> String {
    let shown = excerpt(name, 40);
    let all = known.join(", ");
    if all.len() <= 120 {
        return format!("unknown {what} `{shown}`; expected one of: {all}");
    }
    let nearest = known
        .iter()
        .map(|k| (distance(k, name), *k))
        .min()
        .filter(|(d, _)| *d <= 3);
    match nearest {
        Some((_, k)) => {
            format!("unknown {what} `{shown}`; did you mean `{k}`? (`mapcheck list` names them all)")
        }
        None => format!("unknown {what} `{shown}`; `mapcheck list` names them all"),
    }
}

/// Levenshtein distance, on at most the first 64 characters of each side.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A budget in seconds, from a flag or the environment (`what` names it): positive, finite and at
/// most [`MAX_BUDGET_SECS`].
pub fn budget_secs(what: &str, secs: f64) -> Result<Duration, String> {
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!(
            "{what} must be a positive number of seconds, found {secs}"
        ));
    }
    if secs > MAX_BUDGET_SECS as f64 {
        return Err(format!(
            "{what} is {secs} seconds; at most {MAX_BUDGET_SECS} (a day)"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A key or value of the input at `field`: at most [`MAX_WORD`].
pub fn word(field: &str, what: &str, w: u64) -> Result<(), String> {
    if w > MAX_WORD {
        return Err(format!(
            "{field}: {what} {w} is above {MAX_WORD_TEXT}, the largest {what}"
        ));
    }
    Ok(())
}

fn op_words(field: &str, op: &Op) -> Result<(), String> {
    match *op {
        Op::Insert { key, value } => {
            word(field, "key", key)?;
            word(field, "value", value)
        }
        Op::Remove { key } | Op::Get { key } => word(field, "key", key),
        Op::Iterate {
            delete: DeleteIf::Key(key),
        } => word(field, "key", key),
        _ => Ok(()),
    }
}

fn initial(field: &str, initial: &[(Key, Value)]) -> Result<(), String> {
    if initial.len() > MAX_INITIAL {
        return Err(format!(
            "`{field}` has {} entries; at most {MAX_INITIAL}",
            initial.len()
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, &(k, v)) in initial.iter().enumerate() {
        let at = format!("`{field}[{i}]`");
        word(&at, "key", k)?;
        word(&at, "value", v)?;
        if !seen.insert(k) {
            return Err(format!("{at}: key {k} is listed twice"));
        }
    }
    Ok(())
}

/// A workload carried by a token or a record (`field` names it): 1 to [`MAX_THREADS`] threads of
/// at most [`MAX_RECORD_OPS_PER_THREAD`] operations, at most [`MAX_INITIAL`] distinct initial keys,
/// every key and value at most [`MAX_WORD`].
pub fn workload(field: &str, w: &Workload) -> Result<(), String> {
    if w.threads.is_empty() {
        return Err(format!(
            "`{field}.threads` is empty; expected 1 to {MAX_THREADS} threads"
        ));
    }
    if w.threads.len() > MAX_THREADS {
        return Err(format!(
            "`{field}.threads` has {} threads; at most {MAX_THREADS}",
            w.threads.len()
        ));
    }
    initial(&format!("{field}.initial"), &w.initial)?;
    for (t, ops) in w.threads.iter().enumerate() {
        if ops.len() > MAX_RECORD_OPS_PER_THREAD {
            return Err(format!(
                "`{field}.threads[{t}]` has {} operations; at most {MAX_RECORD_OPS_PER_THREAD}",
                ops.len()
            ));
        }
        for (i, op) in ops.iter().enumerate() {
            op_words(&format!("`{field}.threads[{t}][{i}]`"), op)?;
        }
    }
    Ok(())
}

/// The size a token rebuilds a model's workload from: 1 to [`MAX_THREADS`] threads, at most
/// [`MAX_SIZE_OPS`] operations and [`MAX_SIZE_KEYS`] keys.
pub fn size(field: &str, s: &Size) -> Result<(), String> {
    if !(1..=MAX_THREADS).contains(&s.threads) {
        return Err(format!(
            "`{field}.threads` is {}; expected 1 to {MAX_THREADS}",
            s.threads
        ));
    }
    if s.ops > MAX_SIZE_OPS {
        return Err(format!("`{field}.ops` is {}; at most {MAX_SIZE_OPS}", s.ops));
    }
    if s.keys > MAX_SIZE_KEYS {
        return Err(format!("`{field}.keys` is {}; at most {MAX_SIZE_KEYS}", s.keys));
    }
    Ok(())
}

/// An engine as a token carries it: the bounds `EngineSpec` names it with.
pub fn engine(field: &str, e: &Engine) -> Result<(), String> {
    match *e {
        Engine::Loom { preemption_bound } if preemption_bound > MAX_LOOM_BOUND => Err(format!(
            "`{field}.preemption_bound` is {preemption_bound}; at most {MAX_LOOM_BOUND}"
        )),
        Engine::ShuttlePct { depth, .. } if !(1..=MAX_PCT_DEPTH).contains(&depth) => Err(format!(
            "`{field}.depth` is {depth}; expected 1 to {MAX_PCT_DEPTH}"
        )),
        _ => Ok(()),
    }
}

/// A pinned schedule for `engine`: of the engine's kind, a loom permutation from 1 to
/// [`MAX_SCHEDULES`], a thread iteration below it, a shuttle schedule of at most [`MAX_STEPS`]
/// steps.
pub fn pinned(field: &str, p: &Pinned, engine: &Engine) -> Result<(), String> {
    let fits = matches!(
        (p, engine),
        (Pinned::Loom { .. }, Engine::Loom { .. })
            | (Pinned::Threads { .. }, Engine::Threads { .. })
            | (
                Pinned::Shuttle { .. },
                Engine::ShuttleRandom { .. } | Engine::ShuttlePct { .. } | Engine::ShuttleDfs
            )
    );
    if !fits {
        return Err(format!(
            "`{field}` is a {} schedule, which engine {engine} cannot replay",
            match p {
                Pinned::Loom { .. } => "loom",
                Pinned::Shuttle { .. } => "shuttle",
                Pinned::Threads { .. } => "threads",
            }
        ));
    }
    match p {
        Pinned::Loom { execution } if !(1..=MAX_SCHEDULES).contains(execution) => Err(format!(
            "`{field}.execution` is {execution}; expected 1 to {MAX_SCHEDULES} (loom's permutations count from 1)"
        )),
        Pinned::Threads { iteration } if *iteration >= MAX_SCHEDULES => Err(format!(
            "`{field}.iteration` is {iteration}; expected 0 to {}",
            MAX_SCHEDULES - 1
        )),
        Pinned::Shuttle { steps, .. } if steps.len() > MAX_STEPS => Err(format!(
            "`{field}.steps` has {} steps; at most {MAX_STEPS}",
            steps.len()
        )),
        _ => Ok(()),
    }
}

/// The limits of a record: each from 1 to its bound.
pub fn limits(field: &str, l: &Limits) -> Result<(), String> {
    let check = |name: &str, v: u64, max: u64| {
        if (1..=max).contains(&v) {
            Ok(())
        } else {
            Err(format!("`{field}.{name}` is {v}; expected 1 to {max}"))
        }
    };
    check("max_schedules", l.max_schedules as u64, MAX_SCHEDULES as u64)?;
    check("max_steps", l.max_steps as u64, MAX_STEPS as u64)?;
    check("lin_steps", l.lin_steps, MAX_LIN_STEPS)?;
    if l.budget.is_zero() || l.budget > Duration::from_secs(MAX_BUDGET_SECS) {
        return Err(format!(
            "`{field}.budget` is {:?}; expected more than 0 and at most {MAX_BUDGET_SECS} seconds",
            l.budget
        ));
    }
    Ok(())
}

/// A name (model, structure) carried by a token: at most [`MAX_NAME_CHARS`] characters.
pub fn name(field: &str, s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(format!(
            "`{field}` is {n} characters long; at most {MAX_NAME_CHARS}"
        ));
    }
    Ok(())
}

/// A history carried by a record: consistent, and within the workload bounds.
pub fn history(field: &str, h: &History) -> Result<(), String> {
    initial(&format!("{field}.initial"), &h.initial)?;
    let max = MAX_THREADS * MAX_RECORD_OPS_PER_THREAD;
    if h.events.len() > max {
        return Err(format!(
            "`{field}.events` has {} events; at most {max}",
            h.events.len()
        ));
    }
    for (i, e) in h.events.iter().enumerate() {
        if e.thread >= MAX_THREADS {
            return Err(format!(
                "`{field}.events[{i}].thread` is {}; expected 0 to {}",
                e.thread,
                MAX_THREADS - 1
            ));
        }
        op_words(&format!("`{field}.events[{i}]`"), &e.op)?;
    }
    h.validate()
        .map_err(|e| format!("`{field}`: {}", excerpt(&e.to_string(), 150)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapcheck_models::patterns::MODELS;

    /// Every model at every size a token may name builds a workload a token or record may carry:
    /// the bounds accept whatever the checks write.
    #[test]
    fn every_model_at_the_largest_size_fits_the_record_bounds() {
        for threads in [1, 2, MAX_THREADS] {
            for (ops, keys) in [(0, 0), (1, 1), (MAX_SIZE_OPS, MAX_SIZE_KEYS)] {
                let s = Size { threads, ops, keys };
                size("size", &s).unwrap();
                for m in MODELS {
                    let w = (m.build)(s);
                    workload("workload", &w).unwrap_or_else(|e| panic!("{} at {s:?}: {e}", m.name));
                }
            }
        }
        for s in [Size::LOOM, Size::SHUTTLE, Size::THREADS] {
            size("size", &s).unwrap();
        }
    }

    #[test]
    fn each_error_names_its_field_and_bound() {
        let w = Workload {
            initial: vec![],
            threads: vec![vec![Op::Insert {
                key: 1,
                value: u64::MAX,
            }]],
        };
        let e = workload("workload", &w).unwrap_err();
        assert!(
            e.contains("`workload.threads[0][0]`") && e.contains("2^63-1"),
            "{e}"
        );
        let e = size(
            "size",
            &Size {
                threads: 2,
                ops: 3,
                keys: u64::MAX,
            },
        )
        .unwrap_err();
        assert_eq!(e, "`size.keys` is 18446744073709551615; at most 64");
        let e = pinned(
            "pinned",
            &Pinned::Loom { execution: 0 },
            &Engine::Loom { preemption_bound: 2 },
        )
        .unwrap_err();
        assert!(
            e.contains("`pinned.execution` is 0; expected 1 to 10000000"),
            "{e}"
        );
        assert!(budget_secs("--budget", 1e20)
            .unwrap_err()
            .contains("at most 86400"));
        assert_eq!(excerpt("a\nb\u{1b}[31m", 40), "a\\nb\\u{1b}[31m");
        assert_eq!(excerpt("abcdef", 5), "ab...");
        assert_eq!(excerpt("abcde", 5), "abcde");
        assert_eq!(
            unknown_name("model", "x", &["a", "b"]),
            "unknown model `x`; expected one of: a, b"
        );
        let many: Vec<String> = (0..40).map(|i| format!("structure-{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(unknown_name("structure", "structur-7", &many).contains("did you mean `structure-7`?"));
        assert!(unknown_name("structure", &"z".repeat(5000), &many).len() < 200);
        assert!(budget_secs("--budget", f64::NAN).is_err());
        assert_eq!(budget_secs("--budget", 1.5), Ok(Duration::from_millis(1500)));
    }
}
