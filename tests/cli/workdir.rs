//! A temp directory with the binary at hand: write fixtures, run commands, read outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    dir: tempfile::TempDir,
}

/// The fixed key used by tests that need reproducible tokens.
pub const TEST_KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, contents).unwrap();
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub fn read_string(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_blindmatch"));
        cmd.current_dir(self.dir())
            .args(args)
            .env_remove("NO_COLOR");
        cmd
    }

    /// Runs and returns the output, whatever the exit status.
    pub fn output(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run blindmatch")
    }

    /// Runs and asserts success.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "blindmatch {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs and asserts failure; returns stderr.
    pub fn fail(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            !out.status.success(),
            "blindmatch {args:?} should have failed"
        );
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }

    /// Writes the fixed test key as `k.key` (mode 0600).
    pub fn fixed_key(&self) -> &'static str {
        self.write("k.key", format!("blindmatch-key-v1 {TEST_KEY_HEX}\n"));
        set_mode(&self.path("k.key"), 0o600);
        "k.key"
    }

    /// Hashes `input` as org `org` with the fixed key, plus extra args; returns stderr.
    pub fn hash(&self, input: &str, output: &str, org: &str, extra: &[&str]) -> String {
        let mut rest = vec![input, "-o", output];
        rest.extend_from_slice(extra);
        String::from_utf8_lossy(&self.run(&self.hash_args(org, &rest)).stderr).to_string()
    }

    /// `blindmatch hash --key k.key --org ORG` (the fixed key), then the rest.
    pub fn hash_args<'a>(&self, org: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["hash", "--key", self.fixed_key(), "--org", org];
        args.extend_from_slice(rest);
        args
    }

    /// Every file under a subdirectory, sorted by path (path relative to the workdir, bytes).
    pub fn all_files_under(&self, sub: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let base = self.path(sub);
        let mut files: Vec<(PathBuf, Vec<u8>)> = self
            .all_files()
            .into_iter()
            .filter(|(p, _)| p.starts_with(&base))
            .map(|(p, b)| (p.strip_prefix(self.dir()).unwrap().to_path_buf(), b))
            .collect();
        files.sort();
        files
    }

    /// Every file in the directory tree (name, bytes).
    pub fn all_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir(), &mut out);
        out
    }
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A parsed hashed file: metadata lines (without '# '), header, rows.
pub struct Hashed {
    pub meta: Vec<String>,
    /// The columns but the v2 kinds': v1's five tokens, then messenger and kept columns.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The v2 kind columns of a spec 2 file (names and cells, in file order).
    pub v2_header: Vec<String>,
    pub v2_rows: Vec<Vec<String>>,
}

impl Hashed {
    pub fn parse(bytes: &[u8]) -> Hashed {
        let text = std::str::from_utf8(bytes).expect("hashed files are UTF-8");
        let meta = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches("# ").to_string())
            .collect();
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(bytes);
        let all: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let v2: Vec<bool> = all
            .iter()
            .map(|h| {
                blindmatch::spec::kinds::v2_kinds()
                    .iter()
                    .any(|k| &k.name == h)
            })
            .collect();
        let split = |cells: Vec<String>| -> (Vec<String>, Vec<String>) {
            let (mut rest, mut kinds) = (Vec::new(), Vec::new());
            for (cell, &is_v2) in cells.into_iter().zip(&v2) {
                if is_v2 {
                    kinds.push(cell);
                } else {
                    rest.push(cell);
                }
            }
            (rest, kinds)
        };
        let (header, v2_header) = split(all.clone());
        let (rows, v2_rows) = reader
            .records()
            .map(|r| split(r.unwrap().iter().map(str::to_string).collect()))
            .unzip();
        Hashed {
            meta,
            header,
            rows,
            v2_header,
            v2_rows,
        }
    }

    pub fn meta(&self, key: &str) -> String {
        self.meta
            .iter()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no metadata {key}"))
    }

    pub fn column(&self, name: &str) -> Vec<String> {
        let i = self.header.iter().position(|h| h == name).unwrap();
        self.rows.iter().map(|r| r[i].clone()).collect()
    }

    /// The cells of a v2 kind's column.
    pub fn v2_column(&self, name: &str) -> Vec<String> {
        let i = self.v2_header.iter().position(|h| h == name).unwrap();
        self.v2_rows.iter().map(|r| r[i].clone()).collect()
    }

    /// Non-empty tokens of a column.
    pub fn tokens(&self, name: &str) -> Vec<String> {
        let mut t: Vec<String> = self
            .column(name)
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect();
        t.sort();
        t
    }
}
