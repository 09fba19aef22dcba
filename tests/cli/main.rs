//! Integration tests: each test writes fixtures into its own temp directory and runs the
//! real `blindmatch` binary there (the xsv / ripgrep "workdir" style).

mod assign;
mod browser;
mod consortium;
mod workdir;

mod fuzzy;
mod hardening;
mod hash;
mod headerless;
mod independent;
mod keygen;
mod layouts;
mod merge;
mod messengers;
mod ods;
mod privacy;
mod report;
