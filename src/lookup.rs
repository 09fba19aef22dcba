//! `lookup`: the way back. An org joins its match table to its own list, on its own machine.
//!
//! The match table (`orgs/<org>.csv` from `merge`) holds the org's records as tokens only.
//! The org re-hashes its export with the same key, finds each row's record in the table by
//! its tokens, and appends the voter status, district columns, list count, contact and
//! assignment flags, so it can message a district without the coordinator ever seeing a name.
//!
//! A table from `merge --messenger-by` names each assigned person's messenger by the row of
//! the messenger's own record in the same table. Lookup finds that record in the org's own
//! export (a first pass over the export) and appends the messenger's first name, last name
//! and email from there: the names come from the org's own list and nowhere else.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::input::columns::{CellBuffers, ColumnMap};
use crate::input::{Export, InputOptions, csvio};
use crate::merge::MATCH_TABLE_MAGIC;
use crate::outfile::AtomicFile;
use crate::spec::fields::AtomNormalizer;
use crate::spec::hashfile::token_prefix;
use crate::spec::key::{ConsortiumKey, Fingerprint};
use crate::spec::kinds;
use crate::spec::label::Round;
use crate::spec::record::{RecordNormalizer, Rules};
use crate::spec::token::{Kind, TOKEN_HEX_LEN, TokenKeys};
use crate::spec::token_v2::{self, KindKeys};

/// What to look up.
#[derive(Clone, Debug)]
pub struct LookupOptions {
    pub input: PathBuf,
    pub matches: PathBuf,
    pub output: PathBuf,
    /// How to read the export: the same options as when it was hashed.
    pub reading: InputOptions,
    pub rules: Rules,
    /// Keep rows whose appended column `COL` equals `VALUE`.
    pub filter: Option<(String, String)>,
    /// Keep rows assigned to this org.
    pub assigned_only: bool,
    /// Keep rows of people on at least this many lists.
    pub min_lists: Option<u32>,
    /// Keep rows of people who opted out somewhere (dropped by default).
    pub include_no_contact: bool,
    pub force: bool,
}

impl LookupOptions {
    pub fn new(input: &Path, matches: &Path, output: &Path) -> LookupOptions {
        LookupOptions {
            input: input.to_path_buf(),
            matches: matches.to_path_buf(),
            output: output.to_path_buf(),
            reading: InputOptions::default(),
            rules: Rules::default(),
            filter: None,
            assigned_only: false,
            min_lists: None,
            include_no_contact: false,
            force: false,
        }
    }
}

/// What a lookup did.
#[derive(Clone, Debug, Default)]
pub struct LookupReport {
    pub rows: u64,
    /// Rows whose record was found in the match table.
    pub found: u64,
    pub written: u64,
    /// Rows that passed the filters but were dropped: the person opted out (contact = no).
    pub no_contact: u64,
    pub org: String,
    /// Messengers the match table names, and how many of them were found in the export.
    pub messengers: u64,
    pub messengers_found: u64,
}

/// The name of the match table's messenger column, and what lookup appends in its place.
const MESSENGER: &str = "messenger";
const MESSENGER_COLUMNS: [&str; 3] = [
    "messenger_first_name",
    "messenger_last_name",
    "messenger_email",
];

/// The match table: its columns after the tokens and each record's values for them.
struct MatchTable {
    org: String,
    round: Round,
    fingerprint: Fingerprint,
    /// Names of the appended columns (voter_status ... assigned).
    columns: Vec<String>,
    /// Rows of appended values.
    rows: Vec<Vec<String>>,
    /// Rows by the digest of all their token cells ([`row_key`]).
    by_tuple: HashMap<u128, u32>,
    /// Token columns of spec 2 kinds after the five v1 columns (0 for a spec 1 table).
    v2_columns: usize,
    by_kind: [HashMap<u128, u32>; 5],
    /// The messenger column (the last, after `assigned`), in tables with messengers.
    messenger_col: Option<usize>,
    /// Per row: the row of its messenger's record (from 0), for tables with messengers.
    messenger_of: Vec<Option<u32>>,
}

fn not_a_table(path: &Path, why: &str) -> Error {
    Error::NotOutput {
        path: path.to_path_buf(),
        what: "a blindmatch match table",
        why: why.to_string(),
    }
}

