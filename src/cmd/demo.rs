//! `blindmatch demo`: the whole flow on a synthetic consortium, step by step.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use blindmatch::demo::{self, DemoConfig};
use blindmatch::hash::{HashOptions, HashPlan};
use blindmatch::lookup::{LookupOptions, lookup};
use blindmatch::merge::assign::Policy;
use blindmatch::merge::messenger::MessengerOptions;
use blindmatch::merge::{MergeOptions, merge};
use blindmatch::progress::NoProgress;
use blindmatch::report::{Format, Report};
use blindmatch::spec::hashfile::FileKind;
use blindmatch::spec::key::ConsortiumKey;
use blindmatch::spec::label::{OrgLabel, Round};

use crate::ui::{Ui, thousands};

const MARKER: &str = ".blindmatch-demo";
const ROUND: &str = "demo-2026";
/// Messengers in the demo: neighbours in the same precinct, at most this many people each.
const MESSENGER_BY: &str = "precinct_abbrv";
const MESSENGER_CAP: u32 = 25;

/// Generate a synthetic consortium and run keygen, hash, merge, report and lookup on it.
///
/// Nothing else is needed: the people are made up, from common names combined at random.
/// Every step prints the command an org or the coordinator would run.
#[derive(clap::Args)]
#[command(
    after_long_help = "Examples:\n  blindmatch demo\n  blindmatch demo --dir /tmp/d --orgs 6 --members 20000 --voters 200000 --seed 7"
)]
pub struct Args {
    /// Where to put the demo's files (re-created on each run).
    #[arg(long, default_value = "blindmatch-demo", value_name = "DIR")]
    dir: PathBuf,

    /// Number of member orgs.
    #[arg(long, default_value_t = 4, value_name = "N")]
    orgs: usize,

    /// Members of the largest org.
    #[arg(long, default_value_t = 5_000, value_name = "N")]
    members: usize,

    /// Voters in the voter file.
    #[arg(long, default_value_t = 50_000, value_name = "N")]
    voters: usize,

    /// Random seed: the same seed makes the same consortium.
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
}

