//! Lowers pest's pairs into the AST, reporting everything the grammar let
//! through for the sake of recovery: junk lines, missing ids and titles,
//! unknown or repeated properties.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, ConstPrattParser, Op, pratt_precedence};

use crate::ast::*;
use crate::grammar::{LoupeParser, Rule};
use crate::strings;
use crate::{Code, Label, MAX_EXPR_DEPTH, Span, SyntaxError};

/// Lowers `text` (possibly with over-deep groups blanked) whose doc comments
/// are read from `original`.
pub(crate) fn lower_file(text: &str, original: &str, errors: &mut Vec<SyntaxError>) -> SourceFile {
    let mut lowerer = Lowerer { source: original, reported_open_at_end: false, errors };
    match LoupeParser::parse(Rule::file, text) {
        Ok(mut pairs) => pairs.next().map(|pair| lowerer.file(pair)).unwrap_or_default(),
        // The grammar accepts any text; this is reached only if pest itself
        // gives up (its stack guard or call limit), and is still reported.
        Err(error) => {
            let message = error.variant.message().to_string();
            lowerer.error(Code::SyntaxError, format!("the file could not be parsed: {message}"), Span::new(0, 0), "");
            SourceFile::default()
        }
    }
}

/// Lowers a block given on its own (see [`crate::parse_block`]).
pub(crate) fn lower_block(text: &str, original: &str, errors: &mut Vec<SyntaxError>) -> Block {
    let mut lowerer = Lowerer { source: original, reported_open_at_end: false, errors };
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
    errors: &'e mut Vec<SyntaxError>,
}

/// Where a junk line was found, to say what would have been valid there.
#[derive(Clone, Copy)]
enum Context {
    TopLevel,
    Lens,
    Pillar,
    Question,
    Choice,
    Risk,
    Block,
    Test,
}

impl Context {
    fn entry_rule(self) -> Rule {
        match self {
            Context::TopLevel => Rule::item_line,
            Context::Lens => Rule::pillar_entry_line,
            Context::Pillar => Rule::pillar_entry_line,
            Context::Question => Rule::question_entry_line,
            Context::Choice => Rule::choice_entry_line,
            Context::Risk => Rule::risk_rule_line,
            Context::Block => Rule::statement_line,
            Context::Test => Rule::test_entry_line,
        }
    }

    /// The words that may start an entry here, for "did you mean".
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Context::TopLevel => &["lens", "pillar", "predicate", "test"],
            Context::Lens => &["version", "description", "pillars"],
            Context::Pillar => &["question", "description"],
            Context::Question => &["choice", "none", "risk", "phase", "description", "helpful"],
            Context::Choice => &["check", "description", "helpful", "improve"],
            Context::Risk => &["high", "medium", "none", "when", "otherwise"],
            Context::Block => &["applies", "let", "every", "some", "none", "not"],
            Context::Test => &["evidence", "expect"],
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Context::TopLevel => "`lens`, `pillar`, `predicate` or `test`",
            Context::Lens => "`version`, `description` or `pillars`",
            Context::Pillar => "`question` or `description`",
            Context::Question => "`choice`, `none`, `risk`, `phase`, `description` or `helpful`",
            Context::Choice => "`check`, `description`, `helpful` or `improve`",
            Context::Risk => "a rule such as `high when not BP01` or `medium otherwise`",
            Context::Block => "`applies when`, `let` or a condition",
            Context::Test => "`evidence \"FILE\"` or `expect ...`",
        }
    }
}

