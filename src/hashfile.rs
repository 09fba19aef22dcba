//! The hashed file: what leaves an org's machine.
//!
//! A hashed file is a plain CSV (token columns, then any kept geography columns) preceded by
//! `# key: value` metadata lines: spec version, file kind, org label, round, key fingerprint
//! and counts. Carrying the metadata in the file itself means a coordinator cannot mix files
//! made under different keys, rounds or spec versions by accident; keeping it as `#` lines
//! means DuckDB and pandas load the file with one option (`comment='#'`).

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::key::Fingerprint;
use crate::label::{OrgLabel, Round};
use crate::token::Kind;

/// The spec version this implementation follows.
pub const SPEC_VERSION: u32 = 1;
const MAGIC: &str = "# blindmatch hashed file";

/// What a hashed file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An org's member list.
    Members,
    /// A voter file, with kept geography columns.
    Voters,
    /// An unsubscribe / do-not-contact list.
    Suppression,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Members => "members",
            FileKind::Voters => "voters",
            FileKind::Suppression => "suppression",
        }
    }

    pub fn from_name(name: &str) -> Option<FileKind> {
        [FileKind::Members, FileKind::Voters, FileKind::Suppression]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The metadata of a hashed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub spec: u32,
    pub kind: FileKind,
    pub org: OrgLabel,
    pub round: Round,
    pub fingerprint: Fingerprint,
    /// Data rows in the file (one per input data row).
    pub rows: u64,
    /// Non-empty cells per token column, indexed like [`Kind::ALL`].
    pub tokens: [u64; 5],
}

impl Metadata {
    /// Writes the `#` lines.
    pub fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        writeln!(w, "{MAGIC}")?;
        writeln!(w, "# spec: {}", self.spec)?;
        writeln!(w, "# kind: {}", self.kind)?;
        writeln!(w, "# org: {}", self.org)?;
        writeln!(w, "# round: {}", self.round.as_str())?;
        writeln!(w, "# key_fingerprint: {}", self.fingerprint)?;
        writeln!(w, "# rows: {}", self.rows)?;
        write!(w, "# tokens:")?;
        for kind in Kind::ALL {
            write!(w, " {}={}", kind.name(), self.tokens[kind.index()])?;
        }
        writeln!(w)?;
        writeln!(w, "# generator: blindmatch {}", env!("CARGO_PKG_VERSION"))
    }

    fn parse(lines: &[String], path: &Path) -> Result<Metadata> {
        let bad = |why: String| Error::NotHashed {
            path: path.to_path_buf(),
            why,
        };
        if lines.first().map(|l| l.trim_end()) != Some(MAGIC) {
            return Err(bad("its first line is not the blindmatch marker".into()));
        }
        let get = |key: &str| -> Result<&str> {
            lines
                .iter()
                .find_map(|l| {
                    l.strip_prefix("# ")
                        .and_then(|rest| rest.strip_prefix(key))
                        .and_then(|rest| rest.strip_prefix(':'))
                        .map(str::trim)
                })
                .ok_or_else(|| bad(format!("no '{key}' line")))
        };
        let spec: u32 = get("spec")?
            .parse()
            .map_err(|_| bad("unreadable spec version".into()))?;
        let kind = FileKind::from_name(get("kind")?).ok_or_else(|| bad("unknown kind".into()))?;
        let org = OrgLabel::new(get("org")?).map_err(|_| bad("bad org label".into()))?;
        let round = Round::parse_optional(get("round")?).map_err(|_| bad("bad round".into()))?;
        let fingerprint = Fingerprint::parse(get("key_fingerprint")?)
            .ok_or_else(|| bad("bad key fingerprint".into()))?;
        let rows = get("rows")?
            .parse()
            .map_err(|_| bad("bad row count".into()))?;
        let mut tokens = [0u64; 5];
        for item in get("tokens")?.split_whitespace() {
            let (name, n) = item
                .split_once('=')
                .ok_or_else(|| bad("bad token counts".into()))?;
            let kind = Kind::from_name(name).ok_or_else(|| bad("bad token counts".into()))?;
            tokens[kind.index()] = n.parse().map_err(|_| bad("bad token counts".into()))?;
        }
        Ok(Metadata {
            spec,
            kind,
            org,
            round,
            fingerprint,
            rows,
            tokens,
        })
    }
}

/// The header row of a hashed file: the token columns, then kept columns.
pub fn header_line(keep: &[String]) -> Vec<u8> {
    let mut line = Vec::new();
    for (i, kind) in Kind::ALL.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(kind.name().as_bytes());
    }
    for name in keep {
        line.push(b',');
        crate::csvio::push_field(&mut line, name.as_bytes());
    }
    line.push(b'\n');
    line
}

/// An open hashed file: its metadata, kept column names, and a reader over its rows.
pub struct HashedFile {
    pub meta: Metadata,
    /// Names of the columns after the five token columns.
    pub kept: Vec<String>,
    pub rows: csv::Reader<BufReader<File>>,
}

impl HashedFile {
    /// Opens a hashed file and checks its metadata and header.
    pub fn open(path: &Path) -> Result<HashedFile> {
        let file = File::open(path).map_err(Error::io(path))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut lines = Vec::new();
        let header = loop {
            let mut line = String::new();
            let n = (&mut reader)
                .take(64 * 1024)
                .read_line(&mut line)
                .map_err(|_| Error::NotHashed {
                    path: path.to_path_buf(),
                    why: "its header is not readable text".into(),
                })?;
            if n == 0 {
                return Err(Error::NotHashed {
                    path: path.to_path_buf(),
                    why: "it ends before its header row".into(),
                });
            }
            if line.starts_with('#') {
                lines.push(line);
                if lines.len() > 64 {
                    return Err(Error::NotHashed {
                        path: path.to_path_buf(),
                        why: "too many metadata lines".into(),
                    });
                }
            } else {
                break line;
            }
        };
        let meta = Metadata::parse(&lines, path)?;
        let mut header_reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(header.as_bytes());
        let names: Vec<String> = header_reader
            .records()
            .next()
            .and_then(|r| r.ok())
            .map(|r| r.iter().map(str::to_string).collect())
            .unwrap_or_default();
        let token_names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        if names.len() < 5 || names[..5] != token_names[..] {
            return Err(Error::NotHashed {
                path: path.to_path_buf(),
                why: "its header does not start with the five token columns".into(),
            });
        }
        let rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .buffer_capacity(1 << 20)
            .from_reader(reader);
        Ok(HashedFile {
            meta,
            kept: names[5..].to_vec(),
            rows,
        })
    }
}

/// Reads only the metadata of a hashed file.
pub fn read_metadata(path: &Path) -> Result<Metadata> {
    HashedFile::open(path).map(|h| h.meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips() {
        let meta = Metadata {
            spec: 1,
            kind: FileKind::Voters,
            org: OrgLabel::new("nc-voters").unwrap(),
            round: Round::new("r-2026").unwrap(),
            fingerprint: Fingerprint::parse("0123-4567-89ab-cdef").unwrap(),
            rows: 3,
            tokens: [1, 2, 3, 0, 5],
        };
        let mut text = Vec::new();
        meta.write_to(&mut text).unwrap();
        let lines: Vec<String> = String::from_utf8(text)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(Metadata::parse(&lines, Path::new("f")).unwrap(), meta);
    }

    #[test]
    fn header_line_lists_token_then_kept_columns() {
        let line = header_line(&["precinct".into(), "cd, 2026".into()]);
        assert_eq!(
            line,
            b"email,phone,name_zip,name_addr,name_yob_zip,precinct,\"cd, 2026\"\n"
        );
    }
}