fn read_match_table(path: &Path) -> Result<MatchTable> {
    let file = File::open(path).map_err(Error::io(path))?;
    let mut reader = BufReader::new(file);
    let mut meta = HashMap::new();
    let mut first = String::new();
    reader.read_line(&mut first).map_err(Error::io(path))?;
    if first.trim_end() != MATCH_TABLE_MAGIC {
        return Err(not_a_table(
            path,
            "its first line is not the match-table marker",
        ));
    }
    let mut rest = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(Error::io(path))? == 0 {
            break;
        }
        match line.strip_prefix("# ") {
            Some(kv) => {
                if let Some((k, v)) = kv.split_once(':') {
                    meta.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
            None => {
                rest.extend_from_slice(line.as_bytes());
                break;
            }
        }
    }
    let get = |k: &str| {
        meta.get(k)
            .cloned()
            .ok_or_else(|| not_a_table(path, "metadata is missing"))
    };
    let fingerprint = Fingerprint::parse(&get("key_fingerprint")?)
        .ok_or_else(|| not_a_table(path, "bad key fingerprint"))?;
    let round =
        Round::parse_optional(&get("round")?).map_err(|_| not_a_table(path, "bad round"))?;
    let org = get("org")?;
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::Cursor::new(rest).chain(reader));
    let header: Vec<String> = csv
        .headers()
        .map_err(|_| not_a_table(path, "unreadable header"))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.len() < 6 || Kind::ALL.iter().zip(&header).any(|(k, h)| k.name() != h) {
        return Err(not_a_table(
            path,
            "its header does not start with the five token columns",
        ));
    }
    // Spec 2 tables carry every kind's tokens: the v2 columns follow, in table order.
    let v2_columns = header[5..]
        .iter()
        .zip(kinds::v2_kinds())
        .take_while(|(h, k)| **h == k.name)
        .count();
    if v2_columns > 0 && v2_columns != kinds::v2_kinds().len() {
        return Err(not_a_table(
            path,
            "its token columns are not this version's spec 2 kinds",
        ));
    }
    let n_tokens = 5 + v2_columns;
    let mut table = MatchTable {
        org,
        round,
        fingerprint,
        v2_columns,
        columns: header[n_tokens..].to_vec(),
        rows: Vec::new(),
        by_tuple: HashMap::new(),
        by_kind: Default::default(),
        messenger_col: None,
        messenger_of: Vec::new(),
    };
    // Merge writes the messenger column last, right after `assigned`.
    let n = table.columns.len();
    if n >= 2 && table.columns[n - 1] == MESSENGER && table.columns[n - 2] == "assigned" {
        table.messenger_col = Some(n - 1);
    }
    let messenger_col = table.messenger_col;
    for (i, record) in csv.records().enumerate() {
        let record = record.map_err(|e| csvio::csv_error(path, i as u64 + 2, &e))?;
        for k in 0..5 {
            let cell = record.get(k).unwrap_or("").as_bytes();
            if cell.len() == TOKEN_HEX_LEN && crate::spec::token::is_token(cell) {
                table.by_kind[k]
                    .entry(token_prefix(cell))
                    .or_insert(i as u32);
            }
        }
        let mut text = Vec::with_capacity(n_tokens * 40);
        for k in 0..n_tokens {
            if k > 0 {
                text.push(b',');
            }
            text.extend_from_slice(record.get(k).unwrap_or("").as_bytes());
        }
        table.by_tuple.entry(row_key(&text)).or_insert(i as u32);
        let values: Vec<String> = record.iter().skip(n_tokens).map(str::to_string).collect();
        if let Some(c) = messenger_col {
            let cell = values.get(c).map_or("", String::as_str);
            let row = match cell {
                "" => None,
                _ => Some(
                    cell.parse::<u32>()
                        .ok()
                        .filter(|&r| r >= 1)
                        .map(|r| r - 1)
                        .ok_or_else(|| not_a_table(path, "a messenger cell is not a row number"))?,
                ),
            };
            table.messenger_of.push(row);
        }
        table.rows.push(values);
    }
    if table
        .messenger_of
        .iter()
        .flatten()
        .any(|&r| r as usize >= table.rows.len())
    {
        return Err(not_a_table(
            path,
            "a messenger cell names a row the table does not have",
        ));
    }
    Ok(table)
}

/// The key under which a match table files a record: the first 16 bytes of the SHA-256 of
/// its token cells as the hashed file writes them, joined with commas. Spec 2 records that
/// have only v2 tokens are told apart this way too.
fn row_key(cells: &[u8]) -> u128 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(cells);
    u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"))
}

/// A record's tokens, as `lookup` recomputes them: the v1 prefixes (for the fallback) and the
/// key of all its cells.
struct RecordTokens {
    tuple: [u128; 5],
    key: u128,
}

