//! Outreach assignment: each eligible person gets exactly one messenger org.
//!
//! Pooling lists is pointless if a voter hears from five orgs; the consortium assigns each
//! person to one org among those whose lists hold them. Policies:
//! - `priority:A,B,...`: the first listed org that has the person (unlisted orgs follow, by
//!   label);
//! - `balanced`: the smallest possible maximum load. People with the same set of candidate
//!   orgs are interchangeable, so the problem is a small flow network (one node per distinct
//!   org set), solved exactly by binary search on the load cap with max-flow; within a set,
//!   people are handed out in person order;
//! - `random[:SEED]`: uniform among candidate orgs, from a seeded generator, in person order.
//!
//! Suppressed people are assigned to nobody. Everything is a function of person order, which
//! depends on content only, so assignments are reproducible across runs and thread counts.

use std::fmt;
use std::str::FromStr;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::error::{Error, Result};
use crate::merge::{People, VoterStatus};

/// How to choose each person's messenger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    Priority(Vec<String>),
    Balanced,
    Random(u64),
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Policy, String> {
        if s == "balanced" {
            return Ok(Policy::Balanced);
        }
        if s == "random" {
            return Ok(Policy::Random(0));
        }
        if let Some(seed) = s.strip_prefix("random:") {
            return seed
                .parse()
                .map(Policy::Random)
                .map_err(|_| "random:SEED takes a whole number".to_string());
        }
        if let Some(list) = s.strip_prefix("priority:") {
            let orgs: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect();
            if orgs.is_empty() {
                return Err("priority: needs org labels, e.g. priority:union,tenants".into());
            }
            return Ok(Policy::Priority(orgs));
        }
        Err("the policy is one of priority:ORG1,ORG2,..., balanced, random[:SEED]".into())
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Priority(orgs) => write!(f, "priority:{}", orgs.join(",")),
            Policy::Balanced => f.write_str("balanced"),
            Policy::Random(seed) => write!(f, "random:{seed}"),
        }
    }
}

