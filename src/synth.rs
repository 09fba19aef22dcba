//! Synthetic people, CRM exports and voter files, for the demo, tests and benchmarks.
//!
//! Everything is generated from a seed (ChaCha8, stable across platforms and versions), so a
//! demo or a benchmark can be re-run exactly. Exports imitate the header layouts of the CRMs
//! that `columns` recognizes and the mess real exports carry: case changes, gmail dots and
//! `+tags`, zips that lost their leading zero, ZIP+4, phone formats, blank and broken cells.
//! No real person is in here: names are drawn from common-name lists and combined at random.

use std::io::{self, Write};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "José",
    "María",
    "Luis",
    "Ana",
    "Juan",
    "Sofía",
    "Nguyen",
    "Mei",
    "Wei",
    "Aisha",
    "Omar",
    "Fatima",
    "Kwame",
    "Ngozi",
    "Priya",
    "Arjun",
    "Zoë",
    "Chloé",
    "René",
    "Darnell",
    "Keisha",
    "Tyrone",
    "Latoya",
    "DeShawn",
    "Imani",
    "Mary Ann",
    "Anne-Marie",
    "Jean-Luc",
    "Siobhán",
    "Björn",
    "Ingrid",
    "Dmitri",
    "Olga",
    "Yuki",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramírez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyễn",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "O'Brien",
    "O'Connor",
    "McDonald",
    "Smith-Jones",
    "García-López",
    "Müller",
    "Kowalski",
    "Okafor",
    "Adeyemi",
    "Patel",
    "Shah",
    "Chen",
    "Wang",
    "Kim",
    "Park",
    "Yamamoto",
    "Cohen",
    "Levy",
    "Washington",
    "Jefferson",
];

const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Elm St",
    "Park Ave",
    "Pine St",
    "Cedar Ln",
    "Lake Rd",
    "Hill St",
    "Washington Blvd",
    "Martin Luther King Jr Way",
    "Church St",
    "2nd Ave",
    "Broadway",
];

const DOMAINS: &[&str] = &[
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "comcast.net",
    "example.org",
];

/// One synthetic person.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: u64,
    pub first: &'static str,
    pub last: &'static str,
    /// Email local part (unique per person) and domain.
    pub email_local: String,
    pub email_domain: &'static str,
    /// Ten NANP digits.
    pub phone: String,
    pub house: u32,
    pub street: &'static str,
    /// Five digits, some with a leading zero.
    pub zip: String,
    pub birth: (u32, u32, u32),
    pub county: usize,
    pub precinct: usize,
    pub district: usize,
}

/// Parameters of a synthetic geography: people live in precincts grouped into districts.
#[derive(Clone, Copy, Debug)]
pub struct Geography {
    pub counties: usize,
    pub districts: usize,
    pub precincts: usize,
}

impl Default for Geography {
    fn default() -> Self {
        Geography {
            counties: 3,
            districts: 6,
            precincts: 40,
        }
    }
}

