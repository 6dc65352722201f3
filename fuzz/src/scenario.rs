//! The `scenario` target: arbitrary text into the scenario parser, the Markdown importer and the Go
//! importer. None may panic, and every error must render to a message.

use mapcheck_scenario::{self as scenario, go};

/// Parses one input three ways; `Err` names an error that rendered to nothing.
pub fn check(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    for (what, result) in [
        ("parse", scenario::parse("fuzz.toml", &text)),
        ("from_markdown", scenario::from_markdown("fuzz.md", &text)),
    ] {
        if let Err(e) = result {
            if e.render().trim().is_empty() || e.short().trim().is_empty() {
                return Err(format!("scenario::{what}: an error rendered to nothing: {e:?}"));
            }
        }
    }
    if let Err(e) = go::import("fuzz.go", &text, go::Scale::default()) {
        if e.to_string().trim().is_empty() || e.message.trim().is_empty() {
            return Err(format!(
                "scenario::go::import: an error rendered to nothing: {e:?}"
            ));
        }
    }
    Ok(())
}
