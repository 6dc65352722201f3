//! The `replay` fuzz target: libFuzzer's bytes into [`mapcheck_fuzz::replay`], read as a replay token
//! or a failure record; a panic, a hang or a broken property (an error line of 200 characters or
//! more, a token or record that does not read back as itself) is the finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = mapcheck_fuzz::replay::check(data) {
        panic!("mapcheck fuzz `replay`: {e}");
    }
});
