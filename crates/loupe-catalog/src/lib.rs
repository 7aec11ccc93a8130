//! A compact catalog of AWS resource types and their top-level property names, so that `loupe check`
//! can warn about a type no catalog has (`AWS::Lambda::Funtion`) or a property its type does not have
//! (`.properties.BucketEncrypton` on `AWS::S3::Bucket`), with a did-you-mean.
//!
//! # Data
//!
//! Two files under `data/`, embedded with `include_str!` and parsed once, on first use:
//!
//! - `cloudformation.txt`: every CloudFormation resource type (the union over all regions, and the
//!   SAM types `AWS::Serverless::*`) with the top-level properties a template can set: the schema's
//!   `properties` less its `readOnlyProperties` (`Arn`, `Id`, ... are `Fn::GetAtt` attributes, never in
//!   a template's `Properties`). Source: AWS's CloudFormation resource provider schemas as shipped by
//!   the PyPI package `cfn-lint`.
//! - `terraform-aws.txt`: every resource (`aws_...`) and data source of the Terraform AWS provider with
//!   its top-level attributes and blocks, arguments and computed attributes alike (a plan's values hold
//!   both). Data sources are named `data.aws_...`, as Loupe's evidence loader types them. Source: the
//!   `hashicorp/aws` provider schema as generated into the npm package `@cdktn/provider-aws`.
//!
//! [`Catalog::sources`] gives the exact package and provider versions. The format is `#` header lines
//! (`# source: ...` name a source and its version), then one sorted line per type,
//! `TypeName<TAB>Prop1,Prop2,...` with sorted property names. `scripts/catalog/generate.py` writes
//! both files from the downloaded packages; see its doc for how to rerun it.
//!
//! # What the catalog judges
//!
//! The catalog *covers* ([`Catalog::covers`]) the type names of the AWS namespaces it ships: the
//! CloudFormation namespaces `AWS::`, `Alexa::` and `AMZN::` and the Terraform names `aws_...` and
//! `data.aws_...` (namespaces and prefixes compared case-insensitively, so `aws::s3::bucket` is covered
//! and gets `AWS::S3::Bucket` as its suggestion). [`Catalog::is_known`] is true for a type it knows and
//! for every type it does not cover, which it cannot judge: CloudFormation custom resources
//! (`Custom::MyThing`), third-party registry types and modules (`MyOrg::Service::Thing`,
//! `...::MODULE`), other Terraform providers (`google_storage_bucket`, `azurerm_...`), Kubernetes kinds
//! (`Deployment`). A type whose properties are whatever its template passes on has no property list:
//! `AWS::CloudFormation::CustomResource` and any `Custom::...` type (see [`Catalog::is_custom`]), so
//! [`Catalog::has_property`] answers `None` for them, as for unknown types.
//!
//! A pack can declare more types in its manifest, with or without their properties:
//! [`Catalog::with_extra`] returns a catalog that knows them too, a declaration replacing a built-in
//! type of the same name.
//!
//! Property names are case-sensitive (CloudFormation PascalCase, Terraform snake_case); suggestions
//! compare case-insensitively, through [`loupe_diagnostics::suggest::closest`].

use std::borrow::Cow;
use std::sync::OnceLock;

use loupe_diagnostics::suggest::{closest, closest_within};

const CLOUDFORMATION: &str = include_str!("../data/cloudformation.txt");
const TERRAFORM_AWS: &str = include_str!("../data/terraform-aws.txt");

/// Built-in types whose properties are whatever a template passes on to a custom provider.
const OPEN_TYPES: &[&str] = &["AWS::CloudFormation::CustomResource"];

/// The CloudFormation namespaces the built-in data covers.
const CLOUDFORMATION_NAMESPACES: &[&str] = &["AWS", "Alexa", "AMZN"];

/// Resource types and their top-level properties: the built-in data, plus the types a pack declares.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// Sorted by name, names unique.
    types: Vec<Entry>,
    sources: Vec<&'static str>,
}

#[derive(Clone, Debug)]
struct Entry {
    name: Cow<'static, str>,
    properties: Props,
}

#[derive(Clone, Debug)]
enum Props {
    /// A built-in line's sorted, comma-separated list.
    Builtin(&'static str),
    /// A declared list, sorted and deduplicated.
    Declared(Box<[Box<str>]>),
    /// Any property: a custom resource, or a type declared without its properties.
    Open,
}

/// Which names a type is compared with for a suggestion.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `Namespace::Service::Type`.
    CloudFormation,
    /// `data.provider_name`.
    DataSource,
    /// Anything else: a Terraform resource, a Kubernetes kind, ...
    Resource,
}

