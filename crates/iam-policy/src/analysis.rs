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
use std::sync::Arc;

use iam_catalog::{Action, ActionId, Catalog};

use crate::arn;
use crate::ast::{ActionBlock, ActionPattern, Condition, Effect, ResourceBlock, Statement, Values};
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
    /// The user's IAM tags, which requests carry as `aws:PrincipalTag/KEY` (R44).
    pub tags: Vec<(String, String)>,
    /// The user's unique id (`AIDA…`), which requests carry as `aws:userid`, when known.
    pub user_id: Option<String>,
}

impl Principal {
    /// A user `name` at path `/` in account 123456789012 of the `aws` partition.
    pub fn example(name: &str) -> Self {
        Self {
            partition: "aws".into(),
            account: "123456789012".into(),
            user_name: name.into(),
            path: "/".into(),
            tags: Vec::new(),
            user_id: None,
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
        let ctx = Context::new()
            .with("aws:ViaAWSService", "false")
            .with("aws:username", &self.user_name)
            .with(
                "aws:userid",
                self.user_id.as_deref().unwrap_or("AIDAEXAMPLEUSERID"),
            )
            .with("aws:PrincipalArn", &self.arn())
            .with("aws:PrincipalAccount", &self.account)
            .with("aws:PrincipalType", "User");
        self.tags.iter().fold(ctx, |ctx, (key, value)| {
            ctx.with(&format!("aws:PrincipalTag/{key}"), value)
        })
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

    pub(crate) fn apply(self, ctx: &mut Context) {
        match self {
            Self::LongTermKeys => {}
            Self::TemporaryWithoutMfa => {
                ctx.insert(MFA_PRESENT, ContextValue::Single("false".into()))
            }
            Self::WithMfa => ctx.insert(MFA_PRESENT, ContextValue::Single("true".into())),
        }
    }

    /// Keys this state fixes as absent.
    pub(crate) fn absent_keys(self) -> &'static [&'static str] {
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

/// A concrete request that is allowed. Actions decided alike share their witness's parts (a
/// sweep of a broad policy allows tens of thousands of actions, most of them alike).
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The action.
    pub action: ActionId,
    /// A resource on which it is allowed.
    pub resource: Arc<str>,
    /// Context keys (beyond the principal's and the state's) the witness request sets; empty
    /// when the action is allowed whatever they are.
    pub extra_context: Arc<[(String, ContextValue)]>,
    /// The Allow statements that apply; of statements identical but for their `Sid`, the
    /// first.
    pub statements: Arc<[StatementRef]>,
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

/// Statements sharing an Action element (`*`, `s3:*`): its catalog bitset, computed once.
struct Class {
    bits: Bits,
    /// Indices into the analysis's statements, ascending.
    members: Vec<usize>,
    /// Whether some member is an Allow.
    any_allow: bool,
    /// Whether every member covers all resources.
    everywhere: bool,
}

/// The catalog's action names, lowercased (`service:name`), in catalog order: one buffer, as
/// the catalog has tens of thousands.
struct LowerNames {
    text: String,
    /// Where each name ends in `text`.
    ends: Vec<usize>,
}

impl LowerNames {
    fn of(catalog: &Catalog) -> Self {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(catalog.actions().len());
        for action in catalog.actions() {
            text.push_str(action.service);
            text.push(':');
            text.push_str(action.name);
            ends.push(text.len());
        }
        text.make_ascii_lowercase();
        Self { text, ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&str> {
        let start = match i.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.get(start..*self.ends.get(i)?)
    }
}

fn action_bits(block: &ActionBlock, catalog: &Catalog, names: &LowerNames) -> Bits {
    let n = names.len();
    let mut words = vec![0u64; n.div_ceil(64)];
    for pattern in &block.patterns {
        // A literal service prefix limits the scan to that service.
        let range = match pattern.lower.split_once(':') {
            Some((service, _)) if !service.contains(['*', '?']) => catalog
                .service_range(service)
                .map_or(0..0, |r| r.start.index()..r.end.index()),
            _ => 0..n,
        };
        for i in range {
            if names.get(i).is_some_and(|name| pattern.matches_lower(name))
                && let Some(w) = words.get_mut(i / 64)
            {
                *w |= 1 << (i % 64);
            }
        }
    }
    if block.negated {
        for w in &mut words {
            *w = !*w;
        }
    }
    Bits(words)
}

/// The statements of `set` with each group of statements identical but for their `Sid`
/// represented by its first, in policy-set order.
pub fn distinct_statements(set: &PolicySet) -> Vec<(StatementRef, &Statement)> {
    let mut seen = std::collections::HashSet::new();
    set.statements()
        .filter(|(_, st)| {
            // The parsed elements in full (patterns, templates, typed condition values).
            seen.insert(format!(
                "{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
                st.effect, st.actions, st.resources, st.conditions
            ))
        })
        .collect()
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
    /// Statements grouped by their Action element's bitset, in policy-set order within each.
    classes: Vec<Class>,
    /// Per statement, the services whose ARNs it can match ([`services_of`]).
    services: Vec<Option<Vec<String>>>,
    catalog: &'a Catalog,
}

impl<'a> Analysis<'a> {
    /// Prepares `set` for sweeps over `catalog`. Statements identical but for their `Sid`
    /// decide alike, so only the first of them is swept (a policy repeating one statement
    /// thousands of times costs what one does).
    pub fn new(set: &'a PolicySet, catalog: &'a Catalog) -> Self {
        let statements = distinct_statements(set);
        // Statements often share their Action element (`*`, `s3:*`): expand each once.
        let names = LowerNames::of(catalog);
        let mut by_block: HashMap<(bool, Vec<&str>), usize> = HashMap::new();
        let mut classes: Vec<Class> = Vec::new();
        for (s, (_, st)) in statements.iter().enumerate() {
            let key = (
                st.actions.negated,
                st.actions
                    .patterns
                    .iter()
                    .map(|p| p.lower.as_str())
                    .collect(),
            );
            let c = *by_block.entry(key).or_insert_with(|| {
                classes.push(Class {
                    bits: action_bits(&st.actions, catalog, &names),
                    members: Vec::new(),
                    any_allow: false,
                    everywhere: true,
                });
                classes.len() - 1
            });
            if let Some(class) = classes.get_mut(c) {
                class.members.push(s);
                class.any_allow |= st.effect == Effect::Allow;
                class.everywhere &= covers_everything(&st.resources);
            }
        }
        let services = statements
            .iter()
            .map(|(_, st)| services_of(&st.resources))
            .collect();
        Self {
            statements,
            classes,
            services,
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
        let witnesses = statements
            .iter()
            .map(|(_, st)| filled_patterns(st, &base, &principal.account))
            .collect();
        let sweeper = Sweeper {
            statements,
            services: &self.services,
            witnesses,
            base: &base,
            principal,
            state,
        };
        let classes = &self.classes;
        // The statements of some classes, in policy-set order.
        let members = |ids: &[usize]| {
            let mut out: Vec<usize> = ids
                .iter()
                .filter_map(|&c| classes.get(c))
                .flat_map(|c| c.members.iter().copied())
                .collect();
            out.sort_unstable();
            out
        };
        // Which statements apply (the classes whose bitset holds the action) decides everything
        // but the resources, and the resources come from the action's ARN templates: actions
        // alike in both share one decision, so an action costs a lookup per class, not per
        // statement. Class sets are interned to keep keys small.
        // Looked up once or twice per catalog action: a fast hash, as the keys are our own.
        let mut interned: FastMap<Vec<usize>, usize> = FastMap::default();
        let mut everywhere_memo: FastMap<usize, Option<Witness>> = FastMap::default();
        let mut template_memo: FastMap<Vec<usize>, Option<Witness>> = FastMap::default();
        let mut template_key = Vec::new();
        let mut first_resources = FirstResources::default();
        let mut allowed = Vec::new();
        let mut applying = Vec::new();
        for (index, action) in self.catalog.actions().iter().enumerate() {
            applying.clear();
            applying.extend(
                classes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.bits.get(index))
                    .map(|(i, _)| i),
            );
            let of = |pick: fn(&Class) -> bool| {
                applying.iter().filter_map(|&c| classes.get(c)).map(pick)
            };
            // R3: GetCallerIdentity is never denied, so it is decided on its own, not memoised.
            let caller_identity =
                action.service == "sts" && action.name.eq_ignore_ascii_case("GetCallerIdentity");
            if !caller_identity && !of(|c| c.any_allow).any(|a| a) {
                continue;
            }
            let witness = if caller_identity {
                let relevant = members(&applying);
                let mut all = resource_candidates(action, principal);
                all.extend(sweeper.pattern_witnesses(&relevant, action));
                sweeper.decide(&relevant, &action.full_name(), &all)
            } else {
                let id = match interned.get(applying.as_slice()) {
                    Some(&id) => id,
                    None => {
                        let id = interned.len();
                        interned.insert(applying.clone(), id);
                        id
                    }
                };
                if of(|c| c.everywhere).all(|e| e) {
                    // Every applicable statement covers all resources: the answer depends only
                    // on which statements apply. Its witness is the action's first candidate.
                    let verdict = everywhere_memo
                        .entry(id)
                        .or_insert_with(|| {
                            let relevant = members(&applying);
                            sweeper.decide(&relevant, &action.full_name(), &["*".to_owned()])
                        })
                        .clone();
                    verdict.map(|w| Witness {
                        resource: first_resources.get(action, principal),
                        ..w
                    })
                } else {
                    fill_template_key(&mut template_key, id, action);
                    match template_memo.get(template_key.as_slice()) {
                        Some(verdict) => verdict.clone(),
                        None => {
                            let relevant = members(&applying);
                            let mut all = resource_candidates(action, principal);
                            all.extend(sweeper.pattern_witnesses(&relevant, action));
                            let verdict = sweeper.decide(&relevant, &action.full_name(), &all);
                            template_memo.insert(template_key.clone(), verdict.clone());
                            verdict
                        }
                    }
                }
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
            .map(|w| w.statements.to_vec())
            .unwrap_or_default();
        Sweep {
            state,
            allowed,
            future_actions,
        }
    }
}

/// A map keyed by the sweep's own small keys (indices, addresses), never by input text.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Fills `key` with the identity of a decision by ARN templates: the interned class set `id`,
/// then the address and length of each of the action's templates (which decide its candidate
/// resources; templates are slices of the catalog's text, so address and length identify one).
/// One buffer for the whole sweep: most lookups hit.
fn fill_template_key(key: &mut Vec<usize>, id: usize, action: &Action) {
    key.clear();
    key.push(id);
    for rt in &action.resource_types {
        key.extend([rt.arn_template.as_ptr() as usize, rt.arn_template.len()]);
    }
}

/// The first resource [`resource_candidates`] would give, without building the others, once
/// per ARN template: a sweep asks for it for every allowed action, and actions share templates.
#[derive(Default)]
struct FirstResources {
    by_template: FastMap<(usize, usize), Arc<str>>,
    wildcard: Option<Arc<str>>,
}

impl FirstResources {
    fn get(&mut self, action: &Action, p: &Principal) -> Arc<str> {
        match action.resource_types.first() {
            // Templates are slices of the catalog's text: address and length identify one.
            Some(rt) => self
                .by_template
                .entry((rt.arn_template.as_ptr() as usize, rt.arn_template.len()))
                .or_insert_with(|| instantiate(rt.arn_template, p, Who::Itself).into())
                .clone(),
            None => self.wildcard.get_or_insert_with(|| "*".into()).clone(),
        }
    }
}

/// A witness request's parts, shared by the grants of every action decided alike.
#[derive(Debug, Clone)]
struct Witness {
    resource: Arc<str>,
    extra_context: Arc<[(String, ContextValue)]>,
    statements: Arc<[StatementRef]>,
}

struct Sweeper<'a> {
    statements: &'a [(StatementRef, &'a Statement)],
    /// Per statement, the services whose ARNs it can match.
    services: &'a [Option<Vec<String>>],
    /// Per statement, its Allow patterns resolved with wildcards filled in.
    witnesses: Vec<Vec<String>>,
    base: &'a Context,
    principal: &'a Principal,
    state: MfaState,
}

/// At most this many context combinations are tried per action (or per trust proof).
pub(crate) const MAX_CONTEXTS: usize = 256;

impl Sweeper<'_> {
    fn statement(&self, s: usize) -> Option<&(StatementRef, &Statement)> {
        self.statements.get(s)
    }

    /// The first (context, resource) among the candidates that the `relevant` statements allow.
    fn decide(&self, relevant: &[usize], action: &str, resources: &[String]) -> Option<Witness> {
        let conditions = relevant
            .iter()
            .filter_map(|&s| self.statement(s))
            .flat_map(|(_, st)| &st.conditions);
        let free = free_keys(conditions, self.base, self.state.absent_keys(), Tags::Fixed);
        for (ctx, extra) in contexts(self.base, &free).take(MAX_CONTEXTS) {
            let mut request = Request::new(action, "*", ctx);
            for resource in resources {
                request.set_resource(resource);
                let service = arn_service(resource);
                let mut allows = Vec::new();
                let mut denied = false;
                for &s in relevant {
                    if !self.may_match(s, service.as_deref()) {
                        continue;
                    }
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
                        resource: resource.as_str().into(),
                        extra_context: extra.into(),
                        statements: allows.into(),
                    });
                }
            }
        }
        None
    }

    /// Resources built from the relevant Allow patterns (wildcards filled in, variables
    /// resolved) that fit one of the action's ARN templates.
    fn pattern_witnesses(&self, relevant: &[usize], action: &Action) -> Vec<String> {
        let templates: Vec<String> = action
            .resource_types
            .iter()
            .map(|rt| template_glob(rt.arn_template, &self.principal.partition))
            .collect();
        let services: Vec<Option<String>> = templates.iter().map(|t| arn_service(t)).collect();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for &s in relevant {
            if !services.iter().any(|svc| self.may_match(s, svc.as_deref())) {
                continue;
            }
            for filled in self.witnesses.get(s).into_iter().flatten() {
                if templates.iter().any(|g| arn::resource_matches(g, filled))
                    && seen.insert(filled.as_str())
                {
                    out.push(filled.clone());
                }
            }
        }
        out
    }

    /// Whether statement `s` can match a resource of `service` (`None`: not a plain ARN, so
    /// any statement may).
    fn may_match(&self, s: usize, service: Option<&str>) -> bool {
        match (service, self.services.get(s)) {
            (Some(service), Some(Some(services))) => services.iter().any(|x| x == service),
            _ => true,
        }
    }
}

/// Condition keys that `conditions` test and that neither `base` fixes nor the state fixes
/// as `absent`, each with its candidate values (`None` = absent): each literal the policies
/// compare it to (wildcards filled in; numbers also one below and above) and an unrelated
/// value. `aws:MultiFactorAuthAge` is never tried absent: a state that has it fixes it.
pub(crate) fn free_keys<'a>(
    conditions: impl Iterator<Item = &'a Condition>,
    base: &Context,
    absent: &[&str],
    tags: Tags,
) -> Vec<(String, Vec<Option<String>>)> {
    let mut out: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for c in conditions {
        let key = c.key_lower();
        if base.get(key).is_some()
            || absent.contains(&key)
            || (tags == Tags::Fixed && key.starts_with(PRINCIPAL_TAG))
        {
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
        // A value with a policy variable is tried as it reads for the caller
        // (`sts:RoleSessionName` = `${aws:username}`).
        if let Values::Templates(templates) = &c.values {
            for t in templates.iter().filter(|t| t.has_variables()) {
                if let Some(resolved) = t.resolve(base) {
                    push(glob::unescape(&resolved.replace(['*', '?'], "x")));
                }
            }
        }
        for raw in c.raw_values.iter().filter(|v| !v.contains("${")) {
            push(glob::unescape(&raw.replace(['*', '?'], "x")));
            if let (Values::Numbers(_), Some(n)) = (&c.values, numeric::parse(raw)) {
                push(format!("{}", n - 1.0));
                push(format!("{}", n + 1.0));
            }
        }
        push("iam-mfa-unrelated-value".to_owned());
    }
    out
}

/// Whether the principal's tags (`aws:PrincipalTag/…`) are known: a known principal's tags are
/// what its context holds, and a request cannot add any; an unknown one may have any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tags {
    Fixed,
    Free,
}

