//! `blindmatch lookup`: join an org's own match table back to its own list.

use std::path::PathBuf;

use anyhow::{Result, bail};
use blindmatch::lookup::{LookupOptions, lookup};
use blindmatch::spec::key::ConsortiumKey;

use super::columns::ColumnArgs;
use crate::ui::{Ui, thousands};

const EXAMPLES: &str = "\
Examples:
  Everyone on your list, with their district and voter status:
    blindmatch lookup --key consortium.key --input members.csv \\
        --matches round1/orgs/union-local-1.csv -o members-matched.csv

  Your share of the outreach in one state house district:
    blindmatch lookup --key consortium.key --input members.csv \\
        --matches round1/orgs/union-local-1.csv --where nc_house_abbrv=HD-012 \\
        --assigned-only -o hd12-targets.csv

  Your most engaged people (on 3 or more lists) for house meetings:
    blindmatch lookup --key consortium.key --input members.csv \\
        --matches round1/orgs/union-local-1.csv --tier 3 -o house-meetings.csv

Use the same column options as when you ran hash. People who opted out on any list
(contact = no) are left out unless --include-no-contact.";

/// Join your org's match table (from the coordinator) to your own export, locally.
///
/// Re-hashes the export with the consortium key, finds each row in the match table by its
/// tokens, and appends voter_status, match_key, the district columns, lists, contact and
/// assigned (and, after merge --messenger-by, the messenger's first name, last name and
/// email, from this same export). Refuses a match table made under another key.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The consortium key file.
    #[arg(long, value_name = "KEYFILE")]
    key: PathBuf,

    /// Your CRM export (the one you hashed).
    #[arg(long, value_name = "MEMBERS")]
    input: PathBuf,

    /// Your org's match table: OUT_DIR/orgs/<org>.csv from the coordinator.
    #[arg(long, value_name = "FILE")]
    matches: PathBuf,

    /// Where to write your list with the appended columns.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,

    /// Keep only rows whose appended column COL equals VALUE, e.g. precinct_abbrv=P-012.
    #[arg(long = "where", value_name = "COL=VALUE")]
    filter: Option<String>,

    /// Keep only the people assigned to your org (merge --assign).
    #[arg(long)]
    assigned_only: bool,

    /// Keep only people on at least N lists.
    #[arg(long, value_name = "N")]
    tier: Option<u32>,

    /// Keep people who opted out on some list (contact = no). Do not message them.
    #[arg(long)]
    include_no_contact: bool,

    #[command(flatten)]
    columns: ColumnArgs,

    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    let mut opts = LookupOptions::new(&args.input, &args.matches, &args.output);
    opts.reading = args.columns.reading()?;
    opts.rules = args.columns.rules()?;
    opts.filter = match &args.filter {
        Some(f) => match f.split_once('=') {
            Some((c, v)) if !c.trim().is_empty() => {
                Some((c.trim().to_string(), v.trim().to_string()))
            }
            _ => bail!("--where takes COL=VALUE"),
        },
        None => None,
    };
    opts.assigned_only = args.assigned_only;
    opts.min_lists = args.tier;
    opts.include_no_contact = args.include_no_contact;
    opts.force = args.force;
    let key = ConsortiumKey::load(&args.key)?;
    let report = lookup(&opts, &key)?;
    ui.info(format!(
        "{} rows of {}: {} found in the match table of '{}'; {} written to {}",
        thousands(report.rows),
        args.input.display(),
        thousands(report.found),
        report.org,
        thousands(report.written),
        args.output.display()
    ));
    if report.messengers > 0 {
        ui.info(format!(
            "  messengers: the match table names {}; {} found in your export \
             (messenger_first_name, messenger_last_name, messenger_email)",
            thousands(report.messengers),
            thousands(report.messengers_found)
        ));
    }
    if report.messengers_found < report.messengers {
        ui.warn(format!(
            "{} messengers of the match table are not in {}: the people they write to get \
             empty messenger columns (is it the export you hashed?)",
            thousands(report.messengers - report.messengers_found),
            args.input.display()
        ));
    }
    if report.no_contact > 0 {
        ui.info(format!(
            "  {} rows left out: the person opted out on some list (contact = no)",
            thousands(report.no_contact)
        ));
    }
    if let (Some((col, value)), 0) = (&opts.filter, report.written) {
        ui.warn(format!(
            "no row has {col}={value}: check the value against the match table"
        ));
    }
    if report.found < report.rows {
        ui.warn(format!(
            "{} rows are not in the match table (added since hashing, or hashed with other column options)",
            thousands(report.rows - report.found)
        ));
    }
    Ok(())
}
