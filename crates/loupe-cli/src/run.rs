//! `loupe run`: review a workload's evidence with a pack.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::term::termcolor::StandardStream;
use loupe_db::{Code, Database, Diagnostic, Label, Pack, SourceFile, Span, pack_index};
use loupe_eval::{Answers, EvidenceFile, Risk, Workload, load_evidence, pack_choices, prefetch_evaluations, review};
use loupe_evidence::{Format, LoadOptions};

use crate::render::{self, ColorMode};
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, check, load};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The pack directory (with a loupe.toml)
    #[arg(default_value = ".")]
    pack: PathBuf,
    /// Evidence files or directories (every .json, .yaml, .yml and .template file under them, sorted)
    #[arg(long, required = true, num_args = 1..)]
    evidence: Vec<PathBuf>,
    /// Read an evidence file as this format instead of detecting it: PATH=FORMAT, where FORMAT is
    /// terraform-plan, terraform-state, cloudformation, kubernetes or generic (repeatable)
    #[arg(long = "evidence-format", value_name = "PATH=FORMAT", value_parser = parse_override)]
    evidence_formats: Vec<(PathBuf, Format)>,
    /// Largest evidence file accepted, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_evidence_size: usize,
    /// Answers file: attestations, not-applicable questions and waivers (docs/answers.md)
    #[arg(long)]
    answers: Option<PathBuf>,
    /// Report format
    #[arg(long, default_value = "text", value_parser = parse_format)]
    format: loupe_report::Format,
    /// Write the report to this file instead of stdout
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when a question's risk reaches this level (waived risks do not count)
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// The review date, YYYY-MM-DD, for waiver expiry (default: today, UTC)
    #[arg(long)]
    date: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    High,
    Medium,
    Never,
}

fn parse_override(text: &str) -> Result<(PathBuf, Format), String> {
    let (path, format) = text.rsplit_once('=').ok_or("expected PATH=FORMAT")?;
    let format = Format::from_name(format).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|format| format.as_str()).collect();
        format!("unknown format `{format}`: expected one of {}", names.join(", "))
    })?;
    Ok((PathBuf::from(path), format))
}

fn parse_format(text: &str) -> Result<loupe_report::Format, String> {
    text.parse().map_err(|_| "expected text, json, sarif, junit, markdown or aws-answers".to_string())
}

pub fn run(args: &RunArgs, color: ColorMode) -> std::io::Result<u8> {
    let today = match &args.date {
        Some(date) if loupe_eval::is_date(date) => date.clone(),
        Some(date) => {
            eprintln!("loupe: --date `{date}` is not a date: write YYYY-MM-DD");
            return Ok(EXIT_INVALID);
        }
        None => today_utc(),
    };
    let db = Database::default();
    let mut stderr = StandardStream::stderr(render::stderr_color(color));

    // The pack must check clean of errors before it judges anything.
    let loaded = load::load(&db, std::slice::from_ref(&args.pack));
    let (mut problems, _) = check::diagnose(&db, &loaded);
    problems.retain(Diagnostic::is_error);
    let pack = match loaded.targets.first() {
        Some(target) if problems.is_empty() && target.only.is_none() => target.pack,
        Some(_) if problems.is_empty() => {
            problems.push(not_a_pack(&db, &args.pack));
            return report_problems(&db, &problems, &mut stderr);
        }
        _ => return report_problems(&db, &problems, &mut stderr),
    };

    let (workload, evidence_problems) = load_workload(&db, args);
    if !evidence_problems.is_empty() {
        return report_problems(&db, &evidence_problems, &mut stderr);
    }
    let answers = match &args.answers {
        Some(path) => match load_answers(&db, pack, path) {
            Ok(answers) => answers,
            Err(problems) => return report_problems(&db, &problems, &mut stderr),
        },
        None => Answers::default(),
    };

    let choices = pack_choices(&db, pack);
    let bar = progress_bar(choices.len());
    prefetch_evaluations(&db, workload, &choices, &|| bar.inc(1));
    bar.finish_and_clear();
    let review = review(&db, pack, workload, &answers, &today);

    let sources = source_texts(&db, pack, workload);
    let source = |name: &str| sources.get(name).map(|text| &**text);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let context = loupe_report::Context {
        tool_version: env!("CARGO_PKG_VERSION"),
        date: &today,
        pack_root: &args.pack.display().to_string(),
        color: to_terminal && render::stderr_color(color) != codespan_reporting::term::termcolor::ColorChoice::Never,
        source: &source,
    };
    let report = loupe_report::render(args.format, &review, &context);
    match &args.output {
        Some(path) => std::fs::write(path, report)
            .map_err(|error| std::io::Error::new(error.kind(), format!("cannot write {}: {error}", path.display())))?,
        None => print!("{report}"),
    }

    let at_risk = review.pillars.iter().flat_map(|pillar| &pillar.questions).any(|question| {
        question.waiver.is_none()
            && match args.fail_on {
                FailOn::High => question.risk == Risk::High,
                FailOn::Medium => matches!(question.risk, Risk::High | Risk::Medium),
                FailOn::Never => false,
            }
    });
    Ok(if at_risk { EXIT_FINDINGS } else { EXIT_OK })
}

