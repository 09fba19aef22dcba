//! The shared middle of voter matching and people linking: infer every candidate pair, find
//! the anchored and competitor pairs, count the m and u examples, estimate, weigh.

use rayon::prelude::*;

use crate::spec::kinds::KindDef;

use super::candidates::Candidates;
use super::infer::{Kinds, N_FIELDS, N_PATTERNS, level_missing, pattern_levels};
use super::model::{Model, estimate};
use super::{LinkError, Options};

/// One candidate pair after inference.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PairRec {
    pub a: u32,
    pub b: u32,
    pub pattern: u32,
    pub evidence: u8,
    pub anchored: u8,
}

/// Infer every candidate pair (`a << 32 | b`, a a row of the first table, b of the second).
pub(crate) fn infer_pairs(c: &Candidates, kinds: &[KindDef]) -> Vec<PairRec> {
    let kinds = Kinds::new(kinds);
    c.keys
        .par_iter()
        .zip(c.status.par_iter())
        .map(|(&k, st)| {
            let (a, b) = ((k >> 32) as u32, k as u32);
            let inf = kinds.infer(st);
            PairRec {
                a,
                b,
                pattern: inf.pattern,
                evidence: inf.evidence,
                anchored: inf.anchored,
            }
        })
        .collect()
}

/// Best and second-best evidence of a row, and the index of its best pair.
#[derive(Clone, Copy)]
struct Best {
    e: i16,
    k: u32,
    e2: i16,
}

const NO_BEST: Best = Best {
    e: -1,
    k: u32::MAX,
    e2: -1,
};

fn update(b: &mut Best, e: i16, k: u32) {
    if e > b.e {
        *b = Best { e, k, e2: b.e };
    } else if e > b.e2 {
        b.e2 = e;
    }
}

/// Competitor pairs: a row whose best pair covers >= `anchor_min_evidence` quasi-identifiers
/// and at least `anchor_margin` more than its second best, mutually (for both of the pair's
/// rows), is anchored; the other pairs of anchored rows are non-matches under the one-to-one
/// rule. Returns a flag per pair and the number of anchored pairs. Ties never anchor, so the
/// result does not depend on the order of pairs.
///
/// Rows of the first end of the pairs and rows of the second end are kept apart (`n_a` rows,
/// then `n_b`), as the reference does, also when both ends are rows of one table.
pub(crate) fn competitors(
    pairs: &[PairRec],
    n_a: usize,
    n_b: usize,
    opts: &Options,
) -> (Vec<bool>, u64) {
    competitors_keyed(
        pairs,
        n_a + n_b,
        |p| (p.a as usize, n_a + p.b as usize),
        opts,
    )
}

/// Competitor pairs among the rows of one table (people linking): as [`competitors`], but
/// a row's best and second-best pairs are taken over all its pairs, whichever end of the pair
/// it is. (The reference keys rows by their end of the pair, `a < b`, which makes the anchors
/// depend on row order; see [`Options::order_independent_anchors`].)
pub(crate) fn competitors_symmetric(
    pairs: &[PairRec],
    n: usize,
    opts: &Options,
) -> (Vec<bool>, u64) {
    competitors_keyed(pairs, n, |p| (p.a as usize, p.b as usize), opts)
}

/// [`competitors`] with the rows of a pair's two ends given as keys below `n_keys`.
fn competitors_keyed(
    pairs: &[PairRec],
    n_keys: usize,
    keys: impl Fn(&PairRec) -> (usize, usize),
    opts: &Options,
) -> (Vec<bool>, u64) {
    let mut best = vec![NO_BEST; n_keys];
    for (k, p) in pairs.iter().enumerate() {
        let e = i16::from(p.evidence);
        let (x, y) = keys(p);
        for r in [x, y] {
            if let Some(b) = best.get_mut(r) {
                update(b, e, k as u32);
            }
        }
    }
    let (min, margin) = (
        i16::from(opts.anchor_min_evidence),
        i16::from(opts.anchor_margin),
    );
    let ok = |b: Option<&Best>, k: usize| {
        b.is_some_and(|b| b.k == k as u32 && b.e >= min && b.e - b.e2 >= margin)
    };
    let mut anchor = vec![false; pairs.len()];
    let mut anchored = vec![false; n_keys];
    let mut n_anchor = 0;
    for (k, p) in pairs.iter().enumerate() {
        let (x, y) = keys(p);
        if ok(best.get(x), k) && ok(best.get(y), k) {
            anchor[k] = true;
            anchored[x] = true;
            anchored[y] = true;
            n_anchor += 1;
        }
    }
    let comp = pairs
        .iter()
        .zip(&anchor)
        .map(|(p, &is_anchor)| {
            let (x, y) = keys(p);
            !is_anchor && (anchored.get(x) == Some(&true) || anchored.get(y) == Some(&true))
        })
        .collect();
    (comp, n_anchor)
}

/// Pattern histogram of the pairs `keep` selects.
pub(crate) fn histogram(
    pairs: &[PairRec],
    keep: impl Fn(usize, &PairRec) -> bool + Sync,
) -> Vec<u64> {
    let mut h = vec![0u64; N_PATTERNS];
    for (i, p) in pairs.iter().enumerate() {
        if keep(i, p) {
            h[p.pattern as usize] += 1;
        }
    }
    h
}

/// m examples: per field, the levels of the pairs anchored without it (missing excluded).
pub(crate) fn m_counts(pairs: &[PairRec]) -> [[u64; 9]; N_FIELDS] {
    pairs
        .par_iter()
        .fold(
            || [[0u64; 9]; N_FIELDS],
            |mut acc, p| {
                if p.anchored != 0 {
                    let lv = pattern_levels(p.pattern);
                    for f in 0..N_FIELDS {
                        if p.anchored & (1 << f) != 0 && lv[f] != level_missing(f) {
                            acc[f][lv[f] as usize] += 1;
                        }
                    }
                }
                acc
            },
        )
        .reduce(
            || [[0u64; 9]; N_FIELDS],
            |mut a, b| {
                for f in 0..N_FIELDS {
                    for l in 0..9 {
                        a[f][l] += b[f][l];
                    }
                }
                a
            },
        )
}

/// Estimate the model from the pairs, given the u examples.
pub(crate) fn fit(
    pairs: &[PairRec],
    u_hist: &[u64],
    n_anchor: u64,
    opts: &Options,
) -> Result<Model, LinkError> {
    let all = histogram(pairs, |_, _| true);
    estimate(&m_counts(pairs), u_hist, &all, n_anchor, opts)
}
