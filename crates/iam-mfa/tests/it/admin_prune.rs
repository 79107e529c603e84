//! `iam-mfa prune` against moto: unassigned virtual devices are deleted, nothing else.

use crate::admin_support::{Script, admin, admin_sandbox, create_user, virtual_serials};
use crate::common::{Moto, assert_exit, create_virtual, enable_virtual, stderr, stdout};
use aws_sdk_iam::types::AssignmentStatusType;
use iam_mfa::args::Listing;
use iam_mfa::commands::admin::Error;
use iam_mfa::commands::admin::plan::Mutating;
use iam_mfa::commands::admin::prune::{self, Args};
use std::time::Duration;

fn args(yes: bool, dry_run: bool, older_than: Option<Duration>) -> Args {
    Args {
        older_than,
        mutating: Mutating { yes, dry_run },
        listing: Listing { page_size: Some(2) },
    }
}

#[tokio::test]
async fn unassigned_devices_are_deleted_across_pages_and_a_second_run_changes_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let assigned = enable_virtual(&admin.iam, "alice", "alice").await;
    for n in 0..5 {
        create_virtual(&admin.iam, &format!("orphan-{n}")).await;
    }

    let done = prune::run(
        &admin,
        &args(false, false, None),
        &mut Script::answering(&["y"]),
    )
    .await
    .unwrap();
    assert!(done.changed);
    assert_eq!(
        done.calls.len(),
        5,
        "all five orphans, found over three pages of two"
    );
    assert_eq!(
        virtual_serials(&admin.iam, AssignmentStatusType::Any).await,
        vec![assigned]
    );

    let deletes = moto.count("DeleteVirtualMFADevice");
    let again = prune::run(&admin, &args(true, false, None), &mut Script::default())
        .await
        .unwrap();
    assert!(!again.changed && again.devices.is_empty());
    assert_eq!(moto.count("DeleteVirtualMFADevice"), deletes);
}

#[tokio::test]
async fn refusal_and_dry_run_change_nothing() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let orphan = create_virtual(&admin.iam, "orphan").await;

    let refused = prune::run(
        &admin,
        &args(false, false, None),
        &mut Script::answering(&["n"]),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        refused,
        Error::Prompt(iam_mfa::ui::prompt::Error::Refused)
    ));
    let sandbox = admin_sandbox(&moto);
    let output = sandbox.run(&["prune", "--dry-run", "--output", "json"]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        json["calls"][0],
        serde_json::json!({"api": "iam:DeleteVirtualMFADevice", "params": {"SerialNumber": orphan}})
    );
    assert_eq!(json["changed"], false);
    assert_eq!(
        virtual_serials(&admin.iam, AssignmentStatusType::Unassigned).await,
        vec![orphan]
    );
    assert_eq!(moto.count("DeleteVirtualMFADevice"), 0);

    let yes = sandbox.run(&["prune", "--yes"]);
    assert_exit(&yes, 0);
    assert!(
        stdout(&yes).contains("Calls made:"),
        "{}{}",
        stdout(&yes),
        stderr(&yes)
    );
    assert!(
        virtual_serials(&admin.iam, AssignmentStatusType::Any)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn older_than_keeps_devices_whose_age_is_unknown() {
    // IAM keeps no creation date for virtual devices; only the `iam-mfa:created-at` tag (read
    // with ListMFADeviceTags, which moto does not implement) tells the age. Unknown → kept.
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let orphan = create_virtual(&admin.iam, "orphan").await;
    let kept = prune::run(
        &admin,
        &args(true, false, Some(Duration::from_secs(3600))),
        &mut Script::default(),
    )
    .await
    .unwrap();
    assert!(!kept.changed && kept.calls.is_empty());
    let why = kept.devices[0].kept_because.as_deref().unwrap_or_default();
    assert!(why.contains("age is unknown"), "{why}");
    // moto answers with an HTML 500 page: the reason names the failure in one short line,
    // never the SDK's dump of the error or the response.
    for dump in ["Error {", "ErrorMetadata", "Unhandled", "<", "\n"] {
        assert!(!why.contains(dump), "{why}");
    }
    assert!(why.len() < 400, "one line, not a dump: {why}");
    assert_eq!(
        virtual_serials(&admin.iam, AssignmentStatusType::Unassigned).await,
        vec![orphan]
    );
}
