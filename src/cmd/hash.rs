//! `blindmatch hash`: an org's CRM export to a hashed file, on the org's machine.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use blindmatch::hash::{HashOptions, HashPlan, HashReport, RowProblem};
use blindmatch::input::columns::Role;
use blindmatch::input::encoding::How;
use blindmatch::input::{Container, Export};
use blindmatch::spec::hashfile::FileKind;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::{OrgLabel, Round};
use blindmatch::spec::token::Kind;

use super::columns::{ColumnArgs, print_layouts};
use crate::ui::{Ui, thousands};

const EXAMPLES: &str = "\
Examples:
  A member list (columns found from the header: ActionKit, Action Network, EveryAction, VAN,
  NationBuilder, Mailchimp, Mobilize, ActBlue, Spoke, Salesforce, state voter files, ...;
  CSV, TSV, UTF-16, Windows-1252, .xlsx or .ods):
    blindmatch hash --key consortium.key --org union-local-1 members.csv -o union.hashed.csv

  A voter file without a header row, by its published layout:
    blindmatch hash --key k.key --org voters --kind voters --layout florida \
        --keep 'Precinct,Congressional District' DAD_20261101.txt -o voters.hashed.csv

  The layouts blindmatch knows:
    blindmatch hash --layout list

  Name the columns yourself:
    blindmatch hash --key k.key --org tenants --email-col 'E-mail 1' --zip-col Postcode \\
        export.tsv -o tenants.hashed.csv

  A voter file, keeping geography columns in clear:
    blindmatch hash --key k.key --org voters --kind voters \\
        --keep precinct_abbrv,cong_dist_abbrv,nc_house_abbrv ncvoter.txt -o voters.hashed.csv

  A member list whose 'Volunteer' column marks who will write to neighbours (yes, y, true,
  1 or x, in any case); the hashed file carries that flag and nothing else of the column:
    blindmatch hash --key k.key --org union-local-1 --messenger-col Volunteer members.csv \
        -o union.hashed.csv

  An unsubscribe list:
    blindmatch hash --key k.key --org union-local-1 --kind suppression optouts.csv -o optouts.hashed.csv

Rows are numbered as a spreadsheet shows them: the header is row 1.
Load a hashed file with DuckDB: read_csv('f.csv', comment='#'); pandas: read_csv('f.csv', comment='#').";

#[derive(Clone, Copy, clap::ValueEnum)]
enum KindArg {
    Members,
    Voters,
    Suppression,
}

/// Turn a CRM export into a hashed file of keyed tokens.
///
/// Reads CSV or TSV (delimiter sniffed; UTF-8 with or without BOM), writes one row of
/// tokens per input row (email, phone, name_zip, name_addr, name_yob_zip; empty where a
/// kind cannot be formed) in an order unrelated to the input's, with the file's metadata
/// in leading '#' lines. No input value is ever written or printed.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The CRM export to hash (CSV, TSV, .xlsx, .ods, or a voter file with --layout).
    #[arg(required_unless_present = "layout")]
    input: Option<PathBuf>,

    /// Where to write the hashed file.
    #[arg(short, long, value_name = "FILE", required_unless_present = "layout")]
    output: Option<PathBuf>,

    /// The consortium key file.
    #[arg(long, value_name = "KEYFILE", required_unless_present = "layout")]
    key: Option<PathBuf>,

    /// Your org's label, e.g. union-local-1 (letters, digits, '.', '_', '-').
    #[arg(long, value_name = "LABEL", required_unless_present = "layout")]
    org: Option<String>,

    /// The matching round, e.g. nyc-primary-2026; tokens of different rounds never match.
    #[arg(long, value_name = "ROUND")]
    round: Option<String>,

    /// What the file is.
    #[arg(long, value_enum, default_value = "members")]
    kind: KindArg,

    /// Voter files only: geography columns to copy in clear (precinct, districts, county).
    #[arg(long, value_delimiter = ',', value_name = "COL,...")]
    keep: Vec<String>,

    /// Member lists only: the column marking members willing to be the "from" name for
    /// neighbours (yes, y, true, 1, x in any case; anything else is not a messenger).
    #[arg(long, value_name = "COL")]
    messenger_col: Option<String>,

    #[command(flatten)]
    columns: ColumnArgs,

    /// List the row numbers of invalid values and unreadable rows (never the values).
    #[arg(long)]
    report_invalid: bool,

    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// The arguments a run needs (clap lets them go only with `--layout`, for `--layout list`).
struct Paths<'a> {
    input: &'a PathBuf,
    output: &'a PathBuf,
    key: &'a PathBuf,
    org: &'a str,
}

