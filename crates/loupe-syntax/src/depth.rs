//! Bounds bracket nesting before pest sees the text.
//!
//! pest descends recursively, so 200,000 open parentheses would exhaust the
//! stack (or, with pest's stack guard, fail the whole parse). A linear pre-scan
//! finds every group nested deeper than [`MAX_NESTING`], reports it, and blanks
//! it out so the rest of the file still parses.
//!
//! The grammar recurses only at an open bracket or after a quantifier's
//! `every x in` (its source and filter may hold another quantifier), so the
//! scan counts both, and its count never falls below the grammar's: it reads
//! strings, comments and regexes as the grammar's recovery rules do, a `}`
//! closes everything opened since its `{`, `)` and `]` close only their own
//! kind (the grammar's junk lines skip a stray one), and a quantifier stays
//! open until its body's `{`.

use crate::words::is_ident_char;
use crate::{Code, Label, Span, SyntaxError};

/// The deepest bracket nesting a `.lens` file may use. Real checks stay far below.
pub const MAX_NESTING: usize = 64;

/// Returns a copy of `text` with over-deep groups blanked, or `None` when the
/// text is within bounds (the common case costs one scan and no copy).
pub(crate) fn limit_nesting(text: &str, errors: &mut Vec<SyntaxError>) -> Option<String> {
    let bytes = text.as_bytes();
    let mut blanked: Option<Vec<u8>> = None;
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while let Some(skipped) = bytes[i..].iter().position(|&b| SIGNIFICANT[usize::from(b)]) {
        i += skipped;
        match bytes[i] {
            b'"' | b'/' => {
                let (end, unterminated_comment) = skip_literal(bytes, i);
                if unterminated_comment {
                    errors.push(
                        SyntaxError::new(
                            Code::UnterminatedString,
                            "block comment is not closed",
                            Label::new((), Span::new(i, i + 2), "this comment runs to the end of the file"),
                        )
                        .with_help("close it with `*/`"),
                    );
                }
                // Any string may follow an `else` (comments may stand between), so
                // the holes of every string count.
                if bytes[i] == b'"' {
                    for (open, close) in too_deep_in_holes(bytes, i, end) {
                        errors.push(too_deep(bytes, open));
                        blank(blanked.get_or_insert_with(|| bytes.to_vec()), open, close);
                    }
                }
                i = end;
            }
            open @ (b'(' | b'[' | b'{') => {
                // A quantifier's body begins: it is nested no deeper than its head.
                if open == b'{' && stack.last() == Some(&Open::Quantifier) {
                    stack.pop();
                }
                if stack.len() >= MAX_NESTING {
                    let end = matching_close(bytes, i);
                    errors.push(too_deep(bytes, i));
                    blank(blanked.get_or_insert_with(|| bytes.to_vec()), i, end);
                    i = end;
                    continue;
                }
                stack.push(match open {
                    b'(' => Open::Paren,
                    b'[' => Open::Bracket,
                    _ => Open::Brace,
                });
                i += 1;
            }
            close @ (b')' | b']') => {
                while stack.last() == Some(&Open::Quantifier) {
                    stack.pop();
                }
                if stack.last() == Some(if close == b')' { &Open::Paren } else { &Open::Bracket }) {
                    stack.pop();
                }
                i += 1;
            }
            b'}' => {
                stack.truncate(stack.iter().rposition(|&open| open == Open::Brace).unwrap_or(0));
                i += 1;
            }
            _ => {
                let word_end = i + bytes[i..].iter().position(|&b| !is_ident_char(b)).unwrap_or(bytes.len() - i);
                // Only a word's first letter may start a quantifier.
                let head = if i > 0 && is_ident_char(bytes[i - 1]) { None } else { quantifier_head(bytes, i) };
                match head {
                    Some(_) if stack.len() >= MAX_NESTING => {
                        let end = quantifier_end(bytes, i);
                        errors.push(too_deep(bytes, i));
                        blank(blanked.get_or_insert_with(|| bytes.to_vec()), i, end);
                        i = end;
                    }
                    Some(after_in) => {
                        stack.push(Open::Quantifier);
                        i = after_in;
                    }
                    None => i = word_end,
                }
            }
        }
    }
    // Only ASCII bytes outside strings are replaced, so the copy stays UTF-8.
    blanked.map(|copy| String::from_utf8(copy).unwrap_or_else(|_| " ".repeat(text.len())))
}

/// What the scan has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Paren,
    Bracket,
    Brace,
    /// `every x in` whose body has not begun.
    Quantifier,
}

/// The bytes the scan stops at: brackets, what starts a string, comment or
/// regex, and the first letters of `every`, `some` and `none`.
const SIGNIFICANT: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 11 {
        table[b"\"/([{)]}esn"[i] as usize] = true;
        i += 1;
    }
    table
};

fn too_deep(bytes: &[u8], open: usize) -> SyntaxError {
    let (message, span, label) = match bytes[open] {
        b'(' | b'[' | b'{' => ("brackets nest", Span::new(open, open + 1), "this bracket is too deep"),
        _ => {
            let word = bytes[open..].iter().position(|&b| !is_ident_char(b)).unwrap_or(bytes.len() - open);
            ("quantifiers and brackets nest", Span::new(open, open + word), "this quantifier is too deep")
        }
    };
    SyntaxError::new(
        Code::NestingTooDeep,
        format!("{message} deeper than {MAX_NESTING} levels"),
        Label::new((), span, label),
    )
    .with_help("split the expression into named predicates or `let` bindings")
}

