//! `iam-mfa policy check`: proves a policy set forces MFA without locking users out, with the
//! doctor; policies from files, the embedded AWS-managed set, or a real user's or group's
//! policies (`--user`, `--group`, fetched through the AWS SDK).

use std::collections::BTreeMap;

use anyhow::anyhow;
use iam_policy::analysis::Principal;
use iam_policy::{NamedResourcePolicy, PolicySet};

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
use mfa_doctor::{
    self as doctor, Account, CheckReport, Input, Intent, LoginProfile, RolePower, Severity,
    TrustInput,
};
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
    pub role: RoleArgs,
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

/// The role whose trust policy is checked: who can assume it without MFA.
#[derive(Debug, clap::Args)]
pub struct RoleArgs {
    /// A role trust policy file (`[NAME=]FILE`): proves, in each credential state, who can
    /// assume the role without MFA — the user checked (with FILE/--policy/--managed/--user),
    /// or else each principal the trust policy names.
    #[arg(long, value_name = "[NAME=]FILE", conflicts_with = "role")]
    pub trust: Option<String>,
    /// Check an existing role: its trust policy and its permission policies (GetRole,
    /// ListRolePolicies, ListAttachedRolePolicies through the AWS SDK).
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// Offline: the ARN of the role the trust policy belongs to (default
    /// arn:PARTITION:iam::ACCOUNT:role/NAME, NAME the trust policy's).
    #[arg(long, value_name = "ARN", conflicts_with = "role", requires = "trust")]
    pub role_arn: Option<String>,
    /// Offline: a permission policy of the role (`[NAME=]FILE`, repeatable), which grades an
    /// escape (high when the role can write, medium when it can only read).
    #[arg(
        long,
        value_name = "[NAME=]FILE",
        conflicts_with = "role",
        requires = "trust"
    )]
    pub role_policy: Vec<String>,
    /// Offline: an embedded AWS-managed policy attached to the role (repeatable).
    #[arg(
        long,
        value_name = "NAME|ARN",
        conflicts_with = "role",
        requires = "trust"
    )]
    pub role_managed: Vec<String>,
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
    /// The identity side; `None` when only a trust policy is checked.
    identity: Option<Identity>,
    role: Option<RoleSubject>,
    /// Policy name → file path, for policies read from files.
    files: BTreeMap<String, String>,
}

/// The user checked and its policies.
struct Identity {
    set: PolicySet,
    principal: Principal,
    account: Account,
}

/// The role checked: trust policy, ARN and permission policies (if known).
struct RoleSubject {
    trust: NamedResourcePolicy,
    arn: String,
    permissions: Option<PolicySet>,
}

/// Runs the command; exit code 6 when findings reach `--fail-on`.
pub fn run(args: &Args, global: &GlobalArgs) -> Result<u8, Coded> {
    // Inflating the catalog takes as long as reading the policies: do both at once.
    let catalog = std::thread::spawn(iam_catalog::catalog);
    let subject = subject(args, global)?;
    if let Some(identity) = &subject.identity {
        doctor::sweep_limit(&identity.set).map_err(|e| Coded::usage(anyhow!(e)))?;
    }
    if let Some(permissions) = subject.role.as_ref().and_then(|r| r.permissions.as_ref()) {
        doctor::sweep_limit(permissions).map_err(|e| Coded::usage(anyhow!(e)))?;
    }
    let catalog = catalog
        .join()
        .map_err(|_| Coded::failure(anyhow!("loading the action catalog failed")))?;
    let mut report = match &subject.identity {
        Some(identity) => doctor::check(
            Input {
                set: &identity.set,
                principal: &identity.principal,
                account: identity.account,
                intent: &args.intent,
            },
            catalog,
        ),
        None => CheckReport {
            principal: subject
                .role
                .as_ref()
                .map_or_else(String::new, |r| r.arn.clone()),
            policies: Vec::new(),
            catalog: catalog.source().to_string(),
            catalog_actions: catalog.actions().len(),
            states: Vec::new(),
            findings: Vec::new(),
            role: None,
        },
    };
    if let Some(role) = &subject.role {
        let power = match &role.permissions {
            Some(set) => doctor::role_power(set, catalog, &role.arn),
            None => RolePower::Unknown,
        };
        let (section, findings) = doctor::check_trust(TrustInput {
            trust: &role.trust,
            role_arn: &role.arn,
            caller: subject.identity.as_ref().map(|i| (&i.set, &i.principal)),
            power: &power,
        });
        report.policies.push(role.trust.name.clone());
        report.findings.extend(findings);
        report
            .findings
            .sort_by_key(|f| (std::cmp::Reverse(f.severity), f.id));
        report.role = Some(section);
    }
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

/// The policy set, the principal and the account facts, and the role, from flags or from the
/// account.
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
    let role_given = args.role.trust.is_some() || args.role.role.is_some();
    if target.is_none() && policies.is_empty() && !role_given {
        return Err(Coded::usage(anyhow!(
            "nothing to check: give FILE, --policy FILE, --managed NAME, --user NAME, --group NAME, --trust FILE or --role NAME"
        )));
    }
    let mut files = BTreeMap::new();
    let identity = if target.is_none() && policies.is_empty() {
        None
    } else {
        Some(identity(
            args,
            global,
            target.as_ref(),
            &policies,
            &mut files,
        )?)
    };
    let role = role(args, global, &mut files)?;
    Ok(Subject {
        identity,
        role,
        files,
    })
}

