//! `merge`: the coordinator's join of every org's hashed file with a hashed voter file.
//!
//! The coordinator does not hold the key: everything here works on tokens alone. Member
//! tokens are loaded into per-kind [`TokenIndex`]es (memory grows with member tokens), the
//! voter file streams past them in parallel blocks (memory does not grow with voter rows),
//! records sharing a link token are joined into people with a union-find, and each person is
//! matched to at most one voter record by passes from the strongest kind to the weakest.
//! Every ordering decision depends on content only, so the same inputs give byte-identical
//! outputs whatever the argument order or thread count.
//!
//! This file checks the inputs and runs the phases; `scan` reads hashed files, `people`
//! links records and matches voters, `count` makes summary.json's numbers, `messengers`
//! chooses each person's messenger, and `output` writes the output directory.

pub mod assign;
mod count;
pub mod index;
pub mod messenger;
mod messengers;
mod output;
mod people;
mod scan;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::link::TokenTable;
use crate::progress::Progress;
use crate::report::summary::{
    AssignmentSummary, CommonContacts, GeoCount, OrgSummary, Summary, VoterSummary,
};
use crate::spec::hashfile::{
    self, FileKind, HashedFile, Metadata, RowBlock, SPEC_VERSION, parse_row_spec,
};
use crate::spec::kinds::{Atom, KindDef, all_kinds, v2_kinds};
use crate::spec::token::Kind;
use assign::{Policy, Target};
use index::TokenIndex;
use messenger::MessengerOptions;

use count::*;
use messengers::NO_RECORD;
pub use output::MATCH_TABLE_MAGIC;
use output::*;
pub(crate) use people::People;
use people::*;
use scan::*;

/// The voter-match passes, strongest first.
pub const PASSES: [Kind; 5] = [
    Kind::Email,
    Kind::Phone,
    Kind::NameYobZip,
    Kind::NameAddr,
    Kind::NameZip,
];

/// At most this many org files: an org set is a 64-bit mask per person.
pub const MAX_ORGS: usize = 64;

const NO_PERSON: u32 = u32::MAX;
const NO_GEO: u32 = u32::MAX;

/// How member records are matched to voter records and linked into people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MatchMode {
    /// Token spec v2 scoring: candidates share a composite token, field agreement is inferred
    /// from which kinds agree, weights are estimated without labels (docs/token-spec-v2.md).
    #[default]
    Fuzzy,
    /// The v1 passes: a person matches the single voter record holding its token, strongest
    /// kind first; records link on `link_on` tokens only.
    Exact,
}

impl MatchMode {
    pub fn name(self) -> &'static str {
        match self {
            MatchMode::Fuzzy => "fuzzy",
            MatchMode::Exact => "exact",
        }
    }

    pub fn from_name(name: &str) -> Option<MatchMode> {
        [MatchMode::Fuzzy, MatchMode::Exact]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// What to merge.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    pub orgs: Vec<PathBuf>,
    pub voters: Option<PathBuf>,
    pub suppress: Vec<PathBuf>,
    pub out_dir: PathBuf,
    /// Kinds that link records into people (email, optionally phone).
    pub link_on: Vec<Kind>,
    pub assign: Option<Policy>,
    pub target: Option<Target>,
    /// `--messenger-by COL [--messenger-cap N]`: a messenger for each assigned person.
    pub messengers: Option<MessengerOptions>,
    pub match_mode: MatchMode,
    pub force: bool,
}

impl MergeOptions {
    pub fn new(orgs: Vec<PathBuf>, out_dir: &Path) -> MergeOptions {
        MergeOptions {
            orgs,
            voters: None,
            suppress: Vec::new(),
            out_dir: out_dir.to_path_buf(),
            link_on: vec![Kind::Email],
            assign: None,
            target: None,
            messengers: None,
            match_mode: MatchMode::default(),
            force: false,
        }
    }
}

/// How a person was matched to a voter record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKey {
    /// By a pass of `--match exact`: the single voter record holding the person's token.
    Pass(Kind),
    /// By the scoring of `--match fuzzy`.
    Fuzzy,
}

