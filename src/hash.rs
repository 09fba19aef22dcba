//! `hash`: a CRM export in, a hashed file out. Runs on the org's own machine.
//!
//! The pipeline streams: a reader thread parses records into chunks, rayon normalizes and
//! hashes sub-chunks in parallel (each worker reusing its own buffers and cloning the
//! pre-keyed HMAC states), and the main thread feeds the rows to a content-ordered sorter
//! that spills to disk past a memory budget. Every input data row yields exactly one output
//! row, so counts reconcile downstream; a row that cannot be read properly (wrong number of
//! fields, undecodable text) yields empty tokens and is counted, never silently dropped.
//! Problems are reported by row number and column name only. With `--messenger-col`, a
//! member file also carries one flag per row (`1` for a willing messenger, see
//! [`crate::merge::messenger`]), and nothing else of that column. The Python API's rows go
//! through the same pipeline: [`HashPlan::from_records`] reads records handed over in
//! memory, and [`HashPlan::run_in_memory`] returns the rows `run` would write.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::dropshared::{Drops, Tally, prefix_of_bytes};
use crate::error::{Error, Result};
use crate::input::columns::{self, CellBuffers, ColumnMap};
use crate::input::{Export, InputOptions, RecordSource, Records, csvio};
use crate::merge::messenger::{self, Flag};
use crate::outfile::AtomicFile;
use crate::progress::Progress;
use crate::rowsort::{self, RowSorter};
use crate::spec::fields::AtomNormalizer;
use crate::spec::hashfile::{self, FileKind, Metadata, SPEC_VERSION};
use crate::spec::key::ConsortiumKey;
use crate::spec::kinds::KindDef;
use crate::spec::label::{OrgLabel, Round};
use crate::spec::normalize::Problem;
use crate::spec::record::{RecordNormalizer, Rules};
use crate::spec::token::{Kind, TokenKeys};
use crate::spec::token_v2::{self, KindKeys};
use crate::staged::{self, Layout};

const CHUNK_ROWS: usize = 32 * 1024;
const SUB_CHUNK_ROWS: usize = 2 * 1024;
/// Distinct values tracked per kept column before it is called identifying outright.
const DISTINCT_CAP: usize = 1 << 20;

/// What to hash and how.
#[derive(Clone, Debug)]
pub struct HashOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    pub org: OrgLabel,
    pub round: Round,
    pub kind: FileKind,
    /// Columns copied in clear (voter files only): precinct, districts, county.
    pub keep: Vec<String>,
    /// Member files only: the column that marks willing messengers (yes, y, true, 1, x).
    pub messenger_col: Option<String>,
    /// How to read the export: columns, delimiter, encoding, layout, sheet.
    pub reading: InputOptions,
    pub rules: Rules,
    pub force: bool,
    /// Memory for buffered output rows before they spill to scratch files.
    pub memory_budget: usize,
}

impl HashOptions {
    pub fn new(input: &Path, output: &Path, org: OrgLabel) -> HashOptions {
        HashOptions {
            input: input.to_path_buf(),
            output: output.to_path_buf(),
            org,
            round: Round::none(),
            kind: FileKind::Members,
            keep: Vec::new(),
            messenger_col: None,
            reading: InputOptions::default(),
            rules: Rules::default(),
            force: false,
            memory_budget: rowsort::DEFAULT_BUDGET,
        }
    }
}

/// Counts for one token kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    pub tokens: u64,
    pub invalid: u64,
    pub missing: u64,
}

/// A problem found on one row; never carries the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowProblem {
    /// The kind's value is present but does not normalize.
    Invalid(Kind),
    /// The row has a different number of fields than the header.
    Ragged,
    /// The messenger cell is neither a yes nor a no: the row is not a messenger.
    MessengerUnclear,
    /// An identifier cell in this column is not valid UTF-8.
    Undecodable(usize),
}

