//! Name resolution and type checking of checks and predicates.

use std::collections::BTreeMap;

use loupe_syntax::{
    BinaryOp, Block, Expr, ExprKind, MessagePart, Name, Quantifier, QuantifierExpr, Statement, SyntaxError, UnaryOp,
};

use crate::builtins::{Builtin, Ty};
use crate::{Code, DeclaredTypes, Label, Span};

use loupe_diagnostics::suggest::{did_you_mean, suggestion_help};

/// Where a block stands, which decides what it may contain.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// A choice's `check { ... }`: the only place for `applies when`.
    Check,
    Predicate,
    Quantifier,
}

/// Checks one block compiled on its own: its diagnostics' spans are relative
/// to its text.
pub(crate) struct Checker<'a> {
    /// The pack's predicates and their arities.
    pub predicates: &'a BTreeMap<String, usize>,
    /// The types the pack declares beside the built-in catalog.
    pub types: &'a DeclaredTypes,
    pub diagnostics: &'a mut Vec<SyntaxError>,
    scopes: Vec<Vec<Binding>>,
}

/// What a resource value has; anything else reads as missing.
const RESOURCE_FIELDS: &[&str] = &["type", "name", "properties"];

struct Binding {
    name: String,
    /// Where it is bound; `None` for a predicate's parameter, which is bound
    /// outside the block's text.
    span: Option<Span>,
    ty: Ty,
    used: bool,
    /// Only `let` bindings are reported when unused.
    is_let: bool,
    /// The resource types it holds, when it holds resources of types named
    /// in the check (`every role in resources("AWS::IAM::Role") ...`).
    resources: Option<Vec<String>>,
}

impl Binding {
    /// A quantified or filtered item: always counts as used.
    fn item(var: &Name, resources: Option<Vec<String>>) -> Binding {
        Binding { name: var.text.clone(), span: Some(var.span), ty: Ty::Any, used: true, is_let: false, resources }
    }

    /// A predicate's parameter, bound outside the block's text.
    fn param(name: &str) -> Binding {
        Binding { name: name.to_string(), span: None, ty: Ty::Any, used: true, is_let: false, resources: None }
    }
}

