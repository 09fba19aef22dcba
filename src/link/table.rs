//! The coordinator's input: a table of token prefixes, rows × kinds, each cell 0..n tokens.
//!
//! The scoring never sees a value, only whether two cells share a token, so a token is kept as
//! a `u64` (its first 8 bytes; a collision between two different 64-bit prefixes among a few
//! million tokens is about 1e-7 likely and would only add one candidate pair). Cells are stored
//! compactly (CSR per kind: one `Vec<u64>` of tokens and one offset per cell) so that a member
//! file costs 8 bytes per token plus 4 per cell.

use rayon::prelude::*;

use crate::spec::kinds::KindDef;

use super::LinkError;

/// The most kinds a table may have: a pair's status per kind is kept as 64-bit sets.
pub const MAX_KINDS: usize = 64;

/// Rows × kinds of token prefixes, built row by row with [`TokenTable::push_row`].
///
/// Each cell holds its distinct tokens in ascending order (duplicates given to `push_row` are
/// removed); an empty cell means the record has no value for the kind. Stored by kind
/// (one CSR column per kind), so that indexing a kind reads memory in order.
#[derive(Clone, Debug)]
pub struct TokenTable {
    kinds: Vec<KindDef>,
    columns: Vec<Column>,
    n_rows: usize,
}

/// One kind's cells: `offsets[r] .. offsets[r + 1]` is row r's cell in `tokens`.
#[derive(Clone, Debug)]
struct Column {
    offsets: Vec<u32>,
    tokens: Vec<u64>,
}

impl Column {
    fn new() -> Column {
        Column {
            offsets: vec![0],
            tokens: Vec::new(),
        }
    }

