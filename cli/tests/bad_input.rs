//! The bad-input corpus: every file under `tests/bad-input/` is one bad input (a flag, a replay
//! token, a failure record, a scenario file, an importer's input, a file-system fault) run through
//! the real `mapcheck` binary, with the exit status it must give and a fragment of the message it
//! must print. Across the corpus: no panic, no abort, no hang (each case is killed after
//! [`TIMEOUT`]), and every error line under 200 characters.
//!
//! A case file is a header, a `---` line, and the input:
//!
//! ```text
//! # what the case shows (comment lines are free)
//! args: replay {token}         the command line; {input} is the input's path, {token} the input
//!                              as a replay token (mc1- and its base64), {dir} the case's folder
//! status: 2                    the exit status
//! expect: `size.keys` is       a fragment of stdout or stderr
//! reject: unknown now          (optional, repeatable) a fragment that must not appear
//! input: x.toml                (optional) the input's file name; `input.txt` by default
//! env: MAPCHECK_DIR={input}    (optional, repeatable) an environment variable
//! hex: true                    (optional) the input is written in hexadecimal
//! ---
//! the input; `{{N*TEXT}}` stands for TEXT repeated N times, here and in `args`
//! ```

use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one case may run before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The longest error line allowed.
const MAX_LINE: usize = 200;

struct Case {
    name: String,
    args: Vec<String>,
    status: i32,
    expect: String,
    reject: Vec<String>,
    input_name: String,
    env: Vec<(String, String)>,
    input: Vec<u8>,
}

/// The binary under test: the one this test run built, or `MAPCHECK_CORPUS_BIN` (another build,
/// to see which cases it gets wrong).
fn binary() -> PathBuf {
    std::env::var_os("MAPCHECK_CORPUS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_mapcheck")))
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input")
}

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "case") {
            out.push(p);
        }
    }
}

/// `{{N*TEXT}}` expanded.
fn expand(body: &str) -> String {
    // (A `&str` parameter so that `map(expand)` takes the split words.)
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after.find("}}").expect("an unclosed {{");
        let (n, text) = after[..end].split_once('*').expect("{{N*TEXT}}");
        out.push_str(&text.repeat(n.trim().parse().expect("a repeat count")));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn parse(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let (header, body) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| (text.trim_end_matches("\n---").trim_end(), ""));
    let name = path.strip_prefix(corpus()).unwrap().display().to_string();
    let mut case = Case {
        name: name.clone(),
        args: Vec::new(),
        status: -1,
        expect: String::new(),
        reject: Vec::new(),
        input_name: "input.txt".into(),
        env: Vec::new(),
        input: Vec::new(),
    };
    let mut hex = false;
    for line in header
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{name}: `{line}` is not `key: value`"));
        let value = value.trim().to_string();
        match key.trim() {
            "args" => case.args = value.split_whitespace().map(expand).collect(),
            "status" => case.status = value.parse().unwrap(),
            "expect" => case.expect = value,
            "reject" => case.reject.push(value),
            "input" => case.input_name = value,
            "env" => {
                let (k, v) = value.split_once('=').unwrap();
                case.env.push((k.into(), v.into()));
            }
            "hex" => hex = value == "true",
            other => panic!("{name}: unknown header `{other}`"),
        }
    }
    assert!(
        case.status >= 0 && !case.expect.is_empty(),
        "{name}: needs status and expect"
    );
    let body = expand(body);
    case.input = if hex {
        let digits: Vec<u8> = body.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
        digits
            .chunks(2)
            .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    } else {
        body.into_bytes()
    };
    case
}

/// What one case did.
struct Ran {
    status: Option<i32>,
    out: String,
    hung: bool,
}

fn run(case: &Case, dir: &Path) -> Ran {
    let input = dir.join(&case.input_name);
    std::fs::write(&input, &case.input).unwrap();
    let token = || {
        let json = String::from_utf8_lossy(&case.input).trim().to_string();
        format!(
            "mc1-{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    };
    let fill = |s: &str| {
        let mut s = s
            .replace("{input}", &input.display().to_string())
            .replace("{dir}", &dir.display().to_string());
        if s.contains("{token}") {
            s = s.replace("{token}", &token());
        }
        s
    };
    let (stdout, stderr) = (dir.join("stdout"), dir.join("stderr"));
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir)
        .args(case.args.iter().map(|a| fill(a)))
        .env("MAPCHECK_DIR", dir.join("mapcheck"))
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap());
    for (k, v) in &case.env {
        cmd.env(k, fill(v));
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let (status, hung) = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break (s.code(), false);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = String::from_utf8_lossy(&std::fs::read(&stdout).unwrap()).into_owned()
        + &String::from_utf8_lossy(&std::fs::read(&stderr).unwrap());
    Ran { status, out, hung }
}

/// What is wrong with a case's run, if anything; `panics`, `aborts` and `hangs` count those.
fn judge(case: &Case, ran: &Ran, counts: &mut [usize; 3]) -> Option<String> {
    let out = &ran.out;
    if out.contains("panicked at") || out.contains("RUST_BACKTRACE") {
        counts[0] += 1;
        return Some(format!("panicked:\n{}", head(out)));
    }
    if ran.hung {
        counts[2] += 1;
        return Some(format!("ran over {TIMEOUT:?}"));
    }
    let Some(status) = ran.status else {
        counts[1] += 1;
        return Some(format!("killed by a signal (an abort?):\n{}", head(out)));
    };
    if status != case.status {
        return Some(format!(
            "exit status {status}, expected {}:\n{}",
            case.status,
            head(out)
        ));
    }
    let Some(line) = out.lines().find(|l| l.contains(&case.expect)) else {
        return Some(format!("`{}` not in the output:\n{}", case.expect, head(out)));
    };
    if let Some(r) = case.reject.iter().find(|r| out.contains(r.as_str())) {
        return Some(format!("`{r}` is in the output:\n{}", head(out)));
    }
    // The line that says what was wrong, and every error line, are short.
    let long = std::iter::once(line)
        .chain(
            out.lines()
                .filter(|l| l.starts_with("error") || l.trim_start().starts_with('×')),
        )
        .find(|l| l.chars().count() >= MAX_LINE);
    long.map(|l| format!("a line of {} characters: {}", l.chars().count(), head(l)))
}

fn head(s: &str) -> String {
    s.chars().take(1500).collect()
}

#[test]
fn every_bad_input_gets_a_short_clear_error() {
    let mut files = Vec::new();
    case_files(&corpus(), &mut files);
    files.sort();
    let cases: Vec<Case> = files.iter().map(|p| parse(p)).collect();
    assert!(cases.len() >= 150, "the corpus has {} cases", cases.len());
    let scratch = std::env::temp_dir().join(format!("mapcheck-bad-input-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let dir = scratch.join(format!("{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                let ran = run(case, &dir);
                results.lock().unwrap().push((i, ran));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut counts = [0usize; 3];
    let mut groups: std::collections::BTreeMap<String, usize> = Default::default();
    let mut bad = Vec::new();
    for (i, ran) in &results {
        let case = &cases[*i];
        let group = case.name.split('/').next().unwrap_or("").to_string();
        *groups.entry(group).or_default() += 1;
        if let Some(why) = judge(case, ran, &mut counts) {
            bad.push(format!("{}: {why}", case.name));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "bad-input corpus: {} cases ({groups:?}): {} panics, {} aborts, {} hangs, {} wrong",
        cases.len(),
        counts[0],
        counts[1],
        counts[2],
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} case(s) went wrong:\n\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}
