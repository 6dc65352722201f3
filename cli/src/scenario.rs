//! `mapcheck scenario list|run|import`: scenario files from bug reports, Go reproducers and the
//! harness's own failures.

use anyhow::{bail, Context, Result};
use mapcheck::runner::failures_dir;
use mapcheck::{FailureRecord, Registry};
use mapcheck_scenario::run::{files, from_record, render, resolve, run, Filter};
use mapcheck_scenario::{self as scenario, go, Scenario, ScenarioError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// List the scenarios with their source and expectations.
    List {
        /// Files or folders (default: scenarios/).
        paths: Vec<PathBuf>,
    },
    /// Run scenarios on their structures under their engines and grade each against its expectation.
    Run {
        /// Files or folders (default: scenarios/).
        paths: Vec<PathBuf>,
        /// Only these structures (repeatable).
        #[arg(long = "structure")]
        structures: Vec<String>,
        /// Only these engines (repeatable): loom, shuttle-random, shuttle-pct, shuttle-dfs, threads.
        #[arg(long = "engine")]
        engines: Vec<String>,
    },
    /// Turn a failure record or token, a Markdown bug report, or a Go or Rust reproducer into a
    /// scenario file, then run it; a scenario that does not meet its own expectation is not kept.
    Import {
        /// A failure record (`target/mapcheck/failures/*.json`), a replay token (`mc1-...`), a Markdown
        /// report (`*.md`), a Rust reproducer (`*.rs`), or a Go reproducer (`*.go`, or `FILE:FIRST-LAST`
        /// for some lines of a file).
        input: String,
        /// Where to write the scenario (default: scenarios/NAME.toml).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
        /// Write the file without running it.
        #[arg(long)]
        no_run: bool,
    },
}

pub fn main(registry: &Registry, cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::List { paths } => list(registry, &paths),
        Command::Run {
            paths,
            structures,
            engines,
        } => run_all(
            registry,
            &paths,
            &Filter {
                structures,
                engines,
                passing_schedules: None,
            },
        ),
        Command::Import {
            input,
            out,
            force,
            no_run,
        } => import(registry, &input, out, force, no_run),
    }
}

fn diagnostic(e: &ScenarioError) -> anyhow::Error {
    let text = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        e.render_color()
    } else {
        e.render()
    };
    anyhow::Error::msg(text)
}

/// Reads a text input (a scenario file, a reproducer): at most `MAX_TEXT_BYTES`, and UTF-8; the
/// error says which of the two it is not, or why the file could not be read.
fn read_text(path: &Path) -> Result<String> {
    use std::io::Read as _;
    let max = mapcheck::bounds::MAX_TEXT_BYTES;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        bail!(
            "cannot read {}: it is larger than {max} bytes, the most a text input may be",
            path.display()
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        anyhow::anyhow!(
            "cannot read {}: not a text file (the bytes at offset {at} are not UTF-8)",
            path.display()
        )
    })
}

/// A diagnostic returned to `main`, which prints it after `error: `: without its own prefix.
fn returned(e: &ScenarioError) -> anyhow::Error {
    let text = diagnostic(e).to_string();
    anyhow::Error::msg(text.strip_prefix("error: ").map(str::to_string).unwrap_or(text))
}

fn load(registry: &Registry, path: &Path) -> Result<Scenario> {
    let text = read_text(path)?;
    let s = scenario::parse(&path.display().to_string(), &text).map_err(|e| diagnostic(&e))?;
    resolve(registry, &s).map_err(|e| diagnostic(&e))?;
    Ok(s)
}

fn all_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let default = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            bail!("no such file or folder: {}", p.display());
        }
        out.extend(files(p).with_context(|| format!("cannot read {}", p.display()))?);
    }
    Ok(out)
}

