//! Where the two files are and which profile is selected, from an environment lookup (so tests need not touch the
//! process environment).

use crate::error::Error;
use std::path::PathBuf;

/// The locations of the shared config and credentials files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    pub config: PathBuf,
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    pub credentials: PathBuf,
}

impl Paths {
    /// [`Paths::from_lookup`] over the process environment (variables that are not UTF-8 count as unset).
    pub fn from_env() -> Result<Paths, Error> {
        Paths::from_lookup(|name| std::env::var(name).ok())
    }

    /// Resolves both paths as the SDKs do: the override variable if set and non-empty, else the default under the
    /// home directory; a leading `~` (alone or before a separator, never `~user`) is expanded in either. The home
    /// directory is `HOME`, else `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH` (the Rust SDK consults the last two
    /// only on Windows, where they are the only ones set). Empty variables count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Paths, Error> {
        let get = |name: &str| get(name).filter(|value| !value.is_empty());
        let home = home_dir(&get);
        let resolve = |var: &str, default: &str| match get(var) {
            Some(path) => expand_home(&path, home.as_deref()),
            None => home
                .as_ref()
                .map(|home| PathBuf::from(home).join(".aws").join(default))
                .ok_or(Error::NoHome),
        };
        Ok(Paths {
            config: resolve("AWS_CONFIG_FILE", "config")?,
            credentials: resolve("AWS_SHARED_CREDENTIALS_FILE", "credentials")?,
        })
    }

    /// The path of one of the two files.
    pub fn of(&self, kind: crate::FileKind) -> &std::path::Path {
        match kind {
            crate::FileKind::Config => &self.config,
            crate::FileKind::Credentials => &self.credentials,
        }
    }
}

/// The selected profile: `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE` (the AWS CLI's older name), else `default`.
/// When both are set the SDKs disagree (botocore prefers `AWS_DEFAULT_PROFILE`); we follow the Rust and Go SDKs.
pub fn selected_profile(get: impl Fn(&str) -> Option<String>) -> String {
    ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
        .into_iter()
        .find_map(|name| get(name).filter(|value| !value.is_empty()))
        .unwrap_or_else(|| "default".to_owned())
}

fn home_dir(get: &impl Fn(&str) -> Option<String>) -> Option<String> {
    get("HOME")
        .or_else(|| get("USERPROFILE"))
        .or_else(|| Some(get("HOMEDRIVE")? + &get("HOMEPATH")?))
}

/// Expands a leading `~` component.
fn expand_home(path: &str, home: Option<&str>) -> Result<PathBuf, Error> {
    let rest = if path == "~" {
        ""
    } else if let Some(rest) = path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\")) {
        rest
    } else {
        return Ok(PathBuf::from(path));
    };
    let home = home.ok_or(Error::NoHome)?;
    Ok(PathBuf::from(home).join(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn paths(config: &str, credentials: &str) -> Paths {
        Paths {
            config: config.into(),
            credentials: credentials.into(),
        }
    }

    type Case = (&'static [(&'static str, &'static str)], Option<Paths>);

    /// The Unix cases of aws-runtime's `file-location-tests.json`, plus the fallbacks and `~` rules.
    #[test]
    fn resolves_like_the_sdk() {
        let cases: &[Case] = &[
            (
                &[
                    ("HOME", "/home/user"),
                    ("USERPROFILE", "ignored"),
                    ("HOMEDRIVE", "x"),
                    ("HOMEPATH", "y"),
                ],
                Some(paths(
                    "/home/user/.aws/config",
                    "/home/user/.aws/credentials",
                )),
            ),
            (
                &[("USERPROFILE", "/u/p")],
                Some(paths("/u/p/.aws/config", "/u/p/.aws/credentials")),
            ),
            (
                &[("HOMEDRIVE", "/d"), ("HOMEPATH", "/p")],
                Some(paths("/d/p/.aws/config", "/d/p/.aws/credentials")),
            ),
            (
                &[("HOME", ""), ("USERPROFILE", "/u")],
                Some(paths("/u/.aws/config", "/u/.aws/credentials")),
            ),
            (
                &[
                    ("AWS_CONFIG_FILE", "/other/path/config"),
                    ("HOME", "/home/user"),
                ],
                Some(paths("/other/path/config", "/home/user/.aws/credentials")),
            ),
            (
                &[
                    ("AWS_SHARED_CREDENTIALS_FILE", "/other/path/credentials"),
                    ("HOME", "/home/user"),
                ],
                Some(paths("/home/user/.aws/config", "/other/path/credentials")),
            ),
            (
                &[
                    ("AWS_CONFIG_FILE", "~/c"),
                    ("AWS_SHARED_CREDENTIALS_FILE", "~"),
                    ("HOME", "/h"),
                ],
                Some(paths("/h/c", "/h")),
            ),
            (
                &[
                    ("AWS_CONFIG_FILE", "~aws/c"),
                    ("AWS_SHARED_CREDENTIALS_FILE", "rel/~/x"),
                ],
                Some(paths("~aws/c", "rel/~/x")),
            ),
            (&[("AWS_CONFIG_FILE", "/c")], None),
            (
                &[
                    ("AWS_CONFIG_FILE", "~/c"),
                    ("AWS_SHARED_CREDENTIALS_FILE", "/x"),
                ],
                None,
            ),
        ];
        for (vars, want) in cases {
            let got = Paths::from_lookup(env(vars)).ok();
            assert_eq!(&got, want, "env {vars:?}");
        }
        assert!(matches!(Paths::from_lookup(env(&[])), Err(Error::NoHome)));
    }

    #[test]
    fn selected_profile_prefers_aws_profile() {
        assert_eq!(selected_profile(env(&[])), "default");
        assert_eq!(selected_profile(env(&[("AWS_PROFILE", "")])), "default");
        assert_eq!(selected_profile(env(&[("AWS_PROFILE", "other")])), "other");
        assert_eq!(
            selected_profile(env(&[("AWS_DEFAULT_PROFILE", "old")])),
            "old"
        );
        assert_eq!(
            selected_profile(env(&[("AWS_PROFILE", "a"), ("AWS_DEFAULT_PROFILE", "b")])),
            "a"
        );
    }
}
