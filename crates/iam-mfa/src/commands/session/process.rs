//! `process`: the `credential_process` provider. On a cache hit it only reads files and prints;
//! no runtime, no TLS, no AWS call.

use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::obtain::{SessionArgs, obtain};
use crate::ui::exit::Code;
use serde::Serialize;

#[derive(clap::Args, Debug)]
pub struct ProcessArgs {
    #[command(flatten)]
    session: SessionArgs,
}

/// The `credential_process` output, Version 1.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Output<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    session_token: &'a str,
    expiration: String,
}

pub fn run(args: &ProcessArgs, global: &GlobalArgs) -> Result<u8, Error> {
    // Before a code is asked for: a session nobody can receive is not worth one.
    ensure_stdout_open()?;
    let obtained = obtain(&args.session, global)?;
    let session = &obtained.session;
    let output = Output {
        version: 1,
        access_key_id: &session.access_key_id,
        secret_access_key: &session.secret_access_key,
        session_token: &session.session_token,
        expiration: session.expiration_rfc3339(),
    };
    let mut text =
        serde_json::to_string(&output).map_err(|err| Error::Output(std::io::Error::other(err)))?;
    text.push('\n');
    crate::ui::output::write_stdout(&text).map_err(Error::Output)?;
    Ok(Code::Success.into())
}

/// Fails when standard output was closed (`iam-mfa process >&-`): the Rust runtime reopens a
/// closed stdout on /dev/null (read-write, where a shell's `>/dev/null` is write-only), so the
/// write would "succeed" and the caller get exit 0 without credentials.
fn ensure_stdout_open() -> Result<(), Error> {
    #[cfg(unix)]
    {
        use rustix::fs::{FileType, OFlags};
        let stdout = std::io::stdout();
        let read_write = rustix::fs::fcntl_getfl(&stdout)
            .is_ok_and(|flags| flags & OFlags::RWMODE == OFlags::RDWR);
        let is_null = |stat: &rustix::fs::Stat| {
            FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice
                && rustix::fs::stat("/dev/null").is_ok_and(|null| null.st_rdev == stat.st_rdev)
        };
        let reopened = read_write && rustix::fs::fstat(&stdout).is_ok_and(|stat| is_null(&stat));
        if reopened {
            return Err(Error::Output(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "standard output is closed, so the credentials could not be delivered",
            )));
        }
    }
    Ok(())
}
