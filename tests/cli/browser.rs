//! The demo's HTML report in a real browser: headless Chromium, networking off, driven over
//! the DevTools protocol by `tests/browser/check_report.py` (Python standard library only).
//! It checks that the page asks for nothing but itself, logs no error, has its UpSet plot
//! and district bars, and that a screenshot of it is not blank.
//!
//! `.ci/run` installs Chromium; on a developer's machine without it the test says so and
//! passes, unless `CI` is set.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::workdir::Workdir;

fn chromium_installed() -> bool {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .any(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn the_demo_report_loads_offline_in_headless_chromium() {
    if !chromium_installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium (.ci/run installs the Debian package chromium)"
        );
        eprintln!("skipped: Chromium is not installed (apt-get install -y chromium)");
        return;
    }
    let wd = Workdir::new();
    wd.run(&[
        "demo",
        "--dir",
        "d",
        "--members",
        "400",
        "--voters",
        "4000",
        "--seed",
        "3",
    ]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_report.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(wd.path("d/report.html"))
        .arg("--screenshot")
        .arg(wd.path("shot.png"))
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let found: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(found["requests"], 1, "only the page itself: {found}");
    assert_eq!(found["console_errors"], 0, "{found}");
    assert_eq!(found["upset"], true, "{found}");
    assert!(found["district_charts"].as_u64().unwrap() >= 3, "{found}");
    let png = wd.read("shot.png");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}
