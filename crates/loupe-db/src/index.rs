//! Name resolution across the files of a pack.
//!
//! [`item_tree`] summarises one file's definitions without positions;
//! [`pack_index`] merges the summaries. Because neither holds a span, editing
//! text inside an item leaves both equal, and salsa stops the change there.

use std::collections::{BTreeMap, BTreeSet};

use loupe_syntax::{Block, Expr, ExprKind, Item, Predicate};

use crate::{BlockText, Db, Pack, SourceFile, compiled_block, parse_file};

/// One file's definitions, without positions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ItemTree {
    pub lenses: usize,
    pub pillars: Vec<PillarItem>,
    pub predicates: Vec<PredicateItem>,
    pub tests: Vec<String>,
    /// Functions and predicates called from the file's checks.
    pub check_calls: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PillarItem {
    pub id: String,
    pub questions: Vec<QuestionItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuestionItem {
    pub id: String,
    pub choices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PredicateItem {
    pub name: String,
    /// Functions and predicates its body calls.
    pub calls: BTreeSet<String>,
}

#[salsa::tracked(returns(ref))]
pub fn item_tree(db: &dyn Db, file: SourceFile) -> ItemTree {
    let mut tree = ItemTree::default();
    for item in &parse_file(db, file).file.items {
        match item {
            Item::Lens(_) => tree.lenses += 1,
            Item::Pillar(pillar) => {
                let Some(id) = &pillar.id else { continue };
                let questions = pillar
                    .questions
                    .iter()
                    .filter_map(|question| {
                        let choices = question.choices.iter().filter_map(|c| c.id.as_ref().map(|id| id.text.clone()));
                        for check in question.choices.iter().filter_map(|c| c.check.as_ref()) {
                            collect_body_calls(db, BlockText::of(db, file, check.body), &mut tree.check_calls);
                        }
                        Some(QuestionItem { id: question.id.as_ref()?.text.clone(), choices: choices.collect() })
                    })
                    .collect();
                tree.pillars.push(PillarItem { id: id.text.clone(), questions });
            }
            Item::Predicate(predicate) => {
                let Some(name) = &predicate.name else {
                    continue;
                };
                let mut calls = BTreeSet::new();
                collect_body_calls(db, BlockText::of(db, file, predicate.body), &mut calls);
                tree.predicates.push(PredicateItem { name: name.text.clone(), calls });
            }
            Item::Test(test) => {
                if let Some(name) = &test.name {
                    tree.tests.push(name.value.clone());
                }
            }
        }
    }
    tree
}

/// The definitions of the whole pack, each name with its defining files in
/// pack order (a name defined twice in one file is listed twice).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PackIndex {
    pub lens_files: Vec<SourceFile>,
    /// Pillar ids in order of first definition.
    pub pillar_order: Vec<String>,
    pub pillars: BTreeMap<String, Vec<SourceFile>>,
    pub questions: BTreeMap<String, Vec<SourceFile>>,
    /// The choice ids of each question's first definition.
    pub question_choices: BTreeMap<String, Vec<String>>,
    pub predicates: BTreeMap<String, Vec<SourceFile>>,
    pub tests: BTreeMap<String, Vec<SourceFile>>,
    /// Predicates reachable from some check.
    pub used_predicates: BTreeSet<String>,
    /// Predicates that can reach themselves through calls.
    pub recursive_predicates: BTreeSet<String>,
    /// One cycle (`a`, `b`, `a`) for each group of predicates that call each
    /// other, keyed by the group's first predicate in pack order: the group is
    /// reported once, however large.
    pub predicate_cycles: BTreeMap<String, Vec<String>>,
    /// The calls that nest predicates deeper than [`MAX_PREDICATE_DEPTH`], by
    /// caller (cycles aside, which are reported as such).
    pub deep_calls: BTreeMap<String, DeepCalls>,
}

/// The six pillars of the Well-Architected Framework, in the Well-Architected Tool's order.
pub const FRAMEWORK_PILLARS: [&str; 6] =
    ["operationalExcellence", "security", "reliability", "performance", "costOptimization", "sustainability"];

/// The pack's pillar ids in the order reports and exports give them: the lens
/// header's `pillars` list when it has one; else the framework's pillars in the
/// Well-Architected Tool's order. Pillars neither names follow in pack order.
pub fn pillar_order(db: &dyn Db, pack: Pack) -> Vec<String> {
    let index = pack_index(db, pack);
    let header = index.lens_files.first().and_then(|&file| {
        parse_file(db, file).file.items.iter().find_map(|item| match item {
            Item::Lens(lens) if !lens.pillar_order.is_empty() => Some(lens),
            _ => None,
        })
    });
    let order: Vec<&str> = match header {
        Some(lens) => lens.pillar_order.iter().map(|name| name.text.as_str()).collect(),
        None => FRAMEWORK_PILLARS.to_vec(),
    };
    let mut pillars = index.pillar_order.clone();
    pillars.sort_by_key(|pillar| order.iter().position(|id| id == pillar).unwrap_or(usize::MAX));
    pillars
}

/// The most predicates that may be evaluating at once: a check calls one,
/// which calls another, and so on. Evaluation recurses once per call, and
/// this bounds how deep (the parser bounds each body's own depth).
pub const MAX_PREDICATE_DEPTH: usize = 32;

/// A caller whose calls to `callees` make the chain of predicate calls from
/// `start` one longer than [`MAX_PREDICATE_DEPTH`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeepCalls {
    pub start: String,
    /// Each callee, with the longest chain through the call to it.
    pub callees: BTreeMap<String, usize>,
}

