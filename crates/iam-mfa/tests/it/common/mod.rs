//! Shared harness for every AWS-facing integration test: a real moto server on loopback, SDK
//! clients against it, and the built `iam-mfa` binary run in an isolated home.
//!
//! Usage: `let moto = Moto::start();` launches `moto_server` (or `python3 -m moto.server`) on a
//! free 127.0.0.1 port (chosen by the server itself, so no races), waits until it accepts
//! connections (about 1 s) and kills it on drop, so each test gets its own server and state (no
//! reset needed, tests run in parallel); `Moto::start_with_auth()` is the same server refusing
//! every request not signed with keys it issued. Build SDK clients with `moto.iam().await`
//! (admin credentials of moto's default account 123456789012) or
//! `moto.sdk_config(Some(creds)).await` for your own credentials;
//! `moto.create_user_with_mfa("alice").await` creates an IAM user with an access key and an enabled
//! virtual MFA device (moto accepts any 6-digit code) and returns a [`TestUser`]. `moto.actions()`
//! lists the API actions moto received so far, in order (moto's request recorder), so a test can
//! assert e.g. exactly one `GetSessionToken`. `let sandbox = Sandbox::new(&moto);` makes a
//! temporary HOME with `.aws/config` and `.aws/credentials` (`write_config`, `write_credentials`,
//! `read_config`, `read_credentials`); `add_profile` appends a user's keys and mfa_serial;
//! `sandbox.iam_mfa()` is a `Command` for the built binary and `sandbox.command("aws")` one for any
//! program, both with a cleared environment: only PATH (and pyenv's variables) survive, HOME,
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `XDG_RUNTIME_DIR`/`XDG_CACHE_HOME` point into
//! the sandbox, `AWS_ENDPOINT_URL` at moto, `AWS_REGION`/`AWS_DEFAULT_REGION` (AWS CLI v1 reads
//! only the latter) at us-east-1, and `IAM_MFA_NO_TTY=1` so nothing ever prompts on the developer's
//! terminal. `sandbox.run(&["status"])` runs the binary and returns its `Output`
//! (`sandbox.aws(&[…])` the same for the AWS CLI). moto only has to be on PATH or importable by
//! `python3` (`scripts/test` installs it).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use base64::Engine;
use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Region every test uses.
pub const REGION: &str = "us-east-1";
/// Path of the binary under test.
pub const IAM_MFA: &str = env!("CARGO_BIN_EXE_iam-mfa");

/// A moto server on a free loopback port, killed when dropped.
pub struct Moto {
    child: Child,
    endpoint: String,
    dir: TempDir,
}

impl Moto {
    /// Starts a fresh server and waits until it accepts connections. Panics if moto is missing.
    pub fn start() -> Moto {
        Moto::launch(false)
    }

    /// A fresh server with its authentication on from the first request: it answers only
    /// requests signed with the keys of users created in it (none, unless a test seeds them
    /// some other way), and refuses the rest as AWS does.
    pub fn start_with_auth() -> Moto {
        Moto::launch(true)
    }

