//! `merge`: the coordinator's join of every org's hashed file with a hashed voter file.
//!
//! The coordinator does not hold the key: everything here works on tokens alone. Member
//! tokens are loaded into per-kind [`TokenIndex`]es (memory grows with member tokens), the
//! voter file streams past them in parallel blocks (memory does not grow with voter rows),
//! records sharing a link token are joined into people with a union-find, and each person is
//! matched to at most one voter record by passes from the strongest kind to the weakest.
//! Every ordering decision depends on content only, so the same inputs give byte-identical
//! outputs whatever the argument order or thread count.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::assign::{self, Policy, Target};
use crate::error::{Error, Result};
use crate::hashfile::{
    self, FileKind, HashedFile, Metadata, RowBlock, SPEC_VERSION, parse_row, split_kept,
};
use crate::index::TokenIndex;
use crate::progress::Progress;
use crate::summary::{AssignmentSummary, GeoCount, OrgSummary, Summary, VoterSummary};
use crate::token::Kind;

/// The voter-match passes, strongest first.
pub const PASSES: [Kind; 5] = [
    Kind::Email,
    Kind::Phone,
    Kind::NameYobZip,
    Kind::NameAddr,
    Kind::NameZip,
];

/// At most this many org files: an org set is a 64-bit mask per person.
pub const MAX_ORGS: usize = 64;

const NO_PERSON: u32 = u32::MAX;
const NO_GEO: u32 = u32::MAX;

/// What to merge.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    pub orgs: Vec<PathBuf>,
    pub voters: Option<PathBuf>,
    pub suppress: Vec<PathBuf>,
    pub out_dir: PathBuf,
    /// Kinds that link records into people (email, optionally phone).
    pub link_on: Vec<Kind>,
    pub assign: Option<Policy>,
    pub target: Option<Target>,
    pub force: bool,
}

impl MergeOptions {
    pub fn new(orgs: Vec<PathBuf>, out_dir: &Path) -> MergeOptions {
        MergeOptions {
            orgs,
            voters: None,
            suppress: Vec::new(),
            out_dir: out_dir.to_path_buf(),
            link_on: vec![Kind::Email],
            assign: None,
            target: None,
            force: false,
        }
    }
}

/// A person's voter-file outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoterStatus {
    Matched(Kind),
    Ambiguous,
    Unmatched,
    /// No voter file was given.
    NotChecked,
}

impl VoterStatus {
    pub fn name(self) -> &'static str {
        match self {
            VoterStatus::Matched(_) => "matched",
            VoterStatus::Ambiguous => "ambiguous",
            VoterStatus::Unmatched => "unmatched",
            VoterStatus::NotChecked => "",
        }
    }

    pub fn match_key(self) -> &'static str {
        match self {
            VoterStatus::Matched(kind) => kind.name(),
            _ => "",
        }
    }
}

