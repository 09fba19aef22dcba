//! The staged form of a hashed-file row: tokens as raw bytes while rows wait in the row
//! sorter, written out as hex once, at the end.
//!
//! `hash` must hold every row until the last one is read (the order is by content, and a
//! voter file's drop rule needs every token), so the bytes a row takes while staged are the
//! bytes moved through memory, and past the sorter's budget spilled to disk and read back.
//! Hex doubles a token; staging raw bytes about halves the rows (measured with the draft's
//! 128-bit v2 tokens: a 306k-row member export:
//! 294 MB of text rows, 163 MB staged, now under the default budget; a 500k-row NC-layout
//! voter file, whose rows are staged before the drop rule shortens them: about 508 MB of
//! text, 282 MB staged, so 26 MB instead of 252 MB beyond the one 256 MB spill). Writing a
//! row is then one pass that both hex-encodes it and leaves out the tokens the drop rule
//! removes (spec v2, section 7), instead of a copy and a rewrite.
//!
//! The form is chosen so that comparing staged rows byte by byte orders them exactly as
//! their text would be ordered, so the output file is byte-identical to sorting the text:
//! each non-empty cell is `FIRST token (SEP token)*`, then every cell ends with `END` (or
//! `END_LAST` for the last token cell when the text row ends right after it), then the rest
//! of the text row (messenger flag, kept columns, `\n`) follows verbatim. Tokens have a
//! fixed width per column (32 bytes for v1's five, 8 for v2's), so the first difference
//! between two staged rows is either inside one token, where raw bytes order as their
//! lowercase hex does, or at a marker, where the markers order as the text characters they
//! stand for: `\n` (`END_LAST`) < ` ` (`SEP`) < `,` (`END`) < a hex digit (`FIRST`).

use crate::spec::token::TOKEN_HEX_LEN;
use crate::spec::token_v2;

/// The last token cell ends and the text row ends with it (`\n` follows).
pub const END_LAST: u8 = 0;
/// Another token of the same cell follows (` ` in the text).
pub const SEP: u8 = 1;
/// The cell ends (`,` follows in the text).
pub const END: u8 = 2;
/// The cell's first token follows.
pub const FIRST: u8 = 3;

/// Bytes of a v1 token.
pub const V1_BYTES: usize = TOKEN_HEX_LEN / 2;

/// Appends one cell of tokens, closed with `end` ([`END`] or [`END_LAST`]).
pub fn push_cell<const N: usize>(out: &mut Vec<u8>, tokens: &[[u8; N]], end: u8) {
    for (i, t) in tokens.iter().enumerate() {
        out.push(if i == 0 { FIRST } else { SEP });
        out.extend_from_slice(t);
    }
    out.push(end);
}

/// Lowercase hex of every byte value, two characters each.
const HEX: [[u8; 2]; 256] = {
    let digits = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [digits[i >> 4], digits[i & 15]];
        i += 1;
    }
    t
};

/// Appends a token of `N` bytes (at most 32) as hex, in one fixed-size copy.
fn push_hex<const N: usize>(out: &mut Vec<u8>, token: &[u8; N]) {
    let mut buf = [0u8; 2 * V1_BYTES];
    for (pair, &b) in buf.chunks_exact_mut(2).zip(token) {
        pair.copy_from_slice(&HEX[usize::from(b)]);
    }
    out.extend_from_slice(&buf[..2 * N]);
}

/// The layout of staged rows: how many token cells, of which the first `v1` hold v1 tokens.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub v1: usize,
    pub cells: usize,
}

impl Layout {
    /// The marker that closes cell `cell` when the text after the token cells is `tail`.
    pub fn end_of(&self, cell: usize, tail_is_newline: bool) -> u8 {
        if cell + 1 == self.cells && tail_is_newline {
            END_LAST
        } else {
            END
        }
    }

    /// The row sorter's bucket of a staged row: the first byte of its first v1 token, 0
    /// when it has none (as the text row's first non-empty v1 cell's first two hex digits).
    pub fn bucket(&self, row: &[u8]) -> usize {
        let mut i = 0;
        for _ in 0..self.v1 {
            match row.get(i) {
                Some(&FIRST) => return row.get(i + 1).map_or(0, |&b| usize::from(b)),
                Some(_) => i += 1,
                None => return 0,
            }
        }
        0
    }

    /// Appends the text row of staged row `row`: tokens in hex, cells separated by `,`, the
    /// rest verbatim. With `drop`, the tokens whose bit is set (one bit per token, in row
    /// order) are left out.
    pub fn write_text(&self, row: &[u8], drop: Option<&[u64]>, out: &mut Vec<u8>) {
        let mut cells = Cells {
            row,
            at: 0,
            drop,
            bit: 0,
            out,
        };
        for cell in 0..self.cells {
            if cell > 0 {
                cells.out.push(b',');
            }
            if cell < self.v1 {
                cells.write::<V1_BYTES>();
            } else {
                cells.write::<{ token_v2::TOKEN_BYTES }>();
            }
        }
        let rest = row.get(cells.at..).unwrap_or_default();
        cells.out.extend_from_slice(rest);
    }
}

