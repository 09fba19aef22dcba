//! One person's fields to the five normalized values the spec tokenizes.
//!
//! A composite kind exists only when every part normalizes, and its parts (first, last, zip)
//! are shared by three kinds, so each part is normalized once per row. All buffers are owned
//! here and reused for every row: the hot path allocates nothing.
//!
//! Email and phone may come from several columns (a CRM's primary and secondary email, a
//! cell and a home phone). Each column is one value; v1's single token takes the first
//! valid one (spec v2, section 3, "email_any, phone_any"), and the v2 kinds `email_any` and
//! `phone_any` take them all.

use crate::spec::kinds::Atom;
use crate::spec::normalize::{self, CountryCode, Outcome, Problem};

/// The most columns an email or a phone may come from.
pub const MAX_CONTACTS: usize = 5;

/// The raw identifier fields of one input row; `None` when the file has no such column.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fields<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// The values of further email columns, after `email` in the user's order.
    pub more_emails: [Option<&'a str>; MAX_CONTACTS - 1],
    /// The values of further phone columns, after `phone`.
    pub more_phones: [Option<&'a str>; MAX_CONTACTS - 1],
    pub first: Option<&'a str>,
    /// Not part of any v1 token; read for the kinds that use it.
    pub middle: Option<&'a str>,
    pub last: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub address: Option<&'a str>,
    /// Not part of any v1 token; read for the kinds that use it.
    pub city: Option<&'a str>,
    pub dob: Option<&'a str>,
}

/// Rules that are configurable per run.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub default_country: CountryCode,
    /// The latest year of birth accepted (the spec: the current UTC year).
    pub current_year: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            default_country: CountryCode::NANP,
            current_year: normalize::current_utc_year(),
        }
    }
}

/// The distinct valid values of one contact role (email or phone) of a row, in column order.
#[derive(Default)]
struct Contacts {
    values: [String; MAX_CONTACTS],
    len: usize,
}

impl Contacts {
    /// Normalizes every given value with `norm`; the outcome is `Ok` when one is valid, else
    /// invalid when one is invalid, else missing.
    fn fill(
        &mut self,
        first: Option<&str>,
        more: &[Option<&str>],
        mut norm: impl FnMut(&str, &mut String) -> Outcome,
    ) -> Outcome {
        self.len = 0;
        let mut outcome = Err(Problem::Missing);
        for raw in std::iter::once(first).chain(more.iter().copied()).flatten() {
            let (seen, rest) = self.values.split_at_mut(self.len);
            let Some(buf) = rest.first_mut() else { break };
            match norm(raw, buf) {
                Ok(()) => {
                    outcome = Ok(());
                    if !seen.iter().any(|v| v == buf) {
                        self.len += 1;
                    }
                }
                Err(Problem::Invalid) if outcome.is_err() => outcome = Err(Problem::Invalid),
                Err(_) => {}
            }
        }
        outcome
    }

    fn first(&self) -> &str {
        &self.values[0]
    }

    fn all(&self) -> &[String] {
        &self.values[..self.len]
    }
}

/// Reusable buffers for normalizing rows.
#[derive(Default)]
pub struct RecordNormalizer {
    rules: Rules,
    scratch: String,
    email: Contacts,
    phone: Contacts,
    first: String,
    last: String,
    zip: String,
    house: String,
    yob: String,
    name_zip: String,
    name_addr: String,
    name_yob_zip: String,
    /// Why email, phone, first, last, zip, house and yob of the last row have no value
    /// (`None`: they have one).
    parts: [Option<Problem>; 7],
}

/// The outcome of normalizing an optional value: missing when there is no value.
pub(crate) fn field(value: Option<&str>, f: impl FnOnce(&str) -> Outcome) -> Outcome {
    value.map_or(Err(Problem::Missing), f)
}

/// Missing wins over invalid: a composite with an absent part is missing, not wrong.
pub fn all_of(parts: &[Outcome]) -> Outcome {
    if parts.contains(&Err(Problem::Missing)) {
        Err(Problem::Missing)
    } else if parts.contains(&Err(Problem::Invalid)) {
        Err(Problem::Invalid)
    } else {
        Ok(())
    }
}

fn join(out: &mut String, parts: &[&str]) {
    out.clear();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        out.push_str(part);
    }
}

impl RecordNormalizer {
    pub fn new(rules: Rules) -> RecordNormalizer {
        RecordNormalizer {
            rules,
            ..RecordNormalizer::default()
        }
    }

