//! Matching member rows to a voter file (spec v2 section 12, step 8): one-to-one, greedy by
//! weight, and a member whose two best voter candidates are both above the threshold and
//! within [`Options::ambiguity_bits`] of each other is [`MemberMatch::Ambiguous`], never
//! resolved silently.

use crate::spec::kinds::KindDef;

use super::candidates::{cross_pairs, self_pairs};
use super::infer::{Kinds, Status};
use super::model::Params;
use super::score::{competitors, fit, histogram, infer_pairs};
use super::table::TokenTable;
use super::{LinkError, Options, same_kinds};

/// The outcome for one member row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MemberMatch {
    /// Assigned to this voter row (no other member has it).
    Matched {
        voter_row: u32,
        weight_bits: f64,
        posterior: f64,
    },
    /// Two voter candidates above the threshold within the ambiguity margin: not matched.
    Ambiguous { best_bits: f64, second_bits: f64 },
    /// No voter candidate above the threshold, or its candidates went to stronger members.
    Unmatched,
}

/// Matched members per confidence band of the posterior.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bands {
    /// posterior >= 0.99
    pub p99: u64,
    /// 0.9 <= posterior < 0.99
    pub p90: u64,
    /// threshold (0.5) <= posterior < 0.9
    pub p50: u64,
}

/// The result of [`voter_match`].
#[derive(Clone, Debug, PartialEq)]
pub struct VoterMatch {
    /// One outcome per member row, in row order.
    pub members: Vec<MemberMatch>,
    /// Matched members per confidence band.
    pub bands: Bands,
    /// Members matched, ambiguous.
    pub matched: u64,
    pub ambiguous: u64,
    /// The estimated parameters.
    pub params: Params,
}

/// The voter file's self-join: a histogram of kind statuses of pairs of distinct voter rows
/// that share a token before the drop rule (spec v2 section 12 step 5, not normative). Only
/// the voter-file hasher can compute it; it gives u examples where competitor pairs are
/// scarce.
#[derive(Clone, Debug, PartialEq)]
pub struct SelfJoin {
    kinds: Vec<KindDef>,
    hist: Vec<(Status, u64)>,
}

impl SelfJoin {
    /// Compute it from the voter table BEFORE shared tokens are dropped.
    pub fn from_voters(voters: &TokenTable, opts: &Options) -> Result<SelfJoin, LinkError> {
        opts.check()?;
        let mut st = self_pairs(voters, opts.max_holders).status;
        st.sort_unstable();
        let mut hist: Vec<(Status, u64)> = Vec::new();
        for s in st {
            match hist.last_mut() {
                Some((last, c)) if *last == s => *c += 1,
                _ => hist.push((s, 1)),
            }
        }
        Ok(SelfJoin {
            kinds: voters.kinds().to_vec(),
            hist,
        })
    }

    /// A histogram received from elsewhere (e.g. the hasher's metadata).
    pub fn from_histogram(kinds: &[KindDef], hist: Vec<(Status, u64)>) -> SelfJoin {
        SelfJoin {
            kinds: kinds.to_vec(),
            hist,
        }
    }

    /// The histogram: kind statuses and how many voter pairs had them.
    pub fn histogram(&self) -> &[(Status, u64)] {
        &self.hist
    }

    /// The number of voter pairs.
    pub fn pairs(&self) -> u64 {
        self.hist.iter().map(|(_, c)| c).sum()
    }
}

/// Match every member row to at most one voter row ([`voter_match_with`] without self-join).
pub fn voter_match(
    members: &TokenTable,
    voters: &TokenTable,
    opts: &Options,
) -> Result<VoterMatch, LinkError> {
    voter_match_with(members, voters, None, opts)
}

