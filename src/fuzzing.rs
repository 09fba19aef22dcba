//! Entry points for the fuzzers (`fuzz/`, cargo-fuzz on nightly) and for the stable test that
//! replays their corpus and every crash they found (`tests/fuzz_replay.rs`), so that a fixed
//! crash stays fixed without a nightly toolchain.
//!
//! Each function takes arbitrary bytes, runs one real path of the crate on them (through
//! files in a temporary directory where the path reads files), and panics only when an
//! invariant the docs claim is broken: a token file holding anything but tokens, a
//! normalized value outside its form, a panic inside the crate. Errors are fine: bad input
//! must be refused, not crash.

use std::path::Path;

use crate::hash::{HashOptions, HashPlan};
use crate::merge::{MergeOptions, merge};
use crate::progress::NoProgress;
use crate::report::summary::Summary;
use crate::report::{Format, Report};
use crate::spec::hashfile::{self, HashedFile, parse_row};
use crate::spec::key::ConsortiumKey;
use crate::spec::label::OrgLabel;
use crate::spec::normalize::{self, CountryCode};

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn is_token_or_empty(cell: &[u8]) -> bool {
    cell.is_empty()
        || (cell.len() == 64 && cell.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// An export through the whole `hash` pipeline. The first byte picks how it is read (CSV,
/// spreadsheet, a headerless layout); nothing but tokens may reach the output.
pub fn hash_export(data: &[u8]) {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let (name, layout) = match selector % 6 {
        0 => ("export.csv", None),
        1 => ("export.xlsx", None),
        2 => ("export.ods", None),
        3 => ("export.txt", Some("florida")),
        4 => ("export.txt", Some("michigan")),
        _ => ("export.tsv", Some("nationbuilder")),
    };
    let dir = temp_dir();
    let input = dir.path().join(name);
    std::fs::write(&input, content).expect("write the input");
    let output = dir.path().join("out.csv");
    let mut opts = HashOptions::new(&input, &output, OrgLabel::new("fuzz").expect("label"));
    opts.reading.layout = layout.map(str::to_string);
    let key = ConsortiumKey::from_bytes([7; 32]);
    let Ok(plan) = HashPlan::new(opts) else {
        return;
    };
    if plan.run(&key, &NoProgress).is_err() {
        assert!(!output.exists(), "a failed run left an output");
        return;
    }
    let written = std::fs::read(&output).expect("the output exists");
    let mut lines = written.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    let header = hashfile::header_line_spec(hashfile::SPEC_VERSION, &[], false);
    for line in lines.by_ref() {
        if line == &header[..header.len() - 1] {
            break;
        }
        assert!(line.starts_with(b"# "), "only metadata before the header");
    }
    let v2_columns = crate::spec::kinds::v2_kinds().len();
    for line in lines {
        let cells: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        assert_eq!(cells.len(), 5 + v2_columns, "token cells and nothing else");
        assert!(
            cells[..5].iter().all(|c| is_token_or_empty(c)),
            "only tokens"
        );
        let row = hashfile::parse_row_spec(line, v2_columns).expect("a valid row");
        assert!(row.kind_cells().is_ok(), "only v2 tokens");
    }
}

/// A hashed file as the coordinator reads it: metadata, header, rows.
pub fn hashed_file(data: &[u8]) {
    for line in data.split(|&b| b == b'\n') {
        if let Ok(row) = parse_row(line) {
            assert!(row.tokens.iter().all(|t| is_token_or_empty(t)));
        }
    }
    let dir = temp_dir();
    let path = dir.path().join("h.csv");
    std::fs::write(&path, data).expect("write");
    if let Ok(file) = HashedFile::open(&path) {
        let v2_columns = file.v2_columns;
        for block in file.blocks() {
            let Ok(block) = block else { break };
            for line in block.data.split(|&b| b == b'\n') {
                let _ = parse_row(line);
                if let Ok(row) = hashfile::parse_row_spec(line, v2_columns) {
                    // The merge's one-pass reader gives what the reference reader gives.
                    let (mut lens, mut tokens) = (Vec::new(), Vec::new());
                    let fused = row.append_kind_tokens(5 + v2_columns, &mut lens, &mut tokens);
                    match row.kind_cells() {
                        Ok(cells) => {
                            assert!(fused.is_ok());
                            let want: Vec<u64> = cells.iter().flat_map(|(_, t)| t).collect();
                            assert_eq!(tokens, want);
                            assert_eq!(lens.len(), cells.len());
                        }
                        Err(why) => assert_eq!(fused, Err(why)),
                    }
                }
            }
        }
    }
}

/// A key file: parsing never panics, and a parsed key writes back to the same key.
pub fn key_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = ConsortiumKey::parse(text, Path::new("fuzz.key")) {
        let again = ConsortiumKey::parse(&key.to_file_text(), Path::new("again.key"))
            .expect("a written key parses");
        assert_eq!(again.fingerprint(), key.fingerprint());
    }
}

/// `merge` on small arbitrary hashed files: an org file, then (after a 0xFF byte) a voter
/// file, then a suppression file.
pub fn merge_files(data: &[u8]) {
    let mut parts = data.split(|&b| b == 0xFF);
    let dir = temp_dir();
    let mut opts = MergeOptions::new(Vec::new(), &dir.path().join("out"));
    for (i, part) in parts.by_ref().take(3).enumerate() {
        let path = dir.path().join(format!("in{i}.csv"));
        std::fs::write(&path, part).expect("write");
        match i {
            0 => opts.orgs.push(path),
            1 => opts.voters = Some(path),
            _ => opts.suppress.push(path),
        }
    }
    if merge(&opts, &NoProgress).is_err() {
        assert!(
            !dir.path().join("out").exists(),
            "a failed merge left output"
        );
    }
}

/// `report` on an arbitrary `summary.json`, in every format, at two thresholds.
pub fn report_summary(data: &[u8]) {
    let dir = temp_dir();
    let path = dir.path().join("summary.json");
    std::fs::write(&path, data).expect("write");
    let Ok(summary) = Summary::load(&path) else {
        return;
    };
    for k in [1, 10] {
        let report = Report::build(&summary, k);
        for format in [
            Format::Table,
            Format::Csv,
            Format::Json,
            Format::Markdown,
            Format::Html,
        ] {
            let _ = report.render(format);
        }
    }
}

/// Every normalization rule: each output has the form the spec gives it, and normalizing an
/// output again gives it back (emails: unless gmail dots hid whitespace from the trim).
pub fn normalize_value(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let (mut out, mut again, mut scratch) = (String::new(), String::new(), String::new());
    if normalize::email(&raw, &mut out).is_ok() {
        assert_eq!(out.matches('@').count(), 1);
        assert!(!out.bytes().any(|b| b.is_ascii_uppercase()));
        let twice = normalize::email(&out, &mut again);
        if out.trim() == out {
            assert!(twice.is_ok() && again == out, "email idempotent");
        }
    }
    for cc in [CountryCode::NANP, CountryCode::parse("44").expect("44")] {
        if normalize::phone(&raw, cc, &mut out).is_ok() {
            let digits = &out[1..];
            assert!(out.starts_with('+') && digits.bytes().all(|b| b.is_ascii_digit()));
            assert!((10..=15).contains(&digits.len()) && !digits.starts_with('0'));
            assert!(normalize::phone(&out, cc, &mut again).is_ok() && again == out);
        }
    }
    if normalize::first_name(&raw, &mut scratch, &mut out).is_ok() {
        assert!(!out.is_empty() && out.chars().all(char::is_alphabetic));
        assert!(normalize::first_name(&out, &mut scratch, &mut again).is_ok() && again == out);
    }
    if normalize::last_name(&raw, &mut scratch, &mut out).is_ok() {
        assert!(!out.is_empty() && out.chars().all(char::is_alphabetic));
    }
    if normalize::zip5(&raw, &mut out).is_ok() {
        assert!(out.len() == 5 && out.bytes().all(|b| b.is_ascii_digit()));
        assert!(normalize::zip5(&out, &mut again).is_ok() && again == out);
    }
    if normalize::house(&raw, &mut out).is_ok() {
        assert!(out.bytes().all(|b| b.is_ascii_digit()) && !out.starts_with('0'));
    }
    if normalize::yob(&raw, 2026, &mut out).is_ok() {
        let year: u32 = out.parse().expect("four digits");
        assert!((1900..=2026).contains(&year));
    }
}

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, for the replay test and the fuzz crate.
pub const TARGETS: [(&str, Target); 6] = [
    ("hash_export", hash_export),
    ("hashed_file", hashed_file),
    ("key_file", key_file),
    ("merge_files", merge_files),
    ("report_summary", report_summary),
    ("normalize_value", normalize_value),
];
