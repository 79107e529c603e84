//! `mfa-not-enforced`: every catalog action a user may perform without MFA, found by the
//! exhaustive sweep of `iam_policy::analysis` in both credential states that lack MFA, minus
//! the intended self-service on the user itself; the IAM metadata the console reads before MFA
//! is reported apart, as `mfa-console-metadata-readable` (low).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use iam_catalog::{AccessLevel, Action, ActionId, Catalog};
use iam_policy::analysis::{
    Analysis, MfaState, Principal, Sweep, request_for, resource_candidates,
};
use iam_policy::ast::ActionPattern;
use iam_policy::{Effect, Outcome, PolicySet, StatementRef};

use super::finding::{Evidence, Finding, FindingId, Severity, StateCount};
use super::intent::{self, Intent};
use super::self_service::allows_of;

/// The sweeps of the three states, computed once and shared by the checks.
pub struct Sweeps {
    /// One per [`MfaState::ALL`], in that order.
    pub sweeps: Vec<Sweep>,
}

impl Sweeps {
    /// Sweeps `set` for `principal` in every state.
    pub fn run(set: &PolicySet, catalog: &Catalog, principal: &Principal) -> Self {
        let analysis = Analysis::new(set, catalog);
        Self {
            sweeps: analysis.sweep_states(principal, &MfaState::ALL),
        }
    }

    /// Allowed-action counts per state.
    pub fn counts(&self) -> Vec<StateCount> {
        self.sweeps
            .iter()
            .map(|s| StateCount {
                state: s.state,
                allowed_actions: s.allowed.len(),
                future_actions_allowed: !s.future_actions.is_empty(),
            })
            .collect()
    }
}

/// Stands for "actions AWS has not released yet" in evidence.
pub const FUTURE_ACTIONS: &str = "(any action not in the catalog, including future ones)";

/// What kind of leak an action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An action that should need MFA.
    Plain,
    /// An action harmless on the user itself (self-service, own credential metadata) that is
    /// allowed on another user.
    OnOthers,
    /// IAM metadata the console reads before MFA ([`intent::console_metadata`]).
    Metadata,
}

/// A leak: one action allowed without MFA in some states.
struct Leak {
    resource: Arc<str>,
    statements: Arc<[StatementRef]>,
    states: States,
    kind: Kind,
    /// Whether each state decides anew (the leak depends on requests on another user:
    /// self-service, own metadata); otherwise a later state allowing the action just joins.
    per_state: bool,
}

/// A set of [`MfaState`]s, as bits in the order of [`MfaState::ALL`]: leaks are grouped by it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct States(u8);

impl States {
    fn insert(&mut self, state: MfaState) {
        self.0 |= Self::bit(state);
    }

    fn bit(state: MfaState) -> u8 {
        let index = MfaState::ALL.iter().position(|&s| s == state).unwrap_or(0);
        1 << index
    }

    fn to_vec(self) -> Vec<MfaState> {
        MfaState::ALL
            .into_iter()
            .filter(|&s| self.0 & Self::bit(s) != 0)
            .collect()
    }
}

/// Statement labels (`Policy#Sid`), each formatted once: tens of thousands of leaks share a
/// handful of statements.
struct Labels<'s> {
    set: &'s PolicySet,
    known: HashMap<StatementRef, String>,
}

impl<'s> Labels<'s> {
    fn new(set: &'s PolicySet) -> Self {
        Self {
            set,
            known: HashMap::new(),
        }
    }

    fn of(&mut self, at: &[StatementRef]) -> Vec<String> {
        at.iter()
            .map(|&a| {
                self.known
                    .entry(a)
                    .or_insert_with(|| self.set.label(a))
                    .clone()
            })
            .collect()
    }
}

