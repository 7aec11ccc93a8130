//! The host's thread: it owns the [`AnalysisHost`] and the open documents,
//! and takes [`Event`]s one at a time, in the order the layer stamped them.
//! An edit is applied before anything behind it; a request's snapshot is
//! taken at its place. salsa's `set` waits until every snapshot is dropped:
//! it first cancels the queries running on them, whose tasks then drop
//! their snapshot, so a snapshot is never kept alive while a query waits.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use loupe_db::{Database, Pack, SourceFile};
use loupe_project::{
    Analysis, AnalysisHost, Change, Loaded, MANIFEST, MAX_SOURCE_BYTES, discover_packs, display, is_pack, read_text,
};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification,
};
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, FileChangeType, MessageType, Uri,
};

use crate::convert;
use crate::diagnostics::{self, Published};

/// What the host's thread is asked, in arrival order.
#[derive(Debug)]
pub(crate) enum Event {
    Open(DidOpenTextDocumentParams),
    Change(DidChangeTextDocumentParams),
    Save(DidSaveTextDocumentParams),
    Close(DidCloseTextDocumentParams),
    Watched(DidChangeWatchedFilesParams),
    /// Folders joining the workspace: packs found under them are loaded.
    AddFolders(Vec<PathBuf>),
    /// Folders leaving the workspace: their packs go, but for those with a
    /// file open or under a folder that stays.
    RemoveFolders(Vec<PathBuf>),
    /// The packs found in the workspace's folders, to load.
    LoadPacks(Vec<PathBuf>),
    Snapshot(oneshot::Sender<Snapshot>),
}

impl Event {
    const EDITS: [&str; 5] = [
        DidOpenTextDocument::METHOD,
        DidChangeTextDocument::METHOD,
        DidSaveTextDocument::METHOD,
        DidCloseTextDocument::METHOD,
        DidChangeWatchedFiles::METHOD,
    ];

    /// Whether `method` is an edit notification, which [`Event::edit`] reads.
    pub(crate) fn is_edit(method: &str) -> bool {
        Event::EDITS.contains(&method)
    }

    /// The event of an edit notification.
    pub(crate) fn edit(method: &str, params: serde_json::Value) -> Result<Event, serde_json::Error> {
        Ok(match method {
            DidOpenTextDocument::METHOD => Event::Open(serde_json::from_value(params)?),
            DidChangeTextDocument::METHOD => Event::Change(serde_json::from_value(params)?),
            DidSaveTextDocument::METHOD => Event::Save(serde_json::from_value(params)?),
            DidCloseTextDocument::METHOD => Event::Close(serde_json::from_value(params)?),
            _ => Event::Watched(serde_json::from_value(params)?),
        })
    }
}

/// The database at one place in the order, and the packs loaded by then.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub(crate) analysis: Analysis,
    pub(crate) packs: Arc<[Pack]>,
}

impl Snapshot {
    /// Runs a query; a query cancelled by a later edit answers
    /// `ContentModified`: its positions were the older text's, so it is not
    /// retried on the newer one.
    pub(crate) fn with<T>(&self, query: impl FnOnce(&Database) -> T) -> Result<T, Error> {
        self.analysis.with(query).map_err(|_| Error::content_modified())
    }

    /// The pack and input of the file an editor's URI names.
    pub(crate) fn file(&self, db: &Database, uri: &Uri) -> Option<(Pack, SourceFile)> {
        let name = display(&convert::path(uri)?);
        self.packs.iter().find_map(|&pack| {
            let file = pack.manifest(db).into_iter().chain(pack.files(db).iter().copied());
            file.into_iter().find(|file| *file.name(db) == name).map(|file| (pack, file))
        })
    }
}

/// The handle the layer and the server hold on the host's thread.
#[derive(Clone, Debug)]
pub(crate) struct World {
    events: mpsc::UnboundedSender<Event>,
    initialized: Arc<AtomicBool>,
    pub(crate) refresh: Arc<Refresh>,
    pub(crate) client: Client,
    pub(crate) runtime: Handle,
}

