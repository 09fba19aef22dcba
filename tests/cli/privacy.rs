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
];

fn fixture() -> String {
    "Email,FirstName,LastName,AddressLine1,Zip5,Phone,DOB,Notes\n\
     Quillfeather.Zanzibar@Example.org,Xylophonia,Brumblewick,7788 Zephyr Lane,02139,(650) 555-0142,1961-02-03,ok\n\
     Q.Z.Canary+tag@GMail.com,Vorpalina,Grzmotek,7788 Zephyr Lane,2139,6505550142,1961-02-03,ok\n\
     not-an-email-canary,Xylophonia,Brumblewick,Zephyr,9,CANARYPHONE-123,Zephyr,bad\n\
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
