//! Loads packs from disk into the database: the only place `check` does IO.

use std::path::{Path, PathBuf};

use loupe_db::{Code, Database, Diagnostic, Label, Pack, SourceFile, Span};

pub const MANIFEST: &str = "loupe.toml";
/// `.lens` files are small; anything larger is a mistake, not a policy.
const MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// A pack to report on, and the one file to report if a file was named.
#[derive(Debug)]
pub struct Target {
    pub pack: Pack,
    pub only: Option<SourceFile>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub targets: Vec<Target>,
    /// Files that could not be read or were not UTF-8.
    pub problems: Vec<Diagnostic>,
}

pub fn load(db: &Database, paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.is_dir() {
            let pack = load_pack(db, path, &mut loaded.problems);
            loaded.targets.extend(pack.map(|pack| Target { pack, only: None }));
        } else if path.is_file() {
            load_file(db, path, &mut loaded);
        } else {
            loaded.problems.push(
                missing(db, path, "no such file or directory")
                    .with_help("name pack directories (with a loupe.toml) or .lens files"),
            );
        }
    }
    loaded
}

/// A `.lens` file is checked within its pack when one of its directories has
/// a manifest, and on its own otherwise.
fn load_file(db: &Database, path: &Path, loaded: &mut Loaded) {
    let pack_dir = path.ancestors().skip(1).find(|dir| dir.join(MANIFEST).is_file());
    if let Some(dir) = pack_dir {
        let Some(pack) = load_pack(db, dir, &mut loaded.problems) else {
            return;
        };
        let only = pack.files(db).iter().copied().find(|file| same_file(Path::new(file.name(db)), path));
        loaded.targets.push(Target { pack, only });
        return;
    }
    if let Some(file) = read_source(db, path, &mut loaded.problems) {
        let pack = Pack::new(db, None, vec![file]);
        loaded.targets.push(Target { pack, only: Some(file) });
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn load_pack(db: &Database, dir: &Path, problems: &mut Vec<Diagnostic>) -> Option<Pack> {
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.is_file() {
        problems.push(missing(db, &manifest_path, "a pack directory needs a loupe.toml").with_help(
            "create loupe.toml with `[pack]` and `name = \"...\"`, or name the .lens files to check them on their own",
        ));
        return None;
    }
    let manifest = read_source(db, &manifest_path, problems)?;
    let mut paths = Vec::new();
    collect_lens_files(dir, true, &mut paths, problems, db);
    paths.sort();
    let files: Vec<SourceFile> = paths.iter().filter_map(|path| read_source(db, path, problems)).collect();
    if paths.is_empty() {
        problems.push(
            Diagnostic::new(
                Code::EmptyPack,
                format!("no .lens files in {}", dir.display()),
                Label::new(manifest, Span::empty(0), "pack declared here"),
            )
            .with_help("add the lens, pillar and question files next to loupe.toml"),
        );
    }
    Some(Pack::new(db, Some(manifest), files))
}

/// Every `.lens` file under `dir`, leaving out hidden directories and nested packs.
fn collect_lens_files(
    dir: &Path,
    is_root: bool,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<Diagnostic>,
    db: &Database,
) {
    if !is_root && dir.join(MANIFEST).is_file() {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(missing(db, dir, &error.to_string()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if path.is_dir() && !hidden {
            collect_lens_files(&path, false, out, problems, db);
        } else if path.extension().is_some_and(|ext| ext == "lens") {
            out.push(path);
        }
    }
}

/// Reads a file as UTF-8 text into a database input, or reports why not.
pub fn read_source(db: &Database, path: &Path, problems: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let name = display(path);
    let too_large = std::fs::metadata(path).is_ok_and(|meta| meta.len() > MAX_SOURCE_BYTES);
    if too_large {
        problems.push(missing(db, path, &format!("larger than {} MiB", MAX_SOURCE_BYTES >> 20)));
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            problems.push(missing(db, path, &error.to_string()));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(SourceFile::new(db, name, text)),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile::new(db, name, text);
            problems.push(
                Diagnostic::new(
                    Code::NotUtf8,
                    "file is not valid UTF-8",
                    // The bad byte reads as U+FFFD in the lossy copy the label points into.
                    Label::new(file, Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()), "invalid byte here"),
                )
                .with_help("save the file as UTF-8"),
            );
            None
        }
    }
}

/// A diagnostic for a path that has no readable text.
pub fn missing(db: &Database, path: &Path, reason: &str) -> Diagnostic {
    let file = SourceFile::new(db, display(path), String::new());
    Diagnostic::new(
        Code::ReadError,
        format!("cannot read {}: {reason}", display(path)),
        Label::new(file, Span::empty(0), ""),
    )
}

pub fn display(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
