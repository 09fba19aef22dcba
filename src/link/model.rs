//! Estimating the Fellegi-Sunter parameters without labels (spec v2 section 12, steps 5-7):
//! u from competitor pairs (and within-org pairs, and the voter self-join), m from anchored
//! pairs, both smoothed towards weak priors; the match share lambda by EM with m and u fixed.
//!
//! Arithmetic follows the Python reference (`estimate`, `em_lambda`, `weight`) operation for
//! operation, including the order of the prior sums, so that weights are bit-identical; the
//! only order that differs is EM's sum over patterns (here by pattern index), which moves
//! lambda by a few ulps at most.

use super::infer::{LEVELS, N_FIELDS, N_PATTERNS, level_missing, level_unknown, pattern_levels};
use super::{LinkError, Options};

/// The m prior of each field: what a same person looks like (pseudo-pair shares).
fn prior_m(f: usize, level: &str) -> f64 {
    let table: &[(&str, f64)] = match f {
        0 => &[
            ("F", 0.80),
            ("K", 0.06),
            ("N", 0.03),
            ("S", 0.02),
            ("I", 0.03),
            ("X", 0.04),
            ("?", 0.02),
        ],
        1 => &[
            ("L", 0.85),
            ("N", 0.05),
            ("S", 0.02),
            ("X", 0.06),
            ("?", 0.02),
        ],
        2 => &[
            ("D", 0.85),
            ("Y", 0.05),
            ("y", 0.03),
            ("X", 0.05),
            ("?", 0.02),
        ],
        3 => &[
            ("HSP", 0.70),
            ("HS", 0.03),
            ("HP", 0.08),
            ("SP", 0.03),
            ("H/S", 0.02),
            ("P", 0.06),
            ("X", 0.05),
            ("?", 0.03),
        ],
        4 => &[("A", 0.8), ("X", 0.1), ("?", 0.1)],
        5 => &[("A", 0.6), ("X", 0.3), ("?", 0.1)],
        _ => &[("A", 0.5), ("X", 0.45), ("?", 0.05)],
    };
    table
        .iter()
        .find(|(l, _)| *l == level)
        .map_or(0.005, |(_, p)| *p)
}

/// The u prior: a different person sharing a token mostly disagrees or is unknown.
fn prior_u(level: &str) -> f64 {
    match level {
        "X" | "?" => 0.35,
        _ => 0.05,
    }
}

/// m, u and weight of one level of one field.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelParams {
    /// The level's name ("F", "HSP", "-", ...).
    pub level: &'static str,
    /// P(level | same person).
    pub m: f64,
    /// P(level | different people sharing a token).
    pub u: f64,
    /// log2(m / u); 0 for "?" and "-".
    pub weight_bits: f64,
    /// Anchored pairs observed at this level (m examples).
    pub m_pairs: u64,
    /// Non-match examples observed at this level (u examples).
    pub u_pairs: u64,
}

/// The estimated parameters of one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldParams {
    pub field: &'static str,
    pub levels: Vec<LevelParams>,
}

/// Everything estimated, for a summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Per field, per level.
    pub fields: Vec<FieldParams>,
    /// The share of candidate pairs that match (EM).
    pub lambda: f64,
    /// The weight at which the posterior equals the threshold.
    pub threshold_bits: f64,
    /// Candidate pairs scored.
    pub candidate_pairs: u64,
    /// Pairs taken as unmistakable matches (their rows' other pairs are competitors).
    pub anchor_pairs: u64,
    /// Non-match examples used for u (competitors, within-org pairs, self-join pairs).
    pub u_pairs: u64,
}

/// Whether a level vector is a household member's rather than the person's: the first names
/// are known to differ and nothing personal agrees (no date or year of birth, phone, email or
/// middle initial). Fellegi-Sunter multiplies the evidence of the last name and the address
/// as if independent, but in a household they agree together, so such pairs would otherwise
/// outweigh the first name's disagreement.
fn household_pattern(lv: &super::infer::Levels, contacts_personal: bool) -> bool {
    let level = |f: usize| super::infer::LEVELS[f][lv[f] as usize];
    let contact = contacts_personal && (level(5) == "A" || level(6) == "A");
    let personal = matches!(level(2), "D" | "Y") || level(4) == "A" || contact;
    level(0) == "X" && !personal
}

/// Whether the last name and the address both agree at some level (the two fields a household
/// shares).
fn last_and_address_agree(lv: &super::infer::Levels) -> bool {
    let level = |f: usize| super::infer::LEVELS[f][lv[f] as usize];
    !matches!(level(1), "X" | "?" | "-") && !matches!(level(3), "X" | "?" | "-")
}

