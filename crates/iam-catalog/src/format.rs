//! Parser of the action catalog's line format, written by `scripts/catalog/gen.mjs`.
//!
//! One record per line, fields separated by tabs, list items by `|` (an empty field is an empty
//! list). The first line is `iam-catalog actions 1`; then:
//!
//! ```text
//! G <key> <type>                      a global condition key (all before the first service)
//! S <prefix> <service name>           a service; the R, K and A lines up to the next S are its own
//! R <name> <ARN template> <keys>      a resource type; A lines refer to it by its 0-based position
//! K <key> <type>                      a condition key of the service, with its type
//! A <Name> <level> <keys> <types>     an action: level L/R/W/P/T (List, Read, Write, Permissions
//!                                     management, Tagging); types `;`-separated, each
//!                                     `<position>[!][=<keys>]`, `!` marking a required type
//! ```
//!
//! Services are sorted by prefix and actions by lowercase name within their service, which the
//! parser checks because lookups binary-search them.

use std::cmp::Ordering;

use crate::CatalogError;
use crate::action::{AccessLevel, Action, ActionId, ResourceType};
use crate::catalog::{Catalog, ResourceTypeDef, Service, cmp_ignore_case};
use crate::keys::{ConditionKey, KeyType};

const HEADER: &str = "iam-catalog actions 1";
const WHAT: &str = "action catalog";

/// Parses the catalog text. The catalog borrows its strings from `text`.
pub fn parse_actions(text: &'static str) -> Result<Catalog, CatalogError> {
    let mut parser = Parser::default();
    parser.actions.reserve(crate::manifest::ACTION_COUNT);
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = split_ascii(body, b'\n').enumerate();
    match lines.next() {
        Some((_, HEADER)) => {}
        _ => return Err(error(1, format!("the first line is not `{HEADER}`"))),
    }
    for (i, line) in lines {
        parser.line(line).map_err(|reason| error(i + 1, reason))?;
    }
    parser
        .finish()
        .map_err(|reason| error(text.lines().count(), reason))
}

fn error(line: usize, reason: String) -> CatalogError {
    CatalogError::Format {
        what: WHAT,
        line,
        reason,
    }
}

#[derive(Default)]
struct Parser {
    globals: Vec<ConditionKey>,
    services: Vec<Service>,
    actions: Vec<Action>,
}

impl Parser {
    fn line(&mut self, line: &'static str) -> Result<(), String> {
        let (tag, rest) = split_once_ascii(line, b'\t')
            .ok_or_else(|| "no tab after the record type".to_owned())?;
        match tag {
            "G" => self.global(rest),
            "S" => self.service(rest),
            "R" => self.resource_type(rest),
            "K" => self.service_key(rest),
            "A" => self.action(rest),
            other => Err(format!("unknown record type `{other}`")),
        }
    }

    fn global(&mut self, rest: &'static str) -> Result<(), String> {
        if !self.services.is_empty() {
            return Err("a global key after the first service".to_owned());
        }
        let key = condition_key(rest)?;
        self.globals.push(key);
        Ok(())
    }

    fn service(&mut self, rest: &'static str) -> Result<(), String> {
        let [prefix, name] = fields(rest)?;
        if let Some(previous) = self.services.last().filter(|s| prefix <= s.prefix) {
            return Err(format!(
                "service `{prefix}` is not after `{}`",
                previous.prefix
            ));
        }
        if prefix.is_empty() || prefix.bytes().any(|c| c.is_ascii_uppercase() || c == b':') {
            return Err(format!("service prefix `{prefix}` is not lowercase"));
        }
        self.close_service()?;
        let start = self.next_id()?;
        self.services.push(Service {
            prefix,
            name,
            actions: start..start,
            resource_types: Vec::new(),
            condition_keys: Vec::new(),
        });
        Ok(())
    }

    fn resource_type(&mut self, rest: &'static str) -> Result<(), String> {
        let [name, arn_template, keys] = fields(rest)?;
        self.current()?.resource_types.push(ResourceTypeDef {
            name,
            arn_template,
            condition_keys: list(keys),
        });
        Ok(())
    }

    fn service_key(&mut self, rest: &'static str) -> Result<(), String> {
        let key = condition_key(rest)?;
        self.current()?.condition_keys.push(key);
        Ok(())
    }

