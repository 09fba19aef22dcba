//! Messengers: each person an org reaches hears from one of that org's own volunteers who
//! lives nearby, not from a national list.
//!
//! An org marks its willing volunteers when it hashes its list (`hash --messenger-col`); the
//! hashed file carries one flag per row and nothing else new. At `merge --messenger-by COL`,
//! for each org separately, every person assigned to that org and matched to the voter file
//! gets a messenger: a flagged record of the same org, matched in the same value of COL (a
//! precinct, say), never the person themself. Where the precinct has no messenger, or its
//! messengers are all at the cap, a messenger elsewhere in the smallest enclosing district
//! (from merge's nesting detection) is used; then none.
//!
//! The choice is exact and small. What counts, in this order: as many people as possible
//! with a messenger in their own precinct; then as many as possible with a messenger at all;
//! then the smallest possible largest load. Precincts are independent except through their
//! enclosing district, where everyone can reach everyone, so a district is solved on its
//! own: per precinct, the most local people is `min(people, messengers * load)` (less one
//! when the only messenger is also one of the people), and the rest fill the district's
//! spare capacity. A binary search finds the smallest load bound that keeps both counts at
//! their best. The unit tests check all of this against a brute force over every possible
//! assignment of small cases.
//!
//! Orgs never share messengers, so one org's volunteers change nothing in another org's
//! table. Everything is a function of person order, which depends on content only.

use std::collections::BTreeSet;

/// `merge --messenger-by COL [--messenger-cap N]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessengerOptions {
    /// A kept voter-file column: people and messengers with the same value are close by.
    pub by: String,
    /// No messenger writes to more people than this.
    pub cap: Option<u32>,
}

/// How a cell of the messenger column reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// `yes`, `y`, `true`, `1` or `x`, in any case.
    Yes,
    /// Empty, `no`, `n`, `false` or `0`.
    No,
    /// Anything else: not a messenger, and counted so the org can check its column.
    Unclear,
}

/// Reads a messenger cell: trimmed of blanks and NUL padding, compared without case.
pub fn read_flag(cell: &[u8]) -> Flag {
    let blank = |b: &u8| b.is_ascii_whitespace() || *b == 0;
    let start = cell.iter().position(|b| !blank(b)).unwrap_or(cell.len());
    let end = cell
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |e| e + 1);
    let word = &cell[start..end];
    let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
    if ["yes", "y", "true", "1", "x"].into_iter().any(is) {
        Flag::Yes
    } else if word.is_empty() || ["no", "n", "false", "0"].into_iter().any(is) {
        Flag::No
    } else {
        Flag::Unclear
    }
}

/// Where a person's messenger lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// In the person's own district (the same value of `--messenger-by`).
    Local,
    /// Elsewhere in the smallest enclosing district.
    Enclosing,
}

/// The people and messengers of one org in one precinct. Ids are person ids: a messenger
/// with the id of one of the people is that person. Both lists are in ascending order.
#[derive(Clone, Debug, Default)]
pub struct Precinct {
    pub people: Vec<u32>,
    pub messengers: Vec<u32>,
}

/// One org's precincts that share a fallback: the precincts of one enclosing district
/// (`fallback` true), or a single precinct with no enclosing district.
#[derive(Clone, Debug, Default)]
pub struct Area {
    pub precincts: Vec<Precinct>,
    pub fallback: bool,
}

/// A person's messenger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick {
    pub person: u32,
    pub messenger: u32,
    pub reach: Reach,
}

/// The plan of one area at one load bound.
struct Trial {
    picks: Vec<Pick>,
    local: usize,
}

impl Trial {
    fn score(&self) -> (usize, usize) {
        (self.local, self.picks.len())
    }
}

/// Messengers for the people of an area: the most people with a local messenger, then the
/// most with any messenger, then the smallest largest load, with no load above `cap`.
/// People without a messenger are left out of the result.
pub fn plan(area: &Area, cap: Option<u32>) -> Vec<Pick> {
    let people: usize = area.precincts.iter().map(|p| p.people.len()).sum();
    let any_messenger = area.precincts.iter().any(|p| !p.messengers.is_empty());
    if people == 0 || !any_messenger {
        return Vec::new();
    }
    // No messenger can carry more than everybody, so a larger cap changes nothing.
    let people = u32::try_from(people).unwrap_or(u32::MAX);
    let top = cap.map_or(people, |c| c.clamp(1, people));
    let best = attempt(area, top);
    let (mut lo, mut hi) = (1, top);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if attempt(area, mid).score() == best.score() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    if lo == top {
        best.picks
    } else {
        attempt(area, lo).picks
    }
}

