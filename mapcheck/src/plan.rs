//! A check plan: models x structures x engines within a time budget, run cell by cell. The command
//! line's matrix and the library's front door run the same plan and differ only in how they show
//! the cells.

use crate::isolate::{run_in_child, Isolation};
use crate::outcome::{CellResult, Reach};
use crate::runner::{run_cell, Cell, CellSpec};
use mapcheck_harness::{Engine, EngineSpec, Entry, Limits, Size};
use mapcheck_models::patterns::Model;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Duration;

/// The shortest shrink of a failure of a correct structure, whatever the cell's share of the budget:
/// each attempt explores a few times what the failure first needed, so this tries dozens of smaller
/// workloads, and a failure is what the person reads.
pub const SHRINK_FLOOR: Duration = Duration::from_secs(2);

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub models: Vec<&'a Model>,
    pub structures: Vec<&'a Entry>,
    pub engines: Vec<EngineSpec>,
    /// Wall clock for the whole plan, shared evenly by the cells an engine can run.
    pub budget: Duration,
    /// Seed of shuttle's random and PCT schedulers and of the thread engine's jitter.
    pub seed: u64,
    /// Shard K of N (1-based): see [`Plan::engine`].
    pub shard: (u64, u64),
    /// Where failure records go.
    pub dir: PathBuf,
    /// Whether a failure is shrunk before it is recorded.
    pub shrink: bool,
    /// Where real-thread cells run: in a child process of their own, so that a hung run stops
    /// costing CPU when its cell ends (see [`crate::isolate`]), or here.
    pub isolation: Isolation,
}

/// What a plan reports as it runs.
#[derive(Debug)]
pub enum Event<'p, 'a> {
    /// A model's cells begin.
    Model(&'p Model),
    /// One cell is done (its record, if it failed, is on disk).
    Cell {
        model: &'p Model,
        structure: &'a Entry,
        spec: EngineSpec,
        /// `None` on a shard that leaves this deterministic engine to shard 1.
        engine: Option<Engine>,
        size: Size,
        cell: Box<Cell>,
    },
    /// Every engine ran the model on a structure expected to fail that the model must catch.
    Reach {
        model: &'p Model,
        structure: &'a Entry,
        reach: Reach,
    },
}

impl<'a> Plan<'a> {
    /// The cells an engine can run: those the budget is shared by.
    pub fn applicable_cells(&self) -> usize {
        self.models
            .iter()
            .map(|m| {
                self.structures
                    .iter()
                    .map(|e| self.applicable_to(m, e).len())
                    .sum::<usize>()
            })
            .sum()
    }

    /// The engines of the plan that can run `entry`.
    pub fn applicable(&self, entry: &Entry) -> Vec<EngineSpec> {
        self.engines
            .iter()
            .copied()
            .filter(|s| (entry.not_applicable)(&s.engine(0)).is_none())
            .collect()
    }

    /// The engines of the plan that can run `model` on `entry`: those that can run the structure,
    /// when the structure has every operation the model's workload calls at that engine's size.
    pub fn applicable_to(&self, model: &Model, entry: &Entry) -> Vec<EngineSpec> {
        self.engines
            .iter()
            .copied()
            .filter(|s| applies(model, entry, s))
            .collect()
    }

    /// Each applicable cell's share of the budget at the start (shared out again as cells finish).
    pub fn per_cell(&self) -> Duration {
        self.budget / self.applicable_cells().max(1) as u32
    }

    /// The engine of `spec` in this plan's shard, or `None` when `spec` is deterministic (loom and
    /// shuttle-dfs explore the same space whatever the seed) and the shard is not the first. Shard
    /// K of N derives its seeds so that no two shards, and no two plan seeds, share a run.
    pub fn engine(&self, spec: EngineSpec) -> Option<Engine> {
        let (k, n) = self.shard;
        let deterministic = matches!(spec, EngineSpec::Loom { .. } | EngineSpec::ShuttleDfs);
        if deterministic {
            return (k == 1).then(|| spec.engine(0));
        }
        Some(spec.engine(mapcheck_harness::engine::shard_seed(self.seed, k, n)))
    }

