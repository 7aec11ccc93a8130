//! The syntax tree: plain data with byte spans, cheap to compare so that the
//! database can tell when a re-parse changed nothing.

use loupe_diagnostics::Span;

/// The tree of one `.lens` file. Named apart from `loupe_db::SourceFile`,
/// the database input that holds the file's text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SyntaxRoot {
    pub items: Vec<Item>,
    /// Every comment of the file, check bodies included, in order of position.
    pub comments: Vec<Comment>,
}

/// A comment as written. Comments are not tokens of the grammar (they are
/// its whitespace); one scan of the text collects them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Comment {
    pub kind: CommentKind,
    /// What stands between the markers: after `//` or `///` up to the end of
    /// the line, or between `/*` and `*/` (to the end of the file if unclosed).
    pub text: String,
    /// The whole comment, markers included (a line comment's line break and a
    /// carriage return before it excluded).
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommentKind {
    /// `// ...` (and `//// ...`, which documents nothing).
    Line,
    /// `/* ... */`.
    Block,
    /// `/// ...`: also read into the `doc` of the item it stands before.
    Doc,
}

impl SyntaxRoot {
    /// Every choice of every question, in order.
    pub fn choices(&self) -> impl Iterator<Item = &Choice> {
        self.items
            .iter()
            .filter_map(|item| if let Item::Pillar(pillar) = item { Some(pillar) } else { None })
            .flat_map(|pillar| &pillar.questions)
            .flat_map(|question| &question.choices)
    }

