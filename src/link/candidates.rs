//! Candidate pairs (spec v2 section 12, steps 1-2): two rows that share a token of some kind
//! held by at most `max_holders` rows, and each pair's status per kind.
//!
//! Made by sorting, not hashing: per kind (in parallel), the (token, row) entries of both
//! tables are sorted and each run of one token emits its pairs as `row_a << 32 | row_b` keys;
//! the keys of all kinds are then sorted and deduplicated. Nothing is allocated per pair and
//! the result does not depend on the number of threads.

use rayon::prelude::*;

use super::infer::Status;
use super::table::TokenTable;

/// One (token, row) entry of a kind's index. Rows of the second table are offset by the
/// first table's row count.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    token: u64,
    row: u32,
}

fn entries(k: usize, tables: &[&TokenTable]) -> Vec<Entry> {
    let n: usize = tables.iter().map(|t| t.rows()).sum();
    let mut out = Vec::with_capacity(n);
    let mut base = 0u32;
    for t in tables {
        out.extend(t.column(k).map(|(token, r)| Entry {
            token,
            row: base + r,
        }));
        base += t.rows() as u32;
    }
    out.par_sort_unstable();
    out
}

/// Pair keys `a << 32 | b` (a row of `left`, b a row of `right`), sorted and distinct, of rows
/// sharing a token held by 2..=`max_holders` rows of both tables together.
pub(crate) fn cross_pairs(left: &TokenTable, right: &TokenTable, max_holders: usize) -> Vec<u64> {
    let nl = left.rows() as u32;
    let nk = left.kinds().len();
    let mut keys: Vec<u64> = (0..nk)
        .into_par_iter()
        .flat_map_iter(|k| {
            let e = entries(k, &[left, right]);
            let mut out = Vec::new();
            for run in e.chunk_by(|x, y| x.token == y.token) {
                if run.len() < 2 || run.len() > max_holders {
                    continue;
                }
                // rows are sorted: left rows first
                let split = run.partition_point(|x| x.row < nl);
                for a in &run[..split] {
                    for b in &run[split..] {
                        out.push(u64::from(a.row) << 32 | u64::from(b.row - nl));
                    }
                }
            }
            out
        })
        .collect();
    keys.par_sort_unstable();
    keys.dedup();
    keys
}

/// Pair keys `a << 32 | b` with a < b, rows of one table, sorted and distinct, of rows sharing
/// a token held by 2..=`max_holders` rows.
pub(crate) fn self_pairs(table: &TokenTable, max_holders: usize) -> Vec<u64> {
    let nk = table.kinds().len();
    let mut keys: Vec<u64> = (0..nk)
        .into_par_iter()
        .flat_map_iter(|k| {
            let e = entries(k, &[table]);
            let mut out = Vec::new();
            for run in e.chunk_by(|x, y| x.token == y.token) {
                if run.len() < 2 || run.len() > max_holders {
                    continue;
                }
                for (i, a) in run.iter().enumerate() {
                    for b in &run[i + 1..] {
                        out.push(u64::from(a.row) << 32 | u64::from(b.row));
                    }
                }
            }
            out
        })
        .collect();
    keys.par_sort_unstable();
    keys.dedup();
    keys
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

/// The status per kind of row `ra` of `a` and row `rb` of `b` (tables with the same kinds).
pub(crate) fn status(a: &TokenTable, ra: usize, b: &TokenTable, rb: usize) -> Status {
    let mut st = Status::default();
    for k in 0..a.kinds().len() {
        let (x, y) = (a.cell(ra, k), b.cell(rb, k));
        let bit = 1u64 << k;
        if !x.is_empty() {
            st.present_a |= bit;
        }
        if !y.is_empty() {
            st.present_b |= bit;
        }
        if !x.is_empty() && !y.is_empty() {
            if share(x, y) {
                st.agree |= bit;
            } else {
                st.disagree |= bit;
            }
        }
    }
    st
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
    fn pairs_share_a_token_of_few_holders() {
        let l = table(&[[&[1], &[10]], [&[2], &[]], [&[3], &[]]]);
        let r = table(&[[&[1], &[]], [&[9], &[10]], [&[2], &[]], [&[2], &[]]]);
        let keys = cross_pairs(&l, &r, 50);
        let pairs: Vec<(u64, u64)> = keys.iter().map(|k| (k >> 32, k & 0xffff_ffff)).collect();
        assert_eq!(pairs, vec![(0, 0), (0, 1), (1, 2), (1, 3)]);
        // token 2 is held by 3 rows: over a limit of 2 it makes no pairs
        let keys = cross_pairs(&l, &r, 2);
        assert_eq!(keys.len(), 2);
        let s = self_pairs(&r, 50);
        assert_eq!(s, vec![2 << 32 | 3]);
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
        assert!(share(&[1, 4, 7], &[2, 7]));
        assert!(!share(&[1, 4], &[2, 7]));
    }
}
