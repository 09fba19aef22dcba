//! `report`: the counts analysts may share, with small cells suppressed.
//!
//! A small count can single a person out ("the one member of the tenants' union in precinct
//! 12 who is also on the party list"), so every count below the threshold K is shown as
//! `<K`. Suppressing a cell is not enough when it can be recovered from published totals, so
//! counts are registered once each (the same number shown twice is one cell) with every
//! linear relation between them, and secondary suppression ([`cells`]) hides more until no
//! hidden count can be worked out. Percentages are hidden with their numerator or
//! denominator. A largest load (how many people one messenger writes to) is no sum of
//! anything: it is shown only where the number of messengers it is the largest of is shown.
//!
//! This module builds the tables (sections of rows) and, beside them, the roles of the
//! counts the HTML page draws ([`Figures`]); every format renders the same suppressed cells.
//! `html.rs` lays out the page and `svg.rs` draws its charts.

mod cells;
mod html;
pub mod summary;
mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use cells::{CellId, Cells};
use summary::{MessengerCount, Summary};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
    /// One self-contained page: charts drawn as inline SVG, and the tables.
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            _ => Err("the format is table, csv, json, markdown or html".into()),
        }
    }
}

/// One cell of a report table.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    /// A registered count.
    Count(CellId),
    /// A percentage: numerator and denominator counts.
    Percent(CellId, CellId),
}

