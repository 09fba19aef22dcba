//! Reading exports: whatever tool wrote the file, the rest of the crate sees a header and
//! records of text cells, and knows which columns play which role.
//!
//! Real exports come delimited with a header row (most CRMs), tab-delimited without one
//! (the Florida Voter Extract), fixed-width (Michigan, Texas), or as spreadsheets; in UTF-8,
//! UTF-16 (EveryAction, VAN) or Windows-1252. [`Export::open`] reads the start of the file,
//! settles all of that once, picks the columns ([`columns`], [`layout`]) and can then hand
//! out any number of [`Records`] streams over the same data (a sample, then the full run).

pub mod columns;
pub mod csvio;
pub mod encoding;
pub mod fixed;
pub mod layout;
pub mod sheet;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use columns::{ColumnMap, Detection, Overrides, Role, SAMPLE_ROWS};
use encoding::TextEncoding;
use fixed::FixedReader;
use layout::{Format, Layout};

const SNIFF_BYTES: usize = 64 * 1024;
const READ_BUFFER: usize = 1 << 20;

/// How to read an export; everything is detected when left unset.
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    pub overrides: Overrides,
    /// The field delimiter of delimited text.
    pub delimiter: Option<u8>,
    /// An encoding label (`windows-1252`, `utf-16le`, ...).
    pub encoding: Option<String>,
    /// A layout name from `layouts/` (required for files without a header row).
    pub layout: Option<String>,
    /// The sheet of a spreadsheet (default: the first).
    pub sheet: Option<String>,
}

/// How the file's records are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Container {
    /// Delimited text, with or without a header row.
    Delimited { delimiter: u8, header: bool },
    /// Fixed-width text without a header row.
    Fixed,
    /// A spreadsheet's sheet, read whole.
    Sheet { name: String },
    /// Records handed over by the caller (the Python API's rows), not read from a file.
    Rows,
}

/// Records handed over by a caller instead of read from a file: the Python API's rows.
pub trait RecordSource: Send {
    /// Reads the next record into `record`; false at the end. Errors never quote a value.
    fn read(&mut self, record: &mut csv::ByteRecord) -> Result<bool>;
}

/// The caller's records: the first ones, read at open to choose the columns, then the rest.
struct RowSource {
    head: Arc<Vec<csv::ByteRecord>>,
    rest: Mutex<Option<Box<dyn RecordSource>>>,
}

/// An opened export: its columns chosen, ready to stream records.
pub struct Export {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub detection: Detection,
    /// The layout used: recognized from the header or named with `--layout`.
    pub layout: Option<&'static Layout>,
    pub layout_named: bool,
    pub container: Container,
    /// The text encoding (none for spreadsheets).
    pub encoding: Option<TextEncoding>,
    /// The file's size in bytes.
    pub len: u64,
    sheet_rows: Option<Arc<Vec<csv::ByteRecord>>>,
    rows: Option<RowSource>,
}

impl Export {
    /// Opens the file, settles its format and chooses the columns.
    pub fn open(path: &Path, opts: &InputOptions) -> Result<Export> {
        let len = std::fs::metadata(path).map_err(Error::io(path))?.len();
        let columns_error = |why: String| Error::Columns {
            path: path.to_path_buf(),
            why,
        };
        let named = match &opts.layout {
            Some(name) => Some(layout::by_name(name).ok_or_else(|| {
                columns_error(format!(
                    "there is no layout '{name}' (--layout list shows them)"
                ))
            })?),
            None => None,
        };
        let mut export = if sheet::is_spreadsheet(path) {
            let sheet = sheet::read(path, opts.sheet.as_deref())?;
            Export {
                path: path.to_path_buf(),
                headers: sheet.headers,
                detection: Detection::default(),
                layout: None,
                layout_named: false,
                container: Container::Sheet { name: sheet.name },
                encoding: None,
                len,
                sheet_rows: Some(Arc::new(sheet.rows)),
                rows: None,
            }
        } else {
            Self::open_text(path, opts, named, len)?
        };
        if opts.sheet.is_some() && export.sheet_rows.is_none() {
            return Err(Error::Usage(
                "--sheet is for spreadsheets (.xlsx, .ods, ...)".into(),
            ));
        }
        export.choose_columns(named, opts)?;
        Ok(export)
    }

