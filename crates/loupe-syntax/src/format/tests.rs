//! Properties of the printer over every `.lens` file of the repository that
//! parses (the shipped packs and the test cases): formatting is idempotent,
//! and the indentation a file was written with makes no difference.
//!
//! Here rather than in `tests/`: the properties re-indent every line except
//! those inside a block comment, whose indentation is comment text, and the
//! lexer finds those.

use std::path::{Path, PathBuf};

use super::lex::{Kind, tokens};
use super::{FormatRefused, checked, format, syntax_errors};
use crate::parse;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lens_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            lens_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "lens") {
            out.push(path);
        }
    }
}

/// Every `.lens` file under `policies/` and `tests/` that is UTF-8 and has no syntax error.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    for dir in ["policies", "tests"] {
        lens_files(&repo_root().join(dir), &mut paths);
    }
    paths.sort();
    let corpus: Vec<(PathBuf, String)> = paths
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            let text = String::from_utf8(bytes).ok()?;
            syntax_errors(&text).is_empty().then_some((path, text))
        })
        .collect();
    // The shipped pack has 14 files, and the clean test cases more than 40.
    assert!(corpus.len() >= 60, "only {} files parse", corpus.len());
    corpus
}

fn formatted(path: &Path, text: &str) -> String {
    format(text).unwrap_or_else(|refused| panic!("{}: {refused:?}", path.display()))
}

/// For each line of `text`, whether it starts inside a block comment.
fn comment_lines(text: &str) -> Vec<bool> {
    let mut inside = vec![false; text.split_inclusive('\n').count()];
    let mut line = 0;
    for token in tokens(text) {
        line += token.breaks_before;
        let breaks = token.text.matches('\n').count();
        if token.kind == Kind::BlockComment {
            inside[line + 1..=line + breaks].fill(true);
        }
        line += breaks;
    }
    inside
}

/// `text` with the indentation of each line (outside block comments) replaced by `indent(line)`.
fn reindented(text: &str, mut indent: impl FnMut(usize) -> String) -> String {
    let in_comment = comment_lines(text);
    text.split_inclusive('\n')
        .enumerate()
        .map(
            |(i, line)| {
                if in_comment[i] { line.to_string() } else { indent(i) + line.trim_start_matches([' ', '\t']) }
            },
        )
        .collect()
}

/// xorshift64: a few lines of deterministic randomness, seeded per file.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn formatting_is_idempotent() {
    for (path, text) in corpus() {
        let once = formatted(&path, &text);
        assert_eq!(formatted(&path, &once), once, "{}", path.display());
    }
}

#[test]
fn indentation_makes_no_difference() {
    for (number, (path, text)) in corpus().into_iter().enumerate() {
        let expected = formatted(&path, &text);
        let stripped = reindented(&text, |_| String::new());
        assert_eq!(formatted(&path, &stripped), expected, "{} without indentation", path.display());
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ number as u64);
        let shuffled =
            reindented(&text, |_| (0..rng.below(12)).map(|_| if rng.below(4) == 0 { '\t' } else { ' ' }).collect());
        assert_eq!(formatted(&path, &shuffled), expected, "{} re-indented at random", path.display());
    }
}

#[test]
fn the_shipped_packs_are_formatted() {
    let mut paths = Vec::new();
    lens_files(&repo_root().join("policies"), &mut paths);
    assert!(!paths.is_empty());
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 pack file");
        assert!(formatted(&path, &text) == text, "{} is not formatted: run `loupe fmt policies`", path.display());
    }
}

#[test]
fn lines_inside_block_comments_are_found() {
    let text = "/* a\n  b */ x\n\"/* no\"\n/*\n*/\n";
    assert_eq!(comment_lines(text), [false, true, false, false, true]);
}

#[test]
fn syntax_errors_are_refused_check_bodies_included() {
    let broken_file = "pillar p \"P\" {\n  descripton \"x\"\n}\n";
    assert!(matches!(format(broken_file), Err(FormatRefused::SyntaxErrors(errors)) if !errors.is_empty()));

    // The file parses; its check body, parsed apart, does not.
    let broken_check =
        "pillar p \"P\" {\n  question Q \"Q\" {\n    choice C \"C\" {\n      check { x == }\n    }\n  }\n}\n";
    assert!(parse(broken_check).errors.is_empty());
    let Err(FormatRefused::SyntaxErrors(errors)) = format(broken_check) else {
        panic!("a check with a syntax error was formatted");
    };
    // Located in the file, inside the check.
    let body = broken_check.find("{ x").expect("the check")..broken_check.find(" }\n    }").expect("its end") + 2;
    assert!(errors.iter().all(|error| body.contains(&(error.primary.span.start as usize))), "{errors:?}");
}

/// The last guard: a printed text that would mean something else is refused.
#[test]
fn a_result_that_changes_the_tree_is_refused() {
    let original = "\
// keep me
pillar p-1 \"P\" {
  question Q \"Q\" {
    choice C \"C\" {
      check { x.a not in [\"a b\"] }
    }
  }
}
";
    let relaid = original.replace("  ", "\t").replace("{ x", "{\n x");
    assert_eq!(checked(original, relaid.clone()), Ok(relaid), "layout alone is accepted");
    for corrupted in [
        original.replace("// keep me\n", ""),
        original.replace("// keep me", "// keep"),
        original.replace("p-1", "p - 1"),
        original.replace("not in", "notin"),
        original.replace("\"a b\"", "\"a  b\""),
        original.replace("x.a", "x.b"),
    ] {
        assert_ne!(corrupted, original);
        assert_eq!(checked(original, corrupted.clone()), Err(FormatRefused::WouldChangeMeaning), "{corrupted}");
    }
}
