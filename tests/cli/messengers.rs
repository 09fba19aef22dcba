//! Messengers end to end: `hash --messenger-col`, `merge --messenger-by`, the match tables'
//! `messenger` column, `lookup`'s messenger names and `report`, checked against the
//! brute-force model of merge (who is whom, where they live) recomputed from the files.

use std::collections::{HashMap, HashSet};

use blindmatch::demo::DemoConfig;
use blindmatch::spec::hashfile::FileKind;
use serde_json::Value;

use crate::consortium::{Consortium, Model, hash, lookup_args};
use crate::workdir::{Hashed, Workdir};

fn cfg() -> DemoConfig {
    DemoConfig {
        orgs: 4,
        members: 400,
        voters: 2_500,
        seed: 17,
        dirt: 0.3,
    }
}

const PRECINCT: usize = 0;
const HOUSE: usize = 2;

fn merge(wd: &Workdir, c: &Consortium, files: &[&str], out: &str, extra: &[&str]) -> Value {
    let mut all = vec![
        "--assign",
        "balanced",
        "--messenger-by",
        "precinct_abbrv",
        "--force",
    ];
    all.extend_from_slice(extra);
    c.merge_summary(wd, files, out, &all)
}

/// What the files say, per org (in label order): the messenger flag of each hashed row,
/// and the match table's `assigned` and `messenger` cells.
struct Tables {
    flags: Vec<Vec<bool>>,
    assigned: Vec<Vec<bool>>,
    messenger: Vec<Vec<Option<usize>>>,
}

fn tables(wd: &Workdir, c: &Consortium, model: &Model, out: &str) -> Tables {
    let mut sorted = c.orgs.clone();
    sorted.sort();
    let mut t = Tables {
        flags: Vec::new(),
        assigned: Vec::new(),
        messenger: Vec::new(),
    };
    for (label, file) in &sorted {
        let hashed = Hashed::parse(&wd.read(file));
        let flags = match hashed.header.iter().any(|h| h == "messenger") {
            true => hashed
                .column("messenger")
                .iter()
                .map(|f| f == "1")
                .collect(),
            false => vec![false; hashed.rows.len()],
        };
        let table = Hashed::parse(&wd.read(&format!("{out}/orgs/{label}.csv")));
        assert_eq!(table.header.last().unwrap(), "messenger");
        assert_eq!(table.rows.len(), flags.len());
        t.flags.push(flags);
        t.assigned.push(
            table
                .column("assigned")
                .iter()
                .map(|a| a == "yes")
                .collect(),
        );
        t.messenger.push(
            table
                .column("messenger")
                .iter()
                .map(|m| (!m.is_empty()).then(|| m.parse::<usize>().unwrap() - 1))
                .collect(),
        );
    }
    assert_eq!(t.flags.len(), model.labels.len());
    t
}

