//! Real export layouts, read with no column flags.
//!
//! For every layout in `shared/research/export-layouts.md` (and the CRM exports the binary
//! already read), a fixture is written with the layout's exact column names, realistic filler
//! columns (ids, districts, dates) and the layout's quirks: encoding, delimiter, quoting, line
//! endings, padding, Excel guards, split street and phone columns, one-line addresses, and
//! mailing/billing addresses next to the residential one (always with a different house number
//! and zip, so using them changes the tokens). The binary hashes the fixture with no column
//! flags (headerless files: `--layout NAME`); `tests/independent/spec_v1.py` hashes a plain
//! CSV of the right columns; the token rows must be equal.
//!
//! The right columns (the "roles" below) come from the research table: residential columns
//! only; split parts joined with one space (trimmed, empty parts skipped); cells trimmed, NUL
//! padding removed, NationBuilder's Excel guard `'` removed; an age column or a month/day
//! birthday is not a birth date.
//!
//! The people are synthetic and deterministic. Texas (fixed width) is not here: the research
//! gives no field positions for it and none could be confirmed.

use unicode_normalization::UnicodeNormalization;

use crate::independent::independent_rows;
use crate::workdir::{Hashed, Workdir};

/// People per fixture.
const PEOPLE: usize = 48;

// ---------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------

const FIRSTS: &[&str] = &[
    "José",
    "Zoë",
    "Mary Ann",
    "Anne-Marie",
    "D'Andre",
    "Łukasz",
    "Siobhán",
    "Renée",
    "Jean-Luc",
    "Aaliyah",
    "Chloé",
    "Dmitri",
    "Eoin",
    "Fatima",
    "Björn",
    "María José",
    "Kwame",
    "Ngozi",
    "Thảo",
    "Søren",
    "Ana",
    "Mei",
    "Gráinne",
    "Oluwaseun",
    "Zuzana",
    "Ewa",
    "Pádraig",
    "LaToya",
    "Ahmad",
];

const LASTS: &[&str] = &[
    "O'Brien-Smith",
    "García",
    "Müller",
    "Nguyễn",
    "St. Claire",
    "van der Berg",
    "D'Angelo",
    "Ó Súilleabháin",
    "Okonkwo",
    "Kowalczyk",
    "Lefèvre",
    "Ibáñez",
    "Røed",
    "MacDonald",
    "Al-Hassan",
    "Núñez",
    "Papadopoulos",
    "Chen",
    "Smith-Jones",
    "Dubois",
    "Łęcka",
    "Abernathy",
    "Yılmaz",
    "Schröder",
    "Nakamura",
    "Fitzgerald",
    "Hernández",
    "Béland",
    "Ng",
    "Washington",
    "King",
];

const MIDDLES: &[&str] = &["", "Marie", "J.", "", "Lee", "", "Ann", "", "Q", "Élise"];

/// City, state, zip, county.
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Cambridge", "MA", "02139", "Middlesex"),
    ("Raleigh", "NC", "27601", "Wake"),
    ("Columbus", "OH", "43215", "Franklin"),
    ("Seattle", "WA", "98101", "King"),
    ("Denver", "CO", "80202", "Denver"),
    ("Atlanta", "GA", "30303", "Fulton"),
    ("Burlington", "VT", "05401", "Chittenden"),
    ("Tallahassee", "FL", "32301", "Leon"),
    ("Detroit", "MI", "48226", "Wayne"),
    ("Philadelphia", "PA", "19103", "Philadelphia"),
    ("Holtsville", "NY", "00501", "Suffolk"),
    ("Hoboken", "NJ", "07030", "Hudson"),
    ("Lansing", "MI", "48933", "Ingham"),
];

const AREAS: &[&str] = &[
    "617", "919", "614", "206", "303", "404", "802", "850", "313", "215", "415", "212",
];
const EXCHANGES: &[&str] = &["555", "867", "234", "472", "390", "728"];
const STREETS: &[&str] = &[
    "Main",
    "Elm",
    "Oak",
    "Martin Luther King Jr",
    "Peachtree",
    "Chestnut",
    "Lake Shore",
    "Broad",
    "Cedar",
    "Église",
];
const STREET_TYPES: &[&str] = &["St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Ct"];
const DIRECTIONS: &[&str] = &["", "N", "", "S", "E", "", "W", ""];

struct Phone {
    area: &'static str,
    exchange: &'static str,
    line: String,
}

struct Mail {
    /// The whole first line: "5012 Harbor Rd" or "PO Box 5012".
    line: String,
    house: String,
    street: String,
    city: &'static str,
    state: &'static str,
    zip: &'static str,
}

struct Person {
    i: usize,
    first: String,
    middle: &'static str,
    last: &'static str,
    suffix: &'static str,
    email: String,
    email_alt: String,
    email_old: String,
    phone: Option<Phone>,
    phone_other: Option<Phone>,
    /// An international number, written instead of the US one by formats that allow it.
    intl: Option<String>,
    house: String,
    frac: &'static str,
    dir: &'static str,
    street: &'static str,
    street_type: &'static str,
    unit: String,
    po_box: bool,
    place: usize,
    zip: String,
    zip4: String,
    dob: Option<(u32, u32, u32)>,
    age: u32,
    mail: Option<Mail>,
}

/// ASCII letters of a name, for email addresses.
fn ascii_letters(s: &str) -> String {
    s.nfkd().filter(|c| c.is_ascii_alphabetic()).collect()
}

fn people(n: usize) -> Vec<Person> {
    (0..n).map(person).collect()
}

fn person(i: usize) -> Person {
    let first = if i % 23 == 7 {
        String::new()
    } else {
        FIRSTS[i % FIRSTS.len()].to_string()
    };
    let last = LASTS[(i * 7 + 3) % LASTS.len()];
    let suffix = if i % 9 == 4 {
        "Jr."
    } else if i % 13 == 6 {
        "III"
    } else {
        ""
    };
    let f = ascii_letters(FIRSTS[i % FIRSTS.len()]);
    let l = ascii_letters(last);
    let email = match i % 7 {
        0 => format!("{f}.{l}+news@gmail.com"),
        1 => format!("{}{}{i}@example.org", f.to_lowercase(), l.to_lowercase()),
        2 => format!("  {}.{}@GMail.Com ", f.to_uppercase(), l.to_uppercase()),
        3 => String::new(),
        4 => format!("{f}_{l}@union-local{}.org", i % 5 + 1),
        5 => format!("{f}.{l}@Example.NET"),
        _ => format!("{}{i}@gmail.com", f.to_lowercase()),
    };
    let (email_alt, email_old) = if email.is_empty() {
        (String::new(), String::new())
    } else {
        let old = if i % 4 == 0 {
            format!("old{i}.{}@example.net", f.to_lowercase())
        } else {
            email.clone()
        };
        (format!("{f}.{l}@work-example.com"), old)
    };
    let line = format!("{:04}", 1000 + (i * 37) % 9000);
    let phone = (i % 7 != 3).then(|| Phone {
        area: AREAS[i % AREAS.len()],
        exchange: EXCHANGES[i % EXCHANGES.len()],
        line: line.clone(),
    });
    let phone_other = (i % 7 != 3).then(|| Phone {
        area: AREAS[(i + 5) % AREAS.len()],
        exchange: EXCHANGES[(i + 1) % EXCHANGES.len()],
        line: format!("{:04}", 2000 + (i * 53) % 7000),
    });
    let intl = (i % 11 == 5).then(|| format!("+4420794609{:02}", i % 100));
    let house = if i % 17 == 9 {
        String::new()
    } else {
        format!("{}", 10 + (i * 137) % 9000)
    };
    let place = i % PLACES.len();
    let zip = if i % 15 == 8 {
        String::new()
    } else {
        PLACES[place].2.to_string()
    };
    let dob = (i % 8 != 5).then(|| {
        (
            1935 + (i as u32 * 7) % 70,
            1 + (i as u32 * 5) % 12,
            1 + (i as u32 * 11) % 28,
        )
    });
    let age = match dob {
        Some((y, _, _)) => 2025 - y,
        None => 30 + i as u32 % 40,
    };
    let mail = (i % 3 != 2).then(|| {
        let house = format!("{}", 5000 + (i * 91) % 4000);
        let other = PLACES[(place + 3) % PLACES.len()];
        if i % 6 == 0 {
            Mail {
                line: format!("PO Box {house}"),
                house: String::new(),
                street: String::new(),
                city: other.0,
                state: other.1,
                zip: other.2,
            }
        } else {
            let street = format!("Harbor {}", STREET_TYPES[(i + 3) % STREET_TYPES.len()]);
            Mail {
                line: format!("{house} {street}"),
                house,
                street,
                city: other.0,
                state: other.1,
                zip: other.2,
            }
        }
    });
    Person {
        i,
        first,
        middle: MIDDLES[i % MIDDLES.len()],
        last,
        suffix,
        email,
        email_alt,
        email_old,
        phone,
        phone_other,
        intl,
        house,
        frac: if i % 10 == 3 { "1/2" } else { "" },
        dir: DIRECTIONS[i % DIRECTIONS.len()],
        street: STREETS[(i * 3) % STREETS.len()],
        street_type: STREET_TYPES[i % STREET_TYPES.len()],
        unit: if i % 5 == 1 {
            format!("{}B", i % 20 + 1)
        } else {
            String::new()
        },
        po_box: i % 19 == 11,
        place,
        zip,
        zip4: format!("{:04}", (i * 53) % 9998 + 1),
        dob,
        age,
        mail,
    }
}

// ---------------------------------------------------------------------------------------
// Cell values
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum PhoneFmt {
    Digits,
    Dashes,
    Parens,
    Dots,
    E164,
    /// A different format per person (CRM data typed in by hand).
    Mixed,
    /// Mixed, and international numbers written as E.164 digits.
    MixedIntl,
}

#[derive(Clone, Copy, Debug)]
enum ZipFmt {
    Five,
    /// Five digits, or zip+4 with a dash.
    Plus4,
    /// Five digits, or nine digits with no dash.
    FiveOr9,
    /// Five, leading zeros lost, zip+4, nine digits.
    Mixed,
    /// Five, or a spreadsheet number: leading zeros lost and a trailing ".0".
    Float,
}

#[derive(Clone, Copy, Debug)]
enum DateFmt {
    /// 1985-07-04
    Iso,
    /// 07/04/1985
    Us,
    /// 7/4/1985
    UsShort,
    /// 19850704
    Compact,
    /// 07041985
    MdyCompact,
}

