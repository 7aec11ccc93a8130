//! The functions every check can call: one table of their names, signatures
//! and documentation, keyed by [`Builtin`].
//!
//! The type checker reads the signatures, editor features (hover, completion)
//! and `docs/language.md` the documentation. Evaluation lives with the runtime
//! values in `loupe-eval`, as an exhaustive `match` over [`Builtin`], so a
//! built-in added here does not compile until it is evaluated there.
//!
//! Evidence is untyped JSON, so most values are [`Ty::Any`]; the checker only
//! rejects what can never work, such as `count("text")` or `and` over a number.

/// The static type of a check expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Evidence data: anything, known only when the check runs.
    Any,
    Bool,
    Number,
    String,
    List,
    Regex,
    Null,
}

impl Ty {
    /// The type in a sentence: "a boolean".
    pub fn name(self) -> &'static str {
        match self {
            Ty::Any => "any value",
            Ty::Bool => "a boolean",
            Ty::Number => "a number",
            Ty::String => "a string",
            Ty::List => "a list",
            Ty::Regex => "a regex",
            Ty::Null => "null",
        }
    }

    /// The type in a signature: `bool`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ty::Any => "any",
            Ty::Bool => "bool",
            Ty::Number => "number",
            Ty::String => "string",
            Ty::List => "list",
            Ty::Regex => "regex",
            Ty::Null => "null",
        }
    }

    /// Whether a value of this type can be used where `expected` is needed.
    pub fn fits(self, expected: Ty) -> bool {
        self == expected || self == Ty::Any || expected == Ty::Any || self == Ty::Null
    }
}

/// A parameter of a built-in: its name (for signatures and hover) and type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub ty: Ty,
}

/// A built-in's entry in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub name: &'static str,
    pub params: &'static [Param],
    /// The last parameter repeats: `resources(type, ...)`.
    pub variadic: bool,
    /// The last parameter may be left out: `refs(resource, property?)`.
    pub optional: bool,
    pub returns: Ty,
    /// One or two sentences, for hover, completion and `docs/language.md`.
    pub doc: &'static str,
    /// A condition using it that holds, as a check would write it. Tests run
    /// each one over a plan holding one `aws_iam_role` and a policy
    /// attachment that refers to it.
    pub example: &'static str,
}

/// Declares [`Builtin`] and its table in one list, so that a variant cannot
/// exist without its entry, nor an entry without its variant.
macro_rules! builtins {
    ($($variant:ident => $spec:expr,)*) => {
        /// A built-in function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Builtin {
            $($variant,)*
        }

        impl Builtin {
            /// Every built-in, in the order the documentation lists them.
            pub const ALL: &'static [Builtin] = &[$(Builtin::$variant,)*];

            /// Its name, signature and documentation.
            pub fn spec(self) -> &'static Spec {
                const SPECS: &[Spec] = &[$($spec,)*];
                &SPECS[self as usize]
            }
        }
    };
}

const fn param(name: &'static str, ty: Ty) -> Param {
    Param { name, ty }
}

