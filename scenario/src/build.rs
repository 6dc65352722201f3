//! The import builder the Go and Rust importers share. Each importer reads its language and runs
//! the reproducer symbolically; every map operation it finds goes through one [`Builder`], which
//! numbers keys (string keys in order of appearance, values it cannot compute from 1000001),
//! routes each operation to the thread running it (the main thread's inserts before the first
//! thread starts become the initial contents), scales threads and operations down, and keeps
//! the notes: what was scaled, what was approximated, and every line it could not translate.
//! [`Builder::finish`] assembles the scenario and names the hazards (`crate::hazard`).

use crate::hazard::{self, Design};
use crate::{Scenario, Spelling, Step, DEFAULT_SCHEDULES};
use mapcheck_harness::{DeleteIf, Op, ValueIf};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How far a reproducer is scaled down.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Threads at most (goroutines, and the main goroutine when it operates on the map).
    pub threads: usize,
    /// Iterations of a loop inside a goroutine at most.
    pub loop_iterations: u64,
    /// Operations per thread at most.
    pub ops_per_thread: usize,
    /// Initial entries at most.
    pub initial: usize,
    /// Initial entries at most when the script is about memory: enough that a table sized for
    /// the peak is larger than the reclamation bound of an empty one.
    pub memory_initial: usize,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            threads: 3,
            loop_iterations: 2,
            ops_per_thread: 4,
            initial: 4,
            memory_initial: 2 * mapcheck_harness::oracle::reclamation::shrink_bound(0),
        }
    }
}

/// The words an importer's notes and errors use for its language.
#[derive(Debug, Clone, Copy)]
pub struct Lang {
    /// `Go`, `Rust`: the scenario's source says "Go reproducer FILE".
    pub name: &'static str,
    /// What the language calls a thread: `goroutine`, `thread`.
    pub thread: &'static str,
    /// The error when no map operation runs in a thread.
    pub no_threads: &'static str,
}

/// A key or value as an importer computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    Int(i64),
    Str(String),
    /// A value the importer could not compute: it gets a fresh number.
    Unknown,
}

/// One thread being built, with the line that started it.
#[derive(Debug, Default, Clone)]
pub struct ThreadOps {
    pub ops: Vec<Step>,
    pub line: usize,
}

/// An import's scenario and the lines it could not translate, with why.
pub type Built = (Scenario, Vec<(usize, String)>);

/// What [`Builder::enter_thread`] decided for a thread the script starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enter {
    /// A new thread; pass the value to [`Builder::leave_thread`] when its body has run.
    Thread(Option<usize>),
    /// A thread started by a thread: its operations run in the thread that started it.
    Inline,
    /// Past the scale's thread count: not run.
    Dropped,
}

/// The state every import builds up.
#[derive(Debug)]
pub struct Builder {
    pub lang: Lang,
    pub scale: Scale,
    /// Keys written as strings, numbered in order of appearance.
    pub string_keys: BTreeMap<String, u64>,
    next_string_key: u64,
    /// Values the importer could not compute get fresh numbers from 1000001.
    next_opaque: u64,
    pub initial: Vec<(u64, u64)>,
    /// Where each key of `initial` is, so a fill loop stays linear.
    initial_at: HashMap<u64, usize>,
    pub threads: Vec<ThreadOps>,
    /// The main thread's operations after the first thread starts (or setup that is not an
    /// insert).
    pub main_after: Vec<Step>,
    pub started: bool,
    /// The thread being filled: `None` is the main thread.
    pub current: Option<usize>,
    pub notes: Vec<String>,
    pub untranslated: Vec<(usize, String)>,
    dropped_ops: BTreeMap<usize, usize>,
    dropped_threads: usize,
    /// Operations held back (a range body run once per entry, a speculative branch).
    pub deferred: Option<Vec<Step>>,
}

impl Builder {
    pub fn new(lang: Lang, scale: Scale) -> Builder {
        Builder {
            lang,
            scale,
            string_keys: BTreeMap::new(),
            next_string_key: 1,
            next_opaque: 0,
            initial: Vec::new(),
            initial_at: HashMap::new(),
            threads: Vec::new(),
            main_after: Vec::new(),
            started: false,
            current: None,
            notes: Vec::new(),
            untranslated: Vec::new(),
            dropped_ops: BTreeMap::new(),
            dropped_threads: 0,
            deferred: None,
        }
    }

