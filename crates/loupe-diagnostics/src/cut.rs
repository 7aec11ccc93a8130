//! Snippets of long lines: codespan-reporting prints whole lines, and one line
//! (a `terraform show -json` plan, minified JSON) can hold megabytes, secrets
//! among them. [`CutFiles`] shows a diagnostic's files with every long line it
//! brings into view cut down to the text around its labels' ends.

use std::collections::BTreeMap;
use std::ops::Range;

use codespan_reporting::diagnostic::Diagnostic;
use codespan_reporting::files::{self, Files};

/// Lines longer than this many characters are cut in snippets.
pub const LONG_LINE: usize = 200;
/// How many characters a cut line keeps on each side of a label's start and end.
const AROUND_LABEL: usize = 60;

/// The files of one diagnostic as its snippets show them: the lines its labels
/// can bring into view, each longer than [`LONG_LINE`] characters cut down to
/// the text around the labels' ends. The labels are moved onto the cut text;
/// lines and columns still name the original.
pub struct CutFiles<'a, F: Files<'a>> {
    original: &'a F,
    files: Vec<CutFile<F::FileId>>,
}

impl<'a, F: Files<'a>> std::fmt::Debug for CutFiles<'a, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CutFiles").field("files", &self.files.len()).finish_non_exhaustive()
    }
}

struct CutFile<Id> {
    file: Id,
    /// The kept lines, each ending in a line break.
    text: String,
    lines: Vec<CutLine>,
}

struct CutLine {
    /// Its index in the original file, and where it starts there.
    index: usize,
    start: usize,
    /// Where it is in the cut text, its line break included.
    range: Range<usize>,
    /// The pieces of the original line it keeps, in order.
    runs: Vec<Run>,
}

/// `len` bytes kept from `original` (a file offset), at `cut` in the cut text.
struct Run {
    original: usize,
    cut: usize,
    len: usize,
}

impl CutLine {
    fn to_cut(&self, original: usize) -> usize {
        let run = self.runs.iter().rev().find(|run| run.original <= original).unwrap_or(&self.runs[0]);
        run.cut + original.saturating_sub(run.original).min(run.len)
    }

    fn to_original(&self, cut: usize) -> usize {
        let run = self.runs.iter().rev().find(|run| run.cut <= cut).unwrap_or(&self.runs[0]);
        run.original + cut.saturating_sub(run.cut).min(run.len)
    }
}