/// What a hash run did.
#[derive(Clone, Debug, Default)]
pub struct HashReport {
    pub rows: u64,
    pub per_kind: [KindCounts; 5],
    /// Counts of the v2 kinds, indexed like [`crate::spec::kinds::v2_kinds`]. `tokens` counts
    /// the cells as written (after the voter-file drop rule).
    pub v2_kinds: Vec<KindCounts>,
    /// Voter files: distinct tokens removed because several rows held them, per kind,
    /// indexed like [`crate::spec::kinds::all_kinds`]; empty for other files.
    pub dropped: Vec<u64>,
    /// Voter files: cells left empty by the drop rule, per kind (as `dropped`).
    pub emptied: Vec<u64>,
    pub ragged_rows: u64,
    pub undecodable_rows: u64,
    pub rows_without_token: u64,
    /// Rows flagged as messengers (with `--messenger-col`).
    pub messengers: u64,
    /// Rows whose messenger cell is neither a yes nor a no.
    pub messenger_unclear: u64,
    /// (spreadsheet row number, problem), in row order.
    pub problems: Vec<(u64, RowProblem)>,
    /// Kept columns that hold a distinct value on nearly every row: (name, distinct share).
    pub identifying_kept: Vec<(String, f64)>,
    pub metadata: Option<Metadata>,
}

/// The plan of a hash run: input opened, columns chosen, nothing written yet.
pub struct HashPlan {
    options: HashOptions,
    export: Export,
    keep_idx: Vec<usize>,
    messenger_idx: Option<usize>,
}

impl HashPlan {
    /// Reads the header, chooses columns and checks the options.
    pub fn new(options: HashOptions) -> Result<HashPlan> {
        crate::outfile::check_writable(&options.output, options.force)?;
        crate::outfile::check_not_an_input(&options.output, &[&options.input])?;
        check_keep(&options)?;
        let export = Export::open(&options.input, &options.reading)?;
        HashPlan::with_export(options, export)
    }

    /// A plan over records handed over in memory ([`Export::from_records`]), for
    /// [`HashPlan::run_in_memory`]; `options.input` and `options.output` are not read or
    /// written (the output path only places scratch files, should rows spill).
    pub fn from_records(
        options: HashOptions,
        headers: Vec<String>,
        records: Box<dyn RecordSource>,
    ) -> Result<HashPlan> {
        check_keep(&options)?;
        let name = options.input.to_string_lossy();
        let export = Export::from_records(&name, headers, records, &options.reading)?;
        HashPlan::with_export(options, export)
    }

    /// Checks the kept and messenger columns against the chosen ones.
    fn with_export(options: HashOptions, export: Export) -> Result<HashPlan> {
        let path = &options.input;
        let columns_error = |why: String| Error::Columns {
            path: path.clone(),
            why,
        };
        let mut keep_idx = Vec::new();
        for name in &options.keep {
            let i = columns::find_header(&export.headers, name).ok_or_else(|| {
                columns_error(format!(
                    "--keep names column '{name}', which is not in the header"
                ))
            })?;
            if let Some(role) = export.map().role_of(i).filter(|r| r.is_identifier()) {
                return Err(columns_error(format!(
                    "--keep column '{name}' is used for the {role}: identifiers are never copied in clear"
                )));
            }
            if let Some(role) = columns::named_like_identifier(&export.headers[i]) {
                return Err(columns_error(format!(
                    "--keep column '{name}' is named like a {role} column: identifiers are never \
                     copied in clear"
                )));
            }
            keep_idx.push(i);
        }
        let messenger_idx = match &options.messenger_col {
            None => None,
            Some(_) if options.kind != FileKind::Members => {
                return Err(Error::Usage(
                    "--messenger-col is for member lists (--kind members)".into(),
                ));
            }
            Some(name) => {
                let i = columns::find_header(&export.headers, name).ok_or_else(|| {
                    columns_error(format!(
                        "--messenger-col names column '{name}', which is not in the header"
                    ))
                })?;
                if let Some(role) = export.map().role_of(i) {
                    return Err(columns_error(format!(
                        "--messenger-col column '{name}' is used for the {role}: name the column \
                         that marks willing messengers (yes, y, true, 1, x)"
                    )));
                }
                Some(i)
            }
        };
        Ok(HashPlan {
            options,
            export,
            keep_idx,
            messenger_idx,
        })
    }

    /// The opened export: its format, layout, encoding and chosen columns.
    pub fn export(&self) -> &Export {
        &self.export
    }

