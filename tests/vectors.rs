//! Known-answer tests, kept as data in `tests/data/`: RFC 4231 (HMAC-SHA-256), RFC 5869
//! (HKDF-SHA-256), and the project's token vectors, which an independent implementation of
//! the spec (`tests/independent/spec_v1.py`, Python's standard library only) generated.

use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::Round;
use blindmatch::spec::normalize::CountryCode;
use blindmatch::spec::record::{Fields, RecordNormalizer, Rules};
use blindmatch::spec::token::{Kind, TokenKeys};
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
