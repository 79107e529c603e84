//! `iam-mfa policy check`: proves a policy set forces MFA without locking users out, with the
//! doctor; policies from files, the embedded AWS-managed set, or a real user's or group's
//! policies (`--user`, `--group`, fetched through the AWS SDK).

use std::collections::BTreeMap;

use anyhow::anyhow;
use iam_policy::PolicySet;
use iam_policy::analysis::Principal;

use super::sources::{self, PolicyArgs, PolicySource};
use crate::args::GlobalArgs;
use crate::args::Listing;
use crate::iam::client::with_clients;
use crate::iam::documents;
use crate::iam::principal::{PrincipalPolicies, Target, gather};
use crate::ui::exit::Code;
use crate::ui::exit::Coded;
use crate::ui::output::{self, Report};
use crate::ui::{findings, sarif, style};
use mfa_doctor::{self as doctor, Account, CheckReport, Input, Intent, LoginProfile, Severity};
use serde::Serialize;

/// `policy check` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Identity policy files to check: `FILE` (named by its file stem) or `NAME=FILE`, as with
    /// --policy.
    #[arg(value_name = "[NAME=]FILE")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Check an existing IAM user: its inline and attached policies and those of its groups,
    /// its login profile and the account password policy (read through the AWS SDK). Policies
    /// given with --policy/--managed are added, to try a change before making it.
    #[arg(long, value_name = "NAME", conflicts_with = "group")]
    pub user: Option<String>,
    /// Check a group's policies for a member with no policies of its own (AWS calls).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    #[command(flatten)]
    pub intent: Intent,
    #[command(flatten)]
    pub offline: Offline,
    /// Exit with code 6 when a finding is this severe or more.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = Severity::Medium)]
    pub fail_on: Severity,
    #[command(flatten)]
    pub listing: Listing,
}

/// Facts about the account and the user when checking files offline.
#[derive(Debug, clap::Args)]
pub struct Offline {
    /// Offline: the account password policy has "Allow users to change their own password",
    /// which acts as an Allow of iam:ChangePassword and iam:GetAccountPasswordPolicy on oneself
    /// (it cannot override a Deny). With --user/--group it is read from the account.
    #[arg(long, conflicts_with_all = ["user", "group"])]
    pub allow_users_to_change_password: bool,
    /// Offline: the user's console password; `reset-required` turns a password change denied
    /// without MFA into a first sign-in lock-out (critical).
    #[arg(long, value_enum, value_name = "STATE", default_value_t = LoginArg::Unknown, conflicts_with = "user")]
    pub login_profile: LoginArg,
    /// Offline: the name of the user making the requests.
    #[arg(long, value_name = "NAME", default_value = "alice", conflicts_with_all = ["user", "group"])]
    pub as_user: String,
    /// Offline: the user's IAM path (policies must also match users with a path).
    #[arg(long, value_name = "PATH", default_value = "/", conflicts_with_all = ["user", "group"])]
    pub as_path: String,
    /// Offline: the account id in ARNs.
    #[arg(long, value_name = "ID", default_value = "123456789012", conflicts_with_all = ["user", "group"])]
    pub account: String,
    /// Offline: the partition (`aws`, `aws-cn`, `aws-us-gov`).
    #[arg(long, value_name = "NAME", default_value = "aws", conflicts_with_all = ["user", "group"])]
    pub partition: String,
}

/// `--login-profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoginArg {
    /// Not known.
    Unknown,
    /// No console password.
    None,
    /// A console password that need not be changed.
    Present,
    /// A console password to be changed at next sign-in.
    ResetRequired,
}

impl From<LoginArg> for LoginProfile {
    fn from(arg: LoginArg) -> Self {
        match arg {
            LoginArg::Unknown => Self::Unknown,
            LoginArg::None => Self::None,
            LoginArg::Present => Self::Present,
            LoginArg::ResetRequired => Self::ResetRequired,
        }
    }
}

/// What was checked, with where each policy came from (for SARIF locations).
struct Subject {
    set: PolicySet,
    principal: Principal,
    account: Account,
    /// Policy name → file path, for policies read from files.
    files: BTreeMap<String, String>,
}