impl Lowerer<'_, '_> {
    /// The pair's span without the trailing whitespace pest consumes after
    /// an optional part that did not match.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let length = span.as_str().trim_end().len();
        Span::new(span.start(), span.start() + length)
    }

    fn error(&mut self, code: Code, message: impl Into<String>, span: Span, label: &str) -> &mut SyntaxError {
        self.errors.push(SyntaxError::new(code, message, Label::new((), span, label)));
        self.errors.last_mut().expect("just pushed")
    }

    fn file(&mut self, pair: Pair<'_, Rule>) -> SourceFile {
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
        SourceFile { items }
    }

    // ------------------------------------------------------------ recovery

    fn junk(&mut self, pair: Pair<'_, Rule>, context: Context) {
        let span = self.span(&pair);
        let text = pair.as_str();
        let first_word: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if let Some(message) = misplaced_keyword(&first_word, context) {
            self.error(Code::SyntaxError, message, span, "not allowed here").help =
                Some(format!("expected {} here", context.expected()));
            return;
        }
        // Re-parse the line on its own to point at the exact token pest stopped at.
        let (position, found) = match LoupeParser::parse(context.entry_rule(), text) {
            Err(error) => {
                let position = match error.location {
                    InputLocation::Pos(position) => position,
                    InputLocation::Span((start, _)) => start,
                };
                let expected = match &error.variant {
                    ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
                    ErrorVariant::CustomError { .. } => None,
                };
                (position, expected)
            }
            Ok(_) => (0, None),
        };
        let at = span.start as usize + position.min(text.len());
        let token_end = token_end(text, position.min(text.len()));
        let found_text = &text[position.min(text.len())..token_end];
        let message = if found_text.is_empty() {
            format!("unexpected end of line in {}", context_name(context))
        } else {
            format!("unexpected `{}` in {}", shorten(found_text), context_name(context))
        };
        let label = match &found {
            Some(expected) => format!("expected {expected}"),
            None => format!("expected {}", context.expected()),
        };
        let end = span.start as usize + token_end;
        // A known keyword whose line failed later gets no "did you mean" for itself.
        let help = loupe_diagnostics::suggest::closest(&first_word, context.keywords().iter().copied())
            .filter(|keyword| *keyword != first_word)
            .map(|keyword| format!("did you mean `{keyword}`?"));
        self.error(
            Code::SyntaxError,
            message,
            Span::new(at, end.max(at + usize::from(at < span.end as usize))),
            &label,
        )
        .help = help;
    }

    fn header_junk(&mut self, pair: Pair<'_, Rule>, what: &str) {
        let span = self.span(&pair);
        self.error(
            Code::SyntaxError,
            format!("unexpected `{}` in {what} header", shorten(pair.as_str().trim())),
            span,
            "expected `{`",
        )
        .help = Some(format!("a {what} header is `{what} ID \"title\" {{`"));
    }

    fn missing(&mut self, what: &str, item: &str, at: Span, help: &str) {
        self.error(Code::MissingPart, format!("{item} has no {what}"), at, &format!("{what} expected here")).help =
            Some(help.to_string());
    }

    /// Reports a block left open at the end of the file; only the innermost,
    /// as every enclosing block is then open too.
    fn expect_closed(&mut self, close: Option<Pair<'_, Rule>>, item: &str, opened: Span) {
        if let Some(close) = close
            && close.as_str().is_empty()
            && !std::mem::replace(&mut self.reported_open_at_end, true)
        {
            let at = self.span(&close);
            self.error(
                Code::SyntaxError,
                format!("{item} is not closed"),
                at,
                "expected `}` before the end of the file",
            )
            .secondary
            .push(Label::new((), opened, "opened here"));
        }
    }

    // ------------------------------------------------------------ items

    fn doc_before(&self, offset: usize) -> Option<String> {
        let before = &self.source[..offset.min(self.source.len())];
        let mut lines: Vec<&str> = Vec::new();
        for line in before.lines().rev().skip(usize::from(!before.ends_with('\n'))) {
            let line = line.trim();
            match line.strip_prefix("///") {
                Some(doc) if !doc.starts_with('/') => lines.push(doc.strip_prefix(' ').unwrap_or(doc)),
                // A plain comment between the docs and the item does not end them.
                _ if line.starts_with("//") => {}
                _ => break,
            }
        }
        if lines.is_empty() {
            return None;
        }
        lines.reverse();
        Some(lines.join("\n"))
    }

    fn lens(&mut self, pair: Pair<'_, Rule>) -> Lens {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let mut header = Header::default();
        let mut properties = Properties::default();
        let mut pillar_order: Vec<Name> = Vec::new();
        let mut close = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::property => properties.add(self, child),
                Rule::pillar_order => self.pillar_order(child, &mut pillar_order),
                Rule::junk => self.junk(child, Context::Lens),
                Rule::close => close = Some(child),
                _ => header.take(self, child, "lens"),
            }
        }
        self.check_header(&header, "lens", "lens ID \"Lens name\" { ... }");
        self.expect_closed(close, "the lens header", header.keyword);
        let version = properties.single(self, "version", "lens");
        let description = properties.single(self, "description", "lens");
        properties.reject_rest(self, "lens");
        Lens {
            id: header.id,
            name: header.title,
            version: version.map(|link| link.text),
            description: description.map(|link| link.text),
            pillar_order,
            doc,
            keyword: header.keyword,
            span,
        }
    }

    /// `pillars a, b, c`: once per lens header, each pillar once.
    fn pillar_order(&mut self, pair: Pair<'_, Rule>, order: &mut Vec<Name>) {
        let span = self.span(&pair);
        if let Some(first) = order.first() {
            let first = first.span;
            self.errors.push(
                SyntaxError::new(
                    Code::DuplicateProperty,
                    "the lens header gives `pillars` more than once",
                    Label::new((), span, "given again"),
                )
                .with_secondary(Label::new((), first, "first given here"))
                .with_help("list every pillar in one `pillars` line"),
            );
            return;
        }
        let names = self.name_list(pair, Rule::item_id, "pillar id", "`pillars security, reliability`");
        for (i, name) in names.iter().enumerate() {
            if let Some(first) = names[..i].iter().find(|earlier| earlier.text == name.text) {
                self.errors.push(
                    SyntaxError::new(
                        Code::DuplicateProperty,
                        format!("pillar `{}` is listed twice", name.text),
                        Label::new((), name.span, "listed again"),
                    )
                    .with_secondary(Label::new((), first.span, "first listed here")),
                );
            }
        }
        *order = names;
    }

    fn pillar(&mut self, pair: Pair<'_, Rule>) -> Pillar {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let mut header = Header::default();
        let mut properties = Properties::default();
        let mut questions = Vec::new();
        let mut close = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::question => questions.push(self.question(child)),
                Rule::property => properties.add(self, child),
                Rule::junk => self.junk(child, Context::Pillar),
                Rule::close => close = Some(child),
                _ => header.take(self, child, "pillar"),
            }
        }
        self.check_header(&header, "pillar", "pillar security \"Security\" { ... }");
        self.expect_closed(close, "this pillar", header.keyword);
        let description = properties.single(self, "description", "pillar");
        properties.reject_rest(self, "pillar");
        Pillar {
            id: header.id,
            name: header.title,
            description: description.map(|link| link.text),
            questions,
            doc,
            keyword: header.keyword,
            span,
        }
    }

    fn question(&mut self, pair: Pair<'_, Rule>) -> Question {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let mut header = Header::default();
        let mut properties = Properties::default();
        let mut choices = Vec::new();
        let mut phases = Vec::new();
        let mut risk: Option<RiskBlock> = None;
        let mut close = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::choice => choices.push(self.choice(child, false)),
                Rule::none_choice => choices.push(self.choice(child, true)),
                Rule::phase => phases.extend(self.phase(child)),
                Rule::risk_block => {
                    let block = self.risk_block(child);
                    if let Some(first) = &risk {
                        let first_span = first.span;
                        self.errors.push(
                            SyntaxError::new(
                                Code::DuplicateProperty,
                                "a question has one `risk` block",
                                Label::new((), block.span, "second `risk` block"),
                            )
                            .with_secondary(Label::new((), first_span, "first `risk` block"))
                            .with_help("merge the rules into one `risk` block, at most three of them"),
                        );
                    } else {
                        risk = Some(block);
                    }
                }
                Rule::property => properties.add(self, child),
                Rule::junk => self.junk(child, Context::Question),
                Rule::close => close = Some(child),
                _ => header.take(self, child, "question"),
            }
        }
        self.check_header(&header, "question", "question GENSEC01 \"How do you ...?\" { ... }");
        self.expect_closed(close, "this question", header.keyword);
        let description = properties.single(self, "description", "question");
        let helpful = properties.links(self, "helpful", "question");
        properties.reject_rest(self, "question");
        Question {
            id: header.id,
            title: header.title,
            description: description.map(|link| link.text),
            phases,
            helpful,
            choices,
            risk,
            doc,
            keyword: header.keyword,
            span,
        }
    }

    fn choice(&mut self, pair: Pair<'_, Rule>, is_none: bool) -> Choice {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let what = if is_none { "none" } else { "choice" };
        let mut header = Header::default();
        let mut properties = Properties::default();
        let mut check: Option<Check> = None;
        let mut close = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::check => {
                    let new = self.check(child);
                    if let Some(first) = &check {
                        let first_span = first.span;
                        self.errors.push(
                            SyntaxError::new(
                                Code::DuplicateProperty,
                                "a choice has one `check`",
                                Label::new((), new.span, "second `check`"),
                            )
                            .with_secondary(Label::new((), first_span, "first `check`"))
                            .with_help("merge the conditions into one `check` block: all of them must hold"),
                        );
                    } else {
                        check = Some(new);
                    }
                }
                Rule::property => properties.add(self, child),
                Rule::junk => self.junk(child, Context::Choice),
                Rule::close => close = Some(child),
                _ => header.take(self, child, what),
            }
        }
        if is_none {
            if header.title.is_none() {
                self.missing(
                    "title",
                    "the none-of-these choice",
                    Span::empty(span.end as usize),
                    "write `none QUESTION_no \"None of these\"`",
                );
            }
        } else {
            self.check_header(&header, "choice", "choice BP01 \"Title\" { improve \"...\" \"https://...\" }");
        }
        self.expect_closed(close, "this choice", header.keyword);
        let description = properties.single(self, "description", what);
        let helpful = properties.links(self, "helpful", what);
        let improve = properties.links(self, "improve", what);
        properties.reject_rest(self, what);
        Choice {
            id: header.id,
            title: header.title,
            is_none,
            description: description.map(|link| link.text),
            helpful,
            improve,
            check,
            doc,
            keyword: header.keyword,
            span,
        }
    }

    fn phase(&mut self, pair: Pair<'_, Rule>) -> Vec<Name> {
        self.name_list(pair, Rule::ident, "phase name", "`phase deployment, continuous_improvement`")
    }

    /// The names of a `KEYWORD a, b, c` line (`phase`, `pillars`), or one error
    /// when it names none.
    fn name_list(&mut self, pair: Pair<'_, Rule>, rule: Rule, what: &str, example: &str) -> Vec<Name> {
        let span = self.span(&pair);
        // The line's first pair is its keyword (`phase_key`, `pillar_order_key`).
        let keyword = pair.clone().into_inner().next().map_or_else(String::new, |key| key.as_str().to_string());
        let names: Vec<Name> = pair.into_inner().filter(|p| p.as_rule() == rule).map(|p| self.name(&p)).collect();
        if names.is_empty() {
            self.missing(
                what,
                &format!("`{keyword}`"),
                Span::empty(span.end as usize),
                &format!("write e.g. {example}"),
            );
        }
        names
    }

    fn risk_block(&mut self, pair: Pair<'_, Rule>) -> RiskBlock {
        let span = self.span(&pair);
        let mut rules = Vec::new();
        let mut close = None;
        let mut keyword = span;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_risk => keyword = self.span(&child),
                Rule::risk_rule => rules.push(self.risk_rule(child)),
                Rule::junk => self.junk(child, Context::Risk),
                Rule::close => close = Some(child),
                _ => {}
            }
        }
        self.expect_closed(close, "the risk block", keyword);
        RiskBlock { rules, span }
    }

    fn risk_rule(&mut self, pair: Pair<'_, Rule>) -> RiskRule {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let level_pair = inner.next().expect("grammar: risk_rule starts with risk_level");
        let level_span = self.span(&level_pair);
        let level = match level_pair.as_str() {
            "high" => RiskLevel::High,
            "medium" => RiskLevel::Medium,
            _ => RiskLevel::None,
        };
        let condition = inner.next().and_then(|rest| match rest.as_rule() {
            Rule::risk_when => rest.into_inner().find(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p)),
            _ => None,
        });
        RiskRule { level, level_span, condition, span }
    }

    fn check(&mut self, pair: Pair<'_, Rule>) -> Check {
        let span = self.span(&pair);
        let body = pair.into_inner().find(|p| p.as_rule() == Rule::block_body).map_or(span, |body| self.body(&body));
        Check { body, span }
    }

    /// The span of a check's or predicate's body, parsed later on its own.
    fn body(&mut self, pair: &Pair<'_, Rule>) -> Span {
        let body = self.span(pair);
        // A body left open runs to the end of the file; its own parse reports it.
        if !self.source.get(body.range()).is_some_and(|text| text.ends_with('}')) {
            self.reported_open_at_end = true;
        }
        body
    }

    fn block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        let children = pair.into_inner();
        // Sized once: a block lives as long as its check, and a growing Vec
        // would keep up to twice the room it needs.
        let mut statements = Vec::with_capacity(children.len());
        let mut close = None;
        for child in children {
            match child.as_rule() {
                Rule::applies => {
                    let span = self.span(&child);
                    let condition = self.expr(child.into_inner().find(|p| p.as_rule() == Rule::expr).expect("grammar"));
                    statements.push(Statement::Applies { condition, span });
                }
                Rule::let_binding => {
                    let span = self.span(&child);
                    let mut inner = child.into_inner().filter(|p| p.as_rule() != Rule::kw_let);
                    let name = self.name(&inner.next().expect("grammar: let has a name"));
                    let value = self.expr(inner.next().expect("grammar: let has a value"));
                    statements.push(Statement::Let { name, value, span });
                }
                Rule::assertion => {
                    let span = self.span(&child);
                    let mut condition = None;
                    let mut message = None;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::expr => condition = Some(self.expr(part)),
                            Rule::message => message = Some(self.message(part)),
                            _ => {}
                        }
                    }
                    let condition = condition.expect("grammar: an assertion has a condition");
                    statements.push(Statement::Assert { condition, message, span });
                }
                Rule::junk => self.junk(child, Context::Block),
                Rule::close => close = Some(child),
                _ => {}
            }
        }
        self.expect_closed(close, "this block", Span::new(span.start as usize, span.start as usize + 1));
        Block { statements, span }
    }

    fn predicate(&mut self, pair: Pair<'_, Rule>) -> Predicate {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let mut keyword = span;
        let mut name = None;
        let mut params = Vec::new();
        let mut body = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_predicate => keyword = self.span(&child),
                Rule::ident => name = Some(self.name(&child)),
                Rule::params => params = child.into_inner().map(|p| self.name(&p)).collect(),
                Rule::header_junk => self.header_junk(child, "predicate"),
                Rule::block_body => body = Some(self.body(&child)),
                _ => {}
            }
        }
        if name.is_none() {
            self.missing(
                "name",
                "this predicate",
                Span::empty(keyword.end as usize),
                "write `predicate name(param, ...) { ... }`",
            );
        }
        let body = body.unwrap_or(span);
        Predicate { name, params, body, doc, keyword, span }
    }

    fn test(&mut self, pair: Pair<'_, Rule>) -> Test {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let mut keyword = span;
        let mut name = None;
        let mut evidence = Vec::new();
        let mut expectations = Vec::new();
        let mut close = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_test => keyword = self.span(&child),
                Rule::string => name = Some(self.text(&child)),
                Rule::header_junk => self.header_junk(child, "test"),
                Rule::evidence => {
                    if let Some(path) = child.into_inner().find(|p| p.as_rule() == Rule::string) {
                        evidence.push(self.text(&path));
                    }
                }
                Rule::expectation => {
                    if let Some(expectation) = self.expectation(child) {
                        expectations.push(expectation);
                    }
                }
                Rule::junk => self.junk(child, Context::Test),
                Rule::close => close = Some(child),
                _ => {}
            }
        }
        if name.is_none() {
            self.missing(
                "name",
                "this test",
                Span::empty(keyword.end as usize),
                "write `test \"what it shows\" { ... }`",
            );
        }
        self.expect_closed(close, "this test", keyword);
        Test { name, evidence, expectations, doc, keyword, span }
    }

    fn expectation(&mut self, pair: Pair<'_, Rule>) -> Option<Expectation> {
        let span = self.span(&pair);
        let ids: Vec<Name> =
            pair.clone().into_inner().filter(|p| p.as_rule() == Rule::item_id).map(|p| self.name(&p)).collect();
        let expected_pair = pair.into_inner().find(|p| p.as_rule() == Rule::expected)?;
        let expected_span = self.span(&expected_pair);
        let words: Vec<&str> = expected_pair.as_str().split_whitespace().collect();
        let mut ids = ids.into_iter();
        let question = ids.next()?;
        let choice = ids.next();
        let expected = match (choice.is_some(), words.as_slice()) {
            (true, ["selected"]) => Some(Expected::Selected),
            (true, ["unselected"]) => Some(Expected::Unselected),
            (true, ["not_applicable"]) => Some(Expected::NotApplicable),
            (true, ["unknown"]) => Some(Expected::Unknown),
            (false, ["risk", "high"]) => Some(Expected::Risk(RiskLevel::High)),
            (false, ["risk", "medium"]) => Some(Expected::Risk(RiskLevel::Medium)),
            (false, ["risk", "none"]) => Some(Expected::Risk(RiskLevel::None)),
            (false, ["unanswered"]) => Some(Expected::Unanswered),
            (false, ["not_applicable"]) => Some(Expected::NotApplicable),
            _ => None,
        };
        let Some(expected) = expected else {
            let help = if choice.is_some() {
                "a choice is expected `selected`, `unselected`, `not_applicable` or `unknown`"
            } else {
                "a question is expected `risk high`, `risk medium`, `risk none`, `unanswered` or `not_applicable`"
            };
            self.error(
                Code::InvalidExpectation,
                format!("`{}` is not an outcome this test can expect", expected_pair.as_str()),
                expected_span,
                "unknown outcome",
            )
            .help = Some(help.to_string());
            return None;
        };
        Some(Expectation { question, choice, expected, expected_span, span })
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let expr = self.expr_unbounded(pair);
        self.limit_depth(expr)
    }

    /// Replaces an expression deeper than [`MAX_EXPR_DEPTH`] by an error, so
    /// that no later pass over the tree can run out of stack.
    fn limit_depth(&mut self, expr: Expr) -> Expr {
        if expr.depth as usize <= MAX_EXPR_DEPTH {
            return expr;
        }
        self.error(
            Code::NestingTooDeep,
            format!("expression nests deeper than {MAX_EXPR_DEPTH} levels"),
            expr.span,
            "too deep",
        )
        .help = Some("split the expression into named predicates or `let` bindings".to_string());
        Expr::error(expr.span)
    }

    fn expr_unbounded(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr => {
                let mut parts = pair.into_inner();
                let first = parts.next();
                match (first, parts.peek()) {
                    // Most expressions are one operand: no precedence to apply.
                    (Some(only), None) => self.expr_unbounded(only),
                    (first, _) => self.operators(first.into_iter().chain(parts).collect(), span),
                }
            }
            Rule::paren => match pair.into_inner().next() {
                Some(inner) => self.expr(inner),
                None => Expr::error(span),
            },
            Rule::number => Expr::new(ExprKind::Number(pair.as_str().to_string()), span),
            Rule::string => {
                let text = self.text(&pair);
                Expr::new(ExprKind::String(text.value), span)
            }
            Rule::regex => {
                let raw = pair.as_str();
                let close = raw.rfind('/').unwrap_or(raw.len());
                let pattern = raw[1.min(close)..close].replace("\\/", "/");
                let flags = raw[(close + 1).min(raw.len())..].to_string();
                Expr::new(ExprKind::Regex { pattern, flags }, span)
            }
            Rule::constant => match pair.as_str() {
                "true" => Expr::new(ExprKind::Bool(true), span),
                "false" => Expr::new(ExprKind::Bool(false), span),
                _ => Expr::new(ExprKind::Null, span),
            },
            Rule::ident => Expr::new(ExprKind::Var(self.name(&pair)), span),
            Rule::list => {
                let parts: Vec<_> = pair.into_inner().collect();
                if let [head, where_, condition] = parts.as_slice()
                    && where_.as_rule() == Rule::kw_where
                {
                    return self.comprehension(head.clone(), condition.clone(), span);
                }
                Expr::new(ExprKind::List(parts.into_iter().map(|p| self.expr(p)).collect()), span)
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let function = self.name(&inner.next().expect("grammar: call has a name"));
                let args = inner.map(|p| self.expr(p)).collect();
                Expr::new(ExprKind::Call { function, args }, span)
            }
            Rule::quantifier => {
                let mut kind = Quantifier::Every;
                let mut var = None;
                let mut source = None;
                let mut filter = None;
                let mut body = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::quantifier_kind => {
                            kind = match part.as_str() {
                                "some" => Quantifier::Some,
                                "none" => Quantifier::None,
                                _ => Quantifier::Every,
                            }
                        }
                        Rule::ident => var = Some(self.name(&part)),
                        Rule::expr if source.is_none() => source = Some(self.expr(part)),
                        Rule::expr => filter = Some(self.expr(part)),
                        Rule::block => body = Some(self.block(part)),
                        _ => {}
                    }
                }
                let kind = ExprKind::Quantifier(Box::new(QuantifierExpr {
                    kind,
                    var: var.expect("grammar: quantifier variable"),
                    source: source.expect("grammar: quantifier source"),
                    filter,
                    body: body.expect("grammar: quantifier body"),
                }));
                Expr::new(kind, span)
            }
            _ => Expr::error(span),
        }
    }

    /// `[x in source where condition]`: the grammar parsed `x in source` as
    /// one flat expression, split here after its first operator.
    fn comprehension(&mut self, head: Pair<'_, Rule>, condition: Pair<'_, Rule>, span: Span) -> Expr {
        let head_span = self.span(&head);
        let mut parts = head.into_inner();
        let (var, op) = (parts.next(), parts.next());
        let source: Vec<_> = parts.collect();
        let (Some(var), Some(op), Some(first)) = (var, op, source.first()) else {
            return self.bad_comprehension(head_span);
        };
        if var.as_rule() != Rule::ident || op.as_rule() != Rule::cmp_op || op.as_str() != "in" {
            return self.bad_comprehension(head_span);
        }
        let var = self.name(&var);
        let source_span = Span::new(first.as_span().start(), head_span.end as usize);
        let source = match <[_; 1]>::try_from(source) {
            Ok([only]) => self.expr(only),
            Err(parts) => {
                let expr = self.operators(parts, source_span);
                self.limit_depth(expr)
            }
        };
        let condition = self.expr(condition);
        Expr::new(ExprKind::Filter { var, source: Box::new(source), condition: Box::new(condition) }, span)
    }

    fn bad_comprehension(&mut self, head: Span) -> Expr {
        self.error(
            Code::SyntaxError,
            "a comprehension starts with a variable and `in`",
            head,
            "expected `NAME in ...`",
        )
        .help = Some("write `[x in items where condition]`".to_string());
        Expr::error(head)
    }

    /// Applies precedence to an expression's flat operands and operators.
    fn operators(&mut self, parts: Vec<Pair<'_, Rule>>, span: Span) -> Expr {
        // Bounded before the Pratt parser runs: it recurses once per prefix
        // operator, and every operator adds one level to the tree.
        let operator_count = parts.iter().filter(|part| is_operator(part.as_rule())).count();
        if operator_count >= MAX_EXPR_DEPTH {
            let diagnostic = SyntaxError::new(
                Code::NestingTooDeep,
                format!("expression has {operator_count} operators, more than {} levels", MAX_EXPR_DEPTH - 1),
                Label::new((), span, "too deep"),
            )
            .with_help("split the expression into named predicates or `let` bindings");
            self.errors.push(diagnostic);
            return Expr::error(span);
        }
        let this = std::cell::RefCell::new(self);
        PRATT
            .map_primary(|primary| this.borrow_mut().expr(primary))
            .map_prefix(|op, operand| {
                let op_span = this.borrow().span(&op);
                let op = if op.as_rule() == Rule::kw_not { UnaryOp::Not } else { UnaryOp::Neg };
                let span = op_span.cover(operand.span);
                Expr::new(ExprKind::Unary { op, operand: Box::new(operand) }, span)
            })
            .map_postfix(|base, suffix| this.borrow_mut().suffix(base, suffix))
            .map_infix(|lhs, op, rhs| {
                let mut lowerer = this.borrow_mut();
                let op_span = lowerer.span(&op);
                let span = lhs.span.cover(rhs.span);
                if op.as_rule() == Rule::cmp_op && lowerer.is_unparenthesized_comparison(&lhs, op_span) {
                    let diagnostic = SyntaxError::new(
                        Code::SyntaxError,
                        "comparisons do not chain",
                        Label::new((), op_span, "second comparison"),
                    )
                    .with_help("join them with `and`, e.g. `a < b and b < c`");
                    lowerer.errors.push(diagnostic);
                    return Expr::error(span);
                }
                let kind = ExprKind::Binary { op: binary_op(&op), op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) };
                Expr::new(kind, span)
            })
            .parse(parts.into_iter())
    }

    /// Whether `lhs`, followed by the operator at `op`, is itself a comparison
    /// written without parentheses (a lowered `( )` leaves its `)` in between).
    fn is_unparenthesized_comparison(&self, lhs: &Expr, op: Span) -> bool {
        let comparison = matches!(
            lhs.kind,
            ExprKind::Binary {
                op: BinaryOp::Eq
                    | BinaryOp::NotEq
                    | BinaryOp::Lt
                    | BinaryOp::LtEq
                    | BinaryOp::Gt
                    | BinaryOp::GtEq
                    | BinaryOp::Contains
                    | BinaryOp::StartsWith
                    | BinaryOp::EndsWith
                    | BinaryOp::Matches
                    | BinaryOp::In
                    | BinaryOp::NotIn,
                ..
            }
        );
        let between = self.source.get(lhs.span.end as usize..op.start as usize).unwrap_or("");
        comparison && !between.contains(')')
    }

    /// `.name`, `."name"`, `[*]` or `[index]` after `base`.
    fn suffix(&mut self, base: Expr, suffix: Pair<'_, Rule>) -> Expr {
        let span = base.span.cover(self.span(&suffix));
        let kind = match suffix.as_rule() {
            Rule::field => {
                let Some(name_pair) = suffix.into_inner().next() else { return Expr::error(span) };
                let name = if name_pair.as_rule() == Rule::string {
                    let text = self.text(&name_pair);
                    Name { text: text.value, span: text.span }
                } else {
                    self.name(&name_pair)
                };
                ExprKind::Field { base: Box::new(base), name }
            }
            Rule::wildcard => ExprKind::Wildcard { base: Box::new(base) },
            _ => match suffix.into_inner().next() {
                Some(index) => ExprKind::Index { base: Box::new(base), index: Box::new(self.expr(index)) },
                None => return Expr::error(span),
            },
        };
        Expr::new(kind, span)
    }

    // ------------------------------------------------------------ tokens

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name { text: pair.as_str().to_string(), span: self.span(pair) }
    }

    fn text(&mut self, pair: &Pair<'_, Rule>) -> Text {
        let span = self.span(pair);
        Text { value: strings::unescape(pair.as_str(), span.start as usize, self.errors), span }
    }

    fn message(&mut self, pair: Pair<'_, Rule>) -> Message {
        let span = self.span(&pair);
        strings::body(pair.as_str(), span.start as usize, self.errors);
        let children = pair.into_inner();
        let mut parts = Vec::with_capacity(children.len());
        let mut text = String::new();
        for part in children {
            let part_span = self.span(&part);
            match part.as_rule() {
                Rule::message_text => {
                    text.push_str(&strings::unescape_text(part.as_str(), part_span.start as usize, true, self.errors));
                }
                Rule::hole | Rule::bad_hole => {
                    let raw = part.as_str();
                    match self.hole(part) {
                        Some(expr) => {
                            if !text.is_empty() {
                                parts.push(MessagePart::Literal(std::mem::take(&mut text)));
                            }
                            parts.push(MessagePart::Interpolation(expr));
                        }
                        None => text.push_str(raw),
                    }
                }
                _ => {}
            }
        }
        if !text.is_empty() || parts.is_empty() {
            parts.push(MessagePart::Literal(text));
        }
        Message { parts, span }
    }

    /// A message hole's expression, an error expression where the hole holds
    /// none, or `None` where it is not closed and stays text (both reported).
    fn hole(&mut self, part: Pair<'_, Rule>) -> Option<Expr> {
        let span = self.span(&part);
        if part.as_rule() == Rule::hole {
            return Some(part.into_inner().next().map_or(Expr::error(span), |expr| self.expr(expr)));
        }
        let Some(source) = part.as_str().strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) else {
            self.error(Code::SyntaxError, "interpolation is not closed", span, "this `{` has no `}`").help =
                Some("write `{{` for a literal brace".to_string());
            return None;
        };
        let source_span = Span::new(span.start as usize + 1, span.end as usize - 1);
        self.error(
            Code::SyntaxError,
            format!("`{{{}}}` is not an expression", shorten(source)),
            source_span,
            "cannot parse this interpolation",
        )
        .help =
            Some("interpolate a variable or a property path, e.g. `{role.name}`; write `{{` for a brace".to_string());
        Some(Expr::error(source_span))
    }

    fn check_header(&mut self, header: &Header, what: &str, example: &str) {
        if header.id.is_none() {
            self.missing(
                "id",
                &format!("this {what}"),
                Span::empty(header.keyword.end as usize),
                &format!("write `{example}`"),
            );
        } else if header.title.is_none() {
            let at = header.id.as_ref().map_or(header.keyword.end, |id| id.span.end) as usize;
            self.missing("title", &format!("this {what}"), Span::empty(at), &format!("write `{example}`"));
        }
    }
}

