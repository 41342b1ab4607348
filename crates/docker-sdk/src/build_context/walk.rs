//! The walk of a context directory: what goes into the tar, in order.
//!
//! Entries come out sorted by their whole relative path, byte by byte, as
//! docker-py's `sorted(exclude_paths(...))` orders them: `a`, `a-b`,
//! `a.txt`, then `a/x` (`-` and `.` sort before `/`). The walk produces
//! that order lazily: each directory is listed when the walk reaches it,
//! and among siblings a directory's own entry sorts at `name` while its
//! contents sort at `name/`. Memory is one listing per level of depth.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::dockerignore::{DirState, Dockerignore, go_lossy};

/// One path of the context that goes into the tar.
#[derive(Debug)]
pub(crate) struct WalkEntry {
    /// Relative to the context, `/`-separated, as raw bytes.
    pub rel: Vec<u8>,
    /// Where it is on disk.
    pub path: PathBuf,
}

/// The paths of a context that are not excluded, in tar order.
pub(crate) struct Walk<'a> {
    root: &'a Path,
    ignore: &'a Dockerignore,
    /// Paths kept whatever the patterns say (the Dockerfile, `.dockerignore`).
    keep: &'a [String],
    stack: Vec<Frame>,
}

/// One directory being walked.
struct Frame {
    state: DirState,
    /// What is left to do in it, in reverse order (the next step is last).
    steps: Vec<Step>,
}

struct Step {
    rel: Vec<u8>,
    /// Whether it sorts at `name/`: the directory's contents, not its entry.
    descend: bool,
}

impl Step {
    fn key(&self) -> impl Iterator<Item = u8> + '_ {
        self.rel.iter().copied().chain(self.descend.then_some(b'/'))
    }
}

impl<'a> Walk<'a> {
    /// Lists the context directory: an unreadable context fails here, before
    /// anything is written.
    pub(crate) fn new(root: &'a Path, ignore: &'a Dockerignore, keep: &'a [String]) -> io::Result<Self> {
        let mut walk = Walk {
            root,
            ignore,
            keep,
            stack: Vec::new(),
        };
        let frame = walk.list(&[], ignore.root_state())?;
        walk.stack.push(frame);
        Ok(walk)
    }

    fn list(&self, dir: &[u8], state: DirState) -> io::Result<Frame> {
        let path = self.disk_path(dir);
        let named = |e: io::Error| io::Error::new(e.kind(), format!("cannot list {}: {e}", path.display()));
        let mut steps = Vec::new();
        for child in fs::read_dir(&path).map_err(named)? {
            let child = child.map_err(named)?;
            let is_dir = child.file_type().map_err(named)?.is_dir();
            let name = child.file_name();
            let mut rel = dir.to_vec();
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(name.as_bytes());
            let (include, descend) = self.decide(&rel, is_dir, &state);
            if descend {
                steps.push(Step {
                    rel: rel.clone(),
                    descend: true,
                });
            }
            if include {
                steps.push(Step { rel, descend: false });
            }
        }
        steps.sort_unstable_by(|a, b| b.key().cmp(a.key()));
        Ok(Frame { state, steps })
    }

    /// Whether a path goes into the tar, and (for a directory) whether its
    /// contents must be walked.
    fn decide(&self, rel: &[u8], is_dir: bool, parent: &DirState) -> (bool, bool) {
        if self.ignore.is_empty() {
            return (true, is_dir);
        }
        let rel = go_lossy(rel);
        let kept = self.keep.iter().any(|k| *k == rel);
        let last = self.ignore.last_match(&rel, parent);
        let include = kept || !self.ignore.excludes(last);
        let descend = is_dir
            && (include
                || last.is_some_and(|rule| self.ignore.may_reinclude_under(&rel, rule))
                || self
                    .keep
                    .iter()
                    .any(|k| k.strip_prefix(&*rel).is_some_and(|r| r.starts_with('/'))));
        (include, descend)
    }

    fn disk_path(&self, rel: &[u8]) -> PathBuf {
        if rel.is_empty() {
            self.root.to_path_buf()
        } else {
            self.root.join(OsStr::from_bytes(rel))
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = io::Result<WalkEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let frame = self.stack.last_mut()?;
            let Some(step) = frame.steps.pop() else {
                self.stack.pop();
                continue;
            };
            if !step.descend {
                let path = self.disk_path(&step.rel);
                return Some(Ok(WalkEntry { rel: step.rel, path }));
            }
            let state = self.ignore.dir_state(&go_lossy(&step.rel), &frame.state);
            match self.list(&step.rel, state) {
                Ok(child) => self.stack.push(child),
                Err(error) => {
                    // A failed walk ends with its error.
                    self.stack.clear();
                    return Some(Err(error));
                }
            }
        }
    }
}
