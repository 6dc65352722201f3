//! The benchmark summary: sections of tables, written as Markdown (for people and the README) and
//! JSON (for tools), both from one value.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// Everything one `cargo xtask bench` run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The command that made the figures.
    pub command: String,
    /// UTC date and time the run started, `YYYY-MM-DD HH:MM`.
    pub date: String,
    /// The machine the figures were measured on.
    pub machine: Machine,
    pub quick: bool,
    /// Wall-clock seconds the whole run took.
    pub seconds: f64,
    pub sections: Vec<Section>,
}

/// The machine: CPU model, cores, operating system, and how loaded it was (the load average over
/// the last 1, 5 and 15 minutes, at the start and at the end of the run; `None` where the system
/// does not say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub os: String,
    pub load_average_start: Option<[f64; 3]>,
    pub load_average_end: Option<[f64; 3]>,
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} cores, {}, {}", self.cores, self.cpu, self.os)?;
        let load = |l: &[f64; 3]| format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2]);
        if let (Some(a), Some(b)) = (&self.load_average_start, &self.load_average_end) {
            write!(
                f,
                "; load average {} at the start, {} at the end",
                load(a),
                load(b)
            )?;
        }
        Ok(())
    }
}

/// One table with its notes and the goal it is judged against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Short identifier, stable across runs: `detect`, `throughput`, `checker`, `fuzz`, `scaling`.
    pub id: String,
    pub title: String,
    /// The goal as stated, and whether this run met it (`None`: no goal, or not measurable).
    pub goal: Option<String>,
    pub goal_met: Option<bool>,
    /// Lines under the table: settings, caveats, what limits a figure.
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The raw figures behind the table, for tools.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl Summary {
    /// The summary as Markdown: one heading and one table per section.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# mapcheck benchmarks\n");
        let _ = writeln!(
            out,
            "`{}` on {} ({}), {}; the run took {:.0} s.{}\n",
            self.command,
            self.date,
            self.machine,
            if self.quick { "quick" } else { "full" },
            self.seconds,
            if self.quick {
                " Quick mode: fewer seeds and smaller bounds; run `cargo xtask bench` for the full figures."
            } else {
                ""
            }
        );
        for s in &self.sections {
            let _ = writeln!(out, "## {}\n", s.title);
            if let Some(goal) = &s.goal {
                let met = match s.goal_met {
                    Some(true) => " **met**",
                    Some(false) => " **not met**",
                    None => "",
                };
                let _ = writeln!(out, "Goal: {goal}.{met}\n");
            }
            out.push_str(&table(&s.columns, &s.rows));
            out.push('\n');
            for n in &s.notes {
                let _ = writeln!(out, "- {n}");
            }
            if !s.notes.is_empty() {
                out.push('\n');
            }
        }
        out
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a summary always serialises")
    }

    /// Writes `summary.md` and `summary.json` under `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("summary.md"), self.to_markdown())?;
        std::fs::write(dir.join("summary.json"), self.to_json())
    }
}

/// A Markdown table; `|` inside a cell is escaped and short rows are padded.
pub fn table(columns: &[String], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(columns.iter().map(|c| cell(c)).collect()));
    out.push_str(&line(columns.iter().map(|_| "---".to_string()).collect()));
    for r in rows {
        let mut cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        cells.resize(columns.len(), String::new());
        out.push_str(&line(cells));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> Summary {
        Summary {
            command: "cargo xtask bench --quick".into(),
            date: "2026-01-02 03:04".into(),
            machine: Machine {
                cpu: "AMD EPYC".into(),
                cores: 2,
                os: "linux".into(),
                load_average_start: Some([1.0, 0.5, 0.25]),
                load_average_end: None,
            },
            quick: true,
            seconds: 12.5,
            sections: vec![
                Section {
                    id: "detect".into(),
                    title: "Time to detect".into(),
                    goal: Some("median of 1,000 schedules and 1 s".into()),
                    goal_met: Some(false),
                    notes: vec!["5 seeds (quick)".into()],
                    columns: vec!["mutant".into(), "shuttle-pct".into(), "note".into()],
                    rows: vec![
                        vec!["cow-nocas".into(), "12 / 1.2 ms".into(), "a|b".into()],
                        vec!["short row".into()],
                    ],
                    data: serde_json::json!({"cow-nocas": {"schedules": 12}}),
                },
                Section {
                    id: "fuzz".into(),
                    title: "Fuzz".into(),
                    goal: None,
                    goal_met: None,
                    notes: vec![],
                    columns: vec!["target".into()],
                    rows: vec![vec!["not run".into()]],
                    data: serde_json::Value::Null,
                },
            ],
        }
    }

    #[test]
    fn markdown_tables_are_well_formed() {
        let md = fixed().to_markdown();
        let tables: Vec<Vec<&str>> = md
            .split("\n\n")
            .map(|block| block.lines().filter(|l| l.starts_with('|')).collect::<Vec<_>>())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(tables.len(), 2, "{md}");
        for t in tables {
            // Cells split on unescaped pipes only.
            let cells = |l: &str| l.replace("\\|", "").matches('|').count() - 1;
            let width = cells(t[0]);
            assert!(t[1]
                .split('|')
                .filter(|c| !c.is_empty())
                .all(|c| c.trim() == "---"));
            assert!(t.iter().all(|l| cells(l) == width && l.ends_with('|')), "{t:?}");
        }
        assert!(md.contains("a\\|b"));
        assert!(md.contains("Goal: median of 1,000 schedules and 1 s. **not met**"));
        assert!(md.contains("`cargo xtask bench --quick` on 2026-01-02 03:04 (2 cores, AMD EPYC, linux)"));
    }

    #[test]
    fn json_round_trips() {
        let s = fixed();
        let back: Summary = serde_json::from_str(&s.to_json()).expect("valid JSON");
        assert_eq!(back, s);
    }

    #[test]
    fn writes_both_files() {
        let dir = std::env::temp_dir().join(format!("mapcheck-bench-summary-{}", std::process::id()));
        fixed().write(&dir).unwrap();
        assert!(std::fs::read_to_string(dir.join("summary.md"))
            .unwrap()
            .starts_with("# mapcheck"));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        assert_eq!(v["sections"][0]["id"], "detect");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
