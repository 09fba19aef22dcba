//! Atomic, no-clobber outputs.
//!
//! A killed run must not leave a half-written hashed file that looks complete, and a typo in
//! `-o` must not destroy yesterday's work. Every output is written to a temporary file in
//! the destination directory and renamed into place only when complete; an existing file is
//! replaced only when the user said `--force`, and never when it is an input of the same run.
//! Temporary names carry the creating process id (`.blindmatch-<pid>-....part`), so the next
//! run into a folder removes what a killed run (`kill -9`, power loss) left there.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// A file being written; it appears at its path only on [`AtomicFile::commit`].
pub struct AtomicFile {
    path: PathBuf,
    force: bool,
    writer: BufWriter<NamedTempFile>,
}

/// The directory a path's temporary sibling goes in.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Refuses an existing path unless `force`.
pub fn check_writable(path: &Path, force: bool) -> Result<()> {
    if !force && path.exists() {
        return Err(Error::OutputExists(path.to_path_buf()));
    }
    Ok(())
}

/// Refuses an output that is one of the run's inputs (the same file by device and inode,
/// whatever the path says): `--force` must never replace the list being read.
pub fn check_not_an_input(output: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(());
    };
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|i| same_file(&i, &out)) {
            return Err(Error::Usage(format!(
                "{} is also an input of this run ({}): choose another output",
                output.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// The prefix of this process's temporary names.
pub fn temp_prefix(what: &str) -> String {
    format!(".blindmatch-{what}{}-", std::process::id())
}

/// Removes what killed runs left in `dir`: entries named `.blindmatch-[merge-]<pid>-...`
/// whose process is gone. Only on systems with `/proc`, where a live process can be told
/// from a dead one; elsewhere nothing is removed.
pub fn sweep_litter(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".blindmatch-")) else {
            continue;
        };
        let rest = rest.strip_prefix("merge-").unwrap_or(rest);
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

impl AtomicFile {
    pub fn create(path: &Path, force: bool) -> Result<AtomicFile> {
        check_writable(path, force)?;
        sweep_litter(parent_dir(path));
        let temp = tempfile::Builder::new()
            .prefix(&temp_prefix(""))
            .suffix(".part")
            .tempfile_in(parent_dir(path))
            .map_err(Error::io(path))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            force,
            writer: BufWriter::with_capacity(1 << 20, temp),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let temp = self
            .writer
            .into_inner()
            .map_err(|e| Error::io(&path)(e.into_error()))?;
        temp.as_file().sync_all().map_err(Error::io(&path))?;
        let persisted = if self.force {
            temp.persist(&path).map(|_| ())
        } else {
            temp.persist_noclobber(&path).map(|_| ())
        };
        persisted.map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists(path.clone())
            } else {
                Error::io(&path)(e.error)
            }
        })
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Writes a whole small file atomically.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let mut out = AtomicFile::create(path, force)?;
    out.write_all(bytes).map_err(Error::io(path))?;
    out.commit()
}

/// Creates a scratch file next to `path` (same filesystem), removed when dropped.
pub fn scratch_file_near(path: &Path) -> Result<File> {
    tempfile::tempfile_in(parent_dir(path)).map_err(Error::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_no_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut f = AtomicFile::create(&path, false).unwrap();
        f.write_all(b"hello").unwrap();
        assert!(!path.exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert!(matches!(
            AtomicFile::create(&path, false),
            Err(Error::OutputExists(_))
        ));
        write_file(&path, b"again", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"again");
    }

    #[test]
    fn litter_of_dead_processes_is_swept_and_live_work_is_not() {
        let dir = tempfile::tempdir().unwrap();
        // No process has pid 4294967290 (above any pid_max).
        let dead = dir.path().join(".blindmatch-4294967290-abc.part");
        let dead_dir = dir.path().join(".blindmatch-merge-4294967290-xyz");
        let live = dir.path().join(format!("{}x.part", temp_prefix("")));
        let other = dir.path().join(".blindmatch-demo");
        std::fs::write(&dead, b"partial").unwrap();
        std::fs::create_dir(&dead_dir).unwrap();
        std::fs::write(dead_dir.join("summary.json"), b"{").unwrap();
        std::fs::write(&live, b"in progress").unwrap();
        std::fs::write(&other, b"marker").unwrap();
        let out = AtomicFile::create(&dir.path().join("out.csv"), false).unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists() && !dead_dir.exists());
        }
        assert!(live.exists() && other.exists());
        drop(out);
    }

    #[test]
    fn an_input_is_never_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("members.csv");
        std::fs::write(&input, b"email").unwrap();
        let same = dir.path().join(".").join("members.csv");
        assert!(check_not_an_input(&same, &[&input]).is_err());
        assert!(check_not_an_input(&dir.path().join("new.csv"), &[&input]).is_ok());
    }

    #[test]
    fn dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        drop(AtomicFile::create(&path, false).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
