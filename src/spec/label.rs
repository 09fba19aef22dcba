//! Validated labels: the matching round and an organization's label.
//!
//! Both end up in places where an odd character would hurt: the round is HKDF salt (so two
//! spellings of "the same" round would silently produce unlinkable tokens) and the org label
//! becomes a file name in the coordinator's output directory. The spec fixes one small
//! alphabet for the round; we use it for org labels too, so neither can carry a path or a
//! surprise.

use std::fmt;

use crate::error::Error;

const MAX_LEN: usize = 64;

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn check(what: &'static str, value: &str) -> Result<(), Error> {
    let ok = !value.is_empty() && value.len() <= MAX_LEN && value.chars().all(is_label_char);
    if ok {
        Ok(())
    } else {
        Err(Error::Label {
            what,
            rule: "1 to 64 characters of ASCII letters, digits, '.', '_' and '-'",
        })
    }
}

/// A matching round (spec: "round"). Empty means no round was given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Round(String);

impl Round {
    /// The absent round: HKDF runs with an empty (equivalently, all-zero) salt.
    pub fn none() -> Round {
        Round(String::new())
    }

    /// Parses a round label; refuses anything outside the spec's alphabet.
    pub fn new(value: &str) -> Result<Round, Error> {
        check("round", value)?;
        Ok(Round(value.to_string()))
    }

    /// Parses an optional label, as stored in a hashed file's metadata (empty = none).
    pub fn parse_optional(value: &str) -> Result<Round, Error> {
        if value.is_empty() {
            Ok(Round::none())
        } else {
            Round::new(value)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_none(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(none)")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// An organization's label, e.g. `sunrise-local-12`. Used as a file name by `merge`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgLabel(String);

impl OrgLabel {
    pub fn new(value: &str) -> Result<OrgLabel, Error> {
        check("org label", value)?;
        if value == "." || value == ".." {
            return Err(Error::Label {
                what: "org label",
                rule: "a name other than '.' or '..' (it becomes a file name)",
            });
        }
        Ok(OrgLabel(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_accepts_the_spec_alphabet() {
        assert!(Round::new("nyc-primary-2026").is_ok());
        assert!(Round::new("a.b_c-D9").is_ok());
        assert!(Round::new(&"x".repeat(64)).is_ok());
        // The spec's alphabet allows these as rounds (they are never file names).
        assert!(Round::new(".").is_ok() && Round::new("..").is_ok());
    }

    #[test]
    fn round_refuses_everything_else() {
        for bad in ["", "has space", "slash/no", "ü", &"x".repeat(65), "tab\t"] {
            assert!(Round::new(bad).is_err(), "{bad:?}");
        }
        assert!(Round::parse_optional("").unwrap().is_none());
    }

    #[test]
    fn org_label_cannot_be_a_path() {
        for bad in ["..", ".", "../x", "a/b", "a\\b", ""] {
            assert!(OrgLabel::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(OrgLabel::new("union-1199").unwrap().as_str(), "union-1199");
    }
}
