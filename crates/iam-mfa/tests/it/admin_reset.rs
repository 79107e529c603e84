//! `iam-mfa reset` against moto: the lost-device recovery, checked through the SDK.

use crate::admin_support::{
    Script, admin, admin_sandbox, create_user, run_with_input, user_serials, virtual_serials,
};
use crate::common::{Moto, assert_exit, create_virtual, enable, enable_virtual, stderr, stdout};
use aws_sdk_iam::types::AssignmentStatusType;
use iam_mfa::args::Listing;
use iam_mfa::commands::admin::Error;
use iam_mfa::commands::admin::plan::Mutating;
use iam_mfa::commands::admin::reset::{self, Args};

fn args(user: &str, serials: &[&str], yes: bool, dry_run: bool) -> Args {
    Args {
        user: user.to_owned(),
        serials: serials.iter().map(|s| (*s).to_owned()).collect(),
        all: false,
        mutating: Mutating { yes, dry_run },
        listing: Listing::default(),
    }
}

#[tokio::test]
async fn virtual_device_is_deactivated_and_deleted_and_a_second_run_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "mfa-test").await;
    let serial = enable_virtual(&admin.iam, "mfa-test", "mfa-test").await;

    let first = reset::run(
        &admin,
        &args("mfa-test", &[], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(first.changed);
    assert_eq!(
        first.calls.iter().map(|c| c.api()).collect::<Vec<_>>(),
        ["iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice"]
    );
    assert!(
        first
            .next_step
            .as_deref()
            .unwrap_or_default()
            .contains("iam-mfa enroll")
    );
    assert!(user_serials(&admin.iam, "mfa-test").await.is_empty());
    assert!(
        !virtual_serials(&admin.iam, AssignmentStatusType::Any)
            .await
            .contains(&serial),
        "deleted, not left unassigned"
    );

    let mutations = moto.count("DeactivateMFADevice") + moto.count("DeleteVirtualMFADevice");
    let second = reset::run(
        &admin,
        &args("mfa-test", &[], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(!second.changed && second.calls.is_empty());
    let again = reset::run(
        &admin,
        &args("mfa-test", &[&serial], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(!again.changed && again.notes.iter().any(|n| n.contains("no MFA device")));
    assert_eq!(
        moto.count("DeactivateMFADevice") + moto.count("DeleteVirtualMFADevice"),
        mutations
    );
}

#[tokio::test]
async fn only_the_chosen_device_is_reset_and_hardware_is_only_deactivated() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let phone = enable_virtual(&admin.iam, "alice", "alice-phone").await;
    enable(&admin.iam, "alice", "GAHT12345678").await;

    let done = reset::run(
        &admin,
        &args("alice", &["GAHT12345678"], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        done.calls.iter().map(|c| c.api()).collect::<Vec<_>>(),
        ["iam:DeactivateMFADevice"]
    );
    assert_eq!(
        user_serials(&admin.iam, "alice").await,
        vec![phone.clone()],
        "the other device stays"
    );

    // Several devices and no --serial: asked which.
    enable(&admin.iam, "alice", "GAHT99999999").await;
    let mut prompt = Script::answering(&["2", "y"]);
    let picked = reset::run(&admin, &args("alice", &[], false, false), &mut prompt)
        .await
        .unwrap();
    assert!(picked.changed);
    assert_eq!(
        user_serials(&admin.iam, "alice").await,
        vec![phone],
        "only device 2 was reset"
    );
    assert!(prompt.said.iter().any(|s| s.contains("GAHT99999999")));
}

#[tokio::test]
async fn a_device_of_someone_else_is_an_error_that_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    create_user(&admin.iam, "bob").await;
    let alice = enable_virtual(&admin.iam, "alice", "alice").await;
    let bob = enable_virtual(&admin.iam, "bob", "bob").await;
    let orphan = create_virtual(&admin.iam, "orphan").await;

    let error = reset::run(
        &admin,
        &args("alice", &[&alice, &bob], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, Error::NotUsersDevice { holder, .. } if holder.contains("belongs to bob")),
        "{error}"
    );
    assert!(error.to_string().contains("nothing was changed"));
    let error = reset::run(
        &admin,
        &args("alice", &[&orphan], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, Error::NotUsersDevice { holder, .. } if holder.contains("nobody")),
        "{error}"
    );
    assert_eq!(user_serials(&admin.iam, "alice").await, vec![alice]);
    assert_eq!(user_serials(&admin.iam, "bob").await, vec![bob]);
    assert_eq!(moto.count("DeactivateMFADevice"), 0);

    let missing = reset::run(
        &admin,
        &args("nobody", &[], true, false),
        &mut Script::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(missing, Error::Iam(iam_mfa::iam::Error::NoSuchUser(ref user)) if user == "nobody")
    );
}

#[tokio::test]
async fn cli_dry_run_prints_the_calls_and_makes_none() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let serial = enable_virtual(&admin.iam, "alice", "alice").await;
    let sandbox = admin_sandbox(&moto);

    let output = sandbox.run(&["reset", "alice", "--dry-run", "--output", "json"]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["changed"], false);
    assert_eq!(
        json["calls"][0],
        serde_json::json!({"api": "iam:DeactivateMFADevice", "params": {"UserName": "alice", "SerialNumber": serial}})
    );
    assert_eq!(json["calls"][1]["api"], "iam:DeleteVirtualMFADevice");
    assert_eq!(
        user_serials(&admin.iam, "alice").await,
        vec![serial.clone()]
    );
    assert_eq!(
        moto.count("DeactivateMFADevice") + moto.count("DeleteVirtualMFADevice"),
        0
    );

    let text = sandbox.run(&["reset", "alice", "--dry-run"]);
    assert!(
        stdout(&text).contains(&format!(
            "iam:DeactivateMFADevice UserName=alice SerialNumber={serial}"
        )),
        "{}",
        stdout(&text)
    );
}

#[tokio::test]
async fn cli_refused_or_unanswerable_confirmation_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let serial = enable_virtual(&admin.iam, "alice", "alice").await;
    let sandbox = admin_sandbox(&moto);

    // Without a terminal nothing on standard input confirms: not "n", not "yes", not nothing.
    for input in ["n\n", "yes\n", "y\n", ""] {
        let refused = run_with_input(&sandbox, &["reset", "alice"], input);
        assert_exit(&refused, 2);
        assert!(
            stderr(&refused).contains("needs a terminal")
                && stderr(&refused).contains("pass --yes"),
            "{input:?}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains("iam:DeactivateMFADevice"),
            "the plan is shown before refusing"
        );
    }
    assert_eq!(user_serials(&admin.iam, "alice").await, vec![serial]);
    assert_eq!(moto.count("DeactivateMFADevice"), 0);
    assert_eq!(moto.count("DeleteVirtualMFADevice"), 0);

    let confirmed = sandbox.run(&["reset", "alice", "--yes"]);
    assert_exit(&confirmed, 0);
    assert!(user_serials(&admin.iam, "alice").await.is_empty());
}