    /// The column read for messenger flags, if any.
    pub fn messenger_column(&self) -> Option<&str> {
        self.messenger_idx.map(|i| self.export.headers[i].as_str())
    }

    pub fn kept_columns(&self) -> Vec<String> {
        self.keep_idx
            .iter()
            .map(|&i| self.export.headers[i].clone())
            .collect()
    }

    /// Hashes the input into the output file.
    pub fn run(&self, key: &ConsortiumKey, progress: &dyn Progress) -> Result<HashReport> {
        let opts = &self.options;
        let mut out = AtomicFile::create(&opts.output, opts.force)?;
        let (sorter, report, drops) = self.hash(key, progress)?;
        let io = Error::io(&opts.output);
        if let Some(meta) = &report.metadata {
            meta.write_to(&mut out).map_err(io)?;
        }
        out.write_all(&self.header_line())
            .map_err(Error::io(&opts.output))?;
        finish_rows(sorter, drops, &mut out, progress)?;
        out.commit()?;
        Ok(report)
    }

    /// Hashes the input into memory: the rows `run` writes after the `#` metadata lines
    /// (the header line, then the data rows in the same order), with the same report.
    pub fn run_in_memory(
        &self,
        key: &ConsortiumKey,
        progress: &dyn Progress,
    ) -> Result<(HashReport, Vec<u8>)> {
        let (sorter, report, drops) = self.hash(key, progress)?;
        let mut out = self.header_line();
        finish_rows(sorter, drops, &mut out, progress)?;
        Ok((report, out))
    }

    fn header_line(&self) -> Vec<u8> {
        hashfile::header_line_spec(
            SPEC_VERSION,
            &self.kept_columns(),
            self.messenger_idx.is_some(),
        )
    }

