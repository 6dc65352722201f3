//! Coverage instrumentation of the code under test only: `cargo xtask fuzz` builds the fuzz targets
//! with this program (xtask itself) as rustc's wrapper, which keeps cargo-fuzz's coverage flags for
//! the crates named in the plan and removes them from every other crate.
//!
//! cargo-fuzz passes `-Cpasses=sancov-module` and the `-Cllvm-args=-sanitizer-coverage-*` flags
//! through `RUSTFLAGS` to every crate, so every dependency (loom, shuttle's runtime, serde, the
//! checker, miette) got coverage counters and comparison tracing, and libFuzzer collected the
//! features of all of them after every execution; [`PLAN`] says what is instrumented now. The plan
//! travels in `RUSTFLAGS` as a marker (`--cfg=mapcheck_fuzz_cover="..."`, removed before rustc sees
//! it), so a change of plan rebuilds the fuzz targets' crates rather than mixing builds of two
//! plans. Sanitizer flags (AddressSanitizer), `--cfg fuzzing` and everything else cargo-fuzz passes
//! stay on every crate. Commands other than `cargo xtask fuzz` (`cargo fuzz` by hand,
//! ClusterFuzzLite's build) instrument every crate as before.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Set on the `cargo fuzz` command: its presence makes xtask act as rustc's wrapper; its value is
/// the wrapper that was set before (`RUSTC_WRAPPER`, sccache for one), run in turn, or empty.
pub const WRAPPER_VAR: &str = "MAPCHECK_FUZZ_RUSTC_WRAPPER";

/// Overrides [`PLAN`]: `all` (every crate instrumented, as cargo-fuzz alone does) or a plan in the
/// same syntax.
pub const PLAN_VAR: &str = "MAPCHECK_FUZZ_COVER";

/// The marker's prefix in `RUSTFLAGS`.
const MARKER: &str = "--cfg=mapcheck_fuzz_cover=";

/// The crates instrumented for coverage, comma-separated; `+cmp` keeps comparison tracing too
/// (libFuzzer's table of compared values, which mutations draw from). Every other crate is compiled
/// without coverage. Crate names as rustc spells them (`-` is `_`); the fuzz targets' own crates
/// (`ops`, `schedules`, ...) are the binaries.
///
/// The code under test: the structures (`mapcheck_models`), the scenario readers
/// (`mapcheck_scenario`, for `scenario`), the token and record readers (`mapcheck`, for `replay`),
/// and the fuzz crate, where `ops` and `schedules` instantiate the engine's generic run for each
/// structure: a structure's methods and the exploration runtime's generic code (the sequential
/// engine, shuttle's scheduling of the structure's threads) are compiled there, so they are
/// instrumented with it. The harness's own compiled code is the verdict (the oracles, the
/// sequential map, the allocation counting): instrumenting it made every input report the edges of
/// judging it, which libFuzzer then collected and compared on every execution, without steering the
/// input towards anything the structures do. Loom, shuttle's compiled runtime, serde and every other
/// dependency are outside the plan too.
pub const PLAN: &str =
    "mapcheck_fuzz+cmp,mapcheck_models+cmp,mapcheck_scenario+cmp,mapcheck+cmp,ops,schedules,scenario,replay";

/// How one crate is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cover {
    /// As cargo-fuzz builds it: edge counters and comparison tracing.
    Full,
    /// Edge counters only.
    Edges,
    /// No coverage instrumentation.
    None,
}

/// The plan in force: [`PLAN_VAR`] when set, else [`PLAN`]. `None` means every crate as
/// cargo-fuzz builds it (no wrapper).
pub fn plan() -> Option<String> {
    match std::env::var(PLAN_VAR) {
        Ok(p) if p.trim() == "all" => None,
        Ok(p) if !p.trim().is_empty() => Some(p.trim().to_string()),
        _ => Some(PLAN.to_string()),
    }
}

/// How `krate` is built under `plan`.
pub fn cover(plan: &str, krate: &str) -> Cover {
    for item in plan.split(',').map(str::trim) {
        let (name, cmp) = match item.strip_suffix("+cmp") {
            Some(n) => (n, true),
            None => (item, false),
        };
        if name == krate {
            return if cmp { Cover::Full } else { Cover::Edges };
        }
    }
    Cover::None
}

