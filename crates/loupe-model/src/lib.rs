//! The plain data of a review, and later of the editor's results: what
//! reports, the CLI and the language server read.
//!
//! Values only: no salsa, no database, no IO. `loupe-eval` builds them;
//! `loupe-report` renders them. Places are byte spans in named files
//! ([`Location`]); lines and columns are made where they are shown, through
//! `loupe_diagnostics::LineIndex`.

mod finding;
mod review;
mod waiver;

pub use finding::{Finding, Fingerprint, Inapplicable, Location, Practice};
pub use review::{
    Attestation, ChoiceReview, EvidenceSummary, LensInfo, LinkInfo, PillarReview, QuestionReview, Review, Risk, Status,
    Summary,
};
pub use waiver::{Named, Waiver};
