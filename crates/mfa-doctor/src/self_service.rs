//! Findings about what a user can or cannot do to their own credentials before MFA, by
//! concrete evaluation: change the password at first sign-in, enrol a device, get a CLI
//! session; and what they must not do: remove MFA without MFA, manage other users' MFA or
//! passwords.

use iam_policy::analysis::{MfaState, Principal, request_for};
use iam_policy::{Decision, Effect, Outcome, PolicySet, Statement, StatementRef};

use super::facts::{Account, LoginProfile};
use super::finding::{Evidence, Finding, FindingId, Severity};
use super::intent::{self, Intent};

/// The console before MFA: temporary credentials whose `aws:MultiFactorAuthPresent` is false.
const CONSOLE: MfaState = MfaState::TemporaryWithoutMfa;
const WITHOUT_MFA: [MfaState; 2] = [MfaState::LongTermKeys, MfaState::TemporaryWithoutMfa];

/// The Allow statements whose `Action` (or `NotAction`) covers `action`, whatever their
/// resources and conditions.
pub(super) fn allows_of<'s>(
    set: &'s PolicySet,
    action: &str,
) -> impl Iterator<Item = (StatementRef, &'s Statement)> + 's {
    let lower = action.to_ascii_lowercase();
    set.statements()
        .filter(move |(_, st)| st.effect == Effect::Allow && covers(st, &lower))
}

/// Whether the `Action` (or `NotAction`) of `st` covers `action_lower` (`service:name`).
pub(super) fn covers(st: &Statement, action_lower: &str) -> bool {
    st.actions
        .patterns
        .iter()
        .any(|p| p.matches_lower(action_lower))
        != st.actions.negated
}

/// Evaluates requests of one principal.
struct Probe<'a> {
    set: &'a PolicySet,
    principal: &'a Principal,
    account: Account,
}

impl Probe<'_> {
    fn iam(&self, resource: &str) -> String {
        format!(
            "arn:{}:iam::{}:{resource}",
            self.principal.partition, self.principal.account
        )
    }

    fn own_device(&self, name: &str) -> String {
        self.iam(&format!("mfa/{name}"))
    }

    fn decide(&self, state: MfaState, action: &str, resource: &str) -> Decision {
        let mut d = self
            .set
            .evaluate(&request_for(self.principal, state, action, resource));
        let account_allows = self.account.allow_users_to_change_password
            && (action == intent::CHANGE_PASSWORD && resource == self.principal.arn()
                || action == intent::GET_PASSWORD_POLICY);
        if d.outcome == Outcome::ImplicitDeny && account_allows {
            d.outcome = Outcome::Allow;
        }
        d
    }

    fn evidence(
        &self,
        states: Vec<MfaState>,
        action: &str,
        resource: &str,
        d: &Decision,
    ) -> Evidence {
        Evidence {
            action: Some(action.to_owned()),
            resource: Some(resource.to_owned()),
            states,
            decision: Some(d.outcome),
            statements: d.statements.iter().map(|at| self.set.label(*at)).collect(),
            detail: (d.outcome == Outcome::ImplicitDeny).then(|| self.why_not(action)),
        }
    }

    /// Why nothing allows `action` on the resource: no Allow names the action, or the Allows
    /// that do name other resources (an `account-id` placeholder, a path the user lacks).
    fn why_not(&self, action: &str) -> String {
        /// Statements named in the detail; more are counted.
        const SHOWN: usize = 5;
        let more = allows_of(self.set, action).count().saturating_sub(SHOWN);
        let mut elsewhere: Vec<String> = allows_of(self.set, action)
            .take(SHOWN)
            .map(|(at, st)| {
                let resources: Vec<&str> =
                    st.resources.patterns.iter().map(|t| t.source()).collect();
                format!(
                    "{} allows it on {}{}",
                    self.set.label(at),
                    if st.resources.negated {
                        "everything but "
                    } else {
                        ""
                    },
                    resources.join(", ")
                )
            })
            .collect();
        if more > 0 {
            elsewhere.push(format!("and {more} more"));
        }
        if elsewhere.is_empty() {
            "no statement allows it".to_owned()
        } else {
            format!(
                "no statement allows it on this resource or with these conditions ({})",
                elsewhere.join("; ")
            )
        }
    }

    /// Evidence for each request denied in `state`.
    fn denied(&self, state: MfaState, requests: &[(&str, String)]) -> Vec<Evidence> {
        requests
            .iter()
            .filter_map(|(action, resource)| {
                let d = self.decide(state, action, resource);
                (!d.outcome.is_allowed()).then(|| self.evidence(vec![state], action, resource, &d))
            })
            .collect()
    }

    /// Evidence for each request allowed in some of `states` (the states listed).
    fn allowed(&self, states: &[MfaState], requests: &[(&str, String)]) -> Vec<Evidence> {
        let mut out = Vec::new();
        for (action, resource) in requests {
            let hits: Vec<(MfaState, Decision)> = states
                .iter()
                .map(|&s| (s, self.decide(s, action, resource)))
                .filter(|(_, d)| d.outcome.is_allowed())
                .collect();
            if let Some((_, d)) = hits.first() {
                let states = hits.iter().map(|(s, _)| *s).collect();
                out.push(self.evidence(states, action, resource, d));
            }
        }
        out
    }
}

