//! One module per subcommand: flags in, library call, lines out.

pub mod columns;
pub mod demo;
pub mod fingerprint;
pub mod hash;
pub mod keygen;
pub mod lookup;
pub mod merge;
pub mod report;