/// The marker that carries `plan` in `RUSTFLAGS`.
pub fn marker(plan: &str) -> String {
    format!("{MARKER}\"{plan}\"")
}

/// Sets up `c` (a `cargo fuzz` command) to build through this wrapper with `plan`; when this
/// program cannot provide itself as the wrapper, says so and leaves `c` to instrument every crate.
pub fn configure(c: &mut Command, plan: &str, root: &Path) {
    let me = match stable_copy(&root.join("target").join("mapcheck").join("fuzz")) {
        Ok(me) => me,
        Err(e) => {
            eprintln!("fuzz: every crate instrumented (xtask cannot copy itself to wrap rustc: {e})");
            return;
        }
    };
    let inner = std::env::var_os("RUSTC_WRAPPER").unwrap_or_default();
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push(' ');
    }
    flags.push_str(&marker(plan));
    c.env("RUSTC_WRAPPER", me)
        .env(WRAPPER_VAR, inner)
        .env("RUSTFLAGS", flags);
}

/// A copy of this program in `dir`, at a path no build replaces, to be rustc's wrapper. Its own
/// path will not do: `cargo xtask ci` builds the workspace's tests, which relinks
/// `target/debug/xtask` while this process runs, after which the path of the running program names
/// a deleted file (`... (deleted)` on Linux) that cargo cannot start. The copy is written beside
/// and renamed into place, so a fuzz build still running the previous copy keeps it.
fn stable_copy(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    // On Linux the running program stays readable here even once its file is replaced.
    let me = if cfg!(target_os = "linux") {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe()?
    };
    let tmp = dir.join(format!(".rustc-wrapper.{}", std::process::id()));
    std::fs::copy(&me, &tmp)?;
    let wrapper = dir.join(if cfg!(windows) {
        "rustc-wrapper.exe"
    } else {
        "rustc-wrapper"
    });
    std::fs::rename(&tmp, &wrapper)?;
    Ok(wrapper)
}

/// Whether `arg` is one of cargo-fuzz's coverage flags; `cmp_only`: only comparison tracing.
fn is_coverage(arg: &str, cmp_only: bool) -> bool {
    if arg == "-Cllvm-args=-sanitizer-coverage-trace-compares" {
        return true;
    }
    if cmp_only {
        return false;
    }
    arg == "-Cpasses=sancov-module"
        || arg.starts_with("-Cllvm-args=-sanitizer-coverage-")
        // Keeps branches apart for finer coverage; without coverage it only slows the code.
        || arg == "-Cllvm-args=-simplifycfg-branch-fold-threshold=0"
}

/// rustc's arguments as the wrapper passes them on: the marker removed, and the coverage flags
/// removed from a crate the plan does not instrument (comparison tracing from one it instruments
/// without). Arguments without the marker pass unchanged.
pub fn rewrite(args: Vec<OsString>) -> Vec<OsString> {
    let plan = args.iter().find_map(|a| {
        let p = a.to_str()?.strip_prefix(MARKER)?;
        Some(p.trim_matches('"').to_string())
    });
    let Some(plan) = plan else { return args };
    let krate = args
        .iter()
        .position(|a| a == "--crate-name")
        .and_then(|i| args.get(i + 1))
        .and_then(|a| a.to_str())
        .unwrap_or("")
        .to_string();
    let how = cover(&plan, &krate);
    args.into_iter()
        .filter(|a| {
            let Some(s) = a.to_str() else { return true };
            if s.starts_with(MARKER) {
                return false;
            }
            match how {
                Cover::Full => true,
                Cover::Edges => !is_coverage(s, true),
                Cover::None => !is_coverage(s, false),
            }
        })
        .collect()
}