/// What a column holds, for one person (row `r` of the file).
#[derive(Clone, Copy, Debug)]
enum V {
    Blank,
    Lit(&'static str),
    /// One of these, varying by row.
    Cycle(&'static [&'static str]),
    /// 1..=n, varying by row (districts, county numbers).
    Num(usize),
    Id,
    IdPadded,
    Hex,
    /// A Salesforce record id with this key prefix.
    SfId(&'static str),
    Created,
    RegDate(DateFmt),
    First,
    Middle,
    Last,
    /// The last name with the suffix appended ("King Jr."), as CRMs store it.
    LastSfx,
    Suffix,
    /// "LAST, FIRST MIDDLE"
    FullName,
    Email,
    EmailSame,
    /// Another address of the same person (work), empty when there is no email.
    EmailAlt,
    /// The address at signup: sometimes older, empty when there is no email.
    EmailOld,
    Phone(PhoneFmt),
    /// The same number as `Phone`.
    PhoneSame(PhoneFmt),
    /// A different number, empty when the person has no phone.
    PhoneOther(PhoneFmt),
    AreaCode,
    Phone7,
    /// "123 1/2 N Main St" (or "PO Box 77")
    Street,
    /// Street plus " Apt 4B"
    StreetUnit,
    /// Street plus a second line "Apt 4B"
    StreetLines,
    /// Parts separated by two spaces, as some voter files write them
    StreetSpaced,
    Addr2,
    HouseNum,
    HouseFrac,
    StreetDir,
    StreetName,
    StreetType,
    /// "N Main"
    StreetDirName,
    /// "N Main St"
    StreetFull,
    UnitType,
    Unit,
    City,
    State,
    County,
    Zip(ZipFmt),
    Zip4,
    Dob(DateFmt),
    BirthYear,
    Age,
    /// Month/day only ("07/04"), as Mailchimp's Birthday.
    Birthday,
    MailLine,
    MailHouse,
    MailStreet,
    MailCity,
    MailState,
    MailZip,
    MailCityStateZip,
    /// Mailchimp's Address: "addr1  addr2  city  state  zip  country".
    OneLine,
}

impl V {
    fn is_email(self) -> bool {
        matches!(self, V::Email | V::EmailSame | V::EmailAlt | V::EmailOld)
    }
}

fn phone_text(fmt: PhoneFmt, p: &Phone, i: usize, intl: Option<&String>) -> String {
    let (a, e, l) = (p.area, p.exchange, &p.line);
    match fmt {
        PhoneFmt::Digits => format!("{a}{e}{l}"),
        PhoneFmt::Dashes => format!("{a}-{e}-{l}"),
        PhoneFmt::Parens => format!("({a}) {e}-{l}"),
        PhoneFmt::Dots => format!("{a}.{e}.{l}"),
        PhoneFmt::E164 => format!("+1{a}{e}{l}"),
        PhoneFmt::MixedIntl if intl.is_some() => intl.unwrap().clone(),
        PhoneFmt::Mixed | PhoneFmt::MixedIntl => match i % 9 {
            0 => format!("({a}) {e}-{l}"),
            1 => format!("{a}-{e}-{l}"),
            2 => format!("{a}.{e}.{l}"),
            3 => format!("{a}{e}{l}"),
            4 => format!("+1 {a}-{e}-{l}"),
            5 => format!("1 ({a}) {e}-{l}"),
            6 => format!("{a}-{e}-{l} ext. {}", i % 90 + 10),
            7 => format!("{a} {e} {l}"),
            _ => format!("1-{a}-{e}-{l} x{}", i % 9 + 1),
        },
    }
}

fn date_text(fmt: DateFmt, (y, m, d): (u32, u32, u32)) -> String {
    match fmt {
        DateFmt::Iso => format!("{y}-{m:02}-{d:02}"),
        DateFmt::Us => format!("{m:02}/{d:02}/{y}"),
        DateFmt::UsShort => format!("{m}/{d}/{y}"),
        DateFmt::Compact => format!("{y}{m:02}{d:02}"),
        DateFmt::MdyCompact => format!("{m:02}{d:02}{y}"),
    }
}

fn zip_text(fmt: ZipFmt, p: &Person) -> String {
    let (zip, zip4) = (&p.zip, &p.zip4);
    if zip.is_empty() {
        return String::new();
    }
    let lost = zip.trim_start_matches('0').to_string();
    match fmt {
        ZipFmt::Five => zip.clone(),
        ZipFmt::Plus4 if p.i % 3 == 0 => format!("{zip}-{zip4}"),
        ZipFmt::FiveOr9 if p.i % 3 == 0 => format!("{zip}{zip4}"),
        ZipFmt::Plus4 | ZipFmt::FiveOr9 => zip.clone(),
        ZipFmt::Mixed => match p.i % 5 {
            1 => lost,
            2 => format!("{zip}-{zip4}"),
            3 => format!("{zip}{zip4}"),
            _ => zip.clone(),
        },
        ZipFmt::Float if p.i % 3 == 0 => format!("{lost}.0"),
        ZipFmt::Float => zip.clone(),
    }
}

fn join_nonempty(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(sep)
}

fn street_line(p: &Person, sep: &str) -> String {
    if p.house.is_empty() {
        return String::new();
    }
    if p.po_box {
        return format!("PO Box {}", p.house);
    }
    join_nonempty(&[&p.house, p.frac, p.dir, p.street, p.street_type], sep)
}

fn unit_text(p: &Person) -> String {
    if p.house.is_empty() || p.unit.is_empty() {
        String::new()
    } else {
        format!("Apt {}", p.unit)
    }
}

/// The cell of column kind `v` for person `p` in file row `r`.
fn value(v: V, p: &Person, r: usize) -> String {
    let has_street = !p.house.is_empty();
    let part = |s: &str| {
        if has_street {
            s.to_string()
        } else {
            String::new()
        }
    };
    let place = PLACES[p.place];
    let mail = p.mail.as_ref();
    match v {
        V::Blank => String::new(),
        V::Lit(s) => s.to_string(),
        V::Cycle(options) => options[r % options.len()].to_string(),
        V::Num(n) => format!("{}", 1 + (r * 7 + n / 3) % n),
        V::Id => format!("{}", 100_000 + r * 37),
        V::IdPadded => format!("{:09}", 4_000_000 + r * 37),
        V::SfId(prefix) => format!("{prefix}5g00000{:08X}", 0x2F00 + r * 13),
        V::Hex => format!("{:08x}-5c1d-4e2a-9b7f-{:012x}", 0x1a2b_0000 + r, r * 977),
        V::Created => format!(
            "2023-{:02}-{:02} {:02}:{:02}:00",
            1 + r % 12,
            1 + r % 28,
            8 + r % 12,
            (r * 7) % 60
        ),
        V::RegDate(fmt) => date_text(fmt, (2000 + (r % 24) as u32, 1 + (r % 12) as u32, 10)),
        V::First => p.first.clone(),
        V::Middle => p.middle.to_string(),
        V::Last => p.last.to_string(),
        V::LastSfx => join_nonempty(&[p.last, p.suffix], " "),
        V::Suffix => p.suffix.trim_end_matches('.').to_string(),
        V::FullName => format!("{}, {} {}", p.last, p.first, p.middle)
            .trim()
            .to_string(),
        V::Email | V::EmailSame => p.email.clone(),
        V::EmailAlt => p.email_alt.clone(),
        V::EmailOld => p.email_old.clone(),
        V::Phone(fmt) | V::PhoneSame(fmt) => p
            .phone
            .as_ref()
            .map(|ph| phone_text(fmt, ph, p.i, p.intl.as_ref()))
            .unwrap_or_default(),
        V::PhoneOther(fmt) => p
            .phone_other
            .as_ref()
            .map(|ph| phone_text(fmt, ph, p.i + 1, None))
            .unwrap_or_default(),
        V::AreaCode => p
            .phone
            .as_ref()
            .map(|ph| ph.area.to_string())
            .unwrap_or_default(),
        V::Phone7 => p
            .phone
            .as_ref()
            .map(|ph| format!("{}{}", ph.exchange, ph.line))
            .unwrap_or_default(),
        V::Street => street_line(p, " "),
        V::StreetSpaced => street_line(p, "  "),
        V::StreetUnit => join_nonempty(&[&street_line(p, " "), &unit_text(p)], " "),
        V::StreetLines => join_nonempty(&[&street_line(p, " "), &unit_text(p)], "\n"),
        V::Addr2 => unit_text(p),
        V::HouseNum => p.house.clone(),
        V::HouseFrac => part(p.frac),
        V::StreetDir => part(p.dir),
        V::StreetName => part(p.street),
        V::StreetType => part(p.street_type),
        V::StreetDirName => part(&join_nonempty(&[p.dir, p.street], " ")),
        V::StreetFull => part(&join_nonempty(&[p.dir, p.street, p.street_type], " ")),
        V::UnitType => part(if p.unit.is_empty() { "" } else { "APT" }),
        V::Unit => part(&p.unit),
        V::City => place.0.to_string(),
        V::State => place.1.to_string(),
        V::County => place.3.to_string(),
        V::Zip(fmt) => zip_text(fmt, p),
        V::Zip4 => {
            if p.zip.is_empty() {
                String::new()
            } else {
                p.zip4.clone()
            }
        }
        V::Dob(fmt) => p.dob.map(|d| date_text(fmt, d)).unwrap_or_default(),
        V::BirthYear => p.dob.map(|(y, _, _)| y.to_string()).unwrap_or_default(),
        V::Age => p.age.to_string(),
        V::Birthday => p
            .dob
            .map(|(_, m, d)| format!("{m:02}/{d:02}"))
            .unwrap_or_default(),
        V::MailLine => mail.map(|m| m.line.clone()).unwrap_or_default(),
        V::MailHouse => mail.map(|m| m.house.clone()).unwrap_or_default(),
        V::MailStreet => mail.map(|m| m.street.clone()).unwrap_or_default(),
        V::MailCity => mail.map(|m| m.city.to_string()).unwrap_or_default(),
        V::MailState => mail.map(|m| m.state.to_string()).unwrap_or_default(),
        V::MailZip => mail.map(|m| m.zip.to_string()).unwrap_or_default(),
        V::MailCityStateZip => mail
            .map(|m| format!("{} {} {}", m.city, m.state, m.zip))
            .unwrap_or_default(),
        V::OneLine => {
            let addr1 = street_line(p, " ");
            if addr1.is_empty() {
                String::new()
            } else {
                [
                    addr1.as_str(),
                    &unit_text(p),
                    place.0,
                    place.1,
                    &p.zip,
                    "US",
                ]
                .join("  ")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// Where a plain field comes from.
#[derive(Clone, Copy, Debug)]
enum Pick {
    No,
    Col(&'static str),
    /// Trimmed non-empty parts joined with one space.
    Join(&'static [&'static str]),
    /// Part k of a one-line address whose parts are separated by two spaces.
    Part(&'static str, usize),
}
use Pick::{Col, Join, No, Part};

#[derive(Clone, Copy, Debug)]
struct Roles {
    email: Pick,
    phone: Pick,
    first: Pick,
    last: Pick,
    zip: Pick,
    address: Pick,
    dob: Pick,
}

#[derive(Clone)]
struct Layout {
    name: &'static str,
    /// Set for a derived variant (e.g. "mailing columns first").
    variant: &'static str,
    file: &'static str,
    /// Extra arguments (headerless layouts: `--layout NAME`).
    args: &'static [&'static str],
    delimiter: u8,
    quote_all: bool,
    crlf: bool,
    enc: Enc,
    header: bool,
    /// Fixed width: one width per column (no delimiter, no header).
    widths: Vec<usize>,
    upper: bool,
    ascii: bool,
    excel_guard: bool,
    /// Values space-padded to fixed widths, NUL bytes ending some cells (NC snapshot).
    padded: bool,
    /// Some people appear twice (one row per contribution).
    repeat: bool,
    cols: Vec<(String, V)>,
    roles: Roles,
    /// Mailing/billing/other-address columns (moved to the front in a second run).
    mailing: &'static [&'static str],
}

impl Layout {
    fn label(&self) -> String {
        if self.variant.is_empty() {
            self.name.to_string()
        } else {
            format!("{} ({})", self.name, self.variant)
        }
    }
}

fn cols(list: &[(&str, V)]) -> Vec<(String, V)> {
    list.iter().map(|(n, v)| (n.to_string(), *v)).collect()
}

/// A UTF-8, comma-delimited, LF, minimally quoted export with a header.
fn csv_layout(name: &'static str, file: &'static str, list: &[(&str, V)], roles: Roles) -> Layout {
    Layout {
        name,
        variant: "",
        file,
        args: &[],
        delimiter: b',',
        quote_all: false,
        crlf: false,
        enc: Enc::Utf8,
        header: true,
        widths: vec![],
        upper: false,
        ascii: false,
        excel_guard: false,
        padded: false,
        repeat: false,
        cols: cols(list),
        roles,
        mailing: &[],
    }
}

const PARTY: &[&str] = &["DEM", "REP", "UNA", "LIB", "GRE"];
const GENDER: &[&str] = &["F", "M", "U", "F", "M"];
const PRECINCT: &[&str] = &["0012", "0107", "2-14", "W3P2", "0420"];
const YES_NO: &[&str] = &["Y", "N", "N"];

fn layouts() -> Vec<Layout> {
    use V::*;
    let mut all = vec![
        // -- Exports the binary already read ------------------------------------------
        csv_layout(
            "actionkit",
            "actionkit_users.csv",
            &[
                ("id", Id),
                ("email", Email),
                ("prefix", Blank),
                ("first_name", First),
                ("middle_name", Middle),
                ("last_name", LastSfx),
                ("suffix", Blank),
                ("address1", Street),
                ("address2", Addr2),
                ("city", City),
                ("state", State),
                ("zip", Zip(ZipFmt::Mixed)),
                ("plus4", Zip4),
                ("country", Lit("United States")),
                ("phone", Phone(PhoneFmt::Mixed)),
                ("created_at", Created),
                ("source", Cycle(&["website", "import", "petition_2023"])),
            ],
            Roles {
                email: Col("email"),
                phone: Col("phone"),
                first: Col("first_name"),
                last: Col("last_name"),
                zip: Col("zip"),
                address: Col("address1"),
                dob: No,
            },
        ),
        csv_layout(
            "action-network",
            "action_network_activists.csv",
            &[
                ("uuid", Hex),
                ("first_name", First),
                ("last_name", LastSfx),
                ("email", Email),
                ("zip_code", Zip(ZipFmt::Mixed)),
                ("can2_phone", Phone(PhoneFmt::Mixed)),
                ("can2_user_address", Street),
                ("can2_user_city", City),
                ("can2_state_abbreviated", State),
                ("can2_county", County),
                (
                    "can2_subscription_status",
                    Cycle(&["subscribed", "unsubscribed"]),
                ),
                ("created_at", Created),
            ],
            Roles {
                email: Col("email"),
                phone: Col("can2_phone"),
                first: Col("first_name"),
                last: Col("last_name"),
                zip: Col("zip_code"),
                address: Col("can2_user_address"),
                dob: No,
            },
        ),
        Layout {
            quote_all: true,
            crlf: true,
            enc: Enc::Utf8Bom,
            ..csv_layout(
                "salsa",
                "salsa_supporters.csv",
                &[
                    ("Supporter ID", Id),
                    ("Email Address", Email),
                    ("First Name", First),
                    ("Last Name", LastSfx),
                    ("Street Address", StreetLines),
                    ("City", City),
                    ("State", State),
                    ("Zip/Postal Code", Zip(ZipFmt::Float)),
                    ("Cell Phone", Phone(PhoneFmt::Mixed)),
                    ("Date Created", Created),
                ],
                Roles {
                    email: Col("Email Address"),
                    phone: Col("Cell Phone"),
                    first: Col("First Name"),
                    last: Col("Last Name"),
                    zip: Col("Zip/Postal Code"),
                    address: Col("Street Address"),
                    dob: No,
                },
            )
        },
        Layout {
            delimiter: b'\t',
            quote_all: true,
            crlf: true,
            upper: true,
            mailing: &[
                "mail_addr1",
                "mail_addr2",
                "mail_city",
                "mail_state",
                "mail_zipcode",
            ],
            ..csv_layout(
                "ncvoter",
                "ncvoter_Statewide.txt",
                &[
                    ("county_id", Num(100)),
                    ("county_desc", County),
                    ("voter_reg_num", IdPadded),
                    (
                        "ncid",
                        Cycle(&["AA104233", "BN55012", "EH881203", "CW30017"]),
                    ),
                    ("last_name", Last),
                    ("first_name", First),
                    ("middle_name", Middle),
                    ("name_suffix_lbl", Suffix),
                    ("status_cd", Lit("A")),
                    ("voter_status_desc", Lit("ACTIVE")),
                    ("reason_cd", Lit("AV")),
                    ("voter_status_reason_desc", Lit("VERIFIED")),
                    ("res_street_address", StreetSpaced),
                    ("res_city_desc", City),
                    ("state_cd", State),
                    ("zip_code", Zip(ZipFmt::Five)),
                    ("mail_addr1", MailLine),
                    ("mail_addr2", Blank),
                    ("mail_addr3", Blank),
                    ("mail_addr4", Blank),
                    ("mail_city", MailCity),
                    ("mail_state", MailState),
                    ("mail_zipcode", MailZip),
                    ("full_phone_number", Phone(PhoneFmt::Digits)),
                    ("confidential_ind", Lit("N")),
                    ("registr_dt", RegDate(DateFmt::Us)),
                    ("race_code", Cycle(&["W", "B", "A", "U"])),
                    ("ethnic_code", Cycle(&["NL", "HL", "UN"])),
                    ("party_cd", Cycle(PARTY)),
                    ("gender_code", Cycle(GENDER)),
                    ("birth_year", BirthYear),
                    ("age_at_year_end", Age),
                    ("birth_state", Cycle(&["NC", "VA", "", "NY"])),
                    ("drivers_lic", Cycle(YES_NO)),
                    ("precinct_abbrv", Cycle(PRECINCT)),
                    ("precinct_desc", Cycle(&["PRECINCT 12", "EAST 07"])),
                    ("municipality_abbrv", Cycle(&["RAL", ""])),
                    ("municipality_desc", Cycle(&["RALEIGH", ""])),
                    ("ward_abbrv", Blank),
                    ("ward_desc", Blank),
                    ("cong_dist_abbrv", Num(14)),
                    ("super_court_abbrv", Num(40)),
                    ("judic_dist_abbrv", Num(40)),
                    ("nc_senate_abbrv", Num(50)),
                    ("nc_house_abbrv", Num(120)),
                    ("county_commiss_abbrv", Num(7)),
                    ("county_commiss_desc", Blank),
                    ("township_abbrv", Blank),
                    ("township_desc", Blank),
                    ("school_dist_abbrv", Num(9)),
                    ("school_dist_desc", Blank),
                    ("fire_dist_abbrv", Blank),
                    ("fire_dist_desc", Blank),
                    ("vtd_abbrv", Cycle(PRECINCT)),
                    ("vtd_desc", Cycle(PRECINCT)),
                ],
                Roles {
                    email: No,
                    phone: Col("full_phone_number"),
                    first: Col("first_name"),
                    last: Col("last_name"),
                    zip: Col("zip_code"),
                    address: Col("res_street_address"),
                    dob: Col("birth_year"),
                },
            )
        },
        // -- Organizing tools ------------------------------------------------------
        Layout {
            excel_guard: true,
            mailing: &[
                "billing_address1",
                "billing_address2",
                "billing_city",
                "billing_state",
                "billing_zip",
                "mailing_address1",
                "mailing_city",
                "mailing_state",
                "mailing_zip",
                "user_submitted_address1",
                "user_submitted_city",
                "user_submitted_zip",
            ],
            ..csv_layout(
                "nationbuilder",
                "nationbuilder-people-export-2024-03-01.csv",
                &[
                    ("nationbuilder_id", Id),
                    ("first_name", First),
                    ("middle_name", Middle),
                    ("last_name", LastSfx),
                    ("email", Email),
                    ("email1", EmailSame),
                    ("email2", EmailAlt),
                    ("email_opt_in", Cycle(&["true", "false"])),
                    ("phone_number", Phone(PhoneFmt::MixedIntl)),
                    ("mobile_number", PhoneOther(PhoneFmt::Digits)),
                    ("born_at", Dob(DateFmt::UsShort)),
                    ("address_address1", Street),
                    ("address_city", City),
                    ("address_zip", Zip(ZipFmt::Plus4)),
                    ("billing_address1", MailLine),
                    ("billing_address2", Blank),
                    ("billing_city", MailCity),
                    ("billing_state", MailState),
                    ("billing_zip", MailZip),
                    ("mailing_address1", MailLine),
                    ("mailing_city", MailCity),
                    ("mailing_state", MailState),
                    ("mailing_zip", MailZip),
                    ("primary_address1", Street),
                    ("primary_address2", Addr2),
                    ("primary_city", City),
                    ("primary_state", State),
                    ("primary_zip", Zip(ZipFmt::Plus4)),
                    ("primary_country_code", Lit("US")),
                    ("user_submitted_address1", MailLine),
                    ("user_submitted_city", MailCity),
                    ("user_submitted_zip", MailZip),
                    ("tag_list", Cycle(&["volunteer, member", "donor", ""])),
                    ("created_at", Created),
                ],
                Roles {
                    email: Col("email"),
                    phone: Col("phone_number"),
                    first: Col("first_name"),
                    last: Col("last_name"),
                    zip: Col("primary_zip"),
                    address: Col("primary_address1"),
                    dob: Col("born_at"),
                },
            )
        },
        Layout {
            crlf: true,
            ..csv_layout(
                "mailchimp",
                "subscribed_members_export_7f3a2c.csv",
                &[
                    ("Email Address", Email),
                    ("First Name", First),
                    ("Last Name", LastSfx),
                    ("Address", OneLine),
                    ("Phone Number", Phone(PhoneFmt::Mixed)),
                    ("Birthday", Birthday),
                    ("MEMBER_RATING", Cycle(&["2", "3", "4", "5"])),
                    ("OPTIN_TIME", Created),
                    ("OPTIN_IP", Blank),
                    ("CONFIRM_TIME", Created),
                    ("CONFIRM_IP", Blank),
                    ("LATITUDE", Blank),
                    ("LONGITUDE", Blank),
                    ("GMTOFF", Blank),
                    ("DSTOFF", Blank),
                    ("TIMEZONE", Blank),
                    ("CC", Lit("US")),
                    ("REGION", State),
                    ("LAST_CHANGED", Created),
                    ("LEID", Id),
                    ("EUID", Hex),
                    ("NOTES", Blank),
                    ("TAGS", Cycle(&["\"volunteer\"", ""])),
                ],
                Roles {
                    email: Col("Email Address"),
                    phone: Col("Phone Number"),
                    first: Col("First Name"),
                    last: Col("Last Name"),
                    zip: Part("Address", 4),
                    address: Part("Address", 0),
                    dob: No,
                },
            )
        },
        csv_layout(
            "mobilize",
            "mobilize_participations.csv",
            &[
                ("id", Id),
                ("user_id", IdPadded),
                ("user__given_name", First),
                ("user__family_name", LastSfx),
                ("user__email_address", Email),
                ("email_at_signup", EmailOld),
                ("user__phone_number", Phone(PhoneFmt::Mixed)),
                ("user__postal_code", Zip(ZipFmt::Five)),
                ("event_id", Cycle(&["512345", "512399"])),
                ("timeslot_id", Cycle(&["8800121", "8800188", "8800190"])),
                ("status", Cycle(&["REGISTERED", "CANCELLED", "CONFIRMED"])),
                ("attended", Cycle(&["t", "f", ""])),
                ("created_date", Created),
                ("referrer__utm_source", Cycle(&["", "facebook", "email"])),
            ],
            Roles {
                email: Col("user__email_address"),
                phone: Col("user__phone_number"),
                first: Col("user__given_name"),
                last: Col("user__family_name"),
                zip: Col("user__postal_code"),
                address: No,
                dob: No,
            },
        ),
        Layout {
            delimiter: b'\t',
            crlf: true,
            enc: Enc::Utf16Le,
            ..csv_layout(
                "everyaction",
                "ContactsExport.txt",
                &[
                    ("VANID", Id),
                    ("First", First),
                    ("Middle", Middle),
                    ("Last", Last),
                    ("Suffix", Suffix),
                    ("Email", Email),
                    ("AddressLine1", Street),
                    ("AddressLine2", Addr2),
                    ("City", City),
                    ("State", State),
                    ("Zip/Postal", Zip(ZipFmt::Plus4)),
                    ("Phone", Phone(PhoneFmt::Mixed)),
                    ("Employer", Cycle(&["", "Acme Co-op", "City of Raleigh"])),
                    ("Occupation", Cycle(&["Nurse", "", "Teacher"])),
                    ("Date Created", Created),
                ],
                Roles {
                    email: Col("Email"),
                    phone: Col("Phone"),
                    first: Col("First"),
                    last: Col("Last"),
                    zip: Col("Zip/Postal"),
                    address: Col("AddressLine1"),
                    dob: No,
                },
            )
        },
        Layout {
            delimiter: b'\t',
            crlf: true,
            enc: Enc::Utf16Le,
            ..csv_layout(
                "van-myvoters",
                "MyVoters_list_export.txt",
                &[
                    ("Voter File VANID", IdPadded),
                    ("LastName", Last),
                    ("FirstName", First),
                    ("MiddleName", Middle),
                    ("Suffix", Suffix),
                    ("StreetNo", HouseNum),
                    ("StreetNoHalf", HouseFrac),
                    ("StreetPrefix", StreetDir),
                    ("StreetName", StreetName),
                    ("StreetType", StreetType),
                    ("AptType", UnitType),
                    ("AptNo", Unit),
                    ("City", City),
                    ("State", State),
                    ("Zip5", Zip(ZipFmt::Five)),
                    ("Zip4", Zip4),
                    ("Cell Phone", Phone(PhoneFmt::Dashes)),
                    ("Home Phone", PhoneSame(PhoneFmt::Dashes)),
                    ("Preferred Phone", PhoneSame(PhoneFmt::Dashes)),
                    ("Age", Age),
                    ("Sex", Cycle(GENDER)),
                    ("Party", Cycle(&["D", "R", "U"])),
                    ("CD", Num(14)),
                    ("SD", Num(50)),
                    ("HD", Num(120)),
                    ("PrecinctName", Cycle(PRECINCT)),
                ],
                Roles {
                    email: No,
                    phone: Col("Cell Phone"),
                    first: Col("FirstName"),
                    last: Col("LastName"),
                    zip: Col("Zip5"),
                    address: Join(&["StreetNo", "StreetName", "AptNo"]),
                    dob: No,
                },
            )
        },
        Layout {
            variant: "Address column",
            delimiter: b'\t',
            enc: Enc::Utf16Le,
            ..csv_layout(
                "van-myvoters",
                "MyVoters_walk_list.txt",
                &[
                    ("Voter File VANID", IdPadded),
                    ("LastName", Last),
                    ("FirstName", First),
                    ("MiddleName", Middle),
                    ("Address", StreetUnit),
                    ("City", City),
                    ("State", State),
                    ("Zip5", Zip(ZipFmt::Five)),
                    ("Zip4", Zip4),
                    ("Preferred Phone", Phone(PhoneFmt::Parens)),
                    ("Age", Age),
                    ("CD", Num(14)),
                    ("SD", Num(50)),
                    ("HD", Num(120)),
                    ("PrecinctName", Cycle(PRECINCT)),
                ],
                Roles {
                    email: No,
                    phone: Col("Preferred Phone"),
                    first: Col("FirstName"),
                    last: Col("LastName"),
                    zip: Col("Zip5"),
                    address: Col("Address"),
                    dob: No,
                },
            )
        },
        Layout {
            repeat: true,
            ..csv_layout(
                "actblue",
                "actblue-contributions-2024.csv",
                &[
                    ("Receipt ID", Hex),
                    ("Date", Created),
                    (
                        "Amount",
                        Cycle(&["25.00", "10.00", "100.00", "5.00", "27.00"]),
                    ),
                    ("Recurring Total Months", Cycle(&["", "", "12"])),
                    ("Recurrence Number", Cycle(&["", "", "3"])),
                    ("Recipient", Lit("Friends of Example")),
                    ("Fundraising Page", Lit("Spring Drive")),
                    ("Fundraising Partner", Blank),
                    ("Reference Code 2", Blank),
                    ("Reference Code", Cycle(&["email_0315", "", "sms"])),
                    ("Donor First Name", First),
                    ("Donor Last Name", LastSfx),
                    ("Donor Addr1", Street),
                    ("Donor Addr2", Addr2),
                    ("Donor City", City),
                    ("Donor State", State),
                    ("Donor ZIP", Zip(ZipFmt::Five)),
                    ("Donor Country", Lit("United States")),
                    (
                        "Donor Occupation",
                        Cycle(&["Teacher", "Retired", "Not employed"]),
                    ),
                    (
                        "Donor Employer",
                        Cycle(&["Durham Public Schools", "None", ""]),
                    ),
                    ("Donor Email", Email),
                    ("Donor Phone", Phone(PhoneFmt::Digits)),
                    ("Payment Method", Lit("Credit Card")),
                ],
                Roles {
                    email: Col("Donor Email"),
                    phone: Col("Donor Phone"),
                    first: Col("Donor First Name"),
                    last: Col("Donor Last Name"),
                    zip: Col("Donor ZIP"),
                    address: Col("Donor Addr1"),
                    dob: No,
                },
            )
        },
        csv_layout(
            "spoke",
            "spoke-campaign-42-contacts.csv",
            &[
                ("campaignId", Lit("42")),
                ("campaign", Lit("GOTV reminders")),
                ("assignmentId", Cycle(&["311", "312", "319"])),
                ("texter[firstName]", Cycle(&["Riley", "Sam"])),
                ("texter[lastName]", Cycle(&["Okafor", "Lindqvist"])),
                ("contact[firstName]", First),
                ("contact[lastName]", LastSfx),
                ("contact[cell]", Phone(PhoneFmt::E164)),
                ("contact[zip]", Zip(ZipFmt::Mixed)),
                ("contact[city]", City),
                ("contact[state]", State),
                ("contact[optOut]", Cycle(&["false", "false", "true"])),
                (
                    "contact[messageStatus]",
                    Cycle(&["messaged", "convo", "closed"]),
                ),
                ("contact[external_id]", Id),
            ],
            Roles {
                email: No,
                phone: Col("contact[cell]"),
                first: Col("contact[firstName]"),
                last: Col("contact[lastName]"),
                zip: Col("contact[zip]"),
                address: No,
                dob: No,
            },
        ),
        Layout {
            quote_all: true,
            crlf: true,
            enc: Enc::Windows1252,
            mailing: &["OtherStreet", "OtherCity", "OtherPostalCode"],
            ..csv_layout(
                "salesforce",
                "report1711234567890.csv",
                &[
                    ("Id", SfId("003")),
                    ("AccountId", SfId("001")),
                    ("Salutation", Cycle(&["Ms.", "Mr.", "Mx.", ""])),
                    ("FirstName", First),
                    ("LastName", LastSfx),
                    ("Email", Email),
                    ("npe01__HomeEmail__c", EmailSame),
                    ("npe01__WorkEmail__c", EmailAlt),
                    ("npe01__Preferred_Email__c", Cycle(&["Personal", "Work"])),
                    ("MobilePhone", Phone(PhoneFmt::Parens)),
                    ("HomePhone", PhoneSame(PhoneFmt::Parens)),
                    ("Phone", PhoneOther(PhoneFmt::Parens)),
                    ("MailingStreet", StreetLines),
                    ("MailingCity", City),
                    ("MailingState", State),
                    ("MailingPostalCode", Zip(ZipFmt::Plus4)),
                    ("MailingCountry", Lit("United States")),
                    ("OtherStreet", MailLine),
                    ("OtherCity", MailCity),
                    ("OtherPostalCode", MailZip),
                    ("Birthdate", Dob(DateFmt::Iso)),
                    (
                        "npo02__TotalOppAmount__c",
                        Cycle(&["0.00", "250.00", "35.00"]),
                    ),
                ],
                Roles {
                    email: Col("Email"),
                    phone: Col("MobilePhone"),
                    first: Col("FirstName"),
                    last: Col("LastName"),
                    zip: Col("MailingPostalCode"),
                    address: Col("MailingStreet"),
                    dob: Col("Birthdate"),
                },
            )
        },
        csv_layout(
            "catalist",
            "catalist_match_input.csv",
            &[
                ("id", Id),
                ("first_name", First),
                ("middle_name", Middle),
                ("last_name", Last),
                ("suffix", Suffix),
                ("addr1", Street),
                ("addr2", Addr2),
                ("city", City),
                ("state", State),
                ("zip", Zip(ZipFmt::Five)),
                ("phone", Phone(PhoneFmt::Digits)),
                ("email", Email),
                ("dob", Dob(DateFmt::Iso)),
                ("dob_year", BirthYear),
                ("gender", Cycle(GENDER)),
            ],
            Roles {
                email: Col("email"),
                phone: Col("phone"),
                first: Col("first_name"),
                last: Col("last_name"),
                zip: Col("zip"),
                address: Col("addr1"),
                dob: Col("dob"),
            },
        ),
        Layout {
            variant: "results, tab-delimited with DWID",
            delimiter: b'\t',
            ..csv_layout(
                "catalist",
                "catalist_match_results.txt",
                &[
                    ("DWID", IdPadded),
                    ("id", Id),
                    ("matched", Cycle(&["Y", "Y", "N"])),
                    ("first_name", First),
                    ("middle_name", Middle),
                    ("last_name", Last),
                    ("suffix", Suffix),
                    ("addr1", Street),
                    ("addr2", Addr2),
                    ("city", City),
                    ("state", State),
                    ("zip", Zip(ZipFmt::Five)),
                    ("phone", Phone(PhoneFmt::Digits)),
                    ("email", Email),
                    ("dob", Dob(DateFmt::Iso)),
                    ("dob_year", BirthYear),
                ],
                Roles {
                    email: Col("email"),
                    phone: Col("phone"),
                    first: Col("first_name"),
                    last: Col("last_name"),
                    zip: Col("zip"),
                    address: Col("addr1"),
                    dob: Col("dob"),
                },
            )
        },
        Layout {
            crlf: true,
            enc: Enc::Utf8Bom,
            ..csv_layout(
                "targetsmart",
                "smartmatch_input.csv",
                &[
                    ("matchback_id", Id),
                    ("first_name", First),
                    ("middle_name", Middle),
                    ("last_name", LastSfx),
                    ("address1", Street),
                    ("address2", Addr2),
                    ("city", City),
                    ("state", State),
                    ("zip", Zip(ZipFmt::Five)),
                    ("phone", Phone(PhoneFmt::Dots)),
                    ("email", Email),
                    ("dob", Dob(DateFmt::Compact)),
                ],
                Roles {
                    email: Col("email"),
                    phone: Col("phone"),
                    first: Col("first_name"),
                    last: Col("last_name"),
                    zip: Col("zip"),
                    address: Col("address1"),
                    dob: Col("dob"),
                },
            )
        },
        Layout {
            crlf: true,
            ..csv_layout(
                "hustle",
                "hustle_leads_export.csv",
                &[
                    ("first_name", First),
                    ("last_name", LastSfx),
                    ("phone_number", Phone(PhoneFmt::Mixed)),
                    ("email", Email),
                    ("group", Lit("Canvass Team A")),
                    ("tags", Cycle(&["", "volunteer", "follow-up"])),
                    ("created_at", Created),
                ],
                Roles {
                    email: Col("email"),
                    phone: Col("phone_number"),
                    first: Col("first_name"),
                    last: Col("last_name"),
                    zip: No,
                    address: No,
                    dob: No,
                },
            )
        },
        // -- Voter files with a header --------------------------------------------
        Layout {
            delimiter: b'\t',
            mailing: &[
                "Mailing_Addresses_AddressLine",
                "Mailing_Addresses_ExtraAddressLine",
                "Mailing_Addresses_City",
                "Mailing_Addresses_State",
                "Mailing_Addresses_Zip",
                "Mailing_Addresses_ZipPlus4",
            ],
            ..csv_layout(
                "l2",
                "VM2--NC--2024-10-01-DEMOGRAPHIC.tab",
                &[
                    (
                        "LALVOTERID",
                        Cycle(&["LALNC1234567", "LALNC7654321", "LALNC5551212"]),
                    ),
                    ("Voters_Active", Lit("A")),
                    ("Voters_StateVoterID", IdPadded),
                    ("Voters_CountyVoterID", Id),
                    (
                        "VoterTelephones_LandlineFormatted",
                        PhoneOther(PhoneFmt::Parens),
                    ),
                    (
                        "VoterTelephones_CellPhoneFormatted",
                        Phone(PhoneFmt::Parens),
                    ),
                    ("Voters_FirstName", First),
                    ("Voters_MiddleName", Middle),
                    ("Voters_LastName", Last),
                    ("Voters_NameSuffix", Suffix),
                    ("Residence_Addresses_AddressLine", StreetUnit),
                    ("Residence_Addresses_ExtraAddressLine", Blank),
                    ("Residence_Addresses_City", City),
                    ("Residence_Addresses_State", State),
                    ("Residence_Addresses_Zip", Zip(ZipFmt::Five)),
                    ("Residence_Addresses_ZipPlus4", Zip4),
                    ("Mailing_Addresses_AddressLine", MailLine),
                    ("Mailing_Addresses_ExtraAddressLine", Blank),
                    ("Mailing_Addresses_City", MailCity),
                    ("Mailing_Addresses_State", MailState),
                    ("Mailing_Addresses_Zip", MailZip),
                    ("Mailing_Addresses_ZipPlus4", Blank),
                    ("Voters_Gender", Cycle(GENDER)),
                    ("Voters_Age", Age),
                    ("Voters_BirthDate", Dob(DateFmt::Us)),
                    (
                        "Parties_Description",
                        Cycle(&["Democratic", "Republican", "Non-Partisan"]),
                    ),
                    ("US_Congressional_District", Num(14)),
                    ("State_Senate_District", Num(50)),
                    ("State_House_District", Num(120)),
                    ("County", County),
                    ("Precinct", Cycle(PRECINCT)),
                ],
                Roles {
                    email: No,
                    phone: Col("VoterTelephones_CellPhoneFormatted"),
                    first: Col("Voters_FirstName"),
                    last: Col("Voters_LastName"),
                    zip: Col("Residence_Addresses_Zip"),
                    address: Col("Residence_Addresses_AddressLine"),
                    dob: Col("Voters_BirthDate"),
                },
            )
        },
        Layout {
            delimiter: b'\t',
            quote_all: true,
            enc: Enc::Utf8Bom,
            upper: true,
            padded: true,
            mailing: &[
                "mail_addr1",
                "mail_addr2",
                "mail_addr3",
                "mail_addr4",
                "mail_city",
                "mail_state",
                "mail_zipcode",
            ],
            ..csv_layout(
                "nc-snapshot",
                "VR_Snapshot_20241105.txt",
                &[
                    ("snapshot_dt", Lit("2024-11-05")),
                    ("county_id", Num(100)),
                    ("county_desc", County),
                    ("voter_reg_num", IdPadded),
                    ("ncid", Cycle(&["AA104233", "BN55012", "EH881203"])),
                    ("status_cd", Lit("A")),
                    ("voter_status_desc", Lit("ACTIVE")),
                    ("reason_cd", Lit("AV")),
                    ("voter_status_reason_desc", Lit("VERIFIED")),
                    ("absent_ind", Blank),
                    ("name_prefx_cd", Blank),
                    ("last_name", Last),
                    ("first_name", First),
                    ("midl_name", Middle),
                    ("name_sufx_cd", Suffix),
                    ("house_num", HouseNum),
                    ("half_code", Blank),
                    ("street_dir", StreetDir),
                    ("street_name", StreetName),
                    ("street_type_cd", StreetType),
                    ("street_sufx_cd", Blank),
                    ("unit_designator", UnitType),
                    ("unit_num", Unit),
                    ("res_city_desc", City),
                    ("state_cd", State),
                    ("zip_code", Zip(ZipFmt::Five)),
                    ("mail_addr1", MailLine),
                    ("mail_addr2", Blank),
                    ("mail_addr3", Blank),
                    ("mail_addr4", Blank),
                    ("mail_city", MailCity),
                    ("mail_state", MailState),
                    ("mail_zipcode", MailZip),
                    ("area_cd", AreaCode),
                    ("phone_num", Phone7),
                    ("race_code", Cycle(&["W", "B", "A", "U"])),
                    (
                        "race_desc",
                        Cycle(&["WHITE", "BLACK", "ASIAN", "UNDESIGNATED"]),
                    ),
                    ("ethnic_code", Cycle(&["NL", "HL", "UN"])),
                    (
                        "ethnic_desc",
                        Cycle(&["NOT HISPANIC", "HISPANIC", "UNDESIGNATED"]),
                    ),
                    ("party_cd", Cycle(PARTY)),
                    (
                        "party_desc",
                        Cycle(&["DEMOCRATIC", "REPUBLICAN", "UNAFFILIATED"]),
                    ),
                    ("sex_code", Cycle(GENDER)),
                    ("sex", Cycle(&["FEMALE", "MALE", "UNDESIGNATED"])),
                    ("age", Age),
                    ("birth_place", Cycle(&["NC", "VA", "OC"])),
                    ("registr_dt", RegDate(DateFmt::Iso)),
                    ("precinct_abbrv", Cycle(PRECINCT)),
                    ("precinct_desc", Cycle(&["PRECINCT 12", "EAST 07"])),
                    ("municipality_abbrv", Cycle(&["RAL", ""])),
                    ("municipality_desc", Cycle(&["RALEIGH", ""])),
                    ("ward_abbrv", Blank),
                    ("ward_desc", Blank),
                    ("cong_dist_abbrv", Num(14)),
                    ("super_court_abbrv", Num(40)),
                    ("judic_dist_abbrv", Num(40)),
                    ("nc_senate_abbrv", Num(50)),
                    ("nc_house_abbrv", Num(120)),
                    ("county_commiss_abbrv", Num(7)),
                    ("township_abbrv", Blank),
                    ("school_dist_abbrv", Num(9)),
                    ("fire_dist_abbrv", Blank),
                    ("vtd_abbrv", Cycle(PRECINCT)),
                    ("vtd_desc", Cycle(PRECINCT)),
                ],
                Roles {
                    email: No,
                    phone: Join(&["area_cd", "phone_num"]),
                    first: Col("first_name"),
                    last: Col("last_name"),
                    zip: Col("zip_code"),
                    address: Join(&[
                        "house_num",
                        "street_dir",
                        "street_name",
                        "street_type_cd",
                        "unit_num",
                    ]),
                    dob: No,
                },
            )
        },
        Layout {
            quote_all: true,
            upper: true,
            mailing: &[
                "MAILING_ADDRESS1",
                "MAILING_SECONDARY_ADDRESS",
                "MAILING_CITY",
                "MAILING_STATE",
                "MAILING_ZIP",
                "MAILING_ZIP_PLUS4",
                "MAILING_COUNTRY",
                "MAILING_POSTAL_CODE",
            ],
            ..csv_layout(
                "ohio",
                "SWVF_1_22.txt",
                &[
                    (
                        "SOS_VOTERID",
                        Cycle(&["OH0012345678", "OH0020304050", "OH0098765432"]),
                    ),
                    ("COUNTY_NUMBER", Num(88)),
                    ("COUNTY_ID", Id),
                    ("LAST_NAME", Last),
                    ("FIRST_NAME", First),
                    ("MIDDLE_NAME", Middle),
                    ("SUFFIX", Suffix),
                    ("DATE_OF_BIRTH", Dob(DateFmt::Iso)),
                    ("REGISTRATION_DATE", RegDate(DateFmt::Iso)),
                    ("VOTER_STATUS", Cycle(&["ACTIVE", "CONFIRMATION"])),
                    ("PARTY_AFFILIATION", Cycle(&["D", "R", "", ""])),
                    ("RESIDENTIAL_ADDRESS1", Street),
                    ("RESIDENTIAL_SECONDARY_ADDR", Addr2),
                    ("RESIDENTIAL_CITY", City),
                    ("RESIDENTIAL_STATE", State),
                    ("RESIDENTIAL_ZIP", Zip(ZipFmt::Five)),
                    ("RESIDENTIAL_ZIP_PLUS4", Zip4),
                    ("RESIDENTIAL_COUNTRY", Blank),
                    ("RESIDENTIAL_POSTALCODE", Blank),
                    ("MAILING_ADDRESS1", MailLine),
                    ("MAILING_SECONDARY_ADDRESS", Blank),
                    ("MAILING_CITY", MailCity),
                    ("MAILING_STATE", MailState),
                    ("MAILING_ZIP", MailZip),
                    ("MAILING_ZIP_PLUS4", Blank),
                    ("MAILING_COUNTRY", Blank),
                    ("MAILING_POSTAL_CODE", Blank),
                    ("CAREER_CENTER", Cycle(&["", "DELAWARE AREA CC"])),
                    ("CITY", City),
                    ("CITY_SCHOOL_DISTRICT", Cycle(&["COLUMBUS CITY SD", ""])),
                    ("COUNTY_COURT_DISTRICT", Blank),
                    ("CONGRESSIONAL_DISTRICT", Num(15)),
                    ("COURT_OF_APPEALS", Num(12)),
                    ("EDU_SERVICE_CENTER_DISTRICT", Blank),
                    ("EXEMPTED_VILL_SCHOOL_DISTRICT", Blank),
                    ("LIBRARY", Cycle(&["COLUMBUS METRO", ""])),
                    ("LOCAL_SCHOOL_DISTRICT", Blank),
                    ("MUNICIPAL_COURT_DISTRICT", Blank),
                    (
                        "PRECINCT_NAME",
                        Cycle(&["COLUMBUS 55-B", "WORTHINGTON 2-A"]),
                    ),
                    ("PRECINCT_CODE", Cycle(&["25ABC", "25AAQ"])),
                    ("STATE_BOARD_OF_EDUCATION", Num(11)),
                    ("STATE_REPRESENTATIVE_DISTRICT", Num(99)),
                    ("STATE_SENATE_DISTRICT", Num(33)),
                    ("TOWNSHIP", Blank),
                    ("VILLAGE", Blank),
                    ("WARD", Cycle(&["", "WARD 3"])),
                    ("PRIMARY-03/15/2016", Cycle(&["D", "R", "X", ""])),
                    ("GENERAL-11/08/2016", Cycle(&["X", ""])),
                ],
                Roles {
                    email: No,
                    phone: No,
                    first: Col("FIRST_NAME"),
                    last: Col("LAST_NAME"),
                    zip: Col("RESIDENTIAL_ZIP"),
                    address: Col("RESIDENTIAL_ADDRESS1"),
                    dob: Col("DATE_OF_BIRTH"),
                },
            )
        },
        Layout {
            delimiter: b'|',
            upper: true,
            mailing: &[
                "Mail1",
                "Mail2",
                "Mail3",
                "MailCity",
                "MailZip",
                "MailState",
                "MailCountry",
            ],
            ..csv_layout(
                "washington",
                "20241001_VRDB_Extract.txt",
                &[
                    (
                        "StateVoterID",
                        Cycle(&["WA001234567", "WA007654321", "WA005551212"]),
                    ),
                    ("Title", Blank),
                    ("FName", First),
                    ("MName", Middle),
                    ("LName", Last),
                    ("NameSuffix", Suffix),
                    ("Birthyear", BirthYear),
                    ("Gender", Cycle(GENDER)),
                    ("RegStNum", HouseNum),
                    ("RegStFrac", HouseFrac),
                    ("RegStName", StreetName),
                    ("RegStType", StreetType),
                    ("RegUnitType", UnitType),
                    ("RegStPreDirection", StreetDir),
                    ("RegStPostDirection", Blank),
                    ("RegUnitNum", Unit),
                    ("RegCity", City),
                    ("RegState", State),
                    ("RegZipCode", Zip(ZipFmt::Five)),
                    ("CountyCode", Cycle(&["KI", "PI", "SN", "SP"])),
                    ("PrecinctCode", Cycle(PRECINCT)),
                    ("PrecinctPart", Cycle(&["1", "2"])),
                    ("LegislativeDistrict", Num(49)),
                    ("CongressionalDistrict", Num(10)),
                    ("Mail1", MailLine),
                    ("Mail2", Blank),
                    ("Mail3", Blank),
                    ("MailCity", MailCity),
                    ("MailZip", MailZip),
                    ("MailState", MailState),
                    ("MailCountry", Blank),
                    ("Registrationdate", RegDate(DateFmt::Iso)),
                    ("LastVoted", RegDate(DateFmt::Iso)),
                    ("StatusCode", Lit("Active")),
                ],
                Roles {
                    email: No,
                    phone: No,
                    first: Col("FName"),
                    last: Col("LName"),
                    zip: Col("RegZipCode"),
                    address: Join(&["RegStNum", "RegStFrac", "RegStName", "RegStType"]),
                    dob: Col("Birthyear"),
                },
            )
        },
        Layout {
            upper: true,
            mailing: &[
                "MAIL_ADDR1",
                "MAIL_ADDR2",
                "MAIL_ADDR3",
                "MAIL_CITY",
                "MAIL_STATE",
                "MAIL_ZIP_CODE",
                "MAIL_ZIP_PLUS",
                "MAIL_COUNTRY",
            ],
            ..csv_layout(
                "colorado",
                "EX-002_Public_Voter_List_Part1.txt",
                &[
                    ("VOTER_ID", Id),
                    ("COUNTY_CODE", Num(64)),
                    ("COUNTY", County),
                    ("LAST_NAME", Last),
                    ("FIRST_NAME", First),
                    ("MIDDLE_NAME", Middle),
                    ("NAME_SUFFIX", Suffix),
                    ("VOTER_NAME", FullName),
                    ("STATUS_CODE", Lit("A")),
                    ("PRECINCT_NAME", Cycle(PRECINCT)),
                    ("ADDRESS_LIBRARY_ID", IdPadded),
                    ("HOUSE_NUM", HouseNum),
                    ("HOUSE_SUFFIX", HouseFrac),
                    ("PRE_DIR", StreetDir),
                    ("STREET_NAME", StreetName),
                    ("STREET_TYPE", StreetType),
                    ("POST_DIR", Blank),
                    ("UNIT_TYPE", UnitType),
                    ("UNIT_NUM", Unit),
                    ("ADDRESS_NON_STD", Blank),
                    ("RESIDENTIAL_ADDRESS", StreetUnit),
                    ("RESIDENTIAL_CITY", City),
                    ("RESIDENTIAL_STATE", State),
                    ("RESIDENTIAL_ZIP_CODE", Zip(ZipFmt::Five)),
                    ("RESIDENTIAL_ZIP_PLUS", Zip4),
                    ("EFFECTIVE_DATE", RegDate(DateFmt::Us)),
                    ("REGISTRATION_DATE", RegDate(DateFmt::Us)),
                    ("STATUS", Lit("Active")),
                    ("STATUS_REASON", Blank),
                    ("BIRTH_YEAR", BirthYear),
                    ("GENDER", Cycle(&["Female", "Male", "Unknown"])),
                    ("PRECINCT", Cycle(PRECINCT)),
                    ("SPLIT", Blank),
                    ("VOTER_STATUS_ID", Lit("1")),
                    ("PARTY", Cycle(&["DEM", "REP", "UAF"])),
                    ("PARTY_AFFILIATION_DATE", RegDate(DateFmt::Us)),
                    ("PHONE_NUM", Phone(PhoneFmt::Digits)),
                    ("MAIL_ADDR1", MailLine),
                    ("MAIL_ADDR2", Blank),
                    ("MAIL_ADDR3", Blank),
                    ("MAIL_CITY", MailCity),
                    ("MAIL_STATE", MailState),
                    ("MAIL_ZIP_CODE", MailZip),
                    ("MAIL_ZIP_PLUS", Blank),
                    ("MAIL_COUNTRY", Blank),
                    ("SPL_ID", Id),
                    ("PERMANENT_MAIL_IN_VOTER", Cycle(YES_NO)),
                    ("CONGRESSIONAL", Num(8)),
                    ("STATE_SENATE", Num(35)),
                    ("STATE_HOUSE", Num(65)),
                    ("ID_REQUIRED", Cycle(&["N", "N", "Y"])),
                ],
                Roles {
                    email: No,
                    phone: Col("PHONE_NUM"),
                    first: Col("FIRST_NAME"),
                    last: Col("LAST_NAME"),
                    zip: Col("RESIDENTIAL_ZIP_CODE"),
                    address: Col("RESIDENTIAL_ADDRESS"),
                    dob: Col("BIRTH_YEAR"),
                },
            )
        },
        Layout {
            crlf: true,
            enc: Enc::Utf8Bom,
            upper: true,
            mailing: &[
                "Mail_House_Nbr",
                "Mail_Street_Name",
                "Mail_Apt_Unit_Nbr",
                "Mail_City",
                "Mail_State",
                "Mail_Zipcode",
                "Mail_Country",
            ],
            ..csv_layout(
                "georgia",
                "Georgia_Daily_VoterBase.csv",
                &[
                    ("County_Code", Num(159)),
                    ("Registration_Number", IdPadded),
                    ("Voter_Status", Cycle(&["A", "A", "I"])),
                    ("Last_Name", Last),
                    ("First_Name", First),
                    ("Middle_Maiden_Name", Middle),
                    ("Name_Suffix", Suffix),
                    ("Name_Title", Blank),
                    ("Residence_House_Number", HouseNum),
                    ("Residence_Street_Name", StreetDirName),
                    ("Residence_Street_Suffix", StreetType),
                    ("Residence_Apt_Unit_Nbr", Unit),
                    ("Residence_City", City),
                    ("Residence_Zipcode", Zip(ZipFmt::Five)),
                    ("Year_of_Birth", BirthYear),
                    ("Registration_Date", RegDate(DateFmt::Compact)),
                    ("Race", Cycle(&["WH", "BH", "HP", "AP", "U"])),
                    ("Gender", Cycle(GENDER)),
                    ("County_Precinct_ID", Cycle(PRECINCT)),
                    ("City_Precinct_ID", Blank),
                    ("Congressional_District", Num(14)),
                    ("Senate_District", Num(56)),
                    ("House_District", Num(180)),
                    ("Judicial_District", Cycle(&["ATL", "COB"])),
                    ("Commission_District", Num(7)),
                    ("School_District", Num(9)),
                    ("Mail_House_Nbr", MailHouse),
                    ("Mail_Street_Name", MailStreet),
                    ("Mail_Apt_Unit_Nbr", Blank),
                    ("Mail_City", MailCity),
                    ("Mail_State", MailState),
                    ("Mail_Zipcode", MailZip),
                    ("Mail_Country", Blank),
                ],
                Roles {
                    email: No,
                    phone: No,
                    first: Col("First_Name"),
                    last: Col("Last_Name"),
                    zip: Col("Residence_Zipcode"),
                    address: Join(&[
                        "Residence_House_Number",
                        "Residence_Street_Name",
                        "Residence_Street_Suffix",
                    ]),
                    dob: Col("Year_of_Birth"),
                },
            )
        },
        Layout {
            delimiter: b'|',
            crlf: true,
            mailing: &[
                "Mailing Address Line 1",
                "Mailing Address Line 2",
                "Mailing Address City",
                "Mailing Address State",
                "Mailing Address Zip",
            ],
            ..csv_layout(
                "vermont",
                "Statewide Voter File 10.1.2024.txt",
                &[
                    ("VoterID", IdPadded),
                    ("Last Name", Last),
                    ("First Name", First),
                    ("Middle Name", Middle),
                    ("Suffix", Suffix),
                    ("Legal Address Line 1", Street),
                    ("Legal Address Line 2", Addr2),
                    ("Legal Address City", City),
                    ("Legal Address State", State),
                    ("Legal Address Zip", Zip(ZipFmt::Five)),
                    ("Mailing Address Line 1", MailLine),
                    ("Mailing Address Line 2", Blank),
                    ("Mailing Address City", MailCity),
                    ("Mailing Address State", MailState),
                    ("Mailing Address Zip", MailZip),
                    ("Year of Birth", BirthYear),
                    ("Date of Registration", RegDate(DateFmt::Us)),
                    ("Date last Voted", RegDate(DateFmt::Us)),
                    ("2020 Gen Election Participation", Cycle(&["T", "F"])),
                    ("2022 Gen Election Participation", Cycle(&["T", "T", "F"])),
                    ("Status", Cycle(&["ACTIVE", "ACTIVE", "CHALLENGED"])),
                    ("Town of Registration", City),
                    ("County", County),
                    ("Senate District", Cycle(&["CHI", "WAS", "RUT"])),
                    ("Town-Nemrc Number", Num(262)),
                    ("Voting District", Cycle(&["CHI-6-1", "WAS-4"])),
                    ("Polling Location", Lit("Town Hall")),
                    ("Police District", Blank),
                    ("Sewer District", Blank),
                    ("Garbage District", Blank),
                    ("School District", Cycle(&["Burlington", "Winooski"])),
                    ("Fire District", Blank),
                    ("Water District", Blank),
                    ("Village", Blank),
                    ("Ward", Cycle(&["", "Ward 3"])),
                ],
                Roles {
                    email: No,
                    phone: No,
                    first: Col("First Name"),
                    last: Col("Last Name"),
                    zip: Col("Legal Address Zip"),
                    address: Col("Legal Address Line 1"),
                    dob: Col("Year of Birth"),
                },
            )
        },
        // -- Voter files without a header ------------------------------------------
        Layout {
            args: &["--layout", "florida"],
            delimiter: b'\t',
            header: false,
            upper: true,
            ..csv_layout(
                "florida",
                "LEO_20241001.txt",
                &[
                    ("County Code", Cycle(&["LEO", "ALA", "DAD", "HIL"])),
                    ("Voter ID", IdPadded),
                    ("Name Last", Last),
                    ("Name Suffix", Suffix),
                    ("Name First", First),
                    ("Name Middle", Middle),
                    ("Requested public records exemption", Lit("N")),
                    ("Residence Address Line 1", Street),
                    ("Residence Address Line 2", Addr2),
                    ("Residence City (USPS)", City),
                    ("Residence State", Lit("FL")),
                    ("Residence Zipcode", Zip(ZipFmt::FiveOr9)),
                    ("Mailing Address Line 1", MailLine),
                    ("Mailing Address Line 2", Blank),
                    ("Mailing Address Line 3", Blank),
                    ("Mailing City", MailCity),
                    ("Mailing State", MailState),
                    ("Mailing Zipcode", MailZip),
                    ("Mailing Country", Blank),
                    ("Gender", Cycle(GENDER)),
                    ("Race", Cycle(&["5", "3", "4", "2"])),
                    ("Birth Date", Dob(DateFmt::Us)),
                    ("Registration Date", RegDate(DateFmt::Us)),
                    ("Party Affiliation", Cycle(&["DEM", "REP", "NPA"])),
                    ("Precinct", Cycle(PRECINCT)),
                    ("Precinct Group", Lit("1")),
                    ("Precinct Split", Cycle(&["1.1", "2.0"])),
                    ("Precinct Suffix", Blank),
                    ("Voter Status", Lit("ACT")),
                    ("Congressional District", Num(28)),
                    ("House District", Num(120)),
                    ("Senate District", Num(40)),
                    ("County Commission District", Num(5)),
                    ("School Board District", Num(5)),
                    ("Daytime Area Code", AreaCode),
                    ("Daytime Phone Number", Phone7),
                    ("Daytime Phone Extension", Blank),
                    ("Email address", Email),
                ],
                Roles {
                    email: Col("Email address"),
                    phone: Join(&["Daytime Area Code", "Daytime Phone Number"]),
                    first: Col("Name First"),
                    last: Col("Name Last"),
                    zip: Col("Residence Zipcode"),
                    address: Col("Residence Address Line 1"),
                    dob: Col("Birth Date"),
                },
            )
        },
        michigan(),
        pennsylvania(),
    ];
    all.sort_by_key(|l| l.name);
    all
}

/// Michigan's Qualified Voter File: fixed width, no header (widths from the state's layout).
fn michigan() -> Layout {
    use V::*;
    let fields: &[(&str, V, usize)] = &[
        ("LAST_NAME", Last, 35),
        ("FIRST_NAME", First, 20),
        ("MIDDLE_NAME", Middle, 20),
        ("NAME_SUFFIX", Suffix, 3),
        ("YEAR_OF_BIRTH", BirthYear, 4),
        ("GENDER", Cycle(GENDER), 1),
        ("DATE_OF_REGISTRATION", RegDate(DateFmt::MdyCompact), 8),
        ("HOUSE_NUMBER_CHARACTER", Blank, 1),
        ("RESIDENCE_STREET_NUMBER", HouseNum, 7),
        ("HOUSE_SUFFIX", HouseFrac, 4),
        ("PRE_DIRECTION", StreetDir, 2),
        ("STREET_NAME", StreetName, 30),
        ("STREET_TYPE", StreetType, 6),
        ("SUFFIX_DIRECTION", Blank, 2),
        ("RESIDENCE_EXTENSION", Addr2, 13),
        ("CITY", City, 35),
        ("STATE", State, 2),
        ("ZIP", Zip(ZipFmt::Five), 5),
        ("MAIL_ADDR_1", MailLine, 50),
        ("MAIL_ADDR_2", MailCityStateZip, 50),
        ("MAIL_ADDR_3", Blank, 50),
        ("MAIL_ADDR_4", Blank, 50),
        ("MAIL_ADDR_5", Blank, 50),
        ("VOTER_ID", IdPadded, 13),
        ("COUNTY_CODE", Num(83), 2),
        ("JURISDICTION", Cycle(&["82000", "33020", "63110"]), 5),
        ("WARD_PRECINCT", Cycle(&["01001", "02014"]), 6),
        ("SCHOOL_CODE", Cycle(&["82010", "33020"]), 5),
        ("STATE_HOUSE", Num(110), 5),
        ("STATE_SENATE", Num(38), 5),
        ("US_CONGRESS", Num(13), 5),
        ("COUNTY_COMMISSIONER", Num(15), 5),
        ("VILLAGE_CODE", Blank, 5),
        ("VILLAGE_PRECINCT", Blank, 6),
        ("SCHOOL_PRECINCT", Blank, 6),
        ("PERMANENT_ABSENTEE_IND", Cycle(YES_NO), 1),
        ("STATUS_TYPE", Lit("A"), 2),
        ("UOCAVA_STATUS", Lit("N"), 1),
    ];
    Layout {
        args: &["--layout", "michigan"],
        crlf: true,
        header: false,
        widths: fields.iter().map(|f| f.2).collect(),
        upper: true,
        ascii: true,
        ..csv_layout(
            "michigan",
            "entire_state_v.lst",
            &fields.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(),
            Roles {
                email: No,
                phone: No,
                first: Col("FIRST_NAME"),
                last: Col("LAST_NAME"),
                zip: Col("ZIP"),
                address: Join(&[
                    "RESIDENCE_STREET_NUMBER",
                    "PRE_DIRECTION",
                    "STREET_NAME",
                    "STREET_TYPE",
                    "RESIDENCE_EXTENSION",
                ]),
                dob: Col("YEAR_OF_BIRTH"),
            },
        )
    }
}

/// Pennsylvania's Full Voter Export: tab-delimited, quoted, no header, 153 columns.
fn pennsylvania() -> Layout {
    use V::*;
    let mut list: Vec<(String, V)> = cols(&[
        ("ID Number", IdPadded),
        ("Title", Blank),
        ("Last Name", Last),
        ("First Name", First),
        ("Middle Name", Middle),
        ("Suffix", Suffix),
        ("Gender", Cycle(GENDER)),
        ("DOB", Dob(DateFmt::Us)),
        ("Registration Date", RegDate(DateFmt::Us)),
        ("Voter Status", Lit("A")),
        ("Status Change Date", RegDate(DateFmt::Us)),
        ("Party Code", Cycle(&["D", "R", "NF"])),
        ("House Number", HouseNum),
        ("House Number Suffix", HouseFrac),
        ("Street Name", StreetFull),
        ("Apartment Number", Unit),
        ("Address Line 2", Blank),
        ("City", City),
        ("State", State),
        ("Zip", Zip(ZipFmt::FiveOr9)),
        ("Mail Address 1", MailLine),
        ("Mail Address 2", Blank),
        ("Mail City", MailCity),
        ("Mail State", MailState),
        ("Mail Zip", MailZip),
        ("Last Vote Date", RegDate(DateFmt::Us)),
        ("Precinct Code", Cycle(PRECINCT)),
        ("Precinct Split ID", Cycle(&["", "1"])),
        ("Date Last Changed", RegDate(DateFmt::Us)),
        ("Custom Data 1", Blank),
    ]);
    for d in 1..=40 {
        let v = if d <= 6 { Num(20 * d) } else { Blank };
        list.push((format!("District {d}"), v));
    }
    for e in 1..=40 {
        let (method, party) = if e <= 8 {
            (Cycle(&["AP", "", "AB", "P"]), Cycle(&["D", "R", ""]))
        } else {
            (Blank, Blank)
        };
        list.push((format!("Election {e} Vote Method"), method));
        list.push((format!("Election {e} Party"), party));
    }
    list.push(("Home Phone".into(), Phone(PhoneFmt::Parens)));
    list.push(("County".into(), County));
    list.push(("Mail Country".into(), Blank));
    assert_eq!(list.len(), 153, "the published layout has 153 columns");
    Layout {
        args: &["--layout", "pennsylvania"],
        delimiter: b'\t',
        quote_all: true,
        crlf: true,
        header: false,
        upper: true,
        cols: list,
        ..csv_layout(
            "pennsylvania",
            "PHILADELPHIA FVE 20241001.txt",
            &[],
            Roles {
                email: No,
                phone: Col("Home Phone"),
                first: Col("First Name"),
                last: Col("Last Name"),
                zip: Col("Zip"),
                address: Join(&[
                    "House Number",
                    "House Number Suffix",
                    "Street Name",
                    "Apartment Number",
                ]),
                dob: Col("DOB"),
            },
        )
    }
}

fn layout(name: &str) -> Layout {
    layouts()
        .into_iter()
        .find(|l| l.name == name && l.variant.is_empty())
        .unwrap_or_else(|| panic!("no layout {name}"))
}

/// The same layout with its mailing/billing columns moved before every other column.
fn mailing_first(l: &Layout) -> Layout {
    let (mut front, back): (Vec<_>, Vec<_>) = l
        .cols
        .iter()
        .cloned()
        .partition(|(n, _)| l.mailing.contains(&n.as_str()));
    assert_eq!(front.len(), l.mailing.len(), "{}: mailing names", l.name);
    front.extend(back);
    Layout {
        variant: "mailing columns first",
        cols: front,
        ..l.clone()
    }
}

// ---------------------------------------------------------------------------------------
// Writing fixtures
// ---------------------------------------------------------------------------------------

fn numeric_looking(s: &str) -> bool {
    let t = s.strip_prefix('+').unwrap_or(s);
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

fn encodable_1252(s: &str) -> bool {
    !encoding_rs::WINDOWS_1252.encode(s).2
}

/// The file's cells, row by row (header not included).
fn render(l: &Layout, people: &[Person]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for p in people {
        let times = if l.repeat && p.i % 5 == 0 { 2 } else { 1 };
        for _ in 0..times {
            let r = rows.len();
            let row: Vec<String> = l
                .cols
                .iter()
                .map(|(_, v)| {
                    let mut s = value(*v, p, r);
                    if l.ascii {
                        s = s.nfkd().filter(char::is_ascii).collect();
                    }
                    if l.upper && !v.is_email() {
                        s = s.to_uppercase();
                    }
                    if l.excel_guard && numeric_looking(&s) {
                        s.insert(0, '\'');
                    }
                    s
                })
                .collect();
            rows.push(row);
        }
    }
    if l.enc == Enc::Windows1252 {
        rows.retain(|row| row.iter().all(|c| encodable_1252(c)));
    }
    if l.padded {
        pad(&mut rows);
    }
    if !l.widths.is_empty() {
        for row in &mut rows {
            for (cell, &w) in row.iter_mut().zip(&l.widths) {
                *cell = cell.chars().take(w).collect();
            }
        }
    }
    rows
}

/// Space-pads every cell to its column's width; some cells end in NUL bytes instead.
fn pad(rows: &mut [Vec<String>]) {
    let ncols = rows.first().map_or(0, Vec::len);
    for c in 0..ncols {
        let longest = rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
        let width = (longest / 5 + 1) * 5;
        for (r, row) in rows.iter_mut().enumerate() {
            let cell = &mut row[c];
            let pad = width - cell.chars().count();
            let nul = if (r + c) % 4 == 0 { pad.min(3) } else { 0 };
            cell.push_str(&" ".repeat(pad - nul));
            cell.push_str(&"\0".repeat(nul));
        }
    }
}

fn delimited(l: &Layout, rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(l.delimiter)
        .quote_style(if l.quote_all {
            csv::QuoteStyle::Always
        } else {
            csv::QuoteStyle::Necessary
        })
        .terminator(if l.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    if l.header {
        w.write_record(l.cols.iter().map(|(n, _)| n)).unwrap();
    }
    for row in rows {
        w.write_record(row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn fixed(l: &Layout, rows: &[Vec<String>]) -> String {
    let eol = if l.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for row in rows {
        for (cell, &w) in row.iter().zip(&l.widths) {
            out.push_str(&format!("{cell:<w$}"));
        }
        out.push_str(eol);
    }
    out
}

fn encode(enc: Enc, text: &str) -> Vec<u8> {
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
        Enc::Utf16Le => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect(),
        Enc::Utf16Be => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect(),
        Enc::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            assert!(!unmappable, "fixture rows were filtered to Windows-1252");
            bytes.into_owned()
        }
    }
}

fn file_bytes(l: &Layout, rows: &[Vec<String>]) -> Vec<u8> {
    let text = if l.widths.is_empty() {
        delimited(l, rows)
    } else {
        fixed(l, rows)
    };
    encode(l.enc, &text)
}

// ---------------------------------------------------------------------------------------
// The plain "right columns" CSV
// ---------------------------------------------------------------------------------------

/// A cell as the right column's value: NULs removed, trimmed, Excel guard removed.
fn clean(l: &Layout, cell: &str) -> String {
    let s: String = cell.chars().filter(|&c| c != '\0').collect();
    let s = s.trim();
    let s = if l.excel_guard {
        s.strip_prefix('\'').unwrap_or(s)
    } else {
        s
    };
    s.to_string()
}

fn pick(l: &Layout, row: &[String], p: Pick) -> String {
    let cell = |name: &str| {
        let i = l
            .cols
            .iter()
            .position(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{}: role names a missing column {name}", l.name));
        clean(l, &row[i])
    };
    match p {
        No => String::new(),
        Col(name) => cell(name),
        Join(names) => {
            let parts: Vec<String> = names.iter().map(|n| cell(n)).collect();
            join_nonempty(&parts.iter().map(String::as_str).collect::<Vec<_>>(), " ")
        }
        Part(name, k) => cell(name)
            .split("  ")
            .nth(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

/// The plain CSV (`email,phone,first,last,zip,address,dob`) the Python script reads.
fn plain_csv(l: &Layout, rows: &[Vec<String>]) -> Vec<u8> {
    let r = l.roles;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["email", "phone", "first", "last", "zip", "address", "dob"])
        .unwrap();
    for row in rows {
        let fields = [r.email, r.phone, r.first, r.last, r.zip, r.address, r.dob];
        w.write_record(fields.iter().map(|&p| pick(l, row, p)))
            .unwrap();
    }
    w.into_inner().unwrap()
}

// ---------------------------------------------------------------------------------------
// Running both implementations
// ---------------------------------------------------------------------------------------

const KINDS: [&str; 5] = ["email", "phone", "name_zip", "name_addr", "name_yob_zip"];

/// Sorted token rows from the binary, or why there are none; and its stderr.
fn binary_rows(wd: &Workdir, input: &str, extra: &[&str]) -> Result<(Vec<String>, String), String> {
    let out_name = format!("{input}.hashed.csv");
    let mut rest = vec![input, "-o", out_name.as_str(), "--force"];
    rest.extend_from_slice(extra);
    let out = wd.output(&wd.hash_args("o", &rest));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    if !out.status.success() {
        return Err(format!("blindmatch failed:\n{}", indent(&stderr)));
    }
    let h = Hashed::parse(&wd.read(&out_name));
    if h.header != KINDS {
        return Err(format!("unexpected output header {:?}", h.header));
    }
    let mut rows: Vec<String> = h.rows.iter().map(|r| r.join(",")).collect();
    rows.sort();
    Ok((rows, stderr))
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("      {l}\n")).collect()
}

/// The binary's column report (which column plays which role), without the totals.
fn column_report(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("<-") || l.contains("(no column") || l.contains("reading "))
        .collect();
    indent(&lines.join("\n"))
}

fn kind_tokens(rows: &[String], k: usize) -> Vec<String> {
    let mut t: Vec<String> = rows
        .iter()
        .map(|r| r.split(',').nth(k).unwrap_or("").to_string())
        .filter(|t| !t.is_empty())
        .collect();
    t.sort();
    t
}

/// Where two sets of token rows differ, kind by kind (no values: tokens are counted only).
fn difference(ours: &[String], theirs: &[String], names: [&str; 2]) -> Option<String> {
    let [a_name, b_name] = names;
    if ours == theirs {
        return None;
    }
    let mut msg = String::new();
    if ours.len() != theirs.len() {
        msg.push_str(&format!(
            "    rows: {a_name} {}, {b_name} {}\n",
            ours.len(),
            theirs.len()
        ));
    }
    for (k, kind) in KINDS.iter().enumerate() {
        let (a, b) = (kind_tokens(ours, k), kind_tokens(theirs, k));
        if a != b {
            let common = a.iter().filter(|t| b.binary_search(t).is_ok()).count();
            msg.push_str(&format!(
                "    {kind}: {a_name} {} tokens, {b_name} {}, {common} in common\n",
                a.len(),
                b.len()
            ));
        }
    }
    if msg.is_empty() {
        msg.push_str("    same tokens per kind, combined differently across rows\n");
    }
    Some(msg)
}

/// The fixture itself is right: every kind the layout's roles can form is formed for many
/// rows, and no other kind.
fn assert_fixture_forms_tokens(l: &Layout, theirs: &[String], rows: usize) {
    let r = l.roles;
    let has = |p: Pick| !matches!(p, No);
    let names = has(r.first) && has(r.last) && has(r.zip);
    let covered = [
        has(r.email),
        has(r.phone),
        names,
        names && has(r.address),
        names && has(r.dob),
    ];
    assert_eq!(theirs.len(), rows, "{}: python row count", l.label());
    for (k, kind) in KINDS.iter().enumerate() {
        let n = kind_tokens(theirs, k).len();
        if covered[k] {
            assert!(
                n * 2 >= rows,
                "{}: the fixture forms only {n} of {rows} {kind} tokens",
                l.label()
            );
        } else {
            assert_eq!(n, 0, "{}: {kind} has no column", l.label());
        }
    }
}

/// Writes the layout's fixture and plain CSV into `wd`; returns the independent rows.
fn prepare(wd: &Workdir, l: &Layout) -> Vec<String> {
    let rows = render(l, &people(PEOPLE));
    assert!(rows.len() >= PEOPLE / 2, "{}: too few rows", l.label());
    wd.write(l.file, file_bytes(l, &rows));
    wd.write("plain.csv", plain_csv(l, &rows));
    let theirs = independent_rows(wd, "plain.csv", "");
    assert_fixture_forms_tokens(l, &theirs, rows.len());
    // To look at the fixtures: LAYOUT_FIXTURES=DIR cargo test layouts
    if let Some(dir) = std::env::var_os("LAYOUT_FIXTURES") {
        let dir = std::path::Path::new(&dir).join(l.label().replace([' ', ','], "_"));
        std::fs::create_dir_all(&dir).unwrap();
        for name in [l.file, "plain.csv"] {
            std::fs::copy(wd.path(name), dir.join(name)).unwrap();
        }
    }
    theirs
}

/// Hashes the layout's fixture with no column flags; Err names the layout and the difference.
fn check(l: &Layout) -> Result<(), String> {
    let wd = Workdir::new();
    let theirs = prepare(&wd, l);
    let (ours, stderr) =
        binary_rows(&wd, l.file, l.args).map_err(|e| format!("  {}: {e}", l.label()))?;
    match difference(&ours, &theirs, ["binary", "independent"]) {
        None => Ok(()),
        Some(diff) => Err(format!(
            "  {}: tokens differ from the independent implementation\n{diff}    binary read:\n{}",
            l.label(),
            column_report(&stderr)
        )),
    }
}

/// Checks each named layout (and its mailing-first variant); fails listing every layout that
/// differs.
fn check_family(family: &str, names: &[&str]) {
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    for l in layouts().iter().filter(|l| names.contains(&l.name)) {
        let mut variants = vec![l.clone()];
        if l.header && !l.mailing.is_empty() {
            variants.push(mailing_first(l));
        }
        for v in variants {
            match check(&v) {
                Ok(()) => passed.push(v.label()),
                Err(e) => failures.push(e),
            }
        }
    }
    eprintln!("{family}: passed: {}", passed.join(", "));
    assert!(
        failures.is_empty(),
        "{family}: {} layout(s) read differently from the independent implementation \
         (passed: {}):\n{}",
        failures.len(),
        if passed.is_empty() {
            "none".to_string()
        } else {
            passed.join(", ")
        },
        failures.join("\n")
    );
}

const ALREADY_READ: &[&str] = &["actionkit", "action-network", "salsa", "ncvoter"];
const ORGANIZING_TOOLS: &[&str] = &[
    "nationbuilder",
    "mailchimp",
    "mobilize",
    "everyaction",
    "van-myvoters",
    "actblue",
    "spoke",
    "salesforce",
    "catalist",
    "targetsmart",
    "hustle",
];
const VOTER_FILES_WITH_HEADER: &[&str] = &[
    "l2",
    "nc-snapshot",
    "ohio",
    "washington",
    "colorado",
    "georgia",
    "vermont",
];
const VOTER_FILES_WITHOUT_HEADER: &[&str] = &["florida", "michigan", "pennsylvania"];

#[test]
fn every_layout_in_the_table_is_checked() {
    let families = [
        ALREADY_READ,
        ORGANIZING_TOOLS,
        VOTER_FILES_WITH_HEADER,
        VOTER_FILES_WITHOUT_HEADER,
    ]
    .concat();
    for l in layouts() {
        assert_eq!(
            families.iter().filter(|n| **n == l.name).count(),
            1,
            "{} is in exactly one family",
            l.name
        );
        // Headerless layouts name themselves; header layouts are read with no flags.
        assert_eq!(l.header, l.args.is_empty(), "{}", l.label());
        // A mailing column is never a role.
        let r = l.roles;
        for p in [r.email, r.phone, r.first, r.last, r.zip, r.address, r.dob] {
            let used: Vec<&str> = match p {
                No => vec![],
                Col(c) | Part(c, _) => vec![c],
                Join(cs) => cs.to_vec(),
            };
            for c in used {
                assert!(
                    !l.mailing.contains(&c),
                    "{}: {c} is a mailing column",
                    l.name
                );
            }
        }
    }
}

#[test]
fn mailing_addresses_really_differ_from_residential_ones() {
    let ppl = people(PEOPLE);
    let with_mail: Vec<&Person> = ppl.iter().filter(|p| p.mail.is_some()).collect();
    assert!(with_mail.len() * 2 > ppl.len());
    for p in with_mail {
        let m = p.mail.as_ref().unwrap();
        assert_ne!(m.zip, p.zip, "person {}", p.i);
        assert!(m.house.is_empty() || m.house != p.house, "person {}", p.i);
    }
}

#[test]
fn exports_the_binary_already_reads() {
    check_family("already read", ALREADY_READ);
}

#[test]
fn organizing_tool_exports() {
    check_family("organizing tools", ORGANIZING_TOOLS);
}

#[test]
fn voter_files_with_a_header() {
    check_family("voter files with a header", VOTER_FILES_WITH_HEADER);
}

#[test]
fn voter_files_without_a_header() {
    check_family("voter files without a header", VOTER_FILES_WITHOUT_HEADER);
}

#[test]
fn utf16_big_endian_with_a_bom() {
    let l = Layout {
        variant: "UTF-16BE",
        enc: Enc::Utf16Be,
        ..layout("everyaction")
    };
    if let Err(e) = check(&l) {
        panic!("{e}");
    }
}

/// The same people in Windows-1252 and in UTF-8 give the same tokens: detected with no flag,
/// and with `--encoding windows-1252`. ActionKit isolates the encoding (the binary reads its
/// columns already); Salesforce is the layout the table writes in Windows-1252.
fn windows_1252_reads_like_utf8(l: &Layout) {
    let l = Layout {
        enc: Enc::Windows1252,
        ..l.clone()
    };
    let name = l.label();
    let rows = render(&l, &people(PEOPLE));
    let wd = Workdir::new();
    let cp1252 = file_bytes(&l, &rows);
    assert!(
        std::str::from_utf8(&cp1252).is_err() && cp1252.contains(&0xE9),
        "{name}: the fixture holds Windows-1252 bytes that are not UTF-8"
    );
    wd.write("export-1252.csv", cp1252);
    let utf8_layout = Layout {
        enc: Enc::Utf8,
        ..l.clone()
    };
    wd.write("export-utf8.csv", file_bytes(&utf8_layout, &rows));
    wd.write("plain.csv", plain_csv(&l, &rows));
    let theirs = independent_rows(&wd, "plain.csv", "");
    assert_fixture_forms_tokens(&l, &theirs, rows.len());
    let run = |input: &str, extra: &[&str]| match binary_rows(&wd, input, extra) {
        Ok((rows, _)) => rows,
        Err(e) => panic!("{name}: {input} {extra:?}: {e}"),
    };
    let utf8 = run("export-utf8.csv", &[]);
    // Accented names only count if the binary forms name tokens from this layout at all.
    let names = kind_tokens(&utf8, 2).len();
    assert!(
        names * 2 >= rows.len(),
        "{name}: the UTF-8 file forms only {names} name_zip tokens for {} rows, so the \
         encodings cannot be compared (the layout's columns are not read)",
        rows.len()
    );
    let detected = run("export-1252.csv", &[]);
    if let Some(d) = difference(&detected, &utf8, ["Windows-1252", "UTF-8"]) {
        panic!("{name}: Windows-1252 (no flag) vs the same people in UTF-8:\n{d}");
    }
    let named = run("export-1252.csv", &["--encoding", "windows-1252"]);
    if let Some(d) = difference(&named, &utf8, ["Windows-1252", "UTF-8"]) {
        panic!("{name}: --encoding windows-1252 vs the same people in UTF-8:\n{d}");
    }
    if let Some(d) = difference(&utf8, &theirs, ["binary", "independent"]) {
        panic!("{name}: UTF-8 vs the independent implementation:\n{d}");
    }
}

#[test]
fn windows_1252_is_detected_and_reads_like_utf8() {
    windows_1252_reads_like_utf8(&layout("actionkit"));
}

#[test]
fn windows_1252_salesforce_export_reads_like_utf8() {
    let l = layout("salesforce");
    assert_eq!(
        l.enc,
        Enc::Windows1252,
        "the table writes it in Windows-1252"
    );
    windows_1252_reads_like_utf8(&l);
}

#[test]
fn xlsx_cells_read_like_the_csv_of_the_same_people() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let ppl = people(PEOPLE);
    let (members, donors) = ppl.split_at(PEOPLE / 2);
    let wd = Workdir::new();
    let header = [
        "email",
        "first_name",
        "last_name",
        "address1",
        "zip",
        "phone",
        "dob",
    ];
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut wb = Workbook::new();
    for (sheet, group) in [("Members", members), ("Donors", donors)] {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, p) in group.iter().enumerate() {
            let row = r as u32 + 1;
            let text = [
                p.email.clone(),
                p.first.clone(),
                value(V::LastSfx, p, r),
                value(V::Street, p, r),
            ];
            for (c, t) in text.iter().enumerate() {
                if !t.is_empty() {
                    ws.write_string(row, c as u16, t).unwrap();
                }
            }
            if !p.zip.is_empty() {
                // A number cell: 02139 is stored as 2139.
                ws.write_number(row, 4, p.zip.parse::<f64>().unwrap())
                    .unwrap();
            }
            if let Some(ph) = &p.phone {
                let digits = format!("{}{}{}", ph.area, ph.exchange, ph.line);
                ws.write_number(row, 5, digits.parse::<f64>().unwrap())
                    .unwrap();
            }
            if let Some((y, m, d)) = p.dob {
                if r % 2 == 0 {
                    let dt = ExcelDateTime::from_ymd(y as u16, m as u8, d as u8).unwrap();
                    ws.write_datetime_with_format(row, 6, &dt, &date).unwrap();
                } else {
                    ws.write_string(row, 6, date_text(DateFmt::UsShort, (y, m, d)))
                        .unwrap();
                }
            }
        }
    }
    wb.save(wd.path("people.xlsx")).unwrap();

    // The same people as CSV text, and as the plain CSV for the independent implementation.
    let l = csv_layout(
        "xlsx",
        "",
        &[
            ("email", V::Email),
            ("first_name", V::First),
            ("last_name", V::LastSfx),
            ("address1", V::Street),
            ("zip", V::Zip(ZipFmt::Five)),
            ("phone", V::Phone(PhoneFmt::Parens)),
            ("dob", V::Dob(DateFmt::Iso)),
        ],
        Roles {
            email: Col("email"),
            phone: Col("phone"),
            first: Col("first_name"),
            last: Col("last_name"),
            zip: Col("zip"),
            address: Col("address1"),
            dob: Col("dob"),
        },
    );
    let mut results = Vec::new();
    for (sheet, group, extra) in [
        ("Members", members, vec![]),
        ("Donors", donors, vec!["--sheet", "Donors"]),
    ] {
        let rows = render(&l, group);
        let csv_name = format!("{sheet}.csv");
        wd.write(&csv_name, file_bytes(&l, &rows));
        wd.write("plain.csv", plain_csv(&l, &rows));
        let theirs = independent_rows(&wd, "plain.csv", "");
        assert_fixture_forms_tokens(&l, &theirs, rows.len());
        let (from_csv, _) = binary_rows(&wd, &csv_name, &[]).unwrap();
        if let Some(d) = difference(&from_csv, &theirs, ["binary", "independent"]) {
            panic!("{sheet}.csv vs the independent implementation:\n{d}");
        }
        let from_xlsx = match binary_rows(&wd, "people.xlsx", &extra) {
            Ok((rows, _)) => rows,
            Err(e) => panic!("people.xlsx {extra:?}: {e}"),
        };
        if let Some(d) = difference(&from_xlsx, &from_csv, ["xlsx", "csv"]) {
            panic!("people.xlsx {extra:?} (sheet {sheet}) vs {sheet}.csv:\n{d}");
        }
        results.push(from_xlsx);
    }
    assert_ne!(results[0], results[1], "--sheet picks another sheet");
}

/// The fixtures themselves are right: where each role is one column of a UTF-8 file, naming
/// those columns with today's flags (`--email-col` ...) gives the independent tokens.
/// (Split columns, one-line addresses, Excel guards, padding and other encodings need the
/// layout engine, and are checked above.)
#[test]
fn fixtures_agree_when_the_columns_are_named_by_hand() {
    let mut checked = 0;
    for l in layouts() {
        let r = l.roles;
        let picks = [
            ("--email-col", r.email),
            ("--phone-col", r.phone),
            ("--first-col", r.first),
            ("--last-col", r.last),
            ("--zip-col", r.zip),
            ("--address-col", r.address),
            ("--dob-col", r.dob),
        ];
        if !l.header
            || l.excel_guard
            || l.padded
            || picks.iter().any(|(_, p)| matches!(p, Join(_) | Part(..)))
            || !matches!(l.enc, Enc::Utf8 | Enc::Utf8Bom)
        {
            continue;
        }
        let mut args: Vec<&str> = Vec::new();
        for (flag, p) in picks {
            if let Col(c) = p {
                args.extend([flag, c]);
            }
        }
        if l.delimiter == b'|' {
            args.extend(["--delimiter", "|"]);
        }
        let wd = Workdir::new();
        let theirs = prepare(&wd, &l);
        let (ours, _) = binary_rows(&wd, l.file, &args).unwrap_or_else(|e| panic!("{e}"));
        if let Some(d) = difference(&ours, &theirs, ["binary", "independent"]) {
            panic!("{} with its columns named: {d}", l.label());
        }
        checked += 1;
    }
    assert!(checked >= 15, "{checked} layouts checked");
}
