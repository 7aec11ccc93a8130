//! Checks compiled from their own text.
//!
//! A file's parse keeps each check body as a span; the body is parsed and
//! type-checked here, keyed by its text. An edit elsewhere in the file leaves
//! the text, and so everything computed from it, as it was.

use std::sync::Arc;

use loupe_syntax::{Block, SyntaxError};

use crate::checks::{BlockKind, Checker};
use crate::{Db, Pack, pack_index};

/// The text of a check's `{ ... }` block. Equal texts are one key.
#[salsa::interned(debug)]
pub struct BlockText<'db> {
    #[returns(ref)]
    pub text: String,
}

/// A block parsed on its own, spans relative to its text.
#[derive(Debug, PartialEq, Eq)]
pub struct CompiledBlock {
    pub block: Block,
    pub errors: Vec<SyntaxError>,
}

#[salsa::tracked(returns(ref))]
pub fn compiled_block<'db>(db: &'db dyn Db, text: BlockText<'db>) -> Arc<CompiledBlock> {
    let (block, errors) = loupe_syntax::parse_block(text.text(db));
    Arc::new(CompiledBlock { block, errors })
}

/// A check's syntax and type errors, spans relative to its text.
#[salsa::tracked(returns(ref))]
pub fn check_diagnostics<'db>(db: &'db dyn Db, pack: Pack, text: BlockText<'db>) -> Vec<SyntaxError> {
    let compiled = compiled_block(db, text);
    let mut diagnostics = compiled.errors.clone();
    Checker::new((), pack_index(db, pack), &mut diagnostics).block(&compiled.block, BlockKind::Check, &[]);
    diagnostics
}
