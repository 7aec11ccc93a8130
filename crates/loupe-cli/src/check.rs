//! `loupe check`: compile packs and files, report diagnostics.

use std::path::PathBuf;

use codespan_reporting::term::termcolor::{StandardStream, WriteColor};
use loupe_db::{Database, Diagnostic, file_diagnostics, pack_diagnostics, pack_manifest, prefetch_diagnostics};

use crate::render::{self, ColorMode, Summary};
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, Format, load};

pub fn check(paths: &[PathBuf], format: Format, deny_warnings: bool, color: ColorMode) -> std::io::Result<u8> {
    let db = Database::default();
    let loaded = load::load(&db, paths);
    let (diagnostics, checked_files) = diagnose(&db, &loaded);
    let summary = Summary::of(&diagnostics);
    match format {
        Format::Json => render::print_json(&render::to_json(&db, &diagnostics))?,
        Format::Text => {
            let mut stderr = StandardStream::stderr(render::stderr_color(color));
            render::emit_text(&db, &diagnostics, &mut stderr)?;
            print_summary(&mut stderr, checked_files, summary)?;
        }
    }
    // The process ends next: freeing every memo one by one would only add to the wait.
    std::mem::forget(db);
    Ok(if summary.errors > 0 {
        EXIT_INVALID
    } else if deny_warnings && summary.warnings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Every diagnostic of what was loaded, and how many files were checked.
pub fn diagnose(db: &Database, loaded: &load::Loaded) -> (Vec<Diagnostic>, usize) {
    let packs: Vec<_> = loaded.targets.iter().map(|target| target.pack).collect();
    prefetch_diagnostics(db, &packs);
    let mut diagnostics: Vec<Diagnostic> = loaded.problems.clone();
    let mut checked_files = 0;
    for target in &loaded.targets {
        match target.only {
            Some(file) => {
                checked_files += 1;
                // The manifest decides the file's lint levels: its errors matter here too.
                diagnostics.extend(pack_manifest(db, target.pack).diagnostics.iter().cloned());
                diagnostics.extend(file_diagnostics(db, target.pack, file).iter().cloned());
            }
            None => {
                checked_files += target.pack.files(db).len();
                diagnostics.extend(pack_diagnostics(db, target.pack).iter().cloned());
            }
        }
    }
    (diagnostics, checked_files)
}

fn print_summary(out: &mut dyn WriteColor, files: usize, summary: Summary) -> std::io::Result<()> {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "checked {}: {}, {}",
        plural(files, "file"),
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning")
    )
}