    fn launch(auth: bool) -> Moto {
        let dir = TempDir::new().expect("temp dir for moto");
        let log_path = dir.path().join("moto.log");
        let log = fs::File::create(&log_path).expect("moto log");
        let mut command = moto_command();
        if auth {
            // moto checks signatures once this many requests went through unchecked.
            command.env("INITIAL_NO_AUTH_ACTION_COUNT", "0");
        }
        // Port 0: the server binds a free port itself and names it in its log, so two servers
        // starting at once can never race for the same port.
        let mut child = command
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_ENABLE_RECORDING", "1")
            .env("MOTO_RECORDER_FILEPATH", dir.path().join("recording.jsonl"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start moto_server (is moto installed?)");
        match wait_for_port(&mut child, &log_path) {
            Some(port) => Moto {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
                dir,
            },
            None => {
                let _ = child.kill();
                let _ = child.wait();
                let log = fs::read_to_string(&log_path).unwrap_or_default();
                panic!("moto_server did not start; its log:\n{log}");
            }
        }
    }

    /// Base URL of the server, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The API actions (`Action=` of each query request) moto received so far, in order.
    pub fn actions(&self) -> Vec<String> {
        let text = fs::read_to_string(self.dir.path().join("recording.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line).ok()?;
                let body = entry["body"].as_str()?;
                let body = if entry["body_encoded"].as_bool() == Some(true) {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(body)
                        .ok()?;
                    String::from_utf8(bytes).ok()?
                } else {
                    body.to_owned()
                };
                body.split('&')
                    .find_map(|pair| pair.strip_prefix("Action="))
                    .map(str::to_owned)
            })
            .collect()
    }

    /// How many requests for `action` (e.g. `"GetSessionToken"`) moto received.
    pub fn count(&self, action: &str) -> usize {
        self.actions().iter().filter(|seen| *seen == action).count()
    }

    /// SDK configuration against this server; `None` signs as moto's default-account admin.
    pub async fn sdk_config(&self, credentials: Option<Credentials>) -> SdkConfig {
        let credentials = credentials
            .unwrap_or_else(|| Credentials::new("testing", "testing", None, None, "moto-admin"));
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::from_static(REGION))
            .credentials_provider(credentials)
            .load()
            .await
    }

    /// IAM client with admin rights in moto's default account.
    pub async fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config(None).await)
    }

    /// Creates IAM user `name` with an access key and an enabled virtual MFA device named `name`.
    pub async fn create_user_with_mfa(&self, name: &str) -> TestUser {
        let user = self.create_user(name).await;
        let serial = enable_virtual(&self.iam().await, name, name).await;
        TestUser {
            serial: Some(serial),
            ..user
        }
    }

    /// Creates IAM user `name` with an access key and no MFA device.
    pub async fn create_user(&self, name: &str) -> TestUser {
        let iam = self.iam().await;
        iam.create_user()
            .user_name(name)
            .send()
            .await
            .expect("CreateUser");
        let key = iam
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey");
        let key = key.access_key().expect("access key");
        TestUser {
            name: name.to_owned(),
            access_key_id: key.access_key_id().to_owned(),
            secret_access_key: key.secret_access_key().to_owned(),
            serial: None,
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An IAM user created in moto.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub name: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Serial (ARN) of the user's enabled virtual MFA device, if any.
    pub serial: Option<String>,
}

impl TestUser {
    /// The user's long-term credentials.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            None,
            None,
            "test-user",
        )
    }

    /// A credentials-file section `[profile]` holding the user's long-term keys.
    pub fn credentials_section(&self, profile: &str) -> String {
        format!(
            "[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            self.access_key_id, self.secret_access_key
        )
    }

    /// The MFA serial; panics when the user has no device.
    pub fn serial(&self) -> &str {
        self.serial.as_deref().expect("user has an MFA device")
    }
}

/// A temporary HOME with its own AWS files and cache, and commands that run inside it.
pub struct Sandbox {
    dir: TempDir,
    endpoint: String,
}

impl Sandbox {
    /// An empty sandbox whose commands talk to `moto`.
    pub fn new(moto: &Moto) -> Sandbox {
        let dir = TempDir::new().expect("sandbox dir");
        fs::create_dir_all(dir.path().join(".aws")).expect(".aws dir");
        Sandbox {
            dir,
            endpoint: moto.endpoint().to_owned(),
        }
    }

    /// The sandbox's HOME.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// `AWS_CONFIG_FILE` of the sandbox.
    pub fn config_path(&self) -> PathBuf {
        self.home().join(".aws").join("config")
    }

    /// `AWS_SHARED_CREDENTIALS_FILE` of the sandbox.
    pub fn credentials_path(&self) -> PathBuf {
        self.home().join(".aws").join("credentials")
    }

    /// Replaces the config file.
    pub fn write_config(&self, text: &str) {
        fs::write(self.config_path(), text).expect("write config");
    }

    /// Replaces the credentials file.
    pub fn write_credentials(&self, text: &str) {
        fs::write(self.credentials_path(), text).expect("write credentials");
    }

