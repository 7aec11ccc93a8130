//! The formatter's printer, shared by `loupe fmt`, the importer (which writes
//! `.lens` text) and the language server (formatting requests).
//!
//! It works on the token stream, like gofmt keeping the author's line breaks:
//! every comment stays where it was, strings and regexes keep their bytes and
//! comments theirs but trailing whitespace, and the layout decides indentation (two spaces a level), the spaces
//! between the tokens of a line, and blank lines (no more than one in a row,
//! none at the start or end of a block, one final newline). `layout.rs`
//! has the rules. Formatting is idempotent.
//!
//! A text with syntax errors is refused rather than guessed at, and so is a
//! result that would not parse to the same tree (a bug, never a corruption).

mod layout;
mod lex;

pub use layout::INDENT;

use crate::{SyntaxError, parse, parse_block};

/// Why a text was left as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatRefused {
    /// The text has syntax errors, in its own positions (those of check bodies included).
    SyntaxErrors(Vec<SyntaxError>),
    /// The formatted text would parse differently or lose a comment: a formatter bug.
    WouldChangeMeaning,
}

const BOM: &str = "\u{FEFF}";

/// The text in the canonical layout.
pub fn format(text: &str) -> Result<String, FormatRefused> {
    let errors = syntax_errors(text);
    if !errors.is_empty() {
        return Err(FormatRefused::SyntaxErrors(errors));
    }
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(body) => (BOM, body),
        None => ("", text),
    };
    let tokens = lex::tokens(body);
    checked(text, format!("{bom}{}", layout::Printer::new(&tokens, body.len() + body.len() / 8).print()))
}

/// `formatted`, unless it differs from `original` in more than layout.
fn checked(original: &str, formatted: String) -> Result<String, FormatRefused> {
    if formatted != original && shape(original) != shape(&formatted) {
        return Err(FormatRefused::WouldChangeMeaning);
    }
    Ok(formatted)
}

/// The syntax errors of a file: its parse's and those of its check and predicate bodies, which are parsed apart.
pub fn syntax_errors(text: &str) -> Vec<SyntaxError> {
    let parse = parse(text);
    let mut errors = parse.errors;
    for body in parse.file.bodies() {
        let (_, body_errors) = parse_block(&text[body.range()]);
        errors.extend(body_errors.into_iter().map(|error| error.moved_by(body.start)));
    }
    errors.sort_by_key(|error| (error.primary.span.start, error.primary.span.end));
    errors
}

/// What formatting must not change: the tree without its positions (check
/// and predicate bodies parsed), its syntax errors, and its comments' words.
fn shape(text: &str) -> (String, usize, Vec<String>) {
    let mut parse = parse(text);
    // Comments are compared by their words below: the printer trims their ends.
    parse.file.comments.clear();
    let mut tree = format!("{:?}", parse.file);
    for body in parse.file.bodies() {
        tree.push_str(&format!("{:?}", parse_block(&text[body.range()])));
    }
    let comments = lex::tokens(text)
        .iter()
        .filter(|token| token.is_comment())
        .map(|token| token.text.lines().map(str::trim).collect::<Vec<_>>().join("\n"))
        .collect();
    (without_spans(&tree), parse.errors.len(), comments)
}

/// A tree's debug text without its byte spans.
fn without_spans(debug: &str) -> String {
    const SPAN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(SPAN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        rest = &rest[at..];
        rest = rest.find('}').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
