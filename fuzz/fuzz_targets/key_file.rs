//! Fuzz target: `blindmatch::fuzzing::key_file` (its doc says what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blindmatch::fuzzing::key_file(data));
