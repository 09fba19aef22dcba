//! The library's error type.
//!
//! Every message names a file, a row, a column or a rule, and never the content of a cell:
//! these messages end up in terminals, logs and chat threads, where a member's email must
//! not. The binary adds context with `anyhow`; the library reports facts.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OS cause is part of the message (not a `source`), so that it is printed once.
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{}: CSV read error at row {row}: {why}", path.display())]
    Csv {
        path: PathBuf,
        row: u64,
        why: String,
    },

    #[error("{}: the file is empty (no header row)", path.display())]
    EmptyInput { path: PathBuf },

    #[error("{}: line {line}: {why}", path.display())]
    KeyFile {
        path: PathBuf,
        line: usize,
        why: &'static str,
    },

    #[error(
        "{}: the key file can be read by group or others (mode {mode:04o}); \
         fix it with: chmod 600 {}",
        path.display(),
        path.display()
    )]
    KeyPermissions { path: PathBuf, mode: u32 },

    #[error("could not read the operating system's random number generator: {0}")]
    Rng(String),

    #[error("invalid {what}: use {rule}")]
    Label {
        what: &'static str,
        rule: &'static str,
    },

    #[error("{}: already exists (use --force to overwrite)", .0.display())]
    OutputExists(PathBuf),

    #[error("{}: {why}", path.display())]
    Columns { path: PathBuf, why: String },

    #[error("{}: not a blindmatch hashed file ({why})", path.display())]
    NotHashed { path: PathBuf, why: String },

    /// A file that should be a merge's `summary.json` or an org's match table, and is not.
    #[error("{}: not {what} ({why})", path.display())]
    NotOutput {
        path: PathBuf,
        what: &'static str,
        why: String,
    },

    #[error("{}: {why}", path.display())]
    Incompatible { path: PathBuf, why: String },

    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |cause| Error::Io { path, cause }
    }

    /// True when the error is a closed pipe (the reader went away: not a failure).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { cause, .. } if cause.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
