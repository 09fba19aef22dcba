//! summary.json's numbers, counted once over people, and nested districts.

use super::*;

/// The indexes of the set bits of an org mask, lowest first.
pub(super) fn bits(mask: u64) -> impl Iterator<Item = usize> {
    let mut rest = mask;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            i
        })
    })
}

/// The key of an exact intersection in summary.json: its orgs' labels, joined with `+`.
fn intersection_key(labels: &[String], mask: u64) -> String {
    bits(mask)
        .map(|i| labels[i].as_str())
        .collect::<Vec<_>>()
        .join("+")
}

pub(super) fn org_labels(orgs: &[Input]) -> Vec<String> {
    orgs.iter().map(|o| o.meta.org.to_string()).collect()
}

pub(super) fn summarize(
    orgs: &[Input],
    members: &Members,
    people: &People,
    voters: Option<&VoterHits>,
    link_on: &[Kind],
    mode: MatchMode,
    assignment: Option<&assign::Assignment>,
) -> Summary {
    let labels = org_labels(orgs);
    let first = &orgs[0].meta;
    let n_orgs = orgs.len();
    let mut org_rows: Vec<OrgSummary> = labels
        .iter()
        .zip(orgs)
        .map(|(label, input)| OrgSummary {
            org: label.clone(),
            records: input.meta.rows,
            ..OrgSummary::default()
        })
        .collect();
    for (r, &p) in people.person_of.iter().enumerate() {
        if p == NO_PERSON {
            org_rows[members.org_of(r as u32)].unusable += 1;
        }
    }
    let mut overlap = vec![vec![0u64; n_orgs]; n_orgs];
    let mut exclusive = vec![0u64; n_orgs];
    let mut lists: BTreeMap<u32, u64> = BTreeMap::new();
    let mut intersections: HashMap<u64, u64> = HashMap::new();
    let mut voter = VoterSummary::default();
    // Per kept column, per interned value: people, people per org, people per tier.
    let value_counts = |c: usize| voters.map_or(0, |h| h.values[c].len());
    let n_columns = voters.map_or(0, |h| h.columns.len());
    let mut geo_people: Vec<Vec<u64>> = (0..n_columns).map(|c| vec![0; value_counts(c)]).collect();
    let mut geo_orgs: Vec<Vec<u64>> = (0..n_columns)
        .map(|c| vec![0; value_counts(c) * n_orgs])
        .collect();
    let mut geo_tiers: Vec<Vec<u64>> = (0..n_columns)
        .map(|c| vec![0; value_counts(c) * 3])
        .collect();
    for p in 0..people.len() {
        let mask = people.orgs[p];
        let lists_on = mask.count_ones();
        *lists.entry(lists_on).or_default() += 1;
        *intersections.entry(mask).or_default() += 1;
        if lists_on == 1 {
            exclusive[mask.trailing_zeros() as usize] += 1;
        }
        for a in bits(mask) {
            for b in bits(mask) {
                overlap[a][b] += 1;
            }
            match people.status[p] {
                VoterStatus::Matched(_) => org_rows[a].voter_matched += 1,
                VoterStatus::Ambiguous => org_rows[a].voter_ambiguous += 1,
                _ => {}
            }
        }
        match people.status[p] {
            VoterStatus::Matched(key) => {
                if key == MatchKey::Fuzzy {
                    let bands = voter.bands.get_or_insert_with(Default::default);
                    match people.score[p] {
                        s if s >= 0.99 => bands.high += 1,
                        s if s >= 0.9 => bands.medium += 1,
                        _ => bands.low += 1,
                    }
                }
                voter.matched += 1;
                *voter.by_pass.entry(key.name().to_string()).or_default() += 1;
            }
            VoterStatus::Ambiguous => voter.ambiguous += 1,
            VoterStatus::Unmatched => voter.unmatched += 1,
            VoterStatus::NotChecked => {}
        }
        if let (Some(hits), true) = (voters, people.geo[p] != NO_GEO) {
            let row = &hits.geo_rows[people.geo[p] as usize];
            let tier = (lists_on.min(3) - 1) as usize;
            for (c, &v) in row.iter().enumerate() {
                let v = v as usize;
                geo_people[c][v] += 1;
                geo_tiers[c][v * 3 + tier] += 1;
                for a in bits(mask) {
                    geo_orgs[c][v * n_orgs + a] += 1;
                }
            }
        }
    }
    let mut geography: BTreeMap<String, BTreeMap<String, GeoCount>> = BTreeMap::new();
    let mut tiers: BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>> = BTreeMap::new();
    for (c, column) in voters
        .map_or(&[][..], |h| &h.columns[..])
        .iter()
        .enumerate()
    {
        let values = &voters.map_or(&[][..], |h| &h.values[..])[c];
        for (v, value) in values
            .iter()
            .enumerate()
            .filter(|(v, _)| geo_people[c][*v] > 0)
        {
            let orgs = (0..n_orgs)
                .map(|a| (a, geo_orgs[c][v * n_orgs + a]))
                .filter(|(_, n)| *n > 0)
                .map(|(a, n)| (labels[a].clone(), n))
                .collect();
            geography.entry(column.clone()).or_default().insert(
                value.clone(),
                GeoCount {
                    people: geo_people[c][v],
                    orgs,
                },
            );
            let by_tier = ["1", "2", "3+"]
                .iter()
                .enumerate()
                .map(|(t, name)| (name.to_string(), geo_tiers[c][v * 3 + t]))
                .filter(|(_, n)| *n > 0)
                .collect();
            tiers
                .entry(column.clone())
                .or_default()
                .insert(value.clone(), by_tier);
        }
    }
    for (o, row) in org_rows.iter_mut().enumerate() {
        row.people = overlap[o][o];
    }
    let nesting = voters.map_or_else(BTreeMap::new, |hits| nesting(hits, people));
    let named = |values: &[u64]| -> BTreeMap<String, u64> {
        labels.iter().cloned().zip(values.iter().copied()).collect()
    };
    if let Some(hits) = voters {
        voter.voter_records = hits.records;
        match mode {
            MatchMode::Exact => {
                for kind in PASSES {
                    voter.by_pass.entry(kind.name().to_string()).or_default();
                }
            }
            MatchMode::Fuzzy => {
                voter
                    .by_pass
                    .entry(MatchKey::Fuzzy.name().to_string())
                    .or_default();
                voter.bands.get_or_insert_with(Default::default);
            }
        }
    }
    Summary {
        spec: first.spec,
        key_fingerprint: first.fingerprint.to_string(),
        round: first.round.as_str().to_string(),
        link_on: link_on.iter().map(|k| k.name().to_string()).collect(),
        matching: (mode == MatchMode::Fuzzy).then(|| "fuzzy".to_string()),
        people: people.len() as u64,
        unusable: people.person_of.iter().filter(|&&p| p == NO_PERSON).count() as u64,
        orgs: org_rows,
        overlap: labels
            .iter()
            .cloned()
            .zip(overlap.iter().map(|row| named(row)))
            .collect(),
        exclusive: named(&exclusive),
        lists: lists.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        intersections: intersections
            .into_iter()
            .map(|(mask, n)| (intersection_key(&labels, mask), n))
            .collect(),
        voter: voters.map(|_| voter),
        geography,
        common_contacts: None,
        suppressed: people.suppressed.iter().filter(|&&s| s).count() as u64,
        assignment: assignment.map(|a| AssignmentSummary {
            policy: a.policy.to_string(),
            per_org: named(&a.per_org),
            unassigned_suppressed: a.unassigned_suppressed,
            outside_target: a.outside_target,
        }),
        tiers,
        nesting,
        messengers: None,
    }
}

