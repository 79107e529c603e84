//! `process`: the `credential_process` provider. On a cache hit it only reads files and prints;
//! no runtime, no TLS, no AWS call.

use super::Error;
use super::obtain::{SessionArgs, obtain};
use crate::aws::GlobalArgs;
use crate::ui::exit::Code;
use serde::Serialize;
use std::io::Write;

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
    let obtained = obtain(&args.session, global)?;
    let session = &obtained.record.session;
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
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    Ok(Code::Success.into())
}
