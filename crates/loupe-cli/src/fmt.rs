//! `loupe fmt`: rewrite `.lens` files in the canonical layout, or (`--check`)
//! name those that are not in it.

use std::io::Write;
use std::path::{Path, PathBuf};

use codespan_reporting::term::termcolor::StandardStream;
use loupe_db::{Database, Diagnostic, SourceFile};
use loupe_project::{LoadError, LoadErrorKind, MAX_SOURCE_BYTES, STDIN_NAME, STDIN_PATH, display, read_text};
use loupe_syntax::format::{FormatRefused, format};

use crate::render::{self, ColorMode};
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, load};

pub fn fmt(paths: &[PathBuf], check: bool, color: ColorMode) -> std::io::Result<u8> {
    let db = Database::default();
    let mut problems = Vec::new();
    let mut stderr = StandardStream::stderr(render::stderr_color(color));
    if paths.iter().any(|path| path == Path::new(STDIN_PATH)) {
        if paths.len() > 1 {
            writeln!(stderr, "loupe: `-` (standard input) cannot be given with other paths")?;
            return Ok(EXIT_INVALID);
        }
        return fmt_stdin(&db, check, &mut stderr);
    }

    let files = lens_files(&db, paths, &mut problems);
    let mut stdout = std::io::stdout().lock();
    let (mut changed, mut failed) = (0, 0);
    for path in &files {
        let Some(source) = read_source(&db, path, &mut problems) else {
            failed += 1;
            continue;
        };
        let text = source.text(&db);
        match format(text) {
            Ok(formatted) if formatted == *text => {}
            Ok(formatted) => {
                let name = display(path);
                if check {
                    writeln!(stdout, "would reformat {name}")?;
                } else if let Err(error) = std::fs::write(path, formatted) {
                    failed += 1;
                    writeln!(stderr, "loupe: cannot write {name}: {error}")?;
                    continue;
                } else {
                    writeln!(stdout, "formatted {name}")?;
                }
                changed += 1;
            }
            Err(refused) => {
                failed += 1;
                report_refusal(refused, source, &mut problems, &mut stderr, &db)?;
            }
        }
    }
    stdout.flush()?;
    render::emit_text(&db, &problems, &mut stderr)?;
    let unchanged = files.len() - changed - failed;
    let changed_words = if check { "would be reformatted" } else { "reformatted" };
    let files_word = if files.len() == 1 { "file" } else { "files" };
    write!(stderr, "{} {files_word}: {changed} {changed_words}, {unchanged} already formatted", files.len())?;
    if failed > 0 {
        write!(stderr, ", {failed} with errors (left as {})", if failed == 1 { "it is" } else { "they are" })?;
    }
    writeln!(stderr)?;
    Ok(if failed > 0 || !problems.is_empty() {
        EXIT_INVALID
    } else if check && changed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `loupe fmt -`: the formatted text on standard output (for editors); with
/// `--check`, nothing but the exit status and a line if it would change.
fn fmt_stdin(db: &Database, check: bool, stderr: &mut StandardStream) -> std::io::Result<u8> {
    let mut problems = Vec::new();
    let Some(source) = read_source(db, Path::new(STDIN_PATH), &mut problems) else {
        render::emit_text(db, &problems, stderr)?;
        return Ok(EXIT_INVALID);
    };
    let text = source.text(db);
    let formatted = match format(text) {
        Ok(formatted) => formatted,
        Err(refused) => {
            report_refusal(refused, source, &mut problems, stderr, db)?;
            render::emit_text(db, &problems, stderr)?;
            return Ok(EXIT_INVALID);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if check {
        if formatted == *text {
            return Ok(EXIT_OK);
        }
        writeln!(stdout, "would reformat {}", STDIN_NAME)?;
        stdout.flush()?;
        return Ok(EXIT_FINDINGS);
    }
    stdout.write_all(formatted.as_bytes())?;
    stdout.flush()?;
    Ok(EXIT_OK)
}

fn report_refusal(
    refused: FormatRefused,
    source: loupe_db::SourceFile,
    problems: &mut Vec<Diagnostic>,
    stderr: &mut StandardStream,
    db: &Database,
) -> std::io::Result<()> {
    match refused {
        FormatRefused::SyntaxErrors(errors) => {
            problems.extend(errors.into_iter().map(|error| error.map_file(|()| source)));
            Ok(())
        }
        FormatRefused::WouldChangeMeaning => writeln!(
            stderr,
            "loupe: {}: left unformatted: the formatted text would not parse the same (a bug in loupe fmt; please report it)",
            source.name(db)
        ),
    }
}

/// The text of one file, as a file to show diagnostics in (no pack holds
/// it); `None` with its load error reported.
fn read_source(db: &Database, path: &Path, problems: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    match read_text(path, MAX_SOURCE_BYTES) {
        Ok(text) => Some(load::shown_file(db, display(path), text)),
        Err(error) => {
            problems.push(load::diagnostic(db, &error));
            None
        }
    }
}

/// The files named, and the `.lens` files under the directories named (in
/// sorted order, nested packs included, hidden directories left out).
fn lens_files(db: &Database, paths: &[PathBuf], problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = loupe_project::discover_lens_files(path);
            problems.extend(found.errors.iter().map(|error| load::diagnostic(db, error)));
            files.extend(found.files);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            let error = LoadError::new(path, LoadErrorKind::NotFound);
            problems.push(load::diagnostic(db, &error).with_help("name .lens files or directories"));
        }
    }
    files
}
