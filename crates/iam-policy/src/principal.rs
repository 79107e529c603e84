//! The `Principal` and `NotPrincipal` elements of resource-based policies, and how they match
//! the caller of a request (R30, R31, R37–R39, R45).

use serde::Serialize;

/// One principal a `Principal` element names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: every principal (R30, R37).
    Any,
    /// `"123456789012"` or `arn:aws:iam::123456789012:root`: every principal of that account,
    /// not only its root user (R31). Holds the 12-digit id.
    Account(String),
    /// An IAM user, role or role-session ARN, matched exactly (R45).
    Arn(String),
    /// A unique id (`AIDA…`, `AROA…`) that IAM leaves in a policy once the user or role it
    /// stood for is deleted: it matches nobody (R45).
    UniqueId(String),
    /// `{"Service": "ec2.amazonaws.com"}` (R38).
    Service(String),
    /// `{"Federated": …}`: a web-identity or SAML provider (R38).
    Federated(String),
    /// `{"CanonicalUser": …}`: an S3 canonical user id.
    CanonicalUser(String),
}

/// A `Principal` element, or a `NotPrincipal` one when `negated`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalBlock {
    /// `NotPrincipal`.
    pub negated: bool,
    /// The principals named, types ORed and values ORed (R30).
    pub entries: Vec<PrincipalEntry>,
}

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An IAM user or an account's root user (or a role, when the session does not matter):
    /// `arn` is what `aws:PrincipalArn` holds.
    Aws {
        /// The principal's ARN.
        arn: String,
        /// Its 12-digit account id.
        account: String,
    },
    /// A session of a role: a policy may name the role (`aws:PrincipalArn` is the role's ARN)
    /// or this very session (`arn:aws:sts::A:assumed-role/ROLE/SESSION`).
    RoleSession {
        /// The role's ARN.
        role_arn: String,
        /// The session's ARN.
        session_arn: String,
        /// Its 12-digit account id.
        account: String,
    },
    /// An AWS service, such as `ec2.amazonaws.com`.
    Service(String),
    /// A web-identity or SAML federated caller, by provider.
    Federated(String),
}

impl Caller {
    /// The caller for `text`: an IAM user or role ARN, an assumed-role session ARN
    /// (`arn:aws:sts::A:assumed-role/R/S`, a session of role `R`), an account root ARN or a
    /// 12-digit account id (the root user).
    pub fn from_arn(text: &str) -> Result<Caller, String> {
        if is_account_id(text) {
            return Ok(Caller::Aws {
                arn: format!("arn:aws:iam::{text}:root"),
                account: text.to_owned(),
            });
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [arn, partition, service, "", account, resource] = parts.as_slice() else {
            return Err(format!(
                "\"{text}\" is not a principal ARN (arn:aws:iam::ACCOUNT:user/NAME, …:role/NAME, …:root, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or a 12-digit account id"
            ));
        };
        if *arn != "arn" || partition.is_empty() || !is_account_id(account) {
            return Err(format!("\"{text}\" is not a principal ARN"));
        }
        let role_of_session = match (*service, resource.split_once('/')) {
            ("iam", _) if *resource == "root" => None,
            ("iam", Some(("user" | "role", name))) if !name.is_empty() => None,
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => Some(role),
                _ => return Err(format!("\"{text}\" is not an assumed-role ARN")),
            },
            _ => {
                return Err(format!(
                    "\"{text}\" is not an IAM user, role or root ARN, nor an assumed-role ARN"
                ));
            }
        };
        Ok(match role_of_session {
            Some(role) => Caller::RoleSession {
                role_arn: format!("arn:{partition}:iam::{account}:role/{role}"),
                session_arn: text.to_owned(),
                account: (*account).to_owned(),
            },
            None => Caller::Aws {
                arn: text.to_owned(),
                account: (*account).to_owned(),
            },
        })
    }

