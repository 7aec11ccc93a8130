//! Name resolution across the files of a pack.
//!
//! [`item_tree`] summarises one file's definitions without positions;
//! [`pack_index`] merges the summaries. Because neither holds a span, editing
//! text inside an item leaves both equal, and salsa stops the change there.

use std::collections::{BTreeMap, BTreeSet};

use loupe_syntax::{Block, Expr, ExprKind, Item, Predicate};

use crate::blocks::check_text;
use crate::{Db, Pack, SourceFile, compiled_block, parse_file};

/// One file's definitions, without positions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ItemTree {
    pub lenses: usize,
    pub pillars: Vec<PillarItem>,
    pub predicates: Vec<PredicateItem>,
    pub tests: Vec<String>,
    /// Functions and predicates called from the file's checks.
    pub check_calls: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PillarItem {
    pub id: String,
    pub questions: Vec<QuestionItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuestionItem {
    pub id: String,
    pub choices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PredicateItem {
    pub name: String,
    /// Functions and predicates its body calls.
    pub calls: BTreeSet<String>,
}

#[salsa::tracked(returns(ref))]
pub fn item_tree(db: &dyn Db, file: SourceFile) -> ItemTree {
    let mut tree = ItemTree::default();
    for item in &parse_file(db, file).file.items {
        match item {
            Item::Lens(_) => tree.lenses += 1,
            Item::Pillar(pillar) => {
                let Some(id) = &pillar.id else { continue };
                let questions = pillar
                    .questions
                    .iter()
                    .filter_map(|question| {
                        let choices = question.choices.iter().filter_map(|c| c.id.as_ref().map(|id| id.text.clone()));
                        for check in question.choices.iter().filter_map(|c| c.check.as_ref()) {
                            collect_block_calls(
                                &compiled_block(db, check_text(db, file, check)).block,
                                &mut tree.check_calls,
                            );
                        }
                        Some(QuestionItem { id: question.id.as_ref()?.text.clone(), choices: choices.collect() })
                    })
                    .collect();
                tree.pillars.push(PillarItem { id: id.text.clone(), questions });
            }
            Item::Predicate(predicate) => {
                let Some(name) = &predicate.name else {
                    continue;
                };
                let mut calls = BTreeSet::new();
                collect_block_calls(&predicate.body, &mut calls);
                tree.predicates.push(PredicateItem { name: name.text.clone(), calls });
            }
            Item::Test(test) => {
                if let Some(name) = &test.name {
                    tree.tests.push(name.value.clone());
                }
            }
        }
    }
    tree
}

/// The definitions of the whole pack, each name with its defining files in
/// pack order (a name defined twice in one file is listed twice).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PackIndex {
    pub lens_files: Vec<SourceFile>,
    /// Pillar ids in order of first definition.
    pub pillar_order: Vec<String>,
    pub pillars: BTreeMap<String, Vec<SourceFile>>,
    pub questions: BTreeMap<String, Vec<SourceFile>>,
    /// The choice ids of each question's first definition.
    pub question_choices: BTreeMap<String, Vec<String>>,
    pub predicates: BTreeMap<String, Vec<SourceFile>>,
    pub tests: BTreeMap<String, Vec<SourceFile>>,
    /// Predicates reachable from some check.
    pub used_predicates: BTreeSet<String>,
    /// Predicates that can reach themselves through calls, each with a
    /// cycle it is on (`a`, `b`, `a`).
    pub recursive_predicates: BTreeMap<String, Vec<String>>,
}

/// The parameter count of each predicate's first definition. Read from the
/// files' parses alone, so that checks can be type-checked as they are
/// compiled, before every file's item tree exists.
#[salsa::tracked(returns(ref))]
pub fn pack_predicates(db: &dyn Db, pack: Pack) -> BTreeMap<String, usize> {
    let mut arities = BTreeMap::new();
    for &file in pack.files(db) {
        for item in &parse_file(db, file).file.items {
            if let Item::Predicate(Predicate { name: Some(name), params, .. }) = item {
                arities.entry(name.text.clone()).or_insert(params.len());
            }
        }
    }
    arities
}

#[salsa::tracked(returns(ref))]
pub fn pack_index(db: &dyn Db, pack: Pack) -> PackIndex {
    let mut index = PackIndex::default();
    let mut predicate_calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut check_calls = BTreeSet::new();
    for &file in pack.files(db) {
        let tree = item_tree(db, file);
        index.lens_files.extend(std::iter::repeat_n(file, tree.lenses));
        for pillar in &tree.pillars {
            let defs = index.pillars.entry(pillar.id.clone()).or_default();
            if defs.is_empty() {
                index.pillar_order.push(pillar.id.clone());
            }
            defs.push(file);
            for question in &pillar.questions {
                let defs = index.questions.entry(question.id.clone()).or_default();
                if defs.is_empty() {
                    index.question_choices.insert(question.id.clone(), question.choices.clone());
                }
                defs.push(file);
            }
        }
        for predicate in &tree.predicates {
            index.predicates.entry(predicate.name.clone()).or_default().push(file);
            predicate_calls.entry(predicate.name.clone()).or_default().extend(predicate.calls.iter().cloned());
        }
        for test in &tree.tests {
            index.tests.entry(test.clone()).or_default().push(file);
        }
        check_calls.extend(tree.check_calls.iter().cloned());
    }
    index.used_predicates = reachable(&predicate_calls, check_calls.iter());
    index.recursive_predicates = predicate_calls
        .keys()
        .filter_map(|name| Some((name.clone(), cycle_through(&predicate_calls, name)?)))
        .collect();
    index
}

/// The predicates reachable from `roots` through `calls`.
fn reachable<'a>(
    calls: &BTreeMap<String, BTreeSet<String>>,
    roots: impl Iterator<Item = &'a String>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&String> = roots.filter(|name| calls.contains_key(*name)).collect();
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone()) {
            stack.extend(calls[name].iter().filter(|callee| calls.contains_key(*callee)));
        }
    }
    seen
}

/// A shortest call path from `start` back to itself, if there is one.
fn cycle_through(calls: &BTreeMap<String, BTreeSet<String>>, start: &String) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(name) = queue.pop_front() {
        for callee in calls.get(name).into_iter().flatten() {
            if callee == start {
                let mut path = vec![name.clone()];
                let mut at = name;
                while at != start {
                    at = came_from[at];
                    path.push(at.clone());
                }
                path.reverse();
                path.push(start.clone());
                return Some(path);
            }
            if calls.contains_key(callee) && !came_from.contains_key(callee) {
                came_from.insert(callee, name);
                queue.push_back(callee);
            }
        }
    }
    None
}

pub(crate) fn collect_block_calls(block: &Block, calls: &mut BTreeSet<String>) {
    block.for_each_expression(|expr| collect_calls(expr, calls));
}

fn collect_calls(expr: &Expr, calls: &mut BTreeSet<String>) {
    if let ExprKind::Call { function, .. } = &expr.kind
        && !calls.contains(&function.text)
    {
        calls.insert(function.text.clone());
    }
    expr.kind.for_each_child(|child| collect_calls(child, calls));
}
