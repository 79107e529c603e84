//! `iam-mfa policy simulate`: the contract in DESIGN.md — one request from flags, or JSON Lines
//! from `--requests`, each answered with the decision and the deciding statements.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, BufWriter, Read as _, Write};

use anyhow::{Context as _, anyhow};
use iam_policy::authorizer::{AuthorizationExplanation, authorize, explain_authorization};
use iam_policy::principal::{Caller, PrincipalMatch, account_of};
use iam_policy::{
    Context, ContextValue, Explanation, NamedResourcePolicy, Outcome, PolicySet, Request,
    StatementRef, StatementTrace,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::sources::PolicyArgs;
use crate::args::GlobalArgs;
use crate::ui::exit::Coded;
use crate::ui::output::OutputFormat;

/// `policy simulate` flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The action of a single request, e.g. `iam:ChangePassword` (case-insensitive).
    #[arg(
        long,
        required_unless_present = "requests",
        conflicts_with = "requests"
    )]
    pub action: Option<String>,
    /// The resource ARN of a single request (`*` for actions without a resource type).
    #[arg(long, default_value = "*", conflicts_with = "requests")]
    pub resource: String,
    /// A single-valued context key, e.g. `aws:MultiFactorAuthPresent=true` or
    /// `aws:username=alice`. Repeatable. A comma is not special: use --context-json for sets.
    #[arg(
        long = "context",
        value_name = "KEY=VALUE",
        conflicts_with = "requests"
    )]
    pub context: Vec<String>,
    /// Context keys as a JSON object; arrays are multi-valued keys:
    /// '{"aws:TagKeys": ["env", "team"]}'.
    #[arg(
        long = "context-json",
        value_name = "JSON",
        conflicts_with = "requests"
    )]
    pub context_json: Option<String>,
    /// Show, per statement, which element matched or not, resolved variables and missing keys.
    #[arg(long, conflicts_with = "requests")]
    pub explain: bool,
    /// Evaluate JSON Lines requests from FILE (`-` for standard input):
    /// {"id": …, "action": "…", "resource": "…", "context": {…}, "policies": [{"name": "…", "document": {…}}],
    /// "principal": "ARN", "resource_policy": {"name": "…", "document": {…}}, "resource_account": "ID"}
    #[arg(long, value_name = "FILE|-")]
    pub requests: Option<String>,
    /// The resource's resource-based policy (`[NAME=]FILE`): a role trust policy when the
    /// resource is a role and the action an sts: one, else a resource policy (bucket policy,
    /// …). Identity and resource policies are then decided together as AWS does: same account
    /// or cross-account, trust policies must always allow. Also applies to --requests lines
    /// without their own `resource_policy`.
    #[arg(long, value_name = "[NAME=]FILE")]
    pub resource_policy: Option<String>,
    /// The caller, with --resource-policy: an IAM user or role ARN, an assumed-role session ARN
    /// or an account id. Default: the context's aws:PrincipalArn. Sets aws:PrincipalArn and
    /// aws:PrincipalAccount in the context when it lacks them.
    #[arg(
        long,
        value_name = "ARN",
        conflicts_with = "requests",
        requires = "resource_policy"
    )]
    pub principal: Option<String>,
    /// The account that owns the resource, with --resource-policy (default: the account in the
    /// resource ARN).
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "requests",
        requires = "resource_policy"
    )]
    pub resource_account: Option<String>,
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> Result<u8, Coded> {
    let set = args.policies.load().map_err(Coded::usage)?;
    let resource_policy = match &args.resource_policy {
        Some(spec) => Some(read_resource_policy(spec).map_err(Coded::usage)?),
        None => None,
    };
    match &args.requests {
        Some(path) => run_lines(&set, resource_policy.as_ref(), path),
        None => run_single(args, &set, resource_policy.as_ref(), global.output),
    }
}

/// A resource policy file, read as text: which grammar applies depends on the request.
struct ResourcePolicyText {
    name: String,
    text: String,
}

