//! The output directory: staged files with their hashes, per-org match tables and the
//! consortium table.

use super::*;

/// A writer that also computes the SHA-256 of what it writes.
pub(super) struct HashingWriter<W: Write> {
    pub(super) inner: W,
    pub(super) hasher: Sha256,
    pub(super) bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Serialize)]
pub(super) struct ManifestEntry {
    pub(super) file: String,
    pub(super) bytes: u64,
    pub(super) sha256: String,
}

#[derive(Serialize)]
pub(super) struct ManifestInput {
    pub(super) file: String,
    pub(super) kind: String,
    pub(super) org: String,
    pub(super) rows: u64,
    pub(super) key_fingerprint: String,
    pub(super) round: String,
    pub(super) spec: u32,
}

#[derive(Serialize)]
pub(super) struct Manifest {
    pub(super) generator: String,
    pub(super) inputs: Vec<ManifestInput>,
    pub(super) outputs: Vec<ManifestEntry>,
}

/// Writes files into a staging directory, recording each file's hash for the manifest.
pub(super) struct Staging {
    pub(super) dir: PathBuf,
    pub(super) entries: Vec<ManifestEntry>,
}

impl Staging {
    pub(super) fn write(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let path = self.dir.join(name);
        let file = fs::File::create(&path).map_err(Error::io(&path))?;
        let mut w = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        fill(&mut w)?;
        w.flush().map_err(Error::io(&path))?;
        w.inner
            .into_inner()
            .map_err(|e| Error::io(&path)(e.into_error()))?
            .sync_all()
            .map_err(Error::io(&path))?;
        self.entries.push(ManifestEntry {
            file: name.to_string(),
            bytes: w.bytes,
            sha256: hex::encode(w.hasher.finalize()),
        });
        Ok(())
    }
}

/// Everything needed to write the per-org and consortium tables.
pub(super) struct Tables<'a> {
    pub(super) people: &'a People,
    pub(super) hits: Option<&'a VoterHits>,
    pub(super) columns: &'a [String],
    pub(super) assignment: Option<&'a assign::Assignment>,
    /// Per person: their messenger's record (`--messenger-by`).
    pub(super) messengers: Option<&'a [u32]>,
    pub(super) labels: &'a [String],
    /// `--match fuzzy`: a `match_score` column follows `match_key`.
    pub(super) scored: bool,
}

/// Header of a per-org match table.
pub const MATCH_TABLE_MAGIC: &str = "# blindmatch match table";

