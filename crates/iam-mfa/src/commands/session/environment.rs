//! The session as environment variables, and how each shell sets and unsets them.

use crate::session::Error;
use crate::session::cache::Session;

/// Variables that carry credentials or pick a profile. `exec` clears them all before setting
/// the session, so stale values from an earlier session or profile cannot win (the env provider
/// comes first in every SDK chain); `env --unset` unsets the session's own.
pub const STALE: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The variables `env` unsets: those a session sets, plus the legacy token name.
pub const SESSION_NAMES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// The variables that carry `session`.
pub fn session_vars(session: &Session) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", session.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", session.secret_access_key.clone()),
        ("AWS_SESSION_TOKEN", session.session_token.clone()),
        ("AWS_CREDENTIAL_EXPIRATION", session.expiration_rfc3339()),
    ]
}

/// `AWS_REGION` and `AWS_DEFAULT_REGION` (the AWS CLI v1 reads only the latter) set to
/// `region`, each unless the environment already sets it to something, so clients that get the
/// session from `exec` or `env` need no other region setting.
pub fn region_vars(region: &str) -> Vec<(&'static str, String)> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .filter(|name| std::env::var_os(name).is_none_or(|value| value.is_empty()))
        .map(|name| (name, region.to_owned()))
        .collect()
}

/// Output syntaxes of `env`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    /// POSIX sh, bash, zsh: `export NAME='value'`.
    Sh,
    /// fish: `set -gx NAME 'value'`.
    Fish,
    /// PowerShell: `$Env:NAME = 'value'` (environment variables, seen by child processes).
    Powershell,
    /// Windows cmd.exe: `set "NAME=value"`.
    Cmd,
    /// A .env file: `NAME=value`, quoted for python-dotenv, node's dotenv, `node --env-file` and sh.
    Dotenv,
    /// A JSON object.
    Json,
}