/// The plan with no load above `bound`: optimal for (local, covered) at that bound.
fn attempt(area: &Area, bound: u32) -> Trial {
    // Messengers of the whole area, precinct after precinct, with their loads.
    let ids: Vec<u32> = area
        .precincts
        .iter()
        .flat_map(|p| p.messengers.iter().copied())
        .collect();
    let mut loads = vec![0u32; ids.len()];
    let mut picks = Vec::new();
    // People still without a messenger: messengers among them first, since only they have
    // a slot they cannot take (their own).
    let mut waiting_selves = Vec::new();
    let mut waiting = Vec::new();
    let mut first = 0;
    for precinct in &area.precincts {
        let k = precinct.messengers.len();
        let slots = first..first + k;
        first += k;
        let is_messenger = |p: &u32| precinct.messengers.binary_search(p).is_ok();
        let is_person = |p: &u32| precinct.people.binary_search(p).is_ok();
        match k {
            0 => waiting.extend(precinct.people.iter().copied()),
            1 => {
                let m = slots.start;
                for &p in &precinct.people {
                    if p == ids[m] {
                        waiting_selves.push(p);
                    } else if loads[m] < bound {
                        loads[m] += 1;
                        picks.push(local(p, ids[m]));
                    } else {
                        waiting.push(p);
                    }
                }
            }
            _ => {
                // Messengers who are among the people come first among the slots, and those
                // people first in the queue: the person at position j takes slot j + 1
                // (round robin), so nobody lands on their own slot, and loads differ by at
                // most one.
                let mut order: Vec<usize> = slots.clone().filter(|&m| is_person(&ids[m])).collect();
                let selves = order.len();
                order.extend(slots.clone().filter(|&m| !is_person(&ids[m])));
                let queue = order[..selves]
                    .iter()
                    .map(|&m| ids[m])
                    .chain(precinct.people.iter().copied().filter(|p| !is_messenger(p)));
                let capacity = k.saturating_mul(bound as usize);
                for (j, p) in queue.enumerate() {
                    if j < capacity {
                        let m = order[(j + 1) % k];
                        loads[m] += 1;
                        picks.push(local(p, ids[m]));
                    } else if is_messenger(&p) {
                        waiting_selves.push(p);
                    } else {
                        waiting.push(p);
                    }
                }
            }
        }
    }
    let local_count = picks.len();
    if area.fallback {
        fallback(
            &ids,
            &mut loads,
            bound,
            &waiting_selves,
            &waiting,
            &mut picks,
        );
    }
    Trial {
        picks,
        local: local_count,
    }
}

fn local(person: u32, messenger: u32) -> Pick {
    Pick {
        person,
        messenger,
        reach: Reach::Local,
    }
}

/// Fills the area's spare capacity, least-loaded messenger first, with the people local
/// messengers could not take. A waiting messenger-person whose only free slot is their own
/// trades with an earlier waiting messenger-person.
fn fallback(
    ids: &[u32],
    loads: &mut [u32],
    bound: u32,
    selves: &[u32],
    others: &[u32],
    picks: &mut Vec<Pick>,
) {
    let mut free: BTreeSet<(u32, usize)> = loads
        .iter()
        .enumerate()
        .filter(|(_, l)| **l < bound)
        .map(|(m, l)| (*l, m))
        .collect();
    let start = picks.len();
    for &p in selves.iter().chain(others) {
        let Some(&(load, m)) = free.iter().find(|(_, m)| ids[*m] != p) else {
            // Only the person's own slot is free: give it to an earlier person of this
            // phase and take theirs (both stay outside their own precinct).
            let own = free.iter().next().map(|&(_, m)| m);
            let earlier = picks[start..]
                .iter()
                .position(|q| Some(q.messenger) != own.map(|m| ids[m]));
            if let (Some(own), Some(i)) = (own, earlier) {
                let taken = picks[start + i].messenger;
                picks[start + i].messenger = ids[own];
                picks.push(Pick {
                    person: p,
                    messenger: taken,
                    reach: Reach::Enclosing,
                });
                take(&mut free, loads, own, bound);
            }
            continue;
        };
        debug_assert_eq!(load, loads[m]);
        picks.push(Pick {
            person: p,
            messenger: ids[m],
            reach: Reach::Enclosing,
        });
        take(&mut free, loads, m, bound);
    }
}

