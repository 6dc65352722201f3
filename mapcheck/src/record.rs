//! Failure records and replay tokens: a failure as written to disk and as one shell word, and the
//! printed report of a failure.
//!
//! **Architecture Invariant:** a failure is written to disk (`target/mapcheck/failures/`) before
//! anything about it is printed, and every printed failure ends with the one command that replays
//! it.

use crate::bounds;
use base64::Engine as _;
use mapcheck_harness::report::{self, table};
use mapcheck_harness::shrink::describe;
use mapcheck_harness::timeline::{self, Page};
use mapcheck_harness::{Engine, FailedRun, History, Limits, Pinned, Size, Verdict, Workload};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Everything needed to run one failing schedule again, small enough to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayToken {
    pub model: String,
    pub size: Size,
    pub structure: String,
    pub engine: Engine,
    pub pinned: Pinned,
    /// The workload when it is not the model's own at `size` (a shrunk failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
    /// The oracle the run failed, so that a replay can say whether it reproduced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<mapcheck_harness::Oracle>,
}

const TOKEN_PREFIX: &str = "mc1-";

impl ReplayToken {
    /// `mc1-` followed by the token's JSON in URL-safe base64: one shell word.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a token always serialises");
        format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    /// Decodes a token and checks it against the bounds ([`crate::bounds`]); the error says which
    /// part was wrong.
    pub fn decode(s: &str) -> Result<ReplayToken, String> {
        let s = s.trim();
        let body = s.strip_prefix(TOKEN_PREFIX).ok_or_else(|| {
            format!(
                "a replay token starts with `{TOKEN_PREFIX}`; found `{}`",
                bounds::excerpt(s, 24)
            )
        })?;
        if s.len() > bounds::MAX_TOKEN_CHARS {
            return Err(format!(
                "the replay token is {} characters long; at most {}",
                s.len(),
                bounds::MAX_TOKEN_CHARS
            ));
        }
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|e| format!("the replay token is not valid base64 ({e})"))?;
        let token: ReplayToken = serde_json::from_slice(&json).map_err(|e| {
            format!(
                "the replay token's content is not a replay ({})",
                bounds::excerpt(&e.to_string(), 120)
            )
        })?;
        token
            .validate()
            .map_err(|e| format!("the replay token is out of bounds: {e}"))?;
        Ok(token)
    }

    /// Checks every size the token carries against [`crate::bounds`]: a token comes from outside.
    pub fn validate(&self) -> Result<(), String> {
        bounds::name("model", &self.model)?;
        bounds::name("structure", &self.structure)?;
        bounds::engine("engine", &self.engine)?;
        bounds::pinned("pinned", &self.pinned, &self.engine)?;
        match &self.workload {
            Some(w) => bounds::workload("workload", w),
            // The model's own workload is rebuilt from the size.
            None => bounds::size("size", &self.size),
        }
    }
}

/// A failure as written to disk: the token's fields plus the workload, the verdict and the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    pub token: ReplayToken,
    pub limits: Limits,
    pub workload: Workload,
    pub verdict: Verdict,
    pub history: History,
    /// Schedules explored up to and including the failing one.
    pub schedules: usize,
    /// What the failure was before shrinking, when shrinking made it smaller.
    #[serde(default)]
    pub shrunk_from: Option<String>,
    /// Why the failure is not smaller, when that needs saying: nothing smaller failed, the shrink
    /// budget ran out, or the run was a replay (see `mapcheck_harness::shrink::Shrunk::note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrink_note: Option<String>,
    /// What built the binary that found it (absent in records written before fingerprints).
    #[serde(default)]
    pub fingerprint: Option<Fingerprint>,
}

/// What built the binary that found a failure: a replay under another fingerprint may run other
/// code, and says so first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub mapcheck: String,
    pub loom: String,
    pub shuttle: String,
    pub rustc: String,
    /// A hash of the running executable, which holds the structure's code: it changes whenever
    /// any of the code built into it changes.
    pub binary: String,
}