/// Renders the commands that set `vars` in `shell`.
pub fn render_set(shell: Shell, vars: &[(&str, String)]) -> Result<String, Error> {
    if shell == Shell::Json {
        let object: serde_json::Map<String, serde_json::Value> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone().into()))
            .collect();
        return json(&object);
    }
    let mut out = String::new();
    for (name, value) in vars {
        let line = match shell {
            Shell::Sh => format!("export {name}={}", sh_quote(value)),
            Shell::Fish => format!("set -gx {name} {}", fish_quote(value)),
            Shell::Powershell => format!("$Env:{name} = {}", powershell_quote(value)),
            Shell::Cmd => format!("set \"{name}={}\"", cmd_value(name, value)?),
            Shell::Dotenv => format!("{name}={}", dotenv_value(name, value)?),
            Shell::Json => String::new(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Renders the commands that unset `names` in `shell` (JSON: the names mapped to null).
pub fn render_unset(shell: Shell, names: &[&str]) -> Result<String, Error> {
    if shell == Shell::Json {
        let object: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .map(|name| ((*name).to_owned(), serde_json::Value::Null))
            .collect();
        return json(&object);
    }
    let mut out = String::new();
    for name in names {
        let line = match shell {
            Shell::Sh => format!("unset {name}"),
            Shell::Fish => format!("set -e {name}"),
            Shell::Powershell => {
                format!("Remove-Item -Path Env:{name} -ErrorAction SilentlyContinue")
            }
            Shell::Cmd => format!("set \"{name}=\""),
            Shell::Dotenv => format!("{name}="),
            Shell::Json => String::new(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

fn json(object: &serde_json::Map<String, serde_json::Value>) -> Result<String, Error> {
    crate::ui::output::to_json_line(object).map_err(|err| Error::Output(std::io::Error::other(err)))
}

/// Single quotes; an embedded `'` becomes `'\''`.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish single quotes: only `\` and `'` are special inside them.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell verbatim string: `'` doubles.
fn powershell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// cmd.exe has no escape that works both in scripts and at the prompt for `"`, `%` or `!`, nor
/// any for line breaks: refuse such values rather than print a command that does something else.
fn cmd_value<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    if value.contains(['"', '%', '!', '\r', '\n']) {
        return Err(Error::Conflict(format!(
            "the value of {name} contains characters cmd.exe cannot take literally; use --shell powershell"
        )));
    }
    Ok(value)
}

/// A value python-dotenv, node's dotenv and `node --env-file` read back as it is, and that runs
/// nothing when the file is sourced by sh: bare when it has only safe characters; else in single
/// quotes, verbatim for all of them except that python-dotenv decodes `\\` and `\'` and expands
/// `${NAME}` even there; else (a value with `'`) in double quotes, when it has none of the
/// characters special inside them (`"`, `\`, `$`, backquote). No quoting carries the rest (nor a
/// control character) for every reader alike: refused, as for cmd.exe.
fn dotenv_value(name: &str, value: &str) -> Result<String, Error> {
    let bare = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/+=:._-".contains(c));
    if bare {
        return Ok(value.to_owned());
    }
    let printable = !value.contains(char::is_control);
    let single = !value.contains('\'')
        && !value.contains("\\\\")
        && !value.ends_with('\\')
        && !value.contains("${");
    if printable && single {
        return Ok(format!("'{value}'"));
    }
    if printable && !value.contains(['"', '\\', '$', '`']) {
        return Ok(format!("\"{value}\""));
    }
    Err(Error::Conflict(format!(
        "the value of {name} has characters that no .env quoting keeps the same for python-dotenv, node's dotenv, `node --env-file` and sh; use --shell json or sh"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(value: &str) -> Vec<(&'static str, String)> {
        vec![("AWS_SESSION_TOKEN", value.to_owned())]
    }

    #[test]
    fn each_shell_quotes_its_own_way() {
        let tricky = vars(r"a'b\c $d");
        assert_eq!(
            render_set(Shell::Sh, &tricky).unwrap(),
            "export AWS_SESSION_TOKEN='a'\\''b\\c $d'\n"
        );
        assert_eq!(
            render_set(Shell::Fish, &tricky).unwrap(),
            "set -gx AWS_SESSION_TOKEN 'a\\'b\\\\c $d'\n"
        );
        assert_eq!(
            render_set(Shell::Powershell, &tricky).unwrap(),
            "$Env:AWS_SESSION_TOKEN = 'a''b\\c $d'\n"
        );
        assert!(render_set(Shell::Dotenv, &tricky).is_err());
        assert!(render_set(Shell::Cmd, &vars("50%")).is_err());
        assert_eq!(
            render_set(Shell::Cmd, &vars("ab/c+=")).unwrap(),
            "set \"AWS_SESSION_TOKEN=ab/c+=\"\n"
        );
        assert_eq!(
            render_set(Shell::Dotenv, &vars("ab/c+=")).unwrap(),
            "AWS_SESSION_TOKEN=ab/c+=\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render_set(Shell::Json, &tricky).unwrap()).unwrap();
        assert_eq!(json["AWS_SESSION_TOKEN"], r"a'b\c $d");
    }

    #[test]
    fn dotenv_quotes_for_every_reader_or_refuses() {
        let set = |value: &str| render_set(Shell::Dotenv, &vars(value));
        assert_eq!(
            set("a`b$c\"d\\e #f").unwrap(),
            "AWS_SESSION_TOKEN='a`b$c\"d\\e #f'\n"
        );
        assert_eq!(set("it's #1").unwrap(), "AWS_SESSION_TOKEN=\"it's #1\"\n");
        // python-dotenv decodes `\\` and expands `${X}` inside single quotes; `'` with a
        // character special in double quotes, and line breaks, have no common form.
        for refused in [
            "a\\\\b",
            "ab\\",
            "a${HOME}",
            "it's $x",
            "it's \"q\"",
            "a\nb",
        ] {
            let err = set(refused).unwrap_err().to_string();
            assert!(err.contains("use --shell json"), "{refused}: {err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn sh_output_round_trips_through_a_real_shell() {
        let value = "it's a \\ \"test\" $HOME `x` \n end";
        let script =
            render_set(Shell::Sh, &vars(value)).unwrap() + "printf %s \"$AWS_SESSION_TOKEN\"";
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), value);
    }

    #[test]
    fn unset_forms() {
        let names = ["AWS_SESSION_TOKEN"];
        assert_eq!(
            render_unset(Shell::Sh, &names).unwrap(),
            "unset AWS_SESSION_TOKEN\n"
        );
        assert_eq!(
            render_unset(Shell::Fish, &names).unwrap(),
            "set -e AWS_SESSION_TOKEN\n"
        );
        assert_eq!(
            render_unset(Shell::Powershell, &names).unwrap(),
            "Remove-Item -Path Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue\n"
        );
        assert_eq!(
            render_unset(Shell::Cmd, &names).unwrap(),
            "set \"AWS_SESSION_TOKEN=\"\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render_unset(Shell::Json, &names).unwrap()).unwrap();
        assert!(json["AWS_SESSION_TOKEN"].is_null());
    }
}
