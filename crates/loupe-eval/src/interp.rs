//! The check interpreter: pure, deterministic, and bounded by fuel.
//!
//! A check's statements must all hold. A failing assertion gives findings:
//! one per offending item when it is an `every` or `none` quantifier (the
//! body's own messages where it has them), otherwise one, located at the
//! innermost item being quantified over.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::sync::Arc;

use loupe_db::{Builtin, MAX_PREDICATE_DEPTH};
use loupe_evidence::Node;
use loupe_model::{Finding, Fingerprint, Inapplicable, Location, Practice};
use loupe_syntax::{BinaryOp, Block, Expr, ExprKind, MessagePart, Quantifier, QuantifierExpr, Statement, UnaryOp};
use rustc_hash::FxHashMap;

use crate::compile::CompiledPredicate;
use crate::strings;
use crate::value::{Origin, Place, ResourceVal, Val};

mod explain;

/// What evaluation needs from outside: evidence and predicates. Each call is
/// a database query, so the evaluation depends on exactly what it asked.
pub(crate) trait Host<'e> {
    fn resources(&self, types: &[&str]) -> Vec<Val<'e>>;
    fn documents(&self) -> Vec<Val<'e>>;
    /// The resources `resource` refers to, each once, in document order.
    fn refs(&self, resource: &ResourceVal<'e>, property: Option<&str>) -> Vec<Val<'e>>;
    /// The resources of any of `types` that refer to `resource`, each once, in document order.
    fn referrers(&self, resource: &ResourceVal<'e>, types: &[&str]) -> Vec<Val<'e>>;
    fn predicate(&self, name: &str) -> Option<&'e CompiledPredicate>;
    /// The JSON value `text` holds, parsed once per distinct text.
    fn json(&self, text: &str) -> Option<&'e Node>;
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Holds,
    /// Shared with the review, which shows them as they are.
    Fails(Arc<[Finding]>),
    /// The check does not apply to the evidence: its `applies when` was
    /// false, or it found nothing to look at.
    NotApplicable(Inapplicable),
    /// The evidence cannot decide: evaluation could not finish (fuel ran
    /// out), or only assertions written `else unknown "…"` failed. The
    /// findings say why.
    Undecided(Arc<[Finding]>),
}

/// An item being quantified over: where it is, and its name if a resource.
struct Subject<'e> {
    origin: Option<Origin<'e>>,
    resource: Option<&'e str>,
}

/// Evaluation stopped before the check finished.
enum Stop {
    OutOfFuel,
    /// Predicate calls nested deeper than the checker allows (L0118), in a
    /// pack that was not checked: evaluation recurses once per call.
    TooDeep,
}

type Eval<T> = Result<T, Stop>;

/// The native stack each predicate call starts with at least, and how much
/// more to allocate when less is left: a body's own depth is bounded by the
/// parser (`MAX_EXPR_DEPTH`), so it fits, however little the thread had.
const BODY_STACK: usize = 4 << 20;
const STACK_SEGMENT: usize = 16 << 20;

