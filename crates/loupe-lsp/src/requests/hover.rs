//! `textDocument/hover`: the markdown of `loupe_ide::hover`, over the name
//! or string under the cursor.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::file_position;
use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: HoverParams) -> Result<Option<Hover>, Error> {
    snapshot.with(|db| {
        let (pack, at) = file_position(snapshot, db, &params.text_document_position_params)?;
        let found = loupe_ide::hover(db, pack, snapshot.analysis.sample(pack), at)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
            range: Some(convert::file_range(db, at.file, found.span)),
        })
    })
}
