//! `--messenger-by`: for each org, a messenger for every person assigned to it and matched
//! to the voter file, chosen area by area with [`messenger::plan`]; and the counts that go
//! into summary.json.
//!
//! The inputs of one org's choice are that org's own records only (its flags, its assigned
//! people, their districts), so one org's messengers change nothing in another org's table.
//! The fallback column is the finest column that `by` nests in, as merge detected it.

use super::*;
use crate::merge::messenger::{self, Area, MessengerOptions, Precinct, Reach};
use crate::report::summary::{MessengerCount, MessengerSummary};

/// No messenger record.
pub(super) const NO_RECORD: u32 = u32::MAX;

/// The messengers chosen.
pub(super) struct MessengerPlan {
    /// Per person: the record of their messenger in the org they are assigned to.
    pub(super) record: Vec<u32>,
    pub(super) summary: MessengerSummary,
}

/// Refuses options that cannot work, before anything is read.
pub(super) fn check(
    opts: &MessengerOptions,
    merge: &MergeOptions,
    columns: &[String],
    orgs: &[Input],
) -> Result<()> {
    if merge.assign.is_none() {
        return Err(Error::Usage(
            "--messenger-by goes with --assign: a messenger is a member of the assigned org".into(),
        ));
    }
    if opts.cap == Some(0) {
        return Err(Error::Usage("--messenger-cap takes 1 or more".into()));
    }
    if !columns.contains(&opts.by) {
        return Err(Error::Usage(if columns.is_empty() {
            "--messenger-by needs a voter file (--voters) with kept columns".into()
        } else {
            format!(
                "--messenger-by column '{}' is not a kept voter-file column ({})",
                opts.by,
                columns.join(", ")
            )
        }));
    }
    if orgs.iter().all(|o| o.meta.messengers.is_none()) {
        return Err(Error::Usage(
            "--messenger-by needs org files hashed with --messenger-col; none of them marks \
             messengers"
                .into(),
        ));
    }
    Ok(())
}

/// Which area a precinct's people may fall back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum AreaKey {
    /// The enclosing district (a value id of the fallback column).
    Within(u32),
    /// No enclosing district: the precinct alone.
    Alone(u32),
}

