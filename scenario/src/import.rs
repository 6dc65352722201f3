//! What every importer shares: keeping an imported scenario within the bounds the parser
//! accepts (scaling down and noting rather than writing a file the parser rejects), and short
//! excerpts of the input for notes and messages.

use crate::{EngineSpec, Scenario, MAX_INITIAL, MAX_OPS_PER_THREAD, MAX_THREADS, MAX_WORD, MAX_WORD_TEXT};

/// The engines an imported scenario runs under: loom at preemption bound 2, exhaustive, and PCT
/// and random shuttle for larger explorations; a scenario with one thread has nothing for the
/// random engines to vary beyond what loom explores (the structures' own background threads
/// included), so loom alone.
pub fn engines(threads: usize) -> Vec<EngineSpec> {
    if threads <= 1 {
        vec![EngineSpec::Loom { bound: 2 }]
    } else {
        vec![
            EngineSpec::Loom { bound: 2 },
            EngineSpec::ShuttlePct { depth: 3 },
            EngineSpec::ShuttleRandom,
        ]
    }
}

/// Characters of the input a note or a message quotes at most.
pub const EXCERPT: usize = 200;

/// The scenario's `source` for a reproducer `file`: the file, and the address its header cites
/// on a `Source:` line, when it has one.
pub fn source(language: &str, file: &str, text: &str) -> String {
    let cited = text
        .lines()
        .take(10)
        .filter_map(|l| l.split_once("Source:").map(|(_, rest)| rest))
        .flat_map(|rest| rest.split_whitespace())
        .find(|w| w.starts_with("https://") || w.starts_with("http://"));
    match cited {
        Some(url) => format!(
            "{language} reproducer {file}, from {}",
            shorten(url.trim_end_matches([',', '.', ')']), 200)
        ),
        None => format!("{language} reproducer {file}"),
    }
}

/// `s` cut to at most `max` characters, with `...` where it was cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(3)).collect();
    format!("{cut}...")
}

/// Scales a scenario down to the parser's bounds (threads, operations per thread, initial
/// entries, keys and values), noting each cut, and shortens notes that quote too much of the input.
pub fn fit(s: &mut Scenario) {
    if s.threads.len() > MAX_THREADS {
        s.notes.push(format!(
            "{} threads are scaled down to {MAX_THREADS}, the most a scenario explores",
            s.threads.len()
        ));
        s.threads.truncate(MAX_THREADS);
    }
    for (i, t) in s.threads.iter_mut().enumerate() {
        if t.len() > MAX_OPS_PER_THREAD {
            s.notes.push(format!(
                "thread {i}: {} operations are scaled down to {MAX_OPS_PER_THREAD}, the most a scenario explores",
                t.len()
            ));
            t.truncate(MAX_OPS_PER_THREAD);
        }
    }
    s.threads.retain(|t| !t.is_empty());
    if s.initial.len() > MAX_INITIAL {
        s.notes.push(format!(
            "{} initial entries are scaled down to {MAX_INITIAL}",
            s.initial.len()
        ));
        s.initial.truncate(MAX_INITIAL);
    }
    let mut seen = std::collections::BTreeSet::new();
    s.initial.retain(|(k, _)| seen.insert(*k));
    fit_words(s);
    for n in &mut s.notes {
        if n.chars().count() > 2 * EXCERPT {
            *n = shorten(n, 2 * EXCERPT);
        }
    }
}

/// Renumbers the keys and values above [`MAX_WORD`], the largest the format holds, to unused
/// words just below it of the same parity (one number per distinct word, so equal keys stay
/// equal), and notes it.
fn fit_words(s: &mut Scenario) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut used: BTreeSet<u64> = BTreeSet::new();
    let mut big: BTreeSet<u64> = BTreeSet::new();
    let mut note = |w: u64| {
        if w > MAX_WORD {
            big.insert(w);
        } else {
            used.insert(w);
        }
    };
    for &(k, v) in &s.initial {
        note(k);
        note(v);
    }
    for step in s.threads.iter().flatten() {
        for w in crate::ops::words(&step.op) {
            note(w);
        }
    }
    if big.is_empty() {
        return;
    }
    // Parity is kept: `iterate(delete: even)` and `(delete: odd)` still pick the same keys.
    let mut map: BTreeMap<u64, u64> = BTreeMap::new();
    for &w in &big {
        let mut candidate = MAX_WORD - u64::from(MAX_WORD % 2 != w % 2);
        while used.contains(&candidate) {
            candidate -= 2;
        }
        used.insert(candidate);
        map.insert(w, candidate);
    }
    let f = |w: u64| map.get(&w).copied().unwrap_or(w);
    for (k, v) in &mut s.initial {
        *k = f(*k);
        *v = f(*v);
    }
    for step in s.threads.iter_mut().flatten() {
        step.op = crate::ops::map_words(step.op, f);
    }
    s.notes.push(format!(
        "{} key(s) or value(s) above {MAX_WORD_TEXT}, the largest a scenario holds, are renumbered below it",
        map.len()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Step;
    use mapcheck_harness::Op;

    #[test]
    fn fit_keeps_a_scenario_within_the_parser_bounds() {
        let mut s = crate::parse("x.toml", "source = \"t\"\n[[thread]]\nops = [\"len()\"]\n").unwrap();
        s.threads = vec![vec![Step::new(Op::Len); 10_001]; 9];
        s.initial = (0..2000).map(|k| (k, k)).collect();
        fit(&mut s);
        let text = s.to_toml();
        let back = crate::parse("x.toml", &text).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(back.threads.len(), MAX_THREADS);
        assert!(back.threads.iter().all(|t| t.len() == MAX_OPS_PER_THREAD));
        assert_eq!(back.initial.len(), MAX_INITIAL);
        assert!(back
            .notes
            .iter()
            .any(|n| n.contains("10001 operations are scaled down to 64")));
    }

    /// Keys and values above the format's largest word are renumbered below it, equal ones
    /// equally and with their parity, so that an import never writes a file the parser rejects.
    #[test]
    fn fit_renumbers_words_above_the_bound() {
        use mapcheck_harness::DeleteIf;
        let mut s = crate::parse("x.toml", "source = \"t\"\n[[thread]]\nops = [\"len()\"]\n").unwrap();
        let (big, odd) = (u64::MAX - 1, u64::MAX);
        s.initial = vec![(big, odd), (MAX_WORD, 1)];
        s.threads = vec![vec![
            Step::new(Op::Insert { key: odd, value: big }),
            Step::new(Op::Remove { key: big }),
            Step::new(Op::Iterate {
                delete: DeleteIf::Key(odd),
            }),
        ]];
        fit(&mut s);
        let back = crate::parse("x.toml", &s.to_toml()).unwrap_or_else(|e| panic!("{}", e.render()));
        let (k_even, v_odd) = back.initial[0];
        assert!(
            k_even <= MAX_WORD && k_even % 2 == 0 && v_odd % 2 == 1,
            "{back:?}"
        );
        assert_eq!(back.initial[1], (MAX_WORD, 1), "a word within the bound is kept");
        assert_eq!(
            back.threads[0][0].op,
            Op::Insert {
                key: v_odd,
                value: k_even
            }
        );
        assert_eq!(back.threads[0][1].op, Op::Remove { key: k_even });
        assert!(
            back.notes
                .iter()
                .any(|n| n.contains("2 key(s) or value(s) above")),
            "{:?}",
            back.notes
        );
    }

    #[test]
    fn shorten_cuts_on_characters() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("ééééééé", 5), "éé...");
    }
}
