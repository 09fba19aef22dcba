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

/// Appends a token (at most 32 bytes) as hex, in one copy.
fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut buf = [0u8; 2 * V1_BYTES];
    let n = bytes.len().min(V1_BYTES);
    for (pair, &b) in buf.chunks_exact_mut(2).zip(&bytes[..n]) {
        pair.copy_from_slice(&HEX[usize::from(b)]);
    }
    out.extend_from_slice(&buf[..2 * n]);
}

/// The layout of staged rows: how many token cells, of which the first `v1` hold v1 tokens.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub v1: usize,
    pub cells: usize,
}

impl Layout {
    fn width(&self, cell: usize) -> usize {
        if cell < self.v1 {
            V1_BYTES
        } else {
            token_v2::TOKEN_BYTES
        }
    }

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
        let mut i = 0;
        let mut bit = 0usize;
        for cell in 0..self.cells {
            if cell > 0 {
                out.push(b',');
            }
            let width = self.width(cell);
            let mut first = true;
            while let Some(&(FIRST | SEP)) = row.get(i) {
                let token = &row[i + 1..i + 1 + width];
                i += 1 + width;
                let gone =
                    drop.is_some_and(|d| d.get(bit / 64).is_some_and(|w| w >> (bit % 64) & 1 == 1));
                bit += 1;
                if gone {
                    continue;
                }
                if !first {
                    out.push(b' ');
                }
                first = false;
                push_hex(out, token);
            }
            i += 1; // the cell's end marker
        }
        out.extend_from_slice(row.get(i..).unwrap_or_default());
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
