//! The normalized resource view: type, name, properties and location of every resource, indexed
//! by type.

use std::collections::{BTreeMap, HashSet};

use loupe_diagnostics::Span;

use crate::Document;
use crate::detect::Format;
use crate::error::Warning;
use crate::value::{Node, Str, to_u32};

/// A resource's position among the resources of its file (document order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId(pub u32);

/// One resource, borrowed from its [`Evidence`](crate::Evidence).
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    /// Its id in the file, for [`Evidence::resource`](crate::Evidence::resource).
    pub id: ResourceId,
    /// The resource type: `AWS::IAM::Role`, `aws_iam_role` (`data.aws_iam_policy_document` for a
    /// Terraform data source), `Deployment`.
    pub kind: &'a str,
    /// The logical id (CloudFormation), address (Terraform), or `namespace/name` / `name` (Kubernetes).
    pub name: &'a str,
    /// The format of the document it comes from.
    pub format: Format,
    /// The index of its document in the file.
    pub document: usize,
    /// The whole definition: the CloudFormation resource (`Type`, `Properties`, `Metadata`, …), the
    /// Terraform resource object or resource change, the Kubernetes object.
    pub node: &'a Node,
    /// The properties: CloudFormation `Properties`, Terraform `values` (or `change.after`), the whole
    /// Kubernetes object. `None` when the definition has none.
    pub properties: Option<&'a Node>,
    /// Where the resource is defined (for CloudFormation, from its logical id to the end of its body).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    kind: Str,
    name: Str,
    format: Format,
    document: u32,
    span: Span,
    /// Steps from the document root to the definition, as a range of `ResourceIndex::paths`.
    node: (u32, u32),
    /// The same for the properties, if any.
    properties: Option<(u32, u32)>,
}

/// Every resource of one file with indexes by type and by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceIndex {
    records: Vec<Record>,
    /// Child positions (entry index in an object, item index in a list), concatenated.
    paths: Vec<u32>,
    by_kind: BTreeMap<Str, Vec<u32>>,
    /// Record positions ordered by name (stable: document order among equal names).
    by_name: Vec<u32>,
}

/// Reads resources from documents into an index, with warnings for definitions it skips.
pub(crate) struct Extractor<'w> {
    index: ResourceIndex,
    warnings: &'w mut Vec<Warning>,
}

