//! The editor features through the server: each request's answer on the
//! fixture pack, positions in UTF-16 with non-ASCII text before them.

use crate::common::{Client, find, fixture_pack, uri};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The fixture pack opened at `security.lens`, whose check line has
/// `«rôle»` before the call of `has_role`.
struct Opened {
    client: Client,
    security: String,
    lens: String,
    /// The line and UTF-16 column of the call of `has_role`.
    call: (u32, u32),
    /// The line of the predicate's definition in `lens.lens`.
    definition_line: u32,
    /// The pack's directory, there as long as the server reads it.
    _pack: TempDir,
}

async fn open(name: &str) -> Opened {
    let dir = fixture_pack(name);
    let pack = dir.path();
    let text = std::fs::read_to_string(pack.join("security.lens")).expect("the fixture");
    let (line, column) = find(&text, "has_role()");
    let lens_text = std::fs::read_to_string(pack.join("lens.lens")).expect("the fixture");
    let (definition_line, _) = find(&lens_text, "has_role()");
    let security = uri(&pack.join("security.lens"));
    let mut client = Client::start().await;
    client.open(&security, 1, &text).await;
    assert_eq!(client.diagnostics(&security).await, Vec::<Value>::new());
    let lens = uri(&pack.join("lens.lens"));
    Opened { client, security, lens, call: (line, column), definition_line, _pack: dir }
}

fn at(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
}

#[tokio::test]
async fn hover_on_a_call_after_non_ascii_text_shows_the_predicate_docs_over_its_name() {
    let Opened { mut client, security, call: (line, column), _pack, .. } = open("hover").await;
    // The cursor in the middle of the name.
    let answer = client.request("textDocument/hover", at(&security, (line, column + 3))).await;
    let hover = &answer["result"];
    assert_eq!(hover["contents"]["kind"], "markdown", "{answer}");
    let markdown = hover["contents"]["value"].as_str().expect("markdown");
    assert!(markdown.contains("Whether the evidence has an IAM role"), "{markdown}");
    assert_eq!(hover["range"], range(line, column, column + 8), "{answer}");
}

#[tokio::test]
async fn definition_of_a_call_is_the_predicate_in_the_other_file() {
    let Opened { mut client, security, lens, call, definition_line, _pack } = open("definition").await;
    let answer = client.request("textDocument/definition", at(&security, call)).await;
    let expected = range(definition_line, 10, 18);
    assert_eq!(answer["result"], json!([{ "uri": lens, "range": expected }]), "{answer}");
}

#[tokio::test]
async fn references_and_rename_cover_both_files() {
    let Opened { mut client, security, lens, call, definition_line, _pack } = open("references").await;
    let mut params = at(&security, call);
    params["context"] = json!({ "includeDeclaration": true });
    let answer = client.request("textDocument/references", params).await;
    let mut found: Vec<(String, Value)> = answer["result"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|location| (location["uri"].as_str().unwrap_or_default().to_string(), location["range"].clone()))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let (line, column) = call;
    assert_eq!(
        found,
        vec![(lens.clone(), range(definition_line, 10, 18)), (security.clone(), range(line, column, column + 8))],
        "{answer}"
    );

    let mut params = at(&security, call);
    params["newName"] = json!("has_any_role");
    let answer = client.request("textDocument/rename", params).await;
    let changes = &answer["result"]["changes"];
    assert_eq!(changes[&security], json!([{ "range": range(line, column, column + 8), "newText": "has_any_role" }]));
    assert_eq!(changes[&lens], json!([{ "range": range(definition_line, 10, 18), "newText": "has_any_role" }]));

    let mut params = at(&security, call);
    params["newName"] = json!("not an id");
    let refused = client.request("textDocument/rename", params).await;
    assert_eq!(refused["error"]["code"], -32803, "{refused}");
    assert!(refused["error"]["message"].as_str().is_some_and(|message| !message.is_empty()), "{refused}");
}

#[tokio::test]
async fn completion_offers_the_packs_predicate_replacing_the_word_typed() {
    let Opened { mut client, security, call: (line, column), _pack, .. } = open("completion").await;
    // `has_r|` typed: the word from the call's start to the cursor is replaced.
    let answer = client.request("textDocument/completion", at(&security, (line, column + 5))).await;
    let items = answer["result"].as_array().expect("items");
    let item = items.iter().find(|item| item["label"] == "has_role").expect("the predicate is offered");
    assert_eq!(item["kind"], 3, "a function: {item}");
    assert_eq!(item["textEdit"]["range"]["start"], json!({ "line": line, "character": column }), "{item}");
    assert_eq!(item["textEdit"]["range"]["end"], json!({ "line": line, "character": column + 5 }), "{item}");
}

