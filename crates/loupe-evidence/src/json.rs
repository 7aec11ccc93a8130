//! A strict JSON (RFC 8259) reader that builds the spanned value tree directly.
//!
//! It is iterative (an explicit stack, so no input can overflow the call stack), stops at the
//! first bracket deeper than the limit, and gathers list items and object entries on two shared
//! stacks so every container is allocated once, at its exact size.

use loupe_diagnostics::Span;

use crate::error::{ErrorKind, EvidenceError, Limits};
use crate::value::{Entry, Key, Node, Object, Str, Value};

mod split;

/// Reads one JSON value filling `text` from `start` (after a byte-order mark, if any). A large
/// document is read on all cores ([`split`]), with the same result as on one.
pub(crate) fn parse(text: &str, start: usize, limits: &Limits) -> Result<Node, EvidenceError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads > 1
        && text.len() - start >= split::SPLIT_FROM
        && let Some(node) = split::parse(text, start, limits, threads, split::SPLIT_FROM / 4)
    {
        return Ok(node);
    }
    Reader::new(text, start, limits).document()
}

enum Frame {
    List { start: usize, base: usize },
    Object { start: usize, base: usize, key: Key },
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
    allow_duplicate_keys: bool,
    /// Items of the lists being read, innermost last.
    items: Vec<Node>,
    /// Entries of the objects being read, innermost last.
    entries: Vec<Entry>,
    /// Buffer for strings with escapes.
    scratch: String,
    /// Containers read already on other threads, the next last.
    grafts: Vec<split::Graft>,
}

/// The members of part of a container: entries of an object, items of a list.
enum Members {
    Entries(Vec<Entry>),
    Items(Vec<Node>),
}