/// Checks every rule of the issue against the model; returns (people with a messenger,
/// with a local one, largest load).
fn check_rules(model: &Model, t: &Tables, cap: Option<usize>) -> (usize, usize, usize) {
    let matched = |p: usize| model.status[p].0 == "matched";
    let geo = |p: usize, c: usize| model.geo[p].as_ref().map(|g| g[c].clone());
    // Eligible messengers per org: flagged, matched, not opted out.
    let mut eligible: Vec<HashSet<usize>> = vec![HashSet::new(); model.labels.len()];
    for (o, flags) in t.flags.iter().enumerate() {
        for (r, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
            if let Some(&p) = model.person_of.get(&(o, r)) {
                if matched(p) && !model.suppressed[p] {
                    eligible[o].insert(p);
                }
            }
        }
    }
    // Each person's org and messenger, from every row of every table.
    let mut assigned_to: HashMap<usize, usize> = HashMap::new();
    let mut messenger_of: HashMap<usize, (usize, usize)> = HashMap::new();
    for (o, column) in t.messenger.iter().enumerate() {
        for (r, m) in column.iter().enumerate() {
            let Some(&p) = model.person_of.get(&(o, r)) else {
                assert!(m.is_none(), "an unusable record has a messenger");
                continue;
            };
            if t.assigned[o][r] {
                assigned_to.insert(p, o);
            }
            let Some(k) = *m else { continue };
            assert!(
                t.assigned[o][r],
                "a messenger for a person not assigned here"
            );
            assert!(t.flags[o][k], "the messenger's record is not flagged");
            let mp = model.person_of[&(o, k)];
            assert_ne!(mp, p, "a person is their own messenger");
            assert!(eligible[o].contains(&mp), "an ineligible messenger");
            assert!(matched(p), "a messenger for an unmatched person");
            let before = messenger_of.insert(p, (o, mp));
            assert!(before.is_none_or(|b| b == (o, mp)), "two messengers");
        }
    }
    let mut loads: HashMap<(usize, usize), usize> = HashMap::new();
    let mut local = 0;
    for (&p, &(o, mp)) in &messenger_of {
        assert_eq!(
            assigned_to.get(&p),
            Some(&o),
            "the messenger is of another org"
        );
        *loads.entry((o, mp)).or_default() += 1;
        if geo(p, PRECINCT) == geo(mp, PRECINCT) {
            local += 1;
        } else {
            assert_eq!(geo(p, HOUSE), geo(mp, HOUSE), "neither local nor enclosing");
        }
    }
    let largest = loads.values().copied().max().unwrap_or(0);
    assert!(cap.is_none_or(|c| largest <= c), "a load above the cap");
    let full = |o: usize, m: usize| cap.is_some_and(|c| loads.get(&(o, m)).copied() == Some(c));
    // Nobody falls back while a local messenger has room; nobody goes without while one in
    // the enclosing district has room.
    for (&p, &o) in assigned_to.iter().filter(|(p, _)| matched(**p)) {
        let here = |c: usize, m: usize| m != p && geo(m, c) == geo(p, c);
        let local_room = eligible[o]
            .iter()
            .any(|&m| here(PRECINCT, m) && !full(o, m));
        let any_room = eligible[o].iter().any(|&m| here(HOUSE, m) && !full(o, m));
        match messenger_of.get(&p) {
            Some(&(_, mp)) if geo(mp, PRECINCT) != geo(p, PRECINCT) => {
                assert!(!local_room, "fell back while a local messenger had room")
            }
            Some(_) => {}
            None => assert!(!any_room, "no messenger while one had room"),
        }
    }
    (messenger_of.len(), local, largest)
}

#[test]
fn every_messenger_is_of_the_assigned_org_close_by_and_not_the_person() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let model = Model::build(&wd, &c, &[c.optouts.as_str()]);
    for (out, cap) in [("free", None), ("capped", Some(3))] {
        let cap_text = cap.map(|c: usize| c.to_string());
        let extra: Vec<&str> = match &cap_text {
            Some(n) => vec!["--messenger-cap", n.as_str()],
            None => vec![],
        };
        let s = merge(&wd, &c, &c.org_files(), out, &extra);
        let m = &s["messengers"];
        assert_eq!(
            m["fallback"], "nc_house_abbrv",
            "precincts nest in house districts"
        );
        let t = tables(&wd, &c, &model, out);
        let (covered, local, largest) = check_rules(&model, &t, cap);
        let total = &m["total"];
        let n = |k: &str| total[k].as_u64().unwrap() as usize;
        assert_eq!(n("local") + n("enclosing"), covered, "{out}");
        assert_eq!(n("local"), local, "{out}");
        assert_eq!(n("largest_load"), largest, "{out}");
        assert_eq!(n("local") + n("enclosing") + n("none"), n("people"));
        // Small orgs over many precincts: both local and enclosing messengers occur.
        assert!(
            local > 50 && covered - local > 20,
            "{out}: {local} of {covered}"
        );
        if cap.is_some() {
            assert!(
                n("enclosing") > 0 && n("none") > 0,
                "the cap bites: {total}"
            );
        }
        // Per district and per org, the parts add up to the total.
        for key in ["per_org", "districts", "fallback_districts"] {
            let rows = m[key].as_object().unwrap();
            for field in ["messengers", "people", "local", "enclosing", "none"] {
                let sum: u64 = rows.values().map(|r| r[field].as_u64().unwrap()).sum();
                assert_eq!(sum, total[field].as_u64().unwrap(), "{key} {field}");
            }
        }
        // The org without volunteers has people and no messengers.
        assert_eq!(m["per_org"]["zz-extra"]["messengers"], 0);
    }
}

