//! The canonical layout, printed from the token stream.
//!
//! The author's line breaks are kept (so every comment stays where it was);
//! the printer decides the indentation of each line and the spaces between
//! the tokens of a line:
//!
//! - a block's lines are indented one level deeper than the line that owns the
//!   block (an item's or entry's first line, or a quantifier's `every x in`
//!   line); a `(` or `[` group's lines one level deeper than its opening line;
//!   a line that starts with a closing bracket as deep as its opening;
//! - a line that continues the statement or entry before it (it starts with an
//!   operator or `else`, or the line before ends with one) one level deeper
//!   than the statement's first line;
//! - a comment on its own line as deep as the code line after it (inside a
//!   block that this line closes, as deep as the block's lines);
//! - one space between tokens, but none inside `(...)` and `[...]`, before a
//!   comma, around `.`, before a call's `(` or an index's `[`, after a sign,
//!   or in `{}` (see [`Printer::gap`]);
//! - at most one blank line in a row, none after an opening bracket or before
//!   a closing one, and one newline at the end.

use super::lex::{Kind, Token};

/// One level of indentation.
pub const INDENT: &str = "  ";

/// An open block, group or the file itself.
#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    /// Inside a check or predicate body: expressions and statements.
    expr: bool,
    /// The indentation of its lines.
    content: usize,
    /// The indentation of a line that starts with its closing bracket.
    closer: usize,
    /// The last code token directly inside it (a nested group counts as its closing bracket).
    last: Option<usize>,
    /// The entry keyword in force (`check`, `predicate`, …), outside expressions.
    entry: Option<&'static str>,
    /// The indentation of each quantifier line `every x in` whose body has not opened yet.
    quantifiers: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    File,
    Brace,
    Group,
}

impl Frame {
    fn new(kind: FrameKind, expr: bool, closer: usize) -> Frame {
        Frame { kind, expr, content: closer + 1, closer, last: None, entry: None, quantifiers: Vec::new() }
    }
}

/// Keywords that start an item or an entry of a block (outside expressions).
const ENTRY_KEYWORDS: [&str; 19] = [
    "lens",
    "pillar",
    "pillars",
    "question",
    "choice",
    "none",
    "risk",
    "check",
    "predicate",
    "test",
    "phase",
    "description",
    "version",
    "helpful",
    "improve",
    "evidence",
    "expect",
    "high",
    "medium",
];

/// Entry keywords followed by names, which may spell a keyword (`choice check`).
const NAMING_KEYWORDS: [&str; 9] =
    ["lens", "pillar", "pillars", "question", "choice", "none", "predicate", "phase", "expect"];

/// Words that are operators or introduce something: never a name called or indexed.
const OPERATOR_WORDS: [&str; 17] = [
    "and",
    "or",
    "not",
    "in",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "when",
    "where",
    "else",
    "let",
    "applies",
    "otherwise",
    "every",
    "some",
    "none",
];

/// Operators written with symbols, spaced on both sides (`-` is decided apart: it may be a sign).
const SPACED_OPERATORS: [&str; 10] = ["==", "!=", "<", "<=", ">", ">=", "=", "+", "*", "%"];

fn is_operator_word(token: &Token<'_>) -> bool {
    token.kind == Kind::Word && OPERATOR_WORDS.contains(&token.text)
}

/// A token after which an operand may have ended (a `-` after it subtracts,
/// a `[` indexes), unless it is a message (see [`Printer::ends_operand`]).
fn may_end_operand(token: &Token<'_>) -> bool {
    match token.kind {
        Kind::Word => !is_operator_word(token),
        Kind::Str | Kind::Regex => true,
        Kind::Punct => matches!(token.text, ")" | "]" | "}"),
        _ => false,
    }
}

/// In a statement, a line starting with `next` after a line ending with `last` continues it.
fn continues_statement(
    last: &Token<'_>,
    last_ends_operand: bool,
    next: &Token<'_>,
    after_next: Option<&Token<'_>>,
) -> bool {
    let binary = |token: &Token<'_>| {
        SPACED_OPERATORS.contains(&token.text) && token.kind == Kind::Punct
            || token.is("-")
            || token.is(",")
            || token.is(".")
            || token.kind == Kind::Word
                && matches!(
                    token.text,
                    "and" | "or" | "in" | "contains" | "starts_with" | "ends_with" | "matches" | "else" | "where"
                )
    };
    let last_expects_more = binary(last)
        || last.kind == Kind::Word
            && matches!(last.text, "not" | "when" | "let" | "applies" | "every" | "some" | "none");
    let next_cannot_start = binary(next)
        || next.is_word("not") && after_next.is_some_and(|token| token.is_word("in"))
        || last_ends_operand && next.is("[")
        || last.kind == Kind::Word && !is_operator_word(last) && next.is("(");
    last_expects_more || next_cannot_start
}

