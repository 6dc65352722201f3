//! Scenario files: a concrete script (initial contents, threads of operations), the structures and
//! engines it applies to, the outcome expected on each structure, where it came from, and
//! optionally one pinned schedule. The format is TOML; `scenarios/README.md` specifies it.
//!
//! [`parse`] turns text into a [`Scenario`] or a [`ScenarioError`] that points at the line and
//! column; no input makes it panic. [`Scenario::to_toml`] writes a file that parses back to the same
//! scenario. Structure names are checked against the registry by the runner, which knows the
//! structures; this module knows none.

// A diagnostic carries the file's text so it can be rendered anywhere; errors are rare, so their
// size on the error path does not matter.
#![allow(clippy::result_large_err)]

mod diag;
pub mod go;
pub mod hazard;
pub mod import;
mod ops;
pub mod run;
pub mod rust;

pub use diag::{Origin, ScenarioError};
pub use ops::{parse_step, OpError, Spelling, Step, FORMS};

pub use mapcheck_harness::EngineSpec;
use mapcheck_harness::Oracle;
use mapcheck_harness::{Key, Value};
use mapcheck_harness::{Pinned, Workload};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// Bounds that keep a scenario explorable, shared with replay tokens and failure records: threads,
/// operations per thread, initial entries, the largest key or value, schedules, the length of a
/// pinned shuttle schedule, and the bytes of a file.
pub use mapcheck::bounds::{
    MAX_INITIAL, MAX_OPS_PER_THREAD, MAX_SCHEDULES, MAX_STEPS, MAX_TEXT_BYTES, MAX_THREADS, MAX_WORD,
    MAX_WORD_TEXT,
};

/// The engines a scenario runs under when it names none.
pub const DEFAULT_ENGINES: &[EngineSpec] = &[
    EngineSpec::Loom {
        bound: EngineSpec::DEFAULT_LOOM_BOUND,
    },
    EngineSpec::ShuttleRandom,
    EngineSpec::ShuttlePct {
        depth: EngineSpec::DEFAULT_PCT_DEPTH,
    },
];

/// Schedules per structure and engine when the file does not say.
pub const DEFAULT_SCHEDULES: usize = 2000;

/// What a structure is expected to do on the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// No engine finds a failure.
    Pass,
    /// Some engine finds a failure judged by one of these oracles (any oracle when empty), and no
    /// engine finds a failure of another oracle.
    Fail(BTreeSet<Oracle>),
    /// No engine finds a failure, and the structure reports a reclamation finding: memory it
    /// declares it keeps (a table that never shrinks, deleted entries it retains), as Go's map and
    /// sync.Map do by design.
    Finding,
}

impl Expect {
    /// Whether a failure of `oracle` is an accepted outcome.
    pub fn accepts(&self, oracle: Oracle) -> bool {
        match self {
            Expect::Pass | Expect::Finding => false,
            Expect::Fail(set) => set.is_empty() || set.contains(&oracle),
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Pass => f.write_str("pass"),
            Expect::Finding => f.write_str("finding"),
            Expect::Fail(set) if set.is_empty() => f.write_str("fail"),
            Expect::Fail(set) => {
                let names: Vec<String> = set.iter().map(|o| o.to_string()).collect();
                f.write_str(&names.join(" or "))
            }
        }
    }
}

/// A name in the file, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub span: Range<usize>,
}

impl Named {
    pub fn new(name: impl Into<String>) -> Named {
        Named {
            name: name.into(),
            span: 0..0,
        }
    }
}

/// One interleaving to replay exactly, on one structure under one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedRun {
    pub structure: Named,
    pub engine: EngineSpec,
    /// The engine's seed (shuttle and threads).
    pub seed: u64,
    pub schedule: Pinned,
}

/// A parsed scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    /// Where it came from: a bug report, a fuzz crash, a failing schedule.
    pub source: String,
    pub description: Option<String>,
    pub initial: Vec<(Key, Value)>,
    pub threads: Vec<Vec<Step>>,
    /// Structure names and the groups `correct`, `mutants` and `all`; empty means `correct` plus
    /// every structure named under `[expect]`.
    pub structures: Vec<Named>,
    pub engines: Vec<EngineSpec>,
    pub seed: u64,
    /// Schedules at most per structure and engine.
    pub schedules: usize,
    pub expect: Vec<(Named, Expect)>,
    pub pinned: Option<PinnedRun>,
    /// What an importer changed or could not translate.
    pub notes: Vec<String>,
    /// The text it was parsed from, for diagnostics found later (unknown structure names).
    pub origin: Origin,
}

