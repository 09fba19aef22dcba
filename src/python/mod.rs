//! The Python module `blindmatch` (cargo feature `python`; maturin builds it into the wheel
//! that also carries the `blindmatch` command, see `pyproject.toml`).
//!
//! Org data staff work in Python: their lists arrive as Parsons Tables or pandas frames, and
//! writing a plaintext CSV only so that `hash` can read it leaves the list on disk (issue 12).
//! This is a thin layer over the library: the same options, the same pipeline, the same
//! column detection and messages as the command. Library errors become `blindmatch.Error`
//! with the library's message, which never holds an input value; the GIL is let go while
//! hashing and merging.

mod rows;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::hash::{HashOptions, HashPlan, HashReport};
use crate::input::columns::{Overrides, Role};
use crate::merge::assign::Policy;
use crate::merge::{MatchMode, MergeOptions, merge as merge_files};
use crate::progress::NoProgress;
use crate::report::summary::Summary;
use crate::spec::hashfile::FileKind;
use crate::spec::key::ConsortiumKey;
use crate::spec::label::{OrgLabel, Round};
use crate::spec::token::Kind;

pyo3::create_exception!(
    blindmatch,
    Error,
    PyException,
    "A blindmatch error: a bad key file, label, column choice or input file. The message \
     names files, rows and columns, never a value."
);

fn lib_error(e: crate::Error) -> PyErr {
    Error::new_err(e.to_string())
}

/// A consortium key, loaded with `load_key`. Its bytes never leave Rust; `repr` shows the
/// fingerprint only.
#[pyclass(frozen, module = "blindmatch", name = "Key")]
pub struct Key {
    key: ConsortiumKey,
    fingerprint: String,
}

#[pymethods]
impl Key {
    /// The key's public fingerprint (`xxxx-xxxx-xxxx-xxxx`): compare it with the other orgs'.
    #[getter]
    fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn __repr__(&self) -> String {
        format!("Key(fingerprint='{}')", self.fingerprint)
    }
}

/// Loads a consortium key file (refused if group or others can read it).
#[pyfunction]
fn load_key(path: PathBuf) -> PyResult<Key> {
    let key = ConsortiumKey::load(&path).map_err(lib_error)?;
    let fingerprint = key.fingerprint().to_string();
    Ok(Key { key, fingerprint })
}

/// A `Key`, or the path of a key file.
fn key_of(key: &Bound<'_, PyAny>) -> PyResult<ConsortiumKey> {
    if let Ok(key) = key.cast::<Key>() {
        return Ok(key.get().key.clone());
    }
    match key.extract::<PathBuf>() {
        Ok(path) => ConsortiumKey::load(&path).map_err(lib_error),
        Err(_) => Err(PyTypeError::new_err(
            "key must be a Key (from blindmatch.load_key) or the path of a key file",
        )),
    }
}

/// The options `hash_rows` and `hash_file` share, as `hash` takes them.
struct HashArgs<'py> {
    org: String,
    round: Option<String>,
    kind: String,
    columns: Option<Bound<'py, PyDict>>,
    keep: Option<Bound<'py, PyAny>>,
}

impl HashArgs<'_> {
    fn options(&self, input: &Path, output: &Path) -> PyResult<HashOptions> {
        let org = OrgLabel::new(&self.org).map_err(lib_error)?;
        let mut opts = HashOptions::new(input, output, org);
        if let Some(round) = &self.round {
            opts.round = Round::new(round).map_err(lib_error)?;
        }
        opts.kind = FileKind::from_name(&self.kind).ok_or_else(|| {
            PyValueError::new_err("kind must be 'members', 'voters' or 'suppression'")
        })?;
        opts.keep = match &self.keep {
            None => Vec::new(),
            Some(keep) => names(keep, "keep")?,
        };
        opts.keep.retain(|c| !c.is_empty());
        if let Some(columns) = &self.columns {
            opts.reading.overrides = overrides(columns)?;
        }
        Ok(opts)
    }
}

/// Column names: one string (comma-separated, as on the command line) or a list of strings.
fn names(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    let list: Vec<String> = if let Ok(text) = value.cast::<PyString>() {
        text.to_cow()?.split(',').map(str::to_string).collect()
    } else {
        value.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} takes a column name or a list of column names"
            ))
        })?
    };
    Ok(list.iter().map(|c| c.trim().to_string()).collect())
}

