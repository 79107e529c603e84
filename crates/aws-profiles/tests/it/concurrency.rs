//! Concurrent writers lose nothing, and a writer killed mid-update never leaves a torn file. Worker processes are
//! this test binary run again with `AWS_PROFILES_WORKER` naming their role (see [`worker`]).

use aws_profiles::{Document, FileKind, Snapshot, UpdateError, WriteOptions};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;
use std::{env, fs, thread};

/// `aws_profiles::update` with its baseline read just before, as a one-shot command does.
fn update<E, F>(path: &Path, kind: FileKind, edit: F) -> Result<bool, UpdateError<E>>
where
    F: FnMut(&mut Document) -> Result<(), E>,
{
    let baseline = Snapshot::read(path, kind)?;
    aws_profiles::update(&baseline, WriteOptions::default(), edit)
}

const ROLE: &str = "AWS_PROFILES_WORKER";
const FILE: &str = "AWS_PROFILES_WORKER_FILE";
const ID: &str = "AWS_PROFILES_WORKER_ID";
const WRITERS: usize = 4;
const KEYS_PER_WRITER: usize = 25;

/// Base content the crash test starts from; its bytes must survive every rewrite.
const BASE: &str =
    "# keep me\r\n[default]\r\naws_access_key_id = AKIAEXAMPLE\r\n\r\n; trailing comment\r\n";

/// Adds `KEYS_PER_WRITER` distinct keys to profile `w<id>`, one locked update each.
fn add_keys(path: &Path, id: &str) {
    for key in 0..KEYS_PER_WRITER {
        update(path, FileKind::Credentials, |doc| {
            doc.set(
                &format!("w{id}"),
                &format!("k{key}"),
                &format!("{id}-{key}"),
            );
            Ok::<(), Infallible>(())
        })
        .unwrap();
    }
}

/// The crash test's content for generation `n`: `BASE` plus a `[crash]` section whose `pad` is large enough that
/// a kill often lands inside a write.
fn apply_generation(doc: &mut Document, n: u64) {
    doc.set("crash", "n", &n.to_string());
    doc.set("crash", "pad", &format!("{n:x}").repeat(20_000 / 4));
}

fn expected(n: u64) -> String {
    let mut doc = Document::parse(BASE, FileKind::Credentials).unwrap();
    apply_generation(&mut doc, n);
    doc.to_string()
}

/// Entry point of worker processes; ignored in normal runs (spawned with `--ignored --exact concurrency::worker`).
#[test]
#[ignore = "worker process entry point, run by the other tests"]
fn worker() {
    let path = PathBuf::from(env::var(FILE).unwrap());
    match env::var(ROLE).unwrap().as_str() {
        "add-keys" => add_keys(&path, &env::var(ID).unwrap()),
        "rewrite-forever" => {
            for n in 1.. {
                update(&path, FileKind::Credentials, |doc| {
                    apply_generation(doc, n);
                    Ok::<(), Infallible>(())
                })
                .unwrap();
            }
        }
        other => panic!("unknown worker role {other}"),
    }
}

fn spawn_worker(role: &str, path: &Path, id: &str) -> Child {
    worker_command(Command::new(env::current_exe().unwrap()), role, path, id)
        .spawn()
        .unwrap()
}

/// A worker whose files may not grow past 4 KiB (`ulimit -f`), less than any generation, and which leaves no core
/// file when the kernel kills it for trying.
fn spawn_worker_limited(role: &str, path: &Path, id: &str) -> Child {
    let mut bash = Command::new("bash");
    bash.args(["-c", r#"ulimit -c 0 -f 4 && exec "$0" "$@""#])
        .arg(env::current_exe().unwrap());
    worker_command(bash, role, path, id).spawn().unwrap()
}

fn worker_command(mut command: Command, role: &str, path: &Path, id: &str) -> Command {
    command
        .args([
            "--ignored",
            "--exact",
            "concurrency::worker",
            "--test-threads=1",
            "--quiet",
        ])
        .env(ROLE, role)
        .env(FILE, path)
        .env(ID, id)
        .stdout(std::process::Stdio::null());
    command
}

#[test]
fn concurrent_threads_and_processes_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "# shared file\n[default]\naws_access_key_id = A\n").unwrap();

    let children: Vec<Child> = (0..WRITERS)
        .map(|id| spawn_worker("add-keys", &path, &format!("p{id}")))
        .collect();
    let threads: Vec<_> = (0..WRITERS)
        .map(|id| {
            let path = path.clone();
            thread::spawn(move || add_keys(&path, &format!("t{id}")))
        })
        .collect();
    for handle in threads {
        handle.join().unwrap();
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }

    let doc = aws_profiles::read_document(&path, FileKind::Credentials).unwrap();
    assert!(
        doc.to_string()
            .starts_with("# shared file\n[default]\naws_access_key_id = A\n")
    );
    for id in (0..WRITERS).flat_map(|id| [format!("p{id}"), format!("t{id}")]) {
        for key in 0..KEYS_PER_WRITER {
            let want = format!("{id}-{key}");
            assert_eq!(
                doc.get(&format!("w{id}"), &format!("k{key}")),
                Some(want.as_str()),
                "w{id}.k{key}"
            );
        }
    }
    assert_eq!(doc.profile_names().len(), 1 + 2 * WRITERS);
}