fn read_resource_policy(spec: &str) -> anyhow::Result<ResourcePolicyText> {
    let (name, path) = super::sources::named_file("--resource-policy", spec)?;
    let text = crate::policy_file::read(&path)?;
    Ok(ResourcePolicyText { name, text })
}

/// The resource policy parsed for `request`: as a role trust policy when the resource is an
/// IAM role and the action an `sts:` one, else as another resource-based policy.
fn parse_for(text: &str, name: &str, request: &Request) -> anyhow::Result<NamedResourcePolicy> {
    let role = request
        .resource()
        .split(':')
        .nth(5)
        .is_some_and(|r| r.starts_with("role/"))
        && request.resource().split(':').nth(2) == Some("iam");
    let sts = request
        .action()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("sts:"));
    let parsed = if role && sts {
        iam_policy::parse_trust_policy(text).map_err(|e| anyhow!("trust policy {name}: {e}"))?
    } else {
        iam_policy::parse_resource_policy(text)
            .map_err(|e| anyhow!("resource policy {name}: {e}"))?
    };
    Ok(NamedResourcePolicy::new(name, parsed))
}

/// The caller (from `principal` or the context's aws:PrincipalArn) and the resource's account
/// (from `resource_account` or the resource ARN); the caller's keys are added to the context
/// when it lacks them.
fn parties(
    principal: Option<&str>,
    resource_account: Option<&str>,
    request: &mut Request,
) -> anyhow::Result<(Caller, String)> {
    let from_context = request
        .context()
        .lookup("aws:PrincipalArn")
        .and_then(|v| v.as_single())
        .map(str::to_owned);
    let text = principal.map(str::to_owned).or(from_context).ok_or_else(|| {
        anyhow!("a resource policy needs the caller: give --principal ARN (or \"principal\" in the line, or aws:PrincipalArn in the context)")
    })?;
    let caller = Caller::from_arn(&text).map_err(|e| anyhow!("principal: {e}"))?;
    let ctx = request.context_mut();
    let principal_arn = match &caller {
        Caller::Aws { arn, .. } => Some(arn.clone()),
        Caller::RoleSession { role_arn, .. } => Some(role_arn.clone()),
        _ => None,
    };
    if let (None, Some(arn)) = (ctx.lookup("aws:PrincipalArn"), principal_arn) {
        ctx.insert("aws:PrincipalArn", ContextValue::Single(arn));
    }
    if let (None, Some(account)) = (ctx.lookup("aws:PrincipalAccount"), caller.account()) {
        ctx.insert(
            "aws:PrincipalAccount",
            ContextValue::Single(account.to_owned()),
        );
    }
    let account = match resource_account {
        Some(a) => a.to_owned(),
        None => account_of(request.resource())
            .map(str::to_owned)
            .ok_or_else(|| {
                anyhow!("the resource ARN names no account: give --resource-account ID (or \"resource_account\" in the line)")
            })?,
    };
    Ok((caller, account))
}

fn run_single(
    args: &Args,
    set: &PolicySet,
    resource_policy: Option<&ResourcePolicyText>,
    output: OutputFormat,
) -> Result<u8, Coded> {
    let action = args
        .action
        .as_deref()
        .ok_or_else(|| Coded::usage(anyhow!("--action is required")))?;
    let mut ctx = Context::new();
    for pair in &args.context {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| Coded::usage(anyhow!("--context {pair}: expected KEY=VALUE")))?;
        ctx.insert(key, ContextValue::Single(value.to_owned()));
    }
    if let Some(json) = &args.context_json {
        let map: serde_json::Map<String, Value> =
            serde_json::from_str(json).map_err(|e| Coded::usage(anyhow!("--context-json: {e}")))?;
        for (key, value) in &map {
            ctx.insert(
                key,
                context_value(value)
                    .map_err(|e| Coded::usage(anyhow!("--context-json {key}: {e}")))?,
            );
        }
    }
    warn_unknown_action(action);
    let mut request = Request::new(action, &args.resource, ctx);
    let mut out = std::io::stdout().lock();
    let written = match resource_policy {
        None => {
            let explanation = set.explain(&request);
            write_single(&mut out, &explanation, args.explain, output)
        }
        Some(rp) => {
            let (caller, account) = parties(
                args.principal.as_deref(),
                args.resource_account.as_deref(),
                &mut request,
            )
            .map_err(Coded::usage)?;
            let policy = parse_for(&rp.text, &rp.name, &request).map_err(Coded::usage)?;
            let explanation = explain_authorization(set, &policy, &caller, &account, &request);
            write_authorization(&mut out, &explanation, args.explain, output)
        }
    };
    let newline = if output == OutputFormat::Json {
        writeln!(out)
    } else {
        Ok(())
    };
    written
        .and_then(|()| newline.map_err(anyhow::Error::from))
        .map_err(Coded::failure)?;
    Ok(0)
}

