//! Shared CSV conventions: delimiter sniffing, content-free error messages, field quoting.
//!
//! CRM exports arrive comma-, tab-, semicolon- or pipe-separated, with or without a UTF-8
//! BOM, with CRLF or LF, and with quoted fields that hold delimiters and newlines. The
//! delimiter is sniffed from the header line (outside quotes) unless given; quoting and line
//! endings are the `csv` crate's job. Readers are "flexible" so a ragged row reaches the
//! caller, which counts it instead of aborting the whole file.

use std::path::Path;

use crate::error::Error;

const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Picks the delimiter that occurs most often, outside quotes, in the first line.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..4)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

/// A CSV error without any cell content: csv's own messages are not quoted verbatim.
pub fn csv_error(path: &Path, row: u64, err: &csv::Error) -> Error {
    let why = match err.kind() {
        csv::ErrorKind::Io(e) => {
            return Error::io(path)(std::io::Error::new(e.kind(), e.to_string()));
        }
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields".to_string(),
        _ => "malformed CSV".to_string(),
    };
    Error::Csv {
        path: path.to_path_buf(),
        row,
        why,
    }
}

/// Appends a field to a CSV line, quoting it when it holds a delimiter, quote or newline.
pub fn push_field(line: &mut Vec<u8>, field: &[u8]) {
    let needs_quotes = field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || field.first() == Some(&b'#');
    if !needs_quotes {
        line.extend_from_slice(field);
        return;
    }
    line.push(b'"');
    for &b in field {
        if b == b'"' {
            line.push(b'"');
        }
        line.push(b);
    }
    line.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;c\r\n"), b';');
        assert_eq!(sniff_delimiter(b"a|b|c"), b'|');
        assert_eq!(
            sniff_delimiter(b"\xEF\xBB\xBFEmail\tZip/Postal Code\tCity, State\n"),
            b'\t'
        );
        assert_eq!(sniff_delimiter(b"\"x,y,z\";b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"email\n"), b',');
    }

    #[test]
    fn quotes_fields_that_need_it() {
        let mut line = Vec::new();
        push_field(&mut line, b"Ward 3, Pct \"A\"");
        assert_eq!(line, b"\"Ward 3, Pct \"\"A\"\"\"");
        line.clear();
        push_field(&mut line, b"12-A");
        assert_eq!(line, b"12-A");
    }
}
