//! `enroll [--user NAME]`: creates a virtual MFA device, shows its QR code (terminal, and/or a
//! 0600 PNG or secret file), asks for two consecutive codes, checks them against the seed and
//! enables the device. If anything fails after the device was created, the device (and any
//! file written for it) is removed, so no orphan is left behind.

use super::error::Error;
use super::plan::{self, Call};
use super::totp::{Check, Seed};
use crate::iam;
use crate::iam::client::{Caller, Clients};
use crate::iam::devices::{CREATED_TAG, USER_TAG};
use crate::iam::lists;
use crate::ui::output::Report;
use crate::ui::prompt::Prompt;
use crate::ui::qr;
use aws_sdk_iam::types::Tag;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// AWS's limit of MFA devices per user.
const MAX_DEVICES: usize = 8;
/// Pairs of codes a person may get wrong before enrolment gives up.
const ATTEMPTS: usize = 3;

/// Arguments of `enroll`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// The IAM user to enrol (default: the caller).
    #[arg(long, value_name = "NAME", value_parser = crate::names::parse_user_name)]
    pub user: Option<String>,
    /// Name of the new virtual device (default: the user name).
    #[arg(long, value_name = "N", value_parser = crate::names::parse_device_name)]
    pub device_name: Option<String>,
    /// Also write the QR code as a PNG image to FILE (mode 0600).
    #[arg(long, value_name = "FILE")]
    pub qr_png: Option<PathBuf>,
    /// Write the device's base32 seed to FILE (mode 0600), e.g. for automation. Codes are then
    /// read from standard input when there is no terminal.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Print the API calls that would be made, and make none.
    #[arg(long)]
    pub dry_run: bool,
}

/// What `enroll` did.
#[derive(Debug, Serialize)]
pub struct Enrollment {
    pub user: String,
    pub device_name: String,
    /// The new device's serial (ARN); `None` on a dry run.
    pub serial_number: Option<String>,
    pub enabled: bool,
    pub dry_run: bool,
    /// The calls made, or with `dry_run` that would be (codes shown as placeholders).
    pub calls: Vec<Call>,
    pub qr_png: Option<PathBuf>,
    pub secret_file: Option<PathBuf>,
}

/// Enrols a new virtual device for the user `args` names.
pub async fn run(
    admin: &Clients,
    args: &Args,
    prompt: &mut dyn Prompt,
) -> Result<Enrollment, Error> {
    let user = match &args.user {
        Some(user) => user.clone(),
        None => {
            let caller = Caller::of(admin).await?;
            let name = caller.user_name().map(str::to_owned);
            name.ok_or_else(|| {
                Error::Usage(format!(
                    "the caller {} is not an IAM user: pass --user NAME",
                    caller.arn
                ))
            })?
        }
    };
    let name = args.device_name.clone().unwrap_or_else(|| user.clone());
    if args.qr_png.is_none() && args.secret_file.is_none() && !prompt.is_terminal() && !args.dry_run
    {
        return Err(Error::Usage(
            "no terminal to show the QR code on: pass --qr-png FILE or --secret-file FILE; nothing was changed".into(),
        ));
    }
    check_user(admin, &user).await?;
    let create = create_call(&name, &user, &now_rfc3339());
    let mut report = Enrollment {
        user: user.clone(),
        device_name: name.clone(),
        serial_number: None,
        enabled: false,
        dry_run: args.dry_run,
        calls: vec![create],
        qr_png: args.qr_png.clone(),
        secret_file: args.secret_file.clone(),
    };
    if args.dry_run {
        report
            .calls
            .push(enable_call(&user, "<from CreateVirtualMFADevice>"));
        return Ok(report);
    }
    let (serial, seed) = create_device(admin, &name, &user).await?;
    report.serial_number = Some(serial.clone());
    match activate(admin, args, prompt, &user, &serial, &seed).await {
        Ok(calls) => {
            report.calls.extend(calls);
            report.enabled = true;
            Ok(report)
        }
        Err(cause) => Err(clean_up(admin, args, &serial, cause).await),
    }
}

