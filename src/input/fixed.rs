//! Fixed-width voter files (Michigan, Texas): each line cut into fields at the positions the
//! state publishes, so the rest of the pipeline sees ordinary records.
//!
//! Positions count characters. The files are ASCII in practice; a line with other characters
//! is cut at character boundaries, so an accented name cannot shift the fields after it. A
//! short line (trailing blanks trimmed by some tool) yields empty trailing fields.

use std::io::BufRead;

use super::layout::FixedField;

/// Reads fixed-width lines as records.
pub struct FixedReader<R> {
    inner: R,
    fields: Vec<(usize, usize)>,
    line: Vec<u8>,
    bounds: Vec<usize>,
}

impl<R: BufRead> FixedReader<R> {
    pub fn new(inner: R, fields: &[FixedField]) -> FixedReader<R> {
        FixedReader {
            inner,
            fields: fields.iter().map(|f| (f.start - 1, f.width)).collect(),
            line: Vec::new(),
            bounds: Vec::new(),
        }
    }

    /// Reads the next non-blank line into `record`; false at the end of the input.
    pub fn read(&mut self, record: &mut csv::ByteRecord) -> std::io::Result<bool> {
        loop {
            self.line.clear();
            if self.inner.read_until(b'\n', &mut self.line)? == 0 {
                return Ok(false);
            }
            while let [.., b'\n' | b'\r'] = self.line.as_slice() {
                self.line.pop();
            }
            if !self.line.iter().all(|&b| b == b' ') {
                break;
            }
        }
        record.clear();
        let line = self.line.as_slice();
        let ascii = line.is_ascii();
        if !ascii {
            // Byte offset of each character, and the end.
            self.bounds.clear();
            match std::str::from_utf8(line) {
                Ok(text) => self.bounds.extend(text.char_indices().map(|(i, _)| i)),
                Err(_) => self.bounds.extend(0..line.len()),
            }
            self.bounds.push(line.len());
        }
        let chars = if ascii {
            line.len()
        } else {
            self.bounds.len() - 1
        };
        for &(start, width) in &self.fields {
            let (from, to) = (start.min(chars), (start + width).min(chars));
            let field = if ascii {
                &line[from..to]
            } else {
                &line[self.bounds[from]..self.bounds[to]]
            };
            record.push_field(field);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, start: usize, width: usize) -> FixedField {
        FixedField {
            name: name.into(),
            start,
            width,
        }
    }

    #[test]
    fn cuts_lines_at_character_positions() {
        let layout = [
            field("last", 1, 6),
            field("first", 7, 5),
            field("zip", 12, 5),
        ];
        let text = "SMITH JOHN 48201\r\nMÜLLERZOË  48202\n\nLEE   AL\n";
        let mut reader = FixedReader::new(text.as_bytes(), &layout);
        let mut record = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while reader.read(&mut record).unwrap() {
            rows.push(
                record
                    .iter()
                    .map(|f| String::from_utf8(f.to_vec()).unwrap())
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(
            rows,
            [
                ["SMITH ", "JOHN ", "48201"],
                ["MÜLLER", "ZOË  ", "48202"],
                ["LEE   ", "AL", ""],
            ]
        );
    }
}
