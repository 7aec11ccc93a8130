//! The requests, one file each, in one flat table. A handler is
//! `from_proto → analysis → to_proto`: it reads LSP parameters into files
//! and byte offsets, asks `loupe_ide` on the snapshot, and answers in LSP
//! types.

mod code_action;
mod code_lens;
mod completion;
mod definition;
mod document_symbol;
mod folding_range;
mod formatting;
mod hover;
mod inlay_hint;
mod references;
mod rename;
mod selection_range;
mod semantic_tokens;
mod workspace_symbol;

use loupe_db::{Database, Pack, SourceFile, Span, line_index};
use loupe_ide::FilePosition;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting,
    GotoDefinition, HoverRequest, InlayHintRequest, References, Rename, Request, SelectionRangeRequest,
    SemanticTokensFullRequest, WorkspaceSymbolRequest,
};
use tower_lsp_server::ls_types::{
    CodeActionOptions, CodeActionProviderCapability, CodeLensOptions, CompletionOptions,
    FoldingRangeProviderCapability, HoverProviderCapability, Location, OneOf, SaveOptions,
    SelectionRangeProviderCapability, SemanticTokensFullOptions, SemanticTokensOptions,
    SemanticTokensServerCapabilities, ServerCapabilities, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

use crate::convert;
use crate::world::Snapshot;

/// A request's handler on JSON: it runs on the blocking pool.
pub(crate) type Handler = fn(&Snapshot, Value) -> Result<Value, Error>;

static HANDLERS: &[(&str, Handler)] = &[
    (HoverRequest::METHOD, |snapshot, params| answer::<HoverRequest>(snapshot, params, hover::handle)),
    (GotoDefinition::METHOD, |snapshot, params| answer::<GotoDefinition>(snapshot, params, definition::handle)),
    (References::METHOD, |snapshot, params| answer::<References>(snapshot, params, references::handle)),
    (Rename::METHOD, |snapshot, params| answer::<Rename>(snapshot, params, rename::handle)),
    (Completion::METHOD, |snapshot, params| answer::<Completion>(snapshot, params, completion::handle)),
    (DocumentSymbolRequest::METHOD, |snapshot, params| {
        answer::<DocumentSymbolRequest>(snapshot, params, document_symbol::handle)
    }),
    (WorkspaceSymbolRequest::METHOD, |snapshot, params| {
        answer::<WorkspaceSymbolRequest>(snapshot, params, workspace_symbol::handle)
    }),
    (FoldingRangeRequest::METHOD, |snapshot, params| {
        answer::<FoldingRangeRequest>(snapshot, params, folding_range::handle)
    }),
    (SelectionRangeRequest::METHOD, |snapshot, params| {
        answer::<SelectionRangeRequest>(snapshot, params, selection_range::handle)
    }),
    (SemanticTokensFullRequest::METHOD, |snapshot, params| {
        answer::<SemanticTokensFullRequest>(snapshot, params, semantic_tokens::handle)
    }),
    (Formatting::METHOD, |snapshot, params| answer::<Formatting>(snapshot, params, formatting::handle)),
    (CodeActionRequest::METHOD, |snapshot, params| answer::<CodeActionRequest>(snapshot, params, code_action::handle)),
    (CodeLensRequest::METHOD, |snapshot, params| answer::<CodeLensRequest>(snapshot, params, code_lens::handle)),
    (InlayHintRequest::METHOD, |snapshot, params| answer::<InlayHintRequest>(snapshot, params, inlay_hint::handle)),
];

/// The handler of `method`, if it is a request the server answers.
pub(crate) fn handler(method: &str) -> Option<Handler> {
    let find = |table: &[(&str, Handler)]| table.iter().find(|(name, _)| *name == method).map(|&(_, handler)| handler);
    #[cfg(feature = "testing")]
    if let Some(handler) = find(crate::testing::HANDLERS) {
        return Some(handler);
    }
    find(HANDLERS)
}

/// Reads a request's parameters, runs its handler and writes its result.
fn answer<R: Request>(
    snapshot: &Snapshot,
    params: Value,
    handle: fn(&Snapshot, R::Params) -> Result<R::Result, Error>,
) -> Result<Value, Error> {
    let params = serde_json::from_value(params).map_err(|error| Error::invalid_params(error.to_string()))?;
    let result = handle(snapshot, params)?;
    serde_json::to_value(result).map_err(|error| Error::invalid_params(error.to_string()))
}

/// The pack, file and byte offset of an editor's position.
fn file_position(
    snapshot: &Snapshot,
    db: &Database,
    params: &TextDocumentPositionParams,
) -> Option<(Pack, FilePosition)> {
    let (pack, file) = snapshot.file(db, &params.text_document.uri)?;
    let offset = convert::offset(line_index(db, file), file.text(db), params.position);
    Some((pack, FilePosition { file, offset }))
}

fn location(db: &Database, file: SourceFile, span: Span) -> Option<Location> {
    Some(Location { uri: convert::uri(db, file)?, range: convert::file_range(db, file, span) })
}

/// What the server offers: the requests of the table, and incremental
/// document sync.
pub(crate) fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), "\"".to_string()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic_tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..SemanticTokensOptions::default()
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(code_action::kinds()),
            ..CodeActionOptions::default()
        })),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}
