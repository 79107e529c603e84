//! AssumeRole refusals a loopback endpoint stages (moto checks no trust policy and no
//! MaxSessionDuration): the advice names the role, the profile and the caller AWS named, a
//! refusal caches nothing, and no secret reaches the output.

use crate::common::loopback::{self, Reply, Server};
use crate::common::{Sandbox, assert_exit, stderr, stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const ADMIN_ROLE: &str = "arn:aws:iam::222222222222:role/Admin";
const DEEP_ROLE: &str = "arn:aws:iam::333333333333:role/Deep";
/// The caller AWS names when the MFA session of the source profile is refused.
const CALLER: &str = "arn:aws:iam::123456789012:user/alice";
/// The code `mfa_process` prints.
const CODE: &str = "975310";
/// The MFA session the fake GetSessionToken hands out.
const MFA_KEY: &str = "ASIAMFASESSIONEXAMPLE";
const MFA_SECRET: &str = "mfa/session/SECRET/EXAMPLEKEY";
const MFA_TOKEN: &str = "MFAsessionTOKEN/EXAMPLE";
/// The role session the fake AssumeRole hands out when it grants one.
const ROLE_KEY: &str = "ASIAROLESESSIONEXAMPLE";
const ROLE_SECRET: &str = "role/session/SECRET/EXAMPLEKEY";
const ROLE_TOKEN: &str = "ROLEsessionTOKEN/EXAMPLE";
const TOO_LONG: &str =
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";

/// A fake STS and IAM: GetSessionToken always grants the MFA session, AssumeRole answers as
/// `assume_role` says for the request body, GetRole with `get_role`.
fn fake_aws(
    assume_role: impl Fn(&str) -> Reply + Send + Sync + 'static,
    get_role: Reply,
) -> Server {
    Server::start(move |body| match loopback::action(body) {
        Some("GetSessionToken") => Reply::Answer(
            200,
            loopback::session_xml(MFA_KEY, MFA_SECRET, MFA_TOKEN, &rfc3339_in(12 * 3600)),
        ),
        Some("AssumeRole") => assume_role(body),
        Some("GetRole") => get_role.clone(),
        _ => Reply::Answer(
            400,
            loopback::error_xml("InvalidAction", "not staged by this test"),
        ),
    })
}

/// AccessDenied on AssumeRole, worded as AWS words it for `caller` and `role`.
fn denied(caller: &str, role: &str) -> Reply {
    Reply::Answer(
        403,
        loopback::error_xml(
            "AccessDenied",
            &format!(
                "User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}"
            ),
        ),
    )
}

/// A granted role session for `role` (session name `iam-mfa-1`).
fn granted(role: &str) -> Reply {
    let (account, name) = role
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(":role/"))
        .unwrap();
    Reply::Answer(
        200,
        loopback::assume_role_xml(
            ROLE_KEY,
            ROLE_SECRET,
            ROLE_TOKEN,
            &rfc3339_in(3600),
            &format!("arn:aws:sts::{account}:assumed-role/{name}/iam-mfa-1"),
        ),
    )
}

/// A sandbox against `server`: source profile `work` (made-up keys, `mfa_process` printing
/// [`CODE`]) and role profile `prod-admin` on it, with `role_lines` added to it.
fn sandbox(server: &Server, role_lines: &str) -> Sandbox {
    let sandbox = Sandbox::with_endpoint(server.endpoint());
    sandbox.add_fake_profile("work");
    let config = sandbox.read_config()
        + &format!(
            "mfa_process = echo {CODE}\n\n[profile prod-admin]\nrole_arn = {ADMIN_ROLE}\nsource_profile = work\n{role_lines}"
        );
    sandbox.write_config(&config);
    sandbox
}

/// Bodies of the requests for `action` the server received.
fn requests(server: &Server, action: &str) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|body| loopback::action(body) == Some(action))
        .collect()
}

