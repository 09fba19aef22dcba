//! `report`: the counts analysts may share, with small cells suppressed.
//!
//! A small count can single a person out ("the one member of the tenants' union in precinct
//! 12 who is also on the party list"), so every count below the threshold K is shown as
//! `<K`. Suppressing a cell is not enough when it can be recovered by subtraction from a
//! published total, so counts are registered once each (the same number shown twice is one
//! cell), additive groups (parts that sum to a total) are declared, and secondary
//! suppression runs to a fixpoint: a group whose total is visible never has exactly one
//! hidden part. Percentages are hidden with their numerator or denominator.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::summary::Summary;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err("the format is table, csv, json or markdown".into()),
        }
    }
}

/// One cell of a report table.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    /// A registered count.
    Count(usize),
    /// A percentage: numerator and denominator counts.
    Percent(usize, usize),
}

#[derive(Clone, Debug)]
pub struct Section {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Registered counts and which are suppressed.
#[derive(Default)]
struct Cells {
    values: Vec<u64>,
    hidden: Vec<bool>,
    by_name: HashMap<String, usize>,
    /// Linear equations between published cells (the cells of each; signs and weights do
    /// not matter for what can be derived): any one cell follows from all the others.
    equations: Vec<Vec<usize>>,
}

impl Cells {
    fn id(&mut self, name: &str, value: u64) -> usize {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        self.values.push(value);
        self.hidden.push(false);
        self.by_name.insert(name.to_string(), self.values.len() - 1);
        self.values.len() - 1
    }

    /// The parts add up to the total.
    fn group(&mut self, mut parts: Vec<usize>, total: usize) {
        if !parts.is_empty() {
            parts.push(total);
            self.equation(parts);
        }
    }

    fn equation(&mut self, mut cells: Vec<usize>) {
        cells.sort_unstable();
        cells.dedup();
        if cells.len() > 1 {
            self.equations.push(cells);
        }
    }