    /// The pipeline: every row hashed, in the sorter, and the counts.
    fn hash(
        &self,
        key: &ConsortiumKey,
        progress: &dyn Progress,
    ) -> Result<(RowSorter, HashReport, Option<Drops>)> {
        let opts = &self.options;
        let keys = TokenKeys::derive(key, &opts.round);
        let v2_keys = KindKeys::derive(key, &opts.round);
        let all_kinds = crate::spec::kinds::all_kinds();
        let voters = opts.kind == FileKind::Voters;
        let mut sorter = RowSorter::new(&opts.output, opts.memory_budget);
        let layout = staged_layout();
        let mut report = HashReport {
            v2_kinds: vec![KindCounts::default(); v2_keys.kinds().len()],
            ..HashReport::default()
        };
        let mut tally = Tally::new(&all_kinds);
        let mut distinct: Vec<KeptHashes> = vec![KeptHashes::default(); self.keep_idx.len()];
        let ctx = RowContext {
            map: self.export.map(),
            keep: &self.keep_idx,
            messenger: self.messenger_idx,
            width: self.export.headers.len(),
            keys: &keys,
            v2_keys: &v2_keys,
            all_kinds: &all_kinds,
            voters,
            rules: opts.rules,
            layout,
            tail_is_newline: self.keep_idx.is_empty() && self.messenger_idx.is_none(),
        };
        progress.start(self.export.len);

        let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Result<Chunk>>(2);
        let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<csv::ByteRecord>>();
        let (parts_tx, parts_rx) = mpsc::sync_channel::<Vec<Processed>>(2);
        // Three stages: a reader thread parses records, rayon hashes them, and a sink thread
        // orders the rows, so the workers never wait for the (sequential) ordering.
        let (sorter, mut report, distinct, tally) = std::thread::scope(|scope| {
            let records = self.export.records();
            let (first_row, total) = (self.export.first_data_row(), self.export.len);
            scope.spawn(move || match records {
                Ok(records) => read_chunks(records, first_row, chunk_tx, recycle_rx, total),
                Err(e) => {
                    let _ = chunk_tx.send(Err(e));
                }
            });
            let sink = scope.spawn(move || -> Result<_> {
                for parts in parts_rx {
                    for mut part in parts {
                        report.absorb(&part);
                        tally.append(&mut part.tally);
                        let mut start = 0;
                        for &end in &part.ends {
                            let row = &part.out[start..end as usize];
                            sorter.push(layout.bucket(row), row)?;
                            start = end as usize;
                        }
                        for (set, hashes) in distinct.iter_mut().zip(&part.kept_hashes) {
                            if set.len() < DISTINCT_CAP {
                                set.extend(hashes);
                            }
                        }
                    }
                }
                Ok((sorter, report, distinct, tally))
            });
            let hashed = (|| -> Result<()> {
                for chunk in chunk_rx {
                    let chunk = chunk?;
                    let parts: Vec<Processed> = chunk.records[..chunk.len]
                        .par_chunks(SUB_CHUNK_ROWS)
                        .enumerate()
                        .map_init(
                            || Workspace {
                                norm: RecordNormalizer::new(ctx.rules),
                                atoms: AtomNormalizer::new(ctx.rules.current_year),
                                buffers: CellBuffers::default(),
                                tokens: Vec::new(),
                            },
                            |work, (i, records)| {
                                let first_row = chunk.first_row + (i * SUB_CHUNK_ROWS) as u64;
                                process(records, first_row, &ctx, work)
                            },
                        )
                        .collect();
                    if parts_tx.send(parts).is_err() {
                        break; // the sink stopped on an error, reported below
                    }
                    progress.update(chunk.end_byte);
                    let _ = recycle_tx.send(chunk.records);
                }
                Ok(())
            })();
            drop(parts_tx);
            let sunk = sink
                .join()
                .unwrap_or_else(|_| Err(Error::Usage("the output thread failed".into())));
            hashed.and(sunk)
        })?;
        progress.finish();

        // Voter files: tokens several rows share are dropped (spec v2, section 7).
        let drops = voters.then(|| tally.finish());
        if let Some(drops) = &drops {
            for (k, &emptied) in drops.emptied.iter().enumerate() {
                let counts = match k.checked_sub(Kind::ALL.len()) {
                    None => &mut report.per_kind[k],
                    Some(i) => &mut report.v2_kinds[i],
                };
                counts.tokens = counts.tokens.saturating_sub(emptied);
            }
            report.dropped = drops.dropped.clone();
            report.emptied = drops.emptied.clone();
        }
        for (i, set) in distinct.iter().enumerate() {
            let share = set.len() as f64 / report.rows.max(1) as f64;
            if set.len() >= DISTINCT_CAP || (report.rows >= 50 && share >= 0.9) {
                report
                    .identifying_kept
                    .push((self.export.headers[self.keep_idx[i]].clone(), share));
            }
        }
        let meta = Metadata {
            spec: SPEC_VERSION,
            kind: opts.kind,
            org: opts.org.clone(),
            round: opts.round.clone(),
            fingerprint: key.fingerprint(),
            rows: report.rows,
            tokens: report.per_kind.map(|c| c.tokens),
            v2_tokens: report.v2_kinds.iter().map(|c| c.tokens).collect(),
            dropped: drops.as_ref().map(|d| d.dropped.clone()),
            messengers: self.messenger_idx.map(|_| report.messengers),
        };
        report.metadata = Some(meta);
        Ok((sorter, report, drops.filter(Drops::any)))
    }
}

/// The staged rows' token cells: v1's five, then one per v2 kind.
fn staged_layout() -> Layout {
    Layout {
        v1: Kind::ALL.len(),
        cells: Kind::ALL.len() + crate::spec::kinds::v2_kinds().len(),
    }
}

/// Writes the ordered rows as text, without the tokens a voter file's rows share (spec v2,
/// section 7).
fn finish_rows<W: Write>(
    sorter: RowSorter,
    drops: Option<Drops>,
    out: &mut W,
    progress: &dyn Progress,
) -> Result<()> {
    let layout = staged_layout();
    sorter.finish_rewriting(out, progress, &|row, index, out| {
        layout.write_text(row, drops.as_ref().and_then(|d| d.mask(index)), out)
    })
}

/// `--keep` copies geography in clear, which only a voter file may carry.
fn check_keep(options: &HashOptions) -> Result<()> {
    if !options.keep.is_empty() && options.kind != FileKind::Voters {
        return Err(Error::Usage(
            "--keep is only for voter files (--kind voters): a member list carries tokens only"
                .into(),
        ));
    }
    Ok(())
}

