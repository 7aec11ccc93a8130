//! `loupe test`: run a pack's own tests, each an evidence fixture with the
//! choice statuses and question risks it must produce.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use codespan_reporting::term::termcolor::{Color, ColorSpec, StandardStream, WriteColor};
use loupe_db::{Code, Database, Diagnostic, Label, Pack, parse_file};
use loupe_eval::{Answers, QuestionReview, Review, Risk, Status, Workload};
use loupe_project::AnalysisHost;
use loupe_syntax::{Expected, Item, RiskLevel, Test};

use crate::render::{self, ColorMode};
use crate::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, answered, check};

/// The largest evidence fixture a test may read: the default of `loupe run`.
const MAX_FIXTURE_BYTES: u64 = 256 << 20;

/// The date tests run at: fixed, so that no test depends on the day it runs.
const TEST_DATE: &str = "2000-01-01";

pub fn test(pack_dir: &Path, color: ColorMode) -> std::io::Result<u8> {
    let mut host = AnalysisHost::new();
    let mut out = StandardStream::stdout(render::color_choice(color, std::io::stdout().is_terminal()));
    let loaded = host.load(&[pack_dir.to_path_buf()]);
    let (mut problems, _) = check::diagnose(&host.analysis(), &loaded)?;
    problems.retain(Diagnostic::is_error);
    let Some(pack) = loaded.targets.first().map(|target| target.pack).filter(|_| problems.is_empty()) else {
        render::emit_text(host.db(), &problems, &mut out)?;
        return Ok(EXIT_INVALID);
    };

    let tests = collect_tests(host.db(), pack);
    // Per checked choice: whether some test saw it pass, and some saw it fail.
    let mut exercised: BTreeMap<(String, String), (bool, bool)> = BTreeMap::new();
    let (mut passed, mut failed) = (0, 0);
    for (file, test) in &tests {
        let name = test.name.as_ref().map_or("(unnamed)", |name| name.value.as_str());
        let workload = match fixture(&mut host, pack_dir, *file, test)? {
            Ok(workload) => workload,
            Err(problem) => {
                render::emit_text(host.db(), &[problem], &mut out)?;
                return Ok(EXIT_INVALID);
            }
        };
        let reviewed = answered(host.analysis().review(pack, workload, &Answers::default(), TEST_DATE))?;
        record_exercised(&reviewed, &mut exercised);
        let failures: Vec<String> = test.expectations.iter().filter_map(|e| unmet(&reviewed, e)).collect();
        if failures.is_empty() {
            passed += 1;
            status(&mut out, Color::Green, "pass")?;
            writeln!(out, " {name}")?;
        } else {
            failed += 1;
            status(&mut out, Color::Red, "FAIL")?;
            writeln!(out, " {name}")?;
            for failure in failures {
                writeln!(out, "       {failure}")?;
            }
        }
    }

    let both = exercised.values().filter(|(pass, fail)| *pass && *fail).count();
    writeln!(out, "\nchecks exercised passing and failing: {both} of {}", exercised.len())?;
    for ((question, choice), (pass, fail)) in &exercised {
        let missing = match (pass, fail) {
            (true, true) => continue,
            (false, false) => "no test reaches it",
            (true, false) => "never seen failing",
            (false, true) => "never seen passing",
        };
        writeln!(out, "  {question}.{choice}: {missing}")?;
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(if failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

fn status(out: &mut StandardStream, color: Color, text: &str) -> std::io::Result<()> {
    out.set_color(ColorSpec::new().set_fg(Some(color)).set_bold(true))?;
    write!(out, "{text:>6}")?;
    out.reset()
}

fn collect_tests(db: &Database, pack: Pack) -> Vec<(loupe_db::SourceFile, Test)> {
    let mut tests = Vec::new();
    for &file in pack.files(db) {
        for item in &parse_file(db, file).file.items {
            if let Item::Test(test) = item {
                tests.push((file, test.clone()));
            }
        }
    }
    tests
}

/// The test's evidence files, read relative to the pack directory; an
/// evidence file that cannot be read or loaded is an error at its line.
fn fixture(
    host: &mut AnalysisHost,
    pack_dir: &Path,
    file: loupe_db::SourceFile,
    test: &Test,
) -> std::io::Result<Result<Workload, Diagnostic>> {
    let problem = |message: String, span| {
        Diagnostic::new(Code::ReadError, message, Label::new(file, span, "this evidence"))
            .with_help("evidence paths are relative to the pack directory")
    };
    let mut files = Vec::new();
    for evidence in &test.evidence {
        let path = pack_dir.join(&evidence.value);
        match host.read_evidence(&path, None, MAX_FIXTURE_BYTES) {
            Ok((evidence_file, _)) => files.push(evidence_file),
            Err(error) => {
                return Ok(Err(problem(format!("cannot read {}: {}", path.display(), error.kind), evidence.span)));
            }
        }
    }
    let workload = host.workload(files);
    let loaded = answered(host.analysis().load_workload(workload))?;
    for ((_, result), evidence) in loaded.iter().zip(&test.evidence) {
        if let Err(error) = &**result {
            return Ok(Err(Diagnostic::new(
                Code::InvalidEvidence,
                format!("{}: {}", pack_dir.join(&evidence.value).display(), error.message),
                Label::new(file, evidence.span, "this evidence"),
            )));
        }
    }
    Ok(Ok(workload))
}

fn record_exercised(review: &Review, exercised: &mut BTreeMap<(String, String), (bool, bool)>) {
    for question in review.pillars.iter().flat_map(|pillar| &pillar.questions) {
        for choice in question.choices.iter().filter(|choice| choice.automated) {
            let seen = exercised.entry((question.id.clone(), choice.id.clone())).or_default();
            seen.0 |= choice.status == Status::Selected;
            seen.1 |= choice.status == Status::Unselected;
        }
    }
}

/// What an expectation wanted and what the review gave, if they differ.
fn unmet(review: &Review, expectation: &loupe_syntax::Expectation) -> Option<String> {
    let question = find_question(review, &expectation.question.text)?;
    let (wanted, got) = match (&expectation.choice, expectation.expected) {
        (Some(choice), expected) => {
            let choice = question.choices.iter().find(|c| c.id == choice.text)?;
            let wanted = match expected {
                Expected::Selected => Status::Selected,
                Expected::Unselected => Status::Unselected,
                Expected::NotApplicable => Status::NotApplicable,
                _ => Status::Unknown,
            };
            if choice.status == wanted {
                return None;
            }
            let findings: Vec<&str> = choice.findings.iter().map(|f| f.message.as_str()).collect();
            let why = if findings.is_empty() { String::new() } else { format!(" ({})", findings.join("; ")) };
            (format!("{}.{} {}", question.id, choice.id, wanted.as_str()), format!("{}{why}", choice.status.as_str()))
        }
        (None, expected) => {
            let wanted = match expected {
                Expected::Risk(RiskLevel::High) => Risk::High,
                Expected::Risk(RiskLevel::Medium) => Risk::Medium,
                Expected::Risk(RiskLevel::None) => Risk::None,
                Expected::NotApplicable => Risk::NotApplicable,
                _ => Risk::Unanswered,
            };
            if question.risk == wanted {
                return None;
            }
            (format!("{} risk {}", question.id, wanted.as_str()), question.risk.as_str().to_string())
        }
    };
    Some(format!("expected {wanted}, got {got}"))
}

fn find_question<'r>(review: &'r Review, id: &str) -> Option<&'r QuestionReview> {
    review.pillars.iter().flat_map(|pillar| &pillar.questions).find(|question| question.id == id)
}
