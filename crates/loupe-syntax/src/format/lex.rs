//! The formatter's tokens: what the grammar reads, with every comment kept.
//!
//! Strings, comments and regexes are read exactly as the grammar reads them
//! (`string`, `WHITESPACE`, `regex` in `grammar/loupe.pest`), so the printer
//! never changes a byte inside one. Everything else is split finely (a word is
//! a run of identifier characters, a `-` in an item id is its own token): the
//! printer decides only the whitespace between tokens.

use crate::words::is_ident_char;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of `[A-Za-z0-9_]`, with a number's `.digits` when it starts with a digit.
    Word,
    Str,
    Regex,
    LineComment,
    BlockComment,
    /// An operator or bracket the language knows.
    Punct,
    /// A character the language has no use for here (a syntax error, or inside junk).
    Other,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Line breaks in the whitespace before it.
    pub breaks_before: usize,
    /// Whether any whitespace stands before it.
    pub space_before: bool,
}

impl Token<'_> {
    pub fn is(&self, punct: &str) -> bool {
        self.kind == Kind::Punct && self.text == punct
    }

    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment)
    }

    pub fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text == word
    }
}

/// The grammar's whitespace: space, and `\t` through `\r`.
fn is_space(byte: u8) -> bool {
    byte == b' ' || (b'\t'..=b'\r').contains(&byte)
}

const OPERATORS: [&str; 4] = ["==", "!=", "<=", ">="];
const PUNCTUATION: &[u8] = b"(){}[],.=<>+-*%";

pub(crate) fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    loop {
        let space_start = i;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            return tokens;
        }
        let breaks_before = bytes[space_start..i].iter().filter(|&&b| b == b'\n').count();
        let start = i;
        let (kind, end) = match bytes[i] {
            b'"' => (Kind::Str, string_end(bytes, i)),
            b'/' => match bytes.get(i + 1) {
                Some(b'/') => (Kind::LineComment, memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n)),
                Some(b'*') => {
                    let end = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + 2 + n + 2);
                    (Kind::BlockComment, end)
                }
                _ => regex_end(bytes, i).map_or((Kind::Other, i + 1), |end| (Kind::Regex, end)),
            },
            b if is_ident_char(b) => (Kind::Word, word_end(bytes, i)),
            _ => match OPERATORS.iter().find(|op| bytes[i..].starts_with(op.as_bytes())) {
                Some(op) => (Kind::Punct, i + op.len()),
                None if PUNCTUATION.contains(&bytes[i]) => (Kind::Punct, i + 1),
                // One character, whole: it may be non-ASCII.
                None => (Kind::Other, i + text[i..].chars().next().map_or(1, char::len_utf8)),
            },
        };
        tokens.push(Token { kind, text: &text[start..end], breaks_before, space_before: start > space_start });
        i = end;
    }
}

/// A string ends at its closing quote, or (unterminated) before a line break.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return i + 1,
            b'\n' => return i,
            // An escaped line break is no escape: the string ends before it.
            b'\\' if bytes.get(i + 1).is_none_or(|&b| b == b'\n') => return i,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    bytes.len().min(i)
}

/// `/pattern/flags`, where the pattern is not empty and holds no line break.
fn regex_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\n' => return None,
            b'/' if i == start + 1 => return None,
            b'/' => break,
            b'\\' if bytes.get(i + 1).is_none_or(|&b| b == b'\n') => return None,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    i += 1;
    while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
        i += 1;
    }
    Some(i)
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && is_ident_char(bytes[i]) {
        i += 1;
    }
    // `1.5` is one number; `a.b` is a path.
    let is_number = bytes[start].is_ascii_digit() && bytes[start..i].iter().all(u8::is_ascii_digit);
    if is_number && bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    i
}