impl World {
    pub(crate) fn send(&self, event: Event) {
        // The thread ends only when every handle is dropped.
        let _ = self.events.send(event);
    }

    /// Asks for a snapshot at this place in the order.
    pub(crate) fn snapshot(&self) -> oneshot::Receiver<Snapshot> {
        let (sender, receiver) = oneshot::channel();
        self.send(Event::Snapshot(sender));
        receiver
    }

    pub(crate) fn set_initialized(&self) {
        self.initialized.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_initialized(&self) -> bool {
        self.initialized.load(Ordering::SeqCst)
    }

    /// Loads the packs of the workspace's folders: they are found on the
    /// blocking pool (a large folder takes a while to walk), then loaded on
    /// the host's thread at their place among the edits.
    pub(crate) fn load_folders(&self, folders: Vec<PathBuf>) {
        if folders.is_empty() {
            return;
        }
        self.send(Event::AddFolders(folders.clone()));
        let world = self.clone();
        self.runtime.spawn_blocking(move || {
            let roots = folders.iter().flat_map(|folder| discover_packs(folder)).collect();
            world.send(Event::LoadPacks(roots));
        });
    }

    /// Takes the packs of removed folders away, then loads those of added ones.
    pub(crate) fn change_folders(&self, added: Vec<PathBuf>, removed: Vec<PathBuf>) {
        if !removed.is_empty() {
            self.send(Event::RemoveFolders(removed));
        }
        self.load_folders(added);
    }

    /// Logs to the client's output, from any thread.
    pub(crate) fn log(&self, kind: MessageType, message: String) {
        let client = self.client.clone();
        self.runtime.spawn(async move { client.log_message(kind, message).await });
    }
}

/// The views on the sample evidence the client lets the server ask it to
/// request again (`workspace/codeLens/refresh`, `workspace/inlayHint/refresh`):
/// a change to a sample file or a manifest changes them in files the client
/// has no reason to ask about again.
#[derive(Debug, Default)]
pub(crate) struct Refresh {
    pub(crate) code_lens: AtomicBool,
    pub(crate) inlay_hint: AtomicBool,
}

/// Starts the host's thread; it ends when every [`World`] is dropped.
pub(crate) fn spawn(client: Client, runtime: Handle) -> World {
    let (events, receiver) = mpsc::unbounded_channel();
    let world =
        World { events, initialized: Arc::new(AtomicBool::new(false)), refresh: Arc::default(), client, runtime };
    let state = State {
        host: AnalysisHost::new(),
        documents: HashMap::new(),
        packs: Arc::from([]),
        roots: Vec::new(),
        folders: Vec::new(),
        published: Arc::new(tokio::sync::Mutex::new(Published::default())),
        generation: 0,
        samples_changed: false,
        world: world.clone(),
    };
    std::thread::Builder::new()
        .name("loupe-host".to_string())
        .spawn(move || state.run(receiver))
        .unwrap_or_else(|error| panic!("cannot start the host's thread: {error}"));
    world
}

/// A document the editor has open: its text is the editor's, not the disk's.
#[derive(Debug)]
struct Document {
    uri: Uri,
    version: i32,
    text: String,
}

struct State {
    host: AnalysisHost,
    documents: HashMap<PathBuf, Document>,
    packs: Arc<[Pack]>,
    /// The directories of the loaded packs.
    roots: Vec<PathBuf>,
    /// The workspace's folders.
    folders: Vec<PathBuf>,
    published: Arc<tokio::sync::Mutex<Published>>,
    /// Counts the batches of edits: diagnostics of an older batch are not
    /// published after a newer one's.
    generation: u64,
    /// Whether the batch being applied may have changed results on sample evidence.
    samples_changed: bool,
    world: World,
}

impl State {
    fn run(mut self, mut events: mpsc::UnboundedReceiver<Event>) {
        while let Some(event) = events.blocking_recv() {
            let mut changed = self.handle(event);
            // Edits queued behind are applied before diagnostics are computed once for all.
            while let Ok(event) = events.try_recv() {
                changed |= self.handle(event);
            }
            if changed {
                self.publish_diagnostics();
            }
            if std::mem::take(&mut self.samples_changed) {
                self.refresh_sample_views();
            }
        }
    }

