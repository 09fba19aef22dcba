//! Column and parsing flags shared by `hash` and `lookup`: the same export must be read
//! the same way both times, or its tokens will not meet.

use anyhow::{Context, Result, bail};
use blindmatch::input::InputOptions;
use blindmatch::input::columns::{Overrides, Role};
use blindmatch::input::layout::{self, Format};
use blindmatch::spec::normalize::CountryCode;
use blindmatch::spec::record::Rules;

use crate::ui::Ui;

#[derive(clap::Args, Clone)]
pub struct ColumnArgs {
    /// The email column (default: detected from the header). Give it again for each further
    /// email column: every email of a record is matched.
    #[arg(long, value_name = "COL")]
    email_col: Vec<String>,
    /// The phone column, or area code and number columns: area_cd,phone_num. Give it again
    /// for each further phone (--phone-col cell --phone-col home).
    #[arg(long, value_name = "COL[,COL]")]
    phone_col: Vec<String>,
    /// The first-name column.
    #[arg(long, value_name = "COL")]
    first_col: Option<String>,
    /// The middle-name column.
    #[arg(long, value_name = "COL")]
    middle_col: Option<String>,
    /// The last-name column.
    #[arg(long, value_name = "COL")]
    last_col: Option<String>,
    /// The zip code column.
    #[arg(long, value_name = "COL")]
    zip_col: Option<String>,
    /// The street address column, or its parts in order, joined with a space:
    /// house_num,street_dir,street_name,street_type_cd.
    #[arg(long, value_name = "COL[,COL...]")]
    address_col: Option<String>,
    /// The city column.
    #[arg(long, value_name = "COL")]
    city_col: Option<String>,
    /// The date-of-birth or birth-year column.
    #[arg(long, value_name = "COL")]
    dob_col: Option<String>,

    /// A named export layout; needed for files without a header row (florida,
    /// pennsylvania, michigan, texas). 'list' prints them all.
    #[arg(long, value_name = "NAME")]
    pub layout: Option<String>,

    /// The text encoding, e.g. windows-1252 or utf-16le (default: detected).
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,

    /// The sheet of a spreadsheet export (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,

    /// Field delimiter: one character, or 'tab' (default: sniffed from the header).
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,

    /// Country calling code for phone numbers written without one.
    #[arg(long, default_value = "1", value_name = "CODE")]
    default_country_code: String,
}

impl ColumnArgs {
    fn overrides(&self) -> Overrides {
        let several = [
            (Role::Email, &self.email_col),
            (Role::Phone, &self.phone_col),
        ]
        .into_iter()
        .flat_map(|(role, cols)| cols.iter().map(move |c| (role, c.clone())));
        let chosen = [
            (Role::First, &self.first_col),
            (Role::Middle, &self.middle_col),
            (Role::Last, &self.last_col),
            (Role::Zip, &self.zip_col),
            (Role::Address, &self.address_col),
            (Role::City, &self.city_col),
            (Role::Dob, &self.dob_col),
        ];
        Overrides {
            by_role: several
                .chain(
                    chosen
                        .into_iter()
                        .filter_map(|(role, col)| col.clone().map(|c| (role, c))),
                )
                .collect(),
        }
    }

    fn delimiter(&self) -> Result<Option<u8>> {
        match self.delimiter.as_deref() {
            None => Ok(None),
            Some("tab" | "\\t" | "\t") => Ok(Some(b'\t')),
            Some(t) if t.len() == 1 && t.is_ascii() => Ok(Some(t.as_bytes()[0])),
            Some(_) => bail!("--delimiter takes one ASCII character or 'tab'"),
        }
    }

    /// How to read the export.
    pub fn reading(&self) -> Result<InputOptions> {
        Ok(InputOptions {
            overrides: self.overrides(),
            delimiter: self.delimiter()?,
            encoding: self.encoding.clone(),
            layout: self.layout.clone(),
            sheet: self.sheet.clone(),
        })
    }

    pub fn rules(&self) -> Result<Rules> {
        let default_country = CountryCode::parse(&self.default_country_code)
            .context("--default-country-code takes 1 to 3 digits, not starting with 0")?;
        Ok(Rules {
            default_country,
            ..Rules::default()
        })
    }

    /// True when the user asked for the list of layouts instead of a run.
    pub fn wants_layout_list(&self) -> bool {
        self.layout.as_deref() == Some("list")
    }
}

/// Prints the known layouts (`--layout list`) to stdout.
pub fn print_layouts(ui: &Ui) -> Result<()> {
    ui.out("Layouts (--layout NAME; header layouts are also recognized on their own):")?;
    for l in layout::all() {
        let kind = match l.format {
            Format::Header => "header",
            Format::Delimited => "no header, delimited",
            Format::Fixed => "no header, fixed width",
        };
        ui.out(format!("  {:<16} {} ({kind})", l.name, l.title))?;
    }
    Ok(())
}
