//! A compact, read-only index from token to the member records that carry it.
//!
//! The coordinator holds every member token in memory and streams the (much larger) voter
//! file past it, so the index must be small and a lookup cheap. Tokens are MAC outputs, i.e.
//! uniformly random, which allows two simplifications: a 128-bit prefix stands for the token
//! (a collision among even 10^9 tokens has probability about 10^-21), and a radix directory
//! over the top bits lands a lookup within a handful of candidates. Cost: about 24 bytes per
//! token plus 4 per distinct token, and two cache misses per lookup.

use rayon::prelude::*;

/// Distinct tokens of one kind, each with the records that carry it.
pub struct TokenIndex {
    keys: Vec<u128>,
    /// `starts[i]..starts[i + 1]` is the slice of `records` for `keys[i]`.
    starts: Vec<u32>,
    records: Vec<u32>,
    directory: Vec<u32>,
    shift: u32,
}

impl TokenIndex {
    /// Builds the index from (token prefix, record) pairs, in any order.
    pub fn build(mut pairs: Vec<(u128, u32)>) -> TokenIndex {
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut keys = Vec::new();
        let mut starts = Vec::new();
        let mut records = Vec::with_capacity(pairs.len());
        for (i, &(key, record)) in pairs.iter().enumerate() {
            if i == 0 || pairs[i - 1].0 != key {
                keys.push(key);
                starts.push(records.len() as u32);
            }
            records.push(record);
        }
        starts.push(records.len() as u32);
        drop(pairs);
        let bits = (usize::BITS - keys.len().leading_zeros()).clamp(4, 24);
        let shift = 128 - bits;
        let mut directory = vec![0u32; (1 << bits) + 1];
        let mut k = 0;
        for (slot, entry) in directory.iter_mut().enumerate() {
            while k < keys.len() && ((keys[k] >> shift) as usize) < slot {
                k += 1;
            }
            *entry = k as u32;
        }
        TokenIndex {
            keys,
            starts,
            records,
            directory,
            shift,
        }
    }

    /// Number of distinct tokens.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The position of a token among the distinct tokens, if present.
    pub fn find(&self, key: u128) -> Option<usize> {
        let slot = (key >> self.shift) as usize;
        let (lo, hi) = (
            self.directory[slot] as usize,
            self.directory[slot + 1] as usize,
        );
        self.keys[lo..hi].binary_search(&key).ok().map(|i| lo + i)
    }

    /// The records carrying the `i`th distinct token.
    pub fn records(&self, i: usize) -> &[u32] {
        &self.records[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    pub fn key(&self, i: usize) -> u128 {
        self.keys[i]
    }

    /// Number of (token, record) pairs.
    pub fn records_len(&self) -> usize {
        self.records.len()
    }

    /// Bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 16
            + self.starts.capacity() * 4
            + self.records.capacity() * 4
            + self.directory.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_token_and_nothing_else() {
        let mut pairs = Vec::new();
        let mut x: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
        for r in 0..5000u32 {
            x = x
                .wrapping_mul(0x2545_f491_4f6c_dd1d_5851_f42d_4c95_7f2d)
                .wrapping_add(1);
            pairs.push((x, r));
            if r % 10 == 0 {
                pairs.push((x, r + 100_000)); // a shared token
            }
        }
        let index = TokenIndex::build(pairs.clone());
        assert_eq!(index.len(), 5000);
        for &(key, record) in &pairs {
            let i = index.find(key).unwrap();
            assert!(index.records(i).contains(&record));
            assert_eq!(index.key(i), key);
        }
        assert_eq!(index.find(12345), None);
        assert_eq!(index.find(u128::MAX), None);
        let empty = TokenIndex::build(Vec::new());
        assert!(empty.is_empty() && empty.find(7).is_none());
    }
}