/// Prints a decision as JSON: with `--explain` the whole explanation, else the short answer.
fn write_json(
    out: &mut impl Write,
    explained: &impl Serialize,
    short: &Short<'_>,
    explain: bool,
) -> anyhow::Result<()> {
    if explain {
        serde_json::to_writer_pretty(&mut *out, explained)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, short)?;
    }
    Ok(())
}

/// Prints an identity-only decision.
fn write_single(
    out: &mut impl Write,
    explanation: &Explanation,
    explain: bool,
    output: OutputFormat,
) -> anyhow::Result<()> {
    match output {
        OutputFormat::Json => {
            let short = Short {
                decision: explanation.decision,
                statements: &explanation.statements,
                principal_match: None,
            };
            write_json(out, explanation, &short, explain)
        }
        // CSV and SARIF are refused up front (`OutputFormat::ensure`).
        OutputFormat::Text | OutputFormat::Csv | OutputFormat::Sarif => {
            write_text(out, explanation, explain).map_err(anyhow::Error::from)
        }
    }
}

/// Prints a decision with a resource policy: as an identity-only one, with the principal
/// match, and with `--explain` both sides' traces.
fn write_authorization(
    out: &mut impl Write,
    e: &AuthorizationExplanation,
    explain: bool,
    output: OutputFormat,
) -> anyhow::Result<()> {
    match output {
        OutputFormat::Json => {
            let short = Short {
                decision: e.decision,
                statements: &e.statements,
                principal_match: Some(e.principal_match),
            };
            write_json(out, e, &short, explain)
        }
        OutputFormat::Text | OutputFormat::Csv | OutputFormat::Sarif => {
            write_decision(out, e.decision, &e.statements)?;
            writeln!(
                out,
                "principal: {}",
                match e.principal_match {
                    PrincipalMatch::None => "not named by any applying resource-policy Allow",
                    PrincipalMatch::Account => "named by account (an identity Allow is needed too)",
                    PrincipalMatch::Arn => "named by ARN",
                    PrincipalMatch::Any => "named by \"*\"",
                }
            )?;
            if !explain {
                return Ok(());
            }
            writeln!(out, "\nresource policy trace:")?;
            for t in &e.resource_trace {
                let verdict = if t.statement.applies {
                    "applies"
                } else {
                    "does not apply"
                };
                writeln!(
                    out,
                    "  {} ({:?}): {verdict}; {}: {}",
                    t.statement.statement,
                    t.statement.effect,
                    t.principal_element,
                    t.principal.as_str()
                )?;
                write_elements(out, &t.statement)?;
            }
            writeln!(
                out,
                "\nidentity policies ({}):",
                outcome_text(e.identity.decision)
            )?;
            write_trace(out, &e.identity).map_err(anyhow::Error::from)
        }
    }
}

#[derive(Serialize)]
struct Short<'a> {
    decision: Outcome,
    statements: &'a [String],
    /// Only with a resource policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    principal_match: Option<PrincipalMatch>,
}

