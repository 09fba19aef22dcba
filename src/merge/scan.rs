//! Reading hashed files: parallel blocks of rows, member tokens into indexes, the voter
//! file streamed past them, suppression files marked.

use super::*;

/// Parses the rows of a block in parallel; `f` sees (row index, parsed row) and fills `T`.
pub(super) fn par_rows<T: Send + Default>(
    block: &RowBlock,
    path: &Path,
    v2_columns: usize,
    line_of: impl Fn(u64) -> u64 + Sync,
    f: impl Fn(&mut T, u64, hashfile::TokenRow) + Sync,
) -> Result<Vec<T>> {
    let pieces = block.split(rayon::current_num_threads() * 4);
    pieces
        .par_iter()
        .map(|&(first_row, bytes)| {
            let mut acc = T::default();
            // Pieces are whole lines, each ending in a newline; found with memchr, not by
            // testing every byte in turn.
            if !bytes.ends_with(b"\n") {
                return Ok(acc);
            }
            let mut start = 0;
            for (i, end) in memchr::memchr_iter(b'\n', bytes).enumerate() {
                let line = &bytes[start..end];
                start = end + 1;
                let row = first_row + i as u64;
                let parsed = parse_row_spec(line, v2_columns).map_err(|why| Error::NotHashed {
                    path: path.to_path_buf(),
                    why: format!("line {}: {why}", line_of(row)),
                })?;
                f(&mut acc, row, parsed);
            }
            Ok(acc)
        })
        .collect()
}

/// Iterates over the rows of a hashed file in parallel blocks.
pub(super) fn scan<T: Send + Default>(
    path: &Path,
    progress: &dyn Progress,
    mut sink: impl FnMut(&RowBlock, Vec<T>) -> Result<()>,
    f: impl Fn(&mut T, u64, hashfile::TokenRow) + Sync,
) -> Result<()> {
    let file = HashedFile::open(path)?;
    let total = file.meta.rows;
    let v2_columns = file.v2_columns;
    let blocks = file.blocks();
    let line_base = blocks.line_of(0);
    progress.start(total);
    for block in blocks {
        let block = block?;
        let done = block.first_row + block.rows;
        let parts = par_rows(&block, path, v2_columns, |row| line_base + row, &f)?;
        sink(&block, parts)?;
        progress.update(done);
    }
    progress.finish();
    Ok(())
}

/// Member records and their tokens.
pub(super) struct Members {
    /// First record index of each org, plus the total at the end.
    pub(super) starts: Vec<u32>,
    /// Per record: bit k set when the record has a token of kind k.
    pub(super) kinds: Vec<u8>,
    /// Per record: flagged as a willing messenger (`hash --messenger-col`).
    pub(super) messenger: Vec<bool>,
    pub(super) index: [TokenIndex; 5],
    /// `--match fuzzy`: every record's tokens of every kind (v1 and v2), for the scoring.
    pub(super) table: Option<TokenTable>,
}

impl Members {
    pub(super) fn org_of(&self, record: u32) -> usize {
        self.starts.partition_point(|&s| s <= record) - 1
    }

    pub(super) fn records(&self) -> usize {
        self.kinds.len()
    }
}

#[derive(Default)]
pub(super) struct LoadPart {
    pub(super) pairs: [Vec<(u128, u32)>; 5],
    pub(super) kinds: Vec<u8>,
    pub(super) messenger: Vec<bool>,
    /// The first row whose messenger cell is not `1` or empty.
    pub(super) bad_flag: Option<u64>,
    /// `--match fuzzy`: per row, its cells of every kind (see [`RowCells`]).
    pub(super) cells: RowCells,
    /// The first row whose v2 cells are malformed, and why.
    pub(super) bad_cells: Option<(u64, &'static str)>,
}

/// Token cells of several rows of every kind, flattened: per row and kind, the number of
/// tokens, then the tokens. Filled by the parallel row parsers, drained in row order into a
/// [`TokenTable`].
#[derive(Default)]
pub(super) struct RowCells {
    lens: Vec<u32>,
    tokens: Vec<u64>,
}

impl RowCells {
    /// Appends a row's cells of kinds `0..kinds`, checked as
    /// [`hashfile::TokenRow::kind_cells`] checks them; on `Err` nothing is appended.
    pub(super) fn push(
        &mut self,
        row: &hashfile::TokenRow,
        kinds: usize,
    ) -> std::result::Result<(), &'static str> {
        row.append_kind_tokens(kinds, &mut self.lens, &mut self.tokens)
    }