pub(crate) struct Interpreter<'h, 'e> {
    host: &'h dyn Host<'e>,
    fuel: u64,
    /// Bound names, innermost last; names before `frame` belong to the
    /// callers of the predicate being evaluated and are not seen.
    scope: Vec<(&'e str, Val<'e>)>,
    frame: usize,
    /// The items being quantified over, innermost last, for locating findings.
    subjects: Vec<Subject<'e>>,
    /// The text the current block was compiled from, for default messages.
    source: &'e str,
    /// Regexes compiled once per evaluation (`matches` runs for every item of
    /// a quantifier): those written `/.../` by the address of their
    /// expression, those computed by pattern.
    literal_regexes: FxHashMap<usize, Option<regex::Regex>>,
    computed_regexes: FxHashMap<String, Option<regex::Regex>>,
    /// The resource types asked for, for saying what a check looked for.
    looked_for: BTreeSet<String>,
    /// How many resources and non-empty documents the check was given: a
    /// check that saw none gives no answer.
    seen: usize,
    /// Message templates, by the address of their message in the block
    /// being evaluated: one per message, not one per finding.
    templates: FxHashMap<usize, Arc<str>>,
    /// Predicate calls being evaluated, at most `MAX_PREDICATE_DEPTH`.
    calls: usize,
    /// How many findings say the evidence cannot decide (`else unknown`).
    unknowns: usize,
    /// Predicates by name, and names that are none, asked of the host once:
    /// every call, built-ins' too, looks its name up here.
    predicates: FxHashMap<&'e str, Option<&'e CompiledPredicate>>,
    /// The resources of `resources("…")` calls with written types, by the
    /// address of their arguments.
    resources_by_call: FxHashMap<usize, Rc<[Val<'e>]>>,
}

impl<'h, 'e> Interpreter<'h, 'e> {
    pub fn new(host: &'h dyn Host<'e>, fuel: u64) -> Interpreter<'h, 'e> {
        Interpreter {
            host,
            fuel,
            scope: Vec::new(),
            frame: 0,
            subjects: Vec::new(),
            source: "",
            literal_regexes: FxHashMap::default(),
            computed_regexes: FxHashMap::default(),
            looked_for: BTreeSet::new(),
            seen: 0,
            templates: FxHashMap::default(),
            calls: 0,
            unknowns: 0,
            predicates: FxHashMap::default(),
            resources_by_call: FxHashMap::default(),
        }
    }

    /// Runs a check compiled from `source`, which decides `practice`.
    pub fn check(&mut self, block: &'e Block, source: &'e str, practice: &Practice) -> Outcome {
        self.source = source;
        let mut findings = Vec::new();
        let mut guard = None;
        let result =
            stacker::maybe_grow(BODY_STACK, STACK_SEGMENT, || self.block(block, Some(&mut findings), &mut guard));
        let inapplicable = |interpreter: &mut Self, guard: Option<String>| {
            Outcome::NotApplicable(Inapplicable {
                guard,
                looked_for: std::mem::take(&mut interpreter.looked_for).into_iter().collect(),
                seen: interpreter.seen,
            })
        };
        let identified = |mut findings: Vec<Finding>| -> Arc<[Finding]> {
            for finding in &mut findings {
                finding.fingerprint = finding.fingerprint_in(practice);
            }
            findings.into()
        };
        match result {
            Err(Stop::OutOfFuel) => Outcome::Undecided(Arc::new([Finding::general(
                "evaluation ran out of fuel: the check does too much work".to_string(),
                practice,
            )])),
            Err(Stop::TooDeep) => Outcome::Undecided(Arc::new([Finding::general(
                format!("predicate calls nest deeper than {MAX_PREDICATE_DEPTH}: `loupe check` reports where (L0118)"),
                practice,
            )])),
            Ok(_) if guard.is_some() => inapplicable(self, guard),
            // Passing or failing over nothing would be an answer without evidence.
            Ok(_) if self.seen == 0 => inapplicable(self, None),
            Ok(true) => Outcome::Holds,
            // Nothing failed that the evidence decides.
            Ok(false) if self.unknowns > 0 && self.unknowns == findings.len() => {
                Outcome::Undecided(identified(findings))
            }
            Ok(false) => Outcome::Fails(identified(findings)),
        }
    }

    fn burn(&mut self, amount: u64) -> Eval<()> {
        self.fuel = self.fuel.checked_sub(amount).ok_or(Stop::OutOfFuel)?;
        Ok(())
    }

    /// Whether every statement holds, with the findings of those that do not.
    /// A false `applies when` stops the block and is written to `failed_guard`.
    /// `findings` is `None` where they would be dropped (predicate bodies,
    /// quantifiers inside expressions): no message is built for nothing.
    fn block(
        &mut self,
        block: &'e Block,
        mut findings: Option<&mut Vec<Finding>>,
        failed_guard: &mut Option<String>,
    ) -> Eval<bool> {
        let mut holds = true;
        let guard = self.statements(block, |this, condition, message| {
            if !this.assertion(condition, message, findings.as_deref_mut())? {
                holds = false;
            }
            Ok(ControlFlow::Continue(()))
        })?;
        if let Some(guard) = guard {
            *failed_guard = Some(self.source_text(guard));
        }
        Ok(holds)
    }

