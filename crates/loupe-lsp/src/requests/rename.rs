//! `textDocument/rename`: the edits of every file of the pack, or the
//! reason the new name is refused (an illegal or clashing id).

use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::{RenameParams, WorkspaceEdit};

use super::file_position;
use crate::convert;
use crate::world::Snapshot;

/// The protocol's `RequestFailed`: the request was valid, its answer is no.
const REQUEST_FAILED: i64 = -32803;

pub(crate) fn handle(snapshot: &Snapshot, params: RenameParams) -> Result<Option<WorkspaceEdit>, Error> {
    let answer = snapshot.with(|db| {
        let Some((pack, at)) = file_position(snapshot, db, &params.text_document_position) else { return Ok(None) };
        let edits = loupe_ide::rename(db, pack, at, &params.new_name)?;
        Ok(Some(convert::workspace_edit(db, edits)))
    })?;
    answer.map_err(|refused: loupe_ide::RenameError| Error {
        code: ErrorCode::ServerError(REQUEST_FAILED),
        message: refused.message.into(),
        data: None,
    })
}