pub(super) fn choose(
    opts: &MessengerOptions,
    members: &Members,
    people: &People,
    hits: &VoterHits,
    assignment: &assign::Assignment,
    nesting: &BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    labels: &[String],
) -> MessengerPlan {
    let Some(by) = hits.columns.iter().position(|c| *c == opts.by) else {
        // `check` refused this already.
        return MessengerPlan {
            record: vec![NO_RECORD; people.len()],
            summary: MessengerSummary::default(),
        };
    };
    // The smallest enclosing district: of the columns `by` nests in, the one with the most
    // values (a column nested in another has more values than it).
    let fallback = nesting.get(&opts.by).and_then(|parents| {
        parents
            .iter()
            .max_by_key(|(name, map)| {
                let distinct: std::collections::BTreeSet<&String> = map.values().collect();
                (distinct.len(), std::cmp::Reverse(*name))
            })
            .and_then(|(name, _)| hits.columns.iter().position(|c| c == name))
    });
    // A blank value is no district.
    let usable = |c: usize| -> Vec<bool> {
        hits.values[c]
            .iter()
            .map(|v| !v.trim().is_empty())
            .collect()
    };
    let (usable_by, usable_fallback) = (usable(by), fallback.map(usable));
    // Per matched person, their value of `by` (NO_GEO otherwise), in one pass over the
    // geography rows, with the enclosing district of each value.
    let mut value = vec![NO_GEO; people.len()];
    let mut parent_of = vec![NO_GEO; hits.values[by].len()];
    for (p, v) in value.iter_mut().enumerate() {
        let g = people.geo[p];
        if g == NO_GEO || !matches!(people.status[p], VoterStatus::Matched(_)) {
            continue;
        }
        let row = &hits.geo_rows[g as usize];
        *v = row[by];
        if let Some(f) = fallback {
            parent_of[row[by] as usize] = row[f];
        }
    }
    // A person's district, when it is a usable one.
    let district = |p: usize| Some(value[p]).filter(|&v| v != NO_GEO && usable_by[v as usize]);
    // A blank enclosing district is no district: the precinct stands alone.
    let area_of = |v: u32| match (&usable_fallback, parent_of[v as usize]) {
        (Some(ok), parent) if parent != NO_GEO && ok[parent as usize] => AreaKey::Within(parent),
        _ => AreaKey::Alone(v),
    };

    // Each org's messengers: (person, their first flagged record), by person.
    let n_orgs = labels.len();
    let mut roles: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n_orgs];
    for (o, list) in roles.iter_mut().enumerate() {
        for r in members.starts[o]..members.starts[o + 1] {
            let p = people.person_of[r as usize];
            if members.messenger[r as usize]
                && p != NO_PERSON
                && !people.suppressed[p as usize]
                && district(p as usize).is_some()
            {
                list.push((p, r));
            }
        }
        list.sort_unstable();
        list.dedup_by_key(|&mut (p, _)| p);
    }

    // Areas of each org, precincts within them, people and messengers in person order.
    let mut areas: BTreeMap<(usize, AreaKey), BTreeMap<u32, Precinct>> = BTreeMap::new();
    for p in 0..people.len() {
        if let (Some(o), Some(v)) = (assignment.assigned_to(p), district(p)) {
            let precinct = areas.entry((o, area_of(v))).or_default().entry(v);
            precinct.or_default().people.push(p as u32);
        }
    }
    for (o, list) in roles.iter().enumerate() {
        for &(p, _) in list {
            if let Some(v) = district(p as usize) {
                let precinct = areas.entry((o, area_of(v))).or_default().entry(v);
                precinct.or_default().messengers.push(p);
            }
        }
    }
    let areas: Vec<(usize, Area)> = areas
        .into_iter()
        .map(|((o, key), precincts)| {
            let area = Area {
                precincts: precincts.into_values().collect(),
                fallback: matches!(key, AreaKey::Within(_)),
            };
            (o, area)
        })
        .collect();
    let picks: Vec<Vec<messenger::Pick>> = areas
        .par_iter()
        .map(|(_, area)| messenger::plan(area, opts.cap))
        .collect();

    let mut record = vec![NO_RECORD; people.len()];
    let mut reach: Vec<Option<Reach>> = vec![None; people.len()];
    let mut loads: Vec<Vec<u64>> = roles.iter().map(|l| vec![0; l.len()]).collect();
    for ((o, _), area_picks) in areas.iter().zip(&picks) {
        for pick in area_picks {
            if let Ok(i) = roles[*o].binary_search_by_key(&pick.messenger, |&(p, _)| p) {
                record[pick.person as usize] = roles[*o][i].1;
                reach[pick.person as usize] = Some(pick.reach);
                loads[*o][i] += 1;
            }
        }
    }

    // Counts: per org, per value of `by` and of the fallback column, and in all.
    let values = |c: Option<usize>| c.map_or(0, |c| hits.values[c].len());
    let mut tally = Tally {
        total: MessengerCount::default(),
        per_org: vec![MessengerCount::default(); n_orgs],
        districts: vec![MessengerCount::default(); values(Some(by))],
        enclosing: vec![MessengerCount::default(); values(fallback)],
    };
    let enclosing_of = |v: u32| match parent_of.get(v as usize) {
        Some(&parent) if parent != NO_GEO => Some(parent as usize),
        _ => None,
    };
    for (p, reach) in reach.iter().enumerate() {
        let (Some(o), v) = (assignment.assigned_to(p), value[p]) else {
            continue;
        };
        if v == NO_GEO {
            continue;
        }
        for count in tally.rows(o, v, enclosing_of(v)) {
            count.people += 1;
            match reach {
                Some(Reach::Local) => count.local += 1,
                Some(Reach::Enclosing) => count.enclosing += 1,
                None => count.none += 1,
            }
        }
    }
    for (o, list) in roles.iter().enumerate() {
        for (&(p, _), &load) in list.iter().zip(&loads[o]) {
            let Some(v) = district(p as usize) else {
                continue;
            };
            for count in tally.rows(o, v, enclosing_of(v)) {
                count.messengers += 1;
                count.largest_load = count.largest_load.max(load);
            }
        }
    }
    let named = |c: usize, counts: Vec<MessengerCount>| -> BTreeMap<String, MessengerCount> {
        counts
            .into_iter()
            .enumerate()
            .filter(|(_, n)| n.people > 0 || n.messengers > 0)
            .map(|(v, n)| (hits.values[c][v].clone(), n))
            .collect()
    };
    let summary = MessengerSummary {
        by: opts.by.clone(),
        fallback: fallback.map(|f| hits.columns[f].clone()),
        cap: opts.cap,
        total: tally.total,
        per_org: labels.iter().cloned().zip(tally.per_org).collect(),
        districts: named(by, tally.districts),
        fallback_districts: fallback.map_or_else(BTreeMap::new, |f| named(f, tally.enclosing)),
    };
    MessengerPlan { record, summary }
}

/// The counts a person or a messenger adds to.
struct Tally {
    total: MessengerCount,
    per_org: Vec<MessengerCount>,
    /// Per value id of `by`.
    districts: Vec<MessengerCount>,
    /// Per value id of the fallback column.
    enclosing: Vec<MessengerCount>,
}

impl Tally {
    /// The counts of org `o`, district `v` and enclosing district `e`, and the total.
    fn rows(
        &mut self,
        o: usize,
        v: u32,
        e: Option<usize>,
    ) -> impl Iterator<Item = &mut MessengerCount> {
        let around = e.and_then(|e| self.enclosing.get_mut(e));
        [
            Some(&mut self.total),
            self.per_org.get_mut(o),
            self.districts.get_mut(v as usize),
            around,
        ]
        .into_iter()
        .flatten()
    }
}
