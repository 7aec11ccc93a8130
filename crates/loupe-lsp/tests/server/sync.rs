//! The server in process: document sync, pushed diagnostics, formatting,
//! versions and UTF-16 positions, on a copy of the fixture pack.

use crate::common::{Client, fixture_pack, uri};
use serde_json::json;

/// The line of `security.lens` whose call the tests break; `«rôle»` puts
/// characters of two UTF-8 bytes and one UTF-16 unit before the call.
const CHECK_LINE: u32 = 5;

/// The UTF-16 column of `needle` in `line`.
fn utf16_column(line: &str, needle: &str) -> u32 {
    let byte = line.find(needle).expect("the needle is on the line");
    u32::try_from(line[..byte].encode_utf16().count()).expect("a short line")
}

fn codes(diagnostics: &[serde_json::Value]) -> Vec<String> {
    diagnostics.iter().map(|diagnostic| diagnostic["code"].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn an_edit_that_breaks_a_file_is_diagnosed_and_its_fix_clears_it() {
    let dir = fixture_pack("break-fix");
    let pack = dir.path();
    let path = pack.join("security.lens");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let line = text.lines().nth(CHECK_LINE as usize).expect("the check line");
    let uri = uri(&path);
    let mut client = Client::start().await;

    client.open(&uri, 1, &text).await;
    assert_eq!(client.diagnostics(&uri).await, Vec::<serde_json::Value>::new());

    // `has_role` → `has_rol`: an unknown predicate, located in UTF-16 columns.
    let column = utf16_column(line, "has_role");
    client.edit(&uri, 2, [CHECK_LINE, column + 7, CHECK_LINE, column + 8], "").await;
    let broken = client.diagnostics(&uri).await;
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0]["severity"], 1, "{broken:?}");
    assert_eq!(broken[0]["source"], "loupe");
    assert_eq!(broken[0]["range"]["start"], json!({ "line": CHECK_LINE, "character": column }), "{broken:?}");
    assert_eq!(broken[0]["range"]["end"], json!({ "line": CHECK_LINE, "character": column + 7 }), "{broken:?}");

    client.edit(&uri, 3, [CHECK_LINE, column + 7, CHECK_LINE, column + 7], "e").await;
    assert_eq!(client.diagnostics(&uri).await, Vec::<serde_json::Value>::new());
}

#[tokio::test]
async fn an_edit_in_one_file_republishes_the_files_of_its_pack_it_affects() {
    let dir = fixture_pack("pack-wide");
    let pack = dir.path();
    let lens = pack.join("lens.lens");
    let security = uri(&pack.join("security.lens"));
    let text = std::fs::read_to_string(&lens).expect("the fixture");
    let lens = uri(&lens);
    let mut client = Client::start().await;

    client.open(&lens, 1, &text).await;
    // The pack's other file, never opened, is read from disk and published too.
    assert_eq!(client.diagnostics(&security).await, Vec::<serde_json::Value>::new());
    assert_eq!(client.diagnostics(&lens).await, Vec::<serde_json::Value>::new());

    // Renaming the predicate leaves its call in security.lens unknown.
    let line = text.lines().position(|line| line.starts_with("predicate has_role")).expect("the predicate");
    let line = u32::try_from(line).expect("a short file");
    client.edit(&lens, 2, [line, 18, line, 18], "s").await;
    let broken = client.diagnostics(&security).await;
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0]["range"]["start"]["line"], CHECK_LINE, "{broken:?}");
}

#[tokio::test]
async fn a_stale_change_is_ignored() {
    let dir = fixture_pack("stale");
    let pack = dir.path();
    let path = pack.join("security.lens");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let column = utf16_column(text.lines().nth(CHECK_LINE as usize).expect("the check line"), "has_role");
    let uri = uri(&path);
    let mut client = Client::start().await;
    client.open(&uri, 1, &text).await;
    assert_eq!(client.diagnostics(&uri).await, Vec::<serde_json::Value>::new());

    client.edit(&uri, 3, [CHECK_LINE, column, CHECK_LINE, column], "x").await;
    let broken = codes(&client.diagnostics(&uri).await);
    // Version 2 comes after version 3: were it applied, it would fix the call.
    client.edit(&uri, 2, [CHECK_LINE, column, CHECK_LINE, column + 1], "").await;
    // A space before the call moves the diagnostic, which is published again.
    client.edit(&uri, 4, [CHECK_LINE, 0, CHECK_LINE, 0], " ").await;
    let after = client.diagnostics(&uri).await;
    assert!(!broken.is_empty());
    assert_eq!(codes(&after), broken);
    assert_eq!(after[0]["range"]["start"], json!({ "line": CHECK_LINE, "character": column + 1 }), "{after:?}");
    assert!(client.logs().iter().any(|log| log.contains("ignored version 2")), "{:?}", client.logs());
}

