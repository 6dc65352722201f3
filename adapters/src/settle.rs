//! Settle steps for the deferred reclamation and process-wide state of common crates: what each
//! needs before a run and after the map is dropped, and on which threads, so that the leak oracle
//! judges the map's own memory (see `mapcheck_harness::settle`).
//!
//! - **sdd** (scc): a thread's retirements sit in that thread's own collector and are freed by that
//!   thread once it has witnessed three more epochs; each thread gets a collector on first use.
//!   [`SDD`]: every thread registers before its first run, and after the drop every thread of the
//!   run takes guards, urging the epoch on, until it has witnessed enough epochs.
//! - **crossbeam-epoch**: a thread's deferred functions sit in its local bag until it flushes (or
//!   the bag fills); once in the global queue, any thread's collection runs them after the global
//!   epoch has advanced twice. The collector is created once per process, and each thread
//!   registers with it on first use. [`CROSSBEAM_EPOCH`]: the collector once, registration per
//!   thread, and after the drop every thread of the run flushes repeatedly.
//! - **seize** (papaya, flurry), with the collector owned by the map (each map creates its own,
//!   as papaya and flurry do by default): dropping the collector reclaims everything retired through
//!   it, and thread ids come from a process-wide table that allocates nothing on the heap, so nothing
//!   is deferred past the drop: [`SEIZE_OWNED`] declares nothing. A collector shared between maps
//!   (one passed to several maps, or a global one) is not dropped with the map: such a map needs an
//!   after-drop step that enters and leaves the shared collector on every thread.
//! - **parking_lot** (dashmap, flurry's bin locks): the first time a thread parks, parking_lot
//!   creates its per-thread record and grows a process-wide hash table sized by the number of
//!   threads, and never frees the old table. [`PARKING_LOT`]: every thread creates its record before
//!   its first run.
//!
//! A crate that combines these lists the steps of each in one [`Settle`] (flurry's adapter does).

use mapcheck_harness::Settle;

/// scc's and sdd's epochs.
pub const SDD: Settle = Settle {
    once: &[],
    per_thread: &[sdd::register_thread],
    after_drop: &[sdd::witness_epochs],
};

/// crossbeam-epoch's default collector.
pub const CROSSBEAM_EPOCH: Settle = Settle {
    once: &[crossbeam_epoch::create_collector],
    per_thread: &[crossbeam_epoch::register_thread],
    after_drop: &[crossbeam_epoch::flush],
};

/// seize with a collector owned by the map: nothing outlives the drop.
pub const SEIZE_OWNED: Settle = Settle::NONE;

/// parking_lot's per-thread records and its process-wide table.
pub const PARKING_LOT: Settle = Settle {
    once: &[],
    per_thread: &[parking_lot::register_thread],
    after_drop: &[],
};

/// sdd: the epoch-based reclamation scc uses.
pub mod sdd {
    /// Guards a thread takes at most, in one after-drop step, waiting for the epoch to move: the
    /// epoch cannot advance while another thread holds a guard, and the harness's rounds retry.
    const MAX_GUARDS: usize = 100_000;
    /// Epoch changes a thread witnesses before what it retired is surely freed: sdd frees a
    /// retirement once its thread has witnessed three epochs after it, and one more covers a
    /// retirement made just before the thread's view of the epoch was updated.
    const EPOCHS: usize = 4;

    /// Creates the calling thread's sdd collector.
    pub fn register_thread() {
        drop(::sdd::Guard::new());
    }

    /// Takes guards on the calling thread, asking each to advance the epoch when dropped, until the
    /// thread has witnessed [`EPOCHS`] epoch changes: what it retired is then freed.
    pub fn witness_epochs() {
        let mut epoch = ::sdd::Guard::new().epoch();
        let mut witnessed = 0;
        for _ in 0..MAX_GUARDS {
            let guard = ::sdd::Guard::new();
            guard.accelerate();
            let now = guard.epoch();
            drop(guard);
            if now != epoch {
                epoch = now;
                witnessed += 1;
                if witnessed == EPOCHS {
                    break;
                }
            }
        }
    }
}

/// crossbeam-epoch's default (global) collector.
pub mod crossbeam_epoch {
    /// Flushes per after-drop step: each advances the global epoch at most once and runs at most a
    /// few sealed bags, and a bag runs two epochs after it was sealed.
    const FLUSHES: usize = 16;

    /// Creates the default collector, once per process.
    pub fn create_collector() {
        let _ = ::crossbeam_epoch::default_collector();
    }

    /// Registers the calling thread with the default collector.
    pub fn register_thread() {
        drop(::crossbeam_epoch::pin());
    }

    /// Moves the calling thread's deferred functions to the global queue and collects, repeatedly.
    pub fn flush() {
        for _ in 0..FLUSHES {
            ::crossbeam_epoch::pin().flush();
        }
    }
}

/// parking_lot_core, which dashmap's and parking_lot's locks park through.
pub mod parking_lot {
    /// The address parked on; never parked on for real.
    static KEY: u8 = 0;

    /// Creates the calling thread's parking record (and, with it, grows the process-wide table of
    /// parked threads if this thread needs it to), without parking.
    pub fn register_thread() {
        // SAFETY: `validate` returns false, so the thread never sleeps and is never queued; none of
        // the callbacks panics or calls into parking_lot.
        unsafe {
            ::parking_lot_core::park(
                std::ptr::addr_of!(KEY) as usize,
                || false,
                || {},
                |_, _| {},
                ::parking_lot_core::DEFAULT_PARK_TOKEN,
                None,
            );
        }
    }
}
