//! Per-value cost: normalization and HMAC, one value and one full record at a time.

use std::hint::black_box;

use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::Round;
use blindmatch::spec::normalize;
use blindmatch::spec::record::{Fields, RecordNormalizer, Rules};
use blindmatch::spec::token::{Kind, TokenKeys};
use criterion::{Criterion, criterion_group, criterion_main};

fn per_value(c: &mut Criterion) {
    let keys = TokenKeys::derive(&ConsortiumKey::from_bytes([9; 32]), &Round::none());
    let mut out = [0u8; 64];
    let mut buf = String::new();

    c.bench_function("hmac token (normalized email)", |b| {
        b.iter(|| keys.token_hex(Kind::Email, black_box("janedoe@gmail.com"), &mut out))
    });
    c.bench_function("normalize email + token", |b| {
        b.iter(|| {
            normalize::email(black_box(" Jane.Doe+news@GMail.com "), &mut buf).unwrap();
            keys.token_hex(Kind::Email, &buf, &mut out);
        })
    });
    let mut norm = RecordNormalizer::new(Rules::default());
    let fields = Fields {
        email: Some("Jane.Doe+news@GMail.com"),
        phone: Some("(650) 555-1212"),
        first: Some("José"),
        last: Some("Ramírez Jr."),
        zip: Some("2139"),
        address: Some("123B Main St"),
        dob: Some("7/4/1985"),
        ..Fields::default()
    };
    c.bench_function("normalize record + 5 tokens", |b| {
        b.iter(|| {
            let results = norm.normalize(black_box(&fields));
            for kind in Kind::ALL {
                if let Ok(v) = results[kind.index()] {
                    keys.token_hex(kind, v, &mut out);
                }
            }
        })
    });
}

criterion_group!(benches, per_value);
criterion_main!(benches);
