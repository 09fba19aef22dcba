//! Records into people (union-find on link tokens, a content-based person order) and each
//! person's voter match, pass by pass.

use super::*;

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

/// `--match fuzzy`: records linked into people by the scoring (spec v2 section 12 step 9),
/// and, as with `--match exact`, records sharing a token of a `link_on` kind (an email) are
/// one person whatever their score; in spec 2 files any of their emails (phones) counts.
pub(super) fn link_people_fuzzy(members: &Members, link_on: &[Kind]) -> Result<(Vec<u32>, usize)> {
    let table = members
        .table
        .as_ref()
        .ok_or_else(|| Error::Usage("fuzzy matching needs the members' tokens".into()))?;
    let n = members.records();
    let org_of: Vec<u32> = (0..n as u32).map(|r| members.org_of(r) as u32).collect();
    let linked = crate::link::link_people(table, &org_of, &crate::link::Options::default())
        .map_err(link_error)?;
    let mut uf = UnionFind::new(n);
    let mut first_of_cluster: HashMap<u32, u32> = HashMap::new();
    for r in 0..n as u32 {
        let first = *first_of_cluster
            .entry(linked.cluster_of[r as usize])
            .or_insert(r);
        uf.union(first, r);
    }
    union_on_tokens(members, link_on, &mut uf);
    union_on_any_contact(table, link_on, &mut uf);
    let roots: Vec<u32> = (0..n as u32).map(|r| uf.find(r)).collect();
    Ok(order_people(members, &roots))
}

/// Joins the records that share any email (`email_any`) when linking on email, any phone
/// (`phone_any`) when linking on phone.
fn union_on_any_contact(table: &TokenTable, link_on: &[Kind], uf: &mut UnionFind) {
    for (atom, kind) in [(Atom::EmailAny, Kind::Email), (Atom::PhoneAny, Kind::Phone)] {
        let Some(k) = table.kinds().iter().position(|d| d.atoms == [atom]) else {
            continue;
        };
        if !link_on.contains(&kind) {
            continue;
        }
        let mut first_of: HashMap<u64, u32> = HashMap::new();
        for (token, r) in table.column(k) {
            let first = *first_of.entry(token).or_insert(r);
            uf.union(first, r);
        }
    }
}

/// Numbers people (sets of records with one root) in a stable order: by the smallest (kind,
/// token) among the person's records. Records with no token get `NO_PERSON`.
fn order_people(members: &Members, roots: &[u32]) -> (Vec<u32>, usize) {
    let n = members.records();
    let mut first_key = vec![u64::MAX; n];
    if let Some(table) = &members.table {
        // Keys of spec 2 kinds sort after every v1 key (whose top 4 bits are the kind, < 5),
        // so a person with a v1 token is ordered by it.
        for r in 0..n {
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
            for i in (0..ix.len()).filter(|&i| marked.keys[k][i]) {
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

    #[test]
    fn records_sharing_any_email_are_joined_and_any_phone_only_when_linking_on_phone() {
        use super::{UnionFind, union_on_any_contact};
        use crate::link::TokenTable;
        use crate::spec::token::Kind;
        let kinds: Vec<_> = all_kinds().into_iter().cloned().collect();
        let at = |name: &str| kinds.iter().position(|k| k.name == name).unwrap();
        let (email, phone) = (at("email_any"), at("phone_any"));
        let mut table = TokenTable::new(&kinds).unwrap();
        // rows 0 and 1 share an email (row 0's second); rows 2 and 3 share a phone only
        let rows: [(&[u64], &[u64]); 4] = [(&[5, 9], &[]), (&[9], &[1]), (&[], &[2]), (&[7], &[2])];
        for (emails, phones) in rows {
            let mut cells: Vec<&[u64]> = vec![&[]; kinds.len()];
            cells[email] = emails;
            cells[phone] = phones;
            table.push_row(&cells).unwrap();
        }
        let mut uf = UnionFind::new(4);
        union_on_any_contact(&table, &[Kind::Email], &mut uf);
        assert_eq!(uf.find(0), uf.find(1));
        assert_ne!(uf.find(2), uf.find(3));
        assert_ne!(uf.find(0), uf.find(3));
        union_on_any_contact(&table, &[Kind::Email, Kind::Phone], &mut uf);
        assert_eq!(uf.find(2), uf.find(3));
        assert_ne!(uf.find(1), uf.find(2));
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
