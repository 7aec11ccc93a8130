//! The lifecycle: `initialize` (the capabilities, and the packs of the
//! workspace's folders), `initialized` (file watching), folders added,
//! `shutdown`. Edits and requests never reach this server: the
//! [`Ordered`](crate::Ordered) layer handles them in order.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::notification::{DidChangeWatchedFiles, Notification};
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams, FileSystemWatcher, GlobPattern,
    InitializeParams, InitializeResult, InitializedParams, MessageType, OneOf, Registration, ServerCapabilities,
    ServerInfo, WorkspaceFolder, WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::world::World;
use crate::{convert, requests};

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
        #[allow(deprecated)] // `rootUri` is the folder of clients without workspace folders.
        let folders = match params.workspace_folders {
            Some(folders) => folder_paths(&folders),
            None => params.root_uri.iter().filter_map(convert::path).collect(),
        };
        // Found and loaded off this answer: diagnostics are published when they are.
        self.world.load_folders(folders);
        self.world.set_initialized();
        let workspace_folders =
            WorkspaceFoldersServerCapabilities { supported: Some(true), change_notifications: Some(OneOf::Left(true)) };
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(workspace_folders),
                    file_operations: None,
                }),
                ..requests::capabilities()
            },
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

    /// Takes the packs of removed folders away and loads those of added ones.
    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        self.world.change_folders(folder_paths(&params.event.added), folder_paths(&params.event.removed));
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }
}

fn folder_paths(folders: &[WorkspaceFolder]) -> Vec<std::path::PathBuf> {
    folders.iter().filter_map(|folder| convert::path(&folder.uri)).collect()
}
