//! The watchdog's clock: how much of the wall time a run's threads could have run. The machine
//! holds a run up in two ways that no structure is to blame for: the whole process is frozen
//! (stopped by a signal, its virtual machine paused), or its threads are runnable but wait for a
//! CPU behind other work. The watchdog's caps count only the rest.
//!
//! Two measures, and the larger wins for each poll:
//!
//! - **lateness**: the watchdog sleeps one poll between samples; whatever it sleeps beyond that,
//!   it (and, when the process is frozen, every thread) was not running. Portable.
//! - **waiting for a CPU** (Linux): for each of the run's pooled threads, from
//!   `/proc/self/task/<tid>/stat` and `schedstat`. A thread that is runnable now was held up for
//!   the part of the poll it did not run; a thread that is not runnable now was held up for the
//!   runqueue waits that ended during the poll. The kernel adds a wait to `schedstat` only when it
//!   ends, so the state is what shows a wait still in progress. A blocked thread (a real deadlock)
//!   waits for no CPU, so a deadlock is counted in full; a thread spinning in a livelock is counted
//!   for the time it ran.
//!
//! A run's caps then stretch with the machine's load instead of being wall-clock constants.

use std::time::{Duration, Instant};

/// An OS thread's id, to read its scheduling figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tid(#[cfg_attr(not(target_os = "linux"), allow(dead_code))] u32);

impl Tid {
    /// The calling thread's id, where the system gives it (Linux); `None` elsewhere.
    pub(crate) fn current() -> Option<Tid> {
        #[cfg(target_os = "linux")]
        {
            let link = std::fs::read_link("/proc/thread-self").ok()?;
            link.file_name()?.to_str()?.parse().ok().map(Tid)
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }
}

/// One poll of a run's wall time: how long it was, and how much of it the run was held up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Interval {
    pub wall: Duration,
    pub held: Duration,
}

impl Interval {
    /// The part of the interval the run's threads could run: what the caps count.
    pub(crate) fn counted(self) -> Duration {
        self.wall.saturating_sub(self.held)
    }
}

/// Measures, poll by poll, how much of the wall time a run was held up.
pub(crate) struct Clock {
    last: Instant,
    threads: Vec<Sched>,
}

impl Clock {
    /// A clock starting now, watching the scheduling of `threads` (those whose figures cannot be
    /// read are left out; lateness is measured whatever happens).
    pub(crate) fn new(threads: &[Tid]) -> Clock {
        Clock {
            last: Instant::now(),
            threads: threads.iter().filter_map(|&t| Sched::open(t)).collect(),
        }
    }

    /// Called right after the watchdog slept `slept`: the wall time since the previous call (or
    /// since the clock started) and how much of it the run was held up.
    pub(crate) fn tick(&mut self, slept: Duration) -> Interval {
        let now = Instant::now();
        let wall = now.duration_since(self.last);
        self.last = now;
        let late = wall.saturating_sub(slept);
        let waiting = self
            .threads
            .iter_mut()
            .map(|t| t.held(wall))
            .max()
            .unwrap_or_default();
        Interval {
            wall,
            held: late.max(waiting).min(wall),
        }
    }

    /// Called when the watchdog's sleep ended early (the run ended): the wall time since the
    /// previous call and how much of it the run's threads waited for a CPU (the watchdog's own
    /// lateness cannot be told from a shorter sleep).
    pub(crate) fn tick_partial(&mut self) -> Interval {
        let slept = self.last.elapsed();
        self.tick(slept)
    }

    /// Waits on `rx` for at most `within` of counted time (time the process could run): `None`
    /// when nothing arrived by then or the sender is gone.
    pub(crate) fn recv_within<T>(
        &mut self,
        rx: &std::sync::mpsc::Receiver<T>,
        within: Duration,
        poll: Duration,
    ) -> Option<T> {
        use std::sync::mpsc::RecvTimeoutError;
        let mut counted = Duration::ZERO;
        loop {
            match rx.recv_timeout(poll) {
                Ok(v) => return Some(v),
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) => {}
            }
            counted += self.tick(poll).counted();
            if counted >= within {
                return None;
            }
        }
    }
}

