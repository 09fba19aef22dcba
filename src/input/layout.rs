//! Named export layouts, kept as data in `layouts/*.toml` (one small table per layout).
//!
//! A header layout (NationBuilder, L2, Ohio, ...) is recognized by a few headers specific to
//! the tool and says which of its columns play which role; a headerless one (the Florida
//! Voter Extract, tab-delimited; Michigan's fixed-width file) also gives the columns
//! themselves, since the file does not. The files are embedded at build time, so adding a
//! layout is adding a file; `--layout list` prints them.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::columns::{Role, fold_header};

include!(concat!(env!("OUT_DIR"), "/layouts.rs"));

/// How a layout's file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a header row.
    Header,
    /// Delimited text without a header row: the layout names the columns.
    Delimited,
    /// Fixed-width text without a header row: the layout gives each field's position.
    Fixed,
}

/// One field of a fixed-width layout: 1-based start column and width, in characters.
#[derive(Clone, Debug, Deserialize)]
pub struct FixedField {
    pub name: String,
    pub start: usize,
    pub width: usize,
}

/// A one-line address column (Mailchimp) whose parts a fixed separator divides.
#[derive(Clone, Debug, Deserialize)]
pub struct OneLineAddress {
    pub column: String,
    pub separator: String,
    pub parts: Vec<String>,
}

/// A named layout.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub name: String,
    pub title: String,
    pub source: String,
    #[serde(default)]
    pub notes: Option<String>,
    pub format: Format,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub fields: Vec<FixedField>,
    #[serde(default)]
    pub signature: Vec<String>,
    #[serde(default)]
    roles: HashMap<String, Vec<String>>,
    #[serde(default)]
    pub one_line_address: Option<OneLineAddress>,
}

impl Layout {
    /// The role's alternatives, best first: a column name or `a + b + c`.
    pub fn alternatives(&self, role: Role) -> impl Iterator<Item = &str> {
        self.alternatives_of(role.key())
    }

    pub(crate) fn alternatives_of(&self, key: &str) -> impl Iterator<Item = &str> {
        self.roles
            .get(key)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The field delimiter of a headerless delimited layout.
    pub fn delimiter_byte(&self) -> Option<u8> {
        match self.delimiter.as_deref()? {
            "tab" | "\t" => Some(b'\t'),
            d if d.len() == 1 => Some(d.as_bytes()[0]),
            _ => None,
        }
    }

    /// The column names a headerless file has, in order.
    pub fn column_names(&self) -> Vec<String> {
        match self.format {
            Format::Fixed => self.fields.iter().map(|f| f.name.clone()).collect(),
            _ => self.columns.clone(),
        }
    }

    /// True when every signature header is in the file's header.
    fn fits(&self, folded: &[String]) -> bool {
        self.format == Format::Header
            && !self.signature.is_empty()
            && self
                .signature
                .iter()
                .all(|s| folded.contains(&fold_header(s)))
    }

    /// Checks the file's own consistency (run by the tests for every embedded layout).
    pub fn check(&self) -> Result<(), String> {
        let problem = |why: String| Err(format!("layout {}: {why}", self.name));
        let role_keys: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
        for key in self.roles.keys() {
            if !role_keys.contains(&key.as_str()) && key != "age" {
                return problem(format!("unknown role '{key}'"));
            }
        }
        let names = self.column_names();
        match self.format {
            Format::Header => {
                if self.signature.is_empty() {
                    return problem("a header layout needs a signature".into());
                }
            }
            Format::Delimited => {
                if self.delimiter_byte().is_none() || names.is_empty() {
                    return problem("a delimited layout needs a delimiter and columns".into());
                }
            }
            Format::Fixed => {
                let mut end = 0;
                for f in &self.fields {
                    if f.start == 0 || f.width == 0 || f.start <= end {
                        return problem(format!("field '{}' overlaps or is empty", f.name));
                    }
                    end = f.start + f.width - 1;
                }
                if names.is_empty() {
                    return problem("a fixed-width layout needs fields".into());
                }
            }
        }
        if self.format != Format::Header {
            let folded: Vec<String> = names.iter().map(|n| fold_header(n)).collect();
            for alternative in self.roles.values().flatten() {
                for part in alternative.split(" + ") {
                    if !folded.contains(&fold_header(part)) {
                        return problem(format!("role column '{part}' is not a column"));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Every embedded layout, by name.
pub fn all() -> &'static [Layout] {
    static LAYOUTS: OnceLock<Vec<Layout>> = OnceLock::new();
    LAYOUTS.get_or_init(|| {
        let mut layouts: Vec<Layout> = LAYOUT_FILES
            .iter()
            .map(|(file, text)| {
                toml::from_str(text).unwrap_or_else(|e| panic!("layouts/{file}: {e}"))
            })
            .collect();
        layouts.sort_by(|a, b| a.name.cmp(&b.name));
        layouts
    })
}

/// The layout of that name.
pub fn by_name(name: &str) -> Option<&'static Layout> {
    all().iter().find(|l| l.name.eq_ignore_ascii_case(name))
}

/// The header layout a file's header fits, if any; the most specific one when several do.
pub fn recognize(headers: &[String]) -> Option<&'static Layout> {
    let folded: Vec<String> = headers.iter().map(|h| fold_header(h)).collect();
    all()
        .iter()
        .filter(|l| l.fits(&folded))
        .max_by_key(|l| l.signature.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_file_is_consistent() {
        assert!(!all().is_empty());
        let mut names = Vec::new();
        for layout in all() {
            layout.check().unwrap();
            assert!(!names.contains(&layout.name), "{} twice", layout.name);
            names.push(layout.name.clone());
        }
    }

    #[test]
    fn no_two_header_layouts_claim_one_header() {
        // A file holding exactly one layout's signature is recognized as that layout.
        for layout in all().iter().filter(|l| l.format == Format::Header) {
            let found = recognize(&layout.signature).map(|l| l.name.as_str());
            assert_eq!(found, Some(layout.name.as_str()));
        }
    }
}
