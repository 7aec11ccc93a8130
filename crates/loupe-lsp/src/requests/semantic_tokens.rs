//! `textDocument/semanticTokens/full`: highlighting that knows the pack.
//! Tokens are split at line ends (clients need not support multi-line
//! tokens) and encoded relative to the one before, in UTF-16 units.

use loupe_db::{LineIndex, Span, line_index};
use loupe_ide::TokenKind;
use tower_lsp_server::jsonrpc::Error;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensParams, SemanticTokensResult,
};

use crate::convert;
use crate::world::Snapshot;

const TYPES: [SemanticTokenType; 11] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::REGEXP,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::INTERFACE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::TYPE,
    SemanticTokenType::VARIABLE,
];

const MODIFIERS: [SemanticTokenModifier; 3] =
    [SemanticTokenModifier::DEFINITION, SemanticTokenModifier::DOCUMENTATION, SemanticTokenModifier::DEFAULT_LIBRARY];

/// The legend the server announces: the indices the tokens use.
pub(crate) fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: MODIFIERS.to_vec() }
}

pub(crate) fn handle(snapshot: &Snapshot, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>, Error> {
    snapshot.with(|db| {
        let (pack, file) = snapshot.file(db, &params.text_document.uri)?;
        let (index, text) = (line_index(db, file), file.text(db));
        let mut data = Vec::new();
        let (mut line, mut start) = (0, 0);
        for token in loupe_ide::semantic_tokens(db, pack, file) {
            let (token_type, mut modifiers) = encode(token.kind);
            if token.definition {
                modifiers |= 1 << position(&MODIFIERS, &SemanticTokenModifier::DEFINITION);
            }
            for piece in lines_of(index, text, token.span) {
                let range = convert::range(index, piece);
                let length = range.end.character - range.start.character;
                if length == 0 {
                    continue;
                }
                let delta_line = range.start.line - line;
                let delta_start = if delta_line == 0 { range.start.character - start } else { range.start.character };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length,
                    token_type,
                    token_modifiers_bitset: modifiers,
                });
                (line, start) = (range.start.line, range.start.character);
            }
        }
        Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
    })
}

/// The legend's index of a token's type, and its modifiers.
fn encode(kind: TokenKind) -> (u32, u32) {
    let modifier = |modifier: SemanticTokenModifier| 1 << position(&MODIFIERS, &modifier);
    let (token_type, modifiers) = match kind {
        TokenKind::Keyword => (SemanticTokenType::KEYWORD, 0),
        TokenKind::Comment => (SemanticTokenType::COMMENT, 0),
        TokenKind::DocComment => (SemanticTokenType::COMMENT, modifier(SemanticTokenModifier::DOCUMENTATION)),
        TokenKind::String => (SemanticTokenType::STRING, 0),
        TokenKind::Number => (SemanticTokenType::NUMBER, 0),
        TokenKind::Regex => (SemanticTokenType::REGEXP, 0),
        TokenKind::Lens | TokenKind::Pillar => (SemanticTokenType::NAMESPACE, 0),
        TokenKind::Question => (SemanticTokenType::INTERFACE, 0),
        TokenKind::Choice => (SemanticTokenType::ENUM_MEMBER, 0),
        TokenKind::Predicate => (SemanticTokenType::FUNCTION, 0),
        TokenKind::Builtin => (SemanticTokenType::FUNCTION, modifier(SemanticTokenModifier::DEFAULT_LIBRARY)),
        TokenKind::ResourceType => (SemanticTokenType::TYPE, 0),
        TokenKind::Variable => (SemanticTokenType::VARIABLE, 0),
    };
    (position(&TYPES, &token_type), modifiers)
}

fn position<T: PartialEq>(list: &[T], item: &T) -> u32 {
    // Every item is in its list: the lists are the constants above.
    list.iter().position(|listed| listed == item).map_or(0, |at| at as u32)
}

/// The parts of `span` on each of its lines, line breaks left out.
fn lines_of(index: &LineIndex, text: &str, span: Span) -> Vec<Span> {
    let mut pieces = Vec::new();
    let mut start = span.start as usize;
    let end = (span.end as usize).min(text.len());
    while start < end {
        let line = index.line_col(start as u32, loupe_diagnostics::Column::Utf8).line;
        let line_end = index.line_range(line).map_or(end, |range| range.end).min(end);
        let content_end = start + text[start..line_end].trim_end_matches(['\n', '\r']).len();
        pieces.push(Span::new(start, content_end));
        if line_end <= start {
            break;
        }
        start = line_end;
    }
    pieces
}
