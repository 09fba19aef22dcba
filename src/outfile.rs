//! Atomic, no-clobber outputs.
//!
//! A killed run must not leave a half-written hashed file that looks complete, and a typo in
//! `-o` must not destroy yesterday's work. Every output is written to a temporary file in
//! the destination directory and renamed into place only when complete; an existing file is
//! replaced only when the user said `--force`.

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

impl AtomicFile {
    pub fn create(path: &Path, force: bool) -> Result<AtomicFile> {
        check_writable(path, force)?;
        let temp = tempfile::Builder::new()
            .prefix(".blindmatch-")
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
    fn dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        drop(AtomicFile::create(&path, false).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
