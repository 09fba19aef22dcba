//! Synthetic token tables for the property tests and the timing run: people in households
//! (shared last name and address, Jr/Sr namesakes), a voter file of them with the drop rule
//! applied, and a member list with nicknames, typos that keep or break NYSIIS, swapped names,
//! moves and missing fields. Values are ids and tokens are hashes of ids: no strings, no key;
//! only the structure of equality matters to the scoring.

use blindmatch::link::TokenTable;
use blindmatch::spec::kinds::{Atom, KindDef, all_kinds};

/// SplitMix64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// Skewed in 0..n (n r^2: the most common value has about n^-1/2 of the mass, as the
    /// commonest first names have a few percent).
    pub fn skewed(&mut self, n: u64) -> u64 {
        let r = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64 * r * r) as u64).min(n - 1)
    }
}

pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// v1's five kinds and every other v2 kind of the table: 30 kinds.
pub fn kinds() -> Vec<KindDef> {
    let all = all_kinds();
    all.iter()
        .take(5)
        .chain(all.iter().skip(5).step_by(2))
        .map(|k| (*k).clone())
        .take(30)
        .collect()
}

#[derive(Clone, Copy)]
pub struct Person {
    first: u64,
    last: u64,
    middle: u64,
    dob: u64,
    house: u64,
    street: u64,
    zip: u64,
    phone: u64,
    email: u64,
}

/// `n` people in households of 1-4.
pub fn population(n: usize, rng: &mut Rng) -> Vec<Person> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let zip = rng.below(3000);
        let (last, house, street) = (rng.skewed(60_000), 1 + rng.skewed(3000), rng.below(40_000));
        let size = 1 + rng.below(4) as usize;
        let mut first_of_head = 0;
        for m in 0..size.min(n - out.len()) {
            let jr = m > 0 && rng.chance(0.08);
            let first = if jr { first_of_head } else { rng.skewed(3000) };
            if m == 0 {
                first_of_head = first;
            }
            let id = out.len() as u64;
            out.push(Person {
                first,
                last: if m > 0 && rng.chance(0.2) {
                    rng.skewed(60_000)
                } else {
                    last
                },
                middle: rng.below(26),
                dob: rng.below(30_000),
                house,
                street,
                zip,
                phone: id,
                email: id,
            });
        }
    }
    out
}

/// Which fields a row carries.
#[derive(Clone, Copy)]
pub struct Present {
    pub dob: bool,
    pub phone: bool,
    pub email: bool,
    pub addr: bool,
}

const NAME: u64 = 1 << 40;

fn atom_values(p: &Person, has: Present, a: Atom) -> Vec<u64> {
    let fnys = NAME | (p.first / 2);
    let lnys = NAME | (p.last / 2);
    let v = match a {
        Atom::First => vec![p.first],
        // groups of three names share a canonical form; every 7th has two
        Atom::FirstNick => {
            let c = p.first - p.first % 3;
            if p.first % 7 == 0 {
                vec![c, c + 100_000]
            } else {
                vec![c]
            }
        }
        Atom::FirstNysiis => vec![p.first / 2],
        Atom::FirstInit => vec![p.first % 26],
        Atom::Last => vec![p.last],
        Atom::LastNysiis => vec![p.last / 2],
        Atom::NamesSorted => {
            let (x, y) = (NAME | p.first, NAME | p.last);
            vec![mix(x.min(y)) ^ x.max(y)]
        }
        Atom::NamesSortedNysiis => vec![mix(fnys.min(lnys)) ^ fnys.max(lnys)],
        Atom::NameAnyNysiis => vec![fnys, lnys],
        Atom::MiddleInit => vec![p.middle],
        Atom::Dob if has.dob => vec![p.dob],
        Atom::Yob if has.dob => vec![p.dob / 365],
        Atom::House if has.addr => vec![p.house],
        Atom::Street if has.addr => vec![p.street],
        Atom::City if has.addr => vec![p.zip / 4],
        Atom::Zip5 if has.addr => vec![p.zip],
        Atom::Phone if has.phone => vec![p.phone],
        Atom::Email if has.email => vec![p.email],
        _ => vec![],
    };
    v.into_iter().map(|x| mix(x ^ (a as u64) << 56)).collect()
}

