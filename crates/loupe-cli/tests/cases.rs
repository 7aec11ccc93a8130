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

#[test]
fn every_code_has_a_case() {
    let names: Vec<String> =
        cases("check").iter().map(|case| case.file_name().expect("named").to_string_lossy().into_owned()).collect();
    for code in loupe_diagnostics::Code::ALL {
        // A missing path has no file to keep as a case; `missing_path` covers it.
        if *code == loupe_diagnostics::Code::ReadError {
            continue;
        }
        assert!(names.iter().any(|name| name.starts_with(code.as_str())), "no case for {}", code.as_str());
    }
}

#[test]
fn missing_path() {
    insta::assert_snapshot!(loupe(&["check", "tests/cases/no-such-pack"]), @r"
    exit 2
    error[L0901]: cannot read tests/cases/no-such-pack: no such file or directory
     = help: name pack directories (with a loupe.toml) or .lens files

    checked 0 files: 1 error, 0 warnings
    ");
}

#[test]
fn json_report() {
    insta::assert_snapshot!(loupe(&[
        "check",
        "--format",
        "json",
        "tests/cases/check/L0101-duplicate-pillar-across-files"
    ]));
}

#[test]
fn shipped_packs_check_clean() {
    let policies = repo_root().join("policies");
    let mut packs: Vec<PathBuf> = std::fs::read_dir(&policies)
        .expect("policies/ exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.join("loupe.toml").is_file())
        .collect();
    packs.sort();
    assert!(!packs.is_empty());
    for pack in packs {
        let relative = pack.strip_prefix(repo_root()).expect("under root").to_string_lossy().into_owned();
        let output = loupe(&["check", "--deny-warnings", &relative]);
        assert!(output.starts_with("exit 0\n") && output.contains(": 0 errors, 0 warnings"), "{relative}:\n{output}");
    }
}

#[test]
fn explain() {
    insta::assert_snapshot!(loupe(&["explain", "l0204"]));
    let unknown = loupe(&["explain", "L9999"]);
    assert!(unknown.starts_with("exit 2\n") && unknown.contains("not a diagnostic code"), "{unknown}");
    let listing = loupe(&["explain"]);
    assert_eq!(listing.lines().count(), 1 + loupe_diagnostics::Code::ALL.len(), "{listing}");
}