    /// Handles one event, a panic logged rather than ending the thread;
    /// says whether the files may have changed.
    fn handle(&mut self, event: Event) -> bool {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match event {
            Event::Open(params) => self.open(params),
            Event::Change(params) => self.change(params),
            Event::Save(params) => self.save(params),
            Event::Close(params) => self.close(params),
            Event::Watched(params) => self.watched(params),
            Event::AddFolders(folders) => {
                self.folders.extend(folders);
                false
            }
            Event::RemoveFolders(folders) => self.remove_folders(&folders),
            Event::LoadPacks(roots) => {
                // A folder removed while it was walked loads nothing.
                let wanted: Vec<PathBuf> = roots
                    .into_iter()
                    .filter(|root| self.folders.iter().any(|folder| root.starts_with(folder)))
                    .collect();
                self.load_packs(&wanted)
            }
            Event::Snapshot(sender) => {
                // A request gone since is no error: its snapshot is dropped here.
                let _ = sender.send(Snapshot { analysis: self.host.analysis(), packs: self.packs.clone() });
                false
            }
        }));
        outcome.unwrap_or_else(|panic| {
            self.world.log(MessageType::ERROR, format!("loupe: an edit failed: {}", panic_message(&*panic)));
            true
        })
    }

    fn open(&mut self, params: DidOpenTextDocumentParams) -> bool {
        let document = params.text_document;
        let Some(path) = self.path(&document.uri) else { return false };
        self.load(&path);
        self.set_text(&path, document.text.clone());
        self.documents.insert(path, Document { uri: document.uri, version: document.version, text: document.text });
        true
    }

    fn change(&mut self, params: DidChangeTextDocumentParams) -> bool {
        let Some(path) = self.path(&params.text_document.uri) else { return false };
        let Some(document) = self.documents.get_mut(&path) else {
            self.world.log(MessageType::WARNING, format!("loupe: a change to {} which is not open", path.display()));
            return false;
        };
        let version = params.text_document.version;
        if version <= document.version {
            self.world.log(
                MessageType::WARNING,
                format!(
                    "loupe: ignored version {version} of {}: version {} is newer",
                    path.display(),
                    document.version
                ),
            );
            return false;
        }
        for change in params.content_changes {
            match change.range {
                Some(range) => {
                    let index = loupe_db::LineIndex::new(&document.text);
                    let span = convert::span(&index, &document.text, range);
                    document.text.replace_range(span.range(), &change.text);
                }
                None => document.text = change.text,
            }
        }
        document.version = version;
        let text = document.text.clone();
        self.set_text(&path, text);
        true
    }

    fn save(&mut self, params: DidSaveTextDocumentParams) -> bool {
        if let (Some(path), Some(text)) = (self.path(&params.text_document.uri), params.text)
            && let Some(document) = self.documents.get_mut(&path)
        {
            document.text.clone_from(&text);
            self.set_text(&path, text);
        }
        true
    }

    /// A closed document is the disk's again.
    fn close(&mut self, params: DidCloseTextDocumentParams) -> bool {
        let Some(path) = self.path(&params.text_document.uri) else { return false };
        if self.documents.remove(&path).is_none() {
            return false;
        }
        self.reread(&path);
        true
    }

    /// Files changed on disk: those the editor has open are its own.
    fn watched(&mut self, params: DidChangeWatchedFilesParams) -> bool {
        let mut changed = false;
        for event in params.changes {
            let Some(path) = convert::path(&event.uri) else { continue };
            if let Some(packs_changed) = self.pack_event(&path, event.typ) {
                changed |= packs_changed;
                continue;
            }
            // A sample file changed, appeared or went: its packs read their sample again.
            if self.host.reread_samples_naming(&path) {
                self.samples_changed = true;
                changed = true;
                continue;
            }
            if self.documents.contains_key(&path) {
                continue;
            }
            let known = self.host.source(&path).is_some();
            if event.typ == FileChangeType::DELETED {
                if known {
                    let mut change = Change::new();
                    change.remove_file(&path);
                    self.host.apply_change(change);
                    changed = true;
                }
            } else if known || self.in_loaded_pack(&path) {
                self.reread(&path);
                changed = true;
            }
        }
        changed
    }

    /// Sets a file to its text on disk, or removes it when it is gone.
    fn reread(&mut self, path: &Path) {
        match read_text(path, MAX_SOURCE_BYTES) {
            Ok(text) => self.set_text(path, text),
            Err(_) if !path.exists() => {
                let mut change = Change::new();
                change.remove_file(path);
                self.host.apply_change(change);
            }
            Err(error) => {
                self.world.log(MessageType::WARNING, format!("loupe: {}: {}", error.path.display(), error.kind))
            }
        }
    }

    fn in_loaded_pack(&self, path: &Path) -> bool {
        path.extension().is_some_and(|extension| extension == "lens")
            && self.roots.iter().any(|root| path.starts_with(root))
    }

    fn set_text(&mut self, path: &Path, text: String) {
        // The host reads a manifest's sample again when its text changes.
        self.samples_changed |= path.file_name().is_some_and(|name| name == MANIFEST);
        let mut change = Change::new();
        change.set_text(path, text);
        self.host.apply_change(change);
    }

    /// Loads the pack of a file the editor opens (once), or the file on its
    /// own when it is in no pack.
    fn load(&mut self, path: &Path) {
        if self.host.source(path).is_some() {
            return;
        }
        let root = path.ancestors().skip(1).find(|dir| is_pack(dir)).map(Path::to_path_buf);
        let loaded = match &root {
            Some(root) if self.host.pack(root).is_none() => self.host.load(std::slice::from_ref(root)),
            // A new file of a loaded pack joins it when its text is set.
            Some(_) => return,
            None if path.is_file() => self.host.load(&[path.to_path_buf()]),
            None => {
                self.world.log(
                    MessageType::INFO,
                    format!("loupe: {} is in no pack and not saved: it is not checked", path.display()),
                );
                return;
            }
        };
        self.add_loaded(loaded);
    }

    /// Asks the client to request code lenses and inlay hints again, when it
    /// said it can.
    fn refresh_sample_views(&self) {
        let client = self.world.client.clone();
        let code_lens = self.world.refresh.code_lens.load(Ordering::SeqCst);
        let inlay_hint = self.world.refresh.inlay_hint.load(Ordering::SeqCst);
        let world = self.world.clone();
        self.world.runtime.spawn(async move {
            let refreshed = async {
                if code_lens {
                    client.code_lens_refresh().await?;
                }
                if inlay_hint {
                    client.inlay_hint_refresh().await?;
                }
                Ok::<(), Error>(())
            };
            if let Err(error) = refreshed.await {
                world.log(MessageType::WARNING, format!("loupe: the client did not refresh its views: {error}"));
            }
        });
    }

    fn add_loaded(&mut self, loaded: Loaded) {
        for error in &loaded.errors {
            self.world.log(MessageType::WARNING, format!("loupe: {}: {}", error.path.display(), error.kind));
        }
        self.refresh_packs();
    }

    /// Takes the host's packs: loading one may take files from another.
    fn refresh_packs(&mut self) {
        self.packs = Arc::from(self.host.packs());
        self.roots = self.host.pack_roots().map(Path::to_path_buf).collect();
    }

    /// Loads the packs of the workspace's folders not loaded yet.
    fn load_packs(&mut self, roots: &[PathBuf]) -> bool {
        let new: Vec<PathBuf> = roots.iter().filter(|root| self.host.pack(root).is_none()).cloned().collect();
        if new.is_empty() {
            return false;
        }
        let loaded = self.host.load(&new);
        self.add_loaded(loaded);
        true
    }

    /// A pack that appears or goes on disk: a created manifest (or a `.lens`
    /// file created under a manifest not loaded yet) loads its pack, which
    /// takes the files already loaded under it; a deleted manifest removes
    /// its pack. `None` when the event is no such thing.
    fn pack_event(&mut self, path: &Path, kind: FileChangeType) -> Option<bool> {
        let is_manifest = path.file_name().is_some_and(|name| name == MANIFEST);
        let root = if is_manifest {
            path.parent()?
        } else if kind == FileChangeType::CREATED && self.host.source(path).is_none() && !self.in_loaded_pack(path) {
            path.ancestors().skip(1).find(|dir| is_pack(dir))?
        } else {
            return None;
        };
        let loaded = self.host.pack(root).is_some();
        if kind == FileChangeType::DELETED && loaded && !self.documents.contains_key(path) {
            self.remove_pack(path);
            return Some(true);
        }
        if kind != FileChangeType::DELETED && !loaded && is_pack(root) {
            return Some(self.load_packs(&[root.to_path_buf()]));
        }
        None
    }

    /// Removes the packs under folders that left the workspace, but for
    /// those under a folder that stays and those with a file open in the
    /// editor (which stay checked, as a file opened from anywhere is).
    fn remove_folders(&mut self, removed: &[PathBuf]) -> bool {
        self.folders.retain(|folder| !removed.contains(folder));
        let gone: Vec<PathBuf> = self
            .roots
            .iter()
            .filter(|root| removed.iter().any(|folder| root.starts_with(folder)))
            .filter(|root| !self.folders.iter().any(|folder| root.starts_with(folder)))
            .filter(|root| !self.documents.keys().any(|path| path.starts_with(root)))
            .cloned()
            .collect();
        for root in &gone {
            self.remove_pack(&root.join(MANIFEST));
        }
        !gone.is_empty()
    }

    /// Removes the pack of a deleted manifest. Its files join the pack
    /// around it, if any; otherwise those the editor has open are checked
    /// on their own, as when a file in no pack is opened, and the others
    /// are dropped with their diagnostics.
    fn remove_pack(&mut self, manifest: &Path) {
        let mut change = Change::new();
        change.remove_file(manifest);
        self.host.apply_change(change);
        let orphans: Vec<(PathBuf, String)> = self
            .documents
            .iter()
            .filter(|(path, _)| self.host.source(path).is_none())
            .map(|(path, document)| (path.clone(), document.text.clone()))
            .collect();
        for (path, text) in orphans {
            self.load(&path);
            self.set_text(&path, text);
        }
        self.refresh_packs();
    }

    fn path(&self, uri: &Uri) -> Option<PathBuf> {
        let path = convert::path(uri);
        if path.is_none() {
            self.world.log(MessageType::WARNING, format!("loupe: {} is not a file: it is not checked", uri.as_str()));
        }
        path
    }

    /// Computes every loaded pack's diagnostics on a snapshot, off this
    /// thread (a later edit cancels it), and publishes those that changed.
    fn publish_diagnostics(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let snapshot = Snapshot { analysis: self.host.analysis(), packs: self.packs.clone() };
        let open: HashMap<PathBuf, (Uri, i32)> = self
            .documents
            .iter()
            .map(|(path, document)| (path.clone(), (document.uri.clone(), document.version)))
            .collect();
        let published = self.published.clone();
        let world = self.world.clone();
        self.world.runtime.spawn(async move {
            let computed = tokio::task::spawn_blocking(move || diagnostics::compute(&snapshot, &open)).await;
            match computed {
                Ok(Ok(files)) => published.lock().await.publish(generation, files, &world.client).await,
                // A newer batch of edits publishes its own.
                Ok(Err(_cancelled)) => {}
                Err(error) => world.log(MessageType::ERROR, format!("loupe: diagnostics failed: {error}")),
            }
        });
    }
}

/// The message a panic was raised with.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
}