fn list(registry: &Registry, paths: &[PathBuf]) -> Result<ExitCode> {
    let mut bad = 0;
    for path in all_files(paths)? {
        match load(registry, &path) {
            Ok(s) => {
                println!("{}  ({})", s.name, path.display());
                println!("  source: {}", s.source);
                let threads: Vec<String> = s.threads.iter().map(|t| t.len().to_string()).collect();
                let engines: Vec<String> = s.engines.iter().map(|e| e.to_string()).collect();
                println!(
                    "  {} thread(s) of {} op(s), {} initial entr{}; engines {}",
                    s.threads.len(),
                    threads.join("+"),
                    s.initial.len(),
                    if s.initial.len() == 1 { "y" } else { "ies" },
                    engines.join(", ")
                );
                let expect: Vec<String> = s.expect.iter().map(|(n, e)| format!("{} {e}", n.name)).collect();
                println!(
                    "  expect: every other structure passes{}{}",
                    if expect.is_empty() { "" } else { "; " },
                    expect.join("; ")
                );
                if let Some(p) = &s.pinned {
                    println!("  pinned: {} under {}", p.structure.name, p.engine);
                }
            }
            Err(e) => {
                bad += 1;
                eprintln!("{e:#}");
            }
        }
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_all(registry: &Registry, paths: &[PathBuf], filter: &Filter) -> Result<ExitCode> {
    // A filter that names nothing would run nothing and report every scenario as expected.
    for s in &filter.structures {
        registry
            .require(s)
            .map_err(|e| anyhow::anyhow!("--structure: {e}"))?;
    }
    let engines = filter
        .engines
        .iter()
        .map(|e| {
            mapcheck_harness::EngineSpec::parse(e)
                .map(|spec| spec.family().to_string())
                .map_err(|m| anyhow::anyhow!("--engine: {m}"))
        })
        .collect::<Result<Vec<String>>>()?;
    let filter = &Filter {
        structures: filter.structures.clone(),
        engines,
        passing_schedules: None,
    };
    let mut failed = Vec::new();
    let files = all_files(paths)?;
    for path in &files {
        let s = match load(registry, path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e:#}");
                failed.push(path.display().to_string());
                continue;
            }
        };
        let result = run(registry, &s, filter, &failures_dir()).map_err(|e| returned(&e))?;
        print!("{}", render(&result, &path.display().to_string()));
        if !result.ok() {
            failed.push(path.display().to_string());
        }
    }
    println!(
        "{} scenario(s), {} as expected{}",
        files.len(),
        files.len() - failed.len(),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; NOT as expected: {}", failed.join(", "))
        }
    );
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `FILE:FIRST-LAST` picks lines of a file (1-based, inclusive).
fn line_range(input: &str) -> Option<(&str, usize, usize)> {
    let (file, range) = input.rsplit_once(':')?;
    let (a, b) = range.split_once('-')?;
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    (a >= 1 && b >= a).then_some((file, a, b))
}

fn import(
    registry: &Registry,
    input: &str,
    out: Option<PathBuf>,
    force: bool,
    no_run: bool,
) -> Result<ExitCode> {
    let path = Path::new(input);
    let mut untranslated: Vec<(usize, String)> = Vec::new();
    let scenario = if input.starts_with("mc1-") || path.extension().is_some_and(|e| e == "json") {
        let record = if input.starts_with("mc1-") && !path.exists() {
            record_from_token(registry, input)?
        } else {
            FailureRecord::read(path).map_err(anyhow::Error::msg)?
        };
        let t = &record.token;
        let name = format!("{}-{}", t.model.trim_start_matches("scenario-"), t.structure);
        let source = format!(
            "a harness failure: model {} on {} under {}, {}",
            t.model,
            t.structure,
            t.engine,
            if path.exists() {
                format!("record {input}")
            } else {
                format!("token {input}")
            }
        );
        from_record(&record, &name, &source)
    } else if path.extension().is_some_and(|e| e == "md" || e == "markdown") {
        let text = read_text(path)?;
        scenario::from_markdown(input, &text).map_err(|e| returned(&e))?
    } else if path.extension().is_some_and(|e| e == "rs") {
        let text = read_text(path)?;
        let r = scenario::rust::import(input, &text, go::Scale::default())
            .map_err(|e| anyhow::anyhow!("{input}: {e}"))?;
        for (line, why) in &r.untranslated {
            eprintln!("{input}: line {line}: {why}");
        }
        untranslated = r.untranslated;
        r.scenario
    } else {
        let (file, text) = match line_range(input) {
            Some((file, a, b)) if !path.exists() => {
                let text = read_text(Path::new(file))?;
                let lines: Vec<&str> = text.lines().collect();
                if b > lines.len() {
                    bail!("{file} has {} lines; cannot take lines {a}-{b}", lines.len());
                }
                // Blank lines in front keep the importer's line numbers those of the file.
                (
                    input.to_string(),
                    "\n".repeat(a - 1) + &lines[a - 1..b].join("\n"),
                )
            }
            _ => {
                if !path.exists() {
                    bail!("no such file: {input} (expected a failure record, a token, a .md report, a Go or a Rust reproducer)");
                }
                let text = read_text(path)?;
                (input.to_string(), text)
            }
        };
        let g = go::import(&file, &text, go::Scale::default()).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        for (line, why) in &g.untranslated {
            eprintln!("{file}: line {line}: {why}");
        }
        untranslated = g.untranslated;
        g.scenario
    };
    let mut scenario = scenario;
    if let Some(stem) = out.as_ref().and_then(|o| o.file_stem()) {
        scenario.name = stem.to_string_lossy().into_owned();
    }
    resolve(registry, &scenario).map_err(|e| returned(&e))?;
    let out = out.unwrap_or_else(|| PathBuf::from("scenarios").join(format!("{}.toml", scenario.name)));
    if out.exists() && !force {
        bail!(
            "{} exists; choose another file with --out, or overwrite it with --force",
            out.display()
        );
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = scenario.to_toml();
    // What is written must read back: the file is the product of the import.
    let reread = scenario::parse(&out.display().to_string(), &text).map_err(|e| returned(&e))?;
    if !reread.can_fail() {
        // A file whose every structure must pass and that pins no schedule could never fail: it
        // would test nothing.
        eprintln!(
            "no hazard recognised: no structure is expected to fail and no schedule is pinned, so the \
             scenario could never fail; {} is not written",
            out.display()
        );
        print_untranslated(&untranslated);
        for n in &reread.notes {
            eprintln!("  note: {n}");
        }
        return Ok(ExitCode::FAILURE);
    }
    if !no_run {
        // The first run decides whether the file is kept: a scenario that does not meet its own
        // expectation would fail the test suite for a reason that is the importer's, not a bug's.
        let result = run(registry, &reread, &Filter::default(), &failures_dir()).map_err(|e| returned(&e))?;
        print!("{}", render(&result, &out.display().to_string()));
        if !result.ok() {
            eprintln!("hazard not reproduced: the imported scenario does not meet its own expectation; {} is not written", out.display());
            for s in result.structures.iter().filter(|s| s.mismatch.is_some()) {
                eprintln!("  {}: {}", s.structure, s.mismatch.as_deref().unwrap_or(""));
            }
            if untranslated.is_empty() {
                eprintln!("  every line of the input was translated; the scaled-down script does not reach the hazard");
            } else {
                print_untranslated(&untranslated);
            }
            for n in &reread.notes {
                eprintln!("  note: {n}");
            }
            return Ok(ExitCode::FAILURE);
        }
    }
    std::fs::write(&out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {}", out.display());
    for n in &reread.notes {
        println!("  note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

fn print_untranslated(untranslated: &[(usize, String)]) {
    if !untranslated.is_empty() {
        eprintln!("  what could not be translated:");
        for (line, why) in untranslated {
            eprintln!("    line {line}: {why}");
        }
    }
}

fn record_from_token(registry: &Registry, token: &str) -> Result<FailureRecord> {
    let input = mapcheck::runner::replay_input(registry, token).map_err(anyhow::Error::msg)?;
    let outcome = mapcheck::runner::replay(registry, &input).map_err(anyhow::Error::msg)?;
    let Some(f) = outcome.failure else {
        bail!(
            "the token's run did not fail when replayed ({:?}); nothing to import",
            outcome.verdict
        );
    };
    Ok(FailureRecord::of(
        input.token,
        input.limits,
        input.workload,
        &f,
        outcome.schedules,
        None,
    ))
}
