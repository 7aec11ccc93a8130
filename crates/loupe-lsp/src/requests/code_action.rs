//! `textDocument/codeAction`: the assists for the range, each a workspace
//! edit, with the editor's diagnostic it fixes attached (matched by code
//! and range), and only of the kinds the editor asks for.

use loupe_db::line_index;
use loupe_ide::{AssistKind, FileRange};
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, NumberOrString,
};

use crate::convert;
use crate::world::Snapshot;

/// The kinds of action the server offers, for its capabilities.
pub(crate) fn kinds() -> Vec<CodeActionKind> {
    vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR]
}

pub(crate) fn handle(snapshot: &Snapshot, params: CodeActionParams) -> Result<Option<CodeActionResponse>, Error> {
    snapshot.with(|db| {
        let (pack, file) = snapshot.file(db, &params.text_document.uri)?;
        let index = line_index(db, file);
        let span = convert::span(index, file.text(db), params.range);
        let wanted = |kind: &CodeActionKind| {
            params.context.only.as_ref().is_none_or(|only| {
                only.iter().any(|asked| {
                    let (kind, asked) = (kind.as_str(), asked.as_str());
                    kind == asked || kind.strip_prefix(asked).is_some_and(|rest| rest.starts_with('.'))
                })
            })
        };
        let actions = loupe_ide::assists(db, pack, FileRange { file, span }).into_iter().filter_map(|assist| {
            let kind = match assist.kind {
                AssistKind::QuickFix => CodeActionKind::QUICKFIX,
                AssistKind::Refactor => CodeActionKind::REFACTOR,
            };
            if !wanted(&kind) {
                return None;
            }
            let fixed: Vec<_> = assist
                .fixes
                .iter()
                .flat_map(|fixed| {
                    let (code, range) = (fixed.code.as_str(), convert::range(index, fixed.span));
                    params.context.diagnostics.iter().filter(move |diagnostic| {
                        diagnostic.range == range
                            && matches!(&diagnostic.code, Some(NumberOrString::String(given)) if given == code)
                    })
                })
                .cloned()
                .collect();
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: assist.label,
                kind: Some(kind),
                is_preferred: (!fixed.is_empty()).then_some(true),
                diagnostics: (!fixed.is_empty()).then_some(fixed),
                edit: Some(convert::workspace_edit(db, assist.edits)),
                ..CodeAction::default()
            }))
        });
        Some(actions.collect())
    })
}
