//! The whole Generative AI Lens pack over a generated 50,000-resource
//! CloudFormation template (~17 MB) and the same workload as a Terraform plan:
//! load, evaluate every check, assemble the review. A plain `serde_json`
//! parse of the same bytes is measured beside it for scale.
//!
//! Run with `cargo bench -p loupe-eval --bench review`.

use std::sync::{Arc, LazyLock};

use loupe_db::{Database, Pack, SourceFile, pack_diagnostics};
use loupe_eval::{Answers, EvidenceFile, Review, Workload, pack_choices, prefetch_evaluations, review};
use loupe_evidence::LoadOptions;

mod common;
#[path = "../../loupe-evidence/benches/generate.rs"]
mod generate;

const RESOURCES: usize = 50_000;

static CLOUDFORMATION: LazyLock<Vec<u8>> = LazyLock::new(|| generate::to_json(&generate::cloudformation(RESOURCES)));
static TERRAFORM: LazyLock<Vec<u8>> = LazyLock::new(|| generate::to_json(&generate::terraform_plan(RESOURCES)));

// The allocator the `loupe` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The GenAI pack's sources, read once.
static PACK: LazyLock<Vec<(String, String)>> = LazyLock::new(common::genai_pack_sources);

fn review_workload(bytes: &[u8], name: &str) -> Review {
    let db = Database::default();
    let files: Vec<SourceFile> =
        PACK.iter().map(|(name, text)| SourceFile::new(&db, name.clone(), text.clone())).collect();
    let manifest = SourceFile::new(&db, "loupe.toml".into(), "[pack]\nname = \"genai\"\n".into());
    let pack = Pack::new(&db, Some(manifest), files);
    assert!(pack_diagnostics(&db, pack).iter().all(|d| !d.is_error()));
    let evidence = EvidenceFile::new(&db, name.into(), Arc::from(bytes), LoadOptions::default());
    let workload = Workload::new(&db, vec![evidence]);
    let choices = pack_choices(&db, pack);
    prefetch_evaluations(&db, workload, &choices, &|| {});
    review(&db, pack, workload, &Answers::default(), "2026-11-24")
}

#[divan::bench(sample_count = 10)]
fn genai_pack_over_cloudformation(bencher: divan::Bencher) {
    let bytes = &*CLOUDFORMATION;
    bencher.bench(|| review_workload(bytes, "template.json"));
}

#[divan::bench(sample_count = 10)]
fn genai_pack_over_terraform_plan(bencher: divan::Bencher) {
    let bytes = &*TERRAFORM;
    bencher.bench(|| review_workload(bytes, "plan.json"));
}

#[divan::bench(sample_count = 10)]
fn serde_json_parse_of_the_template(bencher: divan::Bencher) {
    let bytes = &*CLOUDFORMATION;
    bencher.bench(|| serde_json::from_slice::<serde_json::Value>(bytes).map(|value| value.is_object()));
}
