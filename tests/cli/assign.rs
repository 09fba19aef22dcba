use std::collections::{BTreeSet, HashMap};

use blindmatch::demo::DemoConfig;
use serde_json::Value;

use crate::consortium::{Consortium, Model, lookup_args};
use crate::workdir::{Hashed, Workdir};

fn cfg() -> DemoConfig {
    DemoConfig {
        orgs: 4,
        members: 500,
        voters: 3_000,
        seed: 21,
        dirt: 0.3,
    }
}

fn run_merge(wd: &Workdir, c: &Consortium, out: &str, extra: &[&str]) -> Value {
    c.merge_summary(wd, &c.org_files(), out, extra)
}

/// consortium.csv rows: (orgs, contact, assigned_org, district columns by name).
fn people(wd: &Workdir, out: &str) -> Vec<HashMap<String, String>> {
    let h = Hashed::parse(&wd.read(&format!("{out}/consortium.csv")));
    h.rows
        .iter()
        .map(|r| h.header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn loads(rows: &[HashMap<String, String>]) -> HashMap<String, u64> {
    let mut load = HashMap::new();
    for r in rows.iter().filter(|r| !r["assigned_org"].is_empty()) {
        *load.entry(r["assigned_org"].clone()).or_default() += 1;
    }
    load
}

#[test]
fn each_eligible_person_is_assigned_once_to_an_org_that_has_them() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    for policy in [
        "balanced",
        "random:4",
        "priority:tenants-united,union-local-1",
    ] {
        let out = format!("out-{}", policy.split(':').next().unwrap());
        let summary = run_merge(&wd, &c, &out, &["--assign", policy]);
        let rows = people(&wd, &out);
        for r in &rows {
            let orgs: Vec<&str> = r["orgs"].split(';').collect();
            if r["contact"] == "no" {
                assert_eq!(
                    r["assigned_org"], "",
                    "{policy}: a suppressed person was assigned"
                );
            } else {
                assert!(
                    orgs.contains(&r["assigned_org"].as_str()),
                    "{policy}: {:?}",
                    r
                );
            }
        }
        // The summary's loads are the table's.
        let per_org = &summary["assignment"]["per_org"];
        for (org, n) in loads(&rows) {
            assert_eq!(per_org[&org].as_u64(), Some(n), "{policy} {org}");
        }
        let suppressed = rows.iter().filter(|r| r["contact"] == "no").count() as u64;
        assert_eq!(
            summary["assignment"]["unassigned_suppressed"].as_u64(),
            Some(suppressed)
        );
        assert_eq!(summary["suppressed"].as_u64(), Some(suppressed));
        assert!(suppressed > 0);
    }
}

#[test]
fn suppressed_people_are_contact_no_in_every_org_table() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    run_merge(&wd, &c, "out", &["--assign", "balanced"]);
    let model = Model::build(&wd, &c, &[c.optouts.as_str()]);
    let mut on_other_lists = 0;
    for (o, label) in model.labels.iter().enumerate() {
        let table = Hashed::parse(&wd.read(&format!("out/orgs/{label}.csv")));
        let contact = table.column("contact");
        let assigned = table.column("assigned");
        for r in 0..table.rows.len() {
            if let Some(&p) = model.person_of.get(&(o, r)) {
                let want = if model.suppressed[p] { "no" } else { "yes" };
                assert_eq!(contact[r], want, "{label} row {r}");
                if model.suppressed[p] {
                    assert_eq!(assigned[r], "no");
                    on_other_lists += usize::from(label != &c.data.orgs[0].label);
                }
            }
        }
        // The table says nothing about why: no column names a list or an org.
        assert!(
            !table
                .header
                .iter()
                .any(|h| h.contains("suppress") || h.contains("org"))
        );
    }
    // The opt-out list is the first org's, yet its people are contact=no on other lists too.
    assert!(on_other_lists > 0);
}

#[test]
fn priority_respects_the_order() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let order = ["sunrise-hub", "faith-in-action"];
    run_merge(
        &wd,
        &c,
        "out",
        &["--assign", "priority:sunrise-hub,faith-in-action"],
    );
    let mut labels: Vec<String> = c.orgs.iter().map(|(l, _)| l.clone()).collect();
    labels.sort();
    let mut ranked: Vec<&str> = order.to_vec();
    ranked.extend(
        labels
            .iter()
            .map(String::as_str)
            .filter(|l| !order.contains(l)),
    );
    for r in people(&wd, "out").iter().filter(|r| r["contact"] == "yes") {
        let orgs: BTreeSet<&str> = r["orgs"].split(';').collect();
        let first = ranked.iter().find(|o| orgs.contains(*o)).unwrap();
        assert_eq!(r["assigned_org"], *first);
    }
}

#[test]
fn balanced_carries_no_more_than_random() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let balanced = loads(&people(&wd, {
        run_merge(&wd, &c, "b", &["--assign", "balanced"]);
        "b"
    }));
    let max_b = *balanced.values().max().unwrap();
    for seed in 0..3 {
        let out = format!("r{seed}");
        run_merge(&wd, &c, &out, &["--assign", &format!("random:{seed}")]);
        let random = loads(&people(&wd, &out));
        assert!(
            max_b <= *random.values().max().unwrap(),
            "{balanced:?} vs {random:?}"
        );
    }
    let total: u64 = balanced.values().sum();
    let lower_bound = total.div_ceil(balanced.len() as u64);
    assert!(max_b >= lower_bound);
}