impl Policy {
    /// Refuses a priority list naming an org that is not in the merge.
    pub fn check(&self, labels: &[String]) -> Result<()> {
        if let Policy::Priority(orgs) = self {
            for org in orgs {
                if !labels.contains(org) {
                    return Err(Error::Usage(format!(
                        "--assign priority names org '{org}', which is not among the org files ({})",
                        labels.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Restricts assignment to matched people in some districts: `COL=VALUE[,VALUE...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub column: String,
    pub values: Vec<String>,
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Target, String> {
        let (column, values) = s
            .split_once('=')
            .ok_or("--target takes COL=VALUE[,VALUE...]")?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if column.trim().is_empty() || values.iter().all(String::is_empty) {
            return Err("--target takes COL=VALUE[,VALUE...]".into());
        }
        Ok(Target {
            column: column.trim().to_string(),
            values,
        })
    }
}

impl Target {
    /// The column must be one the voter file kept.
    pub fn check(&self, columns: &[String]) -> Result<()> {
        if columns.contains(&self.column) {
            Ok(())
        } else if columns.is_empty() {
            Err(Error::Usage(
                "--target needs a voter file (--voters) with kept columns".into(),
            ))
        } else {
            Err(Error::Usage(format!(
                "--target column '{}' is not a kept voter-file column ({})",
                self.column,
                columns.join(", ")
            )))
        }
    }
}

const NOBODY: u8 = u8::MAX;

/// Who messages whom.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub policy: Policy,
    /// Per person: org index, or `NOBODY`.
    org_of: Vec<u8>,
    pub per_org: Vec<u64>,
    pub unassigned_suppressed: u64,
    pub outside_target: u64,
}

impl Assignment {
    pub fn assigned_to(&self, person: usize) -> Option<usize> {
        let o = self.org_of[person];
        (o != NOBODY).then_some(o as usize)
    }
}

/// Why a person is or is not eligible for assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    Suppressed,
    OutsideTarget,
}

/// Voter geography: column names, interned values per column, and rows of value ids.
pub(crate) type GeoTables<'a> = (&'a Vec<String>, &'a Vec<Vec<String>>, &'a Vec<Vec<u32>>);

pub(crate) fn eligible(
    people: &People,
    target: Option<&Target>,
    geo: Option<GeoTables>,
) -> Vec<Eligibility> {
    let wanted: Option<(usize, Vec<u32>)> = match (target, geo) {
        (Some(t), Some((columns, values, _))) => {
            columns.iter().position(|c| *c == t.column).map(|c| {
                let ids = values[c]
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| t.values.contains(v))
                    .map(|(i, _)| i as u32)
                    .collect();
                (c, ids)
            })
        }
        _ => None,
    };
    (0..people.len())
        .map(|p| {
            if people.suppressed[p] {
                return Eligibility::Suppressed;
            }
            if target.is_some() {
                let inside = match (&wanted, geo, people.status[p]) {
                    (Some((c, ids)), Some((_, _, rows)), VoterStatus::Matched(_)) => people
                        .geo
                        .get(p)
                        .and_then(|&g| rows.get(g as usize))
                        .is_some_and(|row| ids.contains(&row[*c])),
                    _ => false,
                };
                if !inside {
                    return Eligibility::OutsideTarget;
                }
            }
            Eligibility::Eligible
        })
        .collect()
}

/// Candidate orgs of a person, as indexes in ascending order.
fn candidates(mask: u64, n_orgs: usize) -> impl Iterator<Item = usize> {
    (0..n_orgs).filter(move |&o| mask >> o & 1 == 1)
}

pub(crate) fn assign(
    policy: &Policy,
    people: &People,
    eligibility: &[Eligibility],
    labels: &[String],
) -> Assignment {
    let n_orgs = labels.len();
    let mut org_of = vec![NOBODY; people.len()];
    let chosen: Vec<usize> = (0..people.len())
        .filter(|&p| eligibility[p] == Eligibility::Eligible)
        .collect();
    match policy {
        Policy::Priority(order) => {
            let ranked = priority_order(order, labels);
            for &p in &chosen {
                let mask = people.orgs[p];
                if let Some(&o) = ranked.iter().find(|&&o| mask >> o & 1 == 1) {
                    org_of[p] = o as u8;
                }
            }
        }
        Policy::Random(seed) => {
            let mut rng = ChaCha8Rng::seed_from_u64(*seed);
            for &p in &chosen {
                let cands: Vec<usize> = candidates(people.orgs[p], n_orgs).collect();
                org_of[p] = cands[rng.random_range(0..cands.len())] as u8;
            }
        }
        Policy::Balanced => {
            let masks: Vec<u64> = chosen.iter().map(|&p| people.orgs[p]).collect();
            for (i, o) in balanced(&masks, n_orgs).into_iter().enumerate() {
                org_of[chosen[i]] = o as u8;
            }
        }
    }
    let mut per_org = vec![0u64; n_orgs];
    for &o in org_of.iter().filter(|&&o| o != NOBODY) {
        per_org[o as usize] += 1;
    }
    let count = |e: Eligibility| eligibility.iter().filter(|&&x| x == e).count() as u64;
    Assignment {
        policy: policy.clone(),
        org_of,
        per_org,
        unassigned_suppressed: count(Eligibility::Suppressed),
        outside_target: count(Eligibility::OutsideTarget),
    }
}

/// Org indexes in priority order: the listed orgs, then the unlisted ones by label.
pub fn priority_order(order: &[String], labels: &[String]) -> Vec<usize> {
    let mut ranked: Vec<usize> = order
        .iter()
        .filter_map(|name| labels.iter().position(|l| l == name))
        .collect();
    let unlisted: Vec<usize> = (0..labels.len()).filter(|o| !ranked.contains(o)).collect();
    ranked.extend(unlisted);
    ranked
}

/// For each entry of `masks` (a person's candidate orgs, non-empty), an org, such that the
/// largest load is as small as possible.
pub fn balanced(masks: &[u64], n_orgs: usize) -> Vec<usize> {
    // Group interchangeable people by candidate set, in first-seen (person) order.
    let mut groups: Vec<u64> = masks.to_vec();
    groups.sort_unstable();
    groups.dedup();
    let size: Vec<i64> = groups
        .iter()
        .map(|g| masks.iter().filter(|&&m| m == *g).count() as i64)
        .collect();
    let total: i64 = size.iter().sum();
    if total == 0 {
        return Vec::new();
    }
    let (mut lo, mut hi) = ((total + n_orgs as i64 - 1) / n_orgs as i64, total);
    let mut best = flow_assignment(&groups, &size, n_orgs, hi).expect("cap = total is feasible");
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match flow_assignment(&groups, &size, n_orgs, mid) {
            Some(f) => {
                best = f;
                hi = mid;
            }
            None => lo = mid + 1,
        }
    }
    if lo != hi || best.is_empty() {
        best = flow_assignment(&groups, &size, n_orgs, lo).expect("feasible");
    }
    // Hand out each group's quota per org, people in order.
    let mut quota = best;
    masks
        .iter()
        .map(|m| {
            let g = groups.binary_search(m).expect("grouped");
            let o = candidates(*m, n_orgs)
                .find(|&o| quota[g][o] > 0)
                .expect("the flow covers every person");
            quota[g][o] -= 1;
            o
        })
        .collect()
}

/// Max-flow (Dinic) from groups to orgs with org capacity `cap`; the per-group, per-org
/// flow when every person can be placed, else `None`.
fn flow_assignment(groups: &[u64], size: &[i64], n_orgs: usize, cap: i64) -> Option<Vec<Vec<i64>>> {
    let (source, sink) = (0, 1);
    let group_node = |g: usize| 2 + g;
    let org_node = |o: usize| 2 + groups.len() + o;
    let mut net = Network::new(2 + groups.len() + n_orgs);
    let mut edge_of = vec![vec![usize::MAX; n_orgs]; groups.len()];
    for (g, &mask) in groups.iter().enumerate() {
        net.add(source, group_node(g), size[g]);
        for o in candidates(mask, n_orgs) {
            edge_of[g][o] = net.add(group_node(g), org_node(o), size[g]);
        }
    }
    for o in 0..n_orgs {
        net.add(org_node(o), sink, cap);
    }
    let total: i64 = size.iter().sum();
    if net.max_flow(source, sink) < total {
        return None;
    }
    Some(
        edge_of
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&e| if e == usize::MAX { 0 } else { net.flow(e) })
                    .collect()
            })
            .collect(),
    )
}

struct Edge {
    to: usize,
    cap: i64,
    original: i64,
}

/// A small Dinic max-flow network.
struct Network {
    edges: Vec<Edge>,
    adj: Vec<Vec<usize>>,
}

impl Network {
    fn new(n: usize) -> Network {
        Network {
            edges: Vec::new(),
            adj: vec![Vec::new(); n],
        }
    }

    fn add(&mut self, from: usize, to: usize, cap: i64) -> usize {
        self.adj[from].push(self.edges.len());
        self.edges.push(Edge {
            to,
            cap,
            original: cap,
        });
        self.adj[to].push(self.edges.len());
        self.edges.push(Edge {
            to: from,
            cap: 0,
            original: 0,
        });
        self.edges.len() - 2
    }

    fn flow(&self, e: usize) -> i64 {
        self.edges[e].original - self.edges[e].cap
    }

    fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let mut total = 0;
        loop {
            let level = self.levels(s);
            if level[t] < 0 {
                return total;
            }
            let mut next = vec![0usize; self.adj.len()];
            loop {
                let pushed = self.push(s, t, i64::MAX, &level, &mut next);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
    }

    fn levels(&self, s: usize) -> Vec<i64> {
        let mut level = vec![-1; self.adj.len()];
        level[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        while let Some(v) = queue.pop_front() {
            for &e in &self.adj[v] {
                let edge = &self.edges[e];
                if edge.cap > 0 && level[edge.to] < 0 {
                    level[edge.to] = level[v] + 1;
                    queue.push_back(edge.to);
                }
            }
        }
        level
    }

    fn push(&mut self, v: usize, t: usize, limit: i64, level: &[i64], next: &mut [usize]) -> i64 {
        if v == t {
            return limit;
        }
        while next[v] < self.adj[v].len() {
            let e = self.adj[v][next[v]];
            let (to, cap) = (self.edges[e].to, self.edges[e].cap);
            if cap > 0 && level[to] == level[v] + 1 {
                let pushed = self.push(to, t, limit.min(cap), level, next);
                if pushed > 0 {
                    self.edges[e].cap -= pushed;
                    self.edges[e ^ 1].cap += pushed;
                    return pushed;
                }
            }
            next[v] += 1;
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_load(masks: &[u64], picks: &[usize], n: usize) -> usize {
        let mut load = vec![0; n];
        for (m, &o) in masks.iter().zip(picks) {
            assert!(
                m >> o & 1 == 1,
                "assigned to an org that does not have the person"
            );
            load[o] += 1;
        }
        load.into_iter().max().unwrap_or(0)
    }

    /// The optimum by trying every assignment.
    fn brute_force_optimum(masks: &[u64], n: usize) -> usize {
        fn go(masks: &[u64], n: usize, load: &mut Vec<usize>, best: &mut usize) {
            let Some((&m, rest)) = masks.split_first() else {
                *best = (*best).min(*load.iter().max().unwrap());
                return;
            };
            for o in candidates(m, n) {
                load[o] += 1;
                go(rest, n, load, best);
                load[o] -= 1;
            }
        }
        let mut best = usize::MAX;
        go(masks, n, &mut vec![0; n], &mut best);
        best
    }

    #[test]
    fn balanced_is_optimal_on_small_cases() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..300 {
            let n = rng.random_range(1..5usize);
            let people = rng.random_range(0..9usize);
            let masks: Vec<u64> = (0..people)
                .map(|_| rng.random_range(1..(1u64 << n)))
                .collect();
            let picks = balanced(&masks, n);
            assert_eq!(picks.len(), masks.len());
            if masks.is_empty() {
                continue;
            }
            assert_eq!(
                max_load(&masks, &picks, n),
                brute_force_optimum(&masks, n),
                "{masks:?}"
            );
        }
    }

    #[test]
    fn policies_parse() {
        assert_eq!("balanced".parse(), Ok(Policy::Balanced));
        assert_eq!("random:7".parse(), Ok(Policy::Random(7)));
        assert_eq!(
            "priority:a, b".parse(),
            Ok(Policy::Priority(vec!["a".into(), "b".into()]))
        );
        assert!("fair".parse::<Policy>().is_err());
        assert!("priority:".parse::<Policy>().is_err());
        assert_eq!(
            "precinct=P-1,P-2".parse(),
            Ok(Target {
                column: "precinct".into(),
                values: vec!["P-1".into(), "P-2".into()]
            })
        );
        assert!("precinct".parse::<Target>().is_err());
    }
}