/// A staged row being written as text by [`Layout::write_text`], cell by cell.
struct Cells<'a, 'o> {
    row: &'a [u8],
    /// Where the next cell starts in `row`.
    at: usize,
    drop: Option<&'a [u64]>,
    /// The next token's drop bit.
    bit: usize,
    out: &'o mut Vec<u8>,
}

impl Cells<'_, '_> {
    /// Writes the next cell, of `N`-byte tokens, and steps over its end marker. The token
    /// width is a constant, so each token is one fixed-size read and one fixed-size write.
    fn write<const N: usize>(&mut self) {
        let mut first = true;
        while let Some(&(FIRST | SEP)) = self.row.get(self.at) {
            let token: &[u8; N] = self.row[self.at + 1..self.at + 1 + N]
                .try_into()
                .expect("a staged token has its column's width");
            self.at += 1 + N;
            let bit = self.bit;
            self.bit += 1;
            let gone = self
                .drop
                .is_some_and(|d| d.get(bit / 64).is_some_and(|w| w >> (bit % 64) & 1 == 1));
            if gone {
                continue;
            }
            if !first {
                self.out.push(b' ');
            }
            first = false;
            push_hex(self.out, token);
        }
        self.at += 1; // the cell's end marker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: Layout = Layout { v1: 2, cells: 4 };

    /// A staged row and its text, from cells of token first bytes (v1 tokens 32 bytes, v2
    /// [`token_v2::TOKEN_BYTES`]).
    fn row(cells: &[&[u8]], tail: &str) -> (Vec<u8>, String) {
        let mut staged = Vec::new();
        let mut text = Vec::new();
        for (c, firsts) in cells.iter().enumerate() {
            let end = LAYOUT.end_of(c, tail == "\n");
            let hex: Vec<String> = if c < LAYOUT.v1 {
                let tokens: Vec<[u8; 32]> = firsts.iter().map(|&b| [b; 32]).collect();
                push_cell(&mut staged, &tokens, end);
                tokens.iter().map(hex::encode).collect()
            } else {
                let tokens: Vec<[u8; token_v2::TOKEN_BYTES]> =
                    firsts.iter().map(|&b| [b; token_v2::TOKEN_BYTES]).collect();
                push_cell(&mut staged, &tokens, end);
                tokens.iter().map(hex::encode).collect()
            };
            text.push(hex.join(" "));
        }
        staged.extend_from_slice(tail.as_bytes());
        (staged, text.join(",") + tail)
    }

    #[test]
    fn staged_rows_sort_and_write_as_their_text() {
        let cells: [&[u8]; 6] = [&[], &[0x00], &[0x0a], &[0x0a, 0xf0], &[0x20, 0x2c], &[0xff]];
        for tail in ["\n", ",\n", ",1\n", ",P 1\n", ",P,\n"] {
            let mut rows = Vec::new();
            for a in cells {
                for b in cells {
                    for c in cells {
                        rows.push(row(&[a, b, c, b], tail));
                        rows.push(row(&[a, &[], b, c], tail));
                    }
                }
            }
            for (staged, text) in &rows {
                let mut out = Vec::new();
                LAYOUT.write_text(staged, None, &mut out);
                assert_eq!(String::from_utf8(out).unwrap(), *text);
                let bucket = text.split(',').take(2).find(|c| !c.is_empty());
                let want = bucket.map_or(0, |c| usize::from_str_radix(&c[..2], 16).unwrap());
                assert_eq!(LAYOUT.bucket(staged), want, "{text}");
            }
            let mut by_staged = rows.clone();
            by_staged.sort_by(|x, y| x.0.cmp(&y.0));
            let mut by_text = rows.clone();
            by_text.sort_by(|x, y| x.1.cmp(&y.1));
            let texts = |r: &[(Vec<u8>, String)]| r.iter().map(|x| x.1.clone()).collect::<Vec<_>>();
            assert_eq!(texts(&by_staged), texts(&by_text), "tail {tail:?}");
        }
    }

    #[test]
    fn dropped_tokens_are_left_out() {
        let (staged, _) = row(&[&[1], &[2], &[3, 4, 5], &[6]], ",P\n");
        let mut out = Vec::new();
        // Tokens in row order: 1, 2, 3, 4, 5, 6; drop 2, 3 and 5.
        LAYOUT.write_text(&staged, Some(&[0b10110]), &mut out);
        let (_, want) = row(&[&[1], &[], &[4], &[6]], ",P\n");
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}
