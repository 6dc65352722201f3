//! Progress of a long-running command, on stderr so that `--json` output on stdout stays clean.
//!
//! On a terminal (stdout and stderr both, and no `CI` variable set) it is an indicatif bar:
//! units done, schedules explored, schedules per second, failures so far and the time left in the
//! budget. Otherwise it prints a plain line at each milestone (one per finished model for `check`)
//! and at most every ten seconds in between, with no escape codes. Commands use it through
//! [`Progress::step`], [`Progress::milestone`] and [`Progress::suspend`] (for printing to stdout
//! while a bar is drawn).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How progress is shown.
pub enum Mode {
    /// An indicatif bar on stderr.
    Bar,
    /// Plain lines to a writer (stderr, or a buffer in tests).
    Lines(Arc<Mutex<dyn Write + Send>>),
}

impl Mode {
    /// A bar when stdout and stderr are terminals and `CI` is not set; plain lines on stderr
    /// otherwise.
    pub fn detect() -> Mode {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if !ci && std::io::stdout().is_terminal() && std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines(Arc::new(Mutex::new(std::io::stderr())))
        }
    }
}

/// Plain lines come at milestones, and in between at most this often.
const LINE_EVERY: Duration = Duration::from_secs(10);

/// The progress of one command: `total` units (cells, scenarios, targets) within an optional
/// wall-clock budget.
pub struct Progress {
    mode: Mode,
    bar: ProgressBar,
    unit: &'static str,
    total: u64,
    done: u64,
    schedules: u64,
    failures: u64,
    unexpected: u64,
    budget: Option<Duration>,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// Progress over `total` units named `unit` ("cells"), shown as [`Mode::detect`] decides.
    pub fn new(unit: &'static str, total: u64, budget: Option<Duration>) -> Progress {
        Progress::with_mode(Mode::detect(), unit, total, budget)
    }

    pub fn with_mode(mode: Mode, unit: &'static str, total: u64, budget: Option<Duration>) -> Progress {
        let bar = match mode {
            Mode::Bar => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                let style = ProgressStyle::with_template(&format!(
                    "{{spinner}} {{prefix:.bold}} [{{bar:28}}] {{pos}}/{{len}} {unit}  {{msg}}  {{left}}"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ")
                .with_key("left", move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                    if let Some(b) = budget {
                        let _ = write!(w, "{}", left(b, s.elapsed()));
                    }
                });
                bar.set_style(style);
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            }
            Mode::Lines(_) => ProgressBar::hidden(),
        };
        let now = Instant::now();
        let p = Progress {
            mode,
            bar,
            unit,
            total,
            done: 0,
            schedules: 0,
            failures: 0,
            unexpected: 0,
            budget,
            started: now,
            last_line: now,
        };
        p.bar.set_message(p.counts());
        p
    }

    /// What is running now (a model's name, say): the bar's prefix.
    pub fn stage(&self, what: &str) {
        self.bar.set_prefix(what.to_string());
    }

    /// One unit finished after exploring `schedules` schedules; `failed` when it found a failure,
    /// `unexpected` when that failure was not expected.
    pub fn step(&mut self, schedules: u64, failed: bool, unexpected: bool) {
        self.done += 1;
        self.schedules += schedules;
        self.failures += failed as u64;
        self.unexpected += unexpected as u64;
        self.bar.set_position(self.done);
        self.bar.set_message(self.counts());
        if matches!(self.mode, Mode::Lines(_)) && self.last_line.elapsed() >= LINE_EVERY {
            self.line("progress");
        }
    }

    /// A milestone (a model finished): a plain line in line mode; the bar shows it already.
    pub fn milestone(&mut self, what: &str) {
        if matches!(self.mode, Mode::Lines(_)) {
            self.line(what);
        }
    }

    /// Runs `f` (which prints to stdout) with the bar cleared, so the two do not garble each other.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// The counters as one line: schedules, their rate, failures.
    fn counts(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut s = format!(
            "{} schedules ({:.0}/s), {} failure(s)",
            self.schedules,
            self.schedules as f64 / secs,
            self.failures
        );
        if self.unexpected > 0 {
            let _ = write!(s, " ({} unexpected)", self.unexpected);
        }
        s
    }

    fn line(&mut self, what: &str) {
        self.last_line = Instant::now();
        let mut s = format!(
            "{what}: {}/{} {}, {}",
            self.done,
            self.total,
            self.unit,
            self.counts()
        );
        if let Some(b) = self.budget {
            let _ = write!(s, ", budget: {}", left(b, self.started.elapsed()));
        }
        if let Mode::Lines(w) = &self.mode {
            let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(w, "{s}");
            let _ = w.flush();
        }
    }
}

/// The time left of `budget` after `elapsed`, in seconds.
fn left(budget: Duration, elapsed: Duration) -> String {
    match budget.checked_sub(elapsed) {
        Some(d) => format!("{:.0}s left", d.as_secs_f64().ceil()),
        None => "spent".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_mode() -> (Mode, Arc<Mutex<Vec<u8>>>) {
        let buf = Arc::new(Mutex::new(Vec::new()));
        (Mode::Lines(buf.clone()), buf)
    }

    #[test]
    fn plain_lines_at_milestones_without_escape_codes() {
        let (mode, buf) = lines_mode();
        let mut p = Progress::with_mode(mode, "cells", 4, Some(Duration::from_secs(3600)));
        p.stage("model a");
        p.step(100, false, false);
        p.step(50, true, false);
        p.milestone("model a done");
        p.step(7, true, true);
        p.milestone("model b done");
        p.finish();
        let out = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "one line per milestone: {out}");
        assert!(
            lines[0].starts_with("model a done: 2/4 cells, 150 schedules ("),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("1 failure(s)"), "{}", lines[0]);
        assert!(lines[0].ends_with("s left"), "{}", lines[0]);
        assert!(lines[0].contains("budget: "), "{}", lines[0]);
        assert!(lines[1].contains("3/4 cells, 157 schedules"), "{}", lines[1]);
        assert!(lines[1].contains("2 failure(s) (1 unexpected)"), "{}", lines[1]);
        assert!(!out.contains('\u{1b}'), "no escape codes");
    }

    #[test]
    fn time_left_never_goes_negative() {
        assert_eq!(
            left(Duration::from_secs(10), Duration::from_millis(2500)),
            "8s left"
        );
        assert_eq!(left(Duration::from_secs(1), Duration::from_secs(2)), "spent");
    }

    #[test]
    fn no_budget_no_time_left() {
        let (mode, buf) = lines_mode();
        let mut p = Progress::with_mode(mode, "runs", 1, None);
        p.step(1, false, false);
        p.milestone("done");
        let out = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert!(out.starts_with("done: 1/1 runs, 1 schedules"), "{out}");
        assert!(!out.contains("budget"));
    }
}
