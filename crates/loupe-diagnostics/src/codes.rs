//! The registry of stable diagnostic codes.
//!
//! Codes never change meaning once published. Each has a long explanation
//! with a wrong and a right example in `explanations/CODE.md`, which
//! `loupe explain CODE` prints.

use crate::Severity;

macro_rules! codes {
    ($($name:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code such as `L0101`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $title] $name,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// The severity a diagnostic with this code has.
            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$severity,)* }
            }

            /// A one-line summary of what the code reports.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }

            /// The long explanation, with a wrong and a right example.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$name => include_str!(concat!("../explanations/", $code, ".md")),)* }
            }
        }
    };
}

codes! {
    // Syntax: the parser recovered, but the text is not what the language allows.
    SyntaxError = "L0001", Error, "syntax error";
    UnterminatedString = "L0002", Error, "unterminated string literal or block comment";
    NestingTooDeep = "L0003", Error, "nesting too deep";
    MissingPart = "L0004", Error, "an item is missing a required part";
    UnknownProperty = "L0005", Error, "property not allowed here";
    DuplicateProperty = "L0006", Error, "property given more than once";
    InvalidEscape = "L0007", Error, "invalid escape sequence in a string";
    NotForNoneChoice = "L0008", Error, "the none-of-these choice takes no check or improvement plan";
    // Names: definitions and references.
    DuplicatePillar = "L0101", Error, "duplicate pillar id";
    DuplicateQuestion = "L0102", Error, "duplicate question id";
    DuplicateChoice = "L0103", Error, "duplicate choice id within a question";
    DuplicatePredicate = "L0104", Error, "duplicate predicate name";
    DuplicateLens = "L0105", Error, "more than one lens header";
    MissingLens = "L0106", Error, "the pack has no lens header";
    DuplicateTest = "L0107", Error, "duplicate test name";
    DuplicateBinding = "L0108", Error, "name bound twice in one scope";
    UnknownChoice = "L0110", Error, "unknown choice in a risk rule";
    UnknownFunction = "L0111", Error, "unknown predicate or function";
    WrongArity = "L0112", Error, "wrong number of arguments";
    UnknownVariable = "L0113", Error, "unknown variable";
    UnknownPhase = "L0114", Error, "unknown lifecycle phase";
    UnknownTestTarget = "L0115", Error, "test expectation names an unknown question or choice";
    RecursivePredicate = "L0116", Error, "predicates call each other in a cycle";
    InvalidExpectation = "L0117", Error, "unknown expected status or risk in a test";
    PredicateCallsTooDeep = "L0118", Error, "predicate calls nest too deep";
    UnknownPillarInOrder = "L0119", Error, "the lens header orders a pillar the pack does not have";
    UnknownResourceField = "L0120", Error, "a resource has no such field";
    // Risk rules.
    MissingOtherwise = "L0201", Error, "risk rules have no `otherwise`";
    TooManyRiskRules = "L0202", Error, "more than three risk rules";
    DuplicateRiskLevel = "L0203", Error, "risk level used by two rules";
    UnreachableRiskRule = "L0204", Error, "risk rule can never fire";
    InvalidRiskCondition = "L0205", Error, "risk condition is not over choice ids";
    // Checks.
    TypeMismatch = "L0301", Error, "type mismatch in a check";
    InvalidRegex = "L0302", Error, "invalid regular expression";
    MisplacedApplies = "L0303", Error, "`applies when` must come first in a check";
    // AWS Well-Architected limits.
    InvalidId = "L0401", Error, "id not accepted by the Well-Architected Tool";
    TextTooLong = "L0402", Error, "text longer than the Well-Architected Tool accepts";
    TooManyPillars = "L0403", Error, "more than 10 pillars";
    TooManyQuestions = "L0404", Error, "more than 20 questions in a pillar";
    TooManyChoices = "L0405", Error, "more than 15 choices in a question";
    TooManyResources = "L0406", Error, "more than 5 additional resources of one kind";
    InvalidUrl = "L0407", Error, "URL must start with http:// or https://";
    MissingImprovementPlan = "L0408", Error, "choice has no improvement plan";
    NoneChoiceId = "L0409", Error, "only the none-of-these choice may end in `_no`";
    EmptyContainer = "L0410", Error, "pillar without questions or question without choices";
    MissingText = "L0411", Error, "required text is empty";
    SecondNoneChoice = "L0412", Error, "more than one none-of-these choice";
    LensTooLarge = "L0413", Error, "the exported lens would exceed 500 KB";
    // Warnings: legal, but probably not what was meant.
    UnusedPredicate = "L0501", Warning, "predicate is never used";
    ChoiceNotInRisk = "L0502", Warning, "no risk rule mentions this choice";
    NoAutomatedCheck = "L0503", Warning, "question has no automated check";
    UnusedBinding = "L0504", Warning, "`let` binding is never used";
    UnknownResourceType = "L0505", Warning, "no catalog knows this resource type";
    UnknownResourceProperty = "L0506", Warning, "the resource type has no such top-level property";
    UnreachableOtherwise = "L0507", Warning, "`otherwise` can never fire";
    // Reviews: the answers file and the evidence, reported by `loupe run`.
    InvalidAnswers = "L0601", Error, "invalid answers file";
    UnknownAnswerTarget = "L0602", Error, "answers name an unknown question or choice";
    UnmatchedWaiver = "L0603", Warning, "a waiver accepts nothing";
    InvalidBaseline = "L0604", Error, "the baseline is not a loupe JSON report";
    InvalidEvidence = "L0701", Error, "evidence cannot be loaded";
    NothingApplies = "L0702", Error, "no automated check applies to the evidence";
    EvidenceWarning = "L0703", Warning, "evidence loaded with a caveat";
    // Well-Architected lens JSON, reported by `loupe import`.
    InvalidLensJson = "L0801", Error, "the lens JSON cannot be imported";
    FieldNotImported = "L0802", Warning, "a field of the lens JSON is not imported";
    // Pack loading, reported by the drivers.
    ReadError = "L0901", Error, "file cannot be read";
    NotUtf8 = "L0902", Error, "file is not valid UTF-8";
    InvalidManifest = "L0903", Error, "invalid loupe.toml";
    EmptyPack = "L0904", Error, "no .lens files found";
    UnreadableSample = "L0905", Warning, "the manifest's sample evidence cannot be read";
}

impl Code {
    /// Looks a code up by its text, case-insensitively (`l0101` works).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| code.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} registered twice");
            assert!(text.len() == 5 && text.starts_with('L'), "{text} is not LNNNN");
            assert_eq!(Code::parse(&text.to_lowercase()), Some(*code));
        }
    }

    #[test]
    fn every_explanation_has_a_wrong_and_a_right_example() {
        for code in Code::ALL {
            let text = code.explanation();
            assert!(text.starts_with(&format!("# {}", code.as_str())), "{code:?} heading");
            assert!(text.contains("Wrong:"), "{} has no wrong example", code.as_str());
            assert!(text.contains("Right:"), "{} has no right example", code.as_str());
        }
    }
}