    /// The config file's text ("" when missing).
    pub fn read_config(&self) -> String {
        fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    /// The credentials file's text ("" when missing).
    pub fn read_credentials(&self) -> String {
        fs::read_to_string(self.credentials_path()).unwrap_or_default()
    }

    /// Appends `user`'s long-term keys as `[profile]` to the credentials file and, when the user
    /// has a device, `[profile profile]` with its `mfa_serial` plus `extra_config` lines to the config.
    pub fn add_profile(&self, profile: &str, user: &TestUser, extra_config: &str) {
        let credentials = self.read_credentials() + &user.credentials_section(profile);
        self.write_credentials(&credentials);
        let mut config = self.read_config();
        config += &format!("[profile {profile}]\n");
        if let Some(serial) = &user.serial {
            config += &format!("mfa_serial = {serial}\n");
        }
        config += extra_config;
        self.write_config(&config);
    }

    /// The session cache directory of the sandbox.
    pub fn cache_dir(&self) -> PathBuf {
        self.home().join("run").join("iam-mfa")
    }

    /// `program` with the sandbox environment (see the module docs).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env_clear();
        for kept in ["PATH", "PYENV_ROOT", "PYENV_VERSION", "LANG", "TMPDIR"] {
            if let Some(value) = std::env::var_os(kept) {
                command.env(kept, value);
            }
        }
        let home = self.home();
        let runtime_dir = home.join("run");
        fs::create_dir_all(&runtime_dir).expect("runtime dir");
        command
            .env("HOME", home)
            .env("AWS_CONFIG_FILE", self.config_path())
            .env("AWS_SHARED_CREDENTIALS_FILE", self.credentials_path())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", REGION)
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("XDG_RUNTIME_DIR", runtime_dir)
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("IAM_MFA_NO_TTY", "1")
            .current_dir(home)
            .stdin(Stdio::null());
        command
    }

    /// The `iam-mfa` binary with the sandbox environment.
    pub fn iam_mfa(&self) -> Command {
        self.command(IAM_MFA)
    }

    /// Runs the AWS CLI (`aws ARGS…`) to completion in the sandbox.
    pub fn aws(&self, args: &[&str]) -> Output {
        self.command("aws")
            .args(args)
            .output()
            .expect("run the AWS CLI")
    }

    /// Runs `iam-mfa ARGS…` to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.iam_mfa().args(args).output().expect("run iam-mfa")
    }
}

// Seeding moto through the SDK.

/// Creates virtual device `name` and returns its serial.
pub async fn create_virtual(iam: &aws_sdk_iam::Client, name: &str) -> String {
    let out = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .send()
        .await
        .expect("CreateVirtualMFADevice");
    out.virtual_mfa_device()
        .expect("device")
        .serial_number()
        .to_owned()
}

/// Enables `serial` for `user` (moto accepts any code and any serial).
pub async fn enable(iam: &aws_sdk_iam::Client, user: &str, serial: &str) {
    iam.enable_mfa_device()
        .user_name(user)
        .serial_number(serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .expect("EnableMFADevice");
}

/// Creates virtual device `name` and enables it for `user`; returns the serial.
pub async fn enable_virtual(iam: &aws_sdk_iam::Client, user: &str, name: &str) -> String {
    let serial = create_virtual(iam, name).await;
    enable(iam, user, &serial).await;
    serial
}

/// Runs `command` with `input` on its stdin (then closed) and its stdout and stderr captured.
pub fn with_stdin(mut command: Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the command");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait for the command")
}

/// Stdout of a finished command, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stdout of a finished command, parsed as JSON.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("stdout is JSON")
}

/// Stderr of a finished command, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Panics with both streams unless the command exited with `code`.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
        stdout(output),
        stderr(output)
    );
}

fn moto_command() -> Command {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join("moto_server").is_file()))
        .unwrap_or(false);
    if on_path {
        Command::new("moto_server")
    } else {
        let mut command = Command::new("python3");
        command.args(["-m", "moto.server"]);
        command
    }
}

/// Waits until the server's log names its port and the port accepts connections; `None` if
/// the server exits or takes over 60 s.
fn wait_for_port(child: &mut Child, log: &Path) -> Option<u16> {
    const BANNER: &str = "Running on http://127.0.0.1:";
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let text = fs::read_to_string(log).unwrap_or_default();
        let port = text.split(BANNER).nth(1).and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u16>().ok()
        });
        if let Some(port) = port {
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Some(port);
            }
        }
        if matches!(child.try_wait(), Ok(Some(_))) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    None
}

/// Folder of the interop clients' sources and npm packages (`tests/interop`).
pub const INTEROP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop");

