//! Items: lens headers, pillars, questions, choices, risk blocks, checks,
//! predicates and tests, with their headers and properties.

use pest::iterators::Pair;

use super::Lowerer;
use super::recovery::Context;
use crate::ast::*;
use crate::grammar::Rule;
use crate::{Code, Label, Span, SyntaxError, strings};

impl Lowerer<'_, '_> {
    pub(super) fn lens(&mut self, pair: Pair<'_, Rule>) -> Lens {
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
    pub(super) fn pillar_order(&mut self, pair: Pair<'_, Rule>, order: &mut Vec<Name>) {
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

    pub(super) fn pillar(&mut self, pair: Pair<'_, Rule>) -> Pillar {
        let damage = self.damage();
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
            broken: self.damage() > damage,
            span,
        }
    }

    pub(super) fn question(&mut self, pair: Pair<'_, Rule>) -> Question {
        let damage = self.damage();
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
                        let help = "merge the rules into one `risk` block, at most three of them";
                        self.second_part("a question has one", "`risk` block", [first.span, block.span], help);
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
            broken: self.damage() > damage,
            span,
        }
    }

    /// A part an item has once (`what`), written a second time.
    fn second_part(&mut self, item_has_one: &str, what: &str, [first, second]: [Span; 2], help: &str) {
        self.errors.push(
            SyntaxError::new(
                Code::DuplicateProperty,
                format!("{item_has_one} {what}"),
                Label::new((), second, format!("second {what}")),
            )
            .with_secondary(Label::new((), first, format!("first {what}")))
            .with_help(help),
        );
    }

    pub(super) fn choice(&mut self, pair: Pair<'_, Rule>, is_none: bool) -> Choice {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        // The keyword, for its header, and the item, for its properties.
        let (what, item, context) = if is_none {
            ("none", "none-of-these choice", Context::NoneChoice)
        } else {
            ("choice", "choice", Context::Choice)
        };
        let mut header = Header::default();
        let mut properties = Properties::default();
        let mut check: Option<Check> = None;
        let mut close = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::check if is_none => {
                    let check = self.check(child);
                    let keyword = Span::new(check.span.start as usize, check.span.start as usize + "check".len());
                    self.not_for_none(
                        keyword,
                        "the none-of-these choice has no `check`",
                        "it is selected when no other choice is; put the check on the choice it shows",
                    );
                }
                Rule::check => {
                    let new = self.check(child);
                    if let Some(first) = &check {
                        let help = "merge the conditions into one `check` block: all of them must hold";
                        self.second_part("a choice has one", "`check`", [first.span, new.span], help);
                    } else {
                        check = Some(new);
                    }
                }
                Rule::property => properties.add(self, child),
                Rule::junk => self.junk(child, context),
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
        self.expect_closed(close, &format!("this {item}"), header.keyword);
        let description = properties.single(self, "description", item);
        let helpful = properties.links(self, "helpful", item);
        let improve = if is_none {
            for (_, _, link) in properties.take("improve") {
                self.not_for_none(
                    link.span,
                    "the none-of-these choice has no improvement plan",
                    "the Well-Architected Tool takes none on \"None of these\"; give a link as `helpful`",
                );
            }
            Vec::new()
        } else {
            properties.links(self, "improve", item)
        };
        properties.reject_rest(self, item);
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

    fn not_for_none(&mut self, span: Span, message: &str, help: &str) {
        self.error(Code::NotForNoneChoice, message, span, "not allowed in `none`").help = Some(help.to_string());
    }

    pub(super) fn phase(&mut self, pair: Pair<'_, Rule>) -> Vec<Name> {
        self.name_list(pair, Rule::ident, "phase name", "`phase deployment, continuous_improvement`")
    }

    /// The names of a `KEYWORD a, b, c` line (`phase`, `pillars`), or one error
    /// when it names none.
    pub(super) fn name_list(&mut self, pair: Pair<'_, Rule>, rule: Rule, what: &str, example: &str) -> Vec<Name> {
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

    pub(super) fn risk_block(&mut self, pair: Pair<'_, Rule>) -> RiskBlock {
        let damage = self.damage();
        let span = self.span(&pair);
        let mut rules = Vec::new();
        let mut close = None;
        let mut keyword = span;
        let mut children = pair.into_inner().peekable();
        while let Some(child) = children.next() {
            if matches!(child.as_rule(), Rule::risk_rule | Rule::junk)
                && self.broken_run(&child, &mut children, Context::Risk).is_some()
            {
                continue;
            }
            match child.as_rule() {
                Rule::kw_risk => keyword = self.span(&child),
                Rule::risk_rule => rules.extend(self.risk_rule(child)),
                Rule::junk => self.junk(child, Context::Risk),
                Rule::close => close = Some(child),
                _ => {}
            }
        }
        self.expect_closed(close, "the risk block", keyword);
        RiskBlock { rules, broken: self.damage() > damage, span }
    }

    fn risk_rule(&mut self, pair: Pair<'_, Rule>) -> Option<RiskRule> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let Some(level_pair) = inner.next() else {
            self.malformed(span, "risk rule");
            return None;
        };
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
        Some(RiskRule { level, level_span, condition, span })
    }

    pub(super) fn check(&mut self, pair: Pair<'_, Rule>) -> Check {
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
            self.open_checks += 1;
        }
        body
    }

