//! The value tree: JSON-like data where every node knows its byte span.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;
use loupe_diagnostics::Span;

/// Objects with more entries than this get a sorted key index; smaller ones are scanned.
const INDEX_THRESHOLD: usize = 16;

/// A string in the value tree: up to 24 bytes stored inline, longer ones on the heap.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str(CompactString);

impl Str {
    /// A string holding a copy of `text`.
    pub fn new(text: &str) -> Str {
        Str(CompactString::new(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Str {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl From<&str> for Str {
    fn from(text: &str) -> Str {
        Str::new(text)
    }
}

impl From<String> for Str {
    fn from(text: String) -> Str {
        Str(CompactString::from(text))
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value with the byte range it was read from.
///
/// Nodes cloned from a YAML alias keep the spans of the anchored definition, except the
/// outermost one, which points at the alias.
#[derive(Clone, PartialEq, Eq)]
pub struct Node {
    /// What was read.
    pub value: Value,
    /// Where: a byte range of the source (for a YAML scalar, including its tag and anchor).
    pub span: Span,
}

/// A JSON-like value. YAML is read into the same shapes (see the crate docs for typing rules).
///
/// `==` compares numbers bit for bit (so it is an equivalence, `Eq`, and a reloaded file equals
/// its previous load); [`Value::equivalent`] compares data the way a policy would.
#[derive(Clone)]
pub enum Value {
    /// `null`, YAML `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any number, as a double (integers are exact up to 2^53).
    Number(f64),
    /// A string.
    String(Str),
    /// A JSON array, a YAML sequence.
    List(Box<[Node]>),
    /// A JSON object, a YAML mapping.
    Object(Object),
}

/// An object key with its span (for YAML, the span of the key scalar).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Key {
    /// The key text (for YAML, the scalar as written, untyped: `1: x` has the key `"1"`).
    pub name: Str,
    /// Where the key is.
    pub span: Span,
}

/// One key/value pair of an object.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: Key,
    /// Its value.
    pub value: Node,
}

/// An object: entries in document order, searchable by key.
///
/// Small objects are scanned; objects with more than 16 entries carry a sorted index and are
/// binary-searched. If a key occurs twice (only possible when duplicates are allowed at load
/// time), lookups return the last occurrence, like `JSON.parse`.
#[derive(Clone)]
pub struct Object {
    repr: ObjectRepr,
}

#[derive(Clone)]
enum ObjectRepr {
    Small(Box<[Entry]>),
    Indexed(Box<IndexedEntries>),
}

#[derive(Clone)]
struct IndexedEntries {
    entries: Box<[Entry]>,
    /// Entry positions ordered by key, equal keys in document order.
    sorted: Box<[u32]>,
}

/// Two entries of one object with the same key: positions of the first and second occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    pub first: usize,
    pub second: usize,
}

impl Object {
    /// An object over `entries`, in the order given.
    pub fn new(entries: Vec<Entry>) -> Object {
        Object::from_boxed(entries.into_boxed_slice())
    }

    /// An object over `entries`, in the order given.
    pub fn from_boxed(entries: Box<[Entry]>) -> Object {
        if entries.len() <= INDEX_THRESHOLD {
            return Object { repr: ObjectRepr::Small(entries) };
        }
        let mut sorted: Vec<u32> = (0..entries.len()).map(to_u32).collect();
        // Stable: equal keys stay in document order, so the last of a run is the last occurrence.
        sorted.sort_by(|&a, &b| entries[a as usize].key.name.as_str().cmp(entries[b as usize].key.name.as_str()));
        Object { repr: ObjectRepr::Indexed(Box::new(IndexedEntries { entries, sorted: sorted.into_boxed_slice() })) }
    }

    /// The first duplicated key, if any: the earliest second occurrence in document order.
    pub(crate) fn first_duplicate(&self) -> Option<DuplicateKey> {
        match &self.repr {
            ObjectRepr::Small(entries) => {
                for (second, entry) in entries.iter().enumerate().skip(1) {
                    let name = entry.key.name.as_str();
                    if let Some(first) = entries[..second].iter().position(|e| e.key.name.as_str() == name) {
                        return Some(DuplicateKey { first, second });
                    }
                }
                None
            }
            ObjectRepr::Indexed(indexed) => indexed
                .sorted
                .windows(2)
                .filter_map(|pair| {
                    let (a, b) = (pair[0] as usize, pair[1] as usize);
                    (indexed.entries[a].key.name == indexed.entries[b].key.name)
                        .then_some(DuplicateKey { first: a, second: b })
                })
                .min_by_key(|duplicate| duplicate.second),
        }
    }

    /// The entries in document order.
    pub fn entries(&self) -> &[Entry] {
        match &self.repr {
            ObjectRepr::Small(entries) => entries,
            ObjectRepr::Indexed(indexed) => &indexed.entries,
        }
    }

    /// The entries in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries().iter()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the object has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The position of `key` among the entries.
    pub fn position(&self, key: &str) -> Option<usize> {
        match &self.repr {
            ObjectRepr::Small(entries) => entries.iter().rposition(|entry| entry.key.name.as_str() == key),
            ObjectRepr::Indexed(indexed) => {
                let entries = &indexed.entries;
                let after = indexed.sorted.partition_point(|&i| entries[i as usize].key.name.as_str() <= key);
                let last = *indexed.sorted.get(after.checked_sub(1)?)? as usize;
                (entries[last].key.name.as_str() == key).then_some(last)
            }
        }
    }

    /// The entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.position(key).and_then(|i| self.entries().get(i))
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// The keys in document order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries().iter().map(|entry| entry.key.name.as_str())
    }

    pub(crate) fn into_entries(self) -> Box<[Entry]> {
        match self.repr {
            ObjectRepr::Small(entries) => entries,
            ObjectRepr::Indexed(indexed) => indexed.entries,
        }
    }
}

impl Default for Object {
    fn default() -> Object {
        Object { repr: ObjectRepr::Small(Box::default()) }
    }
}

impl PartialEq for Object {
    /// Same entries in the same order (spans included). See [`Value::equivalent`] for data equality.
    fn eq(&self, other: &Object) -> bool {
        self.entries() == other.entries()
    }
}

impl Eq for Object {}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl<'a> IntoIterator for &'a Object {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter().map(|entry| (&entry.key.name, &entry.value))).finish()
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} @{}..{}", self.value, self.span.start, self.span.end)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Number(value) => write!(f, "{value}"),
            Value::String(value) => write!(f, "{value:?}"),
            Value::List(items) => f.debug_list().entries(items.iter()).finish(),
            Value::Object(object) => fmt::Debug::fmt(object, f),
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} @{}..{}", self.name, self.span.start, self.span.end)
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.key, self.value)
    }
}

