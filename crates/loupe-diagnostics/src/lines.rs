//! Byte offsets to lines and columns and back: the one line index of Loupe.
//!
//! Spans stay byte offsets everywhere; drivers and reports turn them into
//! positions at their edge, through this index (rust-analyzer's `line-index`,
//! which keeps line starts and the non-ASCII characters of each line, not
//! the text). A line ends at `\n`.

use std::ops::Range;

use codespan_reporting::files;
use line_index::{TextSize, WideEncoding, WideLineCol};

/// What a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units, as the Language Server Protocol counts by default.
    Utf16,
    /// Unicode scalar values: what people read, and what SARIF's
    /// `unicodeCodePoints` and Loupe's reports count.
    Chars,
}

/// A line and a column, both from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
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

/// Where the lines of one text start, and where its multi-byte characters are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex(line_index::LineIndex);

impl LineIndex {
    /// The index of `text` (shorter than 4 GiB, as every span is).
    pub fn new(text: &str) -> LineIndex {
        LineIndex(line_index::LineIndex::new(text))
    }

    /// The line and column of byte `offset`, clamped to the end of the text,
    /// and moved back to its character's start when it falls inside one.
    pub fn line_col(&self, offset: u32, column: Column) -> LineCol {
        let offset = offset.min(self.0.len().into());
        // A character is at most 4 bytes, so its start is at most 3 back.
        let utf8 = (0..4)
            .find_map(|back| self.0.try_line_col(TextSize::from(offset.saturating_sub(back))))
            .unwrap_or(line_index::LineCol { line: 0, col: 0 });
        let col = match wide(column) {
            None => utf8.col,
            Some(encoding) => self.0.to_wide(encoding, utf8).map_or(utf8.col, |wide| wide.col),
        };
        LineCol { line: utf8.line + 1, column: col + 1 }
    }

    /// The byte offset of `at`, or `None` when it is not in the text: no such
    /// line, a column past the line's end, or inside a character.
    pub fn offset(&self, at: LineCol, column: Column) -> Option<u32> {
        let (line, col) = (at.line.checked_sub(1)?, at.column.checked_sub(1)?);
        let utf8 = match wide(column) {
            None => line_index::LineCol { line, col },
            Some(encoding) => self.0.to_utf8(encoding, WideLineCol { line, col })?,
        };
        let offset = self.0.offset(utf8)?;
        // The column must stay on its line (its line break included: the end of the line).
        let range = self.0.line(line)?;
        (range.contains_inclusive(offset) && self.0.try_line_col(offset) == Some(utf8)).then_some(offset.into())
    }

    /// The number of lines: a last line without a line break counts, and an
    /// empty text has one.
    pub fn line_count(&self) -> usize {
        self.0.line_col(self.0.len()).line as usize + 1
    }

    /// The byte range of `line` (from 1), its line break included.
    pub fn line_range(&self, line: u32) -> Option<Range<usize>> {
        let range = self.0.line(line.checked_sub(1)?)?;
        Some(usize::from(range.start())..usize::from(range.end()))
    }

    /// codespan-reporting's `Files::line_index`: the line (from 0) of a byte.
    pub fn codespan_line(&self, byte_index: usize) -> usize {
        self.line_col(u32::try_from(byte_index).unwrap_or(u32::MAX), Column::Utf8).line as usize - 1
    }

    /// codespan-reporting's `Files::line_range`: the byte range of a line
    /// (from 0), its line break included.
    pub fn codespan_line_range(&self, line_index: usize) -> Result<Range<usize>, files::Error> {
        let too_large = files::Error::LineTooLarge { given: line_index, max: self.line_count() - 1 };
        u32::try_from(line_index + 1).ok().and_then(|line| self.line_range(line)).ok_or(too_large)
    }
}

fn wide(column: Column) -> Option<WideEncoding> {
    match column {
        Column::Utf8 => None,
        Column::Utf16 => Some(WideEncoding::Utf16),
        Column::Chars => Some(WideEncoding::Utf32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `é` is 2 bytes and 1 UTF-16 unit, `中` 3 and 1, `🦀` (outside the
    /// Basic Multilingual Plane) 4 and 2 (a surrogate pair).
    const TEXT: &str = "ab\ncé中🦀d\n\nx";

    #[test]
    fn columns_in_each_unit_and_back() {
        let index = LineIndex::new(TEXT);
        // (what, byte offset, line, column in bytes, in UTF-16 units, in characters)
        let cases = [
            ("a", 0, 1, 1, 1, 1),
            ("end of line 1", 2, 1, 3, 3, 3),
            ("c", 3, 2, 1, 1, 1),
            ("é", 4, 2, 2, 2, 2),
            ("中", 6, 2, 4, 3, 3),
            ("🦀", 9, 2, 7, 4, 4),
            ("d", 13, 2, 11, 6, 5),
            ("empty line", 15, 3, 1, 1, 1),
            ("x", 16, 4, 1, 1, 1),
            ("end of text", 17, 4, 2, 2, 2),
        ];
        for (what, offset, line, utf8, utf16, chars) in cases {
            assert!(TEXT.is_char_boundary(offset as usize), "{what} is on a character boundary");
            for (column, expected) in [(Column::Utf8, utf8), (Column::Utf16, utf16), (Column::Chars, chars)] {
                let at = LineCol { line, column: expected };
                assert_eq!(index.line_col(offset, column), at, "{what} in {column:?}");
                assert_eq!(index.offset(at, column), Some(offset), "{what} back from {column:?}");
            }
        }
    }

    #[test]
    fn offsets_outside_the_text_or_inside_a_character() {
        let index = LineIndex::new(TEXT);
        // Past the end: the end.
        assert_eq!(index.line_col(999, Column::Chars), LineCol { line: 4, column: 2 });
        // Inside `中` (bytes 6..9) and inside `🦀` (9..13): that character's start.
        assert_eq!(index.line_col(7, Column::Chars), LineCol { line: 2, column: 3 });
        assert_eq!(index.line_col(12, Column::Utf16), LineCol { line: 2, column: 4 });
        // Positions that are not in the text.
        let nowhere = [
            (LineCol { line: 0, column: 1 }, Column::Utf8),
            (LineCol { line: 1, column: 0 }, Column::Utf8),
            (LineCol { line: 5, column: 1 }, Column::Utf8),
            (LineCol { line: 1, column: 9 }, Column::Chars),
            (LineCol { line: 2, column: 3 }, Column::Utf8),
            (LineCol { line: 2, column: 5 }, Column::Utf16),
        ];
        for (at, column) in nowhere {
            assert_eq!(index.offset(at, column), None, "{at} in {column:?}");
        }
    }

    #[test]
    fn lines() {
        let index = LineIndex::new(TEXT);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_range(1), Some(0..3));
        assert_eq!(&TEXT[index.line_range(4).unwrap_or_default()], "x");
        assert_eq!(index.line_range(0), None);
        assert_eq!(index.line_range(5), None);
        assert_eq!(LineIndex::new("").line_count(), 1);
        assert_eq!(LineIndex::new("a\n").line_count(), 2);
        // codespan-reporting's view: lines from 0.
        assert_eq!(index.codespan_line(3), 1);
        assert_eq!(index.codespan_line(999), 3);
        assert_eq!(index.codespan_line_range(1).ok(), Some(3..15));
        assert!(index.codespan_line_range(4).is_err());
    }
}
