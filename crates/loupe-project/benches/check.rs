//! `loupe check` at scale: a generated workspace of 10 packs (lenses), each
//! with 10 pillars × 20 questions × 15 choices, checked cold, then re-checked
//! after editing one file. Every check's text is distinct (checks are
//! compiled once per distinct text, so repeated texts would flatter).
//!
//! Run with `cargo bench -p loupe-project --bench check`.

use std::path::PathBuf;

use loupe_project::{AnalysisHost, Change, Target};

mod common;
use common::{Shape, generated_lens};

const LENSES: usize = 10;
/// Per lens, 10 pillars × 20 questions × 15 choices (with "None of these").
const SHAPE: Shape = Shape { pillars: 10, questions: 20, choices: 14, predicate_files: 0 };

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
            let files =
                generated_lens(lens, SHAPE).into_iter().map(|(name, text)| (format!("lens{lens}/{name}"), text));
            (format!("[pack]\nname = \"lens{lens}\"\n"), files.collect())
        })
        .collect();
    Workspace { lenses }
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