/// Where the head `every x in` (or `some`, `none`) starting at `at` ends,
/// if one does: the grammar parses a quantifier's source right after it.
/// Whitespace and comments may stand between its words, as in the grammar.
fn quantifier_head(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = &bytes[at..];
    let keyword = [&b"every"[..], b"some", b"none"].into_iter().find(|keyword| rest.starts_with(keyword))?;
    let after_keyword = at + keyword.len();
    if bytes.get(after_keyword).is_some_and(|&b| is_ident_char(b)) {
        return None;
    }
    let var = skip_trivia(bytes, after_keyword);
    if !bytes.get(var).is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_') {
        return None;
    }
    let var_end = var + bytes[var..].iter().position(|&b| !is_ident_char(b)).unwrap_or(bytes.len() - var);
    let kw_in = skip_trivia(bytes, var_end);
    let is_in = bytes[kw_in..].starts_with(b"in") && !bytes.get(kw_in + 2).is_some_and(|&b| is_ident_char(b));
    is_in.then_some(kw_in + 2)
}

/// Skips whitespace and comments, as the grammar's `WHITESPACE` does.
fn skip_trivia(bytes: &[u8], mut i: usize) -> usize {
    loop {
        match bytes.get(i..i + 2).unwrap_or(bytes.get(i..).unwrap_or_default()) {
            [b' ' | b'\t'..=b'\r', ..] => i += 1,
            [b'/', b'/' | b'*'] => i = skip_literal(bytes, i).0,
            _ => return i,
        }
    }
}

/// The end (exclusive) of the quantifier whose head starts at `start`: after
/// its body, the first `{ ... }` that no quantifier in its source or filter
/// takes, or else at a closer of the group around it.
fn quantifier_end(bytes: &[u8], start: usize) -> usize {
    let mut heads = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'/' => i = skip_literal(bytes, i).0,
            b'(' | b'[' => i = matching_close(bytes, i),
            b'{' => {
                i = matching_close(bytes, i);
                heads = heads.saturating_sub(1);
                if heads == 0 {
                    return i;
                }
            }
            b')' | b']' | b'}' => return i,
            b'e' | b's' | b'n' if i == start || !is_ident_char(bytes[i - 1]) => match quantifier_head(bytes, i) {
                Some(after_in) => {
                    heads += 1;
                    i = after_in;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The over-deep groups inside the `{expression}` holes of the message
/// `start..end`: where each opens and ends (at the latest, where its hole
/// does). The grammar parses holes with their check, and a hole holds no
/// brace, quote or slash, so only parentheses, brackets and quantifier heads
/// (which never find a body there) nest in it.
fn too_deep_in_holes(bytes: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = start + 1;
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b'{' if bytes.get(i + 1) == Some(&b'{') => i += 2,
            b'{' => {
                let hole_end = bytes[i + 1..end]
                    .iter()
                    .position(|b| matches!(b, b'{' | b'}' | b'"' | b'\n' | b'/'))
                    .map_or(end, |n| i + 1 + n);
                let hole = &bytes[..hole_end];
                let mut depth = 0usize;
                let mut open = None;
                let mut at = i + 1;
                while at < hole_end {
                    let next = match hole[at] {
                        b'(' | b'[' => {
                            depth += 1;
                            at + 1
                        }
                        b')' | b']' => {
                            depth = depth.saturating_sub(1);
                            at + 1
                        }
                        b'e' | b's' | b'n' if !is_ident_char(hole[at - 1]) => match quantifier_head(hole, at) {
                            Some(after_in) => {
                                depth += 1;
                                after_in
                            }
                            None => at + 1,
                        },
                        _ => {
                            at += 1;
                            continue;
                        }
                    };
                    match open {
                        None if depth > MAX_NESTING => open = Some(at),
                        Some(from) if depth == MAX_NESTING => {
                            found.push((from, next));
                            open = None;
                        }
                        _ => {}
                    }
                    at = next;
                }
                found.extend(open.map(|from| (from, hole_end)));
                i = hole_end;
            }
            _ => i += 1,
        }
    }
    found
}

/// Skips a string, comment or regex literal starting at `start` (a `"` or a
/// `/`: the language has no division, so every other `/` opens a regex).
/// Returns where it ends, and whether it was a block comment left open.
pub(crate) fn skip_literal(bytes: &[u8], start: usize) -> (usize, bool) {
    match &bytes[start..] {
        [b'/', b'/', ..] => (memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |n| start + n), false),
        [b'/', b'*', ..] => match memchr::memmem::find(&bytes[start + 2..], b"*/") {
            Some(n) => (start + 2 + n + 2, false),
            None => (bytes.len(), true),
        },
        [quote @ (b'"' | b'/'), ..] => {
            let mut i = start + 1;
            while let Some(n) = memchr::memchr3(b'\\', b'\n', *quote, &bytes[i.min(bytes.len())..]) {
                i += n;
                match bytes[i] {
                    // As in the grammar, an escaped line break still ends the literal.
                    b'\\' if bytes.get(i + 1) == Some(&b'\n') => return (i + 1, false),
                    b'\\' => i += 2,
                    b'\n' => return (i, false),
                    _ => return (i + 1, false),
                }
            }
            (bytes.len(), false)
        }
        _ => (start + 1, false),
    }
}

/// The end (exclusive) of the group opened at `open`, or the end of the text.
fn matching_close(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'/' => {
                i = skip_literal(bytes, i).0;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Replaces `start..end` with `null` and spaces (newlines kept, so positions
/// and lines stay put); `null` parses both as an expression and a statement.
fn blank(bytes: &mut [u8], start: usize, end: usize) {
    for byte in &mut bytes[start..end] {
        if *byte != b'\n' {
            *byte = b' ';
        }
    }
    if end - start >= 4 && !bytes[start..start + 4].contains(&b'\n') {
        bytes[start..start + 4].copy_from_slice(b"null");
    }
}
