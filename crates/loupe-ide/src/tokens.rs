//! Semantic tokens: what each name, literal and comment of a file is, for
//! highlighting that knows the pack (a choice id, a predicate, a built-in).

use loupe_db::{BlockText, Db, Pack, SourceFile, compiled_block, parse_file};
use loupe_diagnostics::Span;
use loupe_syntax::{Block, CommentKind, Expr, ExprKind, Item, Link, Text};

use crate::symbols::{Symbol, file_occurrences};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An item's or property's keyword (`pillar`, `choice`, …) and a risk level.
    Keyword,
    Comment,
    DocComment,
    String,
    Number,
    Regex,
    Lens,
    Pillar,
    Question,
    Choice,
    Predicate,
    Builtin,
    ResourceType,
    /// A predicate's parameter, a `let` binding, a quantifier's or filter's variable.
    Variable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: TokenKind,
    /// The name is defined here.
    pub definition: bool,
}

/// The tokens of `file` in order, none overlapping another. Keywords inside
/// check bodies (`every`, `let`, operators) are left to the editor's grammar.
pub fn semantic_tokens(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<SemanticToken> {
    let parse = parse_file(db, file);
    let text = file.text(db);
    // `check` and `risk` have no span of their own: their blocks start with them.
    let leading = |span: Span, word: &str| {
        let starts = text.get(span.start as usize..).is_some_and(|rest| rest.starts_with(word));
        starts.then(|| Span::new(span.start as usize, span.start as usize + word.len()))
    };
    let mut tokens = Vec::new();
    let mut push = |span: Span, kind: TokenKind| tokens.push(SemanticToken { span, kind, definition: false });
    for comment in &parse.file.comments {
        let kind = if comment.kind == CommentKind::Doc { TokenKind::DocComment } else { TokenKind::Comment };
        push(comment.span, kind);
    }
    let mut texts: Vec<&Text> = Vec::new();
    let links = |links: &'_ [Link]| -> Vec<Span> {
        links.iter().flat_map(|link| [Some(link.text.span), link.url.as_ref().map(|url| url.span)]).flatten().collect()
    };
    for item in &parse.file.items {
        match item {
            Item::Lens(lens) => {
                push(lens.keyword, TokenKind::Keyword);
                texts.extend([&lens.name, &lens.version, &lens.description].into_iter().flatten());
            }
            Item::Pillar(pillar) => {
                push(pillar.keyword, TokenKind::Keyword);
                texts.extend([&pillar.name, &pillar.description].into_iter().flatten());
                for question in &pillar.questions {
                    push(question.keyword, TokenKind::Keyword);
                    texts.extend([&question.title, &question.description].into_iter().flatten());
                    links(&question.helpful).into_iter().for_each(|span| push(span, TokenKind::String));
                    for choice in &question.choices {
                        push(choice.keyword, TokenKind::Keyword);
                        let check = choice.check.as_ref().and_then(|check| leading(check.span, "check"));
                        check.into_iter().for_each(|span| push(span, TokenKind::Keyword));
                        texts.extend([&choice.title, &choice.description].into_iter().flatten());
                        let all_links = links(&choice.helpful).into_iter().chain(links(&choice.improve));
                        all_links.for_each(|span| push(span, TokenKind::String));
                    }
                    let risk = question.risk.as_ref().and_then(|risk| leading(risk.span, "risk"));
                    risk.into_iter().for_each(|span| push(span, TokenKind::Keyword));
                    for rule in question.risk.iter().flat_map(|risk| &risk.rules) {
                        push(rule.level_span, TokenKind::Keyword);
                    }
                }
            }
            Item::Predicate(predicate) => {
                push(predicate.keyword, TokenKind::Keyword);
            }
            Item::Test(test) => {
                push(test.keyword, TokenKind::Keyword);
                texts.extend(test.name.iter().chain(&test.evidence));
                for expectation in &test.expectations {
                    push(expectation.expected_span, TokenKind::Keyword);
                }
            }
        }
    }
    tokens.extend(texts.iter().map(|text| SemanticToken {
        span: text.span,
        kind: TokenKind::String,
        definition: false,
    }));
    for body in parse.file.bodies() {
        let compiled = compiled_block(db, BlockText::of(db, file, body));
        block_tokens(&compiled.block, body.start, &mut tokens);
    }
    // Names the pack resolves come last, so that they win over a body's plain string.
    tokens.extend(file_occurrences(db, pack, file).into_iter().map(|occurrence| SemanticToken {
        span: occurrence.span,
        kind: match occurrence.symbol {
            Symbol::Lens(_) => TokenKind::Lens,
            Symbol::Pillar(_) => TokenKind::Pillar,
            Symbol::Question(_) => TokenKind::Question,
            Symbol::Choice { .. } => TokenKind::Choice,
            Symbol::Predicate(_) => TokenKind::Predicate,
            Symbol::Builtin(_) => TokenKind::Builtin,
            Symbol::ResourceType(_) => TokenKind::ResourceType,
            Symbol::Local { .. } => TokenKind::Variable,
        },
        definition: occurrence.definition.is_some(),
    }));
    // The last token pushed for a span wins; a token overlapping an earlier one is dropped.
    tokens.reverse();
    tokens.sort_by_key(|token| token.span.start);
    let mut kept: Vec<SemanticToken> = Vec::with_capacity(tokens.len());
    for token in tokens {
        match kept.last() {
            Some(last) if token.span.start < last.span.end => {}
            _ if token.span.is_empty() => {}
            _ => kept.push(token),
        }
    }
    kept
}

fn block_tokens(block: &Block, base: u32, tokens: &mut Vec<SemanticToken>) {
    block.for_each_expression(|expr| literal_tokens(expr, base, tokens));
}

fn literal_tokens(expr: &Expr, base: u32, tokens: &mut Vec<SemanticToken>) {
    let kind = match &expr.kind {
        ExprKind::String(_) => Some(TokenKind::String),
        ExprKind::Number(_) => Some(TokenKind::Number),
        ExprKind::Regex { .. } => Some(TokenKind::Regex),
        _ => None,
    };
    if let Some(kind) = kind {
        tokens.push(SemanticToken { span: expr.span.moved(base), kind, definition: false });
    }
    expr.kind.for_each_child(|child| literal_tokens(child, base, tokens));
}
