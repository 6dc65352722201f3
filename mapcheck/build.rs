//! Records the optimisation level this library is built at, and what a failure record's
//! fingerprint needs from the build: the compiler's version, and
//! the loom and shuttle versions the build resolved (read from the Cargo.lock of the workspace
//! being built, found above the build's output directory).

use std::path::Path;
use std::process::Command;

fn main() {
    // How optimised this build of the library is, as the profile in force sets it for this package
    // (a package override like `[profile.dev.package."*"] opt-level = 3` included): an exploration
    // runtime at opt-level 0 explores many times fewer schedules, and the front door says so.
    let opt = std::env::var("OPT_LEVEL").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=MAPCHECK_OPT_LEVEL={opt}");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MAPCHECK_RUSTC_VERSION={version}");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let lock = Path::new(&out)
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file());
    let text = lock
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    for name in ["loom", "shuttle"] {
        let v = locked_version(&text, name).unwrap_or_else(|| "unknown".into());
        println!("cargo:rustc-env=MAPCHECK_{}_VERSION={v}", name.to_uppercase());
    }
    if let Some(p) = lock {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// The version of package `name` in a Cargo.lock (the first one, if several are locked).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == format!("name = \"{name}\"") {
            let v = lines.next()?.trim();
            return Some(v.strip_prefix("version = \"")?.strip_suffix('"')?.to_string());
        }
    }
    None
}
