//! What the benchmarks share: the shipped GenAI pack's sources.

use std::path::Path;

/// The `.lens` files of `policies/genai`, by path, sorted.
pub fn genai_pack_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("policies/genai exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "lens"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("readable")))
        .collect();
    files.sort();
    files
}