/// The parameter count of each predicate's first definition. Read from the
/// files' parses alone, so that checks can be type-checked as they are
/// compiled, before every file's item tree exists.
#[salsa::tracked(returns(ref))]
pub fn pack_predicates(db: &dyn Db, pack: Pack) -> BTreeMap<String, usize> {
    let mut arities = BTreeMap::new();
    for &file in pack.files(db) {
        for item in &parse_file(db, file).file.items {
            if let Item::Predicate(Predicate { name: Some(name), params, .. }) = item {
                arities.entry(name.text.clone()).or_insert(params.len());
            }
        }
    }
    arities
}

#[salsa::tracked(returns(ref))]
pub fn pack_index(db: &dyn Db, pack: Pack) -> PackIndex {
    let mut index = PackIndex::default();
    let mut predicate_calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Predicates in order of first definition, for naming a cycle's first.
    let mut predicate_order: Vec<&String> = Vec::new();
    let mut check_calls = BTreeSet::new();
    for &file in pack.files(db) {
        let tree = item_tree(db, file);
        index.lens_files.extend(std::iter::repeat_n(file, tree.lenses));
        for pillar in &tree.pillars {
            let defs = index.pillars.entry(pillar.id.clone()).or_default();
            if defs.is_empty() {
                index.pillar_order.push(pillar.id.clone());
            }
            defs.push(file);
            for question in &pillar.questions {
                let defs = index.questions.entry(question.id.clone()).or_default();
                if defs.is_empty() {
                    index.question_choices.insert(question.id.clone(), question.choices.clone());
                }
                defs.push(file);
            }
        }
        for predicate in &tree.predicates {
            let defs = index.predicates.entry(predicate.name.clone()).or_default();
            if defs.is_empty() {
                predicate_order.push(&predicate.name);
            }
            defs.push(file);
            predicate_calls.entry(predicate.name.clone()).or_default().extend(predicate.calls.iter().cloned());
        }
        for test in &tree.tests {
            index.tests.entry(test.clone()).or_default().push(file);
        }
        check_calls.extend(tree.check_calls.iter().cloned());
    }
    index.used_predicates = reachable(&predicate_calls, check_calls.iter());
    let graph = CallGraph::new(&predicate_calls, &predicate_order);
    let components = graph.components();
    graph.cycles(&components, &mut index);
    graph.deep_calls(&components, &mut index);
    index
}

/// The predicates reachable from `roots` through `calls`.
fn reachable<'a>(
    calls: &BTreeMap<String, BTreeSet<String>>,
    roots: impl Iterator<Item = &'a String>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&String> = roots.filter(|name| calls.contains_key(*name)).collect();
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone()) {
            stack.extend(calls[name].iter().filter(|callee| calls.contains_key(*callee)));
        }
    }
    seen
}

/// The calls between predicates, numbered in pack order. Every pass over it
/// is linear in its calls: a pack of thousands of predicates in one chain or
/// one cycle checks as fast as thousands of unrelated ones.
struct CallGraph<'a> {
    names: &'a [&'a String],
    callees: Vec<Vec<usize>>,
}