fn prepare(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            bail!(
                "{} exists and is not a demo directory; choose another with --dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("could not clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "made by blindmatch demo; safe to delete\n",
    )?;
    Ok(())
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

pub fn run(args: Args, ui: &Ui) -> Result<()> {
    if !(1..=64).contains(&args.orgs) {
        bail!("--orgs takes 1 to 64");
    }
    let cfg = DemoConfig {
        orgs: args.orgs,
        members: args.members.max(1),
        voters: args.voters,
        seed: args.seed,
        ..DemoConfig::default()
    };
    let dir = &args.dir;
    prepare(dir)?;
    let started = Instant::now();
    let say = |s: String| ui.out(s);

    say(format!(
        "== 1. A synthetic consortium in {} (seed {})",
        dir.display(),
        cfg.seed
    ))?;
    let data = demo::generate(dir, &cfg)?;
    say(format!(
        "   {}: voter file, North Carolina layout, {} voters",
        name(&data.voter_file),
        thousands(cfg.voters as u64)
    ))?;
    for org in &data.orgs {
        say(format!(
            "   {}: {:?} export, {} rows (with messy values and duplicates); '{}' marks volunteers",
            name(&org.export),
            org.style,
            thousands(org.rows as u64),
            org.messenger_col
        ))?;
    }
    say(format!(
        "   {}: {}'s opt-out list, {} rows",
        name(&data.optouts),
        data.orgs[0].label,
        data.optout_rows
    ))?;

    say("\n== 2. One org creates the consortium key and shares it with the others (not the coordinator)".into())?;
    let key_path = dir.join("consortium.key");
    let key = ConsortiumKey::generate()?;
    key.save_new(&key_path)?;
    say("   $ blindmatch keygen -o consortium.key".into())?;
    say(format!(
        "   fingerprint {} (orgs compare it over the phone)",
        key.fingerprint()
    ))?;

    say(format!(
        "\n== 3. Each org hashes its own export, on its own machine (round {ROUND})"
    ))?;
    let round = Round::new(ROUND)?;
    let hash = |input: &Path,
                org: &str,
                kind: FileKind,
                keep: &[String],
                messenger_col: Option<&str>|
     -> Result<PathBuf> {
        let output = dir.join(format!("{org}.{}.hashed.csv", kind.name()));
        let mut opts = HashOptions::new(input, &output, OrgLabel::new(org)?);
        opts.round = round.clone();
        opts.kind = kind;
        opts.keep = keep.to_vec();
        opts.messenger_col = messenger_col.map(str::to_string);
        let report = HashPlan::new(opts)?.run(&key, &NoProgress)?;
        let mut flags = String::new();
        if kind != FileKind::Members {
            flags.push_str(&format!(" --kind {kind}"));
        }
        if !keep.is_empty() {
            flags.push_str(&format!(" --keep {}", keep.join(",")));
        }
        if let Some(col) = messenger_col {
            flags.push_str(&format!(" --messenger-col '{col}'"));
        }
        say(format!(
            "   $ blindmatch hash --key consortium.key --org {org} --round {ROUND}{flags} {} -o {}",
            name(input),
            name(&output)
        ))?;
        let per = |i: usize| report.per_kind[i].tokens;
        say(format!(
            "     {} rows; tokens: email {}, phone {}, name_zip {}, name_addr {}, name_yob_zip {}; rows with no token {}",
            thousands(report.rows),
            thousands(per(0)),
            thousands(per(1)),
            thousands(per(2)),
            thousands(per(3)),
            thousands(per(4)),
            thousands(report.rows_without_token)
        ))?;
        if messenger_col.is_some() {
            say(format!(
                "     {} rows marked as messengers (willing to write to their neighbours)",
                thousands(report.messengers)
            ))?;
        }
        Ok(output)
    };
    let mut hashed = Vec::new();
    for org in &data.orgs {
        hashed.push(hash(
            &org.export,
            &org.label,
            FileKind::Members,
            &[],
            Some(&org.messenger_col),
        )?);
    }
    let first = data.orgs[0].label.clone();
    let optouts = hash(&data.optouts, &first, FileKind::Suppression, &[], None)?;
    say(
        "   The voter file is hashed too (by an org, or whoever holds the voter file and the key):"
            .into(),
    )?;
    let voters = hash(
        &data.voter_file,
        "voters",
        FileKind::Voters,
        &data.keep,
        None,
    )?;

    say("\n== 4. The coordinator merges the hashed files, without the key".into())?;
    let out_dir = dir.join("round1");
    let mut opts = MergeOptions::new(hashed.clone(), &out_dir);
    opts.voters = Some(voters.clone());
    opts.suppress = vec![optouts.clone()];
    opts.assign = Some(Policy::Balanced);
    opts.messengers = Some(MessengerOptions {
        by: MESSENGER_BY.into(),
        cap: Some(MESSENGER_CAP),
    });
    let names: Vec<String> = hashed.iter().map(|p| name(p)).collect();
    say(format!(
        "   $ blindmatch merge {} --voters {} --suppress {} --assign balanced \\\n         \
         --messenger-by {MESSENGER_BY} --messenger-cap {MESSENGER_CAP} -o round1",
        names.join(" "),
        name(&voters),
        name(&optouts)
    ))?;
    let merged = merge(&opts, &NoProgress)?;
    let s = &merged.summary;
    say(format!(
        "     {} people across {} lists; {} matched to the voter file; {} opted out",
        thousands(s.people),
        s.orgs.len(),
        thousands(s.voter.as_ref().map_or(0, |v| v.matched)),
        thousands(s.suppressed)
    ))?;
    if let Some(a) = &s.assignment {
        let load: Vec<String> = a
            .per_org
            .iter()
            .map(|(o, n)| format!("{o} {}", thousands(*n)))
            .collect();
        say(format!(
            "     one messenger org per person (balanced): {}",
            load.join(", ")
        ))?;
    }
    if let Some(m) = &s.messengers {
        let t = &m.total;
        let share = |n: u64| 100.0 * n as f64 / t.people.max(1) as f64;
        say(format!(
            "     messengers: {} volunteers write to {} assigned voter-matched people; {} ({:.1}%) \
             hear from a neighbour in their own precinct, {} ({:.1}%) from one elsewhere in their \
             {}, {} from nobody; largest load {} (cap {MESSENGER_CAP})",
            thousands(t.messengers),
            thousands(t.people),
            thousands(t.local),
            share(t.local),
            thousands(t.enclosing),
            share(t.enclosing),
            m.fallback.as_deref().unwrap_or("district"),
            thousands(t.none),
            t.largest_load
        ))?;
    }

    say("\n== 5. Analysts get counts, small cells suppressed".into())?;
    say("   $ blindmatch report round1".into())?;
    let report = Report::build(s, 10);
    for line in report.render(Format::Table).lines() {
        say(format!("   {line}"))?;
    }
    let page = dir.join("report.html");
    blindmatch::outfile::write_file(&page, report.render(Format::Html).as_bytes(), false)?;
    say("   $ blindmatch report round1 --format html -o report.html".into())?;
    say(format!(
        "     the same counts as one page with charts: {} (open it in a browser)",
        page.display()
    ))?;

    say(format!(
        "\n== 6. {first} joins its own match table to its own list, for one district"
    ))?;
    let district = s
        .geography
        .get("nc_house_abbrv")
        .and_then(|values| {
            values
                .iter()
                .max_by_key(|(_, g)| g.orgs.get(&first).copied().unwrap_or(0))
        })
        .map(|(v, _)| v.clone())
        .unwrap_or_default();
    let matches = out_dir.join("orgs").join(format!("{first}.csv"));
    let targets = dir.join(format!("{first}-targets.csv"));
    let mut lopts = LookupOptions::new(&data.orgs[0].export, &matches, &targets);
    lopts.filter = Some(("nc_house_abbrv".into(), district.clone()));
    lopts.assigned_only = true;
    say(format!(
        "   $ blindmatch lookup --key consortium.key --input {} --matches round1/orgs/{first}.csv --where nc_house_abbrv={district} --assigned-only -o {}",
        name(&data.orgs[0].export),
        name(&targets)
    ))?;
    let found = lookup(&lopts, &key)?;
    say(format!(
        "     {} of {} rows found in the match table; {} people to contact in {district} ({} opted out, left out)",
        thousands(found.found),
        thousands(found.rows),
        thousands(found.written),
        thousands(found.no_contact)
    ))?;
    say(format!(
        "     each with messenger_first_name, messenger_last_name and messenger_email: one of \
         {first}'s own {} messengers, named from {first}'s own export",
        thousands(found.messengers_found)
    ))?;
    say(format!(
        "\nDone in {:.1} s. Files are in {}.",
        started.elapsed().as_secs_f64(),
        dir.display()
    ))?;
    Ok(())
}
