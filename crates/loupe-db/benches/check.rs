//! `loupe check` at scale: a generated workspace of 10 packs (lenses), each
//! with 10 pillars × 20 questions × 15 choices, checked cold, then re-checked
//! after editing one file. Every check's text is distinct (checks are
//! compiled once per distinct text, so repeated texts would flatter).
//!
//! Run with `cargo bench -p loupe-db --bench check`.

use loupe_db::{Database, Pack, SourceFile, pack_diagnostics, prefetch_diagnostics};
use salsa::Setter;

const LENSES: usize = 10;
const PILLARS: usize = 10;
const QUESTIONS: usize = 20;
/// Real choices per question; with "None of these", 15 in all.
const CHOICES: usize = 14;

// The allocator the `loupe` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The generated sources: per lens, its manifest and its files.
struct Workspace {
    lenses: Vec<(String, Vec<(String, String)>)>,
}

fn generate() -> Workspace {
    let lenses = (0..LENSES)
        .map(|lens| {
            let mut files = vec![(
                format!("lens{lens}/lens.lens"),
                format!(
                    "lens lens{lens} \"Lens {lens}\" {{\n  version \"1.0\"\n  description \"Generated lens {lens}.\"\n}}\n\n\
                     /// Whether a resource is encrypted with a customer key.\n\
                     predicate encrypted(r, algorithm) {{\n  r.properties.Encryption[*].Algorithm contains algorithm\n  exists(r.properties.KmsKeyId)\n}}\n"
                ),
            )];
            files.extend((0..PILLARS).map(|pillar| (format!("lens{lens}/pillar{pillar:02}.lens"), pillar_text(lens, pillar))));
            (format!("[pack]\nname = \"lens{lens}\"\n"), files)
        })
        .collect();
    Workspace { lenses }
}

fn pillar_text(lens: usize, pillar: usize) -> String {
    let mut text = format!("/// Pillar {pillar} of lens {lens}.\npillar P{lens}_{pillar:02} \"Pillar {pillar}\" {{\n");
    for question in 0..QUESTIONS {
        let qid = format!("Q{lens}_{pillar:02}_{question:02}");
        text.push_str(&format!(
            "  /// Question {question}.\n  question {qid} \"How do you handle concern {question}?\" {{\n    description \"What the team does about concern {question}.\"\n    phase deployment, continuous_improvement\n    helpful \"Guide\" \"https://example.com/{qid}\"\n"
        ));
        for choice in 0..CHOICES {
            text.push_str(&format!(
                "    choice {qid}_C{choice:02} \"Practice {choice}\" {{\n      description \"Practice {choice} is in place.\"\n      helpful \"Practice guide\" \"https://example.com/{qid}/{choice}\"\n      improve \"Adopt practice {choice}.\" \"https://example.com/{qid}/{choice}/improve\"\n"
            ));
            if choice % 2 == 0 {
                text.push_str(&format!(
                    "      check {{\n        applies when count(resources(\"AWS::S3::Bucket\", \"aws_s3_bucket\")) > 0\n        every b in resources(\"AWS::S3::Bucket\", \"aws_s3_bucket\") where b.name != \"logs\" {{\n          encrypted(b, \"aws:kms\") else \"bucket {{b.name}} is not encrypted ({qid} practice {choice})\"\n          b.properties.VersioningConfiguration.Status == \"Enabled\" or b.properties.Tags[*].Key contains \"temporary\"\n        }}\n      }}\n"
                ));
            }
            text.push_str("    }\n");
        }
        let all: Vec<String> = (0..CHOICES).map(|choice| format!("{qid}_C{choice:02}")).collect();
        text.push_str(&format!(
            "    none {qid}_no \"None of these\"\n    risk {{\n      none when {}\n      medium when {qid}_C00 and {qid}_C01\n      high otherwise\n    }}\n  }}\n",
            all.join(" and ")
        ));
    }
    text.push_str("}\n");
    text
}

struct Loaded {
    db: Database,
    packs: Vec<Pack>,
    /// The first pillar file of the first pack, the one the edits touch.
    edited: SourceFile,
}

fn load(workspace: &Workspace) -> Loaded {
    let db = Database::default();
    let packs: Vec<Pack> = workspace
        .lenses
        .iter()
        .map(|(manifest, files)| {
            let manifest = SourceFile::new(&db, "loupe.toml".to_string(), manifest.clone());
            let files = files.iter().map(|(name, text)| SourceFile::new(&db, name.clone(), text.clone())).collect();
            Pack::new(&db, Some(manifest), files)
        })
        .collect();
    let edited = packs[0].files(&db)[1];
    Loaded { db, packs, edited }
}

fn check_all(loaded: &Loaded) -> usize {
    prefetch_diagnostics(&loaded.db, &loaded.packs);
    loaded.packs.iter().map(|&pack| pack_diagnostics(&loaded.db, pack).len()).sum()
}

#[divan::bench(sample_count = 10)]
fn cold_check(bencher: divan::Bencher) {
    let workspace = generate();
    // Each lens is clean but for its size: 3,000 choices with real texts make
    // about 1.3 MB of lens JSON, over the Well-Architected Tool's 500 KB (L0413).
    let loaded = load(&workspace);
    check_all(&loaded);
    for &pack in &loaded.packs {
        let codes: Vec<&str> = pack_diagnostics(&loaded.db, pack).iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["L0413"]);
    }
    // The database is returned so that divan drops it after timing: tearing
    // it down is not part of checking (the CLI exits without it).
    bencher.bench_local(|| {
        let loaded = load(&workspace);
        check_all(&loaded);
        loaded
    });
}

/// Typing inside one file: text and positions change, definitions do not.
#[divan::bench(sample_count = 50)]
fn recheck_after_text_edit(bencher: divan::Bencher) {
    let workspace = generate();
    let mut loaded = load(&workspace);
    check_all(&loaded);
    let original = workspace.lenses[0].1[1].1.clone();
    let edited = original.replacen("What the team does", "What the whole team does", 1);
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let text = if flip { edited.clone() } else { original.clone() };
        loaded.edited.set_text(&mut loaded.db).to(text);
        check_all(&loaded)
    });
}

/// Renaming a choice: the pack index changes and the pack is re-validated.
#[divan::bench(sample_count = 20)]
fn recheck_after_definition_edit(bencher: divan::Bencher) {
    let workspace = generate();
    let mut loaded = load(&workspace);
    check_all(&loaded);
    let original = workspace.lenses[0].1[1].1.clone();
    let renamed = original.replace("Q0_00_00_C13", "Q0_00_00_C99");
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let text = if flip { renamed.clone() } else { original.clone() };
        loaded.edited.set_text(&mut loaded.db).to(text);
        check_all(&loaded)
    });
}
