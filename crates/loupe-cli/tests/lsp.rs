//! `loupe lsp` end to end: the built binary over stdio, as an editor starts
//! it: initialize, open a file of the GenAI pack, receive its diagnostics,
//! shut down and exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(60);

fn send(stdin: &mut impl Write, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("the server reads its input");
    stdin.flush().expect("the server reads its input");
}

/// Reads framed messages until the stream ends, each sent on `messages`.
fn read_messages(stdout: impl Read, messages: mpsc::Sender<Value>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            length = line.strip_prefix("Content-Length: ").and_then(|value| value.parse::<usize>().ok()).or(length);
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        reader.read_exact(&mut body).expect("a whole body");
        if messages.send(serde_json::from_slice(&body).expect("JSON")).is_err() {
            return;
        }
    }
}

/// The first message `wanted` accepts.
fn wait_for(messages: &mpsc::Receiver<Value>, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = messages.recv_timeout(PATIENCE).expect("the server answers in time");
        if wanted(&message) {
            return message;
        }
    }
}

#[test]
fn loupe_lsp_serves_an_editor_over_stdio() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/genai/security.lens");
    let file = file.canonicalize().expect("the GenAI pack");
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).expect("the GenAI pack");

    let mut server = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("loupe lsp starts");
    let mut stdin = server.stdin.take().expect("stdin");
    let stdout = server.stdout.take().expect("stdout");
    let (sender, messages) = mpsc::channel();
    std::thread::spawn(move || read_messages(stdout, sender));

    send(&mut stdin, &json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } }));
    let initialized = wait_for(&messages, |message| message["id"] == 1);
    assert_eq!(initialized["result"]["serverInfo"]["name"], "loupe", "{initialized}");
    send(&mut stdin, &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));

    let document = json!({ "uri": uri, "languageId": "loupe", "version": 1, "text": text });
    send(
        &mut stdin,
        &json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": document } }),
    );
    let published = wait_for(&messages, |message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
    });
    // The pack is clean, as `loupe check` finds it.
    assert_eq!(published["params"]["diagnostics"], json!([]), "{published}");
    assert_eq!(published["params"]["version"], 1, "{published}");

    // The pack names sample evidence in its manifest: its questions show their risk on it out of the box.
    let lenses = json!({ "textDocument": { "uri": uri } });
    send(&mut stdin, &json!({ "jsonrpc": "2.0", "id": 3, "method": "textDocument/codeLens", "params": lenses }));
    let lenses = wait_for(&messages, |message| message["id"] == 3);
    let titles: Vec<&str> = lenses["result"]
        .as_array()
        .expect("a list of lenses")
        .iter()
        .filter_map(|lens| lens["command"]["title"].as_str())
        .collect();
    assert!(titles.iter().any(|title| title.starts_with("risk: ")), "{lenses}");
    assert!(titles.iter().any(|title| *title == "in place" || title.starts_with("not in place")), "{lenses}");

    send(&mut stdin, &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }));
    let shut_down = wait_for(&messages, |message| message["id"] == 2);
    assert_eq!(shut_down["result"], Value::Null, "{shut_down}");
    send(&mut stdin, &json!({ "jsonrpc": "2.0", "method": "exit" }));

    let (done, exited) = mpsc::channel();
    std::thread::spawn(move || done.send(server.wait()));
    let status = exited.recv_timeout(PATIENCE).expect("loupe lsp exits in time").expect("a status");
    assert!(status.success(), "{status}");
}
