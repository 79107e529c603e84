//! The session cache: one 0600 JSON file per (partition, long-term access key id, MFA serial),
//! in `$XDG_RUNTIME_DIR/iam-mfa` (tmpfs, cleared at logout) or else `$XDG_CACHE_HOME/iam-mfa`
//! (`~/.cache/iam-mfa`; `%LOCALAPPDATA%\iam-mfa` on Windows). Keying by the access key and the
//! serial means a rotated key or a new device never reuses an old session. Role sessions live
//! beside them in `role-*.json` files (`session::roles`).

use super::Error;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// Format version of the cache files; other versions are ignored (and overwritten).
const VERSION: u32 = 1;

/// Start of the names of role-session files (see `session::roles`), which MFA-session listings skip.
pub const ROLE_PREFIX: &str = "role-";

/// Seconds during which a code that obtained a session counts as used: a TOTP code lives for a
/// 30 s step, and AWS also accepts the neighbouring steps.
pub const CODE_REUSE_WINDOW: i64 = 120;

/// Temporary credentials from GetSessionToken.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration: OffsetDateTime,
}

impl Session {
    /// Seconds until expiry at `now` (negative once expired).
    pub fn seconds_left(&self, now: OffsetDateTime) -> i64 {
        (self.expiration - now).whole_seconds()
    }

    /// The expiry as RFC 3339 UTC with whole seconds (`2026-01-01T00:00:00Z`), which botocore,
    /// the Go SDK and the Rust SDK all parse.
    pub fn expiration_rfc3339(&self) -> String {
        rfc3339(self.expiration)
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field(
                "access_key_id",
                &crate::ui::output::redact(&self.access_key_id),
            )
            .field("expiration", &self.expiration_rfc3339())
            .finish_non_exhaustive()
    }
}

/// Formats a time as RFC 3339 UTC with whole seconds.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(format).unwrap_or_default()
}

/// Which session a cache file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub partition: String,
    /// The long-term access key id the session was obtained with.
    pub access_key_id: String,
    pub serial: String,
}

impl Key {
    /// The file name: a hash, so serials of any shape make a safe, fixed-length name.
    fn file_name(&self) -> String {
        let text = format!(
            "{}\n{}\n{}",
            self.partition, self.access_key_id, self.serial
        );
        format!("{}.json", digest_name(&text))
    }
}

/// One cache file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    /// The source profile the session was obtained for (for `status` and `logout`).
    pub profile: String,
    pub partition: String,
    /// The long-term access key id (not secret; identifies which key the session came from).
    pub source_access_key_id: String,
    pub serial: String,
    pub session: Session,
    /// Digest of the serial and MFA code that obtained the session, to recognise a code typed
    /// again: AWS accepts each code once and its error does not say that this was the cause.
    #[serde(default)]
    pub code_digest: Option<String>,
    /// When the session was obtained.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub issued_at: Option<OffsetDateTime>,
}

impl Record {
    /// A record for `session` under `key`.
    pub fn new(key: &Key, profile: &str, session: Session) -> Record {
        Record {
            version: VERSION,
            profile: profile.to_owned(),
            partition: key.partition.clone(),
            source_access_key_id: key.access_key_id.clone(),
            serial: key.serial.clone(),
            session,
            code_digest: None,
            issued_at: None,
        }
    }

    /// Records that `code` obtained this session at `at`.
    pub fn issued_with(mut self, code: &str, at: OffsetDateTime) -> Record {
        self.code_digest = Some(code_digest(&self.serial, code));
        self.issued_at = Some(at);
        self
    }

    /// Whether `code` for `serial` is the one that obtained this session within the last
    /// [`CODE_REUSE_WINDOW`] seconds (so AWS would reject it as already used).
    pub fn used_code_recently(&self, serial: &str, code: &str, now: OffsetDateTime) -> bool {
        let recent = self
            .issued_at
            .is_some_and(|at| (now - at).whole_seconds() < CODE_REUSE_WINDOW);
        recent && self.code_digest.as_deref() == Some(code_digest(serial, code).as_str())
    }

    /// The key this record is cached under.
    pub fn key(&self) -> Key {
        Key {
            partition: self.partition.clone(),
            access_key_id: self.source_access_key_id.clone(),
            serial: self.serial.clone(),
        }
    }
}

