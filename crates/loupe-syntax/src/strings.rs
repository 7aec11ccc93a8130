//! String literals: closing quotes and escapes.

use crate::{Code, Label, Span, SyntaxError};

/// The content of the literal `raw` (quotes included) found at `offset`,
/// reporting it when its closing quote is missing.
pub(crate) fn body<'a>(raw: &'a str, offset: usize, errors: &mut Vec<SyntaxError>) -> &'a str {
    let terminated = is_closed(raw);
    if !terminated {
        errors.push(
            SyntaxError::new(
                Code::UnterminatedString,
                "string literal is not closed",
                Label::new((), Span::new(offset, offset + raw.len()), "this string has no closing `\"`"),
            )
            .with_help("close the string on the same line; write `\\n` for a line break"),
        );
    }
    let body_end = if terminated { raw.len() - 1 } else { raw.len() };
    &raw[1.min(raw.len())..body_end]
}

/// Resolves the escapes of `text`, found at `offset`. With `braces` (a
/// message's text), `{{` and `}}` stand for one brace each.
pub(crate) fn unescape_text(text: &str, offset: usize, braces: bool, errors: &mut Vec<SyntaxError>) -> String {
    let mut value = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((j, other)) => {
                    errors.push(
                        SyntaxError::new(
                            Code::InvalidEscape,
                            format!("unknown escape `\\{other}`"),
                            Label::new((), Span::new(offset + i, offset + j + other.len_utf8()), "not an escape"),
                        )
                        .with_help("the escapes are \\n, \\t, \\r, \\\" and \\\\"),
                    );
                    value.push(other);
                }
                None => {}
            },
            '{' | '}' if braces && chars.peek().is_some_and(|&(_, next)| next == c) => {
                chars.next();
                value.push(c);
            }
            other => value.push(other),
        }
    }
    value
}

/// Whether the literal `raw` (quotes included) has its closing quote.
pub(crate) fn is_closed(raw: &str) -> bool {
    raw.len() >= 2 && raw.ends_with('"') && !ends_with_escape(&raw[..raw.len() - 1])
}

fn ends_with_escape(text: &str) -> bool {
    text.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The plain value of a literal without interpolation.
pub(crate) fn unescape(raw: &str, offset: usize, errors: &mut Vec<SyntaxError>) -> String {
    // Most literals are closed and have no escapes: their value is their body.
    if let Some(body) = raw.strip_prefix('"').and_then(|rest| rest.strip_suffix('"'))
        && !body.bytes().any(|b| b == b'\\' || b == b'"')
    {
        return body.to_string();
    }
    unescape_text(body(raw, offset, errors), offset + 1, false, errors)
}
