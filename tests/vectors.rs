//! Known-answer tests, kept as data in `tests/data/`: RFC 4231 (HMAC-SHA-256), RFC 5869
//! (HKDF-SHA-256), and the project's token vectors, which independent implementations of
//! the spec (`tests/independent/spec_v1.py` and `spec_v2.py`, Python's standard library
//! only) generated; and the fuzzy experiment's draft vectors (`experiments/fuzzy/`).

use blindmatch::spec::fields::AtomNormalizer;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::kinds::all_kinds;
use blindmatch::spec::label::Round;
use blindmatch::spec::normalize::CountryCode;
use blindmatch::spec::record::{Fields, RecordNormalizer, Rules};
use blindmatch::spec::token::{Kind, TokenKeys};
use blindmatch::spec::token_v2::{self, KindKeys};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

fn data_lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect())
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        Vec::new()
    } else {
        hex::decode(s).unwrap()
    }
}

#[test]
fn rfc4231_hmac_sha256() {
    let mut n = 0;
    for f in data_lines(include_str!("data/rfc4231.txt")) {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&unhex(f[0])).unwrap();
        mac.update(&unhex(f[1]));
        let out = hex::encode(mac.finalize().into_bytes());
        assert!(out.starts_with(f[2]), "case {}", n + 1);
        n += 1;
    }
    assert_eq!(n, 7);
}

#[test]
fn rfc5869_hkdf_sha256() {
    let mut n = 0;
    for f in data_lines(include_str!("data/rfc5869.txt")) {
        let (ikm, salt, info) = (unhex(f[0]), unhex(f[1]), unhex(f[2]));
        let len: usize = f[3].parse().unwrap();
        let salt = if salt.is_empty() {
            None
        } else {
            Some(&salt[..])
        };
        let (prk, hk) = Hkdf::<Sha256>::extract(salt, &ikm);
        assert_eq!(hex::encode(prk), f[4], "prk, case {}", n + 1);
        let mut okm = vec![0u8; len];
        hk.expand(&info, &mut okm).unwrap();
        assert_eq!(hex::encode(okm), f[5], "okm, case {}", n + 1);
        n += 1;
    }
    assert_eq!(n, 3);
}

#[test]
fn token_vectors_from_an_independent_implementation() {
    let mut reader = csv::Reader::from_reader(&include_bytes!("data/token_vectors.csv")[..]);
    let rules = Rules {
        default_country: CountryCode::NANP,
        ..Rules::default()
    };
    let mut norm = RecordNormalizer::new(rules);
    let mut n = 0;
    let mut formed = [0; 5];
    for row in reader.records() {
        let row = row.unwrap();
        let key: [u8; 32] = hex::decode(&row[0]).unwrap().try_into().unwrap();
        let round = Round::parse_optional(&row[1]).unwrap();
        let keys = TokenKeys::derive(&ConsortiumKey::from_bytes(key), &round);
        let fields = Fields {
            email: Some(&row[2]),
            phone: Some(&row[3]),
            first: Some(&row[4]),
            last: Some(&row[5]),
            zip: Some(&row[6]),
            address: Some(&row[7]),
            dob: Some(&row[8]),
            ..Fields::default()
        };
        let results = norm.normalize(&fields);
        for kind in Kind::ALL {
            let ours = results[kind.index()]
                .map(|v| keys.token_string(kind, v))
                .unwrap_or_default();
            assert_eq!(ours, &row[9 + kind.index()], "row {} kind {kind}", n + 1);
            formed[kind.index()] += usize::from(!ours.is_empty());
        }
        n += 1;
    }
    assert_eq!(n, 10);
    // The vectors exercise valid and invalid values of every kind.
    assert!(formed.iter().all(|&f| f > 0 && f < n), "{formed:?}");
}

/// Every cell (v1's five, then every v2 kind) of a record, as the hashed file writes it.
fn cells_of(fields: &Fields, key: &ConsortiumKey, round: &Round) -> Vec<String> {
    let rules = Rules::default();
    let mut v1 = RecordNormalizer::new(rules);
    let mut atoms = AtomNormalizer::new(rules.current_year);
    let keys = TokenKeys::derive(key, round);
    let v2 = KindKeys::derive(key, round);
    let results = v1.normalize(fields);
    let mut cells: Vec<String> = Kind::ALL
        .iter()
        .map(|&k| {
            results[k.index()]
                .map(|v| keys.token_string(k, v))
                .unwrap_or_default()
        })
        .collect();
    atoms.normalize(fields, &v1);
    let mut tokens = Vec::new();
    for k in 0..v2.kinds().len() {
        let mut cell = Vec::new();
        if v2.cell(k, &atoms, &mut tokens).is_ok() {
            token_v2::push_cell(&mut cell, &tokens);
        }
        cells.push(String::from_utf8(cell).unwrap());
    }
    cells
}

