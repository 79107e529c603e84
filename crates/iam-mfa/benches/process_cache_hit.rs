//! `iam-mfa process` on a cache hit, as a whole process (what every `aws` command pays when
//! iam-mfa is its credential_process). Target: p50 ≤ 3 ms. No AWS endpoint is involved: the
//! session is put in the cache first, so any network access would fail the run.

#![allow(clippy::unwrap_used)] // benchmark setup: a failure aborts the run

use criterion::{Criterion, criterion_group, criterion_main};
use iam_mfa::session::cache::{Cache, Key, Record, Session};
use std::path::Path;
use std::process::Command;
use time::{Duration, OffsetDateTime};

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/bench";
const ACCESS_KEY_ID: &str = "AKIABENCHMARK0000001";

fn sandbox(home: &Path) {
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        format!("[bench]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = secret\n"),
    )
    .unwrap();
    std::fs::write(
        aws.join("config"),
        format!("[profile bench]\nregion = us-east-1\nmfa_serial = {SERIAL}\n"),
    )
    .unwrap();
    let cache =
        Cache::locate(|name| (name == "XDG_RUNTIME_DIR").then(|| home.join("run"))).unwrap();
    let key = Key {
        partition: "aws".to_owned(),
        access_key_id: ACCESS_KEY_ID.to_owned(),
        serial: SERIAL.to_owned(),
    };
    let session = Session {
        access_key_id: "ASIABENCHMARK0000001".to_owned(),
        secret_access_key: "session-secret".to_owned(),
        session_token: "session-token".repeat(30),
        expiration: OffsetDateTime::now_utc() + Duration::hours(12),
    };
    cache.put(&Record::new(&key, "bench", session)).unwrap();
}

fn process_cache_hit(c: &mut Criterion) {
    let home = tempfile::tempdir().unwrap();
    sandbox(home.path());
    let run = || {
        let output = Command::new(env!("CARGO_BIN_EXE_iam-mfa"))
            .args(["process", "bench"])
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", home.path().join("run"))
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("IAM_MFA_NO_TTY", "1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    };
    assert!(String::from_utf8_lossy(&run().stdout).contains("ASIABENCHMARK0000001"));
    c.bench_function("process_cache_hit", |b| b.iter(run));
}

criterion_group!(benches, process_cache_hit);
criterion_main!(benches);