impl Fingerprint {
    /// This process's fingerprint (the executable is hashed once per process).
    pub fn current() -> Fingerprint {
        static BINARY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let binary = BINARY.get_or_init(|| {
            use std::hash::Hasher as _;
            match std::env::current_exe().and_then(std::fs::read) {
                Ok(bytes) => {
                    let mut h = std::hash::DefaultHasher::new();
                    h.write(&bytes);
                    format!("{:016x}", h.finish())
                }
                Err(e) => format!("unknown ({e})"),
            }
        });
        Fingerprint {
            mapcheck: env!("CARGO_PKG_VERSION").into(),
            loom: env!("MAPCHECK_LOOM_VERSION").into(),
            shuttle: env!("MAPCHECK_SHUTTLE_VERSION").into(),
            rustc: env!("MAPCHECK_RUSTC_VERSION").into(),
            binary: binary.clone(),
        }
    }

    /// How `self` (the recording's) differs from `now`, one phrase per part; empty when they match.
    /// A part that one side does not know (a build that could not find its Cargo.lock, an executable
    /// it could not read) is not a difference: nothing is claimed about it.
    pub fn differences(&self, now: &Fingerprint) -> Vec<String> {
        let parts = [
            ("mapcheck", &self.mapcheck, &now.mapcheck),
            ("loom", &self.loom, &now.loom),
            ("shuttle", &self.shuttle, &now.shuttle),
            ("rustc", &self.rustc, &now.rustc),
            ("binary hash", &self.binary, &now.binary),
        ];
        parts
            .iter()
            .filter(|(_, a, b)| a != b && !a.starts_with("unknown") && !b.starts_with("unknown"))
            .map(|(what, a, b)| format!("{what} {a} then, {b} now"))
            .collect()
    }
}

impl FailureRecord {
    /// The record of the failing run `failure` of `workload`, found after `schedules` schedules;
    /// `shrunk_from` says what the failure was before shrinking made it smaller.
    pub fn of(
        token: ReplayToken,
        limits: Limits,
        workload: Workload,
        failure: &FailedRun,
        schedules: usize,
        shrunk_from: Option<String>,
    ) -> FailureRecord {
        let mut token = token;
        if let Verdict::Fail(f) = &failure.verdict {
            token.oracle = Some(f.oracle);
        }
        FailureRecord {
            token,
            limits,
            workload,
            verdict: failure.verdict.clone(),
            history: failure.history.clone(),
            schedules,
            shrunk_from,
            shrink_note: None,
            fingerprint: Some(Fingerprint::current()),
        }
    }

    /// Writes the record under `dir` and returns its path. The name is stable for one failure, so
    /// finding the same failure again overwrites its record instead of piling up copies. Its picture
    /// (see [`crate::timeline`]) is written beside it, under the same name ending in `.html`.
    ///
    /// Both files are written in full under temporary names in `dir` before either is renamed into
    /// place, the picture first: `Ok` means both are complete on disk; when either cannot be
    /// written, neither is renamed and a record written before for the same failure is left as it
    /// was.
    pub fn write(&self, dir: &Path) -> std::io::Result<PathBuf> {
        self.write_as(dir, &self.file_stem())
    }

