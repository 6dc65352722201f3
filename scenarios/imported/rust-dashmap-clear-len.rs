// Source: https://github.com/orcaman/concurrent-map/issues/6 ("Race conditions using shards": Count,
// Iter and whole-map operations go shard by shard, so they are not atomic) and
// https://github.com/CorfuDB/CorfuDB/issues/216 ("clear() method isn't atomic"). DashMap is sharded
// the same way.
// Hazard: S5, a whole-map clear and len that are not atomic across shards.
// mapcheck-expect: sharded-clear-skips
use dashmap::DashMap;

fn main() {
    let map: DashMap<u64, u64> = DashMap::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            map.clear();
        });
        s.spawn(|| {
            map.insert(5, 50);
            map.remove(&2);
            map.len();
        });
    });
}
