//! `loupe run`: review a workload's evidence with a pack.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use codespan_reporting::term::termcolor::StandardStream;
use loupe_db::{Code, Database, Diagnostic, Label, Pack, SourceFile, Span, pack_index};
use loupe_eval::{Answers, EvidenceFile, Review, Risk, Status, Workload, load_evidence};
use loupe_evidence::Format;
use loupe_project::{AnalysisHost, EvidenceLoad, EvidenceRequest, LoadErrorKind, LoadedEvidence, MANIFEST, display};
use loupe_report::{Baseline, Comparison};

use crate::render::{self, ColorMode};
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, answered, check, load};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The pack directory (with a loupe.toml)
    #[arg(default_value = ".")]
    pack: PathBuf,
    /// Evidence files or directories (every .json, .yaml, .yml and .template file under them, sorted);
    /// `-` reads standard input
    #[arg(long, required = true, num_args = 1..)]
    evidence: Vec<PathBuf>,
    /// Read an evidence file as this format instead of detecting it: PATH=FORMAT, where FORMAT is
    /// terraform-plan, terraform-state, cloudformation, kubernetes or generic (repeatable)
    #[arg(long = "evidence-format", value_name = "PATH=FORMAT", value_parser = parse_override)]
    evidence_formats: Vec<(PathBuf, Format)>,
    /// Largest evidence file accepted, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_evidence_size: u64,
    /// Answers file: attestations, not-applicable questions and waivers (docs/answers.md)
    #[arg(long)]
    answers: Option<PathBuf>,
    /// Report format
    #[arg(long, default_value = "text", value_parser = report_formats())]
    format: loupe_report::Format,
    /// Write the report to this file instead of stdout
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when a question reaches this level (waived risks do not count)
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// The review date, YYYY-MM-DD, for waiver expiry (default: today, UTC)
    #[arg(long)]
    date: Option<String>,
    /// An earlier JSON report of the same workload: fail only on findings and risks that are new or
    /// worse (docs/report.md)
    #[arg(long, value_name = "PREVIOUS.json")]
    baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// A question at high risk
    High,
    /// A question at high or medium risk
    Medium,
    /// Also a question left unanswered, or a practice neither checked nor attested
    Unanswered,
    /// Never: report only
    Never,
}

/// The report formats with what each is for, as `--help` lists them.
fn report_formats() -> impl clap::builder::TypedValueParser<Value = loupe_report::Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let formats =
        loupe_report::Format::ALL.map(|format| PossibleValue::new(format.as_str()).help(format.description()));
    PossibleValuesParser::new(formats).try_map(|name| name.parse::<loupe_report::Format>())
}

fn parse_override(text: &str) -> Result<(PathBuf, Format), String> {
    let (path, format) = text.rsplit_once('=').ok_or("expected PATH=FORMAT")?;
    let format = Format::from_name(format).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|format| format.as_str()).collect();
        format!("unknown format `{format}`: expected one of {}", names.join(", "))
    })?;
    Ok((PathBuf::from(path), format))
}

