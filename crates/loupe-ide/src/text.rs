//! Reading positions in a file's text around the tree: where a block's brace
//! is, whether a position is in a string, the word before the cursor.

use loupe_diagnostics::Span;
pub(crate) use loupe_syntax::word_before;

/// The part of an item's span from its opening brace (not one in a string before it).
pub(crate) fn block_from_brace(text: &str, span: Span) -> Option<Span> {
    let covered = text.get(span.range())?;
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in covered.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => return Some(Span::new(span.start as usize + at, span.end as usize)),
            _ => {}
        }
    }
    None
}

/// Whether `offset` is between the braces of the block in `span`; an
/// unclosed block (a syntax error) reaches to its span's end.
pub(crate) fn inside_block(text: &str, span: Span, offset: u32) -> bool {
    let Some(block) = block_from_brace(text, span) else { return false };
    let closed = text.get(block.range()).is_some_and(|covered| covered.len() > 1 && covered.ends_with('}'));
    block.start < offset && (offset < block.end || (offset == block.end && !closed))
}

/// Where the string literal the cursor is in starts (its opening quote),
/// if it is in one. Strings do not cross lines, so the line is enough.
pub(crate) fn string_start(line_before: &str) -> Option<usize> {
    let mut open = None;
    let mut escaped = false;
    for (at, c) in line_before.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if open.is_some() => escaped = true,
            '"' => open = if open.is_some() { None } else { Some(at) },
            _ => {}
        }
    }
    open
}

/// The name of the call whose argument list the end of `before` is in
/// (`resources("a", ` gives `resources`), skipping over finished strings and calls.
pub(crate) fn enclosing_call(before: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (at, c) in before.char_indices().rev() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            ')' | ']' => depth += 1,
            '(' | '[' if depth > 0 => depth -= 1,
            '(' => return Some(word_before(before[..at].trim_end())),
            '[' | '{' | '}' => return None,
            _ => {}
        }
    }
    None
}