impl<'w> Extractor<'w> {
    pub(crate) fn new(warnings: &'w mut Vec<Warning>) -> Extractor<'w> {
        Extractor { index: ResourceIndex::default(), warnings }
    }

    /// Adds the resources of document number `document`, read as `format`.
    pub(crate) fn document(&mut self, document: usize, format: Format, root: &Node) {
        match format {
            Format::CloudFormation => self.cloudformation(document, root),
            Format::TerraformPlan => self.terraform(document, root, &["planned_values", "root_module"], true),
            Format::TerraformState => self.terraform(document, root, &["values", "root_module"], false),
            Format::Kubernetes => self.kubernetes(document, root),
            Format::Generic => {}
        }
    }

    pub(crate) fn finish(mut self) -> ResourceIndex {
        let index = &mut self.index;
        for (position, record) in index.records.iter().enumerate() {
            index.by_kind.entry(record.kind.clone()).or_default().push(to_u32(position));
        }
        let mut by_name: Vec<u32> = (0..index.records.len()).map(to_u32).collect();
        by_name.sort_by(|&a, &b| index.records[a as usize].name.cmp(&index.records[b as usize].name));
        index.by_name = by_name;
        self.index
    }

    fn push(&mut self, record: Record, node: &[u32], properties: Option<&[u32]>) {
        let mut range = |steps: &[u32]| {
            let start = to_u32(self.index.paths.len());
            self.index.paths.extend_from_slice(steps);
            (start, to_u32(steps.len()))
        };
        let node = range(node);
        let properties = properties.map(range);
        self.index.records.push(Record { node, properties, ..record });
    }

    fn cloudformation(&mut self, document: usize, root: &Node) {
        let Some(object) = root.as_object() else { return };
        let Some(at) = object.position("Resources") else { return };
        let Some(resources) = object.entries()[at].value.as_object() else { return };
        for (i, entry) in resources.iter().enumerate() {
            let definition = &entry.value;
            let Some(kind) = definition.get("Type").and_then(Node::as_str) else {
                self.warnings.push(Warning {
                    message: format!("resource `{}` has no `Type`; it is not read as a resource", entry.key.name),
                    span: entry.key.span,
                });
                continue;
            };
            let path = [to_u32(at), to_u32(i)];
            let properties = definition.as_object().and_then(|object| object.position("Properties"));
            let properties_path = properties.map(|p| [path[0], path[1], to_u32(p)]);
            let record = Record {
                kind: Str::new(kind),
                name: entry.key.name.clone(),
                format: Format::CloudFormation,
                document: to_u32(document),
                span: entry.key.span.cover(definition.span),
                node: (0, 0),
                properties: None,
            };
            self.push(record, &path, properties_path.as_ref().map(|p| &p[..]));
        }
    }

    fn terraform(&mut self, document: usize, root: &Node, module_path: &[&str], with_changes: bool) {
        let mut seen: HashSet<Str> = HashSet::new();
        let format = if with_changes { Format::TerraformPlan } else { Format::TerraformState };
        // Modules to visit, with their paths; children are pushed in reverse to keep document order.
        let mut modules: Vec<(&Node, Vec<u32>)> = Vec::new();
        if let Some((module, path)) = follow(root, module_path) {
            modules.push((module, path));
        }
        while let Some((module, path)) = modules.pop() {
            let Some(object) = module.as_object() else { continue };
            if let Some(at) = object.position("resources")
                && let Some(resources) = object.entries()[at].value.as_list()
            {
                for (i, resource) in resources.iter().enumerate() {
                    let mut steps = path.clone();
                    steps.extend([to_u32(at), to_u32(i)]);
                    let values = resource.as_object().and_then(|object| object.position("values"));
                    let properties = values.map(|v| {
                        let mut steps = steps.clone();
                        steps.push(to_u32(v));
                        steps
                    });
                    if let Some(record) = self.terraform_record(document, format, resource) {
                        seen.insert(record.name.clone());
                        self.push(record, &steps, properties.as_deref());
                    }
                }
            }
            if let Some(at) = object.position("child_modules")
                && let Some(children) = object.entries()[at].value.as_list()
            {
                for (i, child) in children.iter().enumerate().rev() {
                    let mut steps = path.clone();
                    steps.extend([to_u32(at), to_u32(i)]);
                    modules.push((child, steps));
                }
            }
        }
        if !with_changes {
            return;
        }
        let Some(object) = root.as_object() else { return };
        let Some(at) = object.position("resource_changes") else { return };
        let Some(changes) = object.entries()[at].value.as_list() else { return };
        for (i, change) in changes.iter().enumerate() {
            let Some(record) = self.terraform_record(document, format, change) else { continue };
            if seen.contains(&record.name) {
                continue;
            }
            // A resource being deleted has no `after`: it is not part of the planned infrastructure.
            let Some((after, after_path)) = follow(change, &["change", "after"]) else { continue };
            if after.as_object().is_none() {
                continue;
            }
            let steps = [to_u32(at), to_u32(i)];
            let properties: Vec<u32> = steps.iter().copied().chain(after_path).collect();
            seen.insert(record.name.clone());
            self.push(record, &steps, Some(&properties));
        }
    }

    fn terraform_record(&mut self, document: usize, format: Format, resource: &Node) -> Option<Record> {
        let Some(kind) = resource.get("type").and_then(Node::as_str) else {
            self.warnings.push(Warning {
                message: "Terraform resource without a `type`; it is not read as a resource".to_owned(),
                span: resource.span,
            });
            return None;
        };
        let kind = match resource.get("mode").and_then(Node::as_str) {
            Some("data") => Str::from(format!("data.{kind}")),
            _ => Str::new(kind),
        };
        let name = match resource.get("address").and_then(Node::as_str) {
            Some(address) => Str::new(address),
            None => {
                let local = resource.get("name").and_then(Node::as_str).unwrap_or("?");
                Str::from(format!("{kind}.{local}"))
            }
        };
        Some(Record {
            kind,
            name,
            format,
            document: to_u32(document),
            span: resource.span,
            node: (0, 0),
            properties: None,
        })
    }

    fn kubernetes(&mut self, document: usize, root: &Node) {
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or_default();
        // `kubectl get -o yaml` wraps objects in a `List` (or `DeploymentList`, …).
        if kind.ends_with("List")
            && let Some(object) = root.as_object()
            && let Some(at) = object.position("items")
            && let Some(items) = object.entries()[at].value.as_list()
        {
            for (i, item) in items.iter().enumerate() {
                let steps = [to_u32(at), to_u32(i)];
                self.kubernetes_object(document, item, &steps);
            }
            return;
        }
        self.kubernetes_object(document, root, &[]);
    }

    fn kubernetes_object(&mut self, document: usize, object: &Node, steps: &[u32]) {
        let Some(kind) = object.get("kind").and_then(Node::as_str) else {
            self.warnings.push(Warning {
                message: "Kubernetes object without a `kind`; it is not read as a resource".to_owned(),
                span: object.span,
            });
            return;
        };
        let metadata = object.get("metadata");
        let field = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Node::as_str);
        let name = field("name").or_else(|| field("generateName")).unwrap_or_default();
        let name = match field("namespace") {
            Some(namespace) => Str::from(format!("{namespace}/{name}")),
            None => Str::new(name),
        };
        let record = Record {
            kind: Str::new(kind),
            name,
            format: Format::Kubernetes,
            document: to_u32(document),
            span: object.span,
            node: (0, 0),
            properties: None,
        };
        self.push(record, steps, Some(steps));
    }
}

