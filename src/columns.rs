//! Which input column holds which identifier.
//!
//! Data people export from ActionKit, Action Network, EveryAction/VAN, Salsa or a state voter
//! file and should not have to rename headers. Headers are compared with case and
//! punctuation removed (`Zip/Postal Code` is `zippostalcode`) against per-role aliases in
//! order of preference; explicit `--*-col` choices always win. Header names are not member
//! data, so they may be printed.

use std::fmt;

use crate::record::Fields;

/// Stands in for a cell that is not valid UTF-8: every normalizer rejects it as invalid.
pub const UNDECODABLE: &str = "\u{FFFD}";

/// The identifier roles an input column can play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Email,
    Phone,
    First,
    Last,
    Zip,
    Address,
    Dob,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Email,
        Role::Phone,
        Role::First,
        Role::Last,
        Role::Zip,
        Role::Address,
        Role::Dob,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Email => "email",
            Role::Phone => "phone",
            Role::First => "first name",
            Role::Last => "last name",
            Role::Zip => "zip",
            Role::Address => "street address",
            Role::Dob => "date/year of birth",
        }
    }

    /// The command-line flag that sets this role by hand.
    pub fn flag(self) -> &'static str {
        match self {
            Role::Email => "--email-col",
            Role::Phone => "--phone-col",
            Role::First => "--first-col",
            Role::Last => "--last-col",
            Role::Zip => "--zip-col",
            Role::Address => "--address-col",
            Role::Dob => "--dob-col",
        }
    }

    /// Known header spellings, folded (lowercase ASCII alphanumerics), best first.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Role::Email => &[
                "email",
                "emailaddress",
                "primaryemail",
                "personalemail",
                "preferredemail",
                "homeemail",
                "workemail",
            ],
            Role::Phone => &[
                "phone",
                "can2phone",
                "cellphone",
                "mobilephone",
                "fullphonenumber",
                "phonenumber",
                "mobile",
                "cell",
                "homephone",
                "preferredphone",
                "workphone",
            ],
            Role::First => &["firstname", "first", "givenname", "fname", "nickname"],
            Role::Last => &["lastname", "last", "surname", "familyname", "lname"],
            Role::Zip => &[
                "zip",
                "zip5",
                "zipcode",
                "zippostalcode",
                "postalcode",
                "postcode",
                "reszipcode",
                "mailzipcode",
            ],
            Role::Address => &[
                "address1",
                "addressline1",
                "streetaddress",
                "can2useraddress",
                "resstreetaddress",
                "address",
                "street",
                "streetaddress1",
                "mailaddr1",
            ],
            Role::Dob => &[
                "dob",
                "dateofbirth",
                "birthdate",
                "birthday",
                "birthyear",
                "yearofbirth",
                "yob",
            ],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Folds a header for comparison: lowercase ASCII letters and digits only.
pub fn fold_header(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Column choices made by hand, by header name.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub by_role: Vec<(Role, String)>,
}

/// For each role, the index of the column that plays it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    slots: [Option<usize>; 7],
}

impl ColumnMap {
    pub fn get(&self, role: Role) -> Option<usize> {
        self.slots[role as usize]
    }

    pub fn set(&mut self, role: Role, index: usize) {
        self.slots[role as usize] = Some(index);
    }

    /// True when at least one token kind can be formed from the mapped columns.
    pub fn has_identifier(&self) -> bool {
        let has = |r| self.get(r).is_some();
        has(Role::Email)
            || has(Role::Phone)
            || (has(Role::First) && has(Role::Last) && has(Role::Zip))
    }

    /// The identifier cells of a row. A cell that is not UTF-8 becomes [`UNDECODABLE`]
    /// (invalid for every kind) and its column index is passed to `on_undecodable`.
    pub fn fields<'r>(
        &self,
        record: &'r csv::ByteRecord,
        mut on_undecodable: impl FnMut(usize),
    ) -> Fields<'r> {
        let mut cell = |role: Role| {
            self.get(role).map(|i| {
                let bytes = record.get(i).unwrap_or_default();
                std::str::from_utf8(bytes).unwrap_or_else(|_| {
                    on_undecodable(i);
                    UNDECODABLE
                })
            })
        };
        Fields {
            email: cell(Role::Email),
            phone: cell(Role::Phone),
            first: cell(Role::First),
            last: cell(Role::Last),
            zip: cell(Role::Zip),
            address: cell(Role::Address),
            dob: cell(Role::Dob),
        }
    }

    /// Every column index used as an identifier.
    pub fn used(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots.iter().flatten().copied()
    }
}

