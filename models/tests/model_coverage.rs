//! Every model earns its place: for each model there is a mutant it catches before any other model
//! does (loom, preemption bound 2, at the loom size: the fewest schedules to a failure by one of
//! the mutant's oracles, ties counting for no one).

use mapcheck_harness::{Engine, Limits, Size, Verdict};
use mapcheck_models::mutants::PROFILES;
use mapcheck_models::patterns::{model, Model, MODELS};
use mapcheck_models::structure;
use std::collections::BTreeMap;
use std::time::Duration;

/// Schedules loom needs for `model` to catch `mutant` by one of its oracles, within `cap`.
fn schedules_to_catch(mutant: &str, model: &Model, cap: usize) -> Option<usize> {
    let e = structure(mutant).expect("registered");
    let p = mapcheck_models::mutants::profile_of(mutant).expect("profiled");
    let limits = Limits {
        max_schedules: cap,
        budget: Duration::from_secs(30),
        max_steps: 100_000,
        ..Limits::default()
    };
    let o = (e.run)(
        &(model.build)(Size::LOOM),
        Engine::Loom { preemption_bound: 2 },
        limits,
    );
    match o.verdict {
        Verdict::Fail(f) if p.oracles.contains(&f.oracle) => Some(o.schedules),
        _ => None,
    }
}

#[test]
fn every_model_catches_a_mutant_no_other_model_catches_first() {
    let mut firsts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in PROFILES {
        let e = structure(p.name).expect("registered");
        // The models built for the mutant first, so the cap is tight for the rest.
        let mut order: Vec<&Model> = e.targets.iter().map(|m| model(m).expect("a model")).collect();
        order.extend(MODELS.iter().filter(|m| !e.targets.contains(&m.name)));
        let mut best: Option<(usize, Option<&str>)> = None;
        for m in order {
            let cap = best.map_or(5_000, |(n, _)| n);
            let Some(n) = schedules_to_catch(p.name, m, cap) else {
                continue;
            };
            eprintln!("  {} caught by {} in {n}", p.name, m.name);
            best = match best {
                Some((b, _)) if n == b => Some((b, None)),
                Some((b, w)) if n > b => Some((b, w)),
                _ => Some((n, Some(m.name))),
            };
        }
        eprintln!("{:26} first caught by {:?}", p.name, best);
        if let Some((_, Some(winner))) = best {
            firsts.entry(winner).or_default().push(p.name);
        }
    }
    for m in MODELS {
        assert!(
            firsts.contains_key(m.name),
            "model {} catches no mutant before every other model does (firsts: {firsts:?})",
            m.name
        );
    }
}
