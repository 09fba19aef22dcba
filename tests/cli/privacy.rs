//! The canary: distinctive input values must appear in no output file and no output stream,
//! in any form (as given, lowercased, or normalized), whatever the command and its outcome.

use crate::workdir::Workdir;

/// Every value in the fixture, plus the normalized forms the spec would produce.
const CANARIES: &[&str] = &[
    "Quillfeather.Zanzibar@Example.org",
    "quillfeather.zanzibar@example.org",
    "qzcanary@gmail.com",
    "Q.Z.Canary+tag@GMail.com",
    "(650) 555-0142",
    "6505550142",
    "+16505550142",
    "Xylophonia",
    "xylophonia",
    "Brumblewick",
    "brumblewick",
    "7788 Zephyr Lane",
    "Zephyr",
    "1961-02-03",
    "xylophonia|brumblewick",
    "not-an-email-canary",
    "CANARYPHONE-123",
    "Vorpalina",
    "vorpalina",
    "Grzmotek",
    // Spec v2 fields and their encodings: middle name, city, street, NYSIIS codes, sorted
    // name pairs.
    "Quazimodo",
    "Snorkelburg Heights",
    "snorkelburgheights",
    "zephyrln",
    "xylafa",
    "branbl",
    "varpal",
    "grsnat",
    "brumblewick|xylophonia",
    "branbl|xylafa",
    // A second email and a second phone column (email_any, phone_any).
    "Secondfeather.Yonder@Example.org",
    "secondfeather.yonder@example.org",
    "(415) 555-0177",
    "4155550177",
    "+14155550177",
];

fn fixture() -> String {
    "Email,FirstName,LastName,AddressLine1,Zip5,Phone,DOB,Notes,MiddleName,City,Email 2,Mobile Phone\n\
     Quillfeather.Zanzibar@Example.org,Xylophonia,Brumblewick,7788 Zephyr Lane,02139,(650) 555-0142,1961-02-03,ok,Quazimodo,Snorkelburg Heights,Secondfeather.Yonder@Example.org,(415) 555-0177\n\
     Q.Z.Canary+tag@GMail.com,Vorpalina,Grzmotek,7788 Zephyr Lane,2139,6505550142,1961-02-03,ok,Quazimodo,Snorkelburg Heights,,\n\
     not-an-email-canary,Xylophonia,Brumblewick,Zephyr,9,CANARYPHONE-123,Zephyr,bad,Quazimodo,Snorkelburg Heights,not-an-email-canary,CANARYPHONE-123\n\
     ragged,Vorpalina\n"
        .to_string()
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    for canary in CANARIES {
        assert!(
            !text.contains(&canary.to_lowercase()),
            "{what} contains the input value {canary:?}"
        );
    }
}

#[test]
fn no_input_value_appears_in_any_output_or_stream() {
    let wd = Workdir::new();
    wd.write("members.csv", fixture());
    let mut streams = Vec::new();
    let runs: Vec<Vec<&str>> = vec![
        wd.hash_args("o", &["members.csv", "-o", "h.csv", "--report-invalid"]),
        wd.hash_args("o", &["members.csv", "-o", "h.csv"]), // exists
        wd.hash_args(
            "o",
            &[
                "--kind",
                "voters",
                "--keep",
                "Notes",
                "members.csv",
                "-o",
                "v.csv",
            ],
        ),
        wd.hash_args(
            "o",
            &[
                "--keep",
                "Email",
                "--kind",
                "voters",
                "members.csv",
                "-o",
                "x.csv",
            ],
        ),
        wd.hash_args("o", &["--email-col", "Nope", "members.csv", "-o", "x.csv"]),
        vec![
            "hash",
            "--key",
            "members.csv",
            "--org",
            "o",
            "members.csv",
            "-o",
            "x.csv",
        ],
        vec!["fingerprint", "members.csv"],
    ];
    crate::workdir::set_mode(&wd.path("members.csv"), 0o600);
    for args in &runs {
        let out = wd.output(args);
        streams.push((format!("{args:?} stdout"), out.stdout));
        streams.push((format!("{args:?} stderr"), out.stderr));
    }
    // The key file loaded as members.csv must fail without echoing its lines.
    assert!(String::from_utf8_lossy(&streams[11].1).contains("line 1"));
    for (what, bytes) in &streams {
        assert!(
            !String::from_utf8_lossy(bytes).contains("panicked"),
            "{what}"
        );
        assert_clean(what, bytes);
    }
    for (path, bytes) in wd.all_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "members.csv" || name == "k.key" {
            continue;
        }
        assert_clean(&name, &bytes);
    }
    // The canary test itself can fail: the fixture really holds the canaries.
    assert!(std::panic::catch_unwind(|| assert_clean("fixture", fixture().as_bytes())).is_err());
}

