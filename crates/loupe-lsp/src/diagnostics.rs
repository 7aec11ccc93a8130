//! Pushed diagnostics: every file of every loaded pack, after each batch of
//! edits; only the files whose diagnostics changed are published again.

use std::collections::HashMap;
use std::path::PathBuf;

use loupe_db::SourceFile;
use loupe_project::{Cancellable, Target};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use crate::convert;
use crate::world::Snapshot;

/// One file's diagnostics, with the version of the document they are of
/// when the editor has it open.
#[derive(Debug)]
pub(crate) struct FileDiagnostics {
    uri: Uri,
    version: Option<i32>,
    diagnostics: Vec<Diagnostic>,
}

/// The diagnostics of every file of the snapshot's packs (an empty list for
/// a file without any, which clears the editor's).
pub(crate) fn compute(snapshot: &Snapshot, open: &HashMap<PathBuf, (Uri, i32)>) -> Cancellable<Vec<FileDiagnostics>> {
    let targets: Vec<Target> = snapshot.packs.iter().map(|&pack| Target { pack, only: None }).collect();
    let all = snapshot.analysis.check(&targets)?;
    snapshot.analysis.with(|db| {
        // Each file once, in pack order, with its diagnostics.
        let mut files: Vec<(SourceFile, Vec<Diagnostic>)> = Vec::new();
        let mut position: HashMap<SourceFile, usize> = HashMap::new();
        let mut slot = |file: SourceFile, files: &mut Vec<(SourceFile, Vec<Diagnostic>)>| {
            *position.entry(file).or_insert_with(|| {
                files.push((file, Vec::new()));
                files.len() - 1
            })
        };
        for &pack in snapshot.packs.iter() {
            for file in pack.manifest(db).into_iter().chain(pack.files(db).iter().copied()) {
                slot(file, &mut files);
            }
        }
        for diagnostic in &all {
            let at = slot(diagnostic.primary.file, &mut files);
            files[at].1.push(convert::diagnostic(db, diagnostic));
        }
        files
            .into_iter()
            .filter_map(|(file, diagnostics)| {
                let path = PathBuf::from(file.name(db));
                let (uri, version) = match open.get(&path) {
                    Some((uri, version)) => (uri.clone(), Some(*version)),
                    None => (convert::uri(db, file)?, None),
                };
                Some(FileDiagnostics { uri, version, diagnostics })
            })
            .collect()
    })
}

/// What the editor was last sent.
#[derive(Debug, Default)]
pub(crate) struct Published {
    generation: u64,
    by_uri: HashMap<Uri, Vec<Diagnostic>>,
}

impl Published {
    /// Publishes the files whose diagnostics changed, unless a newer batch
    /// of edits has published already.
    pub(crate) async fn publish(&mut self, generation: u64, files: Vec<FileDiagnostics>, client: &Client) {
        if generation < self.generation {
            return;
        }
        self.generation = generation;
        // A file no pack has any more (deleted, or closed before it was saved) is cleared.
        let gone: Vec<Uri> =
            self.by_uri.keys().filter(|uri| !files.iter().any(|file| file.uri == **uri)).cloned().collect();
        for uri in gone {
            self.by_uri.remove(&uri);
            client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        for file in files {
            if self.by_uri.get(&file.uri) == Some(&file.diagnostics) {
                continue;
            }
            client.publish_diagnostics(file.uri.clone(), file.diagnostics.clone(), file.version).await;
            self.by_uri.insert(file.uri, file.diagnostics);
        }
    }
}
