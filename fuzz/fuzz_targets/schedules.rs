//! The `schedules` fuzz target: libFuzzer's bytes into [`mapcheck_fuzz::schedules`]; a finding panics with its report, an input without a verdict is kept.
#![no_main]

#[global_allocator]
static ALLOC: mapcheck_harness::alloc::Counting = mapcheck_harness::alloc::Counting;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mapcheck_fuzz::conclude("schedules", data, mapcheck_fuzz::schedules::check(data));
});