/// Figures about a merge run, for the coordinator's terminal.
#[derive(Clone, Debug, Default)]
pub struct MergeStats {
    pub member_records: u64,
    pub member_tokens: u64,
    pub index_bytes: u64,
    pub voter_records: u64,
    pub outputs: Vec<PathBuf>,
    /// Seconds per phase, in order.
    pub phases: Vec<(&'static str, f64)>,
}

/// The result of a merge: the summary written and some figures.
pub struct MergeResult {
    pub summary: Summary,
    pub stats: MergeStats,
}

struct Input {
    path: PathBuf,
    meta: Metadata,
}

fn incompatible(path: &Path, why: String) -> Error {
    Error::Incompatible {
        path: path.to_path_buf(),
        why,
    }
}

/// Opens every input, checks they belong together; nothing is written if they do not.
fn validate(opts: &MergeOptions) -> Result<(Vec<Input>, Option<Input>, Vec<Input>)> {
    if opts.orgs.is_empty() {
        return Err(Error::Usage("merge needs at least one org file".into()));
    }
    if opts.orgs.len() > MAX_ORGS {
        return Err(Error::Usage(format!(
            "merge takes at most {MAX_ORGS} org files"
        )));
    }
    if !opts.force && opts.out_dir.exists() {
        return Err(Error::OutputExists(opts.out_dir.clone()));
    }
    let open = |path: &PathBuf, want: FileKind| -> Result<Input> {
        let meta = hashfile::read_metadata(path)?;
        if meta.kind != want {
            return Err(incompatible(
                path,
                format!("is a {} file; expected a {want} file here", meta.kind),
            ));
        }
        if meta.spec != SPEC_VERSION {
            return Err(incompatible(
                path,
                format!(
                    "was made under spec version {}; this is version {SPEC_VERSION}",
                    meta.spec
                ),
            ));
        }
        Ok(Input {
            path: path.clone(),
            meta,
        })
    };
    let mut orgs: Vec<Input> = opts
        .orgs
        .iter()
        .map(|p| open(p, FileKind::Members))
        .collect::<Result<_>>()?;
    let voters = opts
        .voters
        .as_ref()
        .map(|p| open(p, FileKind::Voters))
        .transpose()?;
    let suppress: Vec<Input> = opts
        .suppress
        .iter()
        .map(|p| open(p, FileKind::Suppression))
        .collect::<Result<_>>()?;
    let first = &orgs[0];
    for input in orgs.iter().chain(voters.iter()).chain(suppress.iter()) {
        if input.meta.fingerprint != first.meta.fingerprint {
            return Err(incompatible(
                &input.path,
                format!(
                    "was hashed under key {} but {} under key {}: all files must use the same consortium key",
                    input.meta.fingerprint,
                    first.path.display(),
                    first.meta.fingerprint
                ),
            ));
        }
        if input.meta.round != first.meta.round {
            return Err(incompatible(
                &input.path,
                format!(
                    "is from round {} but {} is from round {}: tokens of different rounds never match",
                    input.meta.round,
                    first.path.display(),
                    first.meta.round
                ),
            ));
        }
    }
    orgs.sort_by(|a, b| a.meta.org.cmp(&b.meta.org));
    for pair in orgs.windows(2) {
        if pair[0].meta.org == pair[1].meta.org {
            return Err(incompatible(
                &pair[1].path,
                format!(
                    "has org label '{}', as does {}: each org file needs its own label",
                    pair[1].meta.org,
                    pair[0].path.display()
                ),
            ));
        }
    }
    let total: u64 = orgs.iter().map(|o| o.meta.rows).sum();
    if total >= u64::from(NO_PERSON) {
        return Err(Error::Usage("more than 4 billion member records".into()));
    }
    Ok((orgs, voters, suppress))
}

/// Parses the rows of a block in parallel; `f` sees (row index, parsed row) and fills `T`.
fn par_rows<T: Send + Default>(
    block: &RowBlock,
    path: &Path,
    line_of: impl Fn(u64) -> u64 + Sync,
    f: impl Fn(&mut T, u64, hashfile::TokenRow) + Sync,
) -> Result<Vec<T>> {
    let pieces = block.split(rayon::current_num_threads() * 4);
    pieces
        .par_iter()
        .map(|&(first_row, bytes)| {
            let mut acc = T::default();
            // Pieces are whole lines, each ending in a newline.
            let Some(body) = bytes.strip_suffix(b"\n") else {
                return Ok(acc);
            };
            for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                let row = first_row + i as u64;
                let parsed = parse_row(line).map_err(|why| Error::NotHashed {
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
fn scan<T: Send + Default>(
    path: &Path,
    progress: &dyn Progress,
    mut sink: impl FnMut(&RowBlock, Vec<T>) -> Result<()>,
    f: impl Fn(&mut T, u64, hashfile::TokenRow) + Sync,
) -> Result<()> {
    let file = HashedFile::open(path)?;
    let total = file.meta.rows;
    let blocks = file.blocks();
    let line_base = blocks.line_of(0);
    progress.start(total);
    for block in blocks {
        let block = block?;
        let done = block.first_row + block.rows;
        let parts = par_rows(&block, path, |row| line_base + row, &f)?;
        sink(&block, parts)?;
        progress.update(done);
    }
    progress.finish();
    Ok(())
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins two sets; the smaller root wins, so results do not depend on call order.
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// Member records and their tokens.
struct Members {
    /// First record index of each org, plus the total at the end.
    starts: Vec<u32>,
    /// Per record: bit k set when the record has a token of kind k.
    kinds: Vec<u8>,
    index: [TokenIndex; 5],
}

impl Members {
    fn org_of(&self, record: u32) -> usize {
        self.starts.partition_point(|&s| s <= record) - 1
    }

    fn records(&self) -> usize {
        self.kinds.len()
    }
}

#[derive(Default)]
struct LoadPart {
    pairs: [Vec<(u128, u32)>; 5],
    kinds: Vec<u8>,
}

fn load_members(orgs: &[Input], progress: &dyn Progress) -> Result<Members> {
    let mut pairs: [Vec<(u128, u32)>; 5] = Default::default();
    let mut kinds = Vec::new();
    let mut starts = Vec::with_capacity(orgs.len() + 1);
    for org in orgs {
        let base = kinds.len() as u32;
        starts.push(base);
        progress.phase(&format!("load {}", org.meta.org), org.meta.rows);
        scan(
            &org.path,
            progress,
            |_, parts: Vec<LoadPart>| {
                for part in parts {
                    for (all, mut some) in pairs.iter_mut().zip(part.pairs) {
                        all.append(&mut some);
                    }
                    kinds.extend_from_slice(&part.kinds);
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
                acc.kinds.push(mask);
            },
        )?;
    }
    starts.push(kinds.len() as u32);
    let index = pairs.map(TokenIndex::build);
    Ok(Members {
        starts,
        kinds,
        index,
    })
}

/// What the voter file told us about member tokens.
struct VoterHits {
    /// Per kind, per distinct member token: voter records carrying it (0, 1, or 2 = many).
    count: [Vec<u8>; 5],
    /// Per kind, per distinct member token: the voter record, when exactly one.
    voter: [Vec<u32>; 5],
    /// Voter record -> its geography row.
    geo_of_voter: HashMap<u32, u32>,
    /// Geography rows: one interned value per kept column.
    geo_rows: Vec<Vec<u32>>,
    columns: Vec<String>,
    values: Vec<Vec<String>>,
    records: u64,
}

#[derive(Default)]
struct VoterPart {
    /// (voter row, kind, distinct-token index) in row order.
    hits: Vec<(u32, u8, u32)>,
    /// (voter row, address and length of its kept columns in the block) for rows with hits.
    kept: Vec<(u32, usize, usize)>,
}

fn scan_voters(input: &Input, members: &Members, progress: &dyn Progress) -> Result<VoterHits> {
    let file = HashedFile::open(&input.path)?;
    let columns = file.kept.clone();
    let mut hits = VoterHits {
        count: members.index.each_ref().map(|ix| vec![0u8; ix.len()]),
        voter: members.index.each_ref().map(|ix| vec![0u32; ix.len()]),
        geo_of_voter: HashMap::new(),
        geo_rows: Vec::new(),
        values: vec![Vec::new(); columns.len()],
        columns,
        records: input.meta.rows,
    };
    let mut interned: Vec<HashMap<String, u32>> = vec![HashMap::new(); hits.columns.len()];
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
                let block_at = block.data.as_ptr() as usize;
                let mut kept = part.kept.iter().peekable();
                for row in firsts {
                    while kept.next_if(|(r, _, _)| *r < row).is_some() {}
                    let Some(&&(_, at, len)) = kept.peek() else {
                        break;
                    };
                    if hits.geo_of_voter.contains_key(&row) {
                        continue;
                    }
                    let start = at - block_at;
                    let values = split_kept(&block.data[start..start + len], width);
                    let ids = values
                        .into_iter()
                        .enumerate()
                        .map(|(c, v)| match interned[c].get(&v) {
                            Some(&id) => id,
                            None => {
                                let id = hits.values[c].len() as u32;
                                interned[c].insert(v.clone(), id);
                                hits.values[c].push(v);
                                id
                            }
                        })
                        .collect();
                    hits.geo_of_voter.insert(row, hits.geo_rows.len() as u32);
                    hits.geo_rows.push(ids);
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

/// Marks member tokens that appear in any suppression file.
fn scan_suppression(
    inputs: &[Input],
    members: &Members,
    progress: &dyn Progress,
) -> Result<[Vec<bool>; 5]> {
    let mut marked = members.index.each_ref().map(|ix| vec![false; ix.len()]);
    for input in inputs {
        progress.phase("suppression", input.meta.rows);
        scan(
            &input.path,
            progress,
            |_, parts: Vec<Vec<(u8, u32)>>| {
                for (k, i) in parts.into_iter().flatten() {
                    marked[k as usize][i as usize] = true;
                }
                Ok(())
            },
            |acc: &mut Vec<(u8, u32)>, _row, parsed| {
                for (k, token) in parsed.tokens.iter().enumerate() {
                    if !token.is_empty() {
                        if let Some(i) = members.index[k].find(parsed.prefixes[k]) {
                            acc.push((k as u8, i as u32));
                        }
                    }
                }
            },
        )?;
    }
    Ok(marked)
}

/// People: linked records, with what we know about each.
pub(crate) struct People {
    /// Per record: its person, or `NO_PERSON` for a record with no token.
    pub person_of: Vec<u32>,
    /// Per person: the orgs whose lists hold them (bit = org index).
    pub orgs: Vec<u64>,
    pub status: Vec<VoterStatus>,
    /// Per person: geography row of the matched voter record.
    pub geo: Vec<u32>,
    pub suppressed: Vec<bool>,
}

impl People {
    pub fn len(&self) -> usize {
        self.orgs.len()
    }

    pub fn lists(&self, p: usize) -> u32 {
        self.orgs[p].count_ones()
    }
}

fn link_people(members: &Members, link_on: &[Kind]) -> (Vec<u32>, usize) {
    let n = members.records();
    let mut uf = UnionFind::new(n);
    for kind in link_on {
        let ix = &members.index[kind.index()];
        for i in 0..ix.len() {
            let records = ix.records(i);
            for &r in &records[1..] {
                uf.union(records[0], r);
            }
        }
    }
    // A stable person order: by the smallest (kind, token) among the person's records.
    let mut first_key = vec![u64::MAX; n];
    let roots: Vec<u32> = (0..n as u32).map(|r| uf.find(r)).collect();
    for (k, ix) in members.index.iter().enumerate() {
        for i in 0..ix.len() {
            let key = (k as u64) << 60 | (ix.key(i) >> 68) as u64;
            for &r in ix.records(i) {
                let slot = &mut first_key[roots[r as usize] as usize];
                *slot = (*slot).min(key);
            }
        }
    }
    let mut persons: Vec<(u64, u32)> = (0..n as u32)
        .filter(|&r| roots[r as usize] == r && first_key[r as usize] != u64::MAX)
        .map(|r| (first_key[r as usize], r))
        .collect();
    persons.par_sort_unstable();
    let mut rank = vec![NO_PERSON; n];
    for (p, &(_, root)) in persons.iter().enumerate() {
        rank[root as usize] = p as u32;
    }
    let person_of = (0..n)
        .map(|r| {
            if members.kinds[r] == 0 {
                NO_PERSON
            } else {
                rank[roots[r] as usize]
            }
        })
        .collect();
    (person_of, persons.len())
}

fn resolve_people(
    members: &Members,
    link_on: &[Kind],
    voters: Option<&VoterHits>,
    suppressed_keys: Option<&[Vec<bool>; 5]>,
) -> People {
    let (person_of, count) = link_people(members, link_on);
    let mut orgs = vec![0u64; count];
    for (r, &p) in person_of.iter().enumerate() {
        if p != NO_PERSON {
            orgs[p as usize] |= 1 << members.org_of(r as u32);
        }
    }
    let mut suppressed = vec![false; count];
    if let Some(marked) = suppressed_keys {
        for (k, ix) in members.index.iter().enumerate() {
            for i in (0..ix.len()).filter(|&i| marked[k][i]) {
                for &r in ix.records(i) {
                    suppressed[person_of[r as usize] as usize] = true;
                }
            }
        }
    }
    let mut status = vec![VoterStatus::NotChecked; count];
    let mut geo = vec![NO_GEO; count];
    if let Some(hits) = voters {
        status.fill(VoterStatus::Unmatched);
        // (person, pass, voter record) for every usable hit, then decided pass by pass.
        let mut candidates: Vec<(u32, u8, u32)> = Vec::new();
        for (pass, kind) in PASSES.iter().enumerate() {
            let k = kind.index();
            let ix = &members.index[k];
            for i in (0..ix.len()).filter(|&i| hits.count[k][i] == 1) {
                for &r in ix.records(i) {
                    candidates.push((person_of[r as usize], pass as u8, hits.voter[k][i]));
                }
            }
        }
        candidates.par_sort_unstable();
        candidates.dedup();
        let mut i = 0;
        while i < candidates.len() {
            let (p, pass, voter) = candidates[i];
            let mut j = i;
            while j < candidates.len() && candidates[j].0 == p && candidates[j].1 == pass {
                j += 1;
            }
            status[p as usize] = if j - i == 1 {
                geo[p as usize] = hits.geo_of_voter.get(&voter).copied().unwrap_or(NO_GEO);
                VoterStatus::Matched(PASSES[pass as usize])
            } else {
                VoterStatus::Ambiguous
            };
            while j < candidates.len() && candidates[j].0 == p {
                j += 1;
            }
            i = j;
        }
    }
    People {
        person_of,
        orgs,
        status,
        geo,
        suppressed,
    }
}

/// The indexes of the set bits of an org mask, lowest first.
fn bits(mask: u64) -> impl Iterator<Item = usize> {
    let mut rest = mask;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            i
        })
    })
}

fn org_labels(orgs: &[Input]) -> Vec<String> {
    orgs.iter().map(|o| o.meta.org.to_string()).collect()
}

fn summarize(
    orgs: &[Input],
    members: &Members,
    people: &People,
    voters: Option<&VoterHits>,
    link_on: &[Kind],
    assignment: Option<&assign::Assignment>,
) -> Summary {
    let labels = org_labels(orgs);
    let first = &orgs[0].meta;
    let n_orgs = orgs.len();
    let mut org_rows: Vec<OrgSummary> = labels
        .iter()
        .zip(orgs)
        .map(|(label, input)| OrgSummary {
            org: label.clone(),
            records: input.meta.rows,
            ..OrgSummary::default()
        })
        .collect();
    for (r, &p) in people.person_of.iter().enumerate() {
        if p == NO_PERSON {
            org_rows[members.org_of(r as u32)].unusable += 1;
        }
    }
    let mut overlap = vec![vec![0u64; n_orgs]; n_orgs];
    let mut exclusive = vec![0u64; n_orgs];
    let mut lists: BTreeMap<u32, u64> = BTreeMap::new();
    let mut voter = VoterSummary::default();
    // Per kept column, per interned value: people, people per org, people per tier.
    let value_counts = |c: usize| voters.map_or(0, |h| h.values[c].len());
    let n_columns = voters.map_or(0, |h| h.columns.len());
    let mut geo_people: Vec<Vec<u64>> = (0..n_columns).map(|c| vec![0; value_counts(c)]).collect();
    let mut geo_orgs: Vec<Vec<u64>> = (0..n_columns)
        .map(|c| vec![0; value_counts(c) * n_orgs])
        .collect();
    let mut geo_tiers: Vec<Vec<u64>> = (0..n_columns)
        .map(|c| vec![0; value_counts(c) * 3])
        .collect();
    for p in 0..people.len() {
        let mask = people.orgs[p];
        let lists_on = mask.count_ones();
        *lists.entry(lists_on).or_default() += 1;
        if lists_on == 1 {
            exclusive[mask.trailing_zeros() as usize] += 1;
        }
        for a in bits(mask) {
            for b in bits(mask) {
                overlap[a][b] += 1;
            }
            match people.status[p] {
                VoterStatus::Matched(_) => org_rows[a].voter_matched += 1,
                VoterStatus::Ambiguous => org_rows[a].voter_ambiguous += 1,
                _ => {}
            }
        }
        match people.status[p] {
            VoterStatus::Matched(kind) => {
                voter.matched += 1;
                *voter.by_pass.entry(kind.name().to_string()).or_default() += 1;
            }
            VoterStatus::Ambiguous => voter.ambiguous += 1,
            VoterStatus::Unmatched => voter.unmatched += 1,
            VoterStatus::NotChecked => {}
        }
        if let (Some(hits), true) = (voters, people.geo[p] != NO_GEO) {
            let row = &hits.geo_rows[people.geo[p] as usize];
            let tier = (lists_on.min(3) - 1) as usize;
            for (c, &v) in row.iter().enumerate() {
                let v = v as usize;
                geo_people[c][v] += 1;
                geo_tiers[c][v * 3 + tier] += 1;
                for a in bits(mask) {
                    geo_orgs[c][v * n_orgs + a] += 1;
                }
            }
        }
    }
    let mut geography: BTreeMap<String, BTreeMap<String, GeoCount>> = BTreeMap::new();
    let mut tiers: BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>> = BTreeMap::new();
    for (c, column) in voters
        .map_or(&[][..], |h| &h.columns[..])
        .iter()
        .enumerate()
    {
        let values = &voters.map_or(&[][..], |h| &h.values[..])[c];
        for (v, value) in values
            .iter()
            .enumerate()
            .filter(|(v, _)| geo_people[c][*v] > 0)
        {
            let orgs = (0..n_orgs)
                .map(|a| (a, geo_orgs[c][v * n_orgs + a]))
                .filter(|(_, n)| *n > 0)
                .map(|(a, n)| (labels[a].clone(), n))
                .collect();
            geography.entry(column.clone()).or_default().insert(
                value.clone(),
                GeoCount {
                    people: geo_people[c][v],
                    orgs,
                },
            );
            let by_tier = ["1", "2", "3+"]
                .iter()
                .enumerate()
                .map(|(t, name)| (name.to_string(), geo_tiers[c][v * 3 + t]))
                .filter(|(_, n)| *n > 0)
                .collect();
            tiers
                .entry(column.clone())
                .or_default()
                .insert(value.clone(), by_tier);
        }
    }
    for (o, row) in org_rows.iter_mut().enumerate() {
        row.people = overlap[o][o];
    }
    let nesting = voters.map_or_else(BTreeMap::new, |hits| nesting(hits, people));
    let named = |values: &[u64]| -> BTreeMap<String, u64> {
        labels.iter().cloned().zip(values.iter().copied()).collect()
    };
    if let Some(hits) = voters {
        voter.voter_records = hits.records;
        for kind in PASSES {
            voter.by_pass.entry(kind.name().to_string()).or_default();
        }
    }
    Summary {
        spec: first.spec,
        key_fingerprint: first.fingerprint.to_string(),
        round: first.round.as_str().to_string(),
        link_on: link_on.iter().map(|k| k.name().to_string()).collect(),
        people: people.len() as u64,
        unusable: people.person_of.iter().filter(|&&p| p == NO_PERSON).count() as u64,
        orgs: org_rows,
        overlap: labels
            .iter()
            .cloned()
            .zip(overlap.iter().map(|row| named(row)))
            .collect(),
        exclusive: named(&exclusive),
        lists: lists.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        voter: voters.map(|_| voter),
        geography,
        suppressed: people.suppressed.iter().filter(|&&s| s).count() as u64,
        assignment: assignment.map(|a| AssignmentSummary {
            policy: a.policy.to_string(),
            per_org: named(&a.per_org),
            unassigned_suppressed: a.unassigned_suppressed,
            outside_target: a.outside_target,
        }),
        tiers,
        nesting,
    }
}

/// For each pair of kept columns (child, parent): the parent value of each child value, when
/// every child value occurs with exactly one parent value among matched people.
fn nesting(
    hits: &VoterHits,
    people: &People,
) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    let rows: Vec<&Vec<u32>> = people
        .geo
        .iter()
        .filter(|&&g| g != NO_GEO)
        .map(|&g| &hits.geo_rows[g as usize])
        .collect();
    let mut out = BTreeMap::new();
    let n = hits.columns.len();
    for child in 0..n {
        for parent in (0..n).filter(|&p| p != child) {
            let mut parent_of: HashMap<u32, u32> = HashMap::new();
            let nested = rows
                .iter()
                .all(|row| *parent_of.entry(row[child]).or_insert(row[parent]) == row[parent]);
            let distinct_parents: std::collections::HashSet<&u32> = parent_of.values().collect();
            // A column nests in another only if it is finer: more values than its parent.
            if nested && parent_of.len() > distinct_parents.len() {
                let map = parent_of
                    .iter()
                    .map(|(&c, &p)| {
                        (
                            hits.values[child][c as usize].clone(),
                            hits.values[parent][p as usize].clone(),
                        )
                    })
                    .collect();
                out.entry(hits.columns[child].clone())
                    .or_insert_with(BTreeMap::new)
                    .insert(hits.columns[parent].clone(), map);
            }
        }
    }
    out
}

/// A writer that also computes the SHA-256 of what it writes.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Serialize)]
struct ManifestEntry {
    file: String,
    bytes: u64,
    sha256: String,
}

#[derive(Serialize)]
struct ManifestInput {
    file: String,
    kind: String,
    org: String,
    rows: u64,
    key_fingerprint: String,
    round: String,
    spec: u32,
}

#[derive(Serialize)]
struct Manifest {
    generator: String,
    inputs: Vec<ManifestInput>,
    outputs: Vec<ManifestEntry>,
}

/// Writes files into a staging directory, recording each file's hash for the manifest.
struct Staging {
    dir: PathBuf,
    entries: Vec<ManifestEntry>,
}

impl Staging {
    fn write(&mut self, name: &str, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let path = self.dir.join(name);
        let file = fs::File::create(&path).map_err(Error::io(&path))?;
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        fill(&mut w)?;
        w.flush().map_err(Error::io(&path))?;
        w.inner
            .into_inner()
            .map_err(|e| Error::io(&path)(e.into_error()))?
            .sync_all()
            .map_err(Error::io(&path))?;
        self.entries.push(ManifestEntry {
            file: name.to_string(),
            bytes: w.bytes,
            sha256: hex::encode(w.hasher.finalize()),
        });
        Ok(())
    }
}

/// Runs the merge and writes OUT_DIR atomically.
pub fn merge(opts: &MergeOptions, progress: &dyn Progress) -> Result<MergeResult> {
    let (orgs, voters, suppress) = validate(opts)?;
    let labels = org_labels(&orgs);
    if let Some(policy) = &opts.assign {
        policy.check(&labels)?;
    }
    let voter_columns = match &voters {
        Some(v) => HashedFile::open(&v.path)?.kept,
        None => Vec::new(),
    };
    if let Some(target) = &opts.target {
        if opts.assign.is_none() {
            return Err(Error::Usage("--target goes with --assign".into()));
        }
        target.check(&voter_columns)?;
    }
    let mut clock = std::time::Instant::now();
    let mut phases = Vec::new();
    let mut lap = |name: &'static str| {
        phases.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let members = load_members(&orgs, progress)?;
    lap("load members");
    let hits = voters
        .as_ref()
        .map(|v| scan_voters(v, &members, progress))
        .transpose()?;
    lap("voter file");
    let suppressed_keys = if suppress.is_empty() {
        None
    } else {
        Some(scan_suppression(&suppress, &members, progress)?)
    };
    let people = resolve_people(
        &members,
        &opts.link_on,
        hits.as_ref(),
        suppressed_keys.as_ref(),
    );
    lap("people");
    let assignment = opts.assign.as_ref().map(|policy| {
        let eligible = assign::eligible(
            &people,
            opts.target.as_ref(),
            hits.as_ref().map(|h| (&h.columns, &h.values, &h.geo_rows)),
        );
        assign::assign(policy, &people, &eligible, &labels)
    });
    let summary = summarize(
        &orgs,
        &members,
        &people,
        hits.as_ref(),
        &opts.link_on,
        assignment.as_ref(),
    );
    lap("assign and count");

    let parent = match opts.out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let staging_dir = tempfile::Builder::new()
        .prefix(".blindmatch-merge-")
        .tempdir_in(&parent)
        .map_err(Error::io(&parent))?;
    fs::create_dir(staging_dir.path().join("orgs")).map_err(Error::io(staging_dir.path()))?;
    let mut staging = Staging {
        dir: staging_dir.path().to_path_buf(),
        entries: Vec::new(),
    };
    staging.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary).map_err(|e| Error::Usage(e.to_string()))?;
        w.write_all(b"\n").map_err(Error::io("summary.json"))
    })?;
    let tables = Tables {
        people: &people,
        hits: hits.as_ref(),
        columns: &voter_columns,
        assignment: assignment.as_ref(),
        labels: &labels,
    };
    for (o, org) in orgs.iter().enumerate() {
        let name = format!("orgs/{}.csv", org.meta.org);
        let base = members.starts[o];
        progress.phase(&format!("write {}", org.meta.org), org.meta.rows);
        staging.write(&name, |w| {
            tables.write_org_table(org, o, base, &name, w, progress)
        })?;
    }
    staging.write("consortium.csv", |w| tables.write_consortium(w))?;
    let mut inputs: Vec<&Input> = orgs.iter().collect();
    inputs.extend(voters.iter());
    inputs.extend(suppress.iter());
    let manifest = Manifest {
        generator: format!("blindmatch {}", env!("CARGO_PKG_VERSION")),
        inputs: inputs
            .iter()
            .map(|i| ManifestInput {
                file: i
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                kind: i.meta.kind.to_string(),
                org: i.meta.org.to_string(),
                rows: i.meta.rows,
                key_fingerprint: i.meta.fingerprint.to_string(),
                round: i.meta.round.as_str().to_string(),
                spec: i.meta.spec,
            })
            .collect(),
        outputs: std::mem::take(&mut staging.entries),
    };
    let manifest_path = staging.dir.join("manifest.json");
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Usage(e.to_string()))?;
    fs::write(&manifest_path, [text, b"\n".to_vec()].concat())
        .map_err(Error::io(&manifest_path))?;

    let outputs = manifest
        .outputs
        .iter()
        .map(|e| opts.out_dir.join(&e.file))
        .chain([opts.out_dir.join("manifest.json")])
        .collect();
    publish(staging_dir, &opts.out_dir, opts.force)?;
    lap("write outputs");
    let stats = MergeStats {
        member_records: members.records() as u64,
        member_tokens: members.index.iter().map(|ix| ix.records_len() as u64).sum(),
        index_bytes: members.index.iter().map(|ix| ix.heap_bytes() as u64).sum(),
        voter_records: hits.as_ref().map_or(0, |h| h.records),
        outputs,
        phases,
    };
    Ok(MergeResult { summary, stats })
}

/// Moves the finished staging directory into place.
fn publish(staging: tempfile::TempDir, out_dir: &Path, force: bool) -> Result<()> {
    let staged = staging.keep();
    if out_dir.exists() {
        if !force {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::OutputExists(out_dir.to_path_buf()));
        }
        let old = staged.with_extension("old");
        fs::rename(out_dir, &old).map_err(Error::io(out_dir))?;
        fs::rename(&staged, out_dir).map_err(Error::io(out_dir))?;
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(&staged, out_dir).map_err(Error::io(out_dir))?;
    }
    Ok(())
}

