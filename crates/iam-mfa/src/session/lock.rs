//! Single flight across processes: an OS file lock held while one process prompts and calls
//! STS; the others wait on it, then find the fresh session in the cache. The kernel drops the
//! lock when its holder dies (even by SIGKILL), so no stale lock survives.

use super::Error;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a waiter waits by default: under the Go SDK's 60 s credential_process timeout.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(55);
const POLL: Duration = Duration::from_millis(20);

/// An exclusive lock, released when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Deletes the lock file while still holding it. Safe because [`acquire`] only counts a lock as held when its
    /// path still names the locked file: a waiter that opened this file before the deletion wakes up, sees the path
    /// gone (or naming a new file) and starts over, so no two processes ever hold locks on different files of one
    /// path. (Windows cannot delete an open file; there the file stays.)
    pub fn remove(self) -> Result<(), Error> {
        #[cfg(unix)]
        match std::fs::remove_file(&self.path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::Cache(format!(
                    "cannot remove {}: {err}",
                    self.path.display()
                )));
            }
            _ => {}
        }
        drop(self.file);
        Ok(())
    }
}

/// Takes the lock at `path` (created 0600 with its directory 0700; a symbolic link there is refused), waiting up to
/// `wait`; `on_wait` runs once if another process holds it. A lock taken on a file that was deleted or replaced
/// meanwhile (see [`Lock::remove`]) does not count: the path is opened again.
pub fn acquire(path: &Path, wait: Duration, on_wait: impl FnOnce()) -> Result<Lock, Error> {
    let io = |err: std::io::Error| Error::Cache(format!("cannot lock {}: {err}", path.display()));
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(io)?;
    }
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let deadline = Instant::now() + wait;
    let mut on_wait = Some(on_wait);
    loop {
        let file = options.open(path).map_err(io)?;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    if let Some(notify) = on_wait.take() {
                        notify();
                    }
                    if Instant::now() >= deadline {
                        return Err(Error::LockTimeout(wait.as_secs()));
                    }
                    std::thread::sleep(POLL);
                }
                Err(TryLockError::Error(err)) => return Err(io(err)),
            }
        }
        if still_named(&file, path).map_err(io)? {
            return Ok(Lock {
                file,
                path: path.to_owned(),
            });
        }
    }
}

/// Whether `path` still names the open `file` (not deleted, not replaced by another file).
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    match std::fs::symlink_metadata(path) {
        Ok(now) => Ok(now.dev() == held.dev() && now.ino() == held.ino()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

/// Lock files are never deleted on Windows (see [`Lock::remove`]).
#[cfg(not(unix))]
fn still_named(_: &File, _: &Path) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_waits_then_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("x.lock");
        let held = acquire(&path, Duration::ZERO, || {}).unwrap();
        let mut waited = false;
        let err = acquire(&path, Duration::from_millis(50), || waited = true).unwrap_err();
        assert!(waited);
        assert!(matches!(err, Error::LockTimeout(_)));
        drop(held);
        assert!(acquire(&path, Duration::ZERO, || {}).is_ok());
    }

    /// A waiter that opened the lock file before its holder deleted it must not end up holding a lock on the
    /// deleted file while a newcomer locks the new one.
    #[cfg(unix)]
    #[test]
    fn a_waiter_never_holds_a_deleted_lock_file() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = acquire(&path, Duration::ZERO, || {}).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                acquire(&path, Duration::from_secs(10), || tx.send(()).unwrap()).unwrap()
            })
        };
        rx.recv().unwrap(); // the waiter has the old file open and is waiting
        held.remove().unwrap();
        let lock = waiter.join().unwrap();
        let on_disk = std::fs::metadata(&path).unwrap();
        let locked = lock.file.metadata().unwrap();
        assert_eq!((on_disk.dev(), on_disk.ino()), (locked.dev(), locked.ino()));
        // And the path's file really is locked: nobody else gets it.
        assert!(matches!(
            acquire(&path, Duration::ZERO, || {}),
            Err(Error::LockTimeout(_))
        ));
    }
}
