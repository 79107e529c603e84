//! Proofs about `sts:AssumeRole`: whether a caller can assume a role in a credential state,
//! with a witness request that [`authorize`] allows (R40–R44).
//!
//! The context is enumerated as the identity analysis does it ([`crate::analysis`]): the
//! caller's keys and the state's MFA keys are fixed, and every other key the relevant
//! statements test is tried absent, with each literal they compare it to, and with an
//! unrelated value. Keys the caller chooses in the request (`sts:ExternalId`,
//! `sts:RoleSessionName`, `sts:SourceIdentity`, request tags) are free that way, and the
//! witness reports the value it needs (R42). When the combinations exceed the bound, a proof
//! that found nothing is [`Proof::Unproven`], never "not assumable".

use std::sync::LazyLock;

use serde::Serialize;

use crate::analysis::{
    MAX_CONTEXTS, MfaState, Principal, Tags, context_count, contexts, free_keys,
};
use crate::ast::{Effect, Statement};
use crate::authorizer::authorize;
use crate::eval::{action_matches, condition_holds};
use crate::policy_set::{Outcome, PolicySet, StatementRef};
use crate::principal::{Caller, PrincipalEntry, PrincipalMatch, account_of};
use crate::request::{Context, ContextValue, Request};
use crate::resource_policy::NamedResourcePolicy;

const ASSUME_ROLE: &str = "sts:AssumeRole";
/// The organization of a caller from another account when `*` is examined: not the role's.
const OTHER_ORG: &str = "o-iam-mfa-another-org";

/// A request that assumes the role.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumeWitness {
    /// Context keys beyond the caller's and the state's that the request sets (the external
    /// id it must pass, say); empty when none is needed.
    pub extra_context: Vec<(String, ContextValue)>,
    /// The trust policy's Allow statements that let it through (indices).
    pub trust_statements: Vec<usize>,
    /// The identity-policy Allow statements it needed (empty when the trust policy names the
    /// caller and suffices alone, R32).
    pub identity_statements: Vec<StatementRef>,
    /// How the trust policy named the caller.
    pub principal_match: PrincipalMatch,
}

/// Whether a role can be assumed.
#[derive(Debug, Clone, PartialEq)]
pub enum Proof {
    /// Yes: a witness request.
    Assumable(AssumeWitness),
    /// No request in this state is allowed.
    NotAssumable,
    /// Nothing was found among the combinations tried, but not all were tried.
    Unproven {
        /// Why not every combination was tried.
        why: String,
    },
}

impl Proof {
    /// The witness, when assumable.
    pub fn witness(&self) -> Option<&AssumeWitness> {
        match self {
            Self::Assumable(w) => Some(w),
            _ => None,
        }
    }
}

/// Whether IAM user `caller`, whose identity policies are `identity`, can call
/// `sts:AssumeRole` on `role_arn` (whose trust policy is `trust`) in `state`.
pub fn assumable(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    role_arn: &str,
    caller: &Principal,
    state: MfaState,
) -> Proof {
    let who = Caller::Aws {
        arn: caller.arn(),
        account: caller.account.clone(),
    };
    let mut base = caller.context();
    state.apply(&mut base);
    prove(identity, trust, role_arn, &who, &base, state, Tags::Fixed)
}