impl MatchTable {
    /// The row of a record, by its tokens.
    fn find(&self, record: &RecordTokens) -> Option<u32> {
        let tuple = &record.tuple;
        self.by_tuple.get(&record.key).copied().or_else(|| {
            // The export changed since it was hashed: fall back to one token, strongest first.
            crate::merge::PASSES.iter().find_map(|kind| {
                let t = tuple[kind.index()];
                (t != 0)
                    .then(|| self.by_kind[kind.index()].get(&t).copied())
                    .flatten()
            })
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

const CHUNK_ROWS: usize = 16 * 1024;

/// Re-hashes the org's export, joins it to the match table and writes the targets file.
pub fn lookup(opts: &LookupOptions, key: &ConsortiumKey) -> Result<LookupReport> {
    crate::outfile::check_writable(&opts.output, opts.force)?;
    crate::outfile::check_not_an_input(&opts.output, &[&opts.input, &opts.matches])?;
    let table = read_match_table(&opts.matches)?;
    if table.fingerprint != key.fingerprint() {
        return Err(Error::Incompatible {
            path: opts.matches.clone(),
            why: format!(
                "was made under key {}, but your key is {}: use the consortium key of that merge",
                table.fingerprint,
                key.fingerprint()
            ),
        });
    }
    let filter_col = match &opts.filter {
        Some((col, _)) => Some(table.column(col).ok_or_else(|| {
            Error::Usage(format!(
                "--where column '{col}' is not in the match table (it has: {})",
                table.columns.join(", ")
            ))
        })?),
        None => None,
    };
    let (lists_col, contact_col, assigned_col) = (
        table.column("lists"),
        table.column("contact"),
        table.column("assigned"),
    );
    let keys = TokenKeys::derive(key, &table.round);
    let v2_keys = (table.v2_columns > 0).then(|| KindKeys::derive(key, &table.round));
    let export = Export::open(&opts.input, &opts.reading)?;
    let (headers, map) = (&export.headers, export.map());
    let messenger_col = table.messenger_col;
    let names = match messenger_col {
        Some(_) => messenger_names(&table, &export, opts.rules, &keys, v2_keys.as_ref())?,
        None => BTreeMap::new(),
    };
    let mut reader = export.records()?;
    let out = AtomicFile::create(&opts.output, opts.force)?;
    let mut writer = csv::Writer::from_writer(out);
    let mut header = headers.clone();
    header.extend(
        table
            .columns
            .iter()
            .enumerate()
            .filter(|(c, _)| Some(*c) != messenger_col)
            .map(|(_, name)| name.clone()),
    );
    if messenger_col.is_some() {
        header.extend(MESSENGER_COLUMNS.iter().map(|c| c.to_string()));
    }
    writer
        .write_record(&header)
        .map_err(|e| csvio::csv_error(&opts.output, 1, &e))?;
    let mut needed: Vec<u32> = table.messenger_of.iter().flatten().copied().collect();
    needed.sort_unstable();
    needed.dedup();
    let mut report = LookupReport {
        org: table.org.clone(),
        messengers: needed.len() as u64,
        messengers_found: names.len() as u64,
        ..LookupReport::default()
    };
    let no_names: [String; 3] = Default::default();
    let empty: Vec<String> = {
        let mut v = vec![String::new(); table.columns.len()];
        if let Some(i) = table.column("voter_status") {
            v[i] = "not_in_matches".into();
        }
        v
    };
    let mut chunk: Vec<csv::ByteRecord> = Vec::with_capacity(CHUNK_ROWS);
    while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
        let tuples: Vec<RecordTokens> = chunk
            .par_iter()
            .map_init(
                || Rehash::new(opts.rules),
                |state, record| {
                    record_tokens(record, map, headers.len(), state, &keys, v2_keys.as_ref())
                },
            )
            .collect();
        for (record, tuple) in chunk.iter().zip(&tuples) {
            report.rows += 1;
            let row = table.find(tuple);
            report.found += u64::from(row.is_some());
            let values = row.map_or(&empty, |r| &table.rows[r as usize]);
            let value = |c: Option<usize>| c.map_or("", |c| values[c].as_str());
            let keep = filter_col
                .is_none_or(|c| opts.filter.as_ref().is_some_and(|(_, v)| values[c] == *v))
                && (!opts.assigned_only || value(assigned_col) == "yes")
                && opts
                    .min_lists
                    .is_none_or(|n| value(lists_col).parse::<u32>().is_ok_and(|l| l >= n));
            if !keep {
                continue;
            }
            if !opts.include_no_contact && value(contact_col) == "no" {
                report.no_contact += 1;
                continue;
            }
            let padding = headers.len().saturating_sub(record.len());
            let messenger = row
                .and_then(|r| table.messenger_of.get(r as usize).copied().flatten())
                .and_then(|m| names.get(&m))
                .unwrap_or(&no_names);
            let fields = record
                .iter()
                .take(headers.len())
                .chain(std::iter::repeat_n(&b""[..], padding))
                .chain(
                    values
                        .iter()
                        .enumerate()
                        .filter(|(c, _)| Some(*c) != messenger_col)
                        .map(|(_, v)| v.as_bytes()),
                )
                .chain(
                    messenger_col
                        .iter()
                        .flat_map(|_| messenger.iter().map(|v| v.as_bytes())),
                );
            writer
                .write_record(fields)
                .map_err(|e| csvio::csv_error(&opts.output, report.written + 2, &e))?;
            report.written += 1;
        }
    }
    writer
        .into_inner()
        .map_err(|e| Error::io(&opts.output)(e.into_error()))?
        .commit()?;
    Ok(report)
}

/// First pass over the export: for every record the table names as a messenger, the first
/// name, last name and email of its row in the org's own export (the first such row).
fn messenger_names(
    table: &MatchTable,
    export: &Export,
    rules: Rules,
    keys: &TokenKeys,
    v2_keys: Option<&KindKeys>,
) -> Result<BTreeMap<u32, [String; 3]>> {
    let wanted: std::collections::HashSet<u32> =
        table.messenger_of.iter().flatten().copied().collect();
    let mut names = BTreeMap::new();
    if wanted.is_empty() {
        return Ok(names);
    }
    let (headers, map) = (&export.headers, export.map());
    let mut reader = export.records()?;
    let mut chunk: Vec<csv::ByteRecord> = Vec::with_capacity(CHUNK_ROWS);
    while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
        let found: Vec<Option<(u32, [String; 3])>> = chunk
            .par_iter()
            .map_init(
                || Rehash::new(rules),
                |state, record| {
                    let tokens = record_tokens(record, map, headers.len(), state, keys, v2_keys);
                    let row = table.find(&tokens).filter(|r| wanted.contains(r))?;
                    let fields = map.fields(record, &mut state.buffers, |_| {});
                    let text = |v: Option<&str>| v.map_or(String::new(), |v| v.trim().to_string());
                    // the first email column that has one (a messenger's email may be in a
                    // second column)
                    let email = std::iter::once(fields.email)
                        .chain(fields.more_emails)
                        .flatten()
                        .find(|e| !e.trim().is_empty());
                    Some((row, [text(fields.first), text(fields.last), text(email)]))
                },
            )
            .collect();
        for (row, values) in found.into_iter().flatten() {
            names.entry(row).or_insert(values);
        }
    }
    Ok(names)
}

/// The 128-bit prefixes of a row's five tokens (0 where a kind does not form).
/// Per-thread state of [`record_tokens`].
struct Rehash {
    norm: RecordNormalizer,
    atoms: AtomNormalizer,
    buffers: CellBuffers,
    tokens: Vec<[u8; token_v2::TOKEN_BYTES]>,
    text: Vec<u8>,
}

impl Rehash {
    fn new(rules: Rules) -> Rehash {
        Rehash {
            norm: RecordNormalizer::new(rules),
            atoms: AtomNormalizer::new(rules.current_year),
            buffers: CellBuffers::default(),
            tokens: Vec::new(),
            text: Vec::new(),
        }
    }
}

/// Re-hashes one export record into the cells `hash` wrote for it (v2 kinds only when the
/// table has them) and the key of those cells.
fn record_tokens(
    record: &csv::ByteRecord,
    map: &ColumnMap,
    width: usize,
    state: &mut Rehash,
    keys: &TokenKeys,
    v2_keys: Option<&KindKeys>,
) -> RecordTokens {
    let Rehash {
        norm,
        atoms,
        buffers,
        tokens,
        text,
    } = state;
    text.clear();
    let v2_kinds = v2_keys.map_or(0, |k| k.kinds().len());
    if record.len() != width {
        // A ragged row: `hash` wrote empty cells.
        text.extend(std::iter::repeat_n(b',', 4 + v2_kinds));
        return RecordTokens {
            tuple: [0; 5],
            key: row_key(text),
        };
    }
    let fields = map.fields(record, buffers, |_| {});
    let results = norm.normalize(&fields);
    let mut hex = [0u8; TOKEN_HEX_LEN];
    let mut tuple = [0u128; 5];
    for kind in Kind::ALL {
        if kind.index() > 0 {
            text.push(b',');
        }
        if let Ok(v) = results[kind.index()] {
            keys.token_hex(kind, v, &mut hex);
            tuple[kind.index()] = token_prefix(&hex);
            text.extend_from_slice(&hex);
        }
    }
    if let Some(v2_keys) = v2_keys {
        atoms.normalize(&fields, norm);
        for k in 0..v2_kinds {
            text.push(b',');
            if v2_keys.cell(k, atoms, tokens).is_ok() {
                token_v2::push_cell(text, tokens);
            }
        }
    }
    RecordTokens {
        tuple,
        key: row_key(text),
    }
}
