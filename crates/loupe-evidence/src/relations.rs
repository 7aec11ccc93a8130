//! Relations between the resources of one file: which resource refers to which, how, and at
//! which property path.
//!
//! - **CloudFormation**: `Ref`, `Fn::GetAtt` (list or `A.B` form), `Fn::Sub` (`${Id}` and
//!   `${Id.Attr}` in its string; `${!Literal}` and the names its variable map defines are no
//!   references) anywhere in a resource's definition, and `DependsOn` (a string or a list).
//!   Only logical ids of the same template's resources count: parameters, pseudo parameters
//!   (`AWS::Region`) and unknown ids are not resources.
//! - **Terraform plans**: the `references` of every expression of every resource in the plan's
//!   `configuration` (the root module and its `module_calls`, recursively), nested blocks
//!   included, and its `depends_on`. A reference holds whether or not its value is known before
//!   apply (the plan has the expression even when `after_unknown` hides the value). Addresses in
//!   the configuration are relative to their module, and name a resource, not its `count` or
//!   `for_each` instances: each instance of the referring resource refers to the named instance
//!   (`aws_subnet.a[0]`) when the plan has it, else to every instance. A module's variable
//!   (`var.x`) refers to what its call's expression for `x` refers to in the calling module, and
//!   a called module's output (`module.m.x`) to what the output's expression refers to in that
//!   module, through any depth of modules. `local.`, `path.` and the like are not resources
//!   (the plan does not hold locals' expressions); a `data.` source is one when the plan lists
//!   it (as the resource view does).
//!
//! Computing them costs one walk of each definition (or of the configuration) and a lookup per
//! reference in an index by name.

use std::fmt::Write;

use loupe_diagnostics::Span;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::detect::Format;
use crate::value::{Node, Str, Value, to_u32};
use crate::{Evidence, ResourceId};

/// How a resource refers to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    /// CloudFormation `Ref`.
    Ref,
    /// CloudFormation `Fn::GetAtt`.
    GetAtt,
    /// CloudFormation `Fn::Sub`.
    Sub,
    /// CloudFormation `DependsOn`, Terraform `depends_on`.
    DependsOn,
    /// A Terraform expression's `references`.
    Expression,
}

impl Via {
    /// `Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`, `expression`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Ref => "Ref",
            Via::GetAtt => "Fn::GetAtt",
            Via::Sub => "Fn::Sub",
            Via::DependsOn => "DependsOn",
            Via::Expression => "expression",
        }
    }
}

/// One reference from a resource to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// The resource that refers.
    pub from: ResourceId,
    /// The resource referred to.
    pub to: ResourceId,
    /// How.
    pub via: Via,
    /// Where in the referring resource, as dotted steps from its definition
    /// (`Properties.Roles.0`, `DependsOn`) or its configuration's expressions (`role`,
    /// `inline_policy.0.policy`, `depends_on`).
    pub path: Str,
    /// Where the reference is written (for Terraform, in the plan's `configuration`).
    pub span: Span,
}

impl Relation {
    /// Whether the reference is written under the property path `property` of the referring
    /// resource (`Roles`, `action_group_executor.lambda`): the path's steps begin the reference's,
    /// list positions aside. CloudFormation paths start below `Properties`; `DependsOn` and
    /// `depends_on` are no property.
    pub fn is_under(&self, property: &str) -> bool {
        let mut steps = self.path.split('.').filter(|step| step.parse::<usize>().is_err());
        let in_properties = match self.via {
            Via::Expression => true,
            Via::DependsOn => false,
            Via::Ref | Via::GetAtt | Via::Sub => steps.next() == Some("Properties"),
        };
        in_properties
            && property.split('.').filter(|step| step.parse::<usize>().is_err()).all(|step| steps.next() == Some(step))
    }
}

/// Every relation of a file, indexed both ways.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relations {
    /// Ordered by referring resource, then target, then position.
    relations: Vec<Relation>,
    /// Positions in `relations`, ordered by target, then referring resource.
    incoming: Vec<u32>,
}

