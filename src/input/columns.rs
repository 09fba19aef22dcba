//! Which input column (or columns) holds which identifier.
//!
//! Data people export from dozens of tools and should not have to rename headers. A role is
//! played by one column, by several joined with a space (a street split into house number and
//! street name, a phone split into area code and number), or by one part of a one-line
//! address. Choices come, in this order, from the user's `--*-col` flags, from a recognized
//! layout (`layouts/*.toml`), and from header aliases (`aliases.toml`): headers are compared
//! with case and punctuation removed, with a known prefix (`donor`, `user__`, `residential_`,
//! `mail_`, ...) stripped, and residential columns preferred to mailing ones. A column whose
//! sampled values are not what its name says (a `Street` without house numbers, a month/day
//! `Birthday`) is passed over. Header names are not member data, so they may be printed.

use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use super::layout::Layout;
use crate::spec::normalize;
use crate::spec::record::{Fields, MAX_CONTACTS};

/// Stands in for a cell that is not valid UTF-8: every normalizer rejects it as invalid.
pub const UNDECODABLE: &str = "\u{FFFD}";

/// Rows read before choosing columns, to check that values look like their role.
pub const SAMPLE_ROWS: usize = 1000;

/// The roles an input column can play.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Email,
    Phone,
    First,
    Middle,
    Last,
    Zip,
    Address,
    City,
    Dob,
}

const ROLES: usize = 9;

impl Role {
    pub const ALL: [Role; ROLES] = [
        Role::Email,
        Role::Phone,
        Role::First,
        Role::Middle,
        Role::Last,
        Role::Zip,
        Role::Address,
        Role::City,
        Role::Dob,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Email => "email",
            Role::Phone => "phone",
            Role::First => "first name",
            Role::Middle => "middle name",
            Role::Last => "last name",
            Role::Zip => "zip",
            Role::Address => "street address",
            Role::City => "city",
            Role::Dob => "date/year of birth",
        }
    }

    /// The role's key in layout and alias data files.
    pub fn key(self) -> &'static str {
        match self {
            Role::Email => "email",
            Role::Phone => "phone",
            Role::First => "first",
            Role::Middle => "middle",
            Role::Last => "last",
            Role::Zip => "zip",
            Role::Address => "address",
            Role::City => "city",
            Role::Dob => "dob",
        }
    }

    /// The command-line flag that sets this role by hand.
    pub fn flag(self) -> &'static str {
        match self {
            Role::Email => "--email-col",
            Role::Phone => "--phone-col",
            Role::First => "--first-col",
            Role::Middle => "--middle-col",
            Role::Last => "--last-col",
            Role::Zip => "--zip-col",
            Role::Address => "--address-col",
            Role::City => "--city-col",
            Role::Dob => "--dob-col",
        }
    }

    /// Geography roles, where a residential column beats a mailing one whatever its alias.
    fn is_geography(self) -> bool {
        matches!(self, Role::Zip | Role::Address | Role::City)
    }

    /// Values that spreadsheet tools write as numbers and prefix with `'` to keep as text.
    fn may_carry_quote_prefix(self) -> bool {
        matches!(self, Role::Phone | Role::Zip | Role::Address | Role::Dob)
    }

    /// Roles a record may hold several values of, one per column (two emails, a cell and a
    /// home phone).
    pub fn multi_valued(self) -> bool {
        matches!(self, Role::Email | Role::Phone)
    }

    /// Roles whose values identify a person: never copied in clear (`--keep`).
    pub fn is_identifier(self) -> bool {
        !matches!(self, Role::Zip | Role::City)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Folds a header for comparison: lowercase ASCII letters and digits only.
pub fn fold_header(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Column choices made by hand: per role, a header name, or several separated by commas
/// (joined with a space in that order).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub by_role: Vec<(Role, String)>,
}

/// Where a role's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Column(usize),
    /// Trimmed, non-empty values joined with one space.
    Joined(Vec<usize>),
    /// One part of a one-line address: the cell split at the map's separator.
    Part {
        column: usize,
        index: usize,
    },
}

impl Source {
    pub fn columns(&self) -> Vec<usize> {
        match self {
            Source::Column(c) | Source::Part { column: c, .. } => vec![*c],
            Source::Joined(cs) => cs.clone(),
        }
    }
}

/// For each role, where its value comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    slots: [Option<Source>; ROLES],
    /// Further sources of email and phone, each one more value after the role's own source
    /// (a second email column; a home phone beside a cell phone), in order.
    more: Vec<(Role, Source)>,
    /// Separator of the one-line address column, for [`Source::Part`].
    separator: String,
}

/// Per-worker buffers for joined cells, reused for every row.
#[derive(Default)]
pub struct CellBuffers {
    joined: [String; ROLES],
    /// One per further source, as [`ColumnMap::more`].
    more: Vec<String>,
}

/// Trims padding that state systems and spreadsheets add around a cell: NUL bytes and ASCII
/// blanks (normalization trims whitespace anyway), and, for numeric roles, the leading `'`
/// that keeps a number as text in Excel.
fn clean(mut cell: &[u8], role: Role) -> &[u8] {
    while let [b'\0' | b' ' | b'\t' | b'\r' | b'\n', rest @ ..] = cell {
        cell = rest;
    }
    while let [rest @ .., b'\0' | b' ' | b'\t' | b'\r' | b'\n'] = cell {
        cell = rest;
    }
    if role.may_carry_quote_prefix()
        && let [b'\'', next, ..] = cell
        && (next.is_ascii_digit() || *next == b'+')
    {
        cell = &cell[1..];
    }
    cell
}

