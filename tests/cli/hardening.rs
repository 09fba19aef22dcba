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
    let out = wd.output(&[
        "merge",
        "--match",
        "exact",
        "m.csv",
        "--voters",
        "v-cut.csv",
        "-o",
        "out",
    ]);
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

/// Entries a run may leave only while it is running.
fn litter(wd: &Workdir, dir: &str) -> Vec<String> {
    std::fs::read_dir(wd.path(dir))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".blindmatch-") && n != ".blindmatch-demo")
        .collect()
}

/// `kill -9` at several points of `hash` and `merge`: no partial output is ever visible,
/// and the next run into the folder leaves no scratch file behind.
#[test]
fn a_killed_run_leaves_no_output_and_the_next_run_sweeps_its_litter() {
    let wd = Workdir::new();
    let mut export = String::from("email,first_name,last_name,zip,phone\n");
    for i in 0..200_000 {
        export.push_str(&format!(
            "p{i}@example.org,Ann{},Lee{},{:05},650555{:04}\n",
            i % 97,
            i % 89,
            i % 90_000,
            i % 10_000
        ));
    }
    std::fs::create_dir(wd.path("out")).unwrap();
    wd.write("members.csv", &export);
    let key = wd.fixed_key();
    let mut killed_mid_write = false;
    for delay_ms in [30, 150, 400] {
        let mut child = wd
            .command(&[
                "hash",
                "--key",
                key,
                "--org",
                "o",
                "members.csv",
                "-o",
                "out/h.csv",
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            std::fs::remove_file(wd.path("out/h.csv")).unwrap();
            continue; // finished before the kill: nothing to check at this point
        }
        assert!(
            !wd.path("out/h.csv").exists(),
            "a partial output is visible"
        );
        killed_mid_write |= !litter(&wd, "out").is_empty();
    }
    assert!(
        killed_mid_write,
        "no kill hit the run while it wrote: make the input larger"
    );
    wd.hash("members.csv", "out/h.csv", "o", &[]);
    assert_eq!(litter(&wd, "out"), Vec::<String>::new());
    assert_eq!(Hashed::parse(&wd.read("out/h.csv")).rows.len(), 200_000);

    for delay_ms in [20, 100, 300] {
        let mut child = wd
            .command(&["merge", "--match", "exact", "out/h.csv", "-o", "round"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap();
        if child.wait().unwrap().success() {
            std::fs::remove_dir_all(wd.path("round")).unwrap();
            continue;
        }
        assert!(
            !wd.path("round").exists(),
            "a partial merge output is visible"
        );
    }
    wd.run(&["merge", "--match", "exact", "out/h.csv", "-o", "round"]);
    assert!(wd.path("round/summary.json").exists());
    assert_eq!(litter(&wd, "."), Vec::<String>::new());
}

/// A cut-short `summary.json` is named for what it is, not as a hashed file, and nothing
/// of its content is quoted.
#[test]
fn a_truncated_summary_is_called_that() {
    let wd = Workdir::new();
    wd.write("members.csv", "email\nann@example.org\nbo@example.org\n");
    wd.hash("members.csv", "h.csv", "o", &[]);
    wd.run(&["merge", "--match", "exact", "h.csv", "-o", "out"]);
    let summary = wd.read("out/summary.json");
    wd.write("out/summary.json", &summary[..summary.len() / 2]);
    let err = wd.fail(&["report", "out"]);
    assert!(
        err.contains("not a merge summary") && err.contains("cut short"),
        "{err}"
    );
    assert!(!err.contains("hashed file"), "{err}");
    wd.write("out/summary.json", "{\"people\": \"Quillfeather\"}");
    let err = wd.fail(&["report", "out"]);
    assert!(
        err.contains("wrong type") && !err.contains("Quillfeather"),
        "{err}"
    );
}