/// Says on stderr when the action is not in the catalog, with the closest known action.
fn warn_unknown_action(action: &str) {
    let catalog = iam_catalog::catalog();
    if catalog.lookup(action).is_some() {
        return;
    }
    let hint = catalog
        .suggest(action)
        .map(|id| format!("; did you mean {}?", catalog.action(id).full_name()))
        .unwrap_or_default();
    crate::ui::exit::to_stderr(&format!(
        "iam-mfa: warning: {action} is not in the action catalog of {}{hint}",
        catalog.source()
    ));
}

fn outcome_text(o: Outcome) -> &'static str {
    match o {
        Outcome::Allow => "ALLOWED",
        Outcome::ExplicitDeny => "DENIED (explicit deny)",
        Outcome::ImplicitDeny => "DENIED (implicit deny: no statement allows it)",
    }
}

/// The decision and its deciding statements, as text.
fn write_decision(
    out: &mut impl Write,
    decision: Outcome,
    statements: &[String],
) -> std::io::Result<()> {
    writeln!(out, "{}", outcome_text(decision))?;
    if !statements.is_empty() {
        writeln!(out, "deciding statements:")?;
        for s in statements {
            writeln!(out, "  {s}")?;
        }
    }
    Ok(())
}

fn write_text(out: &mut impl Write, e: &Explanation, explain: bool) -> std::io::Result<()> {
    write_decision(out, e.decision, &e.statements)?;
    if let Some(note) = &e.note {
        writeln!(out, "note: {note}")?;
    }
    if !explain {
        return Ok(());
    }
    writeln!(out, "\ntrace:")?;
    write_trace(out, e)
}

/// Every statement's trace, and the keys the request lacks.
fn write_trace(out: &mut impl Write, e: &Explanation) -> std::io::Result<()> {
    for t in &e.trace {
        let verdict = if t.applies {
            "applies"
        } else {
            "does not apply"
        };
        writeln!(out, "  {} ({:?}): {verdict}", t.statement, t.effect)?;
        write_elements(out, t)?;
    }
    if !e.missing_keys.is_empty() {
        writeln!(
            out,
            "\nkeys the policies test that the request lacks: {}",
            e.missing_keys.join(", ")
        )?;
    }
    Ok(())
}

/// How a statement's Action, Resource and conditions fared.
fn write_elements(out: &mut impl Write, t: &StatementTrace) -> std::io::Result<()> {
    for el in [&t.action, &t.resource] {
        let how = match (&el.pattern, el.matched) {
            (Some(p), true) => format!("matches by {p:?}"),
            (Some(p), false) => format!("excluded by {p:?}"),
            (None, true) => "matches (not excluded)".to_owned(),
            (None, false) => "no pattern matches".to_owned(),
        };
        writeln!(out, "    {}: {how}", el.element)?;
        for r in &el.resolved {
            writeln!(
                out,
                "      resolved: {}",
                r.as_deref()
                    .unwrap_or("(a variable has no value: matches nothing)")
            )?;
        }
    }
    for c in &t.conditions {
        let request = match &c.request_value {
            None => "(missing)".to_owned(),
            Some(ContextValue::Single(v)) => format!("{v:?}"),
            Some(ContextValue::Multi(vs)) => format!("{vs:?}"),
        };
        let policy: Vec<String> = c
            .policy_values
            .iter()
            .map(|v| {
                v.as_deref()
                    .map_or("(unresolved)".to_owned(), |v| format!("{v:?}"))
            })
            .collect();
        let holds = if c.holds { "holds" } else { "fails" };
        writeln!(
            out,
            "    Condition {} {} = {request} vs [{}]: {holds}",
            c.operator,
            c.key,
            policy.join(", ")
        )?;
    }
    Ok(())
}

/// One line of `--requests`.
#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    id: Value,
    action: String,
    #[serde(default = "any_resource")]
    resource: String,
    #[serde(default)]
    context: serde_json::Map<String, Value>,
    policies: Option<Vec<InlinePolicy>>,
    /// The caller, with a resource policy.
    principal: Option<String>,
    /// The resource's policy; without it, `--resource-policy` applies.
    resource_policy: Option<InlinePolicy>,
    /// The resource's account, when its ARN names none.
    resource_account: Option<String>,
}