    /// Runs a block's statements in order, its `let`s in scope, handing each
    /// assertion to `on_assert` until it breaks; gives the `applies when`
    /// condition that stopped the block, if one did.
    fn statements(
        &mut self,
        block: &'e Block,
        mut on_assert: impl FnMut(&mut Self, &'e Expr, Option<&'e loupe_syntax::Message>) -> Eval<ControlFlow<()>>,
    ) -> Eval<Option<&'e Expr>> {
        let depth = self.scope.len();
        let mut failed_guard = None;
        for statement in &block.statements {
            match statement {
                Statement::Applies { condition, .. } => {
                    if !self.expr(condition)?.is_true() {
                        failed_guard = Some(condition);
                        break;
                    }
                }
                Statement::Let { name, value, .. } => {
                    let value = self.expr(value)?;
                    self.scope.push((&name.text, value));
                }
                Statement::Assert { condition, message, .. } => {
                    if on_assert(self, condition, message.as_ref())?.is_break() {
                        break;
                    }
                }
            }
        }
        self.scope.truncate(depth);
        Ok(failed_guard)
    }

    fn assertion(
        &mut self,
        condition: &'e Expr,
        message: Option<&'e loupe_syntax::Message>,
        mut findings: Option<&mut Vec<Finding>>,
    ) -> Eval<bool> {
        if let ExprKind::Quantifier(quantifier) = &condition.kind
            && let QuantifierExpr { kind: kind @ (Quantifier::Every | Quantifier::None), var, source, filter, body } =
                &**quantifier
        {
            let items = self.filtered(&var.text, source, filter.as_ref())?;
            let mut holds = true;
            // An `every` without a message of its own reports its body's findings.
            let from_body = findings.is_some() && *kind == Quantifier::Every && message.is_none();
            for item in items.iter() {
                self.burn(1)?;
                self.scope.push((&var.text, item.clone()));
                self.subjects.push(Subject { origin: item.origin(), resource: item.resource_name() });
                let mut body_findings = Vec::new();
                let body_holds = self.block(body, from_body.then_some(&mut body_findings), &mut None)?;
                let offends = if *kind == Quantifier::Every { !body_holds } else { body_holds };
                if offends {
                    holds = false;
                    if let Some(findings) = findings.as_deref_mut() {
                        if body_findings.is_empty() {
                            findings.push(self.finding(condition, message)?);
                        } else {
                            findings.append(&mut body_findings);
                        }
                    }
                }
                self.subjects.pop();
                self.scope.pop();
            }
            return Ok(holds);
        }
        let holds = self.expr(condition)?.is_true();
        if let Some(findings) = findings.filter(|_| !holds) {
            findings.push(self.finding(condition, message)?);
        }
        Ok(holds)
    }

    fn finding(&mut self, condition: &'e Expr, message: Option<&'e loupe_syntax::Message>) -> Eval<Finding> {
        let (message, template, unknown) = match message {
            Some(message) => (self.render(message)?, self.template(message), message.unknown),
            None => {
                // The template stays the condition's text: what explains the
                // failure holds values, which must not change fingerprints.
                let unexplained = format!("`{}` does not hold", self.source_text(condition));
                let (text, unknown) = match self.explain(condition)? {
                    Some(explanation) => (explanation.text, explanation.unknown),
                    None => (unexplained.clone(), false),
                };
                (text, Arc::from(unexplained), unknown)
            }
        };
        self.unknowns += usize::from(unknown);
        let resource = self.subjects.iter().rev().find_map(|subject| subject.resource).map(str::to_string);
        let location = self.subjects.iter().rev().find_map(|subject| subject.origin).map(|origin| Location {
            file: origin.evidence.name.clone(),
            start: origin.span.start,
            end: origin.span.end,
        });
        Ok(Finding { message, location, resource, template, fingerprint: Fingerprint::default(), waiver: None })
    }

