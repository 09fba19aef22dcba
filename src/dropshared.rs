//! Voter files drop the tokens that several rows share (token spec v2, section 7).
//!
//! A token held by two voter records matches nobody one-to-one and reveals only structure
//! (households, namesakes, Jr/Sr), so `hash --kind voters` removes it from every cell. The
//! rule needs every row hashed first; at voter-file scale (20M rows, a few dozen tokens each)
//! no map of strings would fit, so each kind's tokens are kept as `u64` (the first 64 bits of
//! the token, the first 16 hex characters), sorted, and the values that occur more than once
//! are the ones to drop. The hashed rows, already staged by the row sorter, are then rewritten
//! on their way out. Two different tokens of one kind sharing their first 64 bits would be
//! dropped together; at 20M rows that happens with probability about 1e-5 per kind.

use rayon::prelude::*;

use crate::spec::kinds::KindDef;

/// The first 64 bits of a token given as raw bytes.
pub fn prefix_of_bytes(token: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&token[..8]);
    u64::from_be_bytes(b)
}

/// The first 64 bits of a token given as lowercase hex (16 characters or more).
fn prefix_of_hex(token: &[u8]) -> u64 {
    token[..16].iter().fold(0u64, |acc, &b| {
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => 0,
        };
        acc << 4 | u64::from(v)
    })
}