const PRINCIPAL_TAG: &str = "aws:principaltag/";

/// Every combination of the free keys' candidate values on top of `base`, each with the
/// keys it set; the caller bounds how many it takes ([`MAX_CONTEXTS`]).
pub(crate) fn contexts<'a>(
    base: &'a Context,
    free: &'a [(String, Vec<Option<String>>)],
) -> impl Iterator<Item = (Context, Vec<(String, ContextValue)>)> + 'a {
    (0..context_count(free)).map(move |combo| {
        let mut ctx = base.clone();
        let mut extra = Vec::new();
        let mut rest = combo;
        for (key, values) in free {
            let pick = values.get(rest % values.len().max(1)).cloned().flatten();
            rest /= values.len().max(1);
            if let Some(v) = pick {
                ctx.insert(key, ContextValue::Single(v.clone()));
                extra.push((key.clone(), ContextValue::Single(v)));
            }
        }
        (ctx, extra)
    })
}

/// The number of combinations [`contexts`] yields.
pub(crate) fn context_count(free: &[(String, Vec<Option<String>>)]) -> usize {
    free.iter()
        .map(|(_, vals)| vals.len())
        .try_fold(1usize, usize::checked_mul)
        .unwrap_or(usize::MAX)
}

/// The Allow statement's resource patterns resolved for `base`, wildcards filled in: the
/// resources that certainly match it (`*` left out: it fits no ARN template).
fn filled_patterns(st: &Statement, base: &Context, account: &str) -> Vec<String> {
    if st.effect != Effect::Allow || st.resources.negated {
        return Vec::new();
    }
    st.resources
        .patterns
        .iter()
        .filter_map(|t| t.resolve(base))
        .map(|rendered| fill_wildcards(&rendered, account))
        .filter(|filled| filled != "*")
        .collect()
}

