//! Risk-rule analysis, decided exhaustively over the choice combinations a
//! reviewer can select (at most 15 choices, so at most 2^14 + 1 of them:
//! any subset of the real choices, or "None of these" alone).

use loupe_syntax::{BinaryOp, Expr, ExprKind, Question, UnaryOp};

use crate::{Code, Diagnostic, Label, SourceFile};
use loupe_diagnostics::suggest::did_you_mean;

/// A risk condition compiled to choice indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Condition {
    Choice(usize),
    Not(Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

/// Compiles a risk condition over `choice_ids`, reporting what is not a
/// choice id or a boolean connective.
pub(crate) fn compile_condition(
    expr: &Expr,
    choice_ids: &[&str],
    file: SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    match &expr.kind {
        ExprKind::Var(name) => match choice_ids.iter().position(|id| *id == name.text) {
            Some(index) => Some(Condition::Choice(index)),
            None => {
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownChoice,
                    format!("`{}` is not a choice of this question", name.text),
                    Label::new(file, name.span, "unknown choice"),
                );
                diagnostic.help = did_you_mean(&name.text, choice_ids.iter().copied())
                    .or_else(|| Some(format!("the choices are {}", quoted_list(choice_ids))));
                diagnostics.push(diagnostic);
                None
            }
        },
        ExprKind::Unary { op: UnaryOp::Not, operand } => {
            Some(Condition::Not(Box::new(compile_condition(operand, choice_ids, file, diagnostics)?)))
        }
        ExprKind::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), lhs, rhs, .. } => {
            let lhs = compile_condition(lhs, choice_ids, file, diagnostics);
            let rhs = compile_condition(rhs, choice_ids, file, diagnostics);
            let (lhs, rhs) = (Box::new(lhs?), Box::new(rhs?));
            Some(if *op == BinaryOp::And { Condition::And(lhs, rhs) } else { Condition::Or(lhs, rhs) })
        }
        ExprKind::Error => None,
        _ => {
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidRiskCondition,
                    "a risk condition can only combine choice ids",
                    Label::new(file, expr.span, "not a choice id, `and`, `or` or `not`"),
                )
                .with_help("write e.g. `high when not BP01 or not BP02`; checks belong in a choice's `check` block"),
            );
            None
        }
    }
}

