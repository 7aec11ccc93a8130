//! Lowers pest's pairs into the AST, reporting everything the grammar let
//! through for the sake of recovery: junk lines, missing ids and titles,
//! unknown or repeated properties.

use pest::Parser;
use pest::iterators::Pair;

use crate::ast::*;
use crate::grammar::{LoupeParser, Rule};
use crate::strings;
use crate::{Code, Label, Span, SyntaxError};
use recovery::Context;

mod comments;
mod exprs;
mod items;
mod recovery;

/// Lowers `text` (possibly with over-deep groups blanked) whose doc comments
/// are read from `original`.
pub(crate) fn lower_file(text: &str, original: &str, errors: &mut Vec<SyntaxError>) -> SyntaxRoot {
    let mut lowerer = Lowerer { source: original, reported_open_at_end: false, open_checks: 0, errors };
    let comments = comments::scan(original);
    match LoupeParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            SyntaxRoot { items: pairs.next().map(|pair| lowerer.file(pair)).unwrap_or_default(), comments }
        }
        // The grammar accepts any text; this is reached only if pest itself
        // gives up (its stack guard or call limit), and is still reported.
        Err(error) => {
            let message = error.variant.message().to_string();
            lowerer.error(Code::SyntaxError, format!("the file could not be parsed: {message}"), Span::new(0, 0), "");
            SyntaxRoot { items: Vec::new(), comments }
        }
    }
}

/// Lowers a block given on its own (see [`crate::parse_block`]).
pub(crate) fn lower_block(text: &str, original: &str, errors: &mut Vec<SyntaxError>) -> Block {
    let mut lowerer = Lowerer { source: original, reported_open_at_end: false, open_checks: 0, errors };
    let block = LoupeParser::parse(Rule::block_only, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .and_then(|pair| pair.into_inner().find(|p| p.as_rule() == Rule::block));
    match block {
        Some(block) => lowerer.block(block),
        None => {
            lowerer.error(Code::SyntaxError, "not a block", Span::new(0, text.len()), "expected `{ ... }`");
            Block { statements: Vec::new(), span: Span::new(0, text.len()) }
        }
    }
}

struct Lowerer<'s, 'e> {
    /// The whole file, for reading doc comments.
    source: &'s str,
    /// Whether a block left open at the end of the file was reported.
    reported_open_at_end: bool,
    /// Check bodies left open (reported by their own parse), which cut
    /// short every item around them.
    open_checks: usize,
    errors: &'e mut Vec<SyntaxError>,
}

impl Lowerer<'_, '_> {
    /// The pair's span without the trailing whitespace pest consumes after
    /// an optional part that did not match.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let length = span.as_str().trim_end().len();
        Span::new(span.start(), span.start() + length)
    }

    /// Grows with every syntax error (and open check body): an item whose
    /// lowering grew it is `broken`.
    fn damage(&self) -> usize {
        self.errors.len() + self.open_checks
    }

    fn error(&mut self, code: Code, message: impl Into<String>, span: Span, label: &str) -> &mut SyntaxError {
        let index = self.errors.len();
        self.errors.push(SyntaxError::new(code, message, Label::new((), span, label)));
        &mut self.errors[index]
    }

    fn file(&mut self, pair: Pair<'_, Rule>) -> Vec<Item> {
        let mut items = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::lens => items.push(Item::Lens(self.lens(child))),
                Rule::pillar => items.push(Item::Pillar(self.pillar(child))),
                Rule::predicate => items.push(Item::Predicate(self.predicate(child))),
                Rule::test => items.push(Item::Test(self.test(child))),
                Rule::junk_top => self.junk(child, Context::TopLevel),
                _ => {}
            }
        }
        items
    }
    // ------------------------------------------------------------ tokens

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name { text: pair.as_str().to_string(), span: self.span(pair) }
    }

    fn text(&mut self, pair: &Pair<'_, Rule>) -> Text {
        let span = self.span(pair);
        Text { value: strings::unescape(pair.as_str(), span.start as usize, self.errors), span }
    }
}
