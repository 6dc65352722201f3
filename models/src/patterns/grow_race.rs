//! The `grow-race` model (its doc comment below says what it drives and why).

use super::Size;
use mapcheck_harness::{Op, Workload};

/// Thread 0 inserts a new key into a full table and reads key 2; thread 1 deletes key 2 and reads
/// it back; any further threads read key 7.
///
/// Hazard: a table that grows (copies its entries into a bigger one) racing a delete of one of the
/// entries it copies: the deleted key must stay deleted. Keys 2, 7 and 10 land in the same shard of
/// `sharded`, so the initial 2 and 7 fill a table of two slots and thread 0's insert of 10 grows it.
///
/// Built to catch: `sharded-grow-race` (the grow installs a copy taken before the delete: key 2
/// comes back, a lost delete).
pub fn grow_race(size: Size) -> Workload {
    let mut threads = vec![
        vec![Op::Insert { key: 10, value: 100 }, Op::Get { key: 2 }],
        vec![Op::Remove { key: 2 }, Op::Get { key: 2 }],
    ];
    for _ in 2..size.threads {
        threads.push(vec![Op::Get { key: 7 }]);
    }
    Workload {
        initial: vec![(2, 20), (7, 70)],
        threads,
    }
}