    fn cell(&self, row: usize) -> &[u64] {
        match (self.offsets.get(row), self.offsets.get(row + 1)) {
            (Some(&a), Some(&b)) => self.tokens.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
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
            columns: kinds.iter().map(|_| Column::new()).collect(),
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
        let too_many = self
            .columns
            .iter()
            .zip(cells)
            .any(|(col, cell)| col.tokens.len() + cell.len() > u32::MAX as usize);
        if too_many || self.n_rows >= u32::MAX as usize - 1 {
            return Err(LinkError::TooLarge);
        }
        for (col, cell) in self.columns.iter_mut().zip(cells) {
            let start = col.tokens.len();
            col.tokens.extend_from_slice(cell);
            let new = &mut col.tokens[start..];
            if new.len() > 1 {
                new.sort_unstable();
                let mut w = 1;
                for r in 1..new.len() {
                    if new[r] != new[w - 1] {
                        new[w] = new[r];
                        w += 1;
                    }
                }
                col.tokens.truncate(start + w);
            }
            // cannot truncate: checked above that the column fits in u32
            col.offsets.push(col.tokens.len() as u32);
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
        self.columns.iter().map(|c| c.tokens.len()).sum()
    }

    /// The tokens of row `row` and kind index `kind` (empty when out of range).
    pub fn cell(&self, row: usize, kind: usize) -> &[u64] {
        self.columns.get(kind).map_or(&[], |c| c.cell(row))
    }

    /// Every (token, row) of kind index `kind`, rows ascending (none when out of range).
    pub fn column(&self, kind: usize) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.columns.get(kind).into_iter().flat_map(|c| {
            c.offsets.windows(2).enumerate().flat_map(move |(r, w)| {
                c.tokens
                    .get(w[0] as usize..w[1] as usize)
                    .unwrap_or(&[])
                    .iter()
                    .map(move |&t| (t, r as u32))
            })
        })
    }

    /// Per row, the set of kind indices whose cell is not empty.
    pub fn presence(&self) -> Vec<u64> {
        let mut p = vec![0u64; self.n_rows];
        for (k, c) in self.columns.iter().enumerate() {
            for (r, w) in c.offsets.windows(2).enumerate() {
                if w[1] > w[0] {
                    if let Some(x) = p.get_mut(r) {
                        *x |= 1 << k;
                    }
                }
            }
        }
        p
    }

    /// Bytes of heap the table holds (tokens and offsets, at capacity).
    pub fn heap_bytes(&self) -> usize {
        self.columns
            .iter()
            .map(|c| c.tokens.capacity() * 8 + c.offsets.capacity() * 4)
            .sum()
    }

    /// Reserve room for `rows` more rows of about `tokens_per_cell` tokens per cell.
    pub fn reserve(&mut self, rows: usize, tokens_per_cell: usize) {
        for c in &mut self.columns {
            c.offsets.reserve(rows);
            c.tokens.reserve(rows * tokens_per_cell);
        }
    }

    /// The table with the voter-file drop rule of spec v2 section 7 applied: a token of a kind
    /// held by more than one row is removed from every cell that holds it. Returns the new
    /// table and, per kind, the number of distinct tokens removed. (The voter-file hasher does
    /// this; the coordinator may receive either form.)
    pub fn without_shared_tokens(&self) -> (TokenTable, Vec<u64>) {
        let shared = self.common_tokens(u64::MAX, 1);
        let mut table = self.clone();
        table.remove_tokens(&shared);
        (table, shared.iter().map(|t| t.len() as u64).collect())
    }

    /// Per kind, the tokens that more than `max_rows` rows hold, ascending, in the kinds of
    /// `kinds` (bit k for kind index k; none for the other kinds).
    pub fn common_tokens(&self, kinds: u64, max_rows: usize) -> Vec<Vec<u64>> {
        self.columns
            .par_iter()
            .enumerate()
            .map(|(k, col)| {
                if kinds & (1 << k) == 0 {
                    return Vec::new();
                }
                let mut all = col.tokens.clone();
                all.sort_unstable();
                // A cell holds a token once, so a run's length is the number of rows.
                all.chunk_by(|a, b| a == b)
                    .filter(|run| run.len() > max_rows)
                    .map(|run| run[0])
                    .collect()
            })
            .collect()
    }

    /// Removes `remove[k]` (ascending) from every cell of kind k; kinds past `remove`'s end,
    /// or with nothing to remove, are left as they are.
    pub fn remove_tokens(&mut self, remove: &[Vec<u64>]) {
        self.columns
            .par_iter_mut()
            .zip(remove)
            .filter(|(_, gone)| !gone.is_empty())
            .for_each(|(col, gone)| {
                let mut out = Column {
                    offsets: Vec::with_capacity(col.offsets.len()),
                    tokens: Vec::with_capacity(col.tokens.len()),
                };
                out.offsets.push(0);
                for w in col.offsets.windows(2) {
                    for &t in col.tokens.get(w[0] as usize..w[1] as usize).unwrap_or(&[]) {
                        if gone.binary_search(&t).is_err() {
                            out.tokens.push(t);
                        }
                    }
                    out.offsets.push(out.tokens.len() as u32);
                }
                *col = out;
            });
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

    #[test]
    fn common_tokens_are_found_past_the_limit_in_the_given_kinds_and_removed() {
        let mut t = TokenTable::new(&kinds(2)).unwrap();
        // token 4 on three rows of both kinds, token 5 on two rows of kind 0
        t.push_row(&[&[4, 5], &[4]]).unwrap();
        t.push_row(&[&[4], &[4]]).unwrap();
        t.push_row(&[&[4, 5, 6], &[4]]).unwrap();
        let common = t.common_tokens(0b01, 2);
        assert_eq!(common, vec![vec![4], vec![]]);
        assert!(
            t.common_tokens(0b11, 3).iter().all(Vec::is_empty),
            "three rows are not more than three"
        );
        t.remove_tokens(&common);
        assert_eq!(t.cell(0, 0), &[5]);
        assert_eq!(t.cell(1, 0), &[] as &[u64]);
        assert_eq!(t.cell(2, 0), &[5, 6]);
        assert_eq!(t.cell(2, 1), &[4], "kind 1 is not in the mask");
        assert_eq!(t.tokens(), 6);
    }
}