/// Values only the encoded fixtures hold: non-ASCII, so Windows-1252 and UTF-16 differ from
/// UTF-8 on their bytes (plus their normalized forms).
const ENCODED_CANARIES: &[&str] = &[
    "Zéphyrïne.Quöll@Example.org",
    "zéphyrïne.quöll@example.org",
    "Zéphyrïne",
    "zephyrine",
    "Ößwald-Brümblé",
    "oßwaldbrumble",
    "Brümblé",
    "9931 Château Érablière",
    "Érablière",
];

/// The canary fixture plus a row of non-ASCII values, tab-delimited (as UTF-16 exports are).
fn fixture_with_accents() -> String {
    let mut s = fixture().replace(',', "\t");
    s.push_str(
        "Zéphyrïne.Quöll@Example.org\tZéphyrïne\tÖßwald-Brümblé\t9931 Château Érablière\t\
         02139\t(650) 555-0142\t1961-02-03\tok\tQuazimodo\tSnorkelburg Heights\n",
    );
    s
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect()
}

/// Bytes as text in every encoding an input may have had: a value echoed in its original
/// encoding is a leak too.
fn readings(bytes: &[u8]) -> Vec<String> {
    let utf8 = String::from_utf8_lossy(bytes).to_string();
    let others = [
        encoding_rs::WINDOWS_1252,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_16BE,
    ]
    .map(|e| e.decode_without_bom_handling(bytes).0.to_string());
    std::iter::once(utf8)
        .chain(others)
        .map(|t| t.to_lowercase())
        .collect()
}

fn assert_clean_in_any_encoding(what: &str, bytes: &[u8]) {
    let texts = readings(bytes);
    for canary in CANARIES.iter().chain(ENCODED_CANARIES) {
        let canary = canary.to_lowercase();
        assert!(
            texts.iter().all(|t| !t.contains(&canary)),
            "{what} contains the input value {canary:?}"
        );
    }
}

#[test]
fn no_input_value_appears_when_the_input_is_windows_1252_or_utf16() {
    let text = fixture_with_accents();
    for (input, bytes, encoding) in [
        ("members-1252.txt", windows_1252(&text), "windows-1252"),
        ("members-utf16.txt", utf16le_with_bom(&text), "utf-16le"),
    ] {
        let wd = Workdir::new();
        wd.write(input, &bytes);
        crate::workdir::set_mode(&wd.path(input), 0o600);
        let runs: Vec<Vec<&str>> = vec![
            wd.hash_args("o", &[input, "-o", "h.csv", "--report-invalid"]),
            wd.hash_args("o", &[input, "-o", "h.csv"]), // exists
            wd.hash_args(
                "o",
                &[
                    input,
                    "-o",
                    "e.csv",
                    "--encoding",
                    encoding,
                    "--report-invalid",
                ],
            ),
            wd.hash_args(
                "o",
                &["--kind", "voters", "--keep", "Notes", input, "-o", "v.csv"],
            ),
            wd.hash_args(
                "o",
                &["--keep", "Email", "--kind", "voters", input, "-o", "x.csv"],
            ),
            wd.hash_args("o", &["--email-col", "Nope", input, "-o", "x.csv"]),
            wd.hash_args(
                "o",
                &[
                    "--layout",
                    "florida",
                    input,
                    "-o",
                    "f.csv",
                    "--report-invalid",
                ],
            ),
            vec!["hash", "--key", input, "--org", "o", input, "-o", "x.csv"],
            vec!["fingerprint", input],
        ];
        for args in &runs {
            let out = wd.output(args);
            for (stream, bytes) in [("stdout", out.stdout), ("stderr", out.stderr)] {
                let what = format!("{input}: {args:?} {stream}");
                assert!(
                    !String::from_utf8_lossy(&bytes).contains("panicked"),
                    "{what}"
                );
                assert_clean_in_any_encoding(&what, &bytes);
            }
        }
        for (path, bytes) in wd.all_files() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name == input || name == "k.key" {
                continue;
            }
            assert_clean_in_any_encoding(&format!("{input}: {name}"), &bytes);
        }
        // The check itself can fail: the encoded fixture really holds the canaries.
        assert!(
            std::panic::catch_unwind(|| assert_clean_in_any_encoding("fixture", &bytes)).is_err()
        );
        // ... including the non-ASCII ones, which only a reading in the input's encoding finds.
        let texts = readings(&bytes);
        for canary in ["zéphyrïne", "ößwald-brümblé", "érablière"] {
            assert!(!texts[0].contains(canary), "{input}: not UTF-8 text");
            assert!(
                texts.iter().any(|t| t.contains(canary)),
                "{input}: {canary}"
            );
        }
    }
}