/// The id, title and keyword of an item header.
#[derive(Default)]
struct Header {
    keyword: Span,
    id: Option<Name>,
    title: Option<Text>,
}

impl Header {
    fn take(&mut self, lowerer: &mut Lowerer<'_, '_>, pair: Pair<'_, Rule>, what: &str) {
        match pair.as_rule() {
            Rule::item_id => self.id = Some(lowerer.name(&pair)),
            Rule::string => self.title = Some(lowerer.text(&pair)),
            Rule::header_junk => lowerer.header_junk(pair, what),
            Rule::kw_lens | Rule::kw_pillar | Rule::kw_question | Rule::kw_choice | Rule::kw_none => {
                self.keyword = lowerer.span(&pair)
            }
            _ => {}
        }
    }
}

/// The `key "text" "url"` lines of one item, checked against what it accepts.
#[derive(Default)]
struct Properties<'i> {
    entries: Vec<(&'i str, Span, Link)>,
}

impl<'i> Properties<'i> {
    fn add(&mut self, lowerer: &mut Lowerer<'_, '_>, pair: Pair<'i, Rule>) {
        let span = lowerer.span(&pair);
        let mut inner = pair.into_inner();
        let key_pair = inner.next().expect("grammar: property key");
        let key = key_pair.as_str();
        let key_span = lowerer.span(&key_pair);
        let strings: Vec<Text> = inner.map(|p| lowerer.text(&p)).collect();
        let wants_url = matches!(key, "helpful" | "improve");
        let max = if wants_url { 2 } else { 1 };
        if strings.is_empty() {
            let help = if wants_url {
                format!("write `{key} \"display text\" \"https://...\"`")
            } else {
                format!("write `{key} \"...\"`")
            };
            lowerer.missing("text", &format!("`{key}`"), Span::empty(key_span.end as usize), &help);
            return;
        }
        if strings.len() > max {
            let extra = strings[max].span.cover(strings[strings.len() - 1].span);
            lowerer
                .error(
                    Code::SyntaxError,
                    format!("`{key}` takes at most {max} string{}", if max == 1 { "" } else { "s" }),
                    extra,
                    "unexpected string",
                )
                .help = Some(if wants_url {
                "the first string is the display text, the second the URL".to_string()
            } else {
                "join the text into one string".to_string()
            });
        }
        let mut strings = strings.into_iter();
        let text = strings.next().expect("checked non-empty");
        let url = if wants_url { strings.next() } else { None };
        self.entries.push((key, key_span, Link { text, url, span }));
    }

