//! Snapshots: a cloned database handle that answers queries on any thread,
//! and the parallel rounds that warm up what the answers read.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use loupe_db::{Database, Diagnostic, Pack, SourceFile, file_diagnostics, pack_diagnostics, pack_manifest};
use loupe_eval::{Answers, ChoiceKey, EvidenceFile, Review, Workload};
use loupe_evidence::{Evidence, EvidenceError};

use crate::host::{HostDatabase, Sample, Target};
use crate::parallel::on_all_cores;

/// A snapshot of the database at one revision: it answers queries, on any
/// thread, until the host changes an input; then every query it is running
/// returns `Err(Cancelled)`. The host decides what runs on which thread:
/// the parallel rounds below warm up the memos the answers read, so results
/// never depend on the threads.
#[derive(Debug)]
pub struct Analysis<D = Database> {
    db: D,
    samples: Arc<HashMap<Pack, Sample>>,
}

/// A query's result, or `Err` when a change to the host cancelled it: the
/// caller retries on a new snapshot, or drops the request.
pub type Cancellable<T> = Result<T, salsa::Cancelled>;

/// Cancels the queries running on one snapshot ([`Analysis::cancel_handle`]).
#[derive(Clone, Debug)]
pub struct CancelHandle(salsa::CancellationToken);

impl CancelHandle {
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// An evidence file as [`loupe_eval::load_evidence`] loads it.
pub type EvidenceLoad = Arc<Result<Evidence, EvidenceError>>;

impl<D: HostDatabase> Analysis<D> {
    pub(crate) fn new(db: D, samples: Arc<HashMap<Pack, Sample>>) -> Analysis<D> {
        Analysis { db, samples }
    }

    /// The sample evidence of `pack` (`[sample]` of its manifest), as the
    /// host had read it when this snapshot was taken.
    pub fn sample(&self, pack: Pack) -> Option<Workload> {
        self.samples.get(&pack).map(|sample| sample.workload)
    }

    /// The snapshot's database, for renderers reading names and texts.
    pub fn db(&self) -> &D {
        &self.db
    }

    /// A handle that cancels the queries running on this snapshot, and only
    /// on it: they return `Err(Cancelled::Local)` at their next query call.
    /// For work nobody waits for any more (a request the client cancelled).
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(salsa::Database::cancellation_token(&self.db))
    }

    /// Runs `query` on this snapshot: how the editor's features (the `ide`
    /// layer's functions over the database) are asked, cancellable as every
    /// query here is.
    pub fn with<T>(&self, query: impl FnOnce(&D) -> T) -> Cancellable<T> {
        salsa::Cancelled::catch(AssertUnwindSafe(|| query(&self.db)))
    }

    /// The diagnostics of each target, in order: a whole pack's, or one
    /// file's with its pack's manifest errors (which decide its lint levels).
    pub fn check(&self, targets: &[Target]) -> Cancellable<Vec<Diagnostic>> {
        self.with(|db| {
            prefetch_diagnostics(db, targets);
            let mut diagnostics = Vec::new();
            for target in targets {
                match target.only {
                    Some(file) => {
                        diagnostics.extend(pack_manifest(db, target.pack).diagnostics.iter().cloned());
                        diagnostics.extend(file_diagnostics(db, target.pack, file).iter().cloned());
                    }
                    None => {
                        diagnostics.extend(pack_diagnostics(db, target.pack).iter().cloned());
                        let sample = self.samples.get(&target.pack);
                        diagnostics.extend(sample.into_iter().flat_map(|sample| sample.diagnostics.iter().cloned()));
                    }
                }
            }
            diagnostics
        })
    }

    /// One file's diagnostics within its pack.
    pub fn file_diagnostics(&self, pack: Pack, file: SourceFile) -> Cancellable<Vec<Diagnostic>> {
        self.with(|db| file_diagnostics(db, pack, file).clone())
    }

    /// Loads every evidence file of the workload, one file per thread, and
    /// gives each with its load result, in workload order.
    pub fn load_workload(&self, workload: Workload) -> Cancellable<Vec<(EvidenceFile, EvidenceLoad)>> {
        self.with(|db| {
            let files = workload.files(db);
            on_all_cores(db, files, |db, &file| {
                loupe_eval::load_evidence(db, file);
            });
            files.iter().map(|&file| (file, loupe_eval::load_evidence(db, file).clone())).collect()
        })
    }

    /// Evaluates every choice of the pack against the workload on all cores,
    /// calling `progress` after each.
    pub fn evaluate(&self, pack: Pack, workload: Workload, progress: &(dyn Fn() + Sync)) -> Cancellable<()> {
        self.with(|db| {
            // Loading is shared by many checks: do it first, one file per thread.
            on_all_cores(db, workload.files(db), |db, &file| {
                loupe_eval::evidence_types(db, file);
            });
            let choices = loupe_eval::pack_choices(db, pack);
            on_all_cores(db, &choices, |db, (question, choice)| {
                let key = ChoiceKey::new(db, pack, question.clone(), choice.clone());
                loupe_eval::evaluate_choice(db, workload, key);
                progress();
            });
        })
    }

    /// The review of the workload by the pack; [`Analysis::evaluate`] first
    /// spreads the evaluations over the cores.
    pub fn review(&self, pack: Pack, workload: Workload, answers: &Answers, today: &str) -> Cancellable<Review> {
        self.with(|db| loupe_eval::review(db, pack, workload, answers, today))
    }

    /// The number of choices of the pack, each of which
    /// [`Analysis::evaluate`] evaluates once.
    pub fn choice_count(&self, pack: Pack) -> Cancellable<usize> {
        self.with(|db| loupe_eval::pack_choices(db, pack).len())
    }
}

/// Computes the diagnostics and export sizes of every file of the targets'
/// packs on all cores, so that the queries asked next find them ready. Each
/// round needs the one before it done for every file of a pack.
fn prefetch_diagnostics<D: HostDatabase>(db: &D, targets: &[Target]) {
    let mut packs: Vec<Pack> = Vec::new();
    for target in targets {
        // A pack named twice (as a directory and by one of its files) is warmed up once.
        if !packs.contains(&target.pack) {
            packs.push(target.pack);
        }
    }
    let files: Vec<(Pack, SourceFile)> =
        packs.iter().flat_map(|&pack| pack.files(db).iter().map(move |&file| (pack, file))).collect();
    // Every parse first: type-checking a check needs its pack's predicates.
    on_all_cores(db, &files, |db, &(_, file)| {
        loupe_db::parse_file(db, file);
    });
    // A file's checks are compiled (by its item tree) and type-checked one
    // after the other, while their trees are still in the cache.
    on_all_cores(db, &files, |db, &(pack, file)| {
        loupe_db::item_tree(db, file);
        loupe_db::file_check_diagnostics(db, pack, file);
    });
    on_all_cores(db, &files, |db, &(pack, file)| {
        file_diagnostics(db, pack, file);
        loupe_db::file_export_bytes(db, file);
    });
}
