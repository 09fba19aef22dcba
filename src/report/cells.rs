//! The suppression model: every published count once, the linear relations between them,
//! and which counts are hidden.
//!
//! A small count can single a person out, so counts below the threshold K are hidden. That
//! is not enough when a hidden count can be recovered from published ones: a total minus its
//! visible parts, or a longer chain (an org's people minus two overlaps plus the people on
//! all three lists). So every relation between published counts is declared here, with its
//! coefficients, and suppression runs in two steps until neither hides anything more:
//!
//! 1. the quick rule: a relation with exactly one hidden count hides one more (its smallest
//!    visible count, so that as little as possible is lost);
//! 2. the exact check: Gauss-Jordan elimination of the relations over the hidden counts (the
//!    visible ones are constants) finds every hidden count that some combination of
//!    relations pins down, however long the chain (a precinct is its congressional district
//!    less the house districts that make up the rest of it), and the shown counts each such
//!    combination uses; a greedy cover hides few shown counts that break them all, and the
//!    two steps run again.
//!
//! The elimination works modulo the prime 2^61 - 1, so it needs no big numbers: a
//! combination that works over the rationals works modulo the prime unless the prime divides
//! its denominator (coefficients are small integers, so in practice never), and a combination
//! that only works modulo the prime hides a count too many, never one too few.
//!
//! Values live only in this module: the renderers ask for a count and get it only when it
//! is shown, so no chart can draw a hidden value by mistake.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A registered count's index.
pub type CellId = usize;

/// Registered counts, relations and which counts are hidden.
#[derive(Default)]
pub struct Cells {
    values: Vec<u64>,
    hidden: Vec<bool>,
    by_name: HashMap<String, CellId>,
    /// Linear relations between counts: sum of coefficient * count = 0.
    relations: Vec<Vec<(CellId, i64)>>,
    /// (count, gate): the count is hidden whenever the gate is.
    gates: Vec<(CellId, CellId)>,
}

impl Cells {
    /// The count called `name`, registered once: the same number shown twice is one cell.
    pub fn id(&mut self, name: &str, value: u64) -> CellId {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        self.values.push(value);
        self.hidden.push(false);
        self.by_name.insert(name.to_string(), self.values.len() - 1);
        self.values.len() - 1
    }

    /// The parts add up to the total.
    pub fn group(&mut self, parts: Vec<CellId>, total: CellId) {
        if !parts.is_empty() {
            let mut terms: Vec<(CellId, i64)> = parts.into_iter().map(|p| (p, 1)).collect();
            terms.push((total, -1));
            self.relation(terms);
        }
    }

    /// sum of coefficient * count = 0. A count named twice gets the sum of its coefficients.
    pub fn relation(&mut self, terms: Vec<(CellId, i64)>) {
        let mut merged: BTreeMap<CellId, i64> = BTreeMap::new();
        for (cell, coefficient) in terms {
            *merged.entry(cell).or_default() += coefficient;
        }
        let terms: Vec<(CellId, i64)> = merged.into_iter().filter(|(_, k)| *k != 0).collect();
        // One term left (k * x = 0) says the count is zero: nothing to protect.
        if terms.len() > 1 {
            self.relations.push(terms);
        }
    }

    /// `cell` is hidden whenever `gate` is: for a count in no relation that still says
    /// something about the counts behind the gate (a largest load, about its messengers).
    pub fn hide_with(&mut self, cell: CellId, gate: CellId) {
        self.gates.push((cell, gate));
    }

    /// The value of a count, if it is shown.
    pub fn shown(&self, id: CellId) -> Option<u64> {
        (!self.hidden[id]).then(|| self.values[id])
    }

    /// True for a hidden count that is hidden because it is below `k` (shown as `<k`), false
    /// for one hidden so that another cannot be derived (shown as `*`) and for shown counts.
    pub fn below(&self, id: CellId, k: u64) -> bool {
        self.hidden[id] && self.values[id] < k
    }

