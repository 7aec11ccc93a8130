//! The workload's evidence as database inputs, and the queries that read it.

use std::collections::BTreeSet;
use std::sync::Arc;

use loupe_db::Db;
use loupe_evidence::{Evidence, EvidenceError, LoadOptions, Relations};

/// One evidence file: its display name and its bytes. The database never
/// opens a path; drivers read files and set the bytes.
#[salsa::input(debug)]
pub struct EvidenceFile {
    #[returns(ref)]
    pub name: String,
    #[returns(ref)]
    pub bytes: Vec<u8>,
    #[returns(copy)]
    pub options: LoadOptions,
}

/// The workload under review: its evidence files in a stable (sorted) order.
#[salsa::input(debug)]
pub struct Workload {
    #[returns(ref)]
    pub files: Vec<EvidenceFile>,
}

/// A loaded evidence file. Not compared for equality (a change of bytes
/// always means a new load); what depends on it is cut off by
/// [`evidence_types`] and by the evaluation results, which are compared.
#[salsa::tracked(returns(ref), no_eq)]
pub fn load_evidence(db: &dyn Db, file: EvidenceFile) -> Arc<Result<Evidence, EvidenceError>> {
    Arc::new(loupe_evidence::load(file.name(db), file.bytes(db), &file.options(db)))
}

/// The resource types a file declares. A check that selects none of them
/// does not depend on the file's contents, so editing the file leaves the
/// check's result standing.
#[salsa::tracked(returns(ref))]
pub fn evidence_types(db: &dyn Db, file: EvidenceFile) -> BTreeSet<String> {
    match &**load_evidence(db, file) {
        Ok(evidence) => evidence.resource_index().kinds().map(|(kind, _)| kind.to_string()).collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// Which resource of a file refers to which, computed once per file and only
/// for files whose resources a check follows (`refs`, `referrers`). Compared:
/// an edit that leaves the relations as they were re-runs nothing past them.
#[salsa::tracked(returns(ref))]
pub fn evidence_relations(db: &dyn Db, file: EvidenceFile) -> Relations {
    match &**load_evidence(db, file) {
        Ok(evidence) => Relations::of(evidence),
        Err(_) => Relations::default(),
    }
}