/// The canary fixture with a volunteer column (one value neither yes nor no, itself a
/// canary), and a voter file of the same people with a precinct.
fn fixture_with_volunteers() -> (String, String) {
    let values = ["Volunteer", "yes", "x", "Zorblaxian"];
    let mut members = String::new();
    for (i, line) in fixture().lines().enumerate() {
        members.push_str(line);
        if let Some(v) = values.get(i) {
            members.push(',');
            members.push_str(v);
        }
        members.push('\n');
    }
    let mut voters = String::new();
    for (i, line) in fixture().lines().take(3).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let precinct = if i == 0 { "Precinct" } else { "P-7" };
        voters.push_str(&format!("{},{precinct}\n", fields[..7].join(",")));
    }
    (members, voters)
}

#[test]
fn no_input_value_appears_with_messengers() {
    let wd = Workdir::new();
    let (members, voters) = fixture_with_volunteers();
    wd.write("members.csv", members);
    wd.write("voters.csv", voters);
    let flag = ["--messenger-col", "Volunteer", "--report-invalid"];
    let runs: Vec<Vec<&str>> = vec![
        wd.hash_args("o", &[&["members.csv", "-o", "m.csv"][..], &flag].concat()),
        wd.hash_args(
            "voters",
            &[
                "voters.csv",
                "--kind",
                "voters",
                "--keep",
                "Precinct",
                "-o",
                "v.csv",
            ],
        ),
        wd.hash_args(
            "o",
            &["members.csv", "-o", "x.csv", "--messenger-col", "Email"],
        ),
        wd.hash_args(
            "o",
            &["members.csv", "-o", "x.csv", "--messenger-col", "Nope"],
        ),
        vec![
            "merge",
            "--match",
            "exact",
            "m.csv",
            "--voters",
            "v.csv",
            "--assign",
            "balanced",
            "--messenger-by",
            "Precinct",
            "-o",
            "out",
        ],
        vec!["report", "out", "--min-cell", "1"],
        vec!["report", "out", "--min-cell", "1", "--format", "json"],
        vec![
            "lookup",
            "--key",
            "k.key",
            "--input",
            "members.csv",
            "--matches",
            "out/orgs/o.csv",
            "-o",
            "looked.csv",
        ],
        // Fuzzy matching (the default): its tables, scores and bands carry no value either.
        vec!["merge", "m.csv", "--voters", "v.csv", "-o", "out-fuzzy"],
        vec!["report", "out-fuzzy", "--min-cell", "1"],
        vec![
            "report",
            "out-fuzzy",
            "--format",
            "html",
            "-o",
            "fuzzy.html",
        ],
        vec![
            "lookup",
            "--key",
            "k.key",
            "--input",
            "members.csv",
            "--matches",
            "out-fuzzy/orgs/o.csv",
            "-o",
            "looked-fuzzy.csv",
        ],
    ];
    let mut streams = Vec::new();
    for args in &runs {
        let out = wd.output(args);
        streams.push((format!("{args:?} stdout"), out.stdout));
        streams.push((format!("{args:?} stderr"), out.stderr));
    }
    let unclear = String::from_utf8_lossy(&streams[1].1).to_string();
    assert!(
        unclear.contains("unclear messenger cell at rows: 4"),
        "{unclear}"
    );
    let check = |what: &str, bytes: &[u8]| {
        assert_clean(what, bytes);
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        assert!(
            !text.contains("zorblaxian"),
            "{what} contains the volunteer value"
        );
        assert!(!text.contains("panicked"), "{what}");
    };
    for (what, bytes) in &streams {
        check(what, bytes);
    }
    for (path, bytes) in wd.all_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // The inputs, the key, and lookup's output (the org's own list, on its machine).
        if [
            "members.csv",
            "voters.csv",
            "k.key",
            "looked.csv",
            "looked-fuzzy.csv",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        check(&name, &bytes);
    }
    // The messengers were chosen: each of the two volunteers writes to the other, the
    // table names them by row only, and only lookup's output names them.
    let table = crate::workdir::Hashed::parse(&wd.read("out/orgs/o.csv"));
    let mut rows = table.column("messenger");
    rows.retain(|m| !m.is_empty());
    rows.sort();
    assert_eq!(rows.len(), 2, "{:?}", table.header);
    assert!(rows.iter().all(|r| r.parse::<usize>().is_ok()));
    let looked = wd.read_string("looked.csv");
    assert!(looked.contains("Vorpalina,Grzmotek"), "{looked}");
    assert!(looked.contains("Xylophonia,Brumblewick,Quillfeather.Zanzibar@Example.org"));
}
