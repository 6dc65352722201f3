//! How an engine is named: one parser and one set of defaults for the command line, scenario files,
//! the fuzz targets, the bench and the library's builder.

use super::Engine;
use std::fmt;

/// An engine as a person names it (on the command line, in a scenario file, in a test's builder):
/// the strategy and its bound, without the seed, which the caller supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngineSpec {
    Loom { bound: usize },
    ShuttleRandom,
    ShuttlePct { depth: usize },
    ShuttleDfs,
    Threads,
}

impl EngineSpec {
    /// How the spellings read, for error messages and help.
    pub const FORMS: &'static str =
        "loom, loom:BOUND, shuttle-random, shuttle-pct, shuttle-pct:DEPTH, shuttle-dfs, threads";
    /// loom's preemption bound when none is given. Bound 2 finds the bugs of most concurrent data
    /// structures at a cost loom can exhaust for small models (loom's own guidance).
    pub const DEFAULT_LOOM_BOUND: usize = 2;
    /// PCT's bug depth when none is given: depth d finds a bug needing d-1 ordering constraints
    /// with probability at least 1/(n k^(d-1)) per run (Burckhardt et al., ASPLOS 2010).
    pub const DEFAULT_PCT_DEPTH: usize = 3;
    /// Every engine family with its default bound, in the order the check matrix shows them.
    pub const ALL: [EngineSpec; 5] = [
        EngineSpec::Loom {
            bound: Self::DEFAULT_LOOM_BOUND,
        },
        EngineSpec::ShuttleRandom,
        EngineSpec::ShuttlePct {
            depth: Self::DEFAULT_PCT_DEPTH,
        },
        EngineSpec::ShuttleDfs,
        EngineSpec::Threads,
    ];

    /// The family name: the column of the check matrix.
    pub fn family(self) -> &'static str {
        self.engine(0).family()
    }

    pub fn parse(s: &str) -> Result<EngineSpec, String> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s.trim(), None),
        };
        let num = |what: &str, min: usize, max: usize| -> Result<Option<usize>, String> {
            match arg {
                None => Ok(None),
                Some(a) => match a.parse::<usize>() {
                    Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                    _ => Err(format!(
                        "expected a {what} from {min} to {max} after `{name}:`, found `{a}`"
                    )),
                },
            }
        };
        let no_arg = |spec: EngineSpec| match arg {
            None => Ok(spec),
            Some(a) => Err(format!("`{name}` takes no `:{a}`")),
        };
        match name {
            "loom" => Ok(EngineSpec::Loom {
                bound: num("preemption bound", 0, 8)?.unwrap_or(Self::DEFAULT_LOOM_BOUND),
            }),
            "shuttle-random" => no_arg(EngineSpec::ShuttleRandom),
            "shuttle-pct" => Ok(EngineSpec::ShuttlePct {
                depth: num("PCT depth", 1, 8)?.unwrap_or(Self::DEFAULT_PCT_DEPTH),
            }),
            "shuttle-dfs" => no_arg(EngineSpec::ShuttleDfs),
            "threads" => no_arg(EngineSpec::Threads),
            other => Err(format!(
                "unknown engine `{other}`; expected one of {}",
                Self::FORMS
            )),
        }
    }

    /// The engine, seeded.
    pub fn engine(self, seed: u64) -> Engine {
        match self {
            EngineSpec::Loom { bound } => Engine::Loom {
                preemption_bound: bound,
            },
            EngineSpec::ShuttleRandom => Engine::ShuttleRandom { seed },
            EngineSpec::ShuttlePct { depth } => Engine::ShuttlePct { seed, depth },
            EngineSpec::ShuttleDfs => Engine::ShuttleDfs,
            EngineSpec::Threads => Engine::Threads { seed },
        }
    }

    /// The spec of an engine, and its seed when it has one.
    pub fn of(engine: Engine) -> (EngineSpec, Option<u64>) {
        match engine {
            Engine::Loom { preemption_bound } => (
                EngineSpec::Loom {
                    bound: preemption_bound,
                },
                None,
            ),
            Engine::ShuttleRandom { seed } => (EngineSpec::ShuttleRandom, Some(seed)),
            Engine::ShuttlePct { seed, depth } => (EngineSpec::ShuttlePct { depth }, Some(seed)),
            Engine::ShuttleDfs => (EngineSpec::ShuttleDfs, None),
            Engine::Threads { seed } => (EngineSpec::Threads, Some(seed)),
        }
    }
}

impl fmt::Display for EngineSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineSpec::Loom { bound } => write!(f, "loom:{bound}"),
            EngineSpec::ShuttleRandom => f.write_str("shuttle-random"),
            EngineSpec::ShuttlePct { depth } => write!(f, "shuttle-pct:{depth}"),
            EngineSpec::ShuttleDfs => f.write_str("shuttle-dfs"),
            EngineSpec::Threads => f.write_str("threads"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EngineSpec;

    #[test]
    fn every_spelling_parses_and_prints_back() {
        for s in [
            "loom:0",
            "loom:3",
            "shuttle-random",
            "shuttle-pct:1",
            "shuttle-dfs",
            "threads",
        ] {
            assert_eq!(EngineSpec::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            EngineSpec::parse("loom").unwrap(),
            EngineSpec::Loom {
                bound: EngineSpec::DEFAULT_LOOM_BOUND
            }
        );
        assert_eq!(
            EngineSpec::parse("shuttle-pct").unwrap(),
            EngineSpec::ShuttlePct {
                depth: EngineSpec::DEFAULT_PCT_DEPTH
            }
        );
        for spec in EngineSpec::ALL {
            assert_eq!(EngineSpec::parse(spec.family()).unwrap(), spec);
        }
    }

    #[test]
    fn bad_spellings_say_what_was_wrong() {
        assert!(EngineSpec::parse("lom")
            .unwrap_err()
            .contains("unknown engine `lom`"));
        assert!(EngineSpec::parse("loom:x")
            .unwrap_err()
            .contains("preemption bound"));
        assert!(EngineSpec::parse("threads:2").unwrap_err().contains("takes no"));
    }
}