/// Spec v2 vectors (`tests/data/token_vectors_v2.csv`, made by the independent
/// `tests/independent/spec_v2.py`): every cell of every kind, v1's included.
#[test]
fn v2_token_vectors_from_an_independent_implementation() {
    let mut reader = csv::Reader::from_reader(&include_bytes!("data/token_vectors_v2.csv")[..]);
    let header = reader.headers().unwrap().clone();
    let names: Vec<&str> = all_kinds().iter().map(|k| k.name.as_str()).collect();
    assert_eq!(header.iter().skip(13).collect::<Vec<_>>(), names);
    let (mut n, mut multi) = (0, 0);
    let mut formed = vec![0; names.len()];
    for row in reader.records() {
        let row = row.unwrap();
        let key: [u8; 32] = hex::decode(&row[0]).unwrap().try_into().unwrap();
        let round = Round::parse_optional(&row[1]).unwrap();
        let fields = Fields {
            email: Some(&row[2]),
            phone: Some(&row[3]),
            first: Some(&row[4]),
            middle: Some(&row[5]),
            last: Some(&row[6]),
            zip: Some(&row[7]),
            address: Some(&row[8]),
            city: Some(&row[9]),
            dob: Some(&row[10]),
            more_emails: [Some(&row[11]), None, None, None],
            more_phones: [Some(&row[12]), None, None, None],
        };
        let ours = cells_of(&fields, &ConsortiumKey::from_bytes(key), &round);
        for (k, name) in names.iter().enumerate() {
            assert_eq!(ours[k], &row[13 + k], "row {} kind {name}", n + 1);
            formed[k] += usize::from(!ours[k].is_empty());
            multi += usize::from(ours[k].contains(' '));
        }
        n += 1;
    }
    assert_eq!(n, 6);
    assert!(multi >= 10, "multi-valued cells are exercised");
    // Every kind forms somewhere; the kinds of the full date of birth miss where it is invalid.
    assert!(formed[5..].iter().all(|&f| f > 0), "{formed:?}");
    assert!(formed[5..].iter().any(|&f| f < n), "{formed:?}");
}

/// The experiment's vectors (`experiments/fuzzy/vectors.txt`): its v1 tokens are the
/// project's v1 tokens of the same values, every token is HMAC(subkey, value) of its kind,
/// and the kinds still in the table have the cells the v2 vectors give for the same inputs
/// (the draft's 128-bit v2 tokens cut to the spec's 64 bits).
#[test]
fn fuzzy_experiment_vectors_agree() {
    let text = include_str!("../experiments/fuzzy/vectors.txt");
    let key = ConsortiumKey::from_bytes(core::array::from_fn(|i| i as u8));
    let round = Round::none();
    let keys = TokenKeys::derive(&key, &round);
    let v1_name = |name: &str| match name {
        "first_last_zip5" => Some(Kind::NameZip),
        "first_last_house_zip5" => Some(Kind::NameAddr),
        "first_last_yob_zip5" => Some(Kind::NameYobZip),
        _ => None,
    };
    let mut reader = csv::Reader::from_reader(&include_bytes!("data/token_vectors_v2.csv")[..]);
    let header = reader.headers().unwrap().clone();
    let v2_rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let (mut person, mut checked, mut v1_checked, mut in_table) = (0, 0, 0, 0);
    for line in text.lines() {
        if line.starts_with("input:") {
            person += 1;
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let is_token = |w: &&&str| (w.len() == 32 || w.len() == 64) && hex::decode(w).is_ok();
        let n_tokens = words.iter().rev().take_while(is_token).count();
        if line.starts_with('#') || n_tokens == 0 || words.len() < 2 {
            continue;
        }
        let name = words[0];
        let values: Vec<&str> = words[1..words.len() - n_tokens]
            .iter()
            .copied()
            .filter(|w| *w != "/")
            .collect();
        let mut want: Vec<&str> = words[words.len() - n_tokens..].to_vec();
        let mut got: Vec<String> = match v1_name(name) {
            Some(kind) => {
                v1_checked += 1;
                values.iter().map(|v| keys.token_string(kind, v)).collect()
            }
            None => {
                let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&token_v2::subkey(
                    &key, &round, name,
                ))
                .unwrap();
                values
                    .iter()
                    .map(|v| {
                        let mut m = mac.clone();
                        m.update(v.as_bytes());
                        hex::encode(&m.finalize().into_bytes()[..16])
                    })
                    .collect()
            }
        };
        got.sort();
        got.dedup();
        want.sort();
        assert_eq!(got, want, "person {person} kind {name}");
        checked += 1;
        let column = v1_name(name).map(Kind::name).unwrap_or(name).to_string();
        if let Some(c) = header.iter().position(|h| h == column) {
            // the draft's v2 tokens were 128 bits; the spec's are their first 64
            let width = if v1_name(name).is_some() {
                64
            } else {
                token_v2::TOKEN_HEX_LEN
            };
            let short: Vec<&str> = want.iter().map(|t| &t[..width]).collect();
            assert_eq!(
                &v2_rows[person - 1][c],
                short.join(" "),
                "person {person} {name}"
            );
            in_table += 1;
        }
    }
    assert_eq!(person, 2);
    assert_eq!(v1_checked, 6);
    assert!(checked >= 40 && in_table >= 12, "{checked} {in_table}");
}
