//! `blindmatch keygen`: create the consortium key.

use std::path::PathBuf;

use anyhow::{Context, Result};
use blindmatch::spec::key::ConsortiumKey;

use crate::ui::Ui;

/// Create a new consortium key file (32 random bytes, mode 0600).
///
/// One org creates the key and hands it to the other member orgs by a safe channel; the
/// coordinator never gets it. The file is never overwritten. The fingerprint printed on
/// stdout is safe to share: orgs compare it to confirm they hold the same key.
#[derive(clap::Args)]
#[command(after_long_help = "Examples:\n  blindmatch keygen -o consortium.key")]
pub struct Args {
    /// Where to write the key file (must not exist).
    #[arg(short, long, value_name = "KEYFILE")]
    output: PathBuf,
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    let key = ConsortiumKey::generate()?;
    key.save_new(&args.output)
        .with_context(|| "could not create the key file".to_string())?;
    ui.info(format!(
        "wrote {} (mode 0600). Share it only with member orgs, never with the coordinator.",
        args.output.display()
    ));
    ui.out(key.fingerprint().to_string())?;
    Ok(())
}
