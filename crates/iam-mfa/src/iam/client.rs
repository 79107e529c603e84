//! What every command that reads or changes the account works with: the IAM and STS clients,
//! signed with an MFA session when the profile names a device, and who the caller is.

use super::error::Error;
use crate::args::GlobalArgs;
use crate::aws::{self, ClientOptions};
use crate::session::{self, SessionArgs};
use aws_config::SdkConfig;
use aws_sdk_sts::config::Credentials;
use iam_policy::analysis::Principal;

/// The clients a command that reads or changes the account calls.
#[derive(Clone, Debug)]
pub struct Clients {
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    /// Clients for `config`.
    pub fn new(config: &SdkConfig) -> Clients {
        Clients {
            iam: aws::iam_client(config),
            sts: aws::sts_client(config),
        }
    }

    /// Clients from the global flags and the standard AWS configuration, signing with
    /// `credentials` when given (see [`mfa_credentials`]).
    pub async fn connect(global: &GlobalArgs, credentials: Option<Credentials>) -> Clients {
        let mut options = ClientOptions::from_args(global);
        if let Some(credentials) = credentials {
            options = options.with_credentials(credentials);
        }
        Clients::new(&aws::sdk_config_within(&options, &aws::ADMIN).await)
    }
}

/// Runs `work` with clients for the global flags, on a runtime of its own: an MFA session
/// ([`mfa_credentials`]) when the profile names a device. Call outside any async runtime.
pub fn with_clients<T, E, Fut>(
    global: &GlobalArgs,
    work: impl FnOnce(Clients) -> Fut,
) -> Result<T, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
    E: From<Error>,
{
    let credentials = mfa_credentials(global)?;
    let runtime = aws::runtime().map_err(Error::Runtime)?;
    runtime.block_on(async { work(Clients::connect(global, credentials).await).await })
}

/// Who the commands run as (`sts:GetCallerIdentity`).
#[derive(Clone, Debug)]
pub struct Caller {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    pub account: String,
    pub arn: String,
}

impl Caller {
    /// Asks STS.
    pub async fn of(clients: &Clients) -> Result<Caller, Error> {
        const OP: &str = "sts:GetCallerIdentity";
        let identity = clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(Error::aws(OP))?;
        let arn = identity.arn().unwrap_or_default().to_owned();
        let partition = arn
            .split(':')
            .nth(1)
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
            .to_owned();
        let account = identity
            .account()
            .ok_or(Error::Response {
                operation: OP,
                what: "no Account".into(),
            })?
            .to_owned();
        Ok(Caller {
            partition,
            account,
            arn,
        })
    }

    /// The caller's IAM user name, when the caller is an IAM user.
    pub fn user_name(&self) -> Option<&str> {
        let (_, path) = self.arn.split_once(":user/")?;
        path.rsplit('/').next()
    }

    /// The IAM user `user_name` at `path` in the caller's account, as the policy engine sees
    /// users.
    pub fn user(&self, user_name: &str, path: &str) -> Principal {
        Principal {
            partition: self.partition.clone(),
            account: self.account.clone(),
            user_name: user_name.to_owned(),
            path: path.to_owned(),
            tags: Vec::new(),
            user_id: None,
        }
    }

    /// `arn:PARTITION:iam::ACCOUNT:RESOURCE`.
    pub fn iam_arn(&self, resource: &str) -> String {
        format!("arn:{}:iam::{}:{resource}", self.partition, self.account)
    }
}

/// An MFA session for the selected profile when it names an MFA device (`mfa_serial`), or the
/// role session of a role profile (assumed on its source's MFA session): an administrator under
/// a force-MFA policy cannot call IAM with plain long-term keys. Uses the session machinery
/// (cached; one prompt or `mfa_process` run when a new one is needed). `None` (default
/// credential chain) for any other profile. Must be called outside any async runtime (the
/// session machinery runs its own).
pub fn mfa_credentials(global: &GlobalArgs) -> Result<Option<Credentials>, Error> {
    let Some(profile) = profile_with_mfa(global) else {
        return Ok(None);
    };
    let args = SessionArgs {
        profile: Some(profile),
        ..SessionArgs::default()
    };
    let session = session::obtain(&args, global)?.session;
    let expiry = std::time::SystemTime::from(session.expiration);
    Ok(Some(Credentials::new(
        session.access_key_id,
        session.secret_access_key,
        Some(session.session_token),
        Some(expiry),
        "iam-mfa-session",
    )))
}

/// The selected profile's name when it sets `mfa_serial` or is a role profile.
fn profile_with_mfa(global: &GlobalArgs) -> Option<String> {
    let name = global
        .profile
        .clone()
        .unwrap_or_else(|| aws_profiles::selected_profile(|var| std::env::var(var).ok()));
    let paths = aws_profiles::Paths::from_env().ok()?;
    let set = aws_profiles::ProfileSet::load(&paths).ok()?;
    let role = set.get(&name, "role_arn").is_some() && set.get(&name, "source_profile").is_some();
    (role || set.get(&name, "mfa_serial").is_some()).then_some(name)
}
