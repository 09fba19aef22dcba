//! `summary.json`: the coordinator's exact numbers, and what `report` reads.
//!
//! Exact counts are for the coordinator only; `report` is what analysts share, with small
//! cells suppressed. Maps are ordered (BTreeMap) so the same merge always writes the same
//! bytes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub spec: u32,
    pub key_fingerprint: String,
    pub round: String,
    /// Token kinds that link records into people (`--match exact`).
    pub link_on: Vec<String>,
    /// `fuzzy` when records were linked and matched by the scoring of token spec v2 (records
    /// sharing a `link_on` token are one person in both modes); absent for `--match exact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    /// Distinct people across all org lists.
    pub people: u64,
    /// Records with no token at all, left out of people.
    pub unusable: u64,
    pub orgs: Vec<OrgSummary>,
    /// People on both lists; the diagonal is each org's people.
    pub overlap: BTreeMap<String, BTreeMap<String, u64>>,
    /// People on that org's list only.
    pub exclusive: BTreeMap<String, u64>,
    /// People by the number of lists they are on ("1", "2", ...).
    pub lists: BTreeMap<String, u64>,
    /// People by the exact set of lists they are on, keyed by the orgs' labels joined with
    /// `+` in label order ("tenants-united+union-local-1"); only non-empty sets appear.
    /// The exclusive counts, the overlaps and the lists histogram are sums of these.
    #[serde(default)]
    pub intersections: BTreeMap<String, u64>,
    /// Voter-file matching; absent when no voter file was given.
    pub voter: Option<VoterSummary>,
    /// For each kept voter-file column: value -> counts over matched people.
    pub geography: BTreeMap<String, BTreeMap<String, GeoCount>>,
    /// `--match fuzzy`: emails and phones too common to link people; absent when there are
    /// none and for `--match exact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_contacts: Option<CommonContacts>,
    /// People with a token in a suppression file (contact = no).
    #[serde(default)]
    pub suppressed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentSummary>,
    /// Per kept column and value: people by lists they are on ("1", "2", "3+").
    #[serde(default)]
    pub tiers: BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>,
    /// Kept columns that nest in others among matched people (each precinct lies in one
    /// district): child column -> parent column -> child value -> parent value. `report`
    /// uses it so that a small precinct cannot be worked out from its district.
    #[serde(default)]
    pub nesting: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    /// Messengers (`merge --messenger-by`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messengers: Option<MessengerSummary>,
}

/// Emails and phones that more member records hold than `max_holders`: placeholders (a
/// required field's `none@none.com`) or lines many people share. `merge --match fuzzy` takes
/// them out of the members' tokens: they make no candidate, count as missing in the scoring,
/// reach no voter record and no opt-out, and join only records that are copies of each other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonContacts {
    pub max_holders: u64,
    /// Member records holding at least one such token.
    pub records: u64,
    /// Per kind (`email`, `email_any`, ...): distinct tokens taken out. For v1's `email`
    /// (`phone`) that includes a token whose every record also holds a common `email_any`
    /// (`phone_any`) token: the placeholder, or a first value not told apart from it (which
    /// still links through `email_any`).
    pub kinds: BTreeMap<String, u64>,
    /// Distinct opt-out tokens that were such a token, and so reached no one.
    #[serde(default)]
    pub opt_outs_not_applied: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub org: String,
    /// Rows in the org's hashed file.
    pub records: u64,
    /// Distinct people on the org's list.
    pub people: u64,
    pub voter_matched: u64,
    pub voter_ambiguous: u64,
    /// Rows with no token.
    pub unusable: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoterSummary {
    pub matched: u64,
    pub ambiguous: u64,
    pub unmatched: u64,
    pub by_pass: BTreeMap<String, u64>,
    /// Rows in the voter file.
    pub voter_records: u64,
    /// `--match fuzzy`: matched people by the posterior probability of their match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<ConfidenceBands>,
}