impl Node {
    /// A node holding `value` read from `span`.
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    /// The value of member `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?.get(key)
    }

    /// Item `index`, if this is a list that long.
    pub fn item(&self, index: usize) -> Option<&Node> {
        self.as_list()?.get(index)
    }

    /// Follows object keys from this node: `node.get_path(&["Properties", "BucketName"])`.
    pub fn get_path<'n>(&'n self, keys: &[&str]) -> Option<&'n Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match &self.value {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(value) => Some(value),
            _ => None,
        }
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value as compact JSON (non-finite numbers, which only YAML can produce, become strings).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.value.write(&mut out, Style::Json);
        out
    }

    /// The value as a message shows it: compact JSON, except that where it holds a
    /// CloudFormation intrinsic function, it reads as a template's short form does
    /// (`!Ref Bucket`, `!GetAtt Role.Arn`, `!Join ["", [!Ref AWS::Partition, ":x"]]`).
    pub fn to_text(&self) -> String {
        if !self.value.holds_intrinsic() {
            return self.to_json();
        }
        let mut out = String::new();
        self.value.write(&mut out, Style::Text);
        out
    }
}

/// The function an object calls, if it is a CloudFormation intrinsic function (one key:
/// `Ref` or `Fn::…`), and its argument.
fn intrinsic(object: &Object) -> Option<(&str, &Node)> {
    let [entry] = object.entries() else { return None };
    let name = entry.key.name.as_str();
    let function = if name == "Ref" { name } else { name.strip_prefix("Fn::")? };
    Some((function, &entry.value))
}