impl Scenario {
    /// The workload the engines run.
    pub fn workload(&self) -> Workload {
        Workload {
            initial: self.initial.clone(),
            threads: self
                .threads
                .iter()
                .map(|t| t.iter().map(|s| s.op).collect())
                .collect(),
        }
    }

    /// The expectation for `structure`: the one written under `[expect]`, else pass.
    pub fn expectation(&self, structure: &str) -> Expect {
        self.expect
            .iter()
            .find(|(n, _)| n.name == structure)
            .map_or(Expect::Pass, |(_, e)| e.clone())
    }

    /// An error pointing into the file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        self.origin.error(span, message)
    }

    /// The scenario as a TOML file that parses back to it.
    pub fn to_toml(&self) -> String {
        use std::fmt::Write as _;
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# mapcheck scenario; the format is described in scenarios/README.md."
        );
        let _ = writeln!(out, "name = {}", q(&self.name));
        let _ = writeln!(out, "source = {}", q(&self.source));
        if let Some(d) = &self.description {
            let _ = writeln!(out, "description = {}", q(d));
        }
        if !self.structures.is_empty() {
            let names = self.structures.iter().map(|n| q(&n.name)).collect();
            let _ = writeln!(out, "structures = {}", list(names));
        }
        if self.engines != DEFAULT_ENGINES {
            let names = self.engines.iter().map(|e| q(&e.to_string())).collect();
            let _ = writeln!(out, "engines = {}", list(names));
        }
        let _ = writeln!(out, "seed = {}", self.seed);
        let _ = writeln!(out, "schedules = {}", self.schedules);
        if !self.notes.is_empty() {
            let _ = writeln!(out, "notes = [");
            for n in &self.notes {
                let _ = writeln!(out, "  {},", q(n));
            }
            let _ = writeln!(out, "]");
        }
        let pairs: Vec<String> = self.initial.iter().map(|(k, v)| format!("[{k}, {v}]")).collect();
        let _ = writeln!(out, "initial = {}", list(pairs));
        for t in &self.threads {
            let _ = writeln!(out, "\n[[thread]]");
            let steps: Vec<String> = t.iter().map(|s| q(&s.to_string())).collect();
            let _ = writeln!(out, "ops = {}", list(steps));
        }
        if !self.expect.is_empty() {
            let _ = writeln!(out, "\n[expect]");
            for (n, e) in &self.expect {
                let value = match e {
                    Expect::Pass => q("pass"),
                    Expect::Finding => q("finding"),
                    Expect::Fail(set) if set.is_empty() => q("fail"),
                    Expect::Fail(set) if set.len() == 1 => q(&set.iter().next().unwrap().to_string()),
                    Expect::Fail(set) => list(set.iter().map(|o| q(&o.to_string())).collect()),
                };
                let _ = writeln!(out, "{} = {value}", q(&n.name));
            }
        }
        if let Some(p) = &self.pinned {
            let _ = writeln!(out, "\n[pinned]");
            let _ = writeln!(out, "structure = {}", q(&p.structure.name));
            let _ = writeln!(out, "engine = {}", q(&p.engine.to_string()));
            let _ = writeln!(out, "seed = {}", p.seed);
            match &p.schedule {
                Pinned::Loom { execution } => {
                    let _ = writeln!(out, "execution = {execution}");
                }
                Pinned::Shuttle { steps, .. } => {
                    let _ = writeln!(out, "schedule = {}", q(steps));
                }
                Pinned::Threads { iteration } => {
                    let _ = writeln!(out, "iteration = {iteration}");
                }
            }
        }
        out
    }
}

