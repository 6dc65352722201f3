//! One run of a workload on the calling thread with no scheduler: the operation fuzzer's path,
//! where a run must cost microseconds.
//!
//! The threads' operations run in turn (thread 0 first) on a fresh `S::Map<Std>`, then come the
//! reclamation step, the drop and the structure's settle steps, as the recorder of the other engines
//! would record them: results the structure does not return are unobserved, each visit of an
//! iteration takes a position, and an iteration is cut short once it has yielded more entries than
//! the workload has keys. Every return value is compared with the sequential map as it comes: the
//! operations never overlap, so the log order is a linearization order, and a run that matches the
//! map has a witness (see [`crate::witness`]). Such a run is judged cheaply only if the oracles a
//! witness does not imply pass too (the per-visit iteration rules, and the live entries at
//! quiescence; see [`crate::verdict::passes_beyond_witness`]); then the footprint oracles judge it.
//! Every other run (a mismatch, a panic, an oracle the witness does not cover that objects) is
//! recorded as a [`History`] and judged by every oracle, which decide and name the oracle. The log,
//! the iteration buffers and the spec are reused across runs, so a run that passes without
//! iterating allocates only what the structure itself does.

use super::{settle_rounds, Limits, Workload};
use crate::alloc::untracked;
use crate::history::{added, Event, History, Leaks, Op, Quiescence, Ret};
use crate::rt::Std;
use crate::structure::{Claims, Key, Map, Structure, Unobserved, Value};
use crate::verdict::{
    classify_panic, judge_footprint, judge_limited, passes_beyond_witness, Judging, Verdict,
};
use crate::witness::{FlatSpec, RetView};
use std::ops::ControlFlow;

/// What an operation returned, with an iteration's entries as a range of the yield buffer.
#[derive(Debug, Clone, Copy)]
enum Returned {
    Value(Option<Value>),
    Len(usize),
    /// Entries `from..to` of the yield buffer, visited at the same positions of the visit buffer.
    Yielded(usize, usize),
    Unit,
    Bool(bool),
    /// A result the structure does not return ([`Ret::Unobserved`]).
    Unobserved,
    /// The operation did not return (the run panicked inside it).
    Pending,
}

#[derive(Debug, Clone, Copy)]
struct Step {
    thread: usize,
    op: Op,
    ret: Returned,
    invoke: u64,
    ret_at: u64,
    parent: Option<usize>,
}

/// Reusable state for sequential runs; one per fuzzing thread.
#[derive(Debug)]
pub struct Sequential {
    judging: Judging,
    log: Vec<Step>,
    yields: Vec<(Key, Value)>,
    /// The position of each yield's visit, in step with `yields`.
    visits: Vec<u64>,
    /// The workload's keys, sorted and deduplicated: their number bounds an iteration.
    keys: Vec<Key>,
    spec: FlatSpec,
    clock: u64,
    initial: Vec<(Key, Value)>,
    quiescence: Option<Quiescence>,
    leaks: Option<Leaks>,
    /// Whether the structure had threads of its own running during the last run.
    own_threads: bool,
}

/// How one sequential run was judged.
#[derive(Debug, Clone)]
pub struct SeqRun {
    pub verdict: Verdict,
    /// Whether the operation oracles judged the recorded history (a mismatch with the sequential
    /// map, a panic, or [`Judging::Full`]); false when the run matched the spec.
    pub fully_judged: bool,
}

impl Default for Sequential {
    fn default() -> Self {
        Sequential::new(crate::verdict::judging())
    }
}

