//! Data-driven cases: every `.lens` file or pack directory under
//! `tests/cases/{check,recovery}` is run through `loupe check`, and its exit
//! status and rendered diagnostics are compared with the `.snap` beside it.
//! Every case is compared before a mismatch fails the test (`insta::glob!`).
//! Review changes with `cargo insta review`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Runs `loupe` from the repository root, without color, and returns
/// "exit N" followed by what it printed.
fn loupe(args: &[&str]) -> String {
    loupe_with_input(args, None)
}

/// [`loupe`] with `input` on standard input (none: standard input is closed).
fn loupe_with_input(args: &[&str], input: Option<&[u8]>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loupe runs");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(input).expect("loupe reads its input");
    }
    let output = child.wait_with_output().expect("loupe runs");
    let code = output.status.code().map_or("signal".to_string(), |code| code.to_string());
    let mut text = format!("exit {code}\n");
    for stream in [&output.stdout, &output.stderr] {
        if !stream.is_empty() {
            text.push_str(&String::from_utf8_lossy(stream));
        }
    }
    text
}

/// The entries of `dir` (from the repository root) that `keep` accepts, sorted; never none.
fn entries(dir: &str, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let root = repo_root().join(dir);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|error| panic!("{}: {error}", root.display()))
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| keep(path))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "nothing in {}", root.display());
    found
}

fn cases(dir: &str) -> Vec<PathBuf> {
    entries(&format!("tests/cases/{dir}"), is_case)
}

/// The cases of one directory: `.lens` files and pack directories.
fn is_case(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|ext| ext == "lens")
}

/// Compares `output` with `NAME.snap` in `dir`. Inside `insta::glob!` a
/// mismatch is counted and the loop goes on; the glob's snapshot suffix and
/// input-file header are dropped so that the snapshots keep their names.
fn assert_case_snapshot(dir: &Path, name: &str, description: String, output: String) {
    let mut settings = insta::Settings::clone_current();
    settings.remove_snapshot_suffix();
    settings.remove_input_file();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description(description);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, output));
}

fn check_each_case(dir: &str) {
    // `?*`: the entries of the directory; `*` would match the directory itself too.
    insta::glob!(format!("../../../tests/cases/{dir}"), "?*", |case| {
        if !is_case(case) {
            return;
        }
        let relative = case.strip_prefix(repo_root()).expect("case under the root").to_string_lossy().into_owned();
        let name = case.file_stem().expect("named").to_string_lossy().into_owned();
        let output = loupe(&["check", &relative]);
        assert_case_snapshot(case.parent().expect("in a directory"), &name, format!("loupe check {relative}"), output);
    });
}

#[test]
fn check_cases() {
    check_each_case("check");
}

#[test]
fn recovery_cases() {
    check_each_case("recovery");
}

/// `tests/cases/DIR/NAME/cmd` holds a `loupe` command line (arguments split
/// at spaces, paths from the repository root), and `NAME/stdin`, if there is
/// one, its standard input; its output is `NAME.snap`.
fn command_cases(dir: &str) {
    insta::glob!(format!("../../../tests/cases/{dir}"), "*/cmd", |cmd_file| {
        let case = cmd_file.parent().expect("in a case directory");
        let cmd = std::fs::read_to_string(cmd_file).expect("readable cmd");
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let stdin = std::fs::read(case.join("stdin")).ok();
        let name = case.file_name().expect("named").to_string_lossy().into_owned();
        let output = loupe_with_input(&args, stdin.as_deref());
        assert_case_snapshot(case.parent().expect("under tests/cases"), &name, format!("loupe {}", cmd.trim()), output);
    });
}

#[test]
fn loupe_run_cases() {
    command_cases("run");
}

/// `loupe export`: a small pack as JSON and as a template, and each refusal.
#[test]
fn loupe_export_cases() {
    command_cases("export");
}

fn run_case_dirs() -> Vec<PathBuf> {
    entries("tests/cases/run", |path| path.join("cmd").is_file())
}

