//! `merge --match fuzzy` end to end: generated people with nicknames, typos, moves and
//! households (experiments/fuzzy/synth.py) are hashed, merged and looked up, and the matches
//! are checked against the truth; spec 1 files are refused; records with spec 2 tokens only
//! find their row back in `lookup`.

use std::collections::HashMap;
use std::process::Command;

use serde_json::Value;

use crate::workdir::Workdir;

const ORG_FLAGS: [&str; 18] = [
    "--first-col",
    "first_name",
    "--middle-col",
    "middle_name",
    "--last-col",
    "last_name",
    "--address-col",
    "address",
    "--city-col",
    "city",
    "--zip-col",
    "zip",
    "--dob-col",
    "dob",
    "--phone-col",
    "phone",
    "--email-col",
    "email",
];

const VOTER_FLAGS: [&str; 16] = [
    "--first-col",
    "first_name",
    "--middle-col",
    "middle_name",
    "--last-col",
    "last_name",
    "--address-col",
    "res_street_address",
    "--city-col",
    "res_city_desc",
    "--zip-col",
    "zip_code",
    "--phone-col",
    "full_phone_number",
    "--dob-col",
    "birth_date",
];

/// Writes `voters.csv` (with a `truth_ref` column naming the person) and `org.csv` (with a
/// `person` column) from the generator of experiments/fuzzy.
fn generate(wd: &Workdir, voters: usize, org: usize, seed: u32) {
    let script = format!(
        r#"
import csv, sys
sys.path.insert(0, {dir:?})
import synth
_, voters, a, _ = synth.build({voters}, {seed}, {org}, "crm")
def write(path, rows, fields):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
write("voters.csv", [dict(v, truth_ref="t%d" % v["person"]) for v in voters],
      list(voters[0].keys()) + ["truth_ref"])
write("org.csv", a, list(a[0].keys()))
"#,
        dir = concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/fuzzy"),
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .current_dir(wd.dir())
        .output()
        .expect("python3 is needed by this test (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn rows(wd: &Workdir, name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(wd.path(name)).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// (precision, recall, matched) of a lookup output against the truth.
fn score(wd: &Workdir, looked_up: &str, registered: &[String]) -> (f64, f64, usize) {
    let out = rows(wd, looked_up);
    let matchable = out
        .iter()
        .filter(|r| registered.contains(&format!("t{}", r["person"])))
        .count();
    let matched: Vec<_> = out
        .iter()
        .filter(|r| r["voter_status"] == "matched")
        .collect();
    let right = matched
        .iter()
        .filter(|r| r["truth_ref"] == format!("t{}", r["person"]))
        .count();
    (
        right as f64 / matched.len().max(1) as f64,
        right as f64 / matchable.max(1) as f64,
        matched.len(),
    )
}

fn merge_and_lookup(wd: &Workdir, mode: &str) -> (f64, f64, usize) {
    let dir = format!("out-{mode}");
    wd.run(&[
        "merge",
        "org.hashed.csv",
        "--voters",
        "voters.hashed.csv",
        "--match",
        mode,
        "-o",
        &dir,
    ]);
    let table = format!("{dir}/orgs/org.csv");
    let target = format!("looked-up-{mode}.csv");
    let mut args = vec![
        "lookup",
        "--key",
        "k.key",
        "--input",
        "org.csv",
        "--matches",
        &table,
        "-o",
        &target,
    ];
    args.extend(ORG_FLAGS);
    wd.run(&args);
    let registered: Vec<String> = rows(wd, "voters.csv")
        .into_iter()
        .map(|r| r["truth_ref"].clone())
        .collect();
    score(wd, &target, &registered)
}

#[test]
fn fuzzy_merge_finds_people_exact_passes_miss_without_losing_precision() {
    let wd = Workdir::new();
    generate(&wd, 6000, 800, 5);
    let mut args = vec![
        "voters.csv",
        "-o",
        "voters.hashed.csv",
        "--kind",
        "voters",
        "--keep",
        "truth_ref",
    ];
    args.extend(VOTER_FLAGS);
    wd.hash(args[0], args[2], "voters", &args[3..]);
    wd.hash("org.csv", "org.hashed.csv", "org", &ORG_FLAGS);

    let (p_exact, r_exact, _) = merge_and_lookup(&wd, "exact");
    let (p_fuzzy, r_fuzzy, matched) = merge_and_lookup(&wd, "fuzzy");
    assert!(
        r_fuzzy >= r_exact + 0.05,
        "fuzzy recall {r_fuzzy:.4} vs exact {r_exact:.4}"
    );
    assert!(p_fuzzy >= 0.95, "fuzzy precision {p_fuzzy:.4}");
    assert!(p_fuzzy >= p_exact - 0.02, "{p_fuzzy:.4} vs {p_exact:.4}");

    // The org table says how each record was matched, and how sure the match is.
    let table = rows(&wd, "looked-up-fuzzy.csv");
    for r in table.iter().filter(|r| r["voter_status"] == "matched") {
        assert_eq!(r["match_key"], "fuzzy");
        let s: f64 = r["match_score"].parse().unwrap();
        assert!((0.5..=1.0).contains(&s), "{s}");
    }
    assert!(
        table
            .iter()
            .filter(|r| r["voter_status"] != "matched")
            .all(|r| r["match_score"].is_empty())
    );
    // summary.json: the bands sum to the people matched, one pass named fuzzy.
    let summary: Value = serde_json::from_slice(&wd.read("out-fuzzy/summary.json")).unwrap();
    let v = &summary["voter"];
    let bands = &v["bands"];
    let sum: u64 = ["high", "medium", "low"]
        .iter()
        .map(|b| bands[b].as_u64().unwrap())
        .sum();
    assert_eq!(sum, v["matched"].as_u64().unwrap());
    assert_eq!(v["by_pass"]["fuzzy"], v["matched"]);
    assert_eq!(summary["matching"], "fuzzy");
    assert!(matched as u64 >= v["matched"].as_u64().unwrap());
    // The exact merge's summary is as before: no bands, no matching field.
    let exact: Value = serde_json::from_slice(&wd.read("out-exact/summary.json")).unwrap();
    assert!(exact.get("matching").is_none() && exact["voter"].get("bands").is_none());

    // The report shows the bands, suppressed like every count.
    let report = wd.run(&["report", "out-fuzzy", "--min-cell", "1"]);
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(text.contains("matched, posterior >= 0.99"), "{text}");
    assert!(
        text.contains(&bands["high"].as_u64().unwrap().to_string()),
        "{text}"
    );
}

#[test]
fn spec_1_files_are_refused_by_fuzzy_merge_and_read_by_exact() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        "email,first_name,last_name,zip\na@x.org,Ann,Lee,27601\nb@x.org,Bo,Ray,27601\n",
    );
    wd.hash("m.csv", "m2.csv", "org", &[]);
    // The same file as version 1 wrote it: five token columns, spec 1.
    let text = wd.read_string("m2.csv");
    let mut v1 = String::new();
    for line in text.lines() {
        if line.starts_with("# spec:") {
            v1.push_str("# spec: 1\n");
        } else if let Some(tokens) = line.strip_prefix("# tokens: ") {
            let five: Vec<&str> = tokens.split(' ').take(5).collect();
            v1.push_str(&format!("# tokens: {}\n", five.join(" ")));
        } else if line.starts_with('#') {
            v1.push_str(line);
            v1.push('\n');
        } else {
            let cells: Vec<&str> = line.split(',').take(5).collect();
            v1.push_str(&cells.join(","));
            v1.push('\n');
        }
    }
    wd.write("m1.csv", v1);
    let err = wd.fail(&["merge", "m1.csv", "-o", "out"]);
    assert!(
        err.contains("m1.csv") && err.contains("spec version 1") && err.contains("--match exact"),
        "{err}"
    );
    assert!(!wd.path("out").exists());
    wd.run(&["merge", "m1.csv", "--match", "exact", "-o", "out"]);
    let summary: Value = serde_json::from_slice(&wd.read("out/summary.json")).unwrap();
    assert_eq!(summary["people"], 2);
}

#[test]
fn lookup_finds_records_that_have_spec_2_tokens_only() {
    let wd = Workdir::new();
    // No zip, email or phone: no v1 token at all, but names, street and city give v2 tokens.
    let members = "first_name,last_name,address,city\n\
                   Ann,Lee,12 Oak St,Raleigh\n\
                   Bob,Ray,40 Elm Ave,Durham\n\
                   ,,,\n";
    wd.write("m.csv", members);
    wd.hash("m.csv", "m.hashed.csv", "org", &[]);
    wd.write(
        "v.csv",
        "first_name,last_name,address,city,zip,precinct\n\
         ANN,LEE,12 OAK STREET,RALEIGH,27601,P-1\n\
         CARL,DIX,9 PINE RD,CARY,27511,P-2\n",
    );
    wd.hash(
        "v.csv",
        "v.hashed.csv",
        "voters",
        &["--kind", "voters", "--keep", "precinct"],
    );
    wd.run(&[
        "merge",
        "m.hashed.csv",
        "--voters",
        "v.hashed.csv",
        "-o",
        "out",
    ]);
    wd.run(&[
        "lookup",
        "--key",
        "k.key",
        "--input",
        "m.csv",
        "--matches",
        "out/orgs/org.csv",
        "-o",
        "back.csv",
    ]);
    let back = rows(&wd, "back.csv");
    // Each record found its own row (not the first row without v1 tokens for both): Ann is
    // matched to her voter record, with its precinct; Bob, not on the voter file, is not.
    assert_eq!(back[0]["first_name"], "Ann");
    assert_eq!(back[0]["voter_status"], "matched");
    assert_eq!(back[0]["precinct"], "P-1");
    assert_eq!(back[1]["first_name"], "Bob");
    assert_eq!(back[1]["voter_status"], "unmatched");
    assert_eq!(back[1]["precinct"], "");
    let summary: Value = serde_json::from_slice(&wd.read("out/summary.json")).unwrap();
    assert_eq!(summary["people"], 2);
    assert_eq!(summary["unusable"], 1);
}

/// One org holds a person under two emails, another under the second only, with other names
/// and zip: with every email of a record hashed (email_any), fuzzy merge counts one person and
/// an opt-out by the second email reaches the first org's record; the exact passes read v1's
/// single email (the first valid one) and count two.
#[test]
fn a_second_email_column_links_people_and_carries_opt_outs() {
    let wd = Workdir::new();
    // `email_2` is found by its name, as a further email of the record.
    wd.write(
        "a.csv",
        "email,email_2,cell,home_phone,first_name,last_name,zip\n\
         ann@home.org,ann.lee@work.org,,,Ann,Lee,27601\n\
         ,carl@home.org,919-555-0111,919-555-0122,Carl,Dix,27511\n",
    );
    wd.write(
        "b.csv",
        "email,first_name,last_name,zip\nann.lee@work.org,Annie,Leigh-Smith,90210\n",
    );
    wd.write(
        "optouts.csv",
        "email,phone\nANN.LEE@work.org,\n,(919) 555-0122\n",
    );
    let report = wd.hash("a.csv", "a.hashed.csv", "a", &[]);
    assert!(report.contains("'email'; 'email_2'"), "{report}");
    wd.hash("b.csv", "b.hashed.csv", "b", &[]);
    wd.hash(
        "optouts.csv",
        "o.hashed.csv",
        "optouts",
        &["--kind", "suppression"],
    );
    let a = crate::workdir::Hashed::parse(&wd.read("a.hashed.csv"));
    // Ann: two emails in email_any, v1's email from the first column; Carl: v1's email from
    // the second column, his first being empty.
    let any = a.v2_column("email_any");
    assert_eq!(any[0].split(' ').count(), 2);
    assert_eq!(any[1].split(' ').count(), 1);
    assert!(a.tokens("email").iter().all(|t| t.len() == 64));
    assert_eq!(a.tokens("email").len(), 2);

    let people = |mode: &str, extra: &[&str]| {
        let out = format!("out-{mode}-{}", extra.len());
        let mut args = vec!["merge", "a.hashed.csv", "--match", mode];
        if !extra.contains(&"alone") {
            args.insert(2, "b.hashed.csv");
        }
        let extra: Vec<&str> = extra.iter().copied().filter(|&e| e != "alone").collect();
        args.extend_from_slice(&extra);
        args.extend(["-o", out.as_str()]);
        wd.run(&args);
        let summary: Value =
            serde_json::from_slice(&wd.read(&format!("{out}/summary.json"))).unwrap();
        (summary["people"].clone(), summary["suppressed"].clone())
    };
    assert_eq!(people("fuzzy", &[]), (2.into(), 0.into()));
    assert_eq!(people("exact", &[]), (3.into(), 0.into()));
    // The opt-outs name Ann's second email and Carl's second phone. On a's file alone only
    // their every-value tokens meet them: fuzzy suppresses both, exact neither.
    let alone = ["--suppress", "o.hashed.csv", "alone"];
    assert_eq!(people("fuzzy", &alone), (2.into(), 2.into()));
    assert_eq!(people("exact", &alone), (2.into(), 0.into()));
    // With b, whose v1 email is the opted-out address: exact suppresses b's record only.
    let suppress = ["--suppress", "o.hashed.csv"];
    assert_eq!(people("fuzzy", &suppress), (2.into(), 2.into()));
    assert_eq!(people("exact", &suppress), (3.into(), 1.into()));
}

/// Email and phone flags may be given once per column; other roles once; an email is never
/// joined from several columns.
#[test]
fn several_email_and_phone_flags_and_their_limits() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        "e1,e2,cell,home,first,last,zip\na@x.org,b@x.org,650-555-0100,650-555-0101,Ann,Lee,27601\n",
    );
    let report = wd.hash(
        "m.csv",
        "h.csv",
        "o",
        &[
            "--email-col",
            "e1",
            "--email-col",
            "e2",
            "--phone-col",
            "cell",
            "--phone-col",
            "home",
            "--first-col",
            "first",
            "--last-col",
            "last",
        ],
    );
    assert!(report.contains("'cell'; 'home'"), "{report}");
    let h = crate::workdir::Hashed::parse(&wd.read("h.csv"));
    assert_eq!(h.v2_column("phone_any")[0].split(' ').count(), 2);
    assert_eq!(h.v2_column("email_any")[0].split(' ').count(), 2);
    let twice = wd.fail(&wd.hash_args(
        "o",
        &[
            "--first-col",
            "first",
            "--first-col",
            "last",
            "m.csv",
            "-o",
            "x.csv",
        ],
    ));
    assert!(
        twice.contains("--first-col") && twice.contains("multiple times"),
        "{twice}"
    );
    let joined = wd.fail(&wd.hash_args("o", &["--email-col", "e1,e2", "m.csv", "-o", "x.csv"]));
    assert!(joined.contains("give --email-col again"), "{joined}");
    assert!(!wd.path("x.csv").exists());
}