/// The cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache of this user, located from the environment, its directory checked (see [`Cache::check_dir`]).
    pub fn from_env() -> Result<Cache, Error> {
        let cache = Cache::locate(|name| {
            std::env::var_os(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        })?;
        cache.check_dir()?;
        Ok(cache)
    }

    /// Refuses an existing cache directory that is not a directory of ours writable only by us: another user who
    /// can write there could plant a session we would hand out, or a link we would write through. Its mode is not
    /// fixed silently, since whatever is already inside cannot be trusted. A missing directory is fine (it is
    /// created 0700 when needed).
    pub fn check_dir(&self) -> Result<(), Error> {
        let meta = match fs::metadata(&self.dir) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                return Err(Error::Cache(format!(
                    "cannot inspect {}: {err}",
                    self.dir.display()
                )));
            }
        };
        let unsafe_dir = |reason: String| Error::UnsafeCacheDir {
            path: self.dir.clone(),
            reason,
        };
        if !meta.is_dir() {
            return Err(unsafe_dir("is not a directory".to_owned()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let me = rustix::process::getuid().as_raw();
            if meta.uid() != me {
                return Err(unsafe_dir(format!(
                    "belongs to user id {}, not to you ({me})",
                    meta.uid()
                )));
            }
            if meta.mode() & 0o022 != 0 {
                return Err(unsafe_dir(format!(
                    "is writable by others (mode {:04o})",
                    meta.mode() & 0o7777
                )));
            }
        }
        Ok(())
    }

    /// The cache located with `get` for environment lookups (see the module docs).
    pub fn locate(get: impl Fn(&str) -> Option<PathBuf>) -> Result<Cache, Error> {
        let base = get("XDG_RUNTIME_DIR")
            .or_else(|| get("XDG_CACHE_HOME"))
            .or_else(|| get("LOCALAPPDATA"))
            .or_else(|| get("HOME").map(|home| home.join(".cache")))
            .ok_or(Error::NoCacheDir)?;
        Ok(Cache {
            dir: base.join("iam-mfa"),
        })
    }

    /// The session cached under `key`, if any (expired or not). Unreadable files count as absent.
    pub fn get(&self, key: &Key) -> Option<Record> {
        read::<Record>(&self.dir.join(key.file_name())).filter(|record| record.version == VERSION)
    }

    /// The cached session for a long-term key whose serial is not known locally: the one
    /// expiring last among those obtained with `access_key_id`.
    pub fn find_by_access_key(&self, access_key_id: &str) -> Option<Record> {
        self.records()
            .into_iter()
            .map(|(_, record)| record)
            .filter(|record| record.source_access_key_id == access_key_id)
            .max_by_key(|record| record.session.expiration)
    }

    /// Stores `record` atomically with mode 0600 (and the directory 0700): a temporary file renamed over the cache
    /// file, so whatever is at that name (even a symbolic link) is replaced, never written through.
    pub fn put(&self, record: &Record) -> Result<(), Error> {
        self.write(&record.key().file_name(), record)
    }

    /// Writes `value` as JSON to file `name` of the cache, as [`Cache::put`] does.
    pub fn write(&self, name: &str, value: &impl Serialize) -> Result<(), Error> {
        let path = self.dir.join(name);
        let text = serde_json::to_string(value).map_err(|err| Error::Cache(err.to_string()))?;
        let failed = |action: &str, err: std::io::Error| {
            Error::Cache(format!("cannot {action} {}: {err}", path.display()))
        };
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|err| failed("create the directory of", err))?;
        self.check_dir()?;
        let mut temp = tempfile::Builder::new()
            .prefix(".session.")
            .tempfile_in(&self.dir)
            .map_err(|err| failed("create a temporary file for", err))?;
        std::io::Write::write_all(&mut temp, text.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|err| failed("write", err))?;
        temp.persist(&path)
            .map_err(|err| failed("replace", err.error))?;
        Ok(())
    }

    /// Every readable MFA-session record with its path.
    pub fn records(&self) -> Vec<(PathBuf, Record)> {
        let mut records: Vec<(PathBuf, Record)> = self
            .files(|name| !name.starts_with(ROLE_PREFIX))
            .into_iter()
            .filter(|(_, record): &(PathBuf, Record)| record.version == VERSION)
            .collect();
        records.sort_by(|a, b| {
            a.1.profile
                .cmp(&b.1.profile)
                .then(a.1.serial.cmp(&b.1.serial))
        });
        records
    }

    /// The readable JSON files of the cache whose names pass `wanted`, parsed as `T`.
    pub fn files<T: DeserializeOwned>(&self, wanted: impl Fn(&str) -> bool) -> Vec<(PathBuf, T)> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(&wanted)
            })
            .filter_map(|path| read(&path).map(|value| (path, value)))
            .collect()
    }

    /// The cache file `name`, parsed as `T`; unreadable counts as absent.
    pub fn read<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        read(&self.dir.join(name))
    }

    /// A file of the cache directory (a lock, say).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Deletes one cache file.
    pub fn remove(&self, path: &Path) -> Result<(), Error> {
        fs::remove_file(path)
            .map_err(|err| Error::Cache(format!("cannot remove {}: {err}", path.display())))
    }

    /// The lock file serialising the refresh of sessions of one long-term key.
    pub fn lock_path(&self, partition: &str, access_key_id: &str) -> PathBuf {
        let name = digest_name(&format!("{partition}\n{access_key_id}"));
        self.dir.join(format!("{name}.lock"))
    }
}

