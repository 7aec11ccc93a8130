//! `textDocument/definition`: where the pillar, question, choice or
//! predicate under the cursor is defined, its name selected.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{GotoDefinitionParams, GotoDefinitionResponse};

use super::{file_position, location};
use crate::world::Snapshot;

pub(crate) fn handle(
    snapshot: &Snapshot,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>, Error> {
    snapshot.with(|db| {
        let (pack, at) = file_position(snapshot, db, &params.text_document_position_params)?;
        let targets = loupe_ide::goto_definition(db, pack, at);
        let locations = targets.iter().filter_map(|target| location(db, target.file, target.focus_span)).collect();
        Some(GotoDefinitionResponse::Array(locations))
    })
}
