//! YAML streams read into the spanned value tree, on top of `saphyr-parser`'s event stream.
//!
//! This module does what the event parser leaves to its user: it resolves anchors and aliases
//! (under an expansion budget), merge keys (`<<`), scalar typing by the YAML 1.2 core schema,
//! CloudFormation short-form tags, depth limits, and byte offsets (the parser counts characters).
//!
//! Where `saphyr-parser` and libyaml (which CloudFormation, PyYAML and cfn-lint read with)
//! disagree on real templates, the file is read as libyaml reads it:
//!
//! - A multi-line quoted scalar or flow collection whose continuation lines are indented no
//!   deeper than their key is refused by YAML 1.2 and by the parser. When the strict reading
//!   fails, such lines are padded and the text read again, with spans mapped back to the file's
//!   bytes (see [`crate::relax`]); each construct read this way gets a [`Warning`].
//! - A block scalar (`|`, `>`) whose last line ends the file without a line break gets no final
//!   line break: the parser adds one, libyaml and the YAML 1.2 grammar do not.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use loupe_diagnostics::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::error::{ErrorKind, EvidenceError, Limits, Warning};
use crate::json::check_duplicates;
use crate::relax::{self, Construct, Relaxed};
use crate::value::{Entry, Key, Node, Object, Str, Value};

/// The documents of a YAML stream and what is worth a warning.
#[derive(Debug)]
pub(crate) struct YamlStream {
    pub documents: Vec<Node>,
    pub warnings: Vec<Warning>,
}

/// Reads every document of the YAML stream `text`.
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<YamlStream, EvidenceError> {
    let strict = match read(text, None, limits) {
        Ok((stream, _)) => return Ok(stream),
        Err(failure) => failure,
    };
    // Only the scanner refuses under-indented lines; other errors are not about indentation.
    let relaxed = if strict.scan { relax::relax(text) } else { None };
    let Some(relaxed) = relaxed else { return Err(strict.error) };
    match read(text, Some(&relaxed), limits) {
        Ok((mut stream, seen)) if relaxed.constructs.iter().all(|construct| confirmed(text, construct, &seen)) => {
            for construct in &relaxed.constructs {
                let what = if construct.quoted { "quoted scalar" } else { "flow collection" };
                stream.warnings.push(Warning {
                    message: format!(
                        "this multi-line {what} has lines indented no deeper than its parent, which YAML 1.2 \
                         refuses; read as libyaml and CloudFormation read it"
                    ),
                    span: Span::new(construct.open, construct.open + 1),
                });
            }
            stream.warnings.sort_by_key(|warning| warning.span.start);
            Ok(stream)
        }
        Ok(_) => Err(strict.error),
        // The padding got the reading past the first error: report the next one, unless the
        // padding itself may be the cause.
        Err(failure) => {
            let at = failure.error.span.start as usize;
            let padded_before = relaxed.constructs.iter().filter(|construct| construct.end <= at);
            if at > strict.error.span.start as usize
                && padded_before.into_iter().all(|construct| confirmed(text, construct, &failure.seen))
            {
                Err(failure.error)
            } else {
                Err(strict.error)
            }
        }
    }
}

/// A quoted scalar or flow collection the parser read: its span and whether it was quoted.
type Seen = (Span, bool);

/// Whether the parser read a quoted scalar or flow collection where the lexer padded one: ending
/// at its end, and starting at its opening (or at the tag or anchor before it). `seen` is sorted
/// by end.
fn confirmed(text: &str, construct: &Construct, seen: &[Seen]) -> bool {
    let first = seen.partition_point(|(span, _)| (span.end as usize) < construct.end);
    seen[first..].iter().take_while(|(span, _)| span.end as usize == construct.end).any(|&(span, quoted)| {
        let (start, end) = (span.start as usize, span.end as usize);
        quoted == construct.quoted
            && end == construct.end
            && (start == construct.open
                || (start < construct.open && matches!(text.as_bytes().get(start), Some(b'!' | b'&'))))
    })
}

/// Why a reading failed, and what it had seen.
struct Failure {
    error: EvidenceError,
    /// Whether the parser refused the text (else the tree builder did).
    scan: bool,
    seen: Vec<Seen>,
}

/// Reads `source`, or its padded version when `relaxed` is given.
fn read(source: &str, relaxed: Option<&Relaxed>, limits: &Limits) -> Result<(YamlStream, Vec<Seen>), Failure> {
    let text = relaxed.map_or(source, |relaxed| relaxed.text.as_str());
    let mut builder = Builder {
        offsets: Offsets::new(text),
        source,
        seen: relaxed.map(|_| Vec::new()),
        max_depth: limits.effective_max_depth(),
        alias_budget: limits.max_alias_nodes,
        max_alias_nodes: limits.max_alias_nodes,
        allow_duplicate_keys: limits.allow_duplicate_keys,
        frames: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        documents: Vec::new(),
        warnings: Vec::new(),
    };
    // The tree builder works in the file's offsets; the parser's errors are in those of its text.
    let seen = |builder: &mut Builder<'_>| {
        let mut seen = builder.seen.take().unwrap_or_default();
        seen.sort_unstable_by_key(|(span, _)| span.end);
        seen
    };
    let fail =
        |builder: &mut Builder<'_>, error: EvidenceError, scan: bool| Failure { error, scan, seen: seen(builder) };
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(event) => event,
            Err(error) => {
                let mut error = builder.scan_error(&error);
                if let Some(relaxed) = relaxed {
                    error.span = relaxed.span(error.span);
                }
                return Err(fail(&mut builder, error, true));
            }
        };
        let mut span = builder.offsets.span(span.start.index(), span.end.index());
        if let Some(relaxed) = relaxed {
            span = relaxed.span(span);
        }
        if let Err(error) = builder.event(event, span) {
            return Err(fail(&mut builder, error, false));
        }
    }
    let seen = seen(&mut builder);
    Ok((YamlStream { documents: builder.documents, warnings: builder.warnings }, seen))
}