fn family(ty: &str) -> Family {
    if ty.contains("::") {
        Family::CloudFormation
    } else if ty.starts_with("data.") {
        Family::DataSource
    } else {
        Family::Resource
    }
}

/// The greatest edit distance from an unknown type to a suggestion: a third of the part of its name
/// that tells it from others of its kind, the part after the last `::` of `AWS::S3::Bucket` and after
/// the `aws_` of `aws_s3_bucket`, so that a long namespace does not make `AWS::EC2::Foo` look like a
/// typo of `AWS::EC2::EIP`.
fn type_limit(ty: &str) -> usize {
    let telling = match ty.rfind("::") {
        Some(at) => &ty[at + 2..],
        None => {
            let ty = ty.strip_prefix("data.").unwrap_or(ty);
            ty.split_once('_').map_or(ty, |(_, rest)| rest)
        }
    };
    (telling.chars().count() / 3).max(1)
}

impl Catalog {
    /// The built-in catalog, parsed on the first call.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| Catalog::parse(&[CLOUDFORMATION, TERRAFORM_AWS]))
    }

    fn parse(files: &[&'static str]) -> Catalog {
        let mut types = Vec::with_capacity(files.iter().map(|file| file.len() / 100).sum());
        let mut sources = Vec::new();
        for file in files {
            for line in file.lines() {
                if let Some(comment) = line.strip_prefix('#') {
                    if let Some(source) = comment.trim_start().strip_prefix("source:") {
                        sources.push(source.trim());
                    }
                    continue;
                }
                let Some((name, properties)) = line.split_once('\t') else { continue };
                let properties = if OPEN_TYPES.contains(&name) { Props::Open } else { Props::Builtin(properties) };
                types.push(Entry { name: Cow::Borrowed(name), properties });
            }
        }
        types.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        types.dedup_by(|a, b| a.name == b.name);
        Catalog { types, sources }
    }

    /// This catalog and the types a pack declares, each with its top-level property names or `None`
    /// for any property. A declared type replaces a known type of the same name.
    pub fn with_extra<S: Into<String>>(&self, types: impl IntoIterator<Item = (S, Option<Vec<S>>)>) -> Catalog {
        let mut extra: Vec<Entry> = types
            .into_iter()
            .map(|(name, properties)| {
                let properties = match properties {
                    Some(list) => {
                        let mut list: Vec<Box<str>> = list.into_iter().map(|p| p.into().into_boxed_str()).collect();
                        list.sort_unstable();
                        list.dedup();
                        Props::Declared(list.into_boxed_slice())
                    }
                    None => Props::Open,
                };
                Entry { name: Cow::Owned(name.into()), properties }
            })
            .collect();
        // The last declaration of a name wins, then any declaration over the built-in entry.
        extra.reverse();
        extra.extend(self.types.iter().cloned());
        extra.sort_by(|a, b| a.name.cmp(&b.name));
        extra.dedup_by(|a, b| a.name == b.name);
        Catalog { types: extra, sources: self.sources.clone() }
    }

    fn entry(&self, ty: &str) -> Option<&Entry> {
        self.types.binary_search_by(|entry| (*entry.name).cmp(ty)).ok().map(|at| &self.types[at])
    }

    /// The number of types known.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether no type is known.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Every known type, sorted.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|entry| &*entry.name)
    }

    /// Whether `ty` is a known type, exactly (case-sensitive).
    pub fn knows_type(&self, ty: &str) -> bool {
        self.entry(ty).is_some()
    }

    /// Whether some known type starts with `prefix`: the types a selection such as `AWS::Bedrock::*`
    /// matches. A trailing `*` on `prefix` is ignored.
    pub fn knows_prefix(&self, prefix: &str) -> bool {
        let prefix = prefix.strip_suffix('*').unwrap_or(prefix);
        let at = self.types.partition_point(|entry| *entry.name < *prefix);
        self.types.get(at).is_some_and(|entry| entry.name.starts_with(prefix))
    }

    /// Whether the catalog claims to know every type named like `ty` (a trailing `*` ignored): the
    /// CloudFormation namespaces `AWS::`, `Alexa::`, `AMZN::` and the Terraform names `aws_...` and
    /// `data.aws_...`, compared case-insensitively. A type it covers and does not know is a mistake.
    pub fn covers(&self, ty: &str) -> bool {
        let ty = ty.strip_suffix('*').unwrap_or(ty);
        if let Some((namespace, _)) = ty.split_once("::") {
            return CLOUDFORMATION_NAMESPACES.iter().any(|known| known.eq_ignore_ascii_case(namespace));
        }
        let ty = match ty.get(..5) {
            Some(data) if data.eq_ignore_ascii_case("data.") => &ty[5..],
            _ => ty,
        };
        ty.get(..4).is_some_and(|aws| aws.eq_ignore_ascii_case("aws_"))
    }

    /// Whether a selection of `ty` is fine: `ty` is a known type, or, ending in `*`, prefixes one, or
    /// the catalog does not cover it (a custom resource, another provider, a Kubernetes kind, ...).
    /// `false` calls for a warning, with [`Catalog::suggest_type`].
    pub fn is_known(&self, ty: &str) -> bool {
        let known = match ty.strip_suffix('*') {
            Some(prefix) => self.knows_prefix(prefix),
            None => self.knows_type(ty),
        };
        known || !self.covers(ty)
    }

    /// Whether `ty` is a custom resource, whose properties are whatever its template passes on to its
    /// provider: `Custom::...` or `AWS::CloudFormation::CustomResource`.
    pub fn is_custom(ty: &str) -> bool {
        ty.starts_with("Custom::") || OPEN_TYPES.contains(&ty)
    }

    /// The top-level property names of `ty`, sorted; `None` when the type is unknown or takes any
    /// property (a custom resource, a type declared without properties).
    pub fn properties(&self, ty: &str) -> Option<Properties<'_>> {
        match &self.entry(ty)?.properties {
            Props::Builtin(list) => Some(Properties(Inner::Builtin(list.split(',')))),
            Props::Declared(list) => Some(Properties(Inner::Declared(list.iter()))),
            Props::Open => None,
        }
    }

    /// Whether `ty` has the top-level property `prop` (case-sensitive); `None` when the catalog cannot
    /// tell: `ty` is unknown or takes any property.
    pub fn has_property(&self, ty: &str, prop: &str) -> Option<bool> {
        match &self.entry(ty)?.properties {
            Props::Builtin(list) => Some(list.split(',').any(|known| known == prop)),
            Props::Declared(list) => Some(list.binary_search_by(|known| (**known).cmp(prop)).is_ok()),
            Props::Open => None,
        }
    }

    /// The known type closest to an unknown `ty`, if close enough to be a likely typo: compared with
    /// the types of the same shape (`Namespace::Service::Type`, `data.name`, or `name`), built-in and
    /// declared, case-insensitively, within an edit distance of a third of the name's last part (`Funtion`
    /// of `AWS::Lambda::Funtion`, `lamda_function` of `aws_lamda_function`). `None` for a known type.
    pub fn suggest_type(&self, ty: &str) -> Option<&str> {
        if self.knows_type(ty) {
            return None;
        }
        let family = family(ty);
        closest_within(ty, self.types().filter(|known| self::family(known) == family), type_limit(ty))
    }

    /// The property of `ty` closest to `prop`, if `ty` lacks `prop` and one is close enough to be a
    /// likely typo (`BucketEncryption` for `BucketEncrypton`).
    pub fn suggest_property(&self, ty: &str, prop: &str) -> Option<&str> {
        if self.has_property(ty, prop)? {
            return None;
        }
        closest(prop, self.properties(ty)?)
    }

    /// The sources of the built-in data and their versions, one line each, from the data files'
    /// `# source:` headers, for example `cfn-lint 1.58.0 (PyPI), ...`.
    pub fn sources(&self) -> &[&'static str] {
        &self.sources
    }
}

/// The top-level property names of a type, sorted: see [`Catalog::properties`].
#[derive(Clone, Debug)]
pub struct Properties<'a>(Inner<'a>);

#[derive(Clone, Debug)]
enum Inner<'a> {
    Builtin(std::str::Split<'a, char>),
    Declared(std::slice::Iter<'a, Box<str>>),
}

impl<'a> Iterator for Properties<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match &mut self.0 {
            // A type without properties has an empty list, which splits into one empty name.
            Inner::Builtin(split) => split.find(|name| !name.is_empty()),
            Inner::Declared(iter) => iter.next().map(|name| &**name),
        }
    }
}
