//! Python rows in, hashed rows out: the two ends of `blindmatch.hash_rows`.
//!
//! The rows are any iterable of dicts (a Parsons `Table`, `df.to_dict("records")`, a
//! `csv.DictReader`). They are pulled by the hash pipeline's reader thread, a batch at a time
//! under the GIL, while the caller's thread has let the GIL go and the workers hash without
//! it: Python iteration and hashing overlap, and the rows are never all copied at once. The
//! header is the first row's keys; a cell is what `hash` would read from a CSV of the same
//! rows. No message here quotes a value: rows are named by their index, columns by name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyIterator, PyList, PyString};

use super::Error;
use crate::input::RecordSource;

/// Rows converted per turn under the GIL.
const BATCH: usize = 1024;
/// Stands for a cell that is not valid text (a lone surrogate): not UTF-8, so `hash` counts
/// it as undecodable and its kinds as invalid, as it does for such a cell in a file.
const NOT_UTF8: &[u8] = b"\xff";

/// The first row's keys: the header of the rows.
pub struct Header {
    names: Vec<String>,
    keys: Vec<Py<PyString>>,
    index: HashMap<String, usize>,
}

impl Header {
    /// The header of the first row.
    pub fn of(row: &Bound<'_, PyAny>) -> PyResult<Header> {
        let dict = as_dict(row, 0)?;
        let mut names = Vec::with_capacity(dict.len());
        let mut keys = Vec::with_capacity(dict.len());
        for key in dict.keys() {
            if key.is_none() {
                continue; // csv.DictReader's extra fields (restkey): a ragged row, see below
            }
            let Ok(name) = key.cast::<PyString>() else {
                return Err(Error::new_err(
                    "the row at index 0 has a column name that is not a string",
                ));
            };
            names.push(name.to_cow()?.into_owned());
            keys.push(name.clone().unbind());
        }
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Ok(Header { names, keys, index })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Where a failure while reading the rows is kept: the Python exception (the caller's own,
/// from their iterator, or ours), raised once the pipeline has stopped.
pub type Failure = Arc<Mutex<Option<PyErr>>>;

/// The rows, as records for the hash pipeline.
pub struct PyRows {
    rows: Py<PyIterator>,
    header: Arc<Header>,
    /// The first row, already taken from the iterator for its keys.
    first: Option<Py<PyAny>>,
    /// Index of the next row taken from the iterator.
    next_index: usize,
    batch: Vec<csv::ByteRecord>,
    batch_len: usize,
    batch_pos: usize,
    done: bool,
    /// Columns the hash uses, set once the columns are chosen; the others are left empty.
    pub needed: Arc<OnceLock<Vec<bool>>>,
    pub failure: Failure,
}

impl PyRows {
    pub fn new(
        rows: Bound<'_, PyIterator>,
        first: Bound<'_, PyAny>,
        header: Arc<Header>,
    ) -> PyRows {
        PyRows {
            rows: rows.unbind(),
            header,
            first: Some(first.unbind()),
            next_index: 0,
            batch: Vec::new(),
            batch_len: 0,
            batch_pos: 0,
            done: false,
            needed: Arc::new(OnceLock::new()),
            failure: Arc::new(Mutex::new(None)),
        }
    }

    /// Converts the next rows under the GIL.
    fn fill(&mut self) -> PyResult<()> {
        Python::attach(|py| {
            let needed = self.needed.get().map(Vec::as_slice);
            let mut rows = self.rows.bind(py).clone();
            self.batch.resize_with(BATCH, csv::ByteRecord::new);
            self.batch_len = 0;
            self.batch_pos = 0;
            while self.batch_len < BATCH {
                let row = match self.first.take() {
                    Some(first) => first.into_bound(py),
                    None => match rows.next() {
                        Some(row) => row?,
                        None => {
                            self.done = true;
                            break;
                        }
                    },
                };
                let record = &mut self.batch[self.batch_len];
                convert(&row, self.next_index, &self.header, needed, record)?;
                self.next_index += 1;
                self.batch_len += 1;
            }
            Ok(())
        })
    }
}

impl RecordSource for PyRows {
    fn read(&mut self, record: &mut csv::ByteRecord) -> crate::Result<bool> {
        if self.batch_pos == self.batch_len {
            if self.done {
                return Ok(false);
            }
            if let Err(e) = self.fill() {
                if let Ok(mut failure) = self.failure.lock() {
                    *failure = Some(e);
                }
                self.done = true;
                self.batch_len = 0;
                self.batch_pos = 0;
                return Err(crate::Error::Usage("the rows could not be read".into()));
            }
            if self.batch_len == 0 {
                return Ok(false);
            }
        }
        std::mem::swap(record, &mut self.batch[self.batch_pos]);
        self.batch_pos += 1;
        Ok(true)
    }
}

fn as_dict<'py>(row: &Bound<'py, PyAny>, index: usize) -> PyResult<Bound<'py, PyDict>> {
    if let Ok(dict) = row.cast::<PyDict>() {
        return Ok(dict.clone());
    }
    // Other mappings (a petl or SQLAlchemy row, ...): dict(row). Its error is not passed on,
    // since it could quote the row.
    if row.hasattr("keys").unwrap_or(false)
        && let Ok(dict) = row.py().get_type::<PyDict>().call1((row,))
        && let Ok(dict) = dict.cast_into::<PyDict>()
    {
        return Ok(dict);
    }
    Err(PyTypeError::new_err(format!(
        "the row at index {index} is not a dict (rows are dicts of column name to value)"
    )))
}

/// One row as a record of the header's width. A missing key or `None` is an empty cell; a
/// key the first row lacks is refused (its values would be silently dropped), except
/// `csv.DictReader`'s `None` key for extra fields, which makes the row ragged, as in a file.
fn convert(
    row: &Bound<'_, PyAny>,
    index: usize,
    header: &Header,
    needed: Option<&[bool]>,
    record: &mut csv::ByteRecord,
) -> PyResult<()> {
    let py = row.py();
    let dict = as_dict(row, index)?;
    record.clear();
    let mut all_found = true;
    for (i, key) in header.keys.iter().enumerate() {
        if needed.is_some_and(|n| !n[i]) {
            record.push_field(b"");
            continue;
        }
        match dict.get_item(key.bind(py))? {
            Some(value) => push_value(&value, index, &header.names[i], record)?,
            None => {
                all_found = false;
                record.push_field(b"");
            }
        }
    }
    if dict.len() != header.keys.len() || !all_found {
        for key in dict.keys() {
            if key.is_none() {
                record.push_field(b""); // extra fields: ragged, like a row too long in a file
                continue;
            }
            let Ok(name) = key.cast::<PyString>() else {
                return Err(Error::new_err(format!(
                    "the row at index {index} has a column name that is not a string"
                )));
            };
            let name = name.to_cow()?;
            if !header.index.contains_key(name.as_ref()) {
                return Err(Error::new_err(format!(
                    "the row at index {index} has a column '{name}' that the first row does not \
                     have: give every row the first row's keys (None for no value)"
                )));
            }
        }
    }
    Ok(())
}

/// A cell: text as is, `None` and NaN (pandas' missing values) empty, bytes as is, anything
/// else as `str()` gives it.
fn push_value(
    value: &Bound<'_, PyAny>,
    index: usize,
    column: &str,
    record: &mut csv::ByteRecord,
) -> PyResult<()> {
    if let Ok(text) = value.cast::<PyString>() {
        // One copy (into a bytes object) on the stable ABI of Python 3.9, then the record's.
        match text.encode_utf8() {
            Ok(text) => record.push_field(text.as_bytes()),
            Err(_) => record.push_field(NOT_UTF8),
        }
        return Ok(());
    }
    if value.is_none() {
        record.push_field(b"");
        return Ok(());
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        record.push_field(bytes.as_bytes());
        return Ok(());
    }
    if let Ok(float) = value.cast::<PyFloat>()
        && float.value().is_nan()
    {
        record.push_field(b"");
        return Ok(());
    }
    let type_name = value.get_type().name().map(|n| n.to_string());
    if matches!(type_name.as_deref(), Ok("NAType" | "NaTType")) {
        record.push_field(b""); // pandas.NA, pandas.NaT
        return Ok(());
    }
    match value.str().and_then(|s| Ok(s.to_cow()?.into_owned())) {
        Ok(text) => record.push_field(text.as_bytes()),
        Err(_) => {
            return Err(Error::new_err(format!(
                "the row at index {index}: the value in column '{column}' cannot be turned into \
                 text"
            )));
        }
    }
    Ok(())
}

/// The hashed rows (the header line, then data rows, as `run_in_memory` gives them) as a
/// list of dicts of column name to value, `""` for an empty cell, as `csv.DictReader`
/// reads the hashed file.
pub fn to_dicts<'py>(py: Python<'py>, hashed: &[u8]) -> PyResult<Bound<'py, PyList>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(hashed);
    let bad = |_| Error::new_err("internal error: unreadable hashed rows");
    let names: Vec<Bound<'py, PyString>> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(|name| PyString::intern(py, name))
        .collect();
    let empty = PyString::intern(py, "");
    let list = PyList::empty(py);
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(bad)? {
        let dict = PyDict::new(py);
        for (name, value) in names.iter().zip(record.iter()) {
            if value.is_empty() {
                dict.set_item(name, &empty)?;
            } else {
                dict.set_item(name, PyString::new(py, value))?;
            }
        }
        list.append(dict)?;
    }
    Ok(list)
}
