//! blindmatch: privacy-preserving list matching for organizing consortia.
//!
//! Orgs turn their member lists into keyed tokens (HMAC-SHA256 under a shared consortium
//! key, per `TOKEN-SPEC.md` version 1) on their own machines; a coordinator without the key
//! merges token files; analysts see suppressed counts; each org joins results back to its
//! own list. This crate is the library that does the work; `src/main.rs` is a thin CLI.
//!
//! Modules by concern: [`normalize`] and [`record`] (the spec's rules), [`key`] and
//! [`token`] (the cryptography), [`input`] (reading exports: layouts, encodings, spreadsheets), [`hashfile`]
//! (the token file format), [`hash`] (the org-side pipeline), [`rowsort`] and [`outfile`]
//! (ordering and atomic writes).

pub mod assign;
pub mod demo;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod hashfile;
pub mod index;
pub mod input;
pub mod key;
pub mod label;
pub mod lookup;
pub mod merge;
pub mod messenger;
pub mod normalize;
pub mod outfile;
pub mod progress;
pub mod record;
pub mod report;
pub mod rowsort;
pub mod summary;
pub mod synth;
pub mod token;

pub use error::{Error, Result};
