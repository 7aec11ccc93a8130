//! Edit → published diagnostics, through the real server: the service
//! behind the ordering layer, in process over a pipe, on a one-thread
//! runtime as `loupe lsp` runs. One file of a pack is open; each iteration
//! sends a one-line `didChange` and waits for the `publishDiagnostics` of
//! that version. The server publishes only diagnostics that changed, so
//! every edit alternates between a line that is fine and the same line with
//! an error:
//!
//! - `number_in_a_check`: `> 0` ↔ `> "0"`, a type error inside one check
//!   (the pack's index is untouched);
//! - `typo_in_a_call`: a predicate call ↔ the same call misspelt, an unknown
//!   name (the file's calls change, so the pack's index does).
//!
//! On the GenAI pack (`policies/genai`) and on a generated pack of 200
//! `.lens` files (10 pillars × 20 questions × 6 choices, 189 files of
//! predicates calling each other across files, called by the checks).
//!
//! Run with `cargo bench -p loupe-lsp --bench diagnostics`.

use std::path::{Path, PathBuf};

use serde_json::Value;

#[path = "../tests/server/common.rs"]
#[allow(dead_code)] // The tests' helpers for fixtures are not used here.
mod client;
#[path = "../../loupe-project/benches/common/mod.rs"]
mod packs;

use client::{Client, uri};
use packs::{Shape, generated_lens};

// The allocator the `loupe` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// 200 `.lens` files: the lens header, the pillars, the predicates.
const GENERATED: Shape = Shape { pillars: 10, questions: 20, choices: 5, predicate_files: 189 };

/// A one-line edit: `from` ↔ `to`, at the first `from` after `after` in `file`.
#[derive(Clone, Copy, Debug)]
struct Edit {
    file: &'static str,
    after: &'static str,
    from: &'static str,
    to: &'static str,
}

const GENAI_NUMBER: Edit = Edit {
    file: "security.lens",
    after: "GENSEC01_BP02",
    from: "count(endpoints) > 0",
    to: "count(endpoints) > \"0\"",
};
const GENAI_TYPO: Edit = Edit {
    file: "security.lens",
    after: "GENSEC01_BP01",
    from: "grants_broad_model_access(statement)",
    to: "grants_broad_model_acess(statement)",
};
const GENERATED_NUMBER: Edit = Edit { file: "pillar05.lens", after: "Q0_05_10_C04 \"", from: "> 0", to: "> \"0\"" };
const GENERATED_TYPO: Edit =
    Edit { file: "pillar05.lens", after: "Q0_05_10_C04 \"", from: "encrypted(b,", to: "encrypte(b," };

#[divan::bench(sample_count = 100, sample_size = 1)]
fn genai_number_in_a_check(bencher: divan::Bencher) {
    bench_edits(bencher, &genai_pack(), GENAI_NUMBER);
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn genai_typo_in_a_call(bencher: divan::Bencher) {
    bench_edits(bencher, &genai_pack(), GENAI_TYPO);
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn generated_200_files_number_in_a_check(bencher: divan::Bencher) {
    let pack = GeneratedPack::write("number");
    bench_edits(bencher, &pack.0, GENERATED_NUMBER);
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn generated_200_files_typo_in_a_call(bencher: divan::Bencher) {
    let pack = GeneratedPack::write("typo");
    bench_edits(bencher, &pack.0, GENERATED_TYPO);
}

fn genai_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai").canonicalize().expect("policies/genai exists")
}

/// A generated pack on disk (the server reads the files not open from
/// disk), removed when dropped.
struct GeneratedPack(PathBuf);

impl GeneratedPack {
    fn write(name: &str) -> GeneratedPack {
        let root = std::env::temp_dir().join(format!("loupe-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let files = generated_lens(0, GENERATED);
        assert_eq!(files.len(), 200);
        for (path, text) in
            [("loupe.toml".to_string(), "[pack]\nname = \"lens0\"\n".to_string())].into_iter().chain(files)
        {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a file in the pack")).expect("a temporary directory");
            std::fs::write(path, text).expect("a writable temporary directory");
        }
        GeneratedPack(root)
    }
}

impl Drop for GeneratedPack {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens `edit.file` of the pack at `root`, then times edits back and forth.
fn bench_edits(bencher: divan::Bencher, root: &Path, edit: Edit) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
    let path = root.join(edit.file);
    let text = std::fs::read_to_string(&path).expect("the edited file");
    let mut session = runtime.block_on(Session::open(uri(&path), &text, edit));
    // The first edits fill the memos an edit leaves behind.
    for _ in 0..4 {
        runtime.block_on(session.toggle());
    }
    bencher.bench_local(|| runtime.block_on(session.toggle()));
}

struct Session {
    client: Client,
    uri: String,
    version: i32,
    /// Where the edit is: line and UTF-16 column, from 0.
    line: u32,
    column: u32,
    /// The text there now, and the other.
    texts: [&'static str; 2],
}

impl Session {
    async fn open(uri: String, text: &str, edit: Edit) -> Session {
        assert!(text.is_ascii(), "byte columns are UTF-16 columns");
        let after = text.find(edit.after).expect("the edit's anchor");
        let at = after + text[after..].find(edit.from).expect("the edited text");
        let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        let line = u32::try_from(text[..at].matches('\n').count()).expect("a short file");
        let column = u32::try_from(at - line_start).expect("a short line");
        let mut client = Client::start().await;
        client.open(&uri, 1, text).await;
        let opened = client.publication(&uri).await;
        assert_eq!(opened["diagnostics"], Value::Array(Vec::new()), "the pack is clean at first: {opened}");
        Session { client, uri, version: 1, line, column, texts: [edit.from, edit.to] }
    }

    /// Replaces the text at the edit with the other one, and waits for the
    /// diagnostics of the new version: one error, or none.
    async fn toggle(&mut self) -> usize {
        self.version += 1;
        let [now, next] = self.texts;
        let end = self.column + u32::try_from(now.len()).expect("a short edit");
        self.client.edit(&self.uri, self.version, [self.line, self.column, self.line, end], next).await;
        self.texts = [next, now];
        loop {
            let publication = self.client.publication(&self.uri).await;
            if publication["version"] == self.version {
                let diagnostics = publication["diagnostics"].as_array().map_or(0, Vec::len);
                assert_eq!(diagnostics, usize::from(self.version % 2 == 0), "{publication}");
                return diagnostics;
            }
        }
    }
}