/// A `[key, value]` pair of `initial`.
type Pair = (u64, u64);

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawScenario {
    name: Option<String>,
    source: Spanned<String>,
    description: Option<String>,
    #[serde(default)]
    structures: Vec<Spanned<String>>,
    engines: Option<Spanned<Vec<Spanned<String>>>>,
    seed: Option<u64>,
    schedules: Option<Spanned<u64>>,
    #[serde(default)]
    notes: Vec<String>,
    initial: Option<Spanned<Vec<Spanned<Pair>>>>,
    #[serde(default)]
    thread: Vec<Spanned<RawThread>>,
    expect: Option<Spanned<toml::Table>>,
    pinned: Option<Spanned<RawPinned>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThread {
    ops: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPinned {
    structure: Spanned<String>,
    engine: Spanned<String>,
    seed: Option<u64>,
    schedule: Option<Spanned<String>>,
    execution: Option<Spanned<u64>>,
    iteration: Option<Spanned<u64>>,
}

/// The scenario in a bug report written as Markdown: the first fenced block whose info string is
/// `toml`, `mapcheck` or `scenario`. Errors point into the Markdown file.
pub fn from_markdown(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let origin = Origin::new(file, text);
    let mut offset = 0;
    let mut open: Option<(usize, String)> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        match &open {
            None => {
                if let Some(info) = trimmed
                    .strip_prefix("```")
                    .or_else(|| trimmed.strip_prefix("~~~"))
                {
                    let fence = trimmed[..3].to_string();
                    let info = info.trim().to_ascii_lowercase();
                    let lang = info
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .next()
                        .unwrap_or("");
                    if matches!(lang, "toml" | "mapcheck" | "scenario") {
                        open = Some((offset + line.len(), fence));
                    } else if !info.is_empty() || trimmed.len() == 3 {
                        // Another fenced block: skip to its end.
                        open = Some((usize::MAX, fence));
                    }
                }
            }
            Some((start, fence)) => {
                if trimmed.starts_with(fence.as_str()) && trimmed.trim_start_matches(['`', '~']).is_empty() {
                    if *start != usize::MAX {
                        let block = &text[*start..offset];
                        let stem = std::path::Path::new(file)
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "scenario".into());
                        let start = *start;
                        return parse(&format!("{stem}.toml"), block).map_err(|e| {
                            let shifted =
                                origin.error(e.span.start + start..e.span.end + start, e.message.clone());
                            let shifted = shifted.label(e.label.clone());
                            match e.help {
                                Some(h) => shifted.help(h),
                                None => shifted,
                            }
                        });
                    }
                    open = None;
                }
            }
        }
        offset += line.len();
    }
    Err(origin
        .error(
            0..0,
            "no scenario found: expected a fenced block marked `toml`, `mapcheck` or `scenario`",
        )
        .help("put the scenario in a block that starts with ```toml and ends with ```"))
}