/// The user must exist and have room for one more device.
async fn check_user(admin: &Clients, user: &str) -> Result<(), Error> {
    let devices = lists::mfa_devices(&admin.iam, user, None).await?;
    if devices.len() >= MAX_DEVICES {
        return Err(Error::Usage(format!(
            "{user} already has {} MFA devices, AWS's limit; remove one with `iam-mfa reset {user} --serial S`",
            devices.len()
        )));
    }
    Ok(())
}

fn create_call(name: &str, user: &str, created: &str) -> Call {
    Call {
        api: "iam:CreateVirtualMFADevice",
        params: vec![
            ("VirtualMFADeviceName", name.to_owned()),
            ("Tags", format!("{CREATED_TAG}={created},{USER_TAG}={user}")),
        ],
    }
}

/// The `EnableMFADevice` call as reported: the codes are secrets (they prove possession of the
/// seed for a minute), so the report shows placeholders, never the digits typed.
fn enable_call(user: &str, serial: &str) -> Call {
    Call {
        api: "iam:EnableMFADevice",
        params: vec![
            ("UserName", user.to_owned()),
            ("SerialNumber", serial.to_owned()),
            ("AuthenticationCode1", "<code>".to_owned()),
            ("AuthenticationCode2", "<next code>".to_owned()),
        ],
    }
}

/// `CreateVirtualMFADevice`, tagged with creation time and user; returns serial and seed.
async fn create_device(admin: &Clients, name: &str, user: &str) -> Result<(String, Seed), Error> {
    const OP: &str = "iam:CreateVirtualMFADevice";
    let tag = |key: &str, value: &str| {
        Tag::builder()
            .key(key)
            .value(value)
            .build()
            .map_err(|error| iam::Error::Response {
                operation: OP,
                what: error.to_string(),
            })
    };
    let sent = admin
        .iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .tags(tag(CREATED_TAG, &now_rfc3339())?)
        .tags(tag(USER_TAG, user)?)
        .send()
        .await
        .map_err(iam::Error::aws(OP));
    let out = match sent {
        Err(error) if error.aws_code() == Some("EntityAlreadyExists") => {
            return Err(Error::Usage(format!(
                "a virtual MFA device named {name} already exists (an abandoned enrolment leaves one behind): \
                 see `iam-mfa devices --unassigned` and `iam-mfa prune`, or pass --device-name; nothing was changed"
            )));
        }
        other => other?,
    };
    let device = out.virtual_mfa_device().ok_or(iam::Error::Response {
        operation: OP,
        what: "no device".into(),
    })?;
    let serial = device.serial_number().to_owned();
    let seed = device
        .base32_string_seed()
        .and_then(|blob| std::str::from_utf8(blob.as_ref()).ok())
        .and_then(Seed::from_base32);
    match seed {
        Some(seed) => Ok((serial, seed)),
        None => {
            let cause = iam::Error::Response {
                operation: OP,
                what: "no usable Base32StringSeed".into(),
            };
            Err(clean_up(admin, &Args::files_none(), &serial, cause.into()).await)
        }
    }
}

