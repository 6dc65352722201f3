//! The `ops` fuzz target: libFuzzer's bytes into [`mapcheck_fuzz::ops`]; a finding panics with its report, an input without a verdict is kept.
#![no_main]

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mapcheck_fuzz::conclude("ops", data, mapcheck_fuzz::ops::check(data));
});
