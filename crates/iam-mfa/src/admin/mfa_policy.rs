//! What `enforce` and `onboard` need from the MFA policy doctor (issue 3): whether a user's
//! policies let them change their own password without MFA, and a check of a group's policy
//! set ([`MfaAnalysis`], implemented here by [`Evaluator`] with the `iam-policy` engine), and
//! the force-MFA document to install ([`read_policy_file`] until `policy generate` exists).

use super::documents::Named;
use super::error::Error;
use iam_policy::{Context, Outcome, PolicySet, Request};
use serde::Serialize;

/// Who a request is made as.
#[derive(Clone, Debug)]
pub struct Principal {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    pub account: String,
    pub user_name: String,
    pub user_arn: String,
}

/// Whether a user can change their own password at first sign-in, before having MFA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub allowed: bool,
    pub explanation: String,
}

/// One probe of a policy set and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The request, e.g. `ec2:DescribeInstances without MFA`.
    pub probe: String,
    /// `denied` or `not denied`.
    pub expected: String,
    /// `allow`, `explicit_deny` or `implicit_deny`, with the deciding statements.
    pub got: String,
    pub ok: bool,
}

/// The MFA-specific analysis `enforce` and `onboard` rely on.
pub trait MfaAnalysis {
    /// Whether `documents` (a user's identity policies) plus the account setting
    /// `AllowUsersToChangePassword` let `user` change their own password without MFA.
    fn password_change_without_mfa(
        &self,
        user: &Principal,
        documents: &[Named],
        account_allows_change: bool,
    ) -> Result<Verdict, Error>;
    /// Checks that `documents` (a group's policies) force MFA for a member `user`.
    fn check(&self, user: &Principal, documents: &[Named]) -> Result<Vec<Finding>, Error>;
}

/// Reads the force-MFA document at `path`; one that does not parse is refused before any change.
pub fn read_policy_file(path: &std::path::Path) -> Result<String, Error> {
    let document = std::fs::read_to_string(path)
        .map_err(|error| Error::Usage(format!("cannot read {}: {error}", path.display())))?;
    iam_policy::parse_policy(&document)
        .map_err(|error| Error::Usage(format!("{}: {error}", path.display())))?;
    Ok(document)
}

/// [`MfaAnalysis`] by evaluating requests with the `iam-policy` engine.
pub struct Evaluator;

fn policy_set(documents: &[Named]) -> Result<PolicySet, Error> {
    let mut set = PolicySet::new();
    for named in documents {
        set.add_document(&named.name, &named.document)
            .map_err(|error| Error::Usage(format!("policy {}: {error}", named.name)))?;
    }
    Ok(set)
}

/// The context of a request by `user` signed in without MFA (`Some(false)`), with MFA
/// (`Some(true)`), or with long-term keys (key absent: `None`).
fn context(user: &Principal, mfa: Option<bool>) -> Context {
    let context = Context::new()
        .with("aws:username", &user.user_name)
        .with("aws:PrincipalArn", &user.user_arn);
    match mfa {
        Some(present) => context.with(
            "aws:MultiFactorAuthPresent",
            if present { "true" } else { "false" },
        ),
        None => context,
    }
}

fn outcome_text(
    set: &PolicySet,
    outcome: Outcome,
    statements: &[iam_policy::StatementRef],
) -> String {
    let name = match outcome {
        Outcome::Allow => "allow",
        Outcome::ExplicitDeny => "explicit_deny",
        Outcome::ImplicitDeny => "implicit_deny",
    };
    let labels: Vec<String> = statements.iter().map(|at| set.label(*at)).collect();
    if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({})", labels.join(", "))
    }
}

impl MfaAnalysis for Evaluator {
    fn password_change_without_mfa(
        &self,
        user: &Principal,
        documents: &[Named],
        account_allows_change: bool,
    ) -> Result<Verdict, Error> {
        let set = policy_set(documents)?;
        // Console sign-in without MFA: the key may be absent or "false"; both must pass.
        let requests = [
            ("iam:ChangePassword", user.user_arn.as_str()),
            ("iam:GetAccountPasswordPolicy", "*"),
        ]
        .into_iter()
        .flat_map(|(action, resource)| [None, Some(false)].map(|mfa| (action, resource, mfa)));
        for (action, resource, mfa) in requests {
            let decision = set.evaluate(&Request::new(action, resource, context(user, mfa)));
            let explanation = match decision.outcome {
                Outcome::Allow => continue,
                Outcome::ImplicitDeny if account_allows_change => continue,
                Outcome::ExplicitDeny => format!(
                    "{action} is denied without MFA by {}",
                    outcome_text(&set, decision.outcome, &decision.statements)
                ),
                Outcome::ImplicitDeny => format!(
                    "no policy allows {action} and the account password policy does not let users change their password"
                ),
            };
            return Ok(Verdict {
                allowed: false,
                explanation,
            });
        }
        Ok(Verdict {
            allowed: true,
            explanation:
                "the user's policies let them change their own password before enrolling MFA".into(),
        })
    }

