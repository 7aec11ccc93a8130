//! Bounds bracket nesting before pest sees the text.
//!
//! pest descends recursively, so 200,000 open parentheses would exhaust the
//! stack (or, with pest's stack guard, fail the whole parse). A linear pre-scan
//! finds every group nested deeper than [`MAX_NESTING`], reports it, and blanks
//! it out so the rest of the file still parses.

use crate::{Code, Label, Span, SyntaxError};

/// The deepest bracket nesting a `.lens` file may use. Real checks stay far below.
pub const MAX_NESTING: usize = 64;

/// Returns a copy of `text` with over-deep groups blanked, or `None` when the
/// text is within bounds (the common case costs one scan and no copy).
pub(crate) fn limit_nesting(text: &str, errors: &mut Vec<SyntaxError>) -> Option<String> {
    let bytes = text.as_bytes();
    let mut blanked: Option<Vec<u8>> = None;
    let mut stack: Vec<usize> = Vec::new();
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
                if bytes[i] == b'"' && is_message(bytes, i) {
                    for (open, close) in too_deep_in_holes(bytes, i, end) {
                        errors.push(too_deep(open));
                        blank(blanked.get_or_insert_with(|| bytes.to_vec()), open, close);
                    }
                }
                i = end;
            }
            b'(' | b'[' | b'{' => {
                stack.push(i);
                if stack.len() > MAX_NESTING {
                    let end = matching_close(bytes, i);
                    errors.push(too_deep(i));
                    let copy = blanked.get_or_insert_with(|| bytes.to_vec());
                    blank(copy, i, end);
                    stack.pop();
                    i = end;
                    continue;
                }
                i += 1;
            }
            _ => {
                stack.pop();
                i += 1;
            }
        }
    }
    // Only ASCII bytes outside strings are replaced, so the copy stays UTF-8.
    blanked.map(|copy| String::from_utf8(copy).unwrap_or_else(|_| " ".repeat(text.len())))
}

/// The bytes the scan stops at: brackets, and what starts a string, comment or regex.
const SIGNIFICANT: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 8 {
        table[b"\"/([{)]}"[i] as usize] = true;
        i += 1;
    }
    table
};

fn too_deep(open: usize) -> SyntaxError {
    SyntaxError::new(
        Code::NestingTooDeep,
        format!("brackets nest deeper than {MAX_NESTING} levels"),
        Label::new((), Span::new(open, open + 1), "this bracket is too deep"),
    )
    .with_help("split the expression into named predicates or `let` bindings")
}

/// Whether the string at `quote` is a failure message: it follows `else`.
fn is_message(bytes: &[u8], quote: usize) -> bool {
    let before = bytes[..quote].trim_ascii_end();
    before.ends_with(b"else")
        && !before[..before.len() - 4].last().is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The over-deep groups inside the `{expression}` holes of the message
/// `start..end`: where each opens and ends (at the latest, where its hole
/// does). The grammar parses holes with their check, and a hole holds no brace
/// or quote, so only parentheses and brackets nest in it.
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
                    .position(|b| matches!(b, b'{' | b'}' | b'"' | b'\n'))
                    .map_or(end, |n| i + 1 + n);
                let mut depth = 0usize;
                let mut open = None;
                for (at, byte) in bytes.iter().enumerate().take(hole_end).skip(i + 1) {
                    match byte {
                        b'(' | b'[' => depth += 1,
                        b')' | b']' => depth = depth.saturating_sub(1),
                        _ => continue,
                    }
                    match open {
                        None if depth > MAX_NESTING => open = Some(at),
                        Some(from) if depth == MAX_NESTING => {
                            found.push((from, at + 1));
                            open = None;
                        }
                        _ => {}
                    }
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
fn skip_literal(bytes: &[u8], start: usize) -> (usize, bool) {
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