impl Tables<'_> {
    /// Appends `,status,match_key,district...` for a person (or an unusable record).
    pub(super) fn push_person_fields(&self, line: &mut Vec<u8>, p: Option<usize>) {
        let status = p.map_or("unusable", |p| self.people.status[p].name());
        let match_key = p.map_or("", |p| self.people.status[p].match_key());
        line.extend_from_slice(status.as_bytes());
        line.push(b',');
        line.extend_from_slice(match_key.as_bytes());
        if self.scored {
            line.push(b',');
            if let Some(score) = p.map(|p| self.people.score[p]).filter(|s| !s.is_nan()) {
                let _ = write!(line, "{score:.4}");
            }
        }
        let geo = p.map_or(NO_GEO, |p| self.people.geo[p]);
        match self.hits {
            Some(h) if geo != NO_GEO => {
                for (c, &v) in h.geo_rows[geo as usize].iter().enumerate() {
                    line.push(b',');
                    crate::input::csvio::push_field(line, h.values[c][v as usize].as_bytes());
                }
            }
            _ => line.extend(std::iter::repeat_n(b',', self.columns.len())),
        }
    }

    pub(super) fn write_org_table(
        &self,
        org: &Input,
        org_index: usize,
        base: u32,
        name: &str,
        w: &mut dyn Write,
        progress: &dyn Progress,
    ) -> Result<()> {
        let mut head = Vec::new();
        writeln!(head, "{MATCH_TABLE_MAGIC}").map_err(Error::io(name))?;
        writeln!(head, "# spec: {}", org.meta.spec).map_err(Error::io(name))?;
        writeln!(head, "# org: {}", org.meta.org).map_err(Error::io(name))?;
        writeln!(head, "# round: {}", org.meta.round.as_str()).map_err(Error::io(name))?;
        writeln!(head, "# key_fingerprint: {}", org.meta.fingerprint).map_err(Error::io(name))?;
        writeln!(head, "# rows: {}", org.meta.rows).map_err(Error::io(name))?;
        // Every token column of the org's file, so `lookup` can tell apart records that have
        // spec 2 tokens only.
        let v2 = if org.meta.spec >= 2 { v2_kinds() } else { &[] };
        let mut columns: Vec<String> = Kind::ALL.iter().map(|k| k.name().to_string()).collect();
        columns.extend(v2.iter().map(|k| k.name.clone()));
        columns.extend(["voter_status".into(), "match_key".into()]);
        if self.scored {
            columns.push("match_score".into());
        }
        columns.extend(self.columns.iter().cloned());
        columns.extend(["lists".into(), "contact".into(), "assigned".into()]);
        if self.messengers.is_some() {
            columns.push("messenger".into());
        }
        let mut header = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            crate::input::csvio::push_field(&mut header, c.as_bytes());
        }
        header.push(b'\n');
        w.write_all(&head).map_err(Error::io(name))?;
        w.write_all(&header).map_err(Error::io(name))?;
        scan(
            &org.path,
            progress,
            |_, parts: Vec<Vec<u8>>| {
                for part in parts {
                    w.write_all(&part).map_err(Error::io(name))?;
                }
                Ok(())
            },
            |out: &mut Vec<u8>, row, parsed| {
                let p = self.people.person_of[(base as u64 + row) as usize];
                let p = (p != NO_PERSON).then_some(p as usize);
                out.extend_from_slice(parsed.token_text);
                if parsed.v2_columns > 0 {
                    out.push(b',');
                    out.extend_from_slice(parsed.v2);
                }
                out.push(b',');
                self.push_person_fields(out, p);
                let lists = p.map_or(0, |p| self.people.lists(p));
                let contact = p.is_some_and(|p| !self.people.suppressed[p]);
                let assigned = p.is_some_and(|p| {
                    self.assignment
                        .is_some_and(|a| a.assigned_to(p) == Some(org_index))
                });
                let yes_no = |b: bool| if b { "yes" } else { "no" };
                let _ = write!(out, ",{lists},{},{}", yes_no(contact), yes_no(assigned));
                if let Some(records) = self.messengers {
                    // The messenger's own row in this table, counting data rows from 1: a
                    // reference only this org can turn into a name (lookup does).
                    out.push(b',');
                    match p.map(|p| records[p]) {
                        Some(r) if assigned && r != NO_RECORD && r >= base => {
                            let _ = write!(out, "{}", u64::from(r - base) + 1);
                        }
                        _ => {}
                    }
                }
                out.push(b'\n');
            },
        )
    }

    pub(super) fn write_consortium(&self, w: &mut dyn Write) -> Result<()> {
        let io = |e| Error::io("consortium.csv")(e);
        let mut header = b"person,orgs,voter_status,match_key".to_vec();
        if self.scored {
            header.extend_from_slice(b",match_score");
        }
        for c in self.columns {
            header.push(b',');
            crate::input::csvio::push_field(&mut header, c.as_bytes());
        }
        header.extend_from_slice(b",lists,contact,assigned_org\n");
        w.write_all(&header).map_err(io)?;
        let mut line = Vec::with_capacity(256);
        for p in 0..self.people.len() {
            line.clear();
            let mask = self.people.orgs[p];
            let orgs: Vec<&str> = (0..self.labels.len())
                .filter(|&o| mask >> o & 1 == 1)
                .map(|o| self.labels[o].as_str())
                .collect();
            let _ = write!(line, "p{:08},{},", p + 1, orgs.join(";"));
            self.push_person_fields(&mut line, Some(p));
            let contact = if self.people.suppressed[p] {
                "no"
            } else {
                "yes"
            };
            let assigned = self
                .assignment
                .and_then(|a| a.assigned_to(p))
                .map_or("", |o| self.labels[o].as_str());
            let _ = writeln!(line, ",{},{contact},{assigned}", self.people.lists(p));
            w.write_all(&line).map_err(io)?;
        }
        Ok(())
    }
}
