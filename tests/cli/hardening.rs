//! Regression tests for faults found by fuzzing and by hand: each input here once crashed
//! or misled a command; each must now give a clear result.

use crate::workdir::{Hashed, Workdir};

/// A voter row that stops after its fifth token cell, in a file whose header has a kept
/// column, with a token that matches a member: once a panic (a slice outside the block).
#[test]
fn a_voter_row_without_its_kept_cells_does_not_panic() {
    let wd = Workdir::new();
    wd.write(
        "voters.csv",
        "first_name,last_name,zip_code,precinct\nAnn,Lee,02139,P-1\nBo,Kim,02139,P-2\n",
    );
    wd.write(
        "members.csv",
        "first_name,last_name,zip\nAnn,Lee,02139\nBo,Kim,02139\n",
    );
    wd.hash(
        "voters.csv",
        "v.csv",
        "voters",
        &["--kind", "voters", "--keep", "precinct"],
    );
    wd.hash("members.csv", "m.csv", "union", &[]);
    // Cut the kept cell (and its comma) off every data row of the hashed voter file.
    let text = wd.read_string("v.csv");
    let cut: String = text
        .lines()
        .map(|l| {
            if l.starts_with('#') || l.starts_with("email") {
                format!("{l}\n")
            } else {
                format!("{}\n", l.rsplit_once(',').unwrap().0)
            }
        })
        .collect();
    wd.write("v-cut.csv", cut);
    let out = wd.output(&["merge", "m.csv", "--voters", "v-cut.csv", "-o", "out"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
    let table = Hashed::parse(&wd.read("out/orgs/union.csv"));
    assert_eq!(table.column("voter_status"), ["matched", "matched"]);
    assert_eq!(
        table.column("precinct"),
        ["", ""],
        "missing cells read as empty"
    );
}
