//! What the importers' tests share: import a source (a failure is the test's), check that the
//! file the import would write parses back, and read the result.

use crate::{go, parse, rust, Scenario};

/// An import's scenario and the lines it could not translate.
pub struct Imported {
    pub scenario: Scenario,
    pub untranslated: Vec<(usize, String)>,
}

impl Imported {
    fn checked(scenario: Scenario, untranslated: Vec<(usize, String)>) -> Imported {
        let text = scenario.to_toml();
        let back = parse("t.toml", &text).unwrap_or_else(|e| panic!("{}\n{text}", e.render()));
        assert_eq!(back.threads, scenario.threads);
        Imported {
            scenario,
            untranslated,
        }
    }

    /// Each thread's operations as the file writes them.
    pub fn ops(&self) -> Vec<Vec<String>> {
        self.scenario
            .threads
            .iter()
            .map(|t| t.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    pub fn notes(&self) -> String {
        self.scenario.notes.join("\n")
    }

    /// The structures expected to fail or to report a finding.
    pub fn expected(&self) -> Vec<String> {
        self.scenario.expect.iter().map(|(n, _)| n.name.clone()).collect()
    }

    pub fn expects(&self, structure: &str) -> bool {
        self.expected().iter().any(|n| n == structure)
    }
}

pub fn go(src: &str) -> Imported {
    let g = go::import("t.go", src, go::Scale::default()).unwrap_or_else(|e| panic!("{e}\n{src}"));
    Imported::checked(g.scenario, g.untranslated)
}

pub fn rust(src: &str) -> Imported {
    let r = rust::import("t.rs", src, go::Scale::default()).unwrap_or_else(|e| panic!("{e}\n{src}"));
    Imported::checked(r.scenario, r.untranslated)
}