/// Whether a pattern is a household's: the household pattern with last name and address
/// agreeing.
pub(crate) fn household_pair(pattern: u32, opts: &Options) -> bool {
    let lv = pattern_levels(pattern);
    household_pattern(&lv, opts.contacts_personal) && last_and_address_agree(&lv)
}

/// Log-weights per field and level, and per pattern.
pub(crate) struct Model {
    pub params: Params,
    /// Weight in bits of every pattern index of a candidate pair (0 for the others).
    pub pattern_weight: Vec<f64>,
}

impl Model {
    /// Posterior of a weight: lambda 2^w / (lambda 2^w + 1 - lambda).
    pub fn posterior(&self, w: f64) -> f64 {
        let lam = self.params.lambda;
        let x = lam * 2f64.powf(w);
        x / (x + 1.0 - lam)
    }
}

/// Estimate m and u, then lambda, from: `m_counts[f][level]` (anchored pairs of field f,
/// missing excluded), `u_hist` (non-match examples per pattern) and `all_hist` (every
/// candidate pair per pattern).
pub(crate) fn estimate(
    m_counts: &[[u64; 9]; N_FIELDS],
    u_hist: &[u64],
    all_hist: &[u64],
    anchor_pairs: u64,
    opts: &Options,
) -> Result<Model, LinkError> {
    if u_hist.len() != N_PATTERNS || all_hist.len() != N_PATTERNS {
        return Err(LinkError::Internal("pattern histogram size"));
    }
    let mut u_counts = [[0u64; 9]; N_FIELDS];
    let mut u_total = 0u64;
    for (p, &c) in u_hist.iter().enumerate() {
        if c == 0 {
            continue;
        }
        u_total += c;
        let lv = pattern_levels(p as u32);
        for f in 0..N_FIELDS {
            u_counts[f][lv[f] as usize] += c;
        }
    }
    let (alpha, beta) = (opts.u_prior_pairs, opts.m_prior_pairs);
    let mut fields = Vec::with_capacity(N_FIELDS);
    let mut wtab = [[0f64; 9]; N_FIELDS];
    for f in 0..N_FIELDS {
        let names = LEVELS[f];
        let miss = level_missing(f) as usize;
        let unk = level_unknown(f) as usize;
        // the reference sums priors over the levels in sorted order of their names
        let mut sorted: Vec<usize> = (0..names.len()).filter(|&l| l != miss).collect();
        sorted.sort_by(|&a, &b| names[a].cmp(names[b]));
        let zu = sorted.iter().fold(0.0, |z, &l| z + prior_u(names[l]));
        let zm = sorted.iter().fold(0.0, |z, &l| z + prior_m(f, names[l]));
        let nuf: u64 = (0..names.len())
            .filter(|&l| l != miss)
            .map(|l| u_counts[f][l])
            .sum();
        let nmf: u64 = (0..names.len())
            .filter(|&l| l != miss)
            .map(|l| m_counts[f][l])
            .sum();
        let mut levels = Vec::with_capacity(names.len());
        for (l, &name) in names.iter().enumerate() {
            let (m, u) = if l == miss || l == unk {
                (1.0, 1.0)
            } else {
                let u = (u_counts[f][l] as f64 + alpha * prior_u(name) / zu) / (nuf as f64 + alpha);
                let m =
                    (m_counts[f][l] as f64 + beta * prior_m(f, name) / zm) / (nmf as f64 + beta);
                (m, u)
            };
            let w = (m / u).log2();
            wtab[f][l] = w;
            levels.push(LevelParams {
                level: name,
                m,
                u,
                weight_bits: w,
                m_pairs: if l == miss { 0 } else { m_counts[f][l] },
                u_pairs: if l == miss { 0 } else { u_counts[f][l] },
            });
        }
        fields.push(FieldParams {
            field: super::infer::FIELD_NAMES[f],
            levels,
        });
    }
    // weights of the patterns of candidate pairs (the only ones looked up)
    let mut pattern_weight = vec![0.0; N_PATTERNS];
    for (p, w) in pattern_weight.iter_mut().enumerate() {
        if all_hist[p] > 0 {
            let lv = pattern_levels(p as u32);
            let independent = (0..N_FIELDS).fold(0.0, |s, f| s + wtab[f][lv[f] as usize]);
            *w = if opts.household_rule && household_pattern(&lv, opts.contacts_personal) {
                match opts.household_share {
                    Some(share) if last_and_address_agree(&lv) => {
                        // last name and address weigh once, jointly, against the share of
                        // records living with another record of the same last name
                        let (l, a) = (lv[1] as usize, lv[3] as usize);
                        let (last, addr) = (&fields[1].levels[l], &fields[3].levels[a]);
                        let joint_u = share.max(last.u * addr.u);
                        let joint = (last.m * addr.m / joint_u).log2();
                        independent - wtab[1][l] - wtab[3][a] + joint
                    }
                    _ => f64::NEG_INFINITY,
                }
            } else {
                independent
            };
        }
    }
    // EM for lambda with m and u fixed
    let live: Vec<(f64, f64)> = all_hist
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(p, &c)| (c as f64, 2f64.powf(pattern_weight[p])))
        .collect();
    let tot: f64 = all_hist.iter().sum::<u64>() as f64;
    let mut lam = 0.5f64;
    if tot > 0.0 {
        for _ in 0..opts.em_iterations {
            let g = live
                .iter()
                .fold(0.0, |g, &(c, wl)| g + c * lam * wl / (lam * wl + 1.0 - lam));
            lam = (g / tot).clamp(1e-4, 1.0 - 1e-4);
        }
    }
    let p = opts.threshold;
    let threshold_bits = ((1.0 - lam) / lam * p / (1.0 - p)).log2();
    Ok(Model {
        params: Params {
            fields,
            lambda: lam,
            threshold_bits,
            candidate_pairs: all_hist.iter().sum(),
            anchor_pairs,
            u_pairs: u_total,
        },
        pattern_weight,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::infer::pattern_index;

    fn level(f: usize, name: &str) -> u8 {
        LEVELS[f].iter().position(|&l| l == name).unwrap() as u8
    }

    /// Weight of a household pair (first names differ; last name, address agree; nothing
    /// personal) and of the same pair with the date of birth agreeing, under `opts`.
    fn weights(opts: &Options) -> (f64, f64) {
        weights_with(opts, (2, "D"))
    }

    /// [`weights`], the second pair agreeing on field `also.0` at level `also.1`.
    fn weights_with(opts: &Options, also: (usize, &str)) -> (f64, f64) {
        let mut lv = [0u8; N_FIELDS];
        for (f, l) in lv.iter_mut().enumerate() {
            *l = level_missing(f);
        }
        lv[0] = level(0, "X");
        lv[1] = level(1, "L");
        lv[3] = level(3, "HSP");
        let household = pattern_index(&lv) as usize;
        lv[also.0] = level(also.0, also.1);
        let personal = pattern_index(&lv) as usize;
        let mut m_counts = [[0u64; 9]; N_FIELDS];
        m_counts[0][level(0, "F") as usize] = 90;
        m_counts[0][level(0, "X") as usize] = 10;
        let mut u_hist = vec![0u64; N_PATTERNS];
        u_hist[household] = 5;
        let mut all = vec![0u64; N_PATTERNS];
        all[household] = 10;
        all[personal] = 10;
        let model = estimate(&m_counts, &u_hist, &all, 10, opts).unwrap();
        (
            model.pattern_weight[household],
            model.pattern_weight[personal],
        )
    }

    #[test]
    fn household_pairs_weigh_by_the_household_share() {
        let with = |share| Options {
            household_share: share,
            ..Options::default()
        };
        let (refused, personal) = weights(&with(None));
        assert_eq!(refused, f64::NEG_INFINITY);
        let (rare, personal_rare) = weights(&with(Some(0.001)));
        let (common, _) = weights(&with(Some(0.5)));
        let (independent, _) = weights(&Options {
            household_rule: false,
            ..Options::default()
        });
        // the date of birth agreeing makes it no household pair: untouched by the share
        assert_eq!(personal, personal_rare);
        assert!(rare.is_finite() && common.is_finite());
        assert!(common < rare, "{common} {rare}");
        assert!(rare <= independent, "{rare} {independent}");
        // last name and address count as one piece of evidence: log2(m m / 0.5) < 1 bit
        assert!(common < weights(&with(Some(0.5))).1);
    }

    #[test]
    fn a_shared_email_or_phone_is_personal_unless_told_otherwise() {
        for field in [5, 6] {
            let (refused, kept) = weights_with(&Options::default(), (field, "A"));
            assert_eq!(refused, f64::NEG_INFINITY);
            assert!(
                kept.is_finite(),
                "field {field}: a shared contact is personal"
            );
            let family = Options {
                contacts_personal: false,
                ..Options::default()
            };
            let (_, refused_too) = weights_with(&family, (field, "A"));
            assert_eq!(refused_too, f64::NEG_INFINITY, "field {field}: a family's");
        }
    }
}
