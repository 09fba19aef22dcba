use std::collections::{BTreeSet, HashMap, HashSet};

use blindmatch::demo::DemoConfig;
use serde_json::Value;

use crate::consortium::{Consortium, Model, lookup_args};
use crate::workdir::{Hashed, Workdir};

fn small() -> DemoConfig {
    DemoConfig {
        orgs: 4,
        members: 600,
        voters: 4_000,
        seed: 5,
        dirt: 0.3,
    }
}

fn tiny() -> DemoConfig {
    DemoConfig {
        members: 100,
        voters: 500,
        ..small()
    }
}

fn merge_args<'a>(c: &'a Consortium, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["merge"];
    args.extend(c.org_files());
    args.extend([
        "--voters",
        c.voters.as_str(),
        "-o",
        "out",
        "--match",
        "exact",
    ]);
    args.extend_from_slice(extra);
    args
}

fn summary(wd: &Workdir) -> Value {
    serde_json::from_slice(&wd.read("out/summary.json")).unwrap()
}

#[test]
fn every_summary_number_matches_a_brute_force_computation() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    let got = summary(&wd);
    let want = Model::build(&wd, &c, &[]).expected_summary();
    for field in [
        "people",
        "unusable",
        "orgs",
        "overlap",
        "exclusive",
        "lists",
        "intersections",
        "geography",
    ] {
        assert_eq!(got[field], want[field], "summary field {field}");
    }
    for field in ["matched", "ambiguous", "unmatched", "by_pass"] {
        assert_eq!(got["voter"][field], want["voter"][field], "voter.{field}");
    }
    assert_eq!(got["voter"]["voter_records"], 4_000);
    assert_eq!(got["spec"], 2);
    assert_eq!(got["round"], "test-round");
    // The data exercises what it should: duplicates, overlaps, ambiguity, unusable rows.
    let n = |v: &Value| v.as_u64().unwrap();
    assert!(n(&got["voter"]["ambiguous"]) >= 1);
    assert!(n(&got["voter"]["by_pass"]["name_zip"]) >= 5);
    assert!(n(&got["unusable"]) >= 1);
    assert!(got["lists"]["3"].as_u64().unwrap_or(0) > 0);
    let records: u64 = got["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| n(&o["records"]))
        .sum();
    assert!(
        n(&got["people"]) < records,
        "duplicates and overlaps collapse into people"
    );
}

#[test]
fn linking_on_phone_too_merges_more_records() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    let by_email = summary(&wd)["people"].as_u64().unwrap();
    wd.run(&merge_args(&c, &["--link-on", "email,phone", "--force"]));
    let by_both = summary(&wd)["people"].as_u64().unwrap();
    assert!(by_both < by_email, "{by_both} vs {by_email}");
}

#[test]
fn org_tables_hold_only_that_orgs_records() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    let model = Model::build(&wd, &c, &[]);
    for (label, file) in &c.orgs {
        let own = Hashed::parse(&wd.read(file));
        let table_bytes = wd.read(&format!("out/orgs/{label}.csv"));
        let table = Hashed::parse(&table_bytes);
        assert_eq!(
            table.rows.len(),
            own.rows.len(),
            "{label}: one row per record"
        );
        let own_tokens: HashSet<&String> = own.rows.iter().flat_map(|r| r[..5].iter()).collect();
        for row in &table.rows {
            for t in &row[..5] {
                assert!(
                    t.is_empty() || own_tokens.contains(t),
                    "{label} holds a token of another org"
                );
            }
        }
        // Nothing names another org.
        let text = String::from_utf8(table_bytes).unwrap();
        for other in model.labels.iter().filter(|l| *l != label) {
            assert!(
                !text.contains(other.as_str()),
                "{label}'s table names {other}"
            );
        }
        assert_eq!(table.meta("org"), *label);
        let lists = table.column("lists");
        assert!(lists.iter().all(|l| l.parse::<u32>().is_ok()));
    }
}