/// Whether an external client the interop tests drive (`what`) can run here. A missing client
/// skips its part of a test on a developer's machine, but fails it under CI (`CI=true`), where
/// `scripts/test` installs every client.
pub fn client_available(what: &str, available: bool) -> bool {
    if !available {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{what} is missing in CI: scripts/test installs it"
        );
        eprintln!("skipping {what}: not installed (scripts/test installs it)");
    }
    available
}

/// Whether `program` can be started (it is on PATH and runs `program ARGS…` successfully).
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

impl Sandbox {
    /// An empty sandbox whose commands talk to `endpoint` (e.g. a [`loopback::Server`]).
    pub fn with_endpoint(endpoint: &str) -> Sandbox {
        let dir = TempDir::new().expect("sandbox dir");
        fs::create_dir_all(dir.path().join(".aws")).expect(".aws dir");
        Sandbox {
            dir,
            endpoint: endpoint.to_owned(),
        }
    }

    /// Writes source profile `profile` with made-up long-term keys and `mfa_serial` set, for
    /// tests against a [`loopback::Server`] (which checks no signature).
    pub fn add_fake_profile(&self, profile: &str) {
        let credentials = self.read_credentials()
            + &format!(
                "[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
                loopback::ACCESS_KEY_ID,
                loopback::SECRET_ACCESS_KEY
            );
        self.write_credentials(&credentials);
        let config = self.read_config()
            + &format!("[profile {profile}]\nmfa_serial = {}\n", loopback::SERIAL);
        self.write_config(&config);
    }
}

/// Loopback HTTP endpoints that misbehave on purpose (never answer, trickle one byte per second,
/// answer errors or odd credentials), for the timeout and error tests that moto cannot stage.
/// A server binds 127.0.0.1 port 0, answers each request as its handler says, and stops when
/// dropped or after [`loopback::LIFETIME`], whichever comes first.
pub mod loopback {
    use std::io::{ErrorKind, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    /// Longest a server runs, whatever the test does.
    pub const LIFETIME: Duration = Duration::from_secs(90);
    /// Long-term keys of [`super::Sandbox::add_fake_profile`].
    pub const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    /// `mfa_serial` of [`super::Sandbox::add_fake_profile`].
    pub const SERIAL: &str = "arn:aws:iam::123456789012:mfa/loopback";

    /// What the server does with one request.
    #[derive(Clone, Debug)]
    pub enum Reply {
        /// Keep the connection open and never answer (a black hole).
        Hold,
        /// Send this HTTP status and XML body, then close.
        Answer(u16, String),
        /// Send this status and body as a whole HTTP response, one byte per second.
        Trickle(u16, String),
    }

    type Handler = dyn Fn(&str) -> Reply + Send + Sync;

    /// A running server; see the module docs.
    pub struct Server {
        endpoint: String,
        stop: Arc<AtomicBool>,
        requests: Arc<Mutex<Vec<String>>>,
        accept: Option<JoinHandle<()>>,
    }

    impl Server {
        /// Starts a server whose `handler` maps each request body to a [`Reply`].
        pub fn start(handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
            let endpoint = format!("http://{}", listener.local_addr().expect("local address"));
            let stop = Arc::new(AtomicBool::new(false));
            let requests = Arc::new(Mutex::new(Vec::new()));
            let handler: Arc<Handler> = Arc::new(handler);
            let accept = {
                let (stop, requests) = (stop.clone(), requests.clone());
                std::thread::spawn(move || serve(&listener, &handler, &stop, &requests))
            };
            Server {
                endpoint,
                stop,
                requests,
                accept: Some(accept),
            }
        }

        /// The same reply to every request.
        pub fn always(reply: Reply) -> Server {
            Server::start(move |_| reply.clone())
        }

        /// Base URL, for `AWS_ENDPOINT_URL`.
        pub fn endpoint(&self) -> &str {
            &self.endpoint
        }

        /// Bodies of the requests received so far.
        pub fn requests(&self) -> Vec<String> {
            self.requests.lock().expect("request log").clone()
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            if let Some(accept) = self.accept.take() {
                let _ = accept.join();
            }
        }
    }

    /// A GetSessionToken answer with these fields (`expiration` in RFC 3339).
    pub fn session_xml(key: &str, secret: &str, token: &str, expiration: &str) -> String {
        format!(
            "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetSessionTokenResult><Credentials><AccessKeyId>{key}</AccessKeyId>\
             <SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials></GetSessionTokenResult>\
             <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetSessionTokenResponse>"
        )
    }

    /// An AssumeRole answer: a role session with these fields (`expiration` in RFC 3339) for
    /// `assumed_role_arn` (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`).
    pub fn assume_role_xml(
        key: &str,
        secret: &str,
        token: &str,
        expiration: &str,
        assumed_role_arn: &str,
    ) -> String {
        format!(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <AssumeRoleResult><Credentials><AccessKeyId>{key}</AccessKeyId>\
             <SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>\
             <Expiration>{expiration}</Expiration></Credentials>\
             <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>\
             <Arn>{assumed_role_arn}</Arn></AssumedRoleUser></AssumeRoleResult>\
             <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>"
        )
    }

    /// An iam:GetRole answer for role `role_arn` (path `/`) with this MaxSessionDuration.
    pub fn get_role_xml(role_arn: &str, max_session_duration: u32) -> String {
        let name = role_arn.rsplit('/').next().unwrap_or(role_arn);
        format!(
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult>\
             <Role><Path>/</Path><RoleName>{name}</RoleName><RoleId>AROAEXAMPLEROLEID</RoleId>\
             <Arn>{role_arn}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>\
             <MaxSessionDuration>{max_session_duration}</MaxSessionDuration></Role>\
             </GetRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>\
             </GetRoleResponse>"
        )
    }

    /// The `Action=` of a query-protocol request body (`GetSessionToken`, `AssumeRole`, …).
    pub fn action(body: &str) -> Option<&str> {
        body.split('&')
            .find_map(|pair| pair.strip_prefix("Action="))
    }

    /// An AWS query-protocol error body.
    pub fn error_xml(code: &str, message: &str) -> String {
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
             <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>1</RequestId></ErrorResponse>"
        )
    }

