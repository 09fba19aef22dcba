//! The hashed file: what leaves an org's machine.
//!
//! A hashed file is a plain CSV (token columns, then any kept geography columns) preceded by
//! `# key: value` metadata lines: spec version, file kind, org label, round, key fingerprint
//! and counts. A member file made with `hash --messenger-col` has one more column after the
//! tokens, `messenger` (`1` or empty), announced by a `# messengers: N` line; the token
//! columns stay exactly as without it, and a file without the line is read as before. Carrying the metadata in the file itself means a coordinator cannot mix files
//! made under different keys, rounds or spec versions by accident; keeping it as `#` lines
//! means DuckDB and pandas load the file with one option (`comment='#'`).

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::spec::key::Fingerprint;
use crate::spec::kinds;
use crate::spec::label::{OrgLabel, Round};
use crate::spec::token::{Kind, TOKEN_HEX_LEN};
use crate::spec::token_v2;

/// The spec version this implementation writes. Files of spec 1 (the five v1 token
/// columns only) and spec 2 (the v1 columns, then one column per kind of
/// [`kinds::v2_kinds`]) are both read.
pub const SPEC_VERSION: u32 = 2;

/// True for the spec versions this implementation reads.
pub fn spec_supported(spec: u32) -> bool {
    (1..=SPEC_VERSION).contains(&spec)
}
const MAGIC: &str = "# blindmatch hashed file";
/// The header of the messenger flag column of a member file.
pub const MESSENGER_COLUMN: &str = "messenger";

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
    /// Spec 2: non-empty cells per v2 kind column, indexed like [`kinds::v2_kinds`]; empty
    /// for spec 1.
    pub v2_tokens: Vec<u64>,
    /// Voter files of spec 2: distinct tokens dropped because several rows shared them, per
    /// kind, indexed like [`kinds::all_kinds`] (`# dropped:` line).
    pub dropped: Option<Vec<u64>>,
    /// Rows flagged as messengers, when the file has a messenger column (`--messenger-col`).
    pub messengers: Option<u64>,
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
        for (kind, n) in kinds::v2_kinds().iter().zip(&self.v2_tokens) {
            write!(w, " {}={n}", kind.name)?;
        }
        writeln!(w)?;
        if let Some(dropped) = &self.dropped {
            write!(w, "# dropped:")?;
            for (kind, n) in kinds::all_kinds().iter().zip(dropped) {
                write!(w, " {}={n}", kind.name)?;
            }
            writeln!(w)?;
        }
        if let Some(n) = self.messengers {
            writeln!(w, "# messengers: {n}")?;
        }
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
        if !spec_supported(spec) {
            return Err(bad(format!(
                "it was made under spec version {spec}; this program reads versions 1 to {SPEC_VERSION}"
            )));
        }
        let v2 = kinds::v2_kinds();
        let mut tokens = [0u64; 5];
        let mut v2_tokens = vec![0u64; if spec >= 2 { v2.len() } else { 0 }];
        for item in get("tokens")?.split_whitespace() {
            let (name, n) = item
                .split_once('=')
                .ok_or_else(|| bad("bad token counts".into()))?;
            let n = n.parse().map_err(|_| bad("bad token counts".into()))?;
            if let Some(kind) = Kind::from_name(name) {
                tokens[kind.index()] = n;
            } else if let Some(i) = v2.iter().position(|k| k.name == name).filter(|_| spec >= 2) {
                v2_tokens[i] = n;
            } else {
                return Err(bad("bad token counts".into()));
            }
        }
        let dropped = match get("dropped") {
            Err(_) => None,
            Ok(list) => {
                let all = kinds::all_kinds();
                let mut dropped = vec![0u64; all.len()];
                for item in list.split_whitespace() {
                    let bad_count = || bad("bad dropped counts".into());
                    let (name, n) = item.split_once('=').ok_or_else(bad_count)?;
                    let i = all
                        .iter()
                        .position(|k| k.name == name)
                        .ok_or_else(bad_count)?;
                    dropped[i] = n.parse().map_err(|_| bad_count())?;
                }
                Some(dropped)
            }
        };
        let messengers = match get("messengers") {
            Ok(n) => Some(n.parse().map_err(|_| bad("bad messenger count".into()))?),
            Err(_) => None,
        };
        if messengers.is_some() && kind != FileKind::Members {
            return Err(bad("only member files carry messengers".into()));
        }
        Ok(Metadata {
            spec,
            kind,
            org,
            round,
            fingerprint,
            rows,
            tokens,
            v2_tokens,
            dropped,
            messengers,
        })
    }
}

/// The header row of a spec 1 hashed file: the token columns, the messenger flag column if
/// any, then kept columns.
pub fn header_line(keep: &[String], messenger: bool) -> Vec<u8> {
    header_line_spec(1, keep, messenger)
}

/// The header row of a hashed file of spec `spec` (1 or 2): the five v1 token columns, for
/// spec 2 one column per v2 kind, then the messenger flag column if any, then kept columns.
pub fn header_line_spec(spec: u32, keep: &[String], messenger: bool) -> Vec<u8> {
    let mut line = Vec::new();
    let v2 = if spec >= 2 { kinds::v2_kinds() } else { &[] };
    let names = Kind::ALL
        .iter()
        .map(|k| k.name())
        .chain(v2.iter().map(|k| k.name.as_str()));
    for (i, name) in names.enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(name.as_bytes());
    }
    if messenger {
        line.push(b',');
        line.extend_from_slice(MESSENGER_COLUMN.as_bytes());
    }
    for name in keep {
        line.push(b',');
        crate::input::csvio::push_field(&mut line, name.as_bytes());
    }
    line.push(b'\n');
    line
}