    /// Removes the rows from the `rows`th on (rows counted from 0 in this batch), whose
    /// tokens start at `tokens`.
    fn truncate(&mut self, rows: usize, kinds: usize, tokens: usize) {
        self.lens.truncate(rows * kinds);
        self.tokens.truncate(tokens);
    }

    pub(super) fn rows(&self, kinds: usize) -> usize {
        self.lens.len() / kinds.max(1)
    }

    /// Moves the rows into `table`, in order.
    pub(super) fn drain_into(&self, table: &mut TokenTable) -> Result<()> {
        let kinds = table.kinds().len();
        let mut cells: Vec<&[u64]> = Vec::with_capacity(kinds);
        let mut at = 0;
        for row in self.lens.chunks(kinds.max(1)) {
            cells.clear();
            for &n in row {
                cells.push(&self.tokens[at..at + n as usize]);
                at += n as usize;
            }
            table.push_row(&cells).map_err(link_error)?;
        }
        Ok(())
    }

    /// Whether the `row`th row has any token (rows counted from 0 in this batch).
    fn row_has_tokens(&self, row: usize, kinds: usize) -> bool {
        self.lens[row * kinds..(row + 1) * kinds]
            .iter()
            .any(|&n| n > 0)
    }
}

/// The scoring's errors are about its input's size, never about values.
pub(super) fn link_error(e: crate::link::LinkError) -> Error {
    Error::Usage(format!("fuzzy matching: {e}"))
}

/// The kinds of the scoring's tables: every kind of a spec 2 hashed file.
pub(super) fn link_kinds() -> Vec<KindDef> {
    all_kinds().into_iter().cloned().collect()
}

pub(super) fn load_members(
    orgs: &[Input],
    fuzzy: bool,
    progress: &dyn Progress,
) -> Result<Members> {
    let n_kinds = if fuzzy { link_kinds().len() } else { 0 };
    let mut table = if fuzzy {
        Some(TokenTable::new(&link_kinds()).map_err(link_error)?)
    } else {
        None
    };
    let mut pairs: [Vec<(u128, u32)>; 5] = Default::default();
    let mut kinds = Vec::new();
    let mut messenger = Vec::new();
    let mut starts = Vec::with_capacity(orgs.len() + 1);
    let flags_messengers: Vec<bool> = orgs.iter().map(|o| o.meta.messengers.is_some()).collect();
    for (org, &flagged) in orgs.iter().zip(&flags_messengers) {
        let base = kinds.len() as u32;
        starts.push(base);
        progress.phase(&format!("load {}", org.meta.org), org.meta.rows);
        scan(
            &org.path,
            progress,
            |_, parts: Vec<LoadPart>| {
                for part in parts {
                    if let Some(row) = part.bad_flag {
                        return Err(Error::NotHashed {
                            path: org.path.clone(),
                            why: format!(
                                "data row {}: the messenger cell is neither 1 nor empty",
                                row + 1
                            ),
                        });
                    }
                    if let Some((row, why)) = part.bad_cells {
                        return Err(Error::NotHashed {
                            path: org.path.clone(),
                            why: format!("data row {}: {why}", row + 1),
                        });
                    }
                    if let Some(table) = table.as_mut() {
                        part.cells.drain_into(table)?;
                    }
                    for (all, mut some) in pairs.iter_mut().zip(part.pairs) {
                        all.append(&mut some);
                    }
                    kinds.extend_from_slice(&part.kinds);
                    messenger.extend_from_slice(&part.messenger);
                }
                Ok(())
            },
            |acc: &mut LoadPart, row, parsed| {
                let record = base + row as u32;
                let mut mask = 0u8;
                for (k, token) in parsed.tokens.iter().enumerate() {
                    if !token.is_empty() {
                        acc.pairs[k].push((parsed.prefixes[k], record));
                        mask |= 1 << k;
                    }
                }
                if fuzzy {
                    let at = acc.cells.rows(n_kinds);
                    match acc.cells.push(&parsed, n_kinds) {
                        Ok(()) => {
                            // Bit 7: a token of some v2 kind, so the record is usable.
                            if acc.cells.row_has_tokens(at, n_kinds) {
                                mask |= 1 << 7;
                            }
                        }
                        Err(why) => {
                            acc.bad_cells.get_or_insert((row, why));
                        }
                    }
                }
                acc.kinds.push(mask);
                let flag = flagged
                    && hashfile::messenger_flag(parsed.rest).unwrap_or_else(|_| {
                        acc.bad_flag.get_or_insert(row);
                        false
                    });
                acc.messenger.push(flag);
            },
        )?;
    }
    starts.push(kinds.len() as u32);
    let index = pairs.map(TokenIndex::build);
    Ok(Members {
        starts,
        kinds,
        messenger,
        index,
        table,
    })
}

