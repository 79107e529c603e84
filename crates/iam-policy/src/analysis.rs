//! Exhaustive analysis: every action of the catalog that a user may perform in a credential
//! state (long-term keys, temporary credentials without MFA, with MFA), each with a concrete
//! witness request that the evaluator allows.
//!
//! How it stays exact and fast:
//! - Actions: each statement's `Action`/`NotAction` is matched against the whole catalog once,
//!   giving a bitset; for each action only the statements whose bitset holds it are evaluated.
//! - Resources: candidates are the action's ARN templates instantiated for the user itself and
//!   for someone else, plus a witness built from every applicable Allow pattern (wildcards
//!   filled in) that fits one of the action's templates; wildcard-only actions use `*`. When all
//!   applicable statements cover every resource (`"Resource": "*"`), the answer depends only on
//!   which statements apply, and is computed once per such set.
//! - Context: the principal's keys and the state's MFA keys are fixed; every other key the
//!   applicable conditions test is tried absent, with each literal the policies compare it to
//!   (numbers also one below and above), and with an unrelated value.
//!
//! Every reported grant is a request that [`PolicySet::evaluate`] allows: no false positives.
//! A leak is missed only if every candidate resource is denied while some other resource of
//! the same type is allowed (e.g. an Allow on `bucket/*` with a Deny on exactly the filled-in
//! witness), which the policies of this tool's domain do not produce.

use std::collections::HashMap;

use iam_catalog::{Action, ActionId, Catalog};

use crate::arn;
use crate::ast::{ActionBlock, ActionPattern, Effect, ResourceBlock, Statement, Values};
use crate::glob;
use crate::policy_set::{PolicySet, StatementRef, applies};
use crate::request::{Context, ContextValue, Request};
use crate::values::numeric;

/// The IAM user whose permissions are analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The 12-digit account id.
    pub account: String,
    /// The user name (without path).
    pub user_name: String,
    /// The IAM path, `/` or like `/division/`.
    pub path: String,
}

impl Principal {
    /// A user `name` at path `/` in account 123456789012 of the `aws` partition.
    pub fn example(name: &str) -> Self {
        Self {
            partition: "aws".into(),
            account: "123456789012".into(),
            user_name: name.into(),
            path: "/".into(),
        }
    }

    /// The path and name as in the user's ARN, e.g. `division/alice`.
    pub fn name_with_path(&self) -> String {
        format!("{}{}", self.path.trim_start_matches('/'), self.user_name)
    }

    /// The user's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:user/{}",
            self.partition,
            self.account,
            self.name_with_path()
        )
    }

    /// The global keys every request this user makes directly carries. `aws:ViaAWSService`
    /// is in every request: `false` here, `true` only when a service calls on the user's behalf,
    /// which needs an allowed direct request first.
    pub fn context(&self) -> Context {
        Context::new()
            .with("aws:ViaAWSService", "false")
            .with("aws:username", &self.user_name)
            .with("aws:userid", "AIDAEXAMPLEUSERID")
            .with("aws:PrincipalArn", &self.arn())
            .with("aws:PrincipalAccount", &self.account)
            .with("aws:PrincipalType", "User")
    }
}

/// The credential states that decide the MFA keys of a request (R8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaState {
    /// Long-term access keys (and the console before MFA): `aws:MultiFactorAuthPresent` absent.
    LongTermKeys,
    /// Temporary credentials obtained without MFA: the key is `false`.
    TemporaryWithoutMfa,
    /// Temporary credentials obtained with MFA: the key is `true`.
    WithMfa,
}

impl MfaState {
    /// All three states.
    pub const ALL: [MfaState; 3] = [Self::LongTermKeys, Self::TemporaryWithoutMfa, Self::WithMfa];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::LongTermKeys => "long-term keys (MFA key absent)",
            Self::TemporaryWithoutMfa => "temporary credentials without MFA",
            Self::WithMfa => "with MFA",
        }
    }

    fn apply(self, ctx: &mut Context) {
        match self {
            Self::LongTermKeys => {}
            Self::TemporaryWithoutMfa => {
                ctx.insert(MFA_PRESENT, ContextValue::Single("false".into()))
            }
            Self::WithMfa => ctx.insert(MFA_PRESENT, ContextValue::Single("true".into())),
        }
    }

    /// Keys this state fixes as absent.
    fn absent_keys(self) -> &'static [&'static str] {
        match self {
            Self::LongTermKeys => &[MFA_PRESENT, MFA_AGE],
            Self::TemporaryWithoutMfa => &[MFA_AGE],
            Self::WithMfa => &[],
        }
    }
}

