//! The `replay` target: arbitrary bytes read as `mapcheck replay` reads its argument, a replay
//! token or a failure record. Nothing may panic or hang; every refusal is one line under 200
//! characters; whatever is accepted is within the bounds (`mapcheck::bounds`), survives a round
//! trip through its own encoding, builds a workload within the bounds, and (when its pinned run is
//! small) replays to a verdict.
//!
//! A first byte of 0 makes the rest a token's JSON (encoded as `mc1-` and base64 here, so that
//! libFuzzer's mutations reach the token's fields rather than its base64), 1 a record's JSON; any
//! other input is a token when it starts with `mc1-`, a record when it names a `token`, and else a
//! token's JSON.

use base64::Engine as _;
use mapcheck::bounds;
use mapcheck::runner::{self, ReplayInput, Replayed};
use mapcheck::{FailureRecord, Registry, ReplayToken};
use mapcheck_harness::{Engine, Pinned};
use std::sync::OnceLock;

/// What an input is read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Token(String),
    Record(Vec<u8>),
}

/// Reads an input as a token or a record (see the module's documentation).
pub fn route(data: &[u8]) -> Input {
    let token_of = |json: &[u8]| {
        Input::Token(format!(
            "mc1-{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        ))
    };
    match data.first() {
        Some(0) => token_of(&data[1..]),
        Some(1) => Input::Record(data[1..].to_vec()),
        _ if data.starts_with(b"mc1-") => Input::Token(String::from_utf8_lossy(data).into_owned()),
        _ if data.windows(7).any(|w| w == b"\"token\"") => Input::Record(data.to_vec()),
        _ => token_of(data),
    }
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::of(mapcheck_models::structures()))
}

/// Feeds one input to the readers; `Err` names the broken property.
pub fn check(data: &[u8]) -> Result<(), String> {
    match route(data) {
        Input::Token(text) => match ReplayToken::decode(&text) {
            Err(e) => refused("ReplayToken::decode", &e),
            Ok(t) => token(t),
        },
        Input::Record(bytes) => match FailureRecord::parse("fuzz.json", &bytes) {
            Err(e) => refused("FailureRecord::parse", &e),
            Ok(r) => record(r),
        },
    }
}

/// A refusal is one short line that says something.
fn refused(what: &str, e: &str) -> Result<(), String> {
    if e.trim().is_empty() || e.contains('\n') || e.chars().count() >= 200 {
        return Err(format!(
            "{what}: a refusal that is empty, several lines or 200 characters or more: {}",
            bounds::excerpt(e, 400)
        ));
    }
    Ok(())
}

fn token(t: ReplayToken) -> Result<(), String> {
    match ReplayToken::decode(&t.encode()) {
        Ok(back) if back == t => {}
        other => {
            return Err(format!(
                "a token does not read back as itself: {t:?} -> {other:?}"
            ))
        }
    }
    match ReplayInput::of_token(t) {
        Err(e) => refused("ReplayInput::of_token", &e),
        Ok(input) => {
            if let Err(e) = bounds::workload("workload", &input.workload) {
                return Err(format!(
                    "a token within the bounds built a workload outside them: {e} ({:?})",
                    input.token
                ));
            }
            replay(&input)
        }
    }
}

fn record(r: FailureRecord) -> Result<(), String> {
    let json = serde_json::to_vec(&r).map_err(|e| format!("a record does not serialise: {e}"))?;
    match FailureRecord::parse("again.json", &json) {
        Ok(back) if back == r => {}
        Ok(_) => return Err("a record does not read back as itself".into()),
        Err(e) => return Err(format!("a record written is refused when read back: {e}")),
    }
    match ReplayInput::of_record(registry(), r, "fuzz.json") {
        Err(e) => refused("ReplayInput::of_record", &e),
        Ok(input) => replay(&input),
    }
}

/// Whether the input's pinned run is small enough to replay at fuzzing speed: loom and shuttle
/// (real threads are neither fast nor repeatable), a few operations, an early permutation or a
/// short schedule.
pub fn cheap(input: &ReplayInput) -> bool {
    let ops: usize = input.workload.threads.iter().map(Vec::len).sum();
    let small_engine = match input.token.engine {
        Engine::Loom { preemption_bound } => preemption_bound <= 3,
        Engine::Threads { .. } => false,
        _ => true,
    };
    let small_pin = match &input.token.pinned {
        Pinned::Loom { execution } => *execution <= 32,
        Pinned::Shuttle { steps, .. } => steps.len() <= 2048,
        Pinned::Threads { .. } => false,
    };
    small_engine && small_pin && ops <= 24 && input.workload.threads.len() <= 4
}

fn replay(input: &ReplayInput) -> Result<(), String> {
    if !cheap(input) {
        return Ok(());
    }
    let outcome = match runner::replay(registry(), input) {
        Ok(o) => o,
        Err(e) => return refused("runner::replay", &e),
    };
    let said = Replayed::of(input.expected(), &outcome).describe();
    if said.trim().is_empty() {
        return Err("a replay that says nothing".into());
    }
    Ok(())
}