#[test]
fn per_record_status_agrees_with_the_model() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    let model = Model::build(&wd, &c, &[]);
    for (o, label) in model.labels.iter().enumerate() {
        let table = Hashed::parse(&wd.read(&format!("out/orgs/{label}.csv")));
        // Both files list the org's records in the same order.
        for (r, row) in table.rows.iter().enumerate() {
            assert_eq!(row[..5], model.records[o][r][..], "{label} row {r}");
            let status = &row[5];
            match model.person_of.get(&(o, r)) {
                None => assert_eq!(status, "unusable"),
                Some(&p) => {
                    assert_eq!(*status, model.status[p].0);
                    assert_eq!(row[6], model.status[p].1);
                    assert_eq!(row[row.len() - 3], model.person_orgs[p].len().to_string());
                    if let Some(geo) = &model.geo[p] {
                        assert_eq!(row[7..7 + geo.len()], geo[..]);
                    }
                }
            }
        }
    }
    let consortium = Hashed::parse(&wd.read("out/consortium.csv"));
    assert_eq!(consortium.rows.len(), model.person_orgs.len());
}

#[test]
fn mismatched_inputs_are_refused_and_nothing_is_written() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, tiny());
    let first = c.orgs[0].0.clone();
    let export = c.data.orgs[0].export.to_str().unwrap().to_string();
    // Another key.
    wd.run(&["keygen", "-o", "other.key"]);
    wd.run(&[
        "hash",
        "--key",
        "other.key",
        "--org",
        "rogue",
        "--round",
        "test-round",
        &export,
        "-o",
        "rogue.csv",
    ]);
    // Another round.
    wd.run(&[
        "hash",
        "--key",
        "k.key",
        "--org",
        "late",
        "--round",
        "other-round",
        &export,
        "-o",
        "late.csv",
    ]);
    // The same label twice.
    wd.run(&[
        "hash",
        "--key",
        "k.key",
        "--org",
        &first,
        "--round",
        "test-round",
        &export,
        "-o",
        "twin.csv",
    ]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["rogue.csv"], "key"),
        (vec!["late.csv"], "round"),
        (vec!["twin.csv"], "label"),
        (vec![c.voters.as_str()], "voters file"),
    ];
    for (extra, why) in cases {
        let mut args = merge_args(&c, &[]);
        args.splice(1..1, extra.iter().copied());
        let err = wd.fail(&args);
        assert!(err.contains(why), "{why}: {err}");
        assert!(!wd.path("out").exists(), "{why}: something was written");
    }
    let err = wd.fail(&[
        "merge",
        "--match",
        "exact",
        c.orgs[0].1.as_str(),
        "--voters",
        c.orgs[1].1.as_str(),
        "-o",
        "out",
    ]);
    assert!(err.contains("expected a voters file"), "{err}");
    assert!(!wd.path("out").exists());
    let names: Vec<String> = std::fs::read_dir(wd.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".blindmatch")),
        "{names:?}"
    );
}

#[test]
fn an_existing_output_directory_needs_force() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, tiny());
    wd.run(&merge_args(&c, &[]));
    let err = wd.fail(&merge_args(&c, &[]));
    assert!(err.contains("--force"), "{err}");
    wd.run(&merge_args(&c, &["--force"]));
    let manifest: Value = serde_json::from_slice(&wd.read("out/manifest.json")).unwrap();
    for entry in manifest["outputs"].as_array().unwrap() {
        use sha2::Digest;
        let bytes = wd.read(&format!("out/{}", entry["file"].as_str().unwrap()));
        assert_eq!(entry["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
        assert_eq!(entry["bytes"], bytes.len());
    }
    assert_eq!(
        manifest["inputs"].as_array().unwrap().len(),
        c.orgs.len() + 1
    );
}

#[test]
fn outputs_do_not_depend_on_argument_order_or_threads() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    let mut args = merge_args(
        &c,
        &["--suppress", "optouts.hashed.csv", "--assign", "random:3"],
    );
    wd.run(&args);
    let a = wd.all_files_under("out");
    args[1..1 + c.orgs.len()].reverse();
    let mut one = vec!["-j", "1"];
    one.extend(args.iter().copied());
    one.push("--force");
    wd.run(&one);
    let b = wd.all_files_under("out");
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs", pa.display());
    }
}