/// Converts the parser's character indexes to byte offsets, moving a cursor (events arrive
/// nearly in order, so each conversion is a short walk).
struct Offsets<'t> {
    text: &'t str,
    ascii: bool,
    char_index: usize,
    byte_offset: usize,
}

impl<'t> Offsets<'t> {
    fn new(text: &'t str) -> Offsets<'t> {
        Offsets { text, ascii: text.is_ascii(), char_index: 0, byte_offset: 0 }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        if char_index >= self.char_index {
            for c in self.text[self.byte_offset..].chars() {
                if self.char_index == char_index {
                    break;
                }
                self.char_index += 1;
                self.byte_offset += c.len_utf8();
            }
        } else {
            for c in self.text[..self.byte_offset].chars().rev() {
                if self.char_index == char_index {
                    break;
                }
                self.char_index -= 1;
                self.byte_offset -= c.len_utf8();
            }
        }
        self.byte_offset
    }

    fn span(&mut self, start: usize, end: usize) -> Span {
        let start = self.byte(start);
        let end = self.byte(end);
        Span::new(start, end)
    }
}

/// Tag and anchor of a node being read.
struct Properties {
    anchor: usize,
    tag: Option<Tag>,
}

enum Frame {
    Sequence {
        start: usize,
        base: usize,
        properties: Properties,
    },
    Mapping {
        start: usize,
        base: usize,
        properties: Properties,
        /// The key whose value comes next; `None` while a key is expected.
        key: Option<Key>,
        /// Whether `key` is the merge key `<<`.
        key_merges: bool,
        /// Positions (relative to `base`) of merge-key entries.
        merges: Vec<usize>,
    },
}

struct Anchored {
    node: Node,
    /// Nodes in the tree, itself included.
    size: usize,
    /// Nesting of lists and objects: 0 for a scalar.
    height: usize,
}

struct Builder<'t> {
    /// Converts the parser's positions in the text it reads (the padded one, if relaxed).
    offsets: Offsets<'t>,
    /// The file's text, which spans point into.
    source: &'t str,
    /// Quoted scalars and flow collections read, when reading a padded text.
    seen: Option<Vec<Seen>>,
    max_depth: usize,
    /// Nodes that anchors and aliases may still copy.
    alias_budget: usize,
    max_alias_nodes: usize,
    allow_duplicate_keys: bool,
    frames: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, Anchored>,
    documents: Vec<Node>,
    warnings: Vec<Warning>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), EvidenceError> {
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(_) => {
                self.anchors.clear();
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(Cow::into_owned);
                if let Some(seen) = &mut self.seen
                    && matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
                {
                    seen.push((span, true));
                }
                if let Some(Frame::Mapping { key: key @ None, key_merges, .. }) = self.frames.last_mut() {
                    *key_merges = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
                    let name = Str::new(&text);
                    *key = Some(Key { name: name.clone(), span });
                    if anchor != 0 {
                        let node = Node::new(Value::String(name), span);
                        self.anchor(anchor, &node, span)?;
                    }
                    return Ok(());
                }
                let (text, span) = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    (self.block_scalar_end(&text, span), self.block_scalar_span(span))
                } else {
                    (&*text, span)
                };
                let node = self.scalar(text, style, tag, span);
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(span)?;
                let properties = Properties { anchor, tag: tag.map(Cow::into_owned) };
                self.frames.push(Frame::Sequence { start: span.start as usize, base: self.items.len(), properties });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.open(span)?;
                let properties = Properties { anchor, tag: tag.map(Cow::into_owned) };
                self.frames.push(Frame::Mapping {
                    start: span.start as usize,
                    base: self.entries.len(),
                    properties,
                    key: None,
                    key_merges: false,
                    merges: Vec::new(),
                });
                Ok(())
            }
            Event::SequenceEnd => {
                let Some(Frame::Sequence { start, base, properties }) = self.frames.pop() else {
                    return Err(internal(span));
                };
                let items: Box<[Node]> = self.items.drain(base.min(self.items.len())..).collect();
                let end = container_end(span, items.last().map(|item| item.span));
                self.see_flow(span, Span::new(start, end));
                let node = Node::new(Value::List(items), Span::new(start, end));
                let node = self.apply_tag(node, properties.tag.as_ref());
                self.finish(node, properties.anchor)
            }
            Event::MappingEnd => {
                let Some(Frame::Mapping { start, base, properties, merges, .. }) = self.frames.pop() else {
                    return Err(internal(span));
                };
                let entries: Vec<Entry> = self.entries.drain(base.min(self.entries.len())..).collect();
                let end = container_end(span, entries.last().map(|entry| entry.value.span));
                self.see_flow(span, Span::new(start, end));
                let object = Object::new(entries);
                if !self.allow_duplicate_keys {
                    check_duplicates(&object)?;
                }
                let object = if merges.is_empty() { object } else { merge(object, &merges)? };
                let node = Node::new(Value::Object(object), Span::new(start, end));
                let node = self.apply_tag(node, properties.tag.as_ref());
                self.finish(node, properties.anchor)
            }
            Event::Alias(id) => self.alias(id, span),
        }
    }

    /// Notes a flow collection (its end event spans the closing bracket) when reading padded text.
    fn see_flow(&mut self, end_event: Span, collection: Span) {
        if let Some(seen) = &mut self.seen
            && !end_event.is_empty()
        {
            seen.push((collection, false));
        }
    }

    /// The value of a block scalar, without the line break the parser adds when the scalar's last
    /// line ends the file without one (`key: |\n  line` at the end is `"line"`, as in libyaml and
    /// the YAML 1.2 grammar, where the final break of a clipped or kept scalar may be the end of
    /// the input). The parser adds it when the chomping is not `-` and that last line is at least
    /// as indented as the scalar's content.
    fn block_scalar_end<'v>(&self, value: &'v str, span: Span) -> &'v str {
        let source = self.source;
        if !value.ends_with('\n') || span.end as usize != source.len() || source.ends_with(['\n', '\r']) {
            return value;
        }
        let last_line = &source[source.rfind(['\n', '\r']).map_or(0, |i| i + 1)..];
        let counted = last_line.bytes().any(|b| b != b' ')
            || block_indent(source, span.start as usize, value).is_some_and(|indent| last_line.len() >= indent.max(1));
        if counted { &value[..value.len() - 1] } else { value }
    }

    /// A block scalar's span, ending at its last character that is not white
    /// space: the parser's ends where the next token starts, so the mapping
    /// holding it would take in the blank lines and the next key.
    fn block_scalar_span(&self, span: Span) -> Span {
        let source = self.source.as_bytes();
        let (start, end) = (span.start as usize, (span.end as usize).min(source.len()));
        let content = source.get(start..end).unwrap_or_default();
        let kept = content.iter().rposition(|byte| !byte.is_ascii_whitespace()).map_or(0, |last| last + 1);
        Span::new(start, start + kept)
    }

    /// Checks that a list or object may open here.
    fn open(&self, span: Span) -> Result<(), EvidenceError> {
        if let Some(Frame::Mapping { key: None, .. }) = self.frames.last() {
            return Err(EvidenceError::new(
                ErrorKind::Unsupported,
                "a list or mapping used as a mapping key is not supported",
                Span::new(span.start as usize, span.start as usize + 1),
            ));
        }
        if self.frames.len() >= self.max_depth {
            return Err(too_deep(self.max_depth, Span::new(span.start as usize, span.start as usize + 1)));
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), EvidenceError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(EvidenceError::new(ErrorKind::Syntax, "alias to an unknown anchor", span));
        };
        if anchored.size > self.alias_budget {
            return Err(self.over_budget(span));
        }
        if self.frames.len() + anchored.height > self.max_depth {
            return Err(too_deep(self.max_depth, span));
        }
        self.alias_budget -= anchored.size;
        let mut node = anchored.node.clone();
        node.span = span;
        if let Some(Frame::Mapping { key: key @ None, key_merges, .. }) = self.frames.last_mut() {
            let name = match &node.value {
                Value::String(text) => text.clone(),
                Value::Null => Str::new("null"),
                Value::Bool(value) => Str::new(if *value { "true" } else { "false" }),
                Value::Number(number) => {
                    let mut text = String::new();
                    crate::value::write_number(*number, &mut text);
                    Str::from(text)
                }
                Value::List(_) | Value::Object(_) => {
                    return Err(EvidenceError::new(
                        ErrorKind::Unsupported,
                        "an alias to a list or mapping used as a mapping key is not supported",
                        span,
                    ));
                }
            };
            *key_merges = false;
            *key = Some(Key { name, span });
            return Ok(());
        }
        self.deliver(node)
    }

    /// Registers the node's anchor, if it has one, and hands it to its parent.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), EvidenceError> {
        if anchor != 0 {
            self.anchor(anchor, &node, node.span)?;
        }
        self.deliver(node)
    }

    fn anchor(&mut self, anchor: usize, node: &Node, span: Span) -> Result<(), EvidenceError> {
        let (size, height) = measure(node);
        // Keeping the anchored copy costs as much as expanding it once.
        if size > self.alias_budget {
            return Err(self.over_budget(span));
        }
        self.alias_budget -= size;
        self.anchors.insert(anchor, Anchored { node: node.clone(), size, height });
        Ok(())
    }

    fn deliver(&mut self, node: Node) -> Result<(), EvidenceError> {
        match self.frames.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Sequence { .. }) => self.items.push(node),
            Some(Frame::Mapping { base, key, key_merges, merges, .. }) => {
                let Some(key) = key.take() else { return Err(internal(node.span)) };
                if std::mem::take(key_merges) {
                    merges.push(self.entries.len() - *base);
                }
                self.entries.push(Entry { key, value: node });
            }
        }
        Ok(())
    }

    fn scalar(&mut self, text: &str, style: ScalarStyle, tag: Option<Tag>, span: Span) -> Node {
        let Some(tag) = tag else {
            let value = if style == ScalarStyle::Plain { resolve_plain(text) } else { Value::String(Str::new(text)) };
            return Node::new(value, span);
        };
        if tag.handle == "tag:yaml.org,2002:" {
            let value = match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => Value::String(Str::new(text)),
                expected @ ("null" | "bool" | "int" | "float") => {
                    let resolved = resolve_plain(text);
                    let fits = match expected {
                        "null" => matches!(resolved, Value::Null),
                        "bool" => matches!(resolved, Value::Bool(_)),
                        _ => matches!(resolved, Value::Number(_)),
                    };
                    if fits {
                        resolved
                    } else {
                        self.warn(format!("`{text}` is not a valid `!!{expected}`; read as a string"), span);
                        Value::String(Str::new(text))
                    }
                }
                _ => {
                    self.warn(format!("unknown tag `{}`; its scalar is read as a string", tag_text(&tag)), span);
                    Value::String(Str::new(text))
                }
            };
            return Node::new(value, span);
        }
        // Explicitly tagged: no implicit typing (`!Ref 1` is the string "1").
        let node = Node::new(Value::String(Str::new(text)), span);
        if tag.handle == "!" && tag.suffix == "GetAtt" {
            return Node::new(object_of("Fn::GetAtt", split_get_att(text, style, span), span), span);
        }
        if is_non_specific(&tag) {
            return node;
        }
        self.apply_tag(node, Some(&tag))
    }

    /// Reads a tag on a list, object or already-typed scalar: CloudFormation tags become their
    /// long form; an unknown `!Name` starting with an uppercase letter is read as `Fn::Name`.
    fn apply_tag(&mut self, node: Node, tag: Option<&Tag>) -> Node {
        let Some(tag) = tag else { return node };
        if tag.handle == "!" {
            let span = node.span;
            if let Some(long) = cloudformation_long_form(&tag.suffix) {
                return Node::new(object_of(long, node, span), span);
            }
            if tag.suffix.starts_with(|c: char| c.is_ascii_uppercase()) {
                let long = format!("Fn::{}", tag.suffix);
                self.warn(format!("unknown CloudFormation function tag `!{}`; read as `{long}`", tag.suffix), span);
                return Node::new(object_of(&long, node, span), span);
            }
        }
        if is_non_specific(tag) {
            return node;
        }
        let core_collection = tag.handle == "tag:yaml.org,2002:"
            && matches!(
                (tag.suffix.as_str(), &node.value),
                ("seq" | "set" | "omap" | "pairs", Value::List(_)) | ("map" | "set", Value::Object(_))
            );
        if !core_collection {
            self.warn(format!("unknown tag `{}` ignored; its value is kept as written", tag_text(tag)), node.span);
        }
        node
    }

    fn warn(&mut self, message: String, span: Span) {
        self.warnings.push(Warning { message, span });
    }

    fn over_budget(&self, span: Span) -> EvidenceError {
        EvidenceError::new(
            ErrorKind::AliasBudget,
            format!(
                "YAML anchors and aliases expand to more than {} nodes (an alias bomb?); refusing to expand further",
                self.max_alias_nodes
            ),
            span,
        )
    }

    fn scan_error(&mut self, error: &ScanError) -> EvidenceError {
        let at = self.offsets.byte(error.marker().index());
        let end = at + self.offsets.text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
        let span = Span::new(at, end);
        if error.info().contains("recursion limit") {
            return too_deep(self.max_depth.min(255), span);
        }
        if error.info().contains("unknown anchor") {
            // Point at the whole alias, `*name`.
            let rest = self.offsets.text.get(at..).unwrap_or_default();
            let len = rest.find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}')).unwrap_or(rest.len());
            let alias = rest.get(..len).unwrap_or_default();
            return EvidenceError::new(
                ErrorKind::Syntax,
                format!("alias `{alias}` names no anchor defined before it"),
                Span::new(at, at + len),
            );
        }
        EvidenceError::new(ErrorKind::Syntax, format!("malformed YAML: {}", error.info()), span)
    }
}

