//! Records into people (union-find on link tokens, a content-based person order) and each
//! person's voter match, pass by pass.

use super::*;
use crate::link::infer::{Kinds, Status, bits};

pub(super) struct UnionFind {
    pub(super) parent: Vec<u32>,
}

impl UnionFind {
    pub(super) fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    pub(super) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins two sets; the smaller root wins, so results do not depend on call order.
    pub(super) fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
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
    /// Per person matched by `--match fuzzy`: the posterior probability of the match.
    pub score: Vec<f32>,
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

pub(super) fn link_people(members: &Members, link_on: &[Kind]) -> (Vec<u32>, usize) {
    let n = members.records();
    let mut uf = UnionFind::new(n);
    union_on_tokens(members, link_on, &mut uf);
    let roots: Vec<u32> = (0..n as u32).map(|r| uf.find(r)).collect();
    order_people(members, &roots)
}

/// Joins the records that share a token of one of these kinds.
fn union_on_tokens(members: &Members, link_on: &[Kind], uf: &mut UnionFind) {
    for kind in link_on {
        let ix = &members.index[kind.index()];
        for i in 0..ix.len() {
            let records = ix.records(i);
            for &r in &records[1..] {
                uf.union(records[0], r);
            }
        }
    }
}

/// An email or phone held by more member records than this is taken for a placeholder (a
/// required field's `none@none.com`) or a line many people share, not for one person's: in
/// `--match fuzzy` it is taken out of the members' tokens (spec v2 section 12, step 9).
pub(super) const MAX_CONTACT_HOLDERS: usize = 10;

/// The emails and phones too common to link, taken out of the members' table
/// ([`take_common_contacts`]).
#[derive(Default)]
pub(super) struct CommonTokens {
    /// Per table kind, ascending (empty but for email, phone, `email_any`, `phone_any`).
    tokens: Vec<Vec<u64>>,
    /// (kind, token, record) of every record that held one, sorted.
    holders: Vec<(u32, u64, u32)>,
}

impl CommonTokens {
    /// Whether `token` (a table token: for a v1 kind, the top 64 bits of its index key) of
    /// table kind `kind` was taken out.
    pub(super) fn contains(&self, kind: usize, token: u64) -> bool {
        self.tokens
            .get(kind)
            .is_some_and(|t| t.binary_search(&token).is_ok())
    }

    /// The distinct opt-out tokens that are common member tokens: not applied (v1 tokens
    /// through the member index, spec 2 emails and phones through the table).
    pub(super) fn opt_outs_not_applied(&self, members: &Members, marked: &Suppressed) -> u64 {
        let mut n = 0;
        for (k, ix) in members.index.iter().enumerate() {
            let marked = (0..ix.len()).filter(|&i| marked.keys[k][i]);
            n += marked
                .filter(|&i| self.contains(k, (ix.key(i) >> 64) as u64))
                .count();
        }
        let any = marked.any.iter();
        (n + any.filter(|&&(k, t)| self.contains(k as usize, t)).count()) as u64
    }