    /// [`FailureRecord::write`] under the name `stem` (a replay's record beside the original's).
    pub fn write_as(&self, dir: &Path, stem: &str) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_string_pretty(self).expect("a record always serialises");
        let path = dir.join(format!("{stem}.json"));
        let picture = picture_path(&path);
        let html = timeline::html(&self.page(&path.display().to_string()));
        let staged_picture = Staged::new(&picture, html.as_bytes())?;
        let staged_record = Staged::new(&path, json.as_bytes())?;
        staged_picture.commit()?;
        staged_record.commit()?;
        Ok(path)
    }

    /// The record's file name without its extension: model, structure, engine and a hash of the
    /// replay token. The names are cut to a length a file system takes, and any character other
    /// than a letter, a digit, `.`, `_` and `-` becomes `_`, so that a name from a scenario file
    /// cannot lead the record out of its folder.
    pub fn file_stem(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.token.encode().bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        let safe = |s: &str| -> String {
            let s: String = s
                .chars()
                .take(60)
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            s.trim_start_matches('.').to_string()
        };
        format!(
            "{}--{}--{}--{:08x}",
            safe(&self.token.model),
            safe(&self.token.structure),
            self.token.engine.family(),
            h as u32
        )
    }

    /// Writes the failure's timeline picture, a self-contained HTML page, to `path`; `replay_arg`
    /// is what the page gives to `cargo xtask replay`. Atomically: a temporary file beside it, then
    /// a rename.
    pub fn write_picture(&self, path: &Path, replay_arg: &str) -> std::io::Result<()> {
        write_atomic(path, timeline::html(&self.page(replay_arg)).as_bytes())
    }

    /// Writes the failure's picture to `path`, naming `replay` (label, command) as the ways to run
    /// it again (atomically, as [`FailureRecord::write_picture`]).
    pub fn write_picture_with(&self, path: &Path, replay: Vec<(String, String)>) -> std::io::Result<()> {
        let mut page = self.page("");
        page.replay = replay;
        write_atomic(path, timeline::html(&page).as_bytes())
    }

    /// What the failure's picture shows.
    pub fn page(&self, replay_arg: &str) -> Page<'_> {
        Page {
            model: &self.token.model,
            structure: &self.token.structure,
            engine: self.token.engine.to_string(),
            verdict: &self.verdict,
            history: &self.history,
            threads: self.workload.threads.len(),
            schedules: self.schedules,
            shrunk: self
                .shrunk_from
                .as_ref()
                .map(|from| format!("from {from} to {}", describe(&self.workload)))
                .or_else(|| self.shrink_note.clone()),
            replay: vec![
                ("replay".into(), format!("cargo xtask replay {replay_arg}")),
                (
                    "replay token".into(),
                    format!("cargo xtask replay {}", self.token.encode()),
                ),
            ],
        }
    }

    /// Reads the record at `path`: at most [`bounds::MAX_RECORD_BYTES`], and within the bounds.
    pub fn read(path: &Path) -> Result<FailureRecord, String> {
        use std::io::Read as _;
        let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
        let file = std::fs::File::open(path).map_err(cannot)?;
        let mut bytes = Vec::new();
        file.take(bounds::MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        if bytes.len() as u64 > bounds::MAX_RECORD_BYTES {
            return Err(format!(
                "{}: a failure record is at most {} bytes; this file is larger",
                path.display(),
                bounds::MAX_RECORD_BYTES
            ));
        }
        FailureRecord::parse(&path.display().to_string(), &bytes)
    }

    /// Parses a record's bytes (`file` names it in errors) and checks it against the bounds.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<FailureRecord, String> {
        let record: FailureRecord = serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "{file}:{}:{}: not a mapcheck failure record: {}",
                e.line(),
                e.column(),
                bounds::excerpt(&strip_position(&e.to_string()), 120)
            )
        })?;
        record
            .validate()
            .map_err(|e| format!("{file}: the record is out of bounds: {e}"))?;
        Ok(record)
    }

    /// Checks every size the record carries against [`crate::bounds`].
    pub fn validate(&self) -> Result<(), String> {
        self.token.validate().map_err(|e| format!("token: {e}"))?;
        bounds::limits("limits", &self.limits)?;
        bounds::workload("workload", &self.workload)?;
        bounds::history("history", &self.history)
    }

    /// The human-readable report: oracle, evidence, the interleaving as a per-thread table, the
    /// picture (when `replay_arg` is a record's path, the `.html` beside it) and the replay command.
    pub fn render(&self, replay_arg: &str) -> String {
        let picture = replay_arg
            .ends_with(".json")
            .then(|| picture_path(Path::new(replay_arg)));
        self.render_with_picture(replay_arg, picture.as_deref())
    }

    /// [`FailureRecord::render`] naming `picture` as the failure's timeline picture.
    pub fn render_with_picture(&self, replay_arg: &str, picture: Option<&Path>) -> String {
        self.render_for(&format!("cargo xtask replay {replay_arg}"), picture)
    }

    /// The report, ending with `replay`, the command that runs the failure again. No line is
    /// wider than [`report::WIDTH`] columns but a replay token's own (a shell word cannot be cut).
    pub fn render_for(&self, replay: &str, picture: Option<&Path>) -> String {
        let mut out = String::new();
        let t = &self.token;
        out.push_str(&report::wrap(
            "FAILURE  ",
            &format!(
                "model {}  structure {}  engine {}",
                t.model, t.structure, t.engine
            ),
        ));
        match &self.verdict {
            Verdict::Fail(f) => {
                let _ = writeln!(out, "oracle   {}", f.oracle);
                out.push_str(&report::wrap("evidence ", &f.summary));
            }
            other => out.push_str(&report::wrap("verdict  ", &format!("{other:?}"))),
        }
        let _ = writeln!(out, "found after {} schedule(s)", self.schedules);
        if let Some(from) = &self.shrunk_from {
            out.push_str(&report::wrap(
                "",
                &format!("shrunk from {from} to {}", describe(&self.workload)),
            ));
        }
        if let Some(note) = &self.shrink_note {
            out.push_str(&report::wrap("", note));
        }
        out.push('\n');
        out.push_str(&table(&self.history, evidence(&self.verdict)));
        out.push('\n');
        if let Some(p) = picture {
            out.push_str(&report::wrap(
                "picture: ",
                &format!("{} (open it in a browser)", p.display()),
            ));
        }
        out.push_str(&shell_lines("replay:  ", replay));
        out
    }
}

