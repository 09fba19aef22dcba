use blindmatch::hash::{HashOptions, HashPlan};
use blindmatch::progress::NoProgress;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::{OrgLabel, Round};
use blindmatch::spec::token::{Kind, TokenKeys};

use crate::workdir::{Hashed, TEST_KEY_HEX, Workdir};

fn keys() -> TokenKeys {
    let key: [u8; 32] = hex::decode(TEST_KEY_HEX).unwrap().try_into().unwrap();
    TokenKeys::derive(&ConsortiumKey::from_bytes(key), &Round::none())
}

fn token(kind: Kind, normalized: &str) -> String {
    keys().token_string(kind, normalized)
}

/// The same two people, exported by five systems with each system's quirks.
fn exports() -> Vec<(&'static str, Vec<u8>)> {
    let actionkit = "id,email,first_name,last_name,address1,address2,city,state,zip,phone\n\
        1,Jane.Doe+ak@gmail.com,Jane,Doe,12 Main St,,Cambridge,MA,2139,650-555-1212\n\
        2,luis@example.org,Luis,Ramírez,400 Oak Ave,,Oakland,CA,94610,(415) 555-0199\n";
    let action_network = "email,first_name,last_name,zip_code,can2_phone,can2_user_address\n\
        JANEDOE@GMAIL.COM,JANE,DOE,02139-4321,+1 (650) 555-1212,12 Main Street\n\
        LUIS@example.org,luis,RAMIREZ,94610,1-415-555-0199,400 Oak Ave\n";
    let mut van = b"\xEF\xBB\xBF".to_vec();
    van.extend_from_slice(
        "VANID\tEmail\tFirstName\tLastName\tAddressLine1\tZip5\tPhone\tDOB\r\n\
         101\t jane.doe@gmail.com \tJane\tDoe\t12 Main St\t02139\t6505551212\t1/2/1980\r\n\
         102\tluis@example.org\tLuis\tRamírez Jr.\t400 Oak Ave\t94610\t415.555.0199\t1975-03-04\r\n"
            .as_bytes(),
    );
    let salsa = "\"Email Address\",\"First Name\",\"Last Name\",\"Street Address\",\"Zip/Postal Code\",\"Cell Phone\"\r\n\
        \"j.a.n.e.doe@gmail.com\",\"Jane\",\"Doe\",\"12 Main St\nApt 4, rear\",\"2139.0\",\"650.555.1212 x22\"\r\n\
        \"luis@example.org\",\"Luis\",\"Ramirez\",\"400 Oak Ave, Unit \"\"B\"\"\",\"94610\",\"415 555 0199\"\r\n";
    let nc = "county_desc\tvoter_reg_num\tlast_name\tfirst_name\tres_street_address\tzip_code\tfull_phone_number\tbirth_year\tprecinct_abbrv\tcong_dist_abbrv\n\
        MIDDLESEX\t000001\tDOE\tJANE\t12  MAIN ST\t02139\t6505551212\t1980\tP-07\t7\n\
        ALAMEDA\t000002\tRAMIREZ\tLUIS\t400 OAK AVE\t94610\t4155550199\t1975\tP-12\t13\n";
    vec![
        ("actionkit.csv", actionkit.as_bytes().to_vec()),
        ("action_network.csv", action_network.as_bytes().to_vec()),
        ("van.tsv", van),
        ("salsa.csv", salsa.as_bytes().to_vec()),
        ("ncvoter.tsv", nc.as_bytes().to_vec()),
    ]
}