/// Reads one cache file; a symbolic link, a FIFO or anything but a regular file counts as absent (opened without
/// following links and non-blocking, so nothing planted there is read or can hang us).
fn read<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let mut file = options.open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut text).ok()?;
    serde_json::from_slice(&text).ok()
}

fn code_digest(serial: &str, code: &str) -> String {
    digest_name(&format!("{serial}\n{code}"))
}

/// A fixed-length, file-name-safe digest of `text` (hex of 16 bytes of SHA-256).
pub fn digest_name(text: &str) -> String {
    hex(&Sha256::digest(text)[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn session(expiration: OffsetDateTime) -> Session {
        Session {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: "secret".to_owned(),
            session_token: "token".to_owned(),
            expiration,
        }
    }

    fn key(serial: &str) -> Key {
        Key {
            partition: "aws".to_owned(),
            access_key_id: "AKIAEXAMPLE".to_owned(),
            serial: serial.to_owned(),
        }
    }

    #[test]
    fn round_trip_and_lookup_by_access_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: dir.path().join("iam-mfa"),
        };
        assert!(cache.get(&key("arn:aws:iam::123456789012:mfa/a")).is_none());
        let early = Record::new(
            &key("arn:aws:iam::123456789012:mfa/a"),
            "work",
            session(datetime!(2030-01-01 0:00 UTC)),
        );
        let late = Record::new(
            &key("arn:aws:iam::123456789012:mfa/b"),
            "work",
            session(datetime!(2030-01-02 0:00 UTC)),
        );
        cache.put(&early).unwrap();
        cache.put(&late).unwrap();
        let got = cache.get(&key("arn:aws:iam::123456789012:mfa/a")).unwrap();
        assert_eq!(got.session, early.session);
        assert_eq!(
            cache.find_by_access_key("AKIAEXAMPLE").unwrap().serial,
            late.serial
        );
        assert!(cache.find_by_access_key("AKIAOTHER").is_none());
        assert_eq!(cache.records().len(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let (path, _) = &cache.records()[0];
            assert_eq!(
                fs::metadata(path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn a_code_counts_as_used_for_two_minutes() {
        let issued = datetime!(2030-01-01 0:00 UTC);
        let record = Record::new(&key("s"), "work", session(issued)).issued_with("123456", issued);
        assert!(record.used_code_recently("s", "123456", issued + time::Duration::seconds(119)));
        assert!(!record.used_code_recently("s", "123456", issued + time::Duration::seconds(120)));
        assert!(!record.used_code_recently("s", "654321", issued));
        assert!(!record.used_code_recently("other", "123456", issued));
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains("123456"), "the code itself is not stored");
        let old_format: Record =
            serde_json::from_str(&json.replace(",\"code_digest\"", ",\"x\"")).unwrap();
        assert!(old_format.code_digest.is_none());
    }

    #[test]
    fn keys_differ_by_every_part() {
        let base = key("s1");
        let names = [
            base.file_name(),
            key("s2").file_name(),
            Key {
                partition: "aws-cn".to_owned(),
                ..base.clone()
            }
            .file_name(),
            Key {
                access_key_id: "AKIAOTHER".to_owned(),
                ..base.clone()
            }
            .file_name(),
        ];
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn expiration_is_whole_second_utc() {
        let s = session(datetime!(2030-01-01 12:34:56.789 +02:00));
        assert_eq!(s.expiration_rfc3339(), "2030-01-01T10:34:56Z");
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn locate_prefers_runtime_dir() {
        let cache = Cache::locate(|name| match name {
            "XDG_RUNTIME_DIR" => Some(PathBuf::from("/run/user/1")),
            "HOME" => Some(PathBuf::from("/home/u")),
            _ => None,
        })
        .unwrap();
        assert_eq!(cache.dir, Path::new("/run/user/1/iam-mfa"));
        let cache =
            Cache::locate(|name| (name == "HOME").then(|| PathBuf::from("/home/u"))).unwrap();
        assert_eq!(cache.dir, Path::new("/home/u/.cache/iam-mfa"));
    }
}