    /// The one value of `key`; a repeat is reported.
    fn single(&mut self, lowerer: &mut Lowerer<'_, '_>, key: &str, item: &str) -> Option<Link> {
        let mut found = self.take(key).into_iter();
        let first = found.next();
        for (_, span, _) in found {
            let (_, first_span, _) = first.as_ref().expect("a repeat has a first");
            lowerer.errors.push(
                SyntaxError::new(
                    Code::DuplicateProperty,
                    format!("`{key}` is given twice for this {item}"),
                    Label::new((), span, "repeated here"),
                )
                .with_secondary(Label::new((), *first_span, "first given here"))
                .with_help(format!("keep one `{key}`")),
            );
        }
        first.map(|(_, _, link)| link)
    }

    /// Every value of a repeatable `key`, in order.
    fn links(&mut self, _lowerer: &mut Lowerer<'_, '_>, key: &str, _item: &str) -> Vec<Link> {
        // Sized exactly: the list lives as long as the file's tree, and most
        // items have one link.
        let mut links = Vec::with_capacity(self.entries.iter().filter(|(k, _, _)| *k == key).count());
        links.extend(self.entries.extract_if(.., |(k, _, _)| *k == key).map(|(_, _, link)| link));
        links
    }

    fn take(&mut self, key: &str) -> Vec<(&'i str, Span, Link)> {
        self.entries.extract_if(.., |(k, _, _)| *k == key).collect()
    }