/// Shows the seed, asks for codes until a pair checks out (or attempts run out), enables.
/// Returns the calls made after `CreateVirtualMFADevice`.
async fn activate(
    admin: &Clients,
    args: &Args,
    prompt: &mut dyn Prompt,
    user: &str,
    serial: &str,
    seed: &Seed,
) -> Result<Vec<Call>, Error> {
    let account = serial.split(':').nth(4).unwrap_or_default();
    let uri = seed.otpauth_uri(user, account);
    if let Some(path) = &args.secret_file {
        aws_profiles::write_atomic(path, format!("{}\n", seed.base32()).as_bytes())?;
    }
    if let Some(path) = &args.qr_png {
        let png = qr::png(&uri).map_err(|error| Error::Usage(error.to_string()))?;
        aws_profiles::write_atomic(path, &png)?;
    }
    if prompt.is_terminal() {
        let drawn = qr::terminal(&uri).map_err(|error| Error::Usage(error.to_string()))?;
        prompt.say(&format!(
            "Scan this QR code with an authenticator app (or enter the key {} by hand):\n{drawn}",
            seed.base32_grouped()
        ))?;
    }
    let abandoned = || Error::Usage(format!("enrolment of {user} abandoned: no more input"));
    for attempt in 1..=ATTEMPTS {
        let first = prompt
            .ask("Code shown by the app: ")?
            .ok_or_else(abandoned)?;
        let second = prompt
            .ask("Next code (wait until it changes): ")?
            .ok_or_else(abandoned)?;
        let problem = match seed.check_consecutive(&first, &second, unix_now()) {
            Check::Consecutive => match enable(admin, user, serial, &first, &second).await {
                Ok(()) => return Ok(vec![enable_call(user, serial)]),
                Err(error) if error.aws_code() == Some("InvalidAuthenticationCode") => {
                    "AWS did not accept those codes".to_owned()
                }
                Err(error) => return Err(error),
            },
            Check::Malformed => "each code is 6 digits".to_owned(),
            Check::Repeated => "the second code must be the next one the app shows, not the same one".to_owned(),
            Check::NoMatch => {
                "those are not two consecutive codes of this device (check that the app scanned this QR code \
                 and that the phone's clock is right)"
                    .to_owned()
            }
        };
        let left = ATTEMPTS - attempt;
        prompt.say(&format!("Wrong code: {problem}. {left} attempt(s) left."))?;
    }
    Err(Error::Usage(format!(
        "the device was not enabled: {ATTEMPTS} wrong pairs of codes for {user}"
    )))
}

/// `EnableMFADevice`.
async fn enable(
    admin: &Clients,
    user: &str,
    serial: &str,
    code1: &str,
    code2: &str,
) -> Result<(), Error> {
    admin
        .iam
        .enable_mfa_device()
        .user_name(user)
        .serial_number(serial)
        .authentication_code1(code1)
        .authentication_code2(code2)
        .send()
        .await
        .map_err(iam::Error::aws("iam:EnableMFADevice"))?;
    Ok(())
}

/// Deletes the device created for this run and the files written for it; returns `cause`
/// wrapped with what the clean-up achieved.
async fn clean_up(admin: &Clients, args: &Args, serial: &str, cause: Error) -> Error {
    for path in [&args.secret_file, &args.qr_png].into_iter().flatten() {
        remove_quietly(path);
    }
    let deleted = admin
        .iam
        .delete_virtual_mfa_device()
        .serial_number(serial)
        .send()
        .await;
    let cleanup = match deleted {
        Ok(_) => format!("the new device {serial} was deleted again, nothing is left behind"),
        Err(error) => format!(
            "the new device {serial} could not be deleted ({}); delete it with `iam-mfa prune`",
            iam::Error::aws("iam:DeleteVirtualMFADevice")(error)
        ),
    };
    Error::Enrollment {
        cause: Box::new(cause),
        cleanup,
    }
}

fn remove_quietly(path: &Path) {
    if let Err(error) = std::fs::remove_file(path) {
        tracing::debug!(path = %path.display(), %error, "could not remove a file of a failed enrolment");
    }
}

impl Args {
    /// Arguments naming no output file (for clean-ups before any file was written).
    fn files_none() -> Args {
        Args {
            user: None,
            device_name: None,
            qr_png: None,
            secret_file: None,
            dry_run: false,
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl Report for Enrollment {
    fn text(&self) -> String {
        let mut text = String::new();
        if self.enabled {
            let serial = self.serial_number.as_deref().unwrap_or_default();
            text.push_str(&format!(
                "MFA device {serial} is enabled for {}.\n",
                self.user
            ));
        }
        if let Some(path) = &self.qr_png {
            text.push_str(&format!("QR code: {}\n", path.display()));
        }
        if let Some(path) = &self.secret_file {
            text.push_str(&format!(
                "Seed: {} (keep it secret; delete it once the app has it)\n",
                path.display()
            ));
        }
        text.push_str(&plan::describe(&self.calls, self.dry_run, self.enabled));
        text
    }
}
