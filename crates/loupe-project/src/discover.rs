//! Finding a pack's files and a workload's evidence files on disk.

use std::path::{Path, PathBuf};

use crate::read::{LoadError, LoadErrorKind};

/// The manifest that makes a directory a pack.
pub const MANIFEST: &str = "loupe.toml";

/// The extensions of evidence files found in a directory.
const EVIDENCE_EXTENSIONS: [&str; 4] = ["json", "yaml", "yml", "template"];

/// A pack directory's `.lens` files, sorted.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    /// Directories under the pack that are packs of their own: their files are theirs.
    pub nested: Vec<PathBuf>,
    /// Directories that could not be listed.
    pub errors: Vec<LoadError>,
}

/// Whether `dir` holds a manifest.
pub fn is_pack(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// The pack a file belongs to: the nearest directory above it with a manifest.
pub fn pack_root_of(file: &Path) -> Option<&Path> {
    file.ancestors().skip(1).find(|dir| is_pack(dir))
}

/// Every `.lens` file under `root`, sorted, leaving out hidden directories
/// and nested packs.
pub fn discover_pack(root: &Path) -> Discovered {
    let mut found = Discovered::default();
    walk(root, Some(root), &mut found);
    found.files.sort();
    found.nested.sort();
    found
}

/// Every `.lens` file under `dir`, sorted, nested packs included (what
/// `loupe fmt` formats), leaving out hidden directories.
pub fn discover_lens_files(dir: &Path) -> Discovered {
    let mut found = Discovered::default();
    walk(dir, None, &mut found);
    found.files.sort();
    found
}

/// The packs of a workspace folder: the pack of each `.lens` file under
/// `dir` (the nearest manifest above it, which may be above `dir`), and
/// `dir` when it holds a manifest; sorted, hidden directories left out.
pub fn discover_packs(dir: &Path) -> Vec<PathBuf> {
    let mut found = Discovered::default();
    walk(dir, None, &mut found);
    let mut roots: Vec<PathBuf> =
        found.files.iter().filter_map(|file| pack_root_of(file)).map(Path::to_path_buf).collect();
    roots.extend(is_pack(dir).then(|| dir.to_path_buf()));
    roots.sort();
    roots.dedup();
    roots
}

/// Walks `dir`; with a pack `root`, a directory below it that is a pack of
/// its own is set aside as nested rather than walked.
fn walk(dir: &Path, root: Option<&Path>, found: &mut Discovered) {
    if root.is_some_and(|root| root != dir) && is_pack(dir) {
        found.nested.push(dir.to_path_buf());
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            found.errors.push(LoadError::new(dir, LoadErrorKind::Io(error.to_string())));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Symbolic links to directories are not followed: they may loop.
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            if !is_hidden(&entry.file_name()) {
                walk(&path, root, found);
            }
        } else if is_lens(&path) {
            found.files.push(path);
        }
    }
}

/// Whether a file added under `root` is one of its pack's files, by the
/// rules of [`discover_pack`]: a `.lens` file in no hidden directory and in
/// no nested pack.
pub fn is_pack_file(root: &Path, nested: &[PathBuf], path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else { return false };
    let mut directories = relative.parent().into_iter().flat_map(Path::components);
    is_lens(path)
        && !directories.any(|part| is_hidden(part.as_os_str()))
        && !nested.iter().any(|nested| path.starts_with(nested))
}

fn is_lens(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "lens")
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Every evidence file under `dir`, sorted; hidden files and directories
/// are left out.
pub fn discover_evidence(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk_evidence(dir, &mut found);
    found.sort();
    found
}

fn walk_evidence(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if is_hidden(&entry.file_name()) {
            continue;
        }
        if path.is_dir() {
            walk_evidence(&path, out);
        } else if path.extension().is_some_and(|ext| EVIDENCE_EXTENSIONS.iter().any(|e| ext == *e)) {
            out.push(path);
        }
    }
}