    pub(super) fn predicate(&mut self, pair: Pair<'_, Rule>) -> Predicate {
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
                Rule::params => {
                    let open = child.as_span().start();
                    let mut unclosed = false;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::params_unclosed => unclosed = true,
                            _ => params.push(self.name(&part)),
                        }
                    }
                    if unclosed {
                        let end = params.last().map_or(open + 1, |param: &Name| param.span.end as usize);
                        self.unclosed_paren("parameter list", open, end);
                    }
                }
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
        let body = body.unwrap_or_else(|| {
            self.malformed(span, "predicate body");
            Span::empty(span.end as usize)
        });
        Predicate { name, params, body, doc, keyword, span }
    }

    pub(super) fn test(&mut self, pair: Pair<'_, Rule>) -> Test {
        let span = self.span(&pair);
        let doc = self.doc_before(span.start as usize);
        let mut keyword = span;
        let mut name = None;
        let mut evidence = Vec::new();
        let mut expectations = Vec::new();
        let mut close = None;
        let mut name_open = false;
        let mut unopened = false;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_test => keyword = self.span(&child),
                Rule::string => {
                    name_open = !strings::is_closed(child.as_str());
                    name = Some(self.text(&child));
                }
                Rule::test_unopened => unopened = true,
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
        if unopened && !name_open {
            self.unopened(name.as_ref().map_or(keyword, |name| name.span).end as usize, "test");
        }
        self.expect_closed(close, "this test", keyword);
        Test { name, evidence, expectations, doc, keyword, span }
    }

    pub(super) fn expectation(&mut self, pair: Pair<'_, Rule>) -> Option<Expectation> {
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
        if header.unopened && !header.title_open {
            let end = [header.id.as_ref().map(|id| id.span), header.title.as_ref().map(|title| title.span)]
                .into_iter()
                .flatten()
                .fold(header.keyword.end, |end, span| end.max(span.end));
            self.unopened(end as usize, what);
        }
    }
}

/// The id, title and keyword of an item header.
#[derive(Default)]
struct Header {
    keyword: Span,
    id: Option<Name>,
    title: Option<Text>,
    /// The title string has no closing quote (and is reported as such).
    title_open: bool,
    /// The `{` is missing, the body found by its first entry.
    unopened: bool,
}

impl Header {
    fn take(&mut self, lowerer: &mut Lowerer<'_, '_>, pair: Pair<'_, Rule>, what: &str) {
        match pair.as_rule() {
            Rule::item_id => self.id = Some(lowerer.name(&pair)),
            Rule::string => {
                self.title_open = !strings::is_closed(pair.as_str());
                self.title = Some(lowerer.text(&pair));
            }
            Rule::header_junk => lowerer.header_junk(pair, what),
            Rule::lens_unopened | Rule::pillar_unopened | Rule::question_unopened | Rule::choice_unopened => {
                self.unopened = true
            }
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
        let Some(key_pair) = inner.next() else {
            lowerer.malformed(span, "property");
            return;
        };
        let key = key_pair.as_str();
        let key_span = lowerer.span(&key_pair);
        let strings: Vec<Text> = inner.map(|p| lowerer.text(&p)).collect();
        let wants_url = matches!(key, "helpful" | "improve");
        let max = if wants_url { 2 } else { 1 };
        if let (Some(first_extra), Some(last)) = (strings.get(max), strings.last()) {
            lowerer
                .error(
                    Code::SyntaxError,
                    format!("`{key}` takes at most {max} string{}", if max == 1 { "" } else { "s" }),
                    first_extra.span.cover(last.span),
                    "unexpected string",
                )
                .help = Some(if wants_url {
                "the first string is the display text, the second the URL".to_string()
            } else {
                "join the text into one string".to_string()
            });
        }
        let mut values = strings.into_iter();
        let Some(text) = values.next() else {
            let help = if wants_url {
                format!("write `{key} \"display text\" \"https://...\"`")
            } else {
                format!("write `{key} \"...\"`")
            };
            lowerer.missing("text", &format!("`{key}`"), Span::empty(key_span.end as usize), &help);
            return;
        };
        let url = if wants_url { values.next() } else { None };
        self.entries.push((key, key_span, Link { text, url, span }));
    }

    /// The one value of `key`; a repeat is reported.
    fn single(&mut self, lowerer: &mut Lowerer<'_, '_>, key: &str, item: &str) -> Option<Link> {
        let mut found = self.take(key).into_iter();
        let first = found.next()?;
        let first_span = first.1;
        for (_, span, _) in found {
            lowerer.errors.push(
                SyntaxError::new(
                    Code::DuplicateProperty,
                    format!("`{key}` is given twice for this {item}"),
                    Label::new((), span, "repeated here"),
                )
                .with_secondary(Label::new((), first_span, "first given here"))
                .with_help(format!("keep one `{key}`")),
            );
        }
        Some(first.2)
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
                "question" | "none-of-these choice" => "`description` and `helpful`",
                _ => "`description`, `helpful` and `improve`",
            };
            lowerer.error(Code::UnknownProperty, format!("a {item} has no `{key}`"), span, "not allowed here").help =
                Some(format!("a {item} accepts {accepted}"));
        }
    }
}