const MFA_PRESENT: &str = "aws:multifactorauthpresent";
const MFA_AGE: &str = "aws:multifactorauthage";
/// An action no catalog lists, standing for actions AWS adds later.
const FUTURE_ACTION: &str = "iam-mfa-future-service:FutureAction";

/// A request of `principal` in `state` for `action` on `resource`.
pub fn request_for(
    principal: &Principal,
    state: MfaState,
    action: &str,
    resource: &str,
) -> Request {
    let mut ctx = principal.context();
    state.apply(&mut ctx);
    Request::new(action, resource, ctx)
}

/// A concrete request that is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The action.
    pub action: ActionId,
    /// A resource on which it is allowed.
    pub resource: String,
    /// Context keys (beyond the principal's and the state's) the witness request sets; empty
    /// when the action is allowed whatever they are.
    pub extra_context: Vec<(String, ContextValue)>,
    /// The Allow statements that apply.
    pub statements: Vec<StatementRef>,
}

/// The result of a sweep in one state.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// The state.
    pub state: MfaState,
    /// Every allowed catalog action, in catalog order.
    pub allowed: Vec<Grant>,
    /// Non-empty when an action not in the catalog (a future one) would be allowed too: the
    /// Allow statements that grant it (`NotAction` or `*`).
    pub future_actions: Vec<StatementRef>,
}

/// Which catalog actions an `Action`/`NotAction` element covers.
struct Bits(Vec<u64>);

impl Bits {
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// The catalog actions `pattern` matches, in catalog order: how IAM reads a pattern in
/// `Action`/`NotAction` (R15), so an empty result means a name no AWS service has.
pub fn expand<'c>(
    pattern: &'c ActionPattern,
    catalog: &'c Catalog,
) -> impl Iterator<Item = ActionId> + 'c {
    // A literal service prefix limits the scan to that service.
    let range = match pattern.lower.split_once(':') {
        Some((service, _)) if !service.contains(['*', '?']) => catalog.service_range(service),
        _ => {
            Some(ActionId(0)..ActionId(u32::try_from(catalog.actions().len()).unwrap_or(u32::MAX)))
        }
    };
    let mut name = String::new();
    range
        .map_or(0..0, |r| r.start.0..r.end.0)
        .map(ActionId)
        .filter(move |&id| {
            catalog.get(id).is_some_and(|action| {
                name.clear();
                name.push_str(action.service);
                name.push(':');
                name.extend(action.name.chars().map(|c| c.to_ascii_lowercase()));
                pattern.matches_lower(&name)
            })
        })
}

fn action_bits(block: &ActionBlock, catalog: &Catalog) -> Bits {
    let n = catalog.actions().len();
    let mut words = vec![0u64; n.div_ceil(64)];
    let mut set = |i: usize| {
        if let Some(w) = words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    };
    for pattern in &block.patterns {
        for id in expand(pattern, catalog) {
            set(id.0 as usize);
        }
    }
    if block.negated {
        for w in &mut words {
            *w = !*w;
        }
    }
    Bits(words)
}

/// Whether a resource element covers every resource.
fn covers_everything(block: &ResourceBlock) -> bool {
    !block.negated && block.patterns.iter().any(|t| t.source() == "*")
}

/// Sweeps every catalog action for `principal` in `state`.
pub fn sweep(set: &PolicySet, catalog: &Catalog, principal: &Principal, state: MfaState) -> Sweep {
    Analysis::new(set, catalog).sweep(principal, state)
}

/// A policy set prepared for sweeps: each statement's actions as a bitset over the catalog,
/// computed once and shared by every sweep (one per credential state, or per user).
pub struct Analysis<'a> {
    statements: Vec<(StatementRef, &'a Statement)>,
    bits: Vec<Bits>,
    catalog: &'a Catalog,
}