/// `columns={"email": "E-mail", "address": ["house_num", "street_name"]}`: the `--*-col`
/// flags of `hash`, by role. Several emails or phones, one value each: a list of sources,
/// each a name or a list of names joined (`{"phone": [["area", "number"], "cell"]}`); an
/// email is never joined, so a list of names is several emails.
fn overrides(columns: &Bound<'_, PyDict>) -> PyResult<Overrides> {
    let mut by_role = Vec::new();
    for (role, value) in columns.iter() {
        let role: String = role
            .extract()
            .map_err(|_| PyTypeError::new_err("columns: the roles are strings"))?;
        let Some(role) = Role::ALL.into_iter().find(|r| r.key() == role) else {
            let roles: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
            return Err(PyValueError::new_err(format!(
                "columns: '{role}' is not a role (the roles are {})",
                roles.join(", ")
            )));
        };
        let sources: Vec<Vec<String>> = match value.extract::<Vec<Bound<'_, PyAny>>>() {
            Ok(items)
                if role.multi_valued()
                    && (role == Role::Email
                        || items.iter().any(|i| !i.is_instance_of::<PyString>())) =>
            {
                items
                    .iter()
                    .map(|item| names(item, "columns"))
                    .collect::<PyResult<_>>()?
            }
            _ => vec![names(&value, "columns")?],
        };
        if sources.is_empty() || sources.iter().any(|cols| cols.iter().all(String::is_empty)) {
            return Err(PyValueError::new_err(format!(
                "columns: '{}' names no column",
                role.key()
            )));
        }
        by_role.extend(sources.into_iter().map(|cols| (role, cols.join(","))));
    }
    Ok(Overrides { by_role })
}

/// Hashes rows held in memory: any iterable of dicts (a Parsons Table,
/// `df.to_dict("records")`, a `csv.DictReader`). Returns what `hash` writes for the same
/// rows, as a list of dicts in the same order (`""` for an empty cell).
#[pyfunction]
#[pyo3(signature = (rows, key, org, *, round=None, kind="members".to_string(), columns=None, keep=None))]
#[allow(clippy::too_many_arguments)]
fn hash_rows<'py>(
    py: Python<'py>,
    rows: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    org: String,
    round: Option<String>,
    kind: String,
    columns: Option<Bound<'py, PyDict>>,
    keep: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let key = key_of(key)?;
    let args = HashArgs {
        org,
        round,
        kind,
        columns,
        keep,
    };
    // Rows that spill past the memory budget go to scratch files (tokens only) here.
    let scratch = std::env::temp_dir().join("blindmatch-rows");
    let opts = args.options(Path::new("rows"), &scratch)?;
    let hashed = hash_in_memory(py, rows, opts, |plan| {
        Ok(plan.run_in_memory(&key, &NoProgress)?.1)
    })?;
    match hashed {
        Some(hashed) => rows::to_dicts(py, &hashed),
        None => Ok(PyList::empty(py)),
    }
}

/// Plans a hash over Python rows and runs `run` on the plan with the GIL let go; `None` when
/// there are no rows (no first row, so no header).
fn hash_in_memory<T: Send>(
    py: Python<'_>,
    rows: &Bound<'_, PyAny>,
    opts: HashOptions,
    run: impl FnOnce(&HashPlan) -> crate::Result<T> + Send,
) -> PyResult<Option<T>> {
    let mut iter = rows.try_iter()?;
    let Some(first) = iter.next() else {
        return Ok(None);
    };
    let first = first?;
    let header = Arc::new(rows::Header::of(&first)?);
    let source = rows::PyRows::new(iter, first, Arc::clone(&header));
    let (needed, failure) = (Arc::clone(&source.needed), Arc::clone(&source.failure));
    let headers = header.names().to_vec();
    let result = py.detach(move || {
        let plan = HashPlan::from_records(opts, headers, Box::new(source))?;
        let _ = needed.set(used_columns(&plan));
        run(&plan)
    });
    // The rows' own failure first: the library only saw that reading stopped.
    let failed = failure.lock().ok().and_then(|mut f| f.take());
    match (result, failed) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(lib_error(e)),
        (Ok(done), None) => Ok(Some(done)),
    }
}

/// The columns a plan reads: identifiers, kept columns and the messenger flag.
fn used_columns(plan: &HashPlan) -> Vec<bool> {
    let export = plan.export();
    let mut used = vec![false; export.headers.len()];
    let kept = plan.kept_columns();
    let named = kept
        .iter()
        .map(String::as_str)
        .chain(plan.messenger_column());
    for name in named {
        for (i, header) in export.headers.iter().enumerate() {
            used[i] |= header == name;
        }
    }
    for i in export.map().used() {
        used[i] = true;
    }
    used
}