/// serde_json's message without its trailing ` at line L column C` (the caller says where).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk, then
/// renamed over `path`. A reader sees the old file or the whole new one, never a part; on an error
/// the temporary file is removed and `path` is as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    Staged::new(path, bytes)?.commit()
}

/// A file written under a temporary name beside its destination, not yet renamed over it; dropped
/// without [`Staged::commit`], it is removed. Temporary names are unique per process and call, so
/// processes writing one folder do not meet.
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
}

impl Staged {
    fn new(path: &Path, bytes: &[u8]) -> std::io::Result<Staged> {
        use std::io::Write as _;
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let staged = Staged {
            tmp: path.with_file_name(format!(
                ".{name}.{}-{}.tmp",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            )),
            path: path.to_path_buf(),
        };
        let mut f = std::fs::File::create(&staged.tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(staged)
    }

    fn commit(self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)
        // Drop removes the temporary file if the rename did not take it.
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// `command` after `first`, broken at spaces into lines of at most [`report::WIDTH`] columns that
/// end in ` \\` (a shell joins them back): first after a leading `NAME=value` (so that the command
/// it sets starts a line of its own), then wherever a word would pass the width. A word wider than
/// a line stays whole.
pub fn shell_lines(first: &str, command: &str) -> String {
    let indent = " ".repeat(first.len() + 2);
    if first.len() + command.chars().count() <= report::WIDTH {
        return format!("{first}{command}\n");
    }
    let mut out = String::from(first);
    let mut line_len = first.len();
    let words: Vec<&str> = command.split(' ').collect();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let after_env = i == 1 && words[0].contains('=');
            if after_env || line_len + 1 + word.chars().count() + 2 > report::WIDTH {
                out.push_str(" \\\n");
                out.push_str(&indent);
                line_len = indent.len();
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(word);
        line_len += word.chars().count();
    }
    out.push('\n');
    out
}

/// Where the picture of the record at `record_path` goes: the same name, ending in `.html`.
pub fn picture_path(record_path: &Path) -> PathBuf {
    record_path.with_extension("html")
}

fn evidence(v: &Verdict) -> &[usize] {
    match v {
        Verdict::Fail(f) => &f.evidence,
        _ => &[],
    }
}