/// Match every member row to at most one voter row, each voter row at most once.
///
/// `self_join`, if given, adds the voter self-join's pairs to the u examples. The tables
/// (and the self-join) must have the same kinds in the same order.
pub fn voter_match_with(
    members: &TokenTable,
    voters: &TokenTable,
    self_join: Option<&SelfJoin>,
    opts: &Options,
) -> Result<VoterMatch, LinkError> {
    opts.check()?;
    same_kinds(members, voters)?;
    if members.rows() + voters.rows() >= u32::MAX as usize {
        return Err(LinkError::TooLarge);
    }
    let cands = cross_pairs(members, voters, opts.max_holders);
    let pairs = infer_pairs(&cands, members.kinds());
    drop(cands);
    let (comp, n_anchor) = competitors(&pairs, members.rows(), voters.rows(), opts);
    let mut u_hist = histogram(&pairs, |i, _| comp[i]);
    if let Some(sj) = self_join {
        if sj.kinds != voters.kinds() {
            return Err(LinkError::KindMismatch);
        }
        let kinds = Kinds::new(voters.kinds());
        for (st, c) in &sj.hist {
            u_hist[kinds.infer(st).pattern as usize] += c;
        }
    }
    let model = fit(&pairs, &u_hist, n_anchor, opts)?;
    let thr = model.params.threshold_bits;
    let weight = |p: &super::score::PairRec| model.pattern_weight[p.pattern as usize];

    let n = members.rows();
    let mut out = vec![MemberMatch::Unmatched; n];
    let mut ambiguous = vec![false; n];
    // pairs are sorted by member row: the best two above the threshold of each member
    for group in pairs.chunk_by(|x, y| x.a == y.a) {
        let (mut b1, mut b2) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for p in group {
            let w = weight(p);
            if w < thr {
                continue;
            }
            if w > b1 {
                b2 = b1;
                b1 = w;
            } else if w > b2 {
                b2 = w;
            }
        }
        if b2 >= thr && b1 - b2 < opts.ambiguity_bits {
            let a = group[0].a as usize;
            ambiguous[a] = true;
            out[a] = MemberMatch::Ambiguous {
                best_bits: b1,
                second_bits: b2,
            };
        }
    }
    let mut order: Vec<(f64, u32, u32)> = pairs
        .iter()
        .map(|p| (weight(p), p.a, p.b))
        .filter(|&(w, a, _)| w >= thr && !ambiguous[a as usize])
        .collect();
    // strongest first; ties as the reference: larger member row, then larger voter row
    order.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)).then(y.2.cmp(&x.2)));
    let mut taken = vec![false; voters.rows()];
    let mut bands = Bands::default();
    let mut matched = 0;
    for (w, a, b) in order {
        let (a, b) = (a as usize, b as usize);
        if !matches!(out[a], MemberMatch::Unmatched) || taken[b] {
            continue;
        }
        taken[b] = true;
        let posterior = model.posterior(w);
        out[a] = MemberMatch::Matched {
            voter_row: b as u32,
            weight_bits: w,
            posterior,
        };
        matched += 1;
        if posterior >= 0.99 {
            bands.p99 += 1;
        } else if posterior >= 0.9 {
            bands.p90 += 1;
        } else {
            bands.p50 += 1;
        }
    }
    Ok(VoterMatch {
        members: out,
        bands,
        matched,
        ambiguous: ambiguous.iter().filter(|&&a| a).count() as u64,
        params: model.params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::testutil::{kinds, table};
    use crate::spec::kinds::Atom::*;

    fn ks() -> Vec<KindDef> {
        kinds(&[
            &[First, Dob, House],
            &[First, Dob, Street],
            &[First, Dob, Zip5],
            &[Last, Dob, House],
        ])
    }

    fn voter_of(r: &VoterMatch, m: usize) -> Option<u32> {
        match r.members[m] {
            MemberMatch::Matched { voter_row, .. } => Some(voter_row),
            _ => None,
        }
    }

    #[test]
    fn each_voter_goes_once_to_the_strongest_member() {
        let k = ks();
        // member 0 agrees with voter 0 on three kinds, member 1 on one: member 0 wins although
        // ties would favour the larger row; member 2 is a plain match of voter 1
        let members = table(&k, &[&[1, 2, 3, 4], &[1, 92, 93, 94], &[11, 12, 13, 14]]);
        let voters = table(&k, &[&[1, 2, 3, 5], &[11, 12, 13, 14]]);
        let r = voter_match(&members, &voters, &Options::default()).unwrap();
        assert_eq!(voter_of(&r, 0), Some(0));
        assert_eq!(r.members[1], MemberMatch::Unmatched);
        assert_eq!(voter_of(&r, 2), Some(1));
        assert_eq!(r.matched, 2);
        assert_eq!(r.bands.p99 + r.bands.p90 + r.bands.p50, 2);
        if let MemberMatch::Matched {
            posterior,
            weight_bits,
            ..
        } = r.members[0]
        {
            assert!((0.5..=1.0).contains(&posterior) && weight_bits > 0.0);
        }
        // two identical member rows: the voter goes to one of them only
        let members = table(&k, &[&[1, 2, 3, 4], &[1, 2, 3, 4]]);
        let voters = table(&k, &[&[1, 2, 3, 4]]);
        let r = voter_match(&members, &voters, &Options::default()).unwrap();
        assert_eq!(r.matched, 1);
        assert_eq!(r.ambiguous, 0);
    }

    #[test]
    fn two_close_candidates_make_a_member_ambiguous() {
        let k = ks();
        // voter 0 agrees on first+dob+house, voter 1 on first+dob+street: the same levels
        let members = table(&k, &[&[1, 2, 0, 0], &[11, 12, 13, 14]]);
        let voters = table(&k, &[&[1, 7, 0, 0], &[8, 2, 0, 0], &[11, 12, 13, 14]]);
        let r = voter_match(&members, &voters, &Options::default()).unwrap();
        assert!(
            matches!(r.members[0], MemberMatch::Ambiguous { best_bits, second_bits } if best_bits == second_bits)
        );
        assert_eq!(voter_of(&r, 1), Some(2));
        assert_eq!((r.matched, r.ambiguous), (1, 1));
        // with no ambiguity margin the tie is resolved (one-to-one still holds)
        let opts = Options {
            ambiguity_bits: 0.0,
            ..Options::default()
        };
        let r = voter_match(&members, &voters, &opts).unwrap();
        assert_eq!(r.ambiguous, 0);
        assert!(voter_of(&r, 0).is_some());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let k = ks();
        let members = table(&k, &[&[1, 2, 3, 4]]);
        let other = table(&k[..3], &[&[1, 2, 3]]);
        assert_eq!(
            voter_match(&members, &other, &Options::default()),
            Err(LinkError::KindMismatch)
        );
        for bad in [
            Options {
                threshold: 1.0,
                ..Options::default()
            },
            Options {
                threshold: f64::NAN,
                ..Options::default()
            },
            Options {
                max_holders: 1,
                ..Options::default()
            },
            Options {
                ambiguity_bits: -1.0,
                ..Options::default()
            },
        ] {
            assert!(matches!(
                voter_match(&members, &members, &bad),
                Err(LinkError::Option(_))
            ));
        }
        let empty = table(&k, &[]);
        let r = voter_match(&empty, &members, &Options::default()).unwrap();
        assert!(r.members.is_empty());
        let r = voter_match(&members, &empty, &Options::default()).unwrap();
        assert_eq!(r.members, vec![MemberMatch::Unmatched]);
        let none = TokenTable::new(&[]).unwrap();
        assert!(voter_match(&none, &none, &Options::default()).is_ok());
    }

    #[test]
    fn self_join_counts_voter_pairs_before_the_drop() {
        let k = ks();
        // a household: two voters share the house kind's token
        let voters = table(&k, &[&[1, 2, 3, 4], &[5, 6, 7, 4], &[8, 9, 10, 11]]);
        let sj = SelfJoin::from_voters(&voters, &Options::default()).unwrap();
        assert_eq!(sj.pairs(), 1);
        let (dropped, n) = voters.without_shared_tokens();
        assert_eq!(n, vec![0, 0, 0, 1]);
        let members = table(&k, &[&[1, 2, 3, 4]]);
        let r = voter_match_with(&members, &dropped, Some(&sj), &Options::default()).unwrap();
        assert_eq!(voter_of(&r, 0), Some(0));
        assert!(r.params.u_pairs >= 1);
    }
}