fn prove(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    role_arn: &str,
    caller: &Caller,
    base: &Context,
    state: MfaState,
    tags: Tags,
) -> Proof {
    let Some(role_account) = account_of(role_arn) else {
        return Proof::Unproven {
            why: format!("\"{role_arn}\" is not a role ARN"),
        };
    };
    let action = ASSUME_ROLE.to_ascii_lowercase();
    let identity_conditions = identity
        .statements()
        .filter(|(_, st)| action_matches(&st.actions, &action).0)
        .flat_map(|(_, st)| &st.conditions);
    let trust_conditions = trust
        .policy
        .statements
        .iter()
        .filter(|rs| rs.principal.matches(caller) != PrincipalMatch::None)
        .flat_map(|rs| &rs.statement.conditions);
    let free = free_keys(
        identity_conditions.chain(trust_conditions),
        base,
        state.absent_keys(),
        tags,
    );
    // First the contexts aimed at one trust Allow (with or without one identity Allow), then
    // every combination up to the bound.
    let aimed = aimed_contexts(identity, trust, caller, &action, base, &free);
    for (ctx, extra_context) in aimed
        .into_iter()
        .chain(contexts(base, &free).take(MAX_CONTEXTS))
    {
        let request = Request::new(ASSUME_ROLE, role_arn, ctx);
        let decision = authorize(identity, trust, caller, role_account, &request);
        if decision.outcome == Outcome::Allow {
            // The identity side counted unless the trust policy named the caller in its own
            // account (R32, R37).
            let identity_needed = caller.account() != Some(role_account)
                || decision.principal_match == PrincipalMatch::Account;
            let identity_statements = if identity_needed {
                decision.identity.statements
            } else {
                Vec::new()
            };
            return Proof::Assumable(AssumeWitness {
                extra_context,
                trust_statements: decision.resource,
                identity_statements,
                principal_match: decision.principal_match,
            });
        }
    }
    let total = context_count(&free);
    if total > MAX_CONTEXTS {
        Proof::Unproven {
            why: format!(
                "the conditions give {total} combinations of context values and {MAX_CONTEXTS} were tried"
            ),
        }
    } else {
        Proof::NotAssumable
    }
}

/// For each trust Allow naming the caller, paired with each identity Allow of the action (and
/// with none), the context whose free keys take, each, the first candidate value under which
/// every condition of the pair on that key holds. Conditions on different keys are independent
/// (R2), so this finds the request a pair allows however many keys it tests, where the
/// enumeration of combinations would need their product.
fn aimed_contexts(
    identity: &PolicySet,
    trust: &NamedResourcePolicy,
    caller: &Caller,
    action: &str,
    base: &Context,
    free: &[(String, Vec<Option<String>>)],
) -> Vec<(Context, Vec<(String, ContextValue)>)> {
    let identity_allows: Vec<&Statement> = identity
        .statements()
        .filter(|(_, st)| st.effect == Effect::Allow && action_matches(&st.actions, action).0)
        .map(|(_, st)| st)
        .collect();
    let mut out = Vec::new();
    for rs in &trust.policy.statements {
        if rs.statement.effect != Effect::Allow
            || rs.principal.matches(caller) == PrincipalMatch::None
        {
            continue;
        }
        for other in std::iter::once(None).chain(identity_allows.iter().copied().map(Some)) {
            let pair: Vec<&Statement> = std::iter::once(&rs.statement).chain(other).collect();
            let mut ctx = base.clone();
            let mut extra = Vec::new();
            for (key, values) in free {
                let fits = |value: &Option<String>| {
                    let mut probe = base.clone();
                    if let Some(v) = value {
                        probe.insert(key, ContextValue::Single(v.clone()));
                    }
                    pair.iter()
                        .flat_map(|st| &st.conditions)
                        .filter(|c| c.key_lower() == key)
                        .all(|c| condition_holds(c, &probe))
                };
                if let Some(Some(v)) = values.iter().find(|v| fits(v)) {
                    ctx.insert(key, ContextValue::Single(v.clone()));
                    extra.push((key.clone(), ContextValue::Single(v.clone())));
                }
            }
            out.push((ctx, extra));
        }
    }
    out
}

/// Who a trust policy's Allow statements name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Who {
    /// One IAM user or role, by ARN.
    Arn(String),
    /// Every principal of an account (whose identity policies must allow too, R33).
    Account(String),
    /// Any AWS principal of any account (`*`, R37).
    Any,
}

/// The trust side of a role for one principal its trust policy names.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    /// Who.
    pub who: Who,
    /// The account of the caller tried: the named principal's, or for `*` the role's own
    /// account and another one (two exposures).
    pub caller_account: String,
    /// For each state, whether the trust policy lets such a caller in.
    pub states: Vec<(MfaState, Proof)>,
    /// Whether the caller's identity policies must allow `sts:AssumeRole` too: when the trust
    /// policy names only the account (R33) or the caller is in another account (R35).
    pub needs_identity_allow: bool,
}

