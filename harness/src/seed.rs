//! Seeds: SplitMix64, and how an exploration's seed is split into streams (runs, threads) and shards
//! that never share a value. Below the engines, so that the checker's generators use it too.

/// A seed for stream `stream` of `seed` (a run of an exploration, a thread of a run): the
/// `stream`-th output of SplitMix64 started from a hash of `seed`. Within one seed, distinct streams
/// always get distinct values (SplitMix64's output function is a bijection of its state, and the
/// states of distinct streams differ); two seeds share a value only if their hashes happen to lie
/// a multiple of the generator's odd increment apart, about one chance in 2^43 for streams under a
/// million. XOR or addition of seed and stream would instead make seed 42's stream 1 be seed 43's
/// stream 0.
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut hashed = seed;
    let mut state = splitmix(&mut hashed).wrapping_add(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    splitmix(&mut state)
}

/// The seed of shard `shard` of `of` (1-based) of an exploration started with `seed`: `seed` itself
/// for a single shard, otherwise a hash of the three, so that shards of one seed, and shards and
/// seeds of different runs, explore different schedules (see [`derive_seed`]).
pub fn shard_seed(seed: u64, shard: u64, of: u64) -> u64 {
    if of <= 1 {
        seed
    } else {
        derive_seed(derive_seed(seed, of), shard)
    }
}

/// SplitMix64: a tiny seeded generator for jitter and workload generation.
pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