    /// Hides counts below `k`, then more until no hidden count can be derived.
    pub fn suppress(&mut self, k: u64) {
        for (value, hidden) in self.values.iter().zip(self.hidden.iter_mut()) {
            *hidden = *value < k;
        }
        self.quick_rule();
        // The elimination is done once and then kept up to date: hiding a count only adds
        // a column to it.
        let mut echelon = self.echelon();
        let mut columns: Vec<Vec<(usize, u64)>> = vec![Vec::new(); self.values.len()];
        for (i, terms) in self.relations.iter().enumerate() {
            for &(c, k) in terms {
                columns[c].push((i, modp(k)));
            }
        }
        loop {
            let derivations = self.derivations_in(&echelon);
            // Break every derivation found, hiding as few counts as a greedy cover can:
            // the count used by the most derivations (the smallest among equals), then the
            // same among the derivations it leaves, and so on. Hiding one count per
            // derivation would hide far more than needed.
            let mut open: Vec<Vec<CellId>> = derivations.into_iter().map(|(_, s)| s).collect();
            let mut newly = Vec::new();
            while !open.is_empty() {
                let mut uses: BTreeMap<CellId, usize> = BTreeMap::new();
                for &c in open.iter().flatten() {
                    *uses.entry(c).or_default() += 1;
                }
                let Some((next, _)) = uses
                    .into_iter()
                    .min_by_key(|&(c, n)| (std::cmp::Reverse(n), self.values[c], c))
                else {
                    // Derived from no shown count at all: the relations force it to zero.
                    break;
                };
                self.hidden[next] = true;
                newly.push(next);
                open.retain(|shown| !shown.contains(&next));
            }
            if newly.is_empty() {
                break;
            }
            newly.extend(self.quick_rule());
            // Adding a column visits every row; past a handful, starting afresh is cheaper.
            if newly.len() > 6 {
                echelon = self.echelon();
            } else {
                for cell in newly {
                    echelon.hide(cell, &columns[cell]);
                }
            }
        }
        // Gated counts are in no relation: hiding them last changes no derivation.
        for &(cell, gate) in &self.gates {
            if self.hidden[gate] {
                self.hidden[cell] = true;
            }
        }
    }

    /// Until nothing changes, one more hidden count in every relation with exactly one.
    /// Returns the counts it hid.
    fn quick_rule(&mut self) -> Vec<CellId> {
        let mut hid = Vec::new();
        loop {
            let mut changed = false;
            for terms in &self.relations {
                if terms.iter().filter(|(c, _)| self.hidden[*c]).count() != 1 {
                    continue;
                }
                if let Some(next) = self.smallest_visible(terms.iter().map(|(c, _)| *c)) {
                    self.hidden[next] = true;
                    hid.push(next);
                    changed = true;
                }
            }
            if !changed {
                return hid;
            }
        }
    }

    fn smallest_visible(&self, cells: impl Iterator<Item = CellId>) -> Option<CellId> {
        cells
            .filter(|&c| !self.hidden[c])
            .min_by_key(|&c| (self.values[c], c))
    }

    /// The relations restricted to hidden counts (the shown ones are constants), in
    /// reduced row echelon form.
    fn echelon(&self) -> Echelon {
        let mut rows: Vec<(Row, Row)> = self
            .relations
            .iter()
            .enumerate()
            .map(|(i, terms)| {
                let row: Row = terms
                    .iter()
                    .filter(|(c, _)| self.hidden[*c])
                    .map(|&(c, k)| (c, modp(k)))
                    .collect();
                (row, Row::from([(i, 1)]))
            })
            .collect();
        // Short (local) relations first keeps the rows sparse.
        rows.sort_by_key(|(r, _)| r.len());
        let mut echelon = Echelon::default();
        for (row, combination) in rows {
            echelon.add(row, combination);
        }
        echelon
    }

    /// Every hidden count that a combination of relations determines from shown counts,
    /// with the shown counts that combination uses: hiding any one of them breaks it.
    #[cfg(test)]
    fn derivations(&self) -> Vec<(CellId, Vec<CellId>)> {
        self.derivations_in(&self.echelon())
    }

    /// A hidden count is determined exactly when one row of the echelon form names it
    /// alone; the row's combination of relations says which shown counts determine it.
    fn derivations_in(&self, echelon: &Echelon) -> Vec<(CellId, Vec<CellId>)> {
        let mut found: Vec<(CellId, Vec<CellId>)> = echelon
            .rows
            .iter()
            .zip(&echelon.combinations)
            .filter(|(r, _)| r.len() == 1)
            .filter_map(|(r, combination)| {
                let cell = *r.keys().next()?;
                // The shown counts the combination adds up, with what weight.
                let mut shown = Row::new();
                for (&i, &y) in combination {
                    for &(c, k) in self.relations[i].iter().filter(|(c, _)| !self.hidden[*c]) {
                        add(&mut shown, c, mul(y, modp(k)));
                    }
                }
                Some((cell, shown.into_keys().collect()))
            })
            .collect();
        found.sort_unstable();
        found
    }