fn any_resource() -> String {
    "*".to_owned()
}

#[derive(Deserialize)]
struct InlinePolicy {
    name: String,
    /// A policy object, or its JSON text.
    document: Value,
}

#[derive(Serialize)]
struct Answer<'a> {
    id: &'a Value,
    decision: Outcome,
    statements: Vec<Cow<'a, str>>,
    /// Only with a resource policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    principal_match: Option<PrincipalMatch>,
}

#[derive(Serialize)]
struct Failed<'a> {
    id: &'a Value,
    error: String,
}

/// Statement labels computed once per policy set.
struct Labels(Vec<Vec<String>>);

impl Labels {
    fn of(set: &PolicySet) -> Self {
        let mut out: Vec<Vec<String>> = set.policies().iter().map(|_| Vec::new()).collect();
        for (at, _) in set.statements() {
            if let Some(policy) = out.get_mut(at.policy) {
                policy.push(set.label(at));
            }
        }
        Self(out)
    }

    fn get(&self, at: StatementRef) -> &str {
        self.0
            .get(at.policy)
            .and_then(|p| p.get(at.statement))
            .map_or("?", String::as_str)
    }
}

/// The longest `--requests` line accepted, in bytes (4 MiB: room for a few inline policies of
/// [`iam_policy::MAX_DOCUMENT_BYTES`] each). A longer line ends the run: its end cannot be
/// found without reading it whole, and an endless one (`/dev/zero`) has none.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// One line of input, as read.
enum LineRead {
    /// The bytes of a line, without its newline.
    Line,
    /// A line longer than the cap.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads the next line of `input` into `buf`, at most `cap` bytes of it.
fn next_line(input: &mut impl BufRead, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<LineRead> {
    buf.clear();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    let n = input.take(limit).read_until(b'\n', buf)?;
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(LineRead::Line);
    }
    Ok(match n {
        0 => LineRead::End,
        n if n > cap => LineRead::TooLong,
        _ => LineRead::Line,
    })
}

fn run_lines(
    set: &PolicySet,
    resource_policy: Option<&ResourcePolicyText>,
    path: &str,
) -> Result<u8, Coded> {
    let mut input: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot read requests file {path}"))
            .map_err(Coded::usage)?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let source = if path == "-" {
        "standard input".to_owned()
    } else {
        format!("requests file {path}")
    };
    let labels = Labels::of(set);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut failed = false;
    let mut buf = Vec::new();
    for number in 1.. {
        let read = next_line(&mut input, &mut buf, MAX_LINE_BYTES)
            .with_context(|| format!("cannot read {source}"))
            .map_err(Coded::usage)?;
        let result = match read {
            LineRead::End => break,
            LineRead::TooLong => {
                let error = format!(
                    "line {number}: longer than {MAX_LINE_BYTES} bytes, the cap per request line (4 MiB)"
                );
                write_failed(&mut out, &Value::Null, error.clone())?;
                flush(&mut out)?;
                return Err(Coded::usage(anyhow!(
                    "{source}, {error}; the rest of the input was not read"
                )));
            }
            LineRead::Line => evaluate_line(set, resource_policy, &labels, &buf, number),
        };
        let written = match result {
            None => continue,
            Some(Ok(answer)) => out
                .write_all(answer.as_bytes())
                .and_then(|()| out.write_all(b"\n")),
            Some(Err((id, error))) => {
                failed = true;
                write_failed(&mut out, &id, error)?;
                Ok(())
            }
        };
        written
            .context("cannot write results")
            .map_err(Coded::failure)?;
    }
    flush(&mut out)?;
    Ok(u8::from(failed))
}

/// The answer to one `--requests` line; `None` for a blank line; on failure the line's id (null
/// when it cannot be read) and the error.
fn evaluate_line(
    set: &PolicySet,
    resource_policy: Option<&ResourcePolicyText>,
    labels: &Labels,
    bytes: &[u8],
    number: usize,
) -> Option<Result<String, (Value, String)>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(invalid) => {
            // Never evaluated (a replacement character would change what it asks), but its id
            // is given back when it reads unharmed.
            let lossy = String::from_utf8_lossy(bytes);
            let id = serde_json::from_str::<Value>(&lossy)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .filter(|id| !id.to_string().contains('\u{FFFD}'))
                .unwrap_or(Value::Null);
            return Some(Err((
                id,
                format!(
                    "line {number}: not valid UTF-8 (invalid byte at column {})",
                    invalid.valid_up_to() + 1
                ),
            )));
        }
    };
    if text.trim().is_empty() {
        return None;
    }
    Some(match serde_json::from_str::<Line>(text) {
        Ok(line) => match answer(set, resource_policy, labels, &line) {
            Ok(answer) => {
                serde_json::to_string(&answer).map_err(|e| (line.id.clone(), e.to_string()))
            }
            Err(error) => Err((line.id.clone(), format!("{error:#}"))),
        },
        Err(error) => {
            let id = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(Value::Null);
            Err((id, format!("line {number}: {error}")))
        }
    })
}