/// The tag `!` (as in `! 12`), which only says "not implicitly typed".
fn is_non_specific(tag: &Tag) -> bool {
    (tag.handle.is_empty() && tag.suffix == "!") || (tag.handle == "!" && tag.suffix.is_empty())
}

/// A tag as it is usually written: `!Custom`, `!!binary`, `!<tag:example.com,2024:x>`.
fn tag_text(tag: &Tag) -> String {
    match tag.handle.as_str() {
        "!" => format!("!{}", tag.suffix),
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        "" => format!("!<{}>", tag.suffix),
        handle => format!("{handle}{}", tag.suffix),
    }
}

/// Where a collection ends: at its closing bracket for flow style, else after its last member.
fn container_end(end_event: Span, last_member: Option<Span>) -> usize {
    if !end_event.is_empty() {
        return end_event.end as usize;
    }
    last_member.map_or(end_event.start as usize, |span| span.end as usize)
}

fn too_deep(max_depth: usize, span: Span) -> EvidenceError {
    EvidenceError::new(
        ErrorKind::TooDeep,
        format!("lists and mappings nest deeper than the limit of {max_depth}"),
        span,
    )
}

fn internal(span: Span) -> EvidenceError {
    EvidenceError::new(ErrorKind::Syntax, "malformed YAML: unbalanced collection events", span)
}

