//! The library stays free of CLI concerns: clap, indicatif and anyhow belong to the binary
//! (`src/main.rs`, `src/ui.rs`, `src/cmd/`). They are package dependencies because the
//! binary shares the package, so only a look at the sources can hold that line.

use std::path::Path;

fn library_sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "cmd" {
                library_sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "main.rs" && name != "ui.rs" {
            out.push(path);
        }
    }
}

#[test]
fn the_library_does_not_use_cli_crates() {
    let mut files = Vec::new();
    library_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for krate in ["clap", "indicatif", "anyhow"] {
            let used = text.lines().any(|l| {
                let l = l.trim_start();
                !l.starts_with("//")
                    && (l.contains(&format!("{krate}::")) || l.contains(&format!("use {krate}")))
            });
            assert!(!used, "{} uses {krate}", file.display());
        }
    }
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let mut files = Vec::new();
    library_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let cmd = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cmd");
    files.extend(std::fs::read_dir(cmd).unwrap().map(|e| e.unwrap().path()));
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} has no //! module doc",
            file.display()
        );
    }
}
