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

pub(super) fn resolve_people(
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
