//! String literals: escapes, and the `{expr}` interpolations of messages.

use crate::{Code, Label, Span, SyntaxError};

/// A piece of a literal's content: text, or the raw source of an
/// interpolation with its absolute offset.
pub(crate) enum Piece {
    Text(String),
    Interpolation { source: String, offset: usize },
}

/// Splits the raw literal `raw` (quotes included) found at `offset`.
/// With `interpolate`, `{expr}` is an interpolation and `{{`/`}}` are braces.
pub(crate) fn pieces(raw: &str, offset: usize, interpolate: bool, errors: &mut Vec<SyntaxError>) -> Vec<Piece> {
    let terminated = raw.len() >= 2 && raw.ends_with('"') && !ends_with_escape(&raw[..raw.len() - 1]);
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
    let body = &raw[1.min(raw.len())..body_end];
    let base = offset + 1;

    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, 'n')) => text.push('\n'),
                Some((_, 't')) => text.push('\t'),
                Some((_, 'r')) => text.push('\r'),
                Some((_, '"')) => text.push('"'),
                Some((_, '\\')) => text.push('\\'),
                Some((j, other)) => {
                    errors.push(
                        SyntaxError::new(
                            Code::InvalidEscape,
                            format!("unknown escape `\\{other}`"),
                            Label::new((), Span::new(base + i, base + j + other.len_utf8()), "not an escape"),
                        )
                        .with_help("the escapes are \\n, \\t, \\r, \\\" and \\\\"),
                    );
                    text.push(other);
                }
                None => {}
            },
            '{' if interpolate => {
                if chars.peek().is_some_and(|&(_, next)| next == '{') {
                    chars.next();
                    text.push('{');
                    continue;
                }
                let start = i + 1;
                let end = body[start..].find('}').map(|n| start + n);
                let Some(end) = end else {
                    errors.push(
                        SyntaxError::new(
                            Code::SyntaxError,
                            "interpolation is not closed",
                            Label::new((), Span::new(base + i, base + body.len()), "this `{` has no `}`"),
                        )
                        .with_help("write `{{` for a literal brace"),
                    );
                    text.push_str(&body[i..]);
                    break;
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Interpolation { source: body[start..end].to_string(), offset: base + start });
                while chars.peek().is_some_and(|&(j, _)| j <= end) {
                    chars.next();
                }
            }
            '}' if interpolate && chars.peek().is_some_and(|&(_, next)| next == '}') => {
                chars.next();
                text.push('}');
            }
            other => text.push(other),
        }
    }
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

fn ends_with_escape(text: &str) -> bool {
    text.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The plain value of a literal without interpolation.
pub(crate) fn unescape(raw: &str, offset: usize, errors: &mut Vec<SyntaxError>) -> String {
    // Most literals are closed and have no escapes: their value is their body.
    if let Some(body) = raw.strip_prefix('"').and_then(|rest| rest.strip_suffix('"'))
        && !body.contains(['\\', '"'])
    {
        return body.to_string();
    }
    pieces(raw, offset, false, errors)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text,
            Piece::Interpolation { source, .. } => source,
        })
        .collect()
}