#[test]
fn a_writer_killed_mid_update_leaves_the_old_or_the_new_file() {
    // Even rounds kill the worker after a varied delay: before, inside or between writes. Odd rounds run it under a
    // file-size limit below the new file's size, so the kernel kills it (SIGXFSZ) inside its first write, every
    // time: the moment this test is about, which a timed kill on a fast disk may never hit.
    const KILLS: u64 = 60;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, BASE).unwrap();
    let mut previous = BASE.to_owned();
    let (mut advanced, mut torn_windows) = (0, 0);
    for round in 0..KILLS {
        let in_write = round % 2 == 1;
        let mut child = if in_write {
            spawn_worker_limited("rewrite-forever", &path, "")
        } else {
            let mut child = spawn_worker("rewrite-forever", &path, "");
            thread::sleep(Duration::from_millis(20 + (round * 37) % 90));
            child.kill().unwrap();
            child
        };
        let status = child.wait().unwrap();

        let text = fs::read_to_string(&path).unwrap();
        let doc = Document::parse(&text, FileKind::Credentials).unwrap();
        let n: u64 = doc.get("crash", "n").map_or(0, |n| n.parse().unwrap());
        let want = if n == 0 { BASE.to_owned() } else { expected(n) };
        assert!(
            text == want,
            "round {round}: file is not exactly generation {n}"
        );
        let torn = temporaries(dir.path()).next().is_some();
        torn_windows += u64::from(torn);
        if in_write {
            assert!(!status.success(), "round {round}: the limited worker lived");
            assert!(
                torn,
                "round {round}: the limited worker left no temporary file"
            );
            assert_eq!(
                text, previous,
                "round {round}: a write cut short changed the file"
            );
        } else if text != previous {
            advanced += 1;
        }
        previous = text;
    }
    eprintln!(
        "{KILLS} kills: {advanced} timed ones changed the file, {torn_windows} left a half-written temporary file"
    );
    // The workers restart from 1 each round; most timed rounds must have written something, or they tested nothing.
    assert!(
        advanced >= KILLS / 4,
        "only {advanced} of {} timed rounds wrote the file",
        KILLS / 2
    );
    // The next writer removes temporary files the killed ones left.
    update(&path, FileKind::Credentials, |doc| {
        doc.remove_profile("crash");
        Ok::<(), Infallible>(())
    })
    .unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), BASE);
    let leftovers: Vec<String> = temporaries(dir.path()).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn temporaries(dir: &Path) -> impl Iterator<Item = String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".tmp"))
}

/// A writer that rewrites the file in place as botocore's `ConfigFileWriter` (`aws configure set`) does: read it,
/// reopen it truncated, and write the new text after a short stall (a busy machine), without any lock. Updates
/// racing it must never write back a file missing what it had.
#[test]
fn updates_racing_a_truncating_writer_lose_no_section() {
    const UPDATES: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let sections: Vec<String> = (0..500).map(|idx| format!("s{idx}")).collect();
    let mut base = String::new();
    for name in &sections {
        base += &format!("[{name}]\naws_access_key_id = AKIA{name}\nregion = eu-west-1\n\n");
    }
    fs::write(&path, &base).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        thread::spawn(move || {
            let mut seed = 0x2545_f491_u64;
            let mut rounds = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = fs::read_to_string(&path).unwrap();
                let mut file = fs::File::create(&path).unwrap(); // O_TRUNC, as open(path, 'w')
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                thread::sleep(Duration::from_micros(seed >> 53));
                std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
                drop(file);
                thread::sleep(Duration::from_micros((seed >> 40) % 40_000));
                rounds += 1;
            }
            rounds
        })
    };
    let (mut written, mut lost_refused, mut unstable) = (0, 0, 0);
    for idx in 0..UPDATES {
        let result = update(&path, FileKind::Credentials, |doc| {
            doc.set("mine", "n", &idx.to_string());
            Ok::<(), Infallible>(())
        });
        match result {
            Ok(_) => written += 1,
            Err(UpdateError::File(aws_profiles::Error::Lost { .. })) => lost_refused += 1,
            Err(UpdateError::File(aws_profiles::Error::Unstable { .. })) => unstable += 1,
            Err(err) => panic!("update {idx}: {err}"),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rounds = writer.join().unwrap();
    let doc = aws_profiles::read_document(&path, FileKind::Credentials).unwrap();
    let lost: Vec<&String> = sections
        .iter()
        .filter(|name| !doc.has_profile(name))
        .collect();
    eprintln!(
        "{written} updates written, {lost_refused} refused (file lost something), {unstable} refused (kept changing); {rounds} rewrites by the other writer"
    );
    assert!(
        lost.is_empty(),
        "{} sections lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    assert!(written > 0, "no update ever got through");
}
