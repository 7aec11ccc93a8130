//! The server never stalls: slow requests in flight hold back neither an
//! edit nor another request, an edit cancels them, `$/cancelRequest` answers
//! at once and stops the query, and after `shutdown` requests are refused.
//! Slow requests are `loupe/test/hold` (feature `testing`): queries that
//! run until something cancels them.

use loupe_lsp::testing::{HOLD, Holds, holds};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::{Client, PATIENCE, find, fixture_pack, uri};

const SLOW: usize = 4;
const CONTENT_MODIFIED: i64 = -32801;
const REQUEST_CANCELLED: i64 = -32800;
const INVALID_REQUEST: i64 = -32600;

/// Waits until the holds tagged `tag` satisfy `until`.
async fn wait_for_holds(tag: &str, until: impl Fn(&Holds) -> bool) -> Holds {
    let mut receiver = holds(tag);
    let waited = tokio::time::timeout(PATIENCE, receiver.wait_for(until)).await;
    *waited.expect("the holds get there in time").expect("the holds are followed for good")
}

/// The fixture pack, and a server with its `security.lens` open and its
/// diagnostics published; and that file's URI and text.
async fn opened(name: &str) -> (TempDir, Client, String, String) {
    let pack = fixture_pack(name);
    let path = pack.path().join("security.lens");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let uri = uri(&path);
    let mut client = Client::start().await;
    client.open(&uri, 1, &text).await;
    assert_eq!(client.diagnostics(&uri).await, Vec::<Value>::new());
    (pack, client, uri, text)
}

/// Sends `SLOW` holds tagged `tag` and waits until each runs its query.
async fn hold(client: &mut Client, tag: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..SLOW {
        ids.push(client.send_request(HOLD, json!({ "tag": tag })).await);
    }
    wait_for_holds(tag, |holds| holds.started == SLOW).await;
    ids
}

#[tokio::test]
async fn with_four_slow_requests_in_flight_an_edit_behind_them_is_applied_and_cancels_them() {
    let tag = "an-edit-behind";
    let (_pack, mut client, uri, text) = opened(tag).await;
    let slow = hold(&mut client, tag).await;

    // `has_role` → `has_rol`: an unknown predicate. The holds never end on
    // their own: the diagnostics come because the edit cancelled them.
    let (line, column) = find(&text, "has_role");
    client.edit(&uri, 2, [line, column + 7, line, column + 8], "").await;
    let broken = client.diagnostics(&uri).await;
    assert_eq!(broken.len(), 1, "{broken:?}");
    for id in slow {
        let answer = client.answer(id).await;
        assert_eq!(answer["error"]["code"], CONTENT_MODIFIED, "{answer}");
    }
    assert_eq!(wait_for_holds(tag, |holds| holds.stopped == SLOW).await, Holds { started: SLOW, stopped: SLOW });
}

#[tokio::test]
async fn a_request_behind_four_slow_ones_is_answered_and_a_cancel_stops_them() {
    let tag = "cancel";
    let (_pack, mut client, _, _) = opened(tag).await;
    let slow = hold(&mut client, tag).await;

    let symbols = client.request("workspace/symbol", json!({ "query": "has_" })).await;
    assert_eq!(symbols["result"][0]["name"], "has_role", "{symbols}");

    for id in slow {
        client.notify("$/cancelRequest", json!({ "id": id })).await;
        let answer = client.answer(id).await;
        assert_eq!(answer["error"]["code"], REQUEST_CANCELLED, "{answer}");
    }
    // Not only answered: their queries stopped.
    assert_eq!(wait_for_holds(tag, |holds| holds.stopped == SLOW).await, Holds { started: SLOW, stopped: SLOW });

    // Cancelling a request answered already changes nothing.
    client.notify("$/cancelRequest", json!({ "id": 1 })).await;
    let symbols = client.request("workspace/symbol", json!({ "query": "has_" })).await;
    assert_eq!(symbols["result"][0]["name"], "has_role", "{symbols}");
}

#[tokio::test]
async fn after_shutdown_requests_are_refused() {
    let (_pack, mut client, _, _) = opened("shutdown").await;
    let answer = client.request("shutdown", Value::Null).await;
    assert_eq!(answer["result"], Value::Null, "{answer}");
    assert!(answer.get("error").is_none(), "{answer}");

    // A request the layer answers, and one the lifecycle service answers.
    for (method, params) in [("workspace/symbol", json!({ "query": "" })), ("shutdown", Value::Null)] {
        let answer = client.request(method, params).await;
        assert_eq!(answer["error"]["code"], INVALID_REQUEST, "{answer}");
    }
}