#[derive(Clone, Debug)]
pub struct Section {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A report ready to render.
pub struct Report {
    pub min_cell: u64,
    pub sections: Vec<Section>,
    cells: Cells,
    figures: Figures,
}

/// The counts each chart of the HTML page draws, by role: ids of cells that the tables
/// publish too, so the charts hide exactly what the tables hide.
#[derive(Default)]
struct Figures {
    orgs: Vec<String>,
    people: CellId,
    org_people: Vec<CellId>,
    /// `overlap[a][b]`: people on both lists; the diagonal is each org's people.
    overlap: Vec<Vec<CellId>>,
    /// Exact intersections: org indexes (ascending) and count, by size then orgs.
    sets: Vec<(Vec<usize>, CellId)>,
    one_list: Option<CellId>,
    suppressed: Option<CellId>,
    voter: Option<VoterFigure>,
    districts: Vec<DistrictFigure>,
    assignment: Option<AssignmentFigure>,
}

struct VoterFigure {
    matched: CellId,
    ambiguous: CellId,
    unmatched: CellId,
    /// Matched people by pass, strongest first, or by confidence band (`by_band`).
    passes: Vec<(String, CellId)>,
    by_band: bool,
}

struct DistrictFigure {
    column: String,
    rows: Vec<DistrictRow>,
}

struct DistrictRow {
    value: String,
    people: CellId,
    /// Per org (in `Figures::orgs` order): matched people of that org in the district.
    orgs: Vec<CellId>,
    /// People on 1, 2, 3+ lists.
    tiers: [CellId; 3],
}

struct AssignmentFigure {
    policy: String,
    per_org: Vec<(String, CellId)>,
    total: CellId,
}

fn count(cells: &mut Cells, name: &str, value: u64) -> Cell {
    Cell::Count(cells.id(name, value))
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

impl Report {
    /// Builds every section from a merge summary and applies suppression with threshold `k`.
    pub fn build(s: &Summary, k: u64) -> Report {
        let mut c = Cells::default();
        let mut sections = Vec::new();
        let people = c.id("people", s.people);
        let labels: Vec<String> = s.orgs.iter().map(|o| o.org.clone()).collect();
        let org_people = |c: &mut Cells, org: &str| {
            let n = s.orgs.iter().find(|o| o.org == org).map_or(0, |o| o.people);
            c.id(&format!("people/{org}"), n)
        };
        let mut figures = Figures {
            orgs: labels.clone(),
            people,
            ..Figures::default()
        };

        // Overview.
        let mut rows = vec![
            vec![text("people (distinct, all lists)"), Cell::Count(people)],
            vec![text("orgs"), text(s.orgs.len().to_string())],
            vec![
                text("unusable records (no token)"),
                count(&mut c, "unusable", s.unusable),
            ],
        ];
        if s.suppressed > 0 || s.assignment.is_some() {
            let id = c.id("suppressed", s.suppressed);
            figures.suppressed = Some(id);
            rows.push(vec![text("suppressed (contact = no)"), Cell::Count(id)]);
        }
        sections.push(Section {
            title: "Consortium".into(),
            columns: vec!["".into(), "count".into()],
            rows,
        });

        // Per org.
        let mut rows = Vec::new();
        for o in &s.orgs {
            let p = org_people(&mut c, &o.org);
            let matched = c.id(&format!("matched/{}", o.org), o.voter_matched);
            let mut row = vec![
                text(&o.org),
                count(&mut c, &format!("records/{}", o.org), o.records),
                Cell::Count(p),
            ];
            if s.voter.is_some() {
                row.push(Cell::Count(matched));
                row.push(Cell::Percent(matched, p));
                row.push(count(
                    &mut c,
                    &format!("ambiguous/{}", o.org),
                    o.voter_ambiguous,
                ));
            }
            let excl = s.exclusive.get(&o.org).copied().unwrap_or(0);
            let e = c.id(&format!("exclusive/{}", o.org), excl);
            row.push(Cell::Count(e));
            rows.push(row);
            if labels.len() == 2 {
                // With two orgs, exclusive + overlap = the org's people.
                let other = labels
                    .iter()
                    .find(|l| **l != o.org)
                    .cloned()
                    .unwrap_or_default();
                let both = overlap_id(&mut c, s, &o.org, &other);
                c.group(vec![e, both], p);
            }
        }
        let mut columns: Vec<String> = vec!["org".into(), "records".into(), "people".into()];
        if s.voter.is_some() {
            columns.extend([
                "voter matched".into(),
                "match rate".into(),
                "ambiguous".into(),
            ]);
        }
        columns.push("on no other list".into());
        sections.push(Section {
            title: "Orgs".into(),
            columns,
            rows,
        });

        // Overlap matrix, counts and percent of the row org's people.
        let mut counts = Vec::new();
        let mut percents = Vec::new();
        for a in &labels {
            let pa = org_people(&mut c, a);
            let mut crow = vec![text(a)];
            let mut prow = vec![text(a)];
            for b in &labels {
                let id = if a == b {
                    pa
                } else {
                    overlap_id(&mut c, s, a, b)
                };
                crow.push(Cell::Count(id));
                prow.push(Cell::Percent(id, pa));
            }
            figures.org_people.push(pa);
            figures
                .overlap
                .push(crow[1..].iter().filter_map(Cell::count_id).collect());
            counts.push(crow);
            percents.push(prow);
        }
        let mut columns = vec!["org".to_string()];
        columns.extend(labels.iter().cloned());
        sections.push(Section {
            title: "Overlap: people on both lists".into(),
            columns: columns.clone(),
            rows: counts,
        });
        sections.push(Section {
            title: "Overlap: % of the row org's people".into(),
            columns,
            rows: percents,
        });

        // Lists histogram.
        let mut buckets: Vec<(u64, u64)> = s
            .lists
            .iter()
            .filter_map(|(n, v)| n.parse().ok().map(|n| (n, *v)))
            .collect();
        buckets.sort_unstable();
        let mut parts = Vec::new();
        let mut weighted: Vec<(CellId, i64)> = Vec::new();
        let mut rows = Vec::new();
        for (n, v) in buckets {
            let id = c.id(&format!("lists/{n}"), v);
            parts.push(id);
            weighted.push((id, n as i64));
            rows.push(vec![
                text(n.to_string()),
                Cell::Count(id),
                Cell::Percent(id, people),
            ]);
        }
        c.group(parts, people);
        // Every person is counted once per list: the orgs' people add up to sum(k * lists[k]);
        // people on one list add up to lists[1]; with three orgs, inclusion-exclusion gives
        // each org's exclusive count from its people, its two overlaps and lists[3].
        weighted.extend(labels.iter().map(|o| (org_people(&mut c, o), -1)));
        c.relation(weighted);
        let list_id = |c: &mut Cells, n: &str| {
            let v = s.lists.get(n).copied().unwrap_or(0);
            c.id(&format!("lists/{n}"), v)
        };
        let exclusive_id = |c: &mut Cells, o: &str| {
            let v = s.exclusive.get(o).copied().unwrap_or(0);
            c.id(&format!("exclusive/{o}"), v)
        };
        let exclusives: Vec<CellId> = labels.iter().map(|o| exclusive_id(&mut c, o)).collect();
        let one = list_id(&mut c, "1");
        c.group(exclusives, one);
        figures.one_list = s.lists.contains_key("1").then_some(one);
        if labels.len() == 3 {
            for a in &labels {
                // exclusive = people - overlap(a, b) - overlap(a, c) + lists[3]
                let mut terms = vec![
                    (exclusive_id(&mut c, a), -1),
                    (org_people(&mut c, a), 1),
                    (list_id(&mut c, "3"), 1),
                ];
                for b in labels.iter().filter(|b| *b != a) {
                    terms.push((overlap_id(&mut c, s, a, b), -1));
                }
                c.relation(terms);
            }
        }
        sections.push(Section {
            title: "People by number of lists".into(),
            columns: vec!["lists".into(), "people".into(), "% of people".into()],
            rows,
        });

        // Exact intersections: people by the exact set of lists they are on. Every count
        // above is a sum of these, so each such sum is declared.
        let sets = exact_sets(s, &labels);
        if !sets.is_empty() {
            let mut rows = Vec::new();
            let mut ids = Vec::new();
            for (members, n) in &sets {
                let names: Vec<&str> = members.iter().map(|&i| labels[i].as_str()).collect();
                let name = match members.len() {
                    1 => format!("exclusive/{}", names[0]),
                    k if k == labels.len() => format!("lists/{k}"),
                    _ => format!("set/{}", names.join("+")),
                };
                let id = c.id(&name, *n);
                ids.push((members.clone(), id));
                rows.push(vec![
                    text(names.join(" + ")),
                    Cell::Count(id),
                    Cell::Percent(id, people),
                ]);
            }
            let containing = |orgs: &[usize]| -> Vec<CellId> {
                ids.iter()
                    .filter(|(m, _)| orgs.iter().all(|o| m.contains(o)))
                    .map(|(_, id)| *id)
                    .collect()
            };
            c.group(containing(&[]), people);
            for (a, label) in labels.iter().enumerate() {
                let total = org_people(&mut c, label);
                c.group(containing(&[a]), total);
                for (b, other) in labels.iter().enumerate().skip(a + 1) {
                    let total = overlap_id(&mut c, s, label, other);
                    c.group(containing(&[a, b]), total);
                }
            }
            for n in s.lists.keys() {
                let parts = ids
                    .iter()
                    .filter(|(m, _)| m.len().to_string() == *n)
                    .map(|(_, id)| *id)
                    .collect();
                let total = list_id(&mut c, n);
                c.group(parts, total);
            }
            figures.sets = ids;
            sections.push(Section {
                title: "People by exact set of lists".into(),
                columns: vec!["lists".into(), "people".into(), "% of people".into()],
                rows,
            });
        }

        // Voter file.
        if let Some(v) = &s.voter {
            let matched = c.id("voter/matched", v.matched);
            let ambiguous = c.id("voter/ambiguous", v.ambiguous);
            let unmatched = c.id("voter/unmatched", v.unmatched);
            c.group(vec![matched, ambiguous, unmatched], people);
            let mut rows = vec![
                vec![
                    text("matched"),
                    Cell::Count(matched),
                    Cell::Percent(matched, people),
                ],
                vec![
                    text("ambiguous"),
                    Cell::Count(ambiguous),
                    Cell::Percent(ambiguous, people),
                ],
                vec![
                    text("unmatched"),
                    Cell::Count(unmatched),
                    Cell::Percent(unmatched, people),
                ],
            ];
            // Matched people split by pass (--match exact) or by confidence band (fuzzy).
            let split: Vec<(String, String, u64)> = match &v.bands {
                Some(bands) => bands
                    .labelled()
                    .iter()
                    .map(|&(label, n)| (format!("band/{label}"), label.to_string(), n))
                    .collect(),
                None => crate::merge::PASSES
                    .iter()
                    .map(|kind| {
                        let n = v.by_pass.get(kind.name()).copied().unwrap_or(0);
                        (format!("pass/{}", kind.name()), kind.name().to_string(), n)
                    })
                    .collect(),
            };
            let mut parts = Vec::new();
            for (id_name, label, n) in &split {
                let id = c.id(id_name, *n);
                parts.push(id);
                let what = if v.bands.is_some() {
                    "matched,"
                } else {
                    "matched on"
                };
                rows.push(vec![
                    text(format!("  {what} {label}")),
                    Cell::Count(id),
                    Cell::Percent(id, people),
                ]);
            }
            c.group(parts.clone(), matched);
            figures.voter = Some(VoterFigure {
                matched,
                ambiguous,
                unmatched,
                passes: split
                    .into_iter()
                    .map(|(_, label, _)| label)
                    .zip(parts)
                    .collect(),
                by_band: v.bands.is_some(),
            });
            sections.push(Section {
                title: "Voter file".into(),
                columns: vec!["".into(), "people".into(), "% of people".into()],
                rows,
            });

            // Per org, matched people over each kept column's values sum to voter_matched.
            for (column, values) in &s.geography {
                let mut rows = Vec::new();
                let mut people_parts = Vec::new();
                let mut org_parts: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
                let mut figure = DistrictFigure {
                    column: column.clone(),
                    rows: Vec::new(),
                };
                for (value, geo) in values {
                    let id = c.id(&format!("geo/{column}/{value}"), geo.people);
                    people_parts.push(id);
                    let mut row = vec![text(value), Cell::Count(id)];
                    for org in &labels {
                        let n = geo.orgs.get(org).copied().unwrap_or(0);
                        let oid = c.id(&format!("geo/{column}/{value}/{org}"), n);
                        org_parts.entry(org).or_default().push(oid);
                        row.push(Cell::Count(oid));
                    }
                    // Engagement tiers: people on 1, 2, 3+ lists in this district.
                    let tiers = s.tiers.get(column).and_then(|t| t.get(value));
                    let mut tier_parts = Vec::new();
                    for tier in ["1", "2", "3+"] {
                        let n = tiers.and_then(|t| t.get(tier)).copied().unwrap_or(0);
                        let tid = c.id(&format!("tier/{column}/{value}/{tier}"), n);
                        tier_parts.push(tid);
                        row.push(Cell::Count(tid));
                    }
                    c.group(tier_parts.clone(), id);
                    figure.rows.push(DistrictRow {
                        value: value.clone(),
                        people: id,
                        orgs: row[2..2 + labels.len()]
                            .iter()
                            .filter_map(Cell::count_id)
                            .collect(),
                        tiers: [tier_parts[0], tier_parts[1], tier_parts[2]],
                    });
                    rows.push(row);
                }
                figures.districts.push(figure);
                c.group(people_parts, matched);
                for org in &labels {
                    let total = c.id(&format!("matched/{org}"), {
                        s.orgs
                            .iter()
                            .find(|o| o.org == *org)
                            .map_or(0, |o| o.voter_matched)
                    });
                    c.group(org_parts.remove(org.as_str()).unwrap_or_default(), total);
                }
                // A column nested in another (precincts in a district): a parent value's
                // counts are the sums of its children's.
                for (parent, map) in s.nesting.get(column).into_iter().flatten() {
                    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                    for (child, p) in map {
                        children.entry(p.as_str()).or_default().push(child.as_str());
                    }
                    for (p, kids) in children {
                        let mut keys: Vec<String> = vec![String::new()];
                        keys.extend(labels.iter().map(|o| format!("/{o}")));
                        keys.extend(["1", "2", "3+"].iter().map(|t| format!("#{t}")));
                        for key in keys {
                            let id_of = |c: &mut Cells, col: &str, value: &str| {
                                let geo = s.geography.get(col).and_then(|g| g.get(value));
                                if let Some(org) = key.strip_prefix('/') {
                                    let n = geo.and_then(|g| g.orgs.get(org)).copied().unwrap_or(0);
                                    c.id(&format!("geo/{col}/{value}/{org}"), n)
                                } else if let Some(tier) = key.strip_prefix('#') {
                                    let n = s
                                        .tiers
                                        .get(col)
                                        .and_then(|t| t.get(value))
                                        .and_then(|t| t.get(tier))
                                        .copied()
                                        .unwrap_or(0);
                                    c.id(&format!("tier/{col}/{value}/{tier}"), n)
                                } else {
                                    c.id(&format!("geo/{col}/{value}"), geo.map_or(0, |g| g.people))
                                }
                            };
                            let parts = kids.iter().map(|k| id_of(&mut c, column, k)).collect();
                            let total = id_of(&mut c, parent, p);
                            c.group(parts, total);
                        }
                    }
                }
                let mut columns = vec![column.clone(), "people".to_string()];
                columns.extend(labels.iter().cloned());
                columns.extend(["on 1 list".into(), "on 2".into(), "on 3+".into()]);
                sections.push(Section {
                    title: format!("Matched people by {column}"),
                    columns,
                    rows,
                });
            }
        }

        // Assignment.
        if let Some(a) = &s.assignment {
            let total: u64 = a.per_org.values().sum();
            let tid = c.id("assigned", total);
            let mut rows = Vec::new();
            let mut parts = Vec::new();
            for (org, n) in &a.per_org {
                let id = c.id(&format!("assigned/{org}"), *n);
                parts.push(id);
                rows.push(vec![text(org), Cell::Count(id), Cell::Percent(id, tid)]);
            }
            c.group(parts, tid);
            // Everybody is assigned, opted out, or outside the target districts; with no
            // target, assigned + opted out = people.
            if a.outside_target == 0 && a.unassigned_suppressed == s.suppressed {
                let opted_out = c.id("suppressed", s.suppressed);
                c.group(vec![tid, opted_out], people);
            }
            figures.assignment = Some(AssignmentFigure {
                policy: a.policy.clone(),
                per_org: a
                    .per_org
                    .keys()
                    .cloned()
                    .zip(rows.iter().filter_map(|r| r[1].count_id()))
                    .collect(),
                total: tid,
            });
            rows.push(vec![
                text("total"),
                Cell::Count(tid),
                Cell::Percent(tid, tid),
            ]);
            sections.push(Section {
                title: format!("Outreach assignment ({})", a.policy),
                columns: vec!["org".into(), "people".into(), "% of assigned".into()],
                rows,
            });
        }

        messenger_sections(&mut c, s, &mut sections);
        c.suppress(k);
        Report {
            min_cell: k,
            sections,
            cells: c,
            figures,
        }
    }

    /// A count's value, if it is shown.
    fn value(&self, id: CellId) -> Option<u64> {
        self.cells.shown(id)
    }

    /// A percentage when both counts are shown: `Some(None)` when the denominator is zero.
    fn ratio(&self, n: CellId, d: CellId) -> Option<Option<f64>> {
        let (n, d) = (self.value(n)?, self.value(d)?);
        Some((d > 0).then(|| 100.0 * n as f64 / d as f64))
    }

    fn shown(&self, cell: &Cell) -> Option<String> {
        match cell {
            Cell::Text(t) => Some(t.clone()),
            Cell::Count(id) => self.value(*id).map(|v| v.to_string()),
            Cell::Percent(n, d) => self
                .ratio(*n, *d)
                .map(|r| r.map_or_else(|| "-".into(), |p| format!("{p:.1}%"))),
        }
    }

    /// A hidden count below the threshold reads `<K`; a cell hidden only so that another
    /// cannot be derived, and a hidden percentage, read `*`.
    fn display(&self, cell: &Cell) -> String {
        self.shown(cell).unwrap_or_else(|| match cell {
            Cell::Count(id) if self.cells.below(*id, self.min_cell) => {
                format!("<{}", self.min_cell)
            }
            _ => "*".to_string(),
        })
    }

    fn legend(&self) -> String {
        format!(
            "Counts below {k} are shown as <{k}; * marks a cell hidden so that a small count \
             cannot be worked out by subtraction.\n",
            k = self.min_cell
        )
    }

    /// Renders the report.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.table(),
            Format::Markdown => self.markdown(),
            Format::Csv => self.csv(),
            Format::Json => self.json(),
            Format::Html => html::page(self),
        }
    }

