//! `textDocument/foldingRange`: blocks and comments that span lines.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>, Error> {
    snapshot.with(|db| {
        let (_, file) = snapshot.file(db, &params.text_document.uri)?;
        let index = loupe_db::line_index(db, file);
        let folds = loupe_ide::folding_ranges(db, file)
            .into_iter()
            .map(|fold| {
                let range = convert::range(index, fold.span);
                FoldingRange {
                    start_line: range.start.line,
                    end_line: range.end.line,
                    kind: Some(match fold.kind {
                        loupe_ide::FoldKind::Region => FoldingRangeKind::Region,
                        loupe_ide::FoldKind::Comment => FoldingRangeKind::Comment,
                    }),
                    ..FoldingRange::default()
                }
            })
            .collect();
        Some(folds)
    })
}