/// Trimmed, non-empty cells joined with one space into `out`; [`UNDECODABLE`] when one is not
/// UTF-8 (its column is passed to `on_undecodable`).
fn join_cells(
    record: &csv::ByteRecord,
    columns: &[usize],
    role: Role,
    out: &mut String,
    on_undecodable: &mut impl FnMut(usize),
) {
    out.clear();
    for &c in columns {
        let Some(value) = cell_str(record, c, role) else {
            on_undecodable(c);
            out.clear();
            out.push_str(UNDECODABLE);
            return;
        };
        if !value.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(value);
        }
    }
}

/// Stands in for a cell holding a control character (a NUL inside an email, a stray escape):
/// corrupt, so invalid for every kind and counted as such, never hashed as garbage.
const CORRUPT: &str = "\u{FFFD}";

/// True when the cell holds a control character where none belongs. Line breaks and tabs
/// are allowed in a street address (a quoted multi-line address field), nowhere else.
fn has_control(cell: &[u8], role: Role) -> bool {
    cell.iter().any(|&b| {
        (b < 0x20 || b == 0x7F) && !(role == Role::Address && matches!(b, b'\n' | b'\r' | b'\t'))
    })
}

/// The cell as text: `None` when it is not UTF-8; [`CORRUPT`] when it holds a control
/// character.
fn cell_str(record: &csv::ByteRecord, column: usize, role: Role) -> Option<&str> {
    let cell = clean(record.get(column).unwrap_or_default(), role);
    if has_control(cell, role) {
        return Some(CORRUPT);
    }
    std::str::from_utf8(cell).ok()
}

impl ColumnMap {
    pub fn get(&self, role: Role) -> Option<&Source> {
        self.slots[role as usize].as_ref()
    }

    pub fn set(&mut self, role: Role, source: Source) {
        self.slots[role as usize] = Some(source);
    }

    /// Adds a further source of a role that may hold several values (email, phone).
    pub fn add_more(&mut self, role: Role, source: Source) {
        debug_assert!(role.multi_valued());
        self.more.push((role, source));
    }

    /// The further sources of a role, in order.
    pub fn more(&self, role: Role) -> impl Iterator<Item = &Source> {
        self.more
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, s)| s)
    }

    /// True when at least one token kind can be formed from the mapped columns.
    pub fn has_identifier(&self) -> bool {
        let has = |r| self.get(r).is_some();
        // Spec 2 kinds need three quasi-identifiers, one a name or the date of birth; a
        // street address gives two (house number and street).
        let parts = [Role::First, Role::Last, Role::Dob, Role::City, Role::Zip]
            .into_iter()
            .filter(|&r| has(r))
            .count()
            + if has(Role::Address) { 2 } else { 0 };
        let anchor = has(Role::First) || has(Role::Last) || has(Role::Dob);
        has(Role::Email)
            || has(Role::Phone)
            || (has(Role::First) && has(Role::Last) && has(Role::Zip))
            || (anchor && parts >= 3)
    }

    /// The role a column is used for, if any.
    pub fn role_of(&self, column: usize) -> Option<Role> {
        Role::ALL.into_iter().find(|&r| {
            self.get(r)
                .into_iter()
                .chain(self.more(r))
                .any(|s| s.columns().contains(&column))
        })
    }

    /// Every column index used for some role.
    pub fn used(&self) -> Vec<usize> {
        self.slots
            .iter()
            .flatten()
            .chain(self.more.iter().map(|(_, s)| s))
            .flat_map(Source::columns)
            .collect()
    }

    /// The identifier values of a row. A cell that is not UTF-8 becomes [`UNDECODABLE`]
    /// (invalid for every kind) and its column index is passed to `on_undecodable`.
    pub fn fields<'r>(
        &self,
        record: &'r csv::ByteRecord,
        buffers: &'r mut CellBuffers,
        mut on_undecodable: impl FnMut(usize),
    ) -> Fields<'r> {
        for role in Role::ALL {
            if let Some(Source::Joined(columns)) = self.get(role) {
                let out = &mut buffers.joined[role as usize];
                join_cells(record, columns, role, out, &mut on_undecodable);
            }
        }
        buffers.more.resize(self.more.len(), String::new());
        for ((role, source), out) in self.more.iter().zip(&mut buffers.more) {
            if let Source::Joined(columns) = source {
                join_cells(record, columns, *role, out, &mut on_undecodable);
            }
        }
        let buffers: &'r CellBuffers = buffers;
        let mut value = |role: Role, source: &Source, joined: &'r str| -> &'r str {
            match source {
                Source::Column(c) => cell_str(record, *c, role).unwrap_or_else(|| {
                    on_undecodable(*c);
                    UNDECODABLE
                }),
                Source::Joined(_) => joined,
                Source::Part { column, index } => match cell_str(record, *column, role) {
                    Some(line) => line
                        .split(self.separator.as_str())
                        .nth(*index)
                        .unwrap_or("")
                        .trim(),
                    None => {
                        on_undecodable(*column);
                        UNDECODABLE
                    }
                },
            }
        };
        let mut primary = |role: Role| {
            self.get(role)
                .map(|source| value(role, source, &buffers.joined[role as usize]))
        };
        let mut fields = Fields {
            email: primary(Role::Email),
            phone: primary(Role::Phone),
            first: primary(Role::First),
            middle: primary(Role::Middle),
            last: primary(Role::Last),
            zip: primary(Role::Zip),
            address: primary(Role::Address),
            city: primary(Role::City),
            dob: primary(Role::Dob),
            ..Fields::default()
        };
        let (mut emails, mut phones) = (0, 0);
        for ((role, source), joined) in self.more.iter().zip(&buffers.more) {
            let (slots, n) = match role {
                Role::Email => (&mut fields.more_emails, &mut emails),
                _ => (&mut fields.more_phones, &mut phones),
            };
            if let Some(slot) = slots.get_mut(*n) {
                *slot = Some(value(*role, source, joined));
                *n += 1;
            }
        }
        fields
    }

    /// How a role is sourced, in header names, for the column report; further sources of
    /// email and phone follow, separated by `; `.
    pub fn describe(&self, role: Role, headers: &[String]) -> Option<String> {
        let name = |c: &usize| format!("'{}'", headers.get(*c).map_or("?", String::as_str));
        let one = |source: &Source| match source {
            Source::Column(c) => name(c),
            Source::Joined(cs) => cs.iter().map(name).collect::<Vec<_>>().join(" + "),
            Source::Part { column, index } => {
                format!(
                    "{} (part {} of the one-line address)",
                    name(column),
                    index + 1
                )
            }
        };
        let sources: Vec<String> = self
            .get(role)
            .into_iter()
            .chain(self.more(role))
            .map(one)
            .collect();
        (!sources.is_empty()).then(|| sources.join("; "))
    }
}

