//! Evidence loading for Loupe: JSON and YAML read into a value tree where every node carries its
//! byte span, the kind of each document detected from its content, and a normalized view of the
//! resources it declares.
//!
//! ```
//! use loupe_evidence::{load, LoadOptions, Format};
//!
//! let template = b"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-logs'\n";
//! let evidence = load("template.yaml", template, &LoadOptions::default())?;
//! assert_eq!(evidence.format(), Format::CloudFormation);
//! let bucket = evidence.resources_of(&["AWS::S3::Bucket", "aws_s3_bucket"]).next().ok_or("no bucket")?;
//! assert_eq!(bucket.name, "Bucket");
//! let name = bucket.properties.and_then(|p| p.get_path(&["BucketName", "Fn::Sub"])).and_then(|n| n.as_str());
//! assert_eq!(name, Some("${AWS::StackName}-logs"));
//! assert_eq!(evidence.position(bucket.span).to_string(), "2:3");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! This crate does no IO: callers pass the bytes and a display name.
//!
//! # Reading rules
//!
//! - **Syntax** is detected from content: JSON when the first character is `{` or `[` (and if that
//!   fails to parse as JSON, YAML, which has the same flow syntax), else YAML. A name ending in
//!   `.json` means JSON only; [`LoadOptions::syntax`] overrides both. Nothing else depends on the
//!   name, which is only for display: evidence read from standard input (`<stdin>`) is detected
//!   from its content alone.
//! - **JSON** is strict RFC 8259 (no comments, no trailing commas). Numbers are `f64`.
//! - **YAML** streams may hold several documents. Plain scalars are typed by the YAML 1.2 core
//!   schema (`null`/`~`, `true`/`false`, decimal, `0x`, `0o`, floats, `.inf`, `.nan`), except that
//!   a decimal number whose integer part has a leading zero (`[-+]?0[0-9]+`, then an optional
//!   fraction or exponent: `054676820928`, `0123`, `00`, `01.5`) stays the string it is written
//!   as, since reading it as a number would lose its written form (AWS account ids are strings,
//!   and JSON has no such numbers); `0`, `-0`, `0.5`, `0e3`, `0x1F`, `0o17` are numbers. Quoted
//!   and block scalars are strings, so are explicitly tagged ones (`!Ref 1` is the string `"1"`).
//!   Anchors and aliases are expanded (within [`Limits::max_alias_nodes`]), merge keys (`<<`) are
//!   applied. Lists or mappings used as mapping keys are refused.
//! - **Tags**: CloudFormation short forms are read as their long forms (`!Ref` → `{"Ref": …}`,
//!   `!Condition` → `{"Condition": …}`, `!GetAtt a.b` → `{"Fn::GetAtt": ["a", "b"]}`, and
//!   `!Name` → `{"Fn::Name": …}` for the intrinsic, condition and rule functions `Base64`, `Cidr`,
//!   `FindInMap`, `ForEach`, `GetAtt`, `GetAZs`, `GetStackOutput`, `ImportValue`, `Join`,
//!   `Length`, `Select`, `Split`, `Sub`, `ToJsonString`, `Transform`, `And`, `Equals`, `If`,
//!   `Not`, `Or`, `Contains`, `EachMemberEquals`, `EachMemberIn`, `RefAll`, `ValueOf`,
//!   `ValueOfAll`). Any other `!Name` starting with an uppercase ASCII letter is read the same
//!   way (`!BadFunc x` → `{"Fn::BadFunc": "x"}`, `!Rain::Embed f` → `{"Fn::Rain::Embed": "f"}`)
//!   with a [`Warning`] naming the tag at its location: it is kept, not dropped. `!!str`, `!!int`
//!   and the other core tags are applied; any other tag (`!custom`) is dropped, keeping the
//!   value as written, with a [`Warning`] naming it.
//! - **As libyaml reads it**: where YAML 1.2 (and `saphyr-parser`) and libyaml, which
//!   CloudFormation and most tools read templates with, disagree on real files, Loupe reads as
//!   libyaml does. A multi-line quoted scalar or flow collection whose continuation lines (or
//!   closing bracket) are indented no deeper than their key loads, with a [`Warning`]: when the
//!   strict reading fails, those lines are padded with spaces (white space that has no meaning
//!   there) and the text read again, spans being mapped back so that they and lines and columns
//!   stay exact; the padding is kept only if the parser read a quoted scalar or flow collection
//!   exactly where each padded one is, so YAML that reads as YAML 1.2 is never changed. A block
//!   scalar (`|`, `>`, `|+`) whose last line ends the file without a line break gains no line
//!   break (`key: |` then `  line` at the end of the file is `"line"`; with a final newline it is
//!   `"line\n"`).
//! - **Keys** may not repeat within an object unless [`Limits::allow_duplicate_keys`] is set (then
//!   the last one wins): a checker and the deploying tool must not read different values.
//! - **Limits**: input size, nesting depth, alias expansion (see [`Limits`]).
//! - **Errors** ([`EvidenceError`]) have a kind, a message, a span and a line and column. An empty
//!   file (no bytes, or only white space, comments or a byte-order mark) and a file over the size
//!   limit are errors about the whole file, located at its start: an empty span at line 1,
//!   column 1.
//!
//! # Formats and resources
//!
//! Each document's [`Format`] is detected from its top-level shape (see [`detect_format`]) unless
//! [`LoadOptions::format`] forces one. Resources ([`Resource`]) are read from CloudFormation
//! `Resources`, Terraform `planned_values` (root and child modules, recursively) plus
//! `resource_changes` not already seen (their `change.after`), Terraform state `values`, and
//! Kubernetes objects (also inside `List`s). [`Evidence::resources_of`] fetches the resources of
//! several types at once from an index by type. [`Relations::of`] reads which resource refers to
//! which (CloudFormation `Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`; Terraform plan
//! `configuration` references): computed on demand, as the evaluator does once per file.

