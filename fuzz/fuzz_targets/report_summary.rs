//! Fuzz target: `blindmatch::fuzzing::report_summary` (its doc says what is checked).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| blindmatch::fuzzing::report_summary(data));
