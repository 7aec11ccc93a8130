//! `loupe`: the command-line driver.

mod check;
mod export;
mod files;
mod fmt;
mod import;
mod load;
mod render;
mod run;
mod test;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use loupe_db::Code;

use render::ColorMode;

/// Exit status: nothing to report.
const EXIT_OK: u8 = 0;
/// Exit status: findings at or above the threshold (a risk, denied warnings).
const EXIT_FINDINGS: u8 = 1;
/// Exit status: invalid policy, evidence, answers or usage.
const EXIT_INVALID: u8 = 2;
/// Exit status when the reader of our output went away (`loupe run | head`):
/// what a shell reports for a process ended by SIGPIPE.
const EXIT_BROKEN_PIPE: u8 = 128 + 13;

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
    /// Review a workload's evidence with a pack, like a Well-Architected review
    #[command(
        after_help = "Examples:\n  loupe run policies/genai --evidence examples/rag-chatbot\n  loupe run policies/genai --evidence plan.json --answers answers.yaml --format sarif --output loupe.sarif\n  loupe run policies/genai --evidence template.yaml --fail-on medium --date 2026-12-01\n  terraform show -json tfplan | loupe run policies/genai --evidence -\n  loupe run policies/genai --evidence plan.json --baseline main.json   # fail only on what is new or worse\n\nExit status: 0 no risk at or above --fail-on, 1 a risk at or above it, 2 invalid policy, evidence, answers or usage, or no check of the pack applies to the evidence."
    )]
    Run(run::RunArgs),
    /// Run a pack's tests: evidence fixtures with the statuses and risks they must give
    #[command(
        after_help = "Examples:\n  loupe test policies/genai\n\nExit status: 0 all tests pass, 1 a test fails, 2 invalid pack or fixture."
    )]
    Test {
        /// The pack directory (with a loupe.toml)
        #[arg(default_value = ".")]
        pack: PathBuf,
    },
    /// Write a pack as a Well-Architected custom lens (JSON), or as a CloudFormation template that deploys it
    #[command(
        after_help = "Examples:\n  loupe export policies/genai --output genai-lens.json\n  loupe export policies/genai --format cloudformation --output genai-lens.template.json\n  aws cloudformation deploy --template-file genai-lens.template.json --stack-name genai-lens\n\nExit status: 0 written, 2 a pack with errors, a lens over the Tool's 500 KB, or an output that cannot be written."
    )]
    Export(export::ExportArgs),
    /// Rewrite .lens files in the canonical layout, or check that they are in it
    #[command(
        after_help = "Examples:\n  loupe fmt                        # every .lens file under the current directory\n  loupe fmt --check policies\n  loupe fmt - < security.lens       # standard input to standard output\n\nExit status: 0 formatted, 1 with --check: a file would change, 2 syntax errors or unreadable input (those files are left as they are)."
    )]
    Fmt {
        /// .lens files, or directories to search for them; `-` reads standard input and writes standard output
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Write nothing: name the files that would change, and exit 1 if any would
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code, with a wrong and a right example
    #[command(
        after_help = "Examples:\n  loupe import generative-ai-lens.json --output policies/genai-aws\n\nThe output directory must be new or empty. Fields the language cannot hold are left out, each with a warning.\n\nExit status: 0 imported, 2 the JSON cannot be read as a lens (nothing is written) or the output directory is not empty."
    )]
    /// Read a Well-Architected custom lens JSON into a new, formatted pack
    Import {
        /// The lens JSON (schemaVersion 2021-11-01)
        lens: PathBuf,
        /// The pack directory to create: new or empty
        #[arg(long, short)]
        output: PathBuf,
    },
    #[command(
        after_help = "Examples:\n  loupe init acme-lens\n  loupe init acme-lens --from team-lens.json   # the same as loupe import\n\nThe directory must be new or empty.\n\nExit status: 0 created, 2 the directory is not empty or the lens JSON cannot be imported."
    )]
    /// Create a new pack that checks and tests clean, or import one from a lens JSON
    Init {
        /// The pack directory to create: new or empty
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Import this lens JSON instead of writing the starter pack
        #[arg(long)]
        from: Option<PathBuf>,
    },
    #[command(after_help = "Examples:\n  loupe explain L0204\n  loupe explain          # list every code")]
    Explain {
        /// A code such as L0101; without it, every code is listed
        code: Option<String>,
    },
    /// Serve the Language Server Protocol on standard input and output, for editors
    #[command(after_help = "Editors start it: see editors/ for VS Code, Neovim and Helix.")]
    Lsp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

// Checking allocates many small syntax nodes from several threads at once,
// where mimalloc is markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Check { paths, format, deny_warnings } => check::check(&paths, format, deny_warnings, cli.color),
        Command::Run(args) => run::run(&args, cli.color),
        Command::Test { pack } => test::test(&pack, cli.color),
        Command::Export(args) => export::export(&args, cli.color),
        Command::Fmt { paths, check } => fmt::fmt(&paths, check, cli.color),
        Command::Import { lens, output } => import::import(&lens, &output, cli.color),
        Command::Init { dir, from } => import::init(&dir, from.as_deref(), cli.color),
        Command::Explain { code } => explain(code.as_deref()),
        Command::Lsp => loupe_lsp::run_stdio().map(|()| 0),
    };
    match status {
        Ok(code) => ExitCode::from(code),
        // Nobody is left to read an error message.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_BROKEN_PIPE),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "loupe: {error}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// A snapshot's answer. Nothing changes the workspace while a command runs,
/// so a cancellation is an internal error, not a retry.
fn answered<T>(result: loupe_project::Cancellable<T>) -> std::io::Result<T> {
    result.map_err(std::io::Error::other)
}

fn explain(code: Option<&str>) -> std::io::Result<u8> {
    let mut stdout = std::io::stdout().lock();
    let Some(text) = code else {
        for code in Code::ALL {
            writeln!(stdout, "{}  {:7}  {}", code.as_str(), code.severity().as_str(), code.title())?;
        }
        stdout.flush()?;
        return Ok(EXIT_OK);
    };
    match Code::parse(text) {
        Some(code) => {
            stdout.write_all(code.explanation().as_bytes())?;
            stdout.flush()?;
            Ok(EXIT_OK)
        }
        None => {
            writeln!(std::io::stderr(), "loupe: `{text}` is not a diagnostic code; `loupe explain` lists them all")?;
            Ok(EXIT_INVALID)
        }
    }
}