    /// Replaces every hidden count below `k` with `small` and every other hidden count
    /// with `large` (tests: what renders a report must not depend on hidden values, beyond
    /// the `<K` / `*` distinction the tables make too).
    #[cfg(test)]
    pub fn set_hidden_values(&mut self, k: u64, small: u64, large: u64) {
        assert!(small < k && large >= k);
        for (v, h) in self.values.iter_mut().zip(&self.hidden) {
            if *h {
                *v = if *v < k { small } else { large };
            }
        }
    }

    #[cfg(test)]
    pub fn id_of(&self, name: &str) -> CellId {
        self.by_name[name]
    }

    #[cfg(test)]
    pub fn hidden_by_name(&self, name: &str) -> bool {
        self.hidden[self.by_name[name]]
    }

    /// True if no relation has exactly one hidden count and no hidden count is derivable.
    #[cfg(test)]
    pub fn is_sound(&self) -> bool {
        self.relations
            .iter()
            .all(|t| t.iter().filter(|(c, _)| self.hidden[*c]).count() != 1)
            && self.derivations().is_empty()
    }
}

#[cfg(test)]
impl Cells {
    /// A second, independent look: dense Gauss-Jordan elimination in floating point over
    /// the hidden counts, then the same question (does a row name one count alone?).
    pub fn agrees_with_dense_elimination(&self) -> bool {
        let hidden: Vec<CellId> = (0..self.values.len()).filter(|&c| self.hidden[c]).collect();
        let column = |c: CellId| hidden.iter().position(|&h| h == c);
        let mut m: Vec<Vec<f64>> = self
            .relations
            .iter()
            .map(|terms| {
                let mut row = vec![0.0; hidden.len()];
                for &(c, k) in terms {
                    if let Some(j) = column(c) {
                        row[j] += k as f64;
                    }
                }
                row
            })
            .collect();
        let mut rank = 0;
        for j in 0..hidden.len() {
            let Some(p) = (rank..m.len()).max_by(|&a, &b| m[a][j].abs().total_cmp(&m[b][j].abs()))
            else {
                break;
            };
            if m[p][j].abs() < 1e-9 {
                continue;
            }
            m.swap(rank, p);
            let pivot = m[rank][j];
            for v in m[rank].iter_mut() {
                *v /= pivot;
            }
            let pivot_row = m[rank].clone();
            for (i, row) in m.iter_mut().enumerate() {
                if i != rank && row[j].abs() > 1e-12 {
                    let f = row[j];
                    for (v, p) in row.iter_mut().zip(&pivot_row) {
                        *v -= f * p;
                    }
                }
            }
            rank += 1;
        }
        let dense = m[..rank]
            .iter()
            .filter(|row| row.iter().filter(|v| v.abs() > 1e-9).count() == 1)
            .count();
        dense == self.derivations().len()
    }
}

/// The prime of the elimination: 2^61 - 1.
const P: u64 = (1 << 61) - 1;

fn modp(k: i64) -> u64 {
    k.rem_euclid(P as i64) as u64
}

fn mul(a: u64, b: u64) -> u64 {
    ((a as u128 * b as u128) % P as u128) as u64
}

fn inverse(a: u64) -> u64 {
    // Fermat: a^(P-2).
    let (mut base, mut exp, mut acc) = (a, P - 2, 1u64);
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul(acc, base);
        }
        base = mul(base, base);
        exp >>= 1;
    }
    acc
}

/// A sparse row: cell (or relation) -> nonzero coefficient modulo P.
type Row = BTreeMap<usize, u64>;

/// `row[c] += v`, dropping a zero.
fn add(row: &mut Row, c: usize, v: u64) {
    let e = row.entry(c).or_insert(0);
    *e = (*e + v) % P;
    if *e == 0 {
        row.remove(&c);
    }
}

/// `row -= factor * other`, dropping zeros.
fn subtract(row: &mut Row, factor: u64, other: &Row) {
    for (&c, &v) in other {
        add(row, c, P - mul(factor, v));
    }
}

/// Rows in reduced echelon form: each row has a pivot count (coefficient 1) that no other
/// row names.
#[derive(Default)]
struct Echelon {
    rows: Vec<Row>,
    /// For each row, the combination of relations it is.
    combinations: Vec<Row>,
    pivot_row: HashMap<CellId, usize>,
    /// For each non-pivot count, the rows naming it.
    rows_with: HashMap<CellId, BTreeSet<usize>>,
    /// Combinations of relations that name no hidden count (the shown counts they add up
    /// are consistent by themselves); hiding a count they name can make it derivable.
    null: Vec<Row>,
}

