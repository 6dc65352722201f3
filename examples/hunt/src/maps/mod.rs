//! One adapter per crate, each in its own file, and [`ALL`], the list `cargo xtask hunt` runs.

pub mod cht;
pub mod clashmap;
pub mod concurrent_map;
pub mod evmap;
pub mod leapfrog;
pub mod lockfree;
pub mod mini_moka;
pub mod moka;
pub mod quick_cache;
pub mod skiplist;

use crate::{declared, hunt, Hunted};
use mapcheck::Adapter;
use std::time::Duration;

/// One adapter: its name, what it declares, and its check.
pub type Listed = (&'static str, fn() -> String, fn(u64, Option<Duration>) -> Hunted);

const fn listed<A: Adapter>() -> Listed {
    (A::INFO.name, declared::<A>, hunt::<A>)
}

/// Every adapter of the hunt.
pub const ALL: &[Listed] = &[
    listed::<moka::MokaCache>(),
    listed::<moka::MokaInvalidate>(),
    listed::<mini_moka::MiniMokaCache>(),
    listed::<quick_cache::QuickCache>(),
    listed::<skiplist::SkipMapAdapter>(),
    listed::<evmap::EvMap>(),
    listed::<leapfrog::LeapMapAdapter>(),
    listed::<cht::ChtMap>(),
    listed::<lockfree::LockfreeMap>(),
    listed::<concurrent_map::ConcurrentMapAdapter>(),
    listed::<clashmap::ClashMapAdapter>(),
];
