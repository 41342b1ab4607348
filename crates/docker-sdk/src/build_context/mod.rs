//! Build contexts: the tar of a directory that an image build uploads,
//! filtered by its `.dockerignore` and streamed while it is written.
//!
//! This is docker-py's `docker/utils/build.py` (`tar`, `exclude_paths`,
//! `create_archive`) and `process_dockerfile`, with `.dockerignore`
//! matched exactly as the Docker CLI and engine match it (moby's
//! `patternmatcher`), not with docker-py's approximation of it.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use docker_sdk::build_context::{ContextOptions, context_stream};
//! use futures::StreamExt;
//!
//! let options = ContextOptions::new().dockerfile("docker/Dockerfile.release");
//! let mut context = context_stream(std::path::Path::new("."), &options)?;
//! // The engine's `dockerfile` parameter: the name inside the archive.
//! println!("dockerfile={}", context.dockerfile());
//! let stats = context.stats();
//! while let Some(chunk) = context.next().await {
//!     let _upload = chunk?; // or hand the stream to reqwest::Body::wrap_stream
//! }
//! println!("{} entries, {} bytes", stats.entries(), stats.tar_bytes());
//! # Ok(())
//! # }
//! ```
//!
//! # What goes in
//!
//! - Every path of the directory that `.dockerignore` does not exclude (see
//!   [`Dockerignore`]), sorted by path as docker-py sorts them. A directory
//!   excluded by a pattern is not walked unless a later `!` exception could
//!   match something inside it; then its contents are matched one by one,
//!   and those re-included go in without the excluded directory's own entry
//!   (as docker-py and the CLI do; the engine creates missing parents).
//! - The Dockerfile and `.dockerignore`, always, even when a pattern
//!   excludes them (docker-py and the CLI add `!Dockerfile` and
//!   `!.dockerignore`): the engine reads them, then drops them from the
//!   context if `.dockerignore` excludes them.
//! - A Dockerfile outside the directory is read at once and added at the
//!   end as `.dockerfile.<hex>`, with a generated `.dockerignore` (the
//!   patterns plus that name, so the engine drops it from the context)
//!   replacing the directory's own, as docker-py does. The name is
//!   [`BuildContext::dockerfile`]: the engine must be sent that name.
//!
//! # How entries are stored
//!
//! As `tarfile.gettarinfo` makes them for docker-py: regular files with
//! their contents, permission bits, numeric uid/gid and mtime (whole
//! seconds); directories as directory entries; symbolic links as links,
//! never followed; hard links to a file already stored as hard links;
//! FIFOs and device nodes as such, never opened; sockets left out. GNU
//! headers, with GNU long-name records for long paths and link targets.
//!
//! # Deliberate differences from docker-py
//!
//! - Matching is the engine's: case-sensitive (docker-py lowercases), `**`
//!   as moby reads it, `[!a]` is not a negation, `../x` matches nothing,
//!   `#` only at the very start of a line starts a comment, and a directory
//!   excluded with an exception that has wildcards under it is walked
//!   (`*` then `!*/b.py` keeps `a/b.py`, where docker-py keeps nothing).
//! - No user or group names in headers (docker-py looks them up); the
//!   engine goes by the numeric ids. No sub-second mtimes (docker-py writes
//!   PAX records for them).
//! - The generated Dockerfile name is `.dockerfile.` and the SHA-256 of its
//!   contents (40 hex digits, like docker-py's random 160 bits), so that
//!   two builds of the same context give the same bytes; its contents are
//!   sent as read, without newline translation.
//! - A missing Dockerfile, or a bad `.dockerignore` pattern (one Go's
//!   regexp would refuse included), is an error before anything is sent.

mod archive;
mod dockerignore;
mod goregex;
mod stream;
mod walk;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

pub use dockerignore::{Dockerignore, DockerignoreError};
pub use stream::{CHANNEL_CAPACITY, CHUNK_SIZE, ContextStats, ContextStream};

use crate::error::{Error, Result};

/// How to make a build context: docker-py's `dockerfile` and `gzip`
/// keywords, and patterns to use instead of the `.dockerignore` file.
///
/// ```
/// use docker_sdk::build_context::ContextOptions;
///
/// let options = ContextOptions::new().dockerfile("Dockerfile.test").exclude(["target", "*.log"]);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default)]
pub struct ContextOptions {
    dockerfile: Option<PathBuf>,
    exclude: Option<Vec<String>>,
    gzip: bool,
}

