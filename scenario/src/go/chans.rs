//! Channels: `make(chan T)`, `ch <- v`, `<-ch`, `for v := range ch` and `select`. The evaluator
//! keeps the values sent on each channel in order; a receive takes the oldest. A goroutine that
//! receives before anything was sent (a worker started before the jobs are queued) waits: it is
//! run again once the main goroutine has run to its end, and then receives what was sent. The
//! scenario has no channels: they only carry the keys the workers use.

use super::ast::{is_stop_case, Expr, Stmt};
use super::eval::{Env, Flow, Importer, Val};
use std::collections::{HashMap, VecDeque};

/// Values a channel holds at most (the rest are dropped, noted).
const MAX_QUEUED: usize = 64;

/// Channels at most one import makes.
const MAX_CHANNELS: usize = 256;

impl Importer {
    /// A new channel.
    pub(super) fn make_chan(&mut self) -> Val {
        if self.channels.len() >= MAX_CHANNELS {
            return Val::Opaque;
        }
        self.channels.push(VecDeque::new());
        Val::Chan(self.channels.len() - 1)
    }

    /// `ch <- v`.
    pub(super) fn send(&mut self, ch: &Expr, v: &Expr, env: &mut Env, line: usize) {
        self.scan_expr(v, env, line);
        let value = self.eval(v, env);
        match self.eval(ch, env) {
            Val::Chan(c) => {
                if self.channels[c].len() < MAX_QUEUED {
                    self.channels[c].push_back(value);
                } else {
                    self.note_once(format!(
                        "line {line}: more than {MAX_QUEUED} values are sent on the channel; the rest are dropped"
                    ));
                }
            }
            _ => self
                .b
                .untranslated(line, "a send on a channel the input does not make"),
        }
    }

    /// `<-ch`: the oldest value sent and whether there was one. A goroutine that finds nothing
    /// on its first run waits (see the module notes).
    pub(super) fn receive(&mut self, ch: &Expr, env: &mut Env) -> (Val, bool) {
        let Val::Chan(c) = self.eval(ch, env) else {
            return (Val::Opaque, false);
        };
        match self.take(c) {
            Some(v) => (v, true),
            None => {
                if self.b.current.is_some() && !self.rerun {
                    self.waiting = true;
                }
                (Val::Opaque, false)
            }
        }
    }

    /// `for v := range ch`: the body runs once per value received, as a loop in a goroutine is
    /// scaled.
    pub(super) fn range_chan(
        &mut self,
        c: usize,
        names: &[String],
        body: &[Stmt],
        env: &mut Env,
        line: usize,
    ) -> Flow {
        if self.channels[c].is_empty() && self.b.current.is_some() && !self.rerun {
            self.waiting = true;
            return Flow::Return(Val::Opaque);
        }
        self.note_once(format!(
            "line {line}: a range over a channel runs once per value received; the goroutines that receive \
             share the values sent"
        ));
        let cap = if self.b.current.is_none() && !self.b.started {
            crate::MAX_INITIAL as u64
        } else {
            self.b.scale.loop_iterations
        };
        let mut n = 0;
        while n < cap {
            let Some(v) = self.take(c) else {
                break;
            };
            n += 1;
            env.push(HashMap::new());
            if let Some(name) = names.first() {
                Self::define(env, name, v);
            }
            let flow = self.block(body, env);
            env.pop();
            match flow {
                Flow::Break => break,
                Flow::Return(v) => return Flow::Return(v),
                _ => {}
            }
        }
        Flow::Normal
    }

    /// The oldest value of channel `c`, within the running goroutine's share.
    fn take(&mut self, c: usize) -> Option<Val> {
        if self.receive_budget == Some(0) {
            return None;
        }
        let v = self.channels[c].pop_front()?;
        if let Some(b) = &mut self.receive_budget {
            *b -= 1;
        }
        Some(v)
    }

    /// `select`: the first case that is not a stop signal runs (its communication first); the
    /// work the goroutine does is there.
    pub(super) fn select(&mut self, cases: &[(String, Vec<Stmt>)], env: &mut Env, line: usize) -> Flow {
        let chosen = cases.iter().find(|(c, _)| !is_stop_case(c));
        if let Some((comm, body)) = chosen {
            self.note_once(format!(
                "line {line}: `select` runs its case `{}`",
                if comm.is_empty() { "default" } else { comm }
            ));
            return self.scoped(body, env);
        }
        Flow::Normal
    }
}