/// An open hashed file: its metadata, kept column names, and its rows still unread.
pub struct HashedFile {
    pub path: PathBuf,
    pub meta: Metadata,
    /// Names of the columns after the token columns (and the messenger column).
    pub kept: Vec<String>,
    /// Spec 2: the number of v2 kind columns after the five v1 columns (0 for spec 1).
    pub v2_columns: usize,
    /// The file has a messenger flag column after the tokens.
    pub messenger: bool,
    reader: BufReader<File>,
    /// Line number of the first data row (after metadata and header).
    first_line: u64,
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
        let v2_columns = if meta.spec >= 2 {
            kinds::v2_kinds().len()
        } else {
            0
        };
        let v2_names = kinds::v2_kinds().iter().map(|k| k.name.as_str());
        if !names[5..]
            .iter()
            .map(String::as_str)
            .take(v2_columns)
            .eq(v2_names.take(v2_columns))
        {
            return Err(Error::NotHashed {
                path: path.to_path_buf(),
                why: "its header does not list this version's kinds of token spec 2 after the \
                      five v1 columns (spec 2 is a draft whose kinds may change: re-hash the \
                      export with this version of blindmatch)"
                    .into(),
            });
        }
        let messenger = meta.messengers.is_some();
        if messenger && names.get(5 + v2_columns).map(String::as_str) != Some(MESSENGER_COLUMN) {
            return Err(Error::NotHashed {
                path: path.to_path_buf(),
                why: "its metadata counts messengers but its header has no messenger column".into(),
            });
        }
        let first_line = lines.len() as u64 + 2;
        Ok(HashedFile {
            path: path.to_path_buf(),
            meta,
            kept: names[5 + v2_columns + usize::from(messenger)..].to_vec(),
            v2_columns,
            messenger,
            reader,
            first_line,
        })
    }

    /// The rows in blocks of whole lines, read ahead on a separate thread.
    pub fn blocks(self) -> Blocks {
        let (tx, rx) = mpsc::sync_channel(2);
        let HashedFile {
            path,
            meta,
            mut reader,
            first_line,
            ..
        } = self;
        let expected_rows = meta.rows;
        let thread_path = path.clone();
        let reader = std::thread::spawn(move || {
            let mut carry: Vec<u8> = Vec::new();
            let mut next_row = 0u64;
            loop {
                let mut data = std::mem::take(&mut carry);
                let start = data.len();
                data.resize(start + BLOCK_BYTES, 0);
                let n = match read_full(&mut reader, &mut data[start..]) {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = tx.send(Err(Error::io(&thread_path)(e)));
                        return;
                    }
                };
                data.truncate(start + n);
                let at_end = n == 0;
                if at_end && !data.is_empty() && data.last() != Some(&b'\n') {
                    data.push(b'\n');
                }
                if !at_end {
                    match memchr::memrchr(b'\n', &data) {
                        Some(cut) => carry.extend_from_slice(&data[cut + 1..]),
                        None => {
                            carry = data;
                            continue;
                        }
                    }
                    let cut = data.len() - carry.len();
                    data.truncate(cut);
                }
                if data.is_empty() {
                    return;
                }
                let rows = memchr::memchr_iter(b'\n', &data).count() as u64;
                let block = RowBlock {
                    first_row: next_row,
                    rows,
                    data,
                };
                next_row += rows;
                if tx.send(Ok(block)).is_err() || at_end {
                    return;
                }
            }
        });
        Blocks {
            rx: Some(rx),
            reader: Some(reader),
            path,
            expected_rows,
            seen_rows: 0,
            first_line,
        }
    }
}

const BLOCK_BYTES: usize = 8 << 20;

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A run of whole rows of a hashed file.
pub struct RowBlock {
    /// Index (from 0) of the block's first data row in the file.
    pub first_row: u64,
    pub rows: u64,
    /// The rows, each ending in `\n`.
    pub data: Vec<u8>,
}

impl RowBlock {
    /// The `len` bytes at address `at` (taken from a slice of this block's rows while they
    /// were parsed); empty if that is not inside the block.
    pub fn slice_at(&self, at: usize, len: usize) -> &[u8] {
        at.checked_sub(self.data.as_ptr() as usize)
            .and_then(|start| self.data.get(start..start.checked_add(len)?))
            .unwrap_or_default()
    }

    /// Splits the block into about `parts` pieces of whole lines, each with its first row.
    pub fn split(&self, parts: usize) -> Vec<(u64, &[u8])> {
        let mut out = Vec::with_capacity(parts);
        let target = self.data.len() / parts.max(1) + 1;
        let mut start = 0;
        let mut row = self.first_row;
        while start < self.data.len() {
            let mut end = (start + target).min(self.data.len());
            if let Some(nl) = memchr::memchr(b'\n', &self.data[end - 1..]) {
                end += nl;
            }
            let piece = &self.data[start..end];
            out.push((row, piece));
            row += memchr::memchr_iter(b'\n', piece).count() as u64;
            start = end;
        }
        out
    }
}

