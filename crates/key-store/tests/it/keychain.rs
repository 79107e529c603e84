//! The Secret Service backend against a real GNOME Keyring: each test runs this binary again
//! inside `dbus-run-session`, with `gnome-keyring-daemon` started and unlocked there (Debian's
//! `dbus-daemon` and `gnome-keyring`; `.ci/run` installs them), so nothing touches the user's
//! own keyring.

use std::process::Command;

use key_store::{Keychain, Keys};

const WORKER: &str = "KEY_STORE_KEYCHAIN_WORKER";
/// The test harness's arguments that run [`worker`] alone.
const WORKER_ARGS: [&str; 5] = [
    "--ignored",
    "--exact",
    "keychain::worker",
    "--nocapture",
    "--test-threads=1",
];

/// Runs `keychain::worker` with `role` in a private session bus and keyring; its output.
fn in_private_keyring(role: &str) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let script = r#"printf 'test-login-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 && exec "$0" "$@""#;
    Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(std::env::current_exe().unwrap())
        .args(WORKER_ARGS)
        .env(WORKER, role)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_RUNTIME_DIR", home.path())
        .output()
        .expect("dbus-run-session runs (Debian package dbus-daemon)")
}

fn assert_worker(role: &str) {
    let out = in_private_keyring(role);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "worker {role}: {}\n{stdout}\n{stderr}",
        out.status
    );
}

#[test]
fn keys_round_trip_through_the_secret_service() {
    assert_worker("round-trip");
}

#[test]
fn without_a_session_bus_the_keychain_is_unavailable_not_a_hang() {
    // A bus address where nothing listens (a server, a container, WSL without a desktop).
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(WORKER_ARGS)
        .env(WORKER, "unavailable")
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", home.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", home.path().join("no-bus").display()),
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The worker's entry point, run by the tests above inside a private session bus.
#[test]
#[ignore = "run by the other tests inside dbus-run-session"]
fn worker() {
    match std::env::var(WORKER).unwrap().as_str() {
        "round-trip" => {
            let keychain = Keychain::open().unwrap();
            assert_eq!(keychain.get("work").unwrap(), None);
            let keys = Keys::new("AKIAWORK", "wJalrXUtnFEMI/K7MDENG");
            keychain.set("work", &keys).unwrap();
            assert_eq!(keychain.get("work").unwrap(), Some(keys.clone()));
            let newer = Keys::new("AKIANEWER", "another-secret");
            keychain.set("work", &newer).unwrap();
            assert_eq!(keychain.get("work").unwrap(), Some(newer));
            assert_eq!(keychain.get("home").unwrap(), None);
            assert!(keychain.remove("work").unwrap());
            assert!(!keychain.remove("work").unwrap());
            assert_eq!(keychain.get("work").unwrap(), None);
        }
        "unavailable" => {
            let started = std::time::Instant::now();
            let result = Keychain::open().and_then(|k| k.get("work"));
            let err = result.unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(err, key_store::Error::KeychainUnavailable(_)),
                "{text}"
            );
            println!("{text}");
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{text}"
            );
        }
        other => panic!("unknown worker role {other}"),
    }
}