/// A deterministic generator of people and files.
pub struct Generator {
    rng: ChaCha8Rng,
    seed: u64,
    geo: Geography,
    /// Share of an org's members marked as willing messengers (0: no volunteer column).
    volunteers: f64,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            geo: Geography::default(),
            volunteers: 0.0,
        }
    }

    pub fn with_geography(mut self, geo: Geography) -> Generator {
        self.geo = geo;
        self
    }

    /// Exports get a volunteer column (see [`CrmStyle::volunteer_header`]) marking about
    /// this share of members as willing messengers, written as people write yes and no.
    pub fn with_volunteers(mut self, share: f64) -> Generator {
        self.volunteers = share;
        self
    }

    /// The volunteer cell of a person in an org's export: a function of the seed, the
    /// person and the export style alone (the random stream is left as it was, so adding
    /// the column changes no other value).
    fn volunteer_cell(&self, p: &Person, style: CrmStyle) -> &'static str {
        let mut x = self.seed ^ p.id.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ (style as u64 + 1) << 56;
        // SplitMix64's finalizer.
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        let yes = ((x >> 11) as f64 / (1u64 << 53) as f64) < self.volunteers;
        let spelling = (x & 0xFF) as usize;
        if yes {
            ["yes", "Yes", "Y", "TRUE", "x", "1"][spelling % 6]
        } else {
            ["", "", "", "", "no", "N", "0", "false"][spelling % 8]
        }
    }

    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// `n` distinct people with ids `first_id..`.
    pub fn people(&self, first_id: u64, n: usize) -> Vec<Person> {
        (0..n as u64).map(|i| self.person(first_id + i)).collect()
    }

    /// The person with this id: a function of the seed and the id alone, so any person can
    /// be produced without producing the others (a 20-million-row voter file streams).
    pub fn person(&self, id: u64) -> Person {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut pick = |items: &[&'static str]| items[rng.random_range(0..items.len())];
        let (first, last, domain, street) = (pick(FIRST), pick(LAST), pick(DOMAINS), pick(STREETS));
        let precinct = rng.random_range(0..self.geo.precincts);
        // Zips follow precincts so name+zip matches make geographic sense.
        let zip_base = [2139u32, 10027, 27601, 60614, 94110, 30310, 48201, 19104][precinct % 8];
        let zip = format!("{:05}", zip_base + (precinct as u32 / 8) % 50);
        let ascii = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase()
        };
        Person {
            id,
            first,
            last,
            email_local: format!("{}.{}{}", ascii(first), ascii(last), id),
            email_domain: domain,
            phone: format!(
                "{}{}{:04}",
                rng.random_range(201..990),
                rng.random_range(200..999),
                id % 10_000
            ),
            house: rng.random_range(1..9999),
            street,
            zip,
            birth: (
                rng.random_range(1935..2006),
                rng.random_range(1..13),
                rng.random_range(1..29),
            ),
            county: precinct * self.geo.counties / self.geo.precincts,
            precinct,
            district: precinct * self.geo.districts / self.geo.precincts,
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// The person's email as a messy export might hold it.
    fn dirty_email(&mut self, p: &Person, dirt: f64) -> String {
        let mut local = p.email_local.clone();
        if p.email_domain == "gmail.com" && self.chance(dirt) {
            local = local.replace('.', "");
            if self.chance(0.5) {
                local.push_str("+news");
            }
        }
        let mut email = format!("{local}@{}", p.email_domain);
        if self.chance(dirt) {
            email = email.to_uppercase();
        }
        if self.chance(dirt / 2.0) {
            email = format!(" {email} ");
        }
        if self.chance(dirt / 10.0) {
            email = email.replace('@', " at "); // a typo the spec calls invalid
        }
        email
    }

    fn dirty_phone(&mut self, p: &Person, dirt: f64) -> String {
        let d = &p.phone;
        if !self.chance(dirt) {
            return d.clone();
        }
        match self.rng.random_range(0..5) {
            0 => format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]),
            1 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
            2 => format!("+1 {}.{}.{}", &d[..3], &d[3..6], &d[6..]),
            3 => format!("1{d} ext 12"),
            _ => format!("{}-{}", &d[3..6], &d[6..]), // no area code: invalid
        }
    }

    fn dirty_zip(&mut self, p: &Person, dirt: f64) -> String {
        if self.chance(dirt) {
            match self.rng.random_range(0..3) {
                0 => p.zip.trim_start_matches('0').to_string(),
                1 => format!("{}-{:04}", p.zip, p.house % 10_000),
                _ => format!("{}.0", p.zip.trim_start_matches('0')),
            }
        } else {
            p.zip.clone()
        }
    }

    fn dirty_name(&mut self, name: &str, dirt: f64) -> String {
        if self.chance(dirt / 2.0) {
            name.to_uppercase()
        } else if self.chance(dirt / 4.0) {
            format!("{name} ")
        } else {
            name.to_string()
        }
    }

    /// Writes a member export in a CRM's layout, with `dirt` (0 to 1) of messy values.
    pub fn write_export(
        &mut self,
        style: CrmStyle,
        people: &[Person],
        dirt: f64,
        w: &mut impl Write,
    ) -> io::Result<()> {
        let sep = style.delimiter() as char;
        let volunteers = self.volunteers > 0.0;
        write!(w, "{}", style.header().join(&sep.to_string()))?;
        if volunteers {
            write!(w, "{sep}{}", style.volunteer_header())?;
        }
        writeln!(w)?;
        for p in people {
            let blank = |g: &mut Generator| g.chance(dirt / 5.0);
            let email = if blank(self) {
                String::new()
            } else {
                self.dirty_email(p, dirt)
            };
            let phone = if blank(self) {
                String::new()
            } else {
                self.dirty_phone(p, dirt)
            };
            let zip = self.dirty_zip(p, dirt);
            let first = self.dirty_name(p.first, dirt);
            let last = self.dirty_name(p.last, dirt);
            let street = if blank(self) {
                String::new()
            } else {
                format!("{} {}", p.house, p.street)
            };
            let (y, m, d) = p.birth;
            let q = |s: &str| csv_quote(s, sep);
            match style {
                CrmStyle::ActionKit => write!(
                    w,
                    "{},{},{},{},{},,Springfield,ST,{},{}",
                    p.id,
                    q(&email),
                    q(&first),
                    q(&last),
                    q(&street),
                    q(&zip),
                    q(&phone)
                )?,
                CrmStyle::ActionNetwork => write!(
                    w,
                    "{},{},{},{},{},{}",
                    q(&email),
                    q(&first),
                    q(&last),
                    q(&zip),
                    q(&phone),
                    q(&street)
                )?,
                CrmStyle::EveryAction => write!(
                    w,
                    "{}\t{email}\t{first}\t{last}\t{street}\t{zip}\t{phone}\t{m}/{d}/{y}",
                    p.id
                )?,
                CrmStyle::Salsa => write!(
                    w,
                    "{},{},{},{},{},{}",
                    q(&email),
                    q(&first),
                    q(&last),
                    q(&format!("{street}\nApt {}", p.id % 9 + 1)),
                    q(&zip),
                    q(&phone)
                )?,
            }
            if volunteers {
                write!(w, "{sep}{}", self.volunteer_cell(p, style))?;
            }
            writeln!(w)?;
        }
        Ok(())
    }

    /// The header of a voter file in the North Carolina layout (tab-separated, no emails).
    pub fn write_voter_header(&self, w: &mut impl Write) -> io::Result<()> {
        writeln!(
            w,
            "county_desc\tvoter_reg_num\tlast_name\tfirst_name\tmiddle_name\tres_street_address\t\
             res_city_desc\tzip_code\tfull_phone_number\tbirth_year\tprecinct_abbrv\tcong_dist_abbrv\tnc_house_abbrv"
        )
    }

    /// Voter file rows for these people (60% of them with a phone).
    pub fn write_voter_rows(&mut self, people: &[Person], w: &mut impl Write) -> io::Result<()> {
        for p in people {
            let phone = if self.chance(0.6) {
                p.phone.as_str()
            } else {
                ""
            };
            writeln!(
                w,
                "{}\t{:09}\t{}\t{}\t\t{} {}\tSPRINGFIELD\t{}\t{phone}\t{}\tP-{:04}\tCD-{:02}\tHD-{:03}",
                COUNTIES[p.county % COUNTIES.len()],
                p.id,
                p.last.to_uppercase(),
                p.first.to_uppercase(),
                p.house,
                p.street.to_uppercase(),
                p.zip,
                p.birth.0,
                p.precinct + 1,
                p.district + 1,
                p.precinct / 3 + 1
            )?;
        }
        Ok(())
    }
}

