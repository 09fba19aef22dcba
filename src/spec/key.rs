//! The consortium key: generation, the key file format, and the fingerprint.
//!
//! The key is the one secret of the system. Orgs hold it, the coordinator does not. The file
//! format is fixed by the spec so that any org can read any other org's key file, and the
//! loader is strict: a key file that others can read is refused rather than quietly used.
//! Nothing here ever prints or formats key bytes (Debug is redacted).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use hmac::{KeyInit, Mac};
use rand::TryRng;

use crate::error::Error;
use crate::spec::token::HmacSha256;

/// Bytes in a consortium key.
pub const KEY_LEN: usize = 32;
/// The one line prefix of a key file.
pub const KEY_LINE_PREFIX: &str = "blindmatch-key-v1 ";
const FINGERPRINT_INFO: &[u8] = b"blindmatch/v1/fingerprint";

/// 32 secret bytes shared by every org of a consortium.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsortiumKey([u8; KEY_LEN]);

impl fmt::Debug for ConsortiumKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConsortiumKey(<redacted>)")
    }
}

impl ConsortiumKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Result<ConsortiumKey, Error> {
        let mut bytes = [0u8; KEY_LEN];
        rand::rngs::SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| Error::Rng(e.to_string()))?;
        Ok(ConsortiumKey(bytes))
    }

    /// A key from known bytes: for test vectors and re-implementations.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> ConsortiumKey {
        ConsortiumKey(bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The public fingerprint: lets orgs confirm they hold the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(FINGERPRINT_INFO);
        let digest = mac.finalize().into_bytes();
        let mut groups = [[0u8; 4]; 4];
        let hex16 = hex::encode(&digest[..8]);
        for (i, group) in groups.iter_mut().enumerate() {
            group.copy_from_slice(&hex16.as_bytes()[i * 4..i * 4 + 4]);
        }
        Fingerprint(groups)
    }

    /// The key file's text: comments, then the one key line.
    pub fn to_file_text(&self) -> String {
        format!(
            "# blindmatch consortium key. Keep it secret: anyone holding it can test whether a\n\
             # given person is in a hashed file. Share it only with member orgs, never with the\n\
             # coordinator. Fingerprint (safe to share): {}\n\
             {KEY_LINE_PREFIX}{}\n",
            self.fingerprint(),
            hex::encode(self.0)
        )
    }

    /// Parses key file text. `source` names the file in errors; no line content is ever quoted.
    pub fn parse(text: &str, source: &Path) -> Result<ConsortiumKey, Error> {
        let bad = |line: usize, why: &'static str| Error::KeyFile {
            path: source.to_path_buf(),
            line,
            why,
        };
        let mut found: Option<ConsortiumKey> = None;
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = raw.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if found.is_some() {
                return Err(bad(line_no, "a second key line (exactly one is allowed)"));
            }
            let Some(hex_part) = line.strip_prefix(KEY_LINE_PREFIX) else {
                return Err(bad(
                    line_no,
                    "not a key line (expected 'blindmatch-key-v1 ' and 64 lowercase hex characters)",
                ));
            };
            let lowercase_hex = hex_part.len() == 2 * KEY_LEN
                && hex_part
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !lowercase_hex {
                return Err(bad(line_no, "the key must be 64 lowercase hex characters"));
            }
            let mut bytes = [0u8; KEY_LEN];
            hex::decode_to_slice(hex_part, &mut bytes).map_err(|_| bad(line_no, "bad hex"))?;
            found = Some(ConsortiumKey(bytes));
        }
        found.ok_or_else(|| bad(0, "no key line found"))
    }

    /// Loads a key file, refusing one that group or others may access.
    pub fn load(path: &Path) -> Result<ConsortiumKey, Error> {
        let io = |cause| Error::Io {
            path: path.to_path_buf(),
            cause,
        };
        let meta = fs::metadata(path).map_err(io)?;
        check_private(path, &meta)?;
        let bytes = fs::read(path).map_err(io)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::KeyFile {
            path: path.to_path_buf(),
            line: 0,
            why: "not UTF-8 text",
        })?;
        ConsortiumKey::parse(text, path)
    }

    /// Writes a new key file with mode 0600; never replaces an existing file.
    pub fn save_new(&self, path: &Path) -> Result<(), Error> {
        let io = |cause| Error::Io {
            path: path.to_path_buf(),
            cause,
        };
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists(path.to_path_buf())
            } else {
                io(e)
            }
        })?;
        file.write_all(self.to_file_text().as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(io)
    }
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::KeyPermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<(), Error> {
    Ok(())
}

