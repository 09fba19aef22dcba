//! Tokens of the kinds spec v2 adds (`docs/token-spec-v2.md`, section 5): one HKDF subkey per
//! kind (`info = "blindmatch/v2/" + kind`), 64-bit HMAC tokens, one token per distinct
//! value of a multi-valued kind.
//!
//! Like v1's [`crate::spec::token::TokenKeys`], the keyed HMAC states of each kind are computed
//! once per run ([`PrekeyedHmac`]), and a kind's value is fed to the HMAC part by part, so
//! no joined string is built.

use hkdf::Hkdf;
use sha2::Sha256;

use crate::spec::fields::{AtomNormalizer, MAX_VALUES, all_of};
use crate::spec::key::ConsortiumKey;
use crate::spec::kinds::{self, KindDef};
use crate::spec::label::Round;
use crate::spec::mac::PrekeyedHmac;
use crate::spec::normalize::{Outcome, Problem};

/// Bytes of a v2 token (the first 8 of the HMAC: 64 bits, what the coordinator compares).
pub const TOKEN_BYTES: usize = 8;
/// Length of a v2 token in hex characters.
pub const TOKEN_HEX_LEN: usize = 2 * TOKEN_BYTES;

/// HKDF-SHA256 subkey of a v2 kind for a round.
pub fn subkey(key: &ConsortiumKey, round: &Round, kind: &str) -> [u8; 32] {
    let hkdf = Hkdf::<Sha256>::new(Some(round.as_str().as_bytes()), key.bytes());
    let mut okm = [0u8; 32];
    let info = format!("blindmatch/v2/{kind}");
    hkdf.expand(info.as_bytes(), &mut okm)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// Ready-keyed HMAC states, one per kind of [`kinds::v2_kinds`], for one key and round.
#[derive(Clone)]
pub struct KindKeys {
    kinds: &'static [KindDef],
    macs: Vec<PrekeyedHmac>,
}

impl KindKeys {
    pub fn derive(key: &ConsortiumKey, round: &Round) -> KindKeys {
        let kinds = kinds::v2_kinds();
        let macs = kinds
            .iter()
            .map(|k| PrekeyedHmac::new(&subkey(key, round, &k.name)))
            .collect();
        KindKeys { kinds, macs }
    }

    /// The kinds, in column order.
    pub fn kinds(&self) -> &'static [KindDef] {
        self.kinds
    }

    /// The token of one value given as its parts (joined with `|` as the spec says).
    pub fn token(&self, kind: usize, parts: &[&str]) -> [u8; TOKEN_BYTES] {
        let mut mac = self.macs[kind].start();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                mac.update_byte(b'|');
            }
            mac.update(part.as_bytes());
        }
        truncate(mac.finish())
    }

    /// The tokens of kind `kind` (index into [`kinds::v2_kinds`]) for the record in `atoms`:
    /// one per distinct value (the cartesian product of the atoms' values), sorted ascending
    /// and distinct, written into `tokens`. `Err` when some atom has no value.
    pub fn cell(
        &self,
        kind: usize,
        atoms: &AtomNormalizer,
        tokens: &mut Vec<[u8; TOKEN_BYTES]>,
    ) -> Outcome {
        tokens.clear();
        let def = &self.kinds[kind];
        let n = def.atoms.len();
        const MAX_ATOMS: usize = 8;
        if n == 0 || n > MAX_ATOMS {
            return Err(Problem::Invalid);
        }
        let mut states = [Ok(()); MAX_ATOMS];
        for (s, &a) in states.iter_mut().zip(&def.atoms) {
            *s = atoms.state(a);
        }
        all_of(&states[..n])?;
        if !def.multi_valued() {
            // One value: its parts go straight into the MAC.
            let mut mac = self.macs[kind].start();
            for (i, &a) in def.atoms.iter().enumerate() {
                if i > 0 {
                    mac.update_byte(b'|');
                }
                mac.update(atoms.text(a).as_bytes());
            }
            tokens.push(truncate(mac.finish()));
            return Ok(());
        }
        // The table's multi-valued kinds have one multi-valued atom: one token per its value,
        // the other atoms' single texts fed directly (no table of every atom's values).
        let mut multi = (0..n).filter(|&i| def.atoms[i].multi_valued());
        if let (Some(m), None) = (multi.next(), multi.next()) {
            let values = atoms.values(def.atoms[m])?;
            for &value in values.as_slice() {
                let mut mac = self.macs[kind].start();
                for (i, &a) in def.atoms.iter().enumerate() {
                    if i > 0 {
                        mac.update_byte(b'|');
                    }
                    let part = if i == m { value } else { atoms.text(a) };
                    mac.update(part.as_bytes());
                }
                tokens.push(truncate(mac.finish()));
            }
            tokens.sort_unstable();
            tokens.dedup();
            return Ok(());
        }
        // Several multi-valued atoms (no kind of the table has them): every combination.
        let mut values = [[""; MAX_VALUES]; MAX_ATOMS];
        let mut lens = [0usize; MAX_ATOMS];
        for (i, &a) in def.atoms.iter().enumerate() {
            let v = atoms.values(a)?;
            let v = v.as_slice();
            values[i][..v.len()].copy_from_slice(v);
            lens[i] = v.len();
        }
        // Odometer over the value indices of every atom.
        let mut at = [0usize; MAX_ATOMS];
        let mut parts = [""; MAX_ATOMS];
        loop {
            for i in 0..n {
                parts[i] = values[i][at[i]];
            }
            tokens.push(self.token(kind, &parts[..n]));
            let mut i = n;
            loop {
                if i == 0 {
                    tokens.sort_unstable();
                    tokens.dedup();
                    return Ok(());
                }
                i -= 1;
                at[i] += 1;
                if at[i] < lens[i] {
                    break;
                }
                at[i] = 0;
            }
        }
    }
}

/// A token: the first [`TOKEN_BYTES`] of a MAC.
fn truncate(full: [u8; 32]) -> [u8; TOKEN_BYTES] {
    let mut out = [0u8; TOKEN_BYTES];
    out.copy_from_slice(&full[..TOKEN_BYTES]);
    out
}

/// Writes tokens as a cell: lowercase hex, separated by one space.
pub fn push_cell(out: &mut Vec<u8>, tokens: &[[u8; TOKEN_BYTES]]) {
    let mut hex = [0u8; TOKEN_HEX_LEN];
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        hex::encode_to_slice(t, &mut hex).expect("two hex characters per byte");
        out.extend_from_slice(&hex);
    }
}
