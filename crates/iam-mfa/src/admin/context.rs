//! What every admin command works with: the IAM and STS clients and the listing page size.

use super::error::Error;
use crate::aws::{self, ClientOptions, GlobalArgs};
use crate::session::{self, SessionArgs};
use aws_config::SdkConfig;
use aws_sdk_sts::config::Credentials;

/// `--page-size`, for the commands that list.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Listing {
    /// Items per page (`MaxItems`) of each IAM list call (default: the service's, 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub page_size: Option<i32>,
}

/// `--yes` and `--dry-run`, for the commands that change IAM.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct Mutating {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the exact API calls that would be made, and make none.
    #[arg(long)]
    pub dry_run: bool,
}

/// The clients an admin command calls.
#[derive(Clone, Debug)]
pub struct Admin {
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Admin {
    /// Clients for `config`.
    pub fn new(config: &SdkConfig) -> Admin {
        Admin {
            iam: aws::iam_client(config),
            sts: aws::sts_client(config),
        }
    }

    /// Clients from the global flags and the standard AWS configuration, signing with
    /// `credentials` when given (see [`mfa_credentials`]).
    pub async fn connect(global: &GlobalArgs, credentials: Option<Credentials>) -> Admin {
        let mut options = ClientOptions::from_args(global);
        if let Some(credentials) = credentials {
            options = options.with_credentials(credentials);
        }
        Admin::new(&aws::sdk_config_within(&options, &aws::ADMIN).await)
    }
}

/// Runs `work` with clients for the global flags, on a runtime of its own: an MFA session
/// ([`mfa_credentials`]) when the profile names a device. Call outside any async runtime.
pub fn with_admin<T, Fut>(global: &GlobalArgs, work: impl FnOnce(Admin) -> Fut) -> Result<T, Error>
where
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let credentials = mfa_credentials(global)?;
    let runtime = aws::runtime().map_err(Error::Runtime)?;
    runtime.block_on(async { work(Admin::connect(global, credentials).await).await })
}

/// Who the admin commands run as (`sts:GetCallerIdentity`).
#[derive(Clone, Debug)]
pub struct Caller {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    pub account: String,
    pub arn: String,
}

impl Caller {
    /// Asks STS.
    pub async fn of(admin: &Admin) -> Result<Caller, Error> {
        const OP: &str = "sts:GetCallerIdentity";
        let identity = admin
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

    /// `arn:PARTITION:iam::ACCOUNT:RESOURCE`.
    pub fn iam_arn(&self, resource: &str) -> String {
        format!("arn:{}:iam::{}:{resource}", self.partition, self.account)
    }
}

/// An MFA session for the selected profile when it names an MFA device (`mfa_serial`): an
/// administrator under a force-MFA policy cannot call IAM with plain long-term keys. Uses the
/// session machinery (cached; one prompt or `mfa_process` run when a new one is needed).
/// `None` (default credential chain) when the profile has no `mfa_serial`. Must be called
/// outside any async runtime (the session machinery runs its own).
pub fn mfa_credentials(global: &GlobalArgs) -> Result<Option<Credentials>, Error> {
    let Some(profile) = profile_with_mfa(global) else {
        return Ok(None);
    };
    let args = SessionArgs {
        profile: Some(profile),
        ..SessionArgs::default()
    };
    let session = session::obtain(&args, global)?.record.session;
    let expiry = std::time::SystemTime::from(session.expiration);
    Ok(Some(Credentials::new(
        session.access_key_id,
        session.secret_access_key,
        Some(session.session_token),
        Some(expiry),
        "iam-mfa-session",
    )))
}

/// The selected profile's name when it sets `mfa_serial`.
fn profile_with_mfa(global: &GlobalArgs) -> Option<String> {
    let name = global
        .profile
        .clone()
        .unwrap_or_else(|| aws_profiles::selected_profile(|var| std::env::var(var).ok()));
    let paths = aws_profiles::Paths::from_env().ok()?;
    let set = aws_profiles::ProfileSet::load(&paths).ok()?;
    set.get(&name, "mfa_serial").is_some().then_some(name)
}