/// Parses a scenario. `file` names it in diagnostics; the scenario's default name is its stem.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(Origin::new(file, "").error(
            0..0,
            format!(
                "the scenario is {} bytes; a scenario file is at most {MAX_TEXT_BYTES} bytes",
                text.len()
            ),
        ));
    }
    let origin = Origin::new(file, text);
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e
            .message()
            .trim()
            .replace("expected u64", "expected a whole number")
            .replace("expected usize", "expected a whole number")
            .replace("expected a sequence", "expected an array")
            .replace("expected a tuple of size 2", "expected a [key, value] pair");
        let help = if message.contains("unknown field") {
            Some("see scenarios/README.md for the keys a scenario file has")
        } else if message.contains("missing field `source`") {
            Some("say where the scenario came from: `source = \"...\"` (a bug report, a fuzz crash, a failing schedule)")
        } else if message.contains("missing field `ops`") {
            Some("each [[thread]] lists its operations: `ops = [\"insert(1, 10)\", \"delete(1)\"]`")
        } else {
            None
        };
        let err = origin.error(span, format!("invalid scenario: {message}"));
        match help {
            Some(h) => err.help(h),
            None => err,
        }
    })?;

    let name = raw.name.unwrap_or_else(|| {
        std::path::Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into())
    });
    if raw.source.get_ref().trim().is_empty() {
        return Err(origin
            .error(
                raw.source.span(),
                "`source` is empty; expected where the scenario came from",
            )
            .help("a link to or a description of the bug report, fuzz crash or failing schedule"));
    }

    let mut initial = Vec::new();
    let mut seen = BTreeSet::new();
    let no_pairs = Vec::new();
    let pairs = raw.initial.as_ref().map_or(&no_pairs, |i| i.get_ref());
    if let Some(i) = raw.initial.as_ref().filter(|i| i.get_ref().len() > MAX_INITIAL) {
        return Err(origin.error(
            i.span(),
            format!(
                "{} initial entries; at most {MAX_INITIAL} keep a scenario explorable",
                i.get_ref().len()
            ),
        ));
    }
    for pair in pairs {
        let (k, v) = *pair.get_ref();
        for (what, w) in [("key", k), ("value", v)] {
            if w > MAX_WORD {
                return Err(origin
                    .error(
                        pair.span(),
                        format!("{what} {w} in `initial` is above {MAX_WORD_TEXT}, the largest {what}"),
                    )
                    .help("keys and values are whole numbers from 0 to 2^63-1"));
            }
        }
        if !seen.insert(k) {
            return Err(origin
                .error(pair.span(), format!("key {k} is listed twice in `initial`"))
                .label("the second time"));
        }
        initial.push((k, v));
    }

    if raw.thread.is_empty() {
        return Err(origin
            .error(
                text.len()..text.len(),
                "the scenario has no threads; expected at least one `[[thread]]`",
            )
            .help("add `[[thread]]` tables, each with `ops = [...]`"));
    }
    if raw.thread.len() > MAX_THREADS {
        return Err(origin.error(
            raw.thread[MAX_THREADS].span(),
            format!(
                "{} threads; at most {MAX_THREADS} keep a scenario explorable",
                raw.thread.len()
            ),
        ));
    }
    let mut threads = Vec::new();
    for (t, thread) in raw.thread.iter().enumerate() {
        let ops = &thread.get_ref().ops;
        if ops.get_ref().is_empty() {
            return Err(origin.error(ops.span(), format!("thread {t} has no operations")));
        }
        if ops.get_ref().len() > MAX_OPS_PER_THREAD {
            return Err(origin.error(
                ops.span(),
                format!(
                    "thread {t} has {} operations; at most {MAX_OPS_PER_THREAD} keep a scenario explorable",
                    ops.get_ref().len()
                ),
            ));
        }
        let mut steps = Vec::new();
        for op in ops.get_ref() {
            steps.push(parse_step(op.get_ref()).map_err(|e| {
                let base = string_content_start(text, op.span());
                let err = origin
                    .error(base + e.span.start..base + e.span.end, e.message)
                    .label("in this operation");
                match e.help {
                    Some(h) => err.help(h),
                    None => err,
                }
            })?);
        }
        threads.push(steps);
    }

    let structures = raw
        .structures
        .iter()
        .map(|s| Named {
            name: s.get_ref().trim().to_string(),
            span: s.span(),
        })
        .collect();

    let engines = match &raw.engines {
        None => DEFAULT_ENGINES.to_vec(),
        Some(list) => {
            if list.get_ref().is_empty() {
                return Err(origin
                    .error(list.span(), "`engines` is empty; expected at least one engine")
                    .help(format!("engines: {}", EngineSpec::FORMS)));
            }
            let mut out = Vec::new();
            for e in list.get_ref() {
                let spec = EngineSpec::parse(e.get_ref()).map_err(|m| origin.error(e.span(), m))?;
                if !out.contains(&spec) {
                    out.push(spec);
                }
            }
            out
        }
    };

    let schedules = match &raw.schedules {
        None => DEFAULT_SCHEDULES,
        Some(s) if (1..=MAX_SCHEDULES as u64).contains(s.get_ref()) => *s.get_ref() as usize,
        Some(s) => {
            return Err(origin.error(
                s.span(),
                format!("`schedules` is {}; expected 1 to {MAX_SCHEDULES}", s.get_ref()),
            ))
        }
    };

    let mut expect = Vec::new();
    let no_table = toml::Table::new();
    let (table, table_span) = raw
        .expect
        .as_ref()
        .map_or((&no_table, 0..0), |t| (t.get_ref(), t.span()));
    for (name, value) in table {
        let span = key_span(text, table_span.clone(), name);
        let e = parse_expect(value).map_err(|m| {
            origin
                .error(span.clone(), format!("expectation for `{name}`: {m}"))
                .help("expected `pass`, `fail`, an oracle name, or a list of oracle names")
        })?;
        expect.push((
            Named {
                name: name.clone(),
                span,
            },
            e,
        ));
    }

    let pinned = match &raw.pinned {
        None => None,
        Some(p) => Some(pinned(&origin, p)?),
    };

    Ok(Scenario {
        name,
        source: raw.source.into_inner(),
        description: raw.description,
        initial,
        threads,
        structures,
        engines,
        seed: raw.seed.unwrap_or(42),
        schedules,
        expect,
        pinned,
        notes: raw.notes,
        origin,
    })
}

