//! HMAC-SHA256 (RFC 2104) on SHA-256's compression function directly, for the hashing hot path.
//!
//! A token is the HMAC of a short value (a normalized email, or a few atoms joined with `|`),
//! so with the keyed inner and outer states computed once per kind, a token costs exactly two
//! compressions: one for the value's single padded block, one for the outer block. The
//! generic `hmac` crate reaches the same two compressions but pays for its buffering, state
//! cloning and finalization layers around them (about 2.5 times the two compressions on
//! SHA-NI machines, measured on the NC voter layout, about 25 tokens a row). This module
//! keeps only what a token needs: a 64-byte block, the state words, the length. Its output
//! is byte-identical to `hmac::Hmac<Sha256>`, checked by the tests below for every message
//! length up to several blocks and for values fed in parts.

use sha2::block_api::compress256;
use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The keyed HMAC-SHA256 states of one key: SHA-256 after `key ^ ipad` and after `key ^ opad`.
#[derive(Clone, Debug)]
pub struct PrekeyedHmac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl PrekeyedHmac {
    /// Keys longer than a block are hashed first, as RFC 2104 says.
    pub fn new(key: &[u8]) -> PrekeyedHmac {
        let mut padded = [0u8; BLOCK];
        if key.len() > BLOCK {
            padded[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let state_after = |pad: u8| {
            let mut block = padded;
            for b in &mut block {
                *b ^= pad;
            }
            let mut state = IV;
            compress256(&mut state, &[block]);
            state
        };
        PrekeyedHmac {
            inner: state_after(0x36),
            outer: state_after(0x5c),
        }
    }

    /// A MAC of a new message under this key.
    #[inline]
    pub fn start(&self) -> MacWriter<'_> {
        MacWriter {
            key: self,
            state: self.inner,
            block: [0; BLOCK],
            used: 0,
            blocks: 1,
        }
    }

    /// The MAC of one message given whole.
    pub fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut w = self.start();
        w.update(message);
        w.finish()
    }
}

/// A message being MACed: fed with [`MacWriter::update`], closed with [`MacWriter::finish`].
pub struct MacWriter<'a> {
    key: &'a PrekeyedHmac,
    state: [u32; 8],
    block: [u8; BLOCK],
    /// Bytes of `block` holding message bytes.
    used: usize,
    /// Blocks compressed into `state` so far, counting the `key ^ ipad` block.
    blocks: u64,
}

impl MacWriter<'_> {
    #[inline]
    pub fn update(&mut self, data: &[u8]) {
        // A token's parts are short: copied inline, without a call to `memcpy`.
        if data.len() <= 32 && self.used + data.len() < BLOCK {
            let end = self.used + data.len();
            copy_short(&mut self.block[self.used..end], data);
            self.used = end;
        } else {
            self.update_long(data);
        }
    }

    /// [`MacWriter::update`] for a long part, or one that fills the block.
    #[inline(never)]
    fn update_long(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let n = data.len().min(BLOCK - self.used);
            self.block[self.used..self.used + n].copy_from_slice(&data[..n]);
            self.used += n;
            data = &data[n..];
            if self.used == BLOCK {
                self.compress_block();
            }
        }
    }

    /// Feeds one byte (the `|` between a value's parts): no copy call for it.
    #[inline]
    pub fn update_byte(&mut self, byte: u8) {
        self.block[self.used] = byte;
        self.used += 1;
        if self.used == BLOCK {
            self.compress_block();
        }
    }

    /// Compresses the full block and starts the next one, zeroed: the bytes of `block` past
    /// `used` are always zero, so closing the message needs no fill.
    fn compress_block(&mut self) {
        compress256(&mut self.state, std::slice::from_ref(&self.block));
        self.blocks += 1;
        self.used = 0;
        self.block = [0; BLOCK];
    }

    /// The MAC: the inner hash padded and closed, then the outer block. The writer is spent
    /// (start another for the next message). It is taken by reference: taken by value, the
    /// writer's 112 bytes were copied for the call, and the copy stalled on the stores that
    /// had just written them.
    pub fn finish(&mut self) -> [u8; 32] {
        let bits = (self.blocks * BLOCK as u64 + self.used as u64) * 8;
        self.block[self.used] = 0x80;
        if self.used + 1 > BLOCK - 8 {
            compress256(&mut self.state, std::slice::from_ref(&self.block));
            self.block = [0; BLOCK];
        }
        self.block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        compress256(&mut self.state, std::slice::from_ref(&self.block));
        // Outer: the inner digest, padded, after `key ^ opad` (64 + 32 bytes in all).
        let mut outer = [0u8; BLOCK];
        for (chunk, word) in outer[..32].chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        outer[32] = 0x80;
        outer[BLOCK - 8..].copy_from_slice(&((BLOCK as u64 + 32) * 8).to_be_bytes());
        let mut state = self.key.outer;
        compress256(&mut state, std::slice::from_ref(&outer));
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// Copies `src` into `dst`, of the same length, at most 32 bytes, with two fixed-size copies
/// that may overlap (as `memcpy` does for short lengths, but inline).
#[inline]
fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        dst[..16].copy_from_slice(&src[..16]);
        dst[n - 16..].copy_from_slice(&src[n - 16..]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..].copy_from_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..].copy_from_slice(&src[n - 4..]);
    } else if n > 0 {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::token::HmacSha256;
    use hmac::{KeyInit, Mac};

    fn reference(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap();
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn equals_the_hmac_crate_for_every_length_and_split() {
        let message: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for key_len in [0, 1, 32, 63, 64, 65, 100] {
            let key: Vec<u8> = (0..key_len).map(|i| i as u8 ^ 0xa5).collect();
            let fast = PrekeyedHmac::new(&key);
            for len in 0..message.len() {
                let m = &message[..len];
                assert_eq!(
                    fast.mac(m),
                    reference(&key, &[m]),
                    "key {key_len} len {len}"
                );
                let cut = len / 3;
                let mut w = fast.start();
                w.update(&m[..cut]);
                w.update(b"");
                if let Some((&b, rest)) = m[cut..].split_first() {
                    w.update_byte(b);
                    w.update(rest);
                }
                assert_eq!(w.finish(), reference(&key, &[m]), "split, len {len}");
                // Parts of every short length, across block boundaries.
                let mut w = fast.start();
                let (mut at, mut part) = (0, len % 34);
                while at < len {
                    let end = (at + part).min(len);
                    w.update(&m[at..end]);
                    at = end;
                    part = (part + 1) % 34;
                }
                assert_eq!(w.finish(), reference(&key, &[m]), "parts, len {len}");
            }
        }
    }

    #[test]
    fn rfc_4231_case_2() {
        let mac = PrekeyedHmac::new(b"Jefe").mac(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