#[tokio::test]
async fn formatting_is_one_edit_of_the_whole_document_in_utf16() {
    let dir = fixture_pack("formatting");
    let pack = dir.path();
    let path = pack.join("security.lens");
    let tidy = std::fs::read_to_string(&path).expect("the fixture");
    let untidy = tidy.replace("  question", "      question");
    let uri = uri(&path);
    let mut client = Client::start().await;
    client.open(&uri, 1, &untidy).await;

    let answer = format_request(&mut client, &uri).await;
    let edits = answer["result"].as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{answer}");
    let expected = loupe_syntax::format::format(&untidy).expect("the text formats");
    assert_eq!(edits[0]["newText"], expected);
    let last = untidy.lines().last().expect("a last line");
    let lines = u32::try_from(untidy.lines().count()).expect("a short file");
    // The text ends with a line break: the end is the start of the line after the last.
    assert!(untidy.ends_with('\n') && last == "}");
    assert_eq!(
        edits[0]["range"],
        json!({
            "start": { "line": 0, "character": 0 },
            "end": { "line": lines, "character": 0 },
        })
    );

    // The formatted text needs no edit.
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": expected }],
            }),
        )
        .await;
    let answer = format_request(&mut client, &uri).await;
    assert_eq!(answer["result"], json!([]), "{answer}");
}

#[tokio::test]
async fn a_request_before_initialize_is_refused() {
    let formatting = json!({
        "textDocument": { "uri": "file:///nowhere/a.lens" },
        "options": { "tabSize": 2, "insertSpaces": true },
    });
    let mut client = Client::connect();
    let refused = client.request("textDocument/formatting", formatting.clone()).await;
    assert_eq!(refused["error"]["code"], -32002, "{refused}");
    client.initialize().await;
    // A file the server does not have is answered with nothing, not an error.
    let answer = client.request("textDocument/formatting", formatting).await;
    assert_eq!(answer["result"], serde_json::Value::Null, "{answer}");
}

#[tokio::test]
async fn a_request_sent_right_after_an_edit_sees_the_edited_text() {
    let dir = fixture_pack("order");
    let pack = dir.path();
    let path = pack.join("security.lens");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let line = text.lines().nth(CHECK_LINE as usize).expect("the check line");
    let (column, comment) = (utf16_column(line, "has_role"), utf16_column(line, "«"));
    let uri = uri(&path);
    let mut client = Client::start().await;
    client.open(&uri, 1, &text).await;

    // Both sent before any answer is read: the hover must come after the edit
    // (two characters in the comment before the call).
    client.edit(&uri, 2, [CHECK_LINE, comment, CHECK_LINE, comment], "éé").await;
    let hover = json!({
        "textDocument": { "uri": uri },
        "position": { "line": CHECK_LINE, "character": column + 2 },
    });
    let answer = client.request("textDocument/hover", hover).await;
    assert_eq!(answer["result"]["range"]["start"], json!({ "line": CHECK_LINE, "character": column + 2 }), "{answer}");
}

#[tokio::test]
async fn a_file_changed_on_disk_updates_the_files_that_use_it() {
    let dir = fixture_pack("watched");
    let pack = dir.path();
    let lens = pack.join("lens.lens");
    let security = pack.join("security.lens");
    let text = std::fs::read_to_string(&security).expect("the fixture");
    let (lens_uri, security_uri) = (uri(&lens), uri(&security));
    let mut client = Client::start().await;
    client.open(&security_uri, 1, &text).await;
    assert_eq!(client.diagnostics(&security_uri).await, Vec::<serde_json::Value>::new());

    let renamed = std::fs::read_to_string(&lens).expect("the fixture").replace("has_role", "has_any_role");
    std::fs::write(&lens, renamed).expect("write the fixture");
    let changes = json!({ "changes": [{ "uri": lens_uri, "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changes).await;
    assert_eq!(client.diagnostics(&security_uri).await.len(), 1);

    std::fs::remove_file(&lens).expect("remove the fixture");
    let changes = json!({ "changes": [{ "uri": lens_uri, "type": 3 }] });
    client.notify("workspace/didChangeWatchedFiles", changes).await;
    // The lens header and the predicate are gone: the call is unknown again, and the removed file is cleared.
    assert_eq!(client.diagnostics(&lens_uri).await, Vec::<serde_json::Value>::new());
}

async fn format_request(client: &mut Client, uri: &str) -> serde_json::Value {
    let options = json!({ "tabSize": 2, "insertSpaces": true });
    client.request("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options })).await
}
