//! A second reading for YAML that libyaml (and so CloudFormation, PyYAML, cfn-lint) accepts but
//! YAML 1.2 refuses: a multi-line quoted scalar or flow collection whose continuation lines are
//! indented no deeper than the key they belong to.
//!
//! ```yaml
//! Description: "first line
//! continued at the key's indentation"
//! ManagedPolicyArns: [
//!   "arn:aws:iam::aws:policy/A"
//! ]
//! ```
//!
//! YAML 1.2 wants every line of a node indented past its parent, even inside quotes or brackets,
//! and `saphyr-parser` follows it (its maintainers declined to relax this, saphyr#57, saphyr#62).
//! Inside a quoted scalar or a flow collection, though, the white space that starts a line has
//! no meaning: it is folded away or separates tokens. So such a file can be read by indenting
//! those lines further, and that changes nothing but offsets.
//!
//! [`relax`] finds, with a small lexer, each multi-line quoted scalar or flow collection at block
//! level, and pads its under-indented continuation lines with spaces up to the column of its
//! opening quote or bracket. The padded text is read again, and its spans are mapped back to the
//! original bytes through the list of insertions ([`Relaxed::original`]), so spans, lines and
//! columns stay those of the file. The lexer only proposes: the caller keeps the second reading
//! only if the parser found a quoted scalar or flow collection ending exactly where each padded
//! construct ends ([`Construct`]). It runs only after the strict reading failed, so YAML that
//! reads as YAML 1.2 is never touched.
//!
//! Lines that start with a document marker (`---`, `...`) are never padded: libyaml refuses
//! them inside a quoted scalar or flow collection too.

use loupe_diagnostics::Span;

/// The padded text, and what is needed to map its offsets back and check the padding.
#[derive(Debug)]
pub(crate) struct Relaxed {
    /// The text with padded lines.
    pub text: String,
    /// Where spaces were inserted, ascending.
    insertions: Vec<Insertion>,
    /// The constructs that were padded, in original offsets, ascending.
    pub constructs: Vec<Construct>,
}

#[derive(Clone, Copy, Debug)]
struct Insertion {
    /// Original offset of the padded line's start.
    at: usize,
    /// Spaces inserted there.
    len: usize,
    /// Spaces inserted before this insertion.
    before: usize,
}

/// A quoted scalar or flow collection whose continuation lines were padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Construct {
    /// Offset of the opening quote or bracket.
    pub open: usize,
    /// Offset just past the closing quote or bracket.
    pub end: usize,
    /// A quoted scalar (else a flow collection).
    pub quoted: bool,
}

impl Relaxed {
    /// The original offset of `offset` in the padded text; inside padding, the padded line's start.
    pub fn original(&self, offset: usize) -> usize {
        let after = self.insertions.partition_point(|insertion| insertion.at + insertion.before <= offset);
        let Some(insertion) = after.checked_sub(1).and_then(|i| self.insertions.get(i)) else { return offset };
        let start = insertion.at + insertion.before;
        if offset < start + insertion.len { insertion.at } else { offset - insertion.before - insertion.len }
    }

    /// `span` of the padded text in original offsets.
    pub fn span(&self, span: Span) -> Span {
        Span::new(self.original(span.start as usize), self.original(span.end as usize))
    }
}

/// The padded reading of `text`, or `None` when no line needs padding.
pub(crate) fn relax(text: &str) -> Option<Relaxed> {
    let mut lexer = Lexer { text, bytes: text.as_bytes(), pads: Vec::new(), constructs: Vec::new() };
    // An unterminated construct stops the lexer: what follows cannot be read reliably.
    let _ = lexer.stream();
    if lexer.pads.is_empty() {
        return None;
    }
    let added: usize = lexer.pads.iter().map(|&(_, len)| len).sum();
    let mut padded = String::with_capacity(text.len() + added);
    let mut insertions = Vec::with_capacity(lexer.pads.len());
    let (mut copied, mut before) = (0, 0);
    for &(at, len) in &lexer.pads {
        padded.push_str(text.get(copied..at)?);
        padded.extend(std::iter::repeat_n(' ', len));
        insertions.push(Insertion { at, len, before });
        before += len;
        copied = at;
    }
    padded.push_str(text.get(copied..)?);
    Some(Relaxed { text: padded, insertions, constructs: lexer.constructs })
}

/// An unterminated quoted scalar or flow collection.
struct Unterminated;

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// (line start, spaces to insert), ascending.
    pads: Vec<(usize, usize)>,
    constructs: Vec<Construct>,
}

