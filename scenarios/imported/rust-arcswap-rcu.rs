// Source: https://github.com/NLnetLabs/cascade/pull/369 ("Use ArcSwap::rcu to update values": the
// code assumed updating the ArcSwap value was atomic; `rcu` retries when another writer got in
// between). The script uses `rcu`: a correct copy-on-write map passes, one without
// compare-and-swap does not.
// Hazard: S4, two writers publishing copies of one map.
// mapcheck-expect: cow-nocas
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::Arc;

fn main() {
    let zones = Arc::new(ArcSwap::from_pointee(HashMap::new()));
    zones.rcu(|z| {
        let mut z = HashMap::clone(z);
        z.insert(1, 10);
        z
    });
    std::thread::scope(|s| {
        s.spawn(|| {
            zones.rcu(|z| {
                let mut z = HashMap::clone(z);
                z.remove(&1);
                z
            });
            zones.load().get(&1);
        });
        s.spawn(|| {
            zones.rcu(|z| {
                let mut z = HashMap::clone(z);
                z.insert(2, 20);
                z
            });
            zones.load().get(&2);
        });
    });
}