/// The findings on what is allowed without MFA: `mfa-not-enforced` (high), one per combination
/// of states that leak (long-term keys only, temporary credentials only, both), each listing
/// every leaking action; and `mfa-console-metadata-readable` (low) for the console metadata
/// among them.
pub fn leaks(
    set: &PolicySet,
    catalog: &Catalog,
    principal: &Principal,
    sweeps: &Sweeps,
    intent: &Intent,
) -> Vec<Finding> {
    let other = Principal {
        user_name: "another-user".to_owned(),
        ..principal.clone()
    };
    let exempt: Vec<ActionPattern> = intent
        .exempt
        .iter()
        .map(|p| ActionPattern::new(p))
        .collect();
    // An allowed request of `action` on another user (other users' ARNs, every resource an
    // Allow names for the action, and the sweep's witness), with its deciding statements.
    let on_others = |action: &Action, name: &str, witness: &str, state: MfaState| {
        std::iter::once(witness.to_owned())
            .chain(resource_candidates(action, &other))
            .chain(named_resources(set, name, principal))
            .filter(|r| names_someone_else(r, principal) && fits(action, r))
            .find_map(|r| {
                let d = set.evaluate(&request_for(principal, state, name, &r));
                (d.outcome == Outcome::Allow).then(|| (Arc::from(r), Arc::from(d.statements)))
            })
    };
    // One slot per catalog action, in catalog order; actions not in the catalog apart.
    let mut by_action: Vec<Option<Leak>> = std::iter::repeat_with(|| None)
        .take(catalog.actions().len())
        .collect();
    let mut future: Option<Leak> = None;
    // `service:Name` of the action at hand, in one buffer: a sweep allows tens of thousands.
    let mut name = String::new();
    for sweep in sweeps
        .sweeps
        .iter()
        .filter(|s| s.state != MfaState::WithMfa)
    {
        for grant in &sweep.allowed {
            let Some(slot) = by_action.get_mut(grant.action.index()) else {
                continue;
            };
            if let Some(leak) = slot
                && !leak.per_state
            {
                leak.states.insert(sweep.state);
                continue;
            }
            let action = catalog.action(grant.action);
            name.clear();
            name.push_str(action.service);
            name.push(':');
            name.push_str(action.name);
            if exempt.iter().any(|p| p.matches(&name)) {
                continue;
            }
            let reads = matches!(action.access_level, AccessLevel::List | AccessLevel::Read);
            let metadata = intent::console_metadata(&name).filter(|_| reads);
            let self_service = metadata.is_none() && intent::is_self_service(&name);
            let per_state = metadata == Some(true) || self_service;
            let witness = || (grant.resource.clone(), grant.statements.clone());
            let found = match metadata {
                Some(false) => Some((witness(), Kind::Metadata)),
                Some(true) => Some(
                    match on_others(action, &name, &grant.resource, sweep.state) {
                        Some(found) => (found, Kind::OnOthers),
                        None => (witness(), Kind::Metadata),
                    },
                ),
                None if !self_service => Some((witness(), Kind::Plain)),
                None if action.is_wildcard_only()
                    || name.eq_ignore_ascii_case(intent::CREATE_DEVICE) =>
                {
                    None
                }
                // Self-service on oneself is intended; on another user it is a leak.
                None => on_others(action, &name, &grant.resource, sweep.state)
                    .map(|found| (found, Kind::OnOthers)),
            };
            let Some(((resource, statements), kind)) = found else {
                continue;
            };
            slot.get_or_insert(Leak {
                resource,
                statements,
                states: States::default(),
                kind,
                per_state,
            })
            .states
            .insert(sweep.state);
        }
        if !sweep.future_actions.is_empty() {
            future
                .get_or_insert_with(|| Leak {
                    resource: "*".into(),
                    statements: sweep.future_actions.as_slice().into(),
                    states: States::default(),
                    kind: Kind::Plain,
                    per_state: false,
                })
                .states
                .insert(sweep.state);
        }
    }
    let by_action = future.map(|leak| (None, leak)).into_iter().chain(
        (0..)
            .map(ActionId)
            .zip(by_action)
            .filter_map(|(id, leak)| Some((Some(id), leak?))),
    );
    let mut labels = Labels::new(set);
    let mut groups: BTreeMap<States, Vec<Evidence>> = BTreeMap::new();
    let mut metadata = Vec::new();
    for (id, leak) in by_action {
        let action = id.map_or(FUTURE_ACTIONS.to_owned(), |id| {
            catalog.action(id).full_name()
        });
        let evidence = Evidence {
            action: Some(action),
            resource: Some(String::from(&*leak.resource)),
            states: leak.states.to_vec(),
            decision: Some(Outcome::Allow),
            statements: labels.of(&leak.statements),
            detail: (leak.kind == Kind::OnOthers).then(|| ON_OTHERS.to_owned()),
        };
        if leak.kind == Kind::Metadata {
            metadata.push(evidence);
        } else {
            groups.entry(leak.states).or_default().push(evidence);
        }
    }
    let mfa_denies = mfa_denies(set);
    // Both states first: that is the policy set with no MFA enforcement at all.
    let mut groups: Vec<(Vec<MfaState>, Vec<Evidence>)> = groups
        .into_iter()
        .map(|(states, evidence)| (states.to_vec(), evidence))
        .collect();
    groups.sort_by_key(|(states, _)| std::cmp::Reverse(states.len()));
    let mut out: Vec<Finding> = groups
        .into_iter()
        .map(|(states, evidence)| finding(&states, evidence, &mfa_denies))
        .collect();
    if !metadata.is_empty() {
        out.push(metadata_finding(metadata, &mfa_denies));
    }
    out
}

