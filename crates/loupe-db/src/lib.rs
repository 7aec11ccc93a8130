//! The salsa database: the single source of truth for the CLI and the
//! language server.
//!
//! Drivers create one [`SourceFile`] input per file and one [`Pack`] input per
//! pack, then ask queries. Queries are layered so that an edit re-runs only
//! what it can affect:
//!
//! - [`parse_file`]: one file's syntax tree and syntax errors;
//! - [`item_tree`]: one file's definitions without positions, so that editing
//!   a description or moving text leaves it equal and stops the change there;
//! - [`pack_index`]: every file's item tree merged: name resolution across files;
//! - [`pack_predicates`]: the predicates checks are type-checked against;
//! - [`validate_file`]: one file's semantic diagnostics against the index;
//! - [`file_check_diagnostics`]: the diagnostics of one file's checks and predicate bodies;
//! - [`pack_diagnostics`]: everything, sorted, for a whole pack.

mod blocks;
mod builtins;
mod checks;
mod diagnostics;
mod index;
mod limits;
mod manifest;
mod risk;
mod types;
mod validate;

use std::sync::{Arc, Mutex};

pub use blocks::{BlockText, CheckedBlock, CompiledBlock, block_diagnostics, compiled_block, file_check_diagnostics};
pub use builtins::{Builtin, Param, Spec, Ty, builtins_markdown};
pub use diagnostics::{file_diagnostics, pack_diagnostics, prefetch_diagnostics};
pub use index::{DeepCalls, ItemTree, MAX_PREDICATE_DEPTH, PackIndex, item_tree, pack_index, pack_predicates};
pub use loupe_diagnostics::{Code, Label, Severity, Span};
pub use manifest::{LintLevel, Manifest, pack_manifest};
pub use types::{DeclaredTypes, pack_types};
pub use validate::validate_file;

/// A diagnostic located in a database file.
pub type Diagnostic = loupe_diagnostics::Diagnostic<SourceFile>;

/// One source text: a `.lens` file or a pack's `loupe.toml`.
#[salsa::input(debug)]
pub struct SourceFile {
    /// How the file is named in diagnostics (a path relative to where the
    /// driver was started, or an editor URI). Never opened by the database.
    #[returns(ref)]
    pub name: String,
    #[returns(ref)]
    pub text: String,
}

/// A pack: its manifest and its `.lens` files in a stable (sorted) order.
#[salsa::input(debug)]
pub struct Pack {
    /// `None` for loose files checked without a pack.
    #[returns(copy)]
    pub manifest: Option<SourceFile>,
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

#[salsa::db]
pub trait Db: salsa::Database {}

#[salsa::db]
impl Db for Database {}

/// The database every driver uses. Cloning gives a snapshot for another thread.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    executed: Option<Arc<Mutex<Vec<String>>>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").finish_non_exhaustive()
    }
}

#[salsa::db]
impl salsa::Database for Database {}

impl Database {
    /// A database that records which queries execute, for incrementality tests.
    pub fn with_execution_log() -> Database {
        let executed: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&executed);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = log.lock()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        Database { storage, executed: Some(executed) }
    }

    /// The queries executed since the last call, as `query(Id(n))`.
    pub fn take_executed(&self) -> Vec<String> {
        self.executed
            .as_ref()
            .and_then(|log| log.lock().ok().map(|mut log| std::mem::take(&mut *log)))
            .unwrap_or_default()
    }
}

/// Runs `work` over `items`, spread over the machine's cores, each thread
/// asking its own handle on the database (salsa shares the memos).
pub fn on_all_cores<T: Sync>(db: &Database, items: &[T], work: impl Fn(&Database, &T) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if threads <= 1 {
        items.iter().for_each(|item| work(db, item));
        return;
    }
    // Each thread takes the next item when it is done with its last, so a
    // slow item (or core) does not leave the others idle at the end.
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let db = db.clone();
            let (work, next) = (&work, &next);
            scope.spawn(move || {
                while let Some(item) = items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                    work(&db, item);
                }
            });
        }
    });
}

/// The parse of one file. Every later query starts here.
#[salsa::tracked(returns(ref))]
pub fn parse_file(db: &dyn Db, file: SourceFile) -> loupe_syntax::Parse {
    loupe_syntax::parse(file.text(db))
}

/// The byte offset where each line of a file starts, for turning spans into
/// lines and columns in the drivers.
#[salsa::tracked(returns(ref))]
pub fn line_starts(db: &dyn Db, file: SourceFile) -> Vec<usize> {
    std::iter::once(0).chain(file.text(db).match_indices('\n').map(|(i, _)| i + 1)).collect()
}