/// The blocks of a hashed file; checks at the end that the row count matches the metadata.
pub struct Blocks {
    rx: Option<mpsc::Receiver<Result<RowBlock>>>,
    /// The read-ahead thread, joined on drop so none outlives its reader.
    reader: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
    expected_rows: u64,
    seen_rows: u64,
    first_line: u64,
}

impl Blocks {
    /// The file line of a data row, for error messages.
    pub fn line_of(&self, row: u64) -> u64 {
        self.first_line + row
    }
}

impl Drop for Blocks {
    /// Stops the read-ahead thread (its next send fails once the receiver is gone) and waits
    /// for it, so a merge that stops early leaves no thread behind.
    fn drop(&mut self) {
        drop(self.rx.take());
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Iterator for Blocks {
    type Item = Result<RowBlock>;

    fn next(&mut self) -> Option<Result<RowBlock>> {
        match self.rx.as_ref()?.recv() {
            Ok(Ok(block)) => {
                self.seen_rows += block.rows;
                Some(Ok(block))
            }
            Ok(Err(e)) => Some(Err(e)),
            Err(_) if self.seen_rows != self.expected_rows => {
                let why = format!(
                    "it has {} data rows but its metadata says {} (truncated or edited?)",
                    self.seen_rows, self.expected_rows
                );
                self.seen_rows = self.expected_rows;
                Some(Err(Error::NotHashed {
                    path: self.path.clone(),
                    why,
                }))
            }
            Err(_) => None,
        }
    }
}

/// The five token cells of a hashed row (hex, possibly empty) and the rest of the line.
pub struct TokenRow<'a> {
    pub tokens: [&'a [u8]; 5],
    /// The 128-bit prefix of each non-empty token (0 for an empty cell).
    pub prefixes: [u128; 5],
    /// The cells of the v2 kinds with the commas between them, as in the file (spec 2 files
    /// read with [`parse_row_spec`]; empty otherwise). Read them with [`TokenRow::kind_cells`].
    pub v2: &'a [u8],
    /// The number of v2 cells in `v2` (0 for a spec 1 row).
    pub v2_columns: usize,
    /// The kept columns (after the messenger cell, if any), still CSV-encoded, without the
    /// line end.
    pub rest: &'a [u8],
    /// The five token cells with their commas, exactly as in the file.
    pub token_text: &'a [u8],
}

/// Lowercase hex digit values; 0xFF for every other byte.
const HEX_VALUE: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Validates a 64-character token cell and returns its 128-bit prefix, in one pass.
fn checked_prefix(cell: &[u8]) -> Option<u128> {
    let mut prefix = 0u128;
    let mut bad = 0u8;
    for &b in &cell[..32] {
        let v = HEX_VALUE[b as usize];
        bad |= v;
        prefix = prefix << 4 | u128::from(v & 0x0F);
    }
    for &b in &cell[32..] {
        bad |= HEX_VALUE[b as usize];
    }
    // Valid digits are at most 0x0F; an invalid byte sets the high bits.
    (bad & 0xF0 == 0).then_some(prefix)
}

/// Parses one line (without `\n`) of a hashed file. A token cell is empty or exactly 64
/// lowercase hex characters, so no search for commas is needed.
pub fn parse_row(line: &[u8]) -> std::result::Result<TokenRow<'_>, &'static str> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut tokens: [&[u8]; 5] = [&[]; 5];
    let mut prefixes = [0u128; 5];
    let mut start = 0;
    for k in 0..5 {
        let end = match line.get(start) {
            None | Some(b',') => start,
            Some(_) => {
                let end = start + TOKEN_HEX_LEN;
                if end > line.len() || (end < line.len() && line[end] != b',') {
                    return Err("a token cell is not 64 lowercase hex characters");
                }
                prefixes[k] = checked_prefix(&line[start..end])
                    .ok_or("a token cell is not 64 lowercase hex characters")?;
                end
            }
        };
        tokens[k] = &line[start..end];
        if k < 4 {
            if end >= line.len() {
                return Err("fewer than five token columns");
            }
            start = end + 1;
        } else {
            // Always a slice of this line (empty at its end), so callers may locate it
            // within the buffer the line came from.
            let rest = line.get(end + 1..).unwrap_or(&line[line.len()..]);
            return Ok(TokenRow {
                tokens,
                prefixes,
                v2: &[],
                v2_columns: 0,
                rest,
                token_text: &line[..end],
            });
        }
    }
    unreachable!("the loop returns at its fifth cell")
}

/// Parses one line of a hashed file with `v2_columns` v2 kind columns
/// ([`HashedFile::v2_columns`]): as [`parse_row`], with the v2 cells in [`TokenRow::v2`]
/// (not validated here, so readers of the v1 columns pay nothing for them) and the messenger
/// and kept columns in [`TokenRow::rest`].
pub fn parse_row_spec(
    line: &[u8],
    v2_columns: usize,
) -> std::result::Result<TokenRow<'_>, &'static str> {
    let mut row = parse_row(line)?;
    if v2_columns == 0 {
        return Ok(row);
    }
    let rest = row.rest;
    let mut commas = memchr::memchr_iter(b',', rest);
    let end = match commas.nth(v2_columns - 1) {
        Some(end) => end,
        None if memchr::memchr_iter(b',', rest).count() == v2_columns - 1 => rest.len(),
        None => return Err("fewer token columns than the header names"),
    };
    row.v2 = &rest[..end];
    row.v2_columns = v2_columns;
    row.rest = rest.get(end + 1..).unwrap_or(&rest[rest.len()..]);
    Ok(row)
}

/// The most kinds a row may have (v1's five and the v2 kinds).
const MAX_KINDS: usize = 128;

/// The token cells of every kind of one row: the coordinator's reading API for scoring.
///
/// Made by [`TokenRow::kind_cells`], which checks every cell once. Kinds are indexed like
/// [`kinds::all_kinds`]: 0-4 are v1's five (64-hex tokens, one per cell), then the v2 kinds
/// in table order (16-hex tokens, several per cell separated by one space, ascending). Each
/// token is given as a `u64`: its first 16 hex characters, parsed. Nothing is copied: a cell
/// is a slice of the row, and its tokens are parsed as they are iterated.
#[derive(Clone, Copy)]
pub struct KindCells<'a> {
    v1: [&'a [u8]; 5],
    v2: &'a [u8],
    /// (start, end) of each v2 cell in `v2`.
    spans: [(u32, u32); MAX_KINDS],
    kinds: usize,
}

impl<'a> KindCells<'a> {
    /// Number of kinds (5 for a spec 1 row; 5 + the v2 kinds for spec 2).
    pub fn len(&self) -> usize {
        self.kinds
    }

