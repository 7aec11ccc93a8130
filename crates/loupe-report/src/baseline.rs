//! `--baseline PREVIOUS.json`: a review compared with an earlier JSON report,
//! so that a gate fails only on what is new or worse.
//!
//! - A finding is **new** when its fingerprint is not among the baseline's
//!   findings of the same question.
//! - A question is **worse** when its residual risk is more severe than the
//!   baseline's, or a practice the baseline had in place (or not applicable) is
//!   now missing.
//! - A baseline finding is **fixed** only when its practice is now in place: a
//!   finding that is merely absent (its resource left the evidence, or the check
//!   no longer applies or could not finish) is "no longer seen", never fixed.
//! - `unknown` is neither new nor fixed.

use std::collections::{BTreeMap, BTreeSet};

use loupe_model::{Fingerprint, QuestionReview, Review, Risk, Status};
use serde::Deserialize;

/// The parts of an earlier JSON report that a comparison reads.
#[derive(Debug, Default)]
pub struct Baseline {
    questions: BTreeMap<String, BaselineQuestion>,
}

#[derive(Debug, Default)]
struct BaselineQuestion {
    risk: Option<Risk>,
    /// Practices by id: their status and their findings' fingerprints.
    choices: BTreeMap<String, (Option<Status>, BTreeSet<Fingerprint>)>,
}

/// What changed since the baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Fingerprints of findings that are new.
    pub new: BTreeSet<Fingerprint>,
    /// Questions whose risk got worse, or that the baseline did not have.
    pub worse: BTreeSet<String>,
    /// Findings in both.
    pub unchanged: usize,
    /// Baseline findings whose practice is now in place.
    pub fixed: usize,
    /// Baseline findings not seen now, although their practice is not in place.
    pub no_longer_seen: usize,
}

impl Comparison {
    /// Whether `question` is new or worse than the baseline, or has a new finding.
    pub fn regressed(&self, question: &QuestionReview) -> bool {
        self.worse.contains(&question.id)
            || question
                .choices
                .iter()
                .flat_map(|choice| choice.findings.iter())
                .any(|f| self.new.contains(&f.fingerprint))
    }
}

#[derive(Deserialize)]
struct RawReport {
    format_version: u32,
    pillars: Vec<RawPillar>,
}

#[derive(Deserialize)]
struct RawPillar {
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize)]
struct RawQuestion {
    id: String,
    risk: String,
    residual_risk: Option<String>,
    choices: Vec<RawChoice>,
}

#[derive(Deserialize)]
struct RawChoice {
    id: String,
    status: String,
    findings: Vec<RawFinding>,
}

#[derive(Deserialize)]
struct RawFinding {
    fingerprint: Option<String>,
}

impl Baseline {
    /// Reads a JSON report written by `loupe run --format json`.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let raw: RawReport = serde_json::from_str(text)
            .map_err(|error| format!("not a loupe JSON report (`loupe run --format json`): {error}"))?;
        if raw.format_version != 1 {
            return Err(format!("report format version {} is not one this loupe reads (1)", raw.format_version));
        }
        let mut baseline = Baseline::default();
        for question in raw.pillars.into_iter().flat_map(|pillar| pillar.questions) {
            let mut choices = BTreeMap::new();
            for choice in question.choices {
                let mut fingerprints = BTreeSet::new();
                for finding in choice.findings {
                    let fingerprint = finding.fingerprint.and_then(|text| text.parse().ok()).ok_or_else(|| {
                        "its findings have no fingerprints: write the baseline with this version of loupe".to_string()
                    })?;
                    fingerprints.insert(fingerprint);
                }
                choices.insert(choice.id, (status(&choice.status), fingerprints));
            }
            let risk = risk(question.residual_risk.as_deref().unwrap_or(&question.risk));
            baseline.questions.insert(question.id, BaselineQuestion { risk, choices });
        }
        Ok(baseline)
    }

    /// What changed between the baseline and `review`.
    pub fn compare(&self, review: &Review) -> Comparison {
        let mut comparison = Comparison::default();
        for question in review.pillars.iter().flat_map(|pillar| &pillar.questions) {
            let Some(before) = self.questions.get(&question.id) else {
                if matches!(question.residual_risk, Risk::High | Risk::Medium) {
                    comparison.worse.insert(question.id.clone());
                }
                for finding in question.choices.iter().flat_map(|choice| choice.findings.iter()) {
                    comparison.new.insert(finding.fingerprint);
                }
                continue;
            };
            let more_severe = match (question.residual_risk, before.risk) {
                (now @ (Risk::High | Risk::Medium), Some(then @ (Risk::High | Risk::Medium | Risk::None))) => {
                    now < then
                }
                (Risk::High | Risk::Medium, _) => true,
                _ => false,
            };
            let lost = question.choices.iter().any(|choice| {
                choice.status == Status::Unselected
                    && before
                        .choices
                        .get(&choice.id)
                        .is_some_and(|(status, _)| matches!(status, Some(Status::Selected | Status::NotApplicable)))
            });
            if more_severe || lost {
                comparison.worse.insert(question.id.clone());
            }
            for choice in &question.choices {
                let (_, then) = before.choices.get(&choice.id).cloned().unwrap_or_default();
                let now: BTreeSet<Fingerprint> = choice.findings.iter().map(|f| f.fingerprint).collect();
                for fingerprint in &now {
                    if then.contains(fingerprint) {
                        comparison.unchanged += 1;
                    } else if choice.status == Status::Unselected {
                        comparison.new.insert(*fingerprint);
                    }
                }
                let gone = then.iter().filter(|fingerprint| !now.contains(fingerprint)).count();
                match choice.status {
                    Status::Selected => comparison.fixed += gone,
                    _ => comparison.no_longer_seen += gone,
                }
            }
        }
        comparison
    }
}

fn status(text: &str) -> Option<Status> {
    [Status::Selected, Status::Unselected, Status::NotApplicable, Status::Unknown]
        .into_iter()
        .find(|status| status.as_str() == text)
}

fn risk(text: &str) -> Option<Risk> {
    [Risk::High, Risk::Medium, Risk::None, Risk::Unanswered, Risk::NotApplicable]
        .into_iter()
        .find(|risk| risk.as_str() == text)
}
