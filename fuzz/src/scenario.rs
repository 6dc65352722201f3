//! The `scenario` target: arbitrary text into the scenario parser, the Markdown importer and the Go
//! and Rust importers. None may panic; every error must render to a message that shows at most a
//! window of any line; and every scenario an importer produces must parse back from the file it
//! would write.
//!
//! Each input goes to one reader, so an execution costs one parse: a first byte below 4 picks it
//! (0 the scenario parser, 1 the Markdown importer, 2 the Go importer, 3 the Rust importer) and is
//! not part of the text; any other input is routed by what it looks like, so the seeds (scenario
//! files, Go and Rust reproducers) reach their own reader, and a mutated first byte reaches the
//! others.

use mapcheck_scenario::{self as scenario, go, rust, Scenario, ScenarioError};

/// Characters a rendered diagnostic's line may hold at most: the 200-character window of the
/// input, its `...` marks, and miette's gutter.
const MAX_RENDERED_LINE: usize = 260;

/// The readers an input can go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Scenario,
    Markdown,
    Go,
    Rust,
}

/// The reader an input goes to, and its text.
pub fn route(data: &[u8]) -> (Reader, std::borrow::Cow<'_, str>) {
    const READERS: [Reader; 4] = [Reader::Scenario, Reader::Markdown, Reader::Go, Reader::Rust];
    if let Some(&b) = data.first().filter(|b| **b < 4) {
        return (READERS[b as usize], String::from_utf8_lossy(&data[1..]));
    }
    let text = String::from_utf8_lossy(data);
    let reader = if text.contains("```") {
        Reader::Markdown
    } else if text.contains("[[thread]]") || text.starts_with('#') || text.contains("source =") {
        Reader::Scenario
    } else if text.contains("fn ") && !text.contains("func ") {
        Reader::Rust
    } else {
        Reader::Go
    };
    (reader, text)
}

/// Feeds one input to its reader; `Err` names the broken property.
pub fn check(data: &[u8]) -> Result<(), String> {
    let (reader, text) = route(data);
    match reader {
        Reader::Scenario => check_scenario(&text),
        Reader::Markdown => match scenario::from_markdown("fuzz.md", &text) {
            Ok(_) => Ok(()),
            Err(e) => rendered("from_markdown", &e),
        },
        Reader::Go => check_go(&text),
        Reader::Rust => check_rust(&text),
    }
}

fn check_scenario(text: &str) -> Result<(), String> {
    match scenario::parse("fuzz.toml", text) {
        // A file that parses writes back to one that parses to the same scenario.
        Ok(s) => parses_back("parse", &s),
        Err(e) => rendered("parse", &e),
    }
}

fn check_go(text: &str) -> Result<(), String> {
    match go::import("fuzz.go", text, go::Scale::default()) {
        Ok(g) => parses_back("go::import", &g.scenario)?,
        Err(e) if e.message.trim().is_empty() => {
            return Err(format!(
                "scenario::go::import: an error rendered to nothing: {e:?}"
            ))
        }
        Err(_) => {}
    }
    Ok(())
}

fn check_rust(text: &str) -> Result<(), String> {
    match rust::import("fuzz.rs", text, go::Scale::default()) {
        Ok(r) => parses_back("rust::import", &r.scenario)?,
        Err(e) if e.message.trim().is_empty() => {
            return Err(format!(
                "scenario::rust::import: an error rendered to nothing: {e:?}"
            ))
        }
        Err(_) => {}
    }
    Ok(())
}

fn rendered(what: &str, e: &ScenarioError) -> Result<(), String> {
    let r = e.render();
    if r.trim().is_empty() || e.short().trim().is_empty() {
        return Err(format!("scenario::{what}: an error rendered to nothing: {e:?}"));
    }
    if let Some(long) = r.lines().find(|l| l.chars().count() > MAX_RENDERED_LINE) {
        return Err(format!(
            "scenario::{what}: a diagnostic line of {} characters: {}",
            long.chars().count(),
            long.chars().take(300).collect::<String>()
        ));
    }
    Ok(())
}

/// An imported scenario's file parses back to a scenario with the same threads.
fn parses_back(what: &str, s: &Scenario) -> Result<(), String> {
    let text = s.to_toml();
    match scenario::parse("imported.toml", &text) {
        Ok(back) if back.threads == s.threads && back.initial == s.initial => Ok(()),
        Ok(_) => Err(format!(
            "scenario::{what}: the written file reads back differently:\n{text}"
        )),
        Err(e) => Err(format!(
            "scenario::{what}: the written file is rejected: {}\n{}",
            e.short(),
            mapcheck_scenario::import::shorten(&text, 2000)
        )),
    }
}
