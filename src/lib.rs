//! blindmatch: privacy-preserving list matching for organizing consortia.
//!
//! Orgs turn their member lists into keyed tokens (HMAC-SHA256 under a shared consortium
//! key, per `TOKEN-SPEC.md` version 1) on their own machines; a coordinator without the key
//! merges token files; analysts see suppressed counts; each org joins results back to its
//! own list. This crate is the library that does the work; `src/main.rs` is a thin CLI.
//!
//! Modules by concern, each a folder where it has parts:
//! - [`input`]: reading exports (layouts, encodings, spreadsheets, which column is what);
//! - [`spec`]: the token spec's fields and tokens, keys, and the hashed file format;
//! - [`hash`] and [`lookup`]: the org-side pipelines (with [`rowsort`], [`staged`] and
//!   [`outfile`]: content ordering, rows' staged form and atomic writes);
//! - [`merge`]: the coordinator's linking, voter match, assignment and messengers;
//! - [`link`]: the coordinator's fuzzy scoring of token spec v2 (a library, not yet used by
//!   `merge`);
//! - [`report`]: `summary.json` and the shareable, suppressed report (tables and HTML);
//! - [`demo`] and [`synth`]: synthetic consortia for the demo, tests and benchmarks;
//! - `python` (cargo feature `python`): the Python module, built into a wheel by maturin.

pub mod demo;
pub mod dropshared;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod input;
pub mod link;
pub mod lookup;
pub mod merge;
pub mod outfile;
pub mod progress;
#[cfg(feature = "python")]
mod python;
pub mod report;
pub mod rowsort;
pub mod spec;
pub mod staged;
pub mod synth;

pub use error::{Error, Result};
