//! The requests, one file each, in one flat table. A handler is
//! `from_proto → analysis → to_proto`: it reads LSP parameters, asks the
//! snapshot, and answers in LSP types.

mod formatting;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::request::{Formatting, Request};
use tower_lsp_server::ls_types::{
    OneOf, SaveOptions, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions,
};

use crate::world::Snapshot;

/// A request's handler on JSON: it runs on the blocking pool.
pub(crate) type Handler = fn(&Snapshot, Value) -> Result<Value, Error>;

static HANDLERS: &[(&str, Handler)] =
    &[(Formatting::METHOD, |snapshot, params| answer::<Formatting>(snapshot, params, formatting::handle))];

/// The handler of `method`, if it is a request the server answers.
pub(crate) fn handler(method: &str) -> Option<Handler> {
    HANDLERS.iter().find(|(name, _)| *name == method).map(|&(_, handler)| handler)
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
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}
