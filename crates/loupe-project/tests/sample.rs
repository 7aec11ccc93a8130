//! The sample evidence a manifest names: read with the pack, into one
//! workload per pack; an unreadable file is a located warning; an edit of the
//! manifest, or a file appearing on disk, reads the sample again.

mod common;

use std::path::Path;

use common::{CHECKS, LENS, PREDICATES, TempDir};
use loupe_project::{AnalysisHost, Change, Target};

const BUCKET: &str = r#"{"Resources": {"Data": {"Type": "AWS::S3::Bucket", "Properties": {}}}}"#;

fn manifest(sample: &str) -> String {
    format!("[pack]\nname = \"demo\"\n\n[sample]\nevidence = [{sample}]\n")
}

fn pack_dir(name: &str, sample: &str) -> TempDir {
    let dir = TempDir::new(name);
    dir.write("loupe.toml", manifest(sample));
    dir.write("lens.lens", LENS);
    dir.write("security.lens", CHECKS);
    dir.write("predicates.lens", PREDICATES);
    dir
}

/// The sample's file names (relative to `root`) and the diagnostics of the
/// pack as `code message @ text`.
fn sample_of(host: &AnalysisHost, root: &Path) -> (Vec<String>, Vec<String>) {
    let pack = host.pack(root).expect("the pack is loaded");
    let analysis = host.analysis();
    let files = analysis.sample(pack).map_or_else(Vec::new, |workload| {
        let names = workload.files(host.db()).iter().map(|file| file.name(host.db()).clone());
        names.map(|name| name.strip_prefix(&format!("{}/", root.display())).unwrap_or(&name).to_string()).collect()
    });
    let diagnostics = analysis.check(&[Target { pack, only: None }]).expect("nothing cancels");
    let shown = diagnostics
        .iter()
        .map(|diagnostic| {
            let text = diagnostic.primary.file.text(host.db());
            format!("{} @ {}", diagnostic.code.as_str(), &text[diagnostic.primary.span.range()])
        })
        .collect();
    (files, shown)
}

#[test]
fn the_sample_is_read_with_its_pack_and_unreadable_files_are_warnings_at_their_entry() {
    let dir = pack_dir("sample-read", r#""evidence/bucket.json", "./evidence/../missing.json""#);
    dir.write("evidence/bucket.json", BUCKET);
    let mut host = AnalysisHost::new();
    let loaded = host.load(std::slice::from_ref(&dir.0));
    assert_eq!(loaded.errors, []);
    let (files, diagnostics) = sample_of(&host, &dir.0);
    assert_eq!(files, ["evidence/bucket.json"]);
    assert_eq!(diagnostics, [r#"L0905 @ "./evidence/../missing.json""#]);
}

#[test]
fn a_manifest_edit_or_a_file_appearing_reads_the_sample_again() {
    let dir = pack_dir("sample-change", r#""bucket.json""#);
    let mut host = AnalysisHost::new();
    host.load(std::slice::from_ref(&dir.0));
    assert_eq!(sample_of(&host, &dir.0), (vec![], vec![r#"L0905 @ "bucket.json""#.to_string()]));
    let workload = host.analysis().sample(host.pack(&dir.0).expect("the pack")).expect("a sample");

    // The file appears on disk: the driver tells the host, which reads it into the same workload.
    let bucket = dir.write("bucket.json", BUCKET);
    assert!(host.reread_samples_naming(&bucket));
    assert!(!host.reread_samples_naming(&dir.0.join("other.json")), "no pack names it");
    assert_eq!(sample_of(&host, &dir.0), (vec!["bucket.json".to_string()], vec![]));
    assert_eq!(host.analysis().sample(host.pack(&dir.0).expect("the pack")), Some(workload));

    // The manifest is edited to name nothing: the pack has no sample.
    let mut change = Change::new();
    change.set_text(dir.0.join("loupe.toml"), "[pack]\nname = \"demo\"\n");
    host.apply_change(change);
    assert_eq!(host.analysis().sample(host.pack(&dir.0).expect("the pack")), None);
    // And named again, with a second file that cannot be read.
    let mut change = Change::new();
    change.set_text(dir.0.join("loupe.toml"), manifest(r#""bucket.json", "gone.yaml""#));
    host.apply_change(change);
    assert_eq!(sample_of(&host, &dir.0), (vec!["bucket.json".to_string()], vec![r#"L0905 @ "gone.yaml""#.to_string()]));
}
