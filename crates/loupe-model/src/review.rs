//! A review: every question's risk and every practice's status, in pack order.

use std::sync::Arc;

use crate::finding::{Finding, Inapplicable, Location};
use crate::waiver::Waiver;

/// Plain data, in pack order: what every report format renders.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub lens: LensInfo,
    pub pillars: Vec<PillarReview>,
    /// Waivers past their expiry date: reported, and not applied.
    pub expired_waivers: Vec<Waiver>,
    /// Waivers in force that accept nothing: the question is not at risk,
    /// the practice is not missing, or no finding is about the resource.
    pub unmatched_waivers: Vec<Waiver>,
    /// What was read: each evidence file, in workload order.
    pub evidence: Vec<EvidenceSummary>,
    pub summary: Summary,
}

/// One evidence file as the review read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceSummary {
    pub file: String,
    /// The detected (or forced) format, `terraform-plan`, `cloudformation`, …
    pub format: String,
    pub resources: usize,
    /// Resource counts by type, sorted by type.
    pub types: Vec<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LensInfo {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PillarReview {
    pub id: String,
    pub name: String,
    pub questions: Vec<QuestionReview>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QuestionReview {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub helpful_url: Option<String>,
    pub risk: Risk,
    /// The risk once the practice and resource waivers in force are taken
    /// as accepted (a practice whose every failure is accepted counts as in
    /// place): what the run is judged on. Equal to `risk` without such waivers.
    pub residual_risk: Risk,
    /// The rule that decided the risk, as written (`high otherwise`).
    pub rule: Option<String>,
    pub choices: Vec<ChoiceReview>,
    /// Why the question does not apply, from the answers file.
    pub not_applicable_reason: Option<String>,
    /// An accepted risk, in force on the review date.
    pub waiver: Option<Waiver>,
    /// Waivers of this question, its practices or their resources that
    /// expired before the review date: shown, not applied.
    pub expired_waivers: Vec<Waiver>,
    /// Where the question is defined in the pack.
    pub defined_at: Location,
}

impl QuestionReview {
    /// Whether a waiver accepts its high or medium risk, whole or in part.
    pub fn is_waived(&self) -> bool {
        matches!(self.risk, Risk::High | Risk::Medium) && (self.waiver.is_some() || self.residual_risk != self.risk)
    }

    /// The risk the run is judged on: none once a question waiver accepts it.
    pub fn gated_risk(&self) -> Option<Risk> {
        if self.waiver.is_some() { None } else { Some(self.residual_risk) }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceReview {
    pub id: String,
    pub title: String,
    pub is_none: bool,
    pub status: Status,
    /// Whether a check decided the status (rather than an attestation).
    pub automated: bool,
    /// Shared with the check's outcome unless waivers or an attestation
    /// change them: a large workload has tens of thousands.
    pub findings: Arc<[Finding]>,
    /// Why the check does not apply, when it does not: what it looked for
    /// and did not find. Kept when an attestation decides the status.
    pub not_applicable: Option<Inapplicable>,
    /// The note and author of an attestation that selected the choice.
    pub attestation: Option<Attestation>,
    /// A waiver in force that accepts this practice missing.
    pub waiver: Option<Waiver>,
    pub improvement: Option<LinkInfo>,
    pub helpful: Option<LinkInfo>,
    /// Where the choice is defined in the pack.
    pub defined_at: Location,
}

impl ChoiceReview {
    /// Whether it counts as in place for the residual risk: in place, not
    /// applicable, or missing with every failure accepted by a waiver.
    pub fn accepted(&self) -> bool {
        match self.status {
            Status::Selected | Status::NotApplicable => true,
            Status::Unselected => {
                self.waiver.is_some()
                    || (!self.findings.is_empty() && self.findings.iter().all(|finding| finding.waiver.is_some()))
            }
            Status::Unknown => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    pub note: Option<String>,
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub text: String,
    pub url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Selected,
    Unselected,
    NotApplicable,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Selected => "selected",
            Status::Unselected => "unselected",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
        }
    }
}

/// A question's risk, ordered from most to least severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Risk {
    High,
    Medium,
    None,
    Unanswered,
    NotApplicable,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::High => "high",
            Risk::Medium => "medium",
            Risk::None => "none",
            Risk::Unanswered => "unanswered",
            Risk::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub questions: usize,
    pub high: usize,
    pub medium: usize,
    pub none: usize,
    pub unanswered: usize,
    pub not_applicable: usize,
    /// Questions whose high or medium risk is accepted by a waiver in force.
    pub waived: usize,
    pub choices: usize,
    pub selected: usize,
    pub unselected: usize,
    pub not_applicable_practices: usize,
    pub unknown: usize,
    pub automated: usize,
    /// Automated practices whose check applies to the evidence: when none
    /// does, the review has nothing to say.
    pub applicable: usize,
}

impl Summary {
    /// The counts over a review's pillars.
    pub fn of(pillars: &[PillarReview]) -> Summary {
        summarize(pillars)
    }
}

fn summarize(pillars: &[PillarReview]) -> Summary {
    let mut summary = Summary::default();
    for question in pillars.iter().flat_map(|pillar| &pillar.questions) {
        summary.questions += 1;
        match question.risk {
            Risk::High => summary.high += 1,
            Risk::Medium => summary.medium += 1,
            Risk::None => summary.none += 1,
            Risk::Unanswered => summary.unanswered += 1,
            Risk::NotApplicable => summary.not_applicable += 1,
        }
        if question.is_waived() {
            summary.waived += 1;
        }
        for choice in question.choices.iter().filter(|c| !c.is_none) {
            summary.choices += 1;
            summary.selected += usize::from(choice.status == Status::Selected);
            summary.unselected += usize::from(choice.status == Status::Unselected);
            summary.not_applicable_practices += usize::from(choice.status == Status::NotApplicable);
            summary.unknown += usize::from(choice.status == Status::Unknown);
            summary.automated += usize::from(choice.automated);
            summary.applicable += usize::from(choice.automated && choice.not_applicable.is_none());
        }
    }
    summary
}