#[test]
fn report_suppresses_small_cells_and_what_they_imply() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    let out = wd.run(&["report", "out", "--min-cell", "50", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let exact = summary(&wd);
    let mut hidden = 0;
    for section in doc["sections"].as_array().unwrap() {
        for row in section["rows"].as_array().unwrap() {
            for (key, value) in row.as_object().unwrap() {
                if let Some(n) = value.as_u64() {
                    if !key.contains('%') && key != "orgs" {
                        assert!(n >= 50, "{} / {key} shows {n}", section["title"]);
                    }
                }
                if key.ends_with("_suppressed") {
                    hidden += 1;
                }
            }
        }
    }
    assert!(hidden > 0);
    // The lists histogram never has exactly one hidden bucket next to a visible total.
    let lists = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "People by number of lists")
        .unwrap();
    let hidden_buckets = lists["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["people"].is_null())
        .count();
    assert_ne!(hidden_buckets, 1);
    // The same for the voter outcomes (matched + ambiguous + unmatched = people).
    let voter = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Voter file")
        .unwrap();
    let hidden_outcomes = voter["rows"].as_array().unwrap()[..3]
        .iter()
        .filter(|r| r["people"].is_null())
        .count();
    assert_ne!(hidden_outcomes, 1);
    assert!(exact["voter"]["ambiguous"].as_u64().unwrap() < 50);
    // Every format renders; the table shows <50 for small counts.
    for format in ["table", "csv", "markdown"] {
        let out = wd.run(&["report", "out", "--min-cell", "50", "--format", format]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("<50"), "{format}");
    }
}

#[test]
fn lookup_appends_the_right_district_to_the_right_row() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    // ActionKit exports carry the person id, which is the voter file's voter_reg_num.
    let org = &c.data.orgs[0];
    assert_eq!(org.style, blindmatch::synth::CrmStyle::ActionKit);
    let truth: HashMap<u64, String> = std::fs::read_to_string(&c.data.voter_file)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].parse().unwrap(), f[10].to_string())
        })
        .collect();
    let export = org.export.to_str().unwrap();
    let matches = format!("out/orgs/{}.csv", org.label);
    wd.run(&lookup_args("k.key", export, &matches, &["-o", "all.csv"]));
    let mut reader = csv::Reader::from_path(wd.path("all.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (id, status, key, precinct) = (
        col("id"),
        col("voter_status"),
        col("match_key"),
        col("precinct_abbrv"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        rows.len(),
        org.rows - rows.iter().filter(|r| &r[col("contact")] == "no").count()
    );
    let (mut checked, mut agree) = (0, 0);
    let mut per_precinct: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        assert_ne!(&r[status], "not_in_matches");
        if &r[status] != "matched" {
            continue;
        }
        *per_precinct.entry(r[precinct].to_string()).or_default() += 1;
        let person: u64 = r[id].parse().unwrap();
        let Some(real) = truth.get(&person) else {
            continue;
        };
        checked += 1;
        if &r[key] != "name_zip" {
            assert_eq!(
                &r[precinct], real,
                "row of person {person} got another person's precinct"
            );
        }
        agree += usize::from(&r[precinct] == real);
    }
    assert!(
        checked > 300 && agree * 100 >= checked * 97,
        "{agree}/{checked}"
    );
    // --where keeps exactly that district's rows.
    let (value, n) = per_precinct.iter().max_by_key(|(_, n)| **n).unwrap();
    let filter = format!("precinct_abbrv={value}");
    wd.run(&lookup_args(
        "k.key",
        export,
        &matches,
        &["--where", &filter, "-o", "one.csv"],
    ));
    let one: Vec<csv::StringRecord> = csv::Reader::from_path(wd.path("one.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(one.len(), *n);
    assert!(one.iter().all(|r| &r[precinct] == value));
    let none = wd.run(&lookup_args(
        "k.key",
        export,
        &matches,
        &["--where", "precinct_abbrv=P-NONE", "-o", "none.csv"],
    ));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no row has precinct_abbrv=P-NONE"));
}

#[test]
fn lookup_refuses_a_table_from_another_key() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, tiny());
    wd.run(&merge_args(&c, &[]));
    wd.run(&["keygen", "-o", "other.key"]);
    let export = c.data.orgs[0].export.to_str().unwrap();
    let matches = format!("out/orgs/{}.csv", c.data.orgs[0].label);
    let err = wd.fail(&lookup_args(
        "other.key",
        export,
        &matches,
        &["-o", "t.csv"],
    ));
    assert!(
        err.contains("another key") || err.contains("under key"),
        "{err}"
    );
    assert!(!wd.path("t.csv").exists());
    let err = wd.fail(&lookup_args(
        "k.key",
        export,
        c.voters.as_str(),
        &["-o", "t.csv"],
    ));
    assert!(err.contains("match table"), "{err}");
}