#![warn(missing_docs)]

mod detect;
mod error;
mod json;
mod relations;
mod relax;
mod resources;
mod value;
mod yaml;

pub use detect::{Format, Syntax, detect_format, detect_syntax};
pub use error::{ErrorKind, EvidenceError, Limits, Related, Warning};
pub use loupe_diagnostics::Span;
pub use loupe_diagnostics::{Column, LineCol, LineIndex};
pub use relations::{Relation, Relations, Via};
pub use resources::{Resource, ResourceId, ResourceIndex};
pub use value::{Entry, Key, Node, Object, Str, Value};

/// How to load a file: limits, and optional overrides of what detection would decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Bounds on size, depth and alias expansion.
    pub limits: Limits,
    /// Read as this syntax instead of detecting it.
    pub syntax: Option<Syntax>,
    /// Treat every document as this format instead of detecting it.
    pub format: Option<Format>,
}

/// One document of a file: a JSON file has one, a YAML stream any number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// What the document is, detected or forced by [`LoadOptions::format`].
    pub format: Format,
    /// Its value tree.
    pub root: Node,
    /// Its position in the file (the nth document of a YAML stream, from 0).
    pub index: usize,
}

/// A loaded evidence file: its documents, resources and what is needed to locate them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The display name the caller gave.
    pub name: String,
    /// Whether it was read as JSON or YAML.
    pub syntax: Syntax,
    /// Its documents, in order.
    pub documents: Vec<Document>,
    /// The line index of its text, to turn spans into lines and columns (and back).
    pub lines: LineIndex,
    /// Things that loaded but deserve a mention (unknown tags, resources without a type).
    pub warnings: Vec<Warning>,
    resources: ResourceIndex,
}

/// Loads evidence from `bytes`; `name` is only for display.
pub fn load(name: &str, bytes: &[u8], options: &LoadOptions) -> Result<Evidence, EvidenceError> {
    let limits = &options.limits;
    if bytes.len() > limits.max_file_size {
        return Err(too_large(name, bytes.len(), limits));
    }
    let text = std::str::from_utf8(bytes).map_err(|error| not_utf8(name, bytes, &error))?;
    load_str(name, text, options)
}

/// Loads evidence from text; `name` is only for display.
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Result<Evidence, EvidenceError> {
    let limits = &options.limits;
    if text.len() > limits.max_file_size {
        return Err(too_large(name, text.len(), limits));
    }
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    if text[start..].trim().is_empty() {
        return Err(EvidenceError::whole_file(ErrorKind::Empty, format!("{name} is empty")));
    }
    let lines = LineIndex::new(text);
    let locate = |error: EvidenceError| error.locate(&lines);
    let (syntax, roots, mut warnings) = parse(name, text, start, options).map_err(locate)?;
    if roots.is_empty() {
        return Err(EvidenceError::whole_file(ErrorKind::Empty, format!("{name} holds no YAML document")));
    }
    let documents: Vec<Document> = roots
        .into_iter()
        .enumerate()
        .map(|(index, root)| Document { format: options.format.unwrap_or_else(|| detect_format(&root)), root, index })
        .collect();
    let mut extractor = resources::Extractor::new(&mut warnings);
    for document in &documents {
        extractor.document(document.index, document.format, &document.root);
    }
    let resources = extractor.finish();
    Ok(Evidence { name: name.to_owned(), syntax, documents, lines, warnings, resources })
}

