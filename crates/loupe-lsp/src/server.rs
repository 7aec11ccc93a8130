//! The lifecycle: `initialize` (the capabilities), `initialized` (file
//! watching), `shutdown`. Edits and requests never reach this server: the
//! [`Ordered`](crate::Ordered) layer handles them in order.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::notification::{DidChangeWatchedFiles, Notification};
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, InitializeParams, InitializeResult,
    InitializedParams, MessageType, Registration, ServerInfo,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::requests;
use crate::world::World;

/// The server the [`LspService`](tower_lsp_server::LspService) drives.
#[derive(Debug)]
pub struct Backend {
    client: Client,
    world: World,
    /// Whether the client lets the server register file watchers.
    watch_files: std::sync::atomic::AtomicBool,
}

impl Backend {
    pub(crate) fn new(client: Client, world: World) -> Backend {
        Backend { client, world, watch_files: std::sync::atomic::AtomicBool::new(false) }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let watch_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files)
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        self.watch_files.store(watch_files, std::sync::atomic::Ordering::SeqCst);
        let workspace = params.capabilities.workspace.as_ref();
        let code_lens_refresh = workspace.and_then(|workspace| workspace.code_lens.as_ref()?.refresh_support);
        let inlay_hint_refresh = workspace.and_then(|workspace| workspace.inlay_hint.as_ref()?.refresh_support);
        let refresh = &self.world.refresh;
        refresh.code_lens.store(code_lens_refresh.unwrap_or(false), std::sync::atomic::Ordering::SeqCst);
        refresh.inlay_hint.store(inlay_hint_refresh.unwrap_or(false), std::sync::atomic::Ordering::SeqCst);
        self.world.set_initialized();
        Ok(InitializeResult {
            capabilities: requests::capabilities(),
            server_info: Some(ServerInfo {
                name: "loupe".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.watch_files.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        // Files not open are read from disk: follow their changes, and the
        // sample evidence's (the host keeps only the files a manifest names).
        let watchers = ["**/*.lens", "**/loupe.toml", "**/*.json", "**/*.yaml", "**/*.yml", "**/*.template"]
            .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.to_string()), kind: None })
            .to_vec();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "loupe-watch".to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            self.client.log_message(MessageType::WARNING, format!("loupe: cannot watch files: {error}")).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }
}