/// What the voter file told us about member tokens.
pub(super) struct VoterHits {
    /// Per kind, per distinct member token: voter records carrying it (0, 1, or 2 = many).
    pub(super) count: [Vec<u8>; 5],
    /// Per kind, per distinct member token: the voter record, when exactly one.
    pub(super) voter: [Vec<u32>; 5],
    /// Voter record -> its geography row.
    pub(super) geo_of_voter: HashMap<u32, u32>,
    /// Geography rows: one interned value per kept column.
    pub(super) geo_rows: Vec<Vec<u32>>,
    pub(super) columns: Vec<String>,
    pub(super) values: Vec<Vec<String>>,
    pub(super) records: u64,
}

impl VoterHits {
    /// An empty result for a voter file with these kept columns.
    fn new(members: &Members, columns: Vec<String>, records: u64) -> VoterHits {
        VoterHits {
            count: members.index.each_ref().map(|ix| vec![0u8; ix.len()]),
            voter: members.index.each_ref().map(|ix| vec![0u32; ix.len()]),
            geo_of_voter: HashMap::new(),
            geo_rows: Vec::new(),
            values: vec![Vec::new(); columns.len()],
            columns,
            records,
        }
    }

    /// Records the kept columns (CSV-encoded `cells`) of voter record `row` as a geography
    /// row of interned values. `buf` is scratch space, kept between rows.
    fn intern_kept(
        &mut self,
        interned: &mut [HashMap<String, u32>],
        row: u32,
        cells: &[u8],
        buf: &mut Vec<u8>,
    ) {
        let mut ids = Vec::with_capacity(self.columns.len());
        let values = &mut self.values;
        hashfile::for_each_kept(cells, self.columns.len(), buf, |c, v| {
            // Borrowed unless the bytes are not UTF-8; a String is made for new values only.
            let v = String::from_utf8_lossy(v);
            let id = match interned[c].get(v.as_ref()) {
                Some(&id) => id,
                None => {
                    let id = values[c].len() as u32;
                    interned[c].insert(v.to_string(), id);
                    values[c].push(v.into_owned());
                    id
                }
            };
            ids.push(id);
        });
        self.geo_of_voter.insert(row, self.geo_rows.len() as u32);
        self.geo_rows.push(ids);
    }
}

#[derive(Default)]
pub(super) struct VoterPart {
    /// (voter row, kind, distinct-token index) in row order.
    pub(super) hits: Vec<(u32, u8, u32)>,
    /// (voter row, address and length of its kept columns in the block) for rows with hits.
    pub(super) kept: Vec<(u32, usize, usize)>,
}