/// Something about the chosen columns that the user should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The street address (or zip) comes from a mailing or billing column: no residential
    /// one was found, and a mailing address may not be where the person votes.
    MailingOnly { role: Role, column: String },
    /// An age column exists: an age is not a birth year, so it is not used.
    AgeNotUsed { column: String },
    /// A column named like a role whose sampled values do not fit it.
    Rejected { role: Role, column: String },
    /// One more email or phone column than a record takes values of the role.
    TooMany { role: Role, column: String },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::MailingOnly { role, column } => write!(
                f,
                "the {role} comes from '{column}', a mailing/billing column: no residential one \
                 was found, and people are matched to the voter file where they live"
            ),
            Notice::AgeNotUsed { column } => write!(
                f,
                "column '{column}' is an age, which fits two birth years: not used (name a birth \
                 date or year column with --dob-col)"
            ),
            Notice::Rejected { role, column } => write!(
                f,
                "column '{column}' is not used for the {role}: its values do not look like one"
            ),
            Notice::TooMany { role, column } => write!(
                f,
                "column '{column}' is not used: a record takes at most {MAX_CONTACTS} {role} \
                 columns (name the ones to use with {})",
                role.flag()
            ),
        }
    }
}

/// The columns chosen for a file.
#[derive(Clone, Debug, Default)]
pub struct Detection {
    pub map: ColumnMap,
    pub notices: Vec<Notice>,
}

/// Whether a column is residential, neutral or mailing, by its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    Residential,
    Neutral,
    Mailing,
}

#[derive(Deserialize)]
struct Prefixes {
    residential: Vec<String>,
    neutral: Vec<String>,
    mailing: Vec<String>,
}

#[derive(Deserialize)]
struct SplitAddress {
    house: Vec<String>,
    parts: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct SplitPhone {
    area: Vec<String>,
    number: Vec<String>,
}

#[derive(Deserialize)]
struct Aliases {
    prefixes: Prefixes,
    roles: std::collections::HashMap<String, Vec<String>>,
    split_address: SplitAddress,
    split_phone: SplitPhone,
}

fn aliases() -> &'static Aliases {
    static ALIASES: OnceLock<Aliases> = OnceLock::new();
    ALIASES.get_or_init(|| {
        toml::from_str(include_str!("aliases.toml")).expect("aliases.toml is valid (tested)")
    })
}

/// A header's readings: the folded header itself, and with each known prefix removed.
fn readings(folded: &str) -> Vec<(&str, Qualifier)> {
    let p = &aliases().prefixes;
    let mut out = vec![(folded, Qualifier::Neutral)];
    for (list, q) in [
        (&p.residential, Qualifier::Residential),
        (&p.neutral, Qualifier::Neutral),
        (&p.mailing, Qualifier::Mailing),
    ] {
        for prefix in list {
            if let Some(rest) = folded.strip_prefix(prefix.as_str())
                && !rest.is_empty()
            {
                out.push((rest, q));
            }
        }
    }
    out
}

/// A candidate column for a role: where it is, how residential, how good a name.
#[derive(Clone, Debug)]
struct Candidate {
    source: Source,
    qualifier: Qualifier,
    rank: usize,
}

