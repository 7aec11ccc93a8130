//! Evidence loading at scale: a generated 50,000-resource CloudFormation template (~17 MB of
//! JSON) and a Terraform plan with the same resources, loaded and indexed, against a plain
//! `serde_json::Value` parse of the same bytes; plus a YAML template and resource queries.
//!
//! Run with `cargo bench -p loupe-evidence --bench load`. Peak memory: see the `load_file` example.

use std::sync::LazyLock;

use loupe_evidence::{Evidence, LoadOptions, Node, Relations, load};

#[path = "generate.rs"]
mod generate;

const RESOURCES: usize = 50_000;
/// YAML is for hand-written templates; 5,000 resources is already a very large one.
const YAML_RESOURCES: usize = 5_000;

static CLOUDFORMATION: LazyLock<Vec<u8>> = LazyLock::new(|| generate::to_json(&generate::cloudformation(RESOURCES)));
static TERRAFORM: LazyLock<Vec<u8>> = LazyLock::new(|| generate::to_json(&generate::terraform_plan(RESOURCES)));
static CLOUDFORMATION_YAML: LazyLock<String> =
    LazyLock::new(|| generate::to_yaml(&generate::cloudformation(YAML_RESOURCES)));
static LOADED: LazyLock<Evidence> = LazyLock::new(|| loaded("template.json", &CLOUDFORMATION));
static LOADED_PLAN: LazyLock<Evidence> = LazyLock::new(|| loaded("plan.json", &TERRAFORM));

fn main() {
    for (name, size) in [
        ("cloudformation.json", CLOUDFORMATION.len()),
        ("terraform-plan.json", TERRAFORM.len()),
        ("cloudformation.yaml", CLOUDFORMATION_YAML.len()),
    ] {
        eprintln!("{name}: {:.1} MB", size as f64 / 1e6);
    }
    // Loaded once up front, so no query sample pays for it.
    LazyLock::force(&LOADED);
    LazyLock::force(&LOADED_PLAN);
    divan::main();
}

fn loaded(name: &str, bytes: &[u8]) -> Evidence {
    match load(name, bytes, &LoadOptions::default()) {
        Ok(evidence) => evidence,
        Err(error) => panic!("{name}: {error}"),
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn cloudformation_json_load(bencher: divan::Bencher) {
    bencher.counter(divan::counter::BytesCount::new(CLOUDFORMATION.len())).bench(|| {
        let evidence = loaded("template.json", divan::black_box(&CLOUDFORMATION));
        assert_eq!(evidence.resource_count(), RESOURCES);
        evidence
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn cloudformation_json_serde_value(bencher: divan::Bencher) {
    bencher.counter(divan::counter::BytesCount::new(CLOUDFORMATION.len())).bench(|| {
        serde_json::from_slice::<serde_json::Value>(divan::black_box(&CLOUDFORMATION)).map_err(|e| e.to_string())
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn terraform_plan_load(bencher: divan::Bencher) {
    bencher.counter(divan::counter::BytesCount::new(TERRAFORM.len())).bench(|| {
        let evidence = loaded("plan.json", divan::black_box(&TERRAFORM));
        assert_eq!(evidence.resource_count(), RESOURCES);
        evidence
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn terraform_plan_serde_value(bencher: divan::Bencher) {
    bencher
        .counter(divan::counter::BytesCount::new(TERRAFORM.len()))
        .bench(|| serde_json::from_slice::<serde_json::Value>(divan::black_box(&TERRAFORM)).map_err(|e| e.to_string()));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn cloudformation_yaml_load(bencher: divan::Bencher) {
    bencher.counter(divan::counter::BytesCount::new(CLOUDFORMATION_YAML.len())).bench(|| {
        let evidence = loaded("template.yaml", divan::black_box(CLOUDFORMATION_YAML.as_bytes()));
        assert_eq!(evidence.resource_count(), YAML_RESOURCES);
        evidence
    });
}

/// Which resource refers to which: computed once per file, by the first check that follows references.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn cloudformation_relations() -> Relations {
    Relations::of(divan::black_box(&LOADED))
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn terraform_plan_relations() -> Relations {
    Relations::of(divan::black_box(&LOADED_PLAN))
}

/// What an evaluator does per check: fetch the resources of a few types and read nested properties.
#[divan::bench]
fn query_three_kinds_and_read_properties() -> usize {
    let evidence = &*LOADED;
    evidence
        .resources_of(divan::black_box(&["AWS::S3::Bucket", "AWS::Bedrock::*", "aws_s3_bucket"]))
        .filter(|resource| {
            let properties = resource.properties;
            let encrypted = properties
                .and_then(|p| p.get_path(&["BucketEncryption", "ServerSideEncryptionConfiguration"]))
                .and_then(|list| list.item(0))
                .and_then(|rule| rule.get_path(&["ServerSideEncryptionByDefault", "SSEAlgorithm"]))
                .and_then(Node::as_str)
                == Some("aws:kms");
            let guarded = properties.and_then(|p| p.get("GuardrailConfiguration")).is_some();
            encrypted || guarded
        })
        .count()
}

/// Looking a resource up by logical id (a `Ref` target) in the 50,000-entry `Resources` object.
#[divan::bench]
fn lookup_by_logical_id() -> bool {
    let root = &LOADED.documents[0].root;
    root.get_path(divan::black_box(&["Resources", "Resource31337", "Properties"])).is_some()
}
