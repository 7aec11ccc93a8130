//! The workspace every driver shares (the CLI now, the language server
//! next): packs found on disk and read within limits, evidence files, the map
//! from paths to salsa inputs, changes to them, and the analysis host whose
//! snapshots answer queries on other threads.
//!
//! With the drivers, this is the only crate that does IO: the database
//! crates take text and bytes. Reading never makes up an input for a file
//! that could not be read: it gives a [`LoadError`] instead, for the driver
//! to report.
//!
//! - [`AnalysisHost`] owns the database and the path → input map; it loads
//!   packs ([`AnalysisHost::load`]) and evidence ([`AnalysisHost::load_evidence`])
//!   and applies [`Change`]s, which bump salsa's revision.
//! - [`Analysis`] is a snapshot: `Send`, each answer [`Cancellable`], and
//!   the one place that decides which work runs on which thread.

mod analysis;
mod change;
mod discover;
mod host;
mod parallel;
mod read;

pub use analysis::{Analysis, CancelHandle, Cancellable, EvidenceLoad};
pub use change::Change;
pub use discover::{MANIFEST, discover_lens_files, discover_packs, is_pack};
pub use host::{AnalysisHost, EvidenceRequest, HostDatabase, Loaded, LoadedEvidence, MAX_SAMPLE_BYTES, Sample, Target};
pub use read::{
    LoadError, LoadErrorKind, MAX_SOURCE_BYTES, STDIN_NAME, STDIN_PATH, display, read_bytes, read_text, same_path,
};