    fn action(&mut self, rest: &'static str) -> Result<(), String> {
        let [name, level, keys, types] = fields(rest)?;
        let access_level = AccessLevel::from_code(level)
            .ok_or_else(|| format!("unknown access level `{level}`"))?;
        let service = self.current()?;
        let mut resource_types = Vec::with_capacity(count_items(types, b';'));
        if !types.is_empty() {
            for entry in split_ascii(types, b';') {
                resource_types.push(resource_type_use(service, entry)?);
            }
        }
        let service = service.prefix;
        let out_of_order =
            |a: &&Action| a.service == service && cmp_ignore_case(a.name, name) != Ordering::Less;
        if let Some(previous) = self.actions.last().filter(out_of_order) {
            return Err(format!("action `{name}` is not after `{}`", previous.name));
        }
        self.actions.push(Action {
            service,
            name,
            access_level,
            resource_types,
            condition_keys: list(keys),
        });
        Ok(())
    }

    fn current(&mut self) -> Result<&mut Service, String> {
        self.services
            .last_mut()
            .ok_or_else(|| "a service record before any `S` line".to_owned())
    }

    fn next_id(&self) -> Result<ActionId, String> {
        u32::try_from(self.actions.len())
            .map(ActionId)
            .map_err(|_| "too many actions".to_owned())
    }

