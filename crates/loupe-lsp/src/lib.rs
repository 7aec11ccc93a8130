//! `loupe lsp`: the language server. A driver of the workspace
//! (`loupe-project`), as the CLI is: it applies the editor's edits to the one
//! [`AnalysisHost`](loupe_project::AnalysisHost) and answers from snapshots.
//! It is the only crate that knows LSP types; positions become UTF-16 here,
//! at its edge, and byte offsets everywhere inside.
//!
//! - [`order`]: the tower layer that stamps each message in arrival order:
//!   edits go to the host's thread in that order, and each request takes
//!   its snapshot at its place in it.
//! - [`world`]: the thread that owns the host and the open documents, and
//!   the diagnostics it publishes after each batch of edits.
//! - [`requests`]: one file per request, `from_proto → analysis → to_proto`,
//!   in a flat table.
//! - [`convert`]: offsets ↔ UTF-16 positions, and diagnostics to LSP.
//! - `testing` (feature `testing`, for this crate's tests only): a request
//!   that runs until it is cancelled.

#![deny(clippy::print_stdout)]

mod convert;
mod diagnostics;
mod order;
mod requests;
mod server;
#[cfg(feature = "testing")]
pub mod testing;
mod world;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService, Server};

pub use order::Ordered;
pub use server::Backend;

/// The service of one session, and its socket for messages to the client.
/// Must be called inside a tokio runtime: the host's thread hands work to it.
pub fn service() -> (Ordered<LspService<Backend>>, ClientSocket) {
    let mut world = None;
    let (service, socket) = LspService::build(|client| {
        let spawned = world::spawn(client.clone(), tokio::runtime::Handle::current());
        world = Some(spawned.clone());
        Backend::new(client, spawned)
    })
    .finish();
    let world = world.unwrap_or_else(|| unreachable!("LspService::build calls its init"));
    (Ordered::new(service, world), socket)
}

/// How many answers the server waits for at once. A request's work starts
/// when it arrives whatever this is; past it, answers wait for a slot, so it
/// is well above what an editor keeps in flight: four slow requests must not
/// hold back the fifth's answer.
const ANSWERS_IN_FLIGHT: usize = 64;

/// Serves one session over `input` and `output` until the client exits.
pub async fn serve(input: impl AsyncRead + Unpin, output: impl AsyncWrite) {
    let (service, socket) = service();
    Server::new(input, output, socket).concurrency_level(ANSWERS_IN_FLIGHT).serve(service).await;
}

/// `loupe lsp`: serves over standard input and output on a one-thread
/// runtime; queries run on its blocking pool.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    Ok(())
}
