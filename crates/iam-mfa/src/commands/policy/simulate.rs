//! `iam-mfa policy simulate`: the contract in DESIGN.md — one request from flags, or JSON Lines
//! from `--requests`, each answered with the decision and the deciding statements.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, BufWriter, Read as _, Write};

use anyhow::{Context as _, anyhow};
use iam_policy::{Context, ContextValue, Explanation, Outcome, PolicySet, Request, StatementRef};
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
    /// {"id": …, "action": "…", "resource": "…", "context": {…}, "policies": [{"name": "…", "document": {…}}]}
    #[arg(long, value_name = "FILE|-")]
    pub requests: Option<String>,
}

/// Runs the command.
pub fn run(args: &Args, global: &GlobalArgs) -> Result<u8, Coded> {
    let set = args.policies.load().map_err(Coded::usage)?;
    match &args.requests {
        Some(path) => run_lines(&set, path),
        None => run_single(args, &set, global.output),
    }
}

fn run_single(args: &Args, set: &PolicySet, output: OutputFormat) -> Result<u8, Coded> {
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
    let request = Request::new(action, &args.resource, ctx);
    let explanation = set.explain(&request);
    let mut out = std::io::stdout().lock();
    let written = match output {
        OutputFormat::Json if args.explain => {
            serde_json::to_writer_pretty(&mut out, &explanation).map_err(anyhow::Error::from)
        }
        OutputFormat::Json => {
            let short = Short {
                decision: explanation.decision,
                statements: &explanation.statements,
            };
            serde_json::to_writer_pretty(&mut out, &short).map_err(anyhow::Error::from)
        }
        // CSV and SARIF are refused up front (`OutputFormat::ensure`).
        OutputFormat::Text | OutputFormat::Csv | OutputFormat::Sarif => {
            write_text(&mut out, &explanation, args.explain).map_err(anyhow::Error::from)
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

#[derive(Serialize)]
struct Short<'a> {
    decision: Outcome,
    statements: &'a [String],
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

fn write_text(out: &mut impl Write, e: &Explanation, explain: bool) -> std::io::Result<()> {
    writeln!(out, "{}", outcome_text(e.decision))?;
    if !e.statements.is_empty() {
        writeln!(out, "deciding statements:")?;
        for s in &e.statements {
            writeln!(out, "  {s}")?;
        }
    }
    if let Some(note) = &e.note {
        writeln!(out, "note: {note}")?;
    }
    if !explain {
        return Ok(());
    }
    writeln!(out, "\ntrace:")?;
    for t in &e.trace {
        let verdict = if t.applies {
            "applies"
        } else {
            "does not apply"
        };
        writeln!(out, "  {} ({:?}): {verdict}", t.statement, t.effect)?;
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

fn run_lines(set: &PolicySet, path: &str) -> Result<u8, Coded> {
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
            LineRead::Line => evaluate_line(set, &labels, &buf, number),
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
        Ok(line) => match answer(set, labels, &line) {
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

fn answer<'a>(set: &PolicySet, labels: &'a Labels, line: &'a Line) -> anyhow::Result<Answer<'a>> {
    let mut ctx = Context::new();
    for (key, value) in &line.context {
        ctx.insert(
            key,
            context_value(value).with_context(|| format!("context key {key}"))?,
        );
    }
    let request = Request::new(&line.action, &line.resource, ctx);
    match &line.policies {
        None => {
            let decision = set.evaluate(&request);
            let statements = decision
                .statements
                .iter()
                .map(|at| Cow::Borrowed(labels.get(*at)))
                .collect();
            Ok(Answer {
                id: &line.id,
                decision: decision.outcome,
                statements,
            })
        }
        Some(policies) => {
            let mut own = PolicySet::new();
            for p in policies {
                let text = match &p.document {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                own.add_document(&p.name, &text)
                    .map_err(|e| anyhow!("policy {}: {e}", p.name))?;
            }
            let decision = own.evaluate(&request);
            let statements = decision
                .statements
                .iter()
                .map(|at| Cow::Owned(own.label(*at)))
                .collect();
            Ok(Answer {
                id: &line.id,
                decision: decision.outcome,
                statements,
            })
        }
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