    fn reject_rest(self, lowerer: &mut Lowerer<'_, '_>, item: &str) {
        for (key, span, _) in self.entries {
            let accepted = match item {
                "lens" => "`version` and `description`",
                "pillar" => "`description`",
                "question" => "`description` and `helpful`",
                _ => "`description`, `helpful` and `improve`",
            };
            lowerer.error(Code::UnknownProperty, format!("a {item} has no `{key}`"), span, "not allowed here").help =
                Some(format!("a {item} accepts {accepted}"));
        }
    }
}

/// Operator precedence, loosest first.
static PRATT: ConstPrattParser<Rule, 10> = ConstPrattParser::new_const(pratt_precedence![
    Op::infix(Rule::kw_or, Assoc::Left),
    Op::infix(Rule::kw_and, Assoc::Left),
    Op::prefix(Rule::kw_not),
    Op::infix(Rule::cmp_op, Assoc::Left),
    Op::infix(Rule::add_op, Assoc::Left),
    Op::infix(Rule::mul_op, Assoc::Left),
    Op::prefix(Rule::neg),
    Op::postfix(Rule::field) | Op::postfix(Rule::wildcard) | Op::postfix(Rule::index),
]);

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_or
            | Rule::kw_and
            | Rule::kw_not
            | Rule::cmp_op
            | Rule::add_op
            | Rule::mul_op
            | Rule::neg
            | Rule::field
            | Rule::wildcard
            | Rule::index
    )
}

