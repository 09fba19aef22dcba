//! Tests of `blindmatch::link` against the Python reference of the scoring
//! (`experiments/fuzzy/experiment.py`), through a committed fixture made by
//! `tests/link/make_fixture.py`: the same tokens in, the same matches and people out.
//! Also an `#[ignore]`d timing run at voter-file scale (`cargo test --release --test link --
//! --ignored --nocapture`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use blindmatch::link::{
    MemberMatch, Options, SelfJoin, TokenTable, link_people, voter_match, voter_match_with,
};
use blindmatch::spec::kinds::{Atom, KindDef};

mod scale;

struct Fixture {
    kinds: Vec<KindDef>,
    tables: HashMap<String, TokenTable>,
    /// label -> (python lambda, matches member -> voter, ambiguous members)
    voter: HashMap<String, (f64, BTreeMap<u32, u32>, BTreeSet<u32>)>,
    link_lambda: f64,
    clusters: Vec<u32>,
}

fn atom(letter: &str) -> Atom {
    match letter {
        "F" => Atom::First,
        "FK" => Atom::FirstNick,
        "FN" => Atom::FirstNysiis,
        "FI" => Atom::FirstInit,
        "L" => Atom::Last,
        "LN" => Atom::LastNysiis,
        "NP" => Atom::NamesSorted,
        "M" => Atom::MiddleInit,
        "D" => Atom::Dob,
        "Y" => Atom::Yob,
        "H" => Atom::House,
        "S" => Atom::Street,
        "C" => Atom::City,
        "Z" => Atom::Zip5,
        "P" => Atom::Phone,
        "E" => Atom::Email,
        other => panic!("unknown atom letter {other}"),
    }
}

/// The committed fixture, or the one `BLINDMATCH_LINK_FIXTURE` names (a larger scenario made
/// by `make_fixture.py SEED VOTERS ORG PROFILE DOB`, for a local check).
fn load() -> Fixture {
    let path = std::env::var("BLINDMATCH_LINK_FIXTURE").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/link/fixture.txt").to_string()
    });
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut lines = text.lines().filter(|l| !l.starts_with('#')).peekable();
    let mut f = Fixture {
        kinds: Vec::new(),
        tables: HashMap::new(),
        voter: HashMap::new(),
        link_lambda: 0.0,
        clusters: Vec::new(),
    };
    while let Some(line) = lines.next() {
        let mut w = line.split(' ');
        match w.next() {
            Some("kinds") => {
                let spec = line.trim_start_matches("kinds ");
                f.kinds = spec
                    .split(';')
                    .map(|k| {
                        let atoms: Vec<Atom> = k.split(' ').map(atom).collect();
                        KindDef {
                            name: atoms.iter().map(|a| a.name()).collect::<Vec<_>>().join("_"),
                            atoms,
                        }
                    })
                    .collect();
            }
            Some("table") => {
                let name = w.next().unwrap().to_string();
                let n: usize = w.next().unwrap().parse().unwrap();
                let mut t = TokenTable::new(&f.kinds).unwrap();
                for _ in 0..n {
                    let row = lines.next().unwrap();
                    let cells: Vec<Vec<u64>> = row
                        .split(',')
                        .map(|c| {
                            c.split(' ')
                                .filter(|s| !s.is_empty())
                                .map(|s| u64::from_str_radix(s, 16).unwrap())
                                .collect()
                        })
                        .collect();
                    let refs: Vec<&[u64]> = cells.iter().map(|c| c.as_slice()).collect();
                    t.push_row(&refs).unwrap();
                }
                f.tables.insert(name, t);
            }
            Some("voter_match") => {
                let label = w.next().unwrap().to_string();
                let lam: f64 = w.nth(2).unwrap().parse().unwrap();
                let (mut m, mut a) = (BTreeMap::new(), BTreeSet::new());
                while let Some(l) = lines.peek() {
                    let p: Vec<&str> = l.split(' ').collect();
                    match p[0] {
                        "m" => m
                            .insert(p[1].parse().unwrap(), p[2].parse().unwrap())
                            .map(|_| ()),
                        "a" => a.insert(p[1].parse().unwrap()).then_some(()),
                        _ => break,
                    };
                    lines.next();
                }
                f.voter.insert(label, (lam, m, a));
            }
            Some("link") => f.link_lambda = w.next().unwrap().parse().unwrap(),
            Some("c") => f.clusters = w.map(|c| c.parse().unwrap()).collect(),
            _ => {}
        }
    }
    f
}

fn rust_matches(r: &blindmatch::link::VoterMatch) -> (BTreeMap<u32, u32>, BTreeSet<u32>) {
    let (mut m, mut a) = (BTreeMap::new(), BTreeSet::new());
    for (i, o) in r.members.iter().enumerate() {
        match o {
            MemberMatch::Matched { voter_row, .. } => {
                m.insert(i as u32, *voter_row);
            }
            MemberMatch::Ambiguous { .. } => {
                a.insert(i as u32);
            }
            MemberMatch::Unmatched => {}
        }
    }
    (m, a)
}

#[test]
fn voter_match_equals_the_python_reference() {
    let f = load();
    let members = &f.tables["members"];
    let (voters, _) = f.tables["voters"].without_shared_tokens();
    let opts = Options::default();
    let r = voter_match(members, &voters, &opts).unwrap();
    let (lam, pm, pa) = &f.voter["noselfjoin"];
    let (m, a) = rust_matches(&r);
    assert!(
        (r.params.lambda - lam).abs() < 1e-9,
        "lambda {} vs {}",
        r.params.lambda,
        lam
    );
    assert_eq!(&m, pm);
    assert_eq!(&a, pa);
    assert_eq!(r.matched as usize, pm.len());
    assert_eq!(r.bands.p99 + r.bands.p90 + r.bands.p50, r.matched);

    let sj = SelfJoin::from_voters(&f.tables["voters"], &opts).unwrap();
    assert!(sj.pairs() > 0);
    let r = voter_match_with(members, &voters, Some(&sj), &opts).unwrap();
    let (lam, pm, pa) = &f.voter["selfjoin"];
    let (m, a) = rust_matches(&r);
    assert!(
        (r.params.lambda - lam).abs() < 1e-9,
        "lambda {} vs {}",
        r.params.lambda,
        lam
    );
    assert_eq!(&m, pm);
    assert_eq!(&a, pa);
}

#[test]
fn people_equal_the_python_reference() {
    let f = load();
    let (a, b) = (&f.tables["members"], &f.tables["org_b"]);
    let mut t = TokenTable::new(&f.kinds).unwrap();
    for src in [a, b] {
        for r in 0..src.rows() {
            let cells: Vec<&[u64]> = (0..f.kinds.len()).map(|k| src.cell(r, k)).collect();
            t.push_row(&cells).unwrap();
        }
    }
    let org_of: Vec<u32> = (0..t.rows()).map(|r| u32::from(r >= a.rows())).collect();
    let p = link_people(&t, &org_of, &Options::default()).unwrap();
    assert!((p.params.lambda - f.link_lambda).abs() < 1e-9);
    assert_eq!(f.clusters.len(), p.cluster_of.len());
    // the same partition: a bijection between the reference's ids and ours
    let mut fwd = HashMap::new();
    let mut back = HashMap::new();
    for (py, rs) in f.clusters.iter().zip(&p.cluster_of) {
        assert_eq!(*fwd.entry(py).or_insert(rs), rs);
        assert_eq!(*back.entry(rs).or_insert(py), py);
    }
    assert_eq!(p.people, fwd.len());
}
