//! Reading and safely replacing the files: atomic rename through symlinks, 0600/0700 modes, and a lock file that
//! serialises read-modify-write cycles across threads and processes.

use crate::document::{Document, FileKind};
use crate::error::{Error, UpdateError};
use crate::snapshot::{
    self, STABLE_WAIT, Snapshot, Stamp, WriteOptions, check_read_only, check_regular, read_stable,
};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How many symbolic links [`write_atomic`] follows before giving up (Linux's own limit).
const MAX_SYMLINKS: usize = 40;
/// Suffix of the temporary files [`write_atomic`] renames into place.
const TEMP_SUFFIX: &str = ".tmp";

/// Reads and parses one file with [`Snapshot::read`] and returns its document.
pub fn read_document(path: &Path, kind: FileKind) -> Result<Document, Error> {
    Snapshot::read(path, kind).map(Snapshot::into_document)
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
    replace(&target, bytes, None)?;
    lock.unlock().map_err(Error::io("unlock", &target))
}

/// The body of [`write_atomic`]; the caller holds the lock. Temporary files of writers that died (killed between
/// creating and renaming theirs) are removed first: under the lock no live writer owns one. An existing target must
/// be a regular file. With `expect`, the target's metadata is compared with it right before the rename, and nothing
/// is replaced if they differ (someone wrote the file since it was read); returns whether it replaced the file.
fn replace(target: &Path, bytes: &[u8], expect: Option<Option<Stamp>>) -> Result<bool, Error> {
    if let Ok(meta) = fs::metadata(target) {
        check_regular(target, &meta)?;
    }
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
    if let Some(expect) = expect
        && Stamp::current(target)? != expect
    {
        return Ok(false);
    }
    temp.persist(target)
        .map_err(|err| Error::io("replace", target)(err.error))?;
    sync_dir(&dir)?;
    Ok(true)
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

/// Read-modify-write of one file under an exclusive lock: locks, reads the file stably (see [`Snapshot`]), checks
/// it against `baseline` (the command's first read of the same file), runs `edit`, and writes with the steps of
/// [`write_atomic`] only if the text changed. Returns whether it changed. Nothing is written when:
/// * the file lost a section, a key or bytes compared with `baseline` ([`Error::Lost`]): another program is
///   rewriting it, or rewrote it shorter, since the command read it;
/// * it keeps changing for a few seconds ([`Error::Unstable`]);
/// * it is read-only and `options` do not allow replacing it ([`Error::ReadOnly`]);
/// * it is not a regular file, does not parse, or `edit` fails.
///
/// Right before the rename the file's metadata is compared with the read once more; if someone wrote it in between,
/// the cycle starts over (so `edit` may run more than once). A writer that takes no lock can still overwrite the
/// result afterwards, but what this function writes always holds everything the file held.
///
/// The lock is held on a sidecar file `.NAME.lock` beside the (symlink-resolved) target, created mode 0600 and
/// never deleted. Locking the target itself cannot work: the rename replaces its inode, so a writer waiting on the
/// old inode would wake up holding a lock nobody else checks. A sidecar in the same directory exists wherever the
/// target can be written (the rename needs that directory anyway) and is shared by every path that leads to the same
/// file through symlinks. Deleting it after use would reintroduce the inode race, hence it stays.
pub fn update<E, F>(
    baseline: &Snapshot,
    options: WriteOptions,
    mut edit: F,
) -> Result<bool, UpdateError<E>>
where
    F: FnMut(&mut Document) -> Result<(), E>,
{
    let path = baseline.path();
    let target = resolve_symlinks(path)?;
    let lock = lock_file(&target)?;
    let deadline = Instant::now() + STABLE_WAIT;
    loop {
        let reading = read_stable(&target, deadline)?;
        let lost = |detail: String| Error::Lost {
            path: path.to_owned(),
            detail,
        };
        let mut doc = match snapshot::parse(path, baseline.document().kind(), &reading) {
            Ok(doc) => doc,
            Err(Error::Parse { source, .. }) if baseline.had_content() => {
                return Err(lost(format!("it no longer parses ({source})")).into());
            }
            Err(err) => return Err(err.into()),
        };
        if let Some(detail) = baseline.lost_in(&doc, &reading) {
            return Err(lost(detail).into());
        }
        let before = doc.to_string();
        edit(&mut doc).map_err(UpdateError::Edit)?;
        let after = doc.to_string();
        if after == before {
            lock.unlock().map_err(Error::io("unlock", &target))?;
            return Ok(false);
        }
        check_read_only(path, reading.stamp, options)?;
        if replace(&target, after.as_bytes(), Some(reading.stamp))? {
            lock.unlock().map_err(Error::io("unlock", &target))?;
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Err(Error::Unstable { path: target }.into());
        }
    }
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
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
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