    /// The schedules an engine may run in one cell.
    pub fn max_schedules(engine: &Engine) -> usize {
        match engine {
            Engine::Loom { .. } => 200_000,
            Engine::Threads { .. } => 1_000_000,
            _ => 50_000,
        }
    }

    /// Runs every cell in order, model by model, reporting each as it finishes; stops when `on`
    /// breaks.
    pub fn run<'p>(&'p self, mut on: impl FnMut(Event<'p, 'a>) -> ControlFlow<()>) {
        // The budget is shared out again before each cell: what earlier cells left unused (an
        // exhausted loom space, a failure on the first schedule) goes to the later ones, and what
        // they overran (shrinking) is taken from them, so the whole plan keeps to its budget.
        let started = std::time::Instant::now();
        let mut cells_left = self.applicable_cells();
        for &model in &self.models {
            if on(Event::Model(model)).is_break() {
                return;
            }
            for &entry in &self.structures {
                let mut row: Vec<(&'static str, CellResult)> = Vec::new();
                for &spec in &self.engines {
                    let engine = self.engine(spec);
                    let size = engine.map_or(Size::LOOM, |e| Size::for_engine(&e));
                    let applies = applies(model, entry, &spec);
                    // At least a few milliseconds, so that every cell runs some schedules even when
                    // earlier cells overran.
                    let per_cell = (self.budget.saturating_sub(started.elapsed()) / cells_left.max(1) as u32)
                        .max(Duration::from_millis(20));
                    if applies {
                        cells_left = cells_left.saturating_sub(1);
                    }
                    let cell = match engine {
                        None => Cell::other_shard(),
                        Some(engine) => {
                            let limits = Limits {
                                max_schedules: Self::max_schedules(&engine),
                                budget: per_cell,
                                ..Limits::default()
                            };
                            // A failure of a correct structure is always shrunk for a while (it is
                            // what the person reads); an expected catch only within the cell's share.
                            let shrink = self.shrink.then(|| {
                                if entry.info.expected_to_fail() {
                                    per_cell
                                } else {
                                    per_cell.max(SHRINK_FLOOR)
                                }
                            });
                            let spec = CellSpec::of_model(model, entry, engine, size, limits, shrink);
                            let isolated = engine
                                .real_threads()
                                .then(|| {
                                    // The watchdog's caps end any run within minutes; past that, the
                                    // child is stopped.
                                    let wait =
                                        per_cell + shrink.unwrap_or_default() + Duration::from_secs(180);
                                    run_in_child(&spec, &self.dir, &self.isolation, wait)
                                })
                                .flatten();
                            isolated.unwrap_or_else(|| run_cell(&spec, &self.dir))
                        }
                    };
                    row.push((spec.family(), cell.result.clone()));
                    let event = Event::Cell {
                        model,
                        structure: entry,
                        spec,
                        engine,
                        size,
                        cell: Box::new(cell),
                    };
                    if on(event).is_break() {
                        return;
                    }
                }
                if entry.must_catch(model.name) {
                    let applicable: Vec<&'static str> = EngineSpec::ALL
                        .iter()
                        .filter(|s| applies(model, entry, s))
                        .map(|s| s.family())
                        .collect();
                    let event = Event::Reach {
                        model,
                        structure: entry,
                        reach: Reach::of(&row, &applicable),
                    };
                    if on(event).is_break() {
                        return;
                    }
                }
            }
        }
    }
}

/// Whether the engine of `spec` can run `model` on `entry` (see [`Entry::not_applicable_to`]).
fn applies(model: &Model, entry: &Entry, spec: &EngineSpec) -> bool {
    let engine = spec.engine(0);
    let workload = (model.build)(Size::for_engine(&engine));
    entry.not_applicable_to(&engine, &workload).is_none()
}
