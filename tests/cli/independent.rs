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
    run_script(&script(), args)
}

/// Runs a Python script; asserts it succeeded and returns its stdout.
fn run_script(script: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(script)
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

/// Rows that exercise every v2 field: nicknames, swapped first and last names, units,
/// directionals, fractions and spelled-out suffixes, abbreviated city words, full and partial
/// dates; households (shared address and last name) and repeated people make shared tokens,
/// and nickname names make multi-valued cells.
fn fuzzy_export(rows: usize) -> String {
    let firsts = [
        "Bob",
        "Robert",
        "Jim",
        "James",
        "Smith",
        "José",
        "Al",
        "Bill",
        "",
        "Σίσυφος",
    ];
    let middles = ["Allen", "", "Q.", "j", "Ünal"];
    let lasts = [
        "O'Brien-Smith Jr.",
        "Smith",
        "Macintosh",
        "Núñez",
        "Knuth",
        "Lee",
        "Bob",
    ];
    let addrs = [
        "123 N. Main Street Apt 4B",
        "123 MAIN ST",
        "77 Oak Ct #3",
        "5 Elm Avenue NW",
        "8 County Road 12",
        "15 W Highway 55",
        "123 1/2 Main St",
        "100 Broadway",
        "4 Park Ave Unit 2",
        "PO Box 7",
        "",
    ];
    let cities = [
        "St. Louis",
        "Winston-Salem",
        "MT AIRY",
        "Ft. Worth",
        "",
        "Raleigh",
    ];
    let zips = ["63101-1234", "2710", "27601", "", "ABCDE"];
    let dobs = [
        "3/7/1980",
        "19651013",
        "1980-02-30",
        "1975",
        "2000-02-29",
        "",
        "1985-07-04 00:00",
    ];
    let mut s = String::from(
        "email,phone,first,middle,last,zip,address,city,dob,email2,phone2,email3,phone3\n",
    );
    for i in 0..rows {
        // Every fourth row repeats an earlier person; others vary independently.
        let j = if i % 4 == 3 { i / 2 } else { i };
        let email = if j % 3 == 0 {
            format!("p{j}@example.org")
        } else {
            String::new()
        };
        // A second email and phone: new, repeating the first, or invalid.
        let email2 = match j % 7 {
            0 => format!("Q{j}@Example.org"),
            1 => email.to_uppercase(),
            2 => "not-an-email".to_string(),
            _ => String::new(),
        };
        let phone2 = match j % 6 {
            0 => "(650) 555-0100".to_string(),
            1 => format!("919 555 {:04}", j % 10_000),
            2 => "12".to_string(),
            _ => String::new(),
        };
        // A third: valid where the first two may both be empty or invalid.
        let email3 = if j % 4 == 2 {
            format!("third{j}@example.net")
        } else {
            String::new()
        };
        let phone3 = if j % 4 == 1 {
            "415 555 0199".to_string()
        } else {
            String::new()
        };
        s.push_str(&format!(
            "{email},{},{},{},\"{}\",{},{},{},{},{email2},{phone2},{email3},{phone3}\n",
            if j % 5 == 0 { "650-555-0100" } else { "" },
            firsts[j % firsts.len()],
            middles[j % middles.len()],
            lasts[(j / 2) % lasts.len()],
            zips[(j / 3) % zips.len()],
            addrs[(j / 4) % addrs.len()],
            cities[(j / 3) % cities.len()],
            dobs[(j / 5) % dobs.len()]
        ));
    }
    s
}

/// Every row of a hashed file as the independent implementation prints it: v1 cells, then
/// every v2 kind's cell.
fn all_cells(h: &Hashed) -> Vec<String> {
    let mut rows: Vec<String> = h
        .rows
        .iter()
        .zip(&h.v2_rows)
        .map(|(v1, v2)| [&v1[..5], &v2[..]].concat().join(","))
        .collect();
    rows.sort();
    rows
}

#[test]
fn v2_columns_equal_the_independent_implementation() {
    let wd = Workdir::new();
    wd.write("plain.csv", fuzzy_export(600));
    let names: Vec<&str> = blindmatch::spec::kinds::v2_kinds()
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    let columns = [
        "--email-col",
        "email",
        "--email-col",
        "email2",
        "--phone-col",
        "phone",
        "--phone-col",
        "phone2",
        "--email-col",
        "email3",
        "--phone-col",
        "phone3",
        "--middle-col",
        "middle",
        "--city-col",
        "city",
        "--address-col",
        "address",
        "--dob-col",
        "dob",
    ];
    for (kind, round) in [("members", ""), ("voters", "r-2026")] {
        let out = format!("{kind}.csv");
        let mut args = vec!["--kind", kind];
        args.extend_from_slice(&columns);
        if !round.is_empty() {
            args.extend(["--round", round]);
        }
        wd.hash("plain.csv", &out, "o", &args);
        let ours = Hashed::parse(&wd.read(&out));
        assert_eq!(ours.v2_header, names);
        let mut py = vec![
            "hash",
            TEST_KEY_HEX,
            round,
            wd.path("plain.csv").to_str().unwrap(),
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
        if kind == "voters" {
            py.push("voters".into());
        }
        let py: Vec<&str> = py.iter().map(String::as_str).collect();
        let theirs: Vec<String> = run_v2(&py).lines().map(str::to_string).collect();
        let ours = all_cells(&ours);
        assert_eq!(ours.len(), 600);
        let multi = ours.iter().filter(|r| r.contains(' ')).count();
        assert!(
            multi > 20,
            "{kind}: multi-valued cells are exercised ({multi})"
        );
        assert_eq!(ours, theirs, "{kind}");
    }
}

/// Runs the independent implementation of the v2 kinds.
fn run_v2(args: &[&str]) -> String {
    let script = format!(
        "{}/tests/independent/spec_v2.py",
        env!("CARGO_MANIFEST_DIR")
    );
    run_script(&script, args)
}

#[test]
fn v2_vector_file_still_agrees_with_the_independent_implementation() {
    let data = format!(
        "{}/tests/data/token_vectors_v2.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    run_v2(&["check", &data]);
}