/// The best match of each header against a list of aliases.
fn matches(folded: &[String], list: &[String], taken: &[usize]) -> Vec<(usize, Qualifier, usize)> {
    let mut out = Vec::new();
    for (i, header) in folded.iter().enumerate() {
        if taken.contains(&i) {
            continue;
        }
        let best = readings(header)
            .into_iter()
            .filter_map(|(reading, q)| list.iter().position(|a| a == reading).map(|r| (q, r)))
            .min();
        if let Some((q, r)) = best {
            out.push((i, q, r));
        }
    }
    out
}

fn best_match(
    folded: &[String],
    list: &[String],
    taken: &[usize],
    qualifier: Option<Qualifier>,
) -> Option<usize> {
    matches(folded, list, taken)
        .into_iter()
        .filter(|&(_, q, _)| qualifier.is_none_or(|want| q == want || q == Qualifier::Neutral))
        .min_by_key(|&(i, q, r)| (q, r, i))
        .map(|(i, _, _)| i)
}

/// Candidates for a role from header aliases, best first.
fn alias_candidates(role: Role, folded: &[String], taken: &[usize]) -> Vec<Candidate> {
    let a = aliases();
    let list = a.roles.get(role.key()).map_or(&[][..], Vec::as_slice);
    let mut out: Vec<Candidate> = matches(folded, list, taken)
        .into_iter()
        .map(|(i, qualifier, rank)| Candidate {
            source: Source::Column(i),
            qualifier,
            rank,
        })
        .collect();
    match role {
        Role::Address => {
            // A street split into parts: the house number, then whatever parts exist, of the
            // same kind of address (residential with residential).
            let houses = matches(folded, &a.split_address.house, taken);
            let mut seen = Vec::new();
            for (house, qualifier, _) in houses {
                if seen.contains(&qualifier) {
                    continue;
                }
                seen.push(qualifier);
                let mut columns = vec![house];
                for group in &a.split_address.parts {
                    let mut used = taken.to_vec();
                    used.extend(&columns);
                    if let Some(part) = best_match(folded, group, &used, Some(qualifier)) {
                        columns.push(part);
                    }
                }
                if columns.len() > 1 {
                    out.push(Candidate {
                        source: Source::Joined(columns),
                        qualifier,
                        rank: usize::MAX,
                    });
                }
            }
        }
        Role::Phone => {
            if let Some(area) = best_match(folded, &a.split_phone.area, taken, None) {
                let mut used = taken.to_vec();
                used.push(area);
                if let Some(number) = best_match(folded, &a.split_phone.number, &used, None) {
                    out.push(Candidate {
                        source: Source::Joined(vec![area, number]),
                        qualifier: Qualifier::Neutral,
                        rank: 0,
                    });
                    // The local number alone is not a phone number.
                    out.retain(|c| c.source != Source::Column(number));
                }
            }
        }
        _ => {}
    }
    out.sort_by_key(|c| {
        let q = if role.is_geography() {
            c.qualifier
        } else if c.qualifier == Qualifier::Mailing {
            Qualifier::Mailing
        } else {
            Qualifier::Neutral
        };
        let index = c.source.columns()[0];
        (q, c.rank, index)
    });
    out
}

/// The identifier role a header is named like (by the role aliases, with or without a known
/// prefix), used or not: such a column is never copied in clear, even when another column
/// was chosen for the role (a sixth email, a work phone).
pub fn named_like_identifier(header: &str) -> Option<Role> {
    let folded = [fold_header(header)];
    let roles = &aliases().roles;
    Role::ALL
        .into_iter()
        .filter(|r| r.is_identifier())
        .find(|r| {
            roles
                .get(r.key())
                .is_some_and(|list| !matches(&folded, list, &[]).is_empty())
        })
}

/// Finds a header by exact name, then by folded name.
pub fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    headers.iter().position(|h| h == wanted).or_else(|| {
        let folded = fold_header(wanted);
        headers.iter().position(|h| fold_header(h) == folded)
    })
}

/// Resolves `a + b` (layout data) or `a,b` (a flag) to a source, if every column exists.
fn resolve(headers: &[String], spec: &str, separator: char) -> Result<Source, String> {
    if let Some(i) = find_header(headers, spec) {
        return Ok(Source::Column(i));
    }
    let parts: Vec<&str> = spec
        .split(separator)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut columns = Vec::new();
    for part in &parts {
        columns.push(find_header(headers, part).ok_or_else(|| part.to_string())?);
    }
    match columns.as_slice() {
        [] => Err(spec.to_string()),
        [one] => Ok(Source::Column(*one)),
        _ => Ok(Source::Joined(columns)),
    }
}

/// Whether sampled values fit the role. Only the street (must start with a house number) and
/// the birth date (must carry a year) are checked: those are the columns whose names mislead.
fn plausible(map: &ColumnMap, role: Role, sample: &[csv::ByteRecord]) -> bool {
    if !matches!(role, Role::Address | Role::Dob) {
        return true;
    }
    let mut buffers = CellBuffers::default();
    let (mut present, mut valid) = (0usize, 0usize);
    let mut out = String::new();
    let year = normalize::current_utc_year();
    for record in sample {
        let fields = map.fields(record, &mut buffers, |_| {});
        let value = match role {
            Role::Address => fields.address,
            _ => fields.dob,
        };
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        present += 1;
        let ok = match role {
            Role::Address => normalize::house(value, &mut out),
            _ => normalize::yob(value, year, &mut out),
        };
        valid += usize::from(ok.is_ok());
    }
    present < 3 || valid * 5 >= present
}

