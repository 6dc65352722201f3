//! Muting the process's standard error while an exploration runs: shuttle writes a failing run's
//! panic straight to stderr, and the harness reports failures itself.
//!
//! A mute points file descriptor 2 at `/dev/null` and puts the original back when it is dropped, as
//! `gag::Gag::stderr` does; it is written here with `libc` (already in every build through loom and
//! shuttle) so that a map's test build pulls no crate for it. Where there is no `/dev/null` or no
//! Unix file descriptors, nothing is muted.

/// Stderr pointed at `/dev/null` until this is dropped.
pub struct Mute {
    #[cfg(unix)]
    saved: libc::c_int,
}

impl Mute {
    /// Mutes stderr; `None` when it cannot (no `/dev/null`, no descriptor left).
    pub fn stderr() -> Option<Mute> {
        #[cfg(unix)]
        {
            use std::io::Write;
            let _ = std::io::stderr().flush();
            // SAFETY: plain descriptor calls on descriptors this function owns or on fd 2; every
            // descriptor opened here is closed on every path.
            unsafe {
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if null < 0 {
                    return None;
                }
                let saved = libc::fcntl(libc::STDERR_FILENO, libc::F_DUPFD_CLOEXEC, 3);
                if saved < 0 {
                    libc::close(null);
                    return None;
                }
                let pointed = libc::dup2(null, libc::STDERR_FILENO);
                libc::close(null);
                if pointed < 0 {
                    libc::close(saved);
                    return None;
                }
                Some(Mute { saved })
            }
        }
        #[cfg(not(unix))]
        {
            None
        }
    }
}

impl Drop for Mute {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: `saved` is the descriptor duplicated in `stderr`, owned by this value.
        unsafe {
            libc::dup2(self.saved, libc::STDERR_FILENO);
            libc::close(self.saved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mute;

    /// What is written while muted does not reach stderr; what is written after does.
    #[cfg(unix)]
    #[test]
    fn a_mute_hides_stderr_and_puts_it_back() {
        use std::io::{Read, Write};
        let mut seen = gag::BufferRedirect::stderr().unwrap();
        {
            let _mute = Mute::stderr().expect("stderr can be muted");
            let _ = std::io::stderr().write_all(b"hidden\n");
        }
        let _ = std::io::stderr().write_all(b"shown\n");
        let mut printed = String::new();
        seen.read_to_string(&mut printed).unwrap();
        drop(seen);
        assert_eq!(printed, "shown\n");
    }
}