#[test]
fn every_code_has_a_case() {
    let names: Vec<String> = cases("check")
        .into_iter()
        .chain(run_case_dirs())
        .chain(entries("tests/cases/import", |path| path.is_dir()))
        .map(|case| case.file_name().expect("named").to_string_lossy().into_owned())
        .collect();
    for code in loupe_diagnostics::Code::ALL {
        // A missing path has no file to keep as a case (`missing_path` covers it),
        // and a lens over 500 KB is generated by `loupe-db/tests/limits.rs`.
        if matches!(code, loupe_diagnostics::Code::ReadError | loupe_diagnostics::Code::LensTooLarge) {
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
fn json_lists_fifty_diagnostics_per_file_and_counts_the_rest() {
    let path = std::env::temp_dir().join(format!("loupe-capped-{}.lens", std::process::id()));
    std::fs::write(&path, "pillar p \"P\" {\n".to_string() + &"  ???\n".repeat(60) + "}\n").expect("temp file");
    let output = loupe(&["check", "--format", "json", &path.to_string_lossy()]);
    std::fs::remove_file(&path).ok();
    let json: serde_json::Value =
        serde_json::from_str(output.split_once('\n').map_or("", |(_, json)| json)).expect("JSON");
    let listed = json["diagnostics"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(listed, loupe_diagnostics::MAX_PER_FILE as u64, "{output}");
    let count = |key: &str| json["summary"][key].as_u64().unwrap_or(0);
    assert!(count("errors") > listed, "{output}");
    assert_eq!(count("omitted"), count("errors") + count("warnings") - listed, "{output}");
}

#[test]
fn shipped_packs_check_clean() {
    for pack in entries("policies", |path| path.join("loupe.toml").is_file()) {
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

#[test]
fn shipped_packs_pass_their_tests() {
    let output = loupe(&["test", "policies/genai"]);
    assert!(output.starts_with("exit 0\n"), "{output}");
    let summary = output.lines().last().unwrap_or_default();
    let passed: usize = summary.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(passed >= 50 && summary.ends_with(" 0 failed"), "{summary}");
    // Every check is seen both passing and failing, and the pack automates at least 25 practices.
    let exercised = output.lines().find_map(|line| line.strip_prefix("checks exercised passing and failing: "));
    let counts: Vec<usize> = exercised.unwrap_or_default().split(" of ").filter_map(|n| n.parse().ok()).collect();
    assert!(matches!(counts.as_slice(), [both, all] if both == all && *all >= 25), "{output}");
}

/// The README's Quick start main job reviews the example workload.
#[test]
fn readme_quick_start_reviews_the_example() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let command = readme
        .lines()
        .find_map(|line| line.strip_prefix("cargo run --release -- "))
        .expect("the Quick start runs loupe through cargo");
    let args: Vec<&str> = command.split('#').next().unwrap_or_default().split_whitespace().collect();
    let output = loupe(&args);
    assert!(output.starts_with("exit 0\n"), "{output}");
    assert!(output.contains("Generative AI Lens") && output.contains("29 questions:"), "{output}");
}

/// A reader that goes away (`loupe explain | head -1`) ends loupe quietly,
/// with the status a shell gives a process ended by SIGPIPE.
#[test]
fn closed_stdout_ends_quietly() {
    let runs: [&[&str]; 4] = [
        &["explain"],
        &[
            "run",
            "policies/genai",
            "--evidence",
            "examples/rag-chatbot",
            "--answers",
            "examples/rag-chatbot/answers.yaml",
        ],
        &["check", "--format", "json", "policies/genai"],
        &["export", "policies/genai"],
    ];
    for args in runs {
        // The reading end is closed before loupe starts, so its first write fails.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
            .args(args)
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("loupe runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// `loupe fmt` rewrites the files that change, says which, and leaves the rest
/// (hidden directories included) alone; a second run changes nothing.
#[test]
fn fmt_rewrites_only_what_changes() {
    let dir = std::env::temp_dir().join(format!("loupe-fmt-{}", std::process::id()));
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("in a directory")).expect("temp directory");
        std::fs::write(path, text).expect("temp file");
    };
    let unformatted = "predicate p(x) {\n    x==1\n}\n";
    write("b/unformatted.lens", unformatted);
    write("a/formatted.lens", "predicate q(x) {\n  x == 1\n}\n");
    write(".hidden/unformatted.lens", unformatted);
    write("notes.txt", unformatted);
    let name = dir.to_string_lossy().into_owned();
    let first = loupe(&["fmt", &name]);
    let second = loupe(&["fmt", &name]);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("still there");
    let (rewritten, hidden, text) = (read("b/unformatted.lens"), read(".hidden/unformatted.lens"), read("notes.txt"));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        first,
        format!("exit 0\nformatted {name}/b/unformatted.lens\n2 files: 1 reformatted, 1 already formatted\n")
    );
    assert_eq!(second, "exit 0\n2 files: 0 reformatted, 2 already formatted\n");
    assert_eq!(rewritten, "predicate p(x) {\n  x == 1\n}\n");
    assert_eq!((hidden.as_str(), text.as_str()), (unformatted, unformatted));
}

#[test]
fn fmt_reports_unreadable_input() {
    let unreadable = ["fmt", "--check", "tests/cases/check/L0902-latin1-byte.lens", "tests/cases/no-such-file.lens"];
    insta::assert_snapshot!(loupe(&unreadable), @r#"
    exit 2
    error[L0901]: cannot read tests/cases/no-such-file.lens: no such file or directory
     = help: name .lens files or directories

    error[L0902]: file is not valid UTF-8
      ┌─ tests/cases/check/L0902-latin1-byte.lens:2:19
      │
    2 │ pillar security "S�curit�" {
      │                   ^ invalid byte here
      │
      = help: save the file as UTF-8

    1 file: 0 would be reformatted, 0 already formatted, 1 with errors (left as it is)
    "#);
    let mixed = loupe(&["fmt", "-", "policies"]);
    assert!(mixed.starts_with("exit 2\n") && mixed.contains("standard input"), "{mixed}");
}
