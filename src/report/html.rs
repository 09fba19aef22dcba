//! `report --format html`: the report as one self-contained page, for people who would
//! rather look than read.
//!
//! The page is a single file that opens offline, prints, and can be mailed: styles, charts
//! (inline SVG) and a few lines of script (sorting the tables) are all inside it, and a
//! content security policy tells the browser to fetch nothing even if it were asked to.
//!
//! Suppression is that of the tables, because every chart draws cells that the tables
//! publish, and reads them only through [`Report::value`] and [`Report::ratio`], which
//! return nothing for a hidden count. A hidden count is drawn as a hatched placeholder of a
//! fixed size, labelled `<K` or `*` like its table cell; the scale of each chart comes from
//! the shown counts alone, and a bar after a placeholder starts where the placeholder's
//! fixed size ends, so no length, position, colour or tooltip depends on a hidden count.
//! Charts are sorted by shown values only (hidden cells keep a fixed order), so even the
//! order says nothing about them. The same report always gives the same bytes.

use std::fmt::Write as _;

use super::svg::{Anchor, Svg, escape};
use super::{Cell, CellId, Report};

/// Colours of the orgs, in label order (the Okabe-Ito palette, safe for colour blindness).
const ORG_COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#555555",
];
/// The exact intersections the UpSet plot draws at most; the table lists them all.
const MAX_SETS: usize = 40;
/// District columns with more values than this start folded.
const FOLD_ROWS: usize = 60;
/// The fixed size of a hidden count's placeholder, in pixels.
const HIDDEN: f64 = 22.0;

