//! [`Snapshot`]: a file read so that a writer caught mid-rewrite is noticed, and kept as the baseline that a later
//! [`crate::update`] must not lose anything of.
//!
//! Other programs rewrite these files in place without any lock: botocore's `ConfigFileWriter` (`aws configure
//! set`) reads the file, reopens it with `O_TRUNC` and writes the new text a moment later. A reader in between sees
//! an empty or partial file; writing back such a read deletes every profile. Hence a read is accepted only when two
//! reads a moment apart agree byte for byte and in their metadata, and a write refuses a file that lost a section,
//! a key or bytes compared with the command's first read.

use crate::document::{Document, FileKind};
use crate::error::Error;
use crate::syntax::LineClass;
use std::collections::HashSet;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The pause between the two reads of a stable read: far longer than a writer's gap between truncating and writing.
const PAUSE: Duration = Duration::from_millis(5);
/// A file whose last change (ctime on Unix, which no program can set back) is older than this is not being written,
/// so one read unchanged while reading is enough: commands that only read (such as `process`) pay no pause.
const QUIET: Duration = Duration::from_secs(1);
/// How long a read keeps trying for two agreeing reads before it reports the file as changing.
pub(crate) const STABLE_WAIT: Duration = Duration::from_secs(3);

/// What a file's metadata said when read: any write, truncation, replacement or chmod changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    identity: (u64, u64, i64, i64),
    /// When the file last changed (content or metadata).
    changed: Option<SystemTime>,
    /// The permission bits (Unix), for messages.
    pub(crate) mode: Option<u32>,
    /// The owner may not write it (no `u+w` on Unix, the read-only attribute elsewhere).
    pub(crate) read_only: bool,
}

impl Stamp {
    pub(crate) fn of(meta: &Metadata) -> Stamp {
        let (mode, read_only) = permissions(meta);
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            identity: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
            },
            changed: changed_at(meta),
            mode,
            read_only,
        }
    }

    /// Whether the file has not changed for [`QUIET`].
    fn quiet(&self) -> bool {
        self.changed
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age >= QUIET)
    }

    /// The stamp of the file at `path` now (`None` if missing), without opening it.
    pub(crate) fn current(path: &Path) -> Result<Option<Stamp>, Error> {
        match fs::metadata(path) {
            Ok(meta) => Ok(Some(Stamp::of(&meta))),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(Error::io("inspect", path)(err)),
        }
    }
}

/// The inode change time: updated by every write, truncation and chmod, and not settable by `touch`.
#[cfg(unix)]
fn changed_at(meta: &Metadata) -> Option<SystemTime> {
    use std::os::unix::fs::MetadataExt;
    let secs = u64::try_from(meta.ctime()).ok()?;
    let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

#[cfg(not(unix))]
fn changed_at(meta: &Metadata) -> Option<SystemTime> {
    meta.modified().ok()
}

/// The permission bits and whether the owner may not write (Unix: no `u+w`).
#[cfg(unix)]
fn permissions(meta: &Metadata) -> (Option<u32>, bool) {
    use std::os::unix::fs::MetadataExt;
    (Some(meta.mode() & 0o7777), meta.mode() & 0o200 == 0)
}

/// No permission bits; the read-only attribute.
#[cfg(not(unix))]
fn permissions(meta: &Metadata) -> (Option<u32>, bool) {
    (None, meta.permissions().readonly())
}

/// One file's content as read at one moment, with its metadata; `None` content means the file is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reading {
    pub(crate) bytes: Option<Vec<u8>>,
    pub(crate) stamp: Option<Stamp>,
}

/// Reads the file at `path` until two reads [`PAUSE`] apart agree (content and metadata, and the metadata did not
/// change during either read) and the content does not look like a write in progress ([`Reading::settled`]), giving
/// up at `deadline` with [`Error::Unstable`]. One read suffices for a missing file and for one that has been quiet
/// for [`QUIET`]. Anything but a regular file (after symlinks) is refused
/// without blocking on it: a FIFO is opened non-blocking and never read.
pub(crate) fn read_stable(path: &Path, deadline: Instant) -> Result<Reading, Error> {
    loop {
        let first = match read_once(path)? {
            Some(reading) if reading.stamp.is_none_or(|stamp| stamp.quiet()) => return Ok(reading),
            first => first,
        };
        std::thread::sleep(PAUSE);
        let second = read_once(path)?;
        if let (Some(first), Some(second)) = (first, second)
            && first == second
            && first.settled()
        {
            return Ok(first);
        }
        if Instant::now() >= deadline {
            return Err(Error::Unstable {
                path: path.to_owned(),
            });
        }
    }
}

impl Reading {
    /// Whether this reading can be the end state of a write: a file changed within [`QUIET`] that is empty or ends
    /// mid-line is what a writer that truncated it and has not finished writing (a stalled `aws configure set`)
    /// leaves, so it is read again until it is complete or quiet.
    fn settled(&self) -> bool {
        match (&self.bytes, self.stamp) {
            (Some(bytes), Some(stamp)) => stamp.quiet() || bytes.ends_with(b"\n"),
            _ => true,
        }
    }
}

