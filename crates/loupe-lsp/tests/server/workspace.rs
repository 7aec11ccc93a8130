//! The whole workspace from the start: the packs of the client's folders are
//! loaded at `initialize`, their files diagnosed and searched without being
//! opened; packs appear and go with their `loupe.toml` on disk.

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::common::{Client, copy_fixture_pack, temp_dir, uri};

const NONE: Vec<Value> = Vec::new();

/// The `initialize` parameters naming a folder.
type InitializeParams = fn(&str) -> Value;

/// A folder with two copies of the fixture pack, `security.lens` of the
/// second broken on disk (a call of an unknown predicate).
fn two_packs(name: &str) -> TempDir {
    let dir = temp_dir(name);
    let folder = dir.path();
    copy_fixture_pack(&folder.join("one"));
    copy_fixture_pack(&folder.join("two"));
    let broken = folder.join("two/security.lens");
    let text = std::fs::read_to_string(&broken).expect("the fixture").replace("has_role()", "has_rol()");
    std::fs::write(&broken, text).expect("break the copy");
    dir
}

#[tokio::test]
async fn the_packs_of_the_workspace_folders_are_loaded_at_initialize() {
    // The folders as a client with workspace folders sends them, and as one with only a root does.
    let cases: [(&str, InitializeParams); 2] = [
        ("folders", |folder| json!({ "capabilities": {}, "workspaceFolders": [{ "uri": folder, "name": "w" }] })),
        ("root", |folder| json!({ "capabilities": {}, "rootUri": folder })),
    ];
    for (name, params) in cases {
        let dir = two_packs(name);
        let folder = dir.path();
        let mut client = Client::connect();
        client.initialize_with(params(&uri(folder))).await;

        // Nothing is open: the files are read from disk and diagnosed.
        let broken = client.diagnostics(&uri(&folder.join("two/security.lens"))).await;
        assert_eq!(broken.len(), 1, "{name}: {broken:?}");
        assert_eq!(client.diagnostics(&uri(&folder.join("one/security.lens"))).await, NONE, "{name}");

        let answer = client.request("workspace/symbol", json!({ "query": "has_role" })).await;
        let files: Vec<&str> = answer["result"]
            .as_array()
            .expect("symbols")
            .iter()
            .filter_map(|symbol| symbol["location"]["uri"].as_str())
            .collect();
        assert_eq!(files, [uri(&folder.join("one/lens.lens")), uri(&folder.join("two/lens.lens"))], "{name}");
    }
}

#[tokio::test]
async fn a_loupe_toml_created_on_disk_makes_a_pack_and_its_deletion_takes_it_away() {
    let dir = temp_dir("manifest-on-disk");
    let folder = dir.path();
    let pack = folder.join("pack");
    copy_fixture_pack(&pack);
    let manifest = pack.join("loupe.toml");
    std::fs::remove_file(&manifest).expect("no manifest yet");
    // Another pack: its diagnostics say the folder's walk is done.
    copy_fixture_pack(&folder.join("other"));
    let (security, lens) = (uri(&pack.join("security.lens")), uri(&pack.join("lens.lens")));
    let mut client = Client::connect();
    client
        .initialize_with(json!({ "capabilities": {}, "workspaceFolders": [{ "uri": uri(folder), "name": "w" }] }))
        .await;
    assert_eq!(client.diagnostics(&uri(&folder.join("other/security.lens"))).await, NONE);
    let answer = client.request("workspace/symbol", json!({ "query": "has_role" })).await;
    assert_eq!(answer["result"].as_array().map(Vec::len), Some(1), "only the other pack's: {answer}");

    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pack/loupe.toml"), &manifest)
        .expect("a manifest");
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&manifest), "type": 1 }] }))
        .await;
    // Its files, none open, are diagnosed: the call in one finds the predicate of the other.
    assert_eq!(client.diagnostics(&security).await, NONE);
    assert_eq!(client.diagnostics(&lens).await, NONE);

    let text = std::fs::read_to_string(pack.join("security.lens")).expect("the fixture");
    client.open(&security, 1, &text).await;
    std::fs::remove_file(&manifest).expect("remove the manifest");
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&manifest), "type": 3 }] }))
        .await;
    // The file not open is dropped, its diagnostics cleared; the open one is checked on its own,
    // where its call is to no predicate.
    assert_eq!(client.diagnostics(&lens).await, NONE);
    let alone = client.diagnostics(&security).await;
    assert_eq!(alone.len(), 1, "{alone:?}");
}

#[tokio::test]
async fn a_folder_removed_from_the_workspace_takes_its_packs_and_their_diagnostics_away() {
    let dir = two_packs("folders-removed");
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let folder = |path: &std::path::Path| json!({ "uri": uri(path), "name": "f" });
    let mut client = Client::connect();
    client.initialize_with(json!({ "capabilities": {}, "workspaceFolders": [folder(&one), folder(&two)] })).await;
    let broken = uri(&two.join("security.lens"));
    assert_eq!(client.diagnostics(&broken).await.len(), 1);

    let removed = json!({ "event": { "added": [], "removed": [folder(&two)] } });
    client.notify("workspace/didChangeWorkspaceFolders", removed).await;
    assert_eq!(client.diagnostics(&broken).await, NONE, "cleared with its pack");
    let symbols = client.request("workspace/symbol", json!({ "query": "has_role" })).await;
    let files: Vec<&str> =
        symbols["result"].as_array().into_iter().flatten().filter_map(|s| s["location"]["uri"].as_str()).collect();
    assert_eq!(files, [uri(&one.join("lens.lens"))], "{symbols}");

    let added = json!({ "event": { "added": [folder(&two)], "removed": [] } });
    client.notify("workspace/didChangeWorkspaceFolders", added).await;
    assert_eq!(client.diagnostics(&broken).await.len(), 1, "back with its folder");
}
