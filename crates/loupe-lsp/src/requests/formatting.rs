//! `textDocument/formatting`: the `loupe fmt` printer, as one edit of the
//! whole document; none when the file is formatted or has syntax errors.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{DocumentFormattingParams, TextEdit};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>, Error> {
    snapshot.with(|db| {
        let (_, file) = snapshot.file(db, &params.text_document.uri)?;
        let edit = loupe_ide::format(db, file)
            .map(|edit| TextEdit { range: convert::file_range(db, edit.file, edit.span), new_text: edit.new_text });
        Some(edit.into_iter().collect())
    })
}