impl Relations {
    /// The relations of `evidence`'s resources.
    pub fn of(evidence: &Evidence) -> Relations {
        let mut relations = Vec::new();
        let names: Names<'_> =
            evidence.resources().map(|resource| ((resource.document, resource.name), resource.id)).collect();
        for document in &evidence.documents {
            match document.format {
                Format::CloudFormation => cloudformation(&names, document.index, &document.root, &mut relations),
                Format::TerraformPlan => terraform(evidence, &names, document.index, &document.root, &mut relations),
                Format::TerraformState | Format::Kubernetes | Format::Generic => {}
            }
        }
        relations.sort_by_key(|relation| (relation.from, relation.to, relation.span.start));
        relations.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.path == b.path && a.via == b.via);
        let mut incoming: Vec<u32> = (0..relations.len()).map(to_u32).collect();
        incoming.sort_by_key(|&i| (relations[i as usize].to, relations[i as usize].from));
        Relations { relations, incoming }
    }

    /// Every relation, by referring resource.
    pub fn all(&self) -> &[Relation] {
        &self.relations
    }

    /// The number of relations.
    pub fn len(&self) -> usize {
        self.relations.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
    }

    /// The references `from` makes, ordered by target.
    pub fn from(&self, from: ResourceId) -> &[Relation] {
        let start = self.relations.partition_point(|relation| relation.from < from);
        let end = start + self.relations[start..].partition_point(|relation| relation.from == from);
        &self.relations[start..end]
    }

    /// The references made to `to`, ordered by referring resource.
    pub fn to(&self, to: ResourceId) -> impl Iterator<Item = &Relation> {
        let start = self.incoming.partition_point(|&i| self.relations[i as usize].to < to);
        self.incoming[start..]
            .iter()
            .map(|&i| &self.relations[i as usize])
            .take_while(move |relation| relation.to == to)
    }
}

/// The resources of a file by document and name: the names references resolve to.
type Names<'e> = FxHashMap<(usize, &'e str), ResourceId>;

/// One step of a property path: an object key or a list position.
#[derive(Clone, Copy)]
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

fn dotted(path: &[Step<'_>]) -> Str {
    let mut text = String::new();
    for (i, step) in path.iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        match step {
            Step::Key(key) => text.push_str(key),
            Step::Index(index) => {
                let _ = write!(text, "{index}");
            }
        }
    }
    Str::from(text)
}

