//! `blindmatch merge`: the coordinator's join of hashed files, without the key.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use blindmatch::merge::assign::{Policy, Target};
use blindmatch::merge::messenger::MessengerOptions;
use blindmatch::merge::{MatchMode, MergeOptions, merge};
use blindmatch::spec::token::Kind;

use crate::ui::{Ui, thousands};

const EXAMPLES: &str = "\
Examples:
  Overlaps between three orgs and their match to the voter file:
    blindmatch merge union.hashed.csv tenants.hashed.csv sunrise.hashed.csv \\
        --voters voters.hashed.csv -o round1

  Link records on phone as well as email, honor opt-outs, one messenger per person:
    blindmatch merge *.hashed.csv --voters voters.hashed.csv --link-on email,phone \\
        --suppress optouts.hashed.csv --assign balanced -o round1

  Only people in two precincts, union first:
    blindmatch merge *.hashed.csv --voters voters.hashed.csv \\
        --assign priority:union,tenants --target precinct_abbrv=P-012,P-013 -o round1

  Each person also hears from a volunteer of the assigned org in their own precinct (or
  elsewhere in their house district), no volunteer writing to more than 25 people; the
  org files were hashed with --messenger-col:
    blindmatch merge *.hashed.csv --voters voters.hashed.csv --assign balanced \
        --messenger-by precinct_abbrv --messenger-cap 25 -o round1

Outputs in OUT_DIR: summary.json (exact counts, coordinator only), orgs/<org>.csv (one
per org, that org's records only: send each org its own), consortium.csv (coordinator
only), manifest.json (SHA-256 of every output).";

/// Merge every org's hashed file (and a hashed voter file) into overlaps and matches.
///
/// Runs on tokens alone: the coordinator does not need, and must not have, the key. All
/// inputs must carry the same key fingerprint, round and spec version; nothing is written
/// otherwise.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Hashed member files, one per org.
    #[arg(required = true, value_name = "ORG_FILE")]
    orgs: Vec<PathBuf>,

    /// The hashed voter file (hash --kind voters).
    #[arg(long, value_name = "VOTER_FILE")]
    voters: Option<PathBuf>,

    /// Hashed suppression files (hash --kind suppression): these people are contacted by nobody.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    suppress: Vec<PathBuf>,

    /// Token kinds that link records into one person.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "email",
        value_name = "KIND,..."
    )]
    link_on: Vec<String>,

    /// Give every eligible person one messenger org: priority:ORG1,ORG2,..., balanced, random[:SEED].
    #[arg(long, value_name = "POLICY")]
    assign: Option<Policy>,

    /// Assign only matched people in these districts: COL=VALUE[,VALUE...].
    #[arg(long, value_name = "COL=VALUES")]
    target: Option<Target>,

    /// Give each assigned, voter-matched person a messenger: a member of the assigned org
    /// flagged by hash --messenger-col, matched in the same value of this kept column.
    #[arg(long, value_name = "COL")]
    messenger_by: Option<String>,

    /// No messenger writes to more than N people (default: no limit).
    #[arg(long, value_name = "N", requires = "messenger_by",
          value_parser = clap::value_parser!(u32).range(1..))]
    messenger_cap: Option<u32>,

    /// How records are matched to the voter file and linked into people: fuzzy (token spec v2
    /// scoring over composite tokens) or exact (the v1 passes: email, phone, name_yob_zip,
    /// name_addr, name_zip).
    #[arg(long = "match", value_name = "MODE", default_value = "fuzzy",
          value_parser = ["fuzzy", "exact"])]
    match_mode: String,

    /// The output directory (must not exist, unless --force).
    #[arg(short, long, value_name = "OUT_DIR")]
    output: PathBuf,

    /// Replace an existing output directory.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    let mut opts = MergeOptions::new(args.orgs.clone(), &args.output);
    opts.voters = args.voters.clone();
    opts.suppress = args.suppress.clone();
    opts.force = args.force;
    opts.match_mode = MatchMode::from_name(&args.match_mode).unwrap_or_default();
    opts.link_on = Vec::new();
    for name in &args.link_on {
        match Kind::from_name(name.trim()) {
            Some(kind @ (Kind::Email | Kind::Phone)) => opts.link_on.push(kind),
            _ => bail!("--link-on takes email and/or phone"),
        }
    }
    opts.assign = args.assign.clone();
    opts.target = args.target.clone();
    opts.messengers = args.messenger_by.as_ref().map(|by| MessengerOptions {
        by: by.trim().to_string(),
        cap: args.messenger_cap,
    });
    let started = Instant::now();
    let bar = ui.progress("merge");
    let result = merge(&opts, &bar)?;
    let s = &result.summary;
    let st = &result.stats;
    ui.info(format!(
        "merged {} org files ({} records, {} member tokens) in {:.2} s",
        s.orgs.len(),
        thousands(st.member_records),
        thousands(st.member_tokens),
        started.elapsed().as_secs_f64()
    ));
    ui.info(format!(
        "  people: {}; unusable records: {}; token index: {:.1} MB ({:.1} bytes per member token)",
        thousands(s.people),
        thousands(s.unusable),
        st.index_bytes as f64 / 1e6,
        st.index_bytes as f64 / st.member_tokens.max(1) as f64
    ));
    if let Some(v) = &s.voter {
        ui.info(format!(
            "  voter file: {} records; matched {}, ambiguous {}, unmatched {}",
            thousands(v.voter_records),
            thousands(v.matched),
            thousands(v.ambiguous),
            thousands(v.unmatched)
        ));
    }
    if let Some(c) = &s.common_contacts {
        let kinds: Vec<String> = c.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        ui.warn(format!(
            "{} member records hold an email or phone that more than {} records share (a \
             placeholder typed into a required field, or a shared line): it is left out, as if \
             missing, and joins only copies of one record (tokens left out: {}; opt-out tokens \
             not applied: {})",
            thousands(c.records),
            c.max_holders,
            kinds.join(", "),
            c.opt_outs_not_applied
        ));
    }
    if !opts.suppress.is_empty() {
        ui.info(format!(
            "  suppressed (contact = no): {}",
            thousands(s.suppressed)
        ));
    }
    if let Some(a) = &s.assignment {
        ui.info(format!("  assignment ({}):", a.policy));
        for (org, n) in &a.per_org {
            ui.info(format!("    {org:<24}{:>12}", thousands(*n)));
        }
        if a.outside_target > 0 {
            ui.info(format!(
                "    outside the target: {}",
                thousands(a.outside_target)
            ));
        }
    }
    if let Some(m) = &s.messengers {
        let t = &m.total;
        let share = |n: u64| 100.0 * n as f64 / t.people.max(1) as f64;
        ui.info(format!(
            "  messengers by {}{}: {} messengers; of {} assigned voter-matched people, {} ({:.1}%) \
             have one in their {}, {} ({:.1}%) elsewhere in their {}, {} none; largest load {}",
            m.by,
            m.cap.map_or(String::new(), |c| format!(" (cap {c})")),
            thousands(t.messengers),
            thousands(t.people),
            thousands(t.local),
            share(t.local),
            m.by,
            thousands(t.enclosing),
            share(t.enclosing),
            m.fallback.as_deref().unwrap_or("(no enclosing district)"),
            thousands(t.none),
            thousands(t.largest_load)
        ));
    }
    let phases: Vec<String> = st
        .phases
        .iter()
        .map(|(n, t)| format!("{n} {t:.1} s"))
        .collect();
    ui.info(format!("  time: {}", phases.join(", ")));
    ui.info(format!("  wrote {}", args.output.display()));
    Ok(())
}