fn write_failed(out: &mut impl Write, id: &Value, error: String) -> Result<(), Coded> {
    serde_json::to_writer(&mut *out, &Failed { id, error })
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .context("cannot write results")
        .map_err(Coded::failure)
}

fn flush(out: &mut impl Write) -> Result<(), Coded> {
    out.flush()
        .context("cannot write results")
        .map_err(Coded::failure)
}

fn answer<'a>(
    set: &PolicySet,
    resource_policy: Option<&ResourcePolicyText>,
    labels: &'a Labels,
    line: &'a Line,
) -> anyhow::Result<Answer<'a>> {
    let mut ctx = Context::new();
    for (key, value) in &line.context {
        ctx.insert(
            key,
            context_value(value).with_context(|| format!("context key {key}"))?,
        );
    }
    let mut request = Request::new(&line.action, &line.resource, ctx);
    let own = match &line.policies {
        None => None,
        Some(policies) => {
            let mut own = PolicySet::new();
            for p in policies {
                own.add_document(&p.name, &document_text(&p.document))
                    .map_err(|e| anyhow!("policy {}: {e}", p.name))?;
            }
            Some(own)
        }
    };
    let identity = own.as_ref().unwrap_or(set);
    let resource = match (&line.resource_policy, resource_policy) {
        (Some(p), _) => Some((p.name.clone(), document_text(&p.document))),
        (None, Some(rp)) => Some((rp.name.clone(), rp.text.clone())),
        (None, None) => None,
    };
    if let Some((name, text)) = resource {
        let (caller, account) = parties(
            line.principal.as_deref(),
            line.resource_account.as_deref(),
            &mut request,
        )?;
        let policy = parse_for(&text, &name, &request)?;
        let decision = authorize(identity, &policy, &caller, &account, &request);
        return Ok(Answer {
            id: &line.id,
            decision: decision.outcome,
            statements: decision
                .labels(identity, &policy)
                .into_iter()
                .map(Cow::Owned)
                .collect(),
            principal_match: Some(decision.principal_match),
        });
    }
    let decision = identity.evaluate(&request);
    let statements = decision
        .statements
        .iter()
        .map(|at| match &own {
            None => Cow::Borrowed(labels.get(*at)),
            Some(own) => Cow::Owned(own.label(*at)),
        })
        .collect();
    Ok(Answer {
        id: &line.id,
        decision: decision.outcome,
        statements,
        principal_match: None,
    })
}

/// A policy given inline: an object, or its JSON text.
fn document_text(document: &Value) -> String {
    match document {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A context value from JSON: a string, number or boolean, or an array of them (a set).
fn context_value(value: &Value) -> anyhow::Result<ContextValue> {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    let bad =
        || anyhow!("a context value must be a string, number or boolean, or an array of them");
    match value {
        Value::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or_else(bad))
            .collect::<Result<_, _>>()
            .map(ContextValue::Multi),
        other => scalar(other).map(ContextValue::Single).ok_or_else(bad),
    }
}
