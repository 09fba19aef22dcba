//! The field inference is sound: whatever level it gives a field, built from the real tokens of
//! two records (v1 and v2 kinds, the real normalization), is true of the records' values.
//!
//! The coordinator never sees values, so nothing else checks that the rules of
//! `link::infer` (closures, the fixpoint of disagreements, swaps, cross matches) claim only what
//! the token equalities imply. Records are drawn from small pools of names, dates and
//! addresses (nicknames, NYSIIS neighbours, swapped names, one name in the other position) so
//! that kinds agree and disagree often.
//!
//! What it does not cover: "?" and "-" claim nothing, so a rule that only makes inference more
//! cautious is invisible here (the unit tests in `src/link/infer.rs` pin those); and it compares
//! single records, while the voter match scores a person whose cells are the union of its
//! records' cells, where "the one part left differs" is a judgement, not a fact.

use blindmatch::link::infer::{Kinds, Status, pattern_levels};
use blindmatch::link::{FIELD_NAMES, LEVELS};
use blindmatch::spec::fields::AtomNormalizer;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::kinds::{Atom, KindDef, all_kinds};
use blindmatch::spec::label::Round;
use blindmatch::spec::record::{Fields, RecordNormalizer, Rules};
use blindmatch::spec::token::{Kind, TokenKeys};
use blindmatch::spec::token_v2::KindKeys;
use proptest::prelude::*;

const FIRST: &[&str] = &[
    "Bob", "Robert", "Bobby", "Rob", "Ann", "Anne", "Anna", "Smith", "Jon", "John", "Johnny", "",
];
const LAST: &[&str] = &[
    "Smith", "Smyth", "Schmidt", "Johnson", "Robert", "Ann", "Jon", "",
];
const MIDDLE: &[&str] = &["", "A", "B"];
const ADDRESS: &[&str] = &[
    "12 Main St",
    "12 Main Street",
    "14 Main St",
    "12 Oak Ave",
    "12 Main St Apt 3",
    "",
];
const CITY: &[&str] = &["Springfield", "Salem", ""];
const ZIP: &[&str] = &["12345", "12345-6789", "12346", ""];
const DOB: &[&str] = &["1980-03-07", "1980-07-03", "1981-03-07", "1980", ""];
const PHONE: &[&str] = &["(202) 555-0100", "202-555-0101", ""];
const EMAIL: &[&str] = &["a@example.org", "b@example.org", ""];

/// One record: an index into each pool (the last two: a second phone and a second email).
type Draw = [usize; 11];
const POOLS: [&[&str]; 11] = [
    FIRST, MIDDLE, LAST, ADDRESS, CITY, ZIP, DOB, PHONE, EMAIL, PHONE, EMAIL,
];

fn fields(d: &Draw) -> Fields<'static> {
    let v = |i: usize| Some(POOLS[i][d[i]]).filter(|s| !s.is_empty());
    Fields {
        first: v(0),
        middle: v(1),
        last: v(2),
        address: v(3),
        city: v(4),
        zip: v(5),
        dob: v(6),
        phone: v(7),
        email: v(8),
        more_phones: [v(9), None, None, None],
        more_emails: [v(10), None, None, None],
    }
}

/// A record's normalized values per atom (empty: none) and its tokens per kind.
struct Hashed {
    values: Vec<Vec<String>>,
    cells: Vec<Vec<Vec<u8>>>,
}

const ATOMS: [Atom; 20] = Atom::ALL;

