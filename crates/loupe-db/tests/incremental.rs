//! Incrementality is a tested property: editing one file of a pack re-parses
//! and re-validates that file only, as salsa's execution events show.

use expect_test::expect;
use loupe_db::testing::TestDatabase;
use loupe_db::{Pack, SourceFile, pack_diagnostics};
use salsa::Setter;
use salsa::plumbing::AsId;

const LENS: &str = r#"lens demo "Demo" { description "A demo lens." }"#;

fn pillar(id: &str, question: &str) -> String {
    format!(
        r#"pillar {id} "Pillar {id}" {{
  question {question} "Is it done?" {{
    description "Whether it is done."
    choice {question}_yes "It is done" {{
      improve "Do it." "https://example.com/do"
      check {{ some r in resources("AWS::S3::Bucket") {{ uses_kms(r) }} }}
    }}
    none {question}_no "None of these"
    risk {{
      none when {question}_yes
      high otherwise
    }}
  }}
}}
"#
    )
}

const PREDICATES: &str = r#"
/// Whether a bucket is encrypted with a KMS key.
predicate uses_kms(bucket) { bucket.properties.BucketEncryption.ServerSideEncryptionConfiguration[*].ServerSideEncryptionByDefault.SSEAlgorithm contains "aws:kms" }
"#;

struct Fixture {
    db: TestDatabase,
    pack: Pack,
    files: Vec<SourceFile>,
    /// Salsa keys as they appear in the log, with readable names.
    names: Vec<(String, String)>,
}

const NAMES: [&str; 4] = ["lens.lens", "alpha.lens", "beta.lens", "predicates.lens"];

/// A checked pack of four files, with the execution log emptied.
fn fixture() -> Fixture {
    let db = TestDatabase::default();
    let texts = [LENS.to_string(), pillar("alpha", "QALPHA"), pillar("beta", "QBETA"), PREDICATES.to_string()];
    let files: Vec<SourceFile> =
        NAMES.iter().zip(texts).map(|(name, text)| SourceFile::new(&db, name.to_string(), text)).collect();
    let manifest = SourceFile::new(&db, "loupe.toml".to_string(), "[pack]\nname = \"demo\"\n".to_string());
    let pack = Pack::new(&db, Some(manifest), files.clone());
    let mut fixture = Fixture { db, pack, files, names: Vec::new() };
    let diagnostics = pack_diagnostics(&fixture.db, fixture.pack);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    fixture.names = key_names(&fixture, &fixture.db.take_executed());
    fixture
}

/// Salsa prints a query's key as ids. A single-file key is the file's id; the
/// `(pack, file)` keys are interned per query, in the order the pack's files
/// are first checked, which names them.
fn key_names(fixture: &Fixture, cold_log: &[String]) -> Vec<(String, String)> {
    let mut names = vec![(format!("({:?})", fixture.pack.as_id()), "(pack)".to_string())];
    for (file, name) in fixture.files.iter().zip(NAMES) {
        names.push((format!("({:?})", file.as_id()), format!("({name})")));
    }
    for query in ["validate_file", "file_check_diagnostics", "file_diagnostics"] {
        let keys = cold_log.iter().filter_map(|entry| entry.strip_prefix(query)).collect::<Vec<_>>();
        assert_eq!(keys.len(), NAMES.len(), "{query} runs once per file: {cold_log:#?}");
        for (key, name) in keys.into_iter().zip(NAMES) {
            names.push((format!("{query}{key}"), format!("{query}({name})")));
        }
    }
    // alpha.lens and beta.lens hold the same check text: one key, compiled once.
    let blocks = cold_log.iter().filter_map(|entry| entry.strip_prefix("block_diagnostics")).collect::<Vec<_>>();
    assert_eq!(blocks.len(), 2, "one check text and one predicate body: {cold_log:#?}");
    for (key, name) in blocks.into_iter().zip(["the check alpha and beta share", "the body of uses_kms"]) {
        names.push((format!("block_diagnostics{key}"), format!("block_diagnostics({name})")));
    }
    names
}

/// The queries executed since the last call, with readable keys.
fn executed(fixture: &Fixture) -> Vec<String> {
    let mut log = fixture.db.take_executed();
    for entry in &mut log {
        if let Some((_, name)) = fixture.names.iter().find(|(key, _)| key.contains('_') && key == entry) {
            *entry = name.clone();
            continue;
        }
        for (key, name) in &fixture.names {
            *entry = entry.replace(key, name);
        }
    }
    log.sort();
    log
}

#[test]
fn editing_text_inside_one_file_revalidates_only_that_file() {
    let mut fixture = fixture();

    // A description edit changes positions and text, but no definition.
    let alpha = fixture.files[1];
    let edited = pillar("alpha", "QALPHA").replace("Whether it is done.", "Whether the work is really done.");
    alpha.set_text(&mut fixture.db).to(edited);
    assert!(pack_diagnostics(&fixture.db, fixture.pack).is_empty());

    // The item tree of alpha.lens comes out equal, so the pack index is reused
    // and no other file is parsed or validated again. The pack's own check
    // re-runs, as the lens grew by a few bytes (L0413 adds the files' sizes).
    // The pack's predicates are read again from the parses, and come out equal.
    expect![[r#"
        [
            "file_check_diagnostics(alpha.lens)",
            "file_diagnostics(alpha.lens)",
            "file_export_bytes(alpha.lens)",
            "item_tree(alpha.lens)",
            "pack_diagnostics(pack)",
            "pack_predicates(pack)",
            "parse_file(alpha.lens)",
            "validate_file(alpha.lens)",
        ]
    "#]]
    .assert_debug_eq(&executed(&fixture));
}

#[test]
fn renaming_a_predicate_revalidates_its_users_only() {
    let mut fixture = fixture();

    let predicates = fixture.files[3];
    predicates.set_text(&mut fixture.db).to(PREDICATES.replace("uses_kms", "is_encrypted"));
    let diagnostics = pack_diagnostics(&fixture.db, fixture.pack);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    // Both callers now call an unknown predicate, and the renamed one is unused.
    assert_eq!(codes, ["L0111", "L0111", "L0501"], "{diagnostics:#?}");

    // Only the edited file is parsed again; the index changed, so the files
    // that resolve names against it are validated again, but not re-parsed.
    // Bodies are type-checked again against the new predicates; none is
    // compiled again (the renamed predicate's body text did not change).
    expect![[r#"
        [
            "block_diagnostics(the body of uses_kms)",
            "block_diagnostics(the check alpha and beta share)",
            "file_check_diagnostics(alpha.lens)",
            "file_check_diagnostics(beta.lens)",
            "file_check_diagnostics(predicates.lens)",
            "file_diagnostics(alpha.lens)",
            "file_diagnostics(beta.lens)",
            "file_diagnostics(predicates.lens)",
            "file_export_bytes(predicates.lens)",
            "item_tree(predicates.lens)",
            "pack_diagnostics(pack)",
            "pack_index(pack)",
            "pack_predicates(pack)",
            "parse_file(predicates.lens)",
            "validate_file(alpha.lens)",
            "validate_file(beta.lens)",
            "validate_file(lens.lens)",
            "validate_file(predicates.lens)",
        ]
    "#]]
    .assert_debug_eq(&executed(&fixture));
}
