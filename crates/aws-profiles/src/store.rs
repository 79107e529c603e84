//! Reading and safely replacing the files: atomic rename through symlinks, 0600/0700 modes, and a lock file that
//! serialises read-modify-write cycles across threads and processes.

use crate::document::{Document, FileKind};
use crate::error::{Error, UpdateError};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// How many symbolic links [`write_atomic`] follows before giving up (Linux's own limit).
const MAX_SYMLINKS: usize = 40;
/// Suffix of the temporary files [`write_atomic`] renames into place.
const TEMP_SUFFIX: &str = ".tmp";

/// Reads and parses one file; a missing file is an empty document. Non-UTF-8 content is an error (the SDK reads it
/// as empty, but editing it would destroy it).
pub fn read_document(path: &Path, kind: FileKind) -> Result<Document, Error> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(Document::empty(kind)),
        Err(err) => return Err(Error::io("read", path)(err)),
    };
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        path: path.to_owned(),
    })?;
    Document::parse(&text, kind).map_err(|source| Error::Parse {
        path: path.to_owned(),
        source,
    })
}

/// Replaces the file at `path` with `bytes` so that readers see the old or the new content, never a mix, even if
/// the writer dies: a temporary file is created mode 0600 in the same directory, written, fsynced, renamed over the
/// target, and the directory is fsynced. If `path` is a symbolic link (e.g. from a dotfile manager) the file it
/// points to is replaced and the link stays. Missing directories are created mode 0700. The result is always mode
/// 0600: the credentials file holds secrets, and the config file may name the commands that produce them; a
/// group- or world-readable mode is deliberately not carried over. (The owner is that of the writing process.)
/// Takes the same lock as [`update`], so it never interleaves with one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let target = resolve_symlinks(path)?;
    let lock = lock_file(&target)?;
    replace(&target, bytes)?;
    lock.unlock().map_err(Error::io("unlock", &target))
}

/// The body of [`write_atomic`]; the caller holds the lock. Temporary files of writers that died (killed between
/// creating and renaming theirs) are removed first: under the lock no live writer owns one.
fn replace(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    let (dir, name) = dir_and_name(target)?;
    let prefix = format!(".{name}.");
    remove_stale_temporaries(&dir, &prefix)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    let mut temp = builder
        .tempfile_in(&dir)
        .map_err(Error::io("create a temporary file in", &dir))?;
    temp.write_all(bytes)
        .map_err(Error::io("write", temp.path()))?;
    temp.as_file()
        .sync_all()
        .map_err(Error::io("sync", temp.path()))?;
    temp.persist(target)
        .map_err(|err| Error::io("replace", target)(err.error))?;
    sync_dir(&dir)
}

/// Deletes `PREFIX*.tmp` files in `dir` left by dead writers.
fn remove_stale_temporaries(dir: &Path, prefix: &str) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(Error::io("list", dir))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && name.ends_with(TEMP_SUFFIX) {
            let path = entry.path();
            match fs::remove_file(&path) {
                Err(err) if err.kind() != ErrorKind::NotFound => {
                    return Err(Error::io("remove", path)(err));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Read-modify-write of one file under an exclusive lock: locks, reads (missing = empty), runs `edit`, and writes
/// with [`write_atomic`] only if the text changed. Returns whether it changed. A parse error or an `edit` error
/// leaves the file untouched.
///
/// The lock is held on a sidecar file `.NAME.lock` beside the (symlink-resolved) target, created mode 0600 and
/// never deleted. Locking the target itself cannot work: the rename replaces its inode, so a writer waiting on the
/// old inode would wake up holding a lock nobody else checks. A sidecar in the same directory exists wherever the
/// target can be written (the rename needs that directory anyway) and is shared by every path that leads to the same
/// file through symlinks. Deleting it after use would reintroduce the inode race, hence it stays.
pub fn update<E, F>(path: &Path, kind: FileKind, edit: F) -> Result<bool, UpdateError<E>>
where
    F: FnOnce(&mut Document) -> Result<(), E>,
{
    let target = resolve_symlinks(path)?;
    let lock = lock_file(&target)?;
    let mut doc = read_document(&target, kind)?;
    let before = doc.to_string();
    edit(&mut doc).map_err(UpdateError::Edit)?;
    let after = doc.to_string();
    let changed = after != before;
    if changed {
        replace(&target, after.as_bytes())?;
    }
    lock.unlock().map_err(Error::io("unlock", &target))?;
    Ok(changed)
}

/// Creates the directory of `target` if needed (0700), then opens (creating 0600) and exclusively locks the sidecar
/// lock file of `target`; unlocked when dropped.
fn lock_file(target: &Path) -> Result<File, Error> {
    let (dir, name) = dir_and_name(target)?;
    create_private_dir(&dir)?;
    let lock_path = dir.join(format!(".{name}.lock"));
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&lock_path)
        .map_err(Error::io("open", &lock_path))?;
    file.lock().map_err(Error::io("lock", &lock_path))?;
    Ok(file)
}

/// Follows symbolic links at `path` (not in its directories) to the file they finally name, which may not exist.
pub fn resolve_symlinks(path: &Path) -> Result<PathBuf, Error> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current).map_err(Error::io("read the link", &current))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(current),
            Err(err) => return Err(Error::io("inspect", &current)(err)),
        }
    }
    Err(Error::SymlinkLoop { path: current })
}

/// The directory (`.` for a bare name) and file name of `path`.
fn dir_and_name(path: &Path) -> Result<(PathBuf, String), Error> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| Error::NotAFile {
            path: path.to_owned(),
        })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

/// Creates `dir` and missing parents with mode 0700 (existing directories keep their mode).
fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(Error::io("create the directory", dir))
}

/// Makes a rename in `dir` durable (POSIX needs the directory itself fsynced; Windows has no such call).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(Error::io("sync the directory", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