    /// A message with its holes filled in the current scope.
    fn render(&mut self, message: &'e loupe_syntax::Message) -> Eval<String> {
        let mut text = String::new();
        for part in &message.parts {
            match part {
                MessagePart::Literal(literal) => text.push_str(literal),
                MessagePart::Interpolation(expr) => text.push_str(&self.expr(expr)?.display()),
            }
        }
        Ok(text)
    }

    /// A message as written, its holes unfilled.
    fn template(&mut self, message: &'e loupe_syntax::Message) -> Arc<str> {
        let key = std::ptr::from_ref(message) as usize;
        if let Some(template) = self.templates.get(&key) {
            return template.clone();
        }
        let mut template = String::new();
        for part in &message.parts {
            match part {
                MessagePart::Literal(literal) => template.push_str(literal),
                MessagePart::Interpolation(expr) => template.push_str(&format!("{{{}}}", self.source_text(expr))),
            }
        }
        let template: Arc<str> = Arc::from(template);
        self.templates.insert(key, template.clone());
        template
    }

    /// An expression's text as written, white space folded.
    fn source_text(&self, expr: &'e Expr) -> String {
        let text = self.source.get(expr.span.range()).unwrap_or("the check");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The items of `source` for which `filter` holds, with `var` bound to each.
    /// A list of values is shared, not copied, when there is no filter.
    fn filtered(&mut self, var: &'e str, source: &'e Expr, filter: Option<&'e Expr>) -> Eval<Rc<[Val<'e>]>> {
        let items = self.expr(source)?.shared_items();
        let Some(filter) = filter else { return Ok(items) };
        let mut kept = Vec::new();
        for item in items.iter() {
            self.burn(1)?;
            self.scope.push((var, item.clone()));
            let keep = self.expr(filter)?.is_true();
            self.scope.pop();
            if keep {
                kept.push(item.clone());
            }
        }
        Ok(kept.into())
    }

    fn expr(&mut self, expr: &'e Expr) -> Eval<Val<'e>> {
        self.burn(1)?;
        Ok(match &expr.kind {
            ExprKind::Number(text) => text.parse().map_or(Val::Null, Val::Number),
            ExprKind::String(text) => Val::Str(Cow::Borrowed(text)),
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::Null | ExprKind::Error | ExprKind::Regex { .. } => Val::Null,
            ExprKind::Var(name) => {
                let visible = &self.scope[self.frame..];
                visible.iter().rev().find(|(bound, _)| *bound == name.text).map_or(Val::Null, |(_, v)| v.clone())
            }
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.expr(item)?);
                }
                Val::List(values.into())
            }
            ExprKind::Field { base, name } => {
                let base = self.expr(base)?;
                // A field of a list is read from each of its items.
                self.burn(base.item_count() as u64)?;
                base.field(&name.text)
            }
            ExprKind::Wildcard { base } => self.expr(base)?.wildcard(),
            ExprKind::Index { base, index } => {
                let base = self.expr(base)?;
                let index = self.expr(index)?;
                base.index(&index)
            }
            ExprKind::Call { function, args } => self.call(&function.text, args)?,
            ExprKind::Unary { op: UnaryOp::Not, operand } => Val::Bool(!self.expr(operand)?.is_true()),
            ExprKind::Unary { op: UnaryOp::Neg, operand } => {
                self.expr(operand)?.as_number().map_or(Val::Null, |n| Val::Number(-n))
            }
            ExprKind::Binary { op, lhs, rhs, .. } => self.binary(*op, lhs, rhs)?,
            ExprKind::Quantifier(quantifier) => {
                let QuantifierExpr { kind, var, source, filter, body } = &**quantifier;
                let items = self.filtered(&var.text, source, filter.as_ref())?;
                let mut count = 0;
                for item in items.iter() {
                    self.burn(1)?;
                    self.scope.push((&var.text, item.clone()));
                    let holds = self.block(body, None, &mut None)?;
                    self.scope.pop();
                    count += usize::from(holds);
                    if *kind == Quantifier::Some && holds {
                        break;
                    }
                }
                Val::Bool(match kind {
                    Quantifier::Every => count == items.len(),
                    Quantifier::Some => count > 0,
                    Quantifier::None => count == 0,
                })
            }
            ExprKind::Filter { var, source, condition } => {
                Val::List(self.filtered(&var.text, source, Some(condition))?)
            }
        })
    }

    fn binary(&mut self, op: BinaryOp, lhs: &'e Expr, rhs: &'e Expr) -> Eval<Val<'e>> {
        let left = self.expr(lhs)?;
        match op {
            BinaryOp::And if !left.is_true() => return Ok(Val::Bool(false)),
            BinaryOp::Or if left.is_true() => return Ok(Val::Bool(true)),
            BinaryOp::And | BinaryOp::Or => return Ok(Val::Bool(self.expr(rhs)?.is_true())),
            BinaryOp::Matches => return self.matches(&left, rhs),
            BinaryOp::In | BinaryOp::NotIn if let ExprKind::List(items) = &rhs.kind => {
                // A written list is compared item by item, never built.
                self.burn(items.len() as u64)?;
                let mut found = false;
                for item in items {
                    found |= self.expr(item)?.equals(&left);
                }
                return Ok(Val::Bool(found == (op == BinaryOp::In)));
            }
            _ => {}
        }
        let right = self.expr(rhs)?;
        Ok(match op {
            BinaryOp::Eq => Val::Bool(left.equals(&right)),
            BinaryOp::NotEq => Val::Bool(!left.equals(&right)),
            BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => {
                let ordering = match (left.scalar(), right.scalar()) {
                    (Val::Number(a), Val::Number(b)) => a.partial_cmp(&b),
                    (Val::Str(a), Val::Str(b)) => Some(a.cmp(&b)),
                    _ => None,
                };
                Val::Bool(ordering.is_some_and(|ordering| match op {
                    BinaryOp::Lt => ordering.is_lt(),
                    BinaryOp::LtEq => ordering.is_le(),
                    BinaryOp::Gt => ordering.is_gt(),
                    _ => ordering.is_ge(),
                }))
            }
            BinaryOp::Contains => Val::Bool(self.contains(&left, &right)?),
            BinaryOp::In => Val::Bool(self.contains(&right, &left)?),
            BinaryOp::NotIn => Val::Bool(!self.contains(&right, &left)?),
            BinaryOp::StartsWith => Val::Bool(both_str(&left, &right, |a, b| a.starts_with(b))),
            BinaryOp::EndsWith => Val::Bool(both_str(&left, &right, |a, b| a.ends_with(b))),
            BinaryOp::Add => match (left.scalar(), right.scalar()) {
                (Val::Number(a), Val::Number(b)) => Val::Number(a + b),
                (Val::Str(a), Val::Str(b)) => Val::Str(Cow::Owned(format!("{a}{b}"))),
                _ => Val::Null,
            },
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Rem => match (left.as_number(), right.as_number()) {
                (Some(a), Some(b)) => match op {
                    BinaryOp::Sub => Val::Number(a - b),
                    BinaryOp::Mul => Val::Number(a * b),
                    _ if b != 0.0 => Val::Number(a % b),
                    _ => Val::Null,
                },
                _ => Val::Null,
            },
            BinaryOp::And | BinaryOp::Or | BinaryOp::Matches => Val::Null,
        })
    }

    /// Substring of a string, member of a list; false otherwise.
    fn contains(&mut self, container: &Val<'e>, item: &Val<'e>) -> Eval<bool> {
        if let (Some(text), Some(part)) = (container.as_str(), item.as_str()) {
            return Ok(text.contains(part));
        }
        if !container.is_list() {
            return Ok(false);
        }
        let items = container.shared_items();
        self.burn(items.len() as u64)?;
        Ok(items.iter().any(|candidate| candidate.equals(item)))
    }

    fn matches(&mut self, text: &Val<'e>, pattern: &'e Expr) -> Eval<Val<'e>> {
        let regex = match &pattern.kind {
            ExprKind::Regex { pattern: written, flags } => self
                .literal_regexes
                .entry(std::ptr::from_ref(pattern) as usize)
                .or_insert_with(|| compile_regex(written, flags)),
            _ => {
                let computed = self.expr(pattern)?;
                let Some(pattern) = computed.as_str() else { return Ok(Val::Bool(false)) };
                // Looked up first: inserting needs an owned key.
                if !self.computed_regexes.contains_key(pattern) {
                    self.computed_regexes.insert(pattern.to_string(), compile_regex(pattern, ""));
                }
                &self.computed_regexes[pattern]
            }
        };
        Ok(Val::Bool(match (text.as_str(), regex) {
            (Some(text), Some(regex)) => regex.is_match(text),
            _ => false,
        }))
    }

    /// The pack's predicate `name`, if there is one.
    fn predicate(&mut self, name: &'e str) -> Option<&'e CompiledPredicate> {
        *self.predicates.entry(name).or_insert_with(|| self.host.predicate(name))
    }

    fn call(&mut self, name: &'e str, args: &'e [Expr]) -> Eval<Val<'e>> {
        if let Some(predicate) = self.predicate(name) {
            let holds =
                self.in_predicate(predicate, args, |this| this.block(&predicate.body.block, None, &mut None))?;
            return Ok(Val::Bool(holds));
        }
        // The checker rejects unknown functions; a pack with errors is not evaluated.
        let Some(builtin) = Builtin::lookup(name) else { return Ok(Val::Null) };
        if let (Builtin::Flatten, [Expr { kind: ExprKind::List(items), .. }]) = (builtin, args) {
            // `flatten([a.b, a.c])`, the common form, without building the written list.
            let mut flat = Vec::new();
            for item in items {
                flat.extend(self.expr(item)?.items());
            }
            return Ok(Val::List(flat.into()));
        }
        // A call with written types, as in a predicate called for each item
        // of a loop, reads the evidence once per check: it does not change.
        let written_types = builtin == Builtin::Resources
            && !args.is_empty()
            && args.iter().all(|arg| matches!(arg.kind, ExprKind::String(_)));
        let call_site = args.as_ptr() as usize;
        if written_types && let Some(found) = self.resources_by_call.get(&call_site).cloned() {
            self.burn(found.len() as u64)?;
            self.seen += found.len();
            return Ok(Val::List(found));
        }
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.expr(arg)?);
        }
        let value = self.builtin(builtin, &values)?;
        if written_types && let Val::List(found) = &value {
            self.resources_by_call.insert(call_site, found.clone());
        }
        Ok(value)
    }

    /// Runs `body` in a call of `predicate` with `args`: a predicate sees its
    /// parameters only.
    fn in_predicate<T>(
        &mut self,
        predicate: &'e CompiledPredicate,
        args: &'e [Expr],
        body: impl FnOnce(&mut Self) -> Eval<T>,
    ) -> Eval<T> {
        let frame = self.scope.len();
        for arg in &args[..predicate.params.len().min(args.len())] {
            // Unnamed until every argument is evaluated in the caller's scope.
            let value = self.expr(arg)?;
            self.scope.push(("", value));
        }
        for ((name, _), param) in self.scope[frame..].iter_mut().zip(&predicate.params) {
            *name = param;
        }
        if self.calls == MAX_PREDICATE_DEPTH {
            return Err(Stop::TooDeep);
        }
        let outer = std::mem::replace(&mut self.frame, frame);
        self.calls += 1;
        let result = stacker::maybe_grow(BODY_STACK, STACK_SEGMENT, || body(self));
        self.calls -= 1;
        self.frame = outer;
        self.scope.truncate(frame);
        result
    }

    /// Evaluates a built-in over its arguments' values. Exhaustive: a built-in
    /// added to the table does not compile until it is evaluated here.
    fn builtin(&mut self, builtin: Builtin, values: &[Val<'e>]) -> Eval<Val<'e>> {
        let first = values.first().cloned().unwrap_or(Val::Null);
        Ok(match builtin {
            Builtin::Resources => {
                let types: Vec<&str> = values.iter().filter_map(Val::as_str).collect();
                let found = self.host.resources(&types);
                self.burn(found.len() as u64)?;
                for kind in &types {
                    // Checked first: a call inside a loop would allocate once per item.
                    if !self.looked_for.contains(*kind) {
                        self.looked_for.insert((*kind).to_string());
                    }
                }
                self.seen += found.len();
                Val::List(found.into())
            }
            Builtin::Refs => {
                let property = values.get(1).map(|property| property.as_str());
                let found = match (&first, property) {
                    (Val::Resource(resource), None) => self.host.refs(resource, None),
                    (Val::Resource(resource), Some(Some(property))) => self.host.refs(resource, Some(property)),
                    // A property path that is not a string names nothing.
                    _ => Vec::new(),
                };
                self.burn(found.len() as u64)?;
                Val::List(found.into())
            }
            Builtin::Referrers => {
                let types: Vec<&str> = values.get(1..).unwrap_or_default().iter().filter_map(Val::as_str).collect();
                let found = match &first {
                    Val::Resource(resource) => self.host.referrers(resource, &types),
                    _ => Vec::new(),
                };
                self.burn(found.len() as u64)?;
                Val::List(found.into())
            }
            Builtin::Documents => {
                let found = self.host.documents();
                self.seen += found.iter().filter(|document| document.has_entries()).count();
                Val::List(found.into())
            }
            Builtin::Count => Val::Number(first.item_count() as f64),
            Builtin::Len => Val::Number(first.len() as f64),
            Builtin::Exists => Val::Bool(!first.is_null()),
            Builtin::Lower => first.as_str().map_or(Val::Null, |s| Val::Str(Cow::Owned(s.to_lowercase()))),
            Builtin::Upper => first.as_str().map_or(Val::Null, |s| Val::Str(Cow::Owned(s.to_uppercase()))),
            Builtin::Keys => Val::List(first.keys().into()),
            Builtin::Flatten => Val::List(first.items().iter().flat_map(|item| item.items()).collect()),
            Builtin::Join => {
                let separator = values.get(1).and_then(Val::as_str).unwrap_or_default().to_string();
                let items = first.items();
                self.burn(items.len() as u64)?;
                let parts: Vec<String> = items
                    .iter()
                    .filter_map(|item| match item.scalar() {
                        Val::Str(text) => Some(text.into_owned()),
                        Val::Number(_) | Val::Bool(_) => Some(item.display()),
                        _ => None,
                    })
                    .collect();
                Val::Str(Cow::Owned(parts.join(&separator)))
            }
            Builtin::Distinct => {
                let mut seen: Vec<Val<'e>> = Vec::new();
                for item in first.items() {
                    self.burn(seen.len() as u64)?;
                    if !seen.iter().any(|kept| kept.equals(&item)) {
                        seen.push(item);
                    }
                }
                Val::List(seen.into())
            }
            Builtin::Any => Val::Bool(first.items().iter().any(Val::is_true)),
            Builtin::All => Val::Bool(first.items().iter().all(Val::is_true)),
            Builtin::Sum => Val::Number(first.items().iter().filter_map(Val::as_number).sum()),
            Builtin::Number => match first.scalar() {
                Val::Number(n) => Val::Number(n),
                Val::Str(s) => s.trim().parse().map_or(Val::Null, Val::Number),
                _ => Val::Null,
            },
            // Values from strings: located where the string is.
            Builtin::Json => match first.as_str() {
                Some(text) => {
                    // Hashing (and the first time, parsing) costs a pass over the text.
                    self.burn(1 + text.len() as u64 / 16)?;
                    let place = Place::From(first.origin());
                    self.host.json(text).map_or(Val::Null, |node| Val::Node(node, place))
                }
                // Already structured (CloudFormation takes a policy document either way).
                None if first.is_collection() => first,
                None => Val::Null,
            },
            Builtin::ManagedPolicy => strings::managed_policy(&first)
                .map_or(Val::Null, |document| Val::Node(document, Place::From(first.origin()))),
        })
    }
}

fn both_str(left: &Val<'_>, right: &Val<'_>, test: impl Fn(&str, &str) -> bool) -> bool {
    matches!((left.as_str(), right.as_str()), (Some(a), Some(b)) if test(a, b))
}

fn compile_regex(pattern: &str, flags: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        .ignore_whitespace(flags.contains('x'))
        .size_limit(1 << 20)
        .build()
        .ok()
}
