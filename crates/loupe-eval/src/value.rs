//! The values a check computes with: evidence nodes borrowed as they are,
//! and the few values a check makes itself.

use std::borrow::Cow;
use std::rc::Rc;

use loupe_evidence::{Evidence, Node, ResourceId, Span, Value};

use crate::inputs::EvidenceFile;

/// Where a value comes from in the evidence, for locating findings.
#[derive(Clone, Copy)]
pub(crate) struct Origin<'e> {
    pub evidence: &'e Evidence,
    pub span: Span,
}

/// Where a node's spans point.
#[derive(Clone, Copy)]
pub(crate) enum Place<'e> {
    /// In this evidence file: each node is located by its own span.
    File(&'e Evidence),
    /// Read from a string (`json`, `managed_policy`): every node is located
    /// where that string is, when it came from the evidence.
    From(Option<Origin<'e>>),
}

impl<'e> Place<'e> {
    fn origin(self, node: &Node) -> Option<Origin<'e>> {
        match self {
            Place::File(evidence) => Some(Origin { evidence, span: node.span }),
            Place::From(origin) => origin,
        }
    }
}

/// An evidence resource as checks see it: `.type`, `.name`, `.properties`.
/// Small, as values are copied often: its type and name are read from the
/// evidence by its id.
#[derive(Clone, Copy)]
pub(crate) struct ResourceVal<'e> {
    /// Its file and its id there, for following its relations.
    pub file: EvidenceFile,
    pub id: ResourceId,
    pub evidence: &'e Evidence,
}

impl<'e> ResourceVal<'e> {
    pub fn kind(&self) -> &'e str {
        self.evidence.resource_kind(self.id)
    }

    pub fn name(&self) -> &'e str {
        self.evidence.resource_name(self.id)
    }

    /// Read where they are when asked: most resources a check walks are
    /// only looked at by type.
    pub fn properties(&self) -> Option<&'e Node> {
        self.evidence.resource_properties(self.id)
    }

    pub fn origin(&self) -> Origin<'e> {
        Origin { evidence: self.evidence, span: self.evidence.resource_span(self.id) }
    }
}

/// A plain value, borrowed.
#[derive(PartialEq)]
enum Plain<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Str(&'a str),
}