/// The role sessions in the sandbox's cache.
fn cached_role_sessions(sandbox: &Sandbox) -> Vec<String> {
    std::fs::read_dir(sandbox.cache_dir())
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("role-") && name.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

/// Panics if a secret (long-term, MFA session, role session, or the code) is in the output.
fn assert_no_secret(output: &std::process::Output) {
    let all = stdout(output) + &stderr(output);
    for secret in [
        loopback::SECRET_ACCESS_KEY,
        MFA_SECRET,
        MFA_TOKEN,
        ROLE_SECRET,
        ROLE_TOKEN,
        CODE,
    ] {
        assert!(!all.contains(secret), "`{secret}` is in the output:\n{all}");
    }
}

/// RFC 3339 (whole seconds) of now + `seconds`.
fn rfc3339_in(seconds: u64) -> String {
    let at = std::time::SystemTime::now() + std::time::Duration::from_secs(seconds);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[test]
fn access_denied_names_the_role_the_profile_the_caller_and_every_usual_cause() {
    let not_set = "or it requires an external ID (sts:ExternalId), which [profile prod-admin] does not set (add external_id)";
    let mismatched =
        "or the external_id of [profile prod-admin] is not the one it requires (sts:ExternalId)";
    for (external_id, hint, other_hint) in [
        (None, not_set, mismatched),
        (Some("partner-42"), mismatched, not_set),
    ] {
        let server = fake_aws(
            |_| denied(CALLER, ADMIN_ROLE),
            Reply::Answer(500, String::new()),
        );
        let lines = external_id.map_or_else(String::new, |id| format!("external_id = {id}\n"));
        let sandbox = sandbox(&server, &lines);
        let output = sandbox.run(&["--debug", "process", "prod-admin"]);
        assert_exit(&output, 5);
        assert!(stdout(&output).is_empty());
        let text = stderr(&output);
        for expected in [
            &format!("cannot assume role {ADMIN_ROLE} for profile `prod-admin`"),
            &format!("AWS denied `{CALLER}` (signing with an MFA session)"),
            &format!("the role's trust policy does not allow `{CALLER}`"),
            "requires MFA (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge)",
            hint,
            "The caller's own policies must also allow sts:AssumeRole on the role",
        ] {
            assert!(
                text.contains(expected),
                "{external_id:?}: no `{expected}` in:\n{text}"
            );
        }
        assert!(!text.contains(other_hint), "{external_id:?}: {text}");
        assert_no_secret(&output);

        let assume_role = requests(&server, "AssumeRole");
        assert_eq!(assume_role.len(), 1, "{assume_role:?}");
        assert!(
            assume_role[0].contains("RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2FAdmin")
        );
        assert_eq!(
            assume_role[0].contains("ExternalId=partner-42"),
            external_id.is_some(),
            "{}",
            assume_role[0]
        );
        assert!(
            requests(&server, "GetRole").is_empty(),
            "an AccessDenied needs no GetRole"
        );
    }
}

#[test]
fn access_denied_on_a_chained_role_names_the_previous_role_session_as_the_caller() {
    let admin_session = "arn:aws:sts::222222222222:assumed-role/Admin/iam-mfa-1";
    let server = fake_aws(
        move |body| {
            if body.contains("role%2FDeep") {
                denied(admin_session, DEEP_ROLE)
            } else {
                granted(ADMIN_ROLE)
            }
        },
        Reply::Answer(500, String::new()),
    );
    let sandbox = sandbox(&server, "");
    let config = sandbox.read_config()
        + &format!("\n[profile deep]\nrole_arn = {DEEP_ROLE}\nsource_profile = prod-admin\n");
    sandbox.write_config(&config);
    let output = sandbox.run(&["process", "deep"]);
    assert_exit(&output, 5);
    let text = stderr(&output);
    for expected in [
        &format!("cannot assume role {DEEP_ROLE} for profile `deep`"),
        &format!(
            "AWS denied `{admin_session}` (signing with the session of role profile `prod-admin`)"
        ),
        "which [profile deep] does not set (add external_id)",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
    assert_no_secret(&output);
    // The role session that was granted is kept; the refused one is asked for again.
    let again = sandbox.run(&["process", "deep"]);
    assert_exit(&again, 5);
    let assume_role = requests(&server, "AssumeRole");
    let deep = assume_role
        .iter()
        .filter(|body| body.contains("role%2FDeep"))
        .count();
    assert_eq!((assume_role.len(), deep), (3, 2), "{assume_role:?}");
    assert_eq!(requests(&server, "GetSessionToken").len(), 1);
}

#[test]
fn a_duration_above_the_roles_maximum_names_the_maximum_only_when_get_role_tells_it() {
    let too_long = || Reply::Answer(400, loopback::error_xml("ValidationError", TOO_LONG));
    let unreadable = "which iam-mfa cannot read (iam:GetRole is not allowed, or the role is in another account); it is 3600 s unless its administrator raised it";
    let cases = [
        (
            "GetRole tells",
            "duration_seconds = 43200\n",
            &[][..],
            Reply::Answer(200, loopback::get_role_xml(ADMIN_ROLE, 7200)),
            "43200 s (duration_seconds of [profile prod-admin]) is more than the role's maximum session duration, 7200 s",
        ),
        (
            "--duration",
            "",
            &["--duration", "43200"][..],
            Reply::Answer(200, loopback::get_role_xml(ADMIN_ROLE, 7200)),
            "43200 s (--duration) is more than the role's maximum session duration, 7200 s",
        ),
        (
            "GetRole denied",
            "duration_seconds = 43200\n",
            &[][..],
            Reply::Answer(
                403,
                loopback::error_xml(
                    "AccessDenied",
                    "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:GetRole on resource: role Admin",
                ),
            ),
            unreadable,
        ),
        (
            // GetRole by name reads the caller's account: a role of the same name there is
            // another role, whose maximum says nothing about this one.
            "same name in the caller's account",
            "duration_seconds = 43200\n",
            &[][..],
            Reply::Answer(
                200,
                loopback::get_role_xml("arn:aws:iam::123456789012:role/Admin", 7200),
            ),
            unreadable,
        ),
    ];
    for (name, lines, flags, get_role, expected) in cases {
        let server = fake_aws(move |_| too_long(), get_role);
        let sandbox = sandbox(&server, lines);
        let output = sandbox
            .iam_mfa()
            .args(["--debug", "process", "prod-admin"])
            .args(flags)
            .output()
            .unwrap();
        assert_exit(&output, 1);
        let text = stderr(&output);
        assert!(
            text.contains(&format!(
                "cannot assume role {ADMIN_ROLE} for profile `prod-admin`"
            )),
            "{name}: {text}"
        );
        assert!(
            text.contains(expected),
            "{name}: no `{expected}` in:\n{text}"
        );
        if expected == unreadable {
            assert!(!text.contains("7200"), "{name}: {text}");
        } else {
            assert!(text.contains("at most 7200"), "{name}: {text}");
        }
        assert_no_secret(&output);
        let assume_role = requests(&server, "AssumeRole");
        assert_eq!(assume_role.len(), 1, "{name}: {assume_role:?}");
        assert!(assume_role[0].contains("DurationSeconds=43200"), "{name}");
        let get_role = requests(&server, "GetRole");
        assert_eq!(get_role.len(), 1, "{name}: {get_role:?}");
        assert!(
            get_role[0].contains("RoleName=Admin"),
            "{name}: {get_role:?}"
        );
        assert!(cached_role_sessions(&sandbox).is_empty(), "{name}");
    }
}

#[test]
fn a_refused_role_session_is_not_cached_and_the_next_run_asks_again_on_the_cached_mfa_session() {
    let deny = Arc::new(AtomicBool::new(true));
    let server = {
        let deny = deny.clone();
        fake_aws(
            move |_| {
                if deny.load(Ordering::SeqCst) {
                    denied(CALLER, ADMIN_ROLE)
                } else {
                    granted(ADMIN_ROLE)
                }
            },
            Reply::Answer(500, String::new()),
        )
    };
    let sandbox = sandbox(&server, "");
    for run in 1..=2 {
        let output = sandbox.run(&["process", "prod-admin"]);
        assert_exit(&output, 5);
        assert_no_secret(&output);
        assert!(cached_role_sessions(&sandbox).is_empty(), "run {run}");
        assert_eq!(requests(&server, "AssumeRole").len(), run);
    }
    // The MFA session was good and stays cached: one code for every run.
    let get_session_token = requests(&server, "GetSessionToken");
    assert_eq!(get_session_token.len(), 1);
    assert!(get_session_token[0].contains(&format!("TokenCode={CODE}")));

    // Once the trust policy lets the caller in, the role session is obtained and then cached.
    deny.store(false, Ordering::SeqCst);
    let granted = sandbox.run(&["process", "prod-admin"]);
    assert_exit(&granted, 0);
    let credentials: serde_json::Value = serde_json::from_str(&stdout(&granted)).unwrap();
    assert_eq!(credentials["AccessKeyId"], ROLE_KEY);
    assert_eq!(cached_role_sessions(&sandbox).len(), 1);
    let cached = sandbox.run(&["process", "prod-admin"]);
    assert_exit(&cached, 0);
    assert_eq!(stdout(&cached), stdout(&granted));
    assert_eq!(requests(&server, "AssumeRole").len(), 3);
    assert_eq!(requests(&server, "GetSessionToken").len(), 1);
}