/// Calls `visit` on every object below `node` (itself included) with its path (after `path`),
/// depth first with an explicit stack, as evidence may nest thousands deep; one path is kept
/// and cut back to each node's depth, so a node costs no allocation of its own. References
/// are objects, so scalars are never visited, nor stacked.
fn walk<'n>(node: &'n Node, mut path: Vec<Step<'n>>, mut visit: impl FnMut(&'n Node, &[Step<'n>])) {
    let is_collection = |node: &Node| matches!(node.value, Value::Object(_) | Value::List(_));
    // Each node with the length of its parent's path and its own step.
    let mut stack: Vec<(&Node, usize, Option<Step<'n>>)> = vec![(node, path.len(), None)];
    while let Some((node, depth, step)) = stack.pop() {
        path.truncate(depth);
        path.extend(step);
        let depth = path.len();
        match &node.value {
            Value::Object(object) => {
                visit(node, &path);
                let children = object.iter().rev().filter(|entry| is_collection(&entry.value));
                stack.extend(children.map(|entry| (&entry.value, depth, Some(Step::Key(&entry.key.name)))));
            }
            Value::List(items) => {
                let children = items.iter().enumerate().rev().filter(|(_, item)| is_collection(item));
                stack.extend(children.map(|(i, item)| (item, depth, Some(Step::Index(i)))));
            }
            _ => {}
        }
    }
}

fn cloudformation(names: &Names<'_>, document: usize, root: &Node, out: &mut Vec<Relation>) {
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else { return };
    for entry in resources.iter() {
        let Some(&from) = names.get(&(document, entry.key.name.as_str())) else { continue };
        let Some(definition) = entry.value.as_object() else { continue };
        let mut relate = |name: &str, via: Via, path: &[Step<'_>], span: Span| {
            if let Some(&to) = names.get(&(document, name)) {
                out.push(Relation { from, to, via, path: dotted(path), span });
            }
        };
        for member in definition.iter() {
            let key = member.key.name.as_str();
            if key == "DependsOn" {
                let depends = &member.value;
                for item in std::iter::once(depends).chain(depends.as_list().unwrap_or_default()) {
                    if let Some(name) = item.as_str() {
                        relate(name, Via::DependsOn, &[Step::Key(key)], item.span);
                    }
                }
                continue;
            }
            walk(&member.value, vec![Step::Key(key)], |node, path| {
                if let Some(object) = node.as_object()
                    && let [only] = object.entries()
                {
                    intrinsic(&only.key.name, &only.value, node.span, path, &mut relate);
                }
            });
        }
    }
}

/// The logical ids an intrinsic function `{name: argument}` refers to.
fn intrinsic(
    name: &str,
    argument: &Node,
    span: Span,
    path: &[Step<'_>],
    relate: &mut impl FnMut(&str, Via, &[Step<'_>], Span),
) {
    match name {
        "Ref" => {
            if let Some(id) = argument.as_str() {
                relate(id, Via::Ref, path, span);
            }
        }
        "Fn::GetAtt" => {
            let id = match &argument.value {
                Value::List(items) => items.first().and_then(Node::as_str),
                Value::String(text) => Some(text.split_once('.').map_or(text.as_str(), |(id, _)| id)),
                _ => None,
            };
            if let Some(id) = id {
                relate(id, Via::GetAtt, path, span);
            }
        }
        "Fn::Sub" => {
            let (text, variables) = match &argument.value {
                Value::String(text) => (Some(text.as_str()), None),
                Value::List(items) => (items.first().and_then(Node::as_str), items.get(1).and_then(Node::as_object)),
                _ => (None, None),
            };
            for id in text.into_iter().flat_map(sub_names) {
                if variables.is_none_or(|variables| !variables.contains_key(id)) {
                    relate(id, Via::Sub, path, span);
                }
            }
        }
        _ => {}
    }
}

/// The names `${Name}` and `${Name.Attr}` of an `Fn::Sub` string stand for (`Name`), leaving
/// out `${!Literal}`, which is written as `${Literal}`.
fn sub_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| {
        let (inside, _) = rest.split_once('}')?;
        if inside.starts_with('!') {
            return None;
        }
        let name = inside.split_once('.').map_or(inside, |(name, _)| name).trim();
        (!name.is_empty()).then_some(name)
    })
}

fn terraform(evidence: &Evidence, names: &Names<'_>, document: usize, root: &Node, out: &mut Vec<Relation>) {
    let Some(configuration) = root.get_path(&["configuration", "root_module"]) else { return };
    // Every instance of a resource, by its address without instance keys.
    let mut instances: FxHashMap<String, Vec<ResourceId>> = FxHashMap::default();
    for resource in evidence.resources().filter(|resource| resource.document == document) {
        instances.entry(without_keys(resource.name)).or_default().push(resource.id);
    }
    let modules = modules(configuration);
    let by_prefix = modules.iter().enumerate().map(|(index, module)| (module.prefix.clone(), index)).collect();
    let plan = Plan { modules, by_prefix, names, document, instances };
    for (index, module) in plan.modules.iter().enumerate() {
        for resource in module.node.get("resources").and_then(Node::as_list).unwrap_or_default() {
            let Some(address) = resource.get("address").and_then(Node::as_str) else { continue };
            let Some(froms) = plan.instances.get(&format!("{}{address}", module.prefix)) else { continue };
            let mut relate = |references: &[Node], via: Via, path: &[Step<'_>]| {
                let mut named: Vec<(&Node, Target)> = Vec::new();
                for reference in references {
                    let Some(text) = reference.as_str() else { continue };
                    named.extend(plan.targets(text, index).into_iter().map(|target| (reference, target)));
                }
                for (reference, target) in &named {
                    // Terraform lists `aws_x.y[0].id` with `aws_x.y`: the instance named is meant.
                    let instance_named = |resource: &str| {
                        named.iter().any(|(_, other)| other.resource == resource && other.instance.is_some())
                    };
                    let tos: &[ResourceId] = match &target.instance {
                        Some(id) => std::slice::from_ref(id),
                        None if instance_named(&target.resource) => &[],
                        None => plan.instances.get(&target.resource).map_or(&[], Vec::as_slice),
                    };
                    for &to in tos {
                        for &from in froms.iter().filter(|&&from| from != to) {
                            out.push(Relation { from, to, via, path: dotted(path), span: reference.span });
                        }
                    }
                }
            };
            if let Some(expressions) = resource.get("expressions") {
                walk(expressions, Vec::new(), |node, path| {
                    if let Some(references) = node.get("references").and_then(Node::as_list) {
                        relate(references, Via::Expression, path);
                    }
                });
            }
            if let Some(dependencies) = resource.get("depends_on").and_then(Node::as_list) {
                relate(dependencies, Via::DependsOn, &[Step::Key("depends_on")]);
            }
        }
    }
}

/// A module of a plan's configuration: the root or one called by another.
struct Module<'n> {
    node: &'n Node,
    /// The address prefix of its resources: `` for the root, `module.a.module.b.` below.
    prefix: String,
    /// The module that calls it and the call (whose `expressions` set its variables).
    caller: Option<(usize, &'n Node)>,
}

/// Every module of the configuration, the root first.
fn modules(root: &Node) -> Vec<Module<'_>> {
    let mut modules = vec![Module { node: root, prefix: String::new(), caller: None }];
    let mut next = 0;
    while let Some(module) = modules.get(next) {
        let (node, prefix) = (module.node, module.prefix.clone());
        for call in node.get("module_calls").and_then(Node::as_object).into_iter().flat_map(|calls| calls.iter()) {
            if let Some(child) = call.value.get("module") {
                let prefix = format!("{prefix}module.{}.", call.key.name);
                modules.push(Module { node: child, prefix, caller: Some((next, &call.value)) });
            }
        }
        next += 1;
    }
    modules
}

/// What the references of one plan's configuration resolve to.
struct Plan<'n, 'e> {
    modules: Vec<Module<'n>>,
    /// Each module's position in `modules`, by its prefix.
    by_prefix: FxHashMap<String, usize>,
    names: &'e Names<'e>,
    document: usize,
    instances: FxHashMap<String, Vec<ResourceId>>,
}

impl<'n> Plan<'n, '_> {
    /// The resources a reference made in module `module` names: one it names
    /// itself, or those the value of a variable (`var.x`, set by the module's
    /// call) or of an output of a called module (`module.m.x`) refers to,
    /// followed as far as they go. Each reference is followed once per module,
    /// without recursion: a plan's values may refer to each other in a cycle,
    /// or in a chain as long as the file.
    fn targets(&self, reference: &'n str, module: usize) -> Vec<Target> {
        let name_of = |rest: &str| rest[..rest.find(['.', '[']).unwrap_or(rest.len())].to_owned();
        let mut found = Vec::new();
        let mut seen: FxHashSet<(&str, usize)> = FxHashSet::default();
        let mut pending = vec![(reference, module)];
        while let Some((reference, module)) = pending.pop() {
            let Some(at) = self.modules.get(module) else { continue };
            if !seen.insert((reference, module)) {
                continue;
            }
            if let Some(rest) = reference.strip_prefix("var.") {
                let Some((caller, call)) = at.caller else { continue };
                if let Some(value) = call.get_path(&["expressions", &name_of(rest)]) {
                    pending.extend(references_in(value).into_iter().map(|reference| (reference, caller)));
                }
            } else if let Some(rest) = reference.strip_prefix("module.") {
                // `module.m.x`, `module.m[0].x`, `module.m["k"].x`: the call, its instance key, the output.
                let mut call_end = rest.find(['.', '[']).unwrap_or(rest.len());
                if rest[call_end..].starts_with('[') {
                    let Some(key_end) = instance_key_end(&rest[call_end..]) else { continue };
                    call_end += key_end;
                }
                let Some(output) = rest[call_end..].strip_prefix('.') else { continue };
                let prefix = format!("{}module.{}.", at.prefix, without_keys(&rest[..call_end]));
                let Some(&called) = self.by_prefix.get(&prefix) else { continue };
                let expression = self.modules[called].node.get_path(&["outputs", &name_of(output), "expression"]);
                let references = expression.map(references_in).unwrap_or_default();
                pending.extend(references.into_iter().map(|reference| (reference, called)));
            } else {
                found.extend(target(reference, &at.prefix, (self.names, self.document), &self.instances));
            }
        }
        found
    }
}