builtins! {
    Resources => Spec {
        name: "resources",
        params: &[param("type", Ty::String)],
        variadic: true,
        optional: false,
        returns: Ty::List,
        doc: "The evidence resources of any of the given types (CloudFormation, Terraform or Kubernetes names).",
        example: r#"count(resources("AWS::IAM::Role", "aws_iam_role")) == 1"#,
    },
    Refs => Spec {
        name: "refs",
        params: &[param("resource", Ty::Any), param("property", Ty::String)],
        variadic: false,
        optional: true,
        returns: Ty::List,
        doc: "The resources a resource refers to, each once (CloudFormation `Ref`, `Fn::GetAtt`, `Fn::Sub`, \
              `DependsOn`; Terraform plan references); with a property path such as `\"Roles\"`, those written under it.",
        example: r#"refs(resources("aws_iam_role_policy_attachment")[0], "role")[*].name == ["aws_iam_role.app"]"#,
    },
    Referrers => Spec {
        name: "referrers",
        params: &[param("resource", Ty::Any), param("type", Ty::String)],
        variadic: true,
        optional: false,
        returns: Ty::List,
        doc: "The resources of any of the given types that refer to a resource (`refs` the other way), each once.",
        example: r#"count(referrers(resources("aws_iam_role")[0], "aws_iam_role_policy_attachment", "AWS::IAM::Policy")) == 1"#,
    },
    Documents => Spec {
        name: "documents",
        params: &[],
        variadic: false,
        optional: false,
        returns: Ty::List,
        doc: "Every evidence document as raw data, for formats without a resource view.",
        example: "count(documents()) == 1",
    },
    Count => Spec {
        name: "count",
        params: &[param("list", Ty::List)],
        variadic: false,
        optional: false,
        returns: Ty::Number,
        doc: "The number of items in a list.",
        example: r#"count(["a", "b"]) == 2"#,
    },
    Len => Spec {
        name: "len",
        params: &[param("value", Ty::Any)],
        variadic: false,
        optional: false,
        returns: Ty::Number,
        doc: "The length of a string, list or object.",
        example: r#"len("bedrock") == 7"#,
    },
    Exists => Spec {
        name: "exists",
        params: &[param("value", Ty::Any)],
        variadic: false,
        optional: false,
        returns: Ty::Bool,
        doc: "Whether a value is present (not missing and not null).",
        example: r#"exists(resources("aws_iam_role")[0].name) and not exists(null)"#,
    },
    Lower => Spec {
        name: "lower",
        params: &[param("text", Ty::String)],
        variadic: false,
        optional: false,
        returns: Ty::String,
        doc: "The string in lower case.",
        example: r#"lower("Bedrock") == "bedrock""#,
    },
    Upper => Spec {
        name: "upper",
        params: &[param("text", Ty::String)],
        variadic: false,
        optional: false,
        returns: Ty::String,
        doc: "The string in upper case.",
        example: r#"upper("gpu") == "GPU""#,
    },
    Keys => Spec {
        name: "keys",
        params: &[param("value", Ty::Any)],
        variadic: false,
        optional: false,
        returns: Ty::List,
        doc: "The keys of an object, sorted.",
        example: r#""format_version" in keys(documents()[0])"#,
    },
    Flatten => Spec {
        name: "flatten",
        params: &[param("list", Ty::List)],
        variadic: false,
        optional: false,
        returns: Ty::List,
        doc: "A list of lists made into one list; other items are kept as they are.",
        example: "flatten([[1, 2], [3], 4]) == [1, 2, 3, 4]",
    },
    Join => Spec {
        name: "join",
        params: &[param("list", Ty::List), param("separator", Ty::String)],
        variadic: false,
        optional: false,
        returns: Ty::String,
        doc: "The strings, numbers and booleans of a list joined with a separator; other items are left out \
              (for CloudFormation's `Fn::Join`, whose parts mix text with `Ref`s).",
        example: r#"join(["arn", "aws", 42, null], ":") == "arn:aws:42""#,
    },
    Distinct => Spec {
        name: "distinct",
        params: &[param("list", Ty::List)],
        variadic: false,
        optional: false,
        returns: Ty::List,
        doc: "The list without repeated items, in first-seen order.",
        example: r#"distinct(["b", "a", "b"]) == ["b", "a"]"#,
    },
    Any => Spec {
        name: "any",
        params: &[param("list", Ty::List)],
        variadic: false,
        optional: false,
        returns: Ty::Bool,
        doc: "Whether some item of a list is `true`.",
        example: "any([false, 2 > 1])",
    },
    All => Spec {
        name: "all",
        params: &[param("list", Ty::List)],
        variadic: false,
        optional: false,
        returns: Ty::Bool,
        doc: "Whether every item of a list is `true`.",
        example: "all([true, 2 > 1]) and not all([true, false])",
    },
    Sum => Spec {
        name: "sum",
        params: &[param("list", Ty::List)],
        variadic: false,
        optional: false,
        returns: Ty::Number,
        doc: "The sum of the numbers in a list; other items are left out.",
        example: r#"sum([1, 2.5, "x"]) == 3.5"#,
    },
    Number => Spec {
        name: "number",
        params: &[param("value", Ty::Any)],
        variadic: false,
        optional: false,
        returns: Ty::Number,
        doc: "A number, or a string holding one, as a number (missing when it is neither).",
        example: r#"number(" 42 ") == 42 and not exists(number("many"))"#,
    },
    // Values from strings.
    Json => Spec {
        name: "json",
        params: &[param("text", Ty::String)],
        variadic: false,
        optional: false,
        returns: Ty::Any,
        doc: "The value a string of JSON holds (Terraform writes IAM policies as JSON strings), located where \
              the string is. An object or list is returned as is; other values, and text that is not JSON within \
              evidence limits, are missing.",
        example: r#"json("{\"Statement\": [{\"Action\": \"s3:*\"}]}").Statement[0].Action == "s3:*" and not exists(json("{"))"#,
    },
    ManagedPolicy => Spec {
        name: "managed_policy",
        params: &[param("arn", Ty::String)],
        variadic: false,
        optional: false,
        returns: Ty::Any,
        doc: "The document of the AWS managed policy an ARN names (any partition or path, or `Fn::Sub`/`Fn::Join` \
              with `AWS::Partition`), keeping its statements on Bedrock and SageMaker; missing when unknown.",
        example: r#"managed_policy("arn:aws:iam::aws:policy/AdministratorAccess").Statement[0].Action == "*""#,
    },
}