/// What came last on a block line, which decides the parent indentation of the next node.
#[derive(Clone, Copy)]
enum Parent {
    /// A node here is a value of the entry at this column (after `key:` or `- `).
    At(isize),
    /// A new entry starts with the next token (after `- ` or `? `, or at a line start).
    Entry(isize),
}

impl Lexer<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// Whether `at` is white space, a line break or the end.
    fn blank_or_end(&self, at: usize) -> bool {
        matches!(self.byte(at), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.bytes.len(), |i| from + i)
    }

    fn line_start(&self, at: usize) -> usize {
        self.bytes.get(..at).and_then(|before| before.iter().rposition(|&b| b == b'\n')).map_or(0, |i| i + 1)
    }

    fn spaces(&self, from: usize) -> usize {
        self.bytes.get(from..).map_or(0, |rest| rest.iter().take_while(|&&b| b == b' ').count())
    }

    /// `---` or `...` at `at`, followed by white space or the end.
    fn document_marker(&self, at: usize) -> bool {
        let marker = self.bytes.get(at..at + 3);
        matches!(marker, Some(b"---" | b"...")) && self.blank_or_end(at + 3)
    }

    /// Whether the line from `from` holds only white space.
    fn blank_line(&self, from: usize) -> bool {
        self.bytes
            .get(from..self.line_end(from))
            .is_none_or(|line| line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')))
    }

    /// The block-level lines of the stream.
    fn stream(&mut self) -> Result<(), Unterminated> {
        let mut at = if self.text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        // The parent indentation of a plain scalar that may continue on the next line.
        let mut plain: Option<isize> = None;
        while at < self.bytes.len() {
            let indent = self.spaces(at);
            let first = at + indent;
            if self.blank_line(first) {
                at = self.line_end(first) + 1;
                continue;
            }
            let column = isize::try_from(indent).unwrap_or(isize::MAX);
            match self.byte(first) {
                Some(b'#') => {
                    plain = None;
                    at = self.line_end(first) + 1;
                }
                Some(b'%') if indent == 0 => {
                    plain = None;
                    at = self.line_end(first) + 1;
                }
                Some(b'.') if indent == 0 && self.document_marker(first) => {
                    plain = None;
                    at = self.line_end(first) + 1;
                }
                Some(b'-') if indent == 0 && self.document_marker(first) => {
                    (at, plain) = self.block_line(first + 3, Parent::At(-1), false)?;
                }
                _ => match plain {
                    Some(parent) if column > parent => {
                        (at, plain) = self.block_line(first, Parent::At(parent), true)?
                    }
                    _ => (at, plain) = self.block_line(first, Parent::Entry(column - 1), false)?,
                },
            }
        }
        Ok(())
    }

    /// Reads one block-level line from `at` (past its indentation), and the lines of any
    /// construct or block scalar that starts on it. Returns where the next line starts and the
    /// parent indentation of a plain scalar still open at the end of the line.
    fn block_line(
        &mut self,
        mut at: usize,
        mut parent: Parent,
        in_plain: bool,
    ) -> Result<(usize, Option<isize>), Unterminated> {
        let parent_column = |parent: Parent| match parent {
            Parent::At(column) | Parent::Entry(column) => column,
        };
        let mut cursor = Cursor { at: self.line_start(at), column: 0 };
        // The column of the entry (key or item) this line is about.
        let mut entry = cursor.column(self.bytes, at);
        let mut node_start = !in_plain;
        let mut plain = in_plain.then(|| parent_column(parent));
        while let Some(c) = self.byte(at) {
            match c {
                b'\n' => return Ok((at + 1, plain)),
                b' ' | b'\t' | b'\r' => at += 1,
                b'#' if at == 0 || matches!(self.byte(at - 1), Some(b' ' | b'\t' | b'\n')) => {
                    return Ok((self.line_end(at) + 1, None));
                }
                b':' if self.blank_or_end(at + 1) => {
                    node_start = true;
                    plain = None;
                    parent = Parent::At(entry);
                    at += 1;
                }
                _ if !node_start => at += 1,
                b'-' | b'?' if self.blank_or_end(at + 1) => {
                    parent = Parent::Entry(cursor.column(self.bytes, at));
                    at += 1;
                }
                b'!' | b'&' => at = self.token_end(at),
                b'*' => {
                    at = self.token_end(at);
                    node_start = false;
                }
                b'"' | b'\'' | b'[' | b'{' => {
                    let column = cursor.column(self.bytes, at);
                    if let Parent::Entry(_) = parent {
                        entry = column;
                    }
                    let end = if c == b'[' || c == b'{' { self.flow(at)? } else { self.quoted(at)? };
                    if self.record(at, end, c == b'"' || c == b'\'', parent_column(parent), column) {
                        // The line goes on where the construct ends.
                        cursor = Cursor { at: self.line_start(end), column: 0 };
                    }
                    at = end;
                    node_start = false;
                }
                b'|' | b'>' if self.block_header(at) => {
                    return Ok((self.block_scalar(at, parent_column(parent)), None));
                }
                _ => {
                    if let Parent::Entry(_) = parent {
                        entry = cursor.column(self.bytes, at);
                    }
                    plain = Some(parent_column(parent));
                    node_start = false;
                    at += 1;
                }
            }
        }
        Ok((self.bytes.len(), plain))
    }

    /// Past a tag, anchor or alias.
    fn token_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        from + rest.iter().position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).unwrap_or(rest.len())
    }

    /// Past the closing quote of the quoted scalar opening at `open`.
    fn quoted(&self, open: usize) -> Result<usize, Unterminated> {
        let quote = self.byte(open).ok_or(Unterminated)?;
        let mut at = open + 1;
        loop {
            match self.byte(at).ok_or(Unterminated)? {
                b'\\' if quote == b'"' => at += 2,
                b'\'' if quote == b'\'' && self.byte(at + 1) == Some(b'\'') => at += 2,
                c if c == quote => return Ok(at + 1),
                _ => at += 1,
            }
        }
    }

    /// Past the closing bracket of the flow collection opening at `open`.
    fn flow(&self, open: usize) -> Result<usize, Unterminated> {
        let mut depth = 0usize;
        let mut at = open;
        let mut node_start = true;
        // After a quoted scalar or a closed collection, `:` is an indicator even when adjacent.
        let mut after_json_node = false;
        loop {
            let c = self.byte(at).ok_or(Unterminated)?;
            match c {
                b'[' | b'{' => {
                    depth += 1;
                    node_start = true;
                    at += 1;
                }
                b']' | b'}' => {
                    at += 1;
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(at);
                    }
                    node_start = false;
                    after_json_node = true;
                }
                b',' => {
                    node_start = true;
                    after_json_node = false;
                    at += 1;
                }
                b' ' | b'\t' | b'\r' | b'\n' => at += 1,
                b'#' if matches!(self.byte(at - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) => at = self.line_end(at),
                b':' if after_json_node || self.blank_or_end(at + 1) || self.flow_indicator(at + 1) => {
                    node_start = true;
                    after_json_node = false;
                    at += 1;
                }
                b'"' | b'\'' if node_start => {
                    at = self.quoted(at)?;
                    node_start = false;
                    after_json_node = true;
                }
                b'!' | b'&' if node_start => at = self.flow_token_end(at),
                _ => {
                    node_start = false;
                    after_json_node = false;
                    at += 1;
                }
            }
        }
    }

    fn flow_indicator(&self, at: usize) -> bool {
        matches!(self.byte(at), Some(b',' | b'[' | b']' | b'{' | b'}'))
    }

    /// Past a tag or anchor inside a flow collection.
    fn flow_token_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        let len =
            rest.iter().position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'));
        from + len.unwrap_or(rest.len())
    }

    /// Whether `|` or `>` at `at` starts a block scalar header: up to two indicators, then white
    /// space, a comment or the end of the line.
    fn block_header(&self, at: usize) -> bool {
        let mut i = at + 1;
        while i < at + 3 && matches!(self.byte(i), Some(b'1'..=b'9' | b'+' | b'-')) {
            i += 1;
        }
        self.blank_or_end(i)
    }

    /// Skips the content of the block scalar whose header is at `at`, in a node whose parent is
    /// indented `parent`; returns where the first line after it starts.
    fn block_scalar(&self, at: usize, parent: isize) -> usize {
        let header_end = self.line_end(at);
        let explicit = self
            .bytes
            .get(at + 1..header_end)
            .unwrap_or_default()
            .iter()
            .take(2)
            .find_map(|b| b.is_ascii_digit().then(|| isize::from(b - b'0')));
        let mut indent = explicit.map(|digits| parent.max(0) + digits);
        let mut line = header_end + 1;
        while line < self.bytes.len() {
            let spaces = self.spaces(line);
            let column = isize::try_from(spaces).unwrap_or(isize::MAX);
            if spaces == 0 && self.document_marker(line) {
                return line;
            }
            if !self.blank_line(line + spaces) {
                match indent {
                    None if column > parent => indent = Some(column),
                    Some(indent) if column >= indent => {}
                    _ => return line,
                }
            }
            line = self.line_end(line) + 1;
        }
        self.bytes.len()
    }

    /// Pads the continuation lines of the construct `open..end` that are indented no deeper than
    /// its parent (`parent`, the column of its key or `-`) up to its opening column (`column`);
    /// returns whether it spans lines.
    fn record(&mut self, open: usize, end: usize, quoted: bool, parent: isize, column: isize) -> bool {
        let column = usize::try_from(column).unwrap_or(0);
        let padded = self.pads.len();
        let mut at = open;
        while let Some(offset) = self.bytes.get(at..end).and_then(|rest| rest.iter().position(|&b| b == b'\n')) {
            let line = at + offset + 1;
            at = line;
            // Indentation is spaces: a tab there is refused by the parser (and not by libyaml).
            let indent = self.spaces(line);
            let white = self
                .bytes
                .get(line..end)
                .map_or(0, |rest| rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count());
            let blank = matches!(self.byte(line + white), None | Some(b'\r' | b'\n'));
            let shallow = isize::try_from(indent).is_ok_and(|indent| indent <= parent);
            if !blank && shallow && indent < column && !(indent == 0 && self.document_marker(line)) {
                self.pads.push((line, column - indent));
            }
        }
        if self.pads.len() > padded {
            self.constructs.push(Construct { open, end, quoted });
        }
        at > open
    }
}

