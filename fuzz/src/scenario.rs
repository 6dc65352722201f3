//! The `scenario` target: arbitrary text into the scenario parser, the Markdown importer and the Go
//! and Rust importers. None may panic; every error must render to a message that shows at most a
//! window of any line; and every scenario an importer produces must parse back from the file it
//! would write.

use mapcheck_scenario::{self as scenario, go, rust, Scenario, ScenarioError};

/// Characters a rendered diagnostic's line may hold at most: the 200-character window of the
/// input, its `...` marks, and miette's gutter.
const MAX_RENDERED_LINE: usize = 260;

/// Feeds one input to every reader; `Err` names the broken property.
pub fn check(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    for (what, result) in [
        ("parse", scenario::parse("fuzz.toml", &text)),
        ("from_markdown", scenario::from_markdown("fuzz.md", &text)),
    ] {
        if let Err(e) = result {
            rendered(what, &e)?;
        }
    }
    match go::import("fuzz.go", &text, go::Scale::default()) {
        Ok(g) => parses_back("go::import", &g.scenario)?,
        Err(e) if e.message.trim().is_empty() => {
            return Err(format!(
                "scenario::go::import: an error rendered to nothing: {e:?}"
            ))
        }
        Err(_) => {}
    }
    match rust::import("fuzz.rs", &text, go::Scale::default()) {
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