/// Everything needed to write the per-org and consortium tables.
struct Tables<'a> {
    people: &'a People,
    hits: Option<&'a VoterHits>,
    columns: &'a [String],
    assignment: Option<&'a assign::Assignment>,
    labels: &'a [String],
}

/// Header of a per-org match table.
pub const MATCH_TABLE_MAGIC: &str = "# blindmatch match table";

impl Tables<'_> {
    /// Appends `,status,match_key,district...` for a person (or an unusable record).
    fn push_person_fields(&self, line: &mut Vec<u8>, p: Option<usize>) {
        let status = p.map_or("unusable", |p| self.people.status[p].name());
        let match_key = p.map_or("", |p| self.people.status[p].match_key());
        line.extend_from_slice(status.as_bytes());
        line.push(b',');
        line.extend_from_slice(match_key.as_bytes());
        let geo = p.map_or(NO_GEO, |p| self.people.geo[p]);
        match self.hits {
            Some(h) if geo != NO_GEO => {
                for (c, &v) in h.geo_rows[geo as usize].iter().enumerate() {
                    line.push(b',');
                    crate::csvio::push_field(line, h.values[c][v as usize].as_bytes());
                }
            }
            _ => line.extend(std::iter::repeat_n(b',', self.columns.len())),
        }
    }

    fn write_org_table(
        &self,
        org: &Input,
        org_index: usize,
        base: u32,
        name: &str,
        w: &mut dyn Write,
        progress: &dyn Progress,
    ) -> Result<()> {
        let mut head = Vec::new();
        writeln!(head, "{MATCH_TABLE_MAGIC}").map_err(Error::io(name))?;
        writeln!(head, "# spec: {}", org.meta.spec).map_err(Error::io(name))?;
        writeln!(head, "# org: {}", org.meta.org).map_err(Error::io(name))?;
        writeln!(head, "# round: {}", org.meta.round.as_str()).map_err(Error::io(name))?;
        writeln!(head, "# key_fingerprint: {}", org.meta.fingerprint).map_err(Error::io(name))?;
        writeln!(head, "# rows: {}", org.meta.rows).map_err(Error::io(name))?;
        let mut columns: Vec<String> = Kind::ALL.iter().map(|k| k.name().to_string()).collect();
        columns.extend(["voter_status".into(), "match_key".into()]);
        columns.extend(self.columns.iter().cloned());
        columns.extend(["lists".into(), "contact".into(), "assigned".into()]);
        let mut header = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            crate::csvio::push_field(&mut header, c.as_bytes());
        }
        header.push(b'\n');
        w.write_all(&head).map_err(Error::io(name))?;
        w.write_all(&header).map_err(Error::io(name))?;
        scan(
            &org.path,
            progress,
            |_, parts: Vec<Vec<u8>>| {
                for part in parts {
                    w.write_all(&part).map_err(Error::io(name))?;
                }
                Ok(())
            },
            |out: &mut Vec<u8>, row, parsed| {
                let p = self.people.person_of[(base as u64 + row) as usize];
                let p = (p != NO_PERSON).then_some(p as usize);
                out.extend_from_slice(parsed.token_text);
                out.push(b',');
                self.push_person_fields(out, p);
                let lists = p.map_or(0, |p| self.people.lists(p));
                let contact = p.is_some_and(|p| !self.people.suppressed[p]);
                let assigned = p.is_some_and(|p| {
                    self.assignment
                        .is_some_and(|a| a.assigned_to(p) == Some(org_index))
                });
                let yes_no = |b: bool| if b { "yes" } else { "no" };
                let _ = write!(out, ",{lists},{},{}", yes_no(contact), yes_no(assigned));
                out.push(b'\n');
            },
        )
    }

    fn write_consortium(&self, w: &mut dyn Write) -> Result<()> {
        let io = |e| Error::io("consortium.csv")(e);
        let mut header = b"person,orgs,voter_status,match_key".to_vec();
        for c in self.columns {
            header.push(b',');
            crate::csvio::push_field(&mut header, c.as_bytes());
        }
        header.extend_from_slice(b",lists,contact,assigned_org\n");
        w.write_all(&header).map_err(io)?;
        let mut line = Vec::with_capacity(256);
        for p in 0..self.people.len() {
            line.clear();
            let mask = self.people.orgs[p];
            let orgs: Vec<&str> = (0..self.labels.len())
                .filter(|&o| mask >> o & 1 == 1)
                .map(|o| self.labels[o].as_str())
                .collect();
            let _ = write!(line, "p{:08},{},", p + 1, orgs.join(";"));
            self.push_person_fields(&mut line, Some(p));
            let contact = if self.people.suppressed[p] {
                "no"
            } else {
                "yes"
            };
            let assigned = self
                .assignment
                .and_then(|a| a.assigned_to(p))
                .map_or("", |o| self.labels[o].as_str());
            let _ = writeln!(line, ",{},{contact},{assigned}", self.people.lists(p));
            w.write_all(&line).map_err(io)?;
        }
        Ok(())
    }
}
