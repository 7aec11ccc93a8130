//! Recovery: junk lines (re-parsed to say what was expected), stray header
//! words, missing parts and blocks left open.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use std::iter::Peekable;

use pest::iterators::{Pair, Pairs};

use super::Lowerer;
use crate::grammar::{LoupeParser, Rule};
use crate::{Code, Label, Span};

/// Where a junk line was found, to say what would have been valid there.
#[derive(Clone, Copy)]
pub(super) enum Context {
    TopLevel,
    Lens,
    Pillar,
    Question,
    Choice,
    NoneChoice,
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
            Context::Choice | Context::NoneChoice => Rule::choice_entry_line,
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
            Context::NoneChoice => &["description", "helpful"],
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
            Context::NoneChoice => "`description` or `helpful`",
            Context::Risk => "a rule such as `high when not BP01` or `medium otherwise`",
            Context::Block => "`applies when`, `let` or a condition",
            Context::Test => "`evidence \"FILE\"` or `expect ...`",
        }
    }
}

impl Lowerer<'_, '_> {
    pub(super) fn junk(&mut self, pair: Pair<'_, Rule>, context: Context) {
        self.broken_line(pair.as_span().start(), pair.as_str(), context);
    }

    /// Reports the line `text` at `start` that is not an entry of `context`,
    /// once: at the token where a parse of it alone stops, or at its first
    /// word where that misspells a keyword.
    pub(super) fn broken_line(&mut self, start: usize, text: &str, context: Context) {
        let span = Span::new(start, start + text.trim_end().len());
        let first_word: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if let Some(message) = misplaced_keyword(&first_word, context) {
            self.error(Code::SyntaxError, message, span, "not allowed here").help =
                Some(format!("expected {} here", context.expected()));
            return;
        }
        // A known keyword whose line failed later gets no "did you mean" for itself.
        let suggestion = closest_keyword(&first_word, context).filter(|keyword| *keyword != first_word);
        let help = suggestion.map(loupe_diagnostics::suggest::suggestion_help);
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
                (position.min(text.len()), expected)
            }
            Ok(_) => (0, None),
        };
        // `evrey x in xs { ... }` reads as a name and fails at the next word:
        // the misspelled keyword is the mistake.
        if suggestion.is_some() && position > first_word.len() && text[first_word.len()..position].trim().is_empty() {
            let word = Span::new(start, start + first_word.len());
            self.error(
                Code::SyntaxError,
                format!("unexpected `{first_word}` in {}", context_name(context)),
                word,
                &format!("expected {}", context.expected()),
            )
            .help = help;
            return;
        }
        let at = start + position;
        let foreign = foreign_operator(&text[position..], context);
        let token_end = foreign.map_or_else(|| token_end(text, position), |(operator, _)| position + operator.len());
        let help = foreign.map(|(_, help)| help.to_string()).or(help);
        let found_text = &text[position..token_end];
        let message = if found_text.is_empty() {
            format!("unexpected end of line in {}", context_name(context))
        } else {
            format!("unexpected `{}` in {}", shorten(found_text), context_name(context))
        };
        let label = match &found {
            Some(expected) => format!("expected {expected}"),
            None => format!("expected {}", context.expected()),
        };
        let end = start + token_end;
        self.error(
            Code::SyntaxError,
            message,
            Span::new(at, end.max(at + usize::from(at < span.end as usize))),
            &label,
        )
        .help = help;
    }

    /// Takes from `rest` the entries that start on the line where `first`
    /// ends: a line holds one statement or rule, so such a run is one broken
    /// line (`evrey x in xs {` reads as `evrey`, `x in xs` and a junk `{`),
    /// reported once. Returns the run's span, or `None` where `first` ends its line.
    pub(super) fn broken_run(
        &mut self,
        first: &Pair<'_, Rule>,
        rest: &mut Peekable<Pairs<'_, Rule>>,
        context: Context,
    ) -> Option<Span> {
        let start = first.as_span().start();
        let mut last = first.clone();
        let mut end = None;
        let mut joined = false;
        while let Some(next) = rest.peek() {
            // Most often a line break follows the entry's span, trailing
            // whitespace trimmed: then it ends its line, and its last token
            // need not be sought (the span may end in comments, not before).
            let next_start = next.as_span().start();
            let breaks = |from: usize| self.source.get(from..next_start).is_none_or(|gap| gap.contains('\n'));
            if next.as_rule() == Rule::close || breaks(self.span(&last).end as usize) {
                break;
            }
            let last_end = *end.get_or_insert_with(|| last_token_end(&last));
            if breaks(last_end) {
                break;
            }
            last = next.clone();
            end = Some(last_end.max(last_token_end(next)));
            rest.next();
            joined = true;
        }
        let end = end.filter(|_| joined)?;
        let text = first.as_span().get_input().get(start..end).unwrap_or_default();
        self.broken_line(start, text, context);
        Some(Span::new(start, end))
    }

    /// Reports a call or parameter list (`what`) whose `)` is missing, after
    /// its last part (or its `(`). At the end of the text it is the innermost
    /// thing left open, and the blocks around it are not reported again.
    pub(super) fn unclosed_paren(&mut self, what: &str, open: usize, end: usize) {
        if self.source.get(end..).is_some_and(|rest| rest.trim().is_empty()) {
            self.reported_open_at_end = true;
        }
        self.error(Code::SyntaxError, format!("this {what} has no `)`"), Span::empty(end), "expected `)`")
            .secondary
            .push(Label::new((), Span::new(open, open + 1), "opened here"));
    }

    /// Reports a part the grammar promises but the tree lacks (the grammar
    /// and the lowering out of step), so that the error node standing for it
    /// is explained rather than a panic.
    pub(super) fn malformed(&mut self, span: Span, what: &str) {
        self.error(Code::SyntaxError, format!("cannot read this {what}"), span, "not understood");
    }

    /// Reports a header whose `{` is missing (its body found by its first
    /// entry). Not called where the title string is left open: that string's
    /// own error explains the `{` it swallowed.
    pub(super) fn unopened(&mut self, header_end: usize, what: &str) {
        self.error(
            Code::SyntaxError,
            format!("this {what} header has no `{{`"),
            Span::empty(header_end),
            "expected `{`",
        )
        .help = Some(format!("open the {what}'s body with `{{` at the end of its header line"));
    }

    pub(super) fn header_junk(&mut self, pair: Pair<'_, Rule>, what: &str) {
        let span = self.span(&pair);
        self.error(
            Code::SyntaxError,
            format!("unexpected `{}` in {what} header", shorten(pair.as_str().trim())),
            span,
            "expected `{`",
        )
        .help = Some(format!("a {what} header is `{what} ID \"title\" {{`"));
    }

    pub(super) fn missing(&mut self, what: &str, item: &str, at: Span, help: &str) {
        self.error(Code::MissingPart, format!("{item} has no {what}"), at, &format!("{what} expected here")).help =
            Some(help.to_string());
    }

    /// Reports a block left open at the end of the file; only the innermost,
    /// as every enclosing block is then open too.
    pub(super) fn expect_closed(&mut self, close: Option<Pair<'_, Rule>>, item: &str, opened: Span) {
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
}

