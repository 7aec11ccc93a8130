//! What the Well-Architected tests share: the repository, the binary, scratch
//! directories, and a reader of the lens JSON's risk rules of their own (not
//! `loupe import`'s), so the tests judge the crate from outside it.

// Each test file uses a part of this module.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Runs `loupe` from the repository root: its exit code, stdout and stderr.
pub fn loupe(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("loupe runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

/// A directory of its own under the system's temporary directory, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("loupe-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The error codes in `loupe check` output.
pub fn error_codes(output: &str) -> Vec<String> {
    output.lines().filter_map(|line| line.strip_prefix("error[")?.split(']').next().map(str::to_owned)).collect()
}

/// The `.json` files of the directory `LOUPE_LENS_SAMPLES` names (AWS's
/// published lenses, which the repository does not hold), sorted; `None`,
/// said plainly, when the variable is unset.
pub fn lens_samples(test: &str) -> Option<Vec<PathBuf>> {
    let Some(dir) = std::env::var_os("LOUPE_LENS_SAMPLES") else {
        println!(
            "SKIPPED {test}: LOUPE_LENS_SAMPLES is not set (.ci/run sets it when ../shared/data/aws-lens-samples exists)"
        );
        return None;
    };
    let mut lenses: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("LOUPE_LENS_SAMPLES={}: {error}", Path::new(&dir).display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    lenses.sort();
    assert!(!lenses.is_empty(), "no .json lens in LOUPE_LENS_SAMPLES={}", Path::new(&dir).display());
    Some(lenses)
}

pub fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_else(|| panic!("a string, not {value}"))
}

pub fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key].as_array().map_or(&[], Vec::as_slice)
}

/// The ids of a question's choices, in order.
pub fn choice_ids(question: &Value) -> Vec<&str> {
    items(question, "choices").iter().map(|choice| text(&choice["id"])).collect()
}

/// Every subset of `choices` (at most 15 of them: 32,768 subsets).
pub fn every_subset<'a>(choices: &[&'a str]) -> Vec<BTreeSet<&'a str>> {
    assert!(choices.len() <= 15, "{choices:?}");
    (0..1u32 << choices.len())
        .map(|bits| choices.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, id)| *id).collect())
        .collect()
}

/// The risk the question's rules give `selected`: the first that holds.
pub fn rate<'a>(question: &'a Value, selected: &BTreeSet<&str>) -> Option<&'a str> {
    items(question, "riskRules")
        .iter()
        .find(|rule| holds(text(&rule["condition"]), selected))
        .map(|rule| text(&rule["risk"]))
}

/// Evaluates a risk rule condition: choice ids, `!`, `&&`, `||` (in that
/// order of binding) and parentheses, or `default`.
pub fn holds(condition: &str, selected: &BTreeSet<&str>) -> bool {
    if condition.trim() == "default" {
        return true;
    }
    let spaced = condition
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('!', " ! ")
        .replace("&&", " && ")
        .replace("||", " || ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let value = or(&tokens, &mut at, selected);
    assert_eq!(at, tokens.len(), "`{condition}` read to its end");
    value
}

fn or(tokens: &[&str], at: &mut usize, selected: &BTreeSet<&str>) -> bool {
    let mut value = and(tokens, at, selected);
    while tokens.get(*at) == Some(&"||") {
        *at += 1;
        value |= and(tokens, at, selected);
    }
    value
}

fn and(tokens: &[&str], at: &mut usize, selected: &BTreeSet<&str>) -> bool {
    let mut value = not(tokens, at, selected);
    while tokens.get(*at) == Some(&"&&") {
        *at += 1;
        value &= not(tokens, at, selected);
    }
    value
}

fn not(tokens: &[&str], at: &mut usize, selected: &BTreeSet<&str>) -> bool {
    let token = tokens.get(*at).copied().unwrap_or_else(|| panic!("a condition cut short: {tokens:?}"));
    *at += 1;
    match token {
        "!" => !not(tokens, at, selected),
        "(" => {
            let value = or(tokens, at, selected);
            assert_eq!(tokens.get(*at), Some(&")"), "{tokens:?}");
            *at += 1;
            value
        }
        id => {
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "`{id}` in {tokens:?}");
            selected.contains(id)
        }
    }
}

#[test]
fn the_condition_reader_binds_not_then_and_then_or() {
    let selected = BTreeSet::from(["a", "c"]);
    let cases = [
        ("a", true),
        ("!a", false),
        ("a && b", false),
        ("a || b && c", true),
        ("a||b&&c", true),
        ("(a || b) && !c", false),
        ("!a || !b", true),
        ("!(a && c) || b", false),
        ("default", true),
    ];
    for (condition, expected) in cases {
        assert_eq!(holds(condition, &selected), expected, "{condition}");
    }
}
