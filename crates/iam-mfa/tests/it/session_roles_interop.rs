//! `setup` of role profiles, and the real clients (the AWS CLI, boto3, the AWS SDK for
//! JavaScript v3 and Debian's AWS SDKs for Go v1 and v2) getting role sessions in two accounts
//! through the credential_process lines it wrote, all on one MFA session: one code in total.

use crate::common::{Moto, Sandbox, assert_exit, stderr, stdout};
use crate::session_setup::{clients, go_clients};

const ADMIN_ROLE: &str = "arn:aws:iam::222222222222:role/Admin";
const READ_ONLY_ROLE: &str = "arn:aws:iam::333333333333:role/ReadOnly";

#[tokio::test]
async fn every_client_gets_role_sessions_in_two_accounts_on_one_mfa_code() {
    let moto = Moto::start();
    let user = moto.create_user_with_mfa("alice").await;
    let go = go_clients();
    let sandbox = Sandbox::new(&moto);
    sandbox.write_credentials(&user.credentials_section("work"));
    // mfa_process that notes each time it is asked for a code.
    let asked = sandbox.home().join("codes-asked.log");
    let script = sandbox.home().join("code.sh");
    std::fs::write(
        &script,
        format!("echo asked >> '{}'\necho 123456\n", asked.display()),
    )
    .unwrap();
    sandbox.write_config(&format!(
        "[profile work]\nmfa_process = sh '{}'\n\n\
         [profile prod-admin]\nrole_arn = {ADMIN_ROLE}\nsource_profile = work\nrole_session_name = alice-admin\n\n\
         [profile staging-ro]\nrole_arn = {READ_ONLY_ROLE}\nsource_profile = work\n",
        script.display()
    ));
    let codes_asked = || {
        std::fs::read_to_string(&asked)
            .unwrap_or_default()
            .lines()
            .count()
    };

    let exe = std::fs::canonicalize(crate::common::IAM_MFA).unwrap();
    for (profile, role) in [("prod-admin", ADMIN_ROLE), ("staging-ro", READ_ONLY_ROLE)] {
        let output = sandbox.run(&["setup", profile]);
        assert_exit(&output, 0);
        let text = stdout(&output);
        assert!(
            text.contains(&format!("Configured [profile {profile}-mfa]")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "role {role}, assumed on the MFA session of `work`"
            )),
            "{text}"
        );
        let config = sandbox.read_config();
        assert!(
            section(&config, &format!("{profile}-mfa")).contains(&format!(
                "credential_process = {} process {profile}\n",
                exe.display()
            )),
            "{config}"
        );
    }
    // The serial found once, by the first setup, went into the source profile, where the second
    // setup found it.
    let config = sandbox.read_config();
    assert!(
        section(&config, "work").contains(&format!("mfa_serial = {}\n", user.serial())),
        "{config}"
    );
    for role_profile in ["prod-admin", "staging-ro"] {
        assert!(
            !section(&config, role_profile).contains("mfa_serial"),
            "{config}"
        );
    }
    assert_eq!(moto.count("ListMFADevices"), 1);
    assert_eq!(codes_asked(), 0, "setup asks for no code");
    assert_eq!(moto.count("GetSessionToken"), 0);
    assert_eq!(moto.count("AssumeRole"), 0);

    let mut staging_arns = Vec::new();
    for (round, profile) in ["prod-admin-mfa", "staging-ro-mfa"].into_iter().enumerate() {
        for (client, mut command) in clients(&sandbox, &moto, &go, profile, "Arn") {
            let output = command.output().unwrap();
            assert!(
                output.status.success(),
                "{client} failed for {profile}:\n{}{}",
                stdout(&output),
                stderr(&output)
            );
            let arn = stdout(&output).trim().to_owned();
            if profile == "prod-admin-mfa" {
                assert_eq!(
                    arn, "arn:aws:sts::222222222222:assumed-role/Admin/alice-admin",
                    "{client}"
                );
            } else {
                assert!(
                    arn.starts_with("arn:aws:sts::333333333333:assumed-role/ReadOnly/iam-mfa-"),
                    "{client}: {arn}"
                );
                staging_arns.push(arn);
            }
            // The first client of each profile assumed its role; every later one used the cache.
            assert_eq!(
                moto.count("AssumeRole"),
                round + 1,
                "{client} for {profile}"
            );
            assert_eq!(moto.count("GetSessionToken"), 1, "{client} for {profile}");
            assert_eq!(codes_asked(), 1, "{client} for {profile}");
        }
    }
    // One cached role session: every client saw the same session name.
    assert!(
        staging_arns.windows(2).all(|pair| pair[0] == pair[1]),
        "{staging_arns:?}"
    );
}

/// The lines of `[profile NAME]` in config text `config` (empty when it is missing).
fn section<'a>(config: &'a str, name: &str) -> &'a str {
    let header = format!("[profile {name}]\n");
    let Some(start) = config.find(&header) else {
        return "";
    };
    let body = &config[start + header.len()..];
    body.find("\n[").map_or(body, |end| &body[..=end])
}