/// Every self-service finding for `principal`.
pub fn self_service(
    set: &PolicySet,
    principal: &Principal,
    account: Account,
    intent: &Intent,
) -> Vec<Finding> {
    let probe = Probe {
        set,
        principal,
        account,
    };
    let mut out = password(&probe, intent);
    out.extend(enrolment(&probe));
    if intent.cli_sessions {
        out.extend(cli_session(&probe));
    }
    out.extend(removable(&probe));
    out.extend(others(&probe));
    out
}

/// The password findings. A user who must reset the password is locked out whatever the intent;
/// otherwise only an intent of first-login password change asks for it.
fn password(p: &Probe<'_>, intent: &Intent) -> Vec<Finding> {
    let mut out = Vec::new();
    let reset = p.account.login_profile == LoginProfile::ResetRequired;
    if !intent.first_login_password_change && !reset {
        return out;
    }
    let own = p.principal.arn();
    let change = p.denied(CONSOLE, &[(intent::CHANGE_PASSWORD, own)]);
    if !change.is_empty() {
        let (id, severity, situation) = match p.account.login_profile {
            LoginProfile::ResetRequired => (
                FindingId::FirstLoginLockout,
                Severity::Critical,
                "The user's login profile requires a new password at next sign-in, so the user is locked out at the password-change screen (\"Either user is not authorized to perform iam:ChangePassword or entered password does not comply with account password policy\")",
            ),
            LoginProfile::None => (
                FindingId::PasswordChangeDenied,
                Severity::Low,
                "The user has no console password today; once given one that must be changed at sign-in, they will be locked out",
            ),
            LoginProfile::Present | LoginProfile::Unknown => (
                FindingId::PasswordChangeDenied,
                Severity::High,
                "A new user required to set a password at first sign-in, or a user whose password expired, is locked out at the password-change screen",
            ),
        };
        let explicit = change
            .iter()
            .any(|e| e.decision == Some(Outcome::ExplicitDeny));
        out.push(Finding {
            id,
            severity,
            message: format!(
                "Users cannot change their own password before they have MFA ({}). {situation}.",
                if explicit {
                    "an explicit Deny covers iam:ChangePassword without MFA, and a Deny beats every Allow, including the account setting"
                } else {
                    "no statement allows iam:ChangePassword on the user, and the account password policy does not let users change their password"
                }
            ),
            evidence: change,
            fix: match (explicit, reset) {
                (true, false) => "Add iam:ChangePassword and iam:GetAccountPasswordPolicy to the NotAction of the MFA Deny (as `iam-mfa policy generate` does; an Allow, IAMUserChangePassword or the account setting cannot override the Deny), or do not require a new password at first sign-in (`iam-mfa onboard`).".to_owned(),
                (true, true) => format!("Unlock the user now: `aws iam update-login-profile --user-name {} --no-password-reset-required` (hand over a password the user keeps until MFA is set up); for good, add iam:ChangePassword and iam:GetAccountPasswordPolicy to the NotAction of the MFA Deny (as `iam-mfa policy generate` does).", p.principal.user_name),
                (false, _) => "Allow iam:ChangePassword on arn:aws:iam::*:user/${aws:username} and arn:aws:iam::*:user/*/${aws:username} (AWS-managed IAMUserChangePassword), or turn on \"Allow users to change their own password\" in the account password policy.".to_owned(),
            },
        });
    }
    let read = p.denied(CONSOLE, &[(intent::GET_PASSWORD_POLICY, "*".to_owned())]);
    if !read.is_empty() && intent.first_login_password_change {
        let explicit = read
            .iter()
            .any(|e| e.decision == Some(Outcome::ExplicitDeny));
        out.push(Finding {
            id: FindingId::PasswordPolicyUnreadable,
            severity: Severity::Low,
            message: "Users cannot read the account password policy before they have MFA: the console's password-change page cannot show the password rules.".to_owned(),
            evidence: read,
            fix: if explicit {
                "Add iam:GetAccountPasswordPolicy to the NotAction of the MFA Deny."
            } else {
                "Allow iam:GetAccountPasswordPolicy on \"*\" (AWS-managed IAMUserChangePassword does), or turn on \"Allow users to change their own password\" in the account password policy."
            }
            .to_owned(),
        });
    }
    out
}

