//! A synthetic consortium on disk: org exports in four CRM layouts, a voter file, an
//! opt-out list. Used by `blindmatch demo`, the integration tests and the merge benchmark.
//!
//! Members are drawn mostly from an "engaged" slice of the voter population, so orgs overlap
//! the way real activist lists do, plus some people missing from the voter file. Each export
//! carries dirt (case, gmail dots and tags, lost leading zeros, phone formats, blanks, broken
//! emails) and a few duplicate rows of the same person, written differently, and a column
//! marking the members willing to be messengers for their neighbours.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::RngExt;

use crate::error::{Error, Result};
use crate::synth::{CrmStyle, Generator, Geography, Person};

/// How big a consortium to make.
#[derive(Clone, Copy, Debug)]
pub struct DemoConfig {
    pub orgs: usize,
    /// Members of the largest org; others are smaller.
    pub members: usize,
    pub voters: usize,
    pub seed: u64,
    /// Share of messy values (0 to 1).
    pub dirt: f64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            orgs: 4,
            members: 5_000,
            voters: 50_000,
            seed: 1,
            dirt: 0.3,
        }
    }
}

/// One org's export.
#[derive(Clone, Debug)]
pub struct DemoOrg {
    pub label: String,
    pub style: CrmStyle,
    pub export: PathBuf,
    pub rows: usize,
    /// The export's column marking willing messengers (`hash --messenger-col`).
    pub messenger_col: String,
}

/// The files of a synthetic consortium.
#[derive(Clone, Debug)]
pub struct DemoData {
    pub orgs: Vec<DemoOrg>,
    pub voter_file: PathBuf,
    /// Geography columns of the voter file to keep.
    pub keep: Vec<String>,
    /// The first org's opt-out list (Salsa-style header).
    pub optouts: PathBuf,
    pub optout_rows: usize,
}

const LABELS: &[&str] = &[
    "union-local-1",
    "tenants-united",
    "sunrise-hub",
    "faith-in-action",
    "youth-vote",
    "housing-now",
    "nurses-assn",
    "climate-coalition",
];

/// Person ids of namesake voters, far from the ids of everybody else.
const NAMESAKE_IDS: u64 = 1 << 40;
/// Person ids of members who are not in the voter file.
const OUTSIDER_IDS: u64 = 1 << 41;

const SIZES: &[f64] = &[1.0, 0.7, 0.5, 0.85, 0.6, 0.4, 0.75, 0.55];

/// Share of each org's members who volunteer to write to their neighbours.
const VOLUNTEERS: f64 = 0.06;

/// An org's label in the demo.
pub fn label(i: usize) -> String {
    LABELS
        .get(i)
        .map_or_else(|| format!("org-{}", i + 1), |l| l.to_string())
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(path).map_err(Error::io(path))?,
    ))
}

/// A geography in proportion to the voter file: about a thousand voters per precinct.
fn geography(voters: usize) -> Geography {
    let precincts = (voters / 1000).clamp(40, 3000);
    Geography {
        counties: (precincts / 25).clamp(3, 100),
        districts: (precincts / 7).clamp(6, 14),
        precincts,
    }
}

/// Writes a synthetic consortium into `dir` (which must exist). Streams: memory holds one
/// org's members at a time, never the voter file.
pub fn generate(dir: &Path, cfg: &DemoConfig) -> Result<DemoData> {
    let mut g = Generator::new(cfg.seed)
        .with_geography(geography(cfg.voters))
        .with_volunteers(VOLUNTEERS);
    // Two percent of voters share name and zip with another voter (a parent and child, say):
    // their name_zip tokens are ambiguous and must not match anyone.
    let namesakes = cfg.voters / 50;
    let base = (cfg.voters - namesakes) as u64;
    let voter_file = dir.join("voters.tsv");
    let mut w = create(&voter_file)?;
    let io = |e| Error::io(&voter_file)(e);
    g.write_voter_header(&mut w).map_err(io)?;
    let mut start = 0;
    while start < base {
        let end = (start + 100_000).min(base);
        let batch: Vec<Person> = (start..end).map(|id| g.person(id)).collect();
        g.write_voter_rows(&batch, &mut w).map_err(io)?;
        start = end;
    }
    let twins: Vec<Person> = (0..namesakes as u64)
        .map(|k| {
            let original = g.person(k * 37 % base.max(1));
            Person {
                first: original.first,
                last: original.last,
                zip: original.zip.clone(),
                precinct: original.precinct,
                district: original.district,
                county: original.county,
                ..g.person(NAMESAKE_IDS + k)
            }
        })
        .collect();
    g.write_voter_rows(&twins, &mut w).map_err(io)?;
    w.flush().map_err(io)?;
    drop(w);

    // Members come mostly from an engaged slice of the voters, the rest from people outside
    // the voter file (moved, unregistered, or registered elsewhere).
    let engaged = (cfg.members as u64 * 2).clamp(1, base.max(1));
    let outsiders = cfg.members.max(1) as u64;
    let mut orgs = Vec::new();
    let mut optouts = Vec::new();
    for i in 0..cfg.orgs {
        let style = CrmStyle::ALL[i % CrmStyle::ALL.len()];
        let size = ((cfg.members as f64) * SIZES[i % SIZES.len()])
            .round()
            .max(1.0) as usize;
        let size = size.min((engaged + outsiders) as usize);
        let mut chosen = HashSet::with_capacity(size);
        let mut people: Vec<Person> = Vec::with_capacity(size + size / 50);
        while people.len() < size {
            let id = if base > 0 && g.rng().random_bool(0.85) {
                g.rng().random_range(0..engaged)
            } else {
                OUTSIDER_IDS + g.rng().random_range(0..outsiders)
            };
            if chosen.insert(id) {
                people.push(g.person(id));
            }
        }
        // Duplicate rows inside the org: the same person entered twice.
        for d in 0..people.len() / 50 {
            let p = people[d * 7 % people.len()].clone();
            people.push(p);
        }
        if i == 0 {
            optouts = people.iter().step_by(29).cloned().collect();
        }
        let label = label(i);
        let export = dir.join(format!("{label}.{}", style.file_extension()));
        let mut w = create(&export)?;
        g.write_export(style, &people, cfg.dirt, &mut w)
            .map_err(Error::io(&export))?;
        w.flush().map_err(Error::io(&export))?;
        orgs.push(DemoOrg {
            label,
            style,
            export,
            rows: people.len(),
            messenger_col: style.volunteer_header().to_string(),
        });
    }
    let optout_path = dir.join("optouts.csv");
    let mut w = create(&optout_path)?;
    writeln!(w, "Email Address").map_err(Error::io(&optout_path))?;
    for p in &optouts {
        writeln!(w, "{}@{}", p.email_local, p.email_domain).map_err(Error::io(&optout_path))?;
    }
    w.flush().map_err(Error::io(&optout_path))?;
    Ok(DemoData {
        orgs,
        voter_file,
        keep: vec![
            "precinct_abbrv".into(),
            "cong_dist_abbrv".into(),
            "nc_house_abbrv".into(),
        ],
        optouts: optout_path,
        optout_rows: optouts.len(),
    })
}
