//! `textDocument/documentSymbol`: the outline, pillar → question → choice.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(
    snapshot: &Snapshot,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>, Error> {
    snapshot.with(|db| {
        let (_, file) = snapshot.file(db, &params.text_document.uri)?;
        let index = loupe_db::line_index(db, file);
        let symbols = loupe_ide::document_symbols(db, file).into_iter().map(|symbol| to_proto(index, symbol)).collect();
        Some(DocumentSymbolResponse::Nested(symbols))
    })
}

fn to_proto(index: &loupe_db::LineIndex, symbol: loupe_ide::DocumentSymbol) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a field the protocol keeps; `tags` replace it.
    DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: convert::range(index, symbol.span),
        selection_range: convert::range(index, symbol.focus_span),
        children: Some(symbol.children.into_iter().map(|child| to_proto(index, child)).collect()),
    }
}

pub(super) fn symbol_kind(kind: loupe_ide::SymbolKind) -> SymbolKind {
    use loupe_ide::SymbolKind as Kind;
    match kind {
        Kind::Lens => SymbolKind::PACKAGE,
        Kind::Pillar => SymbolKind::NAMESPACE,
        Kind::Question => SymbolKind::INTERFACE,
        Kind::Choice => SymbolKind::ENUM_MEMBER,
        Kind::Predicate => SymbolKind::FUNCTION,
        Kind::Test => SymbolKind::METHOD,
        Kind::Variable => SymbolKind::VARIABLE,
    }
}
