//! A file of keys encrypted with a passphrase (age, scrypt recipient), for machines where no
//! keychain runs. One file holds every profile's keys as JSON; each change decrypts it, edits
//! it and writes it again under an exclusive lock, replacing it atomically (a temporary file in
//! the same directory, private, synced, renamed), so a killed writer leaves the old file or the
//! new one and concurrent writers lose nothing.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Error, Keys};

/// The file's plaintext.
#[derive(Default, Serialize, Deserialize)]
struct Contents {
    /// Format version; 1.
    version: u32,
    /// Keys by profile name.
    profiles: BTreeMap<String, Keys>,
}

const VERSION: u32 = 1;

/// scrypt's work factor `log2(N)` for new files: about a quarter of a second on a laptop
/// (age's own default aims at one second; a cache miss should not wait that long).
pub const DEFAULT_WORK_FACTOR: u8 = 16;

/// The largest key file read (about 5,000 profiles): a bigger one is not ours, and is not
/// read into memory.
const MAX_FILE_LEN: u64 = 1 << 20;

/// The highest work factor accepted when opening a file: more would take minutes.
const MAX_WORK_FACTOR: u8 = 22;

/// A passphrase-encrypted key file at a path (it need not exist yet).
#[derive(Debug, Clone)]
pub struct EncryptedFile {
    path: PathBuf,
    work_factor: u8,
}

impl EncryptedFile {
    /// The key file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            work_factor: DEFAULT_WORK_FACTOR,
        }
    }

    /// Uses `log_n` (1–[`MAX_WORK_FACTOR`], clamped) as scrypt's work factor for what it
    /// writes; tests lower it.
    pub fn with_work_factor(mut self, log_n: u8) -> Self {
        self.work_factor = log_n.clamp(1, MAX_WORK_FACTOR);
        self
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists (a first `set` creates it).
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// The keys of `profile`, if the file has them.
    pub fn get(&self, profile: &str, passphrase: &SecretString) -> Result<Option<Keys>, Error> {
        Ok(self.read(passphrase)?.profiles.remove(profile))
    }

    /// Every profile the file holds, with its access key id.
    pub fn list(&self, passphrase: &SecretString) -> Result<Vec<(String, String)>, Error> {
        Ok(self
            .read(passphrase)?
            .profiles
            .into_iter()
            .map(|(profile, keys)| (profile, keys.access_key_id.clone()))
            .collect())
    }

    /// Stores `keys` for `profile` (replacing what it had), creating the file with
    /// `passphrase` if there is none; an existing file must open with it.
    pub fn set(&self, profile: &str, keys: &Keys, passphrase: &SecretString) -> Result<(), Error> {
        self.update(passphrase, |contents| {
            contents.profiles.insert(profile.to_owned(), keys.clone());
            true
        })
        .map(|_| ())
    }

    /// Deletes the keys of `profile`; whether it had any. The file stays, possibly empty.
    pub fn remove(&self, profile: &str, passphrase: &SecretString) -> Result<bool, Error> {
        self.update(passphrase, |contents| {
            contents.profiles.remove(profile).is_some()
        })
    }

    /// Under the lock: reads the file (or starts empty), applies `edit`, and writes the file
    /// when `edit` says it changed something. Returns what `edit` returned.
    fn update(
        &self,
        passphrase: &SecretString,
        edit: impl FnOnce(&mut Contents) -> bool,
    ) -> Result<bool, Error> {
        let _lock = self.lock()?;
        let mut contents = if self.exists() {
            self.read(passphrase)?
        } else {
            Contents {
                version: VERSION,
                ..Contents::default()
            }
        };
        let changed = edit(&mut contents);
        if changed {
            self.write(&contents, passphrase)?;
        }
        Ok(changed)
    }

    /// An exclusive lock on `PATH.lock`, held while the value lives.
    fn lock(&self) -> Result<File, Error> {
        let path = sibling(&self.path, ".lock");
        let dir = self.dir();
        create_private_dir(&dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io("open", &path))?;
        file.lock().map_err(Error::io("lock", &path))?;
        Ok(file)
    }

    fn read(&self, passphrase: &SecretString) -> Result<Contents, Error> {
        let malformed = |reason: String| Error::Malformed {
            path: self.path.clone(),
            reason,
        };
        let mut bytes = Vec::new();
        File::open(&self.path)
            .and_then(|file| file.take(MAX_FILE_LEN + 1).read_to_end(&mut bytes))
            .map_err(Error::io("read", &self.path))?;
        if bytes.len() as u64 > MAX_FILE_LEN {
            return Err(malformed(format!(
                "larger than {MAX_FILE_LEN} bytes, which no key file of iam-mfa reaches"
            )));
        }
        let decryptor = age::Decryptor::new_buffered(bytes.as_slice())
            .map_err(|e| malformed(format!("not an age file ({e})")))?;
        if !decryptor.is_scrypt() {
            return Err(malformed("not encrypted with a passphrase".to_owned()));
        }
        let mut identity = age::scrypt::Identity::new(passphrase.clone());
        identity.set_max_work_factor(MAX_WORK_FACTOR);
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
                    Error::WrongPassphrase {
                        path: self.path.clone(),
                    }
                }
                other => malformed(other.to_string()),
            })?;
        let mut plain = Zeroizing::new(Vec::new());
        reader
            .read_to_end(&mut plain)
            .map_err(|e| malformed(format!("damaged ({e})")))?;
        let contents: Contents = serde_json::from_slice(&plain)
            .map_err(|_| malformed("its contents are not iam-mfa keys".to_owned()))?;
        if contents.version != VERSION {
            return Err(malformed(format!(
                "format version {} (this iam-mfa reads {VERSION})",
                contents.version
            )));
        }
        Ok(contents)
    }

    fn write(&self, contents: &Contents, passphrase: &SecretString) -> Result<(), Error> {
        let plain = Zeroizing::new(serde_json::to_vec(contents).map_err(|e| Error::Malformed {
            path: self.path.clone(),
            reason: e.to_string(),
        })?);
        let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
        recipient.set_work_factor(self.work_factor);
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| Error::Malformed {
                    path: self.path.clone(),
                    reason: e.to_string(),
                })?;
        let dir = self.dir();
        let mut temp = tempfile::Builder::new()
            .prefix(".iam-mfa-keys")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(Error::io("create a temporary file in", &dir))?;
        let temp_path = temp.path().to_owned();
        let mut writer = encryptor
            .wrap_output(temp.as_file_mut())
            .map_err(Error::io("write", &temp_path))?;
        writer
            .write_all(&plain)
            .and_then(|()| writer.finish())
            .map_err(Error::io("write", &temp_path))?;
        temp.as_file()
            .sync_all()
            .map_err(Error::io("sync", temp.path()))?;
        temp.persist(&self.path)
            .map_err(|e| Error::io("replace", &self.path)(e.error))?;
        if let Ok(dir) = File::open(&dir) {
            // Makes the rename durable; a failure here loses nothing that was not already at risk.
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        }
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates `dir` (and parents) readable by the user alone, if it is missing.
fn create_private_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(Error::io("create", dir))
}
