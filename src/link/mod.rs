//! The coordinator's fuzzy scoring (token spec v2, section 12; issue 8): which member rows are
//! which voter, and which member rows are one person, from token equality alone.
//!
//! The coordinator has no key and no values: for two rows it only learns which kinds'
//! tokens are equal. This module turns that into Fellegi-Sunter weights estimated without
//! labels, as the Python reference `experiments/fuzzy/experiment.py` does (measured there:
//! FEBRL4 precision 1.000), and ported from it rule for rule:
//! 1. candidates: pairs sharing a token held by at most [`Options::max_holders`] rows
//!    ([`candidates`]);
//! 2. field levels inferred from the kinds' statuses ([`infer`]);
//! 3. u from competitor pairs (and within-org pairs when linking, and optionally the voter
//!    file's self-join), m from anchored pairs, smoothed towards weak priors; lambda by EM;
//!    weight = sum of log2(m/u) ([`model`]);
//! 4. [`voter_match`]: one-to-one, greedy by weight, with ambiguity; [`link_people`]:
//!    union-find with the org rule.
//!
//! Input is a [`TokenTable`] per side, built by the caller from whatever file format carries
//! the tokens. Everything is deterministic: the results do not depend on the thread count.
//!
//! Measured (the tests in `tests/link/`):
//! - parity: on the committed fixture (3,016 voters, 800 + 800 org rows; `make_fixture.py`)
//!   and, locally, on two 40,000-voter x 5,000-row scenarios and on FEBRL4, the voter match
//!   (with and without the self-join) and the people equal the reference's exactly; on FEBRL4
//!   that is 4,798 matches, all true (precision 1.000, recall 0.9596), and 5,199 people;
//! - speed: 1,000,000 voters x 500,000 members x 30 kinds (synthetic, `tests/link/scale.rs`),
//!   release: `voter_match` 2.9-3.5 s of CPU over 3 runs (5.5-5.9 s wall on 2 cores shared
//!   with other builds, load ~7-8), 425,513 candidate pairs; with the voter self-join 2.5 s
//!   more to compute it (1.2 M voter pairs); `link_people` on the 500,000 rows 1.2 s of CPU.
//!   (That generator is for timing: its precision and recall say nothing about real data);
//! - memory: a table costs 8 bytes per token and 4 per cell (13.3 bytes per token for the
//!   members above); indexing adds 16 bytes per entry of the kinds being sorted (one per
//!   thread) and 16 per candidate pair and agreeing kind.

pub mod candidates;
pub mod infer;
pub mod model;
pub mod people;
mod score;
pub mod table;
pub mod voter;

pub use infer::{FIELD_NAMES, LEVELS};
pub use model::{FieldParams, LevelParams, Params};
pub use people::{Link, People, link_people};
pub use table::{MAX_KINDS, TokenTable};
pub use voter::{Bands, MemberMatch, SelfJoin, VoterMatch, voter_match, voter_match_with};

