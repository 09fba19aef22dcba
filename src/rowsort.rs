//! Output rows in an order that depends only on their content, in bounded memory.
//!
//! The order of a CRM export often follows signup date, so a hashed file must not keep it.
//! Sorting rows by their bytes gives an order that reveals nothing about the input order and
//! is reproducible (the same rows always give the same file). To sort more rows than fit in
//! memory, rows are first distributed into 256 buckets by a byte the caller gives (`hash`
//! gives the first byte of the row's first token, uniformly random since tokens are MAC
//! outputs), buckets spill to scratch files when a memory budget is reached, and each bucket
//! is then sorted on its own. Rows are sorted as bytes; `hash` stages them in a form whose
//! byte order is its text's ([`crate::staged`]) and writes the text on the way out.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::outfile::scratch_file_near;
use crate::progress::Progress;

/// Buckets: one per value of the byte rows are distributed by.
pub const BUCKETS: usize = 256;
/// Default memory for buffered rows before spilling to disk.
pub const DEFAULT_BUDGET: usize = 256 << 20;

/// Rewrites a sorted row on its way out: the row (with its `\n`), its number in push order,
/// and the buffer to append the row to write to.
pub type Rewrite<'a> = dyn Fn(&[u8], u64, &mut Vec<u8>) + Sync + 'a;

/// The most bytes of one block of a bucket. A bucket is a list of blocks, each twice the
/// size of the one before up to this, and a row goes whole into the last block: a bucket
/// grows without being copied (a growing vector copies its bytes at each doubling, onto
/// fresh pages: at 500k voter rows, about 280 MB).
const MAX_BLOCK: usize = 256 << 10;

/// Collects rows and writes them sorted by content.
pub struct RowSorter {
    /// Per bucket, its blocks of rows.
    buckets: Vec<Vec<Vec<u8>>>,
    spills: Vec<Option<File>>,
    buffered: usize,
    budget: usize,
    scratch_near: PathBuf,
    /// Rows pushed so far: the next row's number.
    pushed: u64,
}

impl RowSorter {
    /// `scratch_near`: a path whose directory receives scratch files if rows spill.
    pub fn new(scratch_near: &Path, budget: usize) -> RowSorter {
        RowSorter {
            buckets: vec![Vec::new(); BUCKETS],
            spills: (0..BUCKETS).map(|_| None).collect(),
            buffered: 0,
            budget: budget.max(1),
            scratch_near: scratch_near.to_path_buf(),
            pushed: 0,
        }
    }

    /// Adds one row to bucket `bucket` (below [`BUCKETS`]): rows of a lower bucket are
    /// written first. Rows are numbered from 0 in push order.
    pub fn push(&mut self, bucket: usize, row: &[u8]) -> Result<()> {
        let blocks = &mut self.buckets[bucket % BUCKETS];
        let need = row.len() + 12;
        let bucket = match blocks.last() {
            Some(last) if last.capacity() - last.len() >= need => {
                blocks.last_mut().expect("the last block was just seen")
            }
            last => {
                let size = last.map_or(4096, |b| 2 * b.capacity()).min(MAX_BLOCK);
                blocks.push(Vec::with_capacity(size.max(need)));
                blocks.last_mut().expect("a block was just pushed")
            }
        };
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
        for (blocks, spill) in self.buckets.iter_mut().zip(self.spills.iter_mut()) {
            if blocks.iter().all(Vec::is_empty) {
                continue;
            }
            if spill.is_none() {
                *spill = Some(scratch_file_near(&self.scratch_near)?);
            }
            if let Some(file) = spill {
                for block in blocks.iter() {
                    file.write_all(block)
                        .map_err(Error::io(&self.scratch_near))?;
                }
            }
            // The last (largest) block is kept for the rows to come.
            let mut last = blocks.pop().unwrap_or_default();
            last.clear();
            blocks.clear();
            blocks.push(last);
        }
        self.buffered = 0;
        Ok(())
    }

    /// Writes every row, sorted, to `out`, reporting buckets done to `progress`.
    pub fn finish(self, out: &mut impl Write, progress: &dyn Progress) -> Result<()> {
        self.finish_rewriting(out, progress, &|row, _, out| out.extend_from_slice(row))
    }

    /// As [`RowSorter::finish`], each sorted row passed through `rewrite` (row in, and its
    /// number in push order; appends the row to write). Rows are ordered by
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
    memory: Vec<Vec<u8>>,
    near: &Path,
    rewrite: &Rewrite<'_>,
) -> Result<Vec<u8>> {
    let mut spilled = Vec::new();
    if let Some(mut file) = spill {
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut spilled))
            .map_err(Error::io(near))?;
    }
    // Every block holds whole rows, and so does the spill file (whole blocks).
    let blocks = std::iter::once(&spilled).chain(&memory);
    let size: usize = blocks.clone().map(Vec::len).sum();
    // Each row with its first 8 bytes as a big-endian number (zero-padded): rows whose
    // prefixes differ order as their prefixes, so most comparisons are one integer compare.
    let mut rows: Vec<(u64, &[u8], u64)> = Vec::new();
    for data in blocks {
        let mut i = 0;
        while i + 12 <= data.len() {
            let (len, rest) = data[i..].split_at(4);
            let (index, rest) = rest.split_at(8);
            let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
            let index = u64::from_le_bytes(index.try_into().expect("8 bytes"));
            let row = &rest[..len];
            let mut prefix = [0u8; 8];
            let n = len.min(8);
            prefix[..n].copy_from_slice(&row[..n]);
            rows.push((u64::from_be_bytes(prefix), row, index));
            i += 12 + len;
        }
    }
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    // Room for rows written as hex, about twice their staged size.
    let mut out = Vec::with_capacity(size * 2);
    for (_, row, index) in rows {
        rewrite(row, index, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_bucket_then_content_and_spilling_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let near = dir.path().join("out");
        let rows: Vec<(usize, String)> = (0..500u32)
            .map(|i| {
                (
                    (i * 37 % 256) as usize,
                    format!("{:08},,,,x\n", i * 7919 % 1000),
                )
            })
            .collect();
        let run = |budget: usize, reversed: bool| {
            let mut sorter = RowSorter::new(&near, budget);
            let mut input = rows.clone();
            if reversed {
                input.reverse();
            }
            for (b, r) in &input {
                sorter.push(*b, r.as_bytes()).unwrap();
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
        let expected: String = expected.into_iter().map(|(_, r)| r).collect();
        assert_eq!(String::from_utf8(in_memory).unwrap(), expected);
    }

    #[test]
    fn short_rows_and_equal_prefixes_sort_as_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows: Vec<Vec<u8>> = Vec::new();
        for len in 0..12usize {
            for tail in [0u8, 1, 255] {
                let mut row = vec![0u8; len];
                row.push(tail);
                rows.push(row.clone());
                row.insert(0, 7);
                rows.push(row);
            }
        }
        let mut sorter = RowSorter::new(&dir.path().join("out"), DEFAULT_BUDGET);
        for row in rows.iter().rev() {
            sorter.push(0, row).unwrap();
        }
        let mut out = Vec::new();
        sorter
            .finish(&mut out, &crate::progress::NoProgress)
            .unwrap();
        rows.sort();
        assert_eq!(out, rows.concat());
    }
}
