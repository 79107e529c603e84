//! The force-MFA policy, correct by construction: self-service before MFA (enrol a device,
//! change one's own password, get an MFA session), scoped to the signed-in user including
//! users with an IAM path, and everything else denied unless MFA is present (`BoolIfExists`,
//! so long-term access keys are denied too). `policy generate` prints it; `enforce` installs it.

use serde_json::{Value, json};

use super::intent::{
    CHANGE_PASSWORD, CREATE_DEVICE, GET_PASSWORD_POLICY, GET_SESSION_TOKEN, Intent, LIST_DEVICES,
    OWN_USER_MFA,
};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// What users may do before MFA.
    pub intent: Intent,
    /// Deny (outside self-service) when MFA was used longer ago than this many seconds.
    pub max_mfa_age: Option<u64>,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            intent: Intent::default(),
            max_mfa_age: None,
            partition: "aws".to_owned(),
        }
    }
}

/// The force-MFA identity policy for `options`.
pub fn force_mfa_policy(options: &Options) -> Value {
    let iam = |resource: &str| format!("arn:{}:iam::*:{resource}", options.partition);
    // `${aws:username}` is the name without the path: users with a path need the second form.
    let own_user = json!([iam("user/${aws:username}"), iam("user/*/${aws:username}")]);
    let intent = &options.intent;
    let mut view = vec![LIST_DEVICES];
    if intent.first_login_password_change {
        view.insert(0, GET_PASSWORD_POLICY);
    }
    let mut statements = vec![
        json!({
            "Sid": "AllowViewAccountInfoForSelfService",
            "Effect": "Allow",
            "Action": view,
            "Resource": "*"
        }),
        json!({
            "Sid": "AllowCreateVirtualMFADeviceWithAnyName",
            "Effect": "Allow",
            "Action": CREATE_DEVICE,
            "Resource": iam("mfa/*")
        }),
        json!({
            "Sid": "AllowEnableListResyncOwnMFADevice",
            "Effect": "Allow",
            "Action": OWN_USER_MFA,
            "Resource": own_user
        }),
        json!({
            "Sid": "AllowDeactivateOwnMFADeviceOnlyWithMFA",
            "Effect": "Allow",
            "Action": "iam:DeactivateMFADevice",
            "Resource": own_user,
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        }),
    ];
    if intent.first_login_password_change {
        statements.push(json!({
            "Sid": "AllowChangeOwnPasswordBeforeMFA",
            "Effect": "Allow",
            "Action": CHANGE_PASSWORD,
            "Resource": own_user
        }));
    }
    if intent.cli_sessions {
        statements.push(json!({
            "Sid": "AllowGetSessionTokenForCLIMFASessions",
            "Effect": "Allow",
            "Action": GET_SESSION_TOKEN,
            "Resource": "*"
        }));
    }
    let exempt = intent.exempt_actions();
    statements.push(json!({
        "Sid": "DenyAllExceptSelfServiceWithoutMFA",
        "Effect": "Deny",
        "NotAction": exempt,
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    }));
    if let Some(seconds) = options.max_mfa_age {
        statements.push(json!({
            "Sid": format!("DenyAllExceptSelfServiceWhenMFAOlderThan{seconds}Seconds"),
            "Effect": "Deny",
            "NotAction": exempt,
            "Resource": "*",
            "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": seconds.to_string()}}
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_follow_the_options() {
        let default = force_mfa_policy(&Options::default());
        let text = default.to_string();
        assert!(text.contains(r#""arn:aws:iam::*:user/*/${aws:username}""#));
        assert!(text.contains("BoolIfExists"));
        assert!(text.contains(CHANGE_PASSWORD) && text.contains(GET_SESSION_TOKEN));
        assert!(!text.contains("MultiFactorAuthAge"));
        let strict = force_mfa_policy(&Options {
            intent: Intent {
                first_login_password_change: false,
                cli_sessions: false,
                exempt: vec!["s3:ListAllMyBuckets".into()],
            },
            max_mfa_age: Some(3600),
            partition: "aws-cn".into(),
        });
        let text = strict.to_string();
        assert!(!text.contains(CHANGE_PASSWORD) && !text.contains(GET_PASSWORD_POLICY));
        assert!(!text.contains(GET_SESSION_TOKEN));
        assert!(text.contains("s3:ListAllMyBuckets"));
        assert!(text.contains(r#""aws:MultiFactorAuthAge":"3600""#));
        assert!(text.contains("arn:aws-cn:iam::*:mfa/*") && !text.contains("arn:aws:"));
        let sids: Vec<&str> = strict["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        let mut unique = sids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), sids.len(), "Sids are unique: {sids:?}");
    }
}

/// What `policy generate --trust` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustOptions {
    /// The trusted principals: 12-digit account ids, or IAM user, role or root ARNs.
    pub principals: Vec<String>,
    /// Allow only when MFA was used less than this many seconds ago.
    pub max_mfa_age: Option<u64>,
}

/// A role trust policy that lets `options.principals` assume the role only with MFA: `Bool`,
/// not `BoolIfExists`, so requests signed with long-term access keys (which carry no MFA key)
/// are not let in (R40); an age limit is false when the key is absent, too (R41).
pub fn trust_policy(options: &TrustOptions) -> Result<Value, String> {
    if options.principals.is_empty() {
        return Err("name at least one account id or principal ARN to trust".to_owned());
    }
    for p in &options.principals {
        if p.starts_with("arn:") && p.contains(":sts:") {
            return Err(format!(
                "--trust: \"{p}\" is a session; trust the role (arn:…:iam::ACCOUNT:role/NAME) instead"
            ));
        }
        iam_policy::principal::Caller::from_arn(p).map_err(|_| {
            format!(
                "--trust: \"{p}\" is neither a 12-digit account id nor an IAM user, role or root ARN (arn:aws:iam::ACCOUNT:user/NAME, …:role/NAME, …:root)"
            )
        })?;
    }
    let mut condition = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
    if let (Some(age), Some(map)) = (options.max_mfa_age, condition.as_object_mut()) {
        map.insert(
            "NumericLessThan".to_owned(),
            json!({"aws:MultiFactorAuthAge": age.to_string()}),
        );
    }
    let principals: Vec<Value> = options
        .principals
        .iter()
        .map(|p| Value::String(p.clone()))
        .collect();
    Ok(json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowAssumeRoleOnlyWithMFA",
            "Effect": "Allow",
            "Principal": {"AWS": match principals.as_slice() {
                [one] => one.clone(),
                _ => Value::Array(principals),
            }},
            "Action": "sts:AssumeRole",
            "Condition": condition
        }]
    }))
}