#[test]
fn every_crm_style_yields_the_same_tokens_for_the_same_people() {
    let wd = Workdir::new();
    let jane_email = token(Kind::Email, "janedoe@gmail.com");
    let jane_phone = token(Kind::Phone, "+16505551212");
    let jane_name_zip = token(Kind::NameZip, "jane|doe|02139");
    let jane_name_addr = token(Kind::NameAddr, "jane|doe|12|02139");
    let jane_yob = token(Kind::NameYobZip, "jane|doe|1980|02139");
    let luis_email = token(Kind::Email, "luis@example.org");
    let luis_phone = token(Kind::Phone, "+14155550199");
    let luis_name_zip = token(Kind::NameZip, "luis|ramirez|94610");
    for (name, bytes) in exports() {
        wd.write(name, &bytes);
        let out = format!("{name}.hashed.csv");
        let stderr = wd.hash(name, &out, "org", &[]);
        let h = Hashed::parse(&wd.read(&out));
        assert_eq!(h.rows.len(), 2, "{name}: {stderr}");
        assert_eq!(h.meta("rows"), "2");
        let phones = h.tokens("phone");
        assert!(
            phones.contains(&jane_phone) && phones.contains(&luis_phone),
            "{name}: {stderr}"
        );
        let name_zips = h.tokens("name_zip");
        assert!(name_zips.contains(&jane_name_zip), "{name}");
        assert!(name_zips.contains(&luis_name_zip), "{name}");
        assert!(h.tokens("name_addr").contains(&jane_name_addr), "{name}");
        if name != "ncvoter.tsv" {
            let emails = h.tokens("email");
            assert_eq!(emails.len(), 2, "{name}");
            assert!(
                emails.contains(&jane_email) && emails.contains(&luis_email),
                "{name}"
            );
        }
        if name == "van.tsv" || name == "ncvoter.tsv" {
            assert!(h.tokens("name_yob_zip").contains(&jane_yob), "{name}");
        }
    }
}

#[test]
fn the_columns_used_are_reported() {
    let wd = Workdir::new();
    let (name, bytes) = exports().remove(3);
    wd.write(name, bytes);
    let stderr = wd.hash(name, "o.csv", "org", &[]);
    assert!(stderr.contains("<- 'Zip/Postal Code'"), "{stderr}");
    assert!(stderr.contains("<- 'Cell Phone'"), "{stderr}");
    assert!(stderr.contains("layout: Salsa"), "{stderr}");
    // A file of no known layout: found by names; a mailing-only address and an age are
    // used and ignored respectively, with a warning each, naming columns and never values.
    wd.write(
        "other.csv",
        "E-mail,Given Name,Surname,Mailing Street,Mailing Zip,Age\nx@y.org,Ann,Lee,1 Elm,02139,44\n",
    );
    let stderr = wd.hash("other.csv", "p.csv", "org", &[]);
    assert!(stderr.contains("not a known one"), "{stderr}");
    assert!(stderr.contains("<- 'Mailing Street'"), "{stderr}");
    assert!(
        stderr.contains("'Mailing Street', a mailing/billing column"),
        "{stderr}"
    );
    assert!(stderr.contains("column 'Age' is an age"), "{stderr}");
    // The age value never appears (the timing line's figures are left out: "44 rows/s").
    let untimed: String = stderr
        .lines()
        .filter(|l| !l.contains("rows/s"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !untimed.contains("Elm") && !untimed.contains("44"),
        "{stderr}"
    );
    assert!(stderr.contains("--dob-col"), "{stderr}");
}

#[test]
fn phone_formats_agree() {
    let wd = Workdir::new();
    let formats = [
        "(650) 555-1212",
        "650-555-1212",
        "650.555.1212",
        "6505551212",
        "1 650 555 1212",
        "+1-650-555-1212",
        "+1 (650) 555-1212 ext. 7",
        "650 555 1212 x 99",
        "011 1 650 555 1212",
        "\"650, 555, 1212\"",
    ];
    wd.write("p.csv", format!("phone\n{}\n", formats.join("\n")));
    wd.hash("p.csv", "o.csv", "org", &[]);
    let h = Hashed::parse(&wd.read("o.csv"));
    let phones = h.tokens("phone");
    assert_eq!(phones.len(), formats.len());
    assert!(
        phones
            .iter()
            .all(|p| *p == token(Kind::Phone, "+16505551212"))
    );
}

#[test]
fn gmail_variants_and_short_zips_agree() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        "email,first_name,last_name,zip\n\
         Jane.Doe@gmail.com,Jane,Doe,2139\n\
         janedoe+news@GMAIL.com,jane,doe,02139\n\
         J.A.N.E.D.O.E+x+y@gmail.com,JANE,DOE,02139-0001\n\
         jane.doe@example.com,Jane,Doe,021390001\n",
    );
    wd.hash("m.csv", "o.csv", "org", &[]);
    let h = Hashed::parse(&wd.read("o.csv"));
    let emails = h.column("email");
    let gmail = token(Kind::Email, "janedoe@gmail.com");
    assert_eq!(emails.iter().filter(|e| **e == gmail).count(), 3);
    assert!(emails.contains(&token(Kind::Email, "jane.doe@example.com")));
    let nz = h.tokens("name_zip");
    assert_eq!(nz.len(), 4);
    assert!(
        nz.iter()
            .all(|t| *t == token(Kind::NameZip, "jane|doe|02139"))
    );
}