    /// Normalizes a row; results are indexed like [`crate::spec::token::Kind::ALL`].
    pub fn normalize(&mut self, f: &Fields) -> [Result<&str, Problem>; 5] {
        let scratch = &mut self.scratch;
        let email = self.email.fill(f.email, &f.more_emails, normalize::email);
        let country = self.rules.default_country;
        let phone = self.phone.fill(f.phone, &f.more_phones, |v, out| {
            normalize::phone(v, country, out)
        });
        let first = field(f.first, |v| {
            normalize::first_name(v, scratch, &mut self.first)
        });
        let last = field(f.last, |v| normalize::last_name(v, scratch, &mut self.last));
        let zip = field(f.zip, |v| normalize::zip5(v, &mut self.zip));
        let house = field(f.address, |v| normalize::house(v, &mut self.house));
        let yob = field(f.dob, |v| {
            normalize::yob(v, self.rules.current_year, &mut self.yob)
        });

        self.parts = [email, phone, first, last, zip, house, yob].map(Result::err);
        let name_zip = all_of(&[first, last, zip]);
        if name_zip.is_ok() {
            join(&mut self.name_zip, &[&self.first, &self.last, &self.zip]);
        }
        let name_addr = all_of(&[first, last, house, zip]);
        if name_addr.is_ok() {
            join(
                &mut self.name_addr,
                &[&self.first, &self.last, &self.house, &self.zip],
            );
        }
        let name_yob_zip = all_of(&[first, last, yob, zip]);
        if name_yob_zip.is_ok() {
            join(
                &mut self.name_yob_zip,
                &[&self.first, &self.last, &self.yob, &self.zip],
            );
        }
        [
            email.map(|_| self.email.first()),
            phone.map(|_| self.phone.first()),
            name_zip.map(|_| self.name_zip.as_str()),
            name_addr.map(|_| self.name_addr.as_str()),
            name_yob_zip.map(|_| self.name_yob_zip.as_str()),
        ]
    }

    /// A v1 field of the last row normalized, for the atoms v1 defines (email, phone, first,
    /// last, zip5, house, yob); `Err(Missing)` for any other atom.
    pub fn part(&self, atom: Atom) -> Result<&str, Problem> {
        let (i, value) = match atom {
            Atom::Email => (0, self.email.first()),
            Atom::Phone => (1, self.phone.first()),
            Atom::First => (2, self.first.as_str()),
            Atom::Last => (3, self.last.as_str()),
            Atom::Zip5 => (4, self.zip.as_str()),
            Atom::House => (5, self.house.as_str()),
            Atom::Yob => (6, self.yob.as_str()),
            _ => return Err(Problem::Missing),
        };
        self.parts[i].map_or(Ok(value), Err)
    }

    /// Every distinct valid email (`Atom::EmailAny`) or phone (`Atom::PhoneAny`) of the last
    /// row, in column order; empty for any other atom.
    pub fn contacts(&self, atom: Atom) -> &[String] {
        match atom {
            Atom::EmailAny => self.email.all(),
            Atom::PhoneAny => self.phone.all(),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            default_country: CountryCode::NANP,
            current_year: 2026,
        }
    }

    #[test]
    fn composites_join_their_parts() {
        let mut n = RecordNormalizer::new(rules());
        let f = Fields {
            email: Some("A.B@Gmail.com"),
            phone: Some("(650) 555-1212"),
            first: Some("José"),
            last: Some("King Jr."),
            zip: Some("2139"),
            address: Some("0012 Elm St"),
            dob: Some("1985-07-04"),
            ..Fields::default()
        };
        let r = n.normalize(&f);
        assert_eq!(
            r,
            [
                Ok("ab@gmail.com"),
                Ok("+16505551212"),
                Ok("jose|king|02139"),
                Ok("jose|king|12|02139"),
                Ok("jose|king|1985|02139"),
            ]
        );
    }

    #[test]
    fn several_emails_and_phones_v1_takes_the_first_valid() {
        let mut n = RecordNormalizer::new(rules());
        let f = Fields {
            email: Some("not an email"),
            more_emails: [Some("B@x.org"), Some(""), Some("b@x.org"), Some("c@x.org")],
            phone: Some(""),
            more_phones: [Some("12"), None, None, None],
            ..Fields::default()
        };
        let r = n.normalize(&f);
        assert_eq!(r[0], Ok("b@x.org"));
        // a value that is invalid beats one that is missing
        assert_eq!(r[1], Err(Problem::Invalid));
        assert_eq!(n.contacts(Atom::EmailAny), ["b@x.org", "c@x.org"]);
        assert!(n.contacts(Atom::PhoneAny).is_empty());
        let r = n.normalize(&Fields::default());
        assert_eq!(r[0], Err(Problem::Missing));
        assert!(n.contacts(Atom::EmailAny).is_empty());
    }

    #[test]
    fn a_composite_needs_every_part() {
        let mut n = RecordNormalizer::new(rules());
        let f = Fields {
            first: Some("Ann"),
            last: Some("Lee"),
            zip: Some("zip?"),
            address: Some("PO Box 3"),
            ..Fields::default()
        };
        let r = n.normalize(&f);
        assert_eq!(r[0], Err(Problem::Missing));
        assert_eq!(r[2], Err(Problem::Invalid));
        assert_eq!(r[3], Err(Problem::Invalid));
        assert_eq!(r[4], Err(Problem::Missing)); // no dob column
    }
}