impl Echelon {
    fn add(&mut self, mut row: Row, mut combination: Row) {
        let pivots: Vec<CellId> = row
            .keys()
            .copied()
            .filter(|c| self.pivot_row.contains_key(c))
            .collect();
        for c in pivots {
            // Pivot rows name no other pivot, so this coefficient is still the original.
            if let Some(&f) = row.get(&c) {
                let other = self.pivot_row[&c];
                subtract(&mut row, f, &self.rows[other]);
                subtract(&mut combination, f, &self.combinations[other]);
            }
        }
        // The pivot named by the fewest rows makes the least work.
        let Some(pivot) = row
            .keys()
            .copied()
            .min_by_key(|c| (self.rows_with.get(c).map_or(0, BTreeSet::len), *c))
        else {
            self.null.push(combination);
            return;
        };
        let scale = inverse(row[&pivot]);
        for v in row.values_mut().chain(combination.values_mut()) {
            *v = mul(*v, scale);
        }
        let index = self.rows.len();
        for other in self.rows_with.remove(&pivot).unwrap_or_default() {
            let f = self.rows[other][&pivot];
            let before: BTreeSet<CellId> = self.rows[other].keys().copied().collect();
            subtract(&mut self.rows[other], f, &row);
            subtract(&mut self.combinations[other], f, &combination);
            for c in row.keys().filter(|&&c| c != pivot) {
                let set = self.rows_with.entry(*c).or_default();
                if self.rows[other].contains_key(c) {
                    set.insert(other);
                } else if before.contains(c) {
                    set.remove(&other);
                }
            }
        }
        for &c in row.keys().filter(|&&c| c != pivot) {
            self.rows_with.entry(c).or_default().insert(index);
        }
        self.pivot_row.insert(pivot, index);
        self.rows.push(row);
        self.combinations.push(combination);
    }

