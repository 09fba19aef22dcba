use crate::workdir::{Workdir, set_mode};

#[test]
fn keygen_writes_a_private_key_and_prints_its_fingerprint() {
    let wd = Workdir::new();
    let out = wd.run(&["keygen", "-o", "c.key"]);
    let fingerprint = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(fingerprint.len(), 19, "{fingerprint}");
    let text = wd.read_string("c.key");
    let key_lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(key_lines.len(), 1);
    assert!(key_lines[0].starts_with("blindmatch-key-v1 "));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(wd.path("c.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = wd.run(&["fingerprint", "c.key"]);
    assert_eq!(String::from_utf8(again.stdout).unwrap().trim(), fingerprint);
}

#[test]
fn keygen_never_overwrites() {
    let wd = Workdir::new();
    wd.run(&["keygen", "-o", "c.key"]);
    let before = wd.read("c.key");
    let err = wd.fail(&["keygen", "-o", "c.key"]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(wd.read("c.key"), before);
}

#[test]
fn keys_readable_by_others_are_refused_with_the_fix() {
    let wd = Workdir::new();
    wd.run(&["keygen", "-o", "c.key"]);
    set_mode(&wd.path("c.key"), 0o644);
    let err = wd.fail(&["fingerprint", "c.key"]);
    assert!(err.contains("chmod 600"), "{err}");
    wd.write("m.csv", "email\na@b.org\n");
    let err = wd.fail(&[
        "hash", "--key", "c.key", "--org", "x", "m.csv", "-o", "h.csv",
    ]);
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!wd.path("h.csv").exists());
}

#[test]
fn the_fixed_test_key_has_a_stable_fingerprint() {
    let wd = Workdir::new();
    let key = wd.fixed_key();
    let out = wd.run(&["fingerprint", key]);
    let fp = String::from_utf8(out.stdout).unwrap();
    // Independently: first 16 hex of HMAC-SHA256(key, "blindmatch/v1/fingerprint").
    let expected = {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(
            &hex::decode(crate::workdir::TEST_KEY_HEX).unwrap(),
        )
        .unwrap();
        mac.update(b"blindmatch/v1/fingerprint");
        let h = hex::encode(mac.finalize().into_bytes());
        format!("{}-{}-{}-{}", &h[0..4], &h[4..8], &h[8..12], &h[12..16])
    };
    assert_eq!(fp.trim(), expected);
}

#[test]
fn malformed_key_files_are_refused_without_echoing_them() {
    let wd = Workdir::new();
    wd.write(
        "bad.key",
        "blindmatch-key-v1 NOT-A-SECRET-BUT-SHOULD-NOT-ECHO\n",
    );
    set_mode(&wd.path("bad.key"), 0o600);
    let err = wd.fail(&["fingerprint", "bad.key"]);
    assert!(err.contains("bad.key") && err.contains("line 1"), "{err}");
    assert!(!err.contains("NOT-A-SECRET"), "{err}");
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    let wd = Workdir::new();
    wd.fixed_key();
    let bin = env!("CARGO_BIN_EXE_blindmatch");
    for _ in 0..5 {
        let out = std::process::Command::new("bash")
            .current_dir(wd.dir())
            .arg("-c")
            .arg(format!("set -o pipefail; '{bin}' fingerprint k.key | true"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn quiet_is_accepted_before_and_after_the_subcommand() {
    let wd = Workdir::new();
    wd.write("m.csv", "email\na@b.org\n");
    let key = wd.fixed_key();
    let out = wd.run(&[
        "--quiet", "hash", "--key", key, "--org", "x", "m.csv", "-o", "a.csv",
    ]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = wd.run(&wd.hash_args("x", &["m.csv", "-o", "b.csv", "-q"]));
    assert!(out.stderr.is_empty());
    let loud = wd.run(&wd.hash_args("x", &["m.csv", "-o", "c.csv"]));
    assert!(!loud.stderr.is_empty());
    // stderr is not a terminal here: no progress bar, no colour, no carriage returns.
    let text = String::from_utf8(loud.stderr).unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
}
