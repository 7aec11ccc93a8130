//! What a check found, and why a check does not apply.

use std::sync::Arc;

use crate::waiver::Waiver;

/// A failed assertion: its message, and where in the evidence it points.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    pub message: String,
    pub location: Option<Location>,
    /// The resource it is about (CloudFormation logical id, Terraform
    /// address), when it is about one.
    pub resource: Option<String>,
    /// The message as the check writes it, holes unfilled (`{role.name} may
    /// invoke any model`): with the resource, what names the finding across
    /// runs whatever the values. Shared by the findings of one message.
    pub template: Arc<str>,
    /// Stable across runs and machines: pack, question, choice, evidence
    /// file, resource and template ([`Finding::fingerprint_in`]). Set where
    /// the finding is made, by the check of a known practice.
    pub fingerprint: Fingerprint,
    /// A waiver in force that accepts this finding (set by the review).
    pub waiver: Option<Arc<Waiver>>,
}

/// A finding's identity across runs: 64-bit FNV-1a over its parts, each ended
/// by a NUL. Fixed by its definition, so it never changes between versions,
/// platforms or runs; written as 16 hex digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    pub fn of(parts: &[&str]) -> Fingerprint {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in parts {
            for &byte in part.as_bytes().iter().chain(&[0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        Fingerprint(hash)
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<Fingerprint, Self::Err> {
        u64::from_str_radix(text, 16).map(Fingerprint)
    }
}

impl Finding {
    /// A finding with no place in the evidence: about the workload as a whole.
    pub fn general(message: String, practice: &Practice) -> Finding {
        let mut finding = Finding {
            template: Arc::from(message.as_str()),
            message,
            location: None,
            resource: None,
            fingerprint: Fingerprint::default(),
            waiver: None,
        };
        finding.fingerprint = finding.fingerprint_in(practice);
        finding
    }

    /// This finding's identity as a finding of `practice`.
    pub fn fingerprint_in(&self, practice: &Practice) -> Fingerprint {
        // The file too: generated stacks (CDK) repeat logical ids.
        Fingerprint::of(&[
            practice.pack,
            practice.question,
            practice.choice,
            self.location.as_ref().map_or("", |location| location.file.as_str()),
            self.resource.as_deref().unwrap_or_default(),
            &self.template,
        ])
    }
}

/// The practice a check decides: with a finding's file, resource and
/// template, what names the finding across runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Practice<'a> {
    /// The pack's name (its manifest's, or else its lens id).
    pub pack: &'a str,
    pub question: &'a str,
    pub choice: &'a str,
}

/// A place in an evidence or `.lens` file: its display name and a byte span.
/// Lines and columns are made from it where they are shown (a report, the
/// terminal, an editor), each in the unit its reader counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub start: u32,
    pub end: u32,
}

/// Why a check does not apply: no answer is given without evidence.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Inapplicable {
    /// The `applies when` condition that was false, as written; `None` when
    /// the check ran to its end without finding any evidence to look at.
    pub guard: Option<String>,
    /// The resource types the check looked for, sorted.
    pub looked_for: Vec<String>,
    /// How many resources and documents it was given before it stopped.
    pub seen: usize,
}

impl Inapplicable {
    /// Types listed in a reason before the rest is counted.
    const LISTED_TYPES: usize = 6;

    /// One sentence for reports: what the check looked for and did not find.
    pub fn reason(&self) -> String {
        let types = self.types_sentence();
        match (&self.guard, types) {
            // What it read did not meet the guard: listing the types would read as "none found".
            (Some(guard), _) if self.seen > 0 => format!(
                "`applies when {guard}` does not hold for this evidence (it read {} resource{} without meeting it)",
                self.seen,
                if self.seen == 1 { "" } else { "s" }
            ),
            (Some(guard), Some(types)) => {
                format!("`applies when {guard}` does not hold: the evidence has none of {types}")
            }
            (Some(guard), None) => format!("`applies when {guard}` does not hold for this evidence"),
            (None, Some(types)) => format!("the evidence has none of what the check looks for: {types}"),
            (None, None) => "the evidence has no data that the check reads".to_string(),
        }
    }

    fn types_sentence(&self) -> Option<String> {
        let listed = self.looked_for.iter().take(Self::LISTED_TYPES).map(String::as_str).collect::<Vec<_>>();
        if listed.is_empty() {
            return None;
        }
        let more = self.looked_for.len() - listed.len();
        Some(match more {
            0 => listed.join(", "),
            _ => format!("{} and {more} more types", listed.join(", ")),
        })
    }
}