/// The user's policy set, principal and account facts.
fn identity(
    args: &Args,
    global: &GlobalArgs,
    target: Option<&Target>,
    policies: &PolicyArgs,
    files: &mut BTreeMap<String, String>,
) -> Result<Identity, Coded> {
    let mut set = PolicySet::new();
    let (principal, account) = match target {
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
                tags: Vec::new(),
                user_id: None,
            };
            let account = Account {
                allow_users_to_change_password: o.allow_users_to_change_password,
                login_profile: o.login_profile.into(),
            };
            (principal, account)
        }
    };
    load(&mut set, policies, files)?;
    Ok(Identity {
        set,
        principal,
        account,
    })
}

/// Adds the policies of `policies` to `set`, recording the files.
fn load(
    set: &mut PolicySet,
    policies: &PolicyArgs,
    files: &mut BTreeMap<String, String>,
) -> Result<(), Coded> {
    for source in policies.sources().map_err(Coded::usage)? {
        if let PolicySource::File { name, path } = &source {
            files.insert(name.clone(), path.display().to_string());
        }
        sources::add(set, &source).map_err(Coded::usage)?;
    }
    Ok(())
}

/// The role of `--trust` (offline) or `--role` (from the account).
fn role(
    args: &Args,
    global: &GlobalArgs,
    files: &mut BTreeMap<String, String>,
) -> Result<Option<RoleSubject>, Coded> {
    let r = &args.role;
    if let Some(name) = &r.role {
        let page_size = args.listing.page_size;
        let fetched = with_clients(global, |admin| async move {
            documents::of_role(&admin.iam, name, page_size).await
        })
        .map_err(Coded::from_failure)?;
        let trust = iam_policy::parse_trust_policy(&fetched.trust)
            .map_err(|e| Coded::failure(anyhow!("the trust policy of role {name}: {e}")))?;
        let permissions = documents::policy_set(&fetched.documents)
            .map_err(|unreadable| Coded::failure(anyhow!("policy {unreadable}")))?;
        return Ok(Some(RoleSubject {
            trust: NamedResourcePolicy::new(&format!("{name}/trust"), trust),
            arn: fetched.arn,
            permissions: Some(permissions),
        }));
    }
    let Some(spec) = &r.trust else {
        return Ok(None);
    };
    let (name, path) = sources::named_file("--trust", spec).map_err(Coded::usage)?;
    let text = crate::policy_file::read(&path).map_err(Coded::usage)?;
    let trust = iam_policy::parse_trust_policy(&text)
        .map_err(|e| Coded::usage(anyhow!("{}: {e}", path.display())))?;
    if files.contains_key(&name) {
        return Err(Coded::usage(anyhow!(
            "--trust {spec}: the name \"{name}\" is already an identity policy's; name the trust policy with --trust NAME=FILE"
        )));
    }
    files.insert(name.clone(), path.display().to_string());
    let o = &args.offline;
    let arn = match &r.role_arn {
        Some(arn) => {
            crate::names::role_arn(arn).map_err(|e| Coded::usage(anyhow!("--role-arn: {e}")))?;
            arn.clone()
        }
        None => format!("arn:{}:iam::{}:role/{name}", o.partition, o.account),
    };
    let role_policies = PolicyArgs {
        policies: r.role_policy.clone(),
        managed: r.role_managed.clone(),
    };
    let permissions = if role_policies.is_empty() {
        None
    } else {
        let mut set = PolicySet::new();
        load(&mut set, &role_policies, files)?;
        Some(set)
    };
    Ok(Some(RoleSubject {
        trust: NamedResourcePolicy::new(&name, trust),
        arn,
        permissions,
    }))
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