#[test]
fn messenger_outputs_are_byte_identical_across_runs_and_threads() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let files = c.org_files();
    merge(&wd, &c, &files, "a", &["--messenger-cap", "4"]);
    let first = wd.all_files_under("a");
    for threads in ["1", "3"] {
        merge(
            &wd,
            &c,
            &files,
            "a",
            &["--messenger-cap", "4", "-j", threads],
        );
        assert_eq!(first, wd.all_files_under("a"), "-j {threads}");
    }
    let mut reversed = files.clone();
    reversed.reverse();
    merge(&wd, &c, &reversed, "a", &["--messenger-cap", "4"]);
    assert_eq!(first, wd.all_files_under("a"), "argument order");
}

#[test]
fn one_orgs_volunteers_change_nothing_for_another_org() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let org = &c.data.orgs[1];
    merge(&wd, &c, &c.org_files(), "with", &[]);
    // The same org hashed without its volunteer column: no messengers of its own.
    hash(
        &wd,
        &org.export,
        "plain.hashed.csv",
        &org.label,
        FileKind::Members,
        &[],
        None,
    );
    let files: Vec<&str> = c
        .orgs
        .iter()
        .map(|(l, f)| match l == &org.label {
            true => "plain.hashed.csv",
            false => f.as_str(),
        })
        .collect();
    let s = merge(&wd, &c, &files, "without", &[]);
    assert_eq!(s["messengers"]["per_org"][&org.label]["messengers"], 0);
    for (label, _) in &c.orgs {
        let table = |out: &str| wd.read(&format!("{out}/orgs/{label}.csv"));
        if label == &org.label {
            assert_ne!(table("with"), table("without"));
        } else {
            assert_eq!(
                table("with"),
                table("without"),
                "{label} learned of another org"
            );
        }
    }
}

/// A copy of an export whose first names carry the row number: names normalize to letters
/// only, so the tokens do not change, and a name in lookup's output says which row it came
/// from.
fn tag_first_names(wd: &Workdir, export: &str, delimiter: u8, first: &str) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(wd.path(export))
        .unwrap();
    let header = reader.headers().unwrap().clone();
    let col = header.iter().position(|h| h == first).unwrap();
    let tagged = format!("tagged-{export}");
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_path(wd.path(&tagged))
        .unwrap();
    writer.write_record(&header).unwrap();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let fields: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(c, v)| match c == col {
                true => format!("{v}#{i}"),
                false => v.to_string(),
            })
            .collect();
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    tagged
}