/// One thread's scheduling figures, read again at each poll.
struct Sched {
    #[cfg(target_os = "linux")]
    stat: std::fs::File,
    #[cfg(target_os = "linux")]
    schedstat: std::fs::File,
    /// Nanoseconds run and waited on a runqueue, at the previous poll.
    ran: u64,
    waited: u64,
}

impl Sched {
    #[cfg(target_os = "linux")]
    fn open(tid: Tid) -> Option<Sched> {
        let dir = format!("/proc/self/task/{}", tid.0);
        let mut s = Sched {
            stat: std::fs::File::open(format!("{dir}/stat")).ok()?,
            schedstat: std::fs::File::open(format!("{dir}/schedstat")).ok()?,
            ran: 0,
            waited: 0,
        };
        (s.ran, s.waited) = s.times()?;
        Some(s)
    }

    #[cfg(not(target_os = "linux"))]
    fn open(_: Tid) -> Option<Sched> {
        None
    }

    /// How much of the last `wall` this thread was held up waiting for a CPU; zero when its
    /// figures cannot be read (the thread has ended).
    fn held(&mut self, wall: Duration) -> Duration {
        let Some((ran, waited)) = self.times() else {
            return Duration::ZERO;
        };
        let ran_now = Duration::from_nanos(ran.saturating_sub(self.ran));
        let waits_ended = Duration::from_nanos(waited.saturating_sub(self.waited));
        (self.ran, self.waited) = (ran, waited);
        if self.runnable() {
            wall.saturating_sub(ran_now).max(waits_ended)
        } else {
            waits_ended
        }
        .min(wall)
    }

    #[cfg(target_os = "linux")]
    fn times(&self) -> Option<(u64, u64)> {
        let text = read_at_start(&self.schedstat)?;
        let mut fields = text.split_ascii_whitespace().map(|f| f.parse::<u64>().ok());
        Some((fields.next()??, fields.next()??))
    }

    #[cfg(not(target_os = "linux"))]
    fn times(&self) -> Option<(u64, u64)> {
        None
    }

    /// Whether the thread is running or waiting for a CPU now (state `R`).
    #[cfg(target_os = "linux")]
    fn runnable(&self) -> bool {
        read_at_start(&self.stat)
            .and_then(|text| parse_state(&text))
            .is_some_and(|s| s == 'R')
    }

    #[cfg(not(target_os = "linux"))]
    fn runnable(&self) -> bool {
        false
    }
}

/// A `/proc` file's current contents (each read from the start regenerates them).
#[cfg(target_os = "linux")]
fn read_at_start(f: &std::fs::File) -> Option<String> {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 512];
    let n = f.read_at(&mut buf, 0).ok()?;
    String::from_utf8(buf[..n].to_vec()).ok()
}

/// The state letter of a `/proc/<pid>/task/<tid>/stat` line: the first field after the command
/// name, which is in parentheses and may itself hold spaces and parentheses.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_is_read_after_the_last_parenthesis_of_the_name() {
        assert_eq!(parse_state("42 (mapcheck-worker-0) S 1 2 3"), Some('S'));
        assert_eq!(parse_state("42 (a) b (c)) R 1 2 3"), Some('R'));
        assert_eq!(parse_state("42 (cut"), None);
    }

    #[test]
    fn an_interval_counts_what_was_not_held_up() {
        let i = Interval {
            wall: Duration::from_millis(3_050),
            held: Duration::from_millis(3_000),
        };
        assert_eq!(i.counted(), Duration::from_millis(50));
        let over = Interval {
            wall: Duration::from_millis(10),
            held: Duration::from_millis(20),
        };
        assert_eq!(over.counted(), Duration::ZERO);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_threads_figures_are_read_and_the_time_it_ran_grows() {
        let tid = Tid::current().expect("a thread id on Linux");
        let mut s = Sched::open(tid).expect("its scheduling figures");
        assert!(s.runnable(), "the calling thread is running");
        let before = s.ran;
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(5) {
            std::hint::spin_loop();
        }
        let held = s.held(t.elapsed());
        assert!(s.ran > before, "the time it ran is read");
        assert!(held <= t.elapsed(), "never more than the poll");
    }
}
