//! Messages that explain a failed assertion that has no `else` of its own:
//! the message written inside a predicate it calls (the innermost written
//! one), or what a failed comparison saw (`Timeout is 900, expected at most
//! 300`, `BucketEncryption is missing`).
//!
//! Explaining re-evaluates the failed condition, so it costs nothing while
//! assertions hold, and fuel bounds it as it bounds evaluation.

use std::ops::ControlFlow;

use loupe_db::Builtin;
use loupe_syntax::{BinaryOp, Block, Expr, ExprKind, Message, Quantifier, QuantifierExpr, Statement, UnaryOp};

use super::{Eval, Interpreter};
use crate::value::{Val, format_number};

/// Why a condition does not hold.
pub(super) struct Explanation {
    pub text: String,
    /// Written by the pack's author (an `else` inside a predicate), not made up here.
    written: bool,
    /// Written `else unknown`: the evidence cannot decide.
    pub unknown: bool,
}

impl Explanation {
    fn made(text: String) -> Explanation {
        Explanation { text, written: false, unknown: false }
    }
}

/// How long a value may be shown in a message, in characters.
const SHOWN: usize = 60;

impl<'e> Interpreter<'_, 'e> {
    /// Why `condition`, which was just evaluated to something other than
    /// `true` in the current scope, does not hold; `None` when there is
    /// nothing to say beyond "`condition` does not hold".
    pub(super) fn explain(&mut self, condition: &'e Expr) -> Eval<Option<Explanation>> {
        let text = match &condition.kind {
            ExprKind::Binary { op: BinaryOp::And, lhs, rhs, .. } => {
                let failed = if self.expr(lhs)?.is_true() { rhs } else { lhs };
                return self.explain(failed);
            }
            ExprKind::Binary { op: BinaryOp::Or, lhs, rhs, .. } => {
                return Ok(match (self.explain(lhs)?, self.explain(rhs)?) {
                    (Some(left), Some(right)) => Some(Explanation {
                        text: format!("{}; {}", left.text, right.text),
                        written: left.written && right.written,
                        // Unknown or false is unknown.
                        unknown: left.unknown || right.unknown,
                    }),
                    _ => None,
                });
            }
            ExprKind::Binary { op, lhs, rhs, .. } => self.comparison(*op, lhs, rhs)?,
            ExprKind::Unary { op: UnaryOp::Not, operand } => match exists_argument(operand) {
                Some(argument) => {
                    let value = self.expr(argument)?;
                    Some(format!("{} is {}, expected it to be missing", self.operand_name(argument), shown(&value)))
                }
                None => None,
            },
            ExprKind::Call { function, args } => {
                if let Some(predicate) = self.predicate(&function.text) {
                    return self.in_predicate(predicate, args, |this| {
                        let outer = std::mem::replace(&mut this.source, &predicate.source);
                        let explanation = this.explain_block(&predicate.body.block);
                        this.source = outer;
                        explanation
                    });
                }
                exists_argument(condition).map(|argument| format!("{} is missing", self.operand_name(argument)))
            }
            ExprKind::Quantifier(quantifier) if quantifier.kind == Quantifier::Some => {
                self.no_item_holds(quantifier)?
            }
            ExprKind::Quantifier(_) => return Ok(self.explain_assertion(condition, None)?.flatten()),
            ExprKind::Var(_) | ExprKind::Field { .. } | ExprKind::Index { .. } => {
                let value = self.expr(condition)?;
                let name = self.operand_name(condition);
                Some(if value.is_null() {
                    format!("{name} is missing")
                } else {
                    format!("{name} is {}, expected true", shown(&value))
                })
            }
            _ => None,
        };
        Ok(text.map(Explanation::made))
    }

    /// Why a `some` fails: there is nothing to look at, or what the body
    /// says of the first item, and how many there were.
    fn no_item_holds(&mut self, quantifier: &'e QuantifierExpr) -> Eval<Option<String>> {
        let QuantifierExpr { var, source, filter, body, .. } = quantifier;
        let items = self.filtered(&var.text, source, filter.as_ref())?;
        let what = match resource_types(source) {
            Some(types) => format!("{} resource", types.join(" or ")),
            None => format!("item in `{}`", self.source_text(source)),
        };
        let Some(first) = items.first() else { return Ok(Some(format!("there is no {what}"))) };
        self.scope.push((&var.text, first.clone()));
        let reason = self.explain_block(body);
        self.scope.pop();
        // A resource is named; a value is not, as the reason shows it.
        let name = match first {
            Val::Resource(resource) => Some(resource.name()),
            _ => None,
        };
        let body = self.body_text(body);
        let failed = match (items.len(), name) {
            (1, Some(name)) => format!("the only {what}, {name}, does not hold `{body}`"),
            (1, None) => format!("the only {what} does not hold `{body}`"),
            (count, Some(name)) => format!("none of the {count} {what}s holds `{body}`; the first, {name}"),
            (count, None) => format!("none of the {count} {what}s holds `{body}`; the first"),
        };
        Ok(Some(match reason? {
            Some(reason) => format!("{failed}: {}", reason.text),
            None => failed,
        }))
    }

    /// A quantifier's body as a message quotes it: its one condition, cut short.
    fn body_text(&self, body: &'e Block) -> String {
        match &*body.statements {
            [Statement::Assert { condition, .. }] => cut(&self.source_text(condition), SHOWN),
            _ => "its body".to_string(),
        }
    }

    /// What a failed comparison saw: the value judged (named first, as in
    /// `x.Timeout <= 300` however it was written) and what was expected.
    fn comparison(&mut self, op: BinaryOp, lhs: &'e Expr, rhs: &'e Expr) -> Eval<Option<String>> {
        let (op, lhs, rhs) = if is_literal(lhs) && !is_literal(rhs) {
            match flipped(op) {
                Some(op) => (op, rhs, lhs),
                None => return Ok(None),
            }
        } else {
            (op, lhs, rhs)
        };
        let expected = match &rhs.kind {
            ExprKind::Regex { .. } => format!("/{}/", self.source_text(rhs).trim_matches('/')),
            _ => shown(&self.expr(rhs)?),
        };
        let expected = match op {
            BinaryOp::Eq => format!("expected {expected}"),
            BinaryOp::NotEq => format!("expected anything but {expected}"),
            BinaryOp::Lt => format!("expected less than {expected}"),
            BinaryOp::LtEq => format!("expected at most {expected}"),
            BinaryOp::Gt => format!("expected more than {expected}"),
            BinaryOp::GtEq => format!("expected at least {expected}"),
            BinaryOp::In => format!("expected one of {expected}"),
            BinaryOp::NotIn => format!("expected none of {expected}"),
            BinaryOp::Contains => format!("expected it to contain {expected}"),
            BinaryOp::StartsWith => format!("expected it to start with {expected}"),
            BinaryOp::EndsWith => format!("expected it to end with {expected}"),
            BinaryOp::Matches => format!("expected it to match {expected}"),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Rem => {
                return Ok(None);
            }
        };
        let value = self.expr(lhs)?;
        let name = self.operand_name(lhs);
        Ok(Some(if value.is_null() {
            format!("{name} is missing")
        } else {
            format!("{name} is {}, {expected}", shown(&value))
        }))
    }

    /// How a message names a value: a property by its last segment, a
    /// variable by its name, anything else by its text.
    fn operand_name(&self, expr: &'e Expr) -> String {
        match &expr.kind {
            ExprKind::Field { name, .. } | ExprKind::Var(name) => name.text.clone(),
            ExprKind::Index { index, .. } if let ExprKind::String(key) = &index.kind => key.clone(),
            _ => format!("`{}`", self.source_text(expr)),
        }
    }

    /// Why a predicate's body does not hold: its first failed assertion's
    /// message or explanation.
    fn explain_block(&mut self, block: &'e Block) -> Eval<Option<Explanation>> {
        let mut explanation = None;
        self.statements(block, |this, condition, message| {
            Ok(match this.explain_assertion(condition, message)? {
                Some(failed) => {
                    explanation = failed;
                    ControlFlow::Break(())
                }
                None => ControlFlow::Continue(()),
            })
        })?;
        Ok(explanation)
    }

    /// `None` when the assertion holds; otherwise what explains its failure,
    /// if anything: a message written deeper wins over this one's.
    fn explain_assertion(
        &mut self,
        condition: &'e Expr,
        message: Option<&'e Message>,
    ) -> Eval<Option<Option<Explanation>>> {
        if let ExprKind::Quantifier(quantifier) = &condition.kind
            && let QuantifierExpr { kind: kind @ (Quantifier::Every | Quantifier::None), var, source, filter, body } =
                &**quantifier
        {
            for item in self.filtered(&var.text, source, filter.as_ref())?.iter() {
                self.burn(1)?;
                self.scope.push((&var.text, item.clone()));
                let body_holds = self.block(body, None, &mut None)?;
                let offends = if *kind == Quantifier::Every { !body_holds } else { body_holds };
                let explanation = match offends {
                    // Only an `every`'s body failed, and so explains something.
                    true if *kind == Quantifier::Every => Some(self.explain_block(body)?),
                    true => {
                        let holds = format!("`{}` holds for", self.body_text(body));
                        self.scope
                            .last()
                            .map(|(_, item)| Some(Explanation::made(format!("{holds} {}", item_label(item)))))
                    }
                    false => None,
                };
                let explanation = match explanation {
                    Some(inner) => Some(self.written_or(inner, message)?),
                    None => None,
                };
                self.scope.pop();
                if explanation.is_some() {
                    return Ok(explanation);
                }
            }
            return Ok(None);
        }
        if self.expr(condition)?.is_true() {
            return Ok(None);
        }
        let inner = self.explain(condition)?;
        self.written_or(inner, message).map(Some)
    }

    /// The innermost written message: `inner` if it was written, else
    /// `message` (filled in the current scope), else `inner`.
    fn written_or(&mut self, inner: Option<Explanation>, message: Option<&'e Message>) -> Eval<Option<Explanation>> {
        Ok(match (inner, message) {
            (Some(inner), _) if inner.written => Some(inner),
            (_, Some(message)) => {
                Some(Explanation { text: self.render(message)?, written: true, unknown: message.unknown })
            }
            (inner, None) => inner,
        })
    }
}

