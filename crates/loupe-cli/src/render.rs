//! Diagnostics on the terminal (codespan-reporting) and as JSON.

use std::io::{IsTerminal, Write};

use codespan_reporting::diagnostic as codespan;
use codespan_reporting::term::{self, termcolor};
use loupe_db::{Database, Diagnostic, Severity, SourceFile, Span};
use loupe_diagnostics::{Column, CutFiles, MAX_PER_FILE, Shown, cap_per_file};
use serde::Serialize;

use crate::files::DbFiles;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
}

/// Color only on a terminal, and never with `NO_COLOR` set (unless forced).
pub fn color_choice(mode: ColorMode, is_terminal: bool) -> termcolor::ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    match mode {
        ColorMode::Always => termcolor::ColorChoice::Always,
        ColorMode::Never => termcolor::ColorChoice::Never,
        ColorMode::Auto if no_color || !is_terminal => termcolor::ColorChoice::Never,
        ColorMode::Auto => termcolor::ColorChoice::Auto,
    }
}

pub fn stderr_color(mode: ColorMode) -> termcolor::ColorChoice {
    color_choice(mode, std::io::stderr().is_terminal())
}

/// Renders diagnostics as codespan-reporting does on a terminal, at most
/// [`MAX_PER_FILE`] of each file, and long lines cut around the labels.
pub fn emit_text(
    db: &Database,
    diagnostics: &[Diagnostic],
    out: &mut dyn termcolor::WriteColor,
) -> std::io::Result<()> {
    let files = DbFiles { db };
    let config = term::Config::default();
    for shown in cap_per_file(diagnostics) {
        let rendered = match shown {
            Shown::Diagnostic(diagnostic) => {
                let mut rendered = diagnostic.to_codespan();
                // A path with nothing behind it has no place to point at; a file that
                // was refused (empty, too large) is pointed at, at 1:1.
                if diagnostic.primary.file.text(db).is_empty() && diagnostic.primary.message.is_empty() {
                    rendered.labels.clear();
                }
                rendered
            }
            Shown::Omitted { file, count } => codespan::Diagnostic::note().with_message(format!(
                "{count} more diagnostic{} in {} not shown (at most {MAX_PER_FILE} per file)",
                if count == 1 { "" } else { "s" },
                file.name(db)
            )),
        };
        let mut rendered = rendered;
        let cut = CutFiles::cut(&files, &mut rendered);
        let mut writer = term::StylesWriter::new(&mut *out, &STYLES);
        let emitted = match &cut {
            Some(cut) => term::emit_to_write_style(&mut writer, &config, cut, &rendered),
            None => term::emit_to_write_style(&mut writer, &config, &files, &rendered),
        };
        emitted.map_err(|error| std::io::Error::other(error.to_string()))?;
    }
    Ok(())
}

static STYLES: std::sync::LazyLock<term::Styles> = std::sync::LazyLock::new(term::Styles::default);

#[derive(Serialize)]
pub struct JsonReport {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub summary: Summary,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    /// Diagnostics counted here but not listed: past [`MAX_PER_FILE`] in their file.
    pub omitted: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic]) -> Summary {
        let count = |severity| diagnostics.iter().filter(|d| d.severity == severity).count();
        let omitted = cap_per_file(diagnostics)
            .iter()
            .map(|shown| if let Shown::Omitted { count, .. } = shown { *count } else { 0 })
            .sum();
        Summary { errors: count(Severity::Error), warnings: count(Severity::Warning), omitted }
    }
}

#[derive(Serialize)]
pub struct JsonDiagnostic {
    code: &'static str,
    severity: &'static str,
    message: String,
    file: String,
    range: JsonRange,
    labels: Vec<JsonLabel>,
    help: Option<String>,
}

#[derive(Serialize)]
struct JsonLabel {
    file: String,
    range: JsonRange,
    message: String,
    primary: bool,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

pub fn to_json(db: &Database, diagnostics: &[Diagnostic]) -> JsonReport {
    let range = |file: SourceFile, span: Span| {
        let position = |offset: u32| {
            let at = loupe_db::line_index(db, file).line_col(offset, Column::Chars);
            JsonPosition { line: at.line as usize, column: at.column as usize }
        };
        JsonRange { start: position(span.start), end: position(span.end) }
    };
    let json = cap_per_file(diagnostics)
        .into_iter()
        .filter_map(|shown| if let Shown::Diagnostic(diagnostic) = shown { Some(diagnostic) } else { None })
        .map(|diagnostic| {
            let primary = &diagnostic.primary;
            let mut labels = vec![JsonLabel {
                file: primary.file.name(db).clone(),
                range: range(primary.file, primary.span),
                message: primary.message.clone(),
                primary: true,
            }];
            labels.extend(diagnostic.secondary.iter().map(|label| JsonLabel {
                file: label.file.name(db).clone(),
                range: range(label.file, label.span),
                message: label.message.clone(),
                primary: false,
            }));
            JsonDiagnostic {
                code: diagnostic.code.as_str(),
                severity: diagnostic.severity.as_str(),
                message: diagnostic.message.clone(),
                file: primary.file.name(db).clone(),
                range: range(primary.file, primary.span),
                labels,
                help: diagnostic.help.clone(),
            }
        })
        .collect();
    JsonReport { diagnostics: json, summary: Summary::of(diagnostics) }
}

pub fn print_json(report: &JsonReport) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
}