/// The detail of a leak of an action harmless on oneself: its use on another user.
const ON_OTHERS: &str = "allowed on the user itself by design, but also on another user: scope the statements to arn:aws:iam::*:user/${aws:username} and arn:aws:iam::*:user/*/${aws:username}";

/// The `mfa-console-metadata-readable` finding for the console metadata allowed without MFA.
fn metadata_finding(evidence: Vec<Evidence>, mfa_denies: &[String]) -> Finding {
    let actions: Vec<&str> = evidence
        .iter()
        .filter_map(|e| e.action.as_deref())
        .collect();
    let how = if mfa_denies.is_empty() {
        "allow them only with {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}".to_owned()
    } else {
        format!(
            "remove them from the NotAction of the MFA Deny ({})",
            mfa_denies.join(", ")
        )
    };
    Finding {
        id: FindingId::MfaConsoleMetadataReadable,
        severity: Severity::Low,
        message: format!(
            "{} IAM metadata action{} that the console's security-credentials page reads can be performed without MFA: {}. AWS's tutorial force-MFA policies allow them on purpose; they show user names, the account alias and summary, and the ids of the user's own credentials, no secret and nothing of another user's credentials.",
            actions.len(),
            if actions.len() == 1 { "" } else { "s" },
            actions.join(", ")
        ),
        evidence,
        fix: format!("Nothing to do if that page is meant to work before MFA; otherwise {how}."),
    }
}

/// The resources the Allow statements for `action` name, as concrete ARNs: `${aws:username}`
/// resolved, wildcards filled in (the account component with the user's account).
fn named_resources(set: &PolicySet, action: &str, principal: &Principal) -> Vec<String> {
    allows_of(set, action)
        .filter(|(_, st)| !st.resources.negated)
        .flat_map(|(_, st)| st.resources.patterns.iter())
        .filter_map(|t| {
            let text = t.source().replace("${aws:username}", &principal.user_name);
            (!text.contains("${")).then(|| fill_wildcards(&text, &principal.account))
        })
        .collect()
}

