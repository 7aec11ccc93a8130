//! The salsa database: the single source of truth for the CLI and the
//! language server.
//!
//! Drivers (through `loupe-project`) create one [`SourceFile`] input per
//! file and one [`Pack`] input per pack, then ask queries. Queries are
//! layered so that an edit re-runs only what it can affect:
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
#[cfg(feature = "testing")]
pub mod testing;
mod types;
mod validate;

pub use blocks::{BlockText, CheckedBlock, CompiledBlock, block_diagnostics, compiled_block, file_check_diagnostics};
pub use builtins::{Builtin, Param, Spec, Ty, builtins_markdown};
pub use diagnostics::{file_diagnostics, file_export_bytes, pack_diagnostics};
pub use index::{
    DeepCalls, FRAMEWORK_PILLARS, ItemTree, MAX_PREDICATE_DEPTH, PackIndex, item_tree, pack_index, pack_predicates,
    pillar_order,
};
pub use limits::{MAX_CHOICES, MAX_LENS_BYTES, id_problem};
pub use loupe_diagnostics::{Code, Label, LineIndex, Severity, Span};
pub use manifest::{LintLevel, Manifest, SampleEntry, pack_manifest, pack_name};
pub use types::{DeclaredTypes, pack_types};
pub use validate::{PHASES, validate_file};

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

/// The database every driver uses. Cloning gives a handle for another
/// thread (drivers do that through `loupe-project`'s analysis host).
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").finish_non_exhaustive()
    }
}

#[salsa::db]
impl salsa::Database for Database {}

/// The parse of one file. Every later query starts here.
#[salsa::tracked(returns(ref))]
pub fn parse_file(db: &dyn Db, file: SourceFile) -> loupe_syntax::Parse {
    loupe_syntax::parse(file.text(db))
}

/// A file's line index, for turning spans into lines and columns (UTF-8,
/// UTF-16 or characters) and back at the drivers' and reports' edge.
#[salsa::tracked(returns(ref))]
pub fn line_index(db: &dyn Db, file: SourceFile) -> LineIndex {
    LineIndex::new(file.text(db))
}