impl<'a> Analysis<'a> {
    /// Prepares `set` for sweeps over `catalog`.
    pub fn new(set: &'a PolicySet, catalog: &'a Catalog) -> Self {
        let statements: Vec<(StatementRef, &Statement)> = set.statements().collect();
        let bits = statements
            .iter()
            .map(|(_, st)| action_bits(&st.actions, catalog))
            .collect();
        Self {
            statements,
            bits,
            catalog,
        }
    }

    /// [`Analysis::sweep`] for each of `states`, in that order, on parallel threads (the
    /// sweeps share nothing mutable; a policy check needs three).
    pub fn sweep_states(&self, principal: &Principal, states: &[MfaState]) -> Vec<Sweep> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = states
                .iter()
                .skip(1)
                .map(|&state| scope.spawn(move || self.sweep(principal, state)))
                .collect();
            let first = states.first().map(|&state| self.sweep(principal, state));
            first
                .into_iter()
                .chain(handles.into_iter().map(|h| match h.join() {
                    Ok(sweep) => sweep,
                    // A sweep does not panic (no indexing, no unwrap); should one, re-raise it.
                    Err(payload) => std::panic::resume_unwind(payload),
                }))
                .collect()
        })
    }

    /// Every catalog action `principal` may perform in `state`, with a witness each.
    pub fn sweep(&self, principal: &Principal, state: MfaState) -> Sweep {
        let statements = &self.statements;
        let mut base = principal.context();
        state.apply(&mut base);
        let sweeper = Sweeper {
            statements,
            base: &base,
            principal,
            state,
        };
        let is_allow = |s: usize| {
            statements
                .get(s)
                .is_some_and(|(_, st)| st.effect == Effect::Allow)
        };
        let everywhere = |s: &usize| {
            statements
                .get(*s)
                .is_some_and(|(_, st)| covers_everything(&st.resources))
        };
        let mut memo: HashMap<Vec<usize>, Option<Witness>> = HashMap::new();
        let mut first_resources = FirstResources::default();
        let mut allowed = Vec::new();
        let mut relevant = Vec::new();
        for (index, action) in self.catalog.actions().iter().enumerate() {
            relevant.clear();
            relevant.extend(
                (0..statements.len()).filter(|&s| self.bits.get(s).is_some_and(|b| b.get(index))),
            );
            // R3: GetCallerIdentity is never denied, so it is decided on its own, not memoised.
            let caller_identity =
                action.service == "sts" && action.name.eq_ignore_ascii_case("GetCallerIdentity");
            if !caller_identity && !relevant.iter().any(|&s| is_allow(s)) {
                continue;
            }
            let witness = if relevant.iter().all(everywhere) && !caller_identity {
                // Every applicable statement covers all resources: the answer depends only on
                // which statements apply. Its witness resource is the action's first candidate.
                let verdict = match memo.get(relevant.as_slice()) {
                    Some(v) => v.clone(),
                    None => {
                        let v = sweeper.decide(&relevant, &action.full_name(), &["*".to_owned()]);
                        memo.insert(relevant.clone(), v.clone());
                        v
                    }
                };
                verdict.map(|w| Witness {
                    resource: first_resources.get(action, principal),
                    ..w
                })
            } else {
                let mut all = resource_candidates(action, principal);
                all.extend(sweeper.pattern_witnesses(&relevant, action));
                sweeper.decide(&relevant, &action.full_name(), &all)
            };
            if let Some(w) = witness {
                allowed.push(Grant {
                    action: ActionId(u32::try_from(index).unwrap_or(u32::MAX)),
                    resource: w.resource,
                    extra_context: w.extra_context,
                    statements: w.statements,
                });
            }
        }
        let future_lower = FUTURE_ACTION.to_ascii_lowercase();
        let future: Vec<usize> = (0..statements.len())
            .filter(|&s| {
                statements.get(s).is_some_and(|(_, st)| {
                    crate::eval::action_matches(&st.actions, &future_lower).0
                })
            })
            .collect();
        let future_actions = sweeper
            .decide(&future, FUTURE_ACTION, &["*".to_owned()])
            .map(|w| w.statements)
            .unwrap_or_default();
        Sweep {
            state,
            allowed,
            future_actions,
        }
    }
}