    fn check(&self, user: &Principal, documents: &[Named]) -> Result<Vec<Finding>, Error> {
        let set = policy_set(documents)?;
        let arn = |kind: &str| format!("arn:{}:iam::{}:{kind}", user.partition, user.account);
        let own_device = arn(&format!("mfa/{}", user.user_name));
        let probes: [(&str, String, Option<bool>, bool, &str); 6] = [
            (
                "ec2:DescribeInstances",
                "*".into(),
                Some(false),
                true,
                "signed in without MFA",
            ),
            (
                "ec2:DescribeInstances",
                "*".into(),
                None,
                true,
                "with long-term access keys",
            ),
            (
                "ec2:DescribeInstances",
                "*".into(),
                Some(true),
                false,
                "with MFA",
            ),
            (
                "iam:CreateVirtualMFADevice",
                own_device,
                Some(false),
                false,
                "without MFA",
            ),
            (
                "iam:EnableMFADevice",
                user.user_arn.clone(),
                Some(false),
                false,
                "without MFA",
            ),
            (
                "sts:GetSessionToken",
                "*".into(),
                None,
                false,
                "with long-term access keys",
            ),
        ];
        Ok(probes
            .into_iter()
            .map(|(action, resource, mfa, expect_deny, how)| {
                let decision = set.evaluate(&Request::new(action, &resource, context(user, mfa)));
                let denied = decision.outcome == Outcome::ExplicitDeny;
                Finding {
                    probe: format!("{action} {how}"),
                    expected: if expect_deny { "denied" } else { "not denied" }.into(),
                    got: outcome_text(&set, decision.outcome, &decision.statements),
                    ok: denied == expect_deny,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORCE_MFA: &str = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
         "Action": ["iam:EnableMFADevice", "iam:ListMFADevices", "iam:ChangePassword"],
         "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Sid": "AllowCreate", "Effect": "Allow", "Action": "iam:CreateVirtualMFADevice", "Resource": "arn:aws:iam::*:mfa/*"},
        {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"],
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}"#;
    const POWER: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}"#;

    fn alice() -> Principal {
        Principal {
            partition: "aws".into(),
            account: "123456789012".into(),
            user_name: "alice".into(),
            user_arn: "arn:aws:iam::123456789012:user/alice".into(),
        }
    }

    fn named(name: &str, document: &str) -> Named {
        Named {
            name: name.into(),
            document: document.into(),
        }
    }

    fn engine() -> Evaluator {
        Evaluator
    }

    #[test]
    fn the_aws_force_mfa_deny_blocks_first_sign_in_password_change() {
        let verdict = engine()
            .password_change_without_mfa(&alice(), &[named("Force_MFA", FORCE_MFA)], true)
            .unwrap();
        assert!(!verdict.allowed);
        assert!(
            verdict
                .explanation
                .contains("Force_MFA#DenyAllExceptListedIfNoMFA"),
            "{}",
            verdict.explanation
        );
    }

    #[test]
    fn a_deny_in_either_sign_in_state_blocks_password_change() {
        let bool_only = FORCE_MFA.replace("BoolIfExists", "Bool");
        let verdict = engine()
            .password_change_without_mfa(&alice(), &[named("Force_MFA", &bool_only)], true)
            .unwrap();
        assert!(!verdict.allowed, "Bool denies when the key is \"false\"");
    }

    #[test]
    fn password_change_needs_an_allow_and_no_deny() {
        let relaxed = FORCE_MFA.replace(
            r#""sts:GetSessionToken"]"#,
            r#""sts:GetSessionToken", "iam:ChangePassword", "iam:GetAccountPasswordPolicy"]"#,
        );
        let documents = [named("Force_MFA", &relaxed)];
        assert!(
            engine()
                .password_change_without_mfa(&alice(), &documents, true)
                .unwrap()
                .allowed
        );
        let without_account_setting = engine()
            .password_change_without_mfa(&alice(), &documents, false)
            .unwrap();
        assert!(
            !without_account_setting.allowed,
            "GetAccountPasswordPolicy has no allow"
        );
        assert!(
            without_account_setting
                .explanation
                .contains("iam:GetAccountPasswordPolicy")
        );
        assert!(
            !engine()
                .password_change_without_mfa(&alice(), &[], false)
                .unwrap()
                .allowed
        );
        assert!(
            engine()
                .password_change_without_mfa(&alice(), &[], true)
                .unwrap()
                .allowed
        );
    }

    #[test]
    fn check_passes_for_force_mfa_and_fails_without_it() {
        let good = engine()
            .check(
                &alice(),
                &[named("Force_MFA", FORCE_MFA), named("PowerUser", POWER)],
            )
            .unwrap();
        assert!(good.iter().all(|finding| finding.ok), "{good:#?}");
        let bad = engine()
            .check(&alice(), &[named("PowerUser", POWER)])
            .unwrap();
        assert!(
            !bad[0].ok && bad[0].got == "allow (PowerUser#1)",
            "{bad:#?}"
        );
        let bool_only = FORCE_MFA.replace("BoolIfExists", "Bool");
        let leaky = engine()
            .check(
                &alice(),
                &[named("Force_MFA", &bool_only), named("PowerUser", POWER)],
            )
            .unwrap();
        assert!(
            leaky[0].ok && !leaky[1].ok,
            "Bool lets long-term keys through: {leaky:#?}"
        );
    }

    #[test]
    fn unreadable_or_invalid_policy_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, "{\"Version\": \"2012-10-17\", \"Statement\": [").unwrap();
        assert!(matches!(read_policy_file(&path), Err(Error::Usage(_))));
        assert!(matches!(
            read_policy_file(&dir.path().join("missing.json")),
            Err(Error::Usage(_))
        ));
        std::fs::write(&path, FORCE_MFA).unwrap();
        assert_eq!(read_policy_file(&path).unwrap(), FORCE_MFA);
    }
}
