//! `textDocument/selectionRange`: for "expand selection", the spans around
//! each position, innermost first, each the parent of the one before.

use loupe_db::line_index;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{SelectionRange, SelectionRangeParams};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>, Error> {
    snapshot.with(|db| {
        let (_, file) = snapshot.file(db, &params.text_document.uri)?;
        let (index, text) = (line_index(db, file), file.text(db));
        let ranges = params.positions.iter().map(|&position| {
            let offset = convert::offset(index, text, position);
            let spans = loupe_ide::selection_ranges(db, file, offset);
            // Built from the outside in, so that each range holds its parent.
            let mut parent: Option<SelectionRange> = None;
            for &span in spans.iter().rev() {
                parent = Some(SelectionRange { range: convert::range(index, span), parent: parent.map(Box::new) });
            }
            parent.unwrap_or(SelectionRange {
                range: convert::range(index, loupe_db::Span::empty(offset as usize)),
                parent: None,
            })
        });
        Some(ranges.collect())
    })
}