fn pinned(origin: &Origin, p: &Spanned<RawPinned>) -> Result<PinnedRun, ScenarioError> {
    let r = p.get_ref();
    let engine = EngineSpec::parse(r.engine.get_ref()).map_err(|m| origin.error(r.engine.span(), m))?;
    let seed = r.seed.unwrap_or(0);
    let given: Vec<&str> = [
        r.schedule.as_ref().map(|_| "schedule"),
        r.execution.as_ref().map(|_| "execution"),
        r.iteration.as_ref().map(|_| "iteration"),
    ]
    .into_iter()
    .flatten()
    .collect();
    // A pinned run that cannot exist is refused here, so that no run is graded as the pinned one
    // when it never happened.
    if let Some(e) = r
        .execution
        .as_ref()
        .filter(|e| !(1..=MAX_SCHEDULES as u64).contains(e.get_ref()))
    {
        return Err(origin
            .error(
                e.span(),
                format!("`execution` is {}; expected 1 to {MAX_SCHEDULES}", e.get_ref()),
            )
            .help("`execution = N`: the N-th (from 1) permutation of loom's exploration"));
    }
    if let Some(i) = r
        .iteration
        .as_ref()
        .filter(|i| *i.get_ref() >= MAX_SCHEDULES as u64)
    {
        return Err(origin.error(
            i.span(),
            format!(
                "`iteration` is {}; expected 0 to {}",
                i.get_ref(),
                MAX_SCHEDULES - 1
            ),
        ));
    }
    if let Some(s) = r.schedule.as_ref().filter(|s| s.get_ref().len() > MAX_STEPS) {
        return Err(origin.error(
            s.span(),
            format!("`schedule` has {} steps; at most {MAX_STEPS}", s.get_ref().len()),
        ));
    }
    let (want, schedule) = match engine {
        EngineSpec::Loom { .. } => (
            "execution",
            r.execution.as_ref().map(|e| Pinned::Loom {
                execution: *e.get_ref() as usize,
            }),
        ),
        EngineSpec::Threads => (
            "iteration",
            r.iteration.as_ref().map(|i| Pinned::Threads {
                iteration: *i.get_ref() as usize,
            }),
        ),
        _ => {
            let steps = r.schedule.as_ref();
            if let Some(s) = steps {
                if let Some((i, c)) = s
                    .get_ref()
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_digit() || c.is_ascii_lowercase()))
                {
                    let base = string_content_start(&origin.text, s.span());
                    return Err(origin
                        .error(base + i..base + i + c.len_utf8(), format!("`{c}` is not a schedule step"))
                        .help("a shuttle schedule is one character per step: `0`-`9`, `a`-`z` (a task) or `r` (a random draw)"));
                }
            }
            (
                "schedule",
                steps.map(|s| Pinned::Shuttle {
                    seed,
                    steps: s.get_ref().clone(),
                }),
            )
        }
    };
    let extra: Vec<&&str> = given.iter().filter(|g| **g != want).collect();
    match (schedule, extra.first()) {
        (Some(schedule), None) => Ok(PinnedRun {
            structure: Named {
                name: r.structure.get_ref().trim().to_string(),
                span: r.structure.span(),
            },
            engine,
            seed,
            schedule,
        }),
        (_, Some(other)) => Err(origin.error(
            p.span(),
            format!("a pinned {engine} run takes `{want}`, not `{other}`"),
        )),
        (None, None) => Err(origin
            .error(p.span(), format!("a pinned {engine} run needs `{want}`"))
            .help(match want {
                "execution" => "`execution = N`: the N-th (from 1) permutation of loom's exploration",
                "iteration" => "`iteration = N`: the N-th (from 0) run of the seeded thread engine",
                _ => "`schedule = \"...\"`: the shuttle schedule a failure report printed",
            })),
    }
}