/// The node at `keys` below `node`, with the entry positions leading to it.
fn follow<'n>(node: &'n Node, keys: &[&str]) -> Option<(&'n Node, Vec<u32>)> {
    let mut path = Vec::with_capacity(keys.len());
    let mut current = node;
    for key in keys {
        let object = current.as_object()?;
        let at = object.position(key)?;
        path.push(to_u32(at));
        current = &object.entries()[at].value;
    }
    Some((current, path))
}

/// The node reached from `root` by child positions.
fn walk<'n>(root: &'n Node, steps: &[u32]) -> Option<&'n Node> {
    steps.iter().try_fold(root, |node, &step| match &node.value {
        crate::Value::Object(object) => object.entries().get(step as usize).map(|entry| &entry.value),
        crate::Value::List(items) => items.get(step as usize),
        _ => None,
    })
}

impl ResourceIndex {
    /// The number of resources.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no resources.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The resource types present, sorted, each with its number of resources.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_kind.iter().map(|(kind, ids)| (kind.as_str(), ids.len()))
    }

    /// The ids of the resources of any of `kinds`, in document order. A kind ending in `*` matches
    /// every type it prefixes (`AWS::Bedrock::*`).
    pub fn ids_of(&self, kinds: &[&str]) -> Vec<ResourceId> {
        let mut ids: Vec<u32> = Vec::new();
        let mut lists = 0;
        for &pattern in kinds {
            if let Some(prefix) = pattern.strip_suffix('*') {
                for (kind, list) in
                    self.by_kind.range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
                {
                    if !kind.starts_with(prefix) {
                        break;
                    }
                    ids.extend_from_slice(list);
                    lists += 1;
                }
            } else if let Some(list) = self.by_kind.get(pattern) {
                ids.extend_from_slice(list);
                lists += 1;
            }
        }
        if lists > 1 {
            // A merge of the sorted lists: the stable sort finds them as runs.
            ids.sort();
            ids.dedup();
        }
        ids.into_iter().map(ResourceId).collect()
    }

    /// The ids of the resources named `name`, in document order.
    pub fn ids_named(&self, name: &str) -> Vec<ResourceId> {
        let first = self.by_name.partition_point(|&i| self.records[i as usize].name.as_str() < name);
        self.by_name[first..]
            .iter()
            .take_while(|&&i| self.records[i as usize].name.as_str() == name)
            .map(|&i| ResourceId(i))
            .collect()
    }

    /// The type of resource `id`, without resolving it.
    pub(crate) fn kind(&self, id: ResourceId) -> &str {
        self.records.get(id.0 as usize).map_or("", |record| &record.kind)
    }

    /// The name of resource `id`, without resolving it.
    pub(crate) fn name(&self, id: ResourceId) -> &str {
        self.records.get(id.0 as usize).map_or("", |record| &record.name)
    }

    /// Where resource `id` is defined, without resolving it.
    pub(crate) fn span(&self, id: ResourceId) -> Span {
        self.records.get(id.0 as usize).map_or(Span::empty(0), |record| record.span)
    }

    /// The properties of resource `id`, resolved against the documents it was read from.
    pub(crate) fn properties<'a>(&'a self, id: ResourceId, documents: &'a [Document]) -> Option<&'a Node> {
        let record = self.records.get(id.0 as usize)?;
        let (start, len) = record.properties?;
        let root = &documents.get(record.document as usize)?.root;
        walk(root, self.paths.get(start as usize..(start + len) as usize)?)
    }

    /// The resource `id`, resolved against the documents it was read from.
    pub(crate) fn get<'a>(&'a self, id: ResourceId, documents: &'a [Document]) -> Option<Resource<'a>> {
        let record = self.records.get(id.0 as usize)?;
        let root = &documents.get(record.document as usize)?.root;
        let steps = |(start, len): (u32, u32)| self.paths.get(start as usize..(start + len) as usize);
        let node = walk(root, steps(record.node)?)?;
        let properties = record.properties.and_then(|range| walk(root, steps(range)?));
        Some(Resource {
            id,
            kind: &record.kind,
            name: &record.name,
            format: record.format,
            document: record.document as usize,
            node,
            properties,
            span: record.span,
        })
    }
}
