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

/// The name standard input goes by, as a path (`-`) and in reports.
pub const STDIN_PATH: &str = "-";
pub const STDIN_NAME: &str = "<stdin>";

/// Reads a file's bytes, or standard input for `-`, stopping at `limit`
/// bytes: the limit is applied while reading, so a device or an endless pipe
/// costs no more than a file at the limit. Directories, devices and sockets
/// are refused; pipes are read (process substitution, `-`).
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let too_large = || format!("larger than {}", human_size(limit));
    if path == Path::new(STDIN_PATH) {
        let mut bytes = Vec::new();
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes).map_err(|error| error.to_string())?;
        return if bytes.len() as u64 > limit { Err(too_large()) } else { Ok(bytes) };
    }
    let file = std::fs::File::open(path).map_err(|error| io_reason(&error))?;
    let meta = file.metadata().map_err(|error| error.to_string())?;
    if meta.is_dir() {
        return Err("it is a directory".to_string());
    }
    if !meta.is_file() && !is_pipe(&meta) {
        return Err("not a regular file (a device or a socket)".to_string());
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() { meta.len() as usize } else { 0 });
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|error| error.to_string())?;
    if bytes.len() as u64 > limit { Err(too_large()) } else { Ok(bytes) }
}

#[cfg(unix)]
fn is_pipe(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_: &std::fs::Metadata) -> bool {
    false
}

/// An IO error as a reason, without Rust's `(os error 2)` suffix.
fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 { format!("{} MiB", bytes >> 20) } else { format!("{bytes} bytes") }
}

/// Reads a file as UTF-8 text into a database input, or reports why not.
pub fn read_source(db: &Database, path: &Path, problems: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let name = display(path);
    let bytes = match read_bytes(path, MAX_SOURCE_BYTES) {
        Ok(bytes) => bytes,
        Err(reason) => {
            problems.push(missing(db, path, &reason));
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

/// A diagnostic for an input file that was refused: located at its start.
pub fn refused(db: &Database, path: &Path, reason: &str) -> Diagnostic {
    read_error(db, path, reason, "refused")
}

/// A diagnostic for a path that has no readable text: nothing to point at.
pub fn missing(db: &Database, path: &Path, reason: &str) -> Diagnostic {
    read_error(db, path, reason, "")
}

fn read_error(db: &Database, path: &Path, reason: &str, label: &str) -> Diagnostic {
    let file = SourceFile::new(db, display(path), String::new());
    Diagnostic::new(
        Code::ReadError,
        format!("cannot read {}: {reason}", display(path)),
        Label::new(file, Span::empty(0), label),
    )
}

pub fn display(path: &Path) -> String {
    if path == Path::new(STDIN_PATH) {
        return STDIN_NAME.to_string();
    }
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
