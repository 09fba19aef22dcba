//! Reading a merge output directory to compute a figure blindmatch does not print: for
//! each district, how deep the consortium runs there, that is the share of its matched
//! people who are on two lists or more (people several orgs know are the ones to ask to
//! knock doors).
//!
//! `summary.json` holds exact counts and stays with the coordinator; a figure of your own
//! made from it is as sensitive as the counts it uses. So this one skips districts with
//! fewer than `MIN_PEOPLE` matched people, the way `report` hides small cells.
//!
//!     cargo run -- demo                      # or use a real merge output directory
//!     cargo run --example own_figure -- blindmatch-demo/round1 [nc_house_abbrv]

use std::path::PathBuf;

use blindmatch::report::summary::Summary;

/// Districts with fewer matched people than this are left out.
const MIN_PEOPLE: u64 = 50;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!(
            "usage: own_figure MERGE_OUTPUT_DIR [COLUMN]   (try: blindmatch demo, then blindmatch-demo/round1)"
        );
        std::process::exit(2);
    };
    let summary = Summary::load(&dir.join("summary.json"))?;
    let column = match args.next() {
        Some(c) => c,
        None => summary
            .tiers
            .keys()
            .next()
            .cloned()
            .ok_or("this merge kept no district column (merge it with --voters)")?,
    };
    let tiers = summary.tiers.get(&column).ok_or_else(|| {
        format!(
            "no column {column}; the merge kept {:?}",
            summary.tiers.keys().collect::<Vec<_>>()
        )
    })?;

    // (share on 2+ lists, district, matched people)
    let mut rows: Vec<(f64, &str, u64)> = tiers
        .iter()
        .filter_map(|(district, by_tier)| {
            let total: u64 = by_tier.values().sum();
            let deep = total - by_tier.get("1").copied().unwrap_or(0);
            (total >= MIN_PEOPLE).then(|| (deep as f64 / total as f64, district.as_str(), total))
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    println!("(exact figures from summary.json: for the coordinator, not for forwarding)");
    println!(
        "Depth by {column}: share of matched people on 2+ lists ({} districts, {} left out as too small)",
        rows.len(),
        tiers.len() - rows.len()
    );
    for (share, district, total) in &rows {
        let bar = "#".repeat((share * 50.0).round() as usize);
        println!(
            "  {district:>12}  {:5.1}%  of {total:>6}  {bar}",
            share * 100.0
        );
    }
    Ok(())
}