/// The size (nodes) and height (nesting) of a tree, without recursion.
fn measure(node: &Node) -> (usize, usize) {
    let mut size = 0;
    let mut height = 0;
    let mut stack = vec![(node, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        size += 1;
        match &node.value {
            Value::List(items) => {
                height = height.max(depth + 1);
                stack.extend(items.iter().map(|item| (item, depth + 1)));
            }
            Value::Object(object) => {
                height = height.max(depth + 1);
                stack.extend(object.iter().map(|entry| (&entry.value, depth + 1)));
            }
            _ => {}
        }
    }
    (size, height)
}

/// Resolves merge keys: the merged mappings' entries take the place of the `<<` entry, unless the
/// mapping has the key itself or an earlier merged mapping had it.
fn merge(object: Object, merges: &[usize]) -> Result<Object, EvidenceError> {
    let entries = object.into_entries().into_vec();
    let explicit: HashSet<Str> = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !merges.contains(i))
        .map(|(_, entry)| entry.key.name.clone())
        .collect();
    let mut merged_keys: HashSet<Str> = HashSet::new();
    let mut result = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        if !merges.contains(&i) {
            result.push(entry);
            continue;
        }
        let span = entry.value.span;
        let sources = match entry.value.value {
            Value::Object(object) => vec![object],
            Value::List(items) => items
                .into_vec()
                .into_iter()
                .map(|item| match item.value {
                    Value::Object(object) => Ok(object),
                    _ => Err(bad_merge(item.span)),
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(bad_merge(span)),
        };
        for source in sources {
            for merged in source.into_entries().into_vec() {
                if !explicit.contains(&merged.key.name) && merged_keys.insert(merged.key.name.clone()) {
                    result.push(merged);
                }
            }
        }
    }
    Ok(Object::new(result))
}

fn bad_merge(span: Span) -> EvidenceError {
    EvidenceError::new(ErrorKind::Unsupported, "the merge key `<<` needs a mapping or a list of mappings", span)
}

fn object_of(key: &str, value: Node, span: Span) -> Value {
    Value::Object(Object::new(vec![Entry { key: Key { name: Str::new(key), span }, value }]))
}

/// The long form key of a CloudFormation short-form tag (`Ref` → `Ref`, `Sub` → `Fn::Sub`): the
/// intrinsic functions, condition functions and rule functions of the CloudFormation template
/// reference (`intrinsic-function-reference`, `rules-section-structure`).
fn cloudformation_long_form(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        // Intrinsic functions.
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "FindInMap" => "Fn::FindInMap",
        "ForEach" => "Fn::ForEach",
        "GetAtt" => "Fn::GetAtt",
        "GetAZs" => "Fn::GetAZs",
        "GetStackOutput" => "Fn::GetStackOutput",
        "ImportValue" => "Fn::ImportValue",
        "Join" => "Fn::Join",
        "Length" => "Fn::Length",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "Sub" => "Fn::Sub",
        "ToJsonString" => "Fn::ToJsonString",
        "Transform" => "Fn::Transform",
        // Condition functions.
        "And" => "Fn::And",
        "Equals" => "Fn::Equals",
        "If" => "Fn::If",
        "Not" => "Fn::Not",
        "Or" => "Fn::Or",
        // Rule functions (the `Rules` section).
        "Contains" => "Fn::Contains",
        "EachMemberEquals" => "Fn::EachMemberEquals",
        "EachMemberIn" => "Fn::EachMemberIn",
        "RefAll" => "Fn::RefAll",
        "ValueOf" => "Fn::ValueOf",
        "ValueOfAll" => "Fn::ValueOfAll",
        _ => return None,
    })
}