impl HashReport {
    fn absorb(&mut self, part: &Processed) {
        self.rows += part.ends.len() as u64;
        let all = self.per_kind.iter_mut().chain(&mut self.v2_kinds);
        for (total, c) in all.zip(part.counts.per_kind.iter().chain(&part.counts.v2)) {
            total.tokens += c.tokens;
            total.invalid += c.invalid;
            total.missing += c.missing;
        }
        self.ragged_rows += part.counts.ragged;
        self.undecodable_rows += part.counts.undecodable;
        self.rows_without_token += part.counts.no_token;
        self.messengers += part.counts.messengers;
        self.messenger_unclear += part.counts.messenger_unclear;
        self.problems.extend_from_slice(&part.problems);
    }

    /// Row numbers with a given problem.
    pub fn rows_with(&self, problem: RowProblem) -> Vec<u64> {
        self.problems
            .iter()
            .filter(|(_, p)| *p == problem)
            .map(|(r, _)| *r)
            .collect()
    }
}

struct Chunk {
    /// Spreadsheet row number of the first record (the header is row 1).
    first_row: u64,
    records: Vec<csv::ByteRecord>,
    len: usize,
    end_byte: u64,
}

fn read_chunks(
    mut reader: Records,
    first_row: u64,
    tx: mpsc::SyncSender<Result<Chunk>>,
    recycle: mpsc::Receiver<Vec<csv::ByteRecord>>,
    total: u64,
) {
    let mut next_row = first_row;
    loop {
        let mut records = recycle.try_recv().unwrap_or_default();
        records.resize_with(CHUNK_ROWS, csv::ByteRecord::new);
        let mut len = 0;
        while len < CHUNK_ROWS {
            match reader.read(&mut records[len]) {
                Ok(true) => len += 1,
                Ok(false) => break,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if len == 0 {
            return;
        }
        let end_byte = if len < CHUNK_ROWS {
            total
        } else {
            reader.position()
        };
        let chunk = Chunk {
            first_row: next_row,
            records,
            len,
            end_byte,
        };
        next_row += len as u64;
        if tx.send(Ok(chunk)).is_err() || len < CHUNK_ROWS {
            return;
        }
    }
}

struct RowContext<'a> {
    map: &'a ColumnMap,
    keep: &'a [usize],
    messenger: Option<usize>,
    width: usize,
    keys: &'a TokenKeys,
    v2_keys: &'a KindKeys,
    all_kinds: &'a [&'static KindDef],
    voters: bool,
    rules: Rules,
    layout: Layout,
    /// The text row ends with its last token cell (no messenger or kept column).
    tail_is_newline: bool,
}

/// One worker's reusable state.
struct Workspace {
    norm: RecordNormalizer,
    atoms: AtomNormalizer,
    buffers: CellBuffers,
    tokens: Vec<[u8; token_v2::TOKEN_BYTES]>,
}

#[derive(Default)]
struct Counts {
    per_kind: [KindCounts; 5],
    v2: Vec<KindCounts>,
    ragged: u64,
    undecodable: u64,
    no_token: u64,
    messengers: u64,
    messenger_unclear: u64,
}

/// The hashed rows of a sub-chunk in their staged form ([`crate::staged`]), back to back,
/// with their end offsets.
struct Processed {
    out: Vec<u8>,
    ends: Vec<u32>,
    counts: Counts,
    problems: Vec<(u64, RowProblem)>,
    kept_hashes: Vec<Vec<u64>>,
    /// Voter files: every token, for the drop rule.
    tally: Tally,
}

