//! One run of a workload on the calling thread with no scheduler: the operation fuzzer's path,
//! where a run must cost microseconds.
//!
//! The threads' operations run in turn (thread 0 first) on a fresh `S::Map<Std>`, then come the
//! reclamation step and the drop. Every return value is compared with the sequential map as it
//! comes: with one thread the program order is the invocation order, so a run that matches it has a
//! witness (see [`crate::witness`]) and cannot fail an operation oracle; the footprint oracles judge
//! it. A run that does not match (or panicked) is recorded as a [`History`] and judged by every
//! oracle, which decide and name the oracle. The log, the iteration buffer and the spec are reused
//! across runs, so a run that passes allocates only what the structure itself does.

use crate::alloc::untracked;
use crate::history::{Event, History, Leaks, Op, Quiescence, Ret};
use crate::rt::Std;
use crate::structure::{Key, Map, Structure, Value};
use crate::verdict::{classify_panic, judge_footprint, judge_limited, Judging, Verdict};
use crate::witness::{FlatSpec, RetView};
use std::ops::ControlFlow;

/// What an operation returned, with an iteration's entries as a range of the yield buffer.
#[derive(Debug, Clone, Copy)]
enum Returned {
    Value(Option<Value>),
    Len(usize),
    Yielded(usize, usize),
    Unit,
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
    spec: FlatSpec,
    clock: u64,
    initial: Vec<(Key, Value)>,
    quiescence: Option<Quiescence>,
    leaks: Option<Leaks>,
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
            spec: FlatSpec::default(),
            clock: 0,
            initial: Vec::new(),
            quiescence: None,
            leaks: None,
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock - 1
    }

    /// Runs `workload` once on structure `S` and judges it.
    pub fn run<S: Structure>(&mut self, workload: &Workload) -> SeqRun {
        self.log.clear();
        self.yields.clear();
        self.clock = 0;
        self.initial.clear();
        self.initial.extend_from_slice(&workload.initial);
        self.quiescence = None;
        self.leaks = None;
        let scope = crate::alloc::Scope::new();
        let (end, panic) = crate::quiet::quietly(|| {
            let map = scope.run(|| S::new::<Std>());
            for &(k, v) in &workload.initial {
                scope.run(|| map.insert(k, v));
            }
            for (t, ops) in workload.threads.iter().enumerate() {
                for &op in ops {
                    self.apply(scope, t, &map, op);
                }
            }
            let quiescence = scope.run(|| {
                let at_end = map.footprint();
                map.reclaim();
                Quiescence {
                    at_end,
                    after_reclaim: map.footprint(),
                }
            });
            scope.run(|| drop(map));
            let leaks = crate::alloc::installed().then(|| {
                let (bytes, allocations) = scope.live();
                Leaks {
                    bytes,
                    allocations,
                    threads: scope.threads_alive(),
                }
            });
            (quiescence, leaks)
        });
        scope.close();
        let info = S::INFO;
        let judge =
            |h: &History| judge_limited(h, &info, S::LEN_IS_ESTIMATE, super::Limits::default().lin_steps);
        let Some((quiescence, leaks)) = end else {
            let msg = panic.unwrap_or_else(|| "the run panicked without a message".into());
            return SeqRun {
                verdict: Verdict::Fail(classify_panic(&msg)),
                fully_judged: true,
            };
        };
        self.quiescence = Some(quiescence);
        self.leaks = leaks;
        let matched = self.matches_spec();
        match (self.judging, matched) {
            (Judging::Witness, true) => SeqRun {
                verdict: judge_footprint(Some(&quiescence), leaks.as_ref(), &info)
                    .map_or(Verdict::Pass, Verdict::Fail),
                fully_judged: false,
            },
            (Judging::CrossCheck, true) => {
                let full = judge(&self.history());
                let fast = judge_footprint(Some(&quiescence), leaks.as_ref(), &info)
                    .map_or(Verdict::Pass, Verdict::Fail);
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

    /// Runs `op` on `map` as thread `t`, logging it and, for an iteration, each remove it makes.
    /// Calls into the structure run in the allocation scope; the log's own growth does not.
    fn apply<M: Map>(&mut self, scope: crate::alloc::Scope, t: usize, map: &M, op: Op) {
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
        let ret = match op {
            Op::Insert { key, value } => Returned::Value(scope.run(|| map.insert(key, value))),
            Op::Remove { key } => Returned::Value(scope.run(|| map.remove(key))),
            Op::Get { key } => Returned::Value(scope.run(|| map.get(key))),
            Op::Len => Returned::Len(scope.run(|| map.len())),
            Op::Clear => {
                scope.run(|| map.clear());
                Returned::Unit
            }
            Op::Reclaim => {
                scope.run(|| map.reclaim());
                Returned::Unit
            }
            Op::Iterate { delete } => {
                let from = self.yields.len();
                scope.run(|| {
                    map.iterate(&mut |k, v| {
                        untracked(|| {
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
                                self.log[child].ret = Returned::Value(r);
                                self.log[child].ret_at = self.tick();
                            }
                        });
                        ControlFlow::Continue(())
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
                Returned::Pending => return false,
            };
            if !self.spec.accepts(&s.op, view) {
                return false;
            }
        }
        true
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
                }
            })
            .collect();
        History {
            initial: self.initial.clone(),
            events,
            quiescence: self.quiescence,
            leaks: self.leaks,
        }
    }
}

use super::Workload;
