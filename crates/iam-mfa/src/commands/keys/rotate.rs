//! `keys rotate`: replace a profile's access key with a new one, under an MFA session (force-MFA
//! policies deny `iam:CreateAccessKey` without it). The new key is stored where the old one was
//! the moment IAM returns it, with the old key's id kept in the config
//! (`x_iam_mfa_rotating_from`); then the new key is verified with `sts:GetCallerIdentity`
//! (retried while IAM's eventual consistency settles), and the old key deactivated and deleted.
//! A failure at any step leaves a working key stored and says which key is where; running it
//! again resumes from the mark.

use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use aws_sdk_sts::config::Credentials;
use key_store::Keys;
use serde::Serialize;

use super::{print, save_keys};
use crate::args::GlobalArgs;
use crate::aws::{self, ClientOptions, error::classify};
use crate::session::source::{Profiles, profile_name};
use crate::session::{self, Error, SessionArgs};
use crate::ui::output::Report;
use crate::ui::tty::notice;

/// Config key holding the id of the key a rotation is replacing, until it is deleted.
pub const ROTATING_FROM: &str = "x_iam_mfa_rotating_from";

/// How long a new key is retried before it is declared not working (IAM is eventually
/// consistent: a new key can take seconds to be accepted).
const VERIFY_ATTEMPTS: u32 = 10;
const VERIFY_WAIT: Duration = Duration::from_secs(2);

#[derive(clap::Args, Debug)]
pub struct RotateArgs {
    #[command(flatten)]
    session: SessionArgs,
}

#[derive(Serialize)]
struct RotateReport {
    profile: String,
    new_access_key_id: String,
    deleted_access_key_id: String,
}

impl Report for RotateReport {
    fn text(&self) -> String {
        format!(
            "Rotated the key of profile `{}`: {} is stored and works; {} is deleted.\n",
            self.profile, self.new_access_key_id, self.deleted_access_key_id
        )
    }
}

pub fn run(args: &RotateArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let name = profile_name(args.session.profile.as_deref(), global.profile.as_deref());
    let profiles = Profiles::load()?;
    let source = profiles.source(&name)?;
    let session_args = SessionArgs {
        profile: Some(name.clone()),
        ..args.session.clone()
    };
    let mfa = session::obtain(&session_args, global)?.session;
    let credentials = Credentials::new(
        mfa.access_key_id,
        mfa.secret_access_key,
        Some(mfa.session_token),
        None,
        "iam-mfa-session",
    );
    let region = global.region.clone().or(source.region.clone());
    let runtime = aws::runtime().map_err(|e| Error::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let options = options_for(&name, &region, global).with_credentials(credentials);
        let iam = aws::iam_client(&aws::sdk_config(&options).await);
        // Named explicitly in every IAM call (AWS would infer it from the session; moto cannot).
        let user = user_name(&iam, &source.access_key_id).await?;
        let resuming = profiles.set.get(&name, ROTATING_FROM).map(str::to_owned);
        let (new_id, old_id) = match resuming {
            Some(old) => {
                notice(&format!("resuming the rotation away from {old}"));
                (source.access_key_id.clone(), old)
            }
            None => {
                let old = source.access_key_id.clone();
                let new = create(&iam, &user, &old).await?;
                let new_id = new.access_key_id.clone();
                save_keys(
                    &profiles,
                    &name,
                    source.stored,
                    &new,
                    Some((ROTATING_FROM, &old)),
                )?;
                (new_id, old)
            }
        };
        // Read again: the new key is now what the profile holds.
        let stored = Profiles::load()?.source(&name)?;
        let keys = Keys::new(stored.access_key_id.clone(), stored.secret()?.as_str());
        verify(&keys, &options_for(&name, &region, global), &old_id).await?;
        retire(&iam, &user, &old_id).await?;
        super::clear(&Profiles::load()?.set, &name, &[ROTATING_FROM])?;
        print(
            &RotateReport {
                profile: name.clone(),
                new_access_key_id: new_id,
                deleted_access_key_id: old_id,
            },
            global,
        )
    })?;
    Ok(0)
}

/// The client options for the profile, before credentials are set.
fn options_for(name: &str, region: &Option<String>, global: &GlobalArgs) -> ClientOptions {
    ClientOptions {
        profile: Some(name.to_owned()),
        region: region.clone(),
        endpoint_url: global.endpoint_url.clone(),
        credentials: None,
    }
}

