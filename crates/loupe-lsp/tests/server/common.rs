//! An in-process client: the server runs on this test's runtime, across a
//! pipe, and the client speaks JSON-RPC over it as an editor does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

/// How long a test waits for one message before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Client {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    next_id: i64,
    /// Messages read while waiting for something else: notifications, and
    /// answers to requests sent without waiting.
    notifications: Vec<Value>,
}

impl Client {
    /// Starts a server and initializes it.
    pub async fn start() -> Client {
        let mut client = Client::connect();
        client.initialize().await;
        client
    }

    /// Starts a server, not initialized yet.
    pub fn connect() -> Client {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server);
        tokio::spawn(loupe_lsp::serve(server_read, server_write));
        let (reader, writer) = tokio::io::split(client);
        Client { reader: BufReader::new(reader), writer, next_id: 0, notifications: Vec::new() }
    }

    pub async fn initialize(&mut self) {
        self.initialize_with(json!({ "capabilities": {} })).await;
    }

    /// Initializes with these `initialize` parameters (workspace folders).
    pub async fn initialize_with(&mut self, params: Value) {
        let initialized = self.request("initialize", params).await;
        assert!(initialized["result"]["capabilities"].is_object(), "{initialized}");
        self.notify("initialized", json!({})).await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params })).await;
    }

    /// Sends a request without waiting: its answer is read by [`Client::answer`].
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
        id
    }

    /// Sends a request and gives the whole response message.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.answer(id).await
    }

    /// The response to request `id` (read already while waiting for
    /// something else, or next), keeping the other messages read before it.
    pub async fn answer(&mut self, id: i64) -> Value {
        let is_answer = |message: &Value| message["id"] == json!(id) && message.get("method").is_none();
        if let Some(at) = self.notifications.iter().position(is_answer) {
            return self.notifications.remove(at);
        }
        loop {
            let message = self.read().await;
            if is_answer(&message) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// The next request the server sends the client with `method`.
    pub async fn server_request(&mut self, method: &str) -> Value {
        let is_it = |message: &Value| message["method"] == method && message.get("id").is_some();
        if let Some(at) = self.notifications.iter().position(is_it) {
            return self.notifications.remove(at);
        }
        loop {
            let message = self.read().await;
            if is_it(&message) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Answers a request of the server's with `result`.
    pub async fn reply(&mut self, request: &Value, result: Value) {
        self.send(json!({ "jsonrpc": "2.0", "id": request["id"], "result": result })).await;
    }

    /// The next diagnostics published for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let publication = self.publication(uri).await;
        publication["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// The next `publishDiagnostics` parameters for `uri`: its diagnostics and the document version they are of.
    pub async fn publication(&mut self, uri: &str) -> Value {
        let is_for =
            |message: &Value| message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri;
        if let Some(at) = self.notifications.iter().position(is_for) {
            return self.notifications.remove(at)["params"].take();
        }
        loop {
            let mut message = self.read().await;
            if is_for(&message) {
                return message["params"].take();
            }
            self.notifications.push(message);
        }
    }

    /// The log messages read so far.
    pub fn logs(&self) -> Vec<String> {
        self.notifications
            .iter()
            .filter(|message| message["method"] == "window/logMessage")
            .filter_map(|message| message["params"]["message"].as_str().map(str::to_string))
            .collect()
    }

    pub async fn open(&mut self, uri: &str, version: i32, text: &str) {
        let document = json!({ "uri": uri, "languageId": "loupe", "version": version, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    }

    /// Replaces `range` (lines and UTF-16 columns from 0) with `text`.
    pub async fn edit(&mut self, uri: &str, version: i32, range: [u32; 4], text: &str) {
        let [start_line, start_column, end_line, end_column] = range;
        let change = json!({
            "range": {
                "start": { "line": start_line, "character": start_column },
                "end": { "line": end_line, "character": end_column },
            },
            "text": text,
        });
        let document = json!({ "uri": uri, "version": version });
        self.notify("textDocument/didChange", json!({ "textDocument": document, "contentChanges": [change] })).await;
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.expect("the server reads its input");
    }

    async fn read(&mut self) -> Value {
        tokio::time::timeout(PATIENCE, self.read_frame()).await.expect("the server answers in time")
    }

    async fn read_frame(&mut self) -> Value {
        let mut length = None;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.expect("the server writes headers");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.reader.read_exact(&mut body).await.expect("the server writes a body");
        serde_json::from_slice(&body).expect("the server writes JSON")
    }
}

/// A copy of the fixture pack in a fresh directory, so that tests may
/// change its files on disk; removed when dropped.
pub fn fixture_pack(name: &str) -> TempDir {
    let target = temp_dir(name);
    copy_fixture_pack(target.path());
    target
}

/// A fresh directory named for a test, removed when dropped.
pub fn temp_dir(name: &str) -> TempDir {
    tempfile::Builder::new().prefix(&format!("loupe-lsp-{name}-")).tempdir().expect("a temporary directory")
}

/// Copies the fixture pack's files into `target`, created if need be.
pub fn copy_fixture_pack(target: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pack");
    std::fs::create_dir_all(target).expect("a directory");
    for entry in std::fs::read_dir(&source).expect("the fixture pack") {
        let entry = entry.expect("a fixture file");
        std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy a fixture file");
    }
}

/// The `file://` URI of a path.
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The path of a `file://` URI made by [`uri`].
pub fn path_of(uri: &str) -> PathBuf {
    PathBuf::from(uri.strip_prefix("file://").expect("a file URI"))
}

/// The line and UTF-16 column of the first `needle` in `text`.
pub fn find(text: &str, needle: &str) -> (u32, u32) {
    let (line, found) =
        text.lines().enumerate().find(|(_, line)| line.contains(needle)).expect("the needle is in the text");
    let byte = found.find(needle).expect("the needle is on the line");
    let column = found[..byte].encode_utf16().count();
    (u32::try_from(line).expect("a short file"), u32::try_from(column).expect("a short line"))
}
