//! Headerless voter files read by a named layout (`--layout michigan|texas|pennsylvania`):
//! files are written field by field from the layout data, with a different mailing address,
//! and their tokens must equal the independent Python implementation's on the right columns.
//! Also: a layout applied to the wrong file is refused instead of misreading every row.

use blindmatch::input::columns::{Role, fold_header};
use blindmatch::input::layout::{self, Format, Layout};

use crate::independent::independent_rows;
use crate::workdir::{Hashed, Workdir};

struct Person {
    first: &'static str,
    last: &'static str,
    house: &'static str,
    street: &'static str,
    zip: &'static str,
    area: &'static str,
    local: &'static str,
    year: u32,
    month: u32,
    day: u32,
}

const PEOPLE: [Person; 6] = [
    Person {
        first: "JOSÉ",
        last: "O'BRIEN-SMITH",
        house: "123",
        street: "MAIN",
        zip: "48201",
        area: "313",
        local: "5550101",
        year: 1961,
        month: 2,
        day: 3,
    },
    Person {
        first: "ZOË",
        last: "KING JR",
        house: "7",
        street: "ELM",
        zip: "48202",
        area: "248",
        local: "5550102",
        year: 1990,
        month: 12,
        day: 31,
    },
    Person {
        first: "MARY ANN",
        last: "NGUYEN",
        house: "0042",
        street: "OAK",
        zip: "02139",
        area: "734",
        local: "5550103",
        year: 1975,
        month: 7,
        day: 4,
    },
    Person {
        first: "LUIS",
        last: "GARCIA",
        house: "9",
        street: "PINE",
        zip: "48203",
        area: "",
        local: "",
        year: 2001,
        month: 1,
        day: 9,
    },
    Person {
        first: "ANN",
        last: "LEE",
        house: "",
        street: "",
        zip: "48204",
        area: "810",
        local: "5550105",
        year: 1950,
        month: 6,
        day: 15,
    },
    Person {
        first: "TOM",
        last: "BAKER",
        house: "55",
        street: "LAKE",
        zip: "48205",
        area: "586",
        local: "5550106",
        year: 1988,
        month: 3,
        day: 20,
    },
];

/// How a state writes its birth column.
fn birth(layout: &str, p: &Person) -> String {
    match layout {
        "michigan" => p.year.to_string(),
        "texas" => format!("{}{:02}{:02}", p.year, p.month, p.day),
        _ => format!("{:02}/{:02}/{}", p.month, p.day, p.year),
    }
}

/// The value of every column of the layout for one person; mailing columns get another
/// address so that using them would change the tokens.
fn row(layout: &Layout, p: &Person) -> Vec<String> {
    let names = layout.column_names();
    let mut values = vec![String::new(); names.len()];
    let index = |name: &str| {
        let f = fold_header(name);
        names.iter().position(|n| fold_header(n) == f).unwrap()
    };
    for (i, name) in names.iter().enumerate() {
        let f = fold_header(name);
        values[i] = if f.contains("mail") && (f.contains("zip") || f.contains("postal")) {
            "99999".into()
        } else if f.contains("mail") && (f.contains("address") || f.contains("street")) {
            "999 MAILBOX RD".into()
        } else if f.contains("precinct") || f.contains("county") {
            "P-7".into()
        } else {
            String::new()
        };
    }
    let first_alternative = |role: Role| layout.alternatives(role).next().map(str::to_string);
    for (role, value) in [
        (Role::First, p.first.to_string()),
        (Role::Last, p.last.to_string()),
        (Role::Middle, "Q".to_string()),
        (Role::City, "DETROIT".to_string()),
        (Role::Zip, p.zip.to_string()),
        (Role::Dob, birth(&layout.name, p)),
    ] {
        if let Some(column) = first_alternative(role) {
            values[index(&column)] = value;
        }
    }
    if let Some(address) = first_alternative(Role::Address) {
        for part in address.split(" + ") {
            let f = fold_header(part);
            let value = if (f.contains("housenumber") || f.contains("streetnumber"))
                && !f.contains("suffix")
                && !f.contains("prefix")
            {
                p.house
            } else if f.contains("streetname") {
                p.street
            } else if f.contains("streettype") {
                "ST"
            } else {
                ""
            };
            values[index(part)] = value.to_string();
        }
    }
    if let Some(phone) = first_alternative(Role::Phone) {
        let parts: Vec<&str> = phone.split(" + ").collect();
        match parts.as_slice() {
            [one] => values[index(one)] = format!("{}{}", p.area, p.local),
            [area, local] => {
                values[index(area)] = p.area.to_string();
                values[index(local)] = p.local.to_string();
            }
            _ => panic!("unexpected phone columns in {}", layout.name),
        }
    }
    values
}

/// The right columns, in the plain layout the Python implementation reads.
fn plain(layout: &Layout) -> String {
    let has = |role| layout.alternatives(role).next().is_some();
    let mut out = String::from("email,phone,first,last,zip,address,dob\n");
    for p in &PEOPLE {
        let phone = if has(Role::Phone) {
            format!("{}{}", p.area, p.local)
        } else {
            String::new()
        };
        let address = if p.house.is_empty() {
            String::new()
        } else {
            format!("{} {} ST", p.house, p.street)
        };
        out.push_str(&format!(
            ",{phone},\"{}\",\"{}\",{},{address},{}\n",
            p.first,
            p.last,
            p.zip,
            birth(&layout.name, p)
        ));
    }
    out
}

