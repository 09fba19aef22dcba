//! Voter files drop the tokens that several rows share (token spec v2, section 7).
//!
//! A token held by two voter records matches nobody one-to-one and reveals only structure
//! (households, namesakes, Jr/Sr), so `hash --kind voters` removes it from every cell. The
//! rule needs every row hashed first; at voter-file scale (20M rows, a few dozen tokens each)
//! no map of strings would fit, so each kind's tokens are kept as `u64` (the first 64 bits of
//! the token, the first 16 hex characters) in row order, with the number of tokens each row
//! has of each kind. Bucketing a kind's tokens (with their positions) by their top bits finds
//! the values that occur more than once; every occurrence of such a value is then marked, by
//! row and by its position in the row, in one bit mask per row. The hashed rows, already
//! staged by the row sorter, leave out the marked tokens as they are written, by their row
//! number, without looking tokens up ([`crate::staged::Layout::write_text`]).
//! Two different tokens of one kind sharing their first 64 bits would be dropped together; at
//! 20M rows that happens with probability about 1e-5 per kind.

use rayon::prelude::*;

use crate::spec::kinds::KindDef;

/// The first 64 bits of a token given as raw bytes.
pub fn prefix_of_bytes(token: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&token[..8]);
    u64::from_be_bytes(b)
}

/// The tokens of every row, per kind (kinds indexed like [`crate::spec::kinds::all_kinds`]).
#[derive(Default)]
pub struct Tally {
    /// Per kind, the tokens of every cell, in row order, in pieces: [`Tally::append`] moves
    /// another tally's pieces over instead of copying their tokens (at 500k voter rows, 170 MB
    /// that a growing vector copied again at each doubling, onto fresh pages).
    tokens: Vec<Vec<Vec<u64>>>,
    /// Per row, the number of tokens of each kind (`tokens.len()` entries a row).
    counts: Vec<u8>,
}

impl Tally {
    pub fn new(kinds: &[&KindDef]) -> Tally {
        Tally {
            tokens: vec![vec![Vec::new()]; kinds.len()],
            counts: Vec::new(),
        }
    }

    /// Starts the next row; every row, with tokens or not, starts with this call.
    pub fn start_row(&mut self) {
        self.counts
            .extend(std::iter::repeat_n(0, self.tokens.len()));
    }

    /// Records the tokens of one non-empty cell of the current row (distinct, as cells are,
    /// and in the order the cell lists them).
    pub fn cell(&mut self, kind: usize, prefixes: impl Iterator<Item = u64>) {
        let pieces = &mut self.tokens[kind];
        if pieces.is_empty() {
            pieces.push(Vec::new());
        }
        let piece = pieces.last_mut().expect("a piece was just ensured");
        let before = piece.len();
        piece.extend(prefixes);
        let n = piece.len() - before;
        let row = self.counts.len() - self.tokens.len();
        self.counts[row + kind] = u8::try_from(n).expect("a cell holds at most 255 tokens");
    }

    /// Moves another tally's rows to the end of this one.
    pub fn append(&mut self, other: &mut Tally) {
        for (all, some) in self.tokens.iter_mut().zip(&mut other.tokens) {
            all.append(some);
        }
        self.counts.append(&mut other.counts);
    }

    /// Finds the tokens held by more than one row, kind by kind, and marks them in their rows.
    pub fn finish(self) -> Drops {
        let kinds = self.tokens.len();
        let rows = self.counts.len().checked_div(kinds).unwrap_or(0);
        // Per kind, one bit per token (in row order): held by more than one row.
        let (shared, dropped): (Vec<Vec<u64>>, Vec<u64>) = self
            .tokens
            .into_par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |(entries, table), pieces| shared_bits(&pieces, entries, table),
            )
            .unzip();
        let any = dropped.iter().any(|&d| d > 0);
        let widest = self
            .counts
            .chunks_exact(kinds.max(1))
            .map(|c| c.iter().map(|&n| usize::from(n)).sum::<usize>())
            .max()
            .unwrap_or(0);
        let words = widest.div_ceil(64).max(1);
        let mut drops = Drops {
            masks: if any {
                vec![0; rows * words]
            } else {
                Vec::new()
            },
            words,
            dropped,
            emptied: vec![0; kinds],
        };
        if !any {
            return drops;
        }
        let mut next = vec![0usize; kinds];
        for (r, counts) in self.counts.chunks_exact(kinds).enumerate() {
            let mask = &mut drops.masks[r * words..(r + 1) * words];
            let mut bit = 0;
            for (k, &n) in counts.iter().enumerate() {
                let n = usize::from(n);
                if n == 0 {
                    continue;
                }
                let mut all = true;
                for at in next[k]..next[k] + n {
                    if shared[k][at / 64] >> (at % 64) & 1 == 1 {
                        mask[bit / 64] |= 1 << (bit % 64);
                    } else {
                        all = false;
                    }
                    bit += 1;
                }
                drops.emptied[k] += u64::from(all);
                next[k] += n;
            }
        }
        drops
    }
}

