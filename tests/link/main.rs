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
mod soundness;

/// The reference's voter match: lambda, member -> voter, ambiguous members.
type Reference = (f64, BTreeMap<u32, u32>, BTreeSet<u32>);

struct Fixture {
    kinds: Vec<KindDef>,
    tables: HashMap<String, TokenTable>,
    /// label -> (python lambda, matches member -> voter, ambiguous members)
    voter: HashMap<String, Reference>,
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

fn assert_equals_reference(r: &blindmatch::link::VoterMatch, reference: &Reference) {
    let (lam, pm, pa) = reference;
    let (m, a) = rust_matches(r);
    assert!(
        (r.params.lambda - lam).abs() < 1e-9,
        "lambda {} vs {lam}",
        r.params.lambda
    );
    assert_eq!(&m, pm);
    assert_eq!(&a, pa);
    assert_eq!(r.matched as usize, pm.len());
    assert_eq!(r.bands.p99 + r.bands.p90 + r.bands.p50, r.matched);
}

#[test]
fn voter_match_equals_the_python_reference() {
    let f = load();
    let members = &f.tables["members"];
    let (voters, _) = f.tables["voters"].without_shared_tokens();
    let opts = Options {
        // the reference has no household rule
        household_rule: false,
        ..Options::default()
    };
    let r = voter_match(members, &voters, &opts).unwrap();
    assert_equals_reference(&r, &f.voter["noselfjoin"]);
    let sj = SelfJoin::from_voters(&f.tables["voters"], &opts).unwrap();
    assert!(sj.pairs() > 0);
    let r = voter_match_with(members, &voters, Some(&sj), &opts).unwrap();
    assert_equals_reference(&r, &f.voter["selfjoin"]);
}

#[test]
fn people_equal_the_python_reference() {
    let f = load();
    // the first org is the voter match's members unless the fixture names it (FEBRL)
    let a = f.tables.get("org_a").unwrap_or(&f.tables["members"]);
    let b = &f.tables["org_b"];
    let mut t = TokenTable::new(&f.kinds).unwrap();
    for src in [a, b] {
        for r in 0..src.rows() {
            let cells: Vec<&[u64]> = (0..f.kinds.len()).map(|k| src.cell(r, k)).collect();
            t.push_row(&cells).unwrap();
        }
    }
    let org_of: Vec<u32> = (0..t.rows()).map(|r| u32::from(r >= a.rows())).collect();
    // the default is the reference's anchor rule: exactly the reference's people
    let opts = Options {
        // the reference has no household rule
        household_rule: false,
        ..Options::default()
    };
    let p = link_people(&t, &org_of, &opts).unwrap();
    assert!((p.params.lambda - f.link_lambda).abs() < 1e-9);
    assert_eq!(f.clusters.len(), p.cluster_of.len());
    assert_eq!(same_cluster_share(&f.clusters, &p.cluster_of), 1.0);
    // the order-independent anchor rule: nearly the same people
    let opts = Options {
        order_independent_anchors: true,
        ..Options::default()
    };
    let q = link_people(&t, &org_of, &opts).unwrap();
    let share = same_cluster_share(&f.clusters, &q.cluster_of);
    println!(
        "people: reference {} / order-independent anchors {} ({:.4} of rows in the same cluster)",
        p.people, q.people, share
    );
    assert!(share >= 0.99, "{share}");
}

/// The share of rows whose cluster (as a set of rows) is the same in both labelings.
fn same_cluster_share(x: &[u32], y: &[u32]) -> f64 {
    let members = |c: &[u32]| {
        let mut m: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, &id) in c.iter().enumerate() {
            m.entry(id).or_default().push(i);
        }
        m
    };
    let (mx, my) = (members(x), members(y));
    let same = (0..x.len()).filter(|&i| mx[&x[i]] == my[&y[i]]).count();
    same as f64 / x.len().max(1) as f64
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
}