impl<'a> Checker<'a> {
    pub fn new(
        predicates: &'a BTreeMap<String, usize>,
        types: &'a DeclaredTypes,
        diagnostics: &'a mut Vec<SyntaxError>,
    ) -> Checker<'a> {
        Checker { predicates, types, diagnostics, scopes: Vec::new() }
    }

    /// Checks a block whose scope starts with `params` (a predicate's
    /// parameters; the file's validation reports a name given twice).
    pub fn block(&mut self, block: &Block, kind: BlockKind, params: &[String]) {
        let frame = params.iter().map(|param| Binding::param(param)).collect();
        self.scopes.push(frame);
        let mut seen_assertion = false;
        for statement in &block.statements {
            match statement {
                Statement::Applies { condition, span } => {
                    if kind != BlockKind::Check || seen_assertion {
                        let help = if kind == BlockKind::Check {
                            "move `applies when` above the conditions of the check"
                        } else {
                            "`applies when` belongs at the top of a choice's `check` block"
                        };
                        self.report(
                            Code::MisplacedApplies,
                            "`applies when` must come first in a check",
                            *span,
                            "misplaced",
                        )
                        .help = Some(help.to_string());
                    }
                    self.expect(condition, Ty::Bool, "the `applies when` condition");
                }
                Statement::Let { name, value, .. } => {
                    let ty = self.expr(value);
                    let resources = self.selected_types(value);
                    let frame = self.scopes.last_mut().expect("a block pushed its frame");
                    if let Some(first) = frame.iter().find(|b| b.name == name.text) {
                        let first = first.span;
                        self.duplicate_binding(name, first);
                    } else {
                        frame.push(Binding {
                            name: name.text.clone(),
                            span: Some(name.span),
                            ty,
                            used: false,
                            is_let: true,
                            resources,
                        });
                    }
                }
                Statement::Assert { condition, message, .. } => {
                    seen_assertion = true;
                    self.expect(condition, Ty::Bool, "a check condition");
                    // The message of an `every` or `none` is reported per offending
                    // item, so it may name the quantified variable.
                    let item = match &condition.kind {
                        ExprKind::Quantifier(quantifier)
                            if matches!(quantifier.kind, Quantifier::Every | Quantifier::None) =>
                        {
                            Some(quantifier)
                        }
                        _ => None,
                    };
                    if let Some(quantifier) = item {
                        let resources = self.selected_types(&quantifier.source);
                        self.scopes.push(vec![Binding::item(&quantifier.var, resources)]);
                    }
                    for part in message.iter().flat_map(|message| &message.parts) {
                        if let MessagePart::Interpolation(expr) = part {
                            self.expr(expr);
                        }
                    }
                    if item.is_some() {
                        self.scopes.pop();
                    }
                }
            }
        }
        let frame = self.scopes.pop().expect("pushed above");
        for binding in frame.iter().filter(|b| b.is_let && !b.used && !b.name.starts_with('_')) {
            let Some(span) = binding.span else { continue };
            // A broken line after it may be where it is used: one mistake, one error.
            let broken_after = self.diagnostics.iter().any(|error| {
                let at = error.primary.span;
                error.code == Code::SyntaxError && at.start >= span.end && block.span.contains(at)
            });
            if broken_after {
                continue;
            }
            self.diagnostics.push(
                SyntaxError::new(
                    Code::UnusedBinding,
                    format!("`{}` is bound but never used", binding.name),
                    Label::new((), span, "unused"),
                )
                .with_help(format!("remove the binding, or name it `_{}`", binding.name)),
            );
        }
    }

    /// `first` is `None` when the name is a predicate's parameter.
    fn duplicate_binding(&mut self, name: &Name, first: Option<Span>) {
        let message = format!("`{}` is already bound in this scope", name.text);
        let diagnostic = self.report(Code::DuplicateBinding, message, name.span, "bound again");
        match first {
            Some(first) => {
                diagnostic.secondary.push(Label::new((), first, "first bound here"));
                diagnostic.help = Some("rename one of them; an inner scope may reuse an outer name".to_string());
            }
            None => {
                diagnostic.help = Some(format!("`{}` is a parameter of the predicate: rename one of them", name.text))
            }
        }
    }

    fn report(&mut self, code: Code, message: impl Into<String>, span: Span, label: &str) -> &mut SyntaxError {
        self.diagnostics.push(SyntaxError::new(code, message, Label::new((), span, label)));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Checks `expr` and reports it when its type cannot be `expected`.
    fn expect(&mut self, expr: &Expr, expected: Ty, what: impl std::fmt::Display) -> Ty {
        let ty = self.expr(expr);
        if !ty.fits(expected) {
            self.mismatch(expr.span, format!("{what} must be {}, found {}", expected.name(), ty.name()), ty, expected);
        }
        ty
    }

    /// Reports a type error; `expected` is `Ty::Any` where no one type was expected.
    fn mismatch(&mut self, span: Span, message: String, found: Ty, expected: Ty) {
        let help = match (expected, found) {
            (_, Ty::Regex) => Some("a regex is only used on the right of `matches`"),
            (Ty::Bool, Ty::List) => Some("use `count(list) > 0`, or a quantifier such as `some x in list { ... }`"),
            (Ty::Bool, _) => Some("compare the value to make a condition, e.g. `x == \"expected\"`"),
            (Ty::List, _) => Some("pass a list, such as `resources(\"AWS::S3::Bucket\")` or `[\"a\", \"b\"]`"),
            (Ty::Number, _) => Some("use a number; `number(x)` reads one from a string"),
            (Ty::String, _) => Some("use a string, or a property of the evidence"),
            _ => None,
        };
        self.report(Code::TypeMismatch, message, span, "wrong type").help = help.map(str::to_string);
    }

    fn lookup(&mut self, name: &Name) -> Option<Ty> {
        for frame in self.scopes.iter_mut().rev() {
            if let Some(binding) = frame.iter_mut().rev().find(|b| b.name == name.text) {
                binding.used = true;
                return Some(binding.ty);
            }
        }
        None
    }

    fn expr(&mut self, expr: &Expr) -> Ty {
        match &expr.kind {
            ExprKind::Number(_) => Ty::Number,
            ExprKind::String(_) => Ty::String,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Null => Ty::Null,
            ExprKind::Error => Ty::Any,
            ExprKind::Regex { pattern, flags } => {
                self.regex(pattern, flags, expr.span);
                Ty::Regex
            }
            ExprKind::Var(name) => match self.lookup(name) {
                Some(ty) => ty,
                None if self.predicates.contains_key(&name.text) || Builtin::lookup(&name.text).is_some() => {
                    let kind =
                        if Builtin::lookup(&name.text).is_some() { "a built-in function" } else { "a predicate" };
                    self.report(
                        Code::UnknownVariable,
                        format!("`{}` is {kind}, not a variable", name.text),
                        name.span,
                        "not a variable",
                    )
                    .help = Some(format!("call it: `{}(...)`", name.text));
                    Ty::Any
                }
                None => {
                    let visible: Vec<String> = self.scopes.iter().flatten().map(|b| b.name.clone()).collect();
                    // `True` or `NULL` as other languages spell them: the literals are names too.
                    let candidates = visible.iter().map(String::as_str).chain(["true", "false", "null"]);
                    let help = did_you_mean(&name.text, candidates).unwrap_or_else(|| {
                        "variables come from `let`, a quantifier (`every x in ...`) or a predicate parameter"
                            .to_string()
                    });
                    self.report(
                        Code::UnknownVariable,
                        format!("unknown variable `{}`", name.text),
                        name.span,
                        "not defined here",
                    )
                    .help = Some(help);
                    Ty::Any
                }
            },
            ExprKind::List(items) => {
                for item in items {
                    let ty = self.expr(item);
                    if ty == Ty::Regex {
                        self.mismatch(item.span, "a list cannot hold a regex".to_string(), ty, Ty::Any);
                    }
                }
                Ty::List
            }
            ExprKind::Field { base, name } => {
                self.access(base);
                self.resource_field(base, name);
                self.property(base, name);
                Ty::Any
            }
            ExprKind::Index { base, index } => {
                self.access(base);
                self.expr(index);
                Ty::Any
            }
            ExprKind::Wildcard { base } => {
                self.access(base);
                Ty::List
            }
            ExprKind::Call { function, args } => self.call(function, args, expr.span),
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                self.expect(operand, Ty::Bool, "the operand of `not`");
                Ty::Bool
            }
            ExprKind::Unary { op: UnaryOp::Neg, operand } => {
                self.expect(operand, Ty::Number, "the operand of `-`");
                Ty::Number
            }
            ExprKind::Binary { op, op_span, lhs, rhs } => self.binary(*op, *op_span, lhs, rhs),
            ExprKind::Quantifier(quantifier) => {
                let QuantifierExpr { var, source, filter, body, .. } = &**quantifier;
                self.expect(source, Ty::List, "a quantifier's source");
                let resources = self.selected_types(source);
                self.scopes.push(vec![Binding::item(var, resources)]);
                if let Some(filter) = filter {
                    self.expect(filter, Ty::Bool, "a `where` filter");
                }
                self.block(body, BlockKind::Quantifier, &[]);
                self.scopes.pop();
                Ty::Bool
            }
            ExprKind::Filter { var, source, condition } => {
                self.expect(source, Ty::List, "a filter's source");
                let resources = self.selected_types(source);
                self.scopes.push(vec![Binding::item(var, resources)]);
                self.expect(condition, Ty::Bool, "a `where` filter");
                self.scopes.pop();
                Ty::List
            }
        }
    }

    /// Property access works on evidence data (and is missing-safe), not on literals.
    fn access(&mut self, base: &Expr) {
        let ty = self.expr(base);
        if matches!(ty, Ty::Number | Ty::Bool | Ty::Regex) {
            self.mismatch(base.span, format!("cannot take a property of {}", ty.name()), ty, Ty::Any);
        }
    }

    /// `resource.NAME` for a name other than `type`, `name` and `properties`,
    /// which reads as missing on every resource.
    fn resource_field(&mut self, base: &Expr, name: &Name) {
        if RESOURCE_FIELDS.contains(&name.text.as_str()) || self.selected_types(base).is_none() {
            return;
        }
        // Not a misspelled field: most likely evidence read without `properties.`.
        let help = did_you_mean(&name.text, RESOURCE_FIELDS.iter().copied())
            .unwrap_or_else(|| suggestion_help(&format!("properties.{}", name.text)));
        self.report(
            Code::UnknownResourceField,
            format!("a resource has no field `{}`", name.text),
            name.span,
            "not a resource field",
        )
        .help = Some(help);
    }

    /// The resource types `expr` holds, when the check names them:
    /// `resources("A", "B")`, `referrers(r, "A")`, a variable bound to such, or a filter of one.
    /// `refs(r)` holds resources of any type: an empty list.
    fn selected_types(&self, expr: &Expr) -> Option<Vec<String>> {
        match &expr.kind {
            ExprKind::Call { function, .. } if Builtin::lookup(&function.text) == Some(Builtin::Refs) => {
                Some(Vec::new())
            }
            ExprKind::Call { function, args }
                if let Some(from) = Builtin::lookup(&function.text).and_then(Builtin::resource_types_from)
                    && args.len() > from =>
            {
                args[from..]
                    .iter()
                    .map(|arg| match &arg.kind {
                        ExprKind::String(text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect()
            }
            ExprKind::Var(name) => self
                .scopes
                .iter()
                .rev()
                .find_map(|frame| frame.iter().rev().find(|binding| binding.name == name.text))
                .and_then(|binding| binding.resources.clone()),
            ExprKind::Filter { source, .. } => self.selected_types(source),
            _ => None,
        }
    }

    /// `resource.properties.NAME` where no type the resource may have has
    /// such a top-level property: a typo the evidence would read as missing.
    fn property(&mut self, base: &Expr, name: &Name) {
        let ExprKind::Field { base: resource, name: properties } = &base.kind else { return };
        if properties.text != "properties" {
            return;
        }
        let Some(types) = self.selected_types(resource) else { return };
        if let Some(help) = self.types.missing_property(&types, &name.text) {
            let message = format!("{} has no top-level property `{}`", types.join(" or "), name.text);
            self.report(Code::UnknownResourceProperty, message, name.span, "not in the resource schema").help =
                Some(help);
        }
    }

    /// Each type named in `resources(...)` or `referrers(...)` that no catalog knows.
    fn resource_types(&mut self, args: &[Expr]) {
        for arg in args {
            let ExprKind::String(ty) = &arg.kind else { continue };
            if let Some(help) = self.types.unknown_type(ty) {
                let message = format!("no catalog knows the resource type `{ty}`");
                self.report(Code::UnknownResourceType, message, arg.span, "unknown type").help = Some(help);
            }
        }
    }

    fn call(&mut self, function: &Name, args: &[Expr], span: Span) -> Ty {
        let arg_types: Vec<Ty> = args.iter().map(|arg| self.expr(arg)).collect();
        let builtin = Builtin::lookup(&function.text);
        if let Some(from) = builtin.and_then(Builtin::resource_types_from) {
            self.resource_types(args.get(from..).unwrap_or_default());
        }
        if let Some(&arity) = self.predicates.get(&function.text) {
            if arity != args.len() {
                self.wrong_arity(
                    function,
                    span,
                    &format!("{arity} argument{}", if arity == 1 { "" } else { "s" }),
                    args.len(),
                );
            }
            return Ty::Bool;
        }
        let Some(builtin) = builtin.map(Builtin::spec) else {
            let predicates = self.predicates.keys().map(String::as_str);
            let candidates: Vec<&str> = predicates.chain(Builtin::ALL.iter().map(|b| b.name())).collect();
            let help = did_you_mean(&function.text, candidates.iter().copied()).unwrap_or_else(|| {
                "define it with `predicate NAME(params) { ... }`, or see the built-in functions in docs/language.md"
                    .to_string()
            });
            self.report(
                Code::UnknownFunction,
                format!("unknown predicate or function `{}`", function.text),
                function.span,
                "not defined",
            )
            .help = Some(help);
            return Ty::Any;
        };
        if !builtin.accepts(args.len()) {
            self.wrong_arity(function, span, &builtin.arity_text(), args.len());
            return builtin.returns;
        }
        for (position, (arg, ty)) in args.iter().zip(arg_types).enumerate() {
            let expected = builtin.param(position);
            if !ty.fits(expected) {
                self.mismatch(
                    arg.span,
                    format!("`{}` expects {}, found {}", builtin.name, expected.name(), ty.name()),
                    ty,
                    expected,
                );
            }
        }
        builtin.returns
    }

    fn wrong_arity(&mut self, function: &Name, span: Span, expected: &str, found: usize) {
        self.report(
            Code::WrongArity,
            format!(
                "`{}` takes {expected}, but {found} {} given",
                function.text,
                if found == 1 { "was" } else { "were" }
            ),
            span,
            "wrong number of arguments",
        )
        .help = Some(format!("call it with {expected}"));
    }

    fn binary(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Ty {
        // Formatted only into an error message.
        let what = format_args!("the operands of `{}`", op.as_str());
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.expect(lhs, Ty::Bool, what);
                self.expect(rhs, Ty::Bool, what);
                Ty::Bool
            }
            BinaryOp::Eq | BinaryOp::NotEq => {
                let (left, right) = (self.expr(lhs), self.expr(rhs));
                self.no_regex(lhs, left);
                self.no_regex(rhs, right);
                self.same_kind(op, op_span, left, right);
                Ty::Bool
            }
            BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => {
                let (left, right) = (self.expr(lhs), self.expr(rhs));
                for (side, ty) in [(lhs, left), (rhs, right)] {
                    if !matches!(ty, Ty::Number | Ty::String | Ty::Any) {
                        self.mismatch(
                            side.span,
                            format!("{what} must be numbers or strings, found {}", ty.name()),
                            ty,
                            Ty::Any,
                        );
                    }
                }
                self.same_kind(op, op_span, left, right);
                Ty::Bool
            }
            BinaryOp::Contains => {
                let container = self.expr(lhs);
                if !matches!(container, Ty::String | Ty::List | Ty::Any) {
                    self.mismatch(
                        lhs.span,
                        format!("`contains` needs a string or a list on its left, found {}", container.name()),
                        container,
                        Ty::Any,
                    );
                }
                let item = self.expr(rhs);
                self.no_regex(rhs, item);
                Ty::Bool
            }
            BinaryOp::StartsWith | BinaryOp::EndsWith => {
                self.expect(lhs, Ty::String, what);
                self.expect(rhs, Ty::String, what);
                Ty::Bool
            }
            BinaryOp::Matches => {
                self.expect(lhs, Ty::String, "the left of `matches`");
                let pattern = self.expr(rhs);
                match (&rhs.kind, pattern) {
                    (ExprKind::String(text), _) => self.regex(text, "", rhs.span),
                    (_, Ty::Regex | Ty::String | Ty::Any) => {}
                    (_, other) => self.mismatch(
                        rhs.span,
                        format!("`matches` needs a regex, found {}", other.name()),
                        other,
                        Ty::Any,
                    ),
                }
                Ty::Bool
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let item = self.expr(lhs);
                self.no_regex(lhs, item);
                let container = self.expr(rhs);
                if !matches!(container, Ty::String | Ty::List | Ty::Any) {
                    self.mismatch(
                        rhs.span,
                        format!("`{}` needs a list or a string on its right, found {}", op.as_str(), container.name()),
                        container,
                        Ty::List,
                    );
                }
                Ty::Bool
            }
            BinaryOp::Add => {
                let (left, right) = (self.expr(lhs), self.expr(rhs));
                if left == Ty::String || right == Ty::String {
                    for (side, ty) in [(lhs, left), (rhs, right)] {
                        if !ty.fits(Ty::String) {
                            self.mismatch(side.span, format!("`+` joins strings, found {}", ty.name()), ty, Ty::Any);
                        }
                    }
                    return Ty::String;
                }
                for (side, ty) in [(lhs, left), (rhs, right)] {
                    if !ty.fits(Ty::Number) {
                        self.mismatch(side.span, format!("{what} must be numbers, found {}", ty.name()), ty, Ty::Any);
                    }
                }
                if left == Ty::Any || right == Ty::Any { Ty::Any } else { Ty::Number }
            }
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Rem => {
                self.expect(lhs, Ty::Number, what);
                self.expect(rhs, Ty::Number, what);
                Ty::Number
            }
        }
    }

    fn no_regex(&mut self, expr: &Expr, ty: Ty) {
        if ty == Ty::Regex {
            self.mismatch(expr.span, "a regex cannot be compared".to_string(), ty, Ty::Any);
        }
    }

    /// Two known, different kinds can never be equal or ordered.
    fn same_kind(&mut self, op: BinaryOp, op_span: Span, left: Ty, right: Ty) {
        let known = |ty: Ty| !matches!(ty, Ty::Any | Ty::Null | Ty::Regex);
        if known(left) && known(right) && left != right {
            self.report(
                Code::TypeMismatch,
                format!("`{}` compares {} with {}", op.as_str(), left.name(), right.name()),
                op_span,
                "these can never match",
            )
            .help = Some("compare values of one kind; `number(x)` reads a number from a string".to_string());
        }
    }

    fn regex(&mut self, pattern: &str, flags: &str, span: Span) {
        let mut builder = regex::RegexBuilder::new(pattern);
        for flag in flags.chars() {
            match flag {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                'x' => builder.ignore_whitespace(true),
                other => {
                    self.report(Code::InvalidRegex, format!("unknown regex flag `{other}`"), span, "unknown flag")
                        .help = Some(
                        "the flags are i (ignore case), m (multi-line), s (dot matches newline) and x (verbose)"
                            .to_string(),
                    );
                    return;
                }
            };
        }
        builder.size_limit(1 << 20);
        if let Err(error) = builder.build() {
            let detail = error.to_string();
            let last = detail.lines().last().unwrap_or("").trim().trim_start_matches("error: ").to_string();
            self.report(
                Code::InvalidRegex,
                format!("invalid regular expression: {last}"),
                span,
                "cannot compile this regex",
            )
            .help = Some(if detail.contains("look-around") || detail.contains("backreference") {
                "regexes use Rust `regex` syntax, which has no look-around or back-references".to_string()
            } else {
                "regexes use Rust `regex` syntax; escape `(`, `[`, `.` and the like with `\\` to match them literally"
                    .to_string()
            });
        }
    }
}
