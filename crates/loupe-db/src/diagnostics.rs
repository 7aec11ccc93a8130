//! Every diagnostic of a pack, in a stable order.

use crate::blocks::file_check_diagnostics;
use crate::limits::{MAX_LENS_BYTES, export_bytes};
use crate::{
    Code, Db, Diagnostic, Label, Pack, SourceFile, Span, pack_index, pack_manifest, parse_file, validate_file,
};

/// One file's syntax and semantic diagnostics, sorted by position, with the
/// pack's lint levels applied to the semantic ones.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> =
        parse_file(db, file).errors.iter().cloned().map(|error| error.map_file(|()| file)).collect();
    let manifest = pack_manifest(db, pack);
    let semantic = validate_file(db, pack, file).iter().chain(file_check_diagnostics(db, pack, file));
    all.extend(semantic.filter_map(|diagnostic| {
        let severity = manifest.severity(diagnostic.code)?;
        Some(Diagnostic { severity, ..diagnostic.clone() })
    }));
    all.sort_by_key(|diagnostic| (diagnostic.primary.span.start, diagnostic.primary.span.end, diagnostic.code));
    all
}

/// What one file adds to the exported lens, at most (see [`export_bytes`]).
#[salsa::tracked]
pub fn file_export_bytes(db: &dyn Db, file: SourceFile) -> usize {
    export_bytes(&parse_file(db, file).file)
}

/// The manifest's, the pack's and every file's diagnostics, file by file.
#[salsa::tracked(returns(ref))]
pub fn pack_diagnostics(db: &dyn Db, pack: Pack) -> Vec<Diagnostic> {
    let mut all = pack_manifest(db, pack).diagnostics.clone();
    if let Some(manifest_file) = pack.manifest(db) {
        let index = pack_index(db, pack);
        if index.lens_files.is_empty() && !pack.files(db).is_empty() {
            all.push(
                Diagnostic::new(
                    Code::MissingLens,
                    "the pack has no lens header",
                    Label::new(manifest_file, Span::empty(0), "in this pack"),
                )
                .with_help("add `lens ID \"Name\" { version \"1.0\" description \"...\" }` to one of its .lens files"),
            );
        }
    }
    let export_bytes: usize = pack.files(db).iter().map(|&file| file_export_bytes(db, file)).sum();
    if export_bytes > MAX_LENS_BYTES {
        let index = pack_index(db, pack);
        if let Some(&file) = index.lens_files.first().or(pack.files(db).first()) {
            all.push(
                Diagnostic::new(
                    Code::LensTooLarge,
                    format!(
                        "the exported lens would take about {} KB, more than the 500 KB accepted",
                        export_bytes / 1000
                    ),
                    Label::new(file, Span::empty(0), "in this pack"),
                )
                .with_help("shorten descriptions and improvement plans, or split the lens into two packs"),
            );
        }
    }
    for &file in pack.files(db) {
        all.extend(file_diagnostics(db, pack, file).iter().cloned());
    }
    all
}
