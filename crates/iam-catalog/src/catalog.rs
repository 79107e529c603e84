//! The decoded action catalog and its lookups.

use std::cmp::Ordering;
use std::ops::Range;
use std::sync::OnceLock;

use crate::action::{Action, ActionId};
use crate::keys::{ConditionKey, KeyIndex, KeyType};
use crate::{Source, manifest};

/// A service of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// The service prefix used in actions, lowercase, e.g. `iam`.
    pub prefix: &'static str,
    /// The service's name, e.g. `AWS Identity and Access Management (IAM)`.
    pub name: &'static str,
    /// The service's actions in [`Catalog::actions`].
    pub actions: Range<ActionId>,
    /// The resource types the service defines.
    pub resource_types: Vec<ResourceTypeDef>,
    /// The condition keys the service defines, with their types.
    pub condition_keys: Vec<ConditionKey>,
}

/// A resource type as its service defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceTypeDef {
    /// The name, e.g. `user`.
    pub name: &'static str,
    /// The ARN template, e.g. `arn:${Partition}:iam::${Account}:user/${UserNameWithPath}`.
    pub arn_template: &'static str,
    /// Condition keys that apply to this resource type.
    pub condition_keys: Vec<&'static str>,
}

/// Every AWS action with its access level, resource types and condition keys.
#[derive(Debug, Default)]
pub struct Catalog {
    pub(crate) actions: Vec<Action>,
    pub(crate) services: Vec<Service>,
    pub(crate) globals: Vec<ConditionKey>,
    /// The condition-key index, built on first use: most runs never ask for a key's type.
    pub(crate) keys: OnceLock<KeyIndex>,
}

impl Catalog {
    /// Where the data comes from: print it wherever the catalog's answers are shown.
    pub fn source(&self) -> &'static Source {
        &manifest::ACTIONS_SOURCE
    }

    /// All actions, sorted by service prefix, then lowercase name; the index is the [`ActionId`].
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The action `id` names.
    ///
    /// # Panics
    /// If `id` did not come from this catalog; [`Catalog::get`] returns `None` instead.
    pub fn action(&self, id: ActionId) -> &Action {
        &self.actions[id.index()]
    }

    /// The action `id` names, if it is in range.
    pub fn get(&self, id: ActionId) -> Option<&Action> {
        self.actions.get(id.index())
    }

    /// Finds `service:Name` ignoring case, e.g. `IAM:changepassword`. O(log n), no allocation.
    pub fn lookup(&self, action: &str) -> Option<ActionId> {
        let (service, name) = action.split_once(':')?;
        let range = self.service_range(service)?;
        let actions = self.actions.get(range.start.index()..range.end.index())?;
        let at = actions
            .binary_search_by(|a| cmp_ignore_case(a.name, name))
            .ok()?;
        u32::try_from(at)
            .ok()
            .map(|at| ActionId(range.start.0 + at))
    }

    /// The actions of the service with this prefix (any case).
    pub fn service_range(&self, prefix: &str) -> Option<Range<ActionId>> {
        self.service(prefix).map(|s| s.actions.clone())
    }

    /// The service with this prefix (any case).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let at = self
            .services
            .binary_search_by(|s| cmp_ignore_case(s.prefix, prefix))
            .ok()?;
        self.services.get(at)
    }

    /// All service prefixes, sorted.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.services.iter().map(|s| s.prefix)
    }

    /// The global condition keys (`aws:…` and the few service keys present in every request).
    pub fn global_condition_keys(&self) -> &[ConditionKey] {
        &self.globals
    }

    /// The type of a condition key as written in a policy, any case, with placeholders filled
    /// in: `aws:MultiFactorAuthAge` → `Numeric`, `aws:PrincipalTag/team` → `String`.
    pub fn condition_key_type(&self, key: &str) -> Option<KeyType> {
        self.keys
            .get_or_init(|| {
                let mut index = KeyIndex::default();
                for key in &self.globals {
                    index.add_global(*key);
                }
                for key in self.services.iter().flat_map(|s| &s.condition_keys) {
                    index.add_service_key(*key);
                }
                index
            })
            .key_type(key)
    }

    /// The closest known action to a misspelt `service:Name`, for "did you mean" hints:
    /// `iam:ChangePasword` → `iam:ChangePassword`. The service may be misspelt too. `None` when
    /// nothing is close (an edit distance above a quarter of the name's length, at least 1).
    pub fn suggest(&self, unknown: &str) -> Option<ActionId> {
        let (service, name) = unknown.split_once(':')?;
        let range = match self.service_range(service) {
            Some(range) => range,
            None => self.closest_service(service)?.actions.clone(),
        };
        let name = name.to_ascii_lowercase();
        let limit = (name.len() / 4).max(1);
        (range.start.0..range.end.0)
            .map(ActionId)
            .filter_map(|id| {
                let candidate = self.get(id)?.name.to_ascii_lowercase();
                Some((strsim::osa_distance(&name, &candidate), id))
            })
            .filter(|&(distance, _)| distance <= limit)
            .min()
            .map(|(_, id)| id)
    }

    /// The service whose prefix is within two edits of `prefix`, the closest first.
    fn closest_service(&self, prefix: &str) -> Option<&Service> {
        let prefix = prefix.to_ascii_lowercase();
        self.services
            .iter()
            .map(|s| (strsim::osa_distance(&prefix, s.prefix), s))
            .filter(|&(distance, _)| distance <= 2)
            .min_by_key(|&(distance, _)| distance)
            .map(|(_, s)| s)
    }
}

/// Compares two ASCII strings as if both were lowercased; the order the data is sorted in.
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    for (x, y) in a.bytes().zip(b.bytes()) {
        match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}