fn process(
    records: &[csv::ByteRecord],
    first_row: u64,
    ctx: &RowContext,
    work: &mut Workspace,
) -> Processed {
    let v2_kinds = ctx.v2_keys.kinds().len();
    let row_bytes = (staged::V1_BYTES + 2) * 5 + v2_kinds * 12 + 8 + ctx.keep.len() * 16;
    let cells = ctx.layout.cells;
    let end_of = |cell: usize| ctx.layout.end_of(cell, ctx.tail_is_newline);
    let mut p = Processed {
        out: Vec::with_capacity(records.len() * row_bytes),
        ends: Vec::with_capacity(records.len()),
        counts: Counts {
            v2: vec![KindCounts::default(); v2_kinds],
            ..Counts::default()
        },
        problems: Vec::new(),
        kept_hashes: vec![Vec::with_capacity(records.len()); ctx.keep.len()],
        tally: if ctx.voters {
            Tally::new(ctx.all_kinds)
        } else {
            Tally::default()
        },
    };
    let Workspace {
        norm,
        atoms,
        buffers,
        tokens,
    } = work;
    for (i, record) in records.iter().enumerate() {
        let row = first_row + i as u64;
        if ctx.voters {
            p.tally.start_row();
        }
        if record.len() != ctx.width {
            p.counts.ragged += 1;
            p.counts.no_token += 1;
            p.problems.push((row, RowProblem::Ragged));
            for cell in 0..cells {
                p.out.push(end_of(cell));
            }
            for _ in ctx.keep.iter().chain(&ctx.messenger) {
                p.out.push(b',');
            }
            p.out.push(b'\n');
            p.ends.push(p.out.len() as u32);
            continue;
        }
        let mut undecodable = false;
        let fields = ctx.map.fields(record, buffers, |i| {
            undecodable = true;
            p.problems.push((row, RowProblem::Undecodable(i)));
        });
        p.counts.undecodable += u64::from(undecodable);
        let results = norm.normalize(&fields);
        let mut any = false;
        for kind in Kind::ALL {
            let counts = &mut p.counts.per_kind[kind.index()];
            match results[kind.index()] {
                Ok(value) => {
                    let token = ctx.keys.token(kind, value);
                    staged::push_cell(&mut p.out, &[token], end_of(kind.index()));
                    counts.tokens += 1;
                    any = true;
                    if ctx.voters {
                        p.tally
                            .cell(kind.index(), std::iter::once(prefix_of_bytes(&token)));
                    }
                }
                Err(problem) => {
                    p.out.push(end_of(kind.index()));
                    if problem == Problem::Missing {
                        counts.missing += 1;
                    } else {
                        counts.invalid += 1;
                        p.problems.push((row, RowProblem::Invalid(kind)));
                    }
                }
            }
        }
        p.counts.no_token += u64::from(!any);
        atoms.normalize(&fields, norm);
        for k in 0..v2_kinds {
            let counts = &mut p.counts.v2[k];
            let end = end_of(Kind::ALL.len() + k);
            match ctx.v2_keys.cell(k, atoms, tokens) {
                Ok(()) => {
                    staged::push_cell(&mut p.out, tokens, end);
                    counts.tokens += 1;
                    if ctx.voters {
                        let prefixes = tokens.iter().map(|t| prefix_of_bytes(t));
                        p.tally.cell(Kind::ALL.len() + k, prefixes);
                    }
                }
                Err(problem) => {
                    p.out.push(end);
                    if problem == Problem::Missing {
                        counts.missing += 1;
                    } else {
                        counts.invalid += 1;
                    }
                }
            }
        }
        if let Some(i) = ctx.messenger {
            p.out.push(b',');
            match messenger::read_flag(&record[i]) {
                Flag::Yes => {
                    p.out.push(b'1');
                    p.counts.messengers += 1;
                }
                Flag::No => {}
                Flag::Unclear => {
                    p.counts.messenger_unclear += 1;
                    p.problems.push((row, RowProblem::MessengerUnclear));
                }
            }
        }
        for (k, &i) in ctx.keep.iter().enumerate() {
            p.out.push(b',');
            let value = &record[i];
            push_kept(&mut p.out, value);
            let mut h = DefaultHasher::new();
            value.hash(&mut h);
            p.kept_hashes[k].push(h.finish());
        }
        p.out.push(b'\n');
        p.ends.push(p.out.len() as u32);
    }
    p
}

/// The distinct hashes of one kept column's values. The workers hash each value
/// ([`DefaultHasher`]); the set takes those hashes as they are instead of hashing them again.
type KeptHashes = HashSet<u64, BuildHasherDefault<Prehashed>>;

