//! Formatter cases: each `tests/cases/fmt/*.lens` file formatted, or the
//! syntax errors it was refused for, next to it as a snapshot.
//!
//! Review changes with `cargo insta review`, or regenerate with
//! `INSTA_UPDATE=always cargo test -p loupe-syntax --test format`.

use std::fmt::Write;

use loupe_syntax::format::{FormatRefused, format};

#[test]
fn format_cases() {
    insta::glob!("../../../tests/cases/fmt", "*.lens", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let output = match format(&text) {
            Ok(formatted) => {
                // What a snapshot does not show: line ends, and the end of the file.
                assert!(!formatted.contains('\r'), "{}: a carriage return is left", path.display());
                assert!(
                    formatted.lines().all(|line| line.trim_end() == line),
                    "{}: trailing whitespace",
                    path.display()
                );
                let text_end = formatted.trim_end_matches('\n').len();
                assert!(
                    formatted.len() == text_end + usize::from(text_end > 0),
                    "{}: not one final newline",
                    path.display()
                );
                formatted
            }
            Err(FormatRefused::SyntaxErrors(errors)) => {
                let mut out = String::from("left as it is, for its syntax errors:\n");
                for error in errors {
                    let span = error.primary.span;
                    let _ = writeln!(out, "{} @{}..{}: {}", error.code.as_str(), span.start, span.end, error.message);
                }
                out
            }
            Err(refused) => panic!("{}: {refused:?}", path.display()),
        };
        insta::with_settings!({ snapshot_path => path.parent().expect("in a directory"), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(output);
        });
    });
}
