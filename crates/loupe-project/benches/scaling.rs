//! Every input kind at growing sizes, so that a run shows the time growing in
//! proportion to the input (doubling the input about doubles the time), hostile
//! shapes included: thousands of unknown calls, a long chain of predicates, an
//! answers line naming one unknown choice over and over, and evidence and
//! reviews of growing workloads.
//!
//! Run with `cargo bench -p loupe-project --bench scaling`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use loupe_db::{Database, Pack, SourceFile, pack_index};
use loupe_eval::Answers;
use loupe_evidence::LoadOptions;
use loupe_project::{AnalysisHost, Target};

mod common;
#[path = "../../loupe-evidence/benches/generate.rs"]
mod generate;

// The allocator the `loupe` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const MANIFEST: &str = "[pack]\nname = \"scaling\"\n";

const SIZES: [usize; 4] = [1_000, 2_000, 4_000, 8_000];

const LENS: &str = "lens scaling \"Scaling\" {\n  description \"Generated.\"\n}\n\
    pillar p \"P\" {\n  question Q \"Q?\" {\n    choice C \"C\" {\n      improve \"i\" \"https://example.com\"\n      check { p0(1) }\n    }\n    none Q_no \"None of these\"\n    risk {\n      none when C\n      high otherwise\n    }\n  }\n}\n";

/// Diagnostics of a pack of one generated file besides the lens.
fn check(text: String) -> usize {
    let mut host = AnalysisHost::new();
    let files = vec![(PathBuf::from("lens.lens"), LENS.to_string()), (PathBuf::from("generated.lens"), text)];
    let pack = host.add_pack(Path::new(""), MANIFEST.to_string(), files);
    host.analysis().check(&[Target { pack, only: None }]).map_or(0, |diagnostics| diagnostics.len())
}

/// `n` predicates, each calling a function no one defined: `n` errors, each with a did-you-mean search.
#[divan::bench(args = SIZES, sample_count = 5)]
fn lens_with_unknown_calls(bencher: divan::Bencher, n: usize) {
    let mut text = String::from("predicate p0(x) { x == 1 }\n");
    for i in 1..n {
        let _ = writeln!(text, "predicate p{i}(x) {{ undefined{i}(x) }}");
    }
    bencher.bench(|| check(text.clone()));
}

/// A chain of `n` predicates, each calling the next: one depth error, found in linear time.
#[divan::bench(args = SIZES, sample_count = 5)]
fn lens_with_a_predicate_chain(bencher: divan::Bencher, n: usize) {
    let mut text = String::new();
    for i in 0..n - 1 {
        let _ = writeln!(text, "predicate p{i}(x) {{ p{}(x) }}", i + 1);
    }
    let _ = writeln!(text, "predicate p{}(x) {{ x == 1 }}", n - 1);
    bencher.bench(|| check(text.clone()));
}

/// `n` predicates calling each other in one cycle: one cycle error, not `n` of them.
#[divan::bench(args = SIZES, sample_count = 5)]
fn lens_with_a_predicate_cycle(bencher: divan::Bencher, n: usize) {
    let mut text = String::new();
    for i in 0..n {
        let _ = writeln!(text, "predicate p{i}(x) {{ p{}(x) }}", (i + 1) % n);
    }
    bencher.bench(|| check(text.clone()));
}

/// An answers file whose one attestation names an unknown choice `n` times.
#[divan::bench(args = SIZES, sample_count = 5)]
fn answers_naming_an_unknown_choice(bencher: divan::Bencher, n: usize) {
    let db = Database::default();
    let lens = SourceFile::new(&db, "lens.lens".into(), LENS.replace("check { p0(1) }", "").replace("      \n", ""));
    let pack = Pack::new(&db, None, vec![lens]);
    let index = pack_index(&db, pack);
    let text = format!("attestations:\n  - question: Q\n    choices: [{}]\n", vec!["NOPE"; n].join(", "));
    bencher.bench(|| Answers::parse("answers.yaml", &text).map(|answers| answers.check_against(index).len()));
}

/// A CloudFormation template of `n` resources, loaded.
#[divan::bench(args = SIZES, sample_count = 5)]
fn evidence_of_n_resources(bencher: divan::Bencher, n: usize) {
    let bytes = generate::to_json(&generate::cloudformation(n));
    bencher
        .bench(|| loupe_evidence::load("template.json", &bytes, &LoadOptions::default()).map(|e| e.resource_count()));
}

/// The GenAI pack's review of a template of `n` resources.
#[divan::bench(args = SIZES, sample_count = 5)]
fn genai_review_of_n_resources(bencher: divan::Bencher, n: usize) {
    let sources = common::genai_pack_sources();
    let bytes = generate::to_json(&generate::cloudformation(n));
    bencher.bench(|| {
        let mut host = AnalysisHost::new();
        let files = sources.iter().map(|(name, text)| (PathBuf::from(name), text.clone())).collect();
        let pack = host.add_pack(Path::new("genai"), "[pack]\nname = \"genai\"\n".into(), files);
        let evidence = host.set_evidence(Path::new("template.json"), bytes.clone(), LoadOptions::default());
        let workload = host.workload(vec![evidence]);
        let analysis = host.analysis();
        analysis.evaluate(pack, workload, &|| {}).expect("nothing cancels");
        analysis.review(pack, workload, &Answers::default(), "2026-12-01").expect("nothing cancels").summary.questions
    });
}