fn binary_op(pair: &Pair<'_, Rule>) -> BinaryOp {
    match pair.as_str() {
        "or" => BinaryOp::Or,
        "and" => BinaryOp::And,
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::NotEq,
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::LtEq,
        ">" => BinaryOp::Gt,
        ">=" => BinaryOp::GtEq,
        "contains" => BinaryOp::Contains,
        "starts_with" => BinaryOp::StartsWith,
        "ends_with" => BinaryOp::EndsWith,
        "matches" => BinaryOp::Matches,
        "in" => BinaryOp::In,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "%" => BinaryOp::Rem,
        // `not in`, with any whitespace between the words.
        _ => BinaryOp::NotIn,
    }
}

fn misplaced_keyword(word: &str, context: Context) -> Option<String> {
    let home = match word {
        "question" => "inside a pillar",
        "choice" | "none" | "risk" | "phase" => "inside a question",
        "check" => "inside a choice",
        "pillar" | "lens" | "predicate" | "test" => "at the top level of a file",
        _ => return None,
    };
    let fits = matches!(
        (word, context),
        ("question", Context::Pillar)
            | ("choice" | "none" | "risk" | "phase", Context::Question)
            | ("check", Context::Choice)
            | ("pillar" | "lens" | "predicate" | "test", Context::TopLevel)
            | ("none", Context::Block | Context::Risk)
    );
    (!fits).then(|| format!("`{word}` belongs {home}, not in {}", context_name(context)))
}