impl Builtin {
    /// The built-in called `name`. The only place names are read.
    pub fn lookup(name: &str) -> Option<Builtin> {
        Builtin::ALL.iter().copied().find(|builtin| builtin.name() == name)
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The position from which its arguments name resource types, checked against the catalog:
    /// `resources(type, ...)`, `referrers(resource, type, ...)`.
    pub fn resource_types_from(self) -> Option<usize> {
        match self {
            Builtin::Resources => Some(0),
            Builtin::Referrers => Some(1),
            _ => None,
        }
    }
}

impl Spec {
    pub fn accepts(&self, count: usize) -> bool {
        let least = self.params.len() - usize::from(self.optional);
        count >= least && (self.variadic || count <= self.params.len())
    }

    /// The expected type of argument `position`.
    pub fn param(&self, position: usize) -> Ty {
        self.params.get(position).or(self.params.last()).map_or(Ty::Any, |param| param.ty)
    }

    pub fn arity_text(&self) -> String {
        let n = self.params.len();
        let plural = if n == 1 { "" } else { "s" };
        match (self.variadic, self.optional) {
            (true, false) => format!("at least {n} argument{plural}"),
            (true, true) => format!("at least {} argument{}", n - 1, if n == 2 { "" } else { "s" }),
            (false, true) => format!("{} or {n} arguments", n - 1),
            (false, false) => format!("{n} argument{plural}"),
        }
    }

    /// `join(list: list, separator: string) -> string`, for hover and docs.
    pub fn signature(&self) -> String {
        let last = self.params.len().saturating_sub(1);
        let mut params: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, param)| {
                let optional = if self.optional && i == last { "?" } else { "" };
                format!("{}{optional}: {}", param.name, param.ty.as_str())
            })
            .collect();
        if self.variadic {
            params.push("...".to_string());
        }
        format!("{}({}) -> {}", self.name, params.join(", "), self.returns.as_str())
    }
}

/// The table of built-ins in `docs/language.md`, generated from [`Builtin::ALL`].
pub fn builtins_markdown() -> String {
    let mut table = String::from("| Signature | Description | Example |\n|---|---|---|\n");
    for builtin in Builtin::ALL {
        let spec = builtin.spec();
        let example = spec.example.replace('|', "\\|");
        table.push_str(&format!("| `{}` | {} | `{example}` |\n", spec.signature(), spec.doc));
    }
    table
}