/// Merges `files` (and `extra` arguments) in `mode` into `out-{mode}`; returns summary.json
/// and stderr.
fn merge_summary(wd: &Workdir, files: &[&str], mode: &str, extra: &[&str]) -> (Value, String) {
    let out = format!("out-{mode}");
    let mut args = vec!["merge"];
    args.extend_from_slice(files);
    args.extend_from_slice(&["--match", mode, "-o", &out, "--force"]);
    args.extend_from_slice(extra);
    let stderr = String::from_utf8_lossy(&wd.run(&args).stderr).to_string();
    let summary = serde_json::from_slice(&wd.read(&format!("{out}/summary.json"))).unwrap();
    (summary, stderr)
}

/// A placeholder email that a required field forces into CRMs joins no two people in fuzzy
/// mode (exact mode, unchanged, makes one person of them), whether it is a record's first
/// email or its second; copies of one record holding it stay one person; an opt-out holding
/// it reaches no one; a record with nothing else is unusable; the coordinator is told,
/// without the value.
#[test]
fn a_placeholder_email_links_no_one() {
    let wd = Workdir::new();
    let firsts = [
        "Ann", "Bo", "Carl", "Dee", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo",
    ];
    let lasts = [
        "Lee", "Ng", "Dix", "Orr", "Roe", "Poe", "Kaye", "Vance", "Ives", "Tull",
    ];
    let header = "email,email_2,first_name,last_name,zip\n";
    let person =
        |i: usize, emails: &str, zip: &str| format!("{emails},{},{},{zip}\n", firsts[i], lasts[i]);
    let mut a = String::from(header);
    (0..6).for_each(|i| a.push_str(&person(i, "none@none.com,", &format!("276{i:02}"))));
    // two copies of Ann's row, as an export of event sign-ups repeats a person
    a.push_str("none@none.com,,Ann,Lee,27600\nNone@None.com,,Ann,Lee,27600\n");
    // the placeholder second, after an own address
    (6..8).for_each(|i| a.push_str(&person(i, &format!("p{i}@x.org,none@none.com"), "27700")));
    let mut b = String::from(header);
    (8..10).for_each(|i| b.push_str(&person(i, "NONE@none.com,", &format!("9{i:04}"))));
    b.push_str("none@none.com,,Zed,Quist,10001\nnone@none.com,,,,\n");
    wd.write("a.csv", a);
    wd.write("b.csv", b);
    wd.write("optouts.csv", "email\nnone@none.com\np9@x.org\n");
    wd.hash("a.csv", "a.hashed.csv", "a", &[]);
    wd.hash("b.csv", "b.hashed.csv", "b", &[]);
    let optouts = ["--kind", "suppression"];
    wd.hash("optouts.csv", "o.hashed.csv", "optouts", &optouts);
    let files = ["a.hashed.csv", "b.hashed.csv"];
    let suppress = ["--suppress", "o.hashed.csv"];
    let (fuzzy, stderr) = merge_summary(&wd, &files, "fuzzy", &suppress);
    assert_eq!(fuzzy["people"], 11, "{fuzzy}");
    assert_eq!(fuzzy["unusable"], 1, "{fuzzy}");
    assert_eq!(
        fuzzy["lists"]["2"],
        Value::Null,
        "no one is on both lists: {fuzzy}"
    );
    assert_eq!(
        fuzzy["suppressed"], 0,
        "the placeholder opts no one out: {fuzzy}"
    );
    let common = &fuzzy["common_contacts"];
    assert_eq!(common["records"], 14, "{common}");
    assert_eq!(common["max_holders"], 10);
    assert_eq!(common["kinds"]["email_any"], 1);
    assert_eq!(
        common["opt_outs_not_applied"], 2,
        "v1's and email_any's: {common}"
    );
    assert!(
        stderr.contains("14 member records hold an email or phone"),
        "{stderr}"
    );
    assert!(!stderr.to_lowercase().contains("none@none"), "{stderr}");
    let (exact, _) = merge_summary(&wd, &files, "exact", &suppress);
    assert_eq!(
        exact["people"], 3,
        "exact mode links on the email as before: {exact}"
    );
    assert_eq!(exact["suppressed"], 1, "{exact}");
    assert_eq!(exact.get("common_contacts"), None);
}

/// Two people of one household who share an email stay two people in fuzzy mode (their first
/// names differ); the same person on the other list, with that email, joins one of them.
#[test]
fn a_family_email_keeps_two_people() {
    let wd = Workdir::new();
    wd.write(
        "a.csv",
        "email,first_name,last_name,address,zip\n\
         smiths@home.org,John,Smith,12 Oak St,27601\n\
         smiths@home.org,Mary,Smith,12 Oak St,27601\n\
         k.dix@x.org,Kim,Dix,9 Elm St,27603\n",
    );
    wd.write(
        "b.csv",
        "email,first_name,last_name,address,zip\nsmiths@home.org,Johnny,Smith,12 Oak Street,27601\n",
    );
    wd.hash("a.csv", "a.hashed.csv", "a", &[]);
    wd.hash("b.csv", "b.hashed.csv", "b", &[]);
    let people = |mode: &str| {
        let (summary, _) = merge_summary(&wd, &["a.hashed.csv", "b.hashed.csv"], mode, &[]);
        (summary["people"].clone(), summary["lists"]["2"].clone())
    };
    assert_eq!(people("fuzzy"), (3.into(), 1.into()));
    assert_eq!(people("exact"), (2.into(), 1.into()));
}