fn paths(args: &Args) -> Result<Paths<'_>> {
    match (&args.input, &args.output, &args.key, &args.org) {
        (Some(input), Some(output), Some(key), Some(org)) => Ok(Paths {
            input,
            output,
            key,
            org,
        }),
        _ => anyhow::bail!(
            "hash needs an input file, -o FILE, --key KEYFILE and --org LABEL \
             (see blindmatch hash --help)"
        ),
    }
}

fn options(args: &Args, paths: &Paths) -> Result<HashOptions> {
    let org = OrgLabel::new(paths.org)?;
    let mut opts = HashOptions::new(paths.input, paths.output, org);
    if let Some(round) = &args.round {
        opts.round = Round::new(round)?;
    }
    opts.kind = match args.kind {
        KindArg::Members => FileKind::Members,
        KindArg::Voters => FileKind::Voters,
        KindArg::Suppression => FileKind::Suppression,
    };
    opts.keep = args
        .keep
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    opts.messenger_col = args
        .messenger_col
        .as_ref()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    opts.reading = args.columns.reading()?;
    opts.rules = args.columns.rules()?;
    opts.force = args.force;
    Ok(opts)
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    if args.columns.wants_layout_list() {
        return print_layouts(ui);
    }
    let paths = paths(&args)?;
    let opts = options(&args, &paths)?;
    let key = ConsortiumKey::load(paths.key)?;
    let plan = HashPlan::new(opts)?;
    report_columns(plan.export(), ui);
    for kept in plan.kept_columns() {
        ui.info(format!("  kept in clear        <- column '{kept}'"));
    }
    if let Some(column) = plan.messenger_column() {
        ui.info(format!("  messenger flag       <- column '{column}'"));
    }
    let started = Instant::now();
    let bar = ui.progress("hashing");
    let report = plan.run(&key, &bar)?;
    let seconds = started.elapsed().as_secs_f64();
    summarize(&report, &args, &paths, seconds, ui);
    Ok(())
}

/// Says how the export was read and which column plays which role (header names only).
fn report_columns(export: &Export, ui: &Ui) {
    let format = match &export.container {
        Container::Delimited { delimiter, header } => {
            let d = match delimiter {
                b'\t' => "tab".to_string(),
                d => format!("'{}'", *d as char),
            };
            let header = if *header { "" } else { ", no header row" };
            format!("{d}-delimited{header}")
        }
        Container::Fixed => "fixed width".to_string(),
        Container::Sheet { name } => format!("spreadsheet, sheet '{name}'"),
        Container::Rows => "rows in memory".to_string(),
    };
    let encoding = match &export.encoding {
        Some(e) => match e.how {
            How::Given => format!(", {}", e.name()),
            How::Bom => format!(", {} (byte-order mark)", e.name()),
            How::NulPattern => format!(", {} (detected; set --encoding if wrong)", e.name()),
            How::NotUtf8 => format!(
                ", {} (not UTF-8; set --encoding if names look wrong)",
                e.name()
            ),
            How::Default => String::new(),
        },
        None => String::new(),
    };
    ui.info(format!(
        "reading {} ({format}{encoding})",
        export.path.display()
    ));
    match (export.layout, export.layout_named) {
        (Some(l), true) => ui.info(format!("  layout: {} ({})", l.title, l.name)),
        (Some(l), false) => ui.info(format!(
            "  layout: {} ({}), recognized from the header",
            l.title, l.name
        )),
        (None, _) => ui.info("  layout: not a known one; columns found by their names"),
    }
    for role in Role::ALL {
        match export.map().describe(role, &export.headers) {
            Some(c) => ui.info(format!("  {:<20} <- {c}", role.name())),
            None => ui.info(format!(
                "  {:<20} (no column; set {} if there is one)",
                role.name(),
                role.flag()
            )),
        }
    }
    for notice in &export.detection.notices {
        ui.warn(notice.to_string());
    }
}

