//! One IAM action as the Service Authorization Reference describes it.

use std::fmt;

/// Index of an action in [`Catalog::actions`](crate::Catalog::actions). Actions are sorted by
/// service prefix, then by lowercase name, so each service's actions form a contiguous range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId(pub u32);

impl ActionId {
    /// The index into [`Catalog::actions`](crate::Catalog::actions).
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// The access level the Service Authorization Reference gives an action.
///
/// Where the source lists two levels ("Permissions management, Write" or "Tagging, Write"), the
/// specific one is kept, as the reference's tables show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads resources or their attributes.
    Read,
    /// Creates, changes or deletes resources.
    Write,
    /// Grants or changes permissions (policies, shares, credentials).
    PermissionsManagement,
    /// Changes tags only.
    Tagging,
}

impl AccessLevel {
    /// The name AWS uses, e.g. `Permissions management`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }

    /// Decodes the one-letter code of the data format.
    pub(crate) fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "L" => Self::List,
            "R" => Self::Read,
            "W" => Self::Write,
            "P" => Self::PermissionsManagement,
            "T" => Self::Tagging,
            _ => return None,
        })
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource type an action can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// The resource type's name in its service, e.g. `user`.
    pub name: &'static str,
    /// The ARN template, e.g. `arn:${Partition}:iam::${Account}:user/${UserNameWithPath}`.
    pub arn_template: &'static str,
    /// Whether the action always needs a resource of this type (`*` in the reference's table).
    pub required: bool,
    /// Condition keys the action supports for this resource type. Keys that apply to the
    /// resource type in every action are in [`ResourceTypeDef`](crate::ResourceTypeDef).
    pub condition_keys: Vec<&'static str>,
}

/// One IAM action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// The service prefix, lowercase, e.g. `iam`.
    pub service: &'static str,
    /// The action name in its canonical case, e.g. `ChangePassword`.
    pub name: &'static str,
    /// The access level.
    pub access_level: AccessLevel,
    /// Resource types the action can act on; empty for actions that only allow `"Resource": "*"`.
    pub resource_types: Vec<ResourceType>,
    /// Condition keys the action supports whatever the resource.
    pub condition_keys: Vec<&'static str>,
}

impl Action {
    /// `service:Name`, e.g. `iam:ChangePassword`.
    pub fn full_name(&self) -> String {
        let mut name = String::with_capacity(self.service.len() + 1 + self.name.len());
        name.push_str(self.service);
        name.push(':');
        name.push_str(self.name);
        name
    }

    /// True when the action names no resource type, so policies can only grant it on `*`.
    pub fn is_wildcard_only(&self) -> bool {
        self.resource_types.is_empty()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service, self.name)
    }
}