    /// An export over the caller's records (`name` stands for a file name in messages). Its
    /// columns are chosen as for a file with this header: the same layouts, aliases, overrides
    /// and value checks, on the first records, which are read now.
    pub fn from_records(
        name: &str,
        headers: Vec<String>,
        mut source: Box<dyn RecordSource>,
        opts: &InputOptions,
    ) -> Result<Export> {
        if opts.layout.is_some() || opts.sheet.is_some() || opts.encoding.is_some() {
            return Err(Error::Usage(
                "a layout, sheet or encoding is for reading files, not rows".into(),
            ));
        }
        let path = PathBuf::from(name);
        if headers.iter().all(String::is_empty) {
            return Err(Error::EmptyInput { path });
        }
        let mut head = Vec::new();
        let mut record = csv::ByteRecord::new();
        while head.len() < SAMPLE_ROWS && source.read(&mut record)? {
            head.push(std::mem::take(&mut record));
        }
        let mut export = Export {
            path,
            headers,
            detection: Detection::default(),
            layout: None,
            layout_named: false,
            container: Container::Rows,
            encoding: None,
            len: 0,
            sheet_rows: None,
            rows: Some(RowSource {
                head: Arc::new(head),
                rest: Mutex::new(Some(source)),
            }),
        };
        export.choose_columns(None, opts)?;
        Ok(export)
    }

    /// Recognizes the layout and chooses the columns, from the header and the first records.
    fn choose_columns(
        &mut self,
        named: Option<&'static Layout>,
        opts: &InputOptions,
    ) -> Result<()> {
        let columns_error = |why: String| Error::Columns {
            path: self.path.clone(),
            why,
        };
        self.layout = named.or_else(|| layout::recognize(&self.headers));
        self.layout_named = named.is_some();
        let sample = self.sample()?;
        self.check_headerless(&sample)?;
        self.detection = columns::detect(&self.headers, &sample, &opts.overrides, self.layout)
            .map_err(columns_error)?;
        if !self.detection.map.has_identifier() {
            return Err(columns_error(format!(
                "no identifier column found: need an email, a phone, or three of first name, last \
                 name, date of birth, street address, city, zip, one of them a name or the date \
                 of birth (header has {} columns; name them with {}, or a layout with --layout)",
                self.headers.len(),
                Role::ALL.map(Role::flag).join(", ")
            )));
        }
        Ok(())
    }

    fn open_text(
        path: &Path,
        opts: &InputOptions,
        named: Option<&'static Layout>,
        len: u64,
    ) -> Result<Export> {
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        File::open(path)
            .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
            .map_err(Error::io(path))?;
        if head.is_empty() {
            return Err(Error::EmptyInput {
                path: path.to_path_buf(),
            });
        }
        let encoding = match &opts.encoding {
            Some(label) => TextEncoding {
                encoding: encoding::for_label(label).ok_or_else(|| {
                    Error::Usage(format!(
                        "--encoding '{label}' is not an encoding name (try utf-8, utf-16le, \
                         windows-1252)"
                    ))
                })?,
                how: encoding::How::Given,
            },
            None => encoding::detect(&head),
        };
        let text = encoding.decode_head(&head);
        let sniffed = || {
            opts.delimiter
                .unwrap_or_else(|| csvio::sniff_delimiter(text.as_bytes()))
        };
        let (container, headers) = match named.map(|l| (l, l.format)) {
            Some((l, Format::Delimited)) => (
                Container::Delimited {
                    delimiter: opts.delimiter.or(l.delimiter_byte()).unwrap_or(b'\t'),
                    header: false,
                },
                l.column_names(),
            ),
            Some((l, Format::Fixed)) => (Container::Fixed, l.column_names()),
            _ => (
                Container::Delimited {
                    delimiter: sniffed(),
                    header: true,
                },
                Vec::new(),
            ),
        };
        let mut export = Export {
            path: path.to_path_buf(),
            headers,
            detection: Detection::default(),
            layout: None,
            layout_named: false,
            container,
            encoding: Some(encoding),
            len,
            sheet_rows: None,
            rows: None,
        };
        if export.headers.is_empty() {
            let mut records = export.records()?;
            export.headers = records.take_headers()?;
        }
        Ok(export)
    }

