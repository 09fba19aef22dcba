//! Linking member rows into people (spec v2 section 12, step 9), within and across orgs, so
//! that one person under two emails is counted once and an opt-out reaches every record.
//!
//! Links above the threshold join rows with a union-find, strongest first. Two clusters join
//! only if no org has rows in both (a person has one row per org), except through a direct
//! link inside one org (a duplicate row). A row whose two best links into the same other org
//! are within [`Options::ambiguity_bits`] links to neither.

use super::candidates::{self_pairs, share};
use super::model::Params;
use super::score::{competitors, competitors_symmetric, fit, histogram, infer_pairs};
use super::table::TokenTable;
use super::{LinkError, Options};

/// A link between two member rows above the threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub weight_bits: f64,
    pub posterior: f64,
}

/// The result of [`link_people`].
#[derive(Clone, Debug, PartialEq)]
pub struct People {
    /// Per row, its person: the smallest row index of its cluster.
    pub cluster_of: Vec<u32>,
    /// The number of people (clusters).
    pub people: usize,
    /// The links above the threshold, strongest first (ties: larger rows first).
    pub links: Vec<Link>,
    /// Rows left alone across orgs because their two best links into one org were close.
    pub ambiguous_rows: Vec<u32>,
    /// The estimated parameters (u includes every pair within one org).
    pub params: Params,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let g = parent[parent[x as usize] as usize];
        parent[x as usize] = g;
        x = g;
    }
    x
}

fn merge_sorted(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out.sort_unstable();
    out.dedup();
    out
}

/// Cluster the rows of `members` (rows of all orgs together; `org_of[row]` is the row's org)
/// into people.
pub fn link_people(
    members: &TokenTable,
    org_of: &[u32],
    opts: &Options,
) -> Result<People, LinkError> {
    opts.check()?;
    let n = members.rows();
    if org_of.len() != n {
        return Err(LinkError::OrgCount {
            rows: n,
            orgs: org_of.len(),
        });
    }
    if n >= u32::MAX as usize {
        return Err(LinkError::TooLarge);
    }
    let cands = self_pairs(members, opts.max_holders);
    let pairs = infer_pairs(&cands, members.kinds());
    drop(cands);
    let (comp, n_anchor) = if opts.order_independent_anchors {
        competitors_symmetric(&pairs, n, opts)
    } else {
        competitors(&pairs, n, n, opts)
    };
    let org = |r: u32| org_of[r as usize];
    // u: competitors, plus every pair within one org (mostly households); a competitor pair
    // within one org counts twice, as in the reference
    let mut u_hist = histogram(&pairs, |i, _| comp[i]);
    for p in &pairs {
        if org(p.a) == org(p.b) {
            u_hist[p.pattern as usize] += 1;
        }
    }
    let with_share;
    let opts = if opts.household_rule && opts.household_share.is_none() {
        with_share = Options {
            household_share: Some(within_org_household_share(&pairs, org_of, opts)),
            ..opts.clone()
        };
        &with_share
    } else {
        opts
    };
    let model = fit(&pairs, &u_hist, n_anchor, opts)?;
    let thr = model.params.threshold_bits;
    let mut links: Vec<(f64, u32, u32)> = pairs
        .iter()
        .map(|p| (model.pattern_weight[p.pattern as usize], p.a, p.b))
        .filter(|&(w, _, _)| w >= thr)
        .collect();
    links.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)).then(y.2.cmp(&x.2)));

    // ambiguity: per (row, other org), the two best cross-org links
    let mut ends: Vec<(u32, u32, f64)> = Vec::new();
    for &(w, a, b) in &links {
        if org(a) != org(b) {
            ends.push((a, org(b), w));
            ends.push((b, org(a), w));
        }
    }
    ends.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(y.2.total_cmp(&x.2)));
    let mut amb = vec![false; n];
    for g in ends.chunk_by(|x, y| x.0 == y.0 && x.1 == y.1) {
        if g.len() > 1 && g[0].2 - g[1].2 < opts.ambiguity_bits {
            amb[g[0].0 as usize] = true;
        }
    }

    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut orgs: Vec<Vec<u32>> = org_of.iter().map(|&o| vec![o]).collect();
    for &(_, i, j) in &links {
        let same_org = org(i) == org(j);
        if !same_org && (amb[i as usize] || amb[j as usize]) {
            continue;
        }
        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
        if a == b {
            continue;
        }
        if !same_org && share(&orgs[a as usize], &orgs[b as usize]) {
            continue;
        }
        parent[b as usize] = a;
        let ob = std::mem::take(&mut orgs[b as usize]);
        orgs[a as usize] = merge_sorted(&orgs[a as usize], &ob);
    }
    // canonical ids: the smallest row of each cluster
    let mut smallest = vec![u32::MAX; n];
    let mut roots = Vec::with_capacity(n);
    for r in 0..n as u32 {
        let root = find(&mut parent, r);
        roots.push(root);
        let s = &mut smallest[root as usize];
        *s = (*s).min(r);
    }
    let cluster_of: Vec<u32> = roots.iter().map(|&root| smallest[root as usize]).collect();
    let people = smallest.iter().filter(|&&s| s != u32::MAX).count();
    Ok(People {
        cluster_of,
        people,
        links: links
            .iter()
            .map(|&(w, a, b)| Link {
                a,
                b,
                weight_bits: w,
                posterior: model.posterior(w),
            })
            .collect(),
        ambiguous_rows: (0..n as u32).filter(|&r| amb[r as usize]).collect(),
        params: model.params,
    })
}