/// Reports missing `otherwise`, too many rules, repeated levels and rules that
/// can never fire.
pub(crate) fn check_risk_rules(question: &Question, file: SourceFile, diagnostics: &mut Vec<Diagnostic>) {
    let header = question.id.as_ref().map_or(question.keyword, |id| id.span);
    let Some(block) = &question.risk else {
        // A question cut short by a syntax error may have lost its rules there.
        if question.broken {
            return;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::MissingOtherwise,
                "question has no risk rules",
                Label::new(file, header, "no `risk` block"),
            )
            .with_help("add `risk { ... }` ending in a rule such as `high otherwise`"),
        );
        return;
    };
    let choice_ids: Vec<&str> =
        question.choices.iter().map(|choice| choice.id.as_ref().map_or("", |id| id.text.as_str())).collect();
    let none_index = question.choices.iter().position(|choice| choice.is_none);

    if block.rules.len() > 3 {
        let mut diagnostic = Diagnostic::new(
            Code::TooManyRiskRules,
            format!("a question has at most three risk rules, this one has {}", block.rules.len()),
            Label::new(file, block.rules[3].span, "fourth rule"),
        )
        .with_help("use one rule per level: `none when ...`, `medium when ...`, `high otherwise`");
        diagnostic.secondary.push(Label::new(file, block.span, "in this risk block"));
        diagnostics.push(diagnostic);
    }
    for (position, rule) in block.rules.iter().enumerate() {
        if let Some(first) = block.rules[..position].iter().find(|earlier| earlier.level == rule.level) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateRiskLevel,
                    format!("risk level `{}` is used by two rules", rule.level.as_str()),
                    Label::new(file, rule.level_span, "used again here"),
                )
                .with_secondary(Label::new(file, first.level_span, "first used here"))
                .with_help("merge the two conditions with `or`"),
            );
        }
    }
    if !block.broken && !block.rules.iter().any(|rule| rule.condition.is_none()) {
        let at = block.rules.last().map_or(block.span, |rule| rule.span);
        diagnostics.push(
            Diagnostic::new(
                Code::MissingOtherwise,
                "risk rules have no `otherwise`",
                Label::new(file, at, "add `LEVEL otherwise` after this"),
            )
            .with_help("every question needs a default: end the rules with e.g. `high otherwise`"),
        );
    }

    // `None` stands for `otherwise`, which holds for every selection.
    let mut compiled_ok = true;
    let conditions: Vec<Option<Condition>> = block
        .rules
        .iter()
        .map(|rule| {
            let expr = rule.condition.as_ref()?;
            let condition = compile_condition(expr, &choice_ids, file, diagnostics);
            compiled_ok &= condition.is_some();
            condition
        })
        .collect();
    if !compiled_ok || choice_ids.len() > 15 {
        return;
    }
    let space = SelectionSpace::new(choice_ids.len(), none_index);
    // What no earlier rule decides yet, as a truth table over the selections.
    let mut undecided = space.all();
    for (position, rule) in block.rules.iter().enumerate() {
        let table = conditions[position].as_ref().map_or_else(|| space.all(), |condition| space.table(condition));
        let fires = table.iter().zip(&undecided).any(|(holds, open)| holds & open != 0);
        for (open, holds) in undecided.iter_mut().zip(&table) {
            *open &= !holds;
        }
        let ever_holds = table.iter().any(|bits| *bits != 0);
        if !ever_holds {
            let mentions_none = none_index
                .and_then(|index| question.choices[index].id.as_ref())
                .is_some_and(|id| rule.condition.as_ref().is_some_and(|c| mentions(c, &id.text)));
            diagnostics.push(
                Diagnostic::new(
                    Code::UnreachableRiskRule,
                    format!("the condition of this `{}` rule never holds", rule.level.as_str()),
                    Label::new(file, rule.span, "no selection of choices satisfies it"),
                )
                .with_help(if mentions_none {
                    "\"None of these\" is never selected together with another choice"
                } else {
                    "the condition contradicts itself, e.g. `A and not A`"
                }),
            );
        } else if !fires && rule.condition.is_none() && block.rules[..position].iter().all(|r| r.condition.is_some()) {
            // The earlier rules already cover every selection, as AWS's own
            // lenses do (the second rule is the complement of the first): the
            // Well-Architected Tool accepts that, so it is only a warning.
            diagnostics.push(
                Diagnostic::new(
                    Code::UnreachableOtherwise,
                    format!("this `{} otherwise` can never fire", rule.level.as_str()),
                    Label::new(file, rule.span, "the rules above decide every selection"),
                )
                .with_help("make the last conditional rule the `otherwise` rule, or allow L0507 in loupe.toml"),
            );
        } else if !fires {
            let mut diagnostic = Diagnostic::new(
                Code::UnreachableRiskRule,
                format!("this `{}` rule can never fire", rule.level.as_str()),
                Label::new(file, rule.span, "every selection that satisfies it is decided by an earlier rule"),
            )
            .with_help("reorder the rules or narrow the earlier conditions");
            if let Some(earlier) = block.rules[..position].iter().rev().find(|earlier| earlier.condition.is_none()) {
                diagnostic.secondary.push(Label::new(
                    file,
                    earlier.span,
                    "`otherwise` already decides everything left",
                ));
            } else {
                for earlier in &block.rules[..position] {
                    diagnostic.secondary.push(Label::new(file, earlier.span, "decided here first"));
                }
            }
            diagnostics.push(diagnostic);
        }
    }
}

/// Every selection a reviewer can make, as bits of a truth table: bit `j`
/// of the first 2^n stands for the subset `j` of the n real choices; one
/// extra bit stands for "None of these" selected alone.
struct SelectionSpace {
    /// Choice index of each real choice, by bit position in a subset.
    real: Vec<usize>,
    none_index: Option<usize>,
    /// The table with every valid selection set.
    valid: Vec<u64>,
}