/// Matched people per confidence band of the match's posterior probability; the three sum
/// to `matched`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfidenceBands {
    /// posterior >= 0.99
    pub high: u64,
    /// 0.9 <= posterior < 0.99
    pub medium: u64,
    /// 0.5 <= posterior < 0.9
    pub low: u64,
}

impl ConfidenceBands {
    /// The bands with their labels, highest first.
    pub fn labelled(&self) -> [(&'static str, u64); 3] {
        [
            ("posterior >= 0.99", self.high),
            ("posterior 0.9 to 0.99", self.medium),
            ("posterior 0.5 to 0.9", self.low),
        ]
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoCount {
    pub people: u64,
    pub orgs: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentSummary {
    pub policy: String,
    pub per_org: BTreeMap<String, u64>,
    pub unassigned_suppressed: u64,
    /// People eligible but outside the target districts (or unmatched when targeting).
    #[serde(default)]
    pub outside_target: u64,
}

impl Summary {
    pub fn load(path: &Path) -> Result<Summary> {
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        let summary = Self::parse(&bytes, path)?;
        if !counts_in_range(&serde_json::to_value(&summary).unwrap_or_default()) {
            return Err(Error::NotOutput {
                path: path.to_path_buf(),
                what: "a merge summary",
                why: format!(
                    "a count is above {MAX_COUNT}, larger than any list: the file is damaged"
                ),
            });
        }
        Ok(summary)
    }

    fn parse(bytes: &[u8], path: &Path) -> Result<Summary> {
        // serde_json's messages can quote the file; say what is wrong and where, only.
        serde_json::from_slice(bytes).map_err(|e| Error::NotOutput {
            path: path.to_path_buf(),
            what: "a merge summary",
            why: match e.classify() {
                serde_json::error::Category::Eof => "it is cut short".to_string(),
                serde_json::error::Category::Syntax => {
                    format!("not valid JSON at line {} column {}", e.line(), e.column())
                }
                _ => format!(
                    "a field is missing or of the wrong type at line {} column {}",
                    e.line(),
                    e.column()
                ),
            },
        })
    }
}

/// Who writes to whom, in counts: messengers per org and per district, how many assigned
/// people have a messenger in their own district, in the enclosing one, or none, and the
/// largest number of people one messenger writes to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessengerSummary {
    /// The kept column whose values count as close by (`--messenger-by`).
    pub by: String,
    /// The enclosing column used where a district has no free messenger; absent when `by`
    /// nests in no other column.
    pub fallback: Option<String>,
    /// `--messenger-cap`: no messenger writes to more people.
    pub cap: Option<u32>,
    pub total: MessengerCount,
    pub per_org: BTreeMap<String, MessengerCount>,
    /// Per value of `by`: messengers living there and the people living there.
    pub districts: BTreeMap<String, MessengerCount>,
    /// Per value of the fallback column, likewise.
    #[serde(default)]
    pub fallback_districts: BTreeMap<String, MessengerCount>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessengerCount {
    /// Messengers: an org's flagged members, voter-matched, not opted out (a person flagged
    /// by two orgs is a messenger of each).
    pub messengers: u64,
    /// People assigned to an org and matched to the voter file.
    pub people: u64,
    /// ... whose messenger lives in their own district.
    pub local: u64,
    /// ... whose messenger lives elsewhere in the enclosing district.
    pub enclosing: u64,
    /// ... with no messenger.
    pub none: u64,
    /// The most people one of these messengers writes to.
    pub largest_load: u64,
}

/// The largest count a summary may hold. Far above any real list, and low enough that the
/// report's sums of many counts cannot overflow: counts read from a file are checked once,
/// here, instead of trusting every addition downstream.
pub const MAX_COUNT: u64 = 1 << 48;

fn counts_in_range(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) => n.as_u64().is_none_or(|n| n <= MAX_COUNT),
        serde_json::Value::Array(items) => items.iter().all(counts_in_range),
        serde_json::Value::Object(map) => map.values().all(counts_in_range),
        _ => true,
    }
}
