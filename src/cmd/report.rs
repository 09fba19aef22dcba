//! `blindmatch report`: shareable counts from a merge, small cells suppressed.

use std::path::PathBuf;

use anyhow::{Context, Result};
use blindmatch::outfile::{check_writable, write_file};
use blindmatch::report::summary::Summary;
use blindmatch::report::{Format, Report};

use crate::ui::Ui;

const EXAMPLES: &str = "\
Examples:
  blindmatch report round1
  blindmatch report round1 --min-cell 20 --format markdown > round1-report.md
  blindmatch report round1 --format json > round1-report.json
  blindmatch report round1 --format html -o round1-report.html";

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

    /// Output format: table, csv, json, markdown or html (one self-contained page).
    #[arg(long, default_value = "table")]
    format: String,

    /// Write to this file instead of standard output (it appears only when complete).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    let format: Format = args.format.parse().map_err(anyhow::Error::msg)?;
    let summary = Summary::load(&args.dir.join("summary.json"))
        .with_context(|| format!("{} is not a merge output directory", args.dir.display()))?;
    if let Some(path) = &args.output {
        check_writable(path, args.force)?;
    }
    let report = Report::build(&summary, args.min_cell.max(1));
    let text = report.render(format);
    match &args.output {
        Some(path) => {
            write_file(path, text.as_bytes(), args.force)?;
            ui.info(format!("report: {}", path.display()));
        }
        None => ui.out(text.trim_end())?,
    }
    Ok(())
}
