//! `loupe export`: a pack as the Well-Architected Tool's custom lens JSON, or
//! a CloudFormation template that deploys it.

use std::io::Write;
use std::path::PathBuf;

use codespan_reporting::term::termcolor::StandardStream;
use loupe_db::Diagnostic;
use loupe_project::{AnalysisHost, display};

use crate::render::{self, ColorMode};
use crate::{EXIT_INVALID, EXIT_OK, check, run};

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The pack directory (with a loupe.toml)
    #[arg(default_value = ".")]
    pack: PathBuf,
    /// Write to this file instead of stdout
    #[arg(long)]
    output: Option<PathBuf>,
    /// What to write
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    format: ExportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// The custom lens JSON (schemaVersion 2021-11-01), for the console or the ImportLens API
    Json,
    /// A CloudFormation template (JSON) with one AWS::WellArchitected::Lens resource holding that JSON
    Cloudformation,
}

pub fn export(args: &ExportArgs, color: ColorMode) -> std::io::Result<u8> {
    let mut host = AnalysisHost::new();
    let mut stderr = StandardStream::stderr(render::stderr_color(color));
    let refuse = |problems: &[Diagnostic], stderr: &mut StandardStream, db| {
        render::emit_text(db, problems, stderr)?;
        Ok(EXIT_INVALID)
    };
    let export_help =
        || format!("export the pack that holds it: loupe export DIR, where DIR has a {}", loupe_project::MANIFEST);
    if let Some(problem) = run::not_a_pack(host.db(), &args.pack, export_help, "") {
        return refuse(&[problem], &mut stderr, host.db());
    }
    // Only a pack that checks clean of errors is within the Tool's limits.
    let loaded = host.load(std::slice::from_ref(&args.pack));
    let (mut problems, _) = check::diagnose(&host.analysis(), &loaded)?;
    problems.retain(Diagnostic::is_error);
    let Some(pack) = loaded.targets.first().map(|target| target.pack).filter(|_| problems.is_empty()) else {
        return refuse(&problems, &mut stderr, host.db());
    };
    let format = match args.format {
        ExportFormat::Json => loupe_aws::Format::Json,
        ExportFormat::Cloudformation => loupe_aws::Format::CloudFormation,
    };
    let text = match loupe_aws::export(host.db(), pack, format) {
        Ok(text) => text,
        Err(problems) => return refuse(&problems, &mut stderr, host.db()),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|error| std::io::Error::new(error.kind(), format!("cannot write {}: {error}", display(path))))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(EXIT_OK)
}