fn hash(d: &Draw) -> Hashed {
    let f = fields(d);
    let key = ConsortiumKey::from_bytes([7; 32]);
    let round = Round::parse_optional("").unwrap();
    let rules = Rules {
        current_year: 2026,
        ..Rules::default()
    };
    let mut v1 = RecordNormalizer::new(rules);
    let results = v1.normalize(&f);
    let v1_keys = TokenKeys::derive(&key, &round);
    let mut cells: Vec<Vec<Vec<u8>>> = Kind::ALL
        .iter()
        .map(|&k| {
            results[k.index()]
                .map(|v| vec![v1_keys.token_string(k, v).into_bytes()])
                .unwrap_or_default()
        })
        .collect();
    let mut atoms = AtomNormalizer::new(2026);
    atoms.normalize(&f, &v1);
    let v2_keys = KindKeys::derive(&key, &round);
    let mut tokens = Vec::new();
    for k in 0..v2_keys.kinds().len() {
        let ok = v2_keys.cell(k, &atoms, &mut tokens).is_ok();
        cells.push(if ok {
            tokens.iter().map(|t| t.to_vec()).collect()
        } else {
            Vec::new()
        });
    }
    let values = ATOMS
        .iter()
        .map(|&a| {
            atoms
                .values(a)
                .map(|v| v.as_slice().iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        })
        .collect();
    Hashed { values, cells }
}

fn status(a: &Hashed, b: &Hashed) -> Status {
    Status::of_cells(
        a.cells.iter().map(Vec::as_slice),
        b.cells.iter().map(Vec::as_slice),
    )
}

fn at(a: Atom) -> usize {
    ATOMS.iter().position(|&x| x == a).unwrap()
}

/// Values of an atom on both records: (a, b).
fn pair<'h>(a: &'h Hashed, b: &'h Hashed, atom: Atom) -> (&'h [String], &'h [String]) {
    (&a.values[at(atom)], &b.values[at(atom)])
}

fn shared(a: &Hashed, b: &Hashed, atom: Atom) -> bool {
    let (x, y) = pair(a, b, atom);
    x.iter().any(|v| y.contains(v))
}

/// Both records have the atom and share no value.
fn differ(a: &Hashed, b: &Hashed, atom: Atom) -> bool {
    let (x, y) = pair(a, b, atom);
    !x.is_empty() && !y.is_empty() && !shared(a, b, atom)
}

/// Names swapped: the first name of each is the last name of the other, and the straight
/// names differ, exactly or in their NYSIIS codes.
fn swapped(a: &Hashed, b: &Hashed) -> bool {
    let cross = |first: Atom, last: Atom| {
        let (fa, fb) = pair(a, b, first);
        let (la, lb) = pair(a, b, last);
        !fa.is_empty() && fa == lb && la == fb && (fa != fb || la != lb)
    };
    cross(Atom::First, Atom::Last) || cross(Atom::FirstNysiis, Atom::LastNysiis)
}

/// What each level claims about the values, checked against them; `Err` names the broken claim.
fn check(level: &str, field: &str, a: &Hashed, b: &Hashed) -> Result<(), String> {
    use Atom::*;
    let place = shared(a, b, City) || shared(a, b, Zip5);
    let ok = match (field, level) {
        (_, "?" | "-") => true,
        ("first", "F") => shared(a, b, First),
        ("first", "K") => shared(a, b, FirstNick),
        ("first", "N") => shared(a, b, FirstNysiis),
        ("first", "I") => shared(a, b, FirstInit),
        ("first", "X") => differ(a, b, First),
        ("last", "L") => shared(a, b, Last),
        ("last", "N") => shared(a, b, LastNysiis),
        ("first" | "last", "S") => swapped(a, b),
        ("last", "X") => differ(a, b, Last),
        ("dob", "D") => shared(a, b, Dob),
        ("dob", "Y") => shared(a, b, Yob),
        ("dob", "y") => shared(a, b, Yob) && differ(a, b, Dob),
        ("dob", "X") => differ(a, b, Dob) || differ(a, b, Yob),
        ("addr", "HSP") => shared(a, b, House) && shared(a, b, Street) && place,
        ("addr", "HS") => shared(a, b, House) && shared(a, b, Street),
        ("addr", "HP") => shared(a, b, House) && place,
        ("addr", "SP") => shared(a, b, Street) && place,
        ("addr", "H/S") => shared(a, b, House) || shared(a, b, Street),
        ("addr", "P") => place,
        ("addr", "X") => [House, Street, City, Zip5].iter().any(|&p| differ(a, b, p)),
        ("middle", "A") => shared(a, b, MiddleInit),
        ("middle", "X") => differ(a, b, MiddleInit),
        // every phone and email of the records, not only the first valid one
        ("phone", "A") => shared(a, b, PhoneAny),
        ("phone", "X") => differ(a, b, PhoneAny),
        ("email", "A") => shared(a, b, EmailAny),
        ("email", "X") => differ(a, b, EmailAny),
        _ => return Err(format!("level {level} of {field} is not known to the test")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field} at level {level} is not true of the values"
        ))
    }
}

