//! SARIF 2.1.0 output (`--output sarif`) for code-scanning pipelines (GitHub code scanning,
//! GitLab, Azure DevOps): one run of the `iam-mfa` tool, a rule per doctor finding id, a
//! result per finding.

use serde_json::{Value, json};

use mfa_doctor::{FindingId, Severity};

/// One result: a finding and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The rule.
    pub id: FindingId,
    /// The finding's severity (may differ from the rule's default, e.g. a lock-out).
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The policy file the finding is about, when it is a file (a relative path or a URI).
    pub uri: Option<String>,
    /// What else it is about: a user ARN, a policy name.
    pub logical: Option<String>,
}

/// SARIF's `level` for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score (0–10) for a severity.
fn score(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// The SARIF log for `items`; every rule is listed so that consumers can show what was checked.
pub fn log(items: &[Item]) -> Value {
    let rules: Vec<Value> = FindingId::ALL
        .iter()
        .map(|id| {
            json!({
                "id": id.as_str(),
                "name": id.as_str(),
                "shortDescription": {"text": id.summary()},
                "defaultConfiguration": {"level": level(id.default_severity())},
                "properties": {"security-severity": score(id.default_severity()), "tags": ["security", "iam", "mfa"]}
            })
        })
        .collect();
    let results: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut location = serde_json::Map::new();
            if let Some(uri) = &item.uri {
                location.insert(
                    "physicalLocation".into(),
                    json!({"artifactLocation": {"uri": uri}}),
                );
            }
            if let Some(name) = &item.logical {
                location.insert(
                    "logicalLocations".into(),
                    json!([{"fullyQualifiedName": name}]),
                );
            }
            let rule_index = FindingId::ALL.iter().position(|id| *id == item.id);
            json!({
                "ruleId": item.id.as_str(),
                "ruleIndex": rule_index,
                "level": level(item.severity),
                "message": {"text": item.message},
                "locations": if location.is_empty() { json!([]) } else { json!([location]) },
                "properties": {"severity": item.severity.name()}
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iam-mfa",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "results": results
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_point_at_their_rule_and_location() {
        let log = log(&[Item {
            id: FindingId::MfaConditionBool,
            severity: Severity::High,
            message: "Bool lets keys through".into(),
            uri: Some("policies/force-mfa.json".into()),
            logical: Some("Force_MFA#Deny".into()),
        }]);
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), FindingId::ALL.len());
        let result = &run["results"][0];
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], "mfa-condition-bool");
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "policies/force-mfa.json"
        );
        assert_eq!(
            result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "Force_MFA#Deny"
        );
        assert_eq!(log["version"], "2.1.0");
    }
}
