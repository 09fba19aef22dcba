//! One module per subcommand: flags in, library call, lines out.

pub mod fingerprint;
pub mod hash;
pub mod keygen;