/// For each principal the trust policy's Allow statements name, whether the trust side lets
/// it assume the role in each state (its identity policies are taken to allow). A `*` is
/// tried as a caller of the role's account, which needs no identity Allow (R37), and as one
/// of another account, which needs that account's (R35).
pub fn exposure(trust: &NamedResourcePolicy, role_arn: &str) -> Vec<Exposure> {
    let Some(role_account) = account_of(role_arn) else {
        return Vec::new();
    };
    let partition = role_arn.split(':').nth(1).unwrap_or("aws");
    let other = if role_account == "999999999999" {
        "888888888888"
    } else {
        "999999999999"
    };
    let mut named: Vec<(Who, &str)> = Vec::new();
    for rs in &trust.policy.statements {
        if rs.principal.negated || rs.statement.effect != Effect::Allow {
            continue;
        }
        for entry in &rs.principal.entries {
            let tried: Vec<(Who, &str)> = match entry {
                PrincipalEntry::Any => vec![(Who::Any, role_account), (Who::Any, other)],
                PrincipalEntry::Account(a) => vec![(Who::Account(a.clone()), a.as_str())],
                PrincipalEntry::Arn(a) => match account_of(a) {
                    Some(account) => vec![(Who::Arn(a.clone()), account)],
                    None => continue,
                },
                _ => continue,
            };
            for t in tried {
                if !named.contains(&t) {
                    named.push(t);
                }
            }
        }
    }
    let anyone = &*ALLOW_ASSUME_ANYWHERE;
    named
        .into_iter()
        .map(|(who, account)| {
            let (caller, base) = synthetic_caller(&who, account, role_account, partition);
            let needs_identity_allow = matches!(who, Who::Account(_)) || account != role_account;
            let states = MfaState::ALL
                .iter()
                .map(|&state| {
                    let mut ctx = base.clone();
                    state.apply(&mut ctx);
                    // Who the principal is, offline, says nothing of its tags.
                    (
                        state,
                        prove(anyone, trust, role_arn, &caller, &ctx, state, Tags::Free),
                    )
                })
                .collect();
            Exposure {
                who,
                caller_account: account.to_owned(),
                states,
                needs_identity_allow,
            }
        })
        .collect()
}

/// An identity policy set that allows every `sts:` action: proofs with it decide the trust
/// side alone. Parsed once.
static ALLOW_ASSUME_ANYWHERE: LazyLock<PolicySet> = LazyLock::new(|| {
    let mut set = PolicySet::new();
    if let Ok(policy) = crate::parse_policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:*","Resource":"*"}}"#,
    ) {
        set.add("identity-allowing-sts", policy);
    }
    set
});

/// A caller standing for `who` with the keys it fixes: a named ARN fixes its principal keys;
/// an account or `*` fixes only the account, so conditions on the principal's name are tried
/// with their own literals (`aws:PrincipalArn` like `…:user/ops-*`).
fn synthetic_caller(
    who: &Who,
    account: &str,
    role_account: &str,
    partition: &str,
) -> (Caller, Context) {
    let mut ctx = Context::new()
        .with("aws:ViaAWSService", "false")
        .with("aws:PrincipalAccount", account);
    if *who == Who::Any && account != role_account {
        // "Anyone" from elsewhere is outside the role's organization, whatever it is.
        ctx = ctx.with("aws:PrincipalOrgID", OTHER_ORG);
    }
    let arn = match who {
        Who::Arn(arn) => {
            let kind = if arn.contains(":user/") {
                "User"
            } else {
                "AssumedRole"
            };
            ctx = ctx
                .with("aws:PrincipalArn", arn)
                .with("aws:PrincipalType", kind);
            if kind == "User"
                && let Some(name) = arn.rsplit('/').next()
            {
                ctx = ctx.with("aws:username", name);
            }
            arn.clone()
        }
        _ => format!("arn:{partition}:iam::{account}:user/iam-mfa-any-principal"),
    };
    (
        Caller::Aws {
            arn,
            account: account.to_owned(),
        },
        ctx,
    )
}
