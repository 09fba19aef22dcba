//! The parts ("atoms") token kinds are made of, and the table of the kinds that spec v2 adds
//! (`docs/token-spec-v2.md`).
//!
//! The table is data (`kinds-v2.csv`, embedded) so the set can be read, reviewed and changed
//! as one file. Both sides use it: `hash` computes each kind's value from its atoms, and the
//! coordinator, who never sees a value, infers from *which* kinds of two records agree which
//! fields agree. That inference only needs the atoms and the quasi-identifier each one encodes.

use std::sync::OnceLock;

/// One normalized encoding of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    First,
    FirstNick,
    FirstNysiis,
    FirstInit,
    Last,
    LastNysiis,
    NamesSorted,
    NamesSortedNysiis,
    NameAnyNysiis,
    MiddleInit,
    Dob,
    Yob,
    House,
    Street,
    City,
    Zip5,
    Phone,
    Email,
    /// Every phone of the record (one per phone column), where `Phone` is the first valid one.
    PhoneAny,
    /// Every email of the record (one per email column), where `Email` is the first valid one.
    EmailAny,
}

/// The quasi-identifier (field) an atom encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    First,
    Last,
    Middle,
    Dob,
    House,
    Street,
    City,
    Zip,
    Phone,
    Email,
}

impl Atom {
    /// Every atom, in declaration order.
    pub const ALL: [Atom; 20] = [
        Atom::First,
        Atom::FirstNick,
        Atom::FirstNysiis,
        Atom::FirstInit,
        Atom::Last,
        Atom::LastNysiis,
        Atom::NamesSorted,
        Atom::NamesSortedNysiis,
        Atom::NameAnyNysiis,
        Atom::MiddleInit,
        Atom::Dob,
        Atom::Yob,
        Atom::House,
        Atom::Street,
        Atom::City,
        Atom::Zip5,
        Atom::Phone,
        Atom::Email,
        Atom::PhoneAny,
        Atom::EmailAny,
    ];

    /// The spec's name of the atom.
    pub fn name(self) -> &'static str {
        match self {
            Atom::First => "first",
            Atom::FirstNick => "first_nick",
            Atom::FirstNysiis => "first_nysiis",
            Atom::FirstInit => "first_init",
            Atom::Last => "last",
            Atom::LastNysiis => "last_nysiis",
            Atom::NamesSorted => "names_sorted",
            Atom::NamesSortedNysiis => "names_sorted_nysiis",
            Atom::NameAnyNysiis => "name_any_nysiis",
            Atom::MiddleInit => "middle_init",
            Atom::Dob => "dob",
            Atom::Yob => "yob",
            Atom::House => "house",
            Atom::Street => "street",
            Atom::City => "city",
            Atom::Zip5 => "zip5",
            Atom::Phone => "phone",
            Atom::Email => "email",
            Atom::PhoneAny => "phone_any",
            Atom::EmailAny => "email_any",
        }
    }

    pub fn from_name(name: &str) -> Option<Atom> {
        Atom::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The fields the atom carries: the sorted name pairs carry both names; the any-name atom
    /// carries one name of either position, counted as the first.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Atom::First | Atom::FirstNick | Atom::FirstNysiis | Atom::FirstInit => &[Field::First],
            Atom::NameAnyNysiis => &[Field::First],
            Atom::Last | Atom::LastNysiis => &[Field::Last],
            Atom::NamesSorted | Atom::NamesSortedNysiis => &[Field::First, Field::Last],
            Atom::MiddleInit => &[Field::Middle],
            Atom::Dob | Atom::Yob => &[Field::Dob],
            Atom::House => &[Field::House],
            Atom::Street => &[Field::Street],
            Atom::City => &[Field::City],
            Atom::Zip5 => &[Field::Zip],
            Atom::Phone | Atom::PhoneAny => &[Field::Phone],
            Atom::Email | Atom::EmailAny => &[Field::Email],
        }
    }

    /// Whether a record may carry several values of the atom (spec v2, "Several values").
    pub fn multi_valued(self) -> bool {
        matches!(
            self,
            Atom::FirstNick | Atom::NameAnyNysiis | Atom::PhoneAny | Atom::EmailAny
        )
    }

    /// Whether the atom identifies a person directly (an email or a phone): such an atom
    /// makes a kind on its own, as v1's `email` and `phone` do.
    pub fn direct(self) -> bool {
        self.fields()
            .iter()
            .all(|f| matches!(f, Field::Email | Field::Phone))
    }
}

/// A token kind of spec v2: its name and its atoms, in value order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindDef {
    pub name: String,
    pub atoms: Vec<Atom>,
}

