//! Checks and predicates compiled from their own text.
//!
//! Each is keyed by name, and its text is cut from the file it is defined
//! in. Editing elsewhere in that file re-cuts the text, finds it equal, and
//! so re-evaluates nothing that depends on it.

use std::sync::Arc;

use loupe_db::{BlockText, CompiledBlock, Db, Pack, compiled_block, pack_index, parse_file};
use loupe_syntax::{Block, Item};

/// A choice of the pack, by question and choice id.
#[salsa::interned(debug)]
pub struct ChoiceKey<'db> {
    #[returns(copy)]
    pub pack: Pack,
    #[returns(ref)]
    pub question: String,
    #[returns(ref)]
    pub choice: String,
}

/// A predicate of the pack, by name.
#[salsa::interned(debug)]
pub struct PredicateKey<'db> {
    #[returns(copy)]
    pub pack: Pack,
    #[returns(ref)]
    pub name: String,
}

/// The text of a choice's `check { ... }` block, or `None` when it has none.
#[salsa::tracked(returns(ref))]
pub fn check_source<'db>(db: &'db dyn Db, key: ChoiceKey<'db>) -> Option<String> {
    let pack = key.pack(db);
    let file = *pack_index(db, pack).questions.get(key.question(db))?.first()?;
    let text = file.text(db);
    parse_file(db, file).file.items.iter().find_map(|item| {
        let Item::Pillar(pillar) = item else { return None };
        let question =
            pillar.questions.iter().find(|q| q.id.as_ref().is_some_and(|id| id.text == *key.question(db)))?;
        let choice = question.choices.iter().find(|c| c.id.as_ref().is_some_and(|id| id.text == *key.choice(db)))?;
        let body = choice.check.as_ref()?.body;
        text.get(body.range()).map(str::to_string)
    })
}

/// A choice's check, compiled (shared with the checker, keyed by its text).
pub fn compiled_check<'db>(db: &'db dyn Db, key: ChoiceKey<'db>) -> Option<&'db Block> {
    let source = check_source(db, key).as_ref()?;
    Some(&compiled_block(db, BlockText::new(db, source.as_str())).block)
}

/// A predicate's parameters and the text of its body.
#[salsa::tracked(returns(ref))]
pub fn predicate_source<'db>(db: &'db dyn Db, key: PredicateKey<'db>) -> Option<(Vec<String>, String)> {
    let pack = key.pack(db);
    let file = *pack_index(db, pack).predicates.get(key.name(db))?.first()?;
    let text = file.text(db);
    parse_file(db, file).file.items.iter().find_map(|item| {
        let Item::Predicate(predicate) = item else { return None };
        if predicate.name.as_ref().is_none_or(|name| name.text != *key.name(db)) {
            return None;
        }
        let params = predicate.params.iter().map(|param| param.text.clone()).collect();
        Some((params, text.get(predicate.body.range())?.to_string()))
    })
}

/// A compiled predicate: its parameter names and its body, compiled as a
/// check's is (shared with the checker, keyed by its text), with that text
/// for the messages that explain a failure inside it.
#[derive(Debug, PartialEq, Eq)]
pub struct CompiledPredicate {
    pub params: Vec<String>,
    pub body: Arc<CompiledBlock>,
    pub source: Arc<str>,
}

#[salsa::tracked(returns(ref))]
pub fn compiled_predicate<'db>(db: &'db dyn Db, key: PredicateKey<'db>) -> Option<Arc<CompiledPredicate>> {
    let (params, source) = predicate_source(db, key).as_ref()?;
    let body = Arc::clone(compiled_block(db, BlockText::new(db, source.as_str())));
    Some(Arc::new(CompiledPredicate { params: params.clone(), body, source: Arc::from(source.as_str()) }))
}
