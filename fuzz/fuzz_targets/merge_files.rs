//! Fuzz target: `blindmatch::fuzzing::merge_files` (its doc says what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blindmatch::fuzzing::merge_files(data));