pub(super) fn scan_voters(
    input: &Input,
    members: &Members,
    progress: &dyn Progress,
) -> Result<VoterHits> {
    let file = HashedFile::open(&input.path)?;
    let columns = file.kept.clone();
    let mut hits = VoterHits::new(members, columns, input.meta.rows);
    let mut interned: Vec<HashMap<String, u32>> = vec![HashMap::new(); hits.columns.len()];
    let mut buf = Vec::new();
    let width = hits.columns.len();
    progress.phase("voter file", input.meta.rows);
    drop(file);
    scan(
        &input.path,
        progress,
        |block: &RowBlock, parts: Vec<VoterPart>| {
            for part in parts {
                // Geography is kept only for voter records that are some token's first hit:
                // at most one per distinct member token, however large the voter file.
                let mut firsts: Vec<u32> = Vec::new();
                for (row, kind, key) in part.hits {
                    let (k, i) = (kind as usize, key as usize);
                    let seen = hits.count[k][i];
                    if seen == 0 {
                        hits.voter[k][i] = row;
                        if firsts.last() != Some(&row) {
                            firsts.push(row);
                        }
                    }
                    hits.count[k][i] = seen.saturating_add(1).min(2);
                }
                let mut kept = part.kept.iter().peekable();
                for row in firsts {
                    while kept.next_if(|(r, _, _)| *r < row).is_some() {}
                    let Some(&&(_, at, len)) = kept.peek() else {
                        break;
                    };
                    if hits.geo_of_voter.contains_key(&row) {
                        continue;
                    }
                    hits.intern_kept(&mut interned, row, block.slice_at(at, len), &mut buf);
                }
            }
            Ok(())
        },
        |acc: &mut VoterPart, row, parsed| {
            let before = acc.hits.len();
            for (k, token) in parsed.tokens.iter().enumerate() {
                if token.is_empty() {
                    continue;
                }
                if let Some(i) = members.index[k].find(parsed.prefixes[k]) {
                    acc.hits.push((row as u32, k as u8, i as u32));
                }
            }
            if acc.hits.len() > before && width > 0 {
                // Where the kept columns lie, so the sink can find them in the block.
                acc.kept
                    .push((row as u32, parsed.rest.as_ptr() as usize, parsed.rest.len()));
            }
        },
    )?;
    Ok(hits)
}

/// Every member token of every kind, for the voter stream's question "does this voter row
/// share any token with any member?". Most voter tokens are no member's, so a Bloom filter of
/// 8-16 bits per member token (a few MB, cache-resident where a sorted array of the tokens is
/// not) answers most questions with one read; the rest are settled exactly in the sorted
/// keys, through a radix directory over the top bits (tokens are uniformly random, so each
/// lookup lands in a handful of keys). Kinds no member has are not looked up at all.
struct MemberTokens {
    keys: Vec<u64>,
    directory: Vec<u32>,
    shift: u32,
    /// A blocked Bloom filter of the keys: the bits of [`Self::probe`] set for each.
    filter: Vec<u64>,
    filter_shift: u32,
    /// Bit k set when some member has a token of kind k (k < 64).
    kinds: u64,
}