const COUNTIES: &[&str] = &["WAKE", "DURHAM", "ORANGE", "MECKLENBURG", "GUILFORD"];

fn csv_quote(s: &str, sep: char) -> String {
    if s.contains([sep, '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CRM export layouts the generator can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrmStyle {
    ActionKit,
    ActionNetwork,
    EveryAction,
    Salsa,
}

impl CrmStyle {
    pub const ALL: [CrmStyle; 4] = [
        CrmStyle::ActionKit,
        CrmStyle::ActionNetwork,
        CrmStyle::EveryAction,
        CrmStyle::Salsa,
    ];

    pub fn header(self) -> &'static [&'static str] {
        match self {
            CrmStyle::ActionKit => &[
                "id",
                "email",
                "first_name",
                "last_name",
                "address1",
                "address2",
                "city",
                "state",
                "zip",
                "phone",
            ],
            CrmStyle::ActionNetwork => &[
                "email",
                "first_name",
                "last_name",
                "zip_code",
                "can2_phone",
                "can2_user_address",
            ],
            CrmStyle::EveryAction => &[
                "VANID",
                "Email",
                "FirstName",
                "LastName",
                "AddressLine1",
                "Zip5",
                "Phone",
                "DOB",
            ],
            CrmStyle::Salsa => &[
                "Email Address",
                "First Name",
                "Last Name",
                "Street Address",
                "Zip/Postal Code",
                "Cell Phone",
            ],
        }
    }

    /// The volunteer column a generated export carries ([`Generator::with_volunteers`]):
    /// each tool names it its own way.
    pub fn volunteer_header(self) -> &'static str {
        match self {
            CrmStyle::ActionKit => "user_volunteer",
            CrmStyle::ActionNetwork => "can_write_to_neighbors",
            CrmStyle::EveryAction => "Volunteer",
            CrmStyle::Salsa => "Volunteer Messenger",
        }
    }

    pub fn delimiter(self) -> u8 {
        if self == CrmStyle::EveryAction {
            b'\t'
        } else {
            b','
        }
    }

    pub fn file_extension(self) -> &'static str {
        if self == CrmStyle::EveryAction {
            "tsv"
        } else {
            "csv"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let people = Generator::new(7).people(0, 50);
        assert_eq!(
            Generator::new(7).person(33).email_local,
            people[33].email_local
        );
        Generator::new(1)
            .write_export(CrmStyle::Salsa, &people, 0.3, &mut a)
            .unwrap();
        Generator::new(1)
            .write_export(CrmStyle::Salsa, &people, 0.3, &mut b)
            .unwrap();
        assert_eq!(a, b);
        let again = Generator::new(7).people(0, 50);
        assert_eq!(people[49].email_local, again[49].email_local);
    }

    #[test]
    fn exports_parse_with_their_header_width() {
        let people = Generator::new(3).people(0, 200);
        for style in CrmStyle::ALL {
            let mut out = Vec::new();
            Generator::new(5)
                .write_export(style, &people, 0.5, &mut out)
                .unwrap();
            let mut r = csv::ReaderBuilder::new()
                .delimiter(style.delimiter())
                .from_reader(&out[..]);
            let width = r.headers().unwrap().len();
            assert_eq!(width, style.header().len());
            let rows: Vec<_> = r.records().map(|x| x.unwrap()).collect();
            assert_eq!(rows.len(), 200);
            assert!(rows.iter().all(|x| x.len() == width), "{style:?}");
        }
    }

    #[test]
    fn volunteers_add_one_column_and_change_nothing_else() {
        let people = Generator::new(3).people(0, 400);
        for style in CrmStyle::ALL {
            let (mut plain, mut marked) = (Vec::new(), Vec::new());
            Generator::new(5)
                .write_export(style, &people, 0.3, &mut plain)
                .unwrap();
            Generator::new(5)
                .with_volunteers(0.1)
                .write_export(style, &people, 0.3, &mut marked)
                .unwrap();
            let read = |bytes: &[u8]| -> Vec<csv::StringRecord> {
                csv::ReaderBuilder::new()
                    .delimiter(style.delimiter())
                    .has_headers(false)
                    .from_reader(bytes)
                    .records()
                    .map(|x| x.unwrap())
                    .collect()
            };
            let (plain, marked) = (read(&plain), read(&marked));
            assert_eq!(&marked[0][style.header().len()], style.volunteer_header());
            let mut yes = 0;
            for (a, b) in plain.iter().zip(&marked) {
                assert_eq!(a.len() + 1, b.len());
                assert!(a.iter().zip(b.iter()).all(|(x, y)| x == y), "{style:?}");
                yes += usize::from(
                    crate::merge::messenger::read_flag(b[a.len()].as_bytes())
                        == crate::merge::messenger::Flag::Yes,
                );
            }
            assert!(
                (20..70).contains(&yes),
                "{style:?}: {yes} volunteers of 400"
            );
        }
    }
}
