//! porcupine, the Go linearizability checker, side by side with mapcheck: its library source sits
//! beside the repository (`../shared/peers/porcupine`), and `bench/porcupine` is a small driver
//! module that uses it through a `replace` directive. This builds the driver, installing Go from
//! Debian's packages (`golang-go`) where apt works, and says why where it cannot.

use super::util::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The driver module's directory.
fn module_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("porcupine")
}

fn go_version() -> Option<String> {
    let out = Command::new("go").arg("version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Installs `golang-go` with apt-get when running as root; the reason when it cannot.
fn install_go() -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("Go is not installed, and installing it needs root (apt-get install golang-go)".into());
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|e| format!("apt-get could not be run: {e}"))
    };
    progress("checker", "Go is not installed: apt-get install -y golang-go");
    let mut out = apt(&["install", "-y", "-q", "golang-go"])?;
    if !out.status.success() {
        progress("checker", "apt-get update, then install again");
        let _ = apt(&["update", "-q"])?;
        out = apt(&["install", "-y", "-q", "golang-go"])?;
    }
    if out.status.success() && go_version().is_some() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        Err(format!(
            "Go is not installed and apt-get could not install it: {last}"
        ))
    }
}

/// Builds the driver into `out_dir` and returns its path with Go's version, or why it cannot run.
pub(crate) fn driver(out_dir: &Path) -> Result<(PathBuf, String), String> {
    let module = module_dir();
    let source = module.join("../../../shared/peers/porcupine");
    if !source.join("checker.go").exists() {
        return Err(format!(
            "porcupine's source is not at {} (the repository's sibling `shared/peers/porcupine`)",
            source.display()
        ));
    }
    if go_version().is_none() {
        install_go()?;
    }
    let version = go_version().ok_or("Go is not installed")?;
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let exe = out_dir.join("porcupine-driver");
    progress("checker", format!("building the porcupine driver with {version}"));
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&exe)
        .arg(".")
        .current_dir(&module)
        // Never reach for the module proxy: porcupine comes from the `replace` directive.
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        .output()
        .map_err(|e| format!("go build could not be run: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("go build failed: {}", err.trim()));
    }
    Ok((exe, version))
}
