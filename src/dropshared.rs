//! Voter files drop the tokens that several rows share (token spec v2, section 7).
//!
//! A token held by two voter records matches nobody one-to-one and reveals only structure
//! (households, namesakes, Jr/Sr), so `hash --kind voters` removes it from every cell. The
//! rule needs every row hashed first; at voter-file scale (20M rows, a few dozen tokens each)
//! no map of strings would fit, so each kind's tokens are kept as `u64` (the first 64 bits of
//! the token, the first 16 hex characters) in row order, with the number of tokens each row
//! has of each kind. Sorting a kind's tokens (with their positions) finds the values that
//! occur more than once; every occurrence of such a value is then marked, by row and by its
//! position in the row, in one bit mask per row. The hashed rows, already staged by the row
//! sorter, are rewritten on their way out by their row number, without looking tokens up.
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
    /// Per kind, the tokens of every cell, in row order.
    tokens: Vec<Vec<u64>>,
    /// Per row, the number of tokens of each kind (`tokens.len()` entries a row).
    counts: Vec<u8>,
}

impl Tally {
    pub fn new(kinds: &[&KindDef]) -> Tally {
        Tally {
            tokens: vec![Vec::new(); kinds.len()],
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
        let before = self.tokens[kind].len();
        self.tokens[kind].extend(prefixes);
        let n = self.tokens[kind].len() - before;
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
        let mut dropped = vec![0u64; kinds];
        // Per kind, one bit per token (in row order): held by more than one row.
        let mut shared: Vec<Vec<u64>> = Vec::with_capacity(kinds);
        for (k, cells) in self.tokens.into_iter().enumerate() {
            let mut bits = vec![0u64; cells.len().div_ceil(64)];
            let mut sorted: Vec<(u64, u64)> = cells
                .iter()
                .enumerate()
                .map(|(i, &p)| (p, i as u64))
                .collect();
            drop(cells);
            sorted.par_sort_unstable_by_key(|&(p, _)| p);
            let mut i = 0;
            while i < sorted.len() {
                let mut j = i + 1;
                while j < sorted.len() && sorted[j].0 == sorted[i].0 {
                    j += 1;
                }
                if j - i > 1 {
                    dropped[k] += 1;
                    for &(_, at) in &sorted[i..j] {
                        bits[(at / 64) as usize] |= 1 << (at % 64);
                    }
                }
                i = j;
            }
            shared.push(bits);
        }
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

    /// Copies hashed row number `index` (0-based, in tally order; token cells of every kind,
    /// then the rest, then `\n`) into `out` without the dropped tokens.
    pub fn rewrite(&self, row: &[u8], index: u64, out: &mut Vec<u8>) {
        let start = usize::try_from(index).map_or(usize::MAX, |i| i.saturating_mul(self.words));
        let mask = self.masks.get(start..start.saturating_add(self.words));
        let Some(mask) = mask.filter(|m| m.iter().any(|&w| w != 0)) else {
            out.extend_from_slice(row);
            return;
        };
        let body = row.strip_suffix(b"\n").unwrap_or(row);
        let mut pos = 0;
        let mut end = 0;
        let mut bit = 0;
        for k in 0..self.dropped.len() {
            if k > 0 {
                if end >= body.len() {
                    break;
                }
                out.push(b',');
                pos = end + 1;
            }
            end = memchr::memchr(b',', &body[pos..]).map_or(body.len(), |e| pos + e);
            let cell = &body[pos..end];
            if cell.is_empty() {
                continue;
            }
            let mut first = true;
            for token in cell.split(|&b| b == b' ') {
                let gone = mask.get(bit / 64).is_some_and(|w| w >> (bit % 64) & 1 == 1);
                bit += 1;
                if gone {
                    continue;
                }
                if !first {
                    out.push(b' ');
                }
                first = false;
                out.extend_from_slice(token);
            }
        }
        out.extend_from_slice(&body[end.min(body.len())..]);
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::kinds::all_kinds;

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
        let hex = |p: u64| format!("{p:016x}{}", "0".repeat(16));
        let mut cells = vec![String::new(); kinds.len()];
        cells[0] = format!("{}{}", hex(a), hex(0));
        cells[name_any] = format!("{} {}", hex(a), hex(b));
        let row = format!("{},P-1\n", cells.join(","));
        let mut out = Vec::new();
        drops.rewrite(row.as_bytes(), 0, &mut out);
        cells[0].clear();
        cells[name_any] = hex(a);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{},P-1\n", cells.join(","))
        );
    }
}