/// Rows of `t` in the order `perm` (new row i is old row perm[i]).
fn permuted(t: &TokenTable, perm: &[usize]) -> TokenTable {
    let mut out = TokenTable::new(t.kinds()).unwrap();
    for &r in perm {
        let cells: Vec<&[u64]> = (0..t.kinds().len()).map(|k| t.cell(r, k)).collect();
        out.push_row(&cells).unwrap();
    }
    out
}

fn shuffle(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = scale::Rng(seed);
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        p.swap(i, rng.below(i as u64 + 1) as usize);
    }
    p
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// The thread count never changes a result; voter row order never does either (a tie
    /// between two voters of one member makes it ambiguous whatever their order); member row
    /// order never changes the estimates or who is ambiguous (the greedy assignment breaks
    /// exact weight ties between members by row, as the reference does).
    #[test]
    fn voter_match_is_independent_of_threads_and_row_order(seed in 0u64..u64::MAX) {
        let s = scale::scenario(400, 150, seed);
        let opts = Options::default();
        let one = pool(1).install(|| voter_match(&s.members, &s.voters, &opts)).unwrap();
        let two = pool(2).install(|| voter_match(&s.members, &s.voters, &opts)).unwrap();
        proptest::prop_assert_eq!(&one, &two);

        let perm = shuffle(s.voters.rows(), seed ^ 1);
        let r = voter_match(&s.members, &permuted(&s.voters, &perm), &opts).unwrap();
        proptest::prop_assert_eq!(&r.params, &one.params);
        for (x, y) in one.members.iter().zip(&r.members) {
            let y = match *y {
                MemberMatch::Matched { voter_row, weight_bits, posterior } => MemberMatch::Matched {
                    voter_row: perm[voter_row as usize] as u32, weight_bits, posterior,
                },
                other => other,
            };
            proptest::prop_assert_eq!(*x, y);
        }

        let perm = shuffle(s.members.rows(), seed ^ 2);
        let r = voter_match(&permuted(&s.members, &perm), &s.voters, &opts).unwrap();
        proptest::prop_assert_eq!(&r.params, &one.params);
        for (i, &old) in perm.iter().enumerate() {
            proptest::prop_assert_eq!(
                matches!(r.members[i], MemberMatch::Ambiguous { .. }),
                matches!(one.members[old], MemberMatch::Ambiguous { .. })
            );
        }
    }

    /// Linking: the thread count never changes a result; with order-independent anchors, row
    /// order never changes the estimates, the links or who is ambiguous. (With the
    /// reference's anchors it may: see `Options::order_independent_anchors`.)
    #[test]
    fn link_people_is_independent_of_threads_and_row_order(seed in 0u64..u64::MAX) {
        let s = scale::scenario(400, 200, seed);
        let org_of: Vec<u32> = (0..s.members.rows() as u32).map(|r| r % 3).collect();
        let opts = Options::default();
        let one = pool(1).install(|| link_people(&s.members, &org_of, &opts)).unwrap();
        let two = pool(2).install(|| link_people(&s.members, &org_of, &opts)).unwrap();
        proptest::prop_assert_eq!(&one, &two);
        let opts = Options { order_independent_anchors: true, ..Options::default() };
        let one = pool(1).install(|| link_people(&s.members, &org_of, &opts)).unwrap();
        let two = pool(2).install(|| link_people(&s.members, &org_of, &opts)).unwrap();
        proptest::prop_assert_eq!(&one, &two);

        let perm = shuffle(s.members.rows(), seed ^ 3);
        let orgs: Vec<u32> = perm.iter().map(|&r| org_of[r]).collect();
        let r = link_people(&permuted(&s.members, &perm), &orgs, &opts).unwrap();
        proptest::prop_assert_eq!(&r.params, &one.params);
        let mut amb: Vec<u32> = r.ambiguous_rows.iter().map(|&i| perm[i as usize] as u32).collect();
        amb.sort_unstable();
        proptest::prop_assert_eq!(&amb, &one.ambiguous_rows);
        let key = |a: u32, b: u32, w: f64| (a.min(b), a.max(b), w.to_bits());
        let mut links: Vec<_> = r.links.iter()
            .map(|l| key(perm[l.a as usize] as u32, perm[l.b as usize] as u32, l.weight_bits)).collect();
        let mut want: Vec<_> = one.links.iter().map(|l| key(l.a, l.b, l.weight_bits)).collect();
        links.sort_unstable();
        want.sort_unstable();
        proptest::prop_assert_eq!(links, want);
    }
}