/// Columns along one line, counted from a position that only moves forward, so that a long line
/// costs its length once.
struct Cursor {
    at: usize,
    column: isize,
}

impl Cursor {
    /// The column (in characters, as the parser counts) of `at`, at or after the cursor.
    fn column(&mut self, bytes: &[u8], at: usize) -> isize {
        let characters =
            bytes.get(self.at..at).map_or(0, |skipped| skipped.iter().filter(|&&b| b & 0xC0 != 0x80).count());
        self.column = self.column.saturating_add(isize::try_from(characters).unwrap_or(isize::MAX));
        self.at = self.at.max(at);
        self.column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(text: &str) -> Option<String> {
        relax(text).map(|relaxed| relaxed.text)
    }

    #[test]
    fn continuation_lines_are_padded_to_the_opening_column() {
        // Only lines indented no deeper than the key (column 2) are padded.
        let text = "P:\n  D: \"first\n  second\n\n third\n   fourth\"\n  A: [\n    a,\n  b\n  ]\n";
        assert_eq!(
            padded(text).as_deref(),
            Some("P:\n  D: \"first\n     second\n\n     third\n   fourth\"\n  A: [\n    a,\n     b\n     ]\n")
        );
        let relaxed = relax(text).unwrap_or_else(|| panic!("nothing padded"));
        let constructs: Vec<&str> = relaxed.constructs.iter().map(|c| &text[c.open..c.end]).collect();
        assert_eq!(constructs, ["\"first\n  second\n\n third\n   fourth\"", "[\n    a,\n  b\n  ]"]);
        assert!(relaxed.constructs[0].quoted && !relaxed.constructs[1].quoted);
    }

    #[test]
    fn offsets_map_back() {
        let text = "a: \"x\ny\"\nb: 1\n";
        let relaxed = relax(text).unwrap_or_else(|| panic!("nothing padded"));
        assert_eq!(relaxed.text, "a: \"x\n   y\"\nb: 1\n");
        let originals: Vec<usize> = (0..relaxed.text.len()).map(|offset| relaxed.original(offset)).collect();
        assert_eq!(originals, [0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 7, 8, 9, 10, 11, 12, 13]);
    }

    #[test]
    fn nothing_to_pad() {
        for text in [
            "a: \"x\n  y\"\n",
            "a: [1,\n  2]\n",
            "a: |\n  \"unclosed\n  [x\nb: 'it''s\n    fine'\n",
            "a: don't \"stop\n[here\n",
            "# \"x\ny\"\n",
            "a: 'unterminated\n",
            "",
        ] {
            assert_eq!(padded(text), None, "{text:?}");
        }
    }

    #[test]
    fn document_markers_and_block_scalars() {
        assert_eq!(padded("a: \"x\n---\ny\"\n").as_deref(), Some("a: \"x\n---\n   y\"\n"));
        assert_eq!(padded("k: >\n  \"x\ny\": 1\nb: [\nc]\n").as_deref(), Some("k: >\n  \"x\ny\": 1\nb: [\n   c]\n"));
        assert_eq!(padded("- - \"a\n b\"\n").as_deref(), Some("- - \"a\n    b\"\n"));
        assert_eq!(padded("x: [a, {b: \"c\nd\"}, 'e\nf']\n").as_deref(), Some("x: [a, {b: \"c\n   d\"}, 'e\n   f']\n"));
    }
}