#[test]
fn output_order_does_not_follow_input_order() {
    let wd = Workdir::new();
    let rows: Vec<String> = (0..300)
        .map(|i| format!("member{i}@example.org,First{},Last,{:05}", i % 7, 10000 + i))
        .collect();
    wd.write(
        "a.csv",
        format!("email,first_name,last_name,zip\n{}\n", rows.join("\n")),
    );
    let mut reversed = rows.clone();
    reversed.reverse();
    wd.write(
        "b.csv",
        format!("email,first_name,last_name,zip\n{}\n", reversed.join("\n")),
    );
    wd.hash("a.csv", "a.hashed", "org", &[]);
    wd.hash("b.csv", "b.hashed", "org", &[]);
    assert_eq!(wd.read("a.hashed"), wd.read("b.hashed"));
    // And the rows are not in input order: the first input row's token is not first.
    let h = Hashed::parse(&wd.read("a.hashed"));
    let emails = h.column("email");
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    assert_ne!(emails[0], token(Kind::Email, "member0@example.org"));
}

fn big_export(rows: usize) -> String {
    let mut s = String::from("email,phone,first_name,last_name,address1,zip,dob\n");
    for i in 0..rows {
        s.push_str(&format!(
            "p{i}@example.org,(212) 555-{:04},Ann{},Lee,{} Elm St,{:05},19{:02}-01-02\n",
            i % 10_000,
            i % 50,
            i % 900 + 1,
            10_000 + i % 500,
            i % 100
        ));
    }
    s
}

#[test]
fn one_thread_and_many_threads_write_identical_files() {
    let wd = Workdir::new();
    // More rows than one read chunk, so several chunks and sub-chunks run in parallel.
    wd.write("big.csv", big_export(70_000));
    let key = wd.fixed_key();
    for (j, out) in [("1", "one.csv"), ("4", "four.csv")] {
        wd.run(&[
            "-j", j, "-q", "hash", "--key", key, "--org", "o", "big.csv", "-o", out,
        ]);
    }
    assert_eq!(wd.read("one.csv"), wd.read("four.csv"));
    let h = Hashed::parse(&wd.read("one.csv"));
    assert_eq!(h.rows.len(), 70_000);
    assert_eq!(h.tokens("email").len(), 70_000);
}

