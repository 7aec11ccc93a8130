//! Changes applied to the host: what re-runs, what the pack holds after, and
//! the snapshots a change cancels.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use common::{LENS, MANIFEST, demo_files};
use loupe_db::testing::TestDatabase;
use loupe_db::{Pack, SourceFile};
use loupe_project::{AnalysisHost, Change, Target};
use salsa::plumbing::AsId;

struct Fixture {
    host: AnalysisHost<TestDatabase>,
    pack: Pack,
}

/// The demo pack, checked once, with the execution log emptied.
fn fixture(db: TestDatabase) -> Fixture {
    let mut host = AnalysisHost::with_database(db);
    let pack = host.add_pack(Path::new("demo"), MANIFEST.to_string(), demo_files(Path::new("demo")));
    let fixture = Fixture { host, pack };
    assert_eq!(codes(&fixture), Vec::<String>::new());
    fixture.host.db().take_executed();
    fixture
}

fn file(fixture: &Fixture, path: &str) -> SourceFile {
    fixture.host.source(Path::new(path)).expect("a file of the workspace")
}

/// The pack's diagnostics as `file: code`.
fn codes(fixture: &Fixture) -> Vec<String> {
    let analysis = fixture.host.analysis();
    let diagnostics = analysis.check(&[Target { pack: fixture.pack, only: None }]).expect("nothing cancels");
    diagnostics
        .iter()
        .map(|diagnostic| format!("{}: {}", diagnostic.primary.file.name(analysis.db()), diagnostic.code.as_str()))
        .collect()
}

fn file_names(fixture: &Fixture) -> Vec<String> {
    let db = fixture.host.db();
    fixture.pack.files(db).iter().map(|file| file.name(db).clone()).collect()
}

fn apply(fixture: &mut Fixture, edit: impl FnOnce(&mut Change)) {
    let mut change = Change::new();
    edit(&mut change);
    fixture.host.apply_change(change);
}

#[test]
fn editing_a_file_re_parses_that_file_only() {
    let mut fixture = fixture(TestDatabase::default());
    let security = file(&fixture, "demo/security.lens");
    apply(&mut fixture, |change| {
        change.set_text("demo/security.lens", common::CHECKS.replace("Whether buckets", "Whether the buckets"));
    });
    assert_eq!(codes(&fixture), Vec::<String>::new());
    let parsed: Vec<String> =
        fixture.host.db().take_executed().into_iter().filter(|query| query.starts_with("parse_file(")).collect();
    assert_eq!(parsed, [format!("parse_file({:?})", security.as_id())]);
}

#[test]
fn setting_the_same_text_changes_nothing() {
    let mut fixture = fixture(TestDatabase::default());
    apply(&mut fixture, |change| {
        change.set_text("demo/security.lens", common::CHECKS);
    });
    codes(&fixture);
    assert_eq!(fixture.host.db().take_executed(), Vec::<String>::new());
}

#[test]
fn an_added_file_joins_its_pack_in_sorted_order() {
    let mut fixture = fixture(TestDatabase::default());
    apply(&mut fixture, |change| {
        change.set_text("demo/data.lens", "pillar data \"Data\" {\n  ???\n}\n");
    });
    assert_eq!(
        file_names(&fixture),
        ["demo/data.lens", "demo/lens.lens", "demo/predicates.lens", "demo/security.lens"]
    );
    // A line that is nothing; the pillar it breaks is not also called empty.
    assert_eq!(codes(&fixture), ["demo/data.lens: L0001"]);
}

#[test]
fn files_outside_the_pack_s_files_stay_out_of_it() {
    let mut fixture = fixture(TestDatabase::default());
    apply(&mut fixture, |change| {
        // Discovery leaves out hidden directories, other extensions and other directories.
        change.set_text("demo/.git/x.lens", "???");
        change.set_text("demo/notes.txt", "???");
        change.set_text("other/x.lens", "???");
    });
    assert_eq!(file_names(&fixture), ["demo/lens.lens", "demo/predicates.lens", "demo/security.lens"]);
    assert!(fixture.host.source(Path::new("other/x.lens")).is_some(), "kept as a loose file");
}

#[test]
fn a_removed_file_leaves_its_pack_and_its_diagnostics_go() {
    let mut fixture = fixture(TestDatabase::default());
    apply(&mut fixture, |change| {
        change.set_text("demo/predicates.lens", format!("{}\npredicate unused(x) {{ x == 1 }}\n", common::PREDICATES));
    });
    assert_eq!(codes(&fixture), ["demo/predicates.lens: L0501"]);

    apply(&mut fixture, |change| {
        change.remove_file("demo/predicates.lens");
    });
    assert_eq!(file_names(&fixture), ["demo/lens.lens", "demo/security.lens"]);
    // The warning went with its file; the check's call is now to no predicate.
    assert_eq!(codes(&fixture), ["demo/security.lens: L0111"]);
    assert!(fixture.host.source(Path::new("demo/predicates.lens")).is_none());
}

