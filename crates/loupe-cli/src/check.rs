//! `loupe check`: compile packs and files, report diagnostics.

use std::path::PathBuf;

use codespan_reporting::term::termcolor::{StandardStream, WriteColor};
use loupe_db::Diagnostic;
use loupe_project::{Analysis, AnalysisHost, Loaded};

use crate::render::{self, ColorMode, Summary};
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, Format, answered, load};

pub fn check(paths: &[PathBuf], format: Format, deny_warnings: bool, color: ColorMode) -> std::io::Result<u8> {
    let mut host = AnalysisHost::new();
    let loaded = host.load(paths);
    let (diagnostics, checked_files) = diagnose(&host.analysis(), &loaded)?;
    let db = host.db();
    let summary = Summary::of(&diagnostics);
    match format {
        Format::Json => render::print_json(&render::to_json(db, &diagnostics))?,
        Format::Text => {
            let mut stderr = StandardStream::stderr(render::stderr_color(color));
            render::emit_text(db, &diagnostics, &mut stderr)?;
            print_summary(&mut stderr, checked_files, summary)?;
        }
    }
    // The process ends next: freeing every memo one by one would only add to the wait.
    std::mem::forget(host);
    Ok(if summary.errors > 0 {
        EXIT_INVALID
    } else if deny_warnings && summary.warnings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Every diagnostic of what was loaded, load errors first, and how many
/// files were checked.
pub fn diagnose(analysis: &Analysis, loaded: &Loaded) -> std::io::Result<(Vec<Diagnostic>, usize)> {
    let db = analysis.db();
    let mut diagnostics = load::pack_problems(db, &loaded.errors);
    diagnostics.extend(answered(analysis.check(&loaded.targets))?);
    let checked_files =
        loaded.targets.iter().map(|target| target.only.map_or(target.pack.files(db).len(), |_| 1)).sum();
    Ok((diagnostics, checked_files))
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
