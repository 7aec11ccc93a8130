//! What loading reports: the workspace's load errors as diagnostics.
//!
//! An error with no place in a loaded input is keyed by a file made for
//! the message alone (its name, and the text it could be read as, if any):
//! it belongs to no pack and the workspace never sees it.

use loupe_db::{Code, Database, Diagnostic, Label, SourceFile, Span};
use loupe_project::{LoadError, LoadErrorKind};

/// Load errors of packs and `.lens` files as diagnostics.
pub fn pack_problems(db: &Database, errors: &[LoadError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|error| match error.kind {
            LoadErrorKind::NotFound => {
                diagnostic(db, error).with_help("name pack directories (with a loupe.toml) or .lens files")
            }
            _ => diagnostic(db, error),
        })
        .collect()
}

/// A load error as a diagnostic, located where it has a place.
pub fn diagnostic(db: &Database, error: &LoadError) -> Diagnostic {
    match &error.kind {
        LoadErrorKind::NotUtf8 { valid_up_to, lossy } => {
            let file = shown_file(db, error.name(), lossy.clone());
            // The bad byte reads as U+FFFD in the lossy copy the label points into.
            let span = Span::new(*valid_up_to, *valid_up_to + char::REPLACEMENT_CHARACTER.len_utf8());
            Diagnostic::new(Code::NotUtf8, "file is not valid UTF-8", Label::new(file, span, "invalid byte here"))
                .with_help("save the file as UTF-8")
        }
        LoadErrorKind::EmptyPack { manifest } => Diagnostic::new(
            Code::EmptyPack,
            format!("no .lens files in {}", error.name()),
            Label::new(*manifest, Span::empty(0), "pack declared here"),
        )
        .with_help("add the lens, pillar and question files next to loupe.toml"),
        LoadErrorKind::NoManifest => unlocated(db, error).with_help(
            "create loupe.toml with `[pack]` and `name = \"...\"`, or name the .lens files to check them on their own",
        ),
        _ => unlocated(db, error),
    }
}

/// "cannot read PATH: reason", with nothing to point at.
pub fn unlocated(db: &Database, error: &LoadError) -> Diagnostic {
    read_error(db, error, "")
}

/// "cannot read PATH: reason", pointing at the start of the refused file.
pub fn refused(db: &Database, error: &LoadError) -> Diagnostic {
    read_error(db, error, "refused")
}

fn read_error(db: &Database, error: &LoadError, label: &str) -> Diagnostic {
    let file = shown_file(db, error.name(), String::new());
    Diagnostic::new(
        Code::ReadError,
        format!("cannot read {}: {}", error.name(), error.kind),
        Label::new(file, Span::empty(0), label),
    )
}

/// A file to show in a diagnostic only: no pack holds it.
pub fn shown_file(db: &Database, name: String, text: String) -> SourceFile {
    SourceFile::new(db, name, text)
}
