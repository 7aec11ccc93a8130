//! `textDocument/completion`: keywords, ids, predicates, built-ins,
//! resource types and property paths, each replacing the word it completes.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit, Documentation,
    MarkupContent, MarkupKind, TextEdit,
};

use super::file_position;
use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: CompletionParams) -> Result<Option<CompletionResponse>, Error> {
    snapshot.with(|db| {
        let (pack, at) = file_position(snapshot, db, &params.text_document_position)?;
        let items = loupe_ide::completions(db, pack, snapshot.analysis.sample(pack), at)
            .into_iter()
            .map(|item| CompletionItem {
                kind: Some(kind(item.kind)),
                detail: item.detail,
                documentation: item
                    .documentation
                    .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: convert::file_range(db, at.file, item.replace),
                    new_text: item.insert_text.unwrap_or_else(|| item.label.clone()),
                })),
                label: item.label,
                ..CompletionItem::default()
            })
            .collect();
        Some(CompletionResponse::Array(items))
    })
}

fn kind(kind: loupe_ide::CompletionKind) -> CompletionItemKind {
    use loupe_ide::CompletionKind as Kind;
    match kind {
        Kind::Keyword => CompletionItemKind::KEYWORD,
        Kind::Choice => CompletionItemKind::ENUM_MEMBER,
        Kind::Predicate | Kind::Builtin => CompletionItemKind::FUNCTION,
        Kind::ResourceType => CompletionItemKind::CLASS,
        Kind::Property => CompletionItemKind::PROPERTY,
        Kind::Pillar => CompletionItemKind::MODULE,
        Kind::Question => CompletionItemKind::INTERFACE,
    }
}