#[test]
fn a_changed_evidence_file_is_read_again() {
    let mut fixture = fixture(TestDatabase::default());
    let path = PathBuf::from("template.json");
    let evidence = fixture.host.set_evidence(&path, b"{}".to_vec(), Default::default());
    let workload = fixture.host.workload(vec![evidence]);
    let loaded = fixture.host.analysis().load_workload(workload).expect("nothing cancels");
    assert!(loaded[0].1.is_ok());
    apply(&mut fixture, |change| {
        change.set_text(&path, "{");
    });
    let loaded = fixture.host.analysis().load_workload(workload).expect("nothing cancels");
    assert!(loaded[0].1.is_err(), "the new bytes are loaded");

    apply(&mut fixture, |change| {
        change.remove_file(&path);
    });
    assert!(workload.files(fixture.host.db()).is_empty(), "a removed file leaves its workload");
}

/// A condition a test thread can wait for.
#[derive(Default)]
struct Flag {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Flag {
    fn set(&self, raised: bool) {
        *self.raised.lock().expect("flag") = raised;
        self.changed.notify_all();
    }

    fn wait(&self) {
        let mut raised = self.raised.lock().expect("flag");
        while !*raised {
            raised = self.changed.wait(raised).expect("flag");
        }
    }
}

/// Holds the first query a snapshot executes, once armed, until the host
/// raises salsa's cancellation flag: so a change always lands while the
/// query runs.
#[derive(Default)]
struct Gate {
    armed: AtomicBool,
    /// A query stopped at the gate.
    entered: Flag,
    /// The host raised the cancellation flag (salsa's `DidSetCancellationFlag`).
    cancelling: Flag,
}

impl Gate {
    fn arm(&self) {
        // Every change raises the flag, snapshots or not: forget the earlier ones.
        self.cancelling.set(false);
        self.armed.store(true, Ordering::SeqCst);
    }

    fn on_event(&self, event: &salsa::Event) {
        match event.kind {
            salsa::EventKind::DidSetCancellationFlag => self.cancelling.set(true),
            salsa::EventKind::WillExecute { .. } if self.armed.swap(false, Ordering::SeqCst) => {
                self.entered.set(true);
                self.cancelling.wait();
            }
            _ => {}
        }
    }
}

/// The demo pack in a database whose queries pass the gate, and a text of
/// `security.lens` no query has seen yet (so asking about it executes).
fn gated_fixture() -> (Fixture, Arc<Gate>) {
    let gate = Arc::new(Gate::default());
    let hook = Arc::clone(&gate);
    let mut fixture = fixture(TestDatabase::with_hook(move |event| hook.on_event(event)));
    apply(&mut fixture, |change| {
        change.set_text("demo/security.lens", common::CHECKS.replace("SEC01_kms", "SEC01_cmk"));
    });
    (fixture, gate)
}

/// An edit to the lens header, to apply while a snapshot runs.
fn edit_lens(change: &mut Change) {
    change.set_text("demo/lens.lens", LENS.replace("A demo lens.", "The demo lens."));
}

#[test]
fn a_change_cancels_a_query_running_on_a_snapshot() {
    let (mut fixture, gate) = gated_fixture();
    let security = file(&fixture, "demo/security.lens");
    let analysis = fixture.host.analysis();
    let pack = fixture.pack;
    gate.arm();
    let running = std::thread::spawn(move || analysis.file_diagnostics(pack, security));
    gate.entered.wait();
    apply(&mut fixture, edit_lens);
    let answer = running.join().expect("the snapshot's thread ends without a panic");
    assert!(matches!(answer, Err(salsa::Cancelled::PendingWrite)), "{answer:?}");

    // A new snapshot answers at the new revision.
    let diagnostics = fixture.host.analysis().file_diagnostics(pack, security).expect("nothing cancels");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn a_cancellation_in_a_parallel_round_reaches_the_snapshot_s_caller() {
    // A whole pack is checked on all cores: the thread that is cancelled
    // hands its cancellation to the caller, which gets it as a value.
    let (mut fixture, gate) = gated_fixture();
    let analysis = fixture.host.analysis();
    let target = Target { pack: fixture.pack, only: None };
    gate.arm();
    let running = std::thread::spawn(move || analysis.check(&[target]).map(|diagnostics| diagnostics.len()));
    gate.entered.wait();
    apply(&mut fixture, edit_lens);
    let answer = running.join().expect("the snapshot's thread ends without a panic");
    assert!(matches!(answer, Err(salsa::Cancelled::PendingWrite)), "{answer:?}");
}