/// The tokens of every kind of a row.
pub fn row(kinds: &[KindDef], p: &Person, has: Present) -> Vec<Vec<u64>> {
    kinds
        .iter()
        .enumerate()
        .map(|(k, kd)| {
            let mut acc = vec![mix(k as u64 + 1)];
            for &a in &kd.atoms {
                let vs = atom_values(p, has, a);
                acc = acc
                    .iter()
                    .flat_map(|h| vs.iter().map(move |v| mix(h ^ v)))
                    .collect();
            }
            acc.sort_unstable();
            acc.dedup();
            acc
        })
        .collect()
}

fn push(t: &mut TokenTable, cells: &[Vec<u64>]) {
    let refs: Vec<&[u64]> = cells.iter().map(|c| c.as_slice()).collect();
    t.push_row(&refs).expect("row");
}

/// A noisy member copy of a person.
fn noisy(p: &Person, rng: &mut Rng, pool: &[Person]) -> Person {
    let mut q = *p;
    if rng.chance(0.08) {
        q.first = q.first - q.first % 3 + rng.below(3); // nickname of the same canonical name
    }
    if rng.chance(0.03) {
        q.first ^= 1; // a typo that keeps the NYSIIS code
    }
    if rng.chance(0.02) {
        q.first = rng.skewed(3000); // a typo that breaks it
    }
    if rng.chance(0.03) {
        q.last ^= 1;
    }
    if rng.chance(0.02) {
        q.last = rng.skewed(60_000); // married
    }
    if rng.chance(0.01) {
        std::mem::swap(&mut q.first, &mut q.last);
    }
    if rng.chance(0.03) {
        q.dob = q.dob / 30 * 30 + rng.below(30); // day wrong
    }
    if rng.chance(0.10) {
        let o = &pool[rng.below(pool.len() as u64) as usize]; // moved
        (q.house, q.street, q.zip) = (o.house, o.street, o.zip);
    }
    if rng.chance(0.02) {
        q.house += 1;
    }
    q
}

/// A scenario: members (with `truth`: the voter row of each member's person, if registered)
/// and voters (the drop rule applied), and the voter table before the drop.
pub struct Scenario {
    pub kinds: Vec<KindDef>,
    pub members: TokenTable,
    pub voters: TokenTable,
    pub voters_before_drop: TokenTable,
    pub truth: Vec<Option<u32>>,
}

pub fn scenario(n_voters: usize, n_members: usize, seed: u64) -> Scenario {
    let mut rng = Rng(seed);
    let kinds = kinds();
    // 85% of members are registered voters
    let people = population(n_voters + n_members / 5 + 1, &mut rng);
    let (registered, others) = people.split_at(n_voters);
    let mut voters = TokenTable::new(&kinds).expect("kinds");
    voters.reserve(n_voters, 1);
    for p in registered {
        let has = Present {
            dob: true,
            phone: rng.chance(0.6),
            email: false,
            addr: true,
        };
        push(&mut voters, &row(&kinds, p, has));
    }
    let mut members = TokenTable::new(&kinds).expect("kinds");
    members.reserve(n_members, 1);
    let mut truth = Vec::with_capacity(n_members);
    for _ in 0..n_members {
        let (p, t) = if rng.chance(0.85) || others.is_empty() {
            let v = rng.below(n_voters as u64) as usize;
            (registered[v], Some(v as u32))
        } else {
            (others[rng.below(others.len() as u64) as usize], None)
        };
        let q = noisy(&p, &mut rng, registered);
        let has = Present {
            dob: rng.chance(0.6),
            phone: rng.chance(0.5),
            email: rng.chance(0.7),
            addr: rng.chance(0.95),
        };
        push(&mut members, &row(&kinds, &q, has));
        truth.push(t);
    }
    let (dropped, _) = voters.without_shared_tokens();
    Scenario {
        kinds,
        members,
        voters: dropped,
        voters_before_drop: voters,
        truth,
    }
}