    pub fn note_once(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// A line the importer could not translate, with why (noted once per line and reason).
    pub fn untranslated(&mut self, line: usize, why: impl Into<String>) {
        let why = why.into();
        if !self.untranslated.iter().any(|(l, w)| *l == line && *w == why) {
            self.untranslated.push((line, why));
        }
    }

    pub fn key(&mut self, a: Atom) -> u64 {
        match a {
            Atom::Int(n) => n as u64,
            Atom::Str(s) => {
                if let Some(k) = self.string_keys.get(&s) {
                    return *k;
                }
                let k = self.next_string_key;
                self.next_string_key += 1;
                self.string_keys.insert(s, k);
                k
            }
            Atom::Unknown => self.opaque(),
        }
    }

    pub fn value(&mut self, a: Atom) -> u64 {
        match a {
            Atom::Int(n) if n >= 0 => n as u64,
            _ => self.opaque(),
        }
    }

    fn opaque(&mut self) -> u64 {
        self.next_opaque += 1;
        1_000_000 + self.next_opaque
    }

    /// The original spelling of a numbered string key, to run a body with the key it had.
    pub fn originals(&self) -> BTreeMap<u64, String> {
        self.string_keys.iter().map(|(s, k)| (*k, s.clone())).collect()
    }

    /// Records one operation in the thread running now.
    pub fn emit(&mut self, op: Op, spelling: Spelling, line: usize) {
        let step = Step { op, spelling };
        if let Some(d) = &mut self.deferred {
            d.push(step);
            return;
        }
        let cap = self.scale.ops_per_thread;
        let slot = match self.current {
            Some(t) => &mut self.threads[t].ops,
            None if !self.started && self.main_after.is_empty() => {
                // A get-or-insert or an update before any thread fills the map with its effect
                // (Go's `m.LoadOrStore(k, v)`, Rust's `entry(k).and_modify(..).or_insert(v)` in
                // setup code): one thread, so the effect is the sequential one.
                let present = self
                    .initial_at
                    .get(&op.key().unwrap_or_default())
                    .map(|&at| self.initial[at].1);
                let op = match (op, present) {
                    (Op::GetOrInsert { key, value }, None) => Op::Insert { key, value },
                    (Op::GetOrInsert { .. }, Some(_)) => return,
                    (Op::Update { key, add, .. }, Some(v)) => Op::Insert {
                        key,
                        value: mapcheck_harness::op::added(v, add),
                    },
                    (
                        Op::Update {
                            key,
                            insert: Some(value),
                            ..
                        },
                        None,
                    ) => Op::Insert { key, value },
                    (Op::Update { insert: None, .. }, None) => return,
                    (op, _) => op,
                };
                if let Op::Insert { key, value } = op {
                    if let Some(&at) = self.initial_at.get(&key) {
                        self.initial[at].1 = value;
                    } else if self.initial.len() < crate::MAX_INITIAL {
                        self.initial_at.insert(key, self.initial.len());
                        self.initial.push((key, value));
                    } else {
                        *self.dropped_ops.entry(line).or_default() += 1;
                    }
                    return;
                }
                &mut self.main_after
            }
            None => &mut self.main_after,
        };
        if slot.len() < cap {
            slot.push(step);
        } else {
            *self.dropped_ops.entry(line).or_default() += 1;
        }
    }

    /// Operations recorded so far, held back ones included: whether running something did
    /// anything.
    pub fn op_count(&self) -> usize {
        self.threads.iter().map(|t| t.ops.len()).sum::<usize>()
            + self.main_after.len()
            + self.initial.len()
            + self.dropped_ops.values().sum::<usize>()
            + self.deferred.as_ref().map_or(0, Vec::len)
    }

    /// The script starts a thread at `line`.
    pub fn enter_thread(&mut self, line: usize) -> Enter {
        if self.current.is_some() {
            self.note_once(format!(
                "line {line}: a {t} started by a {t} runs its operations in the {t} that started it",
                t = self.lang.thread
            ));
            return Enter::Inline;
        }
        if self.threads.len() >= self.scale.threads {
            self.dropped_threads += 1;
            return Enter::Dropped;
        }
        self.started = true;
        self.threads.push(ThreadOps {
            ops: Vec::new(),
            line,
        });
        Enter::Thread(self.current.replace(self.threads.len() - 1))
    }

    pub fn leave_thread(&mut self, saved: Option<usize>) {
        self.current = saved;
    }

    /// A range over the map whose contents the input never shows: it starts with keys 1 and 2.
    pub fn assume_contents(&mut self, line: usize) {
        if self.initial.is_empty() && !self.started && self.main_after.is_empty() {
            for (k, v) in [(1, 1), (2, 2)] {
                self.initial_at.insert(k, self.initial.len());
                self.initial.push((k, v));
            }
            self.note_once(format!(
                "line {line}: the map's contents are not in the input; it starts with 1:1 and 2:2"
            ));
        }
    }

    /// The scenario: the threads (the main thread's later operations as the last one), the
    /// initial contents cut to the keys the threads use, the notes and the hazards. `design` is
    /// what the importer learnt of the script's design, `design_notes` what it says about it.
    pub fn finish(
        mut self,
        file: &str,
        src: &str,
        design: Design,
        design_notes: Vec<String>,
    ) -> Result<Built, (usize, String)> {
        self.cut_initial(design.memory);
        let mut threads: Vec<Vec<Step>> = self
            .threads
            .iter()
            .map(|t| t.ops.clone())
            .filter(|t| !t.is_empty())
            .collect();
        if !self.main_after.is_empty() {
            if threads.len() >= self.scale.threads {
                self.dropped_threads += 1;
            } else {
                if !threads.is_empty() {
                    self.notes.push(format!(
                        "the main {}'s operations after it started the others run as the last thread (a \
                         scenario has no join point)",
                        self.lang.thread
                    ));
                }
                threads.push(std::mem::take(&mut self.main_after));
            }
        }
        if threads.is_empty() {
            return Err((
                self.threads.first().map_or(1, |t| t.line),
                self.lang.no_threads.to_string(),
            ));
        }
        if design.sync_map {
            self.promote_first(&mut threads);
            let ops: Vec<Vec<Op>> = threads.iter().map(|t| t.iter().map(|s| s.op).collect()).collect();
            if let Some(order) = crate::hazard::syncmap::order_for_stale(&ops, &self.initial) {
                threads = order.iter().map(|&t| threads[t].clone()).collect();
                self.notes.push(
                    "the threads are listed so that, run one after another in this order (the order the \
                     reclamation finding is judged in), the deleted entries stay"
                        .into(),
                );
            }
        }
        if design.sharded {
            if let Some((from, to)) = crate::hazard::shards::spread(&mut threads, &mut self.initial) {
                for k in self.string_keys.values_mut() {
                    if *k == from {
                        *k = to;
                    }
                }
                self.notes.push(format!(
                    "key {from} is renumbered {to}, which the sharded structures route to their last shard: \
                     the keys then cover the shard a whole-map operation may miss"
                ));
            }
        }
        if threads.len() == 1 {
            self.notes
                .push("only one thread operates on the map: the scenario has no concurrency".into());
        }
        if self.dropped_threads > 0 {
            self.notes.push(format!(
                "{} {}s are scaled down to {} threads",
                self.threads.len() + self.dropped_threads,
                self.lang.thread,
                threads.len()
            ));
        }
        for (line, n) in &self.dropped_ops {
            self.notes.push(format!(
                "line {line}: {n} more operation(s) dropped to keep at most {} per thread",
                self.scale.ops_per_thread
            ));
        }
        self.notes.extend(design_notes);
        self.number_notes(&threads);
        let mut seen = BTreeSet::new();
        self.untranslated
            .retain(|(line, why)| seen.insert((*line, why.clone())));
        self.untranslated.sort_by_key(|(line, _)| *line);
        for (line, why) in &self.untranslated {
            self.notes.push(format!("line {line}: {why}"));
        }
        let h = hazard::analyse(&threads, &self.initial, &design);
        self.notes.extend(h.notes);
        let default = format!("{}-import", self.lang.name.to_ascii_lowercase());
        let name = std::path::Path::new(file.split(':').next().unwrap_or(file))
            .file_stem()
            .map(|s| s.to_string_lossy().replace('_', "-"))
            .unwrap_or(default);
        let mut scenario = Scenario {
            name,
            source: crate::import::source(self.lang.name, file, src),
            description: None,
            initial: self.initial,
            engines: crate::import::engines(threads.len()),
            threads,
            structures: h.structures,
            seed: 42,
            schedules: DEFAULT_SCHEDULES,
            expect: h.expect,
            pinned: None,
            notes: self.notes,
            origin: crate::Origin::new(file, ""),
        };
        crate::import::fit(&mut scenario);
        Ok((scenario, self.untranslated))
    }

    /// The initial contents: the keys the threads use first, then others, at most
    /// `scale.initial` (or `scale.memory_initial` when the script is about memory, so that a table
    /// sized for the peak stands out).
    fn cut_initial(&mut self, memory: bool) {
        let limit = if memory {
            self.scale.memory_initial
        } else {
            self.scale.initial
        };
        let filled = self.initial.len();
        if filled <= limit {
            return;
        }
        let used: BTreeSet<u64> = self
            .threads
            .iter()
            .flat_map(|t| t.ops.iter())
            .chain(self.main_after.iter())
            .filter_map(|s| key_of(&s.op))
            .collect();
        let mut keep: Vec<u64> = self
            .initial
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| used.contains(k))
            .take(limit)
            .collect();
        for (k, _) in &self.initial {
            if keep.len() >= limit {
                break;
            }
            if !keep.contains(k) {
                keep.push(*k);
            }
        }
        self.initial.retain(|(k, _)| keep.contains(k));
        self.notes.push(format!(
            "the initial contents are scaled down from {filled} entries to {} (the keys the threads use first)",
            self.initial.len()
        ));
    }

