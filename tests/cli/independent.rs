//! Tokens from the binary equal tokens from an independent implementation of the spec
//! (`tests/independent/spec_v1.py`: Python's hmac/hashlib/unicodedata, no shared code).

use std::process::Command;

use crate::workdir::{Hashed, TEST_KEY_HEX, Workdir};

fn python() -> &'static str {
    "python3"
}

fn script() -> String {
    format!(
        "{}/tests/independent/spec_v1.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Messy but deterministic rows in the plain column layout the Python script reads.
fn messy_export(rows: usize) -> String {
    let firsts = [
        "José",
        "ZOË",
        "Mary Ann",
        "anne-marie",
        "Σίσυφος",
        "Ｊｏｈｎ",
        "",
        "Li",
    ];
    let lasts = [
        "O'Brien-Smith",
        "King Jr.",
        "Nguyễn",
        "Gates III",
        "Müller",
        "ΟΔΥΣΣΕΥΣ",
        "V",
        "Lee",
    ];
    let zips = [
        "2139",
        "02139-1234",
        "941101234",
        "10001.0",
        "501",
        "ABCDE",
        "",
        "60614",
    ];
    let phones = [
        "(650) 555-1212",
        "+44 20 7946 0958",
        "555-1212",
        "1-415-555-0199 ext 3",
        "",
        "011 33 1 23 45 67 89",
    ];
    let dobs = [
        "1985-07-04",
        "7/4/1985",
        "19850704",
        "1899",
        "",
        "1970 00:00",
        "2099",
    ];
    let addrs = ["123B Main St", "PO Box 7", "0042 Elm", "", "7 Rue"];
    let mut s = String::from("email,phone,first,last,zip,address,dob\n");
    for i in 0..rows {
        let email = match i % 6 {
            0 => format!("Person.{i}+tag@GMail.Com"),
            1 => format!("  person{i}@Example.ORG "),
            2 => format!("p{i}@b@c.com"),
            3 => String::new(),
            4 => format!("+{i}@gmail.com"),
            _ => format!("Ünï{i}@example.com"),
        };
        s.push_str(&format!(
            "{email},\"{}\",{},{},{},{},{}\n",
            phones[i % phones.len()],
            firsts[i % firsts.len()],
            lasts[(i / 3) % lasts.len()],
            zips[(i / 2) % zips.len()],
            addrs[(i / 5) % addrs.len()],
            dobs[(i / 7) % dobs.len()]
        ));
    }
    s
}

/// Runs the independent implementation; asserts it succeeded and returns its stdout.
fn run_independent(args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(script())
        .args(args)
        .output()
        .expect("python3 is needed by this test (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn vector_file_still_agrees_with_the_independent_implementation() {
    let data = format!(
        "{}/tests/data/token_vectors.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    run_independent(&["check", &data]);
}

/// Sorted token rows of a plain CSV (`email,phone,first,last,zip,address,dob`) from the
/// independent implementation, one comma-joined row per line.
pub fn independent_rows(wd: &Workdir, plain: &str, round: &str) -> Vec<String> {
    let path = wd.path(plain);
    run_independent(&["hash", TEST_KEY_HEX, round, path.to_str().unwrap()])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn binary_output_equals_the_independent_implementation() {
    let wd = Workdir::new();
    wd.write("plain.csv", messy_export(400));
    for round in ["", "nyc-primary-2026"] {
        let mut extra = vec![];
        if !round.is_empty() {
            extra = vec!["--round", round];
        }
        let out = format!("h{}.csv", round.len());
        wd.hash("plain.csv", &out, "o", &extra);
        let ours = Hashed::parse(&wd.read(&out));
        let mut ours: Vec<String> = ours.rows.iter().map(|r| r.join(",")).collect();
        ours.sort();
        let theirs = independent_rows(&wd, "plain.csv", round);
        assert_eq!(ours.len(), 400);
        let formed = ours.iter().filter(|r| r.len() > 4).count();
        assert!(formed > 300, "most rows form some token");
        assert_eq!(ours, theirs, "round {round:?}");
    }
}