fn file(layout: &Layout) -> Vec<u8> {
    let mut out = String::new();
    for p in &PEOPLE {
        let values = row(layout, p);
        match layout.format {
            Format::Fixed => {
                for (field, value) in layout.fields.iter().zip(&values) {
                    let cut: String = value.chars().take(field.width).collect();
                    out.push_str(&format!("{cut:<width$}", width = field.width));
                }
                out.push_str("\r\n");
            }
            _ => {
                out.push_str(&values.join("\t"));
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

#[test]
fn state_layouts_without_a_header_match_the_independent_implementation() {
    let wd = Workdir::new();
    for name in ["michigan", "texas", "pennsylvania"] {
        let layout = layout::by_name(name).unwrap();
        assert_ne!(layout.format, Format::Header, "{name}");
        let input = format!("{name}.txt");
        wd.write(&input, file(layout));
        wd.write(&format!("{name}.plain.csv"), plain(layout));
        let out = format!("{name}.hashed.csv");
        let stderr = wd.hash(&input, &out, "voters", &["--layout", name]);
        assert!(stderr.contains(&layout.title), "{name}: {stderr}");
        let h = Hashed::parse(&wd.read(&out));
        let mut ours: Vec<String> = h.rows.iter().map(|r| r.join(",")).collect();
        ours.sort();
        assert_eq!(
            ours,
            independent_rows(&wd, &format!("{name}.plain.csv"), ""),
            "{name}: {stderr}"
        );
        assert_eq!(h.tokens("name_addr").len(), 5, "{name}");
        assert_eq!(h.tokens("name_yob_zip").len(), 6, "{name}");
    }
}

#[test]
fn a_layout_on_the_wrong_file_is_refused() {
    let wd = Workdir::new();
    let florida = layout::by_name("florida").unwrap();
    let mut with_header = florida.columns.join("\t");
    with_header.push('\n');
    with_header.push_str(&vec!["x"; florida.columns.len()].join("\t"));
    with_header.push('\n');
    wd.write("fl.txt", &with_header);
    let err = wd.fail(&wd.hash_args("v", &["fl.txt", "-o", "o.csv", "--layout", "florida"]));
    assert!(err.contains("header") && err.contains("--layout"), "{err}");
    wd.write("members.csv", "email,zip\na@b.org,02139\nc@d.org,02139\n");
    let err = wd.fail(&wd.hash_args("v", &["members.csv", "-o", "o.csv", "--layout", "florida"]));
    assert!(err.contains("38 fields"), "{err}");
    let err = wd.fail(&wd.hash_args("v", &["members.csv", "-o", "o.csv", "--layout", "ohio2"]));
    assert!(err.contains("no layout 'ohio2'"), "{err}");
    assert!(!wd.path("o.csv").exists());
}

#[test]
fn layout_list_names_every_layout() {
    let wd = Workdir::new();
    let out = wd.run(&["hash", "--layout", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for l in layout::all() {
        assert!(
            text.contains(&l.name) && text.contains(&l.title),
            "{}",
            l.name
        );
    }
    assert!(text.contains("fixed width") && text.contains("no header, delimited"));
}

/// The whole way round with real-world formats: a headerless Florida voter file and a
/// UTF-16 EveryAction export of the same people, merged; `lookup` on the UTF-16 export puts
/// each person's precinct on their own row.
#[test]
fn florida_voters_and_a_utf16_export_round_trip_through_lookup() {
    let wd = Workdir::new();
    let florida = layout::by_name("florida").unwrap();
    let col = |name: &str| florida.columns.iter().position(|c| c == name).unwrap();
    let mut voters = String::new();
    let mut export = String::from("Email\tFirst\tLast\tAddressLine1\tCity\tZip/Postal\tPhone\r\n");
    for (i, p) in PEOPLE.iter().enumerate() {
        let mut row = vec![String::new(); florida.columns.len()];
        row[col("Name First")] = p.first.to_string();
        row[col("Name Last")] = p.last.to_string();
        row[col("Residence Address Line 1")] = format!("{} {} ST", p.house, p.street);
        row[col("Residence Zipcode")] = p.zip.to_string();
        row[col("Mailing Address Line 1")] = "1 PO BOX".into();
        row[col("Mailing Zipcode")] = "99999".into();
        row[col("Birth Date")] = birth("florida", p);
        row[col("Precinct")] = format!("P-{i}");
        voters.push_str(&row.join("\t"));
        voters.push('\n');
        export.push_str(&format!(
            "m{i}@example.org\t{}\t{}\t{} {} St\tDetroit\t{}\t\r\n",
            p.first.to_lowercase(),
            p.last,
            p.house,
            p.street,
            p.zip
        ));
    }
    wd.write("voters.txt", &voters);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(export.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    wd.write("members.tsv", utf16);
    wd.hash(
        "voters.txt",
        "v.csv",
        "voters",
        &[
            "--kind", "voters", "--layout", "florida", "--keep", "Precinct",
        ],
    );
    wd.hash("members.tsv", "m.csv", "union", &[]);
    wd.run(&[
        "merge", "--match", "exact", "m.csv", "--voters", "v.csv", "-o", "out",
    ]);
    wd.run(&[
        "lookup",
        "--key",
        "k.key",
        "--input",
        "members.tsv",
        "--matches",
        "out/orgs/union.csv",
        "-o",
        "joined.csv",
    ]);
    let mut reader = csv::Reader::from_path(wd.path("joined.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), PEOPLE.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            &row[at("Email")],
            format!("m{i}@example.org"),
            "UTF-8 output"
        );
        // Ann Lee has no street, and matches on name + zip.
        assert_eq!(&row[at("voter_status")], "matched", "row {i}");
        assert_eq!(&row[at("Precinct")], format!("P-{i}"), "row {i}");
    }
}
