//! Statements, expressions (precedence by pest's Pratt parser) and failure
//! messages with their interpolations.

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, ConstPrattParser, Op, pratt_precedence};

use super::Lowerer;
use super::recovery::{Context, shorten};
use crate::ast::*;
use crate::grammar::Rule;
use crate::strings;
use crate::{Code, Label, MAX_EXPR_DEPTH, Span, SyntaxError};

impl Lowerer<'_, '_> {
    pub(super) fn block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        let children = pair.into_inner();
        // Sized once: a block lives as long as its check, and a growing Vec
        // would keep up to twice the room it needs.
        let mut statements = Vec::with_capacity(children.len());
        let mut close = None;
        let mut children = children.peekable();
        while let Some(child) = children.next() {
            if child.as_rule() != Rule::close
                && let Some(run) = self.broken_run(&child, &mut children, Context::Block)
            {
                // A broken `let` still binds its name, so its uses are no
                // unknown names; what it holds is unknown.
                if child.as_rule() == Rule::let_binding
                    && let Some(name) = child.into_inner().find(|p| p.as_rule() == Rule::ident)
                {
                    let name = self.name(&name);
                    statements.push(Statement::Let { name, value: Expr::error(run), span: run });
                }
                continue;
            }
            match child.as_rule() {
                Rule::applies => {
                    let span = self.span(&child);
                    let condition = child.into_inner().find(|p| p.as_rule() == Rule::expr);
                    let condition = self.expr_or_malformed(condition, span, "`applies when` condition");
                    statements.push(Statement::Applies { condition, span });
                }
                Rule::let_binding => {
                    let span = self.span(&child);
                    let mut inner = child.into_inner().filter(|p| p.as_rule() != Rule::kw_let);
                    let (Some(name), value) = (inner.next(), inner.next()) else {
                        self.malformed(span, "`let`");
                        continue;
                    };
                    let name = self.name(&name);
                    let value = self.expr_or_malformed(value, span, "`let` value");
                    statements.push(Statement::Let { name, value, span });
                }
                Rule::assertion => {
                    let span = self.span(&child);
                    let mut condition = None;
                    let mut message = None;
                    let mut unknown = false;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::expr => condition = Some(self.expr(part)),
                            Rule::kw_unknown => unknown = true,
                            Rule::message => message = Some(Message { unknown, ..self.message(part) }),
                            _ => {}
                        }
                    }
                    let condition = condition.unwrap_or_else(|| {
                        self.malformed(span, "condition");
                        Expr::error(span)
                    });
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

    /// The expression `pair`, or an error node where the grammar gave none.
    fn expr_or_malformed(&mut self, pair: Option<Pair<'_, Rule>>, span: Span, what: &str) -> Expr {
        match pair {
            Some(pair) => self.expr(pair),
            None => self.malformed_expr(span, what),
        }
    }

    fn malformed_expr(&mut self, span: Span, what: &str) -> Expr {
        self.malformed(span, what);
        Expr::error(span)
    }

    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let expr = self.expr_unbounded(pair);
        self.limit_depth(expr)
    }

    /// Replaces an expression deeper than [`MAX_EXPR_DEPTH`] by an error, so
    /// that no later pass over the tree can run out of stack.
    pub(super) fn limit_depth(&mut self, expr: Expr) -> Expr {
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

    pub(super) fn expr_unbounded(&mut self, pair: Pair<'_, Rule>) -> Expr {
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
                let Some(function) = inner.next() else { return self.malformed_expr(span, "call") };
                let function = self.name(&function);
                let mut args = Vec::new();
                let mut unclosed = false;
                for part in inner {
                    match part.as_rule() {
                        Rule::call_unclosed => unclosed = true,
                        _ => args.push(self.expr(part)),
                    }
                }
                if !unclosed {
                    return Expr::new(ExprKind::Call { function, args: args.into_boxed_slice() }, span);
                }
                // The call ends at its last argument, before any comment the
                // search for `)` passed.
                let open = self
                    .source
                    .get(function.span.end as usize..)
                    .and_then(|rest| rest.find('('))
                    .map_or(function.span.end as usize, |offset| function.span.end as usize + offset);
                let end = args.last().map_or(open + 1, |arg| arg.span.end as usize);
                self.unclosed_paren("call", open, end);
                let span = Span::new(span.start as usize, end);
                Expr::new(ExprKind::Call { function, args: args.into_boxed_slice() }, span)
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
                let (Some(var), Some(source), Some(body)) = (var, source, body) else {
                    return self.malformed_expr(span, "quantifier");
                };
                let kind = ExprKind::Quantifier(Box::new(QuantifierExpr { kind, var, source, filter, body }));
                Expr::new(kind, span)
            }
            _ => Expr::error(span),
        }
    }

    /// `[x in source where condition]`: the grammar parsed `x in source` as
    /// one flat expression, split here after its first operator.
    pub(super) fn comprehension(&mut self, head: Pair<'_, Rule>, condition: Pair<'_, Rule>, span: Span) -> Expr {
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

    pub(super) fn bad_comprehension(&mut self, head: Span) -> Expr {
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
    pub(super) fn operators(&mut self, parts: Vec<Pair<'_, Rule>>, span: Span) -> Expr {
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
    pub(super) fn is_unparenthesized_comparison(&self, lhs: &Expr, op: Span) -> bool {
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
    pub(super) fn suffix(&mut self, base: Expr, suffix: Pair<'_, Rule>) -> Expr {
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

    pub(super) fn message(&mut self, pair: Pair<'_, Rule>) -> Message {
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
        Message { parts, span, unknown: false }
    }

    /// A message hole's expression, an error expression where the hole holds
    /// none, or `None` where it is not closed and stays text (both reported).
    pub(super) fn hole(&mut self, part: Pair<'_, Rule>) -> Option<Expr> {
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