fn summarize(report: &HashReport, args: &Args, paths: &Paths, seconds: f64, ui: &Ui) {
    ui.info(format!(
        "hashed {} rows -> {} in {seconds:.2} s ({} rows/s)",
        thousands(report.rows),
        paths.output.display(),
        thousands((report.rows as f64 / seconds.max(1e-9)) as u64)
    ));
    ui.info(format!(
        "  {:<14}{:>12}{:>12}{:>12}",
        "kind", "tokens", "invalid", "missing"
    ));
    for kind in Kind::ALL {
        let c = report.per_kind[kind.index()];
        ui.info(format!(
            "  {:<14}{:>12}{:>12}{:>12}",
            kind.name(),
            thousands(c.tokens),
            thousands(c.invalid),
            thousands(c.missing)
        ));
    }
    let v2_cells: u64 = report.v2_kinds.iter().map(|c| c.tokens).sum();
    let v2_formed = report.v2_kinds.iter().filter(|c| c.tokens > 0).count();
    ui.info(format!(
        "  spec 2 kinds: {} cells with tokens, {v2_formed} of {} kinds formed (per kind: the \
         file's '# tokens:' line)",
        thousands(v2_cells),
        report.v2_kinds.len()
    ));
    if !report.dropped.is_empty() {
        let kinds = report.dropped.iter().filter(|&&n| n > 0).count();
        ui.info(format!(
            "  dropped (voter file): {} distinct tokens held by more than one row, in {kinds} \
             kinds; {} cells left empty (per kind: '# dropped:')",
            thousands(report.dropped.iter().sum()),
            thousands(report.emptied.iter().sum())
        ));
    }
    ui.info(format!(
        "  rows with no token: {}; wrong number of fields: {}; not UTF-8: {}",
        thousands(report.rows_without_token),
        thousands(report.ragged_rows),
        thousands(report.undecodable_rows)
    ));
    if let Some(meta) = &report.metadata {
        if meta.messengers.is_some() {
            ui.info(format!(
                "  messengers (willing to write to neighbours): {} rows",
                thousands(report.messengers)
            ));
        }
        ui.info(format!(
            "  key fingerprint {}, round {}",
            meta.fingerprint, meta.round
        ));
    }
    if report.rows == 0 {
        ui.warn(format!("{} has no data rows", paths.input.display()));
    }
    if report.ragged_rows > 0 {
        ui.warn(format!(
            "{} rows have a different number of fields than the header (often an unbalanced quote); \
             their tokens are empty{}",
            thousands(report.ragged_rows),
            hint(args)
        ));
    }
    if report.undecodable_rows > 0 {
        ui.warn(format!(
            "{} rows have identifier cells that are not UTF-8 (re-save the export as UTF-8); \
             those values were treated as invalid{}",
            thousands(report.undecodable_rows),
            hint(args)
        ));
    }
    for kind in Kind::ALL {
        let c = report.per_kind[kind.index()];
        if c.tokens == 0 && c.invalid > 0 {
            let hint = match kind {
                Kind::Phone => "check the phone column, or --default-country-code",
                Kind::Email => "check that the email column holds email addresses",
                _ => "check the name, zip, address and date-of-birth columns",
            };
            ui.warn(format!(
                "no {} value could be used ({} invalid): {hint}",
                kind.name(),
                thousands(c.invalid)
            ));
        }
    }
    if report.messenger_unclear > 0 {
        ui.warn(format!(
            "{} rows have a messenger cell that is neither a yes (yes, y, true, 1, x) nor a no \
             (empty, no, n, false, 0): they are not messengers{}",
            thousands(report.messenger_unclear),
            hint(args)
        ));
    }
    for (column, share) in &report.identifying_kept {
        ui.warn(format!(
            "kept column '{column}' has a distinct value on {:.0}% of rows: it identifies people. \
             Keep only geography (precinct, districts, county).",
            share * 100.0
        ));
    }
    if args.report_invalid {
        report_rows(report, ui);
    }
}

fn hint(args: &Args) -> &'static str {
    if args.report_invalid {
        ""
    } else {
        " (--report-invalid lists the rows)"
    }
}

fn report_rows(report: &HashReport, ui: &Ui) {
    let list = |rows: Vec<u64>| {
        rows.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for kind in Kind::ALL {
        let rows = report.rows_with(RowProblem::Invalid(kind));
        if !rows.is_empty() {
            ui.info(format!("  {} invalid at rows: {}", kind.name(), list(rows)));
        }
    }
    let unclear = report.rows_with(RowProblem::MessengerUnclear);
    if !unclear.is_empty() {
        ui.info(format!(
            "  unclear messenger cell at rows: {}",
            list(unclear)
        ));
    }
    let ragged = report.rows_with(RowProblem::Ragged);
    if !ragged.is_empty() {
        ui.info(format!(
            "  wrong number of fields at rows: {}",
            list(ragged)
        ));
    }
    let mut undecodable: Vec<(u64, usize)> = report
        .problems
        .iter()
        .filter_map(|&(row, p)| match p {
            RowProblem::Undecodable(col) => Some((row, col + 1)),
            _ => None,
        })
        .collect();
    undecodable.dedup();
    if !undecodable.is_empty() {
        let cells: Vec<String> = undecodable
            .iter()
            .map(|(r, c)| format!("row {r} column {c}"))
            .collect();
        ui.info(format!("  not UTF-8 at: {}", cells.join(", ")));
    }
}