/// Where the last token of `pair` ends. A rule's own span may run on over
/// the whitespace and comments (even lines) after it, which pest skipped
/// looking for an optional part; its last innermost pair's does not. A
/// closing bracket after that pair is no pair, but stands on its line. An
/// empty pair (`call_unclosed`) stands where the search for a part ended.
fn last_token_end(pair: &Pair<'_, Rule>) -> usize {
    let mut last = pair.clone();
    while let Some(inner) = last.clone().into_inner().filter(|inner| !inner.as_str().is_empty()).last() {
        last = inner;
    }
    let text = last.as_str();
    last.as_span().start() + text.trim_end().len()
}

/// The keyword of `context` that `word` likely misspells. Keywords are few
/// and short, so a word of five letters or more may be two edits away: a
/// swap of two letters (`evrey`) is two.
fn closest_keyword(word: &str, context: Context) -> Option<&'static str> {
    let limit = if word.chars().count() >= 5 { 2 } else { 1 };
    loupe_diagnostics::suggest::closest_within(word, context.keywords().iter().copied(), limit)
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
        Context::NoneChoice => "the none-of-these choice",
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
        Rule::kw_unknown => "`unknown`",
        Rule::message => "a message in quotes",
        Rule::block => "`{`",
        Rule::EOI => "the end of the line",
        Rule::property_key => "a property",
        Rule::kw_pillar | Rule::kw_lens | Rule::kw_predicate | Rule::kw_test => "an item",
        _ => return None,
    })
}

/// An operator of other languages at the start of `rest`, which a
/// condition (of a check, or of a risk rule: no comparisons there) spells
/// otherwise, and the help that says how.
fn foreign_operator(rest: &str, context: Context) -> Option<(&'static str, &'static str)> {
    if !matches!(context, Context::Block | Context::Risk) {
        return None;
    }
    Some(if rest.starts_with("&&") {
        ("&&", "write `and` to require both conditions")
    } else if rest.starts_with("||") {
        ("||", "write `or` to accept either condition")
    } else if rest.starts_with('!') && !rest.starts_with("!=") {
        ("!", "write `not` to negate a condition")
    } else if rest.starts_with('=') && !rest.starts_with("==") && matches!(context, Context::Block) {
        ("=", "write `==` to compare (`let NAME = ...` binds a name)")
    } else {
        return None;
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

pub(super) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > MAX || line.len() < text.len() {
        let cut: String = line.chars().take(MAX).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_string()
    }
}