impl ContextOptions {
    /// The defaults: `Dockerfile`, the directory's `.dockerignore`, no gzip.
    pub fn new() -> Self {
        Self::default()
    }

    /// The Dockerfile: relative to the context directory, or absolute; it
    /// may be outside the directory (docker-py's `dockerfile`).
    pub fn dockerfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.dockerfile = Some(path.into());
        self
    }

    /// Patterns to use instead of the directory's `.dockerignore`, as lines
    /// of such a file (docker-py's `exclude` of `utils.tar`).
    pub fn exclude<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.exclude = Some(patterns.into_iter().map(Into::into).collect());
        self
    }

    /// Gzips the archive (docker-py's `gzip`), at docker-py's level 9.
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }
}

/// A context directory, checked and ready to be written: its
/// `.dockerignore` read, its Dockerfile found.
#[derive(Clone, Debug)]
pub struct BuildContext {
    root: PathBuf,
    ignore: Dockerignore,
    /// Paths kept whatever the patterns say.
    keep: Vec<String>,
    /// Files added after the directory's (a Dockerfile from outside it).
    extras: Vec<Extra>,
    dockerfile: String,
    gzip: bool,
}

#[derive(Clone, Debug)]
struct Extra {
    name: String,
    contents: Vec<u8>,
}

impl BuildContext {
    /// Checks `dir` and reads what the archive needs before it is written:
    /// the directory must be readable, `.dockerignore` (or the `exclude`
    /// patterns) valid, and the Dockerfile present.
    ///
    /// Errors are [`Error::InvalidArgument`] for `path` (the directory,
    /// `.dockerignore` unreadable), `dockerignore` (a bad pattern, with its
    /// line) or `dockerfile`.
    pub fn new(dir: impl AsRef<Path>, options: &ContextOptions) -> Result<Self> {
        let root = dir.as_ref().to_path_buf();
        let unreadable = |e: std::io::Error| {
            Error::invalid_argument("path", format!("cannot read {}: {e}", root.display()))
        };
        if !std::fs::metadata(&root).map_err(unreadable)?.is_dir() {
            return Err(Error::invalid_argument(
                "path",
                format!("{} is not a directory", root.display()),
            ));
        }
        std::fs::read_dir(&root).map_err(unreadable)?;

        let (ignore, ignore_lines) = match &options.exclude {
            Some(lines) => (Dockerignore::from_lines(lines)?, lines.clone()),
            None => read_dockerignore(&root)?,
        };

        let absolute_root = absolute(&root)?;
        let mut keep = vec![".dockerignore".to_owned()];
        let mut extras = Vec::new();
        let dockerfile = match find_dockerfile(&absolute_root, options.dockerfile.as_deref())? {
            Dockerfile::Inside(name) => {
                keep.push(name.clone());
                name
            }
            Dockerfile::Outside(contents) => {
                let name = format!(".dockerfile.{}", &hex(&Sha256::digest(&contents))[..40]);
                // docker-py's generated `.dockerignore`: the patterns (or
                // itself, if none) and the Dockerfile's name, so that the
                // engine drops both from what COPY can see.
                let mut lines: Vec<String> = if ignore_lines.is_empty() {
                    vec![".dockerignore".to_owned()]
                } else {
                    ignore_lines
                };
                lines.push(name.clone());
                extras.push(Extra {
                    name: ".dockerignore".to_owned(),
                    contents: lines.join("\n").into_bytes(),
                });
                extras.push(Extra {
                    name: name.clone(),
                    contents,
                });
                name
            }
        };
        Ok(BuildContext {
            root,
            ignore,
            keep,
            extras,
            dockerfile,
            gzip: options.gzip,
        })
    }

    /// The Dockerfile's name in the archive, `/`-separated: what the
    /// engine must be sent as the build's `dockerfile` parameter.
    pub fn dockerfile(&self) -> &str {
        &self.dockerfile
    }

    /// The patterns in force.
    pub fn dockerignore(&self) -> &Dockerignore {
        &self.ignore
    }

    /// Whether the archive will be gzipped.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The directory's paths that go into the archive, in archive order,
    /// relative to it (docker-py's `exclude_paths`, sorted). Generated
    /// files are not listed; a socket is listed but not archived.
    pub fn included_paths(&self) -> Result<Vec<PathBuf>> {
        let walk = walk::Walk::new(&self.root, &self.ignore, &self.keep).map_err(|e| self.walk_error(e))?;
        walk.map(|entry| {
            let entry = entry.map_err(|e| self.walk_error(e))?;
            let name: std::ffi::OsString = std::os::unix::ffi::OsStringExt::from_vec(entry.rel);
            Ok(PathBuf::from(name))
        })
        .collect()
    }

