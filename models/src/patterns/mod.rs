//! The access-pattern models: each builds a workload (initial contents and per-thread operations)
//! for a size, small enough for loom or larger for shuttle and real threads.

pub use mapcheck_harness::Size;
use mapcheck_harness::Workload;

mod cache_fill;
mod churn;
mod concurrent_delete;
mod counter_update;
mod cow_swap;
mod delete_during_iteration;
mod delete_reinsert;
mod grow_race;
mod insert_remove_get;
mod rebuild_race;
mod reclaim_race;
mod retain_sweep;
mod sharded_whole_map;
mod syncmap_promotion;
mod tombstone_gc;

pub use cache_fill::cache_fill;
pub use churn::churn;
pub use concurrent_delete::concurrent_delete;
pub use counter_update::counter_update;
pub use cow_swap::cow_swap;
pub use delete_during_iteration::delete_during_iteration;
pub use delete_reinsert::delete_reinsert;
pub use grow_race::grow_race;
pub use insert_remove_get::insert_remove_get;
pub use rebuild_race::rebuild_race;
pub use reclaim_race::reclaim_race;
pub use retain_sweep::retain_sweep;
pub use sharded_whole_map::sharded_whole_map;
pub use syncmap_promotion::syncmap_promotion;
pub use tombstone_gc::tombstone_gc;

/// A named access pattern.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    pub name: &'static str,
    pub summary: &'static str,
    pub build: fn(Size) -> Workload,
}

/// Every model, in the order the check matrix lists them.
pub const MODELS: &[Model] = &[
    Model {
        name: "insert-remove-get",
        summary: "threads insert, remove and get overlapping keys",
        build: insert_remove_get,
    },
    Model {
        name: "concurrent-delete",
        summary: "every thread deletes the same keys (the reports' reproducer), then reads them back",
        build: concurrent_delete,
    },
    Model {
        name: "delete-during-iteration",
        summary: "one thread iterates deleting even keys while another inserts (growing the table) and deletes",
        build: delete_during_iteration,
    },
    Model {
        name: "tombstone-gc",
        summary: "delete, reinsert of the same key, and a GC tick racing, then reads",
        build: tombstone_gc,
    },
    Model {
        name: "syncmap-promotion",
        summary: "a promotion and an expunge race a delete and a store that go around the lock; keys are read back",
        build: syncmap_promotion,
    },
    Model {
        name: "rebuild-race",
        summary: "a writer drains the map and triggers the rebuild while another writer inserts",
        build: rebuild_race,
    },
    Model {
        name: "sharded-whole-map",
        summary: "len, iteration and clear race writers across shards, then every key is read back",
        build: sharded_whole_map,
    },
    Model {
        name: "churn",
        summary: "insert many keys, delete them all, twice, then the reclamation step: memory must follow",
        build: churn,
    },
    Model {
        name: "delete-reinsert",
        summary: "a delete and reinsert of one key race another delete of it: each value taken out once",
        build: delete_reinsert,
    },
    Model {
        name: "reclaim-race",
        summary: "a delete races the reclamation step; deleted entries must be gone after the last one",
        build: reclaim_race,
    },
    Model {
        name: "cow-swap",
        summary: "a deleter and an inserter write different keys while a reader reads; a racing swap must not undo the delete",
        build: cow_swap,
    },
    Model {
        name: "grow-race",
        summary: "an insert grows a full table while another thread deletes one of its keys and reads it back",
        build: grow_race,
    },
    Model {
        name: "cache-fill",
        summary: "threads fill the same keys with get-or-insert while another fills, invalidates and clears",
        build: cache_fill,
    },
    Model {
        name: "counter-update",
        summary: "counters incremented in place race a compare-and-delete retire and a compare-and-swap reset",
        build: counter_update,
    },
    Model {
        name: "retain-sweep",
        summary: "a retain sweeps expired entries while writers refresh them and add new ones",
        build: retain_sweep,
    },
];

pub fn model(name: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.name == name)
}
