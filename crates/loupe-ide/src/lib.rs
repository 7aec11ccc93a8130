//! Editor features as plain data, in the style of rust-analyzer's `ide` crate:
//! functions over the database that return byte offsets ([`Span`]s of a
//! file's text), labels and edits. Nothing here knows LSP types, JSON-RPC or
//! UTF-16: the language server converts at its edge (with `loupe_db::line_index`).
//!
//! Every function takes `&dyn Db`; a driver runs it inside
//! `loupe_project::Analysis::with`, which turns salsa cancellation into an
//! `Err`. A position on nothing answers `None` or nothing, never a panic.
//!
//! Results on the pack's sample evidence (code lenses, inlay hints, a
//! choice's hover, property names in completion) take the sample's
//! `Workload`, which the driver gets from `loupe_project::Analysis::sample`.

mod assists;
mod completion;
mod hover;
mod navigation;
mod sample;
mod structure;
mod symbols;
mod text;
mod tokens;

pub use assists::{Assist, AssistKind, FixedDiagnostic, assists};
pub use completion::completions;
pub use hover::hover;
use loupe_db::{Db, Pack, SourceFile};
pub use loupe_diagnostics::Span;
pub use navigation::{goto_definition, references, rename};
pub use sample::{CodeLens, InlayHint, code_lenses, inlay_hints};
pub use structure::{document_symbols, folding_ranges, selection_ranges, workspace_symbols};
pub use tokens::{SemanticToken, TokenKind, semantic_tokens};

/// A byte offset in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FilePosition {
    pub file: SourceFile,
    pub offset: u32,
}

/// A span of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileRange {
    pub file: SourceFile,
    pub span: Span,
}

/// Where a definition is: the whole item, and the name to put the cursor on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NavigationTarget {
    pub file: SourceFile,
    pub full_span: Span,
    pub focus_span: Span,
    pub name: String,
    pub kind: SymbolKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HoverResult {
    /// What the hover is about: the name or string under the cursor.
    pub span: Span,
    pub markdown: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Lens,
    Pillar,
    Question,
    Choice,
    Predicate,
    Test,
    /// A predicate's parameter, or a name bound in a body.
    Variable,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentSymbol {
    pub name: String,
    /// The title or signature.
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub span: Span,
    pub focus_span: Span,
    pub children: Vec<DocumentSymbol>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Keyword,
    Choice,
    Predicate,
    Builtin,
    ResourceType,
    Property,
    Pillar,
    Question,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// What to insert when it differs from `label`.
    pub insert_text: Option<String>,
    /// The text the item replaces: the word before the cursor, or in a
    /// resource type string the text between its quote and the cursor.
    pub replace: Span,
}

/// Replace `span` of `file` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub file: SourceFile,
    pub span: Span,
    pub new_text: String,
}

/// Why a rename was refused, for the user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RenameError {
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoldKind {
    Region,
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fold {
    pub span: Span,
    pub kind: FoldKind,
}

/// One file's syntax and semantic diagnostics, with the pack's lint levels.
pub fn diagnostics(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<loupe_db::Diagnostic> {
    loupe_db::file_diagnostics(db, pack, file).clone()
}

/// The whole file in the `loupe fmt` layout; `None` when it already is, or
/// when the formatter refuses (syntax errors).
pub fn format(db: &dyn Db, file: SourceFile) -> Option<TextEdit> {
    let text = file.text(db);
    let formatted = loupe_syntax::format::format(text).ok()?;
    (formatted != *text).then(|| TextEdit { file, span: Span::new(0, text.len()), new_text: formatted })
}