fn enrolment(p: &Probe<'_>) -> Vec<Finding> {
    let own = p.principal.arn();
    let name = &p.principal.user_name;
    let requests = [
        (intent::CREATE_DEVICE, p.own_device(name)),
        ("iam:EnableMFADevice", own.clone()),
        ("iam:ListMFADevices", own),
    ];
    let mut out = Vec::new();
    let console = p.denied(CONSOLE, &requests);
    let keys = p.denied(MfaState::LongTermKeys, &requests);
    if !console.is_empty() || !keys.is_empty() {
        let severity = if console.is_empty() {
            Severity::Medium
        } else {
            Severity::High
        };
        let mut evidence = console;
        evidence.extend(keys);
        out.push(Finding {
            id: FindingId::MfaEnrolmentBlocked,
            severity,
            message: format!(
                "A user without MFA cannot enrol an MFA device{}: under a force-MFA policy they can then never get MFA.",
                if severity == Severity::Medium {
                    " with long-term access keys (the console still works)"
                } else {
                    " in the console"
                }
            ),
            evidence,
            fix: "Allow iam:CreateVirtualMFADevice on arn:aws:iam::*:mfa/*, and iam:EnableMFADevice, iam:ListMFADevices on the user's own ARN (both user/${aws:username} and user/*/${aws:username}); list them in the NotAction of the MFA Deny.".to_owned(),
        });
    }
    let custom = p.own_device(&format!("{name}-phone"));
    if p.decide(CONSOLE, intent::CREATE_DEVICE, &p.own_device(name))
        .outcome
        .is_allowed()
    {
        let d = p.decide(CONSOLE, intent::CREATE_DEVICE, &custom);
        if !d.outcome.is_allowed() {
            out.push(Finding {
                id: FindingId::MfaDeviceNameRestricted,
                severity: Severity::Low,
                message: "Virtual MFA devices can only be created under the user's own name (mfa/${aws:username}): a second device, or one named freely as the console allows since 2022, is refused.".to_owned(),
                evidence: vec![p.evidence(vec![CONSOLE], intent::CREATE_DEVICE, &custom, &d)],
                fix: "Allow iam:CreateVirtualMFADevice on arn:aws:iam::*:mfa/* (the other statements still tie the device to the user).".to_owned(),
            });
        }
    }
    out
}

fn cli_session(p: &Probe<'_>) -> Vec<Finding> {
    let d = p.decide(MfaState::LongTermKeys, intent::GET_SESSION_TOKEN, "*");
    if d.outcome != Outcome::ExplicitDeny {
        return Vec::new();
    }
    vec![Finding {
        id: FindingId::CliSessionDenied,
        severity: Severity::Low,
        message: "sts:GetSessionToken is explicitly denied with long-term access keys, which reads as \"CLI users cannot get an MFA session\". AWS documents that GetSessionToken needs no permission and that policies cannot control it, so the Deny has no effect, but policy simulators and readers are misled.".to_owned(),
        evidence: vec![p.evidence(vec![MfaState::LongTermKeys], intent::GET_SESSION_TOKEN, "*", &d)],
        fix: "List sts:GetSessionToken in the NotAction of the MFA Deny.".to_owned(),
    }]
}

fn removable(p: &Probe<'_>) -> Vec<Finding> {
    let requests = [
        ("iam:DeactivateMFADevice", p.principal.arn()),
        (
            "iam:DeleteVirtualMFADevice",
            p.own_device(&p.principal.user_name),
        ),
    ];
    let evidence = p.allowed(&WITHOUT_MFA, &requests);
    if evidence.is_empty() {
        return Vec::new();
    }
    vec![Finding {
        id: FindingId::MfaRemovableWithoutMfa,
        severity: Severity::High,
        message: "MFA devices can be deactivated or deleted without MFA: stolen long-term keys or a password alone can remove the second factor.".to_owned(),
        evidence,
        fix: "Remove iam:DeactivateMFADevice and iam:DeleteVirtualMFADevice from the NotAction of the MFA Deny; allow iam:DeactivateMFADevice on oneself only with {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}.".to_owned(),
    }]
}

fn others(p: &Probe<'_>) -> Vec<Finding> {
    let other = p.iam("user/another-user");
    let requests = [
        ("iam:EnableMFADevice", other.clone()),
        ("iam:DeactivateMFADevice", other.clone()),
        ("iam:ResyncMFADevice", other.clone()),
        ("iam:DeleteVirtualMFADevice", p.own_device("another-user")),
        ("iam:CreateLoginProfile", other.clone()),
        ("iam:UpdateLoginProfile", other.clone()),
        ("iam:DeleteLoginProfile", other),
    ];
    let evidence = p.allowed(&MfaState::ALL, &requests);
    if evidence.is_empty() {
        return Vec::new();
    }
    let without_mfa = evidence
        .iter()
        .any(|e| e.states.iter().any(|s| *s != MfaState::WithMfa));
    vec![Finding {
        id: FindingId::ManagesOtherUsersCredentials,
        severity: if without_mfa {
            Severity::High
        } else {
            Severity::Info
        },
        message: if without_mfa {
            "The user can manage other users' MFA devices or console passwords without MFA."
        } else {
            "The user can manage other users' MFA devices or console passwords (with MFA only): expected for administrators, not for other users."
        }
        .to_owned(),
        evidence,
        fix: "Scope MFA and login-profile actions to arn:aws:iam::*:user/${aws:username} (and user/*/${aws:username}) unless the user administers IAM.".to_owned(),
    }]
}
