//! Data-driven cases: every `.lens` file or pack directory under
//! `tests/cases/{check,recovery}` is run through `loupe check`, and its exit
//! status and rendered diagnostics are compared with the `.snap` beside it.
//! Review changes with `cargo insta review`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Runs `loupe` from the repository root, without color, and returns
/// "exit N" followed by what it printed.
fn loupe(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .output()
        .expect("loupe runs");
    let code = output.status.code().map_or("signal".to_string(), |code| code.to_string());
    let mut text = format!("exit {code}\n");
    for stream in [&output.stdout, &output.stderr] {
        if !stream.is_empty() {
            text.push_str(&String::from_utf8_lossy(stream));
        }
    }
    text
}

/// The cases of one directory: `.lens` files and pack directories, sorted.
fn cases(dir: &str) -> Vec<PathBuf> {
    let root = repo_root().join("tests/cases").join(dir);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("case directory exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|ext| ext == "lens"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    cases
}

fn run_cases(dir: &str) {
    for case in cases(dir) {
        let relative = case.strip_prefix(repo_root()).expect("case under the root").to_string_lossy().into_owned();
        let name = case.file_stem().expect("named").to_string_lossy().into_owned();
        let output = loupe(&["check", &relative]);
        insta::with_settings!({
            snapshot_path => case.parent().expect("in a directory"),
            prepend_module_to_snapshot => false,
            description => format!("loupe check {relative}"),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, output);
        });
    }
}

#[test]
fn check_cases() {
    run_cases("check");
}

#[test]
fn recovery_cases() {
    run_cases("recovery");
}