fn context_name(context: Context) -> &'static str {
    match context {
        Context::TopLevel => "the top level of the file",
        Context::Lens => "the lens header",
        Context::Pillar => "a pillar",
        Context::Question => "a question",
        Context::Choice => "a choice",
        Context::Risk => "a risk block",
        Context::Block => "a check",
        Context::Test => "a test",
    }
}

/// Names what pest was looking for, in the language's words.
fn describe_expected(rules: &[Rule]) -> Option<String> {
    let mut names: Vec<&str> = rules.iter().filter_map(|rule| rule_name(*rule)).collect();
    // Where an expression may start, its kinds of first token say nothing more.
    if names.contains(&"an expression") {
        names.retain(|name| !matches!(*name, "a name" | "a string" | "a number"));
    }
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [rest @ .., last] => Some(format!("{} or {last}", rest.join(", "))),
    }
}

fn rule_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expr
        | Rule::quantifier_kind
        | Rule::call
        | Rule::paren
        | Rule::list
        | Rule::regex
        | Rule::constant
        | Rule::kw_not
        | Rule::neg => "an expression",
        Rule::ident => "a name",
        Rule::item_id => "an id",
        Rule::string => "a string",
        Rule::number => "a number",
        Rule::cmp_op => "a comparison",
        Rule::infix_start => "an operator",
        Rule::risk_level => "`high`, `medium` or `none`",
        Rule::kw_when => "`when`",
        Rule::kw_otherwise => "`otherwise`",
        Rule::kw_in => "`in`",
        Rule::kw_else => "`else`",
        Rule::block => "`{`",
        Rule::EOI => "the end of the line",
        Rule::property_key => "a property",
        Rule::kw_pillar | Rule::kw_lens | Rule::kw_predicate | Rule::kw_test => "an item",
        _ => return None,
    })
}

/// The end of the token starting at `start`: a word, or one character.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let word = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    if word > 0 {
        return start + word;
    }
    start + rest.chars().next().map_or(0, char::len_utf8)
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > MAX || line.len() < text.len() {
        let cut: String = line.chars().take(MAX).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_string()
    }
}