/// For each pair of kept columns (child, parent): the parent value of each child value, when
/// every child value occurs with exactly one parent value among matched people.
pub(super) fn nesting(
    hits: &VoterHits,
    people: &People,
) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    let rows: Vec<&Vec<u32>> = people
        .geo
        .iter()
        .filter(|&&g| g != NO_GEO)
        .map(|&g| &hits.geo_rows[g as usize])
        .collect();
    let mut out = BTreeMap::new();
    let n = hits.columns.len();
    for child in 0..n {
        for parent in (0..n).filter(|&p| p != child) {
            let mut parent_of: HashMap<u32, u32> = HashMap::new();
            let nested = rows
                .iter()
                .all(|row| *parent_of.entry(row[child]).or_insert(row[parent]) == row[parent]);
            let distinct_parents: std::collections::HashSet<&u32> = parent_of.values().collect();
            // A column nests in another only if it is finer: more values than its parent.
            if nested && parent_of.len() > distinct_parents.len() {
                let map = parent_of
                    .iter()
                    .map(|(&c, &p)| {
                        (
                            hits.values[child][c as usize].clone(),
                            hits.values[parent][p as usize].clone(),
                        )
                    })
                    .collect();
                out.entry(hits.columns[child].clone())
                    .or_insert_with(BTreeMap::new)
                    .insert(hits.columns[parent].clone(), map);
            }
        }
    }
    out
}