/// When cargo started this process as rustc's wrapper ([`WRAPPER_VAR`] set, rustc's path first):
/// runs rustc with the rewritten arguments and returns its exit status.
pub fn as_wrapper() -> Option<ExitCode> {
    let inner = std::env::var_os(WRAPPER_VAR)?;
    let mut args = std::env::args_os().skip(1);
    let rustc = args.next()?;
    let rest = rewrite(args.collect());
    let mut c = if inner.is_empty() {
        Command::new(&rustc)
    } else {
        let mut c = Command::new(inner);
        c.arg(&rustc);
        c
    };
    c.args(rest).env_remove(WRAPPER_VAR);
    match c.status() {
        Ok(s) => Some(ExitCode::from(s.code().unwrap_or(1).clamp(0, 255) as u8)),
        Err(e) => {
            eprintln!(
                "xtask (rustc wrapper): could not run {}: {e}",
                rustc.to_string_lossy()
            );
            Some(ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<OsString> {
        s.iter().map(OsString::from).collect()
    }

    const FLAGS: &[&str] = &[
        "-Cpasses=sancov-module",
        "-Cllvm-args=-sanitizer-coverage-level=4",
        "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
        "-Cllvm-args=-sanitizer-coverage-pc-table",
        "-Cllvm-args=-sanitizer-coverage-trace-compares",
        "--cfg",
        "fuzzing",
        "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
        "-Zsanitizer=address",
        "-Cllvm-args=-sanitizer-coverage-stack-depth",
    ];

    fn rustc(krate: &str, plan: &str) -> Vec<OsString> {
        let mut a = args(&["--crate-name", krate, "--edition=2021", "src/lib.rs"]);
        a.extend(args(FLAGS));
        a.push(marker(plan).into());
        a
    }

    #[test]
    fn a_crate_outside_the_plan_loses_every_coverage_flag_and_keeps_the_rest() {
        let out = rewrite(rustc("serde", "mapcheck_models+cmp"));
        assert_eq!(
            out,
            args(&[
                "--crate-name",
                "serde",
                "--edition=2021",
                "src/lib.rs",
                "--cfg",
                "fuzzing",
                "-Zsanitizer=address"
            ])
        );
    }

    #[test]
    fn a_crate_in_the_plan_keeps_its_flags_and_loses_the_marker() {
        let out = rewrite(rustc("mapcheck_models", "mapcheck_harness,mapcheck_models+cmp"));
        let mut want = args(&["--crate-name", "mapcheck_models", "--edition=2021", "src/lib.rs"]);
        want.extend(args(FLAGS));
        assert_eq!(out, want);
        let edges = rewrite(rustc("mapcheck_harness", "mapcheck_harness,mapcheck_models+cmp"));
        assert!(!edges.contains(&"-Cllvm-args=-sanitizer-coverage-trace-compares".into()));
        assert!(edges.contains(&"-Cpasses=sancov-module".into()));
        assert!(edges.contains(&"-Cllvm-args=-sanitizer-coverage-inline-8bit-counters".into()));
    }

    #[test]
    fn arguments_without_the_marker_pass_unchanged() {
        let a = args(&["-vV"]);
        assert_eq!(rewrite(a.clone()), a);
        let mut b = args(&["--crate-name", "serde"]);
        b.extend(args(FLAGS));
        assert_eq!(rewrite(b.clone()), b);
    }

    #[test]
    fn plans_name_crates_exactly() {
        assert_eq!(cover("a,b+cmp", "a"), Cover::Edges);
        assert_eq!(cover("a,b+cmp", "b"), Cover::Full);
        assert_eq!(cover("a,b+cmp", "ab"), Cover::None);
        assert_eq!(cover(PLAN, "mapcheck_models"), Cover::Full);
        assert_eq!(cover(PLAN, "shuttle"), Cover::None);
        assert_eq!(cover(PLAN, "mapcheck_harness"), Cover::None);
        assert_eq!(cover(PLAN, "mapcheck_scenario"), Cover::Full);
        assert_eq!(cover(PLAN, "ops"), Cover::Edges);
    }

    /// The wrapper is a copy of the running program at a path of its own, which stays there
    /// whatever happens to the program's own file.
    #[test]
    fn the_wrapper_is_a_copy_of_this_program_that_no_rebuild_replaces() {
        let dir = std::env::temp_dir().join(format!("mapcheck-wrapper-test-{}", std::process::id()));
        let wrapper = stable_copy(&dir).unwrap();
        assert_ne!(wrapper, std::env::current_exe().unwrap());
        let copy = std::fs::read(&wrapper).unwrap();
        assert_eq!(copy, std::fs::read(std::env::current_exe().unwrap()).unwrap());
        // Copied again (a second fuzz build) over the first: still there, still whole.
        assert_eq!(stable_copy(&dir).unwrap(), wrapper);
        assert_eq!(std::fs::read(&wrapper).unwrap().len(), copy.len());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(std::fs::metadata(&wrapper).unwrap().permissions().mode() & 0o111 != 0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
