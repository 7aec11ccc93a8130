//! Evaluating choices in the database: each choice's check is its own query,
//! depending only on its compiled text, the predicates it calls, and the
//! evidence files that hold the resource types it selects.

use std::cell::Cell;
use std::collections::BTreeSet;

use loupe_db::{Db, Pack};
use loupe_evidence::{Evidence, Node, Relations, ResourceId};
use loupe_model::Practice;

use crate::compile::{ChoiceKey, CompiledPredicate, PredicateKey, check_source, compiled_check, compiled_predicate};
use crate::inputs::{EvidenceFile, Workload, evidence_relations, evidence_types, load_evidence};
use crate::interp::{Host, Interpreter, Outcome};
use crate::strings::{JsonText, parsed_json};
use crate::value::{Place, ResourceVal, Val};

/// Evaluation steps one check may take before it is stopped as undecided.
pub const FUEL: u64 = 200_000_000;

/// The outcome of a choice's check, or `None` when the choice has no check.
#[salsa::tracked(returns(ref))]
pub fn evaluate_choice<'db>(db: &'db dyn Db, workload: Workload, key: ChoiceKey<'db>) -> Option<Outcome> {
    let block = compiled_check(db, key)?;
    let source = check_source(db, key).as_ref()?;
    let pack = key.pack(db);
    let host = DbHost { db, workload, pack, followed: Cell::new(None) };
    let practice = Practice { pack: loupe_db::pack_name(db, pack), question: key.question(db), choice: key.choice(db) };
    Some(Interpreter::new(&host, FUEL).check(block, source, &practice))
}

/// Every choice of the pack, as (question, choice), in pack order.
pub fn pack_choices(db: &dyn Db, pack: Pack) -> Vec<(String, String)> {
    loupe_db::pack_index(db, pack)
        .question_choices
        .iter()
        .flat_map(|(question, choices)| choices.iter().map(move |choice| (question.clone(), choice.clone())))
        .collect()
}

fn resource_val<'db>(file: EvidenceFile, evidence: &'db Evidence, id: ResourceId) -> Val<'db> {
    Val::Resource(ResourceVal { file, id, evidence })
}

struct DbHost<'db> {
    db: &'db dyn Db,
    workload: Workload,
    pack: Pack,
    /// The file whose relations were followed last, with its evidence and
    /// relations: a check follows them thousands of times, and asking the
    /// database again for them adds nothing to what this query depends on.
    followed: Cell<Option<(EvidenceFile, &'db Evidence, &'db Relations)>>,
}

impl<'db> DbHost<'db> {
    fn relations(&self, file: EvidenceFile) -> Option<(&'db Evidence, &'db Relations)> {
        if let Some((followed, evidence, relations)) = self.followed.get()
            && followed == file
        {
            return Some((evidence, relations));
        }
        let Ok(evidence) = &**load_evidence(self.db, file) else { return None };
        let relations = evidence_relations(self.db, file);
        self.followed.set(Some((file, evidence, relations)));
        Some((evidence, relations))
    }
}

impl<'db> Host<'db> for DbHost<'db> {
    fn resources(&self, types: &[&str]) -> Vec<Val<'db>> {
        let mut found = Vec::new();
        for &file in self.workload.files(self.db) {
            // Reading the file's type set, not the file, when it has none of them.
            let present: &BTreeSet<String> = evidence_types(self.db, file);
            let selects = |kind: &str| match kind.strip_suffix('*') {
                Some(prefix) => present.iter().any(|present| present.starts_with(prefix)),
                None => present.contains(kind),
            };
            if !types.iter().any(|kind| selects(kind)) {
                continue;
            }
            let Ok(evidence) = &**load_evidence(self.db, file) else { continue };
            let ids = evidence.resource_index().ids_of(types);
            found.extend(ids.into_iter().map(|id| resource_val(file, evidence, id)));
        }
        found
    }

    fn refs(&self, resource: &ResourceVal<'db>, property: Option<&str>) -> Vec<Val<'db>> {
        let Some((evidence, relations)) = self.relations(resource.file) else { return Vec::new() };
        let relations = relations.from(resource.id);
        let mut targets: Vec<ResourceId> = relations
            .iter()
            .filter(|relation| property.is_none_or(|property| relation.is_under(property)))
            .map(|relation| relation.to)
            .collect();
        // Ordered by target already: one resource referred to twice is listed once.
        targets.dedup();
        targets.into_iter().map(|id| resource_val(resource.file, evidence, id)).collect()
    }

    fn referrers(&self, resource: &ResourceVal<'db>, types: &[&str]) -> Vec<Val<'db>> {
        let Some((evidence, relations)) = self.relations(resource.file) else { return Vec::new() };
        let mut sources: Vec<ResourceId> = relations.to(resource.id).map(|relation| relation.from).collect();
        sources.dedup();
        sources
            .into_iter()
            .filter(|&id| {
                let kind = evidence.resource_kind(id);
                types.iter().any(|&pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => kind.starts_with(prefix),
                    None => kind == pattern,
                })
            })
            .map(|id| resource_val(resource.file, evidence, id))
            .collect()
    }

    fn documents(&self) -> Vec<Val<'db>> {
        let mut found = Vec::new();
        for &file in self.workload.files(self.db) {
            if let Ok(evidence) = &**load_evidence(self.db, file) {
                found
                    .extend(evidence.documents.iter().map(|document| Val::Node(&document.root, Place::File(evidence))));
            }
        }
        found
    }

    fn predicate(&self, name: &str) -> Option<&'db CompiledPredicate> {
        compiled_predicate(self.db, PredicateKey::new(self.db, self.pack, name.to_string())).as_deref()
    }

    fn json(&self, text: &str) -> Option<&'db Node> {
        parsed_json(self.db, JsonText::new(self.db, text)).as_ref()
    }
}
