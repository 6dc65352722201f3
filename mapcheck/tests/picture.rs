//! The failure picture of a real failure (the `cow-nocas` mutant on the `sharded-whole-map` model
//! under loom with a fixed bound, a linearizability failure) is written beside its record, and a
//! headless Chromium screenshot of it is a real picture: several colours, the highlight among them.
//! Without a browser (chromium, chromium-browser or google-chrome on the PATH) the screenshot part
//! is skipped with a message saying so, except under `CI`, where `.ci/run` installs Chromium and a
//! missing browser fails the test rather than passing it unseen.

use mapcheck::record::picture_path;
use mapcheck::runner::{run_cell, CellSpec};
use mapcheck_harness::timeline::{HIGHLIGHT_RGB, PREFIX_RGB};
use mapcheck_harness::{Engine, Limits, Oracle, Size, Verdict};
use mapcheck_models::patterns::model;
use mapcheck_models::structure;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BROWSERS: &[&str] = &["chromium", "chromium-browser", "google-chrome"];

fn scratch_dir(what: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mapcheck-picture-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A real failure's record and picture, written under `dir`.
fn real_failure(dir: &Path) -> (PathBuf, PathBuf) {
    let limits = Limits {
        max_schedules: 20_000,
        budget: Duration::from_secs(60),
        max_steps: 100_000,
        ..Limits::default()
    };
    let engine = Engine::Loom { preemption_bound: 2 };
    let cell = run_cell(
        &CellSpec::of_model(
            model("sharded-whole-map").unwrap(),
            &structure("cow-nocas").unwrap(),
            engine,
            Size::for_engine(&engine),
            limits,
            Some(Duration::from_secs(5)),
        ),
        dir,
    );
    let recorded = cell.record.expect("loom catches cow-nocas on sharded-whole-map");
    let (record, path) = (recorded.record, recorded.path.unwrap());
    let Verdict::Fail(f) = &record.verdict else {
        panic!("a failure")
    };
    assert_eq!(f.oracle, Oracle::Linearizability, "{}", f.summary);
    let lin = f.linearization.as_ref().expect("the checker's prefix is carried");
    assert!(!lin.stuck.is_empty());
    let picture = picture_path(&path);
    let html = std::fs::read_to_string(&picture).expect("the picture is beside the record");
    assert_eq!(
        html.matches("<g class=\"lin-mark\"").count(),
        lin.prefix.len(),
        "one mark per linearized operation"
    );
    for id in &f.evidence {
        let at = html
            .find(&format!("data-id=\"{id}\" data-thread"))
            .expect("a bar per operation");
        let tag = &html[html[..at].rfind("<g class=\"").unwrap()..at];
        assert!(tag.contains(" evidence"), "evidence {id} highlighted: {tag}");
    }
    (path, picture)
}

#[test]
fn a_real_failure_is_pictured_and_the_screenshot_is_not_blank() {
    let dir = scratch_dir("real");
    let (_record, picture) = real_failure(&dir);
    let Some(browser) = BROWSERS.iter().find_map(|b| which::which(b).ok()) else {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        assert!(
            !ci,
            "no headless browser found (looked for {} on the PATH) under CI, where .ci/run installs \
             Chromium: the screenshot check would pass unseen",
            BROWSERS.join(", ")
        );
        println!(
            "SKIPPED the screenshot: no headless browser found (looked for {} on the PATH); \
             the picture itself was written and checked: {}",
            BROWSERS.join(", "),
            picture.display()
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    let png = dir.join("shot.png");
    let profile = dir.join("profile");
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", picture.canonicalize().unwrap().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    // A safety net against a browser that never exits; not a timing assertion.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{} did not finish the screenshot", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(png.exists(), "{} wrote no screenshot", browser.display());
    let colours = colours(&png);
    assert!(colours.len() >= 8, "a blank picture: {} colour(s)", colours.len());
    for (what, rgb) in [("highlight", HIGHLIGHT_RGB), ("prefix", PREFIX_RGB)] {
        assert!(
            colours.iter().any(|c| close(*c, rgb)),
            "the {what} colour is in the screenshot"
        );
    }
    println!(
        "screenshot of {} by {}: {} distinct colours, highlight and prefix colours present",
        picture.display(),
        browser.display(),
        colours.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 6)
}

/// The distinct RGB colours of a PNG file.
fn colours(path: &Path) -> HashSet<[u8; 3]> {
    let mut decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("one frame");
    assert!(
        info.width >= 100 && info.height >= 100,
        "{}x{}",
        info.width,
        info.height
    );
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| match channels {
            1 | 2 => [p[0]; 3],
            _ => [p[0], p[1], p[2]],
        })
        .collect()
}
