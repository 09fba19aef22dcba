//! End to end: generate N synthetic rows, hash them into a real file, print rows/s.
//!
//!     cargo bench --bench hash_e2e                # 2,000,000 rows
//!     BENCH_ROWS=500000 cargo bench --bench hash_e2e
//!
//! Three inputs: email only, EveryAction layout (all five kinds can form), and a voter file
//! in the North Carolina layout with three kept geography columns. Input
//! generation is not timed; reading, parsing, normalizing, hashing, ordering and writing
//! the output file are.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use blindmatch::hash::{HashOptions, HashPlan};
use blindmatch::progress::NoProgress;
use blindmatch::spec::hashfile::FileKind;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::OrgLabel;
use blindmatch::synth::{CrmStyle, Generator};

const BATCH: usize = 100_000;

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    EmailOnly,
    EveryAction,
    VoterFile,
}

fn generate(path: &std::path::Path, rows: usize, layout: Layout) {
    let mut w = BufWriter::new(File::create(path).unwrap());
    let mut g = Generator::new(42);
    match layout {
        Layout::EmailOnly => writeln!(w, "email").unwrap(),
        Layout::VoterFile => g.write_voter_header(&mut w).unwrap(),
        Layout::EveryAction => {}
    }
    let mut done = 0;
    while done < rows {
        let n = BATCH.min(rows - done);
        let people = g.people(done as u64, n);
        if layout == Layout::EmailOnly {
            for p in &people {
                writeln!(w, "{}@{}", p.email_local, p.email_domain).unwrap();
            }
        } else if layout == Layout::VoterFile {
            g.write_voter_rows(&people, &mut w).unwrap();
        } else {
            let mut chunk = Vec::new();
            g.write_export(CrmStyle::EveryAction, &people, 0.1, &mut chunk)
                .unwrap();
            let body = if done == 0 {
                &chunk[..]
            } else {
                &chunk[chunk.iter().position(|&b| b == b'\n').unwrap() + 1..]
            };
            w.write_all(body).unwrap();
        }
        done += n;
    }
    w.flush().unwrap();
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 10_000 } else { 2_000_000 });
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let key = ConsortiumKey::from_bytes([1; 32]);
    println!(
        "hash end to end: {rows} rows, {} threads",
        rayon::current_num_threads()
    );
    let cases = [
        ("email only", Layout::EmailOnly),
        ("all five kinds (EveryAction layout)", Layout::EveryAction),
        ("voter file (NC layout, 3 kept columns)", Layout::VoterFile),
    ];
    for (n, (name, layout)) in cases.into_iter().enumerate() {
        let input = dir.path().join(format!("in-{n}.csv"));
        generate(&input, rows, layout);
        let size = std::fs::metadata(&input).unwrap().len();
        let mut best = f64::MAX;
        for run in 0..3 {
            let output = dir.path().join(format!("out-{n}-{run}.csv"));
            let mut opts = HashOptions::new(&input, &output, OrgLabel::new("bench").unwrap());
            if layout == Layout::VoterFile {
                opts.kind = FileKind::Voters;
                opts.keep = ["precinct_abbrv", "cong_dist_abbrv", "nc_house_abbrv"]
                    .map(String::from)
                    .to_vec();
            }
            let started = Instant::now();
            let report = HashPlan::new(opts).unwrap().run(&key, &NoProgress).unwrap();
            let secs = started.elapsed().as_secs_f64();
            assert_eq!(report.rows as usize, rows);
            best = best.min(secs);
            std::fs::remove_file(&output).unwrap();
        }
        println!(
            "  {name:<40} {:>10.0} rows/s  (best of 3: {best:.3} s, input {:.1} MB)",
            rows as f64 / best,
            size as f64 / 1e6
        );
    }
}
