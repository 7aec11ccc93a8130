//! `loupe check` at scale: a generated workspace of 10 packs (lenses), each
//! with 10 pillars × 20 questions × 15 choices, checked cold, then re-checked
//! after editing one file. Every check's text is distinct (checks are
//! compiled once per distinct text, so repeated texts would flatter).
//!
//! Run with `cargo bench -p loupe-project --bench check`.

use std::path::PathBuf;

use loupe_project::{AnalysisHost, Change, Target};

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
    host: AnalysisHost,
    targets: Vec<Target>,
    /// The first pillar file of the first pack, the one the edits touch.
    edited: PathBuf,
}

fn load(workspace: &Workspace) -> Loaded {
    let mut host = AnalysisHost::new();
    let targets = workspace
        .lenses
        .iter()
        .enumerate()
        .map(|(lens, (manifest, files))| {
            let root = PathBuf::from(format!("lens{lens}"));
            let files = files.iter().map(|(name, text)| (PathBuf::from(name), text.clone())).collect();
            Target { pack: host.add_pack(&root, manifest.clone(), files), only: None }
        })
        .collect();
    let edited = PathBuf::from(&workspace.lenses[0].1[1].0);
    Loaded { host, targets, edited }
}

fn check_all(loaded: &Loaded) -> usize {
    let diagnostics = loaded.host.analysis().check(&loaded.targets);
    diagnostics.map_or(0, |diagnostics| diagnostics.len())
}

#[divan::bench(sample_count = 10)]
fn cold_check(bencher: divan::Bencher) {
    let workspace = generate();
    // Each lens is clean but for its size: 3,000 choices with real texts make
    // about 1.3 MB of lens JSON, over the Well-Architected Tool's 500 KB (L0413).
    let loaded = load(&workspace);
    let diagnostics = loaded.host.analysis().check(&loaded.targets).expect("nothing cancels");
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["L0413"; LENSES]);
    // The host is returned so that divan drops it after timing: tearing it
    // down is not part of checking (the CLI exits without it).
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
        let mut change = Change::new();
        change.set_text(loaded.edited.clone(), text);
        loaded.host.apply_change(change);
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
        let mut change = Change::new();
        change.set_text(loaded.edited.clone(), text);
        loaded.host.apply_change(change);
        check_all(&loaded)
    });
}