/// The key of a token of kind `kind` in a [`DropSet`]: kinds are told apart by a per-kind
/// odd multiplier, so one table serves every kind.
fn keyed(kind: usize, prefix: u64) -> u64 {
    prefix ^ (kind as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The dropped tokens of every kind in one open-addressing table: one cache miss per lookup,
/// where a binary search over millions of tokens costs twenty.
struct DropSet {
    slots: Vec<u64>,
    mask: usize,
    /// Whether the key 0 (the empty-slot marker) is in the set.
    zero: bool,
}

impl DropSet {
    fn new(keys: usize) -> DropSet {
        let size = (keys * 2).next_power_of_two().max(16);
        DropSet {
            slots: vec![0; size],
            mask: size - 1,
            zero: false,
        }
    }

    /// Token prefixes are uniformly random bits (MAC outputs), so the low bits index well.
    fn insert(&mut self, key: u64) {
        if key == 0 {
            self.zero = true;
            return;
        }
        let mut i = key as usize & self.mask;
        while self.slots[i] != 0 && self.slots[i] != key {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = key;
    }

    fn contains(&self, key: u64) -> bool {
        if key == 0 {
            return self.zero;
        }
        let mut i = key as usize & self.mask;
        loop {
            match self.slots[i] {
                0 => return false,
                k if k == key => return true,
                _ => i = (i + 1) & self.mask,
            }
        }
    }
}

/// The tokens of every row, per kind (kinds indexed like [`crate::spec::kinds::all_kinds`]).
#[derive(Default)]
pub struct Tally {
    tokens: Vec<Vec<u64>>,
    /// For multi-valued kinds: the number of tokens of each non-empty cell, in row order.
    cell_lens: Vec<Vec<u8>>,
    multi: Vec<bool>,
}

impl Tally {
    pub fn new(kinds: &[&KindDef]) -> Tally {
        Tally {
            tokens: vec![Vec::new(); kinds.len()],
            cell_lens: vec![Vec::new(); kinds.len()],
            multi: kinds.iter().map(|k| k.multi_valued()).collect(),
        }
    }

    /// Records the tokens of one non-empty cell (distinct, as cells are).
    pub fn cell(&mut self, kind: usize, prefixes: impl Iterator<Item = u64>) {
        let before = self.tokens[kind].len();
        self.tokens[kind].extend(prefixes);
        if self.multi[kind] {
            let n = self.tokens[kind].len() - before;
            self.cell_lens[kind].push(n.min(usize::from(u8::MAX)) as u8);
        }
    }

    /// Moves another tally's tokens to the end of this one.
    pub fn append(&mut self, other: &mut Tally) {
        for (all, some) in self.tokens.iter_mut().zip(&mut other.tokens) {
            all.append(some);
        }
        for (all, some) in self.cell_lens.iter_mut().zip(&mut other.cell_lens) {
            all.append(some);
        }
    }

    /// Finds the tokens held by more than one row, kind by kind.
    pub fn finish(self) -> Drops {
        let kinds = self.tokens.len();
        let mut drops = Drops {
            sets: vec![Vec::new(); kinds],
            table: DropSet::new(0),
            dropped: vec![0; kinds],
            emptied: vec![0; kinds],
        };
        let mut multi_cells = Vec::new();
        for (k, (cells, lens)) in self.tokens.into_iter().zip(self.cell_lens).enumerate() {
            let multi = self.multi[k];
            let (mut sorted, cells) = if multi {
                (cells.clone(), cells)
            } else {
                (cells, Vec::new())
            };
            sorted.par_sort_unstable();
            let set = &mut drops.sets[k];
            let mut i = 0;
            while i < sorted.len() {
                let mut j = i + 1;
                while j < sorted.len() && sorted[j] == sorted[i] {
                    j += 1;
                }
                if j - i > 1 {
                    set.push(sorted[i]);
                    if !multi {
                        drops.emptied[k] += (j - i) as u64;
                    }
                }
                i = j;
            }
            drop(sorted);
            drops.dropped[k] = set.len() as u64;
            if multi && !set.is_empty() {
                multi_cells.push((k, cells, lens));
            }
        }
        let mut table = DropSet::new(drops.sets.iter().map(Vec::len).sum());
        for (k, set) in drops.sets.iter().enumerate() {
            for &p in set {
                table.insert(keyed(k, p));
            }
        }
        for (k, cells, lens) in multi_cells {
            let mut start = 0;
            for n in lens {
                let end = (start + usize::from(n)).min(cells.len());
                let gone = cells[start..end]
                    .iter()
                    .all(|&t| table.contains(keyed(k, t)));
                drops.emptied[k] += u64::from(gone);
                start = end;
            }
        }
        drops.table = table;
        drops
    }
}

/// The tokens to drop, per kind, sorted.
pub struct Drops {
    /// Per kind, the dropped tokens, sorted.
    sets: Vec<Vec<u64>>,
    table: DropSet,
    /// Distinct tokens dropped, per kind.
    pub dropped: Vec<u64>,
    /// Cells left empty, per kind.
    pub emptied: Vec<u64>,
}

impl Drops {
    /// True when some token is dropped.
    pub fn any(&self) -> bool {
        self.sets.iter().any(|s| !s.is_empty())
    }

    /// Copies a hashed row (token cells of every kind, then the rest, then `\n`) into `out`
    /// without the dropped tokens.
    pub fn rewrite(&self, row: &[u8], out: &mut Vec<u8>) {
        let body = row.strip_suffix(b"\n").unwrap_or(row);
        let mut pos = 0;
        let mut end = 0;
        for (k, set) in self.sets.iter().enumerate() {
            if k > 0 {
                if end >= body.len() {
                    break;
                }
                out.push(b',');
                pos = end + 1;
            }
            end = memchr::memchr(b',', &body[pos..]).map_or(body.len(), |e| pos + e);
            let cell = &body[pos..end];
            if set.is_empty() || cell.is_empty() {
                out.extend_from_slice(cell);
                continue;
            }
            let mut first = true;
            for token in cell.split(|&b| b == b' ') {
                if token.len() >= 16 && self.table.contains(keyed(k, prefix_of_hex(token))) {
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
        tally.cell(0, [a].into_iter());
        tally.cell(name_any, [a, b].into_iter());
        tally.cell(0, [a].into_iter());
        tally.cell(name_any, [b].into_iter());
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
        drops.rewrite(row.as_bytes(), &mut out);
        cells[0].clear();
        cells[name_any] = hex(a);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{},P-1\n", cells.join(","))
        );
    }
}
