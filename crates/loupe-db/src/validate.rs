//! Semantic validation of one file against the pack index.

use std::collections::{BTreeMap, BTreeSet};

use loupe_syntax::{Choice, Expr, ExprKind, Item, Name, Pillar, Predicate, Question, Test};

use crate::builtins::Builtin;
use crate::index::{DeepCalls, MAX_PREDICATE_DEPTH, PackIndex};
use crate::limits::{self, Limits};
use crate::risk::{self, quoted_list};
use crate::{BlockText, Code, Db, Diagnostic, Label, Pack, SourceFile, Span, compiled_block, pack_index, parse_file};
use loupe_diagnostics::suggest::did_you_mean;

/// The lifecycle phases of the Generative AI Lens.
pub const PHASES: &[&str] = &[
    "scoping",
    "model_selection",
    "model_customization",
    "development_and_integration",
    "deployment",
    "continuous_improvement",
];

/// The semantic diagnostics of one file but its checks' and predicate bodies'
/// (see [`file_check_diagnostics`](crate::file_check_diagnostics)), before
/// the pack's lint levels.
#[salsa::tracked(returns(ref))]
pub fn validate_file(db: &dyn Db, pack: Pack, file: SourceFile) -> Vec<Diagnostic> {
    let index = pack_index(db, pack);
    let mut validator = Validator { db, file, index, occurrences: BTreeMap::new(), diagnostics: Vec::new() };
    for item in &parse_file(db, file).file.items {
        match item {
            Item::Lens(lens) => {
                let nth = validator.occurrence(Kind::Lens, "");
                if index.lens_files.len() > 1 && !(index.lens_files[0] == file && nth == 0) {
                    let first = validator.definition(index.lens_files[0], Kind::Lens, "");
                    let mut diagnostic = Diagnostic::new(
                        Code::DuplicateLens,
                        "a pack has one lens header",
                        Label::new(file, lens.keyword, "second lens header"),
                    )
                    .with_help("merge the headers into one `lens` item");
                    if let Some((first_file, span)) = first {
                        diagnostic.secondary.push(Label::new(first_file, span, "first lens header"));
                    }
                    validator.diagnostics.push(diagnostic);
                }
                for name in lens.pillar_order.iter().filter(|name| !index.pillars.contains_key(&name.text)) {
                    validator.unknown_name(
                        Code::UnknownPillarInOrder,
                        name,
                        index.pillars.keys().map(String::as_str),
                        format!("the pack has no pillar `{}`", name.text),
                        "not a pillar of the pack",
                        "list the ids of the pack's pillars".to_string(),
                    );
                }
                let mut limits = validator.limits();
                if let Some(name) = &lens.name {
                    limits.text(name, limits::MAX_TITLE, "the lens name");
                }
                match &lens.description {
                    Some(description) => limits.text(description, limits::MAX_TEXT, "the lens description"),
                    None => limits.diagnostics.push(
                        Diagnostic::new(
                            Code::MissingText,
                            "the lens has no description",
                            Label::new(file, lens.keyword, "no `description`"),
                        )
                        .with_help("add `description \"...\"`: the Well-Architected Tool shows it on the lens page"),
                    ),
                }
            }
            Item::Pillar(pillar) => validator.pillar(pillar),
            Item::Predicate(predicate) => validator.predicate(predicate),
            Item::Test(test) => validator.test(test),
        }
    }
    validator.diagnostics
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Lens,
    Pillar,
    Question,
    Predicate,
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Lens => "lens",
            Kind::Pillar => "pillar",
            Kind::Question => "question",
            Kind::Predicate => "predicate",
            Kind::Test => "test",
        }
    }
}

