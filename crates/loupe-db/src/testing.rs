//! A database for tests (feature `testing`): it records the queries salsa
//! executes, so that incrementality is asserted from salsa's own events, and
//! hands every event to a hook. The production [`Database`](crate::Database)
//! carries none of this.

use std::sync::{Arc, Mutex};

use crate::Db;

/// A database that records which queries execute.
#[salsa::db]
#[derive(Clone)]
pub struct TestDatabase {
    storage: salsa::Storage<Self>,
    executed: Arc<Mutex<Vec<String>>>,
}

impl Default for TestDatabase {
    fn default() -> TestDatabase {
        TestDatabase::with_hook(|_| {})
    }
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase").finish_non_exhaustive()
    }
}

#[salsa::db]
impl salsa::Database for TestDatabase {}

#[salsa::db]
impl Db for TestDatabase {}

impl TestDatabase {
    /// A recording database that also shows `hook` every salsa event, on the
    /// thread that raises it (a test can block there to order threads).
    pub fn with_hook(hook: impl Fn(&salsa::Event) + Send + Sync + 'static) -> TestDatabase {
        let executed: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&executed);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = log.lock()
            {
                log.push(format!("{database_key:?}"));
            }
            hook(&event);
        })));
        TestDatabase { storage, executed }
    }

    /// The queries executed since the last call, as `query(Id(n))`.
    pub fn take_executed(&self) -> Vec<String> {
        self.executed.lock().map(|mut log| std::mem::take(&mut *log)).unwrap_or_default()
    }
}
