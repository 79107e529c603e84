//! File handling: modes, symlinks, missing files and directories, refusing to touch malformed or non-UTF-8 files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers: a failed step fails the test
#![cfg(unix)]

use aws_profiles::{Error, FileKind, UpdateError, read_document, update, write_atomic};
use std::convert::Infallible;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

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