/// Whether `resource` is of one of the action's resource types (`user/…` for
/// `iam:EnableMFADevice`): its resource part starts as the ARN template's does.
fn fits(action: &Action, resource: &str) -> bool {
    let relative = |arn: &'static str| arn.splitn(6, ':').nth(5).map(|r| r.split("${").next());
    let Some(actual) = resource.splitn(6, ':').nth(5) else {
        return false;
    };
    action
        .resource_types
        .iter()
        .filter_map(|rt| relative(rt.arn_template).flatten())
        .any(|prefix| actual.starts_with(prefix))
}

/// `text` with each `*` and `?` replaced: by the account id in the account component of an
/// ARN, by `x` elsewhere.
fn fill_wildcards(text: &str, account: &str) -> String {
    text.split(':')
        .enumerate()
        .map(|(i, part)| {
            let fill = if i == 4 { account } else { "x" };
            part.replace(['*', '?'], fill)
        })
        .collect::<Vec<_>>()
        .join(":")
}

/// Whether `resource` is an IAM resource of another user that can exist: in the user's account
/// and partition, not named like the user (names are unique whatever the path, and compare
/// ignoring case), and not a policy variable left literal (IAM names cannot contain `$`).
fn names_someone_else(resource: &str, principal: &Principal) -> bool {
    let prefix = format!("arn:{}:iam::{}:", principal.partition, principal.account);
    let name = resource.rsplit('/').next().unwrap_or(resource);
    resource.starts_with(&prefix)
        && !resource.contains('$')
        && !name.eq_ignore_ascii_case(&principal.user_name)
}

/// The Deny statements that test `aws:MultiFactorAuthPresent`: the set's force-MFA policy.
fn mfa_denies(set: &PolicySet) -> Vec<String> {
    set.statements()
        .filter(|(_, st)| {
            st.effect == Effect::Deny
                && st
                    .conditions
                    .iter()
                    .any(|c| c.key.eq_ignore_ascii_case(MFA_PRESENT))
        })
        .map(|(at, _)| set.label(at))
        .collect()
}

const MFA_PRESENT: &str = "aws:MultiFactorAuthPresent";

fn finding(states: &[MfaState], evidence: Vec<Evidence>, mfa_denies: &[String]) -> Finding {
    let who = match states {
        [MfaState::LongTermKeys] => {
            "with long-term access keys (aws:MultiFactorAuthPresent absent), though not with temporary credentials without MFA"
        }
        [MfaState::TemporaryWithoutMfa] => {
            "with temporary credentials obtained without MFA (console sign-in without MFA, GetSessionToken without a code), though not with long-term access keys"
        }
        _ => "both with long-term access keys and with temporary credentials obtained without MFA",
    };
    let examples: Vec<&str> = evidence
        .iter()
        .filter_map(|e| e.action.as_deref())
        .take(5)
        .collect();
    let more = evidence.len().saturating_sub(examples.len());
    let fix = match (states, mfa_denies) {
        ([MfaState::LongTermKeys], _) => {
            "The MFA Deny does not cover requests without the aws:MultiFactorAuthPresent key: use {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}} in the Deny.".to_owned()
        }
        ([MfaState::TemporaryWithoutMfa], _) => {
            "The MFA Deny only covers requests without the aws:MultiFactorAuthPresent key: use {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}} instead of Null.".to_owned()
        }
        (_, []) => {
            "Attach a force-MFA policy (`iam-mfa policy generate`) to the user or its group, or narrow the listed Allow statements to requests with MFA.".to_owned()
        }
        (_, denies) => format!(
            "The MFA Deny ({}) does not cover these actions: remove them from its NotAction, or stop allowing them (the listed statements) without {{\"Bool\": {{\"aws:MultiFactorAuthPresent\": \"true\"}}}}.",
            denies.join(", ")
        ),
    };
    Finding {
        id: FindingId::MfaNotEnforced,
        severity: Severity::High,
        message: format!(
            "{} action{} can be performed without MFA, {who}: {}{}",
            evidence.len(),
            if evidence.len() == 1 { "" } else { "s" },
            examples.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ),
        evidence,
        fix,
    }
}