#[test]
fn spilling_to_disk_gives_the_same_file() {
    let wd = Workdir::new();
    wd.write("big.csv", big_export(5_000));
    let key = ConsortiumKey::from_bytes(hex::decode(TEST_KEY_HEX).unwrap().try_into().unwrap());
    let run = |out: &str, budget: usize| {
        let mut opts = HashOptions::new(
            &wd.path("big.csv"),
            &wd.path(out),
            OrgLabel::new("o").unwrap(),
        );
        opts.memory_budget = budget;
        HashPlan::new(opts).unwrap().run(&key, &NoProgress).unwrap()
    };
    let report = run("mem.csv", 1 << 30);
    run("spill.csv", 8 << 10);
    assert_eq!(report.rows, 5_000);
    assert_eq!(wd.read("mem.csv"), wd.read("spill.csv"));
    // No scratch files are left behind.
    let names: Vec<_> = std::fs::read_dir(wd.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn outputs_are_never_overwritten_without_force() {
    let wd = Workdir::new();
    wd.write("m.csv", "email\na@b.org\n");
    wd.write("o.csv", "precious");
    let err = wd.fail(&wd.hash_args("x", &["m.csv", "-o", "o.csv"]));
    assert!(err.contains("--force"), "{err}");
    assert_eq!(wd.read("o.csv"), b"precious");
    wd.run(&wd.hash_args("x", &["m.csv", "-o", "o.csv", "--force"]));
    assert!(
        wd.read_string("o.csv")
            .starts_with("# blindmatch hashed file")
    );
}

#[test]
fn metadata_describes_the_file() {
    let wd = Workdir::new();
    wd.write("m.csv", "email,phone\na@b.org,\n,6505551212\nbad,\n");
    let key = wd.fixed_key();
    wd.run(&wd.hash_args("union-1", &["--round", "r-2026", "m.csv", "-o", "o.csv"]));
    let h = Hashed::parse(&wd.read("o.csv"));
    assert_eq!(h.meta("spec"), "2");
    assert_eq!(h.meta("kind"), "members");
    assert_eq!(h.meta("org"), "union-1");
    assert_eq!(h.meta("round"), "r-2026");
    assert_eq!(h.meta("rows"), "3");
    assert!(
        h.meta("tokens")
            .starts_with("email=1 phone=1 name_zip=0 name_addr=0 name_yob_zip=0 "),
        "v1 kinds first, then the v2 kinds"
    );
    let fp = wd.run(&["fingerprint", key]);
    assert_eq!(
        h.meta("key_fingerprint"),
        String::from_utf8(fp.stdout).unwrap().trim()
    );
    assert_eq!(
        h.header,
        ["email", "phone", "name_zip", "name_addr", "name_yob_zip"]
    );
    // Tokens of another round differ.
    let r = keys().token_string(Kind::Email, "a@b.org");
    assert!(!h.tokens("email").contains(&r));
}

#[test]
fn bad_rows_are_counted_and_reported_by_number() {
    let wd = Workdir::new();
    let mut bytes = b"email,first_name,last_name,zip\n".to_vec();
    bytes.extend_from_slice("ok@example.org,Zoë,Lee,10001\n".as_bytes()); // row 2: UTF-8
    bytes.extend_from_slice(b"not-an-email,Ann,Lee,10001\n"); // row 3: invalid email
    bytes.extend_from_slice(b"x@example.org,Ann\n"); // row 4: ragged
    bytes.extend_from_slice(b"caf\xe9@example.org,Ann,Lee,ZIPPY\n"); // row 5: latin-1 byte
    bytes.extend_from_slice(b",,,\n"); // row 6: nothing
    wd.write("m.csv", &bytes);
    let stderr = wd.hash("m.csv", "o.csv", "org", &["--report-invalid"]);
    let h = Hashed::parse(&wd.read("o.csv"));
    assert_eq!(h.rows.len(), 5, "one output row per input row");
    assert!(stderr.contains("email invalid at rows: 3, 5"), "{stderr}");
    assert!(stderr.contains("name_zip invalid at rows: 5"), "{stderr}");
    assert!(
        stderr.contains("wrong number of fields at rows: 4"),
        "{stderr}"
    );
    assert!(stderr.contains("not UTF-8 at: row 5 column 1"), "{stderr}");
    assert!(stderr.contains("rows with no token: 3"), "{stderr}");
}

#[test]
fn unusable_inputs_fail_clearly() {
    let wd = Workdir::new();
    wd.write("empty.csv", "");
    let err = wd.fail(&wd.hash_args("x", &["empty.csv", "-o", "o.csv"]));
    assert!(err.contains("empty.csv") && err.contains("empty"), "{err}");
    wd.write("noid.csv", "city,state\nBoston,MA\n");
    let err = wd.fail(&wd.hash_args("x", &["noid.csv", "-o", "o.csv"]));
    assert!(
        err.contains("no identifier column") && err.contains("--email-col"),
        "{err}"
    );
    let err = wd.fail(&wd.hash_args("x", &["missing.csv", "-o", "o.csv"]));
    assert!(err.contains("missing.csv"), "{err}");
    let err = wd.fail(&wd.hash_args("../x", &["noid.csv", "-o", "o.csv"]));
    assert!(err.contains("org label"), "{err}");
    let err = wd.fail(&wd.hash_args("x", &["--round", "a b", "noid.csv", "-o", "o.csv"]));
    assert!(err.contains("round"), "{err}");
    assert!(!wd.path("o.csv").exists());
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "email\r\na@b.org\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    wd.write("unicode.txt", utf16);
    let stderr = wd.hash("unicode.txt", "u.csv", "x", &[]);
    assert!(stderr.contains("UTF-16LE (byte-order mark)"), "{stderr}");
    let h = Hashed::parse(&wd.read("u.csv"));
    let email = keys().token_string(Kind::Email, "a@b.org");
    assert_eq!(h.tokens("email"), [email], "UTF-16 is decoded, not refused");
    wd.write("header_only.csv", "email\n");
    let stderr = wd.hash("header_only.csv", "h.csv", "x", &[]);
    assert!(stderr.contains("no data rows"), "{stderr}");
    assert_eq!(Hashed::parse(&wd.read("h.csv")).rows.len(), 0);
}

#[test]
fn explicit_columns_override_detection() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        "email,Work E-mail\nold@example.org,new@example.org\n",
    );
    wd.hash("m.csv", "o.csv", "org", &["--email-col", "Work E-mail"]);
    let h = Hashed::parse(&wd.read("o.csv"));
    assert_eq!(h.tokens("email"), [token(Kind::Email, "new@example.org")]);
    let err = wd.fail(&wd.hash_args("o", &["m.csv", "-o", "p.csv", "--phone-col", "Mobile"]));
    assert!(
        err.contains("--phone-col") && err.contains("Mobile"),
        "{err}"
    );
}

