//! `textDocument/references`: every use of the symbol under the cursor in
//! its pack, its definitions too when the editor asks.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{Location, ReferenceParams};

use super::{file_position, location};
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: ReferenceParams) -> Result<Option<Vec<Location>>, Error> {
    snapshot.with(|db| {
        let (pack, at) = file_position(snapshot, db, &params.text_document_position)?;
        let found = loupe_ide::references(db, pack, at, params.context.include_declaration);
        Some(found.iter().filter_map(|range| location(db, range.file, range.span)).collect())
    })
}