/// `Fn::GetAtt`'s `[Resource, Attribute]`, as `!GetAtt Resource.Attribute` writes it.
fn dotted_attribute(argument: &Value) -> Option<(&str, &str)> {
    let Value::List(items) = argument else { return None };
    let [resource, attribute] = &**items else { return None };
    let (resource, attribute) = (resource.as_str()?, attribute.as_str()?);
    (is_plain(resource) && is_plain(attribute)).then_some((resource, attribute))
}

/// Whether a string reads unquoted after a short-form tag: no spaces, quotes or brackets.
fn is_plain(text: &str) -> bool {
    !text.is_empty() && !text.contains(|c: char| c.is_whitespace() || "\"'[]{},#".contains(c))
}

impl Value {
    /// The name of this value's type: `null`, `bool`, `number`, `string`, `list` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
        }
    }

    /// Data equality: spans ignored, object entries compared regardless of order.
    pub fn equivalent(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| a.value.equivalent(&b.value))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter().all(|entry| {
                        b.get(&entry.key.name).is_some_and(|other| entry.value.value.equivalent(&other.value))
                    })
            }
            _ => false,
        }
    }

    fn holds_intrinsic(&self) -> bool {
        match self {
            Value::List(items) => items.iter().any(|item| item.value.holds_intrinsic()),
            Value::Object(object) => {
                intrinsic(object).is_some() || object.iter().any(|entry| entry.value.value.holds_intrinsic())
            }
            _ => false,
        }
    }

    /// Writes the value in `style`.
    fn write(&self, out: &mut String, style: Style) {
        let separator = if style == Style::Text { ", " } else { "," };
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Value::Number(number) => write_number(*number, out),
            Value::String(text) => write_json_string(text, out),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(separator);
                    }
                    item.value.write(out, style);
                }
                out.push(']');
            }
            Value::Object(object) => match intrinsic(object).filter(|_| style == Style::Text) {
                Some((function, argument)) => {
                    out.push('!');
                    out.push_str(function);
                    out.push(' ');
                    let attribute = if function == "GetAtt" { dotted_attribute(&argument.value) } else { None };
                    match (&argument.value, attribute) {
                        (_, Some((resource, attribute))) => {
                            out.push_str(resource);
                            out.push('.');
                            out.push_str(attribute);
                        }
                        (Value::String(text), None) if is_plain(text) => out.push_str(text),
                        (other, None) => other.write(out, style),
                    }
                }
                None => {
                    out.push('{');
                    for (i, entry) in object.iter().enumerate() {
                        if i > 0 {
                            out.push_str(separator);
                        }
                        write_json_string(&entry.key.name, out);
                        out.push_str(if style == Style::Text { ": " } else { ":" });
                        entry.value.value.write(out, style);
                    }
                    out.push('}');
                }
            },
        }
    }
}

/// How [`Value::write`] writes: compact JSON ([`Node::to_json`]), or a
/// message's text ([`Node::to_text`]: spaced as a template's flow style,
/// intrinsic functions in their short form).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Json,
    Text,
}

/// Writes `number` the way JSON would: integers without a fraction, others in shortest form.
pub(crate) fn write_number(number: f64, out: &mut String) {
    use std::fmt::Write;
    if number.is_nan() {
        out.push_str("\".nan\"");
    } else if number.is_infinite() {
        out.push_str(if number > 0.0 { "\".inf\"" } else { "\"-.inf\"" });
    } else if number.fract() == 0.0 && number.abs() < 1e17 {
        // In range, so the conversion is exact.
        let _ = write!(out, "{}", number as i64);
    } else {
        let _ = write!(out, "{number}");
    }
}

