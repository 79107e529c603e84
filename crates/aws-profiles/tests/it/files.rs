//! File handling: modes, symlinks, missing files and directories, refusing to touch malformed or non-UTF-8 files.

use aws_profiles::{
    Document, Error, FileKind, Snapshot, UpdateError, WriteOptions, read_document, write_atomic,
};
use std::convert::Infallible;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

/// `aws_profiles::update` with its baseline read just before, as a one-shot command does.
fn update<E, F>(path: &Path, kind: FileKind, edit: F) -> Result<bool, UpdateError<E>>
where
    F: FnMut(&mut Document) -> Result<(), E>,
{
    let baseline = Snapshot::read(path, kind)?;
    aws_profiles::update(&baseline, WriteOptions::default(), edit)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_key(path: &Path, profile: &str, key: &str, value: &str) -> bool {
    update(path, FileKind::Credentials, |doc| {
        doc.set(profile, key, value);
        Ok::<(), Infallible>(())
    })
    .unwrap()
}

#[test]
fn new_files_and_directories_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let aws = dir.path().join("home/.aws");
    let path = aws.join("credentials");
    assert!(set_key(&path, "default", "aws_access_key_id", "AKIA"));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "[default]\naws_access_key_id = AKIA\n"
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&aws), 0o700);
    assert_eq!(mode(&dir.path().join("home")), 0o700);
    assert_eq!(mode(&aws.join(".credentials.lock")), 0o600);
}

#[test]
fn rewritten_files_end_0600_whatever_their_mode_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fs::write(&path, "[default]\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    write_atomic(&path, b"[default]\nregion = r\n").unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "[default]\nregion = r\n"
    );
}

#[test]
fn no_temporary_files_are_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    for idx in 0..5 {
        set_key(&path, "p", "k", &idx.to_string());
    }
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec![".credentials.lock", "credentials"]);
}

#[test]
fn a_symlinked_file_is_replaced_at_its_target_and_the_link_stays() {
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    let aws = dir.path().join(".aws");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::create_dir_all(&aws).unwrap();
    let real = dotfiles.join("credentials");
    fs::write(&real, "# mine\n[default]\naws_access_key_id = A\n").unwrap();
    let link = aws.join("credentials");
    symlink("../dotfiles/credentials", &link).unwrap();
    // A chain of two links.
    let link2 = dir.path().join("creds-link");
    symlink(&link, &link2).unwrap();

    assert!(set_key(&link2, "default-mfa", "aws_session_token", "T"));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(&real).unwrap(),
        "# mine\n[default]\naws_access_key_id = A\n\n[default-mfa]\naws_session_token = T\n"
    );
    assert_eq!(mode(&real), 0o600);
    // The lock lives next to the real file, so every path to it shares one lock.
    assert!(dotfiles.join(".credentials.lock").exists());
    assert!(!aws.join(".credentials.lock").exists());
}

#[test]
fn a_dangling_symlink_creates_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("config");
    symlink("elsewhere/config", &link).unwrap();
    write_atomic(&link, b"[default]\n").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("elsewhere/config")).unwrap(),
        "[default]\n"
    );
}

#[test]
fn a_symlink_loop_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    symlink(&b, &a).unwrap();
    symlink(&a, &b).unwrap();
    assert!(matches!(
        write_atomic(&a, b"x"),
        Err(Error::SymlinkLoop { .. })
    ));
}

#[test]
fn update_reports_whether_it_changed_anything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    assert!(set_key(&path, "p", "k", "v"));
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    assert!(!set_key(&path, "p", "k", "v"));
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    // No edit on a missing file creates nothing.
    let missing = dir.path().join("missing");
    assert!(!update(&missing, FileKind::Config, |_| Ok::<(), Infallible>(())).unwrap());
    assert!(!missing.exists());
}

#[test]
fn update_on_a_malformed_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let text = "[default]\nregion = r\n[profile broken\nk = v\n";
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let err = update(&path, FileKind::Config, |doc| {
        doc.set("default", "region", "x");
        Ok::<(), Infallible>(())
    })
    .unwrap_err();
    match &err {
        UpdateError::File(Error::Parse { source, .. }) => assert_eq!(source.line, 3),
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string()
            .contains(":3: section header is missing its closing `]`"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    assert_eq!(mode(&path), 0o640);
}

#[test]
fn an_edit_error_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "[a]\nk = v\n").unwrap();
    let err = update(&path, FileKind::Credentials, |doc| {
        doc.set("a", "k", "changed");
        Err("refused")
    })
    .unwrap_err();
    assert!(matches!(err, UpdateError::Edit("refused")));
    assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\nk = v\n");
}

#[test]
fn non_utf8_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    fs::write(&path, b"[default]\nregion = \xff\n").unwrap();
    assert!(matches!(
        read_document(&path, FileKind::Config),
        Err(Error::NotUtf8 { .. })
    ));
    let result = update(&path, FileKind::Config, |doc| {
        doc.set("default", "region", "r");
        Ok::<(), Infallible>(())
    });
    assert!(matches!(
        result,
        Err(UpdateError::File(Error::NotUtf8 { .. }))
    ));
    assert_eq!(fs::read(&path).unwrap(), b"[default]\nregion = \xff\n");
}