    fn serve(
        listener: &TcpListener,
        handler: &Arc<Handler>,
        stop: &Arc<AtomicBool>,
        requests: &Arc<Mutex<Vec<String>>>,
    ) {
        let deadline = Instant::now() + LIFETIME;
        let alive = || !stop.load(Ordering::SeqCst) && Instant::now() < deadline;
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let mut connections = Vec::new();
        while alive() {
            match listener.accept() {
                Ok((stream, _)) => {
                    let (handler, stop, requests) =
                        (handler.clone(), stop.clone(), requests.clone());
                    connections.push(std::thread::spawn(move || {
                        let alive = || !stop.load(Ordering::SeqCst) && Instant::now() < deadline;
                        connection(stream, &*handler, &alive, &requests);
                    }));
                }
                Err(err) if err.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => break,
            }
        }
        stop.store(true, Ordering::SeqCst);
        for connection in connections {
            let _ = connection.join();
        }
    }

    fn connection(
        mut stream: TcpStream,
        handler: &Handler,
        alive: &dyn Fn() -> bool,
        requests: &Mutex<Vec<String>>,
    ) {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
        let Some(body) = read_request(&mut stream, alive) else {
            return;
        };
        requests.lock().expect("request log").push(body.clone());
        match handler(&body) {
            Reply::Hold => {
                while alive() {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            Reply::Answer(status, body) => {
                let _ = stream.write_all(response(status, &body).as_bytes());
            }
            Reply::Trickle(status, body) => {
                for byte in response(status, &body).bytes() {
                    if !alive() || stream.write_all(&[byte]).is_err() {
                        return;
                    }
                    let next = Instant::now() + Duration::from_secs(1);
                    while alive() && Instant::now() < next {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
        }
    }

    fn response(status: u16, body: &str) -> String {
        format!(
            "HTTP/1.1 {status} Loopback\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    /// Reads one request (headers, then `Content-Length` bytes of body); `None` when the client
    /// goes away first.
    fn read_request(stream: &mut TcpStream, alive: &dyn Fn() -> bool) -> Option<String> {
        let mut data = Vec::new();
        let mut chunk = [0u8; 4096];
        while alive() {
            let text = String::from_utf8_lossy(&data).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    return Some(body.to_owned());
                }
            }
            match stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => data.extend_from_slice(&chunk[..n]),
                Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => return None,
            }
        }
        None
    }
}
