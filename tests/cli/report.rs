//! `report --format html`: the page hides exactly what the tables hide, shows everything
//! they show, and is the same bytes for the same merge. The browser test lives in
//! `browser.rs`.

use serde_json::Value;

use crate::consortium::Consortium;
use crate::workdir::Workdir;
use blindmatch::demo::DemoConfig;

fn cfg() -> DemoConfig {
    DemoConfig {
        orgs: 4,
        members: 600,
        voters: 4_000,
        seed: 13,
        dirt: 0.3,
    }
}

/// A merged consortium in `out/`, with opt-outs and an assignment (every chart has data).
fn merged() -> (Workdir, Value) {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let summary = c.merge_summary(&wd, &c.org_files(), "out", &["--assign", "balanced"]);
    (wd, summary)
}

fn html(wd: &Workdir, dir: &str, min_cell: &str) -> String {
    let out = wd.run(&["report", dir, "--format", "html", "--min-cell", min_cell]);
    String::from_utf8(out.stdout).unwrap()
}

/// Every count in summary.json (every number but the spec version), in document order.
fn counts(v: &Value, key: &str, out: &mut Vec<u64>) {
    match v {
        Value::Number(n) if key != "spec" => out.push(n.as_u64().unwrap()),
        Value::Array(items) => items.iter().for_each(|x| counts(x, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, x)| counts(x, k, out)),
        _ => {}
    }
}

/// The same summary with every count replaced by a distinctive number of its own.
fn distinctive(v: &Value, key: &str, next: &mut u64) -> Value {
    match v {
        Value::Number(_) if key != "spec" => {
            *next += 1_009;
            Value::from(*next)
        }
        Value::Array(items) => items.iter().map(|x| distinctive(x, key, next)).collect(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| (k.clone(), distinctive(x, k, next)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `1234567` and `1,234,567`.
fn forms(n: u64) -> [String; 2] {
    let plain = n.to_string();
    let mut grouped = String::new();
    for (i, ch) in plain.chars().enumerate() {
        if i > 0 && (plain.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    [plain, grouped]
}

#[test]
fn report_html_with_every_count_below_min_cell_holds_no_count() {
    let (wd, summary) = merged();
    let mut real = Vec::new();
    counts(&summary, "", &mut real);
    assert!(real.len() > 200, "the summary has counts to hide");
    let k = 1_000_000_000u64;
    assert!(real.iter().all(|&n| n < k));
    // Every count made distinctive (7 digits and up, so no coordinate or style can hold
    // one by chance): not one of them may appear, in any form, anywhere in the page.
    let mut next = 7_000_000;
    let marked = distinctive(&summary, "", &mut next);
    wd.write("marked/summary.json", serde_json::to_vec(&marked).unwrap());
    let page = html(&wd, "marked", &k.to_string());
    let mut marked_counts = Vec::new();
    counts(&marked, "", &mut marked_counts);
    for n in &marked_counts {
        for form in forms(*n) {
            assert!(!page.contains(&form), "the page holds the count {form}");
        }
    }
    // And the real counts leave no trace either: the page is byte for byte the one made
    // from the distinctive counts (text, SVG attributes, data and script alike).
    let real_page = html(&wd, "out", &k.to_string());
    assert!(real_page == page, "the page depends on hidden counts");
    assert!(page.contains("id=\"upset\"") && page.contains("class=\"hidden\""));
    assert!(!page.contains("data-"), "no data attributes at all");
}

/// Text of the cells of each row of the page's table titled `title`.
fn table_rows(page: &str, title: &str) -> Vec<Vec<String>> {
    let start = page
        .find(&format!("<h3>{title}</h3>"))
        .unwrap_or_else(|| panic!("no table {title}"));
    let table = &page[start..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr>").skip(1).map(cells_of).collect()
}

/// The contents of the `<th>` and `<td>` cells of one row, unescaped.
fn cells_of(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut rest = row;
    while let Some(i) = rest.find("<t") {
        let after = &rest[i + 4..];
        let end = after.find("</t").unwrap();
        cells.push(
            after[..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[end + 5..];
    }
    cells
}

#[test]
fn report_html_at_min_cell_1_shows_every_count_of_the_json_report() {
    let (wd, _) = merged();
    let out = wd.run(&["report", "out", "--format", "json", "--min-cell", "1"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = html(&wd, "out", "1");
    let mut checked = 0;
    for section in doc["sections"].as_array().unwrap() {
        let title = section["title"].as_str().unwrap();
        let columns: Vec<&str> = section["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let rows = table_rows(&page, &title.replace('&', "&amp;").replace('\'', "&#39;"));
        let want = section["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{title}");
        for (got, row) in rows.iter().zip(want) {
            assert_eq!(got.len(), columns.len(), "{title}: {got:?}");
            for (i, column) in columns.iter().enumerate() {
                let key = if column.is_empty() && i == 0 {
                    "label"
                } else {
                    column
                };
                let cell = &got[i];
                match &row[key] {
                    Value::String(s) => assert_eq!(cell, s, "{title}"),
                    Value::Number(n) if n.is_u64() && !cell.ends_with('%') => {
                        assert_eq!(cell, &n.to_string(), "{title} / {key}");
                        checked += 1;
                    }
                    Value::Number(n) => {
                        let shown: f64 = cell.trim_end_matches('%').parse().unwrap();
                        assert!((shown - n.as_f64().unwrap()).abs() < 0.051, "{title}");
                        checked += 1;
                    }
                    Value::Null if row.get(format!("{key}_suppressed")).is_some() => {
                        assert!(cell == "<1" || cell == "*", "{title} / {key}: {cell}");
                    }
                    Value::Null => assert_eq!(cell, "-", "{title} / {key}"),
                    other => panic!("{title} / {key}: {other}"),
                }
            }
        }
    }
    assert!(checked > 300, "{checked} counts compared");
    // The charts draw the same counts: each exact set's bar, each district's tiers.
    let sets = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "People by exact set of lists")
        .unwrap();
    for row in sets["rows"].as_array().unwrap() {
        if let Some(n) = row["people"].as_u64() {
            let title = format!(
                "<title>{}: {}</title>",
                row["lists"].as_str().unwrap(),
                forms(n)[1]
            );
            assert!(page.contains(&title), "{title}");
        }
    }
}

#[test]
fn report_html_is_the_same_bytes_every_time_and_never_overwrites() {
    let (wd, _) = merged();
    wd.run(&["report", "out", "--format", "html", "-o", "a.html"]);
    wd.run(&[
        "-j", "1", "report", "out", "--format", "html", "-o", "b.html",
    ]);
    let a = wd.read("a.html");
    assert!(a == wd.read("b.html"));
    assert!(a == html(&wd, "out", "10").into_bytes());
    assert!(a.len() > 20_000);
    let err = wd.fail(&["report", "out", "--format", "html", "-o", "a.html"]);
    assert!(err.contains("already exists"), "{err}");
    wd.run(&["report", "out", "--format", "md", "-o", "a.html", "--force"]);
    assert!(wd.read_string("a.html").contains("| org |"));
}