impl MatchKey {
    pub fn name(self) -> &'static str {
        match self {
            MatchKey::Pass(kind) => kind.name(),
            MatchKey::Fuzzy => "fuzzy",
        }
    }
}

/// A person's voter-file outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoterStatus {
    Matched(MatchKey),
    Ambiguous,
    Unmatched,
    /// No voter file was given.
    NotChecked,
}

impl VoterStatus {
    pub fn name(self) -> &'static str {
        match self {
            VoterStatus::Matched(_) => "matched",
            VoterStatus::Ambiguous => "ambiguous",
            VoterStatus::Unmatched => "unmatched",
            VoterStatus::NotChecked => "",
        }
    }

    pub fn match_key(self) -> &'static str {
        match self {
            VoterStatus::Matched(key) => key.name(),
            _ => "",
        }
    }
}

/// Figures about a merge run, for the coordinator's terminal.
#[derive(Clone, Debug, Default)]
pub struct MergeStats {
    pub member_records: u64,
    pub member_tokens: u64,
    pub index_bytes: u64,
    pub voter_records: u64,
    pub outputs: Vec<PathBuf>,
    /// Seconds per phase, in order.
    pub phases: Vec<(&'static str, f64)>,
}

/// The result of a merge: the summary written and some figures.
pub struct MergeResult {
    pub summary: Summary,
    pub stats: MergeStats,
}

struct Input {
    path: PathBuf,
    meta: Metadata,
}

fn incompatible(path: &Path, why: String) -> Error {
    Error::Incompatible {
        path: path.to_path_buf(),
        why,
    }
}

/// Opens every input, checks they belong together; nothing is written if they do not.
fn validate(opts: &MergeOptions) -> Result<(Vec<Input>, Option<Input>, Vec<Input>)> {
    if opts.orgs.is_empty() {
        return Err(Error::Usage("merge needs at least one org file".into()));
    }
    if opts.orgs.len() > MAX_ORGS {
        return Err(Error::Usage(format!(
            "merge takes at most {MAX_ORGS} org files"
        )));
    }
    if !opts.force && opts.out_dir.exists() {
        return Err(Error::OutputExists(opts.out_dir.clone()));
    }
    if let Ok(out) = opts.out_dir.canonicalize() {
        let inputs = opts.orgs.iter().chain(&opts.voters).chain(&opts.suppress);
        for input in inputs {
            if input.canonicalize().is_ok_and(|i| i.starts_with(&out)) {
                return Err(Error::Usage(format!(
                    "{} is inside the output directory {}, which --force would replace: \
                     choose another output directory",
                    input.display(),
                    opts.out_dir.display()
                )));
            }
        }
    }
    let open = |path: &PathBuf, want: FileKind| -> Result<Input> {
        let meta = hashfile::read_metadata(path)?;
        if meta.kind != want {
            return Err(incompatible(
                path,
                format!("is a {} file; expected a {want} file here", meta.kind),
            ));
        }
        if !hashfile::spec_supported(meta.spec) {
            return Err(incompatible(
                path,
                format!(
                    "was made under spec version {}; this program reads versions 1 to {SPEC_VERSION}",
                    meta.spec
                ),
            ));
        }
        if opts.match_mode == MatchMode::Fuzzy && meta.spec < 2 && want != FileKind::Suppression {
            return Err(incompatible(
                path,
                format!(
                    "was hashed under spec version {}, which has no tokens for fuzzy matching: \
                     hash it again with this version, or merge with --match exact",
                    meta.spec
                ),
            ));
        }
        Ok(Input {
            path: path.clone(),
            meta,
        })
    };
    let mut orgs: Vec<Input> = opts
        .orgs
        .iter()
        .map(|p| open(p, FileKind::Members))
        .collect::<Result<_>>()?;
    let voters = opts
        .voters
        .as_ref()
        .map(|p| open(p, FileKind::Voters))
        .transpose()?;
    let suppress: Vec<Input> = opts
        .suppress
        .iter()
        .map(|p| open(p, FileKind::Suppression))
        .collect::<Result<_>>()?;
    let first = &orgs[0];
    for input in orgs.iter().chain(voters.iter()).chain(suppress.iter()) {
        if input.meta.fingerprint != first.meta.fingerprint {
            return Err(incompatible(
                &input.path,
                format!(
                    "was hashed under key {} but {} under key {}: all files must use the same consortium key",
                    input.meta.fingerprint,
                    first.path.display(),
                    first.meta.fingerprint
                ),
            ));
        }
        if input.meta.round != first.meta.round {
            return Err(incompatible(
                &input.path,
                format!(
                    "is from round {} but {} is from round {}: tokens of different rounds never match",
                    input.meta.round,
                    first.path.display(),
                    first.meta.round
                ),
            ));
        }
    }
    orgs.sort_by(|a, b| a.meta.org.cmp(&b.meta.org));
    for pair in orgs.windows(2) {
        if pair[0].meta.org == pair[1].meta.org {
            return Err(incompatible(
                &pair[1].path,
                format!(
                    "has org label '{}', as does {}: each org file needs its own label",
                    pair[1].meta.org,
                    pair[0].path.display()
                ),
            ));
        }
    }
    let total: u64 = orgs.iter().map(|o| o.meta.rows).sum();
    if total >= u64::from(NO_PERSON) {
        return Err(Error::Usage("more than 4 billion member records".into()));
    }
    if let Some(v) = voters
        .as_ref()
        .filter(|v| v.meta.rows >= u64::from(u32::MAX))
    {
        return Err(incompatible(&v.path, "has more than 4 billion rows".into()));
    }
    Ok((orgs, voters, suppress))
}

/// Runs the merge and writes OUT_DIR atomically.
pub fn merge(opts: &MergeOptions, progress: &dyn Progress) -> Result<MergeResult> {
    let (orgs, voters, suppress) = validate(opts)?;
    let labels = org_labels(&orgs);
    if let Some(policy) = &opts.assign {
        policy.check(&labels)?;
    }
    let (voter_columns, household_share) = match &voters {
        Some(v) => {
            let file = HashedFile::open(&v.path)?;
            let share = people::household_share(&file.meta);
            (file.kept, share)
        }
        None => (Vec::new(), None),
    };
    if let Some(target) = &opts.target {
        if opts.assign.is_none() {
            return Err(Error::Usage("--target goes with --assign".into()));
        }
        target.check(&voter_columns)?;
    }
    if let Some(m) = &opts.messengers {
        messengers::check(m, opts, &voter_columns, &orgs)?;
    }
    let mut clock = std::time::Instant::now();
    let mut phases = Vec::new();
    let mut lap = |name: &'static str| {
        phases.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let fuzzy = opts.match_mode == MatchMode::Fuzzy;
    let mut members = load_members(&orgs, fuzzy, progress)?;
    let common = if fuzzy {
        take_common_contacts(&mut members)
    } else {
        CommonTokens::default()
    };
    lap("load members");
    let (hits, voter_candidates) = match &voters {
        Some(v) if fuzzy => {
            let (hits, candidates) = scan_voters_fuzzy(v, &members, progress)?;
            (Some(hits), Some(candidates))
        }
        Some(v) => (Some(scan_voters(v, &members, progress)?), None),
        None => (None, None),
    };
    lap("voter file");
    let suppressed = if suppress.is_empty() {
        None
    } else {
        Some(scan_suppression(&suppress, &members, progress)?)
    };
    let linked = if fuzzy {
        link_people_fuzzy(&members, &opts.link_on, &common)?
    } else {
        link_people(&members, &opts.link_on)
    };
    lap("link people");
    let voter_side = match (&hits, &voter_candidates) {
        (Some(h), Some(c)) => Some(VoterSide::Fuzzy(h, c, household_share)),
        (Some(h), None) => Some(VoterSide::Exact(h)),
        _ => None,
    };
    let people = resolve_people(&members, linked, voter_side, suppressed.as_ref(), &common)?;
    let not_applied = suppressed
        .as_ref()
        .map_or(0, |s| common.opt_outs_not_applied(&members, s));
    let common_contacts = common.summary(&link_kinds(), not_applied);
    lap("voter match");
    let assignment = opts.assign.as_ref().map(|policy| {
        let eligible = assign::eligible(
            &people,
            opts.target.as_ref(),
            hits.as_ref().map(|h| (&h.columns, &h.values, &h.geo_rows)),
        );
        assign::assign(policy, &people, &eligible, &labels)
    });
    let mut summary = summarize(
        &orgs,
        &members,
        &people,
        hits.as_ref(),
        &opts.link_on,
        opts.match_mode,
        assignment.as_ref(),
    );
    summary.common_contacts = common_contacts;
    lap("assign and count");
    let messengers = match (&opts.messengers, &hits, &assignment) {
        (Some(m), Some(h), Some(a)) => {
            let plan = messengers::choose(m, &members, &people, h, a, &summary.nesting, &labels);
            summary.messengers = Some(plan.summary);
            lap("messengers");
            Some(plan.record)
        }
        _ => None,
    };

    let parent = match opts.out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::outfile::sweep_litter(&parent);
    let staging_dir = tempfile::Builder::new()
        .prefix(&crate::outfile::temp_prefix("merge-"))
        .tempdir_in(&parent)
        .map_err(Error::io(&parent))?;
    fs::create_dir(staging_dir.path().join("orgs")).map_err(Error::io(staging_dir.path()))?;
    let mut staging = Staging {
        dir: staging_dir.path().to_path_buf(),
        entries: Vec::new(),
    };
    staging.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary).map_err(|e| Error::Usage(e.to_string()))?;
        w.write_all(b"\n").map_err(Error::io("summary.json"))
    })?;
    let tables = Tables {
        people: &people,
        hits: hits.as_ref(),
        columns: &voter_columns,
        assignment: assignment.as_ref(),
        messengers: messengers.as_deref(),
        labels: &labels,
        scored: fuzzy,
    };
    for (o, org) in orgs.iter().enumerate() {
        let name = format!("orgs/{}.csv", org.meta.org);
        let base = members.starts[o];
        progress.phase(&format!("write {}", org.meta.org), org.meta.rows);
        staging.write(&name, |w| {
            tables.write_org_table(org, o, base, &name, w, progress)
        })?;
    }
    staging.write("consortium.csv", |w| tables.write_consortium(w))?;
    let mut inputs: Vec<&Input> = orgs.iter().collect();
    inputs.extend(voters.iter());
    inputs.extend(suppress.iter());
    let manifest = Manifest {
        generator: format!("blindmatch {}", env!("CARGO_PKG_VERSION")),
        inputs: inputs
            .iter()
            .map(|i| ManifestInput {
                file: i
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                kind: i.meta.kind.to_string(),
                org: i.meta.org.to_string(),
                rows: i.meta.rows,
                key_fingerprint: i.meta.fingerprint.to_string(),
                round: i.meta.round.as_str().to_string(),
                spec: i.meta.spec,
            })
            .collect(),
        outputs: std::mem::take(&mut staging.entries),
    };
    let manifest_path = staging.dir.join("manifest.json");
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Usage(e.to_string()))?;
    fs::write(&manifest_path, [text, b"\n".to_vec()].concat())
        .map_err(Error::io(&manifest_path))?;

    let outputs = manifest
        .outputs
        .iter()
        .map(|e| opts.out_dir.join(&e.file))
        .chain([opts.out_dir.join("manifest.json")])
        .collect();
    publish(staging_dir, &opts.out_dir, opts.force)?;
    lap("write outputs");
    let stats = MergeStats {
        member_records: members.records() as u64,
        member_tokens: members.index.iter().map(|ix| ix.records_len() as u64).sum(),
        index_bytes: members.index.iter().map(|ix| ix.heap_bytes() as u64).sum(),
        voter_records: hits.as_ref().map_or(0, |h| h.records),
        outputs,
        phases,
    };
    Ok(MergeResult { summary, stats })
}

/// Moves the finished staging directory into place.
fn publish(staging: tempfile::TempDir, out_dir: &Path, force: bool) -> Result<()> {
    let staged = staging.keep();
    if out_dir.exists() {
        if !force {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::OutputExists(out_dir.to_path_buf()));
        }
        let old = staged.with_extension("old");
        fs::rename(out_dir, &old).map_err(Error::io(out_dir))?;
        fs::rename(&staged, out_dir).map_err(Error::io(out_dir))?;
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(&staged, out_dir).map_err(Error::io(out_dir))?;
    }
    Ok(())
}
