//! Reading files with limits: the one place a driver's bytes come from.

use std::fmt;
use std::path::{Path, PathBuf};

use loupe_db::SourceFile;

/// The name standard input goes by, as a path (`-`) and in reports.
pub const STDIN_PATH: &str = "-";
pub const STDIN_NAME: &str = "<stdin>";

/// `.lens` files are small; anything larger is a mistake, not a policy.
pub const MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// A file the workspace could not turn into an input, and why. The input is
/// not created: the error is kept for the driver to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The path as the driver named it (`-` for standard input).
    pub path: PathBuf,
    pub kind: LoadErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadErrorKind {
    NotFound,
    PermissionDenied,
    /// Any other IO error, as the system words it.
    Io(String),
    Directory,
    /// A device or a socket: reading it may never end.
    NotAFile,
    TooLarge {
        limit: u64,
    },
    /// The file is not UTF-8 from `valid_up_to` on; `lossy` is its text with
    /// each bad byte read as U+FFFD, so the driver can point at the place.
    NotUtf8 {
        valid_up_to: usize,
        lossy: String,
    },
    /// A directory named as a pack has no `loupe.toml`.
    NoManifest,
    /// A pack without `.lens` files, located at its manifest.
    EmptyPack {
        manifest: SourceFile,
    },
    /// A directory named as evidence holds no evidence file.
    NoEvidence,
    /// A format override names a path that is not one of the evidence files.
    OverrideOfNoEvidence,
}

impl LoadError {
    pub fn new(path: impl Into<PathBuf>, kind: LoadErrorKind) -> LoadError {
        LoadError { path: path.into(), kind }
    }

    /// The path as diagnostics name it.
    pub fn name(&self) -> String {
        display(&self.path)
    }
}

impl fmt::Display for LoadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadErrorKind::NotFound => f.write_str("no such file or directory"),
            LoadErrorKind::PermissionDenied => f.write_str("permission denied"),
            LoadErrorKind::Io(reason) => f.write_str(reason),
            LoadErrorKind::Directory => f.write_str("it is a directory"),
            LoadErrorKind::NotAFile => f.write_str("not a regular file (a device or a socket)"),
            LoadErrorKind::TooLarge { limit } => write!(f, "larger than {}", human_size(*limit)),
            LoadErrorKind::NotUtf8 { .. } => f.write_str("not UTF-8 text"),
            LoadErrorKind::NoManifest => f.write_str("a pack directory needs a loupe.toml"),
            LoadErrorKind::EmptyPack { .. } => f.write_str("no .lens files in it"),
            LoadErrorKind::NoEvidence => f.write_str("no .json, .yaml, .yml or .template files in it"),
            LoadErrorKind::OverrideOfNoEvidence => {
                f.write_str("--evidence-format names it, but it is not one of the evidence files")
            }
        }
    }
}

/// `path` with its `.` and `..` components resolved in the text alone (no
/// symbolic link followed): a sample named `../../examples/plan.json` is the
/// path a file watcher reports.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(normal.components().next_back(), Some(Component::Normal(_))) => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// Reads a file's bytes, or standard input for `-`, stopping at `limit`
/// bytes: the limit is applied while reading, so a device or an endless pipe
/// costs no more than a file at the limit. Directories, devices and sockets
/// are refused; pipes are read (process substitution, `-`).
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let error = |kind| LoadError::new(path, kind);
    let too_large = || error(LoadErrorKind::TooLarge { limit });
    if path == Path::new(STDIN_PATH) {
        let mut bytes = Vec::new();
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes).map_err(|e| error(io_kind(&e)))?;
        return if bytes.len() as u64 > limit { Err(too_large()) } else { Ok(bytes) };
    }
    let file = std::fs::File::open(path).map_err(|e| error(io_kind(&e)))?;
    let meta = file.metadata().map_err(|e| error(io_kind(&e)))?;
    if meta.is_dir() {
        return Err(error(LoadErrorKind::Directory));
    }
    if !meta.is_file() && !is_pipe(&meta) {
        return Err(error(LoadErrorKind::NotAFile));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() { meta.len() as usize } else { 0 });
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| error(io_kind(&e)))?;
    if bytes.len() as u64 > limit { Err(too_large()) } else { Ok(bytes) }
}

/// Reads a file as UTF-8 text, within `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, LoadError> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|error| {
        let valid_up_to = error.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
        LoadError::new(path, LoadErrorKind::NotUtf8 { valid_up_to, lossy })
    })
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
fn io_kind(error: &std::io::Error) -> LoadErrorKind {
    match error.kind() {
        std::io::ErrorKind::NotFound => LoadErrorKind::NotFound,
        std::io::ErrorKind::PermissionDenied => LoadErrorKind::PermissionDenied,
        _ => LoadErrorKind::Io(error.to_string()),
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 { format!("{} MiB", bytes >> 20) } else { format!("{bytes} bytes") }
}

/// The text of UTF-16 bytes that start with a byte order mark, as UTF-8;
/// `None` for anything else (or UTF-16 that does not decode).
pub(crate) fn utf16_to_utf8(bytes: &[u8]) -> Option<String> {
    let (rest, little_endian) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    if rest.len() % 2 != 0 {
        return None;
    }
    let units = rest.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) }
    });
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

/// A path as diagnostics name it: standard input by its name, and no `./`.
pub fn display(path: &Path) -> String {
    if path == Path::new(STDIN_PATH) {
        return STDIN_NAME.to_string();
    }
    let text = path.display().to_string();
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// Whether two paths name the same file (as named, when either is missing).
pub fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