/// `sts:GetCallerIdentity` signed with `keys`: a client the key can sign for.
fn sts_with(
    keys: &Keys,
    options: &ClientOptions,
) -> impl std::future::Future<Output = aws_sdk_sts::Client> {
    let credentials = Credentials::new(
        keys.access_key_id.clone(),
        keys.secret_access_key.as_str(),
        None,
        None,
        "iam-mfa-keys",
    );
    let options = options.clone().with_credentials(credentials);
    async move { aws::sts_client(&aws::sdk_config(&options).await) }
}

/// The IAM user `key_id` belongs to (`iam:GetAccessKeyLastUsed`, which the force-MFA
/// self-service policies allow on one's own keys).
async fn user_name(iam: &aws_sdk_iam::Client, key_id: &str) -> Result<String, Error> {
    const OP: &str = "iam:GetAccessKeyLastUsed";
    let used = iam
        .get_access_key_last_used()
        .access_key_id(key_id)
        .send()
        .await
        .map_err(|e| Error::Aws(classify(OP, &e)))?;
    used.user_name()
        .map(str::to_owned)
        .ok_or_else(|| Error::Conflict(format!("{OP} did not say whose key {key_id} is")))
}

/// Creates the new key, after checking the user has room for it (AWS allows two).
async fn create(iam: &aws_sdk_iam::Client, user: &str, old: &str) -> Result<Keys, Error> {
    const LIST: &str = "iam:ListAccessKeys";
    const CREATE: &str = "iam:CreateAccessKey";
    let listed = iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| Error::Aws(classify(LIST, &e)))?;
    let ids: Vec<String> = listed
        .access_key_metadata()
        .iter()
        .filter_map(|k| {
            let status = k.status().map_or("?", |s| s.as_str());
            Some(format!("{} ({status})", k.access_key_id()?))
        })
        .collect();
    if ids.len() >= 2 {
        return Err(Error::Conflict(format!(
            "the user already has two access keys, AWS's limit: {}. Delete the one not in use (not {old}), then run `keys rotate` again",
            ids.join(", ")
        )));
    }
    let created = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .map_err(|e| Error::Aws(classify(CREATE, &e)))?;
    let key = created.access_key().ok_or_else(|| {
        Error::Conflict(format!(
            "{CREATE} answered without a key; nothing was stored"
        ))
    })?;
    Ok(Keys::new(key.access_key_id(), key.secret_access_key()))
}

/// Signs `sts:GetCallerIdentity` with `keys`, retrying while IAM has not yet propagated them.
async fn verify(keys: &Keys, options: &ClientOptions, old: &str) -> Result<(), Error> {
    const OP: &str = "sts:GetCallerIdentity";
    let sts = sts_with(keys, options).await;
    let mut attempt = 0;
    loop {
        match sts.get_caller_identity().send().await {
            Ok(_) => return Ok(()),
            Err(err) => {
                let err = classify(OP, &err);
                attempt += 1;
                let not_yet = matches!(
                    err.kind,
                    aws::AwsErrorKind::InvalidKey | aws::AwsErrorKind::BadSignature
                );
                if attempt >= VERIFY_ATTEMPTS || !not_yet {
                    return Err(Error::Conflict(format!(
                        "the new key {} is stored but could not be verified ({}); the old key {old} is still active. Run `iam-mfa keys rotate` again to finish",
                        keys.access_key_id,
                        err.advice()
                    )));
                }
                tokio::time::sleep(VERIFY_WAIT).await;
            }
        }
    }
}

/// Deactivates, then deletes, the old key (already gone counts as done).
async fn retire(iam: &aws_sdk_iam::Client, user: &str, old: &str) -> Result<(), Error> {
    const UPDATE: &str = "iam:UpdateAccessKey";
    const DELETE: &str = "iam:DeleteAccessKey";
    let gone = |e: &aws::AwsError| e.code.as_deref() == Some("NoSuchEntity");
    if let Err(e) = iam
        .update_access_key()
        .user_name(user)
        .access_key_id(old)
        .status(StatusType::Inactive)
        .send()
        .await
    {
        let e = classify(UPDATE, &e);
        if !gone(&e) {
            return Err(Error::Aws(e));
        }
        return Ok(());
    }
    match iam
        .delete_access_key()
        .user_name(user)
        .access_key_id(old)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = classify(DELETE, &e);
            if gone(&e) { Ok(()) } else { Err(Error::Aws(e)) }
        }
    }
}
