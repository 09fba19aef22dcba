//! The coordinator's input: a table of token prefixes, rows × kinds, each cell 0..n tokens.
//!
//! The scoring never sees a value, only whether two cells share a token, so a token is kept as
//! a `u64` (its first 8 bytes; a collision between two different 64-bit prefixes among a few
//! million tokens is about 1e-7 likely and would only add one candidate pair). Cells are stored
//! compactly (CSR: one `Vec<u64>` of tokens and one offset per cell) so that a member file costs
//! 8 bytes per token plus 4 per cell.

use crate::spec::kinds::KindDef;

use super::LinkError;

/// The most kinds a table may have: a pair's status per kind is kept as 64-bit sets.
pub const MAX_KINDS: usize = 64;

/// Rows × kinds of token prefixes, built row by row with [`TokenTable::push_row`].
///
/// Each cell holds its distinct tokens in ascending order (duplicates given to `push_row` are
/// removed); an empty cell means the record has no value for the kind.
#[derive(Clone, Debug)]
pub struct TokenTable {
    kinds: Vec<KindDef>,
    /// `offsets[r * kinds + k] .. offsets[r * kinds + k + 1]` is the cell (r, k) in `tokens`.
    offsets: Vec<u32>,
    tokens: Vec<u64>,
    n_rows: usize,
}

impl TokenTable {
    /// An empty table with these kinds, in this column order (e.g. a subset of
    /// [`all_kinds`](crate::spec::kinds::all_kinds)). At most [`MAX_KINDS`] kinds.
    pub fn new(kinds: &[KindDef]) -> Result<TokenTable, LinkError> {
        if kinds.len() > MAX_KINDS {
            return Err(LinkError::TooManyKinds {
                kinds: kinds.len(),
                max: MAX_KINDS,
            });
        }
        Ok(TokenTable {
            kinds: kinds.to_vec(),
            offsets: vec![0],
            tokens: Vec::new(),
            n_rows: 0,
        })
    }

    /// Append one row: one slice of tokens per kind, in the table's kind order.
    pub fn push_row(&mut self, cells: &[&[u64]]) -> Result<(), LinkError> {
        if cells.len() != self.kinds.len() {
            return Err(LinkError::CellCount {
                row: self.rows(),
                expected: self.kinds.len(),
                got: cells.len(),
            });
        }
        let added: usize = cells.iter().map(|c| c.len()).sum();
        if self.tokens.len() + added > u32::MAX as usize || self.rows() >= u32::MAX as usize - 1 {
            return Err(LinkError::TooLarge);
        }
        for cell in cells {
            let start = self.tokens.len();
            self.tokens.extend_from_slice(cell);
            let new = &mut self.tokens[start..];
            if new.len() > 1 {
                new.sort_unstable();
                let mut w = 1;
                for r in 1..new.len() {
                    if new[r] != new[w - 1] {
                        new[w] = new[r];
                        w += 1;
                    }
                }
                self.tokens.truncate(start + w);
            }
            // cannot truncate: checked above that the total fits in u32
            self.offsets.push(self.tokens.len() as u32);
        }
        self.n_rows += 1;
        Ok(())
    }

    /// The kinds, in column order.
    pub fn kinds(&self) -> &[KindDef] {
        &self.kinds
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.n_rows
    }

    /// The number of tokens in all cells.
    pub fn tokens(&self) -> usize {
        self.tokens.len()
    }