#[test]
fn lookup_names_each_messenger_from_the_orgs_own_export() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    merge(&wd, &c, &c.org_files(), "out", &[]);
    let mut checked = 0;
    let orgs = [
        (&c.data.orgs[0], "first_name", "email"),
        (&c.data.orgs[2], "FirstName", "Email"),
    ];
    for (org, first, email) in orgs {
        let export = org.export.file_name().unwrap().to_str().unwrap();
        let delimiter = org.style.delimiter();
        let tagged = tag_first_names(&wd, export, delimiter, first);
        let matches = format!("out/orgs/{}.csv", org.label);
        let out = format!("{}-all.csv", org.label);
        let args = ["--include-no-contact", "-o", out.as_str()];
        wd.run(&lookup_args("k.key", &tagged, &matches, &args));
        let mut reader = csv::Reader::from_path(wd.path(&out)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let col = |n: &str| header.iter().position(|h| h == n).unwrap();
        assert!(
            !header.iter().any(|h| h == "messenger"),
            "the row reference stays inside"
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        // With no filter, output row i is export row i.
        let table = Hashed::parse(&wd.read(&matches));
        assert_eq!(rows.len(), table.rows.len());
        for (i, row) in rows.iter().enumerate() {
            let name = &row[col("messenger_first_name")];
            if name.is_empty() {
                assert!(row[col("messenger_email")].is_empty());
                continue;
            }
            assert_eq!(&row[col("assigned")], "yes");
            assert_eq!(&row[col("voter_status")], "matched");
            let from: usize = name.rsplit_once('#').unwrap().1.parse().unwrap();
            let messenger = &rows[from];
            assert_ne!(from, i);
            let volunteer = &messenger[col(org.style.volunteer_header())];
            assert_eq!(
                blindmatch::merge::messenger::read_flag(volunteer.as_bytes()),
                blindmatch::merge::messenger::Flag::Yes
            );
            assert_eq!(&messenger[col(first)], name);
            assert_eq!(
                row[col("messenger_email")],
                *messenger[col(email)].trim(),
                "the email of that same row"
            );
            let near = ["precinct_abbrv", "nc_house_abbrv"]
                .iter()
                .any(|d| messenger[col(d)] == row[col(d)]);
            assert!(near);
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
}

#[test]
fn report_shows_messengers_per_district_without_revealing_small_cells() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    merge(&wd, &c, &c.org_files(), "out", &["--messenger-cap", "5"]);
    let text = String::from_utf8(wd.run(&["report", "out"]).stdout).unwrap();
    assert!(text.contains("Messengers by precinct_abbrv"), "{text}");
    assert!(text.contains("largest load"), "{text}");
    let json = wd.run(&["report", "out", "--format", "json", "--min-cell", "20"]);
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let mut rows_checked = 0;
    for section in doc["sections"].as_array().unwrap() {
        if !section["title"]
            .as_str()
            .unwrap()
            .starts_with("Messengers by")
        {
            continue;
        }
        for row in section["rows"].as_array().unwrap() {
            let parts = ["local messenger", "elsewhere in nc_house_abbrv", "none"];
            if !row["assigned people"].is_null() {
                let hidden = parts.iter().filter(|p| row[**p].is_null()).count();
                assert_ne!(hidden, 1, "{row}");
            }
            if row["messengers"].is_null() {
                assert!(row["largest load"].is_null(), "{row}");
            }
            for key in ["messengers", "assigned people", "largest load"]
                .iter()
                .chain(&parts)
            {
                assert!(row[*key].as_u64().is_none_or(|v| v >= 20), "{row}");
            }
            rows_checked += 1;
        }
    }
    assert!(rows_checked > 40);
    let shown = |title: &str| {
        doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["title"].as_str().unwrap().starts_with(title))
    };
    assert!(shown("Messengers by org") && shown("Messengers by nc_house_abbrv"));
}

#[test]
fn messenger_options_are_checked_before_anything_is_written() {
    let wd = Workdir::new();
    let c = Consortium::build(
        &wd,
        DemoConfig {
            members: 60,
            voters: 400,
            ..cfg()
        },
    );
    let base = |extra: &[&'static str]| -> Vec<String> {
        let mut args: Vec<String> = vec!["merge".into(), "--match".into(), "exact".into()];
        args.extend(c.org_files().iter().map(|s| s.to_string()));
        args.extend(["--voters", c.voters.as_str(), "-o", "bad"].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let fail = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = wd.fail(&args);
        assert!(!wd.path("bad").exists());
        err
    };
    let err = fail(base(&["--messenger-by", "precinct_abbrv"]));
    assert!(err.contains("--assign"), "{err}");
    let err = fail(base(&["--assign", "balanced", "--messenger-by", "county"]));
    assert!(
        err.contains("county") && err.contains("precinct_abbrv"),
        "{err}"
    );
    let err = fail(base(&["--messenger-cap", "3"]));
    assert!(err.contains("--messenger-by"), "{err}");
    let err = fail(base(&[
        "--assign",
        "balanced",
        "--messenger-by",
        "precinct_abbrv",
        "--messenger-cap",
        "0",
    ]));
    assert!(err.contains("messenger-cap"), "{err}");
    // No org file marks messengers.
    let mut args = vec![
        "merge",
        "--match",
        "exact",
        "extra.hashed.csv",
        "--voters",
        &c.voters,
        "-o",
        "bad",
    ];
    args.extend(["--assign", "balanced", "--messenger-by", "precinct_abbrv"]);
    let err = wd.fail(&args);
    assert!(err.contains("--messenger-col"), "{err}");
    // A messenger cell that is neither 1 nor empty: the file is refused, by row.
    let file = &c.orgs[0].1;
    let text = wd.read_string(file);
    let broken = text.replacen(",1\n", ",yes\n", 1);
    assert_ne!(text, broken);
    wd.write("broken.hashed.csv", broken);
    let err = wd.fail(&[
        "merge",
        "--match",
        "exact",
        "broken.hashed.csv",
        "-o",
        "bad",
    ]);
    assert!(
        err.contains("broken.hashed.csv") && err.contains("messenger cell"),
        "{err}"
    );
    assert!(!wd.path("bad").exists());
}

#[test]
fn hash_flags_messengers_and_leaves_the_tokens_as_they_were() {
    let wd = Workdir::new();
    let volunteer = [
        "yes", " Y ", "TRUE", "x", "1", "", "no", "0", "false", "N", "maybe", "yes!",
    ];
    let mut text = String::from("email,first_name,last_name,zip,Volunteer\n");
    let mut truthy = String::from("email\n");
    for (i, v) in volunteer.iter().enumerate() {
        text.push_str(&format!("person{i}@example.org,Ann,Lee{i},02139,{v}\n"));
        if i < 5 {
            truthy.push_str(&format!("person{i}@example.org\n"));
        }
    }
    wd.write("members.csv", &text);
    wd.write("truthy.csv", &truthy);
    let err = wd.hash(
        "members.csv",
        "flagged.csv",
        "o",
        &["--messenger-col", "volunteer", "--report-invalid"],
    );
    assert!(
        err.contains("messenger flag       <- column 'Volunteer'"),
        "{err}"
    );
    assert!(
        err.contains("messengers (willing to write to neighbours): 5 rows"),
        "{err}"
    );
    assert!(
        err.contains("2 rows have a messenger cell that is neither"),
        "{err}"
    );
    assert!(
        err.contains("unclear messenger cell at rows: 12, 13"),
        "{err}"
    );
    wd.hash("members.csv", "plain.csv", "o", &[]);
    wd.hash("truthy.csv", "truthy.hashed.csv", "o", &[]);
    let flagged = Hashed::parse(&wd.read("flagged.csv"));
    let plain = Hashed::parse(&wd.read("plain.csv"));
    assert_eq!(flagged.meta("messengers"), "5");
    assert!(plain.meta.iter().all(|l| !l.starts_with("messengers")));
    assert_eq!(flagged.header[5], "messenger");
    assert_eq!(flagged.header.len(), 6);
    let tokens =
        |h: &Hashed| -> Vec<Vec<String>> { h.rows.iter().map(|r| r[..5].to_vec()).collect() };
    assert_eq!(tokens(&flagged), tokens(&plain), "token columns unchanged");
    let marked: Vec<String> = flagged
        .rows
        .iter()
        .filter(|r| r[5] == "1")
        .map(|r| r[0].clone())
        .collect();
    assert!(flagged.rows.iter().all(|r| r[5] == "1" || r[5].is_empty()));
    let mut marked = marked;
    marked.sort();
    assert_eq!(
        marked,
        Hashed::parse(&wd.read("truthy.hashed.csv")).tokens("email")
    );

    // Refusals: another kind, a column not there, an identifier column.
    let args = ["--kind", "voters", "--messenger-col", "Volunteer"];
    let err = wd.fail(&wd.hash_args("o", &[&["members.csv", "-o", "v.csv"][..], &args].concat()));
    assert!(err.contains("member lists"), "{err}");
    let err = wd.fail(&wd.hash_args(
        "o",
        &["members.csv", "-o", "v.csv", "--messenger-col", "Helper"],
    ));
    assert!(
        err.contains("'Helper'") && err.contains("not in the header"),
        "{err}"
    );
    let err = wd.fail(&wd.hash_args(
        "o",
        &["members.csv", "-o", "v.csv", "--messenger-col", "email"],
    ));
    assert!(err.contains("is used for the email"), "{err}");
    assert!(!wd.path("v.csv").exists());
}