/// The largest profile file read: real config and credentials files are kilobytes (a generated config with thousands
/// of SSO profiles is about a megabyte), and a document in memory costs several times its size, so a bigger file is
/// refused rather than read whole (a 50 MB file cost `login` 1.5 GB before).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// One read; `None` if the metadata changed while reading. A file over [`MAX_FILE_BYTES`] is refused without being
/// read whole.
fn read_once(path: &Path) -> Result<Option<Reading>, Error> {
    let Some(mut file) = open_regular(path)? else {
        return Ok(Some(Reading {
            bytes: None,
            stamp: None,
        }));
    };
    let before = file.metadata().map_err(Error::io("inspect", path))?;
    let too_large = || Error::TooLarge {
        path: path.to_owned(),
        cap: MAX_FILE_BYTES,
    };
    if before.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Error::io("read", path))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let after = file.metadata().map_err(Error::io("inspect", path))?;
    let stamp = Stamp::of(&after);
    Ok((Stamp::of(&before) == stamp).then_some(Reading {
        bytes: Some(bytes),
        stamp: Some(stamp),
    }))
}

/// Opens `path` for reading if it exists, refusing anything but a regular file (checked on the open handle, and
/// opened non-blocking so a FIFO cannot hang the caller).
fn open_regular(path: &Path) -> Result<Option<File>, Error> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Error::io("open", path)(err)),
    };
    let meta = file.metadata().map_err(Error::io("inspect", path))?;
    check_regular(path, &meta)?;
    Ok(Some(file))
}

/// [`Error::NotRegular`] unless `meta` is a regular file's.
pub(crate) fn check_regular(path: &Path, meta: &Metadata) -> Result<(), Error> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        special_kind(&kind)
    };
    Err(Error::NotRegular {
        path: path.to_owned(),
        what,
    })
}

#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "not a regular file"
}

/// Parses a reading of `path` (a missing file is an empty document).
pub(crate) fn parse(path: &Path, kind: FileKind, reading: &Reading) -> Result<Document, Error> {
    let Some(bytes) = &reading.bytes else {
        return Ok(Document::empty(kind));
    };
    let text = std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        path: path.to_owned(),
    })?;
    Document::parse(text, kind).map_err(|source| Error::Parse {
        path: path.to_owned(),
        source,
    })
}

/// A profile file as a command first read it (stably, see the module docs): its document, and the baseline that
/// [`crate::update`] compares the file with before writing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    path: PathBuf,
    document: Document,
    reading: Reading,
}

/// Choices of a write that the caller (the person) must make explicitly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Replace a file its owner may not write (e.g. mode 0400); refused otherwise with [`Error::ReadOnly`].
    pub replace_read_only: bool,
}

impl Snapshot {
    /// Reads and parses `path`: a missing file is an empty document; a file that keeps changing is
    /// [`Error::Unstable`]; anything but a regular file is [`Error::NotRegular`]; non-UTF-8 is [`Error::NotUtf8`].
    pub fn read(path: &Path, kind: FileKind) -> Result<Snapshot, Error> {
        let reading = read_stable(path, Instant::now() + STABLE_WAIT)?;
        let document = parse(path, kind, &reading)?;
        Ok(Snapshot {
            path: path.to_owned(),
            document,
            reading,
        })
    }

    /// The path as given to [`Snapshot::read`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parsed file.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The document, consumed.
    pub fn into_document(self) -> Document {
        self.document
    }

    /// Refuses, as [`crate::update`] would, a file that exists read-only unless `options` allow replacing it; lets a
    /// caller refuse before doing work whose result it could not write.
    pub fn check_writable(&self, options: WriteOptions) -> Result<(), Error> {
        check_read_only(&self.path, self.reading.stamp, options)
    }

    /// Whether the file existed with at least one byte.
    pub(crate) fn had_content(&self) -> bool {
        self.reading
            .bytes
            .as_ref()
            .is_some_and(|bytes| !bytes.is_empty())
    }

    /// What `fresh` (read later from the same file) lost compared with this snapshot: a section, a key of a section,
    /// or bytes. `None` when nothing was lost. Names headers and keys only, never values.
    pub(crate) fn lost_in(&self, fresh: &Document, fresh_reading: &Reading) -> Option<String> {
        if fresh_reading == &self.reading {
            return None;
        }
        let have: HashSet<(String, Option<String>)> = inventory(fresh).into_iter().collect();
        if let Some((header, key)) = inventory(&self.document)
            .into_iter()
            .find(|item| !have.contains(item))
        {
            return Some(match key {
                None => format!("section [{header}] is gone"),
                Some(key) => format!("key `{key}` of [{header}] is gone"),
            });
        }
        let len = |reading: &Reading| reading.bytes.as_ref().map_or(0, Vec::len);
        let (was, now) = (len(&self.reading), len(fresh_reading));
        (now < was).then(|| format!("it shrank from {was} to {now} bytes"))
    }
}

/// [`Error::ReadOnly`] if `stamp` is of a read-only file and `options` do not allow replacing it.
pub(crate) fn check_read_only(
    path: &Path,
    stamp: Option<Stamp>,
    options: WriteOptions,
) -> Result<(), Error> {
    match stamp {
        Some(stamp) if stamp.read_only && !options.replace_read_only => Err(Error::ReadOnly {
            path: path.to_owned(),
            mode: stamp.mode,
        }),
        _ => Ok(()),
    }
}

/// Every section header (raw, as written) and every (header, key) pair of a document.
fn inventory(doc: &Document) -> Vec<(String, Option<String>)> {
    let mut items = Vec::new();
    let mut header: Option<&str> = None;
    for line in &doc.lines {
        match &line.class {
            LineClass::Header { name } => {
                header = Some(name);
                items.push((name.clone(), None));
            }
            LineClass::Property { key, .. } => {
                if let Some(header) = header {
                    items.push((header.to_owned(), Some(key.clone())));
                }
            }
            LineClass::Blank | LineClass::Comment | LineClass::Continuation { .. } => {}
        }
    }
    items
}
