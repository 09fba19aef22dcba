//! Replays every input the fuzzers keep (`fuzz/corpus/<target>/`: seeds and minimized
//! corpus) and every crash they found (`fuzz/artifacts/<target>/`) through the same entry
//! points (`blindmatch::fuzzing`), on stable Rust, so a fixed crash stays fixed.

use std::path::Path;

#[test]
fn every_corpus_and_crash_input_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for (target, run) in blindmatch::fuzzing::TARGETS {
        for folder in ["corpus", "artifacts"] {
            let dir = root.join(folder).join(target);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for file in files.iter().filter(|f| f.is_file()) {
                let data = std::fs::read(file).unwrap();
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{target}: {} fails", file.display());
                replayed += 1;
            }
        }
        assert!(
            root.join("corpus").join(target).is_dir(),
            "{target} has no seed corpus"
        );
    }
    assert!(replayed >= 12, "only {replayed} inputs replayed");
}