    /// The tokens of row `row` and kind index `kind` (empty when out of range).
    pub fn cell(&self, row: usize, kind: usize) -> &[u64] {
        let nk = self.kinds.len();
        if kind >= nk {
            return &[];
        }
        let c = row * nk + kind;
        match (self.offsets.get(c), self.offsets.get(c + 1)) {
            (Some(&a), Some(&b)) => self.tokens.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Bytes of heap the table holds (tokens and offsets, at capacity).
    pub fn heap_bytes(&self) -> usize {
        self.tokens.capacity() * 8 + self.offsets.capacity() * 4
    }

    /// Reserve room for `rows` more rows of about `tokens` tokens.
    pub fn reserve(&mut self, rows: usize, tokens: usize) {
        self.offsets.reserve(rows * self.kinds.len().max(1));
        self.tokens.reserve(tokens);
    }

    /// The table with the voter-file drop rule of spec v2 section 7 applied: a token of a kind
    /// held by more than one row is removed from every cell that holds it. Returns the new
    /// table and, per kind, the number of distinct tokens removed. (The voter-file hasher does
    /// this; the coordinator may receive either form.)
    pub fn without_shared_tokens(&self) -> (TokenTable, Vec<u64>) {
        let nk = self.kinds.len();
        let rows = self.rows();
        let mut shared: Vec<Vec<u64>> = Vec::with_capacity(nk);
        let mut dropped = Vec::with_capacity(nk);
        for k in 0..nk {
            let mut all: Vec<u64> = (0..rows)
                .flat_map(|r| self.cell(r, k).iter().copied())
                .collect();
            all.sort_unstable();
            let mut dup = Vec::new();
            let mut i = 0;
            while i < all.len() {
                let mut j = i + 1;
                while j < all.len() && all[j] == all[i] {
                    j += 1;
                }
                if j - i > 1 {
                    dup.push(all[i]);
                }
                i = j;
            }
            dropped.push(dup.len() as u64);
            shared.push(dup);
        }
        let mut out = TokenTable {
            kinds: self.kinds.clone(),
            offsets: Vec::with_capacity(self.offsets.len()),
            tokens: Vec::with_capacity(self.tokens.len()),
            n_rows: rows,
        };
        out.offsets.push(0);
        for r in 0..rows {
            for (k, dup) in shared.iter().enumerate() {
                for &t in self.cell(r, k) {
                    if dup.binary_search(&t).is_err() {
                        out.tokens.push(t);
                    }
                }
                out.offsets.push(out.tokens.len() as u32);
            }
        }
        (out, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::kinds::all_kinds;

    fn kinds(n: usize) -> Vec<KindDef> {
        all_kinds().into_iter().take(n).cloned().collect()
    }

    #[test]
    fn cells_are_sorted_deduplicated_and_addressable() {
        let mut t = TokenTable::new(&kinds(3)).unwrap();
        t.push_row(&[&[5, 3, 5], &[], &[9]]).unwrap();
        t.push_row(&[&[], &[1], &[]]).unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.cell(0, 0), &[3, 5]);
        assert_eq!(t.cell(0, 1), &[] as &[u64]);
        assert_eq!(t.cell(0, 2), &[9]);
        assert_eq!(t.cell(1, 1), &[1]);
        assert_eq!(t.cell(2, 0), &[] as &[u64]);
        assert_eq!(t.cell(0, 7), &[] as &[u64]);
        assert_eq!(t.tokens(), 4);
    }

    #[test]
    fn wrong_cell_count_and_too_many_kinds_are_errors() {
        let mut t = TokenTable::new(&kinds(2)).unwrap();
        assert!(matches!(
            t.push_row(&[&[1]]),
            Err(LinkError::CellCount {
                expected: 2,
                got: 1,
                ..
            })
        ));
        let many: Vec<KindDef> = (0..65).map(|_| kinds(1)[0].clone()).collect();
        assert!(TokenTable::new(&many).is_err());
    }

    #[test]
    fn drop_rule_removes_tokens_on_two_rows() {
        let mut t = TokenTable::new(&kinds(2)).unwrap();
        t.push_row(&[&[1, 2], &[7]]).unwrap();
        t.push_row(&[&[2], &[8]]).unwrap();
        let (d, n) = t.without_shared_tokens();
        assert_eq!(n, vec![1, 0]);
        assert_eq!(d.cell(0, 0), &[1]);
        assert_eq!(d.cell(1, 0), &[] as &[u64]);
        assert_eq!(d.cell(1, 1), &[8]);
    }
}