    /// What `summary.json` says of them; None when there are none.
    pub(super) fn summary(&self, kinds: &[KindDef], opt_outs: u64) -> Option<CommonContacts> {
        let mut records: Vec<u32> = self.holders.iter().map(|h| h.2).collect();
        records.sort_unstable();
        records.dedup();
        (!records.is_empty()).then(|| CommonContacts {
            max_holders: MAX_CONTACT_HOLDERS as u64,
            records: records.len() as u64,
            kinds: kinds
                .iter()
                .zip(&self.tokens)
                .filter(|(_, t)| !t.is_empty())
                .map(|(d, t)| (d.name.clone(), t.len() as u64))
                .collect(),
            opt_outs_not_applied: opt_outs,
        })
    }
}

/// `--match fuzzy`, before anything reads the members' tokens: takes every email and phone
/// token held by more than [`MAX_CONTACT_HOLDERS`] records out of the table, so that it makes
/// no candidate, counts as missing in the scoring, reaches no voter record and no opt-out. A v1
/// `email` (`phone`) token is taken too when every record holding it holds such an
/// `email_any` (`phone_any`) token: the same placeholder, first among the record's values. A
/// record left without a token is unusable, as one that never had one.
pub(super) fn take_common_contacts(members: &mut Members) -> CommonTokens {
    let Some(table) = members.table.as_mut() else {
        return CommonTokens::default();
    };
    let mut tokens = table.common_tokens(contact_kinds(table), MAX_CONTACT_HOLDERS);
    for (v1, any) in [(Atom::Email, Atom::EmailAny), (Atom::Phone, Atom::PhoneAny)] {
        let (Some(v1), Some(any)) = (kind_of(table, v1), kind_of(table, any)) else {
            continue;
        };
        if tokens[any].is_empty() {
            continue;
        }
        let mut flagged = vec![false; table.rows()];
        for (t, r) in table.column(any) {
            if tokens[any].binary_search(&t).is_ok() {
                flagged[r as usize] = true;
            }
        }
        let mut held: Vec<(u64, u32)> = table.column(v1).collect();
        held.sort_unstable();
        for run in held.chunk_by(|a, b| a.0 == b.0) {
            if run.iter().all(|&(_, r)| flagged[r as usize]) {
                tokens[v1].push(run[0].0);
            }
        }
        tokens[v1].sort_unstable();
        tokens[v1].dedup();
    }
    let mut holders = Vec::new();
    for (k, common) in tokens.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        let held = table
            .column(k)
            .filter(|(t, _)| common.binary_search(t).is_ok());
        holders.extend(held.map(|(t, r)| (k as u32, t, r)));
    }
    holders.sort_unstable();
    table.remove_tokens(&tokens);
    for &(k, _, r) in &holders {
        let mask = &mut members.kinds[r as usize];
        if (k as usize) < Kind::ALL.len() {
            *mask &= !(1 << k);
        }
        // bit 7: a token of some kind of the table
        if (0..table.kinds().len()).all(|j| table.cell(r as usize, j).is_empty()) {
            *mask &= !(1 << 7);
        }
    }
    CommonTokens { tokens, holders }
}

/// `--match fuzzy`: records linked into people by the scoring (spec v2 section 12 step 9),
/// and, as with `--match exact`, records sharing a token of a `link_on` kind (an email) are
/// one person whatever their score, unless their first names are known to differ; in spec 2
/// files any of their emails (phones) counts. The table is the one [`take_common_contacts`]
/// left.
pub(super) fn link_people_fuzzy(
    members: &Members,
    link_on: &[Kind],
    common: &CommonTokens,
) -> Result<(Vec<u32>, usize)> {
    let table = members
        .table
        .as_ref()
        .ok_or_else(|| Error::Usage("fuzzy matching needs the members' tokens".into()))?;
    let n = members.records();
    let org_of: Vec<u32> = (0..n as u32).map(|r| members.org_of(r) as u32).collect();
    let opts = crate::link::Options {
        contacts_personal: false,
        ..crate::link::Options::default()
    };
    let linked = crate::link::link_people(table, &org_of, &opts).map_err(link_error)?;
    let mut uf = UnionFind::new(n);
    let mut first_of_cluster: HashMap<u32, u32> = HashMap::new();
    for r in 0..n as u32 {
        let first = *first_of_cluster
            .entry(linked.cluster_of[r as usize])
            .or_insert(r);
        uf.union(first, r);
    }
    union_on_link_kinds(table, common, link_on, &mut uf);
    let roots: Vec<u32> = (0..n as u32).map(|r| uf.find(r)).collect();
    Ok(order_people(members, &roots))
}

/// The table index of the kind made of `atom` alone (`email`, `email_any`, ...).
fn kind_of(table: &TokenTable, atom: Atom) -> Option<usize> {
    table.kinds().iter().position(|d| d.atoms == [atom])
}

/// The kinds of one direct identifier (email, phone, `email_any`, `phone_any`), a bit each.
fn contact_kinds(table: &TokenTable) -> u64 {
    let kinds = table.kinds().iter().enumerate();
    kinds
        .filter(|(_, d)| matches!(d.atoms[..], [a] if a.direct()))
        .fold(0, |mask, (k, _)| mask | 1 << k)
}

