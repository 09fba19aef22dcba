//! Identifier kinds, per-kind subkeys and tokens (spec: "Per-kind subkeys", "Tokens").
//!
//! Each kind gets its own HKDF subkey so a token of one kind can never equal a token of
//! another, and each round its own salt so rounds cannot be linked. The HMAC state for each
//! subkey is computed once and cloned per value: the key schedule (two compression-function
//! calls) is then paid once per run instead of once per token.

use std::fmt;

use hkdf::Hkdf;
use hmac::Hmac;
use sha2::Sha256;

use crate::spec::key::ConsortiumKey;
use crate::spec::label::Round;
use crate::spec::mac::PrekeyedHmac;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Length of a token in hex characters.
pub const TOKEN_HEX_LEN: usize = 64;

/// The identifier kinds of the spec, in the column order of a hashed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Email,
    Phone,
    NameZip,
    NameAddr,
    NameYobZip,
}

impl Kind {
    /// Every kind, in hashed-file column order.
    pub const ALL: [Kind; 5] = [
        Kind::Email,
        Kind::Phone,
        Kind::NameZip,
        Kind::NameAddr,
        Kind::NameYobZip,
    ];

    /// The spec's name of the kind: HKDF info suffix and hashed-file column name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::NameZip => "name_zip",
            Kind::NameAddr => "name_addr",
            Kind::NameYobZip => "name_yob_zip",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Position in [`Kind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// HKDF-SHA256 subkey of a kind for a round.
pub fn subkey(key: &ConsortiumKey, round: &Round, kind: Kind) -> [u8; 32] {
    let hkdf = Hkdf::<Sha256>::new(Some(round.as_str().as_bytes()), key.bytes());
    let mut okm = [0u8; 32];
    let info = format!("blindmatch/v1/{}", kind.name());
    hkdf.expand(info.as_bytes(), &mut okm)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// Ready-keyed HMAC states, one per kind, for one key and round.
#[derive(Clone)]
pub struct TokenKeys {
    macs: [PrekeyedHmac; 5],
}

impl TokenKeys {
    pub fn derive(key: &ConsortiumKey, round: &Round) -> TokenKeys {
        let macs = Kind::ALL.map(|kind| PrekeyedHmac::new(&subkey(key, round, kind)));
        TokenKeys { macs }
    }

    /// The raw 32-byte token of an already-normalized value.
    pub fn token(&self, kind: Kind, normalized: &str) -> [u8; 32] {
        self.macs[kind.index()].mac(normalized.as_bytes())
    }

    /// The token as 64 lowercase hex characters, written into `out` without allocating.
    pub fn token_hex(&self, kind: Kind, normalized: &str, out: &mut [u8; TOKEN_HEX_LEN]) {
        hex::encode_to_slice(self.token(kind, normalized), out)
            .expect("64 hex characters for 32 bytes");
    }

    /// The token as a `String` (convenient outside hot paths).
    pub fn token_string(&self, kind: Kind, normalized: &str) -> String {
        hex::encode(self.token(kind, normalized))
    }
}

/// True when `s` looks like a token: 64 lowercase hex characters.
pub fn is_token(s: &[u8]) -> bool {
    s.len() == TOKEN_HEX_LEN
        && s.iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ConsortiumKey {
        ConsortiumKey::from_bytes([7u8; 32])
    }

    #[test]
    fn kinds_never_share_tokens() {
        let keys = TokenKeys::derive(&key(), &Round::none());
        let mut seen: Vec<String> = Kind::ALL
            .iter()
            .map(|&k| keys.token_string(k, "same"))
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5);
    }

    #[test]
    fn rounds_are_unlinkable_and_empty_round_is_zero_salt() {
        let none = subkey(&key(), &Round::none(), Kind::Email);
        let r = subkey(&key(), &Round::new("r1").unwrap(), Kind::Email);
        assert_ne!(none, r);
        let zero_salt = Hkdf::<Sha256>::new(Some(&[0u8; 32]), key().bytes());
        let mut okm = [0u8; 32];
        zero_salt.expand(b"blindmatch/v1/email", &mut okm).unwrap();
        assert_eq!(none, okm);
    }

    #[test]
    fn hex_form_matches_raw() {
        let keys = TokenKeys::derive(&key(), &Round::none());
        let mut out = [0u8; 64];
        keys.token_hex(Kind::Phone, "+16505551212", &mut out);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            keys.token_string(Kind::Phone, "+16505551212")
        );
        assert!(is_token(&out));
        assert!(!is_token(b"abc"));
    }
}
