//! Check evaluation: a workload's evidence against a pack's checks, in the
//! salsa database that also checks the pack.
//!
//! Evidence files are inputs ([`EvidenceFile`], [`Workload`]). Each choice's
//! check is one query ([`evaluate_choice`]) that depends on the text of its
//! check, the predicates it calls, and only those evidence files that hold
//! a resource type it selects; so editing one check, or one evidence file,
//! re-evaluates only what it can change. Evaluation is pure, deterministic
//! and bounded by [`FUEL`].

mod answers;
mod compile;
mod evaluate;
mod inputs;
mod interp;
mod review;
mod strings;
mod value;

pub use answers::{Answers, AnswersError, Attested, NotApplicable, is_date};
pub use compile::{ChoiceKey, PredicateKey, check_source, compiled_check, compiled_predicate, predicate_source};
pub use evaluate::{FUEL, evaluate_choice, pack_choices};
pub use inputs::{EvidenceFile, Workload, evidence_relations, evidence_types, load_evidence};
pub use interp::Outcome;
// The review's plain data, for drivers that read it with the engine at hand.
pub use loupe_model::{
    Attestation, ChoiceReview, EvidenceSummary, Finding, Fingerprint, Inapplicable, LensInfo, LinkInfo, Location,
    Named, PillarReview, Practice, QuestionReview, Review, Risk, Status, Summary, Waiver,
};
pub use review::review;
pub use strings::{JsonText, parsed_json};