/// Joins the records that share a token of a `link_on` kind and, when linking on email
/// (phone), any email (phone) of a spec 2 file, when they hold no other kind to compare, or
/// some other kind agrees too and their first names are not known to differ (otherwise, as
/// for a family's address, the scoring decides). A common token (taken out
/// of `table`) joins only records that are copies of each other: the same tokens in every
/// kind, that one aside (one person's repeated rows, as an export of event sign-ups has, not
/// a placeholder on many people's rows).
fn union_on_link_kinds(
    table: &TokenTable,
    common: &CommonTokens,
    link_on: &[Kind],
    uf: &mut UnionFind,
) {
    let mut columns = Vec::new();
    for kind in link_on {
        columns.extend(table.kinds().iter().position(|d| d.name == kind.name()));
        let any = match kind {
            Kind::Email => Some(Atom::EmailAny),
            Kind::Phone => Some(Atom::PhoneAny),
            _ => None,
        };
        if let Some(atom) = any {
            columns.extend(kind_of(table, atom));
        }
    }
    let kinds = Kinds::new(table.kinds());
    let n_kinds = table.kinds().len();
    let cells = |r: u32| (0..n_kinds).map(move |k| table.cell(r as usize, k));
    let agree = |a: u32, b: u32, k: usize| {
        let (x, y) = (table.cell(a as usize, k), table.cell(b as usize, k));
        x.iter().any(|t| y.binary_search(t).is_ok())
    };
    let contact = contact_kinds(table);
    let with_first = kinds.first_level_kinds();
    // Two records sharing an email are one person when nothing else can be compared (both
    // hold no other kind: an email-only list), or when some other kind agrees too (a
    // composite of three fields with a name or the date of birth) and their first names are
    // not known to differ. Otherwise (a family's address, two people whose other kinds all
    // differ) the scoring decides. A first-name kind that agrees settles it without inference.
    let others = |a: u32, b: u32| {
        (0..n_kinds).filter(move |&k| {
            contact & 1 << k == 0 && {
                let (x, y) = (table.cell(a as usize, k), table.cell(b as usize, k));
                !x.is_empty() && !y.is_empty()
            }
        })
    };
    let one_person = |a: u32, b: u32| {
        bits(with_first).any(|k| agree(a, b, k))
            || others(a, b).next().is_none()
            || (others(a, b).any(|k| agree(a, b, k))
                && !kinds.first_names_differ(&Status::of_cells(cells(a), cells(b))))
    };
    for k in columns {
        // Runs of at most MAX_CONTACT_HOLDERS records: every pair is looked at.
        let mut holders: Vec<(u64, u32)> = table.column(k).collect();
        holders.sort_unstable();
        for run in holders.chunk_by(|a, b| a.0 == b.0) {
            for (i, &(_, a)) in run.iter().enumerate() {
                for &(_, b) in &run[i + 1..] {
                    if one_person(a, b) {
                        uf.union(a, b);
                    }
                }
            }
        }
        // Copies among the holders of a common token: equal hashes of every cell, then
        // equal cells.
        let held = common.holders.iter().filter(|h| h.0 as usize == k);
        let held: Vec<(u32, u64, u32)> = held.copied().collect();
        for run in held.chunk_by(|a, b| a.1 == b.1) {
            let mut by_cells: Vec<(u64, u32)> = run
                .iter()
                .filter(|h| cells(h.2).any(|c| !c.is_empty()))
                .map(|h| {
                    let mut hasher = std::hash::DefaultHasher::new();
                    cells(h.2).for_each(|c| std::hash::Hash::hash(c, &mut hasher));
                    (std::hash::Hasher::finish(&hasher), h.2)
                })
                .collect();
            by_cells.sort_unstable();
            for same in by_cells.chunk_by(|a, b| a.0 == b.0) {
                let first = same[0].1;
                for &(_, r) in &same[1..] {
                    if cells(r).eq(cells(first)) {
                        uf.union(first, r);
                    }
                }
            }
        }
    }
}