impl MemberTokens {
    /// A token tagged with its kind, so equal prefixes of two kinds stay apart.
    fn key(kind: usize, token: u64) -> u64 {
        token ^ (kind as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn build(table: &TokenTable) -> MemberTokens {
        let kinds = table.kinds().len();
        let mut keys: Vec<u64> = Vec::with_capacity(table.tokens());
        let mut present = 0u64;
        for k in 0..kinds {
            let before = keys.len();
            keys.extend(table.column(k).map(|(t, _)| Self::key(k, t)));
            if keys.len() > before && k < 64 {
                present |= 1 << k;
            }
        }
        keys.par_sort_unstable();
        keys.dedup();
        let bits = (usize::BITS - keys.len().leading_zeros()).clamp(4, 24);
        let shift = 64 - bits;
        let mut directory = vec![0u32; (1 << bits) + 1];
        let mut k = 0;
        for (slot, entry) in directory.iter_mut().enumerate() {
            while k < keys.len() && ((keys[k] >> shift) as usize) < slot {
                k += 1;
            }
            *entry = k as u32;
        }
        // 8 to 16 bits per key, as 64-bit words; see `Self::probe`.
        let filter_bits = (usize::BITS - (keys.len() * 8).leading_zeros()).clamp(12, 32);
        let filter_shift = 64 - (filter_bits - 6);
        let mut filter = vec![0u64; 1 << (filter_bits - 6)];
        for &key in &keys {
            let (word, bits) = Self::probe(key, filter_shift);
            filter[word] |= bits;
        }
        MemberTokens {
            keys,
            directory,
            shift,
            filter,
            filter_shift,
            kinds: present,
        }
    }

    /// Whether some member has a token of kind `kind` at all.
    fn has_kind(&self, kind: usize) -> bool {
        kind >= 64 || self.kinds & 1 << kind != 0
    }

    /// Where a key lies in the filter: a word (from its top bits) and three bits in it (from
    /// three of its low 6-bit groups). One read per question, and about 1% false positives
    /// at 8-16 bits per key where a single bit per key gives 6-12%.
    fn probe(key: u64, filter_shift: u32) -> (usize, u64) {
        let word = (key >> filter_shift) as usize;
        let bits = 1 << (key & 63) | 1 << (key >> 6 & 63) | 1 << (key >> 12 & 63);
        (word, bits)
    }

    /// False when no member has this token; true when one may.
    fn may_contain(&self, kind: usize, token: u64) -> bool {
        let (word, bits) = Self::probe(Self::key(kind, token), self.filter_shift);
        self.filter[word] & bits == bits
    }

    /// Whether a row's cells (`lens[k]` tokens of kind k, one after another in `tokens`)
    /// share a token with some member. Every token's filter bit is read first, without
    /// stopping early: the reads are independent, so their cache misses overlap. Most rows
    /// stop there; the others are settled exactly.
    fn shares_any(&self, lens: &[u32], tokens: &[u64]) -> bool {
        let cells = || {
            lens.iter().enumerate().scan(0usize, |start, (k, &n)| {
                let cell = tokens.get(*start..*start + n as usize).unwrap_or_default();
                *start += n as usize;
                Some((k, cell))
            })
        };
        let mut maybe = false;
        for (k, cell) in cells() {
            if self.has_kind(k) {
                for &t in cell {
                    maybe |= self.may_contain(k, t);
                }
            }
        }
        maybe
            && cells()
                .any(|(k, cell)| self.has_kind(k) && cell.iter().any(|&t| self.contains(k, t)))
    }

    fn contains(&self, kind: usize, token: u64) -> bool {
        if !self.may_contain(kind, token) {
            return false;
        }
        let key = Self::key(kind, token);
        let slot = (key >> self.shift) as usize;
        let (lo, hi) = (
            self.directory[slot] as usize,
            self.directory[slot + 1] as usize,
        );
        self.keys[lo..hi].binary_search(&key).is_ok()
    }
}

/// `--match fuzzy`: the voter records that share a token of any kind with some member.
pub(super) struct VoterCandidates {
    /// Their tokens of every kind, one row per such voter record, in file order.
    pub(super) table: TokenTable,
    /// The voter record (row of the voter file) of each table row.
    pub(super) records: Vec<u32>,
}

#[derive(Default)]
pub(super) struct FuzzyVoterPart {
    cells: RowCells,
    /// (voter row, address and length of its kept columns in the block) per row kept.
    kept: Vec<(u32, usize, usize)>,
    bad_cells: Option<(u64, &'static str)>,
}

/// Streams the voter file past every member token (all kinds): a voter record sharing none
/// cannot be a candidate of the scoring, so only the others are kept, with their geography.
pub(super) fn scan_voters_fuzzy(
    input: &Input,
    members: &Members,
    progress: &dyn Progress,
) -> Result<(VoterHits, VoterCandidates)> {
    let Some(member_table) = members.table.as_ref() else {
        return Err(Error::Usage(
            "fuzzy matching needs the members' tokens".into(),
        ));
    };
    let set = MemberTokens::build(member_table);
    let file = HashedFile::open(&input.path)?;
    let mut hits = VoterHits::new(members, file.kept.clone(), input.meta.rows);
    drop(file);
    let mut interned: Vec<HashMap<String, u32>> = vec![HashMap::new(); hits.columns.len()];
    let mut buf = Vec::new();
    let mut candidates = VoterCandidates {
        table: TokenTable::new(&link_kinds()).map_err(link_error)?,
        records: Vec::new(),
    };
    let n_kinds = link_kinds().len();
    progress.phase("voter file", input.meta.rows);
    scan(
        &input.path,
        progress,
        |block: &RowBlock, parts: Vec<FuzzyVoterPart>| {
            for part in parts {
                if let Some((row, why)) = part.bad_cells {
                    return Err(Error::NotHashed {
                        path: input.path.clone(),
                        why: format!("data row {}: {why}", row + 1),
                    });
                }
                part.cells.drain_into(&mut candidates.table)?;
                for &(row, at, len) in &part.kept {
                    candidates.records.push(row);
                    hits.intern_kept(&mut interned, row, block.slice_at(at, len), &mut buf);
                }
            }
            Ok(())
        },
        |acc: &mut FuzzyVoterPart, row, parsed| {
            // The row's tokens go straight into the part; taken back out unless it shares one.
            let (at, tokens_at) = (acc.cells.rows(n_kinds), acc.cells.tokens.len());
            if let Err(why) = acc.cells.push(&parsed, n_kinds) {
                acc.bad_cells.get_or_insert((row, why));
                return;
            }
            let shares = set.shares_any(
                &acc.cells.lens[at * n_kinds..],
                &acc.cells.tokens[tokens_at..],
            );
            if shares {
                acc.kept
                    .push((row as u32, parsed.rest.as_ptr() as usize, parsed.rest.len()));
            } else {
                acc.cells.truncate(at, n_kinds, tokens_at);
            }
        },
    )?;
    Ok((hits, candidates))
}

/// Marks member tokens that appear in any suppression file.
pub(super) fn scan_suppression(
    inputs: &[Input],
    members: &Members,
    progress: &dyn Progress,
) -> Result<Suppressed> {
    let mut keys = members.index.each_ref().map(|ix| vec![false; ix.len()]);
    // With the scoring's table: every email and phone of a suppression row (spec 2's
    // email_any and phone_any) against every email and phone of a member record.
    let any_kinds: Vec<usize> = members
        .table
        .as_ref()
        .map(|t| any_contact_kinds(t.kinds()))
        .unwrap_or_default();
    let mut opted_out: HashSet<(u8, u64)> = HashSet::new();
    for input in inputs {
        progress.phase("suppression", input.meta.rows);
        scan(
            &input.path,
            progress,
            |_, parts: Vec<SuppressionPart>| {
                for part in parts {
                    if let Some((row, why)) = part.bad_cells {
                        return Err(Error::NotHashed {
                            path: input.path.clone(),
                            why: format!("data row {}: {why}", row + 1),
                        });
                    }
                    for (k, i) in part.keys {
                        keys[k as usize][i as usize] = true;
                    }
                    opted_out.extend(part.any);
                }
                Ok(())
            },
            |acc: &mut SuppressionPart, row, parsed| {
                for (k, token) in parsed.tokens.iter().enumerate() {
                    if !token.is_empty() {
                        if let Some(i) = members.index[k].find(parsed.prefixes[k]) {
                            acc.keys.push((k as u8, i as u32));
                        }
                    }
                }
                if any_kinds.is_empty() {
                    return; // --match exact reads the v1 columns only
                }
                match parsed.kind_cells() {
                    Ok(cells) => {
                        for &k in &any_kinds {
                            acc.any.extend(cells.cell(k).map(|t| (k as u8, t)));
                        }
                    }
                    Err(why) => {
                        acc.bad_cells.get_or_insert((row, why));
                    }
                }
            },
        )?;
    }
    let mut records = vec![false; members.records()];
    if let Some(table) = &members.table {
        for &k in &any_kinds {
            for (token, r) in table.column(k) {
                if opted_out.contains(&(k as u8, token)) {
                    records[r as usize] = true;
                }
            }
        }
    }
    Ok(Suppressed {
        keys,
        records,
        any: opted_out.into_iter().collect(),
    })
}

/// What suppression files mark.
pub(super) struct Suppressed {
    /// Per v1 kind, the member index entries (tokens) an opt-out holds.
    pub(super) keys: [Vec<bool>; 5],
    /// Per member record: one of its emails or phones is opted out (spec 2 files, fuzzy).
    pub(super) records: Vec<bool>,
    /// The (table kind, token) of every email and phone of the opt-outs (spec 2, fuzzy).
    pub(super) any: Vec<(u8, u64)>,
}

#[derive(Default)]
struct SuppressionPart {
    keys: Vec<(u8, u32)>,
    any: Vec<(u8, u64)>,
    /// The first row whose v2 cells are malformed: the file is refused, as an org's would be.
    bad_cells: Option<(u64, &'static str)>,
}

/// The table indices of the kinds holding every email and every phone of a record
/// (`email_any`, `phone_any`).
pub(super) fn any_contact_kinds(kinds: &[KindDef]) -> Vec<usize> {
    kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(k.atoms[..], [Atom::EmailAny | Atom::PhoneAny]))
        .map(|(i, _)| i)
        .collect()
}