/// One more person on messenger `m`.
fn take(free: &mut BTreeSet<(u32, usize)>, loads: &mut [u32], m: usize, bound: u32) {
    free.remove(&(loads[m], m));
    loads[m] += 1;
    if loads[m] < bound {
        free.insert((loads[m], m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};
    use std::collections::HashMap;

    #[test]
    fn flags_read_as_documented() {
        for yes in ["yes", "Y", " TRUE ", "1", "x", "X\0", "Yes"] {
            assert_eq!(read_flag(yes.as_bytes()), Flag::Yes, "{yes:?}");
        }
        for no in ["", "  ", "no", "N", "false", "0"] {
            assert_eq!(read_flag(no.as_bytes()), Flag::No, "{no:?}");
        }
        for unclear in ["yes please", "2", "ja", "\u{FFFD}", "y e s"] {
            assert_eq!(read_flag(unclear.as_bytes()), Flag::Unclear, "{unclear:?}");
        }
        assert_eq!(read_flag(&[0xFF, b'y']), Flag::Unclear);
    }

    /// (people with a local messenger, people with a messenger, largest load).
    fn outcome(area: &Area, picks: &[Pick], cap: Option<u32>) -> (usize, usize, u32) {
        let precinct_of_person: HashMap<u32, usize> = area
            .precincts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.people.iter().map(move |&x| (x, i)))
            .collect();
        let precinct_of_messenger: HashMap<u32, usize> = area
            .precincts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.messengers.iter().map(move |&x| (x, i)))
            .collect();
        let mut loads: HashMap<u32, u32> = HashMap::new();
        let mut seen = BTreeSet::new();
        let mut local = 0;
        for pick in picks {
            assert!(seen.insert(pick.person), "a person picked twice");
            assert_ne!(
                pick.person, pick.messenger,
                "a person is their own messenger"
            );
            let here = precinct_of_person[&pick.person];
            let there = precinct_of_messenger[&pick.messenger];
            assert_eq!(pick.reach == Reach::Local, here == there, "{pick:?}");
            assert!(
                area.fallback || here == there,
                "fallback without an enclosing district"
            );
            local += usize::from(here == there);
            *loads.entry(pick.messenger).or_default() += 1;
        }
        let largest = loads.values().copied().max().unwrap_or(0);
        assert!(cap.is_none_or(|c| largest <= c), "a load above the cap");
        (local, picks.len(), largest)
    }

    /// The best (local, covered, -largest load) over every possible assignment.
    fn brute_force(area: &Area, cap: Option<u32>) -> (usize, usize, u32) {
        let people: Vec<(u32, usize)> = area
            .precincts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.people.iter().map(move |&x| (x, i)))
            .collect();
        let messengers: Vec<(u32, usize)> = area
            .precincts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.messengers.iter().map(move |&x| (x, i)))
            .collect();
        struct Search<'a> {
            people: &'a [(u32, usize)],
            messengers: &'a [(u32, usize)],
            fallback: bool,
            cap: u32,
            loads: Vec<u32>,
            best: Option<(usize, usize, std::cmp::Reverse<u32>)>,
        }
        fn go(s: &mut Search, i: usize, local: usize, covered: usize) {
            if i == s.people.len() {
                let largest = s.loads.iter().copied().max().unwrap_or(0);
                let score = (local, covered, std::cmp::Reverse(largest));
                if s.best.is_none_or(|b| score > b) {
                    s.best = Some(score);
                }
                return;
            }
            go(s, i + 1, local, covered);
            let (person, here) = s.people[i];
            for m in 0..s.messengers.len() {
                let (id, there) = s.messengers[m];
                if id == person || s.loads[m] >= s.cap || (!s.fallback && here != there) {
                    continue;
                }
                s.loads[m] += 1;
                go(s, i + 1, local + usize::from(here == there), covered + 1);
                s.loads[m] -= 1;
            }
        }
        let mut s = Search {
            people: &people,
            messengers: &messengers,
            fallback: area.fallback,
            cap: cap.unwrap_or(u32::MAX),
            loads: vec![0; messengers.len()],
            best: None,
        };
        go(&mut s, 0, 0, 0);
        let (local, covered, largest) = s.best.unwrap_or((0, 0, std::cmp::Reverse(0)));
        (local, covered, largest.0)
    }

    /// A random area: precincts of people (ids 0..) and messengers, some of whom are among
    /// the people of their precinct (volunteers assigned to their own org).
    fn random_area(rng: &mut ChaCha8Rng, max_people: usize) -> Area {
        let precincts = rng.random_range(1..5usize);
        let mut next_id = 0u32;
        let mut area = Area {
            precincts: Vec::new(),
            fallback: rng.random_bool(0.7),
        };
        let mut budget = max_people;
        for _ in 0..precincts {
            let n = rng.random_range(0..=budget.min(3));
            budget -= n;
            let people: Vec<u32> = (0..n as u32).map(|i| next_id + i).collect();
            next_id += n as u32;
            let mut messengers: Vec<u32> = people
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.4))
                .collect();
            for _ in 0..rng.random_range(0..2) {
                messengers.push(next_id);
                next_id += 1;
            }
            messengers.sort_unstable();
            area.precincts.push(Precinct { people, messengers });
        }
        area
    }

    #[test]
    fn plans_are_optimal_on_small_cases() {
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let mut interesting = 0;
        for case in 0..2000 {
            let area = random_area(&mut rng, 6);
            let cap = match rng.random_range(0..4) {
                0 => None,
                c => Some(c),
            };
            let picks = plan(&area, cap);
            let got = outcome(&area, &picks, cap);
            let want = brute_force(&area, cap);
            assert_eq!(got, want, "case {case}: {area:?} cap {cap:?}\n{picks:?}");
            interesting += usize::from(got.1 > got.0 && got.0 > 0);
        }
        assert!(
            interesting > 100,
            "cases mixing local and fallback: {interesting}"
        );
    }

    #[test]
    fn a_lone_messenger_is_never_their_own_messenger() {
        // Precinct 0: x (a messenger) and two neighbours; precinct 1: a messenger with
        // nobody to reach. x writes to the neighbours and hears from precinct 1.
        let area = Area {
            precincts: vec![
                Precinct {
                    people: vec![0, 1, 2],
                    messengers: vec![0],
                },
                Precinct {
                    people: vec![],
                    messengers: vec![9],
                },
            ],
            fallback: true,
        };
        let picks = plan(&area, Some(2));
        assert_eq!(outcome(&area, &picks, Some(2)), (2, 3, 2));
        assert!(picks.contains(&Pick {
            person: 0,
            messenger: 9,
            reach: Reach::Enclosing
        }));
        // Without the fallback x has nobody.
        let alone = Area {
            fallback: false,
            ..area
        };
        assert_eq!(outcome(&alone, &plan(&alone, None), None), (2, 2, 2));
    }

    #[test]
    fn a_messenger_whose_only_free_slot_is_their_own_trades_with_another() {
        // Load 1. Precinct A: messenger 0 already writes to neighbour 1; precinct C: messenger
        // 5 with nobody; precinct B: messenger 7 alone. 0 goes first and takes 5, which
        // leaves 7 only its own slot: 0 and 7 trade, and both have a messenger.
        let area = Area {
            precincts: vec![
                Precinct {
                    people: vec![0, 1],
                    messengers: vec![0],
                },
                Precinct {
                    people: vec![],
                    messengers: vec![5],
                },
                Precinct {
                    people: vec![7],
                    messengers: vec![7],
                },
            ],
            fallback: true,
        };
        let picks = plan(&area, Some(1));
        assert_eq!(outcome(&area, &picks, Some(1)), (1, 3, 1));
        assert_eq!(brute_force(&area, Some(1)), (1, 3, 1));
    }

    #[test]
    fn larger_cases_keep_the_invariants_and_the_lower_bound() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200 {
            let mut area = Area {
                precincts: Vec::new(),
                fallback: true,
            };
            let mut next = 0u32;
            for _ in 0..rng.random_range(1..12) {
                let n = rng.random_range(0..60u32);
                let people: Vec<u32> = (next..next + n).collect();
                next += n;
                let mut messengers: Vec<u32> = people
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(0.05))
                    .collect();
                messengers.extend(next..next + rng.random_range(0..3u32));
                next += 3;
                messengers.sort_unstable();
                area.precincts.push(Precinct { people, messengers });
            }
            let cap = rng.random_bool(0.5).then(|| rng.random_range(1..30));
            let picks = plan(&area, cap);
            let (_, covered, largest) = outcome(&area, &picks, cap);
            let k: usize = area.precincts.iter().map(|p| p.messengers.len()).sum();
            if covered > 0 && k > 0 {
                assert!(largest as usize >= covered.div_ceil(k));
            }
        }
    }
}
