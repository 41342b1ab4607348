//! Writing the context as a tar archive, entry by entry, as docker-py's
//! `create_archive` does.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use tar::{EntryType, Header};

use super::BuildContext;
use super::stream::Counters;
use super::walk::{Walk, WalkEntry};

/// Writes `context`'s tar (gzipped if asked) to `out`, counting as it goes.
/// `cancelled` is asked between entries, to stop early.
pub(crate) fn write<W: Write>(
    context: &BuildContext,
    out: W,
    counters: &Counters,
    cancelled: &dyn Fn() -> bool,
) -> io::Result<W> {
    let out = Counting {
        inner: out,
        count: &counters.stream_bytes,
    };
    let out = if context.gzip {
        // docker-py's `tarfile.open(mode="w:gz")` compresses at level 9.
        let gzip = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        let gzip = write_tar(context, gzip, counters, cancelled)?;
        gzip.finish()?
    } else {
        write_tar(context, out, counters, cancelled)?
    };
    Ok(out.inner)
}

fn write_tar<W: Write>(
    context: &BuildContext,
    out: W,
    counters: &Counters,
    cancelled: &dyn Fn() -> bool,
) -> io::Result<W> {
    let out = Counting {
        inner: out,
        count: &counters.tar_bytes,
    };
    let mut tar = tar::Builder::new(out);
    let mut hard_links = HashMap::new();
    let walk = Walk::new(&context.root, &context.ignore, &context.keep)?;
    for entry in walk {
        if cancelled() {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the build context stream was dropped",
            ));
        }
        let entry = entry?;
        // The generated files replace context files of the same name.
        if context
            .extras
            .iter()
            .any(|extra| extra.name.as_bytes() == entry.rel)
        {
            continue;
        }
        if append_entry(&mut tar, &entry, &mut hard_links)? {
            counters.entries.fetch_add(1, Ordering::Relaxed);
        }
    }
    for extra in &context.extras {
        // docker-py's `TarInfo` defaults: mode 0644, owner 0:0, mtime 0.
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_size(extra.contents.len() as u64);
        header.set_mtime(0);
        tar.append_data(&mut header, &extra.name, extra.contents.as_slice())?;
        counters.entries.fetch_add(1, Ordering::Relaxed);
    }
    Ok(tar.into_inner()?.inner)
}

/// Appends one path, as `tarfile.gettarinfo` describes it: real mode
/// (permission bits), numeric owner and whole-second mtime; no user or
/// group names. Returns whether an entry was written (sockets are not).
fn append_entry<W: Write>(
    tar: &mut tar::Builder<W>,
    entry: &WalkEntry,
    hard_links: &mut HashMap<(u64, u64), Vec<u8>>,
) -> io::Result<bool> {
    let path = &entry.path;
    let meta = fs::symlink_metadata(path).map_err(|e| named(e, "read", path))?;
    let kind = meta.file_type();
    let name = Path::new(OsStr::from_bytes(&entry.rel));
    let mut header = header_for(&meta);
    if kind.is_file() {
        // A second name of a file already in the tar is a hard link to it.
        if meta.nlink() > 1 {
            let inode = (meta.dev(), meta.ino());
            if let Some(first) = hard_links.get(&inode) {
                header.set_entry_type(EntryType::Link);
                tar.append_link(&mut header, name, Path::new(OsStr::from_bytes(first)))?;
                return Ok(true);
            }
            hard_links.insert(inode, entry.rel.clone());
        }
        let file = File::open(path).map_err(|e| named(e, "read", path))?;
        header.set_entry_type(EntryType::Regular);
        header.set_size(meta.len());
        let contents = Exact {
            file,
            remaining: meta.len(),
            path,
        };
        tar.append_data(&mut header, name, contents)?;
    } else if kind.is_dir() {
        header.set_entry_type(EntryType::Directory);
        let mut dir = entry.rel.clone();
        dir.push(b'/');
        tar.append_data(&mut header, Path::new(OsStr::from_bytes(&dir)), io::empty())?;
    } else if kind.is_symlink() {
        // Stored as a link, never followed.
        let target = fs::read_link(path).map_err(|e| named(e, "read the link", path))?;
        header.set_entry_type(EntryType::Symlink);
        tar.append_link(&mut header, name, target)?;
    } else if kind.is_fifo() || kind.is_char_device() || kind.is_block_device() {
        // Recorded, never opened: opening a FIFO would wait for a writer.
        let (entry_type, (major, minor)) = if kind.is_fifo() {
            (EntryType::Fifo, (0, 0))
        } else if kind.is_char_device() {
            (EntryType::Char, device_numbers(meta.rdev()))
        } else {
            (EntryType::Block, device_numbers(meta.rdev()))
        };
        header.set_entry_type(entry_type);
        header.set_device_major(major)?;
        header.set_device_minor(minor)?;
        tar.append_data(&mut header, name, io::empty())?;
    } else {
        // A socket: tar has no way to store one, and docker-py skips it.
        return Ok(false);
    }
    Ok(true)
}

fn header_for(meta: &Metadata) -> Header {
    let mut header = Header::new_gnu();
    header.set_mode(meta.mode() & 0o7777);
    header.set_uid(u64::from(meta.uid()));
    header.set_gid(u64::from(meta.gid()));
    // Before 1970 is stored as 1970: the format's field is unsigned.
    header.set_mtime(u64::try_from(meta.mtime()).unwrap_or(0));
    header.set_size(0);
    header
}

/// A device number's major and minor parts, as `os.major`/`os.minor`.
fn device_numbers(rdev: u64) -> (u32, u32) {
    if cfg!(target_os = "macos") {
        ((rdev >> 24 & 0xff) as u32, (rdev & 0xff_ffff) as u32)
    } else {
        let major = (rdev >> 8 & 0xfff) | (rdev >> 32 & !0xfff);
        let minor = (rdev & 0xff) | (rdev >> 12 & !0xff);
        (major as u32, minor as u32)
    }
}

fn named(error: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("cannot {what} {}: {error}", path.display()))
}

/// A file's contents, exactly as long as its header says: a file that
/// shrinks while it is read is an error rather than a corrupt archive, and
/// one that grows is cut at the size announced.
struct Exact<'p> {
    file: File,
    remaining: u64,
    path: &'p Path,
}

impl Read for Exact<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let room = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let read = self
            .file
            .read(&mut buf[..room])
            .map_err(|e| named(e, "read", self.path))?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{} shrank while it was being read", self.path.display()),
            ));
        }
        self.remaining -= read as u64;
        Ok(read)
    }
}

/// Counts what goes through.
struct Counting<'c, W> {
    inner: W,
    count: &'c AtomicU64,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.count.fetch_add(written as u64, Ordering::Relaxed);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A reader of `path` that expects `len` bytes.
    pub(crate) fn exact(path: &Path, len: u64) -> impl Read + '_ {
        Exact {
            file: File::open(path).expect("a file"),
            remaining: len,
            path,
        }
    }
}