/// The first resource [`resource_candidates`] would give, without building the others, once
/// per ARN template: a sweep asks for it for every allowed action, and actions share templates.
#[derive(Default)]
struct FirstResources(HashMap<(usize, usize), String>);

impl FirstResources {
    fn get(&mut self, action: &Action, p: &Principal) -> String {
        match action.resource_types.first() {
            // Templates are slices of the catalog's text: address and length identify one.
            Some(rt) => self
                .0
                .entry((rt.arn_template.as_ptr() as usize, rt.arn_template.len()))
                .or_insert_with(|| instantiate(rt.arn_template, p, Who::Itself))
                .clone(),
            None => "*".to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
struct Witness {
    resource: String,
    extra_context: Vec<(String, ContextValue)>,
    statements: Vec<StatementRef>,
}

struct Sweeper<'a> {
    statements: &'a [(StatementRef, &'a Statement)],
    base: &'a Context,
    principal: &'a Principal,
    state: MfaState,
}

/// At most this many context combinations are tried per action.
const MAX_CONTEXTS: usize = 256;

impl Sweeper<'_> {
    fn statement(&self, s: usize) -> Option<&(StatementRef, &Statement)> {
        self.statements.get(s)
    }

    /// The first (context, resource) among the candidates that the `relevant` statements allow.
    fn decide(&self, relevant: &[usize], action: &str, resources: &[String]) -> Option<Witness> {
        let free = self.free_keys(relevant);
        let combos: usize = free.iter().map(|(_, vals)| vals.len()).product();
        for combo in 0..combos.min(MAX_CONTEXTS) {
            let mut ctx = self.base.clone();
            let mut extra = Vec::new();
            let mut rest = combo;
            for (key, values) in &free {
                let pick = values.get(rest % values.len()).cloned().flatten();
                rest /= values.len().max(1);
                if let Some(v) = pick {
                    ctx.insert(key, ContextValue::Single(v.clone()));
                    extra.push((key.clone(), ContextValue::Single(v)));
                }
            }
            let mut request = Request::new(action, "*", ctx);
            for resource in resources {
                request.set_resource(resource);
                let mut allows = Vec::new();
                let mut denied = false;
                for &s in relevant {
                    let Some((at, st)) = self.statement(s) else {
                        continue;
                    };
                    if applies(st, &request) {
                        match st.effect {
                            Effect::Allow => allows.push(*at),
                            Effect::Deny => denied = true,
                        }
                    }
                }
                let caller_identity = action.eq_ignore_ascii_case("sts:GetCallerIdentity");
                if (!allows.is_empty() && !denied) || caller_identity {
                    return Some(Witness {
                        resource: resource.clone(),
                        extra_context: extra,
                        statements: allows,
                    });
                }
            }
        }
        None
    }

    /// Condition keys the relevant statements test that neither the principal nor the state
    /// fixes, each with its candidate values (`None` = absent).
    fn free_keys(&self, relevant: &[usize]) -> Vec<(String, Vec<Option<String>>)> {
        let mut out: Vec<(String, Vec<Option<String>>)> = Vec::new();
        for &s in relevant {
            let Some((_, st)) = self.statement(s) else {
                continue;
            };
            for c in &st.conditions {
                let key = c.key_lower();
                if self.base.get(key).is_some() || self.state.absent_keys().contains(&key) {
                    continue;
                }
                let slot = match out.iter().position(|(k, _)| k == key) {
                    Some(i) => i,
                    None => {
                        let absent = if key == MFA_AGE {
                            Vec::new()
                        } else {
                            vec![None]
                        };
                        out.push((key.to_owned(), absent));
                        out.len() - 1
                    }
                };
                let Some((_, values)) = out.get_mut(slot) else {
                    continue;
                };
                let mut push = |v: String| {
                    if !values.contains(&Some(v.clone())) {
                        values.push(Some(v));
                    }
                };
                for raw in c.raw_values.iter().filter(|v| !v.contains("${")) {
                    push(glob::unescape(&raw.replace(['*', '?'], "x")));
                    if let (Values::Numbers(_), Some(n)) = (&c.values, numeric::parse(raw)) {
                        push(format!("{}", n - 1.0));
                        push(format!("{}", n + 1.0));
                    }
                }
                push("iam-mfa-unrelated-value".to_owned());
            }
        }
        out
    }

    /// Resources built from the relevant Allow patterns (wildcards filled in, variables
    /// resolved) that fit one of the action's ARN templates.
    fn pattern_witnesses(&self, relevant: &[usize], action: &Action) -> Vec<String> {
        let templates: Vec<String> = action
            .resource_types
            .iter()
            .map(|rt| template_glob(rt.arn_template, &self.principal.partition))
            .collect();
        let mut out = Vec::new();
        for &s in relevant {
            let Some((_, st)) = self.statement(s) else {
                continue;
            };
            if st.effect != Effect::Allow || st.resources.negated {
                continue;
            }
            for t in &st.resources.patterns {
                let Some(rendered) = t.resolve(self.base) else {
                    continue;
                };
                let filled = fill_wildcards(&rendered, &self.principal.account);
                if filled != "*"
                    && templates.iter().any(|g| arn::resource_matches(g, &filled))
                    && !out.contains(&filled)
                {
                    out.push(filled);
                }
            }
        }
        out
    }
}