#[test]
fn no_plaintext_reaches_the_coordinator_outputs() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    let merged = wd.run(&merge_args(
        &c,
        &["--suppress", "optouts.hashed.csv", "--assign", "balanced"],
    ));
    let report = wd.run(&["report", "out", "--min-cell", "1"]);
    // Every identifier value of every export, six characters or longer.
    let mut canaries: BTreeSet<String> = BTreeSet::new();
    for org in &c.data.orgs {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(org.style.delimiter())
            .from_path(&org.export)
            .unwrap();
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_lowercase)
            .collect();
        for row in reader.records() {
            for (h, v) in header.iter().zip(row.unwrap().iter()) {
                let v = v.trim().to_lowercase();
                if v.len() >= 6
                    && !h.contains("city")
                    && !h.contains("state")
                    && h != "id"
                    && h != "vanid"
                {
                    canaries.insert(v);
                }
            }
        }
    }
    assert!(canaries.len() > 1000);
    let mut texts: Vec<(String, String)> = wd
        .all_files_under("out")
        .into_iter()
        .map(|(p, b)| {
            (
                p.display().to_string(),
                String::from_utf8_lossy(&b).to_lowercase(),
            )
        })
        .collect();
    for (what, out) in [("merge", &merged), ("report", &report)] {
        texts.push((
            format!("{what} stdout"),
            String::from_utf8_lossy(&out.stdout).to_lowercase(),
        ));
        texts.push((
            format!("{what} stderr"),
            String::from_utf8_lossy(&out.stderr).to_lowercase(),
        ));
    }
    for (what, text) in &texts {
        for canary in &canaries {
            assert!(
                !text.contains(canary.as_str()),
                "{what} contains an input value"
            );
        }
    }
}

