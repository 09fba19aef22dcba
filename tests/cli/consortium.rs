//! A hashed synthetic consortium in a workdir, and a brute-force model of what `merge`
//! must compute from it (plain maps and a breadth-first search: no code shared with the
//! crate's token index or union-find).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::Path;

use blindmatch::demo::{self, DemoConfig, DemoData};
use blindmatch::hash::{HashOptions, HashPlan};
use blindmatch::progress::NoProgress;
use blindmatch::spec::hashfile::FileKind;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::{OrgLabel, Round};
use serde_json::{Value, json};

use crate::workdir::{Hashed, TEST_KEY_HEX, Workdir};

pub const KINDS: [&str; 5] = ["email", "phone", "name_zip", "name_addr", "name_yob_zip"];
pub const PASSES: [&str; 5] = ["email", "phone", "name_yob_zip", "name_addr", "name_zip"];

pub fn test_key() -> ConsortiumKey {
    ConsortiumKey::from_bytes(hex::decode(TEST_KEY_HEX).unwrap().try_into().unwrap())
}

pub struct Consortium {
    pub data: DemoData,
    /// (label, hashed file name) per org, including the extra org.
    pub orgs: Vec<(String, String)>,
    pub voters: String,
    pub optouts: String,
}

pub fn hash(
    wd: &Workdir,
    input: &Path,
    out: &str,
    org: &str,
    kind: FileKind,
    keep: &[String],
    messenger_col: Option<&str>,
) {
    let mut opts = HashOptions::new(input, &wd.path(out), OrgLabel::new(org).unwrap());
    opts.round = Round::new("test-round").unwrap();
    opts.kind = kind;
    opts.keep = keep.to_vec();
    opts.messenger_col = messenger_col.map(str::to_string);
    HashPlan::new(opts)
        .unwrap()
        .run(&test_key(), &NoProgress)
        .unwrap();
}

impl Consortium {
    /// Generates, hashes (marking each org's volunteers as messengers), and adds an org
    /// with no volunteers whose one person is ambiguous in the voter file.
    pub fn build(wd: &Workdir, cfg: DemoConfig) -> Consortium {
        let data = demo::generate(wd.dir(), &cfg).unwrap();
        let mut orgs = Vec::new();
        for org in &data.orgs {
            let out = format!("{}.hashed.csv", org.label);
            let col = Some(org.messenger_col.as_str());
            hash(
                wd,
                &org.export,
                &out,
                &org.label,
                FileKind::Members,
                &[],
                col,
            );
            orgs.push((org.label.clone(), out));
        }
        // Two rows, one person (same email), each naming a different voter by name+address.
        let voters_text = std::fs::read_to_string(&data.voter_file).unwrap();
        let rows: Vec<Vec<&str>> = voters_text
            .lines()
            .skip(1)
            .take(2)
            .map(|l| l.split('\t').collect())
            .collect();
        let mut extra = String::from("email,first_name,last_name,address1,zip\n");
        for r in &rows {
            extra.push_str(&format!(
                "ambiguous.person@example.org,{},{},{},{}\n",
                r[3], r[2], r[5], r[7]
            ));
        }
        extra.push_str(",,,,\n"); // an unusable record
        // Name + zip only, so only the name_zip pass can match: five people whose name and
        // zip two voters share (their token must be ignored) and five whose are unique.
        let mut by_name_zip: HashMap<(String, String, String), usize> = HashMap::new();
        for l in voters_text.lines().skip(1) {
            let f: Vec<&str> = l.split('\t').collect();
            *by_name_zip
                .entry((f[3].into(), f[2].into(), f[7].into()))
                .or_default() += 1;
        }
        let mut shared: Vec<_> = by_name_zip
            .iter()
            .filter(|(_, n)| **n == 2)
            .map(|(k, _)| k.clone())
            .collect();
        let mut unique: Vec<_> = by_name_zip
            .iter()
            .filter(|(_, n)| **n == 1)
            .map(|(k, _)| k.clone())
            .collect();
        shared.sort();
        unique.sort();
        assert!(shared.len() >= 5, "the voter file has namesakes");
        for (first, last, zip) in shared.iter().take(5).chain(unique.iter().take(5)) {
            extra.push_str(&format!(",{first},{last},,{zip}\n"));
        }
        wd.write("extra.csv", extra);
        hash(
            wd,
            &wd.path("extra.csv"),
            "extra.hashed.csv",
            "zz-extra",
            FileKind::Members,
            &[],
            None,
        );
        orgs.push(("zz-extra".into(), "extra.hashed.csv".into()));
        hash(
            wd,
            &data.voter_file,
            "voters.hashed.csv",
            "voters",
            FileKind::Voters,
            &data.keep,
            None,
        );
        hash(
            wd,
            &data.optouts,
            "optouts.hashed.csv",
            &data.orgs[0].label,
            FileKind::Suppression,
            &[],
            None,
        );
        wd.fixed_key();
        Consortium {
            data,
            orgs,
            voters: "voters.hashed.csv".into(),
            optouts: "optouts.hashed.csv".into(),
        }
    }

