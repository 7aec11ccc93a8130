//! Edits to the workspace's files, applied in one step by the host.

use std::path::PathBuf;

/// A batch of file edits, applied in order by
/// [`AnalysisHost::apply_change`](crate::AnalysisHost::apply_change).
#[derive(Debug, Default, Clone)]
pub struct Change {
    pub(crate) edits: Vec<FileEdit>,
}

#[derive(Debug, Clone)]
pub(crate) enum FileEdit {
    /// A file's new text: a pack file, a manifest or an evidence file; a
    /// path the workspace does not know is added.
    SetText(PathBuf, String),
    Remove(PathBuf),
}

impl Change {
    pub fn new() -> Change {
        Change::default()
    }

    /// Sets the text of the file at `path`, adding the file when the
    /// workspace does not have it yet.
    pub fn set_text(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> &mut Change {
        self.edits.push(FileEdit::SetText(path.into(), text.into()));
        self
    }

    /// Removes the file at `path` from the workspace and from its pack.
    pub fn remove_file(&mut self, path: impl Into<PathBuf>) -> &mut Change {
        self.edits.push(FileEdit::Remove(path.into()));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}