pub(crate) struct Printer<'t, 'a> {
    tokens: &'t [Token<'a>],
    out: String,
    frames: Vec<Frame>,
    /// The indentation of the line being printed.
    line_indent: usize,
}

impl<'t, 'a> Printer<'t, 'a> {
    pub fn new(tokens: &'t [Token<'a>], capacity: usize) -> Self {
        // The file's own lines are not indented.
        let file = Frame { content: 0, ..Frame::new(FrameKind::File, false, 0) };
        Printer { tokens, out: String::with_capacity(capacity), frames: vec![file], line_indent: 0 }
    }

    pub fn print(mut self) -> String {
        for index in 0..self.tokens.len() {
            let token = self.tokens[index];
            if index == 0 || token.breaks_before > 0 {
                self.start_line(index);
            } else if self.gap(index - 1, index) {
                self.out.push(' ');
            }
            self.push_token(&token);
            if !token.is_comment() {
                self.advance(index);
            }
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    fn top(&self) -> &Frame {
        self.frames.last().unwrap_or_else(|| unreachable!("the file's frame is never closed"))
    }

    fn top_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().unwrap_or_else(|| unreachable!("the file's frame is never closed"))
    }

    fn start_line(&mut self, index: usize) {
        let token = &self.tokens[index];
        // A comment line is indented as the code that follows it.
        let lead = (index..self.tokens.len()).find(|&i| !self.tokens[i].is_comment());
        let closes = lead.is_some_and(|i| is_closer(&self.tokens[i]));
        if index > 0 {
            // No blank line opens or closes a block, and runs of them are one.
            let before = &self.tokens[index - 1];
            let line_end = if before.is_comment() && before.breaks_before == 0 && index > 1 {
                &self.tokens[index - 2]
            } else {
                before
            };
            let opens = line_end.kind == Kind::Punct && matches!(line_end.text, "{" | "(" | "[");
            let closes_block = closes && !token.is_comment();
            if token.breaks_before > 1 && !opens && !closes_block {
                self.out.push('\n');
            }
            self.out.push('\n');
        }
        let indent = match lead {
            Some(_) if token.is_comment() && closes && self.frames.len() > 1 => self.top().content,
            Some(lead) => self.indent_of(lead),
            None => self.top().content,
        };
        self.line_indent = indent;
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
    }

    /// The indentation of a line whose first code token is `self.tokens[index]`.
    fn indent_of(&self, index: usize) -> usize {
        let token = &self.tokens[index];
        let frame = self.top();
        if is_closer(token) {
            return frame.closer;
        }
        if token.is("{") {
            return frame.quantifiers.last().copied().unwrap_or(frame.content);
        }
        let continues = match (frame.kind, frame.last) {
            (FrameKind::Group, _) | (_, None) => false,
            (_, Some(last)) if frame.expr => {
                continues_statement(&self.tokens[last], self.ends_operand(last), token, self.next_code(index))
            }
            // An item's or entry's parts after its first line.
            (_, Some(_)) => !(token.kind == Kind::Word && ENTRY_KEYWORDS.contains(&token.text)),
        };
        frame.content + usize::from(continues)
    }

    fn next_code(&self, index: usize) -> Option<&Token<'a>> {
        self.tokens[index + 1..].iter().find(|token| !token.is_comment())
    }

    fn previous_code(&self, index: usize) -> Option<usize> {
        (0..index).rev().find(|&i| !self.tokens[i].is_comment())
    }

    /// Whether an operand ends with the token at `index`: a string after
    /// `else` is a failure message, which ends its statement instead.
    fn ends_operand(&self, index: usize) -> bool {
        let token = &self.tokens[index];
        // `unknown` in `else unknown "…"` is no operand either.
        let after_else = |at: usize| self.previous_code(at).is_some_and(|before| self.tokens[before].is_word("else"));
        let message_start = |at: usize| {
            after_else(at)
                || self
                    .previous_code(at)
                    .is_some_and(|before| self.tokens[before].is_word("unknown") && after_else(before))
        };
        may_end_operand(token)
            && !(token.kind == Kind::Str && message_start(index))
            && !(token.is_word("unknown") && after_else(index))
    }

    /// Whether one space separates the tokens at `left` and `right` on one line.
    fn gap(&self, left: usize, right: usize) -> bool {
        let (l, r) = (&self.tokens[left], &self.tokens[right]);
        let expr = self.top().expr;
        match (l.kind, r.kind) {
            (_, Kind::LineComment) => return true,
            (_, Kind::BlockComment) => return !(l.is("(") || l.is("[")),
            (Kind::BlockComment, _) => return !(r.is(")") || r.is("]") || r.is(",") || r.is(".")),
            (Kind::Other, _) | (_, Kind::Other) => return r.space_before,
            _ => {}
        }
        if l.is("(") || l.is("[") || r.is(")") || r.is("]") || r.is(",") || r.is(".") || l.is(".") {
            return false;
        }
        if l.is(",") {
            return true;
        }
        if l.is("{") && r.is("}") {
            return false;
        }
        if [l, r].iter().any(|token| token.is("{") || token.is("}")) {
            return true;
        }
        // Outside expressions a `-` joins the parts of an item id.
        if !expr && (l.is("-") || r.is("-")) {
            return r.space_before;
        }
        if l.is("-") {
            // A sign sticks to its operand; a subtraction is spaced.
            return self.previous_code(left).is_some_and(|before| self.ends_operand(before));
        }
        // A call's `(` and an index's `[` stick to what they apply to.
        let called = r.is("(") && l.kind == Kind::Word && !is_operator_word(l);
        let indexed = r.is("[") && self.ends_operand(left) && !l.is("}");
        !(called || indexed)
    }

    fn push_token(&mut self, token: &Token<'a>) {
        // A block comment's later lines are its text, kept as written (without trailing whitespace).
        let mut lines = token.text.split('\n');
        self.out.push_str(lines.next().unwrap_or_default().trim_end());
        for line in lines {
            self.out.push('\n');
            self.out.push_str(line.trim_end());
        }
    }

    /// Updates the open frames after the code token at `index`.
    fn advance(&mut self, index: usize) {
        let token = self.tokens[index];
        if is_closer(&token) {
            if self.frames.len() > 1 {
                self.frames.pop();
            }
            self.top_mut().last = Some(index);
            return;
        }
        let line_indent = self.line_indent;
        let frame = self.top();
        let expr = frame.expr;
        if token.is("{") {
            let owner = frame.quantifiers.last().copied().unwrap_or(frame.content);
            let body_expr = expr || matches!(frame.entry, Some("check" | "predicate"));
            let frame = self.top_mut();
            frame.quantifiers.pop();
            frame.last = Some(index);
            self.frames.push(Frame::new(FrameKind::Brace, body_expr, owner));
            return;
        }
        if token.is("(") || token.is("[") {
            self.top_mut().last = Some(index);
            self.frames.push(Frame::new(FrameKind::Group, expr, line_indent));
            return;
        }
        if expr
            && token.kind == Kind::Word
            && matches!(token.text, "every" | "some" | "none")
            && self.starts_quantifier(index)
        {
            self.top_mut().quantifiers.push(line_indent);
        }
        if !expr && token.kind == Kind::Word {
            let names_follow = self.top().last.is_some_and(|last| {
                let last = &self.tokens[last];
                last.kind == Kind::Word && NAMING_KEYWORDS.contains(&last.text)
            });
            if !names_follow && let Some(keyword) = ENTRY_KEYWORDS.iter().find(|keyword| **keyword == token.text) {
                self.top_mut().entry = Some(keyword);
            }
        }
        self.top_mut().last = Some(index);
    }

    /// `every x in`: a quantifier, not a name.
    fn starts_quantifier(&self, index: usize) -> bool {
        let mut code = self.tokens[index + 1..].iter().filter(|token| !token.is_comment());
        matches!((code.next(), code.next()), (Some(var), Some(kw_in)) if var.kind == Kind::Word && kw_in.is_word("in"))
    }
}

fn is_closer(token: &Token<'_>) -> bool {
    token.kind == Kind::Punct && matches!(token.text, ")" | "]" | "}")
}
