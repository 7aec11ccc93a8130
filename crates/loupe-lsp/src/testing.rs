//! Test hooks (feature `testing`, which only this crate's own tests turn
//! on): a request whose query runs until something cancels it, to put slow
//! requests in flight, and a count of those running, to know when they are.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::Error;

use crate::requests::Handler;
use crate::world::Snapshot;

/// `loupe/test/hold`, params `{ "tag": "…" }`: runs a query on its snapshot
/// until an edit or `$/cancelRequest` cancels it. It never answers on its own.
pub const HOLD: &str = "loupe/test/hold";

pub(crate) static HANDLERS: &[(&str, Handler)] = &[(HOLD, hold)];

/// How often a held query checks whether it is cancelled, as a long query
/// does at each query it calls.
const CHECK_EVERY: Duration = Duration::from_millis(1);

/// The holds of one tag: how many started their query, how many stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holds {
    pub started: usize,
    pub stopped: usize,
}

/// The holds of every tag: tests run in parallel, each with its own tag.
static HOLDS: Mutex<BTreeMap<String, watch::Sender<Holds>>> = Mutex::new(BTreeMap::new());

/// Follows the holds tagged `tag` (a test's own name).
pub fn holds(tag: &str) -> watch::Receiver<Holds> {
    channel(tag).subscribe()
}

fn channel(tag: &str) -> watch::Sender<Holds> {
    let mut holds = HOLDS.lock().unwrap_or_else(PoisonError::into_inner);
    holds.entry(tag.to_string()).or_insert_with(|| watch::Sender::new(Holds::default())).clone()
}

fn hold(snapshot: &Snapshot, params: Value) -> Result<Value, Error> {
    let tag = params["tag"].as_str().ok_or_else(|| Error::invalid_params("a tag"))?;
    let holds = channel(tag);
    holds.send_modify(|holds| holds.started += 1);
    // Counted however the query ends: cancellation unwinds through here.
    let _stopped = Stopped(&holds);
    snapshot.with(|db| {
        loop {
            salsa::Database::unwind_if_revision_cancelled(db);
            std::thread::park_timeout(CHECK_EVERY);
        }
    })
}

struct Stopped<'a>(&'a watch::Sender<Holds>);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|holds| holds.stopped += 1);
    }
}
