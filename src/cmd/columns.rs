//! Column and parsing flags shared by `hash` and `lookup`: the same export must be read
//! the same way both times, or its tokens will not meet.

use anyhow::{Context, Result, bail};
use blindmatch::columns::{Overrides, Role};
use blindmatch::normalize::CountryCode;
use blindmatch::record::Rules;

#[derive(clap::Args, Clone)]
pub struct ColumnArgs {
    /// The email column (default: detected from the header).
    #[arg(long, value_name = "COL")]
    email_col: Option<String>,
    /// The phone column.
    #[arg(long, value_name = "COL")]
    phone_col: Option<String>,
    /// The first-name column.
    #[arg(long, value_name = "COL")]
    first_col: Option<String>,
    /// The last-name column.
    #[arg(long, value_name = "COL")]
    last_col: Option<String>,
    /// The zip code column.
    #[arg(long, value_name = "COL")]
    zip_col: Option<String>,
    /// The street address column (its house number is used).
    #[arg(long, value_name = "COL")]
    address_col: Option<String>,
    /// The date-of-birth or birth-year column.
    #[arg(long, value_name = "COL")]
    dob_col: Option<String>,

    /// Field delimiter: one character, or 'tab' (default: sniffed from the header).
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,

    /// Country calling code for phone numbers written without one.
    #[arg(long, default_value = "1", value_name = "CODE")]
    default_country_code: String,
}

impl ColumnArgs {
    pub fn overrides(&self) -> Overrides {
        let chosen = [
            (Role::Email, &self.email_col),
            (Role::Phone, &self.phone_col),
            (Role::First, &self.first_col),
            (Role::Last, &self.last_col),
            (Role::Zip, &self.zip_col),
            (Role::Address, &self.address_col),
            (Role::Dob, &self.dob_col),
        ];
        Overrides {
            by_role: chosen
                .into_iter()
                .filter_map(|(role, col)| col.clone().map(|c| (role, c)))
                .collect(),
        }
    }

    pub fn delimiter(&self) -> Result<Option<u8>> {
        match self.delimiter.as_deref() {
            None => Ok(None),
            Some("tab" | "\\t" | "\t") => Ok(Some(b'\t')),
            Some(t) if t.len() == 1 && t.is_ascii() => Ok(Some(t.as_bytes()[0])),
            Some(_) => bail!("--delimiter takes one ASCII character or 'tab'"),
        }
    }

    pub fn rules(&self) -> Result<Rules> {
        let default_country = CountryCode::parse(&self.default_country_code)
            .context("--default-country-code takes 1 to 3 digits, not starting with 0")?;
        Ok(Rules {
            default_country,
            ..Rules::default()
        })
    }
}