/// CPU seconds (user + system) this process has used so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // the fields after the command name (which is in parentheses)
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; in ticks
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

/// Wall and CPU seconds of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, String) {
    let (t, c) = (std::time::Instant::now(), cpu_seconds());
    let out = f();
    let s = format!(
        "{:.2}s wall, {:.2}s CPU",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );
    (out, s)
}

/// Timing at voter-file scale (release): `cargo test --release --test link -- --ignored
/// --nocapture`; `BLINDMATCH_LINK_VOTERS` / `BLINDMATCH_LINK_MEMBERS` change the sizes
/// (defaults 1,000,000 and 500,000).
#[test]
#[ignore]
fn timing_at_voter_file_scale() {
    use std::time::Instant;
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (nv, nm) = (
        env("BLINDMATCH_LINK_VOTERS", 1_000_000),
        env("BLINDMATCH_LINK_MEMBERS", 500_000),
    );
    let t = Instant::now();
    let s = scale::scenario(nv, nm, 7);
    println!(
        "scenario: {nv} voters, {nm} members, {} kinds, {} member tokens, {} voter tokens after drop; built in {:.1}s",
        s.kinds.len(),
        s.members.tokens(),
        s.voters.tokens(),
        t.elapsed().as_secs_f64()
    );
    println!(
        "member table: {:.1} bytes per token (tokens + cell offsets); the per-kind candidate index adds 16 bytes per entry of the kind being sorted",
        s.members.heap_bytes() as f64 / s.members.tokens() as f64
    );
    let opts = Options::default();
    let report = |label: &str, r: &blindmatch::link::VoterMatch, time: &str| {
        let (m, _) = rust_matches(r);
        let tp = m
            .iter()
            .filter(|(i, v)| s.truth[**i as usize] == Some(**v))
            .count();
        let matchable = s.truth.iter().filter(|t| t.is_some()).count();
        println!(
            "{label}: {time}; {} candidate pairs, {} anchors, {} u pairs, lambda {:.4}; matched {} (precision {:.4}, recall {:.4} of {matchable}), ambiguous {}; bands >=0.99 {}, 0.9-0.99 {}, 0.5-0.9 {}",
            r.params.candidate_pairs,
            r.params.anchor_pairs,
            r.params.u_pairs,
            r.params.lambda,
            r.matched,
            tp as f64 / r.matched.max(1) as f64,
            tp as f64 / matchable.max(1) as f64,
            r.ambiguous,
            r.bands.p99,
            r.bands.p90,
            r.bands.p50
        );
    };
    let (r, time) = timed(|| voter_match(&s.members, &s.voters, &opts).unwrap());
    report("voter_match", &r, &time);
    let (sj, time) = timed(|| SelfJoin::from_voters(&s.voters_before_drop, &opts).unwrap());
    println!("self-join: {} voter pairs in {time}", sj.pairs());
    let (r, time) = timed(|| voter_match_with(&s.members, &s.voters, Some(&sj), &opts).unwrap());
    report("voter_match with self-join", &r, &time);
    let org_of: Vec<u32> = (0..s.members.rows() as u32).map(|r| r % 2).collect();
    let (p, time) = timed(|| link_people(&s.members, &org_of, &opts).unwrap());
    println!(
        "link_people (members as 2 orgs): {time}; {} candidate pairs, {} links, {} people of {} rows, {} ambiguous rows",
        p.params.candidate_pairs,
        p.links.len(),
        p.people,
        org_of.len(),
        p.ambiguous_rows.len()
    );
}
