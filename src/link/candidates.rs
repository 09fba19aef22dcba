//! Candidate pairs (spec v2 section 12, steps 1-2): two rows that share a token of some kind
//! held by at most `max_holders` rows, and each pair's status per kind.
//!
//! Made by sorting, not hashing: per kind (in parallel), the (token, row) entries of both
//! tables are sorted and each run of one token emits its pairs as `row_a << 32 | row_b` keys;
//! the keys of all kinds are then sorted and deduplicated. Nothing is allocated per pair and
//! the result does not depend on the number of threads.

use rayon::prelude::*;

use super::infer::{Status, bits};
use super::table::TokenTable;

/// One (token, row) entry of a kind's index. Rows of the second table are offset by the
/// first table's row count.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    token: u64,
    row: u32,
}

/// The candidate pairs of one kind, with the kind's bit, and the rows holding a token of
/// the kind too frequent to make candidates.
struct KindOut {
    pairs: Vec<(u64, u64)>,
    frequent_rows: Vec<u32>,
}

/// Sorts entries by (token, row), as `sort_unstable` would. Tokens are uniformly random, so
/// one counting pass over their top bits puts a handful of entries in each bucket and the
/// buckets are then sorted alone: two passes over memory instead of a comparison sort's
/// log n. (A token held by many rows makes one large bucket, sorted like any other.)
fn sort_entries(e: &mut Vec<Entry>) {
    let n = e.len();
    if n < 1 << 12 {
        e.sort_unstable();
        return;
    }
    // About four entries per bucket.
    let bits = (usize::BITS - n.leading_zeros())
        .saturating_sub(2)
        .clamp(1, 24);
    let shift = 64 - bits;
    let bucket = |x: &Entry| (x.token >> shift) as usize;
    let mut starts = vec![0u32; (1 << bits) + 1];
    for x in e.iter() {
        starts[bucket(x) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut next = starts.clone();
    let mut out = vec![Entry { token: 0, row: 0 }; n];
    for x in e.iter() {
        let at = &mut next[bucket(x)];
        out[*at as usize] = *x;
        *at += 1;
    }
    for w in starts.windows(2) {
        let run = &mut out[w[0] as usize..w[1] as usize];
        if run.len() > 1 {
            run.sort_unstable();
        }
    }
    *e = out;
}

/// Index one kind: sort its (token, row) entries; each run of one token held by 2..=
/// `max_holders` rows emits its pairs. `cross = Some(n_left)`: only pairs of a left row
/// (global row < n_left) and a right row, keyed `a << 32 | (b - n_left)`; `None`: every pair
/// of the run, keyed `a << 32 | b`, a < b.
fn kind_pairs(k: usize, tables: &[&TokenTable], cross: Option<u32>, max_holders: usize) -> KindOut {
    let n: usize = tables.iter().map(|t| t.rows()).sum();
    let mut e = Vec::with_capacity(n);
    let mut base = 0u32;
    for t in tables {
        e.extend(t.column(k).map(|(token, r)| Entry {
            token,
            row: base + r,
        }));
        base += t.rows() as u32;
    }
    sort_entries(&mut e);
    let bit = 1u64 << k;
    let mut out = KindOut {
        pairs: Vec::new(),
        frequent_rows: Vec::new(),
    };
    for run in e.chunk_by(|x, y| x.token == y.token) {
        if run.len() < 2 {
            continue;
        }
        if run.len() > max_holders {
            out.frequent_rows.extend(run.iter().map(|x| x.row));
            continue;
        }
        match cross {
            Some(nl) => {
                // rows are sorted: left rows first
                let split = run.partition_point(|x| x.row < nl);
                for a in &run[..split] {
                    for b in &run[split..] {
                        out.pairs
                            .push((u64::from(a.row) << 32 | u64::from(b.row - nl), bit));
                    }
                }
            }
            None => {
                for (i, a) in run.iter().enumerate() {
                    for b in &run[i + 1..] {
                        out.pairs
                            .push((u64::from(a.row) << 32 | u64::from(b.row), bit));
                    }
                }
            }
        }
    }
    out
}

/// Candidate pairs and their status per kind.
pub(crate) struct Candidates {
    /// `a << 32 | b`, sorted, distinct.
    pub keys: Vec<u64>,
    /// The status of each pair.
    pub status: Vec<Status>,
}

/// Candidates of `tables` (one table: pairs within it; two: pairs across). The status of a
/// pair comes from the index itself: its agreeing kinds are the kinds whose runs emitted it,
/// plus, where both rows hold a token too frequent to make candidates, a direct look at the
/// two cells; presence comes from one bit set per row. So a pair costs a few memory reads,
/// not two per kind.
fn candidates(tables: &[&TokenTable], cross: bool, max_holders: usize) -> Candidates {
    let Some(first) = tables.first() else {
        return Candidates {
            keys: Vec::new(),
            status: Vec::new(),
        };
    };
    let nk = first.kinds().len();
    let nl = first.rows() as u32;
    let outs: Vec<KindOut> = (0..nk)
        .into_par_iter()
        .map(|k| kind_pairs(k, tables, cross.then_some(nl), max_holders))
        .collect();
    let n_global: usize = tables.iter().map(|t| t.rows()).sum();
    let mut frequent = vec![0u64; n_global];
    for (k, o) in outs.iter().enumerate() {
        for &r in &o.frequent_rows {
            if let Some(f) = frequent.get_mut(r as usize) {
                *f |= 1 << k;
            }
        }
    }
    let mut all: Vec<(u64, u64)> = Vec::with_capacity(outs.iter().map(|o| o.pairs.len()).sum());
    for o in outs {
        all.extend(o.pairs);
    }
    all.par_sort_unstable_by_key(|x| x.0);
    let mut keys = Vec::new();
    let mut agree = Vec::new();
    for run in all.chunk_by(|x, y| x.0 == y.0) {
        keys.push(run[0].0);
        agree.push(run.iter().fold(0u64, |m, x| m | x.1));
    }
    let second = tables.get(1).unwrap_or(first);
    let (pa, pb) = (first.presence(), second.presence());
    let offset_b = if cross { nl as usize } else { 0 };
    let status = keys
        .par_iter()
        .zip(agree.par_iter())
        .map(|(&key, &agree)| {
            let (a, b) = ((key >> 32) as usize, (key & 0xffff_ffff) as usize);
            let present_a = pa.get(a).copied().unwrap_or(0);
            let present_b = pb.get(b).copied().unwrap_or(0);
            let both = present_a & present_b;
            let fa = frequent.get(a).copied().unwrap_or(0);
            let fb = frequent.get(b + offset_b).copied().unwrap_or(0);
            let mut agree = agree;
            for k in bits(both & fa & fb & !agree) {
                if share(first.cell(a, k), second.cell(b, k)) {
                    agree |= 1 << k;
                }
            }
            Status {
                agree,
                disagree: both & !agree,
                present_a,
                present_b,
            }
        })
        .collect();
    Candidates { keys, status }
}

/// Pairs (a row of `left`, a row of `right`) sharing a token held by 2..=`max_holders` rows
/// of both tables together.
pub(crate) fn cross_pairs(left: &TokenTable, right: &TokenTable, max_holders: usize) -> Candidates {
    candidates(&[left, right], true, max_holders)
}

/// Pairs of rows of one table (a < b) sharing a token held by 2..=`max_holders` rows.
pub(crate) fn self_pairs(table: &TokenTable, max_holders: usize) -> Candidates {
    candidates(&[table], false, max_holders)
}

/// Whether two sorted lists share an element.
pub(crate) fn share<T: Ord>(a: &[T], b: &[T]) -> bool {
    match (a, b) {
        ([x], [y]) => x == y,
        _ => {
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Equal => return true,
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                }
            }
            false
        }
    }
}