/// Finds a header by exact name, then by folded name.
pub fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    headers.iter().position(|h| h == wanted).or_else(|| {
        let folded = fold_header(wanted);
        headers.iter().position(|h| fold_header(h) == folded)
    })
}

/// Detects roles from headers, applying overrides first. Errors name the missing header.
pub fn detect(headers: &[String], overrides: &Overrides) -> Result<ColumnMap, String> {
    let mut map = ColumnMap::default();
    for (role, name) in &overrides.by_role {
        let index = find_header(headers, name).ok_or_else(|| {
            format!(
                "{} names column '{name}', which is not in the header",
                role.flag()
            )
        })?;
        map.set(*role, index);
    }
    let folded: Vec<String> = headers.iter().map(|h| fold_header(h)).collect();
    for role in Role::ALL {
        if map.get(role).is_some() {
            continue;
        }
        let taken: Vec<usize> = map.used().collect();
        let found = role.aliases().iter().find_map(|alias| {
            folded
                .iter()
                .enumerate()
                .position(|(i, h)| h == alias && !taken.contains(&i))
        });
        if let Some(index) = found {
            map.set(role, index);
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_string).collect()
    }

    fn roles(line: &str) -> Vec<Option<String>> {
        let h = headers(line);
        let map = detect(&h, &Overrides::default()).unwrap();
        Role::ALL
            .iter()
            .map(|&r| map.get(r).map(|i| h[i].clone()))
            .collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn actionkit() {
        let r = roles("id,email,first_name,last_name,address1,address2,city,state,zip,phone");
        assert_eq!(
            r,
            [
                s("email"),
                s("phone"),
                s("first_name"),
                s("last_name"),
                s("zip"),
                s("address1"),
                None
            ]
        );
    }

    #[test]
    fn action_network() {
        let r = roles("email,first_name,last_name,zip_code,can2_phone,can2_user_address");
        assert_eq!(r[1], s("can2_phone"));
        assert_eq!(r[4], s("zip_code"));
        assert_eq!(r[5], s("can2_user_address"));
    }

    #[test]
    fn everyaction() {
        let r = roles("VANID,Email,FirstName,LastName,AddressLine1,City,Zip5,Phone,DOB");
        assert_eq!(
            r,
            [
                s("Email"),
                s("Phone"),
                s("FirstName"),
                s("LastName"),
                s("Zip5"),
                s("AddressLine1"),
                s("DOB")
            ]
        );
    }

    #[test]
    fn salsa() {
        let r =
            roles("Email Address,First Name,Last Name,Street Address,Zip/Postal Code,Cell Phone");
        assert_eq!(
            r,
            [
                s("Email Address"),
                s("Cell Phone"),
                s("First Name"),
                s("Last Name"),
                s("Zip/Postal Code"),
                s("Street Address"),
                None
            ]
        );
    }

    #[test]
    fn north_carolina_voter_file() {
        let r = roles(
            "county_desc,voter_reg_num,last_name,first_name,middle_name,res_street_address,res_city_desc,zip_code,full_phone_number,birth_year,precinct_abbrv",
        );
        assert_eq!(
            r,
            [
                None,
                s("full_phone_number"),
                s("first_name"),
                s("last_name"),
                s("zip_code"),
                s("res_street_address"),
                s("birth_year")
            ]
        );
    }

    #[test]
    fn overrides_win_and_unknown_override_is_an_error() {
        let h = headers("email,alt_email,zip");
        let o = Overrides {
            by_role: vec![(Role::Email, "alt_email".into())],
        };
        assert_eq!(detect(&h, &o).unwrap().get(Role::Email), Some(1));
        let o = Overrides {
            by_role: vec![(Role::Phone, "mobile_nr".into())],
        };
        let err = detect(&h, &o).unwrap_err();
        assert!(
            err.contains("--phone-col") && err.contains("mobile_nr"),
            "{err}"
        );
    }

    #[test]
    fn identifier_presence() {
        let map = detect(&headers("first_name,last_name,city"), &Overrides::default()).unwrap();
        assert!(!map.has_identifier());
        let map = detect(&headers("first_name,last_name,zip"), &Overrides::default()).unwrap();
        assert!(map.has_identifier());
    }
}