/// The types a `resources("A", "B")` source names.
fn resource_types(source: &Expr) -> Option<Vec<&str>> {
    let ExprKind::Call { function, args } = &source.kind else { return None };
    if Builtin::lookup(&function.text) != Some(Builtin::Resources) {
        return None;
    }
    args.iter().map(|arg| if let ExprKind::String(ty) = &arg.kind { Some(ty.as_str()) } else { None }).collect()
}

/// An item as a message names it: a resource by its name, anything else by its value.
fn item_label(item: &Val<'_>) -> String {
    match item {
        Val::Resource(resource) => resource.name().to_string(),
        other => shown(other),
    }
}

/// `x` in `exists(x)`.
fn exists_argument(expr: &Expr) -> Option<&Expr> {
    match &expr.kind {
        ExprKind::Call { function, args } if Builtin::lookup(&function.text) == Some(Builtin::Exists) => {
            match &**args {
                [argument] => Some(argument),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_literal(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Number(_) | ExprKind::String(_) | ExprKind::Bool(_) | ExprKind::Null | ExprKind::List(_)
    )
}

/// The operator that says the same with its operands swapped.
fn flipped(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Eq | BinaryOp::NotEq => op,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::LtEq => BinaryOp::GtEq,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::GtEq => BinaryOp::LtEq,
        BinaryOp::In => BinaryOp::Contains,
        BinaryOp::Contains => BinaryOp::In,
        _ => return None,
    })
}

/// A value as a message shows it: strings quoted, long ones, lists and
/// objects cut short.
fn shown(value: &Val<'_>) -> String {
    let text = match value.scalar() {
        Val::Null => "null".to_string(),
        Val::Str(text) => return format!("{:?}", cut(&text, SHOWN - 2)),
        Val::Number(n) => format_number(n),
        Val::List(items) => {
            let mut text = String::from("[");
            for (position, item) in items.iter().enumerate() {
                if text.len() > SHOWN {
                    break;
                }
                if position > 0 {
                    text.push_str(", ");
                }
                text.push_str(&shown(item));
            }
            text.push(']');
            text
        }
        Val::Node(node, _) => node.to_json(),
        other => other.display(),
    };
    cut(&text, SHOWN)
}

/// `text`, or its first `most - 1` characters and an ellipsis.
fn cut(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_string();
    }
    let kept: String = text.chars().take(most - 1).collect();
    format!("{}…", kept.trim_end())
}
