//! Checks and predicate bodies compiled from their own text.
//!
//! A file's parse keeps each check's and predicate's body as a span; the body
//! is parsed and type-checked here, keyed by its text. An edit elsewhere in
//! the file leaves the text, and so everything computed from it, as it was.
//! This is the one place a body is parsed: the checker, the item trees and
//! the evaluator all read [`compiled_block`].

use std::sync::Arc;

use loupe_syntax::{Block, Item, Span, SyntaxError};

use crate::checks::{BlockKind, Checker};
use crate::{Code, Db, Diagnostic, Pack, SourceFile, pack_predicates, pack_types, parse_file};

/// The text of a check's or predicate's `{ ... }` block. Equal texts are one key.
#[salsa::interned(debug)]
pub struct BlockText<'db> {
    #[returns(ref)]
    pub text: String,
}

impl<'db> BlockText<'db> {
    /// The text of the body at `body` in `file`, as a key.
    pub fn of(db: &'db dyn Db, file: SourceFile, body: Span) -> BlockText<'db> {
        BlockText::new(db, file.text(db).get(body.range()).unwrap_or_default())
    }
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

/// A block as it is type-checked: its text, and the parameters in scope
/// when it is a predicate's body (`None` for a check).
#[salsa::interned(debug)]
pub struct CheckedBlock<'db> {
    #[returns(copy)]
    pub text: BlockText<'db>,
    #[returns(ref)]
    pub params: Option<Vec<String>>,
}

/// A block's syntax and type errors, spans relative to its text.
#[salsa::tracked(returns(ref))]
pub fn block_diagnostics<'db>(db: &'db dyn Db, pack: Pack, checked: CheckedBlock<'db>) -> Vec<SyntaxError> {
    let compiled = compiled_block(db, checked.text(db));
    let mut diagnostics = compiled.errors.clone();
    let (kind, params) = match checked.params(db) {
        Some(params) => (BlockKind::Predicate, params.as_slice()),
        None => (BlockKind::Check, [].as_slice()),
    };
    Checker::new(pack_predicates(db, pack), pack_types(db, pack), &mut diagnostics).block(
        &compiled.block,
        kind,
        params,
    );
    diagnostics
}

/// The diagnostics of the checks and predicate bodies in `file`, in file
/// positions. A choice without an id is reported by the parse, and its check
/// is not compiled.
#[salsa::tracked(returns(ref))]
pub fn file_check_diagnostics(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<Diagnostic> {
    let parse = parse_file(db, file);
    let checks = parse
        .file
        .choices()
        .filter(|choice| choice.id.is_some())
        .filter_map(|choice| choice.check.as_ref())
        .map(|check| (check.body, None));
    let predicates = parse.file.items.iter().filter_map(|item| match item {
        Item::Predicate(predicate) => {
            Some((predicate.body, Some(predicate.params.iter().map(|param| param.text.clone()).collect())))
        }
        _ => None,
    });
    let mut all = Vec::new();
    for (body, params) in checks.chain(predicates) {
        let relative = block_diagnostics(db, pack, CheckedBlock::new(db, BlockText::of(db, file, body), params));
        // Nesting that the whole file's parse reported already is not reported twice.
        let nesting_reported =
            parse.errors.iter().any(|error| error.code == Code::NestingTooDeep && body.contains(error.primary.span));
        all.extend(
            relative
                .iter()
                .filter(|diagnostic| !(nesting_reported && diagnostic.code == Code::NestingTooDeep))
                .map(|diagnostic| diagnostic.clone().moved_by(body.start).map_file(|()| file)),
        );
    }
    all
}