    pub fn org_files(&self) -> Vec<&str> {
        self.orgs.iter().map(|(_, f)| f.as_str()).collect()
    }

    /// `merge` of these org files with the voter file and the opt-outs into `out`, then any
    /// extra arguments; returns `summary.json`.
    pub fn merge_summary(&self, wd: &Workdir, files: &[&str], out: &str, extra: &[&str]) -> Value {
        let mut args = vec!["merge", "--match", "exact"];
        args.extend_from_slice(files);
        args.extend([
            "--voters",
            self.voters.as_str(),
            "--suppress",
            self.optouts.as_str(),
            "-o",
            out,
        ]);
        args.extend_from_slice(extra);
        wd.run(&args);
        serde_json::from_slice(&wd.read(&format!("{out}/summary.json"))).unwrap()
    }
}

/// The model: people, their orgs, voter outcome and geography.
pub struct Model {
    pub labels: Vec<String>,
    /// Per org: its records' tokens.
    pub records: Vec<Vec<Vec<String>>>,
    /// Per person: set of org indexes.
    pub person_orgs: Vec<BTreeSet<usize>>,
    /// Per person: ("matched", pass) / ("ambiguous", "") / ("unmatched", "").
    pub status: Vec<(String, String)>,
    /// Per person: kept values of the matched voter.
    pub geo: Vec<Option<Vec<String>>>,
    pub kept: Vec<String>,
    pub unusable: u64,
    /// Per person: some token appears in a suppression file.
    pub suppressed: Vec<bool>,
    /// (org, row) -> person
    pub person_of: HashMap<(usize, usize), usize>,
}

impl Model {
    pub fn build(wd: &Workdir, c: &Consortium, suppress: &[&str]) -> Model {
        let mut sorted = c.orgs.clone();
        sorted.sort();
        let labels: Vec<String> = sorted.iter().map(|(l, _)| l.clone()).collect();
        let records: Vec<Vec<Vec<String>>> = sorted
            .iter()
            .map(|(_, f)| {
                Hashed::parse(&wd.read(f))
                    .rows
                    .iter()
                    .map(|r| r[..5].to_vec())
                    .collect()
            })
            .collect();
        // Link on email by BFS over a token -> records map.
        let mut by_email: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        let mut all: Vec<(usize, usize)> = Vec::new();
        let mut unusable = 0;
        for (o, rows) in records.iter().enumerate() {
            for (r, t) in rows.iter().enumerate() {
                if t.iter().all(String::is_empty) {
                    unusable += 1;
                    continue;
                }
                all.push((o, r));
                if !t[0].is_empty() {
                    by_email.entry(&t[0]).or_default().push((o, r));
                }
            }
        }
        let mut person_of: HashMap<(usize, usize), usize> = HashMap::new();
        let mut people: Vec<Vec<(usize, usize)>> = Vec::new();
        for &start in &all {
            if person_of.contains_key(&start) {
                continue;
            }
            let id = people.len();
            let mut group = vec![];
            let mut queue = VecDeque::from([start]);
            person_of.insert(start, id);
            while let Some((o, r)) = queue.pop_front() {
                group.push((o, r));
                let email = &records[o][r][0];
                if email.is_empty() {
                    continue;
                }
                for &next in &by_email[email.as_str()] {
                    if let std::collections::hash_map::Entry::Vacant(e) = person_of.entry(next) {
                        e.insert(id);
                        queue.push_back(next);
                    }
                }
            }
            people.push(group);
        }
        // Voter tokens -> voter rows.
        let voters = Hashed::parse(&wd.read(&c.voters));
        let kept = voters.header[5..].to_vec();
        let mut voter_rows: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
        for (v, row) in voters.rows.iter().enumerate() {
            for (k, token) in row[..5].iter().enumerate() {
                if !token.is_empty() {
                    voter_rows.entry((k, token)).or_default().push(v);
                }
            }
        }
        let kind_index = |name: &str| KINDS.iter().position(|k| *k == name).unwrap();
        let mut status = Vec::new();
        let mut geo = Vec::new();
        for group in &people {
            let mut outcome = ("unmatched".to_string(), String::new());
            let mut matched_voter = None;
            for pass in PASSES {
                let k = kind_index(pass);
                let mut hit: BTreeSet<usize> = BTreeSet::new();
                for &(o, r) in group {
                    let t = &records[o][r][k];
                    if let Some(vs) = voter_rows.get(&(k, t.as_str())) {
                        if vs.len() == 1 {
                            hit.insert(vs[0]);
                        }
                    }
                }
                if hit.len() == 1 {
                    outcome = ("matched".into(), pass.into());
                    matched_voter = hit.into_iter().next();
                    break;
                }
                if hit.len() > 1 {
                    outcome = ("ambiguous".into(), String::new());
                    break;
                }
            }
            status.push(outcome);
            geo.push(matched_voter.map(|v| voters.rows[v][5..].to_vec()));
        }
        let mut suppressed_tokens: HashSet<(usize, String)> = HashSet::new();
        for f in suppress {
            for row in Hashed::parse(&wd.read(f)).rows {
                for (k, token) in row[..5].iter().enumerate() {
                    if !token.is_empty() {
                        suppressed_tokens.insert((k, token.clone()));
                    }
                }
            }
        }
        let suppressed = people
            .iter()
            .map(|g| {
                g.iter().any(|&(o, r)| {
                    (0..5).any(|k| suppressed_tokens.contains(&(k, records[o][r][k].clone())))
                })
            })
            .collect();
        Model {
            person_orgs: people
                .iter()
                .map(|g| g.iter().map(|&(o, _)| o).collect())
                .collect(),
            labels,
            records,
            status,
            geo,
            kept,
            unusable,
            suppressed,
            person_of,
        }
    }