    /// The spans of every check's and predicate's body: the parts of the
    /// file that [`parse_block`](crate::parse_block) parses on its own.
    pub fn bodies(&self) -> impl Iterator<Item = Span> {
        let checks = self.choices().filter_map(|choice| choice.check.as_ref()).map(|check| check.body);
        let predicates = self.items.iter().filter_map(|item| match item {
            Item::Predicate(predicate) => Some(predicate.body),
            _ => None,
        });
        checks.chain(predicates)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    Lens(Lens),
    Pillar(Pillar),
    Predicate(Predicate),
    Test(Test),
}

/// An identifier or item id as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A string literal, with its escapes resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

/// A display text with an optional URL: `helpful "text" "url"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Link {
    pub text: Text,
    pub url: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lens {
    pub id: Option<Name>,
    pub name: Option<Text>,
    pub version: Option<Text>,
    pub description: Option<Text>,
    /// The order reports and exports give the pillars (`pillars a, b, c`); empty for the default.
    pub pillar_order: Vec<Name>,
    pub doc: Option<String>,
    pub keyword: Span,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pillar {
    pub id: Option<Name>,
    pub name: Option<Text>,
    pub description: Option<Text>,
    pub questions: Vec<Question>,
    pub doc: Option<String>,
    pub keyword: Span,
    /// Lowered from text with a syntax error in it: what it seems to lack may
    /// be in the part that did not parse, so checks for absent parts skip it.
    pub broken: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Question {
    pub id: Option<Name>,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub phases: Vec<Name>,
    /// The first is the helpful resource; the rest are additional ones.
    pub helpful: Vec<Link>,
    pub choices: Vec<Choice>,
    pub risk: Option<RiskBlock>,
    pub doc: Option<String>,
    pub keyword: Span,
    /// Lowered from text with a syntax error in it: what it seems to lack may
    /// be in the part that did not parse, so checks for absent parts skip it.
    pub broken: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Choice {
    pub id: Option<Name>,
    pub title: Option<Text>,
    /// The "None of these" choice, written `none ID "title"`, with an optional
    /// block of `description` and `helpful` only: its `improve` and `check`
    /// are always empty (the lowering reports them).
    pub is_none: bool,
    pub description: Option<Text>,
    /// The first is the helpful resource; the rest are additional ones.
    pub helpful: Vec<Link>,
    /// The first is the improvement plan; the rest are additional links.
    pub improve: Vec<Link>,
    pub check: Option<Check>,
    pub doc: Option<String>,
    pub keyword: Span,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskLevel {
    High,
    Medium,
    None,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::High => "high",
            RiskLevel::Medium => "medium",
            RiskLevel::None => "none",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RiskBlock {
    pub rules: Vec<RiskRule>,
    /// Lowered from text with a syntax error in it: what it seems to lack may
    /// be in the part that did not parse, so checks for absent parts skip it.
    pub broken: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RiskRule {
    pub level: RiskLevel,
    pub level_span: Span,
    /// `None` for `otherwise`.
    pub condition: Option<Expr>,
    pub span: Span,
}

/// A choice's `check { ... }`. Its body is kept as a span of the file's text
/// and compiled on its own with [`parse_block`](crate::parse_block).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Check {
    /// The `{ ... }` block.
    pub body: Span,
    pub span: Span,
}

/// Statements that all must hold: `applies when`, `let`, assertions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Block {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Statement {
    Applies { condition: Expr, span: Span },
    Let { name: Name, value: Expr, span: Span },
    Assert { condition: Expr, message: Option<Message>, span: Span },
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Applies { span, .. } | Statement::Let { span, .. } | Statement::Assert { span, .. } => *span,
        }
    }
}

/// A failure message: `else "role {role.name} is too broad"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub parts: Vec<MessagePart>,
    pub span: Span,
    /// Written `else unknown "…"`: a failure of its condition leaves the
    /// practice undecided instead of failing it.
    pub unknown: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MessagePart {
    Literal(String),
    Interpolation(Expr),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Predicate {
    pub name: Option<Name>,
    pub params: Vec<Name>,
    /// The `{ ... }` block, kept as a span of the file's text and compiled on
    /// its own with [`parse_block`](crate::parse_block), as a check's is.
    pub body: Span,
    pub doc: Option<String>,
    pub keyword: Span,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Test {
    pub name: Option<Text>,
    pub evidence: Vec<Text>,
    pub expectations: Vec<Expectation>,
    pub doc: Option<String>,
    pub keyword: Span,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expectation {
    pub question: Name,
    pub choice: Option<Name>,
    pub expected: Expected,
    pub expected_span: Span,
    pub span: Span,
}

/// What a test expects: a choice status, or a question's risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expected {
    Selected,
    Unselected,
    NotApplicable,
    Unknown,
    Risk(RiskLevel),
    Unanswered,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// The height of this expression's tree; the parser keeps it at most
    /// [`MAX_EXPR_DEPTH`](crate::MAX_EXPR_DEPTH) so walking it never exhausts a stack.
    pub depth: u32,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        let mut below = 0;
        kind.for_each_child(|child| below = below.max(child.depth));
        Expr { kind, span, depth: 1 + below }
    }

    pub fn error(span: Span) -> Expr {
        Expr::new(ExprKind::Error, span)
    }
}

impl ExprKind {
    /// Visits the direct sub-expressions, including those inside a
    /// quantifier's body. A visitor, not an iterator: it runs for every node
    /// built (for its depth), and an iterator over these shapes is large to move.
    pub fn for_each_child<'a>(&'a self, mut visit: impl FnMut(&'a Expr)) {
        match self {
            ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Regex { .. }
            | ExprKind::Var(_)
            | ExprKind::Error => {}
            ExprKind::List(items) => items.iter().for_each(visit),
            ExprKind::Call { args, .. } => args.iter().for_each(visit),
            ExprKind::Field { base: only, .. }
            | ExprKind::Wildcard { base: only }
            | ExprKind::Unary { operand: only, .. } => visit(only),
            ExprKind::Index { base: a, index: b }
            | ExprKind::Binary { lhs: a, rhs: b, .. }
            | ExprKind::Filter { source: a, condition: b, .. } => {
                visit(a);
                visit(b);
            }
            ExprKind::Quantifier(quantifier) => {
                visit(&quantifier.source);
                if let Some(filter) = &quantifier.filter {
                    visit(filter);
                }
                quantifier.body.for_each_expression(visit);
            }
        }
    }
}

impl Block {
    /// Visits the top-level expressions of the block's statements, messages included.
    pub fn for_each_expression<'a>(&'a self, mut visit: impl FnMut(&'a Expr)) {
        for statement in &self.statements {
            match statement {
                Statement::Applies { condition: expr, .. } | Statement::Let { value: expr, .. } => visit(expr),
                Statement::Assert { condition, message, .. } => {
                    visit(condition);
                    for part in message.iter().flat_map(|message| &message.parts) {
                        if let MessagePart::Interpolation(expr) = part {
                            visit(expr);
                        }
                    }
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExprKind {
    /// A number literal, kept as written so the tree stays `Eq`.
    Number(String),
    String(String),
    Bool(bool),
    Null,
    Regex {
        pattern: String,
        flags: String,
    },
    Var(Name),
    List(Vec<Expr>),
    Field {
        base: Box<Expr>,
        name: Name,
    },
    Wildcard {
        base: Box<Expr>,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Call {
        function: Name,
        args: Box<[Expr]>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Boxed: the largest variant, it would size every node.
    Quantifier(Box<QuantifierExpr>),
    Filter {
        var: Name,
        source: Box<Expr>,
        condition: Box<Expr>,
    },
    /// Stands where the parser could not make sense of the text; already reported.
    Error,
}

/// `every b in source where filter { body }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuantifierExpr {
    pub kind: Quantifier,
    pub var: Name,
    pub source: Expr,
    pub filter: Option<Expr>,
    pub body: Block,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Rem,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Contains => "contains",
            BinaryOp::StartsWith => "starts_with",
            BinaryOp::EndsWith => "ends_with",
            BinaryOp::Matches => "matches",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Rem => "%",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    Every,
    Some,
    None,
}

impl Quantifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Every => "every",
            Quantifier::Some => "some",
            Quantifier::None => "none",
        }
    }
}
