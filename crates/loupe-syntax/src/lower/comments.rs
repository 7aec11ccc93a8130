//! Comments: every one collected by a scan of the text, and `///` docs read
//! back for the item they stand before.
//!
//! The grammar reads comments as whitespace, which keeps them off its hot
//! paths; this scan finds them again, stopping only at `"` and `/` (memchr)
//! and skipping strings and regexes as the grammar and `depth.rs` read them,
//! so a `//` inside either is no comment.

use super::Lowerer;
use crate::Span;
use crate::ast::{Comment, CommentKind};
use crate::depth::skip_literal;

/// Every comment in `text`, in order.
pub(crate) fn scan(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'"', b'/', &bytes[i..]) {
        let start = i + found;
        let (end, _) = skip_literal(bytes, start);
        let marked = match bytes.get(start + 1).filter(|_| bytes[start] == b'/') {
            Some(b'/') if bytes.get(start + 2) == Some(&b'/') && bytes.get(start + 3) != Some(&b'/') => {
                Some((CommentKind::Doc, 3, 0))
            }
            Some(b'/') => Some((CommentKind::Line, 2, 0)),
            Some(b'*') => Some((CommentKind::Block, 2, if text[start..end].ends_with("*/") { 2 } else { 0 })),
            _ => None,
        };
        if let Some((kind, open, close)) = marked {
            // A line comment stops before the line break, and before a `\r` ahead of it.
            let end =
                if kind == CommentKind::Block { end } else { start + text[start..end].trim_end_matches('\r').len() };
            let body = text.get(start + open..end - close).unwrap_or_default();
            comments.push(Comment { kind, text: body.to_string(), span: Span::new(start, end) });
        }
        i = end.max(start + 1);
    }
    comments
}

impl Lowerer<'_, '_> {
    /// The `///` lines right before `offset`, joined, one leading space of each dropped.
    pub(super) fn doc_before(&self, offset: usize) -> Option<String> {
        let before = &self.source[..offset.min(self.source.len())];
        let mut lines: Vec<&str> = Vec::new();
        for line in before.lines().rev().skip(usize::from(!before.ends_with('\n'))) {
            let line = line.trim();
            match line.strip_prefix("///") {
                Some(doc) if !doc.starts_with('/') => lines.push(doc.strip_prefix(' ').unwrap_or(doc)),
                // A plain comment between the docs and the item does not end them.
                _ if line.starts_with("//") => {}
                _ => break,
            }
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    }
}