#[test]
fn assignments_are_byte_identical_across_runs_and_threads() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    for policy in ["balanced", "random:9", "priority:youth-vote,tenants-united"] {
        let policy_ok = !policy.contains("youth-vote");
        if !policy_ok {
            // An org not in the merge is refused, and nothing is written.
            let mut args = vec!["merge", "--match", "exact"];
            args.extend(c.org_files());
            args.extend(["--assign", policy, "-o", "bad"]);
            let err = wd.fail(&args);
            assert!(err.contains("youth-vote"), "{err}");
            assert!(!wd.path("bad").exists());
            continue;
        }
        run_merge(&wd, &c, "a", &["--assign", policy, "--force"]);
        let first = wd.all_files_under("a");
        run_merge(&wd, &c, "a", &["--assign", policy, "--force", "-j", "1"]);
        assert_eq!(first, wd.all_files_under("a"), "{policy}");
        run_merge(&wd, &c, "a", &["--assign", policy, "--force", "-j", "3"]);
        assert_eq!(first, wd.all_files_under("a"), "{policy}");
    }
}

#[test]
fn targeting_assigns_only_matched_people_in_those_districts() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    let s = run_merge(
        &wd,
        &c,
        "out",
        &[
            "--assign",
            "balanced",
            "--target",
            "cong_dist_abbrv=CD-02,CD-05",
        ],
    );
    let rows = people(&wd, "out");
    let mut assigned = 0;
    for r in &rows {
        if !r["assigned_org"].is_empty() {
            assigned += 1;
            assert_eq!(r["voter_status"], "matched");
            assert!(["CD-02", "CD-05"].contains(&r["cong_dist_abbrv"].as_str()));
        } else if r["contact"] == "yes" && r["voter_status"] == "matched" {
            assert!(!["CD-02", "CD-05"].contains(&r["cong_dist_abbrv"].as_str()));
        }
    }
    assert!(assigned > 0);
    assert!(s["assignment"]["outside_target"].as_u64().unwrap() > 0);
    let mut args = vec!["merge", "--match", "exact"];
    args.extend(c.org_files());
    args.extend([
        "--voters",
        c.voters.as_str(),
        "--assign",
        "balanced",
        "--target",
        "county=X",
        "-o",
        "bad",
    ]);
    let err = wd.fail(&args);
    assert!(err.contains("county"), "{err}");
}

#[test]
fn lookup_gives_an_org_its_share_and_its_best_prospects() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    run_merge(&wd, &c, "out", &["--assign", "balanced"]);
    let org = &c.data.orgs[0];
    let export = org.export.to_str().unwrap();
    let matches = format!("out/orgs/{}.csv", org.label);
    let table = Hashed::parse(&wd.read(&matches));
    let assigned_rows = table
        .column("assigned")
        .iter()
        .filter(|a| *a == "yes")
        .count();
    wd.run(&lookup_args(
        "k.key",
        export,
        &matches,
        &["--assigned-only", "-o", "mine.csv"],
    ));
    let mine: Vec<csv::StringRecord> = csv::Reader::from_path(wd.path("mine.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(mine.len(), assigned_rows);
    assert!(!mine.is_empty());
    // Tier 2: people on at least two lists, none opted out.
    let lists = table.column("lists");
    let contact = table.column("contact");
    let want = (0..table.rows.len())
        .filter(|&r| lists[r].parse::<u32>().unwrap() >= 2 && contact[r] == "yes")
        .count();
    wd.run(&lookup_args(
        "k.key",
        export,
        &matches,
        &["--tier", "2", "-o", "tier.csv"],
    ));
    let mut reader = csv::Reader::from_path(wd.path("tier.csv")).unwrap();
    let lists_col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "lists")
        .unwrap();
    let tier: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(tier.len(), want);
    assert!(
        tier.iter()
            .all(|r| r[lists_col].parse::<u32>().unwrap() >= 2)
    );
}

#[test]
fn report_shows_assignment_and_tiers_with_suppression() {
    let wd = Workdir::new();
    let c = Consortium::build(&wd, cfg());
    run_merge(&wd, &c, "out", &["--assign", "balanced"]);
    let out = wd.run(&["report", "out"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Outreach assignment (balanced)"), "{text}");
    assert!(text.contains("on 3+"), "{text}");
    let json = wd.run(&["report", "out", "--format", "json", "--min-cell", "30"]);
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let section = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["title"]
                .as_str()
                .unwrap()
                .starts_with("Matched people by precinct")
        })
        .unwrap();
    for row in section["rows"].as_array().unwrap() {
        let tiers: Vec<&Value> = ["on 1 list", "on 2", "on 3+"]
            .iter()
            .map(|k| &row[*k])
            .collect();
        // Tiers of a district sum to its people: never exactly one hidden while people shows.
        if !row["people"].is_null() {
            assert_ne!(tiers.iter().filter(|v| v.is_null()).count(), 1, "{row}");
        }
        for v in tiers.iter().filter_map(|v| v.as_u64()) {
            assert!(v >= 30);
        }
    }
}
