//! Checks compiled from their own text.
//!
//! A file's parse keeps each check body as a span; the body is parsed and
//! type-checked here, keyed by its text. An edit elsewhere in the file leaves
//! the text, and so everything computed from it, as it was.

use std::sync::Arc;

use loupe_syntax::{Block, SyntaxError};

use crate::checks::{BlockKind, Checker};
use crate::{Code, Db, Diagnostic, Pack, SourceFile, pack_predicates, pack_types, parse_file};

/// The text of a check's `{ ... }` block. Equal texts are one key.
#[salsa::interned(debug)]
pub struct BlockText<'db> {
    #[returns(ref)]
    pub text: String,
}

/// The text of a `check` in `file`, as a key.
pub(crate) fn check_text<'db>(db: &'db dyn Db, file: SourceFile, check: &loupe_syntax::Check) -> BlockText<'db> {
    BlockText::new(db, file.text(db).get(check.body.range()).unwrap_or_default())
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
    Checker::new((), pack_predicates(db, pack), pack_types(db, pack), &mut diagnostics).block(
        &compiled.block,
        BlockKind::Check,
        &[],
    );
    diagnostics
}

/// The diagnostics of the checks in `file`, in file positions. A choice
/// without an id is reported by the parse, and its check is not compiled.
#[salsa::tracked(returns(ref))]
pub fn file_check_diagnostics(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<Diagnostic> {
    let parse = parse_file(db, file);
    let mut all = Vec::new();
    for check in parse.file.choices().filter(|choice| choice.id.is_some()).filter_map(|choice| choice.check.as_ref()) {
        let relative = check_diagnostics(db, pack, check_text(db, file, check));
        // Nesting that the whole file's parse reported already is not reported twice.
        let nesting_reported = parse
            .errors
            .iter()
            .any(|error| error.code == Code::NestingTooDeep && check.body.contains(error.primary.span));
        all.extend(
            relative
                .iter()
                .filter(|diagnostic| !(nesting_reported && diagnostic.code == Code::NestingTooDeep))
                .map(|diagnostic| diagnostic.clone().moved_by(check.body.start).map_file(|()| file)),
        );
    }
    all
}