impl<'a, F: Files<'a>> CutFiles<'a, F>
where
    F::FileId: PartialEq,
{
    /// The cut view of `diagnostic`'s files, with its labels moved onto it;
    /// `None` when none of the lines it shows is long.
    pub fn cut(original: &'a F, diagnostic: &mut Diagnostic<F::FileId>) -> Option<CutFiles<'a, F>> {
        // Each label's file and first and last line; codespan shows those, the
        // lines between, and one line on either side at most.
        let mut spans = Vec::new();
        for label in &diagnostic.labels {
            let first = original.line_index(label.file_id, label.range.start).ok()?;
            let last = original.line_index(label.file_id, label.range.end).ok()?;
            spans.push((label.file_id, first, last, label.range.clone()));
        }
        let is_long = |file: F::FileId, index: usize| {
            let (Ok(source), Ok(range)) = (original.source(file), original.line_range(file, index)) else {
                return false;
            };
            range.len() > LONG_LINE
                && source.as_ref().get(range).is_some_and(|line| line.chars().count() > LONG_LINE + 1)
        };
        let shown = |&(file, first, last, _): &(F::FileId, usize, usize, _)| {
            (first.saturating_sub(1)..=last + 1).map(move |index| (file, index))
        };
        if !spans.iter().flat_map(shown).any(|(file, index)| is_long(file, index)) {
            return None;
        }
        let mut files: Vec<CutFile<F::FileId>> = Vec::new();
        for &(file, ..) in &spans {
            if files.iter().any(|cut| cut.file == file) {
                continue;
            }
            let mut kept: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for (_, first, last, range) in spans.iter().filter(|span| span.0 == file) {
                for index in first.saturating_sub(1)..=last + 1 {
                    kept.entry(index).or_default();
                }
                kept.entry(*first).or_default().push(range.start);
                kept.entry(*last).or_default().push(range.end);
            }
            files.push(CutFile::new(original, file, &kept)?);
        }
        for label in &mut diagnostic.labels {
            let Some(cut) = files.iter().find(|cut| cut.file == label.file_id) else { continue };
            label.range = cut.to_cut(label.range.start)..cut.to_cut(label.range.end);
        }
        Some(CutFiles { original, files })
    }

    fn file(&self, file: F::FileId) -> Result<&CutFile<F::FileId>, files::Error> {
        self.files.iter().find(|cut| cut.file == file).ok_or(files::Error::FileMissing)
    }
}

impl<Id> CutFile<Id> {
    /// Keeps the lines of `kept` (by index, each with the offsets its labels
    /// start or end at), cutting the long ones.
    fn new<'a, F: Files<'a, FileId = Id>>(original: &'a F, file: Id, kept: &BTreeMap<usize, Vec<usize>>) -> Option<Self>
    where
        Id: Copy,
    {
        let source = original.source(file).ok()?;
        let source = source.as_ref();
        let mut text = String::new();
        let mut lines = Vec::new();
        for (&index, points) in kept {
            let Ok(range) = original.line_range(file, index) else { continue };
            let Some(line) = source.get(range.clone()).map(|line| line.trim_end_matches('\n')) else { continue };
            let start = text.len();
            let mut runs = Vec::new();
            if line.chars().count() <= LONG_LINE + 1 {
                runs.push(Run { original: range.start, cut: start, len: line.len() });
                text.push_str(line);
            } else {
                for (from, to) in windows(line, range.start, points) {
                    if from > 0 {
                        text.push('…');
                    }
                    runs.push(Run { original: range.start + from, cut: text.len(), len: to - from });
                    text.push_str(&line[from..to]);
                }
                if runs.last().is_some_and(|run| run.original + run.len < range.start + line.len()) {
                    text.push('…');
                }
            }
            text.push('\n');
            lines.push(CutLine { index, start: range.start, range: start..text.len(), runs });
        }
        Some(CutFile { file, text, lines })
    }

    fn line_at(&self, cut: usize) -> Option<&CutLine> {
        let after = self.lines.partition_point(|line| line.range.start <= cut);
        self.lines.get(after.checked_sub(1)?)
    }

    fn to_cut(&self, original: usize) -> usize {
        let after = self.lines.partition_point(|line| line.start <= original);
        after.checked_sub(1).and_then(|n| self.lines.get(n)).map_or(0, |line| line.to_cut(original))
    }
}

/// The parts of `line` (which starts at file offset `start`) to keep: up to
/// [`AROUND_LABEL`] characters on each side of every point (file offsets),
/// merged where they meet; the start of the line when no point is on it.
fn windows(line: &str, start: usize, points: &[usize]) -> Vec<(usize, usize)> {
    let mut points: Vec<usize> = points
        .iter()
        .map(|point| {
            let mut point = point.saturating_sub(start).min(line.len());
            while !line.is_char_boundary(point) {
                point -= 1;
            }
            point
        })
        .collect();
    if points.is_empty() {
        points.push(0);
    }
    points.sort_unstable();
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for point in points {
        let from = line[..point].char_indices().rev().nth(AROUND_LABEL - 1).map_or(0, |(i, _)| i);
        let to = line[point..].char_indices().nth(AROUND_LABEL).map_or(line.len(), |(i, _)| point + i);
        match windows.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => windows.push((from, to)),
        }
    }
    windows
}

impl<'a, F: Files<'a>> Files<'a> for CutFiles<'a, F>
where
    F::FileId: PartialEq,
{
    type FileId = F::FileId;
    type Name = F::Name;
    type Source = &'a str;

    fn name(&'a self, file: F::FileId) -> Result<F::Name, files::Error> {
        self.original.name(file)
    }

    fn source(&'a self, file: F::FileId) -> Result<&'a str, files::Error> {
        Ok(&self.file(file)?.text)
    }

    fn line_index(&'a self, file: F::FileId, byte_index: usize) -> Result<usize, files::Error> {
        let line = self.file(file)?.line_at(byte_index).ok_or(files::Error::FileMissing)?;
        Ok(line.index)
    }

    fn line_range(&'a self, file: F::FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let cut = self.file(file)?;
        let line = cut.lines.iter().find(|line| line.index == line_index);
        line.map(|line| line.range.clone())
            .ok_or(files::Error::LineTooLarge { given: line_index, max: cut.lines.last().map_or(0, |line| line.index) })
    }

    /// Where a cut offset is in the original file.
    fn location(&'a self, file: F::FileId, byte_index: usize) -> Result<files::Location, files::Error> {
        let line = self.file(file)?.line_at(byte_index).ok_or(files::Error::FileMissing)?;
        self.original.location(file, line.to_original(byte_index))
    }
}