#[test]
fn semicolon_files_and_explicit_delimiters() {
    let wd = Workdir::new();
    wd.write("m.txt", "email;zip\na@example.org;10001\n");
    wd.hash("m.txt", "o.csv", "org", &[]);
    assert_eq!(
        Hashed::parse(&wd.read("o.csv")).tokens("email"),
        [token(Kind::Email, "a@example.org")]
    );
    wd.write("p.txt", "email|zip\nb@example.org|10001\n");
    wd.hash("p.txt", "p.csv", "org", &["--delimiter", "|"]);
    assert_eq!(
        Hashed::parse(&wd.read("p.csv")).tokens("email"),
        [token(Kind::Email, "b@example.org")]
    );
}

#[test]
fn voter_files_keep_geography_and_nothing_else() {
    let wd = Workdir::new();
    let (_, nc) = exports().remove(4);
    wd.write("nc.tsv", nc);
    wd.hash(
        "nc.tsv",
        "v.csv",
        "voters",
        &[
            "--kind",
            "voters",
            "--keep",
            "precinct_abbrv,cong_dist_abbrv",
        ],
    );
    let text = wd.read_string("v.csv");
    let h = Hashed::parse(text.as_bytes());
    assert_eq!(h.meta("kind"), "voters");
    assert_eq!(&h.header[5..], ["precinct_abbrv", "cong_dist_abbrv"]);
    let mut precincts = h.column("precinct_abbrv");
    precincts.sort();
    assert_eq!(precincts, ["P-07", "P-12"]);
    for absent in ["MIDDLESEX", "000001", "DOE", "MAIN", "1980"] {
        assert!(!text.contains(absent), "{absent} leaked");
    }
}

#[test]
fn keeping_an_identifying_column_warns_and_identifiers_are_refused() {
    let wd = Workdir::new();
    let mut s = String::from("voter_reg_num,first_name,last_name,zip_code,precinct\n");
    for i in 0..200 {
        s.push_str(&format!("{i:06},Ann{i},Lee,{:05},P{}\n", 10000 + i, i % 4));
    }
    wd.write("v.csv", s);
    let stderr = wd.hash(
        "v.csv",
        "o.csv",
        "v",
        &["--kind", "voters", "--keep", "voter_reg_num,precinct"],
    );
    assert!(
        stderr.contains("'voter_reg_num'") && stderr.contains("identifies people"),
        "{stderr}"
    );
    assert!(!stderr.contains("'precinct' has"), "{stderr}");
    let err = wd.fail(&wd.hash_args(
        "v",
        &[
            "--kind",
            "voters",
            "--keep",
            "last_name",
            "v.csv",
            "-o",
            "p.csv",
        ],
    ));
    assert!(err.contains("identifiers are never copied"), "{err}");
    let err = wd.fail(&wd.hash_args("m", &["--keep", "precinct", "v.csv", "-o", "p.csv"]));
    assert!(err.contains("--kind voters"), "{err}");
}

