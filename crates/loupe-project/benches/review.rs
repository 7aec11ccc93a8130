//! The whole Generative AI Lens pack over a generated 50,000-resource
//! CloudFormation template (~17 MB) and the same workload as a Terraform plan:
//! load, evaluate every check, assemble the review. A plain `serde_json`
//! parse of the same bytes is measured beside it for scale.
//!
//! Run with `cargo bench -p loupe-project --bench review`.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use loupe_eval::{Answers, Review};
use loupe_evidence::LoadOptions;
use loupe_project::{AnalysisHost, Target};

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
    let mut host = AnalysisHost::new();
    let files = PACK.iter().map(|(name, text)| (PathBuf::from(name), text.clone())).collect();
    let pack = host.add_pack(Path::new("genai"), "[pack]\nname = \"genai\"\n".into(), files);
    let diagnostics = host.analysis().check(&[Target { pack, only: None }]).expect("nothing cancels");
    assert!(diagnostics.iter().all(|d| !d.is_error()));
    let evidence = host.set_evidence(Path::new(name), bytes.to_vec(), LoadOptions::default());
    let workload = host.workload(vec![evidence]);
    let analysis = host.analysis();
    analysis.evaluate(pack, workload, &|| {}).expect("nothing cancels");
    analysis.review(pack, workload, &Answers::default(), "2026-11-24").expect("nothing cancels")
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