impl KindDef {
    pub fn multi_valued(&self) -> bool {
        self.atoms.iter().any(|a| a.multi_valued())
    }
}

/// The five kinds of spec v1 written as atoms, in hashed-file column order (their names are
/// v1's, not the atoms joined).
pub fn v1_kinds() -> &'static [KindDef] {
    static KINDS: OnceLock<Vec<KindDef>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let def = |name: &str, atoms: &[Atom]| KindDef {
            name: name.to_string(),
            atoms: atoms.to_vec(),
        };
        vec![
            def("email", &[Atom::Email]),
            def("phone", &[Atom::Phone]),
            def("name_zip", &[Atom::First, Atom::Last, Atom::Zip5]),
            def(
                "name_addr",
                &[Atom::First, Atom::Last, Atom::House, Atom::Zip5],
            ),
            def(
                "name_yob_zip",
                &[Atom::First, Atom::Last, Atom::Yob, Atom::Zip5],
            ),
        ]
    })
}

/// Every kind of a spec 2 hashed file, in column order: v1's five, then [`v2_kinds`].
pub fn all_kinds() -> Vec<&'static KindDef> {
    v1_kinds().iter().chain(v2_kinds()).collect()
}

const KINDS_V2_CSV: &str = include_str!("kinds-v2.csv");

/// The kinds spec v2 adds to v1's five, in hashed-file column order.
pub fn v2_kinds() -> &'static [KindDef] {
    static KINDS: OnceLock<Vec<KindDef>> = OnceLock::new();
    KINDS.get_or_init(|| parse_table(KINDS_V2_CSV).expect("the embedded kinds table is valid"))
}

/// Parse the kinds table; `Err` names the bad line (the table is embedded, so this is checked
/// by a unit test rather than reported to users).
fn parse_table(text: &str) -> Result<Vec<KindDef>, String> {
    let mut kinds = Vec::new();
    let mut header_seen = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != "kind,atoms" {
                return Err(format!("line {}: header must be kind,atoms", n + 1));
            }
            header_seen = true;
            continue;
        }
        let (name, atoms) = line
            .split_once(',')
            .ok_or_else(|| format!("line {}: two fields expected", n + 1))?;
        let atoms = atoms
            .split_whitespace()
            .map(|a| Atom::from_name(a).ok_or_else(|| format!("line {}: unknown atom", n + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        let joined: Vec<&str> = atoms.iter().map(|a| a.name()).collect();
        if name != joined.join("_") {
            return Err(format!(
                "line {}: the name must be the atoms joined by _",
                n + 1
            ));
        }
        if kinds.iter().any(|k: &KindDef| k.name == name) {
            return Err(format!("line {}: duplicate kind", n + 1));
        }
        kinds.push(KindDef {
            name: name.to_string(),
            atoms,
        });
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn table_parses_and_every_kind_follows_the_three_quasi_identifier_rule() {
        let kinds = v2_kinds();
        assert!(!kinds.is_empty());
        for k in kinds {
            if let [atom] = k.atoms[..]
                && atom.direct()
            {
                // A direct identifier alone, as v1's email and phone kinds.
                assert!(atom.multi_valued(), "{}: v1 has the single value", k.name);
                continue;
            }
            let fields: BTreeSet<Field> =
                k.atoms.iter().flat_map(|a| a.fields()).copied().collect();
            assert!(fields.len() >= 3, "{} has fewer than 3 fields", k.name);
            assert!(
                fields.contains(&Field::First)
                    || fields.contains(&Field::Last)
                    || k.atoms.contains(&Atom::Dob),
                "{} has no name part and no full date of birth",
                k.name
            );
            assert!(!k.atoms.iter().any(|a| a.direct()), "{}", k.name);
        }
    }

    #[test]
    fn v1_kinds_are_the_spec_v1_columns() {
        let names: Vec<&str> = v1_kinds().iter().map(|k| k.name.as_str()).collect();
        let v1: Vec<&str> = crate::spec::token::Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(names, v1);
        assert_eq!(all_kinds().len(), 5 + v2_kinds().len());
    }

    #[test]
    fn names_follow_atoms_and_bad_tables_are_refused() {
        assert!(parse_table("kind,atoms\nfirst_dob_zip5,first dob zip5\n").is_ok());
        assert!(parse_table("kind,atoms\nfoo,first dob zip5\n").is_err());
        assert!(parse_table("kind,atoms\nfirst_x,first x\n").is_err());
        assert!(parse_table("k,a\n").is_err());
    }
}