/// Every reference an expression of the configuration makes, nested blocks included.
fn references_in(expression: &Node) -> Vec<&str> {
    let mut found = Vec::new();
    walk(expression, Vec::new(), |node, _| {
        let references = node.get("references").and_then(Node::as_list).unwrap_or_default();
        found.extend(references.iter().filter_map(Node::as_str));
    });
    found
}

/// A resource a Terraform reference names: its address without instance keys, and the
/// instance when the reference names one the plan has.
struct Target {
    resource: String,
    instance: Option<ResourceId>,
}

/// What a reference made in the module at `prefix` names (`aws_x.y`, `aws_x.y.attr`,
/// `aws_x.y[0].attr`, `data.aws_x.y…`), or `None` for `var.`, `local.`, `module.`, ….
fn target(
    reference: &str,
    prefix: &str,
    (names, document): (&Names<'_>, usize),
    instances: &FxHashMap<String, Vec<ResourceId>>,
) -> Option<Target> {
    let (data, rest) = match reference.strip_prefix("data.") {
        Some(rest) => ("data.", rest),
        None => ("", reference),
    };
    let (kind, rest) = rest.split_once('.')?;
    if data.is_empty() && matches!(kind, "var" | "local" | "module" | "path" | "terraform" | "count" | "each" | "self")
    {
        return None;
    }
    let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
    let resource = format!("{prefix}{data}{kind}.{}", &rest[..name_end]);
    if !instances.contains_key(&resource) {
        return None;
    }
    let instance = rest[name_end..].starts_with('[').then(|| {
        let key_end = instance_key_end(&rest[name_end..]).map_or(rest.len(), |end| name_end + end);
        names.get(&(document, format!("{prefix}{data}{kind}.{}", &rest[..key_end]).as_str())).copied()
    });
    Some(Target { resource, instance: instance.flatten() })
}

/// The end of a leading `[...]` instance key (after its `]`), quotes respected.
fn instance_key_end(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// An address without its instance keys: `module.a[0].aws_x.y["k"]` → `module.a.aws_x.y`.
fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut rest = address;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        match instance_key_end(&rest[open..]) {
            Some(end) => rest = &rest[open + end..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}
