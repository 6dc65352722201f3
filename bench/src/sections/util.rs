//! Helpers every section shares: progress lines, the output directory, number and duration
//! formatting, medians of detection times, exploration limits and rates, the machine and the date.

use crate::Config;
use mapcheck_bench::summary::Machine;
use mapcheck_harness::{Engine, Limits};
use mapcheck_models::Entry;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub(crate) fn progress(section: &str, msg: impl AsRef<str>) {
    eprintln!("[bench {section}] {}", msg.as_ref());
}

pub(crate) fn base_dir() -> PathBuf {
    std::env::var_os("MAPCHECK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/mapcheck"))
}

/// One exploration's result: schedules and seconds to the first detection, or `None` (missed).
pub(crate) type Hit = Option<(usize, f64)>;

/// The median of `hits`, a miss counting as later than any hit: `None` when it falls on a miss.
/// Schedules and seconds are each the median of their own column.
pub(crate) fn median(hits: &[Hit]) -> Hit {
    let n = hits.len();
    if n == 0 {
        return None;
    }
    let column = |f: &dyn Fn(&(usize, f64)) -> f64| {
        let mut v: Vec<f64> = hits.iter().map(|h| h.as_ref().map_or(f64::INFINITY, f)).collect();
        v.sort_by(f64::total_cmp);
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let sched = column(&|h| h.0 as f64);
    let secs = column(&|h| h.1);
    sched.is_finite().then(|| (sched.round() as usize, secs))
}

pub(crate) fn fmt_secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

pub(crate) fn fmt_n(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn hit_text(h: Hit) -> String {
    match h {
        Some((n, s)) => format!("{} / {}", fmt_n(n), fmt_secs(s)),
        None => "missed".into(),
    }
}

pub(crate) fn limits(max_schedules: usize, budget: Duration) -> Limits {
    Limits {
        max_schedules,
        budget,
        max_steps: 100_000,
        ..Limits::default()
    }
}

/// Explores `seeds` seeds of one shuttle engine (seeds `base`, `base + 1`, ...); stops early once
/// more than half have missed, or the first three all did (the median is then a miss).
pub(crate) fn seeded(
    cfg: &Config,
    entry: &Entry,
    w: &mapcheck_harness::Workload,
    seeds: usize,
    base: u64,
    engine: impl Fn(u64) -> Engine,
) -> Vec<Hit> {
    let mut hits = Vec::new();
    for i in 0..seeds {
        let o = (entry.run)(
            w,
            engine(base + i as u64),
            limits(cfg.shuttle_cap, cfg.shuttle_budget),
        );
        hits.push(
            o.verdict
                .is_fail()
                .then_some((o.schedules, o.elapsed.as_secs_f64())),
        );
        let misses = hits.iter().filter(|h| h.is_none()).count();
        if misses * 2 > seeds || (hits.len() == 3 && misses == 3) {
            break;
        }
    }
    hits
}

/// A shuttle engine for a seed.
pub(crate) type EngineFor = fn(u64) -> Engine;

/// Runs `f` (which returns schedules) until `min` has passed; schedules per second.
pub(crate) fn rate(mut f: impl FnMut() -> usize, min: Duration) -> (f64, usize) {
    let started = Instant::now();
    let mut n = 0;
    loop {
        n += f();
        if started.elapsed() >= min {
            return (n as f64 / started.elapsed().as_secs_f64(), n);
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// The load average over the last 1, 5 and 15 minutes (Linux's `/proc/loadavg`).
pub(crate) fn load_average() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = s.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

pub(crate) fn machine() -> Machine {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    Machine {
        cpu,
        cores,
        os: std::env::consts::OS.to_string(),
        load_average_start: load_average(),
        load_average_end: None,
    }
}

/// Now in UTC as `YYYY-MM-DD HH:MM` (Howard Hinnant's civil-from-days).
pub(crate) fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}