    /// The chosen columns.
    pub fn map(&self) -> &ColumnMap {
        &self.detection.map
    }

    /// The spreadsheet row number of the first data record (the header is row 1).
    pub fn first_data_row(&self) -> u64 {
        match self.container {
            Container::Delimited { header: false, .. } | Container::Fixed => 1,
            _ => 2,
        }
    }

    /// The field delimiter, for delimited text.
    pub fn delimiter(&self) -> Option<u8> {
        match self.container {
            Container::Delimited { delimiter, .. } => Some(delimiter),
            _ => None,
        }
    }

    /// A file read by a headerless layout must look like one: no header row, and rows with
    /// the layout's number of fields. Otherwise every row would be silently misread.
    fn check_headerless(&self, sample: &[csv::ByteRecord]) -> Result<()> {
        let (Some(layout), true) = (self.layout, self.first_data_row() == 1) else {
            return Ok(());
        };
        let problem = |why: String| {
            Err(Error::Columns {
                path: self.path.clone(),
                why,
            })
        };
        let names: Vec<String> = self
            .headers
            .iter()
            .map(|h| columns::fold_header(h))
            .collect();
        if let Some(first) = sample.first() {
            let named = first
                .iter()
                .filter(|cell| {
                    let cell = columns::fold_header(&String::from_utf8_lossy(cell));
                    !cell.is_empty() && names.contains(&cell)
                })
                .count();
            if named * 2 >= names.len().min(first.len()).max(1) {
                return problem(format!(
                    "its first row is a header, but the {} layout has none: leave out --layout",
                    layout.name
                ));
            }
        }
        if let Container::Delimited { .. } = self.container {
            let off = sample.iter().filter(|r| r.len() != names.len()).count();
            if !sample.is_empty() && off * 10 > sample.len() * 9 {
                return problem(format!(
                    "its rows do not have the {} fields of the {} layout (is it the right \
                     layout and delimiter?)",
                    names.len(),
                    layout.name
                ));
            }
        }
        Ok(())
    }

    /// The first rows, for checking that columns hold what their names say.
    fn sample(&self) -> Result<Vec<csv::ByteRecord>> {
        if let Some(rows) = &self.rows {
            return Ok(rows.head.to_vec());
        }
        let mut records = self.records()?;
        let mut sample = Vec::new();
        let mut record = csv::ByteRecord::new();
        while sample.len() < SAMPLE_ROWS && records.read(&mut record)? {
            sample.push(record.clone());
        }
        Ok(sample)
    }

    /// A fresh stream over the data records (after the header row, if any).
    pub fn records(&self) -> Result<Records> {
        let consumed = Arc::new(AtomicU64::new(0));
        let inner = if let Some(rows) = &self.rows {
            // The caller's records can be read once: the head again, then the rest.
            let rest = rows.rest.lock().ok().and_then(|mut rest| rest.take());
            let Some(rest) = rest else {
                return Err(Error::Usage("the rows have been read already".into()));
            };
            Inner::Rows(Arc::clone(&rows.head), 0, rest)
        } else if let Some(rows) = &self.sheet_rows {
            Inner::Sheet(Arc::clone(rows), 0)
        } else {
            let file = File::open(&self.path).map_err(Error::io(&self.path))?;
            let counted = Counted {
                inner: file,
                count: Arc::clone(&consumed),
            };
            let text = match &self.encoding {
                Some(e) => e.decoder(counted),
                None => Box::new(counted),
            };
            let text = BufReader::with_capacity(READ_BUFFER, text);
            match &self.container {
                Container::Fixed => {
                    let layout = self.layout.map_or(&[][..], |l| l.fields.as_slice());
                    Inner::Fixed(FixedReader::new(text, layout))
                }
                Container::Delimited { delimiter, header } => {
                    let mut reader = csv::ReaderBuilder::new()
                        .delimiter(*delimiter)
                        .flexible(true)
                        .has_headers(false)
                        .buffer_capacity(READ_BUFFER)
                        .from_reader(Box::new(text) as Box<dyn Read + Send>);
                    let mut skip = csv::ByteRecord::new();
                    if *header && !self.headers.is_empty() {
                        reader
                            .read_byte_record(&mut skip)
                            .map_err(|e| csvio::csv_error(&self.path, 1, &e))?;
                    }
                    Inner::Csv(reader)
                }
                Container::Sheet { .. } | Container::Rows => Inner::Sheet(Arc::new(Vec::new()), 0),
            }
        };
        Ok(Records {
            inner,
            path: self.path.clone(),
            next_row: self.first_data_row(),
            consumed,
            len: self.len,
        })
    }
}

