//! `iam-mfa process` on a cache hit, as a whole process (what every `aws` command pays when
//! iam-mfa is its credential_process), for a source profile and for a role profile on it.
//! Target: p50 ≤ 3 ms for both. No AWS endpoint is involved: the sessions are put in the cache
//! first, so any network access would fail the run.

#![allow(clippy::unwrap_used)] // benchmark setup: a failure aborts the run

use criterion::{Criterion, criterion_group, criterion_main};
use iam_mfa::session::cache::{Cache, Key, Record, Session};
use iam_mfa::session::roles::{self, RoleRecord};
use iam_mfa::session::source::RoleStep;
use std::path::Path;
use std::process::Command;
use time::{Duration, OffsetDateTime};

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/bench";
const ACCESS_KEY_ID: &str = "AKIABENCHMARK0000001";
const ROLE: &str = "arn:aws:iam::222222222222:role/BenchAdmin";

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
        format!(
            "[profile bench]\nregion = us-east-1\nmfa_serial = {SERIAL}\n[profile bench-admin]\nrole_arn = {ROLE}\nsource_profile = bench\n"
        ),
    )
    .unwrap();
    let cache =
        Cache::locate(|name| (name == "XDG_RUNTIME_DIR").then(|| home.join("run"))).unwrap();
    let key = Key {
        partition: "aws".to_owned(),
        access_key_id: ACCESS_KEY_ID.to_owned(),
        serial: SERIAL.to_owned(),
    };
    let session = |access_key_id: &str, hours| Session {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: "session-secret".to_owned(),
        session_token: "session-token".repeat(30),
        expiration: OffsetDateTime::now_utc() + Duration::hours(hours),
    };
    cache
        .put(&Record::new(
            &key,
            "bench",
            session("ASIABENCHMARK0000001", 12),
        ))
        .unwrap();
    let step = RoleStep {
        profile: "bench-admin".to_owned(),
        role_arn: ROLE.to_owned(),
        session_name: None,
        external_id: None,
        duration_seconds: None,
    };
    let planned = roles::plan(&[step], None).unwrap();
    let record = RoleRecord {
        version: roles::VERSION,
        profile: "bench-admin".to_owned(),
        source_profile: "bench".to_owned(),
        role_arn: ROLE.to_owned(),
        serial: SERIAL.to_owned(),
        partition: "aws".to_owned(),
        source_access_key_id: ACCESS_KEY_ID.to_owned(),
        chained: false,
        session: session("ASIABENCHROLE0000001", 1),
        issued_at: OffsetDateTime::now_utc(),
    };
    cache
        .write(&roles::file_name(&key, &planned), &record)
        .unwrap();
}

fn process_cache_hit(c: &mut Criterion) {
    let home = tempfile::tempdir().unwrap();
    sandbox(home.path());
    let run = |profile: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_iam-mfa"))
            .args(["process", profile])
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
    assert!(String::from_utf8_lossy(&run("bench").stdout).contains("ASIABENCHMARK0000001"));
    assert!(String::from_utf8_lossy(&run("bench-admin").stdout).contains("ASIABENCHROLE0000001"));
    c.bench_function("process_cache_hit", |b| b.iter(|| run("bench")));
    c.bench_function("process_role_cache_hit", |b| b.iter(|| run("bench-admin")));
}

criterion_group!(benches, process_cache_hit);
criterion_main!(benches);