/// The service component (lowercase) of a resource matched component by component: six
/// components, the first exactly `arn` (see `arn::resource_matches`). `None` otherwise.
fn arn_service(resource: &str) -> Option<String> {
    let mut parts = resource.splitn(6, ':');
    let (arn, _, service) = (parts.next()?, parts.next()?, parts.next()?);
    (arn == "arn" && parts.count() == 3).then(|| service.to_ascii_lowercase())
}

/// The services whose ARNs a `Resource` element can match, when every pattern names its
/// service literally (`arn:PARTITION:s3:…`, at least four components, no wildcard, variable
/// or escape in the first three): a pattern compared component by component only matches ARNs
/// of its service (case-insensitively). `None` (any) for `NotResource`, `*`, and the rest.
fn services_of(block: &ResourceBlock) -> Option<Vec<String>> {
    if block.negated {
        return None;
    }
    block
        .patterns
        .iter()
        .map(|t| {
            let parts: Vec<&str> = t.source().splitn(4, ':').collect();
            match parts.as_slice() {
                [arn, partition, service, _]
                    if arn.eq_ignore_ascii_case("arn")
                        && [partition, service]
                            .iter()
                            .all(|p| !p.contains(['*', '?', '$', '\\'])) =>
                {
                    Some(service.to_ascii_lowercase())
                }
                _ => None,
            }
        })
        .collect()
}