impl<'a> CallGraph<'a> {
    fn new(calls: &BTreeMap<String, BTreeSet<String>>, names: &'a [&'a String]) -> CallGraph<'a> {
        let numbers: BTreeMap<&String, usize> = names.iter().enumerate().map(|(n, &name)| (name, n)).collect();
        let callees =
            names.iter().map(|&name| calls[name].iter().filter_map(|callee| numbers.get(callee).copied()).collect());
        CallGraph { names, callees: callees.collect() }
    }

    /// The strongly connected components (Tarjan's, without recursion),
    /// each component listed after every component it calls into.
    fn components(&self) -> Vec<Vec<usize>> {
        const UNSEEN: usize = usize::MAX;
        let count = self.callees.len();
        let (mut order, mut low, mut on_stack) = (vec![UNSEEN; count], vec![0; count], vec![false; count]);
        let (mut stack, mut components, mut next) = (Vec::new(), Vec::new(), 0);
        for root in 0..count {
            if order[root] != UNSEEN {
                continue;
            }
            // Each entry is a node and how many of its callees were visited.
            let mut path = vec![(root, 0)];
            order[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&(node, visited)) = path.last() {
                if let Some(&callee) = self.callees[node].get(visited) {
                    if let Some(top) = path.last_mut() {
                        top.1 += 1;
                    }
                    if order[callee] == UNSEEN {
                        order[callee] = next;
                        low[callee] = next;
                        next += 1;
                        stack.push(callee);
                        on_stack[callee] = true;
                        path.push((callee, 0));
                    } else if on_stack[callee] {
                        low[node] = low[node].min(order[callee]);
                    }
                    continue;
                }
                path.pop();
                if let Some(&(caller, _)) = path.last() {
                    low[caller] = low[caller].min(low[node]);
                }
                if low[node] == order[node] {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(member);
                        if member == node {
                            break;
                        }
                    }
                    components.push(component);
                }
            }
        }
        components
    }

    /// Marks the predicates on cycles, and names one cycle per component
    /// through its first predicate in pack order.
    fn cycles(&self, components: &[Vec<usize>], index: &mut PackIndex) {
        let mut component_of = vec![0; self.callees.len()];
        for (n, component) in components.iter().enumerate() {
            for &member in component {
                component_of[member] = n;
            }
        }
        for (n, component) in components.iter().enumerate() {
            let Some(&first) = component.iter().min() else { continue };
            if component.len() == 1 && !self.callees[first].contains(&first) {
                continue;
            }
            index.recursive_predicates.extend(component.iter().map(|&member| self.names[member].clone()));
            // A shortest way back to `first`, searched within its component.
            let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([first]);
            let mut last = first;
            'search: while let Some(node) = queue.pop_front() {
                for &callee in &self.callees[node] {
                    if callee == first {
                        last = node;
                        break 'search;
                    }
                    if component_of[callee] == n && !came_from.contains_key(&callee) {
                        came_from.insert(callee, node);
                        queue.push_back(callee);
                    }
                }
            }
            let mut path = vec![last];
            while let Some(&before) = came_from.get(path.last().unwrap_or(&first)) {
                path.push(before);
            }
            let cycle = path.into_iter().rev().chain([first]).map(|node| self.names[node].clone());
            index.predicate_cycles.insert(self.names[first].clone(), cycle.collect());
        }
    }

    /// Finds the calls that make a chain of predicate calls longer than
    /// [`MAX_PREDICATE_DEPTH`], from the longest chain ending at each
    /// predicate and the longest starting at it, over the calls outside cycles.
    fn deep_calls(&self, components: &[Vec<usize>], index: &mut PackIndex) {
        let count = self.callees.len();
        let acyclic = |node: usize| !index.recursive_predicates.contains(self.names[node]);
        // Callees come before their callers in `components`.
        let order: Vec<usize> = components.iter().flatten().copied().filter(|&node| acyclic(node)).collect();
        let mut longest_from = vec![1; count];
        for &node in &order {
            let below =
                self.callees[node].iter().filter(|&&callee| acyclic(callee)).map(|&callee| longest_from[callee]);
            longest_from[node] = 1 + below.max().unwrap_or(0);
        }
        // The longest chain ending at each predicate, and where it starts.
        let mut longest_to = vec![1; count];
        let mut start: Vec<usize> = (0..count).collect();
        for &node in order.iter().rev() {
            for &callee in self.callees[node].iter().filter(|&&callee| acyclic(callee)) {
                if longest_to[node] + 1 > longest_to[callee] {
                    longest_to[callee] = longest_to[node] + 1;
                    start[callee] = start[node];
                }
            }
        }
        for &node in order.iter().filter(|&&node| longest_to[node] == MAX_PREDICATE_DEPTH) {
            let callees: BTreeMap<String, usize> = self.callees[node]
                .iter()
                .filter(|&&callee| acyclic(callee))
                .map(|&callee| (self.names[callee].clone(), MAX_PREDICATE_DEPTH + longest_from[callee]))
                .collect();
            if !callees.is_empty() {
                let start = self.names[start[node]].clone();
                index.deep_calls.insert(self.names[node].clone(), DeepCalls { start, callees });
            }
        }
    }
}

/// The functions a body calls. A body with syntax errors may have lost some
/// of its calls to the error: every `name(` in its text counts as a call, so
/// that no predicate is called unused because of a syntax error.
fn collect_body_calls(db: &dyn Db, text: BlockText<'_>, calls: &mut BTreeSet<String>) {
    let compiled = compiled_block(db, text);
    collect_block_calls(&compiled.block, calls);
    if !compiled.errors.is_empty() {
        calls.extend(words_before_parenthesis(text.text(db)).map(str::to_string));
    }
}

/// Each identifier in `text` that an opening parenthesis follows.
fn words_before_parenthesis(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('(').filter_map(|(at, _)| {
        let word = loupe_syntax::word_before(text[..at].trim_end());
        word.starts_with(|c: char| c.is_alphabetic() || c == '_').then_some(word)
    })
}

fn collect_block_calls(block: &Block, calls: &mut BTreeSet<String>) {
    block.for_each_expression(|expr| collect_calls(expr, calls));
}

fn collect_calls(expr: &Expr, calls: &mut BTreeSet<String>) {
    if let ExprKind::Call { function, .. } = &expr.kind
        && !calls.contains(&function.text)
    {
        calls.insert(function.text.clone());
    }
    expr.kind.for_each_child(|child| collect_calls(child, calls));
}