const STYLE: &str = r#"
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --bar: #3b6ea5; --bg: #ffffff; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); background: var(--bg); margin: 0 auto; padding: 24px; max-width: 1080px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 4px; }
p.note, p.legend, footer { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
p.legend { border-left: 3px solid var(--bar); padding-left: 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; flex: 1 1 130px; }
.card .v { font-size: 24px; font-weight: 600; }
.card .k { color: var(--muted); font-size: 13px; }
.card .p { color: var(--muted); font-size: 13px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; font-size: 12px; }
svg text { fill: var(--ink); }
svg text.muted { fill: var(--muted); }
svg text.small { font-size: 11px; }
svg text.head { font-weight: 600; }
svg text.light { fill: #ffffff; }
rect.bar { fill: var(--bar); }
rect.band { fill: #f3f5f8; }
rect.frame { fill: none; stroke: var(--rule); }
rect.hidden { fill: url(#hatch); stroke: #9aa3b2; stroke-dasharray: 3 2; }
rect.t1 { fill: #9ecae1; } rect.t2 { fill: #4292c6; } rect.t3 { fill: #08306b; }
rect.diag { fill: #eef0f4; }
line.link { stroke: var(--ink); stroke-width: 2.5; }
line.axis { stroke: var(--rule); }
circle.on { fill: var(--ink); }
circle.off { fill: #dde1e8; }
.key { display: inline-flex; align-items: center; gap: 4px; margin-right: 14px; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
.swatch.t1 { background: #9ecae1; } .swatch.t2 { background: #4292c6; } .swatch.t3 { background: #08306b; }
.swatch.hidden { background: repeating-linear-gradient(45deg, #fff 0 3px, #9aa3b2 3px 4px); border: 1px dashed #9aa3b2; }
table { border-collapse: collapse; margin: 6px 0 18px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { cursor: pointer; background: #f3f5f8; position: sticky; top: 0; }
thead th.down::after { content: " \2193"; } thead th.up::after { content: " \2191"; }
details > summary { cursor: pointer; color: var(--bar); }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  h2 { break-after: avoid; }
  svg.chart, table { break-inside: avoid; }
  thead th { position: static; }
}
"#;

/// Sorting: click a column head; numbers sort by value, hidden cells (`<K`, `*`) last. It
/// reads only the text of the table, which is already suppressed.
const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, col) {
    th.title = "Sort";
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var down = th.className !== "down";
      var key = function (row) {
        var t = row.cells[col].textContent.trim();
        var n = parseFloat(t.replace(/[,%]/g, ""));
        return /^[0-9.,]+%?$/.test(t) ? n : null;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null && y === null) {
          return a.cells[col].textContent.localeCompare(b.cells[col].textContent);
        }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        return down ? y - x : x - y;
      });
      table.querySelectorAll("thead th").forEach(function (h) { h.className = ""; });
      th.className = down ? "down" : "up";
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"#;

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl Report {
    /// A count as the page shows it: its value, or `<K` / `*` like the tables.
    fn count_text(&self, id: CellId) -> String {
        match self.value(id) {
            Some(v) => thousands(v),
            None => self.display(&Cell::Count(id)),
        }
    }

    /// A percentage as the tables show it.
    fn percent_text(&self, n: CellId, d: CellId) -> String {
        self.display(&Cell::Percent(n, d))
    }

    /// The largest shown count among `ids` (at least 1, so scales never divide by zero).
    fn largest_shown(&self, ids: impl IntoIterator<Item = CellId>) -> f64 {
        ids.into_iter()
            .filter_map(|id| self.value(id))
            .max()
            .unwrap_or(1)
            .max(1) as f64
    }
}

/// The whole page.
pub fn page(r: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
        "<meta name=\"generator\" content=\"blindmatch ",
        env!("CARGO_PKG_VERSION"),
        "\">\n<title>Consortium report</title>\n<style>"
    ));
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    // One hatch pattern for every placeholder on the page.
    out.push_str(concat!(
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\">",
        "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" ",
        "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>",
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9aa3b2\" stroke-width=\"2\"/>",
        "</pattern></defs></svg>\n"
    ));
    out.push_str("<header>\n<h1>Consortium report</h1>\n");
    let _ = writeln!(out, "{}", legend(r));
    out.push_str("</header>\n");
    headline(r, &mut out);
    upset(r, &mut out);
    heatmap(r, &mut out);
    funnel(r, &mut out);
    districts(r, &mut out);
    assignment(r, &mut out);
    tables(r, &mut out);
    let _ = write!(
        out,
        "<footer>Made by blindmatch {} from a merge summary, with counts below {} suppressed. \
         This page holds no names, emails or tokens, only the counts above.</footer>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        r.min_cell
    );
    out
}

fn legend(r: &Report) -> String {
    format!(
        "<p class=\"legend\" id=\"legend\"><span class=\"swatch hidden\"></span> Counts below \
         {k} are hidden and shown as &lt;{k}; * marks a count hidden so that a small one cannot \
         be worked out from the others. Hatched boxes stand for hidden counts: their size is \
         fixed and says nothing of the count.</p>",
        k = r.min_cell
    )
}

fn headline(r: &Report, out: &mut String) {
    let f = &r.figures;
    let mut cards: Vec<(String, String, String)> = vec![
        (
            "people on the lists".into(),
            r.count_text(f.people),
            String::new(),
        ),
        ("orgs".into(), f.orgs.len().to_string(), String::new()),
    ];
    if let Some(v) = &f.voter {
        cards.push((
            "matched to the voter file".into(),
            r.count_text(v.matched),
            format!("{} of people", r.percent_text(v.matched, f.people)),
        ));
    }
    if let Some(one) = f.one_list {
        cards.push((
            "on one list only".into(),
            r.count_text(one),
            format!("{} of people", r.percent_text(one, f.people)),
        ));
    }
    if let Some(id) = f.suppressed {
        cards.push(("opted out".into(), r.count_text(id), String::new()));
    }
    if let Some(a) = &f.assignment {
        cards.push((
            "assigned a messenger".into(),
            r.count_text(a.total),
            format!("{} policy", a.policy),
        ));
    }
    out.push_str("<section id=\"headline\" class=\"cards\">\n");
    for (k, v, p) in cards {
        let _ = writeln!(
            out,
            "<div class=\"card\"><div class=\"v\">{}</div><div class=\"k\">{}</div><div class=\"p\">{}</div></div>",
            escape(&v),
            escape(&k),
            escape(&p)
        );
    }
    out.push_str("</section>\n");
}

/// The UpSet plot: a bar per exact intersection, the dot matrix of its lists under it, and
/// each list's size on the left.
fn upset(r: &Report, out: &mut String) {
    let f = &r.figures;
    out.push_str("<section id=\"sets\">\n<h2>Who is on which lists</h2>\n");
    if f.sets.is_empty() {
        out.push_str(
            "<p class=\"note\">This merge summary has no exact intersections (it predates \
             them): run merge again to get this chart.</p>\n</section>\n",
        );
        return;
    }
    out.push_str(
        "<p class=\"note\">Each column is one exact combination of lists: the dots below it \
         say which lists, the bar how many people are on exactly those lists and no other. \
         The bars on the left are each list's people.</p>\n",
    );
    // Shown counts largest first; hidden ones after, in their fixed order.
    let mut order: Vec<usize> = (0..f.sets.len()).collect();
    order.sort_by_key(|&i| match r.value(f.sets[i].1) {
        Some(v) => (0, u64::MAX - v, i),
        None => (1, 0, i),
    });
    order.truncate(MAX_SETS);
    let n = f.orgs.len() as f64;
    let (size_w, label_w, col_w, row_h, bars_h) = (120.0, 150.0, 26.0, 24.0, 170.0);
    let left = size_w + label_w;
    let top = bars_h + 10.0;
    let width = left + col_w * order.len() as f64 + 10.0;
    let height = top + row_h * n + 30.0;
    let mut svg = Svg::new(width, height);
    let largest = r.largest_shown(order.iter().map(|&i| f.sets[i].1));
    let bar_len = bars_h - 30.0;
    for row in (0..f.orgs.len()).step_by(2) {
        let y = top + 10.0 + row_h * row as f64;
        svg.rect(size_w, y, width - size_w - 4.0, row_h, "band", "");
    }
    for (col, &i) in order.iter().enumerate() {
        let (members, id) = &f.sets[i];
        let x = left + col_w * col as f64;
        let names: Vec<&str> = members.iter().map(|&m| f.orgs[m].as_str()).collect();
        let label = r.count_text(*id);
        let title = format!("{}: {label}", names.join(" + "));
        let (y, h) = match r.value(*id) {
            Some(v) => {
                let h = bar_len * v as f64 / largest;
                (top - h, h)
            }
            None => (top - HIDDEN, HIDDEN),
        };
        let class = if r.value(*id).is_some() {
            "bar"
        } else {
            "hidden"
        };
        svg.rect(x + 4.0, y, col_w - 8.0, h, class, &title);
        svg.turned_text(x + col_w / 2.0 + 3.0, y - 4.0, -60, "small", &label);
        // The dot matrix: a line joining the column's lists, then the dots.
        let dot_y = |m: usize| top + 10.0 + row_h * m as f64 + row_h / 2.0;
        if let (Some(&lo), Some(&hi)) = (members.first(), members.last()) {
            if hi > lo {
                svg.line(
                    x + col_w / 2.0,
                    dot_y(lo),
                    x + col_w / 2.0,
                    dot_y(hi),
                    "link",
                );
            }
        }
        for row in 0..f.orgs.len() {
            let on = members.contains(&row);
            svg.circle(
                x + col_w / 2.0,
                dot_y(row),
                6.5,
                if on { "on" } else { "off" },
                if on { &title } else { "" },
            );
        }
    }
    // Rows: org label and list size.
    let largest_org = r.largest_shown(f.org_people.iter().copied());
    for (row, org) in f.orgs.iter().enumerate() {
        let y = top + 10.0 + row_h * row as f64;
        svg.text(left - 8.0, y + row_h / 2.0 + 4.0, Anchor::End, "", org);
        let id = f.org_people[row];
        let label = r.count_text(id);
        let title = format!("{org}: {label} people");
        match r.value(id) {
            Some(v) => {
                let w = (size_w - 50.0) * v as f64 / largest_org;
                svg.rect(size_w - w, y + 4.0, w, row_h - 8.0, "bar", &title);
            }
            None => svg.placeholder(size_w - HIDDEN, y + 4.0, HIDDEN, row_h - 8.0, &title),
        }
        svg.text(
            2.0,
            y + row_h / 2.0 + 4.0,
            Anchor::Start,
            "small muted",
            &label,
        );
    }
    svg.line(left, top, width - 6.0, top, "axis");
    svg.text(
        left,
        height - 6.0,
        Anchor::Start,
        "small muted",
        "columns: largest shown first, hidden ones after",
    );
    out.push_str(&svg.finish("upset", "UpSet plot of the lists' exact intersections"));
    out.push('\n');
    if f.sets.len() > order.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\">The plot shows {} of the {} combinations; the table \
             \"People by exact set of lists\" below lists them all.</p>",
            order.len(),
            f.sets.len()
        );
    }
    out.push_str("</section>\n");
}

/// The overlap heatmap: the share of the row org's people who are on the column org's list.
fn heatmap(r: &Report, out: &mut String) {
    let f = &r.figures;
    let n = f.orgs.len();
    if n < 2 {
        return;
    }
    out.push_str("<section id=\"overlap\">\n<h2>How much the lists overlap</h2>\n");
    out.push_str(
        "<p class=\"note\">Each cell: the share of the row org's people who are also on the \
         column org's list. Read across a row to see where an org's people also are.</p>\n",
    );
    let (label_w, cell, head_h) = (160.0, 64.0, 110.0);
    let width = label_w + cell * n as f64 + 100.0;
    let height = head_h + cell * n as f64 + 10.0;
    let mut svg = Svg::new(width, height);
    for (j, org) in f.orgs.iter().enumerate() {
        let x = label_w + cell * j as f64 + cell / 2.0;
        svg.turned_text(x - 4.0, head_h - 6.0, -40, "", org);
    }
    for (i, row_org) in f.orgs.iter().enumerate() {
        let y = head_h + cell * i as f64;
        svg.text(
            label_w - 8.0,
            y + cell / 2.0 + 4.0,
            Anchor::End,
            "",
            row_org,
        );
        for (j, col_org) in f.orgs.iter().enumerate() {
            let x = label_w + cell * j as f64;
            let (num_id, den_id) = (f.overlap[i][j], f.org_people[i]);
            let text = r.percent_text(num_id, den_id);
            let title = format!(
                "{row_org} people also on {col_org}'s list: {} ({text})",
                r.count_text(num_id)
            );
            match r.ratio(num_id, den_id) {
                Some(share) if i != j => {
                    let share = share.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
                    // White to deep blue.
                    let channel = |hi: f64, lo: f64| (hi + (lo - hi) * share).round() as u8;
                    let fill = format!(
                        "#{:02x}{:02x}{:02x}",
                        channel(247.0, 8.0),
                        channel(251.0, 69.0),
                        channel(255.0, 148.0)
                    );
                    svg.shaded(
                        x + 1.0,
                        y + 1.0,
                        cell - 2.0,
                        cell - 2.0,
                        "cell",
                        &fill,
                        &title,
                    );
                    let class = if share > 0.55 { "head light" } else { "head" };
                    svg.text(
                        x + cell / 2.0,
                        y + cell / 2.0 + 4.0,
                        Anchor::Middle,
                        class,
                        &text,
                    );
                }
                Some(_) => {
                    svg.rect(x + 1.0, y + 1.0, cell - 2.0, cell - 2.0, "diag", &title);
                    svg.text(
                        x + cell / 2.0,
                        y + cell / 2.0 + 4.0,
                        Anchor::Middle,
                        "muted",
                        &text,
                    );
                }
                None => {
                    svg.placeholder(x + 1.0, y + 1.0, cell - 2.0, cell - 2.0, &title);
                    svg.text(
                        x + cell / 2.0,
                        y + cell / 2.0 + 4.0,
                        Anchor::Middle,
                        "",
                        &text,
                    );
                }
            }
        }
    }
    out.push_str(&svg.finish("heatmap", "Overlap heatmap, share of the row org's people"));
    out.push_str("\n</section>\n");
}

/// One horizontal bar per row, scaled to the largest shown count of the chart.
fn bar_rows(r: &Report, rows: &[(String, CellId, String)], id: &str, label: &str) -> String {
    let (label_w, bar_w, row_h) = (210.0, 520.0, 26.0);
    let width = label_w + bar_w + 170.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let mut svg = Svg::new(width, height);
    let largest = r.largest_shown(rows.iter().map(|(_, id, _)| *id));
    for (i, (name, cell, extra)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        svg.text(label_w - 8.0, y + row_h / 2.0 + 4.0, Anchor::End, "", name);
        let text = r.count_text(*cell);
        let title = if extra.is_empty() {
            format!("{}: {text}", name.trim())
        } else {
            format!("{}: {text} ({extra})", name.trim())
        };
        let w = match r.value(*cell) {
            Some(v) => {
                let w = bar_w * v as f64 / largest;
                svg.rect(label_w, y + 4.0, w, row_h - 8.0, "bar", &title);
                w
            }
            None => {
                svg.placeholder(label_w, y + 4.0, HIDDEN, row_h - 8.0, &title);
                HIDDEN
            }
        };
        let shown = if extra.is_empty() {
            text
        } else {
            format!("{text}  ({extra})")
        };
        svg.text(
            label_w + w + 6.0,
            y + row_h / 2.0 + 4.0,
            Anchor::Start,
            "muted",
            &shown,
        );
    }
    svg.finish(id, label)
}

/// The voter match, pass by pass.
fn funnel(r: &Report, out: &mut String) {
    let f = &r.figures;
    let Some(v) = &f.voter else {
        return;
    };
    out.push_str("<section id=\"voter\">\n<h2>Matching to the voter file</h2>\n");
    out.push_str(if v.by_band {
        "<p class=\"note\">From all people down to those matched, by the confidence of the \
         match (the posterior probability the scoring gives it); ambiguous people fit more \
         than one voter and are left unmatched.</p>\n"
    } else {
        "<p class=\"note\">From all people down to those matched, by the pass that matched \
         them (strongest evidence first); ambiguous people fit more than one voter and are \
         left unmatched.</p>\n"
    });
    let pct = |id: CellId| format!("{} of people", r.percent_text(id, f.people));
    let mut rows = vec![
        ("all people".to_string(), f.people, String::new()),
        ("matched".to_string(), v.matched, pct(v.matched)),
    ];
    for (pass, id) in &v.passes {
        let label = if v.by_band {
            pass.clone()
        } else {
            format!("on {pass}")
        };
        rows.push((label, *id, pct(*id)));
    }
    rows.push(("ambiguous".into(), v.ambiguous, pct(v.ambiguous)));
    rows.push(("unmatched".into(), v.unmatched, pct(v.unmatched)));
    let title = if v.by_band {
        "Voter match by confidence"
    } else {
        "Voter match by pass"
    };
    out.push_str(&bar_rows(r, &rows, "funnel", title));
    out.push_str("\n</section>\n");
}

/// Per kept column, one stacked bar per district (people on 1, 2, 3+ lists) and each org's
/// share of the district's matched people.
fn districts(r: &Report, out: &mut String) {
    let f = &r.figures;
    if f.districts.is_empty() {
        return;
    }
    out.push_str("<section id=\"districts\">\n<h2>Matched people by district</h2>\n");
    out.push_str(
        "<p class=\"note\">Each bar is one district's matched people, split by how many lists \
         they are on: people on several lists are the consortium's most engaged. The cells on \
         the right give each org's share of the district's people.</p>\n<p>\
         <span class=\"key\"><span class=\"swatch t1\"></span>on 1 list</span>\
         <span class=\"key\"><span class=\"swatch t2\"></span>on 2</span>\
         <span class=\"key\"><span class=\"swatch t3\"></span>on 3 or more</span>\
         <span class=\"key\"><span class=\"swatch hidden\"></span>hidden</span></p>\n",
    );
    for figure in &f.districts {
        let chart = district_chart(r, figure);
        let title = escape(&figure.column);
        if figure.rows.len() > FOLD_ROWS {
            let _ = writeln!(
                out,
                "<h3>{title}</h3>\n<details><summary>{} values: show the chart</summary>\n{chart}\n</details>",
                figure.rows.len()
            );
        } else {
            let _ = writeln!(out, "<h3>{title}</h3>\n{chart}");
        }
    }
    out.push_str("</section>\n");
}

fn district_chart(r: &Report, figure: &super::DistrictFigure) -> String {
    let f = &r.figures;
    let n = f.orgs.len();
    let (label_w, bar_w, total_w, org_w, row_h, head_h) = (120.0, 380.0, 70.0, 62.0, 20.0, 90.0);
    let orgs_x = label_w + bar_w + total_w;
    let width = orgs_x + org_w * n as f64 + 10.0;
    let height = head_h + row_h * figure.rows.len() as f64 + 6.0;
    let mut svg = Svg::new(width, height);
    // The scale: the largest shown total, or the largest sum of a row's shown tiers.
    let largest = figure
        .rows
        .iter()
        .map(|row| {
            let tiers: u64 = row.tiers.iter().filter_map(|&t| r.value(t)).sum();
            r.value(row.people).unwrap_or(0).max(tiers)
        })
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let room = bar_w - 3.0 * HIDDEN - 8.0;
    svg.text(
        label_w,
        head_h - 8.0,
        Anchor::Start,
        "head",
        "matched people by lists they are on",
    );
    svg.text(orgs_x - 6.0, head_h - 8.0, Anchor::End, "head", "people");
    for (j, org) in f.orgs.iter().enumerate() {
        let x = orgs_x + org_w * j as f64 + org_w / 2.0;
        svg.turned_text(x - 4.0, head_h - 8.0, -40, "small", org);
    }
    for (i, row) in figure.rows.iter().enumerate() {
        let y = head_h + row_h * i as f64;
        if i % 2 == 0 {
            svg.rect(0.0, y, width, row_h, "band", "");
        }
        svg.text(
            label_w - 8.0,
            y + row_h / 2.0 + 4.0,
            Anchor::End,
            "",
            &row.value,
        );
        let mut x = label_w;
        for (t, (&tier, name)) in row
            .tiers
            .iter()
            .zip(["1 list", "2 lists", "3+ lists"])
            .enumerate()
        {
            let title = format!(
                "{}: on {name}: {} ({} of the district)",
                row.value,
                r.count_text(tier),
                r.percent_text(tier, row.people)
            );
            match r.value(tier) {
                Some(v) => {
                    let w = room * v as f64 / largest;
                    svg.rect(x, y + 3.0, w, row_h - 6.0, &format!("t{}", t + 1), &title);
                    x += w;
                }
                None => {
                    svg.placeholder(x, y + 3.0, HIDDEN, row_h - 6.0, &title);
                    x += HIDDEN;
                }
            }
        }
        svg.text(
            orgs_x - 6.0,
            y + row_h / 2.0 + 4.0,
            Anchor::End,
            "muted",
            &r.count_text(row.people),
        );
        for (j, (&id, org)) in row.orgs.iter().zip(&f.orgs).enumerate() {
            let x = orgs_x + org_w * j as f64;
            let text = r.percent_text(id, row.people);
            let title = format!("{}: {org}: {} ({text})", row.value, r.count_text(id));
            match r.ratio(id, row.people) {
                Some(share) => {
                    let share = share.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
                    let w = (org_w - 8.0) * share;
                    svg.rect(x + 4.0, y + 3.0, org_w - 8.0, row_h - 6.0, "frame", "");
                    svg.shaded(
                        x + 4.0,
                        y + 3.0,
                        w,
                        row_h - 6.0,
                        "share",
                        ORG_COLOURS[j % ORG_COLOURS.len()],
                        &title,
                    );
                }
                None => svg.placeholder(x + 4.0, y + 3.0, org_w - 8.0, row_h - 6.0, &title),
            }
        }
    }
    svg.finish(
        &format!("districts-{}", slug(&figure.column)),
        &format!(
            "Matched people by {}, stacked by lists, with each org's share",
            figure.column
        ),
    )
}

/// An id-safe form of a column name.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The outreach load per org.
fn assignment(r: &Report, out: &mut String) {
    let Some(a) = &r.figures.assignment else {
        return;
    };
    let _ = writeln!(
        out,
        "<section id=\"assignment\">\n<h2>Who reaches whom ({})</h2>\n<p class=\"note\">Each \
         person who did not opt out has one org to reach them, among the orgs whose lists they \
         are on; the bars are each org's load.</p>",
        escape(&a.policy)
    );
    let rows: Vec<(String, CellId, String)> = a
        .per_org
        .iter()
        .map(|(org, id)| {
            (
                org.clone(),
                *id,
                format!("{} of assigned", r.percent_text(*id, a.total)),
            )
        })
        .collect();
    out.push_str(&bar_rows(r, &rows, "load", "Outreach load per org"));
    out.push_str("\n</section>\n");
}

/// Every table of the text report, with the same cells.
fn tables(r: &Report, out: &mut String) {
    out.push_str("<section id=\"tables\">\n<h2>All tables</h2>\n");
    out.push_str(
        "<p class=\"note\">The same counts as <code>blindmatch report</code> prints. Click a \
         column head to sort.</p>\n",
    );
    for section in &r.sections {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<table class=\"sortable\"><thead><tr>{}</tr></thead><tbody>",
            escape(&section.title),
            section
                .columns
                .iter()
                .map(|c| format!("<th>{}</th>", escape(c)))
                .collect::<String>()
        );
        for row in &section.rows {
            out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let tag = if i == 0 { "th" } else { "td" };
                let _ = write!(out, "<{tag}>{}</{tag}>", escape(&r.display(cell)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::Summary;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    fn summary() -> Summary {
        serde_json::from_str(include_str!("testdata/summary.json")).unwrap()
    }

    #[test]
    fn the_page_does_not_depend_on_hidden_counts() {
        let s = summary();
        for k in [10, 40, 200] {
            let mut r = Report::build(&s, k);
            let page = r.render(super::super::Format::Html);
            assert!(page.contains("hatch"), "k = {k}: something is hidden");
            for (small, large) in [(0, k), (k - 1, k + 123_456), (1, 5 * k)] {
                r.cells.set_hidden_values(k, small, large);
                assert!(
                    r.render(super::super::Format::Html) == page,
                    "k = {k}: the page changes with the hidden counts"
                );
            }
        }
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = Report::build(&summary(), 10).render(super::super::Format::Html);
        for needle in [
            "http:", "https:", "//cdn", "@import", "src=", "href=", "url(http",
        ] {
            assert!(!page.contains(needle), "{needle}");
        }
        for id in [
            "id=\"upset\"",
            "id=\"heatmap\"",
            "id=\"funnel\"",
            "id=\"load\"",
        ] {
            assert!(page.contains(id), "{id}");
        }
        assert!(page.contains("id=\"districts-precinct-abbrv\""));
    }
}
