//! `textDocument/inlayHint`: each question's risk on the pack's sample
//! evidence (`loupe_ide::inlay_hints`), after its header, within the range
//! asked for.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{InlayHint, InlayHintLabel, InlayHintParams};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>, Error> {
    snapshot.with(|db| {
        let (pack, file) = snapshot.file(db, &params.text_document.uri)?;
        let index = loupe_db::line_index(db, file);
        let asked = convert::span(index, file.text(db), params.range);
        let hints = loupe_ide::inlay_hints(db, pack, file, snapshot.analysis.sample(pack))
            .into_iter()
            .filter(|hint| asked.start <= hint.offset && hint.offset <= asked.end)
            .map(|hint| InlayHint {
                position: convert::position(index, hint.offset),
                label: InlayHintLabel::String(hint.label),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect();
        Some(hints)
    })
}