pub fn run(args: &RunArgs, color: ColorMode) -> std::io::Result<u8> {
    let today = match &args.date {
        Some(date) if loupe_eval::is_date(date) => date.clone(),
        Some(date) => {
            writeln!(std::io::stderr(), "loupe: --date `{date}` is not a date: write YYYY-MM-DD")?;
            return Ok(EXIT_INVALID);
        }
        None => today_utc(),
    };
    let mut host = AnalysisHost::new();
    let mut stderr = StandardStream::stderr(render::stderr_color(color));

    let run_help = || {
        let path = display(&args.pack);
        format!("name the pack first and the evidence after it: loupe run PACK --evidence {path}")
    };
    if let Some(problem) = not_a_pack(host.db(), &args.pack, run_help, "; evidence goes after --evidence") {
        return report_problems(host.db(), &[problem], &mut stderr);
    }
    let loaded = host.load(std::slice::from_ref(&args.pack));
    let evidence = read_evidence(&mut host, args);
    // The evidence parses while the pack is checked: a large file keeps a
    // core to itself at times, which the check fills.
    let (diagnosed, parsed) = {
        let (checking, parsing) = (host.analysis(), host.analysis());
        std::thread::scope(|scope| {
            let parse = scope.spawn(move || parsing.load_workload(evidence.workload));
            let diagnosed = check::diagnose(&checking, &loaded);
            (diagnosed, parse.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })
    };
    // The pack must check clean of errors before it judges anything.
    let (mut problems, _) = diagnosed?;
    problems.retain(Diagnostic::is_error);
    let Some(pack) = loaded.targets.first().map(|target| target.pack).filter(|_| problems.is_empty()) else {
        return report_problems(host.db(), &problems, &mut stderr);
    };

    let db = host.db();
    let (workload, evidence_problems, evidence_notes) = evidence_problems(db, &evidence, answered(parsed)?);
    if !evidence_problems.is_empty() {
        return report_problems(db, &evidence_problems, &mut stderr);
    }
    render::emit_text(db, &evidence_notes, &mut stderr)?;
    let baseline = match &args.baseline {
        Some(path) => match load_baseline(db, path) {
            Ok(baseline) => Some(baseline),
            Err(problem) => return report_problems(db, &[problem], &mut stderr),
        },
        None => None,
    };
    let (answers, answers_file) = match &args.answers {
        Some(path) => match load_answers(db, pack, path) {
            Ok((answers, file)) => (answers, Some(file)),
            Err(problems) => return report_problems(db, &problems, &mut stderr),
        },
        None => (Answers::default(), None),
    };
    render::emit_text(db, &evidence_warnings(db, workload), &mut stderr)?;

    let analysis = host.analysis();
    let bar = progress_bar(answered(analysis.choice_count(pack))?);
    answered(analysis.evaluate(pack, workload, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let review = answered(analysis.review(pack, workload, &answers, &today))?;
    if review.summary.automated > 0 && review.summary.applicable == 0 {
        let refusal = nothing_applies(db, workload, &review);
        return report_problems(db, &[refusal], &mut stderr);
    }
    if let Some(file) = answers_file {
        render::emit_text(db, &unmatched_waivers(file, &review), &mut stderr)?;
    }

    let comparison = baseline.map(|baseline| baseline.compare(&review));
    let sources = source_texts(db, pack, workload);
    let source = |name: &str| sources.get(name).copied();
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let context = loupe_report::Context {
        tool_version: env!("CARGO_PKG_VERSION"),
        date: &today,
        pack_root: &args.pack.display().to_string(),
        color: to_terminal && render::stderr_color(color) != codespan_reporting::term::termcolor::ColorChoice::Never,
        source: &source,
        baseline: comparison.as_ref(),
    };
    match &args.output {
        Some(path) => {
            let cannot = |error: std::io::Error| {
                std::io::Error::new(error.kind(), format!("cannot write {}: {error}", path.display()))
            };
            let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(cannot)?);
            loupe_report::write(args.format, &review, &context, &mut file).map_err(cannot)?;
            file.flush().map_err(cannot)?;
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            loupe_report::write(args.format, &review, &context, &mut stdout)?;
            stdout.flush()?;
        }
    }
    let code = if fails(&review, args.fail_on, comparison.as_ref()) { EXIT_FINDINGS } else { EXIT_OK };
    // The process ends next: freeing the evidence and every memo one by one
    // would only add to the wait (a large workload's tree is millions of nodes).
    drop(sources);
    std::mem::forget(review);
    std::mem::forget(host);
    Ok(code)
}

/// Reads `--baseline`, or says why it cannot be one.
fn load_baseline(db: &Database, path: &Path) -> Result<Baseline, Diagnostic> {
    const MAX_BASELINE_BYTES: u64 = 256 << 20;
    let text = loupe_project::read_text(path, MAX_BASELINE_BYTES).map_err(|error| load::unlocated(db, &error))?;
    Baseline::parse(&text).map_err(|message| {
        let file = load::shown_file(db, display(path), text);
        Diagnostic::new(Code::InvalidBaseline, message, Label::new(file, Span::empty(0), "read from here"))
            .with_help("give a report written by `loupe run --format json` of the same pack")
    })
}

/// Whether the review reaches `--fail-on`. Waived risks do not count: a
/// question waiver accepts the question, practice and resource waivers leave
/// its residual risk. With a baseline, only questions that are new or worse
/// (or have new findings) count, and unknown practices never do.
fn fails(review: &Review, fail_on: FailOn, baseline: Option<&Comparison>) -> bool {
    review.pillars.iter().flat_map(|pillar| &pillar.questions).any(|question| {
        let Some(risk) = question.gated_risk() else { return false };
        if let Some(comparison) = baseline {
            return comparison.regressed(question)
                && match fail_on {
                    FailOn::High => risk == Risk::High,
                    FailOn::Medium | FailOn::Unanswered => matches!(risk, Risk::High | Risk::Medium),
                    FailOn::Never => false,
                };
        }
        match fail_on {
            FailOn::High => risk == Risk::High,
            FailOn::Medium => matches!(risk, Risk::High | Risk::Medium),
            FailOn::Unanswered => {
                let undecided = risk != Risk::NotApplicable
                    && question.choices.iter().any(|choice| !choice.is_none && choice.status == Status::Unknown);
                matches!(risk, Risk::High | Risk::Medium | Risk::Unanswered) || undecided
            }
            FailOn::Never => false,
        }
    })
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

/// A diagnostic when `path` cannot be a pack, saying what it looks like
/// instead; `file_help` says what to do when it is a file, `dir_hint` is
/// added to the help when it is a directory.
pub(crate) fn not_a_pack(
    db: &Database,
    path: &Path,
    file_help: impl FnOnce() -> String,
    dir_hint: &str,
) -> Option<Diagnostic> {
    if path.join(MANIFEST).is_file() {
        return None;
    }
    let (message, help) = if path.is_file() {
        (format!("{} is a file, not a pack directory", display(path)), file_help())
    } else if path.is_dir() {
        (
            format!("{} is not a pack directory: it has no loupe.toml", display(path)),
            format!("name the directory that holds the pack's loupe.toml{dir_hint}"),
        )
    } else {
        return None;
    };
    let file = load::shown_file(db, display(path), String::new());
    Some(Diagnostic::new(Code::InvalidManifest, message, Label::new(file, Span::empty(0), "")).with_help(help))
}

/// Reads the evidence files `--evidence` names into the host.
fn read_evidence(host: &mut AnalysisHost, args: &RunArgs) -> LoadedEvidence {
    let request = EvidenceRequest {
        paths: &args.evidence,
        formats: &args.evidence_formats,
        max_bytes: args.max_evidence_size.saturating_mul(1 << 20),
        // An answers file kept beside the evidence is not evidence.
        exclude: args.answers.as_deref(),
    };
    host.load_evidence(&request)
}

/// The workload read, what stops the review (files that cannot be read or
/// parsed), and notes on what was converted.
fn evidence_problems(
    db: &Database,
    loaded: &LoadedEvidence,
    results: Vec<(EvidenceFile, EvidenceLoad)>,
) -> (Workload, Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut problems: Vec<Diagnostic> = loaded
        .errors
        .iter()
        .map(|error| match error.kind {
            LoadErrorKind::TooLarge { .. } => {
                load::refused(db, error).with_help("--max-evidence-size raises the limit")
            }
            LoadErrorKind::OverrideOfNoEvidence => {
                load::unlocated(db, error).with_help("give the path as --evidence lists it")
            }
            _ => load::unlocated(db, error),
        })
        .collect();
    let notes = loaded
        .converted
        .iter()
        .map(|&file| {
            let message = "read as UTF-16 text and converted to UTF-8 (PowerShell's `>` writes UTF-16)";
            Diagnostic::new(
                Code::EvidenceWarning,
                message,
                Label::new(evidence_source(db, file), Span::empty(0), "here"),
            )
        })
        .collect();
    for ((file, result), (_, dir)) in results.into_iter().zip(&loaded.files) {
        if let Err(error) = &*result {
            let source = evidence_source(db, file);
            let mut diagnostic =
                Diagnostic::new(Code::InvalidEvidence, error.message.clone(), Label::new(source, error.span, "here"));
            if let Some(related) = &error.related {
                diagnostic = diagnostic.with_secondary(Label::new(source, related.span, related.message.clone()));
            }
            // Skipping it could pass a review that never read it: say how to leave it out instead.
            if let Some(dir) = dir {
                diagnostic = diagnostic.with_help(format!(
                    "found in {}: name the evidence files themselves, or a directory that holds only evidence",
                    display(dir)
                ));
            }
            problems.push(diagnostic);
        }
    }
    (loaded.workload, problems, notes)
}

/// An evidence file as a source the diagnostics can show snippets of.
fn evidence_source(db: &Database, file: EvidenceFile) -> SourceFile {
    let text = String::from_utf8_lossy(file.bytes(db)).into_owned();
    load::shown_file(db, file.name(db).clone(), text)
}

/// What loaded but deserves a word: unknown tags, resources without a type.
fn evidence_warnings(db: &Database, workload: Workload) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for &file in workload.files(db) {
        let Ok(evidence) = &**load_evidence(db, file) else { continue };
        if evidence.warnings.is_empty() {
            continue;
        }
        let source = evidence_source(db, file);
        warnings.extend(evidence.warnings.iter().map(|warning| {
            Diagnostic::new(Code::EvidenceWarning, warning.message.clone(), Label::new(source, warning.span, "here"))
        }));
    }
    warnings
}

/// The refusal when no automated check applies: no review without evidence.
/// It says what was read and what the pack looks for.
fn nothing_applies(db: &Database, workload: Workload, review: &Review) -> Diagnostic {
    let mut read = Vec::new();
    for summary in &review.evidence {
        let mut types: Vec<String> =
            summary.types.iter().take(8).map(|(kind, count)| format!("{count} {kind}")).collect();
        if summary.types.len() > 8 {
            types.push(format!("{} more types", summary.types.len() - 8));
        }
        let resources = match summary.resources {
            0 => "no resources".to_string(),
            n => format!("{n} resources: {}", types.join(", ")),
        };
        read.push(format!("{} ({}, {resources})", summary.file, summary.format));
    }
    let looked_for: BTreeSet<&str> = review
        .pillars
        .iter()
        .flat_map(|pillar| &pillar.questions)
        .flat_map(|question| &question.choices)
        .filter_map(|choice| choice.not_applicable.as_ref())
        .flat_map(|inapplicable| inapplicable.looked_for.iter().map(String::as_str))
        .collect();
    let sample: Vec<&str> = looked_for.iter().copied().take(10).collect();
    let more = looked_for.len().saturating_sub(sample.len());
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let file = workload
        .files(db)
        .first()
        .map_or_else(|| load::shown_file(db, String::new(), String::new()), |&file| evidence_source(db, file));
    Diagnostic::new(
        Code::NothingApplies,
        format!("none of the pack's {} automated checks applies to this evidence", review.summary.automated),
        Label::new(file, Span::empty(0), "read from here"),
    )
    .with_help(format!(
        "read {}\nthe pack's checks look for resources such as {}{more}\npass the workload's CloudFormation templates, Terraform plans (`terraform show -json`) or Kubernetes manifests",
        read.join("; "),
        sample.join(", "),
    ))
}

/// Waivers in force that accept nothing: stale, or naming the wrong thing.
fn unmatched_waivers(file: SourceFile, review: &Review) -> Vec<Diagnostic> {
    review
        .unmatched_waivers
        .iter()
        .map(|waiver| {
            let (span, what) = match (&waiver.choice, &waiver.resource) {
                (Some(choice), Some(resource)) => {
                    (resource.span, format!("no finding of {} is about `{}`", choice.id, resource.id))
                }
                (Some(choice), None) => (choice.span, format!("{} is not missing", choice.id)),
                _ => (waiver.question.span, format!("{} is not at high or medium risk", waiver.question.id)),
            };
            Diagnostic::new(
                Code::UnmatchedWaiver,
                format!("this waiver of {} accepts nothing: {what}", waiver.target()),
                Label::new(file, span, "matches nothing"),
            )
            .with_help("remove it if the risk is gone, or name the resource as findings do (logical id or address)")
        })
        .collect()
}

fn load_answers(db: &Database, pack: Pack, path: &Path) -> Result<(Answers, SourceFile), Vec<Diagnostic>> {
    let text = loupe_project::read_text(path, loupe_project::MAX_SOURCE_BYTES)
        .map_err(|error| vec![load::diagnostic(db, &error)])?;
    // The driver's own input: answers are not part of the workspace's packs.
    let file = SourceFile::new(db, display(path), text);
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
    if unknown.is_empty() { Ok((answers, file)) } else { Err(located(unknown, Code::UnknownAnswerTarget)) }
}

/// The pack's files and the evidence by display name, with their line indexes: for
/// lines, columns and snippets.
fn source_texts(db: &Database, pack: Pack, workload: Workload) -> BTreeMap<&str, loupe_report::Source<'_>> {
    let mut sources = BTreeMap::new();
    for &file in pack.files(db) {
        let source = loupe_report::Source { text: file.text(db), lines: loupe_db::line_index(db, file) };
        sources.insert(file.name(db).as_str(), source);
    }
    for &file in workload.files(db) {
        if let (Ok(text), Ok(evidence)) = (std::str::from_utf8(file.bytes(db)), &**load_evidence(db, file)) {
            sources.insert(file.name(db).as_str(), loupe_report::Source { text, lines: &evidence.lines });
        }
    }
    sources
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
