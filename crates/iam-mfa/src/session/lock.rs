//! Single flight across processes: an OS file lock held while one process prompts and calls
//! STS; the others wait on it, then find the fresh session in the cache. The kernel drops the
//! lock when its holder dies (even by SIGKILL), so no stale lock survives.

use super::Error;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a waiter waits by default: under the Go SDK's 60 s credential_process timeout.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(55);
const POLL: Duration = Duration::from_millis(20);

/// An exclusive lock, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the lock at `path` (created 0600 with its directory 0700), waiting up to `wait`;
/// `on_wait` runs once if another process holds it.
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
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(io)?;
    let deadline = Instant::now() + wait;
    let mut on_wait = Some(on_wait);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock { _file: file }),
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
}