/// A [`Hasher`] for keys that are already hashes: the `u64` itself.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Copies a kept (geography) value: trimmed, valid UTF-8, on one line, quoted if needed.
/// One line per row lets the coordinator's tools split hashed files in parallel.
fn push_kept(out: &mut Vec<u8>, value: &[u8]) {
    let text = String::from_utf8_lossy(value);
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if text.contains(['\r', '\n']) {
        csvio::push_field(out, text.replace(['\r', '\n'], " ").as_bytes());
    } else {
        csvio::push_field(out, text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::columns::UNDECODABLE;
    use crate::spec::normalize::{self, CountryCode};

    /// Records handed over in memory, as the Python API hands them.
    struct Handed(std::vec::IntoIter<csv::ByteRecord>);

    impl RecordSource for Handed {
        fn read(&mut self, record: &mut csv::ByteRecord) -> Result<bool> {
            Ok(self.0.next().map(|r| *record = r).is_some())
        }
    }

    #[test]
    fn records_in_memory_hash_as_the_file_does() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("Email,First Name,Last Name,Zip,Precinct\n");
        for i in 0..3000 {
            let email = if i % 7 == 0 {
                String::new()
            } else {
                format!("p{i}@x.org")
            };
            text.push_str(&format!(
                "{email},Ann{},Lee,{:05},P{}\n",
                i % 50,
                i % 900,
                i % 9
            ));
        }
        text.push_str("a@b.org,too,many,fields,here,now\n");
        let input = dir.path().join("v.csv");
        std::fs::write(&input, &text).unwrap();
        let options = |output: &str| {
            let org = OrgLabel::new("voters").unwrap();
            let mut opts = HashOptions::new(&input, &dir.path().join(output), org);
            opts.kind = FileKind::Voters;
            opts.keep = vec!["Precinct".into()];
            opts
        };
        let key = ConsortiumKey::from_bytes([7; 32]);
        let file = HashPlan::new(options("file.csv")).unwrap();
        let report = file.run(&key, &crate::progress::NoProgress).unwrap();
        let written = std::fs::read_to_string(dir.path().join("file.csv")).unwrap();

        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<_> = reader.byte_records().map(|r| r.unwrap()).collect();
        let memory = HashPlan::from_records(
            options("scratch"),
            headers,
            Box::new(Handed(records.into_iter())),
        )
        .unwrap();
        let (in_memory, rows) = memory
            .run_in_memory(&key, &crate::progress::NoProgress)
            .unwrap();
        let body: String = written
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(String::from_utf8(rows).unwrap(), body);
        assert_eq!(in_memory.rows, 3001);
        assert_eq!(in_memory.ragged_rows, 1);
        assert_eq!(in_memory.metadata, report.metadata);
        assert!(
            memory.export().records().is_err(),
            "the records are read once"
        );
    }

    #[test]
    fn kept_values_stay_on_one_line() {
        let mut out = Vec::new();
        push_kept(&mut out, b" Ward 3\r\nPrecinct \"A\" ");
        assert_eq!(out, b"\"Ward 3  Precinct \"\"A\"\"\"");
    }

    #[test]
    fn undecodable_marker_is_invalid_everywhere() {
        let mut out = String::new();
        let mut scratch = String::new();
        let invalid = Err(Problem::Invalid);
        assert_eq!(normalize::email(UNDECODABLE, &mut out), invalid);
        assert_eq!(
            normalize::phone(UNDECODABLE, CountryCode::NANP, &mut out),
            invalid
        );
        assert_eq!(
            normalize::phone(UNDECODABLE, CountryCode::parse("44").unwrap(), &mut out),
            invalid
        );
        assert_eq!(
            normalize::first_name(UNDECODABLE, &mut scratch, &mut out),
            invalid
        );
        assert_eq!(
            normalize::last_name(UNDECODABLE, &mut scratch, &mut out),
            invalid
        );
        assert_eq!(normalize::zip5(UNDECODABLE, &mut out), invalid);
        assert_eq!(normalize::house(UNDECODABLE, &mut out), invalid);
        assert_eq!(normalize::yob(UNDECODABLE, 2026, &mut out), invalid);
    }
}