    /// Writes the archive to `out`, on this thread: what
    /// [`BuildContext::stream`] does without the thread and the channel.
    pub fn write_to<W: Write>(&self, out: W) -> std::io::Result<ContextStats> {
        let stats = ContextStats::default();
        archive::write(self, out, stats.counters(), &|| false)?;
        Ok(stats)
    }

    /// Streams the archive, written by a thread of its own while it is
    /// read (see [`ContextStream`]).
    pub fn stream(self) -> Result<ContextStream> {
        ContextStream::start(self)
    }

    fn walk_error(&self, error: std::io::Error) -> Error {
        Error::invalid_argument("path", error.to_string())
    }
}

/// Checks `dir` and streams its archive: [`BuildContext::new`] then
/// [`BuildContext::stream`]. Errors in the directory, its `.dockerignore`
/// or the Dockerfile come from this call; errors met while walking end the
/// stream.
pub fn context_stream(dir: &Path, options: &ContextOptions) -> Result<ContextStream> {
    BuildContext::new(dir, options)?.stream()
}

/// The paths of `dir` that `patterns` (lines of a `.dockerignore`) leave
/// in a build context, in archive order: docker-py's `exclude_paths`, with
/// `Dockerfile` and `.dockerignore` kept.
pub fn included_paths<I, S>(dir: &Path, patterns: I) -> Result<Vec<PathBuf>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let ignore = Dockerignore::from_lines(patterns)?;
    let context = BuildContext {
        root: dir.to_path_buf(),
        ignore,
        keep: vec!["Dockerfile".to_owned(), ".dockerignore".to_owned()],
        extras: Vec::new(),
        dockerfile: "Dockerfile".to_owned(),
        gzip: false,
    };
    context.included_paths()
}

/// The directory's `.dockerignore`, and its lines (without comments and
/// blank lines, as docker-py keeps them for a generated one).
fn read_dockerignore(root: &Path) -> Result<(Dockerignore, Vec<String>)> {
    let path = root.join(".dockerignore");
    let contents = match std::fs::read(&path) {
        Ok(contents) => contents,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Dockerignore::new(), Vec::new())),
        Err(e) => {
            return Err(Error::invalid_argument(
                "path",
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    let ignore = Dockerignore::parse(&contents)?;
    let lines = dockerignore::go_lossy(&contents)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    Ok((ignore, lines))
}

enum Dockerfile {
    /// Its path inside the context, `/`-separated.
    Inside(String),
    /// Outside: its contents.
    Outside(Vec<u8>),
}

/// docker-py's `process_dockerfile`: a Dockerfile inside the context is
/// named by its relative path, one outside is read now. Whether it is
/// inside is decided on the paths, as docker-py does, not by resolving
/// symbolic links.
fn find_dockerfile(root: &Path, dockerfile: Option<&Path>) -> Result<Dockerfile> {
    let invalid = |reason: String| Error::invalid_argument("dockerfile", reason);
    let Some(given) = dockerfile else {
        // The engine falls back to `dockerfile` when `Dockerfile` is absent.
        return ["Dockerfile", "dockerfile"]
            .into_iter()
            .find(|name| root.join(name).is_file())
            .map(|name| Dockerfile::Inside(name.to_owned()))
            .ok_or_else(|| invalid(format!("no Dockerfile in {}", root.display())));
    };
    let path = normalize(&root.join(given));
    match path.strip_prefix(root) {
        Ok(relative) if relative != Path::new("") => {
            if !path.is_file() {
                return Err(invalid(format!(
                    "{} is not a file in the context",
                    given.display()
                )));
            }
            let name: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Ok(Dockerfile::Inside(name.join("/")))
        }
        _ => std::fs::read(&path)
            .map(Dockerfile::Outside)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display()))),
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path)
        .map(|path| normalize(&path))
        .map_err(|e| Error::invalid_argument("path", format!("cannot resolve {}: {e}", path.display())))
}

/// `os.path.normpath`: `.` and `..` resolved on the path alone.
fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // `/..` is `/`; a relative path keeps its leading `..`.
                if !normal.pop() && !normal.has_root() {
                    normal.push("..");
                }
            }
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
