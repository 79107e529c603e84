//! The passphrase-encrypted key file.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use key_store::{EncryptedFile, Error, Keys, SecretString};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn passphrase(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

/// A key file in a new directory, with a low work factor (tests need no strength).
fn file() -> (tempfile::TempDir, EncryptedFile) {
    let dir = tempfile::tempdir().unwrap();
    let file = EncryptedFile::new(dir.path().join("keys").join("keys.age")).with_work_factor(2);
    (dir, file)
}

#[test]
fn keys_round_trip_and_the_file_holds_no_secret_in_clear() {
    let (_dir, file) = file();
    let pass = passphrase("correct horse");
    assert!(!file.exists());
    assert_eq!(
        file.get("work", &pass).ok(),
        None,
        "no file: an error, not empty keys"
    );
    file.set("work", &Keys::new("AKIAWORK", SECRET), &pass)
        .unwrap();
    file.set("home", &Keys::new("AKIAHOME", "other-secret"), &pass)
        .unwrap();
    let got = file.get("work", &pass).unwrap().unwrap();
    assert_eq!(got.access_key_id, "AKIAWORK");
    assert_eq!(got.secret_access_key.as_str(), SECRET);
    assert_eq!(file.get("nobody", &pass).unwrap(), None);
    assert_eq!(
        file.list(&pass).unwrap(),
        [
            ("home".to_owned(), "AKIAHOME".to_owned()),
            ("work".to_owned(), "AKIAWORK".to_owned())
        ]
    );
    let bytes = fs::read(file.path()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("age-encryption.org/v1"), "{text}");
    for clear in [SECRET, "AKIAWORK", "work"] {
        assert!(!text.contains(clear), "{clear} is readable in the file");
    }
}

#[test]
fn the_file_and_its_directory_are_private() {
    let (_dir, file) = file();
    file.set("work", &Keys::new("AKIAWORK", SECRET), &passphrase("p"))
        .unwrap();
    let mode = |path: &std::path::Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(file.path()), 0o600);
    assert_eq!(mode(file.path().parent().unwrap()), 0o700);
}

#[test]
fn a_wrong_passphrase_is_its_own_error_and_changes_nothing() {
    let (_dir, file) = file();
    file.set("work", &Keys::new("AKIAWORK", SECRET), &passphrase("right"))
        .unwrap();
    let before = fs::read(file.path()).unwrap();
    let wrong = passphrase("wrong");
    for result in [
        file.get("work", &wrong).map(|_| ()),
        file.set("home", &Keys::new("AKIAHOME", "s"), &wrong),
        file.remove("work", &wrong).map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::WrongPassphrase { .. }), "{err}");
        assert!(
            err.to_string().starts_with("wrong passphrase for "),
            "{err}"
        );
    }
    assert_eq!(fs::read(file.path()).unwrap(), before);
}

#[test]
fn remove_deletes_one_profile_and_says_whether_it_was_there() {
    let (_dir, file) = file();
    let pass = passphrase("p");
    file.set("work", &Keys::new("AKIAWORK", SECRET), &pass)
        .unwrap();
    file.set("home", &Keys::new("AKIAHOME", "s"), &pass)
        .unwrap();
    assert!(file.remove("work", &pass).unwrap());
    assert!(!file.remove("work", &pass).unwrap());
    assert_eq!(file.get("work", &pass).unwrap(), None);
    assert!(file.get("home", &pass).unwrap().is_some());
}

#[test]
fn a_file_that_is_not_an_encrypted_key_file_is_refused_by_name() {
    let (dir, _) = file();
    let path = dir.path().join("plain");
    fs::write(&path, "[default]\naws_access_key_id = AKIA\n").unwrap();
    let err = EncryptedFile::new(&path)
        .get("work", &passphrase("p"))
        .unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("is not an iam-mfa key file"),
        "{err}"
    );
    // A huge file is refused, unread past the cap.
    fs::write(&path, vec![b'x'; (1 << 20) + 1]).unwrap();
    let err = EncryptedFile::new(&path)
        .get("work", &passphrase("p"))
        .unwrap_err();
    assert!(
        err.to_string().contains("larger than 1048576 bytes"),
        "{err}"
    );
    // Encrypted with the passphrase, but not keys.
    let mut recipient = age::scrypt::Recipient::new(passphrase("p"));
    recipient.set_work_factor(2);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).unwrap();
    std::io::Write::write_all(&mut writer, b"hello").unwrap();
    writer.finish().unwrap();
    fs::write(&path, out).unwrap();
    let err = EncryptedFile::new(&path)
        .get("work", &passphrase("p"))
        .unwrap_err();
    assert!(err.to_string().contains("not iam-mfa keys"), "{err}");
}

#[test]
fn concurrent_writers_lose_no_profile() {
    let (_dir, file) = file();
    let pass = passphrase("p");
    std::thread::scope(|scope| {
        for writer in 0..4 {
            let (file, pass) = (&file, &pass);
            scope.spawn(move || {
                for n in 0..5 {
                    let profile = format!("p{writer}-{n}");
                    file.set(&profile, &Keys::new(format!("AKIA{writer}{n}"), "s"), pass)
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(file.list(&pass).unwrap().len(), 20);
    let leftovers: Vec<_> = fs::read_dir(file.path().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