/// The content indentation of the block scalar whose event starts at `start` and whose value is
/// `value`, when it has content lines. The event starts at its first content character, or at
/// its tag or anchor: then the indentation is what the first non-blank line loses in the value.
fn block_indent(source: &str, start: usize, value: &str) -> Option<usize> {
    let line_start = |at: usize| source.get(..at).and_then(|before| before.rfind('\n')).map_or(0, |i| i + 1);
    let spaces = |line: &str| line.len() - line.trim_start_matches(' ').len();
    match source.as_bytes().get(start)? {
        // No content line: the event starts at the header.
        b'|' | b'>' => None,
        b'!' | b'&' => {
            let after_header = start + source.get(start..)?.find('\n')? + 1;
            let in_source = spaces(first_non_blank(source.get(after_header..)?)?);
            in_source.checked_sub(spaces(first_non_blank(value)?))
        }
        _ => Some(source.get(line_start(start)..start)?.chars().count()),
    }
}

fn first_non_blank(text: &str) -> Option<&str> {
    text.split('\n').find(|line| line.bytes().any(|b| !matches!(b, b' ' | b'\r')))
}

/// `!GetAtt Resource.Attribute.Path` as `["Resource", "Attribute.Path"]`.
fn split_get_att(text: &str, style: ScalarStyle, span: Span) -> Node {
    let Some((resource, attribute)) = text.split_once('.') else {
        return Node::new(Value::String(Str::new(text)), span);
    };
    // Plain scalars end where their text ends, so the parts can be located exactly.
    let (resource_span, attribute_span) = if style == ScalarStyle::Plain && span.len() >= text.len() {
        let end = span.end as usize;
        let attribute_start = end - attribute.len();
        (Span::new(end - text.len(), attribute_start - 1), Span::new(attribute_start, end))
    } else {
        (span, span)
    };
    let items = vec![
        Node::new(Value::String(Str::new(resource)), resource_span),
        Node::new(Value::String(Str::new(attribute)), attribute_span),
    ];
    Node::new(Value::List(items.into_boxed_slice()), span)
}