    /// A sync.Map that has served its keys for a while holds them in its read-only part; the
    /// harness fills the map with stores, which land in the dirty part. The first thread that
    /// deletes a key of the initial contents promotes them first, as the long-lived map had.
    fn promote_first(&mut self, threads: &mut [Vec<Step>]) {
        let present: BTreeSet<u64> = self.initial.iter().map(|(k, _)| *k).collect();
        let Some(t) = threads.iter_mut().find(|t| {
            t.iter().any(|s| match s.op {
                Op::Remove { key } | Op::CompareAndDelete { key, .. } | Op::RemoveIf { key, .. } => {
                    present.contains(&key)
                }
                _ => false,
            })
        }) else {
            return;
        };
        if t.first().is_some_and(|s| s.op == Op::Reclaim) {
            return;
        }
        t.insert(
            0,
            Step {
                op: Op::Reclaim,
                spelling: Spelling::Reclaim,
            },
        );
        self.notes.push(
            "a long-lived sync.Map serves its keys from its read-only part: the thread that deletes them \
             promotes the initial contents first (reclaim())"
                .into(),
        );
    }

    fn number_notes(&mut self, threads: &[Vec<Step>]) {
        let in_scenario: BTreeSet<u64> = self
            .initial
            .iter()
            .map(|(k, _)| *k)
            .chain(threads.iter().flatten().filter_map(|s| key_of(&s.op)))
            .collect();
        let mapping: Vec<String> = self
            .string_keys
            .iter()
            .filter(|(_, k)| in_scenario.contains(k))
            .map(|(s, k)| format!("{:?} = {k}", crate::import::shorten(s, 40)))
            .take(16)
            .collect();
        if !mapping.is_empty() {
            self.notes
                .push(format!("string keys are numbered: {}", mapping.join(", ")));
        }
        if self.next_opaque > 0 {
            self.notes.push(format!(
                "{} value(s) the importer could not compute (pointers, structs, slices) are numbered from 1000001",
                self.next_opaque
            ));
        }
    }
}