/// A reader that counts the bytes it hands out: read progress in file bytes, whatever
/// decoding happens after it.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

enum Inner {
    Csv(csv::Reader<Box<dyn Read + Send>>),
    Fixed(FixedReader<BufReader<Box<dyn Read + Send>>>),
    Sheet(Arc<Vec<csv::ByteRecord>>, usize),
    Rows(Arc<Vec<csv::ByteRecord>>, usize, Box<dyn RecordSource>),
}

/// A stream of data records from an export.
pub struct Records {
    inner: Inner,
    path: PathBuf,
    next_row: u64,
    consumed: Arc<AtomicU64>,
    len: u64,
}

impl Records {
    /// The header row as text. Invalid UTF-8 in a header is replaced, not fatal: header names
    /// are not member data.
    fn take_headers(&mut self) -> Result<Vec<String>> {
        let mut record = csv::ByteRecord::new();
        let found = match &mut self.inner {
            Inner::Csv(reader) => reader
                .read_byte_record(&mut record)
                .map_err(|e| csvio::csv_error(&self.path, 1, &e))?,
            _ => false,
        };
        let headers: Vec<String> = record
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_matches(|c: char| c.is_whitespace() || c == '\0' || c == '\u{FEFF}')
                    .to_string()
            })
            .collect();
        if !found || headers.iter().all(String::is_empty) {
            return Err(Error::EmptyInput {
                path: self.path.clone(),
            });
        }
        Ok(headers)
    }

    /// Reads the next record; false at the end. Errors name the file and row, never content.
    pub fn read(&mut self, record: &mut csv::ByteRecord) -> Result<bool> {
        let row = self.next_row;
        let more = match &mut self.inner {
            Inner::Csv(reader) => reader
                .read_byte_record(record)
                .map_err(|e| csvio::csv_error(&self.path, row, &e))?,
            Inner::Fixed(reader) => reader
                .read(record)
                .map_err(|e| Error::io(&self.path)(std::io::Error::new(e.kind(), e.to_string())))?,
            Inner::Sheet(rows, next) => match rows.get(*next) {
                Some(r) => {
                    record.clone_from(r);
                    *next += 1;
                    true
                }
                None => false,
            },
            Inner::Rows(head, next, rest) => match head.get(*next) {
                Some(r) => {
                    record.clone_from(r);
                    *next += 1;
                    true
                }
                None => rest.read(record)?,
            },
        };
        self.next_row += u64::from(more);
        Ok(more)
    }

    /// Replaces `chunk` with up to `max` next records; false when none were left.
    pub fn read_chunk(&mut self, chunk: &mut Vec<csv::ByteRecord>, max: usize) -> Result<bool> {
        chunk.clear();
        let mut record = csv::ByteRecord::new();
        while chunk.len() < max && self.read(&mut record)? {
            chunk.push(std::mem::take(&mut record));
        }
        Ok(!chunk.is_empty())
    }

    /// How far into the file the stream is, in file bytes (for progress).
    pub fn position(&self) -> u64 {
        match &self.inner {
            Inner::Rows(..) => 0,
            Inner::Sheet(rows, next) => {
                (self.len as u128 * *next as u128 / rows.len().max(1) as u128) as u64
            }
            _ => self.consumed.load(Ordering::Relaxed).min(self.len),
        }
    }
}