#[tokio::test]
async fn symbols_outline_the_file_and_search_the_pack() {
    let Opened { mut client, security, lens, _pack, .. } = open("symbols").await;
    let answer = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": security } })).await;
    let pillar = &answer["result"][0];
    assert_eq!(pillar["name"], "security", "{answer}");
    let question = &pillar["children"][0];
    assert_eq!(question["name"], "SEC01", "{answer}");
    assert_eq!(question["children"][0]["name"], "SEC01_BP01", "{answer}");
    // The question's title is not ASCII: the range of its line ends at its UTF-16 length.
    let text = std::fs::read_to_string(crate::common::path_of(&security)).expect("the fixture");
    let (line, column) = find(&text, "SEC01 ");
    assert_eq!(question["selectionRange"], range(line, column, column + 5), "{answer}");

    let answer = client.request("workspace/symbol", json!({ "query": "has_" })).await;
    let symbols = answer["result"].as_array().expect("symbols");
    assert_eq!(symbols.len(), 1, "{answer}");
    assert_eq!(symbols[0]["name"], "has_role");
    assert_eq!(symbols[0]["kind"], 12, "a predicate is a function: {answer}");
    assert_eq!(symbols[0]["location"]["uri"], lens);
}

#[tokio::test]
async fn folding_ranges_are_whole_lines() {
    let Opened { mut client, security, _pack, .. } = open("folding").await;
    let answer = client.request("textDocument/foldingRange", json!({ "textDocument": { "uri": security } })).await;
    let folds = answer["result"].as_array().expect("folds");
    // The pillar's block: from its first line to its closing brace.
    let text = std::fs::read_to_string(crate::common::path_of(&security)).expect("the fixture");
    let last = u32::try_from(text.lines().count() - 1).expect("a short file");
    assert!(
        folds.iter().any(|fold| fold["startLine"] == 1 && fold["endLine"] == last && fold["kind"] == "region"),
        "{answer}"
    );
}

#[tokio::test]
async fn semantic_tokens_mark_the_call_in_utf16_after_non_ascii_text() {
    let Opened { mut client, security, call: (line, column), _pack, .. } = open("tokens").await;
    let answer =
        client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": security } })).await;
    let data: Vec<u64> = answer["result"]["data"].as_array().expect("data").iter().filter_map(Value::as_u64).collect();
    assert_eq!(data.len() % 5, 0, "{answer}");
    // Decoded to absolute positions: (line, start, length, type).
    let (mut at_line, mut at_start) = (0, 0);
    let mut tokens = Vec::new();
    for token in data.chunks(5) {
        at_start = if token[0] == 0 { at_start + token[1] } else { token[1] };
        at_line += token[0];
        tokens.push((at_line, at_start, token[2], token[3]));
    }
    // `function` is the 9th type of the legend.
    assert!(tokens.contains(&(u64::from(line), u64::from(column), 8, 8)), "{tokens:?}");
}

#[tokio::test]
async fn selection_ranges_grow_from_the_call_under_the_cursor_to_the_file() {
    let Opened { mut client, security, call: (line, column), _pack, .. } = open("selection").await;
    let params = json!({
        "textDocument": { "uri": security },
        "positions": [{ "line": line, "character": column + 2 }],
    });
    let answer = client.request("textDocument/selectionRange", params).await;
    let innermost = &answer["result"][0];
    // The call `has_role()`, then the check around it, and so on out to the file.
    assert_eq!(innermost["range"], range(line, column, column + 10), "{answer}");
    let mut outermost = innermost;
    while outermost["parent"].is_object() {
        outermost = &outermost["parent"];
    }
    assert_eq!(outermost["range"]["start"], json!({ "line": 0, "character": 0 }), "{answer}");
}

#[tokio::test]
async fn a_code_action_fixes_a_misspelled_call_after_non_ascii_text_with_its_diagnostic_attached() {
    let Opened { mut client, security, call: (line, column), _pack, .. } = open("code-action").await;
    // `has_role()` becomes `has_rol()`: unknown, with a suggestion.
    client.edit(&security, 2, [line, column + 7, line, column + 8], "").await;
    let diagnostics = client.diagnostics(&security).await;
    let misspelled = range(line, column, column + 7);
    assert!(diagnostics.len() == 1 && diagnostics[0]["range"] == misspelled, "{diagnostics:?}");

    let params = |only: Value| {
        json!({
            "textDocument": { "uri": security },
            "range": range(line, column + 2, column + 2),
            "context": { "diagnostics": diagnostics, "only": only },
        })
    };
    let answer = client.request("textDocument/codeAction", params(Value::Null)).await;
    let action = &answer["result"][0];
    assert_eq!(action["title"], "Replace with `has_role`", "{answer}");
    assert_eq!(action["kind"], "quickfix", "{answer}");
    assert_eq!(action["isPreferred"], true, "{answer}");
    assert_eq!(action["diagnostics"], json!(diagnostics), "{answer}");
    let edit = json!({ "changes": { &security: [{ "range": misspelled, "newText": "has_role" }] } });
    assert_eq!(action["edit"], edit, "{answer}");

    // An editor asking for refactors only gets no quick fix.
    let answer = client.request("textDocument/codeAction", params(json!(["refactor"]))).await;
    assert_eq!(answer["result"], json!([]), "{answer}");
}