struct Validator<'db> {
    db: &'db dyn Db,
    file: SourceFile,
    index: &'db PackIndex,
    /// How often each pack-wide name was defined so far in this file.
    occurrences: BTreeMap<(Kind, String), usize>,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    /// A name that is none of `known`: with the closest one as help, else `fallback`.
    fn unknown_name<'k>(
        &mut self,
        code: Code,
        name: &Name,
        known: impl IntoIterator<Item = &'k str>,
        message: String,
        label: &str,
        fallback: String,
    ) {
        let help = did_you_mean(&name.text, known).unwrap_or(fallback);
        self.diagnostics.push(Diagnostic::new(code, message, Label::new(self.file, name.span, label)).with_help(help));
    }

    fn limits(&mut self) -> Limits<'_> {
        Limits { file: self.file, diagnostics: &mut self.diagnostics }
    }

    fn occurrence(&mut self, kind: Kind, name: &str) -> usize {
        let count = self.occurrences.entry((kind, name.to_string())).or_default();
        *count += 1;
        *count - 1
    }

    /// Reports `name` if an earlier definition of the same kind exists in the pack.
    fn duplicate(&mut self, kind: Kind, name: &Name, code: Code, definitions: Option<&Vec<SourceFile>>) {
        let nth = self.occurrence(kind, &name.text);
        let Some(first_file) = definitions.and_then(|defs| defs.first()).copied() else {
            return;
        };
        if first_file == self.file && nth == 0 {
            return;
        }
        let what = kind.name();
        let mut diagnostic = Diagnostic::new(
            code,
            format!("{what} `{}` is defined more than once", name.text),
            Label::new(self.file, name.span, "defined again here"),
        )
        .with_help(match kind {
            Kind::Predicate | Kind::Test => {
                format!("{what} names are unique across the whole pack: rename one of them")
            }
            _ => format!("{what} ids are unique across the whole pack: rename one of them"),
        });
        if let Some((file, span)) = self.definition(first_file, kind, &name.text) {
            diagnostic.secondary.push(Label::new(file, span, "first defined here"));
        }
        self.diagnostics.push(diagnostic);
    }

    /// The span of the first definition of `name` in `file`.
    fn definition(&self, file: SourceFile, kind: Kind, name: &str) -> Option<(SourceFile, Span)> {
        let matches = |id: &Option<Name>| id.as_ref().is_some_and(|id| id.text == name);
        parse_file(self.db, file).file.items.iter().find_map(|item| {
            let span = match (item, kind) {
                (Item::Lens(lens), Kind::Lens) => Some(lens.keyword),
                (Item::Pillar(pillar), Kind::Pillar) if matches(&pillar.id) => pillar.id.as_ref().map(|id| id.span),
                (Item::Pillar(pillar), Kind::Question) => {
                    pillar.questions.iter().find(|q| matches(&q.id)).and_then(|q| q.id.as_ref()).map(|id| id.span)
                }
                (Item::Predicate(predicate), Kind::Predicate) if matches(&predicate.name) => {
                    predicate.name.as_ref().map(|n| n.span)
                }
                (Item::Test(test), Kind::Test) if test.name.as_ref().is_some_and(|n| n.value == name) => {
                    test.name.as_ref().map(|n| n.span)
                }
                _ => None,
            };
            span.map(|span| (file, span))
        })
    }

    fn pillar(&mut self, pillar: &Pillar) {
        let file = self.file;
        if let Some(id) = &pillar.id {
            self.limits().id(id, "pillar");
            let first_definition = self.index.pillars.get(&id.text).and_then(|defs| defs.first()) == Some(&file)
                && !self.occurrences.contains_key(&(Kind::Pillar, id.text.clone()));
            self.duplicate(Kind::Pillar, id, Code::DuplicatePillar, self.index.pillars.get(&id.text));
            let ordinal = self.index.pillar_order.iter().position(|p| *p == id.text);
            if first_definition && ordinal.is_some_and(|n| n >= limits::MAX_PILLARS) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::TooManyPillars,
                        format!(
                            "a lens has at most {} pillars, this pack has {}",
                            limits::MAX_PILLARS,
                            self.index.pillar_order.len()
                        ),
                        Label::new(file, id.span, format!("pillar number {}", ordinal.unwrap_or(0) + 1)),
                    )
                    .with_help("merge pillars, or split the lens into two packs"),
                );
            }
        }
        if let Some(name) = &pillar.name {
            self.limits().text(name, limits::MAX_TITLE, "the pillar name");
        }
        if let Some(description) = &pillar.description {
            self.limits().text(description, limits::MAX_TEXT, "the pillar description");
        }
        if pillar.questions.is_empty() && !pillar.broken {
            let at = pillar.id.as_ref().map_or(pillar.keyword, |id| id.span);
            self.diagnostics.push(
                Diagnostic::new(Code::EmptyContainer, "pillar has no questions", Label::new(file, at, "empty pillar"))
                    .with_help("add at least one `question`, or remove the pillar"),
            );
        }
        if let Some(extra) = pillar.questions.get(limits::MAX_QUESTIONS) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TooManyQuestions,
                    format!(
                        "a pillar has at most {} questions, this one has {}",
                        limits::MAX_QUESTIONS,
                        pillar.questions.len()
                    ),
                    Label::new(file, extra.keyword, format!("question number {}", limits::MAX_QUESTIONS + 1)),
                )
                .with_help("move questions into another pillar"),
            );
        }
        for question in &pillar.questions {
            self.question(question);
        }
    }

    fn question(&mut self, question: &Question) {
        let file = self.file;
        let header = question.id.as_ref().map_or(question.keyword, |id| id.span);
        if let Some(id) = &question.id {
            self.limits().id(id, "question");
            self.duplicate(Kind::Question, id, Code::DuplicateQuestion, self.index.questions.get(&id.text));
        }
        if let Some(title) = &question.title {
            self.limits().text(title, limits::MAX_TITLE, "the question title");
        }
        if let Some(description) = &question.description {
            self.limits().text(description, limits::MAX_TEXT, "the question description");
        }
        self.limits().links(&question.helpful, "the helpful resource", "helpful");
        for phase in question.phases.iter().filter(|phase| !PHASES.contains(&phase.text.as_str())) {
            self.unknown_name(
                Code::UnknownPhase,
                phase,
                PHASES.iter().copied(),
                format!("unknown lifecycle phase `{}`", phase.text),
                "not a phase",
                format!("the phases are {}", quoted_list(PHASES)),
            );
        }

        let mut none_choices = question.choices.iter().filter(|choice| choice.is_none);
        if let Some(first) = none_choices.next() {
            for extra in none_choices {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::SecondNoneChoice,
                        "a question has one none-of-these choice",
                        Label::new(file, extra.keyword, "second `none`"),
                    )
                    .with_secondary(Label::new(file, first.keyword, "first `none`"))
                    .with_help("remove one of them"),
                );
            }
        }
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for choice in &question.choices {
            let Some(id) = &choice.id else {
                if choice.is_none {
                    // `none "None of these"` is valid only with an id.
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::MissingPart,
                            "the none-of-these choice has no id",
                            Label::new(file, choice.keyword, "id expected after `none`"),
                        )
                        .with_help(format!(
                            "write `none {}_no \"None of these\"`",
                            question.id.as_ref().map_or("QUESTION", |id| id.text.as_str())
                        )),
                    );
                }
                continue;
            };
            if let Some(first) = seen.get(id.text.as_str()) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateChoice,
                        format!("choice `{}` is defined twice in this question", id.text),
                        Label::new(file, id.span, "defined again here"),
                    )
                    .with_secondary(Label::new(file, *first, "first defined here"))
                    .with_help("choice ids are unique within a question"),
                );
            } else {
                seen.insert(&id.text, id.span);
            }
            self.choice(choice, id, question);
        }
        if let Some(extra) = question.choices.get(limits::MAX_CHOICES) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TooManyChoices,
                    format!(
                        "a question has at most {} choices, this one has {}",
                        limits::MAX_CHOICES,
                        question.choices.len()
                    ),
                    Label::new(file, extra.keyword, format!("choice number {}", limits::MAX_CHOICES + 1)),
                )
                .with_help(if question.choices.iter().any(|choice| choice.is_none) {
                    "the none-of-these choice counts too; split the question"
                } else {
                    "split the question"
                }),
            );
        }
        if !question.choices.iter().any(|choice| !choice.is_none) && !question.broken {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::EmptyContainer,
                    "question has no choices",
                    Label::new(file, header, "no `choice`"),
                )
                .with_help("add the best practices as `choice ID \"title\" { ... }`"),
            );
        }

        let before = self.diagnostics.len();
        risk::check_risk_rules(question, file, &mut self.diagnostics);
        // A misspelt choice in a rule already explains why another seems unused.
        let rules_resolved = !self.diagnostics[before..]
            .iter()
            .any(|d| matches!(d.code, Code::UnknownChoice | Code::InvalidRiskCondition));
        let mentioned = risk::mentioned_choices(question);
        for choice in question.choices.iter().filter(|choice| !choice.is_none) {
            if let Some(id) = &choice.id
                && question.risk.as_ref().is_some_and(|risk| !risk.broken)
                && rules_resolved
                && !mentioned.contains(&id.text.as_str())
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ChoiceNotInRisk,
                        format!("no risk rule mentions `{}`", id.text),
                        Label::new(file, id.span, "does not affect the risk"),
                    )
                    .with_help("mention it in a risk rule, or remove it if it does not matter"),
                );
            }
        }
        if question.choices.iter().any(|choice| !choice.is_none)
            && question.choices.iter().all(|c| c.check.is_none())
            && !question.broken
        {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::NoAutomatedCheck,
                    "question has no automated check",
                    Label::new(file, header, "answered only by attestation"),
                )
                .with_help("add a `check { ... }` to a choice that evidence can show, or allow L0503 in loupe.toml"),
            );
        }
    }

    fn choice(&mut self, choice: &Choice, id: &Name, question: &Question) {
        let file = self.file;
        self.limits().id(id, "choice");
        let ends_in_no = id.text.ends_with("_no");
        if choice.is_none && !ends_in_no {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::NoneChoiceId,
                    format!("the none-of-these choice `{}` must end in `_no`", id.text),
                    Label::new(file, id.span, "missing `_no`"),
                )
                .with_help(format!(
                    "write `{}_no`: the Well-Architected Tool recognises the choice by that suffix",
                    question.id.as_ref().map_or(id.text.as_str(), |question| question.text.as_str())
                )),
            );
        } else if !choice.is_none && ends_in_no {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::NoneChoiceId,
                    format!("choice `{}` ends in `_no`, which marks the none-of-these choice", id.text),
                    Label::new(file, id.span, "reserved suffix"),
                )
                .with_help("rename the choice, or write it as `none ID \"None of these\"`"),
            );
        }
        if let Some(title) = &choice.title {
            self.limits().text(title, limits::MAX_TITLE, "the choice title");
        }
        if let Some(description) = &choice.description {
            self.limits().text(description, limits::MAX_TEXT, "the choice description");
        }
        self.limits().links(&choice.helpful, "the helpful resource", "helpful");
        self.limits().links(&choice.improve, "the improvement plan", "improve");
        if !choice.is_none && choice.improve.is_empty() {
            self.diagnostics.push(
                Diagnostic::new(Code::MissingImprovementPlan, format!("choice `{}` has no improvement plan", id.text), Label::new(file, id.span, "no `improve`"))
                    .with_help("add `improve \"what to do\" \"https://...\"`: the Well-Architected Tool requires one on every choice but \"None of these\""),
            );
        }
    }

    fn predicate(&mut self, predicate: &Predicate) {
        let file = self.file;
        if let Some(name) = &predicate.name {
            self.duplicate(Kind::Predicate, name, Code::DuplicatePredicate, self.index.predicates.get(&name.text));
            if Builtin::lookup(&name.text).is_some() {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicatePredicate,
                        format!("`{}` is the name of a built-in function", name.text),
                        Label::new(file, name.span, "would hide the built-in"),
                    )
                    .with_help("give the predicate another name"),
                );
            }
            let is_first = self.index.predicates.get(&name.text).and_then(|defs| defs.first()) == Some(&file)
                && self.occurrences.get(&(Kind::Predicate, name.text.clone())) == Some(&1);
            if let Some(cycle) = self.index.predicate_cycles.get(&name.text).filter(|_| is_first) {
                let message = if cycle.len() == 2 {
                    format!("predicate `{}` calls itself", name.text)
                } else {
                    format!("predicate `{}` calls itself through {}", name.text, cycle_path(cycle))
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::RecursivePredicate,
                        message,
                        Label::new(file, name.span, "part of a call cycle"),
                    )
                    .with_help("checks always terminate, so predicates cannot recurse: unroll the cycle"),
                );
            } else if !self.index.recursive_predicates.contains(&name.text)
                && !self.index.used_predicates.contains(&name.text)
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnusedPredicate,
                        format!("predicate `{}` is never used", name.text),
                        Label::new(file, name.span, "unused"),
                    )
                    .with_help("call it from a check, or remove it"),
                );
            }
        }
        if let Some(deep) = predicate.name.as_ref().and_then(|name| self.index.deep_calls.get(&name.text)) {
            self.deep_calls(predicate, deep);
        }
        for (n, param) in predicate.params.iter().enumerate() {
            if let Some(first) = predicate.params[..n].iter().find(|earlier| earlier.text == param.text) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateBinding,
                        format!("`{}` is already bound in this scope", param.text),
                        Label::new(file, param.span, "bound again"),
                    )
                    .with_secondary(Label::new(file, first.span, "first bound here"))
                    .with_help("rename one of them; an inner scope may reuse an outer name"),
                );
            }
        }
    }

    /// Reports the first call to each callee that nests predicate calls too deep.
    fn deep_calls(&mut self, predicate: &Predicate, deep: &DeepCalls) {
        let mut calls = Vec::new();
        let body = &compiled_block(self.db, BlockText::of(self.db, self.file, predicate.body)).block;
        body.for_each_expression(|expr| calls_in(expr, &mut calls));
        let mut reported = BTreeSet::new();
        for function in calls {
            let Some(&depth) = deep.callees.get(&function.text) else { continue };
            if !reported.insert(&function.text) {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                Code::PredicateCallsTooDeep,
                format!("predicate calls nest {} deep, more than {MAX_PREDICATE_DEPTH}", thousands(depth)),
                Label::new(
                    self.file,
                    function.span.moved(predicate.body.start),
                    format!("call number {} from `{}`", MAX_PREDICATE_DEPTH + 1, deep.start),
                ),
            )
            .with_help("every call is a level of evaluation: call fewer predicates in a row, e.g. by inlining some");
            let first = self.index.predicates.get(&deep.start).and_then(|defs| defs.first());
            if let Some((file, span)) = first.and_then(|&file| self.definition(file, Kind::Predicate, &deep.start)) {
                diagnostic.secondary.push(Label::new(file, span, "the chain starts here"));
            }
            self.diagnostics.push(diagnostic);
        }
    }

    fn test(&mut self, test: &Test) {
        let file = self.file;
        if let Some(name) = &test.name {
            let as_name = Name { text: name.value.clone(), span: name.span };
            self.duplicate(Kind::Test, &as_name, Code::DuplicateTest, self.index.tests.get(&name.value));
        }
        for expectation in &test.expectations {
            let question = &expectation.question;
            let Some(choices) = self.index.question_choices.get(&question.text) else {
                let help = did_you_mean(&question.text, self.index.questions.keys().map(String::as_str));
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownTestTarget,
                    format!("no question `{}` in this pack", question.text),
                    Label::new(file, question.span, "unknown question"),
                );
                diagnostic.help = help;
                self.diagnostics.push(diagnostic);
                continue;
            };
            if let Some(choice) = &expectation.choice
                && !choices.contains(&choice.text)
            {
                let ids: Vec<&str> = choices.iter().map(String::as_str).collect();
                let help = did_you_mean(&choice.text, ids.iter().copied())
                    .unwrap_or_else(|| format!("its choices are {}", quoted_list(&ids)));
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownTestTarget,
                        format!("question `{}` has no choice `{}`", question.text, choice.text),
                        Label::new(file, choice.span, "unknown choice"),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// The functions `expr` calls, in the order they are written.
fn calls_in<'a>(expr: &'a Expr, calls: &mut Vec<&'a Name>) {
    if let ExprKind::Call { function, .. } = &expr.kind {
        calls.push(function);
    }
    expr.kind.for_each_child(|child| calls_in(child, calls));
}

/// `` `a` → `b` → `a` ``, shortened in the middle when long: a cycle of
/// thousands of predicates is named in one line.
fn cycle_path(cycle: &[String]) -> String {
    const KEEP_START: usize = 3;
    const KEEP_END: usize = 2;
    let quoted = |names: &[String]| names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>();
    if cycle.len() <= KEEP_START + KEEP_END + 2 {
        return quoted(cycle).join(" → ");
    }
    let left_out = cycle.len() - KEEP_START - KEEP_END;
    let mut steps = quoted(&cycle[..KEEP_START]);
    steps.push(format!("… ({} more)", thousands(left_out)));
    steps.extend(quoted(&cycle[cycle.len() - KEEP_END..]));
    steps.join(" → ")
}

/// `1996` as `1,996`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