    /// The caller's account, for AWS principals.
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Aws { account, .. } | Self::RoleSession { account, .. } => Some(account),
            _ => None,
        }
    }

    /// The ARNs a `Principal` element may name this caller by: the user's or root's, or the
    /// role's and the session's.
    fn arns(&self) -> [Option<&str>; 2] {
        match self {
            Self::Aws { arn, .. } => [Some(arn), None],
            Self::RoleSession {
                role_arn,
                session_arn,
                ..
            } => [Some(role_arn), Some(session_arn)],
            _ => [None, None],
        }
    }
}

/// How a `Principal` element matched a caller. Ordered: a match by name ([`Arn`]) or by `*`
/// ([`Any`]) is worth more than a match by account, which needs an identity-policy Allow too
/// (R32, R33).
///
/// [`Arn`]: PrincipalMatch::Arn
/// [`Any`]: PrincipalMatch::Any
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalMatch {
    /// The element does not name the caller.
    None,
    /// The element names the caller's account.
    Account,
    /// The element names the caller itself (its ARN, or its service or provider).
    Arn,
    /// The element is `*`.
    Any,
}

impl PrincipalMatch {
    /// The name as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Account => "account",
            Self::Arn => "arn",
            Self::Any => "any",
        }
    }
}

impl PrincipalBlock {
    /// How this element matches `caller`. `NotPrincipal` matches every caller it does not
    /// exempt (as [`PrincipalMatch::Any`]); an AWS principal is exempt only when both its ARN
    /// and its account are listed, because AWS may check the account before the principal
    /// (R39), or when `*` is listed.
    pub fn matches(&self, caller: &Caller) -> PrincipalMatch {
        if self.negated {
            let exempt = self.entries.contains(&PrincipalEntry::Any)
                || match caller.account() {
                    Some(account) => {
                        let listed = |wanted: &str| {
                            self.entries
                                .iter()
                                .any(|e| matches!(e, PrincipalEntry::Arn(a) if a == wanted))
                        };
                        let account_listed = self
                            .entries
                            .iter()
                            .any(|e| matches!(e, PrincipalEntry::Account(a) if a == account));
                        let root = caller.arns()[0].is_some_and(|arn| arn.ends_with(":root"));
                        account_listed && (root || caller.arns().into_iter().flatten().any(listed))
                    }
                    None => self
                        .entries
                        .iter()
                        .any(|e| entry_matches(e, caller).is_some()),
                };
            return if exempt {
                PrincipalMatch::None
            } else {
                PrincipalMatch::Any
            };
        }
        self.entries
            .iter()
            .filter_map(|e| entry_matches(e, caller))
            .max()
            .unwrap_or(PrincipalMatch::None)
    }

    /// Whether some entry stands for AWS principals (accounts, ARNs or `*`), as opposed to
    /// services, federated providers and canonical users only.
    pub fn names_aws_principals(&self) -> bool {
        self.negated
            || self.entries.iter().any(|e| {
                matches!(
                    e,
                    PrincipalEntry::Any | PrincipalEntry::Account(_) | PrincipalEntry::Arn(_)
                )
            })
    }
}

fn entry_matches(entry: &PrincipalEntry, caller: &Caller) -> Option<PrincipalMatch> {
    use PrincipalEntry as E;
    match (entry, caller) {
        (E::Any, _) => Some(PrincipalMatch::Any),
        (E::Account(id), _) if caller.account() == Some(id.as_str()) => {
            Some(PrincipalMatch::Account)
        }
        (E::Arn(named), _) if caller.arns().contains(&Some(named.as_str())) => {
            Some(PrincipalMatch::Arn)
        }
        (E::Service(named), Caller::Service(s)) if named.eq_ignore_ascii_case(s) => {
            Some(PrincipalMatch::Arn)
        }
        (E::Federated(named), Caller::Federated(f)) if named == f => Some(PrincipalMatch::Arn),
        _ => None,
    }
}