/// Replaces unescaped wildcards with concrete text (the account id in the account component).
fn fill_wildcards(rendered: &str, account: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut escaped = false;
    for (i, c) in rendered.char_indices() {
        match (escaped, c) {
            (true, c) => {
                out.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '*' | '?') => {
                let component = rendered[..i].matches(':').count();
                out.push_str(if component == 4 { account } else { "x" });
            }
            (false, c) => out.push(c),
        }
    }
    out
}

/// An ARN template as a glob: placeholders match anything.
fn template_glob(template: &str, partition: &str) -> String {
    fill(template, |name| match name {
        "Partition" => partition.to_owned(),
        _ => "*".to_owned(),
    })
}

/// `template` with each `${Name}` placeholder replaced by `value(Name)`.
fn fill(template: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        // An unclosed `${` names nothing (catalog templates are well formed; stay total).
        out.push_str(&value(
            rest.get(start + 2..end.saturating_sub(1)).unwrap_or(""),
        ));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The resources the sweep tries for an action: its ARN templates for the principal itself and for someone else; `*` for
/// wildcard-only actions.
pub fn resource_candidates(action: &Action, p: &Principal) -> Vec<String> {
    if action.is_wildcard_only() {
        return vec!["*".to_owned()];
    }
    let mut out = Vec::new();
    for who in [Who::Itself, Who::SomeoneElse] {
        for rt in &action.resource_types {
            let arn = instantiate(rt.arn_template, p, who);
            if !out.contains(&arn) {
                out.push(arn);
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Who {
    Itself,
    SomeoneElse,
}

fn instantiate(template: &str, p: &Principal, who: Who) -> String {
    fill(template, |name| match (name, who) {
        ("Partition", _) => p.partition.clone(),
        ("Account", _) => p.account.clone(),
        ("Region", _) => "us-east-1".to_owned(),
        (n, Who::Itself) if n.ends_with("WithPath") => p.name_with_path(),
        (_, Who::Itself) => p.user_name.clone(),
        (_, Who::SomeoneElse) => "someone-else".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_placeholders_and_tolerate_unclosed_ones() {
        let upper = |name: &str| name.to_ascii_uppercase();
        assert_eq!(
            fill(
                "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
                upper
            ),
            "arn:PARTITION:iam::ACCOUNT:user/USERNAMEWITHPATH"
        );
        assert_eq!(fill("a${", upper), "a");
        assert_eq!(fill("a${b", upper), "a");
        assert_eq!(
            template_glob("arn:${Partition}:s3:::${BucketName}", "aws-cn"),
            "arn:aws-cn:s3:::*"
        );
    }
}