/// What can go wrong in the scoring: only malformed input or options (there are no values to
/// name).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("a token table may have at most {max} kinds, not {kinds}")]
    TooManyKinds { kinds: usize, max: usize },
    #[error("row {row}: {got} cells given for {expected} kinds")]
    CellCount {
        row: usize,
        expected: usize,
        got: usize,
    },
    #[error("the tables do not have the same kinds in the same order")]
    KindMismatch,
    #[error("more rows or tokens than the scoring can index (2^32)")]
    TooLarge,
    #[error("{rows} rows but {orgs} org labels")]
    OrgCount { rows: usize, orgs: usize },
    #[error("invalid option: {0}")]
    Option(&'static str),
    #[error("internal inconsistency: {0}")]
    Internal(&'static str),
}

/// Tuning of the scoring; the defaults are spec v2 section 12's.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// A token held by more rows than this (both files together) makes no candidates (50).
    pub max_holders: usize,
    /// A pair is a match candidate if its posterior is at least this (0.5).
    pub threshold: f64,
    /// Two best candidates within this many bits make a row ambiguous (1.0).
    pub ambiguity_bits: f64,
    /// Pseudo-pairs of the u prior (50).
    pub u_prior_pairs: f64,
    /// Pseudo-pairs of the m prior (20).
    pub m_prior_pairs: f64,
    /// EM iterations for lambda (30).
    pub em_iterations: usize,
    /// Quasi-identifiers an anchored pair must cover (5).
    pub anchor_min_evidence: u8,
    /// ... and by how many more than the rows' second-best pairs (2).
    pub anchor_margin: u8,
    /// People linking only. false (the reference's rule): a row's best pair, for anchoring,
    /// is taken among the pairs where it is the lower row and, separately, the higher row, so
    /// the anchors (and through u, the weights) depend on row order. true: over all its
    /// pairs, independent of row order. Measured on the synthetic CRM scenario (seed 21, 2 x
    /// 5,000 rows, 8,000 people): 8,261 people with the reference rule, 8,293 with this one;
    /// equal on the harsh one. Off until it is measured better.
    pub order_independent_anchors: bool,
    /// Pairs whose first names are known to differ and that agree on nothing personal (date
    /// or year of birth, phone, email, middle initial) never match: in a household the last
    /// name and the address agree together, which the independence of Fellegi-Sunter would
    /// count twice (true).
    pub household_rule: bool,
    /// With the household rule: the share of records that live with another record of the
    /// same last name. Given, a household pair that agrees on last name and address weighs
    /// them once, jointly: log2(m_last m_addr / share) in place of the two weights (never more
    /// than the two). None: such pairs never match. The voter match takes it from the voter
    /// file (its drop counts); people linking computes it from the pairs within one org when
    /// it is not given.
    pub household_share: Option<f64>,
    /// With the household rule: an email or phone that agrees counts as personal (true). People
    /// linking sets it false: between records whose first names differ, a shared email or
    /// phone is a family's address or line.
    pub contacts_personal: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_holders: 50,
            threshold: 0.5,
            ambiguity_bits: 1.0,
            u_prior_pairs: 50.0,
            m_prior_pairs: 20.0,
            em_iterations: 30,
            anchor_min_evidence: 5,
            anchor_margin: 2,
            order_independent_anchors: false,
            household_rule: true,
            household_share: None,
            contacts_personal: true,
        }
    }
}

impl Options {
    fn check(&self) -> Result<(), LinkError> {
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(LinkError::Option("threshold must be in (0, 1)"));
        }
        if !(self.ambiguity_bits >= 0.0 && self.ambiguity_bits.is_finite()) {
            return Err(LinkError::Option("ambiguity_bits must be finite and >= 0"));
        }
        let positive = |x: f64| x > 0.0 && x.is_finite();
        if !positive(self.u_prior_pairs) || !positive(self.m_prior_pairs) {
            return Err(LinkError::Option(
                "prior pseudo-pairs must be finite and > 0",
            ));
        }
        if self.max_holders < 2 {
            return Err(LinkError::Option("max_holders must be at least 2"));
        }
        if let Some(share) = self.household_share {
            if !(share > 0.0 && share <= 1.0) {
                return Err(LinkError::Option("household_share must be in (0, 1]"));
            }
        }
        if self.em_iterations > 10_000 {
            return Err(LinkError::Option("em_iterations must be at most 10000"));
        }
        Ok(())
    }
}

/// The tables' kinds must be the same, in the same order.
fn same_kinds(a: &TokenTable, b: &TokenTable) -> Result<(), LinkError> {
    if a.kinds() == b.kinds() {
        Ok(())
    } else {
        Err(LinkError::KindMismatch)
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::TokenTable;
    use crate::spec::kinds::{Atom, KindDef};

    /// Kinds from atom lists (names are the atoms joined, as the kinds table names them).
    pub fn kinds(defs: &[&[Atom]]) -> Vec<KindDef> {
        defs.iter()
            .map(|a| KindDef {
                name: a.iter().map(|x| x.name()).collect::<Vec<_>>().join("_"),
                atoms: a.to_vec(),
            })
            .collect()
    }

    /// A table of single-token cells; 0 is an empty cell.
    pub fn table(kinds: &[KindDef], rows: &[&[u64]]) -> TokenTable {
        let mut t = TokenTable::new(kinds).unwrap();
        for r in rows {
            let cells: Vec<&[u64]> = r
                .iter()
                .map(|t| {
                    if *t == 0 {
                        &[][..]
                    } else {
                        std::slice::from_ref(t)
                    }
                })
                .collect();
            t.push_row(&cells).unwrap();
        }
        t
    }
}