#[test]
fn a_column_with_no_usable_value_is_pointed_out() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        "email,phone\na@example.org,020 7946 0958\nb@example.org,020 7946 0959\n",
    );
    let stderr = wd.hash("m.csv", "o.csv", "org", &[]);
    assert!(
        stderr.contains("no phone value could be used")
            && stderr.contains("--default-country-code"),
        "{stderr}"
    );
    let stderr = wd.hash("m.csv", "p.csv", "org", &["--default-country-code", "44"]);
    assert!(!stderr.contains("no phone value"), "{stderr}");
}

#[test]
fn suppression_files_are_marked() {
    let wd = Workdir::new();
    wd.write("u.csv", "Email Address\nstop@example.org\n");
    wd.hash("u.csv", "s.csv", "org", &["--kind", "suppression"]);
    assert_eq!(Hashed::parse(&wd.read("s.csv")).meta("kind"), "suppression");
}

#[test]
fn utf16_without_a_bom_and_control_characters_are_not_silent_garbage() {
    let wd = Workdir::new();
    let text = "email\tfirst_name\tlast_name\tzip\r\nann@example.org\tAnn\tLee\t02139\r\n";
    let no_bom: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    wd.write("plain.tsv", text);
    wd.write("nobom.tsv", no_bom);
    wd.hash("plain.tsv", "a.csv", "o", &[]);
    let stderr = wd.hash("nobom.tsv", "b.csv", "o", &[]);
    assert!(stderr.contains("UTF-16LE (detected"), "{stderr}");
    let (a, b) = (
        Hashed::parse(&wd.read("a.csv")),
        Hashed::parse(&wd.read("b.csv")),
    );
    assert_eq!(a.rows, b.rows, "read the same as UTF-8");
    assert_eq!(b.tokens("email").len(), 1);
    // A NUL or escape inside an identifier makes it invalid, counted as such.
    wd.write(
        "ctl.csv",
        b"email,first_name,last_name,zip\nann\0x@example.org,Ann,Lee,02139\nbo@example.org,B\x1bo,Lee,02139\n",
    );
    let stderr = wd.hash("ctl.csv", "c.csv", "o", &["--report-invalid"]);
    let c = Hashed::parse(&wd.read("c.csv"));
    assert_eq!(c.tokens("email").len(), 1, "{stderr}");
    assert_eq!(c.tokens("name_zip").len(), 1, "{stderr}");
    assert!(stderr.contains("email invalid at rows: 2"), "{stderr}");
    assert!(stderr.contains("name_zip invalid at rows: 3"), "{stderr}");
}

#[test]
fn force_never_replaces_an_input_of_the_same_run() {
    let wd = Workdir::new();
    let export = "email,zip\nann@example.org,02139\n";
    wd.write("members.csv", export);
    let err = wd.fail(&wd.hash_args("o", &["members.csv", "-o", "./members.csv", "--force"]));
    assert!(err.contains("also an input"), "{err}");
    assert_eq!(
        wd.read_string("members.csv"),
        export,
        "the export is untouched"
    );
    wd.hash("members.csv", "h.csv", "o", &[]);
    wd.run(&["merge", "--match", "exact", "h.csv", "-o", "out"]);
    std::fs::copy(wd.path("h.csv"), wd.path("out/h.csv")).unwrap();
    let err = wd.fail(&[
        "merge",
        "--match",
        "exact",
        "out/h.csv",
        "-o",
        "out",
        "--force",
    ]);
    assert!(err.contains("inside the output directory"), "{err}");
    assert!(wd.path("out/h.csv").exists());
}

