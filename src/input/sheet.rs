//! Spreadsheet exports (`.xlsx`, `.xlsm`, `.xls`, `.ods`) read directly with `calamine`,
//! so nobody has to re-save a workbook as CSV (and lose leading zeros on the way).
//!
//! Cells become the text a CSV export would hold: whole numbers without a decimal part (a zip
//! typed as a number, a phone), dates as `YYYY-MM-DD`. The first row is the header. A workbook
//! is read whole into memory, as `calamine` does; exports this size fit comfortably.

use std::path::Path;

use calamine::{Data, Reader};

use crate::error::{Error, Result};

/// File extensions read as spreadsheets.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// True when the path names a spreadsheet by its extension.
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// One sheet: its header and data rows as text records.
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<csv::ByteRecord>,
}

fn unreadable(path: &Path, why: &str) -> Error {
    Error::Columns {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

/// Reads the named sheet, or the first one.
pub fn read(path: &Path, wanted: Option<&str>) -> Result<Sheet> {
    // calamine's own messages can quote cell text, so they are not passed on.
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|_| unreadable(path, "could not be read as a spreadsheet (is it damaged?)"))?;
    let names = book.sheet_names();
    let name = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(w)))
            .cloned()
            .ok_or_else(|| {
                unreadable(
                    path,
                    &format!("has no sheet '{w}' (its sheets: {})", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| unreadable(path, "has no sheet"))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|_| unreadable(path, &format!("sheet '{name}' could not be read")))?;
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| cell_text(c).trim().to_string()).collect())
        .unwrap_or_default();
    if headers.iter().all(String::is_empty) {
        return Err(Error::EmptyInput {
            path: path.to_path_buf(),
        });
    }
    let mut records = Vec::new();
    for row in rows {
        let mut record = csv::ByteRecord::new();
        for cell in row {
            record.push_field(cell_text(cell).as_bytes());
        }
        if record.iter().any(|f| !f.is_empty()) {
            records.push(record);
        }
    }
    Ok(Sheet {
        name,
        headers,
        rows: records,
    })
}

/// A cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => number_text(d.as_f64()),
    }
}

/// A number as typed: `2139`, not `2139.0`; fractions as Rust prints them.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(2139.0), "2139");
        assert_eq!(number_text(6505551212.0), "6505551212");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(1.5), "1.5");
        assert!(is_spreadsheet(Path::new("Export.XLSX")));
        assert!(!is_spreadsheet(Path::new("export.csv")));
    }
}
