//! The `scenario` fuzz target: libFuzzer's bytes into [`mapcheck_fuzz::scenario`]; a parser panic is
//! the finding (libFuzzer keeps the input), and so is an error that renders to nothing.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = mapcheck_fuzz::scenario::check(data) {
        panic!("{e}");
    }
});
