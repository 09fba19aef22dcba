//! Fuzz target: `blindmatch::fuzzing::hashed_file` (its doc says what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blindmatch::fuzzing::hashed_file(data));
