//! Doctor findings as readable text: the report header (who, which policies, allowed actions
//! per credential state), each finding with its evidence and fix, and a summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use iam_policy::analysis::MfaState;

use crate::ui::style;
use mfa_doctor::{CheckReport, Finding, Severity};

/// Evidence lines shown per finding in text; JSON and SARIF have them all.
const TEXT_EVIDENCE: usize = 8;

/// The readable report; with `fail_on`, the summary says when the findings reach it (exit 6).
pub fn render(report: &CheckReport, fail_on: Option<Severity>, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        style::bold("Checked", colour),
        report.principal
    );
    let _ = writeln!(out, "  policies: {}", report.policies.join(", "));
    let _ = writeln!(
        out,
        "  catalog:  {} actions, {}",
        report.catalog_actions, report.catalog
    );
    for s in &report.states {
        let _ = writeln!(
            out,
            "  {:<34} {} actions allowed{}",
            format!("{}:", s.state.name()),
            s.allowed_actions,
            if s.future_actions_allowed {
                ", and actions AWS adds later"
            } else {
                ""
            }
        );
    }
    if let Some(role) = &report.role {
        write_role(&mut out, role, colour);
    }
    for f in &report.findings {
        out.push('\n');
        write_finding(&mut out, f, colour);
    }
    let mut counts: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for f in &report.findings {
        *counts.entry(std::cmp::Reverse(f.severity)).or_default() += 1;
    }
    let summary = if report.findings.is_empty() && report.states.is_empty() {
        "No findings: the role cannot be assumed without MFA.".to_owned()
    } else if report.findings.is_empty() {
        "No findings: MFA is enforced and users can enrol without being locked out.".to_owned()
    } else {
        let parts: Vec<String> = counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.0.name()))
            .collect();
        format!(
            "{} finding{}: {}.{}",
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" },
            parts.join(", "),
            match (report.worst(), fail_on) {
                (Some(w), Some(fail_on)) if w >= fail_on => format!(
                    " Exit code 6: findings at or above --fail-on {}.",
                    fail_on.name()
                ),
                _ => String::new(),
            }
        )
    };
    let _ = writeln!(out, "\n{}", style::bold(&summary, colour));
    out
}

/// The role block: its power and who can assume it in which states.
fn write_role(out: &mut String, role: &mfa_doctor::TrustSection, colour: bool) {
    let _ = writeln!(
        out,
        "{} {} (trust policy {})",
        style::bold("Role", colour),
        role.role,
        role.trust_policy
    );
    let power = match &role.power {
        mfa_doctor::RolePower::Unknown => {
            "not checked (give --role-policy or --role-managed)".to_owned()
        }
        mfa_doctor::RolePower::Nothing => "nothing".to_owned(),
        mfa_doctor::RolePower::ReadOnly => "read-only".to_owned(),
        mfa_doctor::RolePower::Writes { example } => format!("writes (e.g. {example})"),
    };
    let _ = writeln!(out, "  permissions: {power}");
    if role.access.is_empty() {
        let _ = writeln!(out, "  assumable by: no IAM principal");
    }
    for a in &role.access {
        let states: Vec<&str> = a.states.iter().map(|s| s.name()).collect();
        let who = match a.kind {
            "account" => format!("account {}", a.who),
            "any" => format!("* (as a caller of {})", a.caller_account),
            _ => a.who.clone(),
        };
        let _ = writeln!(
            out,
            "  assumable by {who}: {}{}",
            if states.is_empty() {
                "unproven".to_owned()
            } else {
                states.join(", ")
            },
            if a.needs_identity_allow && a.kind != "caller" {
                " (with an identity Allow)"
            } else {
                ""
            }
        );
    }
}

/// One finding: severity, id, message, evidence (the first few) and fix.
pub fn write_finding(out: &mut String, f: &Finding, colour: bool) {
    let label = format!("{:<8}", f.severity.name().to_uppercase());
    let _ = writeln!(
        out,
        "{} {}",
        style::severity(&label, f.severity, colour),
        style::bold(f.id.as_str(), colour)
    );
    let _ = writeln!(out, "  {}", f.message);
    for e in f.evidence.iter().take(TEXT_EVIDENCE) {
        let mut line = String::new();
        if let Some(action) = &e.action {
            line.push_str(action);
        }
        if let Some(resource) = &e.resource {
            let _ = write!(line, " on {resource}");
        }
        if !e.states.is_empty() {
            let states: Vec<&str> = e.states.iter().map(|s| state_short(*s)).collect();
            let _ = write!(line, " [{}]", states.join(", "));
        }
        if let Some(decision) = e.decision {
            let _ = write!(line, " → {}", decision.as_str());
        }
        if !e.statements.is_empty() {
            let _ = write!(line, " by {}", e.statements.join(", "));
        }
        if let Some(detail) = &e.detail {
            let _ = write!(line, "{}{detail}", if line.is_empty() { "" } else { ": " });
        }
        let _ = writeln!(out, "  - {}", line.trim_start());
    }
    if f.evidence.len() > TEXT_EVIDENCE {
        let _ = writeln!(
            out,
            "  - … and {} more (--output json lists them all)",
            f.evidence.len() - TEXT_EVIDENCE
        );
    }
    let _ = writeln!(out, "  fix: {}", f.fix);
}

fn state_short(state: MfaState) -> &'static str {
    match state {
        MfaState::LongTermKeys => "long-term keys",
        MfaState::TemporaryWithoutMfa => "temporary, no MFA",
        MfaState::WithMfa => "with MFA",
    }
}
