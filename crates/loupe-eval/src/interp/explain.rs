//! Messages that explain a failed assertion that has no `else` of its own:
//! the message written inside a predicate it calls (the innermost written
//! one), or what a failed comparison saw (`Timeout is 900, expected at most
//! 300`, `BucketEncryption is missing`).
//!
//! Explaining re-evaluates the failed condition, so it costs nothing while
//! assertions hold, and fuel bounds it as it bounds evaluation.

use std::ops::ControlFlow;

use loupe_db::Builtin;
use loupe_syntax::{BinaryOp, Block, Expr, ExprKind, Message, Quantifier, QuantifierExpr, UnaryOp};

use super::{Eval, Interpreter};
use crate::value::{Val, format_number};

/// Why a condition does not hold.
pub(super) struct Explanation {
    pub text: String,
    /// Written by the pack's author (an `else` inside a predicate), not made up here.
    written: bool,
}

impl Explanation {
    fn made(text: String) -> Explanation {
        Explanation { text, written: false }
    }
}

/// How long a value may be shown in a message, in characters.
const SHOWN: usize = 60;

impl<'e> Interpreter<'_, 'e> {
    /// Why `condition`, which was just evaluated to something other than
    /// `true` in the current scope, does not hold; `None` when there is
    /// nothing to say beyond "`condition` does not hold".
    pub(super) fn explain(&mut self, condition: &Expr) -> Eval<Option<Explanation>> {
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
                if let Some(predicate) = self.host.predicate(&function.text) {
                    return self.in_predicate(&predicate, args, |this| {
                        let outer = std::mem::replace(&mut this.source, predicate.source.clone());
                        let explanation = this.explain_block(&predicate.body.block);
                        this.source = outer;
                        explanation
                    });
                }
                exists_argument(condition).map(|argument| format!("{} is missing", self.operand_name(argument)))
            }
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

    /// What a failed comparison saw: the value judged (named first, as in
    /// `x.Timeout <= 300` however it was written) and what was expected.
    fn comparison(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Eval<Option<String>> {
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
    fn operand_name(&self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Field { name, .. } | ExprKind::Var(name) => name.text.clone(),
            ExprKind::Index { index, .. } if let ExprKind::String(key) = &index.kind => key.clone(),
            _ => format!("`{}`", self.source_text(expr)),
        }
    }

    /// Why a predicate's body does not hold: its first failed assertion's
    /// message or explanation.
    fn explain_block(&mut self, block: &Block) -> Eval<Option<Explanation>> {
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
    fn explain_assertion(&mut self, condition: &Expr, message: Option<&Message>) -> Eval<Option<Option<Explanation>>> {
        if let ExprKind::Quantifier(quantifier) = &condition.kind
            && let QuantifierExpr { kind: kind @ (Quantifier::Every | Quantifier::None), var, source, filter, body } =
                &**quantifier
        {
            for item in self.filtered(&var.text, source, filter.as_ref())? {
                self.burn(1)?;
                self.scope.push((var.text.clone(), item));
                let body_holds = self.block(body, None, &mut None)?;
                let offends = if *kind == Quantifier::Every { !body_holds } else { body_holds };
                let explanation = match offends {
                    // Only an `every`'s body failed, and so explains something.
                    true if *kind == Quantifier::Every => Some(self.explain_block(body)?),
                    true => Some(None),
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
    fn written_or(&mut self, inner: Option<Explanation>, message: Option<&Message>) -> Eval<Option<Explanation>> {
        Ok(match (inner, message) {
            (Some(inner), _) if inner.written => Some(inner),
            (_, Some(message)) => Some(Explanation { text: self.render(message)?, written: true }),
            (inner, None) => inner,
        })
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