impl Members {
    fn len(&self) -> usize {
        match self {
            Members::Entries(entries) => entries.len(),
            Members::Items(items) => items.len(),
        }
    }
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, pos: usize, limits: &Limits) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos,
            max_depth: limits.effective_max_depth(),
            allow_duplicate_keys: limits.allow_duplicate_keys,
            items: Vec::new(),
            entries: Vec::new(),
            scratch: String::new(),
            grafts: Vec::new(),
        }
    }

    /// The value that fills the text from the current position.
    fn document(&mut self) -> Result<Node, EvidenceError> {
        self.skip_whitespace();
        let node = self.value(0)?;
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            return Err(self.unexpected("the end of the input after the JSON value"));
        }
        Ok(node)
    }

    /// The members of a container at `depth` from the current position (after
    /// its opening bracket or a comma) to `end`, where the comma or closing
    /// bracket after the last of them is; `expected` of them, most likely.
    fn members(&mut self, object: bool, depth: usize, end: usize, expected: usize) -> Result<Members, EvidenceError> {
        let (mut entries, mut items) = if object {
            (Vec::with_capacity(expected), Vec::new())
        } else {
            (Vec::new(), Vec::with_capacity(expected))
        };
        loop {
            self.skip_whitespace();
            if object {
                let key = self.key()?;
                entries.push(Entry { key, value: self.value(depth + 1)? });
            } else {
                items.push(self.value(depth + 1)?);
            }
            self.skip_whitespace();
            if self.pos >= end || self.bytes.get(self.pos) != Some(&b',') {
                break;
            }
            self.pos += 1;
        }
        if self.pos != end {
            return Err(self.unexpected("`,`"));
        }
        Ok(if object { Members::Entries(entries) } else { Members::Items(items) })
    }

    /// One value at `depth` (the number of containers around it), from the
    /// current position to the end of the value.
    fn value(&mut self, depth: usize) -> Result<Node, EvidenceError> {
        let mut frames: Vec<Frame> = Vec::new();
        'value: loop {
            // Read one value; containers push a frame and go on with their first member.
            let start = self.pos;
            let graft = if self.grafts.is_empty() { None } else { self.graft(start, depth + frames.len()) };
            let mut node = match graft {
                Some(node) => node,
                None => match self.bytes.get(start) {
                    Some(b'{') => {
                        self.check_depth(depth + frames.len(), start)?;
                        self.pos += 1;
                        self.skip_whitespace();
                        if self.bytes.get(self.pos) == Some(&b'}') {
                            self.pos += 1;
                            Node::new(Value::Object(Object::default()), self.span_from(start))
                        } else {
                            let key = self.key()?;
                            frames.push(Frame::Object { start, base: self.entries.len(), key });
                            continue 'value;
                        }
                    }
                    Some(b'[') => {
                        self.check_depth(depth + frames.len(), start)?;
                        self.pos += 1;
                        self.skip_whitespace();
                        if self.bytes.get(self.pos) == Some(&b']') {
                            self.pos += 1;
                            Node::new(Value::List(Box::default()), self.span_from(start))
                        } else {
                            frames.push(Frame::List { start, base: self.items.len() });
                            continue 'value;
                        }
                    }
                    Some(b'"') => {
                        let text = self.string()?;
                        Node::new(Value::String(text), self.span_from(start))
                    }
                    Some(b't') => self.literal("true", Value::Bool(true))?,
                    Some(b'f') => self.literal("false", Value::Bool(false))?,
                    Some(b'n') => self.literal("null", Value::Null)?,
                    Some(b'-' | b'0'..=b'9') => self.number()?,
                    Some(_) => return Err(self.unexpected("a value")),
                    None => return Err(self.unexpected_end("a value")),
                },
            };
            // Hand the value to its container; close every container that ends after it.
            loop {
                match frames.last_mut() {
                    None => return Ok(node),
                    Some(Frame::List { start, base }) => {
                        self.items.push(node);
                        self.skip_whitespace();
                        match self.bytes.get(self.pos) {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_whitespace();
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let (start, base) = (*start, *base);
                                frames.pop();
                                let items: Box<[Node]> = self.items.drain(base..).collect();
                                node = Node::new(Value::List(items), self.span_from(start));
                            }
                            Some(_) => return Err(self.unexpected("`,` or `]`")),
                            None => return Err(self.unclosed(*start, "list")),
                        }
                    }
                    Some(Frame::Object { start, base, key }) => {
                        self.entries.push(Entry { key: std::mem::take(key), value: node });
                        self.skip_whitespace();
                        match self.bytes.get(self.pos) {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_whitespace();
                                *key = self.key()?;
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let (start, base) = (*start, *base);
                                frames.pop();
                                let entries: Box<[Entry]> = self.entries.drain(base..).collect();
                                let object = Object::from_boxed(entries);
                                if !self.allow_duplicate_keys {
                                    check_duplicates(&object)?;
                                }
                                node = Node::new(Value::Object(object), self.span_from(start));
                            }
                            Some(_) => return Err(self.unexpected("`,` or `}`")),
                            None => return Err(self.unclosed(*start, "object")),
                        }
                    }
                }
            }
        }
    }

    /// A member name and its colon, leaving the position at the member's value.
    fn key(&mut self) -> Result<Key, EvidenceError> {
        let start = self.pos;
        match self.bytes.get(start) {
            Some(b'"') => {}
            Some(_) => return Err(self.unexpected("a string key")),
            None => return Err(self.unexpected_end("a string key")),
        }
        let name = self.string()?;
        let span = self.span_from(start);
        self.skip_whitespace();
        match self.bytes.get(self.pos) {
            Some(b':') => self.pos += 1,
            Some(_) => return Err(self.unexpected("`:`")),
            None => return Err(self.unexpected_end("`:`")),
        }
        self.skip_whitespace();
        Ok(Key { name, span })
    }

    fn check_depth(&self, open: usize, at: usize) -> Result<(), EvidenceError> {
        if open >= self.max_depth {
            return Err(EvidenceError::new(
                ErrorKind::TooDeep,
                format!("lists and objects nest deeper than the limit of {}", self.max_depth),
                Span::new(at, at + 1),
            ));
        }
        Ok(())
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.pos)
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, EvidenceError> {
        let start = self.pos;
        if self.bytes[start..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(Node::new(value, self.span_from(start)))
        } else {
            Err(self.unexpected("a value"))
        }
    }

    /// A string starting at the opening quote at `self.pos`.
    fn string(&mut self) -> Result<Str, EvidenceError> {
        let open = self.pos;
        let content = open + 1;
        // Fast path: no escapes, the text is a slice of the input (found a
        // word at a time, then checked for control characters likewise).
        let rest = self.bytes.get(content..).unwrap_or_default();
        let special = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
        let control = rest[..special].iter().position(|&b| b < 0x20);
        let i = content + control.unwrap_or(special);
        if control.is_none() && rest.get(special) == Some(&b'"') {
            self.pos = i + 1;
            return Ok(Str::new(&self.text[content..i]));
        }
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.push_str(&self.text[content..i]);
        let result = self.escaped_string(open, i, &mut out).map(|()| Str::new(&out));
        self.scratch = out;
        result
    }

    fn escaped_string(&mut self, open: usize, mut i: usize, out: &mut String) -> Result<(), EvidenceError> {
        loop {
            let run_start = i;
            while let Some(&b) = self.bytes.get(i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                i += 1;
            }
            out.push_str(&self.text[run_start..i]);
            match self.bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let escape = match self.bytes.get(i + 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let (c, end) = self.unicode_escape(i)?;
                            out.push(c);
                            i = end;
                            continue;
                        }
                        Some(_) => {
                            return Err(EvidenceError::new(
                                ErrorKind::Syntax,
                                "invalid escape in string",
                                Span::new(i, i + 1 + self.char_len(i + 1)),
                            ));
                        }
                        None => return Err(self.unterminated_string(open)),
                    };
                    out.push(escape);
                    i += 2;
                }
                Some(_) => {
                    return Err(EvidenceError::new(
                        ErrorKind::Syntax,
                        "control character in string (write it as an escape such as `\\n`)",
                        Span::new(i, i + 1),
                    ));
                }
                None => return Err(self.unterminated_string(open)),
            }
        }
    }

    /// A `\uXXXX` escape at `at` (with its low surrogate, if it is a high one): the character and
    /// the offset after it.
    fn unicode_escape(&self, at: usize) -> Result<(char, usize), EvidenceError> {
        let high = self.hex4(at)?;
        if !(0xD800..0xE000).contains(&high) {
            return Ok((char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER), at + 6));
        }
        let lone = || EvidenceError::new(ErrorKind::Syntax, "lone surrogate in `\\u` escape", Span::new(at, at + 6));
        if high >= 0xDC00 || self.bytes.get(at + 6..at + 8) != Some(b"\\u") {
            return Err(lone());
        }
        let low = self.hex4(at + 6)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(lone());
        }
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        Ok((char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER), at + 12))
    }

    /// The four hex digits of the `\u` escape at `at`.
    fn hex4(&self, at: usize) -> Result<u32, EvidenceError> {
        let digits = self.bytes.get(at + 2..at + 6).filter(|digits| digits.iter().all(u8::is_ascii_hexdigit));
        let Some(digits) = digits else {
            let end = (at + 2..(at + 6).min(self.bytes.len()))
                .find(|&i| !self.bytes[i].is_ascii_hexdigit())
                .unwrap_or((at + 6).min(self.bytes.len()));
            return Err(EvidenceError::new(
                ErrorKind::Syntax,
                "`\\u` escape needs four hex digits",
                Span::new(at, end.max(at + 2)),
            ));
        };
        Ok(digits.iter().fold(0, |code, &d| code * 16 + (d as char).to_digit(16).unwrap_or(0)))
    }

    fn number(&mut self) -> Result<Node, EvidenceError> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = start;
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = skip_digits(bytes, i),
            _ => return Err(self.bad_number(start, i, "a digit")),
        }
        let int_digits = i - int_start;
        let mut simple = true;
        if bytes.get(i) == Some(&b'.') {
            simple = false;
            if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                return Err(self.bad_number(start, i + 1, "a digit after the decimal point"));
            }
            i = skip_digits(bytes, i + 1);
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            simple = false;
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(self.bad_number(start, i, "a digit in the exponent"));
            }
            i = skip_digits(bytes, i);
        }
        if let Some(b'0'..=b'9') = bytes.get(i) {
            // A leading zero followed by digits.
            return Err(EvidenceError::new(
                ErrorKind::Syntax,
                "numbers cannot have leading zeros",
                Span::new(start, i + 1),
            ));
        }
        self.pos = i;
        let value = if simple && int_digits <= 15 {
            // Exact in an f64: no need for the general parser.
            let magnitude = bytes[int_start..i].iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) as f64;
            if int_start > start { -magnitude } else { magnitude }
        } else {
            let parsed = self.text[start..i].parse::<f64>().unwrap_or(f64::NAN);
            if !parsed.is_finite() {
                return Err(EvidenceError::new(ErrorKind::Syntax, "number out of range", Span::new(start, i)));
            }
            parsed
        };
        Ok(Node::new(Value::Number(value), self.span_from(start)))
    }

    fn bad_number(&self, start: usize, at: usize, expected: &str) -> EvidenceError {
        let end = if at < self.bytes.len() { at + self.char_len(at) } else { at };
        EvidenceError::new(ErrorKind::Syntax, format!("malformed number: expected {expected}"), Span::new(start, end))
    }

    /// The length in bytes of the character at `at` (0 at the end).
    fn char_len(&self, at: usize) -> usize {
        self.text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8)
    }

    fn unexpected(&self, expected: &str) -> EvidenceError {
        let Some(found) = self.text.get(self.pos..).and_then(|rest| rest.chars().next()) else {
            return self.unexpected_end(expected);
        };
        EvidenceError::new(
            ErrorKind::Syntax,
            format!("expected {expected}, found {}", describe(found)),
            Span::new(self.pos, self.pos + found.len_utf8()),
        )
    }

    fn unexpected_end(&self, expected: &str) -> EvidenceError {
        EvidenceError::new(
            ErrorKind::Syntax,
            format!("expected {expected}, found the end of the input"),
            Span::empty(self.pos),
        )
    }

    fn unclosed(&self, start: usize, what: &str) -> EvidenceError {
        EvidenceError::new(
            ErrorKind::Syntax,
            format!("this {what} is never closed: the input ends first"),
            Span::new(start, start + 1),
        )
    }

    fn unterminated_string(&self, open: usize) -> EvidenceError {
        EvidenceError::new(
            ErrorKind::Syntax,
            "this string is never closed: the input ends first",
            Span::new(open, open + 1),
        )
    }
}

