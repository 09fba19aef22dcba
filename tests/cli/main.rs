//! Integration tests: each test writes fixtures into its own temp directory and runs the
//! real `blindmatch` binary there (the xsv / ripgrep "workdir" style).

mod assign;
mod browser;
mod consortium;
mod workdir;

mod hash;
mod independent;
mod keygen;
mod merge;
mod privacy;
mod report;
