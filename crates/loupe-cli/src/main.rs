//! `loupe`: the command-line driver.

mod files;
mod load;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{StandardStream, WriteColor};
use loupe_db::{Code, Database, Diagnostic, file_diagnostics, pack_diagnostics, pack_manifest, prefetch_diagnostics};

use render::{ColorMode, Summary};

/// Exit status: nothing to report.
const EXIT_OK: u8 = 0;
/// Exit status: findings at or above the threshold (here: warnings denied).
const EXIT_FINDINGS: u8 = 1;
/// Exit status: invalid input or usage.
const EXIT_INVALID: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "loupe",
    version,
    about = "Policy-as-code for Well-Architected custom lenses",
    long_about = "Loupe checks lenses written in the .lens language: pillars, questions, best-practice \
                  choices, risk rules, and the automated checks that decide them from evidence.",
    after_help = "Examples:\n  loupe check policies/genai\n  loupe check --format json policies/genai/security.lens\n  loupe explain L0204"
)]
struct Cli {
    /// When to color diagnostics on stderr
    #[arg(long, global = true, value_enum, default_value_t = ColorMode::Auto)]
    color: ColorMode,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile packs or files and report diagnostics
    #[command(
        after_help = "Examples:\n  loupe check                      # the pack in the current directory\n  loupe check policies/genai\n  loupe check --deny-warnings --format json policies/genai\n\nExit status: 0 clean, 1 warnings with --deny-warnings, 2 errors or unreadable input."
    )]
    Check {
        /// Pack directories (with a loupe.toml) or .lens files
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Output format: diagnostics on stderr, or a JSON report on stdout
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Fail (exit 1) when there are warnings
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Explain a diagnostic code, with a wrong and a right example
    #[command(after_help = "Examples:\n  loupe explain L0204\n  loupe explain          # list every code")]
    Explain {
        /// A code such as L0101; without it, every code is listed
        code: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Check { paths, format, deny_warnings } => check(&paths, format, deny_warnings, cli.color),
        Command::Explain { code } => explain(code.as_deref()),
    };
    match status {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("loupe: {error}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn check(paths: &[PathBuf], format: Format, deny_warnings: bool, color: ColorMode) -> std::io::Result<u8> {
    let db = Database::default();
    let loaded = load::load(&db, paths);
    let packs: Vec<_> = loaded.targets.iter().map(|target| target.pack).collect();
    prefetch_diagnostics(&db, &packs);
    let mut diagnostics: Vec<Diagnostic> = loaded.problems;
    let mut checked_files = 0;
    for target in &loaded.targets {
        match target.only {
            Some(file) => {
                checked_files += 1;
                // The manifest decides the file's lint levels: its errors matter here too.
                diagnostics.extend(pack_manifest(&db, target.pack).diagnostics.iter().cloned());
                diagnostics.extend(file_diagnostics(&db, target.pack, file).iter().cloned());
            }
            None => {
                checked_files += target.pack.files(&db).len();
                diagnostics.extend(pack_diagnostics(&db, target.pack).iter().cloned());
            }
        }
    }
    let summary = Summary::of(&diagnostics);
    match format {
        Format::Json => render::print_json(&render::to_json(&db, &diagnostics))?,
        Format::Text => {
            let mut stderr = StandardStream::stderr(render::stderr_color(color));
            render::emit_text(&db, &diagnostics, &mut stderr)?;
            print_summary(&mut stderr, checked_files, summary)?;
        }
    }
    Ok(if summary.errors > 0 {
        EXIT_INVALID
    } else if deny_warnings && summary.warnings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
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

fn explain(code: Option<&str>) -> std::io::Result<u8> {
    let Some(text) = code else {
        for code in Code::ALL {
            println!("{}  {:7}  {}", code.as_str(), code.severity().as_str(), code.title());
        }
        return Ok(EXIT_OK);
    };
    match Code::parse(text) {
        Some(code) => {
            print!("{}", code.explanation());
            Ok(EXIT_OK)
        }
        None => {
            eprintln!("loupe: `{text}` is not a diagnostic code; `loupe explain` lists them all");
            Ok(EXIT_INVALID)
        }
    }
}
