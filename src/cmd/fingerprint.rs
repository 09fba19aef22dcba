//! `blindmatch fingerprint`: show a key's public fingerprint.

use std::path::PathBuf;

use anyhow::Result;
use blindmatch::spec::key::ConsortiumKey;

use crate::ui::Ui;

/// Print the fingerprint of a key file, to compare with other orgs over the phone.
#[derive(clap::Args)]
#[command(after_long_help = "Examples:\n  blindmatch fingerprint consortium.key")]
pub struct Args {
    /// The consortium key file.
    keyfile: PathBuf,
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    let key = ConsortiumKey::load(&args.keyfile)?;
    ui.out(key.fingerprint().to_string())?;
    Ok(())
}