#[derive(Clone)]
pub(crate) enum Val<'e> {
    Null,
    Bool(bool),
    Number(f64),
    Str(Cow<'e, str>),
    List(Rc<[Val<'e>]>),
    /// An evidence value, read lazily, or one read from a string.
    Node(&'e Node, Place<'e>),
    Resource(ResourceVal<'e>),
}

impl<'e> Val<'e> {
    /// Evidence scalars as plain values; lists, objects and resources stay as they are.
    pub fn scalar(&self) -> Val<'e> {
        match self {
            Val::Node(node, place) => match &node.value {
                Value::Null => Val::Null,
                Value::Bool(b) => Val::Bool(*b),
                Value::Number(n) => Val::Number(*n),
                Value::String(s) => Val::Str(Cow::Borrowed(s.as_str())),
                Value::List(_) | Value::Object(_) => Val::Node(node, *place),
            },
            other => other.clone(),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Val::Null => true,
            Val::Node(node, _) => matches!(node.value, Value::Null),
            _ => false,
        }
    }

    /// Only `true` is true: null, and every other value, is false.
    pub fn is_true(&self) -> bool {
        match self {
            Val::Bool(b) => *b,
            Val::Node(node, _) => matches!(node.value, Value::Bool(true)),
            _ => false,
        }
    }

    /// A string, number or boolean read without copying (evidence or plain), for comparing.
    fn plain(&self) -> Option<Plain<'_>> {
        Some(match self {
            Val::Null => Plain::Null,
            Val::Bool(b) => Plain::Bool(*b),
            Val::Number(n) => Plain::Number(*n),
            Val::Str(s) => Plain::Str(s),
            Val::Node(node, _) => match &node.value {
                Value::Null => Plain::Null,
                Value::Bool(b) => Plain::Bool(*b),
                Value::Number(n) => Plain::Number(*n),
                Value::String(s) => Plain::Str(s.as_str()),
                Value::List(_) | Value::Object(_) => return None,
            },
            Val::List(_) | Val::Resource(_) => return None,
        })
    }

    /// How many items [`Val::items`] would give, without making them.
    pub fn item_count(&self) -> usize {
        match self {
            Val::List(items) => items.len(),
            Val::Node(node, _) => match &node.value {
                Value::List(items) => items.len(),
                Value::Null => 0,
                _ => 1,
            },
            Val::Null => 0,
            _ => 1,
        }
    }

    /// The items as a shared list: a list of values is shared, not copied.
    pub fn shared_items(&self) -> Rc<[Val<'e>]> {
        match self {
            Val::List(items) => items.clone(),
            other => other.items().into(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::Node(node, _) => node.as_str(),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self.scalar() {
            Val::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The resource's name (logical id, Terraform address), if it is one.
    pub fn resource_name(&self) -> Option<&'e str> {
        match self {
            Val::Resource(resource) => Some(resource.name()),
            _ => None,
        }
    }

    /// Where the value was read, if it comes from the evidence.
    pub fn origin(&self) -> Option<Origin<'e>> {
        match self {
            Val::Node(node, place) => place.origin(node),
            Val::Resource(resource) => Some(resource.origin()),
            _ => None,
        }
    }

    /// The items a quantifier or list function walks: a list's items, one
    /// item for any other value, none for null.
    pub fn items(&self) -> Vec<Val<'e>> {
        match self {
            Val::List(items) => items.to_vec(),
            Val::Node(node, place) => match &node.value {
                Value::List(items) => items.iter().map(|item| Val::Node(item, *place)).collect(),
                Value::Null => Vec::new(),
                _ => vec![self.clone()],
            },
            Val::Null => Vec::new(),
            other => vec![other.clone()],
        }
    }

    pub fn is_list(&self) -> bool {
        match self {
            Val::List(_) => true,
            Val::Node(node, _) => matches!(node.value, Value::List(_)),
            _ => false,
        }
    }

    /// Whether it is a list or an object, empty or not.
    pub fn is_collection(&self) -> bool {
        match self {
            Val::List(_) => true,
            Val::Node(node, _) => matches!(node.value, Value::List(_) | Value::Object(_)),
            _ => false,
        }
    }

    /// `.name`: a property of an object or resource; on a list, the property
    /// of each item, flattened one level, nulls dropped.
    pub fn field(&self, name: &str) -> Val<'e> {
        match self {
            Val::Resource(resource) => match name {
                "type" => Val::Str(Cow::Borrowed(resource.kind())),
                "name" => Val::Str(Cow::Borrowed(resource.name())),
                "properties" => {
                    resource.properties().map_or(Val::Null, |node| Val::Node(node, Place::File(resource.evidence)))
                }
                _ => Val::Null,
            },
            Val::Node(node, place) => match &node.value {
                Value::Object(object) => object.get(name).map_or(Val::Null, |child| Val::Node(child, *place)),
                Value::List(_) => self.map_items(|item| item.field(name)),
                _ => Val::Null,
            },
            Val::List(_) => self.map_items(|item| item.field(name)),
            _ => Val::Null,
        }
    }

    fn map_items(&self, f: impl Fn(&Val<'e>) -> Val<'e>) -> Val<'e> {
        let mut out = Vec::new();
        for item in self.items() {
            let value = f(&item);
            if value.is_list() {
                out.extend(value.items());
            } else if !value.is_null() {
                out.push(value);
            }
        }
        Val::List(out.into())
    }

    /// `[*]`: a list's items, an object's values, nothing for anything else.
    pub fn wildcard(&self) -> Val<'e> {
        match self {
            Val::Node(node, place) => match &node.value {
                Value::List(_) => Val::List(self.items().into()),
                Value::Object(object) => {
                    Val::List(object.iter().map(|entry| Val::Node(&entry.value, *place)).collect())
                }
                _ => Val::List(Rc::from([])),
            },
            Val::List(_) => self.clone(),
            _ => Val::List(Rc::from([])),
        }
    }

    /// `[index]`: a list item by number, or a property by name.
    pub fn index(&self, index: &Val<'e>) -> Val<'e> {
        if let Some(key) = index.as_str() {
            return self.field(key);
        }
        let Some(position) = index.as_number().filter(|n| n.fract() == 0.0 && *n >= 0.0) else { return Val::Null };
        match self {
            Val::List(items) => items.get(position as usize).cloned().unwrap_or(Val::Null),
            Val::Node(node, place) => match &node.value {
                Value::List(items) => items.get(position as usize).map_or(Val::Null, |item| Val::Node(item, *place)),
                _ => Val::Null,
            },
            _ => Val::Null,
        }
    }

    /// The keys of an object (sorted), or of a resource.
    pub fn keys(&self) -> Vec<Val<'e>> {
        match self {
            Val::Node(node, _) => match &node.value {
                Value::Object(object) => {
                    let mut keys: Vec<&'e str> = object.keys().collect();
                    keys.sort_unstable();
                    keys.into_iter().map(|key| Val::Str(Cow::Borrowed(key))).collect()
                }
                _ => Vec::new(),
            },
            Val::Resource(_) => {
                ["name", "properties", "type"].iter().map(|key| Val::Str(Cow::Borrowed(*key))).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether it is a list or an object with something in it.
    pub fn has_entries(&self) -> bool {
        match self {
            Val::List(items) => !items.is_empty(),
            Val::Node(node, _) => match &node.value {
                Value::List(items) => !items.is_empty(),
                Value::Object(object) => !object.is_empty(),
                _ => false,
            },
            _ => false,
        }
    }

    /// The length of a string (in characters), list or object; 0 otherwise.
    pub fn len(&self) -> usize {
        match self.scalar() {
            Val::Str(s) => s.chars().count(),
            Val::List(items) => items.len(),
            Val::Node(node, _) => match &node.value {
                Value::List(items) => items.len(),
                Value::Object(object) => object.len(),
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Deep equality without type coercion.
    pub fn equals(&self, other: &Val<'e>) -> bool {
        // The common case, two plain values, compared where they are.
        if let (Some(a), Some(b)) = (self.plain(), other.plain()) {
            return a == b;
        }
        match (self.scalar(), other.scalar()) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Number(a), Val::Number(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Resource(a), Val::Resource(b)) => {
                a.kind() == b.kind() && a.name() == b.name() && std::ptr::eq(a.evidence, b.evidence)
            }
            (a, b) if a.is_list() && b.is_list() => {
                let (a, b) = (a.items(), b.items());
                a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.equals(y))
            }
            (Val::Node(a, _), Val::Node(b, _)) => a.value.equivalent(&b.value),
            _ => false,
        }
    }

    /// Text for a failure message.
    pub fn display(&self) -> String {
        match self.scalar() {
            Val::Null => "null".to_string(),
            Val::Bool(b) => b.to_string(),
            Val::Number(n) => format_number(n),
            Val::Str(s) => s.into_owned(),
            Val::Resource(resource) => resource.name().to_string(),
            Val::Node(node, _) => node.to_text(),
            Val::List(items) => {
                let shown: Vec<String> = items.iter().map(Val::display).collect();
                format!("[{}]", shown.join(", "))
            }
        }
    }
}

/// Numbers as a person writes them: `3`, not `3.0`.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

#[cfg(test)]
mod tests {
    use super::Val;

    /// Values are moved and copied at every step of evaluation: keep them small.
    #[test]
    fn values_stay_small() {
        assert_eq!(size_of::<Val<'_>>(), 32);
    }
}