/// Replaces unescaped wildcards with concrete text (the account id in the account component).
/// One pass: linear in the pattern's length, however many wildcards it has.
fn fill_wildcards(rendered: &str, account: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut escaped = false;
    let mut component = 0;
    for c in rendered.chars() {
        match (escaped, c) {
            (true, c) => {
                out.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '*' | '?') => out.push_str(if component == 4 { account } else { "x" }),
            (false, c) => {
                if c == ':' {
                    component += 1;
                }
                out.push(c);
            }
        }
    }
    out
}

/// An ARN template as a glob: placeholders match anything.
fn template_glob(template: &str, partition: &str) -> String {
    fill(template, |name| match name {
        "Partition" => partition,
        _ => "*",
    })
}

/// `template` with each `${Name}` placeholder replaced by `value(Name)`.
fn fill<'v>(template: &str, mut value: impl FnMut(&str) -> &'v str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        // An unclosed `${` names nothing (catalog templates are well formed; stay total).
        out.push_str(value(
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
    let with_path: std::borrow::Cow<str> = if p.path.trim_start_matches('/').is_empty() {
        p.user_name.as_str().into()
    } else {
        p.name_with_path().into()
    };
    fill(template, |name| match (name, who) {
        ("Partition", _) => &p.partition,
        ("Account", _) => &p.account,
        ("Region", _) => "us-east-1",
        (n, Who::Itself) if n.ends_with("WithPath") => &with_path,
        (_, Who::Itself) => &p.user_name,
        (_, Who::SomeoneElse) => "someone-else",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_placeholders_and_tolerate_unclosed_ones() {
        let upper = |name: &str| match name {
            "Partition" => "PARTITION",
            "Account" => "ACCOUNT",
            "" => "",
            _ => "OTHER",
        };
        assert_eq!(
            fill(
                "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
                upper
            ),
            "arn:PARTITION:iam::ACCOUNT:user/OTHER"
        );
        assert_eq!(fill("a${", upper), "a");
        assert_eq!(fill("a${b", upper), "a");
        assert_eq!(
            template_glob("arn:${Partition}:s3:::${BucketName}", "aws-cn"),
            "arn:aws-cn:s3:::*"
        );
    }
}