/// The status per kind of row `ra` of `a` and row `rb` of `b` (tables with the same kinds),
/// by looking at every cell: what [`Candidates::status`] must equal.
#[cfg(test)]
pub(crate) fn status(a: &TokenTable, ra: usize, b: &TokenTable, rb: usize) -> Status {
    let kinds = 0..a.kinds().len();
    Status::of_cells(
        kinds.clone().map(|k| a.cell(ra, k)),
        kinds.map(|k| b.cell(rb, k)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::kinds::all_kinds;

    fn table(rows: &[[&[u64]; 2]]) -> TokenTable {
        let kinds: Vec<_> = all_kinds().into_iter().take(2).cloned().collect();
        let mut t = TokenTable::new(&kinds).unwrap();
        for r in rows {
            t.push_row(r).unwrap();
        }
        t
    }

    #[test]
    fn sort_entries_sorts_as_sort_unstable() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [0, 1, 5, 4095, 4096, 10_000, 70_001] {
            let mut e: Vec<Entry> = (0..n)
                .map(|i| Entry {
                    // Some repeated and some crowded tokens among random ones.
                    token: match i % 7 {
                        0 => 42,
                        1 => next() % 1000,
                        _ => next(),
                    },
                    row: (next() % 50_000) as u32,
                })
                .collect();
            let mut want = e.clone();
            want.sort_unstable();
            sort_entries(&mut e);
            assert!(e == want, "{n} entries");
        }
    }

    #[test]
    fn pairs_share_a_token_of_few_holders() {
        let l = table(&[[&[1], &[10]], [&[2], &[]], [&[3], &[]]]);
        let r = table(&[[&[1], &[]], [&[9], &[10]], [&[2], &[]], [&[2], &[]]]);
        let c = cross_pairs(&l, &r, 50);
        let pairs: Vec<(u64, u64)> = c.keys.iter().map(|k| (k >> 32, k & 0xffff_ffff)).collect();
        assert_eq!(pairs, vec![(0, 0), (0, 1), (1, 2), (1, 3)]);
        for (k, st) in c.keys.iter().zip(&c.status) {
            assert_eq!(
                *st,
                status(&l, (k >> 32) as usize, &r, (k & 0xffff_ffff) as usize)
            );
        }
        // token 2 is held by 3 rows: over a limit of 2 it makes no pairs
        let c = cross_pairs(&l, &r, 2);
        assert_eq!(c.keys.len(), 2);
        let s = self_pairs(&r, 50);
        assert_eq!(s.keys, vec![2 << 32 | 3]);
        let st = status(&l, 0, &r, 1);
        assert_eq!(
            st,
            Status {
                agree: 0b10,
                disagree: 0b01,
                present_a: 0b11,
                present_b: 0b11
            }
        );
        let st = status(&l, 1, &r, 0);
        assert_eq!(
            st,
            Status {
                agree: 0,
                disagree: 0b01,
                present_a: 0b01,
                present_b: 0b01
            }
        );
        assert!(share(&[1u64, 4, 7], &[2, 7]));
        assert!(!share(&[1, 4], &[2, 7]));
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;
    use crate::spec::kinds::all_kinds;
    use proptest::prelude::*;

    fn table(rows: &[Vec<Vec<u64>>], nk: usize) -> TokenTable {
        let kinds: Vec<_> = all_kinds().into_iter().take(nk).cloned().collect();
        let mut t = TokenTable::new(&kinds).unwrap();
        for r in rows {
            let cells: Vec<&[u64]> = r.iter().map(|c| c.as_slice()).collect();
            t.push_row(&cells).unwrap();
        }
        t
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The statuses read off the index equal a look at every cell, with a holder limit
        /// low enough that some shared tokens are too frequent to make candidates.
        #[test]
        fn index_statuses_equal_cell_by_cell(
            left in prop::collection::vec(prop::collection::vec(prop::collection::vec(0u64..6, 0..3), 4), 0..12),
            right in prop::collection::vec(prop::collection::vec(prop::collection::vec(0u64..6, 0..3), 4), 0..12),
            max in 2usize..5,
        ) {
            let (l, r) = (table(&left, 4), table(&right, 4));
            let c = cross_pairs(&l, &r, max);
            for (k, st) in c.keys.iter().zip(&c.status) {
                prop_assert_eq!(*st, status(&l, (k >> 32) as usize, &r, (k & 0xffff_ffff) as usize));
            }
            let c = self_pairs(&l, max);
            for (k, st) in c.keys.iter().zip(&c.status) {
                prop_assert!((k >> 32) < (k & 0xffff_ffff));
                prop_assert_eq!(*st, status(&l, (k >> 32) as usize, &l, (k & 0xffff_ffff) as usize));
            }
        }

        /// On any input the scoring returns a result, and it is one-to-one.
        #[test]
        fn any_tables_give_a_one_to_one_result(
            left in prop::collection::vec(prop::collection::vec(prop::collection::vec(0u64..6, 0..3), 4), 0..12),
            right in prop::collection::vec(prop::collection::vec(prop::collection::vec(0u64..6, 0..3), 4), 0..12),
            max in 2usize..5,
            sj in prop::collection::vec((any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>(), 0u64..9), 0..4),
        ) {
            use crate::link::{MemberMatch, Options, SelfJoin, link_people, voter_match_with};
            let (l, r) = (table(&left, 4), table(&right, 4));
            let opts = Options { max_holders: max, ..Options::default() };
            let hist = sj.into_iter().map(|(agree, disagree, present_a, present_b, c)| {
                (Status { agree, disagree, present_a, present_b }, c)
            }).collect();
            let sj = SelfJoin::from_histogram(r.kinds(), hist);
            let m = voter_match_with(&l, &r, Some(&sj), &opts).unwrap();
            prop_assert_eq!(m.members.len(), l.rows());
            let mut voters: Vec<u32> = m.members.iter().filter_map(|x| match x {
                MemberMatch::Matched { voter_row, .. } => Some(*voter_row),
                _ => None,
            }).collect();
            let n = voters.len();
            voters.sort_unstable();
            voters.dedup();
            prop_assert_eq!(voters.len(), n);
            prop_assert!(voters.iter().all(|&v| (v as usize) < r.rows()));
            let orgs: Vec<u32> = (0..l.rows() as u32).map(|i| i % 2).collect();
            let p = link_people(&l, &orgs, &opts).unwrap();
            prop_assert_eq!(p.cluster_of.len(), l.rows());
        }
    }
}