/// Types a plain scalar by the YAML 1.2 core schema, except that a decimal number whose integer
/// part has a leading zero (`0123`, `00`, `054676820928`) stays a string.
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Number(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Number(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Number(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else { return Value::Null };
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(Str::new(text));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(value) = u64::from_str_radix(hex, 16) {
            return Value::Number(value as f64);
        }
    } else if let Some(octal) = text.strip_prefix("0o") {
        if let Ok(value) = u64::from_str_radix(octal, 8) {
            return Value::Number(value as f64);
        }
    } else if is_core_number(bytes)
        && !has_leading_zero(bytes)
        && let Ok(value) = text.parse::<f64>()
    {
        return Value::Number(value);
    }
    Value::String(Str::new(text))
}

/// Whether the integer part of a number has a leading zero (`0123`, `-00`, `01.5`), which JSON
/// does not allow and which reading as a number would lose: an AWS account id such as
/// `054676820928` must stay as written.
fn has_leading_zero(bytes: &[u8]) -> bool {
    let digits = bytes.strip_prefix(b"-").or_else(|| bytes.strip_prefix(b"+")).unwrap_or(bytes);
    matches!(digits, [b'0', b'0'..=b'9', ..])
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_number(bytes: &[u8]) -> bool {
    let mut i = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let integer = digits(&mut i);
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction = digits(&mut i);
        if integer == 0 && fraction == 0 {
            return false;
        }
    } else if integer == 0 {
        return false;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'-' | b'+') = bytes.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<YamlStream, EvidenceError> {
        parse(text, &Limits::default())
    }

    fn json(text: &str) -> String {
        match read(text) {
            Ok(stream) => stream.documents.iter().map(Node::to_json).collect::<Vec<_>>().join("\n"),
            Err(error) => format!("error {:?} at {:?}: {}", error.kind, error.span.range(), error.message),
        }
    }

    #[test]
    fn core_schema_typing() {
        let text = "a: [~, null, '', true, False, 1, -2, +3, 0x1F, 0o17, 1.5, .5, 1e3, -.inf, yes, on, 1.2.3, '1', \"true\", 0123, 12e, .]";
        assert_eq!(
            json(text),
            r#"{"a":[null,null,"",true,false,1,-2,3,31,15,1.5,0.5,1000,"-.inf","yes","on","1.2.3","1","true","0123","12e","."]}"#
        );
        assert_eq!(json("a:\nb: |\n  x\n  y\n"), r#"{"a":null,"b":"x\ny\n"}"#);
    }

    #[test]
    fn leading_zeros_stay_strings() {
        let text = "[0, -0, +0, 0.5, -0.5, 0e3, 0x1F, 0o17, 10, 00, 0123, -007, +01, 01.5, 00.5, 054676820928, '054676820928']";
        assert_eq!(
            json(text),
            r#"[0,0,0,0.5,-0.5,0,31,15,10,"00","0123","-007","+01","01.5","00.5","054676820928","054676820928"]"#
        );
    }

    #[test]
    fn block_scalars_at_the_end_of_the_file() {
        // As libyaml reads them: a last line ended by the end of the file has no line break.
        let cases = [
            ("k: |\n  line", "line"),
            ("k: |\n  line\n", "line\n"),
            ("k: |\n  line\r\n", "line\n"),
            ("k: |+\n  line", "line"),
            ("k: |-\n  line", "line"),
            ("k: >\n  a\n  b", "a b"),
            ("k: |\n  a\n  # x", "a\n# x"),
            ("k: |\n  line\n  ", "line\n"),
            ("k: |\n  line\n\n  ", "line\n"),
            ("k: |+\n  line\n  ", "line\n"),
            ("k: |+\n  line\n\n  ", "line\n\n"),
            ("k: |-\n  line\n  ", "line"),
            ("k: |+\n  line\n   ", "line\n "),
            ("k: |\n  a\n   ", "a\n "),
            ("k: >\n  a\n\n  b\n ", "a\nb\n"),
            ("k: |\n   ", ""),
            ("k: |+\n\n  ", "\n"),
            ("k: !!str |1+\n  line\n ", " line\n"),
            ("k: &x |1+\n  a\n  b\n ", " a\n b\n"),
            ("k: !!str |\n  line", "line"),
            ("- |\n  x\n- |\n  y", "y"),
        ];
        for (text, expected) in cases {
            let stream = read(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            let root = &stream.documents[0];
            let value = root.get("k").or_else(|| root.item(1)).and_then(Node::as_str);
            assert_eq!(value, Some(expected), "{text:?}");
        }
    }

    #[test]
    fn relaxed_indentation_is_read_as_libyaml_reads_it() {
        assert_eq!(
            json("a:\n  b: \"x\n  y\"\n  c: [1,\n  2\n  ]\n  d: 'e\n\n f'\n"),
            r#"{"a":{"b":"x y","c":[1,2],"d":"e\nf"}}"#
        );
        let stream = read("a:\n  b: \"x\n  y\"\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stream.warnings.len(), 1);
        // The parser must have read a construct of the same kind, ending where the padded one ends
        // and starting at its opening or at the tag or anchor before it.
        let construct = |open, end, quoted| Construct { open, end, quoted };
        let text = "a: !Sub \"x\ny\"";
        assert!(confirmed(text, &construct(8, 14, true), &[(Span::new(8, 14), true)]));
        assert!(confirmed(text, &construct(8, 14, true), &[(Span::new(3, 14), true)]));
        assert!(!confirmed(text, &construct(8, 14, false), &[(Span::new(8, 14), true)]));
        assert!(!confirmed(text, &construct(8, 14, true), &[(Span::new(8, 13), true)]));
        assert!(!confirmed(text, &construct(8, 14, true), &[(Span::new(9, 14), true)]));
        assert!(!confirmed(text, &construct(8, 14, true), &[(Span::new(2, 14), true)]));
        // An error the padding gets past is not the one reported.
        assert_eq!(
            json("a:\n  b: \"x\n  y\"\n  c: *nope\n"),
            "error Syntax at 21..26: alias `*nope` names no anchor defined before it"
        );
        let text = "a:\n  b: \"x\n  y\"\n  é: [1,\n  2]\n  é: 3\n";
        let error = read(text).err().unwrap_or_else(|| panic!("loaded"));
        assert_eq!((error.kind, &text[error.span.range()]), (ErrorKind::DuplicateKey, "é"));
        assert_eq!(error.span.start, 33);
        assert_eq!(error.related.map(|related| related.span.start), Some(18));
        assert_eq!(
            json("a:\n  b: \"x\n---\n  y\"\n"),
            "error Syntax at 8..9: malformed YAML: while scanning a quoted scalar, found unexpected document indicator"
        );
    }

    #[test]
    fn explicit_core_tags() {
        assert_eq!(json("[!!str 1, !!int '2', !!bool 'true', !!null '', !!float 1]"), r#"["1",2,true,null,1]"#);
        let stream = read("x: !!int abc").map(|s| s.warnings);
        assert_eq!(stream.map(|w| w.len()), Ok(1));
    }

    #[test]
    fn cloudformation_short_forms() {
        let text = "a: !Ref Bucket\nb: !GetAtt Role.Arn\nc: !GetAtt [Db, Endpoint.Address]\nd: !Sub '${AWS::StackName}-x'\n\
                    e: !Join ['', [a, !Ref B]]\nf: !If [Cond, !GetAZs '', !Select [0, !Split [',', x]]]\ng: !Condition IsProd\n\
                    h: !GetAtt Db.Endpoint.Address\ni: !Base64 {x: 1}\n";
        assert_eq!(
            json(text),
            r#"{"a":{"Ref":"Bucket"},"b":{"Fn::GetAtt":["Role","Arn"]},"c":{"Fn::GetAtt":["Db","Endpoint.Address"]},"d":{"Fn::Sub":"${AWS::StackName}-x"},"e":{"Fn::Join":["",["a",{"Ref":"B"}]]},"f":{"Fn::If":["Cond",{"Fn::GetAZs":""},{"Fn::Select":[0,{"Fn::Split":[",","x"]}]}]},"g":{"Condition":"IsProd"},"h":{"Fn::GetAtt":["Db","Endpoint.Address"]},"i":{"Fn::Base64":{"x":1}}}"#
        );
        let stream = read("b: !GetAtt Role.Arn").unwrap_or_else(|e| panic!("{e}"));
        let parts = stream.documents[0].get_path(&["b", "Fn::GetAtt"]).and_then(Node::as_list).unwrap_or_default();
        let text = "b: !GetAtt Role.Arn";
        let located: Vec<&str> = parts.iter().map(|part| &text[part.span.range()]).collect();
        assert_eq!(located, ["Role", "Arn"]);
    }

    #[test]
    fn unknown_tags_keep_their_value_with_a_warning() {
        let text = "a: !Custom 12\nb: !Other [1]\nc: ! 5\nd: !<tag:example.com,2024:x> y\ne: !custom {k: v}\n\
                    f: !Rain::Embed x.py\ng: !Contains [[a], b]\n";
        let stream = read(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            stream.documents[0].to_json(),
            r#"{"a":{"Fn::Custom":"12"},"b":{"Fn::Other":[1]},"c":"5","d":"y","e":{"k":"v"},"f":{"Fn::Rain::Embed":"x.py"},"g":{"Fn::Contains":[["a"],"b"]}}"#
        );
        let messages: Vec<(&str, &str)> =
            stream.warnings.iter().map(|w| (&text[w.span.range()], w.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                ("!Custom 12", "unknown CloudFormation function tag `!Custom`; read as `Fn::Custom`"),
                ("!Other [1]", "unknown CloudFormation function tag `!Other`; read as `Fn::Other`"),
                (
                    "!<tag:example.com,2024:x> y",
                    "unknown tag `!<tag:example.com,2024:x>` ignored; its value is kept as written"
                ),
                ("!custom {k: v}", "unknown tag `!custom` ignored; its value is kept as written"),
                ("!Rain::Embed x.py", "unknown CloudFormation function tag `!Rain::Embed`; read as `Fn::Rain::Embed`"),
            ]
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &base {a: 1, b: 2}\nlist: &l [x, y]\nuse: *base\nboth: [*l, *l]\nmerged:\n  <<: *base\n  b: 3\n  c: 4\nmany:\n  <<: [{z: 1}, {z: 2, a: 0}]\n";
        assert_eq!(
            json(text),
            r#"{"base":{"a":1,"b":2},"list":["x","y"],"use":{"a":1,"b":2},"both":[["x","y"],["x","y"]],"merged":{"a":1,"b":3,"c":4},"many":{"z":1,"a":0}}"#
        );
        let stream = read(text).unwrap_or_else(|e| panic!("{e}"));
        let alias = stream.documents[0].get("use").map(|n| &text[n.span.range()]);
        assert_eq!(alias, Some("*base"));
        assert_eq!(json("a: &k key\n*k : v\n"), r#"{"a":"key","key":"v"}"#);
        assert_eq!(
            json("<<: 3"),
            "error Unsupported at 4..5: the merge key `<<` needs a mapping or a list of mappings"
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        for pair in names.windows(2) {
            let alias = format!("*{}", pair[0]);
            bomb.push_str(&format!("{}: &{} [{}]\n", pair[1], pair[1], [alias.as_str(); 9].join(", ")));
        }
        let error = read(&bomb).err();
        assert_eq!(error.as_ref().map(|e| e.kind), Some(ErrorKind::AliasBudget));
        // The anchored copy costs 3 nodes, and so does each alias.
        let small = Limits { max_alias_nodes: 6, ..Limits::default() };
        assert!(parse("a: &a [1, 2]\nb: *a\n", &small).is_ok());
        assert!(parse("a: &a [1, 2]\nb: *a\nc: *a\n", &small).is_err());
    }

    #[test]
    fn aliases_respect_the_depth_limit() {
        let limits = Limits { max_depth: 3, ..Limits::default() };
        assert!(parse("a: &a [[1]]\n", &limits).is_ok());
        let error = parse("a: &a [[1]]\nb: [*a]\n", &limits).err();
        assert_eq!(error.map(|e| e.kind), Some(ErrorKind::TooDeep));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let indented: String = (0..1000).map(|level| format!("{}a:\n", " ".repeat(level))).collect();
        for deep in ["[".repeat(1_000_000), "- ".repeat(1_000_000), "{a: ".repeat(1_000_000), indented] {
            let error = read(&deep).err();
            assert_eq!(error.map(|e| e.kind), Some(ErrorKind::TooDeep), "{}", &deep[..10]);
        }
    }

    #[test]
    fn multi_document_streams() {
        assert_eq!(json("a: 1\n---\nb: 2\n---\n"), "{\"a\":1}\n{\"b\":2}\nnull");
        assert_eq!(json("# only a comment\n"), "");
    }

    #[test]
    fn errors_are_located_in_bytes() {
        assert_eq!(
            json("a: [1, 2\nb: 3"),
            "error Syntax at 10..11: malformed YAML: illegal placement of ':' indicator"
        );
        let text = "é: 1\né: 2\n";
        let error = read(text).err();
        assert_eq!(error.as_ref().map(|e| e.kind), Some(ErrorKind::DuplicateKey));
        assert_eq!(error.map(|e| &text[e.span.range()]), Some("é"));
        assert_eq!(
            json("? [a]\n: b"),
            "error Unsupported at 2..3: a list or mapping used as a mapping key is not supported"
        );
        assert_eq!(json("a: *nope"), "error Syntax at 3..8: alias `*nope` names no anchor defined before it");
    }

    #[test]
    fn non_ascii_spans_are_bytes() {
        let text = "clé: « valeur »\nnext: [ü, 2]\n";
        let stream = read(text).unwrap_or_else(|e| panic!("{e}"));
        let root = &stream.documents[0];
        let Some(object) = root.as_object() else { panic!("not an object") };
        let located: Vec<(&str, &str)> =
            object.iter().map(|entry| (&text[entry.key.span.range()], &text[entry.value.span.range()])).collect();
        assert_eq!(located, [("clé", "« valeur »"), ("next", "[ü, 2]")]);
    }
}