    pub fn is_empty(&self) -> bool {
        self.kinds == 0
    }

    /// The tokens of kind `kind` (index into [`kinds::all_kinds`]) as `u64` prefixes; no
    /// tokens for an empty cell or a kind the row does not have.
    pub fn cell(&self, kind: usize) -> CellTokens<'a> {
        let (cell, width) = if kind < 5 {
            (self.v1[kind], TOKEN_HEX_LEN)
        } else if kind < self.kinds {
            let (a, b) = self.spans[kind - 5];
            (&self.v2[a as usize..b as usize], token_v2::TOKEN_HEX_LEN)
        } else {
            (&self.v2[..0], token_v2::TOKEN_HEX_LEN)
        };
        CellTokens { cell, width }
    }

    /// Every kind's tokens: `(kind index, tokens)`, empty cells included.
    pub fn iter(&self) -> impl Iterator<Item = (usize, CellTokens<'a>)> + '_ {
        (0..self.kinds).map(|k| (k, self.cell(k)))
    }
}

/// The tokens of one cell, as the `u64` of their first 16 hex characters.
#[derive(Clone, Copy, Debug)]
pub struct CellTokens<'a> {
    cell: &'a [u8],
    width: usize,
}

impl CellTokens<'_> {
    /// True when the cell has no token.
    pub fn is_empty(&self) -> bool {
        self.cell.is_empty()
    }
}

impl Iterator for CellTokens<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.cell.len() < self.width {
            return None;
        }
        let value = self.cell[..16].iter().fold(0u64, |acc, &b| {
            acc << 4 | u64::from(HEX_VALUE[b as usize] & 0x0F)
        });
        self.cell = self.cell.get(self.width + 1..).unwrap_or_default();
        Some(value)
    }
}

/// Checks a v2 cell: empty, or 16-hex tokens in strictly ascending order separated by one
/// space.
fn valid_v2_cell(cell: &[u8]) -> bool {
    let w = token_v2::TOKEN_HEX_LEN;
    if cell.is_empty() {
        return true;
    }
    if (cell.len() + 1) % (w + 1) != 0 {
        return false;
    }
    let mut previous: Option<&[u8]> = None;
    for token in cell.split(|&b| b == b' ') {
        let ok = token.len() == w
            && token.iter().all(|&b| HEX_VALUE[b as usize] != 0xFF)
            && previous.is_none_or(|p| p < token);
        if !ok {
            return false;
        }
        previous = Some(token);
    }
    true
}

impl<'a> TokenRow<'a> {
    /// The token cells of every kind of the row (see [`KindCells`]), after checking the v2
    /// cells' format (the v1 cells were checked by the parser). `Err` names the problem,
    /// never a value.
    pub fn kind_cells(&self) -> std::result::Result<KindCells<'a>, &'static str> {
        let mut spans = [(0u32, 0u32); MAX_KINDS];
        let mut n = 0;
        if self.v2_columns > MAX_KINDS - 5 || self.v2.len() > u32::MAX as usize {
            return Err("a row has too many or too long cells");
        }
        if self.v2_columns > 0 {
            let mut start = 0;
            for cell in self.v2.split(|&b| b == b',') {
                if n == self.v2_columns || !valid_v2_cell(cell) {
                    return Err("a token cell of a v2 kind is malformed");
                }
                let end = start + cell.len();
                spans[n] = (start as u32, end as u32);
                n += 1;
                start = end + 1;
            }
        }
        if n != self.v2_columns {
            return Err("a row has another number of v2 cells than its header");
        }
        Ok(KindCells {
            v1: self.tokens,
            v2: self.v2,
            spans,
            kinds: 5 + n,
        })
    }
}