/// The first 16 hex characters of the fingerprint MAC, as four groups of four.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint([[u8; 4]; 4]);

impl Fingerprint {
    /// Parses `xxxx-xxxx-xxxx-xxxx` (lowercase hex), as written in hashed files.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let mut groups = [[0u8; 4]; 4];
        let mut parts = text.split('-');
        for group in groups.iter_mut() {
            let part = parts.next()?.as_bytes();
            let ok = part.len() == 4
                && part
                    .iter()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
            if !ok {
                return None;
            }
            group.copy_from_slice(part);
        }
        parts.next().is_none().then_some(Fingerprint(groups))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            // Groups only ever hold ASCII hex digits.
            f.write_str(std::str::from_utf8(group).unwrap_or("????"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ConsortiumKey {
        ConsortiumKey::from_bytes(std::array::from_fn(|i| i as u8))
    }

    #[test]
    fn file_text_round_trips() {
        let k = key();
        let parsed = ConsortiumKey::parse(&k.to_file_text(), Path::new("k")).unwrap();
        assert_eq!(parsed, k);
    }

    #[test]
    fn parse_ignores_comments_blank_lines_and_trailing_space() {
        let text = format!(
            "\n# hello\n\n{KEY_LINE_PREFIX}{}   \n\n",
            hex::encode(key().bytes())
        );
        assert_eq!(ConsortiumKey::parse(&text, Path::new("k")).unwrap(), key());
    }

    #[test]
    fn parse_refuses_malformed_files() {
        let hex = hex::encode(key().bytes());
        let cases = [
            String::new(),
            "# only a comment\n".to_string(),
            format!("{KEY_LINE_PREFIX}{}\n", hex.to_uppercase()),
            format!("{KEY_LINE_PREFIX}{}\n", &hex[..62]),
            format!("blindmatch-key-v1  {hex}\n"),
            format!(" {KEY_LINE_PREFIX}{hex}\n"),
            format!("blindmatch-key-v2 {hex}\n"),
            format!("{KEY_LINE_PREFIX}{hex}\n{KEY_LINE_PREFIX}{hex}\n"),
            format!("{KEY_LINE_PREFIX}{hex}\nstray\n"),
        ];
        for text in cases {
            let err = ConsortiumKey::parse(&text, Path::new("k.key")).unwrap_err();
            // The message names the file but never echoes the line.
            let msg = err.to_string();
            assert!(msg.contains("k.key"), "{msg}");
            assert!(!msg.contains(&hex[..16]), "{msg}");
        }
    }

    #[test]
    fn fingerprint_is_grouped_and_parses_back() {
        let fp = key().fingerprint();
        let text = fp.to_string();
        assert_eq!(text.len(), 19);
        assert_eq!(text.matches('-').count(), 3);
        assert_eq!(Fingerprint::parse(&text), Some(fp));
        assert_eq!(Fingerprint::parse("abcd-abcd-abcd"), None);
        assert_eq!(Fingerprint::parse("ABCD-abcd-abcd-abcd"), None);
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        assert_eq!(format!("{:?}", key()), "ConsortiumKey(<redacted>)");
    }

    proptest::proptest! {
        #[test]
        fn key_and_fingerprint_parsing_never_panic(text in "\\PC{0,200}") {
            let _ = ConsortiumKey::parse(&text, Path::new("k"));
            let _ = Fingerprint::parse(&text);
        }
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(
            ConsortiumKey::generate().unwrap(),
            ConsortiumKey::generate().unwrap()
        );
    }
}
