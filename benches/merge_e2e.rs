//! The coordinator's merge at scale, against DuckDB doing the same joins on the same files.
//!
//!     cargo bench --bench merge_e2e                     # 10 orgs x 1,000,000, 20,000,000 voters
//!     BENCH_ORGS=4 BENCH_MEMBERS=200000 BENCH_VOTERS=2000000 cargo bench --bench merge_e2e
//!
//! The data (synthetic exports, hashed by the real `hash` path) is generated once per size
//! and kept under target/ (or BENCH_DIR) for later runs. The merge is timed end to end,
//! outputs written; its peak memory is read from /proc. DuckDB (`pip install duckdb`) runs
//! `benches/duckdb_merge.py` on the same hashed files with the same number of threads
//! (BENCH_DUCKDB=0 skips it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use blindmatch::demo::{self, DemoConfig};
use blindmatch::hash::{HashOptions, HashPlan};
use blindmatch::merge::{MergeOptions, merge};
use blindmatch::progress::NoProgress;
use blindmatch::spec::hashfile::FileKind;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::{OrgLabel, Round};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Generates and hashes the consortium unless a finished copy is already there.
fn prepare(dir: &Path, cfg: &DemoConfig, key: &ConsortiumKey) -> (Vec<PathBuf>, PathBuf) {
    let done = dir.join("READY");
    let org_files: Vec<PathBuf> = (0..cfg.orgs)
        .map(|i| dir.join(format!("{}.members.hashed.csv", demo::label(i))))
        .collect();
    let voters = dir.join("voters.voters.hashed.csv");
    if done.exists() {
        println!("  reusing hashed data in {}", dir.display());
        return (org_files, voters);
    }
    std::fs::create_dir_all(dir).unwrap();
    let started = Instant::now();
    let data = demo::generate(dir, cfg).unwrap();
    println!(
        "  generated exports in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let round = Round::new("bench").unwrap();
    let hash = |input: &Path, output: &Path, org: &str, kind: FileKind, keep: &[String]| {
        let mut opts = HashOptions::new(input, output, OrgLabel::new(org).unwrap());
        opts.kind = kind;
        opts.keep = keep.to_vec();
        opts.round = round.clone();
        opts.force = true;
        let t = Instant::now();
        let report = HashPlan::new(opts).unwrap().run(key, &NoProgress).unwrap();
        println!(
            "  hashed {:>10} rows of {} in {:.1} s ({:.0} rows/s)",
            report.rows,
            input.file_name().unwrap().to_string_lossy(),
            t.elapsed().as_secs_f64(),
            report.rows as f64 / t.elapsed().as_secs_f64()
        );
        std::fs::remove_file(input).unwrap();
    };
    for (org, out) in data.orgs.iter().zip(&org_files) {
        hash(&org.export, out, &org.label, FileKind::Members, &[]);
    }
    hash(
        &data.voter_file,
        &voters,
        "voters",
        FileKind::Voters,
        &data.keep,
    );
    std::fs::write(&done, "").unwrap();
    (org_files, voters)
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let cfg = DemoConfig {
        orgs: env("BENCH_ORGS", 10),
        members: env("BENCH_MEMBERS", if smoke { 2_000 } else { 1_000_000 }),
        voters: env("BENCH_VOTERS", if smoke { 20_000 } else { 20_000_000 }),
        seed: 2026,
        dirt: 0.2,
    };
    let base = std::env::var("BENCH_DIR").map_or_else(
        |_| PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
        PathBuf::from,
    );
    let dir = base.join(format!("merge-{}x{}-{}", cfg.orgs, cfg.members, cfg.voters));
    let threads = rayon::current_num_threads();
    println!(
        "merge end to end: {} orgs of up to {} members, {} voters, {threads} threads",
        cfg.orgs, cfg.members, cfg.voters
    );
    let key = ConsortiumKey::from_bytes([3; 32]);
    let (orgs, voters) = prepare(&dir, &cfg, &key);
    let sizes: u64 = orgs
        .iter()
        .chain([&voters])
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    println!("  hashed inputs: {:.2} GB", sizes as f64 / 1e9);

    // Reset the peak-memory mark so it measures the merge alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let out = dir.join("out");
    let mut opts = MergeOptions::new(orgs.clone(), &out);
    opts.voters = Some(voters.clone());
    opts.force = true;
    let started = Instant::now();
    let result = merge(&opts, &NoProgress).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let s = &result.summary;
    let voter = s.voter.clone().unwrap_or_default();
    println!(
        "  blindmatch merge: {seconds:.1} s, peak memory {:.0} MB; {} member records, {} member tokens \
         ({:.1} index bytes per token), {} people, matched {}, ambiguous {}",
        peak_rss_mb(),
        result.stats.member_records,
        result.stats.member_tokens,
        result.stats.index_bytes as f64 / result.stats.member_tokens as f64,
        s.people,
        voter.matched,
        voter.ambiguous
    );

    let phases: Vec<String> = result
        .stats
        .phases
        .iter()
        .map(|(n, t)| format!("{n} {t:.1} s"))
        .collect();
    println!("    phases: {}", phases.join(", "));
    if std::env::var("BENCH_DUCKDB").as_deref() == Ok("0") {
        println!("  DuckDB comparison skipped (BENCH_DUCKDB=0)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/duckdb_merge.py");
    let duck_out = dir.join("duckdb-out");
    let _ = std::fs::remove_dir_all(&duck_out);
    let mut cmd = Command::new("python3");
    cmd.arg(&script)
        .arg(&duck_out)
        .arg(threads.to_string())
        .arg(&voters)
        .args(&orgs);
    match cmd.output() {
        Ok(o) if o.status.success() => {
            let line = String::from_utf8_lossy(&o.stdout);
            let d: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
            println!(
                "  DuckDB {}: {} s, peak memory {} MB; people {}, matched {}, ambiguous {}",
                d["duckdb"],
                d["seconds"],
                d["peak_rss_mb"],
                d["people"],
                d["matched"],
                d["ambiguous"]
            );
            let agree = d["people"] == s.people
                && d["matched"] == voter.matched
                && d["ambiguous"] == voter.ambiguous;
            println!("  counts agree: {agree}");
            if let Some(ds) = d["seconds"].as_f64() {
                println!("  blindmatch is {:.2}x the speed of DuckDB", ds / seconds);
            }
        }
        Ok(o) => println!(
            "  DuckDB comparison skipped: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("  DuckDB comparison skipped: {e}"),
    }
    let _ = std::fs::remove_dir_all(&duck_out);
}
