//! Fuzz target: `blindmatch::fuzzing::normalize_value` (its doc says what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blindmatch::fuzzing::normalize_value(data));
