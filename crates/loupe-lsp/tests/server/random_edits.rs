//! Ten thousand random edits, sent as an editor sends them (incremental
//! changes in UTF-16 positions, non-ASCII text included), in runs of 500
//! from the fixture: after each run, the diagnostics the server publishes for
//! the edited file equal what `loupe check` finds in the same text.

use std::path::Path;

use loupe_diagnostics::{Column, LineIndex};
use loupe_project::{AnalysisHost, Change};
use serde_json::Value;

use crate::common::{Client, fixture_pack, uri};

const EDITS: usize = 10_000;
const CHECKPOINT_EVERY: usize = 500;

/// Pieces the edits insert: the language's brackets, quotes, operators,
/// keywords and comment markers, and characters of 2, 3 and 4 UTF-8 bytes.
const PIECES: [&str; 24] = [
    "(",
    ")",
    "{",
    "}",
    "\"",
    "/",
    "*",
    "\n",
    "every ",
    "evrey ",
    " and ",
    "==",
    "//",
    "/*",
    "é",
    "中",
    "🦀",
    "not ",
    "x",
    ".",
    "[",
    "]",
    ",",
    "let y = 1\n",
];

/// A deterministic generator (xorshift), so a failure repeats.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// What a diagnostic is, in the protocol's terms: code, UTF-16 range, severity.
type Seen = (String, [u64; 4], u64);

fn from_server(diagnostic: &Value) -> Seen {
    let range = &diagnostic["range"];
    let number = |value: &Value| value.as_u64().unwrap_or(u64::MAX);
    (
        diagnostic["code"].as_str().unwrap_or_default().to_string(),
        [
            number(&range["start"]["line"]),
            number(&range["start"]["character"]),
            number(&range["end"]["line"]),
            number(&range["end"]["character"]),
        ],
        number(&diagnostic["severity"]),
    )
}

/// `loupe check`'s diagnostics of `path` when it holds `text`, converted as an editor would see them.
fn from_check(pack: &Path, path: &Path, text: &str) -> Vec<Seen> {
    let mut host = AnalysisHost::new();
    let loaded = host.load(&[pack.to_path_buf()]);
    let mut change = Change::new();
    change.set_text(path, text);
    host.apply_change(change);
    let file = host.source(path).expect("the edited file is in its pack");
    let diagnostics = host.analysis().check(&loaded.targets).expect("nothing cancels");
    let lines = LineIndex::new(text);
    let position = |offset: u32| {
        let at = lines.line_col(offset, Column::Utf16);
        [u64::from(at.line - 1), u64::from(at.column - 1)]
    };
    let mut seen: Vec<Seen> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.primary.file == file)
        .map(|diagnostic| {
            let [start_line, start_column] = position(diagnostic.primary.span.start);
            let [end_line, end_column] = position(diagnostic.primary.span.end);
            let severity = match diagnostic.severity {
                loupe_diagnostics::Severity::Error => 1,
                _ => 2,
            };
            (diagnostic.code.as_str().to_string(), [start_line, start_column, end_line, end_column], severity)
        })
        .collect();
    seen.sort();
    seen
}

/// The UTF-16 position (line and column from 0) of a byte offset at a character boundary.
fn utf16_position(text: &str, offset: usize) -> [u32; 2] {
    let at = LineIndex::new(text).line_col(u32::try_from(offset).expect("a small text"), Column::Utf16);
    [at.line - 1, at.column - 1]
}

fn char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[tokio::test]
async fn after_random_edits_the_server_agrees_with_loupe_check() {
    let dir = fixture_pack("random-edits");
    let pack = dir.path();
    let path = pack.join("security.lens");
    let original = std::fs::read_to_string(&path).expect("the fixture");
    let mut text = original.clone();
    let uri = uri(&path);
    let mut client = Client::start().await;
    let mut version = 1;
    client.open(&uri, version, &text).await;
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut checkpoints = 0;

    for edit in 1..=EDITS {
        let start = char_boundary(&text, random.below(text.len() + 1));
        // About as much is inserted as deleted, so the text keeps its size.
        let end = char_boundary(&text, (start + random.below(4)).min(text.len()));
        let inserted = if random.below(3) < 2 { PIECES[random.below(PIECES.len())] } else { "" };
        let [start_line, start_column] = utf16_position(&text, start);
        let [end_line, end_column] = utf16_position(&text, end);
        text.replace_range(start..end, inserted);
        version += 1;
        client.edit(&uri, version, [start_line, start_column, end_line, end_column], inserted).await;

        if edit % CHECKPOINT_EVERY == 0 {
            // A line no earlier text had makes the server's answer for this
            // version differ from every earlier one, so it is published. It
            // first ends a string or a block comment the edits left open:
            // inside one it would change no diagnostic, and the server
            // publishes only diagnostics that changed.
            let marker = format!("\n\"*/ @@ checkpoint {edit}\n");
            let [line, column] = utf16_position(&text, text.len());
            text.push_str(&marker);
            version += 1;
            client.edit(&uri, version, [line, column, line, column], &marker).await;
            let published = loop {
                let message = client.publication(&uri).await;
                if message["version"] == version {
                    break message["diagnostics"].as_array().cloned().unwrap_or_default();
                }
            };
            let mut seen: Vec<Seen> = published.iter().map(from_server).collect();
            seen.sort();
            assert_eq!(seen, from_check(pack, &path, &text), "after edit {edit}, in:\n{text}");
            assert!(!seen.is_empty(), "the checkpoint line is diagnosed");
            checkpoints += 1;
            // The next run of edits starts again from the whole fixture, so
            // that they keep working on a real file rather than a remnant.
            let [line, column] = utf16_position(&text, text.len());
            version += 1;
            client.edit(&uri, version, [0, 0, line, column], &original).await;
            text.clone_from(&original);
        }
    }
    assert_eq!(checkpoints, EDITS / CHECKPOINT_EVERY);
}