/// Bit `j` set where bit `p` of `j` is set, for the positions within a word.
const WORD_PATTERNS: [u64; 6] = [
    0xAAAA_AAAA_AAAA_AAAA,
    0xCCCC_CCCC_CCCC_CCCC,
    0xF0F0_F0F0_F0F0_F0F0,
    0xFF00_FF00_FF00_FF00,
    0xFFFF_0000_FFFF_0000,
    0xFFFF_FFFF_0000_0000,
];

impl SelectionSpace {
    fn new(choices: usize, none_index: Option<usize>) -> SelectionSpace {
        let real: Vec<usize> = (0..choices).filter(|&index| Some(index) != none_index).collect();
        let subsets = 1usize << real.len();
        // 2^n subset bits plus the none-alone bit.
        let bits = subsets + usize::from(none_index.is_some());
        let mut valid = vec![u64::MAX; bits / 64];
        valid.push((1u64 << (bits % 64)) - 1);
        valid.resize((subsets + 1).div_ceil(64), 0);
        SelectionSpace { real, none_index, valid }
    }

    fn all(&self) -> Vec<u64> {
        self.valid.clone()
    }

    /// The truth table of `condition`, filled in place: conditions are long
    /// chains of `and`/`or` over choices, combined word by word without a
    /// table per choice.
    fn table(&self, condition: &Condition) -> Vec<u64> {
        let mut table = vec![0u64; self.valid.len()];
        self.fill(condition, &mut table);
        table
    }

    fn fill(&self, condition: &Condition, table: &mut [u64]) {
        match condition {
            Condition::Choice(index) => {
                let selected = self.choice(*index);
                table.iter_mut().enumerate().for_each(|(word, bits)| *bits = selected(word));
            }
            Condition::Not(inner) => {
                self.fill(inner, table);
                table.iter_mut().zip(&self.valid).for_each(|(bits, valid)| *bits = !*bits & valid);
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                self.fill(a, table);
                let combine = |bits: &mut u64, other: u64| match condition {
                    Condition::And(..) => *bits &= other,
                    _ => *bits |= other,
                };
                if let Condition::Choice(index) = **b {
                    let selected = self.choice(index);
                    table.iter_mut().enumerate().for_each(|(word, bits)| combine(bits, selected(word)));
                } else {
                    table.iter_mut().zip(self.table(b)).for_each(|(bits, other)| combine(bits, other));
                }
            }
        }
    }

    /// Word by word, the selections where choice `index` is selected.
    fn choice(&self, index: usize) -> impl Fn(usize) -> u64 {
        let subsets = 1usize << self.real.len();
        let is_none = Some(index) == self.none_index;
        let position = self.real.iter().position(|&real| real == index);
        // Only subset bits: the none-alone bit and the unused bits stay clear.
        let subset_mask = if subsets < 64 { (1u64 << subsets) - 1 } else { u64::MAX };
        move |word| match position {
            _ if is_none => u64::from(word == subsets / 64) << (subsets % 64),
            _ if word * 64 >= subsets => 0,
            Some(position @ 0..6) => WORD_PATTERNS[position] & subset_mask,
            Some(position) if (word >> (position - 6)) & 1 == 1 => u64::MAX,
            _ => 0,
        }
    }
}

fn mentions(expr: &Expr, id: &str) -> bool {
    match &expr.kind {
        ExprKind::Var(name) => name.text == id,
        _ => {
            let mut found = false;
            expr.kind.for_each_child(|child| found = found || mentions(child, id));
            found
        }
    }
}

/// The ids a question's risk rules mention.
pub(crate) fn mentioned_choices(question: &Question) -> Vec<&str> {
    fn walk<'a>(expr: &'a Expr, out: &mut Vec<&'a str>) {
        match &expr.kind {
            ExprKind::Var(name) => out.push(&name.text),
            ExprKind::Unary { operand, .. } => walk(operand, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for rule in question.risk.iter().flat_map(|block| &block.rules) {
        if let Some(condition) = &rule.condition {
            walk(condition, &mut out);
        }
    }
    out
}

pub(crate) fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().filter(|item| !item.is_empty()).map(|item| format!("`{item}`")).collect();
    quoted.join(", ")
}