fn skip_digits(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

fn describe(c: char) -> String {
    match c {
        '\n' => "a line break".to_owned(),
        c if c.is_control() => format!("character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

pub(crate) fn check_duplicates(object: &Object) -> Result<(), EvidenceError> {
    let Some(duplicate) = object.first_duplicate() else { return Ok(()) };
    let entries = object.entries();
    let (Some(first), Some(second)) = (entries.get(duplicate.first), entries.get(duplicate.second)) else {
        return Ok(());
    };
    Err(EvidenceError::new(ErrorKind::DuplicateKey, format!("duplicate key `{}`", second.key.name), second.key.span)
        .with_related("first defined", first.key.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Node, EvidenceError> {
        parse(text, 0, &Limits::default())
    }

    fn json(text: &str) -> String {
        match read(text) {
            Ok(node) => node.to_json(),
            Err(error) => format!("error {:?} at {:?}: {}", error.kind, error.span.range(), error.message),
        }
    }

    #[test]
    fn values_and_spans() {
        let text = r#" {"a": [1, -2.5e1, true, null], "b": {"c": "d"}, "e": {}, "f": []} "#;
        let node = read(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(node.to_json(), r#"{"a":[1,-25,true,null],"b":{"c":"d"},"e":{},"f":[]}"#);
        assert_eq!(&text[node.span.range()], text.trim());
        let Some(object) = node.as_object() else { panic!("not an object") };
        let b = &object.entries()[1];
        assert_eq!(&text[b.key.span.range()], r#""b""#);
        assert_eq!(&text[b.value.span.range()], r#"{"c": "d"}"#);
        let minus = node.get("a").and_then(|a| a.item(1)).map(|n| &text[n.span.range()]);
        assert_eq!(minus, Some("-2.5e1"));
    }

    #[test]
    fn strings_with_escapes() {
        assert_eq!(json(r#""a\"b\\c\/d\b\f\n\r\t""#), r#""a\"b\\c/d\u0008\u000c\n\r\t""#);
        assert_eq!(json(r#""\u00e9\ud83d\ude00 x""#), "\"é😀 x\"");
        assert_eq!(json(r#""\ud83d""#), "error Syntax at 1..7: lone surrogate in `\\u` escape");
        assert_eq!(json(r#""\u12G4""#), "error Syntax at 1..5: `\\u` escape needs four hex digits");
        assert_eq!(json(r#""\q""#), "error Syntax at 1..3: invalid escape in string");
        assert_eq!(
            json("\"a\nb\""),
            "error Syntax at 2..3: control character in string (write it as an escape such as `\\n`)"
        );
        assert_eq!(json(r#"["abc"#), "error Syntax at 1..2: this string is never closed: the input ends first");
    }

    #[test]
    fn numbers() {
        assert_eq!(json("[0, -0, 12345678901234567890, 1.5, 1E3, 2e-2]"), "[0,0,12345678901234567000,1.5,1000,0.02]");
        assert_eq!(json("01"), "error Syntax at 0..2: numbers cannot have leading zeros");
        assert_eq!(json("-"), "error Syntax at 0..1: malformed number: expected a digit");
        assert_eq!(json("1."), "error Syntax at 0..2: malformed number: expected a digit after the decimal point");
        assert_eq!(json("1e+"), "error Syntax at 0..3: malformed number: expected a digit in the exponent");
        assert_eq!(json("1e999"), "error Syntax at 0..5: number out of range");
    }

    #[test]
    fn malformed_documents_are_located() {
        assert_eq!(json(r#"{"a" 1}"#), "error Syntax at 5..6: expected `:`, found `1`");
        assert_eq!(json(r#"{"a": 1,}"#), "error Syntax at 8..9: expected a string key, found `}`");
        assert_eq!(json("[1 2]"), "error Syntax at 3..4: expected `,` or `]`, found `2`");
        assert_eq!(json("[1, 2"), "error Syntax at 0..1: this list is never closed: the input ends first");
        assert_eq!(json("{\"a\": 1"), "error Syntax at 0..1: this object is never closed: the input ends first");
        assert_eq!(json("[tru]"), "error Syntax at 1..2: expected a value, found `t`");
        assert_eq!(
            json("{} {}"),
            "error Syntax at 3..4: expected the end of the input after the JSON value, found `{`"
        );
        assert_eq!(json("[é]"), "error Syntax at 1..3: expected a value, found `é`");
        assert_eq!(json(""), "error Syntax at 0..0: expected a value, found the end of the input");
    }

    #[test]
    fn duplicate_keys_are_refused_unless_allowed() {
        assert_eq!(json(r#"{"a": 1, "b": 2, "a": 3}"#), "error DuplicateKey at 17..20: duplicate key `a`");
        let limits = Limits { allow_duplicate_keys: true, ..Limits::default() };
        let node = parse(r#"{"a": 1, "a": 3}"#, 0, &limits).map(|n| n.get("a").and_then(Node::as_f64));
        assert_eq!(node, Ok(Some(3.0)));
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let deep = "[".repeat(1_000_000);
        let error = read(&deep).err();
        assert_eq!(error.as_ref().map(|e| e.kind), Some(ErrorKind::TooDeep));
        assert_eq!(error.map(|e| e.span), Some(Span::new(256, 257)));
        let limits = Limits { max_depth: 3, ..Limits::default() };
        assert!(parse("[[[1]]]", 0, &limits).is_ok());
        assert!(parse("[[[[1]]]]", 0, &limits).is_err());
        assert!(parse(r#"{"a":{"b":{"c":{}}}}"#, 0, &limits).is_err());
    }
}