/// Reads one JSON value from `text`, such as an IAM policy document that a Terraform plan holds
/// as a string: the same strict reader as a JSON file, within the same limits (size, depth,
/// duplicate keys). Spans are byte offsets into `text`.
pub fn parse_json(text: &str, limits: &Limits) -> Result<Node, EvidenceError> {
    if text.len() > limits.max_file_size {
        return Err(too_large("the text", text.len(), limits));
    }
    json::parse(text, 0, limits)
}

type Parsed = (Syntax, Vec<Node>, Vec<Warning>);

fn parse(name: &str, text: &str, start: usize, options: &LoadOptions) -> Result<Parsed, EvidenceError> {
    let limits = &options.limits;
    let yaml = || yaml::parse(text, limits).map(|stream| (Syntax::Yaml, stream.documents, stream.warnings));
    // A `.json` name is a promise of JSON: no second chance as YAML.
    let named_json = name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(".json");
    let declared = options.syntax.or(named_json.then_some(Syntax::Json));
    match declared.unwrap_or_else(|| detect_syntax(text)) {
        Syntax::Yaml => yaml(),
        Syntax::Json => match json::parse(text, start, limits) {
            Ok(root) => Ok((Syntax::Json, vec![root], Vec::new())),
            // Looked like JSON but is not: it may be YAML in flow style (`{a: 1}`).
            Err(error) if declared.is_none() && error.kind == ErrorKind::Syntax => yaml().map_err(|_| error),
            Err(error) => Err(error),
        },
    }
}

fn too_large(name: &str, len: usize, limits: &Limits) -> EvidenceError {
    let message = format!("{name} is {len} bytes, more than the limit of {} bytes", limits.max_file_size);
    EvidenceError::whole_file(ErrorKind::TooLarge, message)
}

fn not_utf8(name: &str, bytes: &[u8], error: &std::str::Utf8Error) -> EvidenceError {
    let at = error.valid_up_to();
    let end = at + error.error_len().unwrap_or(bytes.len() - at);
    let message = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        format!("{name} is UTF-16 text; only UTF-8 is read")
    } else {
        format!("{name} is not valid UTF-8: byte 0x{:02X} at offset {at}", bytes.get(at).copied().unwrap_or(0))
    };
    let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let position = LineIndex::new(valid).line_col(u32::try_from(at).unwrap_or(u32::MAX), Column::Chars);
    let mut error = EvidenceError::new(ErrorKind::NotUtf8, message, Span::new(at, end));
    error.position = position;
    error
}

impl Evidence {
    /// The file's format: that of its first document with resources-bearing format, else generic.
    pub fn format(&self) -> Format {
        self.documents
            .iter()
            .map(|document| document.format)
            .find(|&format| format != Format::Generic)
            .unwrap_or(Format::Generic)
    }

    /// The line and column (in characters) where `span` starts.
    pub fn position(&self, span: Span) -> LineCol {
        self.lines.line_col(span.start, Column::Chars)
    }

    /// The resource index, for counts and ids.
    pub fn resource_index(&self) -> &ResourceIndex {
        &self.resources
    }

    /// The number of resources.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// Resource `id`.
    pub fn resource(&self, id: ResourceId) -> Option<Resource<'_>> {
        self.resources.get(id, &self.documents)
    }

    /// The type of resource `id` (empty for an id of another file).
    pub fn resource_kind(&self, id: ResourceId) -> &str {
        self.resources.kind(id)
    }

    /// The name of resource `id` (empty for an id of another file).
    pub fn resource_name(&self, id: ResourceId) -> &str {
        self.resources.name(id)
    }

    /// The properties of resource `id` (see [`Resource::properties`]), found without resolving
    /// the rest of it.
    pub fn resource_properties(&self, id: ResourceId) -> Option<&Node> {
        self.resources.properties(id, &self.documents)
    }

    /// Where resource `id` is defined (empty for an id of another file).
    pub fn resource_span(&self, id: ResourceId) -> Span {
        self.resources.span(id)
    }

    /// Every resource, in document order.
    pub fn resources(&self) -> impl Iterator<Item = Resource<'_>> {
        (0..self.resources.len()).filter_map(|i| self.resource(ResourceId(u32::try_from(i).unwrap_or(u32::MAX))))
    }

    /// The resources of any of `kinds`, in document order; a kind ending in `*` is a prefix
    /// (`AWS::Bedrock::*`). Costs a lookup per kind plus the resources returned.
    pub fn resources_of(&self, kinds: &[&str]) -> impl Iterator<Item = Resource<'_>> {
        self.resources.ids_of(kinds).into_iter().filter_map(|id| self.resource(id))
    }

    /// The resources named `name` (logical id, Terraform address, `namespace/name`), in document order.
    pub fn resources_named(&self, name: &str) -> impl Iterator<Item = Resource<'_>> {
        self.resources.ids_named(name).into_iter().filter_map(|id| self.resource(id))
    }
}
