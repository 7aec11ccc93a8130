//! `textDocument/formatting`: the `loupe fmt` printer, as one edit of the
//! whole document; a file with syntax errors is left as it is.

use loupe_db::line_index;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{DocumentFormattingParams, TextEdit};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>, Error> {
    snapshot.with(|db| {
        let (_, file) = snapshot.file(db, &params.text_document.uri)?;
        let text = file.text(db);
        let formatted = loupe_syntax::format::format(text).ok()?;
        let whole = loupe_db::Span::new(0, text.len());
        let edit = TextEdit { range: convert::range(line_index(db, file), whole), new_text: formatted };
        Some(if edit.new_text == *text { Vec::new() } else { vec![edit] })
    })
}
