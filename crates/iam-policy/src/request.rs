//! A request to authorize: action, resource and context keys.

use serde::{Deserialize, Serialize};

/// A context key's value: single-valued, or multi-valued (a set, R10–R11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// One value.
    Single(String),
    /// A set of values; a set of one behaves as a single value.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The value when there is exactly one.
    pub fn as_single(&self) -> Option<&str> {
        match self {
            Self::Single(s) => Some(s),
            Self::Multi(v) => match v.as_slice() {
                [one] => Some(one),
                _ => None,
            },
        }
    }

    /// All values, as a slice-like list.
    pub fn values(&self) -> &[String] {
        match self {
            Self::Single(s) => std::slice::from_ref(s),
            Self::Multi(v) => v,
        }
    }
}

/// The request context. Key names are case-insensitive (R14): they are stored lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, ContextValue)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let key = key.to_ascii_lowercase();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Builder form of [`Context::insert`] for a single value.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.insert(key, ContextValue::Single(value.to_owned()));
        self
    }

    /// The value of `key`, which must already be lowercase.
    pub(crate) fn get(&self, lower_key: &str) -> Option<&ContextValue> {
        self.entries
            .iter()
            .find(|(k, _)| k == lower_key)
            .map(|(_, v)| v)
    }

    /// The value of `key` in any case.
    pub fn lookup(&self, key: &str) -> Option<&ContextValue> {
        self.get(&key.to_ascii_lowercase())
    }

    /// Removes `key` (any case).
    pub fn remove(&mut self, key: &str) {
        let key = key.to_ascii_lowercase();
        self.entries.retain(|(k, _)| *k != key);
    }

    /// The entries, keys lowercase.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// One request: `action` as `service:Name` (any case, R15), the resource ARN, and the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    action: String,
    action_lower: String,
    resource: String,
    context: Context,
}

impl Request {
    /// A request for `action` on `resource` with `context`.
    pub fn new(action: &str, resource: &str, context: Context) -> Self {
        Self {
            action: action.to_owned(),
            action_lower: action.to_ascii_lowercase(),
            resource: resource.to_owned(),
            context,
        }
    }

    /// The action as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action lowercased (actions are case-insensitive).
    pub(crate) fn action_lower(&self) -> &str {
        &self.action_lower
    }

    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Replaces the resource, keeping action and context.
    pub fn set_resource(&mut self, resource: &str) {
        resource.clone_into(&mut self.resource);
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The context, for changes.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.context
    }
}
