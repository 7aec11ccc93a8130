//! The edge: byte offsets ↔ LSP positions (UTF-16 code units, lines from
//! 0), paths ↔ URIs, and diagnostics to LSP. Nothing past this module sees
//! a UTF-16 column.

use std::collections::HashMap;
use std::path::PathBuf;

use loupe_db::{Db, LineIndex, Severity, SourceFile, Span, line_index};
use loupe_diagnostics::{Column, LineCol};
use loupe_project::MAX_SOURCE_BYTES;
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Uri,
    WorkspaceEdit,
};

/// The byte offset of `position` in `text`. A column past the end of its
/// line means the line's end, and a line past the last the text's end, as
/// the protocol asks.
pub(crate) fn offset(index: &LineIndex, text: &str, position: Position) -> u32 {
    let at = LineCol { line: position.line.saturating_add(1), column: position.character.saturating_add(1) };
    index.offset(at, Column::Utf16).unwrap_or_else(|| line_end(index, text, at.line))
}

fn line_end(index: &LineIndex, text: &str, line: u32) -> u32 {
    let end = match index.line_range(line) {
        Some(range) => {
            let content = &text[range.clone()];
            range.start + content.trim_end_matches('\n').trim_end_matches('\r').len()
        }
        None => text.len(),
    };
    // Texts are at most MAX_SOURCE_BYTES, far below u32::MAX.
    u32::try_from(end).unwrap_or(u32::try_from(MAX_SOURCE_BYTES).unwrap_or(u32::MAX))
}

pub(crate) fn position(index: &LineIndex, offset: u32) -> Position {
    let at = index.line_col(offset, Column::Utf16);
    Position { line: at.line - 1, character: at.column - 1 }
}

pub(crate) fn range(index: &LineIndex, span: Span) -> Range {
    Range { start: position(index, span.start), end: position(index, span.end) }
}

/// The span of `range` in `text`, its ends clamped as [`offset`] does.
pub(crate) fn span(index: &LineIndex, text: &str, range: Range) -> Span {
    let (start, end) = (offset(index, text, range.start), offset(index, text, range.end));
    Span { start: start.min(end), end: start.max(end) }
}

/// The range of a span of a database file.
pub(crate) fn file_range(db: &dyn Db, file: SourceFile, span: Span) -> Range {
    range(line_index(db, file), span)
}

/// Edits of the pack's files as one workspace edit, grouped by file.
pub(crate) fn workspace_edit(db: &dyn Db, edits: Vec<loupe_ide::TextEdit>) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for edit in edits {
        let Some(uri) = uri(db, edit.file) else { continue };
        let range = file_range(db, edit.file, edit.span);
        changes.entry(uri).or_default().push(lsp::TextEdit { range, new_text: edit.new_text });
    }
    WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }
}

/// The path an editor's URI names, when it is a file.
pub(crate) fn path(uri: &Uri) -> Option<PathBuf> {
    (uri.scheme().as_str() == "file").then(|| uri.to_file_path().map(|path| path.into_owned())).flatten()
}

/// The URI of a database file: the server names files by their absolute
/// paths, so a file's name is its path.
pub(crate) fn uri(db: &dyn Db, file: SourceFile) -> Option<Uri> {
    Uri::from_file_path(PathBuf::from(file.name(db)))
}

/// A Loupe diagnostic as LSP shows it: its code, its primary label's range,
/// its secondary labels as related information, its help after the message.
pub(crate) fn diagnostic(db: &dyn Db, diagnostic: &loupe_db::Diagnostic) -> lsp::Diagnostic {
    let primary = &diagnostic.primary;
    let mut message = diagnostic.message.clone();
    if !primary.message.is_empty() && primary.message != diagnostic.message {
        message = format!("{message}\n{}", primary.message);
    }
    if let Some(help) = &diagnostic.help {
        message = format!("{message}\nhelp: {help}");
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: Location { uri: uri(db, label.file)?, range: file_range(db, label.file, label.span) },
                message: label.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: file_range(db, primary.file, primary.span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        source: Some("loupe".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}