/// Whether most sampled values of a column have seven digits or more: whole phone numbers,
/// not the area code that a phone split in two starts with.
fn holds_whole_numbers(sample: &[csv::ByteRecord], column: usize) -> bool {
    let (mut present, mut whole) = (0usize, 0usize);
    for record in sample {
        let cell = clean(record.get(column).unwrap_or_default(), Role::Phone);
        if cell.is_empty() {
            continue;
        }
        present += 1;
        whole += usize::from(cell.iter().filter(|b| b.is_ascii_digit()).count() >= 7);
    }
    present >= 3 && whole * 5 >= present * 4
}

/// Adds `source` as one more value of `role` unless one of its columns is used already; past
/// [`MAX_CONTACTS`] sources of the role, the column is left out with a notice.
fn add_if_room(det: &mut Detection, role: Role, source: Source, headers: &[String]) {
    let used = det.map.used();
    if source.columns().iter().any(|c| used.contains(c)) {
        return;
    }
    if det.map.more(role).count() + 1 < MAX_CONTACTS {
        det.map.add_more(role, source);
    } else {
        let column = source.columns().first().map(|&c| headers[c].clone());
        det.notices.push(Notice::TooMany {
            role,
            column: column.unwrap_or_default(),
        });
    }
}

/// Chooses the columns: flags first, then a layout's roles, then header aliases; checks values.
/// Email and phone may take several columns (one value each): all of a layout's alternatives
/// that exist, and further columns named like an email or phone.
pub fn detect(
    headers: &[String],
    sample: &[csv::ByteRecord],
    overrides: &Overrides,
    layout: Option<&Layout>,
) -> Result<Detection, String> {
    let mut det = Detection::default();
    let mut by_flag = Vec::new();
    for (role, spec) in &overrides.by_role {
        let source = resolve(headers, spec, ',').map_err(|missing| {
            format!(
                "{} names column '{missing}', which is not in the header",
                role.flag()
            )
        })?;
        if *role == Role::Email && matches!(source, Source::Joined(_)) {
            return Err(
                "--email-col names one column; give --email-col again for each further \
                        email column (several emails are several values, never joined)"
                    .to_string(),
            );
        }
        if let (Role::Phone, Source::Joined(columns)) = (role, &source)
            && holds_whole_numbers(sample, columns[0])
        {
            let names: Vec<String> = columns
                .iter()
                .map(|&c| format!("'{}'", headers[c]))
                .collect();
            return Err(format!(
                "--phone-col joins {} into one number, but {} holds whole phone numbers: give \
                 --phone-col again for each further phone",
                names.join(" and "),
                names[0]
            ));
        }
        if by_flag.contains(role) {
            if !role.multi_valued() {
                return Err(format!(
                    "{} is given twice: only --email-col and --phone-col may name several \
                     columns, one value each",
                    role.flag()
                ));
            }
            if det.map.more(*role).count() + 1 >= MAX_CONTACTS {
                return Err(format!(
                    "{} is given more than {MAX_CONTACTS} times",
                    role.flag()
                ));
            }
            det.map.add_more(*role, source);
        } else {
            by_flag.push(*role);
            det.map.set(*role, source);
        }
    }
    let mut age_columns = Vec::new();
    if let Some(layout) = layout {
        for role in Role::ALL {
            if det.map.get(role).is_some() {
                continue;
            }
            for alternative in layout.alternatives(role) {
                let Ok(source) = resolve(headers, alternative, '+') else {
                    continue;
                };
                if det.map.get(role).is_some() {
                    // Another email or phone column of the layout: one more value.
                    if role.multi_valued() {
                        add_if_room(&mut det, role, source, headers);
                    }
                    continue;
                }
                let mut trial = det.map.clone();
                trial.set(role, source.clone());
                if plausible(&trial, role, sample) {
                    det.map.set(role, source);
                    if role.multi_valued() {
                        continue;
                    }
                    break;
                }
                det.notices.push(Notice::Rejected {
                    role,
                    column: alternative.to_string(),
                });
            }
        }
        if let Some(line) = &layout.one_line_address
            && let Some(column) = find_header(headers, &line.column)
        {
            det.map.separator = line.separator.clone();
            for (index, part) in line.parts.iter().enumerate() {
                let role = match part.as_str() {
                    "address" => Role::Address,
                    "city" => Role::City,
                    "zip" => Role::Zip,
                    _ => continue,
                };
                if det.map.get(role).is_none() {
                    det.map.set(role, Source::Part { column, index });
                }
            }
        }
        age_columns.extend(
            layout
                .alternatives_of("age")
                .filter_map(|a| find_header(headers, a)),
        );
    }
    let folded: Vec<String> = headers.iter().map(|h| fold_header(h)).collect();
    for role in Role::ALL {
        if det.map.get(role).is_some() {
            continue;
        }
        for candidate in alias_candidates(role, &folded, &det.map.used()) {
            let mut trial = det.map.clone();
            trial.set(role, candidate.source.clone());
            if !plausible(&trial, role, sample) {
                det.notices.push(Notice::Rejected {
                    role,
                    column: headers[candidate.source.columns()[0]].clone(),
                });
                continue;
            }
            if candidate.qualifier == Qualifier::Mailing && role.is_geography() {
                det.notices.push(Notice::MailingOnly {
                    role,
                    column: headers[candidate.source.columns()[0]].clone(),
                });
            }
            det.map.set(role, candidate.source);
            break;
        }
    }
    // Further email and phone columns by their names, unless the user chose that role's
    // columns: each is one more value of the record. A work or business phone is left out
    // (an office switchboard is shared by everyone there); a work email is the person's.
    for role in [Role::Email, Role::Phone] {
        if by_flag.contains(&role) || det.map.get(role).is_none() {
            continue;
        }
        for candidate in alias_candidates(role, &folded, &det.map.used()) {
            if role == Role::Phone && candidate.qualifier == Qualifier::Mailing {
                continue;
            }
            add_if_room(&mut det, role, candidate.source, headers);
        }
    }
    if det.map.get(Role::Dob).is_none() {
        let list = aliases().roles.get("age").map_or(&[][..], Vec::as_slice);
        age_columns.extend(
            matches(&folded, list, &det.map.used())
                .into_iter()
                .map(|(i, _, _)| i),
        );
        age_columns.sort_unstable();
        age_columns.dedup();
        for column in age_columns {
            det.notices.push(Notice::AgeNotUsed {
                column: headers[column].clone(),
            });
        }
    }
    Ok(det)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_string).collect()
    }

    fn detect_plain(line: &str, rows: &[&str]) -> (Vec<String>, Detection) {
        let h = headers(line);
        let sample: Vec<csv::ByteRecord> = rows
            .iter()
            .map(|r| csv::ByteRecord::from(r.split(',').collect::<Vec<_>>()))
            .collect();
        let det = detect(&h, &sample, &Overrides::default(), None).unwrap();
        (h, det)
    }

    /// The role -> columns description, for compact assertions.
    fn roles(line: &str) -> Vec<Option<String>> {
        let (h, det) = detect_plain(line, &[]);
        Role::ALL.iter().map(|&r| det.map.describe(r, &h)).collect()
    }

    fn get(line: &str, role: Role) -> Option<String> {
        roles(line)[role as usize].clone()
    }

    fn s(v: &str) -> Option<String> {
        Some(format!("'{v}'"))
    }

    #[test]
    fn every_email_and_phone_column_is_a_value_the_best_first() {
        // NationBuilder-like: several emails; a cell and a home phone.
        let line = "email1,first_name,email,email2,work_email,phone_number,mobile_number,zip,\
                    work_phone";
        assert_eq!(
            get(line, Role::Email).unwrap(),
            "'email'; 'email1'; 'work_email'; 'email2'"
        );
        assert_eq!(
            get(line, Role::Phone).unwrap(),
            "'phone_number'; 'mobile_number'"
        );
        // A work phone only when there is no other.
        assert_eq!(
            get("work_phone,last_name", Role::Phone).unwrap(),
            "'work_phone'"
        );
        // A phone split into area code and number stays one value, beside a cell phone.
        let line = "area_cd,phone_num,cell,last_name";
        assert_eq!(
            get(line, Role::Phone).unwrap(),
            "'area_cd' + 'phone_num'; 'cell'"
        );
        // At most MAX_CONTACTS values.
        let line = "email,email1,email2,email3,email4,email5,altemail";
        let (h, det) = detect_plain(line, &[]);
        assert_eq!(det.map.more(Role::Email).count(), MAX_CONTACTS - 1);
        let left_out: Vec<String> = det.notices.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            left_out,
            [
                "column 'email5' is not used: a record takes at most 5 email columns (name the \
                 ones to use with --email-col)",
                "column 'altemail' is not used: a record takes at most 5 email columns (name \
                 the ones to use with --email-col)"
            ]
        );
        // A row gives each column's value, in order.
        let record = csv::ByteRecord::from(vec!["a@x", "b@x", "", "d@x", "e@x", "f@x", "g@x"]);
        let mut buffers = CellBuffers::default();
        let f = det.map.fields(&record, &mut buffers, |_| {});
        assert_eq!(f.email, Some("a@x"));
        assert_eq!(
            f.more_emails,
            [Some("b@x"), Some(""), Some("d@x"), Some("e@x")]
        );
        assert_eq!(h.len(), 7);
    }

    #[test]
    fn columns_named_like_identifiers_are_known_used_or_not() {
        assert_eq!(named_like_identifier("Work Phone"), Some(Role::Phone));
        assert_eq!(named_like_identifier("email5"), Some(Role::Email));
        assert_eq!(
            named_like_identifier("Mailing Address"),
            Some(Role::Address)
        );
        for geography in [
            "precinct_abbrv",
            "nc_house_abbrv",
            "cong_dist_abbrv",
            "City",
            "Zip",
        ] {
            assert_eq!(named_like_identifier(geography), None, "{geography}");
        }
    }

    #[test]
    fn flags_name_several_emails_or_phones_and_nothing_else_twice() {
        let h = headers("e1,e2,area,num,cell,first");
        let flags = |by_role: &[(Role, &str)]| {
            let o = Overrides {
                by_role: by_role.iter().map(|(r, c)| (*r, c.to_string())).collect(),
            };
            detect(&h, &[], &o, None)
                .map(|d| [Role::Email, Role::Phone, Role::First].map(|r| d.map.describe(r, &h)))
        };
        let d = flags(&[
            (Role::Email, "e2"),
            (Role::Phone, "area,num"),
            (Role::Phone, "cell"),
        ])
        .unwrap();
        // Chosen by flag: e1 is not added by its name.
        assert_eq!(d[0].as_deref(), Some("'e2'"));
        assert_eq!(d[1].as_deref(), Some("'area' + 'num'; 'cell'"));
        let err = flags(&[(Role::First, "first"), (Role::First, "e1")]).unwrap_err();
        assert!(err.contains("--first-col is given twice"), "{err}");
        let err = flags(&[(Role::Email, "e1,e2")]).unwrap_err();
        assert!(err.contains("give --email-col again"), "{err}");
        // Two whole phones joined by mistake: refused, naming the columns.
        let sample: Vec<csv::ByteRecord> = (0..5)
            .map(|i| {
                let phone = format!("650-555-01{i:02}");
                csv::ByteRecord::from(vec!["", "", "650", "555-0100", phone.as_str(), "Ann"])
            })
            .collect();
        let o = |spec: &str| Overrides {
            by_role: vec![(Role::Phone, spec.to_string())],
        };
        let err = detect(&h, &sample, &o("cell,num"), None).unwrap_err();
        assert!(err.contains("'cell' holds whole phone numbers"), "{err}");
        assert!(detect(&h, &sample, &o("area,num"), None).is_ok());
        let six = [(Role::Phone, "cell"); MAX_CONTACTS + 1];
        let err = flags(&six).unwrap_err();
        assert!(err.contains("more than"), "{err}");
    }

    #[test]
    fn alias_data_parses() {
        let a = aliases();
        for role in Role::ALL {
            assert!(a.roles.contains_key(role.key()), "{}", role.key());
        }
        for list in a.roles.values() {
            for alias in list {
                assert_eq!(alias, &fold_header(alias), "aliases are folded");
            }
        }
    }

    #[test]
    fn actionkit() {
        let r = roles("id,email,first_name,last_name,address1,address2,city,state,zip,phone");
        assert_eq!(r[Role::Email as usize], s("email"));
        assert_eq!(r[Role::Phone as usize], s("phone"));
        assert_eq!(r[Role::Address as usize], s("address1"));
        assert_eq!(r[Role::City as usize], s("city"));
        assert_eq!(r[Role::Zip as usize], s("zip"));
        assert_eq!(r[Role::Dob as usize], None);
    }

    #[test]
    fn prefixes_are_stripped() {
        let line = "Donor Email,Donor First Name,Donor Last Name,Donor Addr1,Donor City,Donor ZIP,Donor Phone";
        assert_eq!(get(line, Role::Email), s("Donor Email"));
        assert_eq!(get(line, Role::Address), s("Donor Addr1"));
        assert_eq!(get(line, Role::Zip), s("Donor ZIP"));
        let spoke = "contact[firstName],contact[lastName],contact[zip],contact[cell]";
        assert_eq!(get(spoke, Role::First), s("contact[firstName]"));
        assert_eq!(get(spoke, Role::Phone), s("contact[cell]"));
        let mobilize = "user__email_address,user__given_name,user__family_name,user__postal_code,user__phone_number";
        assert_eq!(get(mobilize, Role::Last), s("user__family_name"));
        assert_eq!(get(mobilize, Role::Zip), s("user__postal_code"));
    }

    #[test]
    fn residential_beats_mailing_whatever_the_order() {
        let line = "FIRST_NAME,LAST_NAME,MAILING_ADDRESS1,MAILING_ZIP,RESIDENTIAL_ADDRESS1,RESIDENTIAL_ZIP,RESIDENTIAL_CITY,MAILING_CITY";
        assert_eq!(get(line, Role::Address), s("RESIDENTIAL_ADDRESS1"));
        assert_eq!(get(line, Role::Zip), s("RESIDENTIAL_ZIP"));
        assert_eq!(get(line, Role::City), s("RESIDENTIAL_CITY"));
        let nc = "mail_addr1,mail_city,mail_zipcode,last_name,first_name,res_street_address,res_city_desc,zip_code";
        assert_eq!(get(nc, Role::Address), s("res_street_address"));
        assert_eq!(get(nc, Role::Zip), s("zip_code"));
        assert_eq!(get(nc, Role::City), s("res_city_desc"));
    }

    #[test]
    fn mailing_only_is_used_with_a_notice() {
        let (h, det) = detect_plain("FirstName,LastName,MailingStreet,MailingPostalCode", &[]);
        assert_eq!(det.map.describe(Role::Address, &h), s("MailingStreet"));
        assert!(det.notices.iter().any(|n| matches!(
            n,
            Notice::MailingOnly {
                role: Role::Address,
                ..
            }
        )));
    }

    #[test]
    fn split_street_and_phone_are_joined() {
        let line = "last_name,first_name,house_num,half_code,street_dir,street_name,street_type_cd,street_sufx_cd,unit_num,res_city_desc,zip_code,mail_addr1,area_cd,phone_num,age";
        assert_eq!(
            get(line, Role::Address).unwrap(),
            "'house_num' + 'half_code' + 'street_dir' + 'street_name' + 'street_type_cd' + 'street_sufx_cd' + 'unit_num'"
        );
        assert_eq!(get(line, Role::Phone).unwrap(), "'area_cd' + 'phone_num'");
        let wa = "FName,LName,RegStNum,RegStFrac,RegStName,RegStType,RegCity,RegZipCode,Birthyear";
        assert_eq!(
            get(wa, Role::Address).unwrap(),
            "'RegStNum' + 'RegStFrac' + 'RegStName' + 'RegStType'"
        );
        assert_eq!(get(wa, Role::Zip), s("RegZipCode"));
    }

    #[test]
    fn joined_cells_skip_blanks_and_padding() {
        let h = headers("house_num,street_dir,street_name,zip");
        let det = detect(&h, &[], &Overrides::default(), None).unwrap();
        let record = csv::ByteRecord::from(vec!["  12 \0\0", "", "MAIN ", "'02139"]);
        let mut buffers = CellBuffers::default();
        let f = det.map.fields(&record, &mut buffers, |_| {});
        assert_eq!(f.address, Some("12 MAIN"));
        assert_eq!(f.zip, Some("02139"));
    }

    #[test]
    fn control_characters_make_a_value_invalid() {
        let h = headers("email,first_name,last_name,zip,address");
        let det = detect(&h, &[], &Overrides::default(), None).unwrap();
        let record = csv::ByteRecord::from(vec![
            &b"a\0b@example.org"[..],
            b"An\x1bn",
            b"Lee\0\0",
            b"02139",
            b"12 Elm St\r\nApt 3",
        ]);
        let mut buffers = CellBuffers::default();
        let mut undecodable = 0;
        let f = det.map.fields(&record, &mut buffers, |_| undecodable += 1);
        assert_eq!(f.email, Some(CORRUPT));
        assert_eq!(f.first, Some(CORRUPT));
        assert_eq!(f.last, Some("Lee"), "NUL padding at the end is trimmed");
        assert_eq!(f.address, Some("12 Elm St\r\nApt 3"));
        assert_eq!(undecodable, 0, "corrupt is not undecodable");
        let mut out = String::new();
        assert!(normalize::email(CORRUPT, &mut out).is_err());
    }

    #[test]
    fn values_that_do_not_fit_are_passed_over() {
        let (h, det) = detect_plain(
            "First Name,Last Name,Street,Birthday,Zip",
            &[
                "a,b,Main St,07/04,1",
                "a,b,Elm,12/25,1",
                "a,b,Oak Ave,01/02,1",
            ],
        );
        assert_eq!(det.map.describe(Role::Address, &h), None);
        assert_eq!(det.map.describe(Role::Dob, &h), None);
        assert_eq!(
            det.notices
                .iter()
                .filter(|n| matches!(n, Notice::Rejected { .. }))
                .count(),
            2
        );
        let (h, det) = detect_plain(
            "First Name,Last Name,Street,Birthday,Zip",
            &[
                "a,b,1 Main St,1980-07-04,1",
                "a,b,2 Elm,,1",
                "a,b,PO Box 3,1990,1",
            ],
        );
        assert_eq!(det.map.describe(Role::Address, &h), s("Street"));
        assert_eq!(det.map.describe(Role::Dob, &h), s("Birthday"));
    }

    #[test]
    fn an_age_is_not_a_birth_year() {
        let (_, det) = detect_plain("FirstName,LastName,Zip5,Age", &[]);
        assert_eq!(det.map.get(Role::Dob), None);
        assert_eq!(
            det.notices,
            vec![Notice::AgeNotUsed {
                column: "Age".into()
            }]
        );
    }

    #[test]
    fn overrides_win_join_and_unknown_override_is_an_error() {
        let h = headers("email,alt_email,zip,area,num");
        let o = Overrides {
            by_role: vec![
                (Role::Email, "alt_email".into()),
                (Role::Phone, "area, num".into()),
            ],
        };
        let det = detect(&h, &[], &o, None).unwrap();
        assert_eq!(det.map.get(Role::Email), Some(&Source::Column(1)));
        assert_eq!(det.map.get(Role::Phone), Some(&Source::Joined(vec![3, 4])));
        let o = Overrides {
            by_role: vec![(Role::Phone, "mobile_nr".into())],
        };
        let err = detect(&h, &[], &o, None).unwrap_err();
        assert!(
            err.contains("--phone-col") && err.contains("mobile_nr"),
            "{err}"
        );
    }

    #[test]
    fn identifier_presence() {
        let (_, det) = detect_plain("first_name,last_name,zip", &[]);
        assert!(det.map.has_identifier());
        // Spec 2 kinds: three quasi-identifiers, one a name or the date of birth.
        let (_, det) = detect_plain("first_name,last_name,city", &[]);
        assert!(det.map.has_identifier());
        for too_little in ["first_name,city", "last_name,zip", "city,zip", "dob,zip"] {
            let (_, det) = detect_plain(too_little, &[]);
            assert!(!det.map.has_identifier(), "{too_little}");
        }
        let (_, det) = detect_plain("city,zip,address", &[]);
        assert!(!det.map.has_identifier(), "no name and no date of birth");
    }
}