/// The value of 8 lowercase hex digits, or `None` when a byte is not one. The eight bytes are
/// checked and converted together in one `u64` (SWAR), not one table look-up each: the voter
/// stream of a fuzzy merge reads a dozen 16-hex tokens per row.
#[inline]
fn hex8(bytes: [u8; 8]) -> Option<u32> {
    const fn each(b: u8) -> u64 {
        b as u64 * 0x0101_0101_0101_0101
    }
    const HIGH: u64 = each(0x80);
    let x = u64::from_be_bytes(bytes);
    // With every byte below 0x80, adding at most 0x50 to each carries into no other byte.
    let digit = x.wrapping_add(each(0x80 - b'0')) & !x.wrapping_add(each(0x80 - b'9' - 1));
    let lower = x.wrapping_add(each(0x80 - b'a')) & !x.wrapping_add(each(0x80 - b'f' - 1));
    if x & HIGH != 0 || (digit | lower) & HIGH != HIGH {
        return None;
    }
    // One nibble per byte ('a' is 0x61: 1 + 9), then pairs, quads, the eight.
    let v = (x & each(0x0F)) + ((lower & HIGH) >> 7) * 9;
    let v = (v | v >> 4) & 0x00FF_00FF_00FF_00FF;
    let v = (v | v >> 8) & 0x0000_FFFF_0000_FFFF;
    Some((v | v >> 16) as u32)
}

/// A v2 token's value; `None` unless all its 16 characters are lowercase hex. Comparing
/// values orders tokens as their text does.
#[inline]
fn hex16(token: &[u8]) -> Option<u64> {
    const _: () = assert!(token_v2::TOKEN_HEX_LEN == 16);
    let word = |i: usize| -> Option<u64> {
        let chunk: [u8; 8] = token.get(i * 8..i * 8 + 8)?.try_into().ok()?;
        hex8(chunk).map(u64::from)
    };
    Some(word(0)? << 32 | word(1)?)
}

impl TokenRow<'_> {
    /// Appends the row's tokens of kinds `0..kinds` (indexed like [`kinds::all_kinds`]) to
    /// `tokens`, and one count per kind to `lens`: the same tokens as
    /// [`TokenRow::kind_cells`] gives, checked the same way, in one pass and without
    /// parsing a token twice (a v1 token is the top of its prefix, already parsed). Cells
    /// of kinds at `kinds` and beyond are checked but not kept. On `Err` (the message
    /// [`TokenRow::kind_cells`] gives) nothing is appended.
    pub fn append_kind_tokens(
        &self,
        kinds: usize,
        lens: &mut Vec<u32>,
        tokens: &mut Vec<u64>,
    ) -> std::result::Result<(), &'static str> {
        let (lens_at, tokens_at) = (lens.len(), tokens.len());
        let ok = self.v2_columns <= MAX_KINDS - 5
            && self.v2.len() <= u32::MAX as usize
            && self.append_checked(kinds, lens, tokens);
        if ok {
            return Ok(());
        }
        lens.truncate(lens_at);
        tokens.truncate(tokens_at);
        // The rare bad row: the reference reader names the problem.
        Err(self
            .kind_cells()
            .err()
            .unwrap_or("a token cell of a v2 kind is malformed"))
    }

    /// [`TokenRow::append_kind_tokens`] without the clean-up; `false` on any problem.
    fn append_checked(&self, kinds: usize, lens: &mut Vec<u32>, tokens: &mut Vec<u64>) -> bool {
        for k in 0..kinds.min(5) {
            let n = u32::from(!self.tokens[k].is_empty());
            if n > 0 {
                tokens.push((self.prefixes[k] >> 64) as u64);
            }
            lens.push(n);
        }
        // The v2 cells are walked by their structure: a cell is empty (a comma or the end
        // follows) or 16-hex tokens each followed by one space, a comma or the end. No byte
        // is looked at twice and none is searched for.
        let (v2, w) = (self.v2, token_v2::TOKEN_HEX_LEN);
        let mut at = 0;
        let mut cells = 0;
        while cells < self.v2_columns {
            if cells > 0 {
                if v2.get(at) != Some(&b',') {
                    return false;
                }
                at += 1;
            }
            let before = tokens.len();
            if at < v2.len() && v2[at] != b',' {
                let mut previous: Option<u64> = None;
                loop {
                    let Some(value) = v2.get(at..at + w).and_then(hex16) else {
                        return false;
                    };
                    if previous.is_some_and(|p| p >= value) {
                        return false;
                    }
                    previous = Some(value);
                    tokens.push(value);
                    at += w;
                    if v2.get(at) != Some(&b' ') {
                        break;
                    }
                    at += 1;
                }
            }
            if 5 + cells < kinds {
                lens.push((tokens.len() - before) as u32);
            } else {
                tokens.truncate(before);
            }
            cells += 1;
        }
        // Anything left (another cell, or more after a token) is malformed.
        if self.v2_columns > 0 && at != v2.len() {
            return false;
        }
        if cells != self.v2_columns {
            return false;
        }
        for _ in (5 + cells).max(kinds.min(5))..kinds {
            lens.push(0);
        }
        true
    }
}

/// The 128-bit prefix of a hex token: what the coordinator's indexes compare.
pub fn token_prefix(hex: &[u8]) -> u128 {
    hex[..32].iter().fold(0u128, |acc, &b| {
        acc << 4 | u128::from(HEX_VALUE[b as usize] & 0x0F)
    })
}

/// Reads the messenger cell of a member row (the rest of the line after the tokens).
pub fn messenger_flag(rest: &[u8]) -> std::result::Result<bool, &'static str> {
    match rest {
        b"" => Ok(false),
        b"1" => Ok(true),
        _ => Err("the messenger cell is neither 1 nor empty"),
    }
}