    /// Hides counts below `k`, then, until nothing changes, one more cell in every equation
    /// with exactly one hidden cell (the smallest visible one, so as little as possible is
    /// lost).
    fn suppress(&mut self, k: u64) {
        for (value, hidden) in self.values.iter().zip(self.hidden.iter_mut()) {
            *hidden = *value < k;
        }
        loop {
            let mut changed = false;
            for cells in &self.equations {
                if cells.iter().filter(|&&c| self.hidden[c]).count() != 1 {
                    continue;
                }
                if let Some(next) = cells
                    .iter()
                    .copied()
                    .filter(|&c| !self.hidden[c])
                    .min_by_key(|&c| (self.values[c], c))
                {
                    self.hidden[next] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}

/// A report ready to render.
pub struct Report {
    pub min_cell: u64,
    pub sections: Vec<Section>,
    cells: Cells,
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
            rows.push(vec![
                text("suppressed (contact = no)"),
                count(&mut c, "suppressed", s.suppressed),
            ]);
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
        let mut rows = Vec::new();
        for (n, v) in buckets {
            let id = c.id(&format!("lists/{n}"), v);
            parts.push(id);
            rows.push(vec![
                text(n.to_string()),
                Cell::Count(id),
                Cell::Percent(id, people),
            ]);
        }
        c.group(parts.clone(), people);
        // Every person is counted once per list: the orgs' people add up to sum(k * lists[k]);
        // people on one list add up to lists[1]; with three orgs, inclusion-exclusion gives
        // each org's exclusive count from its people, its two overlaps and lists[3].
        let mut weighted = parts.clone();
        weighted.extend(labels.iter().map(|o| org_people(&mut c, o)));
        c.equation(weighted);
        let list_id = |c: &mut Cells, n: &str| {
            let v = s.lists.get(n).copied().unwrap_or(0);
            c.id(&format!("lists/{n}"), v)
        };
        let mut exclusives: Vec<usize> = labels
            .iter()
            .map(|o| {
                c.id(
                    &format!("exclusive/{o}"),
                    s.exclusive.get(o).copied().unwrap_or(0),
                )
            })
            .collect();
        exclusives.push(list_id(&mut c, "1"));
        c.equation(exclusives);
        if labels.len() == 3 {
            for a in &labels {
                let mut cells = vec![
                    org_people(&mut c, a),
                    c.id(
                        &format!("exclusive/{a}"),
                        s.exclusive.get(a).copied().unwrap_or(0),
                    ),
                    list_id(&mut c, "3"),
                ];
                for b in labels.iter().filter(|b| *b != a) {
                    cells.push(overlap_id(&mut c, s, a, b));
                }
                c.equation(cells);
            }
        }
        sections.push(Section {
            title: "People by number of lists".into(),
            columns: vec!["lists".into(), "people".into(), "% of people".into()],
            rows,
        });

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
            let mut parts = Vec::new();
            for kind in crate::merge::PASSES {
                let n = v.by_pass.get(kind.name()).copied().unwrap_or(0);
                let id = c.id(&format!("pass/{}", kind.name()), n);
                parts.push(id);
                rows.push(vec![
                    text(format!("  matched on {}", kind.name())),
                    Cell::Count(id),
                    Cell::Percent(id, people),
                ]);
            }
            c.group(parts, matched);
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
                    c.group(tier_parts, id);
                    rows.push(row);
                }
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

        c.suppress(k);
        Report {
            min_cell: k,
            sections,
            cells: c,
        }
    }

    fn shown(&self, cell: &Cell) -> Option<String> {
        match cell {
            Cell::Text(t) => Some(t.clone()),
            Cell::Count(id) => {
                (!self.cells.hidden[*id]).then(|| self.cells.values[*id].to_string())
            }
            Cell::Percent(n, d) => {
                if self.cells.hidden[*n] || self.cells.hidden[*d] {
                    None
                } else if self.cells.values[*d] == 0 {
                    Some("-".into())
                } else {
                    Some(format!(
                        "{:.1}%",
                        100.0 * self.cells.values[*n] as f64 / self.cells.values[*d] as f64
                    ))
                }
            }
        }
    }

    /// A hidden count below the threshold reads `<K`; a cell hidden only so that another
    /// cannot be derived, and a hidden percentage, read `*`.
    fn display(&self, cell: &Cell) -> String {
        self.shown(cell).unwrap_or_else(|| match cell {
            Cell::Count(id) if self.cells.values[*id] < self.min_cell => {
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
                                (Cell::Count(id), Some(_)) => json!(self.cells.values[*id]),
                                (Cell::Percent(n, d), Some(_)) if self.cells.values[*d] > 0 => {
                                    json!(
                                        (1000.0 * self.cells.values[*n] as f64
                                            / self.cells.values[*d] as f64)
                                            .round()
                                            / 10.0
                                    )
                                }
                                (_, Some(_)) => Value::Null,
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

    #[test]
    fn a_lone_hidden_part_pulls_a_second_one_down() {
        let mut c = Cells::default();
        let total = c.id("t", 100);
        let a = c.id("a", 3);
        let b = c.id("b", 40);
        let d = c.id("d", 57);
        c.group(vec![a, b, d], total);
        c.suppress(10);
        assert!(c.hidden[a] && c.hidden[b] && !c.hidden[d] && !c.hidden[total]);
    }

    #[test]
    fn a_group_with_one_part_hides_its_total() {
        let mut c = Cells::default();
        let total = c.id("t", 5);
        let a = c.id("a", 5);
        c.group(vec![a], total);
        c.suppress(10);
        assert!(c.hidden[a] && c.hidden[total]);
        let mut c = Cells::default();
        let total = c.id("t", 50);
        let a = c.id("a", 3);
        c.group(vec![a], total);
        c.suppress(10);
        assert!(c.hidden[total], "the total equals the hidden part");
    }

    #[test]
    fn three_orgs_exclusive_counts_cannot_be_derived() {
        use crate::summary::{OrgSummary, Summary};
        let orgs = ["a", "b", "c"];
        let mut s = Summary {
            people: 300,
            ..Summary::default()
        };
        // a: 120 people; 3 on a alone; a&b 60, a&c 70, all three 13.
        let people = [120u64, 150, 140];
        for (o, n) in orgs.iter().zip(people) {
            s.orgs.push(OrgSummary {
                org: o.to_string(),
                people: n,
                ..OrgSummary::default()
            });
        }
        let pairs = [("a", "b", 60u64), ("a", "c", 70), ("b", "c", 50)];
        for (o, n) in orgs.iter().zip(people) {
            s.overlap
                .entry(o.to_string())
                .or_default()
                .insert(o.to_string(), n);
        }
        for (x, y, n) in pairs {
            s.overlap.entry(x.into()).or_default().insert(y.into(), n);
            s.overlap.entry(y.into()).or_default().insert(x.into(), n);
        }
        s.exclusive = [("a", 3u64), ("b", 53), ("c", 33)]
            .iter()
            .map(|(o, n)| (o.to_string(), *n))
            .collect();
        s.lists = [("1", 89u64), ("2", 154), ("3", 13)]
            .iter()
            .map(|(k, n)| (k.to_string(), *n))
            .collect();
        let r = Report::build(&s, 10);
        let hidden = |name: &str| r.cells.hidden[r.cells.by_name[name]];
        assert!(hidden("exclusive/a"));
        // 3 = 120 - 60 - 70 + 13 must not be computable from what is shown.
        let shown = ["people/a", "overlap/a/b", "overlap/a/c", "lists/3"];
        assert!(shown.iter().any(|n| hidden(n)), "exclusive/a is derivable");
        for cells in &r.cells.equations {
            assert_ne!(cells.iter().filter(|&&p| r.cells.hidden[p]).count(), 1);
        }
    }

    #[test]
    fn suppression_propagates_through_shared_cells() {
        // x is in two groups; hiding it in one forces a second hide in the other.
        let mut c = Cells::default();
        let t1 = c.id("t1", 100);
        let t2 = c.id("t2", 200);
        let small = c.id("small", 2);
        let x = c.id("x", 30);
        let y = c.id("y", 68);
        let z = c.id("z", 170);
        c.group(vec![small, x, y], t1);
        c.group(vec![x, z], t2);
        c.suppress(10);
        assert!(c.hidden[small] && c.hidden[x]);
        assert!(c.hidden[z], "x hidden alone in t2 would be derivable");
        for cells in &c.equations {
            assert_ne!(cells.iter().filter(|&&p| c.hidden[p]).count(), 1);
        }
    }
}
