//! The settle steps of the crates these adapters pin, built by the library's
//! [`mapcheck_harness::settle!`] for the versions of sdd, crossbeam-epoch and parking_lot_core this
//! crate depends on (the maps' own instances of them). A crate with other versions builds its own
//! the same way, with its own dependencies' paths; nothing here needs copying. See
//! `mapcheck_harness::settle` for what each step does.
//!
//! A crate that combines several lists each of them in one `settle!` (flurry's adapter takes
//! parking_lot_core's alone, since its seize collector is owned by the map).

use mapcheck_harness::Settle;

/// scc's and sdd's epochs: every thread registers before its first run; after the drop every
/// thread of the run takes guards until it has witnessed enough epochs.
pub const SDD: Settle = mapcheck_harness::settle!(sdd: sdd);

/// crossbeam-epoch's default collector: created once, each thread registered, and every thread of
/// the run flushing after the drop.
pub const CROSSBEAM_EPOCH: Settle = mapcheck_harness::settle!(crossbeam_epoch: crossbeam_epoch);

/// seize with a collector owned by the map: nothing outlives the drop.
pub const SEIZE_OWNED: Settle = Settle::NONE;

/// parking_lot_core's per-thread records and its process-wide table: each thread's record is
/// created before its first run.
pub const PARKING_LOT: Settle = mapcheck_harness::settle!(parking_lot_core: parking_lot_core);
