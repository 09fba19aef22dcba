//! Fuzz target: `blindmatch::fuzzing::hash_export` (its doc says what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blindmatch::fuzzing::hash_export(data));