/// Hashes an export file, or rows held in memory (as `hash_rows` takes them), into a hashed
/// file, as `blindmatch hash` does. Returns the counts.
#[pyfunction]
#[pyo3(signature = (input, output, key, org, *, round=None, kind="members".to_string(), columns=None, keep=None, force=false))]
#[allow(clippy::too_many_arguments)]
fn hash_file<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    output: PathBuf,
    key: &Bound<'py, PyAny>,
    org: String,
    round: Option<String>,
    kind: String,
    columns: Option<Bound<'py, PyDict>>,
    keep: Option<Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let key = key_of(key)?;
    let args = HashArgs {
        org,
        round,
        kind,
        columns,
        keep,
    };
    let report = match input.extract::<PathBuf>() {
        Ok(input) => {
            let mut opts = args.options(&input, &output)?;
            opts.force = force;
            py.detach(move || HashPlan::new(opts)?.run(&key, &NoProgress))
                .map_err(lib_error)?
        }
        Err(_) => {
            let mut opts = args.options(Path::new("rows"), &output)?;
            opts.force = force;
            crate::outfile::check_writable(&output, force).map_err(lib_error)?;
            hash_in_memory(py, input, opts, |plan| plan.run(&key, &NoProgress))?.ok_or_else(
                || Error::new_err("rows: no rows (the header is the first row's keys)"),
            )?
        }
    };
    report_dict(py, &report)
}

/// A hash run's counts (no values: counts and row numbers only).
fn report_dict<'py>(py: Python<'py>, report: &HashReport) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("rows", report.rows)?;
    let kinds = PyDict::new(py);
    for kind in Kind::ALL {
        let c = report.per_kind[kind.index()];
        let counts = PyDict::new(py);
        counts.set_item("tokens", c.tokens)?;
        counts.set_item("invalid", c.invalid)?;
        counts.set_item("missing", c.missing)?;
        kinds.set_item(kind.name(), counts)?;
    }
    out.set_item("kinds", kinds)?;
    out.set_item("rows_without_token", report.rows_without_token)?;
    out.set_item("ragged_rows", report.ragged_rows)?;
    out.set_item("undecodable_rows", report.undecodable_rows)?;
    if let Some(meta) = &report.metadata {
        out.set_item("key_fingerprint", meta.fingerprint.to_string())?;
        out.set_item("round", meta.round.as_str())?;
    }
    Ok(out)
}

/// How org files are linked to each other and to the voter file: `match=` of `merge`.
fn set_match(opts: &mut MergeOptions, name: &str) -> PyResult<()> {
    opts.match_mode = MatchMode::from_name(name)
        .ok_or_else(|| PyValueError::new_err("match must be 'fuzzy' or 'exact'"))?;
    Ok(())
}

/// Merges the orgs' hashed files (and a hashed voter file) into `output_dir`, as
/// `blindmatch merge` does. Returns the summary (`read_summary(output_dir)`).
#[pyfunction]
#[pyo3(signature = (org_files, output_dir, *, voters=None, suppress=Vec::new(), assign=None, r#match="fuzzy".to_string(), force=false))]
#[allow(clippy::too_many_arguments)]
fn merge<'py>(
    py: Python<'py>,
    org_files: Vec<PathBuf>,
    output_dir: PathBuf,
    voters: Option<PathBuf>,
    suppress: Vec<PathBuf>,
    assign: Option<String>,
    r#match: String,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let mut opts = MergeOptions::new(org_files, &output_dir);
    set_match(&mut opts, &r#match)?;
    opts.voters = voters;
    opts.suppress = suppress;
    opts.force = force;
    if let Some(policy) = assign {
        opts.assign = Some(
            policy
                .parse::<Policy>()
                .map_err(|why| PyValueError::new_err(format!("assign: {why}")))?,
        );
    }
    py.detach(|| merge_files(&opts, &NoProgress))
        .map_err(lib_error)?;
    read_summary(py, output_dir)
}

/// The `summary.json` of a merge's output directory, as a dict (exact counts: for the
/// coordinator only).
#[pyfunction]
fn read_summary(py: Python<'_>, dir: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let path = if dir.is_dir() {
        dir.join("summary.json")
    } else {
        dir
    };
    let summary = Summary::load(&path).map_err(lib_error)?;
    let json = serde_json::to_string(&summary)
        .map_err(|_| Error::new_err("internal error: the summary could not be written"))?;
    py.import("json")?.call_method1("loads", (json,))
}

#[pymodule]
#[pyo3(name = "_native")]
fn blindmatch_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Key>()?;
    m.add_function(wrap_pyfunction!(load_key, m)?)?;
    m.add_function(wrap_pyfunction!(hash_rows, m)?)?;
    m.add_function(wrap_pyfunction!(hash_file, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(read_summary, m)?)?;
    Ok(())
}