/// The key an operation names, an iteration's deleted key included.
pub fn key_of(op: &Op) -> Option<u64> {
    match op {
        Op::Iterate {
            delete: DeleteIf::Key(k),
        } => Some(*k),
        op => op.key(),
    }
}

/// The keys `deleted` out of `keys` as an iteration's delete: none, all, one key, or a parity;
/// all (the closest) otherwise.
pub fn predicate(keys: &[u64], deleted: &[u64]) -> DeleteIf {
    let evens: Vec<u64> = keys.iter().copied().filter(|k| k % 2 == 0).collect();
    let odds: Vec<u64> = keys.iter().copied().filter(|k| k % 2 == 1).collect();
    if deleted.is_empty() {
        DeleteIf::Nothing
    } else if deleted == keys {
        DeleteIf::All
    } else if deleted.len() == 1 {
        DeleteIf::Key(deleted[0])
    } else if deleted == evens {
        DeleteIf::Even
    } else if deleted == odds {
        DeleteIf::Odd
    } else {
        DeleteIf::All
    }
}

/// The values `gone` out of `values` (the values of the visited entries) as a predicate over
/// values: none, all, a parity, one value, or every value but one; with whether it is exact (all,
/// the closest, otherwise).
pub fn value_predicate(values: &[u64], gone: &[u64]) -> (ValueIf, bool) {
    let kept: Vec<u64> = {
        let mut left = gone.to_vec();
        values
            .iter()
            .copied()
            .filter(|v| match left.iter().position(|g| g == v) {
                Some(i) => {
                    left.swap_remove(i);
                    false
                }
                None => true,
            })
            .collect()
    };
    let all = |vs: &[u64], p: ValueIf| vs.iter().all(|v| p.matches(*v));
    let none = |vs: &[u64], p: ValueIf| !vs.iter().any(|v| p.matches(*v));
    if gone.is_empty() {
        return (ValueIf::Nothing, true);
    }
    if kept.is_empty() {
        return (ValueIf::All, true);
    }
    let mut candidates = vec![ValueIf::Is(gone[0]), ValueIf::Even, ValueIf::Odd];
    if let Some(&k) = kept.first() {
        candidates.push(ValueIf::Not(k));
    }
    for p in candidates {
        if all(gone, p) && none(&kept, p) {
            return (p, true);
        }
    }
    (ValueIf::All, false)
}

