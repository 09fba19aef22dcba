//! OpenDocument spreadsheets (`.ods`, LibreOffice's format) are read directly: the same
//! people give the same tokens as from a CSV, numbers typed as numbers included.

use std::io::Write;

use crate::workdir::{Hashed, Workdir};

/// A minimal `.ods` file: one sheet per (name, rows); a cell is text, or a number when
/// it parses as one (as a spreadsheet stores a zip typed without quotes).
fn ods(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    for (name, rows) in sheets {
        content.push_str(&format!(r#"<table:table table:name="{name}">"#));
        for row in rows {
            content.push_str("<table:table-row>");
            for cell in row {
                let escaped = cell.replace('&', "&amp;").replace('<', "&lt;");
                if cell.parse::<f64>().is_ok() {
                    content.push_str(&format!(
                        r#"<table:table-cell office:value-type="float" office:value="{cell}"><text:p>{cell}</text:p></table:table-cell>"#
                    ));
                } else {
                    content.push_str(&format!(
                        r#"<table:table-cell office:value-type="string"><text:p>{escaped}</text:p></table:table-cell>"#
                    ));
                }
            }
            content.push_str("</table:table-row>");
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content.as_str()),
        ] {
            zip.start_file(name, stored).unwrap();
            zip.write_all(data.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    bytes
}

#[test]
fn ods_sheets_hash_like_the_same_csv() {
    let wd = Workdir::new();
    let header = vec![
        "Email",
        "First Name",
        "Last Name",
        "Address",
        "Zip",
        "Phone",
        "DOB",
    ];
    let people = vec![
        vec![
            "Ann.Lee@Example.org",
            "Ann",
            "Lee",
            "12 Elm St",
            "2139",
            "6505550101",
            "1980-01-02",
        ],
        vec![
            "zoe@example.org",
            "Zoë",
            "Müller",
            "7 Oak Ave",
            "60614",
            "(650) 555-0102",
            "1975",
        ],
    ];
    let mut csv = header.join(",");
    csv.push('\n');
    for p in &people {
        csv.push_str(&format!(
            "{}\n",
            p.iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    wd.write("people.csv", &csv);
    let mut rows = vec![header.clone()];
    rows.extend(people.clone());
    let other = vec![vec!["email"], vec!["someone@else.org"]];
    wd.write("people.ods", ods(&[("Notes", other), ("Members", rows)]));
    wd.hash("people.csv", "csv.hashed.csv", "o", &[]);
    let stderr = wd.hash("people.ods", "ods.hashed.csv", "o", &["--sheet", "members"]);
    assert!(stderr.contains("sheet 'Members'"), "{stderr}");
    let (a, b) = (
        Hashed::parse(&wd.read("csv.hashed.csv")),
        Hashed::parse(&wd.read("ods.hashed.csv")),
    );
    assert_eq!(a.rows, b.rows);
    assert_eq!(
        a.tokens("name_addr").len(),
        2,
        "the zip typed as a number is padded"
    );
    // The first sheet by default; a missing sheet is named in the error.
    wd.hash("people.ods", "first.hashed.csv", "o", &[]);
    assert_eq!(Hashed::parse(&wd.read("first.hashed.csv")).rows.len(), 1);
    let err = wd.fail(&wd.hash_args("o", &["people.ods", "-o", "x.csv", "--sheet", "Nope"]));
    assert!(
        err.contains("no sheet 'Nope'") && err.contains("Members"),
        "{err}"
    );
    // A damaged workbook is refused without quoting it.
    wd.write("broken.ods", b"PK\x03\x04 not really a zip");
    let err = wd.fail(&wd.hash_args("o", &["broken.ods", "-o", "x.csv"]));
    assert!(
        err.contains("broken.ods") && err.contains("spreadsheet"),
        "{err}"
    );
}