/// Whether `s` is a 12-digit account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The 12-digit account of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:…`); `None` when the
/// ARN names none (an S3 bucket, say).
pub fn account_of(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (arn.starts_with("arn:") && is_account_id(account)).then_some(account)
}

/// Parses one value of a `Principal` element of type `kind` (`AWS`, `Service`, `Federated`,
/// `CanonicalUser`).
pub(crate) fn parse_entry(kind: &str, value: &str) -> Result<PrincipalEntry, String> {
    match kind {
        "AWS" => parse_aws(value),
        "Service" | "Federated" | "CanonicalUser" if value.is_empty() => {
            Err(format!("a {kind} principal cannot be empty"))
        }
        "Service" if value.contains(['*', '?']) => Err(format!(
            "Service principal \"{value}\": a service principal cannot be a wildcard; name the service (ec2.amazonaws.com)"
        )),
        "Service" => Ok(PrincipalEntry::Service(value.to_owned())),
        "Federated" => Ok(PrincipalEntry::Federated(value.to_owned())),
        "CanonicalUser" => Ok(PrincipalEntry::CanonicalUser(value.to_owned())),
        other => Err(format!(
            "unknown principal type \"{other}\" (expected AWS, Service, Federated or CanonicalUser)"
        )),
    }
}

fn parse_aws(value: &str) -> Result<PrincipalEntry, String> {
    if value == "*" {
        return Ok(PrincipalEntry::Any);
    }
    if is_account_id(value) {
        return Ok(PrincipalEntry::Account(value.to_owned()));
    }
    if value.contains(['*', '?']) {
        return Err(format!(
            "principal \"{value}\": a wildcard cannot match part of a principal name or ARN (use \"*\" alone, or a condition on aws:PrincipalArn)"
        ));
    }
    if value.starts_with("arn:") {
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        if let [_, partition, service, "", account, resource] = parts.as_slice()
            && !partition.is_empty()
            && is_account_id(account)
        {
            match (*service, *resource) {
                ("iam", "root") => return Ok(PrincipalEntry::Account((*account).to_owned())),
                ("iam", r)
                    if ["user/", "role/", "federated-user/"]
                        .iter()
                        .any(|p| r.len() > p.len() && r.starts_with(p)) =>
                {
                    return Ok(PrincipalEntry::Arn(value.to_owned()));
                }
                ("sts", r)
                    if r.starts_with("assumed-role/") || r.starts_with("federated-user/") =>
                {
                    return Ok(PrincipalEntry::Arn(value.to_owned()));
                }
                _ => {}
            }
        }
        return Err(format!(
            "principal \"{value}\" is not an account, IAM user, role or root ARN (arn:aws:iam::ACCOUNT:user/NAME)"
        ));
    }
    if value.len() >= 16
        && value.starts_with('A')
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Ok(PrincipalEntry::UniqueId(value.to_owned()));
    }
    Err(format!(
        "principal \"{value}\" is not \"*\", a 12-digit account id, an ARN or a unique id"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_come_from_user_role_session_and_account_arns() {
        let aws = |arn: &str, account: &str| Caller::Aws {
            arn: arn.into(),
            account: account.into(),
        };
        assert_eq!(
            Caller::from_arn("arn:aws:iam::111111111111:user/div/alice"),
            Ok(aws(
                "arn:aws:iam::111111111111:user/div/alice",
                "111111111111"
            ))
        );
        assert_eq!(
            Caller::from_arn("arn:aws:sts::111111111111:assumed-role/Admin/me"),
            Ok(Caller::RoleSession {
                role_arn: "arn:aws:iam::111111111111:role/Admin".into(),
                session_arn: "arn:aws:sts::111111111111:assumed-role/Admin/me".into(),
                account: "111111111111".into(),
            })
        );
        assert_eq!(
            Caller::from_arn("111111111111"),
            Ok(aws("arn:aws:iam::111111111111:root", "111111111111"))
        );
        assert!(Caller::from_arn("arn:aws:s3:::bucket").is_err());
        assert!(Caller::from_arn("alice").is_err());
    }
}