impl Sequential {
    pub fn new(judging: Judging) -> Sequential {
        Sequential {
            judging,
            log: Vec::new(),
            yields: Vec::new(),
            visits: Vec::new(),
            keys: Vec::new(),
            spec: FlatSpec::default(),
            clock: 0,
            initial: Vec::new(),
            quiescence: None,
            leaks: None,
            own_threads: false,
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock - 1
    }

    /// Runs `workload` once on structure `S` and judges it (not applicable when the workload calls
    /// an operation the structure declares absent).
    pub fn run<S: Structure>(&mut self, workload: &Workload) -> SeqRun {
        self.log.clear();
        self.yields.clear();
        self.visits.clear();
        self.clock = 0;
        self.initial.clear();
        self.initial.extend_from_slice(&workload.initial);
        self.quiescence = None;
        self.leaks = None;
        self.own_threads = false;
        if let Some(reason) = super::absent::<S>(workload) {
            return SeqRun {
                verdict: Verdict::NotApplicable { reason },
                fully_judged: false,
            };
        }
        // The keys the run puts in the map (its initial keys and the keys it inserts), then every key
        // it names: the first count bounds a structure that keeps a slot per key, the second an
        // iteration. A run that ends without a panic runs every operation of the workload.
        self.keys.clear();
        let ops = || workload.threads.iter().flatten();
        let inserted = ops().filter_map(Op::may_add);
        self.keys
            .extend(workload.initial.iter().map(|(k, _)| *k).chain(inserted));
        self.keys.sort_unstable();
        self.keys.dedup();
        let keys_inserted = self.keys.len();
        self.keys.extend(ops().filter_map(|op| op.key()));
        self.keys.sort_unstable();
        self.keys.dedup();
        let visit_bound = S::INFO.iteration.visit_bound(self.keys.len());
        let failed = |msg: String| SeqRun {
            verdict: Verdict::Fail(classify_panic(&msg)),
            fully_judged: true,
        };
        if let Err(msg) = crate::settle::prepare(std::any::TypeId::of::<S>(), &S::SETTLE) {
            return failed(msg);
        }
        let scope = crate::alloc::Scope::new();
        let (end, panic) = crate::quiet::quietly(|| {
            let map = scope.run(|| S::new::<Std>());
            self.own_threads = scope.threads_alive() > 0;
            for &(k, v) in &workload.initial {
                scope.run(|| map.insert(k, v));
            }
            for (t, ops) in workload.threads.iter().enumerate() {
                for &op in ops {
                    self.apply(scope, t, &map, op, S::UNOBSERVED, visit_bound);
                }
            }
            self.own_threads |= scope.threads_alive() > 0;
            let quiescence = super::quiescence(scope, &map);
            scope.run(|| drop(map));
            let settled = settle_rounds(scope, &S::SETTLE, || crate::settle::after_drop(&S::SETTLE));
            let leaks = super::leaks(scope);
            (quiescence, leaks, settled.err())
        });
        scope.close();
        let Some((quiescence, leaks, settle_panic)) = end else {
            return failed(panic.unwrap_or_else(|| "the run panicked without a message".into()));
        };
        self.quiescence = Some(quiescence);
        self.leaks = leaks;
        if let Some(msg) = settle_panic {
            return failed(msg);
        }
        let claims = Claims::of::<S>();
        let judge = |h: &History| judge_limited(h, &claims, Limits::default().lin_steps);
        let cheap = match self.judging {
            Judging::Full => None,
            Judging::Witness | Judging::CrossCheck => self.cheap::<S>(keys_inserted),
        };
        match (self.judging, cheap) {
            (Judging::Witness, Some(fast)) => SeqRun {
                verdict: fast,
                fully_judged: false,
            },
            (Judging::CrossCheck, Some(fast)) => {
                let full = judge(&self.history());
                crate::verdict::cross_checked(&fast, &full, workload);
                SeqRun {
                    verdict: full,
                    fully_judged: true,
                }
            }
            _ => SeqRun {
                verdict: judge(&self.history()),
                fully_judged: true,
            },
        }
    }

    /// The cheap judgement of the last run, when it applies: the run matched the sequential map (a
    /// witness), and the oracles a witness does not imply pass; then the footprint oracles' verdict.
    /// `None` sends the run to every oracle.
    fn cheap<S: Structure>(&mut self, keys_inserted: usize) -> Option<Verdict> {
        let claims = Claims::of::<S>();
        let quiescence = self.quiescence?;
        if !self.matches_spec() {
            return None;
        }
        let iterated = self
            .log
            .iter()
            .any(|s| matches!(s.op, Op::Iterate { .. } | Op::Retain { .. }));
        if iterated {
            // The per-visit iteration rules need the history; so does counting the live entries
            // against it, which is done on the same history here.
            if !passes_beyond_witness(&self.history(), &claims) {
                return None;
            }
        } else if claims.len_judged {
            // The operations never overlap, so the history leaves exactly the sequential map's keys
            // present; the live-entry oracle's bounds contain that count (it is sound on correct
            // runs), so a footprint that reports it passes that oracle. Any other count is left to
            // the oracle itself.
            let exact = self.spec.live();
            if quiescence.at_end.live != exact || quiescence.after_reclaim.live != exact {
                return None;
            }
        }
        Some(
            judge_footprint(
                Some(&quiescence),
                self.leaks.as_ref(),
                &claims,
                keys_inserted,
                &mut Vec::new(),
            )
            .map_or(Verdict::Pass, Verdict::Fail),
        )
    }

    /// Runs `op` on `map` as thread `t`, logging it and, for an iteration, each visit and each remove
    /// it makes, as the engines' recorder does: results `unobserved` names are not recorded, and an
    /// iteration is cut short once it has yielded more than `bound` entries. Calls into the structure
    /// run in the allocation scope; the log's own growth does not.
    fn apply<M: Map>(
        &mut self,
        scope: crate::alloc::Scope,
        t: usize,
        map: &M,
        op: Op,
        unobserved: Unobserved,
        bound: usize,
    ) {
        let slot = self.log.len();
        let invoke = self.tick();
        untracked(|| {
            self.log.push(Step {
                thread: t,
                op,
                ret: Returned::Pending,
                invoke,
                ret_at: 0,
                parent: None,
            })
        });
        let value = |seen: bool, v: Option<Value>| {
            if seen {
                Returned::Value(v)
            } else {
                Returned::Unobserved
            }
        };
        let ret = match op {
            Op::Insert { key, value: v } => value(!unobserved.insert, scope.run(|| map.insert(key, v))),
            Op::Remove { key } => value(!unobserved.remove, scope.run(|| map.remove(key))),
            Op::Get { key } => Returned::Value(scope.run(|| map.get(key))),
            Op::Len => {
                let n = scope.run(|| map.len());
                if unobserved.len {
                    Returned::Unobserved
                } else {
                    Returned::Len(n)
                }
            }
            Op::Clear => {
                scope.run(|| map.clear());
                Returned::Unit
            }
            Op::Reclaim => {
                scope.run(|| map.reclaim());
                Returned::Unit
            }
            Op::GetOrInsert { key, value: v } => Returned::Value(scope.run(|| map.get_or_insert(key, v))),
            Op::CompareAndSwap { key, old, new } => {
                Returned::Bool(scope.run(|| map.compare_and_swap(key, old, new)))
            }
            Op::CompareAndDelete { key, old } => {
                Returned::Bool(scope.run(|| map.compare_and_delete(key, old)))
            }
            Op::RemoveIf { key, delete } => {
                Returned::Value(scope.run(|| map.remove_if(key, &|v| delete.matches(v))))
            }
            Op::Update { key, add, insert } => {
                Returned::Value(scope.run(|| map.update(key, &|v| added(v, add), insert)))
            }
            Op::Retain { delete } => {
                let from = self.yields.len();
                scope.run(|| {
                    map.retain(&mut |k, v| {
                        // Past the bound the rest is kept and not recorded, as the recorder does.
                        if self.yields.len() - from > bound {
                            return true;
                        }
                        untracked(|| {
                            let at = self.tick();
                            self.visits.push(at);
                            self.yields.push((k, v));
                        });
                        !delete.matches(v)
                    })
                });
                Returned::Yielded(from, self.yields.len())
            }
            Op::Iterate { delete } => {
                let from = self.yields.len();
                scope.run(|| {
                    map.iterate(&mut |k, v| {
                        let yielded = self.yields.len() - from;
                        if yielded > bound {
                            crate::history::runaway(yielded, bound);
                        }
                        untracked(|| {
                            // The visit's position comes first: the structure read the entry
                            // before calling back, and any remove below comes after.
                            let at = self.tick();
                            self.visits.push(at);
                            self.yields.push((k, v));
                            if delete.matches(k) {
                                let child = self.log.len();
                                let invoke = self.tick();
                                self.log.push(Step {
                                    thread: t,
                                    op: Op::Remove { key: k },
                                    ret: Returned::Pending,
                                    invoke,
                                    ret_at: 0,
                                    parent: Some(slot),
                                });
                                let r = scope.run(|| map.remove(k));
                                self.log[child].ret = value(!unobserved.remove, r);
                                self.log[child].ret_at = self.tick();
                            }
                        });
                        if self.yields.len() - from > bound {
                            ControlFlow::Break(())
                        } else {
                            ControlFlow::Continue(())
                        }
                    })
                });
                Returned::Yielded(from, self.yields.len())
            }
        };
        self.log[slot].ret = ret;
        self.log[slot].ret_at = self.tick();
    }

    /// Whether every operation returned what the sequential map returns, taken in program order.
    fn matches_spec(&mut self) -> bool {
        self.spec.reset(&self.initial);
        for s in &self.log {
            let view = match s.ret {
                Returned::Value(v) => RetView::Value(v),
                Returned::Len(n) => RetView::Len(n),
                Returned::Yielded(a, b) => RetView::Yielded(&self.yields[a..b]),
                Returned::Unit => RetView::Unit,
                Returned::Bool(b) => RetView::Bool(b),
                Returned::Unobserved => RetView::Unobserved,
                Returned::Pending => return false,
            };
            if !self.spec.accepts(&s.op, view) {
                return false;
            }
        }
        true
    }

    /// Whether the structure had threads of its own alive during the last run (started when the
    /// map was built or by an operation, and still running after it): the run's results may then
    /// depend on how the operating system scheduled them.
    pub fn own_threads(&self) -> bool {
        self.own_threads
    }

    /// The last run as a history, exactly as the recorder would have recorded it.
    pub fn history(&self) -> History {
        let events = self
            .log
            .iter()
            .enumerate()
            .map(|(id, s)| {
                let ret = match s.ret {
                    Returned::Value(v) => Some(Ret::Value(v)),
                    Returned::Len(n) => Some(Ret::Len(n)),
                    Returned::Yielded(a, b) => Some(Ret::Yielded(self.yields[a..b].to_vec())),
                    Returned::Unit => Some(Ret::Unit),
                    Returned::Bool(b) => Some(Ret::Bool(b)),
                    Returned::Unobserved => Some(Ret::Unobserved),
                    Returned::Pending => None,
                };
                Event {
                    id,
                    thread: s.thread,
                    op: s.op,
                    ret_at: ret.as_ref().map(|_| s.ret_at),
                    ret,
                    invoke: s.invoke,
                    parent: s.parent,
                    visits: match s.ret {
                        Returned::Yielded(a, b) => self.visits[a..b].to_vec(),
                        _ => Vec::new(),
                    },
                }
            })
            .collect();
        History {
            initial: self.initial.clone(),
            events,
            quiescence: self.quiescence,
            leaks: self.leaks.clone(),
        }
    }
}
