//! The Loupe language front end.
//!
//! [`parse`] never fails: it returns a [`SyntaxRoot`] and the syntax errors it
//! recovered from. The grammar (`grammar/loupe.pest`) accepts broken lines as
//! `junk`; the lowering in this crate turns them, and every missing part, into
//! located diagnostics. Nothing here does IO or knows about the database.

pub mod ast;
mod depth;
pub mod format;
// A grammar and lowering out of step give an error node, never a panic.
#[deny(clippy::unwrap_used, clippy::expect_used)]
mod lower;
mod strings;
mod words;

pub use ast::*;
pub use depth::MAX_NESTING;
pub use words::word_before;

/// The deepest expression tree the parser builds; deeper ones become errors.
pub const MAX_EXPR_DEPTH: usize = 128;
pub use loupe_diagnostics::{Code, Diagnostic, Label, Severity, Span};

/// A diagnostic that belongs to the text being parsed.
pub type SyntaxError = Diagnostic<()>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Parse {
    pub file: SyntaxRoot,
    pub errors: Vec<SyntaxError>,
}

/// Parses a whole `.lens` file. Never fails and never overflows the stack.
pub fn parse(text: &str) -> Parse {
    let mut errors = Vec::new();
    let guarded = depth::limit_nesting(text, &mut errors);
    let file = lower::lower_file(guarded.as_deref().unwrap_or(text), text, &mut errors);
    errors.sort_by_key(|error| (error.primary.span.start, error.primary.span.end));
    Parse { file, errors }
}

// pest's generated parser names `alloc` (pest is used without `std`: its
// stack guard costs a sixth of parse time, and `depth` bounds nesting already).
extern crate alloc;

/// Parses a block `{ ... }` on its own, with spans relative to `text`.
/// Never fails: an unparsable block is empty, with errors. The block's
/// comments are not collected here: they are in its file's
/// [`SyntaxRoot::comments`], with positions in the file.
pub fn parse_block(text: &str) -> (Block, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let guarded = depth::limit_nesting(text, &mut errors);
    let block = lower::lower_block(guarded.as_deref().unwrap_or(text), text, &mut errors);
    (block, errors)
}

mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../../grammar/loupe.pest"]
    pub(crate) struct LoupeParser;
}
