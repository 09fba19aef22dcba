//! Text encodings of exports: UTF-8 is read as is; anything else is decoded to UTF-8 on the
//! fly (`encoding_rs`), so `José` hashes the same whatever the tool that saved it.
//!
//! EveryAction's and VAN's native exports are UTF-16 with a byte-order mark; Excel's
//! "Unicode Text" is UTF-16 too, sometimes without one; older tools and Excel's plain "CSV"
//! write Windows-1252. The encoding is told by a BOM, by the NUL bytes that UTF-16 puts in
//! every other byte of ASCII text, or by bytes that cannot be UTF-8. `--encoding` overrides.

use std::io::Read;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding used for a file, and how it was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEncoding {
    pub encoding: &'static Encoding,
    pub how: How,
}

/// How the encoding was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Named with `--encoding`.
    Given,
    /// A byte-order mark.
    Bom,
    /// NUL bytes in every other position: UTF-16 without a BOM.
    NulPattern,
    /// Bytes that are not UTF-8: read as Windows-1252 (which covers Latin-1's letters).
    NotUtf8,
    /// Valid UTF-8 (or plain ASCII).
    Default,
}

impl TextEncoding {
    pub fn name(&self) -> &'static str {
        self.encoding.name()
    }

    pub fn is_utf8(&self) -> bool {
        self.encoding == UTF_8
    }

    /// Wraps a reader so that it yields UTF-8.
    pub fn decoder<R: Read + Send + 'static>(&self, inner: R) -> Box<dyn Read + Send> {
        if self.is_utf8() {
            Box::new(inner)
        } else {
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(self.encoding))
                    .build(inner),
            )
        }
    }

    /// The start of the file as text, for sniffing the delimiter.
    pub fn decode_head(&self, head: &[u8]) -> String {
        let (text, _, _) = self.encoding.decode(head);
        text.into_owned()
    }
}

/// Looks up an encoding by any of its WHATWG labels (`utf-8`, `utf-16le`, `windows-1252`,
/// `latin1`, `iso-8859-1`, ...).
pub fn for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Detects the encoding from the first bytes of a file.
pub fn detect(head: &[u8]) -> TextEncoding {
    let found = |encoding, how| TextEncoding { encoding, how };
    if let Some((encoding, _)) = Encoding::for_bom(head) {
        return found(encoding, How::Bom);
    }
    let sample = &head[..head.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs >= 2 {
        let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        // ASCII text in UTF-16 has a NUL in one byte of nearly every pair and none in the other.
        if odd * 10 >= pairs * 7 && even * 20 <= pairs {
            return found(UTF_16LE, How::NulPattern);
        }
        if even * 10 >= pairs * 7 && odd * 20 <= pairs {
            return found(UTF_16BE, How::NulPattern);
        }
    }
    // Windows-1252 when bytes that cannot be UTF-8 outnumber the UTF-8 characters beyond
    // ASCII: a UTF-8 file with one stray byte stays UTF-8 (that cell is counted as
    // undecodable), and its accented names are not garbled.
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    let mut chunks = head.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        // A character cut at the end of the sample is not an error.
        let cut_at_end = chunks.peek().is_none() && chunk.invalid().len() < 4;
        if !chunk.invalid().is_empty() && !cut_at_end {
            invalid += 1;
        }
    }
    if invalid > multibyte {
        found(WINDOWS_1252, How::NotUtf8)
    } else {
        found(UTF_8, How::Default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn detects_boms_nul_patterns_and_legacy_bytes() {
        assert_eq!(detect(b"email,zip\n").encoding, UTF_8);
        assert_eq!(detect(b"\xEF\xBB\xBFemail\n").how, How::Bom);
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le("Email\tFirst\n"));
        assert_eq!(detect(&le).encoding, UTF_16LE);
        assert_eq!(
            detect(&utf16le("Email\tFirst\n")),
            TextEncoding {
                encoding: UTF_16LE,
                how: How::NulPattern
            }
        );
        let be: Vec<u8> = "Email\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(detect(&be).encoding, UTF_16BE);
        assert_eq!(detect(b"first\nJos\xE9\n").encoding, WINDOWS_1252);
        // A UTF-8 character cut by the end of the sample is still UTF-8.
        assert_eq!(detect(b"first\nJos\xC3").encoding, UTF_8);
        // A stray byte in a UTF-8 file with accented names does not make it Windows-1252.
        assert_eq!(
            detect(b"first\nJos\xC3\xA9\nZo\xC3\xAB\ncaf\xE9\n").encoding,
            UTF_8
        );
        // NUL padding in a UTF-8 file (state voter files) is not UTF-16.
        assert_eq!(detect(b"a\tb\nSMITH\0\0\0\0\tJO\n").encoding, UTF_8);
    }

    #[test]
    fn decodes_to_the_same_text() {
        let latin = TextEncoding {
            encoding: WINDOWS_1252,
            how: How::Given,
        };
        let mut text = String::new();
        latin
            .decoder(std::io::Cursor::new(b"Jos\xE9 M\xFCller".to_vec()))
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "José Müller");
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le("Zoë"));
        let mut text = String::new();
        detect(&le)
            .decoder(std::io::Cursor::new(le))
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "Zoë");
        assert_eq!(for_label("latin1"), Some(WINDOWS_1252));
        assert_eq!(for_label("klingon"), None);
    }
}