fn parse_expect(value: &toml::Value) -> Result<Expect, String> {
    let one = |s: &str| -> Result<Option<Oracle>, String> {
        match s.trim() {
            "pass" => Err("`pass` cannot be combined with oracle names".into()),
            "finding" => Err("`finding` cannot be combined with oracle names".into()),
            "fail" | "any" => Ok(None),
            name => parse_oracle(name).map(Some),
        }
    };
    match value {
        toml::Value::String(s) if s.trim() == "pass" => Ok(Expect::Pass),
        toml::Value::String(s) if s.trim() == "finding" => Ok(Expect::Finding),
        toml::Value::String(s) => Ok(Expect::Fail(one(s)?.into_iter().collect())),
        toml::Value::Array(items) if !items.is_empty() => {
            let mut set = BTreeSet::new();
            for item in items {
                let s = item
                    .as_str()
                    .ok_or_else(|| format!("expected oracle names, found `{item}`"))?;
                match one(s)? {
                    Some(o) => {
                        set.insert(o);
                    }
                    None => return Ok(Expect::Fail(BTreeSet::new())),
                }
            }
            Ok(Expect::Fail(set))
        }
        other => Err(format!("expected a string or a list of strings, found `{other}`")),
    }
}

/// An oracle by the name reports print (`lost-delete`, `exactly-once-delete`, ...).
pub fn parse_oracle(name: &str) -> Result<Oracle, String> {
    const ALL: [Oracle; 11] = [
        Oracle::Linearizability,
        Oracle::Panic,
        Oracle::Deadlock,
        Oracle::DataRace,
        Oracle::StepBound,
        Oracle::LostDelete,
        Oracle::LostInsert,
        Oracle::ExactlyOnceDelete,
        Oracle::Iteration,
        Oracle::Reclamation,
        Oracle::Leak,
    ];
    let name = name.trim();
    let alias = match name {
        "exactly-once" => "exactly-once-delete",
        "lincheck" => "linearizability",
        n => n,
    };
    ALL.into_iter().find(|o| o.to_string() == alias).ok_or_else(|| {
        let names: Vec<String> = ALL.iter().map(|o| o.to_string()).collect();
        format!("unknown oracle `{name}`; expected one of {}", names.join(", "))
    })
}

/// Where the content of the quoted string at `span` starts (after its opening quote or quotes).
fn string_content_start(text: &str, span: Range<usize>) -> usize {
    let s = text.get(span.clone()).unwrap_or("");
    let skip = if s.starts_with("\"\"\"") || s.starts_with("'''") {
        3
    } else if s.starts_with('"') || s.starts_with('\'') {
        1
    } else {
        0
    };
    span.start + skip
}

/// The span of key `name` in the table whose header is at `table` (up to the next header), or
/// the header's span when it is not found.
fn key_span(text: &str, table: Range<usize>, name: &str) -> Range<usize> {
    let rest = text.get(table.start..).unwrap_or("");
    let header_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let next = rest[header_end..]
        .match_indices('\n')
        .map(|(i, _)| header_end + i + 1)
        .find(|&i| rest[i..].trim_start().starts_with('['))
        .unwrap_or(rest.len());
    let body = &rest[..next];
    for candidate in [format!("\"{name}\""), format!("'{name}'"), name.to_string()] {
        if name.is_empty() && candidate.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = body[from..].find(&candidate) {
            let at = from + i;
            let before = body[..at].chars().next_back();
            let after = body[at + candidate.len()..].trim_start().chars().next();
            let starts_line =
                before.is_none_or(|c| c == '\n' || c == ' ' || c == '\t' || c == '{' || c == ',');
            if starts_line && after == Some('=') {
                return table.start + at..table.start + at + candidate.len();
            }
            from = at + candidate.len();
        }
    }
    table
}

#[cfg(test)]
mod tests;
