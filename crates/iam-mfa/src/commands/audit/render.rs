//! Printing the audit [`AuditReport`]: a summary, a table of the users with findings and one of
//! the roles assumable without MFA (text), the whole report (JSON), one row per finding (CSV,
//! with the role it is about last), or SARIF 2.1.0. Nothing secret is in the
//! report to begin with: names, ARNs, dates, device serials.

use super::report::{AuditFinding, AuditReport, UserReport};
use crate::ui::output::Report;
use crate::ui::{sarif, table};
use mfa_doctor::{FindingId, RolePower, Severity};

/// `yes`/`no`/`?` for a fact that may be unknown.
fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
}

fn findings_cell(user: &UserReport) -> String {
    user.findings
        .iter()
        .map(|f| format!("{} ({})", f.id.as_str(), f.severity.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text, CSV and SARIF of the audit; JSON is the report itself.
impl Report for AuditReport {
    fn text(&self) -> String {
        text(self)
    }

    fn csv(&self) -> Option<std::io::Result<String>> {
        Some(csv(self).map_err(std::io::Error::other))
    }

    fn sarif(&self) -> Option<serde_json::Value> {
        Some(sarif(self))
    }
}

/// The human summary and tables.
fn text(report: &AuditReport) -> String {
    let mut out = String::new();
    let generated = report
        .credential_report_generated
        .and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    out.push_str(&format!(
        "Account {}: credential report generated {generated}\n",
        report.account.as_deref().unwrap_or("?")
    ));
    let s = &report.summary;
    out.push_str(&format!(
        "{} users, {} with findings; {} distinct policy sets analysed\n",
        s.users, s.users_with_findings, s.policy_sets
    ));
    let counts: Vec<String> = s
        .by_severity
        .iter()
        .rev()
        .map(|(severity, n)| format!("{n} {}", severity.name()))
        .collect();
    out.push_str(&format!(
        "Findings: {}\n",
        if counts.is_empty() {
            "none".to_owned()
        } else {
            counts.join(", ")
        }
    ));
    let root = &report.root;
    out.push_str(&format!(
        "Root user: credentials {}, MFA {}{}\n",
        yes_no(root.credentials),
        yes_no(root.mfa),
        if root.virtual_mfa { " (virtual)" } else { "" }
    ));
    let mut users: Vec<&UserReport> = report
        .users
        .iter()
        .filter(|u| !u.findings.is_empty())
        .collect();
    users.sort_by(|a, b| b.worst().cmp(&a.worst()).then(a.user.cmp(&b.user)));
    if !users.is_empty() {
        let rows: Vec<Vec<String>> = users
            .iter()
            .map(|u| {
                vec![
                    u.user.clone(),
                    yes_no(u.password_enabled).to_owned(),
                    yes_no(u.mfa_active).to_owned(),
                    u.access_keys_active
                        .map_or("?".to_owned(), |n| n.to_string()),
                    findings_cell(u),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table::render(
            &["USER", "PASSWORD", "MFA", "KEYS", "FINDINGS"],
            &rows,
        ));
    }
    if !report.account_findings.is_empty() {
        let rows: Vec<Vec<String>> = report
            .account_findings
            .iter()
            .map(|a| {
                vec![
                    a.subject.clone(),
                    format!("{} ({})", a.finding.id.as_str(), a.finding.severity.name()),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table::render(&["ACCOUNT", "FINDING"], &rows));
    }
    let escapes: Vec<Vec<String>> = report
        .roles
        .iter()
        .filter(|r| !r.assumable_without_mfa.is_empty())
        .map(|r| {
            vec![
                r.role.clone(),
                match &r.power {
                    Some(RolePower::Writes { .. }) => "writes",
                    Some(RolePower::ReadOnly) => "read-only",
                    Some(RolePower::Nothing) => "nothing",
                    Some(RolePower::Unknown) | None => "unknown",
                }
                .to_owned(),
                r.assumable_without_mfa
                    .iter()
                    .map(|e| e.user.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    if !escapes.is_empty() {
        out.push_str(&format!(
            "\nRoles assumable without MFA ({} of {} roles):\n",
            s.roles_assumable_without_mfa, s.roles
        ));
        out.push_str(&table::render(&["ROLE", "POWER", "USERS"], &escapes));
    }
    for r in report.roles.iter().filter(|r| !r.unproven.is_empty()) {
        out.push_str(&format!(
            "\nRole {}: whether {} can assume it without MFA is unproven (its conditions test too many keys).\n",
            r.role,
            r.unproven.join(", ")
        ));
    }
    if s.worst.is_some() {
        out.push_str("\nMessages, evidence and fixes: --output json (or sarif).\n");
    }
    out
}

/// The role a finding is about: the role assumed (`role-assumable-without-mfa`) or the role
/// whose trust policy it is about.
fn role_of<'a>(subject: &'a str, f: &'a AuditFinding) -> &'a str {
    match f.id {
        FindingId::RoleAssumableWithoutMfa => f
            .evidence
            .first()
            .and_then(|e| e.resource.as_deref())
            .unwrap_or_default(),
        _ if subject.contains(":role/") => subject,
        _ => "",
    }
}

/// One CSV row per finding: the user's (or the account's) facts, the finding.
fn csv(report: &AuditReport) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "user",
        "arn",
        "password_enabled",
        "mfa_active",
        "access_keys_active",
        "finding",
        "severity",
        "policy_set",
        "message",
        "role",
    ])?;
    let flag = |v: Option<bool>| v.map_or(String::new(), |b| b.to_string());
    for user in &report.users {
        for f in &user.findings {
            writer.write_record([
                user.user.clone(),
                user.arn.clone(),
                flag(user.password_enabled),
                flag(user.mfa_active),
                user.access_keys_active
                    .map_or(String::new(), |n| n.to_string()),
                f.id.as_str().to_owned(),
                f.severity.name().to_owned(),
                f.policy_set.map_or(String::new(), |n| n.to_string()),
                f.message.clone(),
                role_of(&user.arn, f).to_owned(),
            ])?;
        }
    }
    for a in &report.account_findings {
        writer.write_record([
            String::new(),
            a.subject.clone(),
            String::new(),
            String::new(),
            String::new(),
            a.finding.id.as_str().to_owned(),
            a.finding.severity.name().to_owned(),
            String::new(),
            a.finding.message.clone(),
            role_of(&a.subject, &a.finding).to_owned(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The SARIF log: a result per finding, located at the user's ARN (or the device, the root).
fn sarif(report: &AuditReport) -> serde_json::Value {
    let items: Vec<sarif::Item> = report
        .all_findings()
        .map(|(subject, f)| sarif::Item {
            id: f.id,
            severity: f.severity,
            message: f.message.clone(),
            uri: None,
            logical: Some(subject.to_owned()),
        })
        .collect();
    sarif::log(&items)
}

/// Whether any finding is at least `threshold` (`--fail-on`).
pub fn fails(report: &AuditReport, threshold: Option<Severity>) -> bool {
    threshold.is_some_and(|t| report.summary.worst.is_some_and(|w| w >= t))
}
