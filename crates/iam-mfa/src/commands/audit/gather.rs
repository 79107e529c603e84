//! The AWS side of the audit: account-wide calls only, run concurrently: the credential report
//! (generate, poll with backoff until complete, get), `GetAccountAuthorizationDetails`,
//! `ListVirtualMFADevices` (unassigned ones; assigned ones only when the root user may have
//! MFA), `GetAccountSummary`, `GetAccountPasswordPolicy`. The one per-user
//! call, `GetLoginProfile`, is made only for the users [`super::decide::login_profiles_needed`]
//! names. Retries with backoff on throttling are the SDK's (see `crate::aws`).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::types::{AssignmentStatusType, ReportStateType, SummaryKeyType};
use time::OffsetDateTime;

use super::credential_report::{self, CredentialReport};
use super::details;
use super::facts::{AccountSummary, Gathered, VirtualDevice};
use crate::iam::Error;
use crate::iam::client::Clients;
use crate::iam::lists;
use crate::iam::principal;
use mfa_doctor::LoginProfile;

/// First wait between polls of the credential report; doubled up to [`MAX_POLL_DELAY`].
const FIRST_POLL_DELAY: Duration = Duration::from_millis(100);
const MAX_POLL_DELAY: Duration = Duration::from_secs(4);
/// Polls before giving up (about two minutes).
const MAX_POLLS: u32 = 40;
/// `GetLoginProfile` calls in flight at once: enough to hide each call's round trip, bounded so
/// a large account does not flood IAM (on throttling the SDK's adaptive retry slows down).
const CONCURRENT_LOOKUPS: usize = 16;

/// `MaxItems` when `--page-size` is not given: the most IAM allows, for the fewest requests.
const PAGE_SIZE: i32 = 1000;

/// Everything account-wide, gathered concurrently; `login_profiles` is left empty.
pub async fn gather(admin: &Clients, page_size: Option<i32>) -> Result<Gathered, Error> {
    let iam = &admin.iam;
    let page_size = page_size.or(Some(PAGE_SIZE));
    let root_and_report = async {
        let (report, summary) = tokio::try_join!(credential_report(iam), account_summary(iam))?;
        let assigned = if root_may_have_mfa(&report, &summary) {
            virtual_devices(iam, AssignmentStatusType::Assigned, page_size).await?
        } else {
            Vec::new()
        };
        Ok::<_, Error>((report, summary, assigned))
    };
    let ((report, summary, assigned), details, unassigned, allow) = tokio::try_join!(
        root_and_report,
        details::fetch(iam, page_size),
        virtual_devices(iam, AssignmentStatusType::Unassigned, page_size),
        principal::allow_users_to_change_password(admin),
    )?;
    let fetched = details::fetch_missing(iam, &details::missing(&details)).await?;
    let built = details::build(&details, &fetched);
    Ok(Gathered {
        report,
        documents: built.documents,
        users: built.users,
        roles: built.roles,
        virtual_devices: unassigned.into_iter().chain(assigned).collect(),
        summary,
        allow_users_to_change_password: allow,
        login_profiles: BTreeMap::new(),
    })
}

/// Whether the root user may have MFA, so that only the assigned virtual devices can tell
/// whether it is a virtual one. Listing them costs a page per thousand users, so it is
/// skipped when the report or the summary says root has none.
fn root_may_have_mfa(report: &CredentialReport, summary: &AccountSummary) -> bool {
    match report.root.as_ref() {
        Some(root) => root.mfa_active,
        None => summary.mfa_enabled != Some(false),
    }
}

/// Asks for a fresh report (IAM returns one up to four hours old) and polls until it is
/// complete, then downloads and parses it.
pub async fn credential_report(iam: &aws_sdk_iam::Client) -> Result<CredentialReport, Error> {
    const GENERATE: &str = "iam:GenerateCredentialReport";
    const GET: &str = "iam:GetCredentialReport";
    let mut delay = FIRST_POLL_DELAY;
    let mut polls = 0;
    loop {
        let out = iam
            .generate_credential_report()
            .send()
            .await
            .map_err(Error::aws(GENERATE))?;
        if out.state() == Some(&ReportStateType::Complete) {
            break;
        }
        polls += 1;
        if polls >= MAX_POLLS {
            return Err(Error::Response {
                operation: GENERATE,
                what: "the credential report is still not complete; try again later".into(),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(MAX_POLL_DELAY);
    }
    let out = loop {
        match iam
            .get_credential_report()
            .send()
            .await
            .map_err(Error::aws(GET))
        {
            Ok(out) => break out,
            Err(error) if error.aws_code() == Some("ReportInProgress") && polls < MAX_POLLS => {
                polls += 1;
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_POLL_DELAY);
            }
            Err(error) => return Err(error),
        }
    };
    let generated = out
        .generated_time()
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok());
    let content = out.content().ok_or(Error::Response {
        operation: GET,
        what: "no Content".into(),
    })?;
    credential_report::parse(content.as_ref(), generated).map_err(|what| Error::Response {
        operation: GET,
        what,
    })
}

/// The virtual MFA devices with `status` (serial and user only: seeds are dropped).
async fn virtual_devices(
    iam: &aws_sdk_iam::Client,
    status: AssignmentStatusType,
    page_size: Option<i32>,
) -> Result<Vec<VirtualDevice>, Error> {
    let devices = lists::virtual_mfa_devices(iam, status, page_size).await?;
    Ok(devices
        .iter()
        .map(|d| VirtualDevice {
            serial: d.serial_number().to_owned(),
            user_arn: d.user().map(|u| u.arn().to_owned()),
        })
        .collect())
}

/// The root facts of `GetAccountSummary`.
async fn account_summary(iam: &aws_sdk_iam::Client) -> Result<AccountSummary, Error> {
    let out = iam
        .get_account_summary()
        .send()
        .await
        .map_err(Error::aws("iam:GetAccountSummary"))?;
    let map = out.summary_map();
    let flag = |key: SummaryKeyType| map.and_then(|m| m.get(&key)).map(|v| *v > 0);
    Ok(AccountSummary {
        mfa_enabled: flag(SummaryKeyType::AccountMfaEnabled),
        password_present: flag(SummaryKeyType::AccountPasswordPresent),
        access_keys_present: flag(SummaryKeyType::AccountAccessKeysPresent),
    })
}

/// `GetLoginProfile` of each of `users`, [`CONCURRENT_LOOKUPS`] in flight at any moment (a new
/// one starts as soon as one ends, rather than in batches that wait for their slowest call);
/// `tick` after each. The map keeps the result sorted by user, whatever the order of replies.
pub async fn login_profiles(
    admin: &Clients,
    users: &[String],
    tick: &dyn Fn(),
) -> Result<BTreeMap<String, LoginProfile>, Error> {
    let mut out = BTreeMap::new();
    let mut waiting = users.iter();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < CONCURRENT_LOOKUPS {
            let Some(user) = waiting.next() else { break };
            let (admin, user) = (admin.clone(), user.clone());
            tasks.spawn(async move {
                let profile = principal::login_profile(&admin, &user).await;
                (user, profile)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            return Ok(out);
        };
        let (user, profile) = joined.map_err(|e| Error::Response {
            operation: "iam:GetLoginProfile",
            what: e.to_string(),
        })?;
        out.insert(user, profile?);
        tick();
    }
}