#[test]
fn a_fifo_or_a_device_is_refused_never_read_or_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("credentials");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Opening a FIFO for reading blocks until a writer comes; a refusal must come at once instead.
    let err = read_document(&fifo, FileKind::Credentials).unwrap_err();
    assert!(
        matches!(&err, Error::NotRegular { what, .. } if what.contains("FIFO")),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(matches!(
        write_atomic(&fifo, b"[default]\n"),
        Err(Error::NotRegular { .. })
    ));
    // A link to /dev/null (a common way to "disable" a file) is not replaced by a regular file.
    let link = dir.path().join("config");
    symlink("/dev/null", &link).unwrap();
    assert!(matches!(
        Snapshot::read(&link, FileKind::Config),
        Err(Error::NotRegular {
            what: "a character device",
            ..
        })
    ));
    assert!(matches!(
        write_atomic(&link, b"[default]\n"),
        Err(Error::NotRegular { .. })
    ));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_read_only_file_is_replaced_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "[a]\nk = v\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    let baseline = Snapshot::read(&path, FileKind::Credentials).unwrap();
    let edit = |doc: &mut Document| {
        doc.set("a", "k", "changed");
        Ok::<(), Infallible>(())
    };
    let err = aws_profiles::update(&baseline, WriteOptions::default(), edit).unwrap_err();
    assert!(
        matches!(
            err,
            UpdateError::File(Error::ReadOnly {
                mode: Some(0o400),
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("read-only (mode 0400)"), "{err}");
    assert!(
        baseline.check_writable(WriteOptions::default()).is_err(),
        "the early check agrees"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\nk = v\n");
    assert_eq!(mode(&path), 0o400);
    // An edit that changes nothing writes nothing, so it is no reason to refuse.
    assert!(
        !aws_profiles::update(
            &baseline,
            WriteOptions::default(),
            |_| Ok::<(), Infallible>(())
        )
        .unwrap()
    );
    let force = WriteOptions {
        replace_read_only: true,
    };
    assert!(aws_profiles::update(&baseline, force, edit).unwrap());
    assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\nk = changed\n");
    assert_eq!(mode(&path), 0o600);
}

/// What a truncating writer (`aws configure set`) can leave for a moment, or for good if it dies mid-write: the
/// command that read the whole file earlier must not write back the rest.
#[test]
fn update_refuses_a_file_that_lost_what_the_baseline_had() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let full = "[default]\naws_access_key_id = AKIA\naws_secret_access_key = SECRET\n\n[other]\nregion = r\n";
    let edit = |doc: &mut Document| {
        doc.set("default-mfa", "k", "v");
        Ok::<(), Infallible>(())
    };
    for (partial, lost) in [
        ("", "section [default] is gone"),
        (
            "[default]\naws_access_key_id = AKIA\naws_secret_access_key = SECRET\n\n",
            "section [other] is gone",
        ),
        (
            "[default]\naws_access_key_id = AKIA\n",
            "key `aws_secret_access_key` of [default] is gone",
        ),
        (
            "[default]\naws_access_key_id = AKIA\naws_secret_access_key = SECRET\n\n[other]\nregion = ",
            "shrank from 86 to 84 bytes",
        ),
        (
            "[default]\naws_access_key_id = AKIA\naws_secret",
            "no longer parses",
        ),
    ] {
        fs::write(&path, full).unwrap();
        let baseline = Snapshot::read(&path, FileKind::Credentials).unwrap();
        fs::write(&path, partial).unwrap();
        let err = aws_profiles::update(&baseline, WriteOptions::default(), edit).unwrap_err();
        assert!(
            matches!(err, UpdateError::File(Error::Lost { .. })),
            "{partial:?}: {err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains(lost) && msg.contains("Nothing written"),
            "{partial:?}: {msg}"
        );
        assert!(!msg.contains("SECRET") && !msg.contains("AKIA"), "{msg}");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            partial,
            "nothing written"
        );
    }
    // A file that only grew or changed values since is edited as usual.
    fs::write(&path, full).unwrap();
    let baseline = Snapshot::read(&path, FileKind::Credentials).unwrap();
    fs::write(
        &path,
        full.replace("region = r", "region = eu-west-1") + "[new]\nk = v\n",
    )
    .unwrap();
    assert!(aws_profiles::update(&baseline, WriteOptions::default(), edit).unwrap());
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("region = eu-west-1")
            && text.contains("[new]")
            && text.contains("[default-mfa]")
    );
}

#[test]
fn a_file_that_keeps_changing_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A writer that never finishes: every state it leaves ends mid-line and is at most a few
    // milliseconds old, so no read may accept it however the threads are scheduled.
    fs::write(&path, "[default]\nn = 0").unwrap();
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                fs::write(&path, format!("[default]\nn = {n}")).unwrap();
                n += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    let err = Snapshot::read(&path, FileKind::Config).unwrap_err();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert!(matches!(err, Error::Unstable { .. }), "{err:?}");
    assert!(err.to_string().contains("keeps changing"), "{err}");
}

/// Issue 9, item 5: a profile file larger than any real one is refused without being read whole.
#[test]
fn a_file_over_the_cap_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let file = fs::File::create(&path).unwrap();
    file.set_len(aws_profiles::MAX_FILE_BYTES + 1).unwrap();
    let err = Snapshot::read(&path, FileKind::Credentials).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than 8 MiB"), "{err}");
    file.set_len(aws_profiles::MAX_FILE_BYTES).unwrap();
    assert!(!matches!(
        Snapshot::read(&path, FileKind::Credentials),
        Err(Error::TooLarge { .. })
    ));
}
