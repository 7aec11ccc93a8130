//! `textDocument/codeLens`: each question's risk and each checked choice's
//! result on the pack's sample evidence (`loupe_ide::code_lenses`), shown
//! above its id. They only show: their command runs nothing.

use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{CodeLens, CodeLensParams, Command};

use crate::convert;
use crate::world::Snapshot;

pub(crate) fn handle(snapshot: &Snapshot, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>, Error> {
    snapshot.with(|db| {
        let (pack, file) = snapshot.file(db, &params.text_document.uri)?;
        let index = loupe_db::line_index(db, file);
        let lenses = loupe_ide::code_lenses(db, pack, file, snapshot.analysis.sample(pack))
            .into_iter()
            .map(|lens| CodeLens {
                range: convert::range(index, lens.span),
                command: Some(Command { title: lens.title, command: String::new(), arguments: None }),
                data: None,
            })
            .collect();
        Some(lenses)
    })
}