/// Runs the command; exit code 6 when findings reach `--fail-on`.
pub fn run(args: &Args, global: &GlobalArgs) -> Result<u8, Coded> {
    // Inflating the catalog takes as long as reading the policies: do both at once.
    let catalog = std::thread::spawn(iam_catalog::catalog);
    let subject = subject(args, global)?;
    doctor::sweep_limit(&subject.set).map_err(|e| Coded::usage(anyhow!(e)))?;
    let catalog = catalog
        .join()
        .map_err(|_| Coded::failure(anyhow!("loading the action catalog failed")))?;
    let report = doctor::check(
        Input {
            set: &subject.set,
            principal: &subject.principal,
            account: subject.account,
            intent: &args.intent,
        },
        catalog,
    );
    let checked = Checked {
        report: &report,
        subject: &subject,
        fail_on: args.fail_on,
    };
    output::print(&checked, global.output).map_err(Coded::failure)?;
    Ok(match report.worst() {
        Some(worst) if worst >= args.fail_on => Code::Findings.into(),
        _ => Code::Success.into(),
    })
}

/// The policy set, the principal and the account facts, from flags or from the account.
fn subject(args: &Args, global: &GlobalArgs) -> Result<Subject, Coded> {
    let target = match (&args.user, &args.group) {
        (Some(user), _) => Some(Target::User(user.clone())),
        (None, Some(group)) => Some(Target::Group(group.clone())),
        (None, None) => None,
    };
    // Positional files first, then --policy files, then --managed policies.
    let policies = PolicyArgs {
        policies: args
            .files
            .iter()
            .chain(&args.policies.policies)
            .cloned()
            .collect(),
        managed: args.policies.managed.clone(),
    };
    if target.is_none() && policies.is_empty() {
        return Err(Coded::usage(anyhow!(
            "nothing to check: give FILE, --policy FILE, --managed NAME, --user NAME or --group NAME"
        )));
    }
    let mut set = PolicySet::new();
    let mut files = BTreeMap::new();
    let (principal, account) = match &target {
        Some(target) => {
            let gathered = fetch(target, args.listing.page_size, global)?;
            set = documents::policy_set(&gathered.documents)
                .map_err(|unreadable| Coded::failure(anyhow!("policy {unreadable}")))?;
            (gathered.principal, gathered.account)
        }
        None => {
            let o = &args.offline;
            let path = format!("/{}/", o.as_path.trim_matches('/')).replace("//", "/");
            let principal = Principal {
                partition: o.partition.clone(),
                account: o.account.clone(),
                user_name: o.as_user.clone(),
                path,
            };
            let account = Account {
                allow_users_to_change_password: o.allow_users_to_change_password,
                login_profile: o.login_profile.into(),
            };
            (principal, account)
        }
    };
    for source in policies.sources().map_err(Coded::usage)? {
        if let PolicySource::File { name, path } = &source {
            files.insert(name.clone(), path.display().to_string());
        }
        sources::add(&mut set, &source).map_err(Coded::usage)?;
    }
    Ok(Subject {
        set,
        principal,
        account,
        files,
    })
}

/// Gathers `target` from the account (with an MFA session when the profile names a device).
fn fetch(
    target: &Target,
    page_size: Option<i32>,
    global: &GlobalArgs,
) -> Result<PrincipalPolicies, Coded> {
    with_clients(global, |admin| async move {
        gather(&admin, target, page_size).await
    })
    .map_err(Coded::from_failure)
}

/// What `policy check` prints: the doctor's report (the JSON), with what its text and SARIF
/// need besides.
#[derive(Serialize)]
#[serde(transparent)]
struct Checked<'a> {
    report: &'a CheckReport,
    #[serde(skip)]
    subject: &'a Subject,
    #[serde(skip)]
    fail_on: Severity,
}

impl Report for Checked<'_> {
    fn text(&self) -> String {
        findings::render(self.report, Some(self.fail_on), style::colour_stdout())
    }

    fn sarif(&self) -> Option<serde_json::Value> {
        Some(sarif::log(&sarif_items(self.report, self.subject)))
    }
}

/// One SARIF result per finding, located at the policy file of its first statement.
fn sarif_items(report: &CheckReport, subject: &Subject) -> Vec<sarif::Item> {
    report
        .findings
        .iter()
        .map(|f| {
            let statement = f.evidence.iter().flat_map(|e| &e.statements).next();
            let policy = statement.map(|s| s.split_once('#').map_or(s.as_str(), |(p, _)| p));
            sarif::Item {
                id: f.id,
                severity: f.severity,
                message: format!("{} Fix: {}", f.message, f.fix),
                uri: policy.and_then(|p| subject.files.get(p).cloned()),
                logical: Some(
                    statement
                        .cloned()
                        .unwrap_or_else(|| report.principal.clone()),
                ),
            }
        })
        .collect()
}
