//! The functions every check can call, with their signatures.
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

    /// Whether a value of this type can be used where `expected` is needed.
    pub fn fits(self, expected: Ty) -> bool {
        self == expected || self == Ty::Any || expected == Ty::Any || self == Ty::Null
    }
}

/// A built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    pub name: &'static str,
    /// Parameter types; with `variadic`, the last one repeats.
    pub params: &'static [Ty],
    pub variadic: bool,
    pub returns: Ty,
    pub doc: &'static str,
}

impl Builtin {
    pub fn lookup(name: &str) -> Option<&'static Builtin> {
        BUILTINS.iter().find(|builtin| builtin.name == name)
    }

    pub fn accepts(&self, count: usize) -> bool {
        if self.variadic { count >= self.params.len() } else { count == self.params.len() }
    }

    /// The expected type of argument `position`.
    pub fn param(&self, position: usize) -> Ty {
        self.params.get(position).or(self.params.last()).copied().unwrap_or(Ty::Any)
    }

    pub fn arity_text(&self) -> String {
        let n = self.params.len();
        let plural = if n == 1 { "" } else { "s" };
        if self.variadic { format!("at least {n} argument{plural}") } else { format!("{n} argument{plural}") }
    }
}

pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "resources",
        params: &[Ty::String],
        variadic: true,
        returns: Ty::List,
        doc: "The evidence resources of any of the given types, e.g. `resources(\"AWS::IAM::Role\", \"aws_iam_role\")`.",
    },
    Builtin {
        name: "documents",
        params: &[],
        variadic: false,
        returns: Ty::List,
        doc: "Every evidence document as raw data, for formats without a resource view.",
    },
    Builtin {
        name: "count",
        params: &[Ty::List],
        variadic: false,
        returns: Ty::Number,
        doc: "The number of items in a list.",
    },
    Builtin {
        name: "len",
        params: &[Ty::Any],
        variadic: false,
        returns: Ty::Number,
        doc: "The length of a string, list or object.",
    },
    Builtin {
        name: "exists",
        params: &[Ty::Any],
        variadic: false,
        returns: Ty::Bool,
        doc: "Whether a value is present (not missing and not null).",
    },
    Builtin {
        name: "lower",
        params: &[Ty::String],
        variadic: false,
        returns: Ty::String,
        doc: "The string in lower case.",
    },
    Builtin {
        name: "upper",
        params: &[Ty::String],
        variadic: false,
        returns: Ty::String,
        doc: "The string in upper case.",
    },
    Builtin {
        name: "keys",
        params: &[Ty::Any],
        variadic: false,
        returns: Ty::List,
        doc: "The keys of an object, sorted.",
    },
    Builtin {
        name: "flatten",
        params: &[Ty::List],
        variadic: false,
        returns: Ty::List,
        doc: "A list of lists made into one list; other items are kept as they are.",
    },
    Builtin {
        name: "join",
        params: &[Ty::List, Ty::String],
        variadic: false,
        returns: Ty::String,
        doc: "The strings, numbers and booleans of a list joined with a separator; other items are left out \
              (for CloudFormation's `Fn::Join`, whose parts mix text with `Ref`s).",
    },
    Builtin {
        name: "distinct",
        params: &[Ty::List],
        variadic: false,
        returns: Ty::List,
        doc: "The list without repeated items, in first-seen order.",
    },
    Builtin {
        name: "any",
        params: &[Ty::List],
        variadic: false,
        returns: Ty::Bool,
        doc: "Whether some item of a list is `true`.",
    },
    Builtin {
        name: "all",
        params: &[Ty::List],
        variadic: false,
        returns: Ty::Bool,
        doc: "Whether every item of a list is `true`.",
    },
    Builtin {
        name: "sum",
        params: &[Ty::List],
        variadic: false,
        returns: Ty::Number,
        doc: "The sum of the numbers in a list.",
    },
    Builtin {
        name: "number",
        params: &[Ty::Any],
        variadic: false,
        returns: Ty::Number,
        doc: "A number, or a string holding one, as a number (missing when it is neither).",
    },
];