#[test]
fn an_os_error_is_told_once() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path("adir")).unwrap();
    let err = wd.fail(&wd.hash_args("o", &["adir", "-o", "h.csv"]));
    assert!(err.contains("adir"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

/// Per kind (v1's five, then the v2 kinds), every row's cell split into tokens.
fn cells_by_kind(h: &Hashed) -> Vec<Vec<Vec<String>>> {
    let kinds = 5 + h.v2_header.len();
    (0..kinds)
        .map(|k| {
            h.rows
                .iter()
                .zip(&h.v2_rows)
                .map(|(v1, v2)| {
                    let cell = if k < 5 { &v1[k] } else { &v2[k - 5] };
                    cell.split(' ')
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn voter_files_drop_tokens_that_several_rows_share_and_members_keep_them() {
    let wd = Workdir::new();
    // Rows 1 and 2: one household (same address, last name, phone); rows 3 and 4 share last
    // name, zip and city, so multi-valued name_any_nysiis cells meet; row 5 alone.
    wd.write(
        "people.csv",
        "email,phone,first,last,zip,address,city,dob\n\
         a@x.org,650-555-0100,Ann,Lee,27601,12 Oak St,Raleigh,1970-01-02\n\
         b@x.org,650-555-0100,Ben,Lee,27601,12 Oak St,Raleigh,1972-03-04\n\
         c@x.org,,Bob,Kim,27601,9 Elm Ave,Raleigh,1980-05-06\n\
         d@x.org,,Robert,Kim,27601,14 Pine Rd,Raleigh,1981-07-08\n\
         e@x.org,650-555-0199,Zoe,Park,27502,3 Ash Ct,Apex,1990-09-10\n",
    );
    let cols = ["--city-col", "city"];
    wd.hash("people.csv", "m.csv", "o", &cols);
    wd.hash(
        "people.csv",
        "v.csv",
        "o",
        &[&cols[..], &["--kind", "voters"]].concat(),
    );
    let stderr = wd.hash(
        "people.csv",
        "v2.csv",
        "o",
        &[&cols[..], &["--kind", "voters"]].concat(),
    );
    let members = Hashed::parse(&wd.read("m.csv"));
    let voters = Hashed::parse(&wd.read("v.csv"));
    let names: Vec<String> = members.header[..5]
        .iter()
        .chain(&members.v2_header)
        .cloned()
        .collect();
    // What the rule predicts from the member file, which keeps every token.
    let m = cells_by_kind(&members);
    let v = cells_by_kind(&voters);
    let mut dropped_total = 0;
    let mut dropped_counts = Vec::new();
    let mut token_counts = Vec::new();
    for (k, rows) in m.iter().enumerate() {
        let mut seen = std::collections::HashMap::<&str, usize>::new();
        for cell in rows {
            for t in cell {
                *seen.entry(t).or_default() += 1;
            }
        }
        let shared: Vec<&str> = seen
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(t, _)| *t)
            .collect();
        dropped_total += shared.len();
        dropped_counts.push(format!("{}={}", names[k], shared.len()));
        // Member rows are in the same content order as voter rows, up to the drop: compare
        // as sorted sets of cells.
        let mut want: Vec<Vec<String>> = rows
            .iter()
            .map(|c| {
                c.iter()
                    .filter(|t| !shared.contains(&t.as_str()))
                    .cloned()
                    .collect()
            })
            .collect();
        let mut got = v[k].clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "kind {}", names[k]);
        token_counts.push(format!(
            "{}={}",
            names[k],
            got.iter().filter(|c| !c.is_empty()).count()
        ));
    }
    assert_eq!(voters.meta("dropped"), dropped_counts.join(" "));
    assert_eq!(voters.meta("tokens"), token_counts.join(" "));
    // The household's phone and the namesakes' nickname kinds are among them.
    let phone = voters.column("phone");
    assert_eq!(phone.iter().filter(|c| !c.is_empty()).count(), 1);
    assert!(voters.meta("dropped").starts_with("email=0 phone=1 "));
    assert!(dropped_total >= 10, "{dropped_total}");
    // Members keep every token.
    assert_eq!(
        members
            .column("phone")
            .iter()
            .filter(|c| !c.is_empty())
            .count(),
        3
    );
    assert!(members.meta.iter().all(|l| !l.starts_with("dropped")));
    assert!(
        stderr.contains(&format!(
            "dropped (voter file): {dropped_total} distinct tokens"
        )),
        "{stderr}"
    );
}