/// A progress bar on stderr, drawn only on a terminal, and only once a run
/// takes long enough to notice.
fn progress_bar(choices: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(choices as u64), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} evaluating checks {pos}/{len} {wide_bar}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn report_problems(db: &Database, problems: &[Diagnostic], stderr: &mut StandardStream) -> std::io::Result<u8> {
    render::emit_text(db, problems, stderr)?;
    Ok(EXIT_INVALID)
}

fn not_a_pack(db: &Database, path: &Path) -> Diagnostic {
    let file = SourceFile::new(db, path.display().to_string(), String::new());
    Diagnostic::new(
        Code::InvalidManifest,
        format!("{} is not a pack directory", path.display()),
        Label::new(file, Span::empty(0), ""),
    )
    .with_help("name the directory that holds the pack's loupe.toml")
}

/// Reads the evidence files into the database and loads them; every file
/// that cannot be read or parsed is a located diagnostic.
fn load_workload(db: &Database, args: &RunArgs) -> (Workload, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in &args.evidence {
        let mut found = Vec::new();
        if path.is_dir() {
            collect_evidence(path, &mut found);
            if found.is_empty() {
                problems.push(load::missing(db, path, "no .json, .yaml, .yml or .template files in it"));
            }
        } else if path.is_file() {
            found.push(path.clone());
        } else {
            problems.push(load::missing(db, path, "no such file or directory"));
        }
        found.sort();
        // An answers file kept beside the evidence is not evidence.
        found.retain(|file| args.answers.as_ref().is_none_or(|answers| !same_path(answers, file)));
        for file in found {
            // Refused before reading, so that a huge file costs no memory.
            let limit = args.max_evidence_size.saturating_mul(1 << 20);
            if std::fs::metadata(&file).is_ok_and(|meta| meta.len() > limit as u64) {
                let reason = format!("larger than --max-evidence-size ({} MiB)", args.max_evidence_size);
                problems.push(load::missing(db, &file, &reason));
                continue;
            }
            match std::fs::read(&file) {
                Ok(bytes) => {
                    let format = args
                        .evidence_formats
                        .iter()
                        .find(|(path, _)| same_path(path, &file))
                        .map(|&(_, format)| format);
                    let mut options = LoadOptions { format, ..LoadOptions::default() };
                    options.limits.max_file_size = limit;
                    files.push(EvidenceFile::new(db, load::display(&file), Arc::from(bytes), options));
                }
                Err(error) => problems.push(load::missing(db, &file, &error.to_string())),
            }
        }
    }
    let workload = Workload::new(db, files.clone());
    loupe_db::on_all_cores(db, &files, |db, &file| {
        load_evidence(db, file);
    });
    for file in files {
        if let Err(error) = &**load_evidence(db, file) {
            let text = String::from_utf8_lossy(file.bytes(db)).into_owned();
            let source = SourceFile::new(db, file.name(db).clone(), text);
            let span = error.span;
            let mut diagnostic =
                Diagnostic::new(Code::InvalidEvidence, error.message.clone(), Label::new(source, span, "here"));
            if let Some(related) = &error.related {
                diagnostic = diagnostic.with_secondary(Label::new(source, related.span, related.message.clone()));
            }
            problems.push(diagnostic);
        }
    }
    (workload, problems)
}

fn collect_evidence(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_evidence(&path, out);
        } else if path.extension().is_some_and(|ext| ["json", "yaml", "yml", "template"].iter().any(|e| ext == *e)) {
            out.push(path);
        }
    }
}

fn load_answers(db: &Database, pack: Pack, path: &Path) -> Result<Answers, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let Some(file) = load::read_source(db, path, &mut problems) else { return Err(problems) };
    let located = |errors: Vec<loupe_eval::AnswersError>, code: Code| -> Vec<Diagnostic> {
        errors
            .into_iter()
            .map(|error| {
                let diagnostic = Diagnostic::new(code, error.message, Label::new(file, error.span, "here"));
                match error.help {
                    Some(help) => diagnostic.with_help(help),
                    None => diagnostic,
                }
            })
            .collect()
    };
    let answers =
        Answers::parse(file.name(db), file.text(db)).map_err(|errors| located(errors, Code::InvalidAnswers))?;
    let unknown = answers.check_against(pack_index(db, pack));
    if unknown.is_empty() { Ok(answers) } else { Err(located(unknown, Code::UnknownAnswerTarget)) }
}

/// The texts of the pack's files and the evidence, by display name, for snippets.
fn source_texts(db: &Database, pack: Pack, workload: Workload) -> BTreeMap<String, String> {
    let mut sources = BTreeMap::new();
    for &file in pack.files(db) {
        sources.insert(file.name(db).clone(), file.text(db).clone());
    }
    for &file in workload.files(db) {
        if let Ok(text) = std::str::from_utf8(file.bytes(db)) {
            sources.insert(file.name(db).clone(), text.to_string());
        }
    }
    sources
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Today's date in UTC, from the system clock.
fn today_utc() -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date(seconds / 86_400)
}

/// The date `days` after 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_781), "2026-11-24");
    }
}
