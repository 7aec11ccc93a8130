//! Byte offsets to lines and columns, without keeping the source text.

/// A 1-based line and column; the column counts characters (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    /// From 1.
    pub line: u32,
    /// From 1, in characters.
    pub column: u32,
}

impl LineCol {
    /// Line 1, column 1: where a file starts.
    pub const START: LineCol = LineCol { line: 1, column: 1 };
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where each line of one source starts, and where its multi-byte characters are.
///
/// Costs 4 bytes per line plus 4 bytes per UTF-8 continuation byte (none for ASCII files).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of every line; the first is 0.
    line_starts: Vec<u32>,
    /// Byte offsets of UTF-8 continuation bytes, ascending.
    continuation_bytes: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        // `match_indices` with a char pattern searches with memchr.
        line_starts.extend(text.match_indices('\n').map(|(i, _)| to_u32(i + 1)));
        let continuation_bytes = if text.is_ascii() {
            Vec::new()
        } else {
            bytes.iter().enumerate().filter(|&(_, &b)| b & 0xC0 == 0x80).map(|(i, _)| to_u32(i)).collect()
        };
        LineIndex { line_starts, continuation_bytes, len: to_u32(bytes.len()) }
    }

    /// The line and column of byte `offset` (clamped to the end of the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let before = |at: u32| self.continuation_bytes.partition_point(|&b| b < at);
        let continuation = before(offset) - before(start);
        LineCol { line: to_u32(line), column: offset - start - to_u32(continuation) + 1 }
    }

    /// The number of lines (a final line without a newline counts; an empty text has one line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte range of 1-based `line`, without its line break.
    pub fn line_range(&self, line: u32) -> Option<std::ops::Range<usize>> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)? as usize;
        let end = self.line_starts.get(index + 1).map_or(self.len as usize, |&next| next as usize - 1);
        Some(start..end.max(start))
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_character_columns() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(2), LineCol { line: 1, column: 3 });
        assert_eq!(index.line_col(3), LineCol { line: 2, column: 1 });
        // "d" is after the two-byte "é": byte 7, character column 4.
        assert_eq!(text.find('d'), Some(7));
        assert_eq!(index.line_col(7), LineCol { line: 2, column: 4 });
        assert_eq!(index.line_col(9), LineCol { line: 3, column: 1 });
        assert_eq!(index.line_col(10), LineCol { line: 4, column: 1 });
        assert_eq!(index.line_col(999), LineCol { line: 4, column: 2 });
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_range(2), Some(3..8));
        assert_eq!(&text[index.line_range(4).unwrap_or_default()], "x");
        assert_eq!(index.line_range(0), None);
    }
}
