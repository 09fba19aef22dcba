//! A whole consortium in a temporary directory, through the library rather than the CLI:
//! two orgs hash their exports under one key, a coordinator merges the token files, and we
//! print what the coordinator learns.
//!
//! This is the shortest path through the crate's public API, for anyone embedding
//! blindmatch in their own tooling (a nightly sync, a notebook kernel, a web service that
//! hashes uploads on the org's side). The people are made up.
//!
//!     cargo run --example consortium

use std::path::Path;

use blindmatch::hash::{HashOptions, HashPlan};
use blindmatch::merge::{MergeOptions, merge};
use blindmatch::progress::NoProgress;
use blindmatch::report::{Format, Report};
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::{OrgLabel, Round};

/// An Action Network export: two of its people are also on the tenants' list, one of them
/// written differently (case, a gmail dot and a tag).
const UNION: &str = "\
email,first_name,last_name,zip_code,can2_phone
ada.quint@example.org,Ada,Quint,27601,919-555-0101
Bo.Rimsky@gmail.com,Bo,Rimsky,27603,(919) 555-0102
cy.tolland@example.net,Cy,Tolland,27605,
dee.marsh@example.org,Dee,Marsh,27607,919.555.0104
";

/// An EveryAction export.
const TENANTS: &str = "\
Email,FirstName,LastName,AddressLine1,Zip5,Phone
ADA.QUINT@EXAMPLE.ORG,Ada,Quint,12 Elm St,27601,
borimsky+tenants@gmail.com,Bo,Rimsky,40 Oak Ave,27603,9195550102
eli.varga@example.com,Eli,Varga,7 Pine Rd,27609,
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let key = ConsortiumKey::generate()?;
    let round = Round::new("example-2026")?;
    println!("consortium key fingerprint: {}", key.fingerprint());

    // Each org, on its own machine: export -> hashed file (tokens only).
    let mut hashed = Vec::new();
    for (org, export) in [("union-local-1", UNION), ("tenants-united", TENANTS)] {
        let input = dir.path().join(format!("{org}.csv"));
        std::fs::write(&input, export)?;
        let output = dir.path().join(format!("{org}.hashed.csv"));
        let mut options = HashOptions::new(&input, &output, OrgLabel::new(org)?);
        options.round = round.clone();
        let done = HashPlan::new(options)?.run(&key, &NoProgress)?;
        println!("{org}: {} rows hashed", done.rows);
        hashed.push(output);
    }

    // The coordinator, without the key: token files -> people, overlaps, counts.
    let out_dir = dir.path().join("round1");
    let merged = merge(&MergeOptions::new(hashed, &out_dir), &NoProgress)?;
    let summary = &merged.summary;
    println!(
        "\n{} people on {} lists; on both lists: {}",
        summary.people,
        summary.orgs.len(),
        summary.lists.get("2").copied().unwrap_or(0)
    );
    for (set, people) in &summary.intersections {
        println!("  exactly on {set}: {people}");
    }
    println!("\nsummary.json (the coordinator's exact counts):");
    println!("{}", std::fs::read_to_string(out_dir.join("summary.json"))?);

    // What analysts may share: with a threshold of 10, counts this small are all hidden.
    let report = Report::build(summary, 10);
    println!("{}", report.render(Format::Table));
    list(&out_dir)?;
    Ok(())
}

/// The merge's output files.
fn list(dir: &Path) -> std::io::Result<()> {
    println!("files in round1/:");
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.path().is_dir() {
            for inner in std::fs::read_dir(entry.path())? {
                names.push(format!("{name}/{}", inner?.file_name().to_string_lossy()));
            }
        } else {
            names.push(name);
        }
    }
    names.sort();
    for name in names {
        println!("  {name}");
    }
    Ok(())
}
