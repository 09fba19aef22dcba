//! `blindmatch report`: shareable counts from a merge, small cells suppressed.

use std::path::PathBuf;

use anyhow::{Context, Result};
use blindmatch::report::{Format, Report};
use blindmatch::summary::Summary;

use crate::ui::Ui;

const EXAMPLES: &str = "\
Examples:
  blindmatch report round1
  blindmatch report round1 --min-cell 20 --format markdown > round1-report.md
  blindmatch report round1 --format json > round1-report.json";

/// Print the counts analysts may share: sizes, overlaps, voter match, districts.
///
/// Every count below the threshold is shown as <K (null with a flag in JSON), and further
/// cells are hidden wherever a hidden count could be recovered by subtraction from a
/// published total.
#[derive(clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// A merge output directory.
    dir: PathBuf,

    /// Smallest count shown; smaller counts are suppressed.
    #[arg(long, default_value_t = 10, value_name = "K")]
    min_cell: u64,

    /// Output format: table, csv, json or markdown.
    #[arg(long, default_value = "table")]
    format: String,
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    let format: Format = args.format.parse().map_err(anyhow::Error::msg)?;
    let summary = Summary::load(&args.dir.join("summary.json"))
        .with_context(|| format!("{} is not a merge output directory", args.dir.display()))?;
    let report = Report::build(&summary, args.min_cell.max(1));
    ui.out(report.render(format).trim_end())?;
    Ok(())
}