/// Record b: each field kept from a with probability 1/2, else drawn; first and last swapped
/// when `swap`.
fn derive(a: &Draw, fresh: &Draw, keep: &[bool; 11], swap: bool) -> Draw {
    let mut b: Draw = std::array::from_fn(|i| if keep[i] { a[i] } else { fresh[i] });
    if swap {
        // swap through the pools by value: a first name that is also in LAST, and back
        let (f, l) = (FIRST[b[0]], LAST[b[2]]);
        if let (Some(nf), Some(nl)) = (
            FIRST.iter().position(|&x| x == l),
            LAST.iter().position(|&x| x == f),
        ) {
            b[0] = nf;
            b[2] = nl;
        }
    }
    b
}

fn draw() -> impl Strategy<Value = Draw> {
    let idx = |pool: &[&str]| 0..pool.len();
    (
        idx(FIRST),
        idx(MIDDLE),
        idx(LAST),
        idx(ADDRESS),
        idx(CITY),
        idx(ZIP),
        idx(DOB),
        idx(PHONE),
        idx(EMAIL),
        idx(PHONE),
        idx(EMAIL),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j, k)| [a, b, c, d, e, f, g, h, i, j, k])
}

fn kinds() -> Vec<KindDef> {
    all_kinds().into_iter().cloned().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_inferred_level_is_true_of_the_values(
        a in draw(),
        fresh in draw(),
        keep in proptest::array::uniform11(proptest::bool::ANY),
        swap in proptest::bool::ANY,
    ) {
        let b = derive(&a, &fresh, &keep, swap);
        let (ha, hb) = (hash(&a), hash(&b));
        let kinds = Kinds::new(&kinds());
        let inferred = kinds.infer(&status(&ha, &hb));
        let lv = pattern_levels(inferred.pattern);
        for (f, field) in FIELD_NAMES.iter().enumerate() {
            let level = LEVELS[f][lv[f] as usize];
            if let Err(why) = check(level, field, &ha, &hb) {
                // names the pool indices only (test data, no member values exist here)
                return Err(TestCaseError::fail(format!("{why}: records {a:?} and {b:?}")));
            }
        }
    }
}

/// The generator reaches the levels the rules are about (so the property is not vacuous).
#[test]
fn the_draws_reach_swaps_cross_matches_and_every_name_level() {
    let kinds = Kinds::new(&kinds());
    let levels = |a: &Draw, b: &Draw| {
        let lv = pattern_levels(kinds.infer(&status(&hash(a), &hash(b))).pattern);
        (LEVELS[0][lv[0] as usize], LEVELS[1][lv[1] as usize])
    };
    // every record: same middle, address, city, zip and dob; no phone, no email
    let name = |first: usize, last: usize| [first, 0, last, 0, 0, 0, 0, 2, 2, 2, 2];
    let robert_smith = name(1, 0);
    // Smith Robert: the names swapped
    assert_eq!(levels(&robert_smith, &name(7, 4)), ("S", "S"));
    // Smith Johnson: "Smith" in the other position, the other name changed
    assert_eq!(levels(&robert_smith, &name(7, 3)), ("?", "?"));
    // Ann Johnson: both names differ
    assert_eq!(levels(&robert_smith, &name(4, 3)), ("X", "X"));
    // Bob vs Robert: nickname; Jon vs John: NYSIIS
    assert_eq!(levels(&robert_smith, &name(0, 0)), ("K", "L"));
    assert_eq!(levels(&name(8, 0), &name(9, 0)).0, "N");
}

/// A second email or phone column counts: records whose first emails differ agree on email
/// when one's second email is the other's first.
#[test]
fn a_second_email_or_phone_agrees_with_a_first() {
    let kinds = Kinds::new(&kinds());
    let field = |a: &Draw, b: &Draw, f: usize| {
        let lv = pattern_levels(kinds.infer(&status(&hash(a), &hash(b))).pattern);
        LEVELS[f][lv[f] as usize]
    };
    let (phone, email) = (5, 6);
    // emails a, then b; the other record's only email is b
    let a = [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1];
    let b = [1, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2];
    assert_eq!(field(&a, &b, email), "A");
    // phones 0100, then 0101, against 0101 alone
    let b = [1, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2];
    let a_phones = [1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2];
    assert_eq!(field(&a_phones, &b, phone), "A");
    // no email in common: X, as with one email each
    let c = [1, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0];
    let d = [1, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1];
    assert_eq!(field(&c, &d, email), "X");
}