fn write_json_string(text: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: f64) -> Entry {
        Entry {
            key: Key { name: Str::new(key), span: Span::default() },
            value: Node::new(Value::Number(value), Span::default()),
        }
    }

    #[test]
    fn intrinsic_functions_read_in_their_short_form() {
        let text = |json: &str| crate::parse_json(json, &crate::Limits::default()).map(|node| node.to_text());
        let cases = [
            (r#"{"Ref": "Bucket"}"#, "!Ref Bucket"),
            (r#"{"Fn::GetAtt": ["Role", "Arn"]}"#, "!GetAtt Role.Arn"),
            (r#"{"Fn::GetAtt": "Role.Arn"}"#, "!GetAtt Role.Arn"),
            (r#"{"Fn::ImportValue": "SharedPolicyArn"}"#, "!ImportValue SharedPolicyArn"),
            (r#"{"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}"#, r#"!Sub "arn:${AWS::Partition}:s3:::b""#),
            (
                r#"{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam"]]}"#,
                r#"!Join ["", ["arn:", !Ref AWS::Partition, ":iam"]]"#,
            ),
            (r#"{"Name": {"Fn::GetAtt": ["Q", "Arn"]}, "N": 1}"#, r#"{"Name": !GetAtt Q.Arn, "N": 1}"#),
            // Without one, compact JSON as before; an object of two keys is no function.
            (r#"{"Ref": "A", "Other": 1}"#, r#"{"Ref":"A","Other":1}"#),
            (r#"[1, {"a": "b c"}]"#, r#"[1,{"a":"b c"}]"#),
        ];
        for (json, expected) in cases {
            assert_eq!(text(json).as_deref(), Ok(expected), "{json}");
        }
    }

    #[test]
    fn nodes_stay_compact() {
        assert_eq!(size_of::<Value>(), 24);
        assert_eq!(size_of::<Node>(), 32);
        assert_eq!(size_of::<Entry>(), 64);
    }

    #[test]
    fn small_and_indexed_objects_find_keys_and_the_last_duplicate() {
        for size in [3, 40] {
            let mut entries: Vec<Entry> = (0..size).map(|i| entry(&format!("k{i}"), i as f64)).collect();
            entries.push(entry("k1", 99.0));
            let object = Object::new(entries);
            assert_eq!(object.get("k0").and_then(Node::as_f64), Some(0.0));
            assert_eq!(object.get("k2").and_then(Node::as_f64), Some(2.0));
            assert_eq!(object.get("k1").and_then(Node::as_f64), Some(99.0), "size {size}");
            assert!(object.get("missing").is_none());
            assert!(object.get("").is_none());
            assert_eq!(object.first_duplicate(), Some(DuplicateKey { first: 1, second: size }));
            assert_eq!(object.keys().next(), Some("k0"));
        }
        assert_eq!(Object::new(vec![entry("a", 1.0), entry("b", 2.0)]).first_duplicate(), None);
    }

    #[test]
    fn equivalence_ignores_spans_and_key_order() {
        let a = Value::Object(Object::new(vec![entry("a", 1.0), entry("b", 2.0)]));
        let b = Value::Object(Object::new(vec![entry("b", 2.0), entry("a", 1.0)]));
        assert!(a.equivalent(&b));
        assert!(a != b);
        let c = Value::Object(Object::new(vec![entry("b", 2.0), entry("a", 3.0)]));
        assert!(!a.equivalent(&c));
    }

    #[test]
    fn json_output_escapes_and_formats_numbers() {
        let node = Node::new(
            Value::List(
                vec![
                    Node::new(Value::String(Str::new("a\"b\n\u{1}")), Span::default()),
                    Node::new(Value::Number(3.0), Span::default()),
                    Node::new(Value::Number(0.5), Span::default()),
                    Node::new(Value::Number(f64::INFINITY), Span::default()),
                ]
                .into_boxed_slice(),
            ),
            Span::default(),
        );
        assert_eq!(node.to_json(), r#"["a\"b\n\u0001",3,0.5,".inf"]"#);
    }
}