/// Numbers people (sets of records with one root) in a stable order: by the smallest (kind,
/// token) among the person's records. Records with no token (`kinds` 0) get `NO_PERSON`.
fn order_people(members: &Members, roots: &[u32]) -> (Vec<u32>, usize) {
    let n = members.records();
    let mut first_key = vec![u64::MAX; n];
    if let Some(table) = &members.table {
        // Keys of spec 2 kinds sort after every v1 key (whose top 4 bits are the kind, < 5),
        // so a person with a v1 token is ordered by it.
        for r in (0..n).filter(|&r| members.kinds[r] != 0) {
            for k in 5..table.kinds().len() {
                if let Some(&t) = table.cell(r, k).first() {
                    let key = 0xF << 60 | (k as u64) << 53 | t >> 11;
                    let slot = &mut first_key[roots[r] as usize];
                    *slot = (*slot).min(key);
                }
            }
        }
    }
    for (k, ix) in members.index.iter().enumerate() {
        for i in 0..ix.len() {
            let key = (k as u64) << 60 | (ix.key(i) >> 68) as u64;
            // a record left without a usable token (a placeholder only) is nobody
            for &r in ix
                .records(i)
                .iter()
                .filter(|&&r| members.kinds[r as usize] != 0)
            {
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

/// The voter file as the voter match needs it: today's passes read per-token hit counts;
/// fuzzy matching scores the voter records that share some token with a member.
pub(super) enum VoterSide<'a> {
    Exact(&'a VoterHits),
    /// With the voter file's household share ([`household_share`]).
    Fuzzy(&'a VoterHits, &'a VoterCandidates, Option<f64>),
}

/// The share of voter records that live with another voter of the same last name, from the
/// voter file's drop counts: a token of a kind with a last name and the house number that
/// several voters held was dropped; each such token stands for at least two of them. The
/// largest of those kinds' counts, times two, plus one, over the rows plus one. None for files
/// without drop counts (spec 1) or without such a kind: household pairs then never match.
pub(super) fn household_share(meta: &crate::spec::hashfile::Metadata) -> Option<f64> {
    use crate::spec::kinds::{Atom, all_kinds};
    let dropped = meta.dropped.as_ref()?;
    all_kinds()
        .iter()
        .zip(dropped)
        .filter(|(k, _)| {
            k.atoms.contains(&Atom::House)
                && (k.atoms.contains(&Atom::Last) || k.atoms.contains(&Atom::LastNysiis))
        })
        .map(|(_, &n)| n)
        .max()
        .map(|n| ((2 * n + 1) as f64 / (meta.rows + 1) as f64).min(1.0))
}

pub(super) fn resolve_people(
    members: &Members,
    linked: (Vec<u32>, usize),
    voters: Option<VoterSide>,
    opted_out: Option<&Suppressed>,
    common: &CommonTokens,
) -> Result<People> {
    let (person_of, count) = linked;
    let mut orgs = vec![0u64; count];
    for (r, &p) in person_of.iter().enumerate() {
        if p != NO_PERSON {
            orgs[p as usize] |= 1 << members.org_of(r as u32);
        }
    }
    let mut suppressed = vec![false; count];
    if let Some(marked) = opted_out {
        for (k, ix) in members.index.iter().enumerate() {
            let applies =
                |i: usize| marked.keys[k][i] && !common.contains(k, (ix.key(i) >> 64) as u64);
            for i in (0..ix.len()).filter(|&i| applies(i)) {
                for &r in ix.records(i) {
                    suppressed[person_of[r as usize] as usize] = true;
                }
            }
        }
        for (r, _) in marked.records.iter().enumerate().filter(|(_, m)| **m) {
            if let Some(p) = person_of.get(r).filter(|&&p| p != NO_PERSON) {
                suppressed[*p as usize] = true;
            }
        }
    }
    let mut people = People {
        person_of,
        orgs,
        status: vec![VoterStatus::NotChecked; count],
        geo: vec![NO_GEO; count],
        score: vec![f32::NAN; count],
        suppressed,
    };
    match voters {
        None => {}
        Some(VoterSide::Exact(hits)) => match_by_passes(members, hits, &mut people),
        Some(VoterSide::Fuzzy(hits, candidates, share)) => {
            match_by_score(members, hits, candidates, share, &mut people)?
        }
    }
    Ok(people)
}

/// Today's passes (`--match exact`): per person, the first pass with hits decides.
fn match_by_passes(members: &Members, hits: &VoterHits, people: &mut People) {
    let People {
        person_of,
        status,
        geo,
        ..
    } = people;
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
            VoterStatus::Matched(MatchKey::Pass(PASSES[pass as usize]))
        } else {
            VoterStatus::Ambiguous
        };
        while j < candidates.len() && candidates[j].0 == p {
            j += 1;
        }
        i = j;
    }
}

/// `--match fuzzy`: each person (the union of its records' tokens, so a person known by two
/// orgs brings both records' evidence) is scored against the candidate voter records;
/// one-to-one, ambiguity reported (spec v2 section 12 step 8).
fn match_by_score(
    members: &Members,
    hits: &VoterHits,
    candidates: &VoterCandidates,
    household_share: Option<f64>,
    people: &mut People,
) -> Result<()> {
    let table = members
        .table
        .as_ref()
        .ok_or_else(|| Error::Usage("fuzzy matching needs the members' tokens".into()))?;
    let kinds = table.kinds().len();
    let mut rows_by_person: Vec<(u32, u32)> = people
        .person_of
        .iter()
        .enumerate()
        .filter(|&(_, &p)| p != NO_PERSON)
        .map(|(r, &p)| (p, r as u32))
        .collect();
    rows_by_person.sort_unstable();
    let mut persons = TokenTable::new(table.kinds()).map_err(link_error)?;
    let mut merged: Vec<Vec<u64>> = vec![Vec::new(); kinds];
    for group in rows_by_person.chunk_by(|a, b| a.0 == b.0) {
        for (k, cell) in merged.iter_mut().enumerate() {
            cell.clear();
            for &(_, r) in group {
                cell.extend_from_slice(table.cell(r as usize, k));
            }
        }
        let cells: Vec<&[u64]> = merged.iter().map(Vec::as_slice).collect();
        persons.push_row(&cells).map_err(link_error)?;
    }
    let opts = crate::link::Options {
        household_share,
        ..crate::link::Options::default()
    };
    let result =
        crate::link::voter_match(&persons, &candidates.table, &opts).map_err(link_error)?;
    for (p, outcome) in result.members.iter().enumerate() {
        people.status[p] = match *outcome {
            crate::link::MemberMatch::Matched {
                voter_row,
                posterior,
                ..
            } => {
                let record = candidates.records[voter_row as usize];
                people.geo[p] = hits.geo_of_voter.get(&record).copied().unwrap_or(NO_GEO);
                people.score[p] = posterior as f32;
                VoterStatus::Matched(MatchKey::Fuzzy)
            }
            crate::link::MemberMatch::Ambiguous { .. } => VoterStatus::Ambiguous,
            crate::link::MemberMatch::Unmatched => VoterStatus::Unmatched,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::household_share;
    use crate::spec::hashfile::{FileKind, Metadata};
    use crate::spec::key::Fingerprint;
    use crate::spec::kinds::all_kinds;
    use crate::spec::label::{OrgLabel, Round};
    use crate::spec::token::Kind;

    fn voters(rows: u64, dropped: Option<Vec<u64>>) -> Metadata {
        Metadata {
            spec: 2,
            kind: FileKind::Voters,
            org: OrgLabel::new("voters").unwrap(),
            round: Round::parse_optional("").unwrap(),
            fingerprint: Fingerprint::parse("0123-4567-89ab-cdef").unwrap(),
            rows,
            tokens: [0; 5],
            v2_tokens: Vec::new(),
            dropped,
            messengers: None,
        }
    }

    /// The hard links of `--match fuzzy` alone (no scoring) over a table of all kinds.
    fn hard_links(table: &crate::link::TokenTable, link_on: &[Kind]) -> super::UnionFind {
        hard_links_and_common(table, link_on).0
    }

    /// The hard links, and what [`super::take_common_contacts`] found.
    fn hard_links_and_common(
        table: &crate::link::TokenTable,
        link_on: &[Kind],
    ) -> (super::UnionFind, super::CommonTokens) {
        let n = table.rows();
        let mut members = super::Members {
            starts: vec![0, n as u32],
            kinds: vec![1 << 7; n],
            messenger: vec![false; n],
            index: std::array::from_fn(|_| super::TokenIndex::build(Vec::new())),
            table: Some(table.clone()),
        };
        let common = super::take_common_contacts(&mut members);
        let mut uf = super::UnionFind::new(n);
        let stripped = members.table.as_ref().unwrap();
        super::union_on_link_kinds(stripped, &common, link_on, &mut uf);
        (uf, common)
    }

    /// A table of all kinds whose rows hold the given cells (kind name, tokens), others empty.
    fn table_of(rows: &[&[(&str, &[u64])]]) -> crate::link::TokenTable {
        let kinds: Vec<_> = all_kinds().into_iter().cloned().collect();
        let mut table = crate::link::TokenTable::new(&kinds).unwrap();
        for row in rows {
            let mut cells: Vec<&[u64]> = vec![&[]; kinds.len()];
            for (name, tokens) in row.iter() {
                cells[kinds.iter().position(|k| k.name == *name).unwrap()] = tokens;
            }
            table.push_row(&cells).unwrap();
        }
        table
    }

    #[test]
    fn records_sharing_any_email_are_joined_and_any_phone_only_when_linking_on_phone() {
        // rows 0 and 1 share an email (row 0's second) and a name; rows 2 and 3 a phone and
        // a name; row 4 shares row 0's email and nothing else (the scoring decides); rows 5
        // and 6 share an email and have nothing else to compare
        let table = table_of(&[
            &[("email_any", &[5, 9]), ("name_zip", &[1])],
            &[("email_any", &[9]), ("phone_any", &[1]), ("name_zip", &[1])],
            &[("phone_any", &[2]), ("name_zip", &[2])],
            &[("email_any", &[7]), ("phone_any", &[2]), ("name_zip", &[2])],
            &[("email_any", &[9]), ("name_zip", &[3])],
            &[("email_any", &[11])],
            &[("email_any", &[11]), ("name_zip", &[4])],
        ]);
        let mut uf = hard_links(&table, &[Kind::Email]);
        assert_eq!(uf.find(0), uf.find(1));
        assert_ne!(uf.find(2), uf.find(3));
        assert_ne!(uf.find(0), uf.find(3));
        assert_ne!(uf.find(0), uf.find(4));
        assert_eq!(
            uf.find(5),
            uf.find(6),
            "nothing else to compare: the email decides"
        );
        let mut uf = hard_links(&table, &[Kind::Email, Kind::Phone]);
        assert_eq!(uf.find(2), uf.find(3));
        assert_ne!(uf.find(1), uf.find(2));
    }

    #[test]
    fn a_placeholder_first_on_some_records_and_second_on_others_links_no_one() {
        // Email 9 is the only email of rows 0-7 (v1's too) and the second of rows 8-12, whose
        // v1 email is their own (rows 11 and 12, one person, share theirs and their name): 13
        // holders of the every-email token, 8 of v1's, whose every holder holds the common
        // every-email token.
        let names: Vec<[u64; 1]> = (0..13u64).map(|i| [100 + i.min(11)]).collect();
        let own: Vec<[u64; 1]> = (0..13u64).map(|i| [50 + i.min(11)]).collect();
        let both: Vec<[u64; 2]> = (0..13u64).map(|i| [9, 50 + i.min(11)]).collect();
        let mut rows: Vec<Vec<(&str, &[u64])>> = Vec::new();
        for i in 0..13 {
            let (v1, any): (&[u64], &[u64]) = if i < 8 {
                (&[9], &[9])
            } else {
                (&own[i], &both[i])
            };
            rows.push(vec![
                ("email", v1),
                ("email_any", any),
                ("name_zip", &names[i]),
            ]);
        }
        let rows: Vec<&[(&str, &[u64])]> = rows.iter().map(|r| &r[..]).collect();
        let table = table_of(&rows);
        let (mut uf, common) = hard_links_and_common(&table, &[Kind::Email]);
        let roots: std::collections::HashSet<u32> = (0..12).map(|r| uf.find(r)).collect();
        assert_eq!(roots.len(), 12, "only rows 11 and 12 are one person");
        assert_eq!(uf.find(11), uf.find(12));
        let kinds: Vec<_> = all_kinds().into_iter().cloned().collect();
        let counted = common.summary(&kinds, 0).unwrap();
        assert_eq!(counted.records, 13);
        // v1's: the placeholder and, not told apart from it, the own first emails of rows 8-12
        // (each of their records holds the placeholder too); those still link through
        // email_any, as rows 11 and 12 show.
        assert_eq!(counted.kinds.get("email"), Some(&5), "{:?}", counted.kinds);
        assert_eq!(counted.kinds.get("email_any"), Some(&1));
    }

    #[test]
    fn a_shared_email_does_not_join_records_whose_first_names_differ() {
        // Rows 0 and 1: one house, one last name, first names known to differ (their NYSIIS
        // codes and initials differ at the same house): a family's address. Row 2 agrees
        // with row 0 on the first name too: one person.
        let family = |first: u64| -> Vec<(&'static str, Vec<u64>)> {
            vec![
                ("email", vec![9]),
                ("last_nysiis_house_city", vec![1]),
                ("last_nysiis_house_street", vec![2]),
                ("first_nysiis_house_city", vec![10 + first]),
                ("first_init_house_street", vec![20 + first]),
            ]
        };
        let rows = [family(0), family(1), family(0)];
        let rows: Vec<Vec<(&str, &[u64])>> = rows
            .iter()
            .map(|r| r.iter().map(|(k, t)| (*k, &t[..])).collect())
            .collect();
        let rows: Vec<&[(&str, &[u64])]> = rows.iter().map(|r| &r[..]).collect();
        let table = table_of(&rows);
        let mut uf = hard_links(&table, &[Kind::Email]);
        assert_eq!(uf.find(0), uf.find(2));
        assert_ne!(uf.find(0), uf.find(1));
    }

    #[test]
    fn a_placeholder_email_links_only_copies_of_one_record() {
        // Twelve records hold email 9 (v1 and any): rows 0-9 are ten different people, rows
        // 10 and 11 copies of row 0 (the same tokens in every other kind). Rows 12 and 13
        // share email 4, on two records only, and nothing else: the scoring decides.
        let mut rows: Vec<Vec<(&str, &[u64])>> = Vec::new();
        let names: Vec<[u64; 1]> = (0..10u64).map(|i| [100 + i]).collect();
        for name in names.iter().chain([&names[0], &names[0]]) {
            rows.push(vec![
                ("email", &[9]),
                ("email_any", &[9]),
                ("name_zip", name),
            ]);
        }
        rows.push(vec![("email", &[4]), ("name_zip", &[1])]);
        rows.push(vec![("email", &[4]), ("name_zip", &[2])]);
        let rows: Vec<&[(&str, &[u64])]> = rows.iter().map(|r| &r[..]).collect();
        let table = table_of(&rows);
        let mut uf = hard_links(&table, &[Kind::Email]);
        let roots: std::collections::HashSet<u32> = (0..10).map(|r| uf.find(r)).collect();
        assert_eq!(roots.len(), 10, "the placeholder joins no two people");
        assert_eq!(uf.find(10), uf.find(0));
        assert_eq!(uf.find(11), uf.find(0));
        assert_ne!(uf.find(12), uf.find(13));
        let kinds: Vec<_> = all_kinds().into_iter().cloned().collect();
        let counted = hard_links_and_common(&table, &[Kind::Email])
            .1
            .summary(&kinds, 0);
        let counted = counted.unwrap();
        assert_eq!(counted.records, 12);
        assert_eq!(counted.kinds.get("email"), Some(&1));
        assert_eq!(counted.kinds.get("email_any"), Some(&1));
    }

    #[test]
    fn the_household_share_comes_from_the_drop_counts_of_last_name_and_house_kinds() {
        let kinds = all_kinds();
        let index = |name: &str| kinds.iter().position(|k| k.name == name).unwrap();
        let mut dropped = vec![0u64; kinds.len()];
        // a kind without the house number does not count, however many it dropped
        dropped[index("last_nysiis_city_zip5")] = 900;
        dropped[index("last_nysiis_house_street")] = 40;
        dropped[index("last_nysiis_house_city")] = 49;
        let share = household_share(&voters(999, Some(dropped))).unwrap();
        assert!((share - 99.0 / 1000.0).abs() < 1e-12, "{share}");
        assert_eq!(household_share(&voters(999, None)), None);
        let all = vec![10_000; kinds.len()];
        assert_eq!(household_share(&voters(10, Some(all))), Some(1.0));
    }
}
