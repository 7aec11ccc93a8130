//! A pack evaluated over fixed evidence, as `loupe run` reviews a workload:
//! the fuzzed `.lens` file's checks and predicates run, whether or not the
//! pack checks clean (evaluation must stay bounded either way).
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use loupe_db::{Database, Pack, SourceFile};
use loupe_eval::{Answers, EvidenceFile, Workload, review};
use loupe_evidence::LoadOptions;

const TEMPLATE: &str = include_str!("../../tests/cases/run/evidence/template.yaml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let db = Database::default();
    let file = SourceFile::new(&db, "fuzz.lens".into(), text.into());
    let pack = Pack::new(&db, None, vec![file]);
    let evidence =
        EvidenceFile::new(&db, "template.yaml".into(), Arc::from(TEMPLATE.as_bytes()), LoadOptions::default());
    let workload = Workload::new(&db, vec![evidence]);
    review(&db, pack, workload, &Answers::default(), "2026-01-01");
});