#[test]
fn the_demo_runs_end_to_end() {
    let wd = Workdir::new();
    let out = wd.run(&[
        "demo",
        "--dir",
        "d",
        "--members",
        "300",
        "--voters",
        "3000",
        "--seed",
        "9",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    for step in [
        "== 1.",
        "== 2.",
        "== 3.",
        "== 4.",
        "== 5.",
        "== 6.",
        "Overlap",
        "Matched people by",
    ] {
        assert!(text.contains(step), "{step}\n{text}");
    }
    assert!(wd.path("d/round1/summary.json").exists());
    // The page is written beside the other outputs, and its path printed.
    assert!(text.contains("d/report.html"), "{text}");
    assert!(
        wd.read_string("d/report.html")
            .starts_with("<!DOCTYPE html>")
    );
    // Re-running replaces its own directory.
    wd.run(&[
        "demo",
        "--dir",
        "d",
        "--members",
        "300",
        "--voters",
        "3000",
        "--seed",
        "9",
    ]);
    // But never a directory it did not make.
    wd.write("mine/keep.txt", "precious");
    let err = wd.fail(&["demo", "--dir", "mine"]);
    assert!(err.contains("not a demo directory"), "{err}");
    assert_eq!(wd.read("mine/keep.txt"), b"precious");
}

#[test]
fn nested_districts_do_not_reveal_small_precincts() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, small());
    wd.run(&merge_args(&c, &[]));
    let s = summary(&wd);
    let nest = &s["nesting"]["precinct_abbrv"]["nc_house_abbrv"];
    assert!(
        nest.as_object().is_some_and(|m| m.len() > 10),
        "precincts nest in house districts"
    );
    assert!(
        s["nesting"]["nc_house_abbrv"]["precinct_abbrv"].is_null(),
        "not the other way"
    );
    let out = wd.run(&["report", "out", "--min-cell", "25", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let section = |column: &str| -> HashMap<String, Value> {
        let title = format!("Matched people by {column}");
        doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["title"] == title.as_str())
            .unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[column].as_str().unwrap().to_string(), r.clone()))
            .collect()
    };
    let precincts = section("precinct_abbrv");
    let districts = section("nc_house_abbrv");
    let mut kids: HashMap<String, Vec<String>> = HashMap::new();
    for (p, d) in nest.as_object().unwrap() {
        kids.entry(d.as_str().unwrap().to_string())
            .or_default()
            .push(p.clone());
    }
    let mut checked = 0;
    for (district, children) in &kids {
        for column in ["people", "on 1 list", "on 2", "on 3+"] {
            if districts[district][column].is_null() {
                continue;
            }
            let hidden = children
                .iter()
                .filter(|p| precincts[*p][column].is_null())
                .count();
            assert_ne!(
                hidden, 1,
                "{district} {column}: one hidden precinct is derivable"
            );
            checked += 1;
        }
    }
    assert!(checked > 10);
    let any_hidden = precincts.values().any(|r| r["on 3+"].is_null());
    assert!(any_hidden, "the threshold bites");
}

#[test]
fn corrupted_hashed_files_are_refused_clearly() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, tiny());
    let good = wd.read_string(&c.orgs[0].1);
    let first_token = good
        .lines()
        .find(|l| !l.starts_with('#') && l.len() > 64 && !l.starts_with("email"))
        .unwrap();
    let data_lines = good.lines().filter(|l| !l.starts_with('#')).count() - 1;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "bad-token",
            good.replacen(&first_token[..10], "ZZZZZZZZZZ", 1)
                .into_bytes(),
            "not 64 lowercase hex",
        ),
        (
            "truncated",
            {
                let keep: Vec<&str> = good
                    .lines()
                    .take(good.lines().count() - data_lines / 2)
                    .collect();
                (keep.join("\n") + "\n").into_bytes()
            },
            "metadata says",
        ),
        (
            "no-rows-line",
            good.lines()
                .filter(|l| !l.starts_with("# rows"))
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes(),
            "'rows'",
        ),
        (
            "junk",
            vec![0xff, 0xfe, 0x00, 0x01, b'\n', b'#'],
            "not a blindmatch hashed file",
        ),
        (
            "plain-csv",
            b"email,zip\na@b.org,10001\n".to_vec(),
            "not a blindmatch hashed file",
        ),
    ];
    for (name, bytes, why) in cases {
        let file = format!("{name}.csv");
        wd.write(&file, &bytes);
        let mut args = vec!["merge", "--match", "exact", file.as_str()];
        args.extend(c.org_files().into_iter().skip(1));
        args.extend(["-o", "out"]);
        let err = wd.fail(&args);
        assert!(err.contains(why) && err.contains(&file), "{name}: {err}");
        assert!(!wd.path("out").exists(), "{name}");
    }
}