/// The share of rows that have a household pair (first names differ, last name and address
/// agree, nothing personal agrees) within their own org, smoothed: (rows + 1) / (n + 1).
fn within_org_household_share(
    pairs: &[super::score::PairRec],
    org_of: &[u32],
    opts: &Options,
) -> f64 {
    let mut in_household = vec![false; org_of.len()];
    for p in pairs {
        if org_of[p.a as usize] == org_of[p.b as usize]
            && super::model::household_pair(p.pattern, opts)
        {
            in_household[p.a as usize] = true;
            in_household[p.b as usize] = true;
        }
    }
    let rows = in_household.iter().filter(|&&h| h).count();
    (rows + 1) as f64 / (org_of.len() + 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::testutil::{kinds, table};
    use crate::spec::kinds::Atom::*;

    #[test]
    fn a_person_gets_one_row_per_org_but_duplicates_inside_an_org_join() {
        let k = kinds(&[
            &[First, Dob, House],
            &[First, Dob, Street],
            &[First, Dob, Zip5],
            &[Last, Dob, House],
        ]);
        // row 0 (org 0); row 1 (org 1) agrees with it on 3 kinds, row 2 (org 1) on 1 kind:
        // row 1 joins, row 2 cannot (org 1 is already in the cluster)
        let t = table(&k, &[&[1, 2, 3, 4], &[1, 2, 9, 4], &[7, 8, 3, 6]]);
        let p = link_people(&t, &[0, 1, 1], &Options::default()).unwrap();
        assert_eq!(p.cluster_of, vec![0, 0, 2]);
        assert_eq!(p.people, 2);
        assert!(p.ambiguous_rows.is_empty());
        assert!(
            p.links
                .windows(2)
                .all(|w| w[0].weight_bits >= w[1].weight_bits)
        );
        // row 3 duplicates row 0 inside org 0: the direct link joins them. As in the
        // reference, rows 1 and 2 now each have two equally close links into org 0 (rows 0
        // and 3) and are left alone
        let t = table(
            &k,
            &[&[1, 2, 3, 4], &[1, 2, 9, 4], &[7, 8, 3, 6], &[1, 2, 3, 4]],
        );
        let p = link_people(&t, &[0, 1, 1, 0], &Options::default()).unwrap();
        assert_eq!(p.cluster_of, vec![0, 1, 2, 0]);
        assert_eq!(p.ambiguous_rows, vec![1, 2]);
    }

    #[test]
    fn a_row_with_two_close_links_into_one_org_is_left_alone() {
        let k = kinds(&[&[First, Dob, House], &[First, Dob, Street]]);
        // row 0 (org 0) agrees with row 1 on first+dob+house and with row 2 on
        // first+dob+street (both org 1): the same levels, so row 0 links to neither
        let t = table(&k, &[&[1, 2], &[1, 5], &[6, 2]]);
        let p = link_people(&t, &[0, 1, 1], &Options::default()).unwrap();
        assert_eq!(p.cluster_of, vec![0, 1, 2]);
        assert_eq!(p.ambiguous_rows, vec![0]);
        assert_eq!(p.links.len(), 2);
    }

    #[test]
    fn org_labels_must_match_rows() {
        let k = kinds(&[&[First, Dob, House]]);
        let t = table(&k, &[&[1], &[1]]);
        assert_eq!(
            link_people(&t, &[0], &Options::default()),
            Err(LinkError::OrgCount { rows: 2, orgs: 1 })
        );
        let p = link_people(&t, &[3, 3], &Options::default()).unwrap();
        assert_eq!(p.cluster_of, vec![0, 0]);
    }
}
