//! Output rows in an order that depends only on their content, in bounded memory.
//!
//! The order of a CRM export often follows signup date, so a hashed file must not keep it.
//! Sorting rows by their bytes gives an order that reveals nothing about the input order and
//! is reproducible (the same rows always give the same file). To sort more rows than fit in
//! memory, rows are first distributed into 256 buckets by the first byte of their first
//! token (uniformly random, since tokens are MAC outputs), buckets spill to scratch files
//! when a memory budget is reached, and each bucket is then sorted on its own.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::outfile::scratch_file_near;
use crate::progress::Progress;
use crate::spec::token::TOKEN_HEX_LEN;

const BUCKETS: usize = 256;
/// Default memory for buffered rows before spilling to disk.
pub const DEFAULT_BUDGET: usize = 256 << 20;

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// The bucket of a hashed-file row: the first byte of its first non-empty token.
fn bucket_of(row: &[u8], token_columns: usize) -> usize {
    let mut i = 0;
    for _ in 0..token_columns {
        match row.get(i) {
            Some(b',') => i += 1,
            Some(_) if row.len() >= i + TOKEN_HEX_LEN => {
                return match (hex_value(row[i]), hex_value(row[i + 1])) {
                    (Some(hi), Some(lo)) => usize::from(hi << 4 | lo),
                    _ => 0,
                };
            }
            _ => return 0,
        }
    }
    0
}

/// Rewrites a sorted row on its way out: the row (with its `\n`), its number in push order,
/// and the buffer to append the row to write to.
pub type Rewrite<'a> = dyn Fn(&[u8], u64, &mut Vec<u8>) + Sync + 'a;

/// Collects rows (each ending in `\n`) and writes them sorted by content.
pub struct RowSorter {
    buckets: Vec<Vec<u8>>,
    spills: Vec<Option<File>>,
    buffered: usize,
    budget: usize,
    scratch_near: PathBuf,
    token_columns: usize,
    /// Rows pushed so far: the next row's number.
    pushed: u64,
}

impl RowSorter {
    /// `scratch_near`: a path whose directory receives scratch files if rows spill.
    pub fn new(scratch_near: &Path, budget: usize, token_columns: usize) -> RowSorter {
        RowSorter {
            buckets: vec![Vec::new(); BUCKETS],
            spills: (0..BUCKETS).map(|_| None).collect(),
            buffered: 0,
            budget: budget.max(1),
            scratch_near: scratch_near.to_path_buf(),
            token_columns,
            pushed: 0,
        }
    }

    /// Adds one row (with its trailing newline). Rows are numbered from 0 in push order.
    pub fn push(&mut self, row: &[u8]) -> Result<()> {
        let bucket = &mut self.buckets[bucket_of(row, self.token_columns)];
        bucket.extend_from_slice(&(row.len() as u32).to_le_bytes());
        bucket.extend_from_slice(&self.pushed.to_le_bytes());
        bucket.extend_from_slice(row);
        self.pushed += 1;
        self.buffered += row.len() + 12;
        if self.buffered >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        for (bucket, spill) in self.buckets.iter_mut().zip(self.spills.iter_mut()) {
            if bucket.is_empty() {
                continue;
            }
            if spill.is_none() {
                *spill = Some(scratch_file_near(&self.scratch_near)?);
            }
            if let Some(file) = spill {
                file.write_all(bucket)
                    .map_err(Error::io(&self.scratch_near))?;
            }
            bucket.clear();
            bucket.shrink_to(1 << 16);
        }
        self.buffered = 0;
        Ok(())
    }

    /// Writes every row, sorted, to `out`, reporting buckets done to `progress`.
    pub fn finish(self, out: &mut impl Write, progress: &dyn Progress) -> Result<()> {
        self.finish_rewriting(out, progress, &|row, _, out| out.extend_from_slice(row))
    }

    /// As [`RowSorter::finish`], each sorted row passed through `rewrite` (row in, with its
    /// `\n`, and its number in push order; appends the row to write). Rows are ordered by
    /// their content before the rewrite: rows of equal content in any order.
    pub fn finish_rewriting(
        mut self,
        out: &mut impl Write,
        progress: &dyn Progress,
        rewrite: &Rewrite<'_>,
    ) -> Result<()> {
        progress.phase("ordering", BUCKETS as u64);
        let batch = rayon::current_num_threads().max(1) * 2;
        let near = self.scratch_near.clone();
        let mut start = 0;
        while start < BUCKETS {
            let end = (start + batch).min(BUCKETS);
            let sorted: Vec<Result<Vec<u8>>> = (start..end)
                .into_par_iter()
                .zip(self.buckets[start..end].par_iter_mut())
                .zip(self.spills[start..end].par_iter_mut())
                .map(|((_, memory), spill)| {
                    sort_bucket(spill.take(), std::mem::take(memory), &near, rewrite)
                })
                .collect();
            for bucket in sorted {
                out.write_all(&bucket?).map_err(Error::io(&near))?;
            }
            start = end;
            progress.update(start as u64);
        }
        progress.finish();
        Ok(())
    }
}

fn sort_bucket(
    spill: Option<File>,
    memory: Vec<u8>,
    near: &Path,
    rewrite: &Rewrite<'_>,
) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    if let Some(mut file) = spill {
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut data))
            .map_err(Error::io(near))?;
    }
    data.extend_from_slice(&memory);
    drop(memory);
    let mut rows: Vec<(&[u8], u64)> = Vec::new();
    let mut i = 0;
    while i + 12 <= data.len() {
        let (len, rest) = data[i..].split_at(4);
        let (index, rest) = rest.split_at(8);
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        let index = u64::from_le_bytes(index.try_into().expect("8 bytes"));
        rows.push((&rest[..len], index));
        i += 12 + len;
    }
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::with_capacity(data.len());
    for (row, index) in rows {
        rewrite(row, index, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(first: u8) -> String {
        format!("{first:02x}{}", "0".repeat(62))
    }

    #[test]
    fn buckets_follow_the_first_present_token() {
        let row = format!(",,{},\n", token(0xab));
        assert_eq!(bucket_of(row.as_bytes(), 5), 0xab);
        assert_eq!(bucket_of(b",,,,,precinct ff\n", 5), 0);
    }

    #[test]
    fn order_is_content_only_and_spilling_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let near = dir.path().join("out");
        let rows: Vec<String> = (0..500u32)
            .map(|i| format!("{}{:08},,,,x\n", token((i * 37 % 256) as u8), i))
            .collect();
        let run = |budget: usize, reversed: bool| {
            let mut sorter = RowSorter::new(&near, budget, 5);
            let mut input = rows.clone();
            if reversed {
                input.reverse();
            }
            for r in &input {
                sorter.push(r.as_bytes()).unwrap();
            }
            let mut out = Vec::new();
            sorter
                .finish(&mut out, &crate::progress::NoProgress)
                .unwrap();
            out
        };
        let in_memory = run(DEFAULT_BUDGET, false);
        assert_eq!(in_memory, run(DEFAULT_BUDGET, true));
        assert_eq!(in_memory, run(1000, true));
        let mut expected = rows.clone();
        expected.sort();
        let mut got: Vec<&str> = std::str::from_utf8(&in_memory)
            .unwrap()
            .split_inclusive('\n')
            .collect();
        assert_eq!(got.len(), 500);
        got.sort();
        assert_eq!(got, expected);
    }
}