/// Splits CSV-encoded kept columns into `count` values (quotes removed). Hashed rows are
/// single lines written by `hash`, so fields are either plain or quoted with `""` escapes.
pub fn split_kept(rest: &[u8], count: usize) -> Vec<String> {
    let mut values = Vec::with_capacity(count);
    for_each_kept(rest, count, &mut Vec::new(), |_, v| {
        values.push(String::from_utf8_lossy(v).into_owned());
    });
    values
}

/// Gives `f(column, value)` for each of the `count` values [`split_kept`] gives, as bytes:
/// a plain field as a slice of `rest`, a quoted one unquoted in `buf`. Nothing is allocated
/// per row, so a reader that interns the values pays only for new ones.
pub fn for_each_kept(
    rest: &[u8],
    count: usize,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(usize, &[u8]),
) {
    let mut column = 0;
    let mut i = 0;
    while column < count && i <= rest.len() {
        if rest.get(i) == Some(&b'"') {
            buf.clear();
            i += 1;
            while i < rest.len() {
                if rest[i] == b'"' {
                    if rest.get(i + 1) == Some(&b'"') {
                        buf.push(b'"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                buf.push(rest[i]);
                i += 1;
            }
            while i < rest.len() && rest[i] != b',' {
                i += 1;
            }
            f(column, buf);
        } else {
            let end = memchr::memchr(b',', &rest[i..]).map_or(rest.len(), |p| i + p);
            f(column, &rest[i..end]);
            i = end;
        }
        column += 1;
        i += 1;
    }
    for c in column..count {
        f(c, b"");
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
            v2_tokens: Vec::new(),
            dropped: None,
            messengers: None,
        };
        let mut text = Vec::new();
        meta.write_to(&mut text).unwrap();
        let lines: Vec<String> = String::from_utf8(text)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(Metadata::parse(&lines, Path::new("f")).unwrap(), meta);
        // A member file with messengers says so; a voter file cannot.
        let members = Metadata {
            kind: FileKind::Members,
            messengers: Some(2),
            ..meta.clone()
        };
        let mut text = Vec::new();
        members.write_to(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("\n# messengers: 2\n"));
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        assert_eq!(Metadata::parse(&lines, Path::new("f")).unwrap(), members);
        let voters: Vec<String> = lines
            .iter()
            .map(|l| l.replace("kind: members", "kind: voters"))
            .collect();
        assert!(Metadata::parse(&voters, Path::new("f")).is_err());
    }

    #[test]
    fn a_messenger_column_leaves_the_token_columns_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let t = "ab".repeat(32);
        let meta = Metadata {
            spec: 1,
            kind: FileKind::Members,
            org: OrgLabel::new("o").unwrap(),
            round: Round::none(),
            fingerprint: Fingerprint::parse("0123-4567-89ab-cdef").unwrap(),
            rows: 2,
            tokens: [2, 0, 0, 0, 0],
            v2_tokens: Vec::new(),
            dropped: None,
            messengers: Some(1),
        };
        let write = |name: &str, meta: &Metadata, messenger: bool, rows: &[&str]| {
            let mut text = Vec::new();
            meta.write_to(&mut text).unwrap();
            text.extend_from_slice(&header_line(&[], messenger));
            for r in rows {
                text.extend_from_slice(format!("{r}\n").as_bytes());
            }
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let flagged = write(
            "m.csv",
            &meta,
            true,
            &[&format!("{t},,,,,1"), &format!("{t},,,,,")],
        );
        let file = HashedFile::open(&flagged).unwrap();
        assert!(file.messenger && file.kept.is_empty());
        let block = file.blocks().next().unwrap().unwrap();
        let lines: Vec<&[u8]> = block.data.split(|&b| b == b'\n').take(2).collect();
        let rows: Vec<TokenRow> = lines.iter().map(|l| parse_row(l).unwrap()).collect();
        assert_eq!(rows[0].token_text, format!("{t},,,,").as_bytes());
        assert_eq!(messenger_flag(rows[0].rest), Ok(true));
        assert_eq!(messenger_flag(rows[1].rest), Ok(false));
        assert!(messenger_flag(b"yes").is_err());
        // A file made before messengers existed loads as before.
        let plain = Metadata {
            messengers: None,
            ..meta.clone()
        };
        let old = write("o.csv", &plain, false, &[&format!("{t},,,,")]);
        let file = HashedFile::open(&old).unwrap();
        assert!(!file.messenger && file.meta.messengers.is_none());
        // Metadata that announces messengers without the column is refused.
        let broken = write("b.csv", &meta, false, &[&format!("{t},,,,")]);
        assert!(HashedFile::open(&broken).is_err());
    }

    #[test]
    fn rows_parse_into_tokens_and_kept_columns() {
        let t = "ab".repeat(32);
        let line = format!("{t},,,{t},,P-1,\"Ward 3, A\"");
        let row = parse_row(line.as_bytes()).unwrap();
        assert_eq!(row.tokens[0], t.as_bytes());
        assert!(row.tokens[1].is_empty());
        assert_eq!(row.token_text, format!("{t},,,{t},").as_bytes());
        assert_eq!(split_kept(row.rest, 2), ["P-1", "Ward 3, A"]);
        assert_eq!(split_kept(b"\"a \"\"b\"\"\",,c", 3), ["a \"b\"", "", "c"]);
        assert_eq!(split_kept(b"x", 3), ["x", "", ""]);
        assert_eq!(split_kept(b"", 1), [""]);
        assert!(parse_row(b",,,,").unwrap().rest.is_empty());
        assert!(parse_row(b",,,").is_err());
        assert!(parse_row(b"xyz,,,,").is_err());
        assert_eq!(row.prefixes[0], u128::from_be_bytes([0xab; 16]));
        assert_eq!(row.prefixes[1], 0);
        let upper = line.replacen("ab", "AB", 1);
        assert!(
            parse_row(upper.as_bytes()).is_err(),
            "uppercase hex is not a token"
        );
        let long = format!("{t}0,,,,");
        assert!(parse_row(long.as_bytes()).is_err());
        let short = format!("{},,,,", &t[..63]);
        assert!(parse_row(short.as_bytes()).is_err());
        assert!(parse_row(format!(",,,,{t}").as_bytes()).is_ok());
        assert!(parse_row(format!(",,,,{t}x").as_bytes()).is_err());
        assert_eq!(token_prefix(t.as_bytes()), u128::from_be_bytes([0xab; 16]));
    }

    #[test]
    fn blocks_cover_every_row_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        let meta = Metadata {
            spec: 1,
            kind: FileKind::Members,
            org: OrgLabel::new("o").unwrap(),
            round: Round::none(),
            fingerprint: Fingerprint::parse("0123-4567-89ab-cdef").unwrap(),
            rows: 3,
            tokens: [3, 0, 0, 0, 0],
            v2_tokens: Vec::new(),
            dropped: None,
            messengers: None,
        };
        let mut text = Vec::new();
        meta.write_to(&mut text).unwrap();
        text.extend_from_slice(&header_line(&[], false));
        for c in ["a", "b", "c"] {
            text.extend_from_slice(format!("{},,,,\n", c.repeat(64)).as_bytes());
        }
        std::fs::write(&path, &text).unwrap();
        let blocks: Vec<RowBlock> = HashedFile::open(&path)
            .unwrap()
            .blocks()
            .map(|b| b.unwrap())
            .collect();
        let rows: u64 = blocks.iter().map(|b| b.rows).sum();
        assert_eq!(rows, 3);
        let pieces = blocks[0].split(2);
        assert_eq!(pieces[0].0, 0);
        assert_eq!(
            pieces.iter().map(|p| p.1.len()).sum::<usize>(),
            blocks[0].data.len()
        );
        // A file whose metadata overstates its rows is refused.
        text.truncate(text.len() - 69);
        std::fs::write(&path, &text).unwrap();
        let errors = HashedFile::open(&path)
            .unwrap()
            .blocks()
            .filter(|b| b.is_err())
            .count();
        assert_eq!(errors, 1);
    }

    #[test]
    fn kind_cells_give_every_token_as_u64() {
        let v1 = "ab".repeat(32);
        let (t1, t2) = ("0123456789abcdef", "fedcba9876543210");
        let line = format!("{v1},,,,,{t1} {t2},,{t2},1,P-1");
        let row = parse_row_spec(line.as_bytes(), 3).unwrap();
        assert_eq!(row.rest, b"1,P-1");
        let cells = row.kind_cells().unwrap();
        assert_eq!(cells.len(), 8);
        assert_eq!(cells.cell(0).collect::<Vec<_>>(), [0xabab_abab_abab_abab]);
        assert!(cells.cell(1).is_empty());
        assert_eq!(
            cells.cell(5).collect::<Vec<_>>(),
            [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210]
        );
        assert_eq!(cells.cell(6).count(), 0);
        assert_eq!(cells.cell(7).collect::<Vec<_>>(), [0xfedc_ba98_7654_3210]);
        assert_eq!(cells.cell(99).count(), 0);
        assert_eq!(cells.iter().map(|(_, t)| t.count()).sum::<usize>(), 4);
        // A spec 1 row has the five v1 kinds only.
        assert_eq!(
            parse_row(line.as_bytes())
                .unwrap()
                .kind_cells()
                .unwrap()
                .len(),
            5
        );
        // Malformed v2 cells are refused: unsorted, upper case, short, long, two spaces.
        for bad in [
            format!("{t2} {t1}"),
            format!("{t1}{t1}"),
            t1.to_uppercase(),
            t1[1..].to_string(),
            format!("{t1}  {t2}"),
        ] {
            let line = format!(",,,,,{bad},,");
            let row = parse_row_spec(line.as_bytes(), 3).unwrap();
            assert!(row.kind_cells().is_err(), "{bad}");
        }
        assert!(parse_row_spec(b",,,,,a", 3).is_err());
    }

    /// What [`TokenRow::append_kind_tokens`] must give: [`TokenRow::kind_cells`]' tokens.
    fn reference_tokens(
        row: &TokenRow,
        kinds: usize,
    ) -> std::result::Result<(Vec<u32>, Vec<u64>), &'static str> {
        let cells = row.kind_cells()?;
        let (mut lens, mut tokens) = (Vec::new(), Vec::new());
        for k in 0..kinds {
            let before = tokens.len();
            tokens.extend(cells.cell(k));
            lens.push((tokens.len() - before) as u32);
        }
        Ok((lens, tokens))
    }

    fn fused_tokens(
        row: &TokenRow,
        kinds: usize,
    ) -> std::result::Result<(Vec<u32>, Vec<u64>), &'static str> {
        // Appended after what is there; on Err nothing is left behind.
        let (mut lens, mut tokens) = (vec![7], vec![9]);
        let got = row.append_kind_tokens(kinds, &mut lens, &mut tokens);
        assert_eq!(lens[0], 7);
        assert_eq!(tokens[0], 9);
        if got.is_err() {
            assert_eq!((lens.len(), tokens.len()), (1, 1));
        }
        got.map(|()| (lens[1..].to_vec(), tokens[1..].to_vec()))
    }

    #[test]
    fn hex8_reads_lowercase_hex_only() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut chunk = *b"0123abcd";
                chunk[at] = b;
                let want = chunk.iter().try_fold(0u32, |acc, &c| {
                    let v = HEX_VALUE[c as usize];
                    (v != 0xFF).then_some(acc << 4 | u32::from(v))
                });
                assert_eq!(hex8(chunk), want, "byte {b:#x} at {at}");
            }
        }
        assert_eq!(hex8(*b"ffffffff"), Some(u32::MAX));
        assert_eq!(hex8(*b"00000000"), Some(0));
        assert_eq!(hex8(*b"89abcdef"), Some(0x89ab_cdef));
    }

    #[test]
    fn append_kind_tokens_equals_kind_cells() {
        let v1 = "ab".repeat(32);
        let (t1, t2) = ("0123456789abcdef", "fedcba9876543210");
        let lines = [
            format!("{v1},,,,,{t1} {t2},,{t2},1,P-1"),
            format!(",,{v1},,{v1},,,"),
            format!("{v1},,,,,{t2} {t1},,"),
            format!(",,,,,{t1}  {t2},,"),
            format!(",,,,,{t1} ,,"),
            format!(",,,,,{t1} {t1},,"),
            format!(",,,,,{},,", t1.to_uppercase()),
            format!(",,,,,{},,", &t1[1..]),
            format!(",,,,,{t1}{t2},,"),
            ",,,,,,,".to_string(),
        ];
        for line in &lines {
            for columns in [0, 3] {
                let Ok(row) = parse_row_spec(line.as_bytes(), columns) else {
                    continue;
                };
                for kinds in [0, 2, 5, 6, 8, 12] {
                    assert_eq!(
                        fused_tokens(&row, kinds),
                        reference_tokens(&row, kinds),
                        "{line} {columns} {kinds}"
                    );
                }
            }
        }
        // A row built with more v2 cells than it says it has.
        let line = format!(",,,,,{t1},{t2},");
        let mut row = parse_row_spec(line.as_bytes(), 3).unwrap();
        row.v2_columns = 2;
        assert_eq!(fused_tokens(&row, 8), reference_tokens(&row, 8));
        row.v2_columns = 4;
        assert_eq!(fused_tokens(&row, 8), reference_tokens(&row, 8));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsing_never_panics(line in proptest::collection::vec(any::<u8>(), 0..400)) {
                if let Ok(row) = parse_row(&line) {
                    for (token, prefix) in row.tokens.iter().zip(row.prefixes) {
                        prop_assert!(token.is_empty() || token.len() == TOKEN_HEX_LEN);
                        prop_assert!(!token.is_empty() || prefix == 0);
                    }
                }
                let _ = split_kept(&line, 3);
            }

            #[test]
            fn append_kind_tokens_agrees_with_kind_cells(
                cells in proptest::collection::vec(
                    proptest::collection::vec(
                        prop_oneof![
                            Just("0123456789abcdef".to_string()),
                            Just("fedcba9876543210".to_string()),
                            "[0-9a-f]{16}",
                            "[0-9a-gA ]{14,18}",
                        ],
                        0..4,
                    ),
                    0..6,
                ),
                v1 in proptest::option::of("[0-9a-f]{64}"),
                kinds in 0usize..12,
                columns in 0usize..6,
            ) {
                let v2: Vec<String> = cells.iter().map(|c| c.join(" ")).collect();
                let line = format!("{},,,,,{}", v1.unwrap_or_default(), v2.join(","));
                if let Ok(row) = parse_row_spec(line.as_bytes(), columns) {
                    prop_assert_eq!(
                        super::fused_tokens(&row, kinds),
                        super::reference_tokens(&row, kinds)
                    );
                }
            }

            #[test]
            fn valid_rows_round_trip(
                tokens in proptest::collection::vec(proptest::option::of("[0-9a-f]{64}"), 5),
                kept in proptest::collection::vec("[ -~]{0,12}", 0..4),
            ) {
                let mut line = tokens.iter().map(|t| t.clone().unwrap_or_default()).collect::<Vec<_>>().join(",");
                for k in &kept {
                    line.push(',');
                    let mut field = Vec::new();
                    crate::input::csvio::push_field(&mut field, k.as_bytes());
                    line.push_str(std::str::from_utf8(&field).unwrap());
                }
                let row = parse_row(line.as_bytes()).unwrap();
                for (k, t) in tokens.iter().enumerate() {
                    prop_assert_eq!(row.tokens[k], t.as_deref().unwrap_or("").as_bytes());
                }
                prop_assert_eq!(split_kept(row.rest, kept.len()), kept);
            }
        }
    }

    #[test]
    fn header_line_lists_token_then_kept_columns() {
        let line = header_line(&["precinct".into(), "cd, 2026".into()], false);
        assert_eq!(
            line,
            b"email,phone,name_zip,name_addr,name_yob_zip,precinct,\"cd, 2026\"\n"
        );
        assert_eq!(
            header_line(&[], true),
            b"email,phone,name_zip,name_addr,name_yob_zip,messenger\n"
        );
    }
}