/// Integer and string arithmetic both importers compute: `None` when the result is unknown.
pub fn binary(op: &str, a: &Atom, b: &Atom) -> Option<Atom> {
    match (a, b) {
        (Atom::Int(a), Atom::Int(b)) => {
            let (a, b) = (*a, *b);
            Some(Atom::Int(match op {
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
                "<<" if (0..63).contains(&b) => a.wrapping_shl(b as u32),
                ">>" if (0..63).contains(&b) => a.wrapping_shr(b as u32),
                _ => return None,
            }))
        }
        (Atom::Str(a), Atom::Str(b)) => match op {
            "+" if a.len() + b.len() <= 256 => Some(Atom::Str(format!("{a}{b}"))),
            "==" => Some(Atom::Int((a == b) as i64)),
            "!=" => Some(Atom::Int((a != b) as i64)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANG: Lang = Lang {
        name: "Go",
        thread: "goroutine",
        no_threads: "none",
    };

    #[test]
    fn keys_strings_and_unknown_values_are_numbered() {
        let mut b = Builder::new(LANG, Scale::default());
        assert_eq!(b.key(Atom::Str("a".into())), 1);
        assert_eq!(b.key(Atom::Str("b".into())), 2);
        assert_eq!(b.key(Atom::Str("a".into())), 1);
        assert_eq!(b.key(Atom::Int(7)), 7);
        assert_eq!(b.value(Atom::Unknown), 1_000_001);
        assert_eq!(b.value(Atom::Int(-1)), 1_000_002);
    }

    #[test]
    fn operations_past_the_scale_are_dropped_with_a_note() {
        let mut b = Builder::new(LANG, Scale::default());
        b.emit(Op::Insert { key: 1, value: 1 }, Spelling::Insert, 1);
        let Enter::Thread(saved) = b.enter_thread(2) else {
            panic!()
        };
        for _ in 0..6 {
            b.emit(Op::Remove { key: 1 }, Spelling::Delete, 3);
        }
        b.leave_thread(saved);
        for l in 4..7 {
            if let Enter::Thread(saved) = b.enter_thread(l) {
                b.leave_thread(saved);
            }
        }
        let (s, _) = b.finish("x.go", "", Design::default(), Vec::new()).unwrap();
        assert_eq!(s.initial, [(1, 1)]);
        assert_eq!(s.threads.len(), 1);
        let notes = s.notes.join("\n");
        assert!(notes.contains("line 3: 2 more operation(s) dropped"), "{notes}");
        assert!(notes.contains("goroutines are scaled down"), "{notes}");
    }

    #[test]
    fn predicates() {
        assert_eq!(predicate(&[1, 2, 3, 4], &[2, 4]), DeleteIf::Even);
        assert_eq!(predicate(&[1, 2, 3, 4], &[3]), DeleteIf::Key(3));
        assert_eq!(predicate(&[1, 2], &[1, 2]), DeleteIf::All);
        assert_eq!(predicate(&[1, 2], &[]), DeleteIf::Nothing);
    }
}