    /// Ends the current service's action range at the last action read.
    fn close_service(&mut self) -> Result<(), String> {
        let end = self.next_id()?;
        if let Some(service) = self.services.last_mut() {
            service.actions.end = end;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Catalog, String> {
        self.close_service()?;
        Ok(Catalog {
            actions: self.actions,
            services: self.services,
            globals: self.globals,
            keys: Default::default(),
        })
    }
}

/// One entry of an action's resource types: `<position>[!][=<keys>]`.
fn resource_type_use(service: &Service, entry: &'static str) -> Result<ResourceType, String> {
    let (position, keys) = split_once_ascii(entry, b'=').unwrap_or((entry, ""));
    let (position, required) = match position.strip_suffix('!') {
        Some(p) => (p, true),
        None => (position, false),
    };
    let def = position
        .parse::<usize>()
        .ok()
        .and_then(|i| service.resource_types.get(i))
        .ok_or_else(|| {
            format!(
                "no resource type `{position}` in service `{}`",
                service.prefix
            )
        })?;
    Ok(ResourceType {
        name: def.name,
        arn_template: def.arn_template,
        required,
        condition_keys: list(keys),
    })
}

fn condition_key(rest: &'static str) -> Result<ConditionKey, String> {
    let [name, key_type] = fields(rest)?;
    let key_type =
        KeyType::parse(key_type).ok_or_else(|| format!("unknown key type `{key_type}`"))?;
    Ok(ConditionKey { name, key_type })
}

/// Splits a record into exactly `N` tab-separated fields.
fn fields<const N: usize>(rest: &'static str) -> Result<[&'static str; N], String> {
    let mut out = [""; N];
    let mut parts = split_ascii(rest, b'\t');
    for slot in &mut out {
        *slot = parts
            .next()
            .ok_or_else(|| format!("expected {N} fields after the record type"))?;
    }
    match parts.next() {
        None => Ok(out),
        Some(_) => Err(format!("more than {N} fields after the record type")),
    }
}

fn list(field: &'static str) -> Vec<&'static str> {
    let mut items = Vec::with_capacity(count_items(field, b'|'));
    if !field.is_empty() {
        items.extend(split_ascii(field, b'|'));
    }
    items
}

/// How many items a `sep`-separated field holds (none when empty), to allocate lists once.
fn count_items(field: &str, sep: u8) -> usize {
    if field.is_empty() {
        0
    } else {
        memchr::memchr_iter(sep, field.as_bytes()).count() + 1
    }
}

/// Like `str::split_once` for an ASCII separator, with `memchr`, which beats the general `char`
/// searcher on the short fields of this format.
fn split_once_ascii(s: &'static str, sep: u8) -> Option<(&'static str, &'static str)> {
    let at = memchr::memchr(sep, s.as_bytes())?;
    // An ASCII byte is always a char boundary, so both halves exist.
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// Like `str::split` for an ASCII separator (see [`split_once_ascii`]).
fn split_ascii(s: &'static str, sep: u8) -> impl Iterator<Item = &'static str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        match split_once_ascii(current, sep) {
            Some((head, tail)) => {
                rest = Some(tail);
                Some(head)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "iam-catalog actions 1
G\taws:MultiFactorAuthPresent\tBool
S\tiam\tAWS Identity and Access Management (IAM)
R\tgroup\tarn:${Partition}:iam::${Account}:group/${GroupNameWithPath}\t
R\tuser\tarn:${Partition}:iam::${Account}:user/${UserNameWithPath}\taws:ResourceTag/${TagKey}|iam:ResourceTag/${TagKey}
K\tiam:PermissionsBoundary\tARN
A\tChangePassword\tW\t\t1!
A\tCreateUser\tW\taws:TagKeys|iam:PermissionsBoundary\t1!=iam:PermissionsBoundary
A\tListUsers\tL\t\t
S\ts3\tAmazon S3
A\tListAllMyBuckets\tL\ts3:TlsVersion\t
";

    fn parse(text: &'static str) -> Result<Catalog, String> {
        parse_actions(text).map_err(|e| e.to_string())
    }

    #[test]
    fn ascii_splitting_matches_str_split() {
        for s in ["", "a", "a|b", "|", "a||b|", "|x"] {
            let ours: Vec<_> = split_ascii(s, b'|').collect();
            let std: Vec<_> = s.split('|').collect();
            assert_eq!(ours, std, "{s:?}");
            assert_eq!(split_once_ascii(s, b'|'), s.split_once('|'), "{s:?}");
        }
    }

    #[test]
    fn parses_every_record_type() {
        let catalog = parse(SAMPLE).unwrap();
        assert_eq!(catalog.actions.len(), 4);
        assert_eq!(catalog.globals.len(), 1);
        let iam = &catalog.services[0];
        assert_eq!(
            (iam.prefix, iam.actions.clone()),
            ("iam", ActionId(0)..ActionId(3))
        );
        assert_eq!(catalog.services[1].actions, ActionId(3)..ActionId(4));
        assert_eq!(iam.resource_types[1].condition_keys.len(), 2);
        let create = &catalog.actions[1];
        assert_eq!(
            create.condition_keys,
            ["aws:TagKeys", "iam:PermissionsBoundary"]
        );
        assert_eq!(
            create.resource_types,
            [ResourceType {
                name: "user",
                arn_template: "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
                required: true,
                condition_keys: vec!["iam:PermissionsBoundary"],
            }]
        );
        assert_eq!(catalog.actions[2].access_level, AccessLevel::List);
        assert!(catalog.actions[2].resource_types.is_empty());
        assert_eq!(
            catalog.condition_key_type("iam:permissionsboundary"),
            Some(KeyType::Arn)
        );
    }

    #[test]
    fn rejects_malformed_data_with_its_line() {
        let cases: [(&'static str, &str); 9] = [
            ("iam-catalog actions 2\n", "line 1: the first line"),
            (
                "iam-catalog actions 1\nA\tX\tW\t\t\n",
                "line 2: a service record before",
            ),
            (
                "iam-catalog actions 1\nS\tb\tB\nS\ta\tA\n",
                "line 3: service `a` is not after `b`",
            ),
            (
                "iam-catalog actions 1\nS\tIam\tI\n",
                "line 2: service prefix `Iam` is not lowercase",
            ),
            (
                "iam-catalog actions 1\nS\ta\tA\nA\tGet\tW\t\t\nA\tget\tW\t\t\n",
                "line 4: action `get` is not after `Get`",
            ),
            (
                "iam-catalog actions 1\nS\ta\tA\nA\tGet\tX\t\t\n",
                "line 3: unknown access level `X`",
            ),
            (
                "iam-catalog actions 1\nS\ta\tA\nA\tGet\tR\t\t0!\n",
                "line 3: no resource type `0`",
            ),
            (
                "iam-catalog actions 1\nS\ta\tA\nK\ta:k\tText\n",
                "line 3: unknown key type `Text`",
            ),
            (
                "iam-catalog actions 1\nS\ta\tA\tB\n",
                "line 2: more than 2 fields",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err();
            assert!(
                err.contains(expected),
                "{err:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn rejects_global_keys_after_services_and_unknown_records() {
        let late = parse("iam-catalog actions 1\nS\ta\tA\nG\taws:X\tBool\n").unwrap_err();
        assert!(
            late.contains("a global key after the first service"),
            "{late}"
        );
        let unknown = parse("iam-catalog actions 1\nZ\tx\n").unwrap_err();
        assert!(unknown.contains("unknown record type `Z`"), "{unknown}");
        let no_tab = parse("iam-catalog actions 1\nS\n").unwrap_err();
        assert!(no_tab.contains("no tab"), "{no_tab}");
    }
}