    fn table(&self) -> String {
        let mut out = self.legend();
        for section in &self.sections {
            let cells: Vec<Vec<String>> = section
                .rows
                .iter()
                .map(|r| r.iter().map(|c| self.display(c)).collect())
                .collect();
            let mut widths: Vec<usize> =
                section.columns.iter().map(|c| c.chars().count()).collect();
            for row in &cells {
                for (i, v) in row.iter().enumerate() {
                    widths[i] = widths[i].max(v.chars().count());
                }
            }
            let _ = writeln!(out, "\n{}", section.title);
            let line = |out: &mut String, row: &[String]| {
                for (i, v) in row.iter().enumerate() {
                    let pad = widths[i] - v.chars().count();
                    if i == 0 {
                        let _ = write!(out, "  {v}{}", " ".repeat(pad));
                    } else {
                        let _ = write!(out, "  {}{v}", " ".repeat(pad));
                    }
                }
                out.push('\n');
            };
            line(&mut out, &section.columns);
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            line(&mut out, &rule);
            for row in &cells {
                line(&mut out, row);
            }
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = self.legend();
        let esc = |s: &str| s.replace('|', "\\|");
        for section in &self.sections {
            let _ = writeln!(out, "\n### {}\n", section.title);
            let header: Vec<String> = section.columns.iter().map(|c| esc(c)).collect();
            let _ = writeln!(out, "| {} |", header.join(" | "));
            let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
            for row in &section.rows {
                let cells: Vec<String> = row.iter().map(|c| esc(&self.display(c))).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
        }
        out
    }

    /// Long format: one line per cell.
    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["section", "row", "column", "value"]);
        for section in &self.sections {
            for row in &section.rows {
                let label = self.display(&row[0]);
                for (col, cell) in section.columns.iter().zip(row).skip(1) {
                    let _ = w.write_record([&section.title, &label, col, &self.display(cell)]);
                }
            }
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Suppressed values are null, with `<column>_suppressed: true` beside them.
    fn json(&self) -> String {
        let sections: Vec<Value> = self
            .sections
            .iter()
            .map(|section| {
                let rows: Vec<Value> = section
                    .rows
                    .iter()
                    .map(|row| {
                        let mut obj = Map::new();
                        for (i, (col, cell)) in section.columns.iter().zip(row).enumerate() {
                            let key = if col.is_empty() && i == 0 {
                                "label".to_string()
                            } else {
                                col.clone()
                            };
                            let value = match (cell, self.shown(cell)) {
                                (Cell::Text(t), _) => json!(t),
                                (Cell::Count(id), Some(_)) => json!(self.value(*id)),
                                (Cell::Percent(n, d), Some(_)) => {
                                    match self.ratio(*n, *d).flatten() {
                                        Some(p) => json!((10.0 * p).round() / 10.0),
                                        None => Value::Null,
                                    }
                                }
                                (_, None) => {
                                    obj.insert(format!("{key}_suppressed"), json!(true));
                                    Value::Null
                                }
                            };
                            obj.insert(key, value);
                        }
                        Value::Object(obj)
                    })
                    .collect();
                json!({"title": section.title, "columns": section.columns, "rows": rows})
            })
            .collect();
        let doc = json!({"min_cell": self.min_cell, "sections": sections});
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    }
}

impl Cell {
    fn count_id(&self) -> Option<CellId> {
        match self {
            Cell::Count(id) => Some(*id),
            _ => None,
        }
    }
}

/// The summary's exact intersections as org indexes, by size and then by orgs; sets naming
/// an org the summary does not list are left out.
fn exact_sets(s: &Summary, labels: &[String]) -> Vec<(Vec<usize>, u64)> {
    let mut sets: Vec<(Vec<usize>, u64)> = s
        .intersections
        .iter()
        .filter_map(|(key, n)| {
            let members: Option<Vec<usize>> = key
                .split('+')
                .map(|l| labels.iter().position(|x| x == l))
                .collect();
            members.map(|mut m| {
                m.sort_unstable();
                (m, *n)
            })
        })
        .filter(|(m, n)| !m.is_empty() && *n > 0)
        .collect();
    sets.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
    sets
}

/// Messengers (`merge --messenger-by`): per org, per district and per enclosing district,
/// how many messengers, how many assigned people have one close by, and the largest load.
/// Each row's people split into local + enclosing + none; rows add up to the totals, and
/// children to their enclosing district; the people of a row are part of a published count
/// (the org's assigned people, the district's matched people), with the rest registered so
/// that a small remainder cannot be worked out.
fn messenger_sections(c: &mut Cells, s: &Summary, sections: &mut Vec<Section>) {
    let Some(m) = &s.messengers else {
        return;
    };
    let around = m.fallback.as_deref().unwrap_or("enclosing district");
    let mut columns = vec![
        "messengers".to_string(),
        "assigned people".into(),
        "local messenger".into(),
        "% local".into(),
        format!("elsewhere in {around}"),
        "none".into(),
        "largest load".into(),
    ];
    // Registers one row's counts and relations; returns its cells and its parts' ids.
    let row = |c: &mut Cells, name: &str, label: &str, n: &MessengerCount| {
        let id = |c: &mut Cells, field: &str, v: u64| c.id(&format!("{name}/{field}"), v);
        let messengers = id(c, "messengers", n.messengers);
        let people = id(c, "people", n.people);
        let local = id(c, "local", n.local);
        let enclosing = id(c, "enclosing", n.enclosing);
        let none = id(c, "none", n.none);
        let load = id(c, "largest_load", n.largest_load);
        c.group(vec![local, enclosing, none], people);
        c.hide_with(load, messengers);
        let cells = vec![
            text(label),
            Cell::Count(messengers),
            Cell::Count(people),
            Cell::Count(local),
            Cell::Percent(local, people),
            Cell::Count(enclosing),
            Cell::Count(none),
            Cell::Count(load),
        ];
        (cells, [messengers, people, local, enclosing, none])
    };
    let sum = |c: &mut Cells, parts: Vec<[CellId; 5]>, total: [CellId; 5]| {
        for f in 0..5 {
            c.group(parts.iter().map(|p| p[f]).collect(), total[f]);
        }
    };

    // Per org: an org's assigned people are its matched assigned people and the rest.
    let (total_row, total) = row(c, "msg-total", "total", &m.total);
    let assigned = s.assignment.as_ref();
    // `part` (a row's people, `value` of them) is part of `whole`: register the rest.
    let remainder = |c: &mut Cells, name: &str, part: (CellId, u64), whole: (&str, u64)| {
        let rest = c.id(&format!("{name}/rest"), whole.1.saturating_sub(part.1));
        let whole = c.id(whole.0, whole.1);
        c.group(vec![part.0, rest], whole);
    };
    let mut rows = Vec::new();
    let mut parts = Vec::new();
    for (org, n) in &m.per_org {
        let name = format!("msg-org/{org}");
        let (cells, ids) = row(c, &name, org, n);
        if let Some(a) = assigned {
            let whole = a.per_org.get(org).copied().unwrap_or(0);
            remainder(
                c,
                &name,
                (ids[1], n.people),
                (&format!("assigned/{org}"), whole),
            );
        }
        rows.push(cells);
        parts.push(ids);
    }
    sum(c, parts, total);
    if let Some(a) = assigned {
        let whole = a.per_org.values().sum();
        remainder(
            c,
            "msg-total",
            (total[1], m.total.people),
            ("assigned", whole),
        );
    }
    rows.push(total_row);
    columns.insert(0, "org".into());
    sections.push(Section {
        title: format!("Messengers by org (close by: same {})", m.by),
        columns: columns.clone(),
        rows,
    });

    // Per district, and per enclosing district: a district's assigned matched people are
    // part of its matched people.
    let mut ids_of: BTreeMap<(String, String), [CellId; 5]> = BTreeMap::new();
    let levels = [
        Some((&m.by, &m.districts)),
        m.fallback.as_ref().map(|f| (f, &m.fallback_districts)),
    ];
    for (column, counts) in levels.into_iter().flatten() {
        let mut rows = Vec::new();
        let mut parts = Vec::new();
        for (value, n) in counts {
            let name = format!("msg-geo/{column}/{value}");
            let (cells, ids) = row(c, &name, value, n);
            let matched = s
                .geography
                .get(column)
                .and_then(|g| g.get(value))
                .map_or(0, |g| g.people);
            let whole = format!("geo/{column}/{value}");
            remainder(c, &name, (ids[1], n.people), (&whole, matched));
            ids_of.insert((column.clone(), value.clone()), ids);
            rows.push(cells);
            parts.push(ids);
        }
        sum(c, parts, total);
        columns[0] = column.clone();
        sections.push(Section {
            title: format!("Messengers by {column}"),
            columns: columns.clone(),
            rows,
        });
    }
    // Districts within an enclosing district add up to it.
    if let Some(f) = &m.fallback {
        let map = s.nesting.get(&m.by).and_then(|n| n.get(f));
        let mut children: BTreeMap<&str, Vec<[CellId; 5]>> = BTreeMap::new();
        for (child, parent) in map.into_iter().flatten() {
            if let Some(ids) = ids_of.get(&(m.by.clone(), child.clone())) {
                children.entry(parent.as_str()).or_default().push(*ids);
            }
        }
        for (parent, kids) in children {
            if let Some(&total) = ids_of.get(&(f.clone(), parent.to_string())) {
                sum(c, kids, total);
            }
        }
    }
}

fn overlap_id(c: &mut Cells, s: &Summary, a: &str, b: &str) -> usize {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    let n = s
        .overlap
        .get(x)
        .and_then(|row| row.get(y))
        .copied()
        .unwrap_or(0);
    c.id(&format!("overlap/{x}/{y}"), n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::summary::OrgSummary;

    /// Three orgs: a has 120 people, 3 on a alone; a&b 60, a&c 70, all three 13.
    fn three_orgs(with_sets: bool) -> Summary {
        let orgs = ["a", "b", "c"];
        let mut s = Summary {
            people: 256,
            ..Summary::default()
        };
        let people = [120u64, 150, 140];
        for (o, n) in orgs.iter().zip(people) {
            s.orgs.push(OrgSummary {
                org: o.to_string(),
                people: n,
                ..OrgSummary::default()
            });
            s.overlap
                .entry(o.to_string())
                .or_default()
                .insert(o.to_string(), n);
        }
        for (x, y, n) in [("a", "b", 60u64), ("a", "c", 70), ("b", "c", 50)] {
            s.overlap.entry(x.into()).or_default().insert(y.into(), n);
            s.overlap.entry(y.into()).or_default().insert(x.into(), n);
        }
        let named = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        s.exclusive = named(&[("a", 3), ("b", 53), ("c", 33)]);
        s.lists = named(&[("1", 89), ("2", 154), ("3", 13)]);
        if with_sets {
            s.intersections = named(&[
                ("a", 3),
                ("b", 53),
                ("c", 33),
                ("a+b", 47),
                ("a+c", 57),
                ("b+c", 37),
                ("a+b+c", 13),
            ]);
        }
        s
    }

    #[test]
    fn three_orgs_exclusive_counts_cannot_be_derived() {
        for with_sets in [false, true] {
            let r = Report::build(&three_orgs(with_sets), 10);
            let hidden = |name: &str| r.cells.hidden_by_name(name);
            assert!(hidden("exclusive/a"));
            // 3 = 120 - 60 - 70 + 13 must not be computable from what is shown.
            let shown = ["people/a", "overlap/a/b", "overlap/a/c", "lists/3"];
            assert!(shown.iter().any(|n| hidden(n)), "exclusive/a is derivable");
            assert!(r.cells.is_sound());
        }
    }

    #[test]
    fn exact_sets_are_one_section_and_share_cells_with_the_others() {
        let r = Report::build(&three_orgs(true), 10);
        let section = r
            .sections
            .iter()
            .find(|s| s.title == "People by exact set of lists")
            .unwrap();
        let labels: Vec<String> = section.rows.iter().map(|row| r.display(&row[0])).collect();
        assert_eq!(
            labels,
            ["a", "b", "c", "a + b", "a + c", "b + c", "a + b + c"]
        );
        assert_eq!(r.figures.sets.len(), 7);
        // {a} is a's exclusive count and {a, b, c} is lists[3]: one cell each.
        assert_eq!(r.figures.sets[0].1, r.cells.id_of("exclusive/a"));
        assert_eq!(r.figures.sets[6].1, r.cells.id_of("lists/3"));
        // The sets are a's people, less the other sets: hiding {a} alone is not enough.
        assert!(r.cells.hidden_by_name("exclusive/a"));
        assert!(r.cells.is_sound());
    }

    #[test]
    fn a_small_opt_out_count_is_not_people_minus_assigned() {
        use crate::report::summary::AssignmentSummary;
        let mut s = three_orgs(true);
        s.suppressed = 4;
        s.assignment = Some(AssignmentSummary {
            policy: "balanced".into(),
            per_org: [("a", 100u64), ("b", 80), ("c", 72)]
                .iter()
                .map(|(o, n)| (o.to_string(), *n))
                .collect(),
            unassigned_suppressed: 4,
            outside_target: 0,
        });
        let r = Report::build(&s, 10);
        assert!(r.cells.hidden_by_name("suppressed"));
        assert!(r.cells.hidden_by_name("people") || r.cells.hidden_by_name("assigned"));
        assert!(r.cells.is_sound());
    }

    #[test]
    fn no_hidden_count_of_a_real_merge_with_messengers_can_be_derived() {
        // `blindmatch demo --members 500 --voters 5000 --seed 3` (messengers by precinct,
        // cap 25).
        let s: Summary =
            serde_json::from_str(include_str!("testdata/summary-messengers.json")).unwrap();
        for k in [5, 10, 25] {
            let r = Report::build(&s, k);
            assert!(r.cells.is_sound(), "k = {k}");
            assert!(r.cells.agrees_with_dense_elimination(), "k = {k}");
            let mut rows = 0;
            for section in r
                .sections
                .iter()
                .filter(|x| x.title.starts_with("Messengers by"))
            {
                for row in &section.rows {
                    let (Cell::Count(messengers), Some(Cell::Count(load))) = (&row[1], row.last())
                    else {
                        panic!("a messenger row without its counts");
                    };
                    if r.value(*messengers).is_none() {
                        assert!(
                            r.value(*load).is_none(),
                            "a load shown without its messengers"
                        );
                    }
                    rows += 1;
                }
            }
            assert!(rows > 50, "{rows}");
        }
    }

    #[test]
    fn no_hidden_count_of_a_real_merge_can_be_derived() {
        let s: Summary = serde_json::from_str(include_str!("testdata/summary.json")).unwrap();
        for k in [5, 10, 25, 100] {
            let r = Report::build(&s, k);
            assert!(r.cells.is_sound(), "k = {k}");
            assert!(r.cells.agrees_with_dense_elimination(), "k = {k}");
        }
    }
}