    /// A count became hidden: its column (relation, coefficient) joins the form. Each
    /// row's entry in it is the row's combination applied to the column. If a null
    /// combination gets a nonzero entry, it is a new pivot row naming the count alone
    /// (the count is derivable) and the count is eliminated from every other row;
    /// otherwise the count is one more non-pivot column of the rows that name it.
    fn hide(&mut self, cell: CellId, column: &[(usize, u64)]) {
        let entry = |combination: &Row| {
            column.iter().fold(0, |acc, (i, k)| {
                (acc + combination.get(i).map_or(0, |&y| mul(y, *k))) % P
            })
        };
        if let Some(z) = self.null.iter().position(|y| entry(y) != 0) {
            let mut pivot = self.null.swap_remove(z);
            let scale = inverse(entry(&pivot));
            for v in pivot.values_mut() {
                *v = mul(*v, scale);
            }
            for y in self.null.iter_mut().chain(self.combinations.iter_mut()) {
                let f = entry(y);
                if f != 0 {
                    subtract(y, f, &pivot);
                }
            }
            self.pivot_row.insert(cell, self.rows.len());
            self.rows.push(Row::from([(cell, 1)]));
            self.combinations.push(pivot);
        } else {
            for (r, (row, combination)) in self.rows.iter_mut().zip(&self.combinations).enumerate()
            {
                let f = entry(combination);
                if f != 0 {
                    row.insert(cell, f);
                    self.rows_with.entry(cell).or_default().insert(r);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_hidden_part_pulls_a_second_one_down() {
        let mut c = Cells::default();
        let total = c.id("t", 100);
        let a = c.id("a", 3);
        let b = c.id("b", 40);
        let d = c.id("d", 57);
        c.group(vec![a, b, d], total);
        c.suppress(10);
        assert!(c.hidden[a] && c.hidden[b] && !c.hidden[d] && !c.hidden[total]);
    }

    #[test]
    fn a_group_with_one_part_hides_its_total() {
        let mut c = Cells::default();
        let total = c.id("t", 5);
        let a = c.id("a", 5);
        c.group(vec![a], total);
        c.suppress(10);
        assert!(c.hidden[a] && c.hidden[total]);
        let mut c = Cells::default();
        let total = c.id("t", 50);
        let a = c.id("a", 3);
        c.group(vec![a], total);
        c.suppress(10);
        assert!(c.hidden[total], "the total equals the hidden part");
    }

    #[test]
    fn suppression_propagates_through_shared_cells() {
        // x is in two groups; hiding it in one forces a second hide in the other.
        let mut c = Cells::default();
        let t1 = c.id("t1", 100);
        let t2 = c.id("t2", 200);
        let small = c.id("small", 2);
        let x = c.id("x", 30);
        let y = c.id("y", 68);
        let z = c.id("z", 170);
        c.group(vec![small, x, y], t1);
        c.group(vec![x, z], t2);
        c.suppress(10);
        assert!(c.hidden[small] && c.hidden[x]);
        assert!(c.hidden[z], "x hidden alone in t2 would be derivable");
        assert!(c.is_sound());
    }

    #[test]
    fn a_chain_of_relations_is_caught_where_the_quick_rule_is_not() {
        // t1 = a + b and t2 = a + b + s: every relation has two hidden counts once a and b
        // are hidden, yet s = t2 - t1.
        let mut c = Cells::default();
        let t1 = c.id("t1", 60);
        let t2 = c.id("t2", 63);
        let a = c.id("a", 4);
        let b = c.id("b", 56);
        let s = c.id("s", 3);
        c.group(vec![a, b], t1);
        c.group(vec![a, b, s], t2);
        c.hidden = vec![false, false, true, true, true];
        c.quick_rule();
        assert!(
            !c.hidden[t1] && !c.hidden[t2],
            "the quick rule sees nothing"
        );
        assert_eq!(c.derivations(), vec![(s, vec![t1, t2])]);
        assert!(c.agrees_with_dense_elimination());
        c.suppress(10);
        assert!(c.hidden[t1] || c.hidden[t2]);
        assert!(c.is_sound());
    }

    #[test]
    fn weights_matter_to_what_is_derivable() {
        // x + 2y = t with x, y hidden determines neither; adding x + y = u determines both.
        let mut c = Cells::default();
        let x = c.id("x", 4);
        let y = c.id("y", 3);
        let t = c.id("t", 10);
        c.relation(vec![(x, 1), (y, 2), (t, -1)]);
        c.suppress(5);
        assert!(c.hidden[x] && c.hidden[y] && !c.hidden[t]);
        let u = c.id("u", 7);
        c.group(vec![x, y], u);
        c.suppress(5);
        assert!(c.hidden[u] || c.hidden[t]);
        assert!(c.is_sound());
    }

    #[test]
    fn hiding_counts_one_by_one_agrees_with_eliminating_afresh() {
        // Two districts of three precincts, each with two tiers; totals everywhere.
        let mut c = Cells::default();
        let mut cells = Vec::new();
        for d in 0..2 {
            let total = c.id(&format!("d{d}"), 100 + d);
            let mut parts = Vec::new();
            for p in 0..3 {
                let t1 = c.id(&format!("d{d}p{p}t1"), 5 + 7 * p + d);
                let t2 = c.id(&format!("d{d}p{p}t2"), 20 + 3 * p);
                let people = c.id(&format!("d{d}p{p}"), 25 + 10 * p + d);
                c.group(vec![t1, t2], people);
                parts.push(people);
                cells.extend([t1, t2, people]);
            }
            c.group(parts, total);
            cells.push(total);
        }
        let all = c.id("all", 201);
        let totals = vec![c.id("d0", 0), c.id("d1", 0)];
        c.group(totals, all);
        let mut columns: Vec<Vec<(usize, u64)>> = vec![Vec::new(); c.values.len()];
        for (i, terms) in c.relations.iter().enumerate() {
            for &(cell, k) in terms {
                columns[cell].push((i, modp(k)));
            }
        }
        let mut echelon = c.echelon();
        for (step, &cell) in cells.iter().enumerate().filter(|(i, _)| i % 3 != 1) {
            c.hidden[cell] = true;
            echelon.hide(cell, &columns[cell]);
            let fresh: Vec<CellId> = c.derivations().into_iter().map(|(h, _)| h).collect();
            let kept: Vec<CellId> = c
                .derivations_in(&echelon)
                .into_iter()
                .map(|(h, _)| h)
                .collect();
            assert_eq!(kept, fresh, "after {step} hidden");
        }
    }

    #[test]
    fn modular_arithmetic_agrees_with_the_rationals_on_small_systems() {
        assert_eq!(mul(inverse(3), 3), 1);
        assert_eq!(modp(-1), P - 1);
        let mut row: Row = [(1, 2), (2, 5)].into_iter().collect();
        subtract(&mut row, 1, &[(1, 2)].into_iter().collect());
        assert_eq!(row.len(), 1);
    }
}
