//! Results on the pack's sample evidence through the server: code lenses and
//! inlay hints, followed when the sample changes on disk, with the client
//! asked to refresh them; an unreadable sample is a warning, never a panic.

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::{Client, fixture_pack, uri};

/// A CloudFormation template with an IAM role: the fixture's check holds.
const WITH_ROLE: &str = r#"{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "app"}}}}"#;
/// A template without one: the check finds nothing to look at.
const WITHOUT_ROLE: &str =
    r#"{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "logs"}}}}"#;

/// The fixture pack with `[sample]` naming `sample/template.json`, holding
/// `template` (none when `None`), and a comment of non-ASCII text before the
/// question's id, so that positions count UTF-16 units.
fn pack_with_sample(name: &str, template: Option<&str>) -> TempDir {
    let dir = fixture_pack(name);
    let pack = dir.path();
    let manifest = "[pack]\nname = \"fixture\"\n\n[sample]\nevidence = [\"sample/template.json\"]\n";
    std::fs::write(pack.join("loupe.toml"), manifest).expect("write the manifest");
    let security = std::fs::read_to_string(pack.join("security.lens")).expect("the fixture");
    let security = security.replace("  question SEC01", "  /* «é» 😀 */ question SEC01");
    std::fs::write(pack.join("security.lens"), security).expect("write the fixture");
    if let Some(template) = template {
        std::fs::create_dir_all(pack.join("sample")).expect("a sample directory");
        std::fs::write(pack.join("sample/template.json"), template).expect("write the sample");
    }
    dir
}

/// A client that can be asked to refresh code lenses and inlay hints, and
/// lets the server watch files.
async fn start() -> Client {
    let mut client = Client::connect();
    let capabilities = json!({
        "workspace": {
            "codeLens": { "refreshSupport": true },
            "inlayHint": { "refreshSupport": true },
            "didChangeWatchedFiles": { "dynamicRegistration": true },
        }
    });
    let initialized = client.request("initialize", json!({ "capabilities": capabilities })).await;
    let capabilities = &initialized["result"]["capabilities"];
    assert_eq!(capabilities["codeLensProvider"], json!({ "resolveProvider": false }), "{initialized}");
    assert_eq!(capabilities["inlayHintProvider"], json!(true), "{initialized}");
    client.notify("initialized", json!({})).await;
    let registration = client.server_request("client/registerCapability").await;
    let globs = registration["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(globs.contains("**/*.json"), "the sample evidence is watched: {globs}");
    client.reply(&registration, Value::Null).await;
    client
}

/// The lenses of `uri` as `line:character title`.
async fn lenses(client: &mut Client, uri: &str) -> Vec<String> {
    let answer = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })).await;
    let lenses = answer["result"].as_array().unwrap_or_else(|| panic!("a list of lenses: {answer}"));
    lenses
        .iter()
        .map(|lens| {
            let start = &lens["range"]["start"];
            format!("{}:{} {}", start["line"], start["character"], lens["command"]["title"].as_str().unwrap_or("?"))
        })
        .collect()
}

/// The inlay hints of the whole of `uri` as `line:character label`.
async fn hints(client: &mut Client, uri: &str) -> Vec<String> {
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 1000, "character": 0 } });
    let answer =
        client.request("textDocument/inlayHint", json!({ "textDocument": { "uri": uri }, "range": whole })).await;
    let hints = answer["result"].as_array().unwrap_or_else(|| panic!("a list of hints: {answer}"));
    hints
        .iter()
        .map(|hint| format!("{}:{} {}", hint["position"]["line"], hint["position"]["character"], hint["label"]))
        .collect()
}

fn text_of(path: &Path) -> String {
    std::fs::read_to_string(path).expect("a fixture file")
}

#[tokio::test]
async fn lenses_and_hints_follow_the_sample_file_on_disk() {
    let dir = pack_with_sample("sample-follow", Some(WITH_ROLE));
    let pack = dir.path();
    let security = uri(&pack.join("security.lens"));
    let mut client = start().await;
    client.open(&security, 1, &text_of(&pack.join("security.lens"))).await;
    assert_eq!(client.diagnostics(&security).await, Vec::<Value>::new());
    // `SEC01` after `  /* «é» 😀 */ question `: 24 UTF-16 units (the emoji is two), 29 bytes.
    // The hint after the title `"Qui a accès aux modèles ?"`, which ends at unit 57 (byte 64).
    assert_eq!(lenses(&mut client, &security).await, ["2:24 risk: none · 1 of 1 practice in place", "3:11 in place"]);
    assert_eq!(hints(&mut client, &security).await, ["2:57 \"risk: none\""]);
    let on_choice = json!({ "textDocument": { "uri": security }, "position": { "line": 3, "character": 13 } });
    let hover = client.request("textDocument/hover", on_choice).await;
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap_or_else(|| panic!("a hover: {hover}"));
    assert!(markdown.ends_with("On the sample evidence: **in place**"), "{markdown}");

    std::fs::write(pack.join("sample/template.json"), WITHOUT_ROLE).expect("change the sample");
    let changes = json!({ "changes": [{ "uri": uri(&pack.join("sample/template.json")), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changes).await;
    for method in ["workspace/codeLens/refresh", "workspace/inlayHint/refresh"] {
        let refresh = client.server_request(method).await;
        client.reply(&refresh, Value::Null).await;
    }
    assert_eq!(
        lenses(&mut client, &security).await,
        [
            "2:24 not applicable: none of its practices applies to this evidence",
            "3:11 not applicable: the evidence has none of what the check looks for: AWS::IAM::Role",
        ]
    );
    assert_eq!(hints(&mut client, &security).await, ["2:57 \"not applicable\""]);
}

#[tokio::test]
async fn an_unreadable_sample_is_a_warning_at_its_entry_and_gives_no_results() {
    let dir = pack_with_sample("sample-missing", None);
    let pack = dir.path();
    let security = uri(&pack.join("security.lens"));
    let manifest = uri(&pack.join("loupe.toml"));
    let mut client = start().await;
    client.open(&security, 1, &text_of(&pack.join("security.lens"))).await;
    let warnings = client.diagnostics(&manifest).await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "L0905");
    assert_eq!(warnings[0]["severity"], 2, "a warning");
    // `"sample/template.json"` on line 4, after `evidence = [`.
    assert_eq!(warnings[0]["range"]["start"], json!({ "line": 4, "character": 12 }));
    assert_eq!(lenses(&mut client, &security).await, Vec::<String>::new());
    assert_eq!(hints(&mut client, &security).await, Vec::<String>::new());

    // The file appears: the warning goes and the results come.
    std::fs::create_dir_all(pack.join("sample")).expect("a sample directory");
    std::fs::write(pack.join("sample/template.json"), WITH_ROLE).expect("write the sample");
    let changes = json!({ "changes": [{ "uri": uri(&pack.join("sample/template.json")), "type": 1 }] });
    client.notify("workspace/didChangeWatchedFiles", changes).await;
    assert_eq!(client.diagnostics(&manifest).await, Vec::<Value>::new());
    assert_eq!(lenses(&mut client, &security).await, ["2:24 risk: none · 1 of 1 practice in place", "3:11 in place"]);
}