    /// summary.json as the model computes it (fields that do not depend on assignment).
    pub fn expected_summary(&self) -> Value {
        let n = self.labels.len();
        let mut overlap = vec![vec![0u64; n]; n];
        let mut exclusive = vec![0u64; n];
        let mut lists: BTreeMap<String, u64> = BTreeMap::new();
        let mut intersections: BTreeMap<String, u64> = BTreeMap::new();
        let mut org_matched = vec![0u64; n];
        let mut org_ambiguous = vec![0u64; n];
        let (mut matched, mut ambiguous, mut unmatched) = (0u64, 0u64, 0u64);
        let mut by_pass: BTreeMap<String, u64> =
            PASSES.iter().map(|p| (p.to_string(), 0)).collect();
        let mut geography: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let mut geo_counts: BTreeMap<(String, String), (u64, BTreeMap<String, u64>)> =
            BTreeMap::new();
        for (p, orgs) in self.person_orgs.iter().enumerate() {
            *lists.entry(orgs.len().to_string()).or_default() += 1;
            let key: Vec<&str> = orgs.iter().map(|&o| self.labels[o].as_str()).collect();
            *intersections.entry(key.join("+")).or_default() += 1;
            if orgs.len() == 1 {
                exclusive[*orgs.iter().next().unwrap()] += 1;
            }
            for &a in orgs {
                for &b in orgs {
                    overlap[a][b] += 1;
                }
            }
            match self.status[p].0.as_str() {
                "matched" => {
                    matched += 1;
                    *by_pass.get_mut(&self.status[p].1).unwrap() += 1;
                    orgs.iter().for_each(|&o| org_matched[o] += 1);
                }
                "ambiguous" => {
                    ambiguous += 1;
                    orgs.iter().for_each(|&o| org_ambiguous[o] += 1);
                }
                _ => unmatched += 1,
            }
            if let Some(values) = &self.geo[p] {
                for (c, col) in self.kept.iter().enumerate() {
                    let e = geo_counts
                        .entry((col.clone(), values[c].clone()))
                        .or_default();
                    e.0 += 1;
                    for &o in orgs {
                        *e.1.entry(self.labels[o].clone()).or_default() += 1;
                    }
                }
            }
        }
        for ((col, value), (people, orgs)) in geo_counts {
            geography
                .entry(col)
                .or_default()
                .insert(value, json!({"people": people, "orgs": orgs}));
        }
        let named = |v: &[u64]| -> BTreeMap<String, u64> {
            self.labels.iter().cloned().zip(v.iter().copied()).collect()
        };
        let orgs: Vec<Value> = (0..n)
            .map(|o| {
                let rows = &self.records[o];
                json!({
                    "org": self.labels[o],
                    "records": rows.len(),
                    "people": overlap[o][o],
                    "voter_matched": org_matched[o],
                    "voter_ambiguous": org_ambiguous[o],
                    "unusable": rows.iter().filter(|t| t.iter().all(String::is_empty)).count(),
                })
            })
            .collect();
        let overlap: BTreeMap<String, BTreeMap<String, u64>> = (0..n)
            .map(|a| (self.labels[a].clone(), named(&overlap[a])))
            .collect();
        json!({
            "people": self.person_orgs.len(),
            "unusable": self.unusable,
            "orgs": orgs,
            "overlap": overlap,
            "exclusive": named(&exclusive),
            "lists": lists,
            "intersections": intersections,
            "voter": {"matched": matched, "ambiguous": ambiguous, "unmatched": unmatched, "by_pass": by_pass},
            "geography": geography,
            "suppressed": self.suppressed.iter().filter(|&&s| s).count(),
        })
    }
}

/// `blindmatch lookup` with the test key, then any extra arguments.
pub fn lookup_args<'a>(
    key: &'a str,
    input: &'a str,
    matches: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "lookup",
        "--key",
        key,
        "--input",
        input,
        "--matches",
        matches,
    ];
    args.extend_from_slice(extra);
    args
}