/// One bit per token of one kind (in row order), set when another token of the kind has
/// the same value, and the number of distinct values so marked.
///
/// Tokens are MAC outputs, uniformly spread, so one stable counting-sort pass on their top
/// bits splits them into buckets of about 256 tokens, and equal tokens share a bucket. Each
/// bucket, small enough to stay in cache, then finds its repeated values with a small
/// open-addressing table on the tokens' low bits. One scatter pass instead of the two of a
/// 22-bit radix sort (a scatter into thousands of buckets is the costly part: each write
/// lands on another page). `entries` and `table` are reusable buffers.
fn shared_bits(
    pieces: &[Vec<u64>],
    entries: &mut Vec<(u64, usize)>,
    table: &mut Vec<usize>,
) -> (Vec<u64>, u64) {
    /// A table slot with no entry.
    const EMPTY: usize = usize::MAX;
    /// Set on a table entry once its value was seen again (and counted).
    const SEEN: usize = 1 << (usize::BITS - 1);
    let tokens = || pieces.iter().flatten().copied();
    let n = pieces.iter().map(Vec::len).sum::<usize>();
    let mut bits = vec![0u64; n.div_ceil(64)];
    let mut mark = |at: usize| bits[at / 64] |= 1 << (at % 64);
    let mut dropped = 0;
    // Buckets of about 256 tokens, at most 4096 of them.
    let digit = (n / 256).max(1).ilog2().min(12);
    let bucket = |p: u64| p.checked_shr(64 - digit).unwrap_or(0) as usize;
    let mut starts = vec![0usize; (1 << digit) + 1];
    for p in tokens() {
        starts[bucket(p) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    entries.clear();
    entries.resize(n, (0, 0));
    let mut next = starts.clone();
    for (at, p) in tokens().enumerate() {
        let slot = &mut next[bucket(p)];
        entries[*slot] = (p, at);
        *slot += 1;
    }
    for range in starts.windows(2) {
        let bucket = &entries[range[0]..range[1]];
        if bucket.len() < 2 {
            continue;
        }
        let size = (2 * bucket.len()).next_power_of_two();
        table.clear();
        table.resize(size, EMPTY);
        for (i, &(p, at)) in bucket.iter().enumerate() {
            // The low bits: as random as the top ones, and not shared by the whole bucket.
            let mut slot = p as usize & (size - 1);
            loop {
                let e = table[slot];
                if e == EMPTY {
                    table[slot] = i;
                    break;
                }
                let (q, first_at) = bucket[e & !SEEN];
                if q == p {
                    if e & SEEN == 0 {
                        table[slot] = e | SEEN;
                        dropped += 1;
                        mark(first_at);
                    }
                    mark(at);
                    break;
                }
                slot = (slot + 1) & (size - 1);
            }
        }
    }
    (bits, dropped)
}

/// The tokens to drop: per row, one bit per token, in the order the row lists them.
pub struct Drops {
    masks: Vec<u64>,
    /// Mask words a row.
    words: usize,
    /// Distinct tokens dropped, per kind.
    pub dropped: Vec<u64>,
    /// Cells left empty, per kind.
    pub emptied: Vec<u64>,
}

impl Drops {
    /// True when some token is dropped.
    pub fn any(&self) -> bool {
        self.dropped.iter().any(|&d| d > 0)
    }

    /// The drop bits of hashed row number `index` (0-based, in tally order): one bit per
    /// token, in the order the row lists them (token cells of every kind); `None` when the
    /// row keeps every token.
    pub fn mask(&self, index: u64) -> Option<&[u64]> {
        let start = usize::try_from(index).map_or(usize::MAX, |i| i.saturating_mul(self.words));
        let mask = self.masks.get(start..start.saturating_add(self.words));
        mask.filter(|m| m.iter().any(|&w| w != 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::kinds::all_kinds;
    use crate::spec::token_v2;
    use crate::staged::{END, Layout, push_cell};

    #[test]
    fn shared_bits_mark_every_repeated_value() {
        for n in [0usize, 1, 2, 300, 5000, 70_000] {
            // A fixed pseudo-random stream, with every 7th value repeating an earlier one.
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            let mut tokens = Vec::with_capacity(n);
            for i in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                tokens.push(if i % 7 == 6 { tokens[i / 3] } else { x });
            }
            let mut seen = std::collections::HashMap::new();
            for &t in &tokens {
                *seen.entry(t).or_insert(0) += 1;
            }
            // In pieces of uneven lengths, as tallies appended to one another give them.
            let mut pieces = vec![Vec::new()];
            for (i, &t) in tokens.iter().enumerate() {
                if i % 997 == 0 || i % 1000 == 1 {
                    pieces.push(Vec::new());
                }
                pieces.last_mut().unwrap().push(t);
            }
            let (bits, dropped) = shared_bits(&pieces, &mut Vec::new(), &mut Vec::new());
            assert_eq!(dropped, seen.values().filter(|&&c| c > 1).count() as u64);
            for (at, t) in tokens.iter().enumerate() {
                assert_eq!(
                    bits[at / 64] >> (at % 64) & 1 == 1,
                    seen[t] > 1,
                    "n {n} at {at}"
                );
            }
        }
    }

    #[test]
    fn shared_tokens_leave_every_row_and_counts_follow() {
        let kinds = all_kinds();
        let mut tally = Tally::new(&kinds);
        let name_any = kinds.iter().position(|k| k.multi_valued()).unwrap();
        let (a, b, c) = (1u64 << 60, 2u64 << 60, 3u64 << 60);
        // Row 1: email a, multi-valued cell {a, b}; row 2: email a, cell {b}; row 3: email c.
        tally.start_row();
        tally.cell(0, [a].into_iter());
        tally.cell(name_any, [a, b].into_iter());
        tally.start_row();
        tally.cell(0, [a].into_iter());
        tally.cell(name_any, [b].into_iter());
        tally.start_row();
        tally.cell(0, [c].into_iter());
        let drops = tally.finish();
        assert!(drops.any());
        assert_eq!((drops.dropped[0], drops.emptied[0]), (1, 2));
        assert_eq!((drops.dropped[name_any], drops.emptied[name_any]), (1, 1));
        let layout = Layout {
            v1: 5,
            cells: kinds.len(),
        };
        let mut row = Vec::new();
        let v1 = |p: u64| {
            let mut t = [0u8; 32];
            t[..8].copy_from_slice(&p.to_be_bytes());
            t
        };
        let v2 = |p: u64| {
            let mut t = [0u8; token_v2::TOKEN_BYTES];
            t[..8].copy_from_slice(&p.to_be_bytes());
            t
        };
        for k in 0..kinds.len() {
            match k {
                0 => push_cell(&mut row, &[v1(a)], END),
                k if k == name_any => push_cell(&mut row, &[v2(a), v2(b)], END),
                _ => push_cell::<{ token_v2::TOKEN_BYTES }>(&mut row, &[], END),
            }
        }
        row.extend_from_slice(b",P-1\n");
        let mut out = Vec::new();
        layout.write_text(&row, drops.mask(0), &mut out);
        let hex = |p: u64| format!("{p:016x}{}", "0".repeat(2 * token_v2::TOKEN_BYTES - 16));
        let mut cells = vec![String::new(); kinds.len()];
        cells[name_any] = hex(a);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{},P-1\n", cells.join(","))
        );
        assert!(drops.mask(2).is_none(), "row 3 keeps its token");
    }
}
