//! Identifier characters, as the grammar reads them, for the scans that look
//! at text without parsing it (the nesting pre-scan, the formatter's lexer,
//! the editor's cursor context, calls in a body that did not parse).

/// Whether a byte continues an identifier.
pub(crate) fn is_ident_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The identifier characters at the end of `text` (the word before a
/// cursor or before a call's `(`), empty if there are none.
pub fn word_before(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |(at, c)| at + c.len_utf8());
    &text[start..]
}
