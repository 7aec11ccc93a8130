//! `workspace/symbol`: the symbols of every loaded pack whose name contains
//! the query.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{OneOf, WorkspaceSymbol, WorkspaceSymbolParams, WorkspaceSymbolResponse};

use super::document_symbol::symbol_kind;
use super::location;
use crate::world::Snapshot;

pub(crate) fn handle(
    snapshot: &Snapshot,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>, Error> {
    snapshot.with(|db| {
        let targets = loupe_ide::workspace_symbols(db, &snapshot.packs, &params.query);
        let symbols = targets
            .into_iter()
            .filter_map(|target| {
                Some(WorkspaceSymbol {
                    location: OneOf::Left(location(db, target.file, target.focus_span)?),
                    name: target.name,
                    kind: symbol_kind(target.kind),
                    tags: None,
                    container_name: None,
                    data: None,
                })
            })
            .collect();
        Some(WorkspaceSymbolResponse::Nested(symbols))
    })
}
