//! The `blindmatch` command line: parses flags, calls the library, prints.
//!
//! All the work lives in the library; each subcommand module in `src/cmd/` turns its flags
//! into library options and the library's report into lines on stderr. Errors stop here:
//! they are printed once, with context, and become the exit code.

mod cmd;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  Try the whole flow on synthetic data:
    blindmatch demo

  An org's data person, on their own machine:
    blindmatch keygen -o consortium.key          (once, by one org; shared with member orgs)
    blindmatch fingerprint consortium.key        (compare over the phone)
    blindmatch hash --key consortium.key --org union-local-1 members.csv -o union.hashed.csv";

/// Privacy-preserving list matching for organizing consortia.
///
/// Orgs turn member lists into keyed tokens on their own machines (`hash`); a coordinator
/// who does not hold the key merges token files; analysts see counts with small cells
/// suppressed; each org joins results back to its own list.
#[derive(Parser)]
#[command(name = "blindmatch", version, after_long_help = EXAMPLES)]
struct Cli {
    /// Print nothing but results and errors (no progress bar, no summaries).
    #[arg(short, long, global = true)]
    quiet: bool,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, global = true, value_name = "N")]
    threads: Option<usize>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Keygen(cmd::keygen::Args),
    Fingerprint(cmd::fingerprint::Args),
    Hash(Box<cmd::hash::Args>),
    Merge(cmd::merge::Args),
    Report(cmd::report::Args),
    Lookup(Box<cmd::lookup::Args>),
    Demo(cmd::demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = ui::Ui::new(cli.quiet);
    if let Some(n) = cli.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
        {
            ui.error(&anyhow::anyhow!("could not start {n} worker threads: {e}"));
            return ExitCode::FAILURE;
        }
    }
    let result = match cli.command {
        Command::Keygen(args) => cmd::keygen::run(args, &ui),
        Command::Fingerprint(args) => cmd::fingerprint::run(args, &ui),
        Command::Hash(args) => cmd::hash::run(*args, &ui),
        Command::Merge(args) => cmd::merge::run(args, &ui),
        Command::Report(args) => cmd::report::run(args, &ui),
        Command::Lookup(args) => cmd::lookup::run(*args, &ui),
        Command::Demo(args) => cmd::demo::run(args, &ui),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if ui::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            ui.error(&e);
            ExitCode::FAILURE
        }
    }
}
