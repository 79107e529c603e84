//! `iam-mfa devices` against moto: every device type, one user, unassigned only, paging, JSON.

use crate::admin_support::{admin, admin_sandbox, create_user};
use crate::common::{Moto, assert_exit, create_virtual, enable, enable_virtual, stderr, stdout};
use iam_mfa::args::Listing;
use iam_mfa::commands::admin::devices::{self, Args};
use iam_mfa::iam::devices::Kind;

fn args(user: Option<&str>, unassigned: bool, page_size: Option<i32>) -> Args {
    Args {
        user: user.map(str::to_owned),
        unassigned,
        listing: Listing { page_size },
    }
}

#[tokio::test]
async fn account_wide_listing_shows_every_type_and_assignment_across_pages() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let iam = &admin.iam;
    for user in ["alice", "bob", "carol"] {
        create_user(iam, user).await;
    }
    let alice_phone = enable_virtual(iam, "alice", "alice-phone").await;
    enable(iam, "alice", "GAHT12345678").await;
    let bob_key = "arn:aws:iam::123456789012:u2f/user/bob/key-1";
    enable(iam, "bob", bob_key).await;
    let mut orphans = Vec::new();
    for n in 0..5 {
        orphans.push(create_virtual(iam, &format!("orphan-{n}")).await);
    }

    let before = moto.count("ListVirtualMFADevices");
    let found = devices::run(&admin, &args(None, false, Some(2)))
        .await
        .unwrap()
        .devices;
    assert!(
        moto.count("ListVirtualMFADevices") - before >= 3,
        "6 virtual devices at 2 per page need 3 pages"
    );

    let find = |serial: &str| {
        found
            .iter()
            .find(|d| d.serial_number == serial)
            .unwrap_or_else(|| panic!("{serial} missing"))
    };
    assert_eq!(found.len(), 3 + 5);
    assert_eq!(
        (find(&alice_phone).kind, find(&alice_phone).user.as_deref()),
        (Kind::Virtual, Some("alice"))
    );
    assert!(find(&alice_phone).enable_date.is_some());
    assert_eq!(
        (
            find("GAHT12345678").kind,
            find("GAHT12345678").user.as_deref()
        ),
        (Kind::Hardware, Some("alice"))
    );
    assert_eq!(
        (find(bob_key).kind, find(bob_key).user.as_deref()),
        (Kind::Fido, Some("bob"))
    );
    for orphan in &orphans {
        assert_eq!(
            (
                find(orphan).kind,
                find(orphan).user.as_deref(),
                find(orphan).enable_date.as_deref()
            ),
            (Kind::Virtual, None, None)
        );
    }
}

#[tokio::test]
async fn one_user_or_only_unassigned() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    create_user(&admin.iam, "bob").await;
    let alice = enable_virtual(&admin.iam, "alice", "alice").await;
    enable_virtual(&admin.iam, "bob", "bob").await;
    let orphan = create_virtual(&admin.iam, "abandoned").await;

    let mine = devices::run(&admin, &args(Some("alice"), false, None))
        .await
        .unwrap()
        .devices;
    assert_eq!(
        mine.iter()
            .map(|d| d.serial_number.as_str())
            .collect::<Vec<_>>(),
        vec![alice.as_str()]
    );
    let unassigned = devices::run(&admin, &args(None, true, Some(1)))
        .await
        .unwrap()
        .devices;
    assert_eq!(
        unassigned
            .iter()
            .map(|d| d.serial_number.as_str())
            .collect::<Vec<_>>(),
        vec![orphan.as_str()]
    );
}

#[tokio::test]
async fn cli_prints_json_and_rejects_an_unknown_user() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    create_user(&admin.iam, "alice").await;
    let serial = enable_virtual(&admin.iam, "alice", "alice").await;
    let sandbox = admin_sandbox(&moto);

    let output = sandbox.run(&["devices", "--output", "json"]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["devices"][0]["serial_number"], serial.as_str());
    assert_eq!(json["devices"][0]["kind"], "virtual");
    assert_eq!(json["devices"][0]["user"], "alice");

    let text = sandbox.run(&["devices"]);
    assert_exit(&text, 0);
    assert!(stdout(&text).starts_with("USER"), "{}", stdout(&text));
    assert!(stdout(&text).contains(&serial));

    // A full or closed stdout is an error (exit 1), never a panic (exit 101).
    let full = sandbox
        .iam_mfa()
        .arg("devices")
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_exit(&full, 1);
    assert!(
        stderr(&full).contains("cannot write the output"),
        "{}",
        stderr(&full)
    );

    let missing = sandbox.run(&["devices", "nobody"]);
    assert_exit(&missing, 2);
    assert!(
        stderr(&missing).contains("IAM user nobody does not exist"),
        "{}",
        stderr(&missing)
    );
}

#[tokio::test]
async fn a_profile_with_an_mfa_device_calls_iam_with_a_cached_mfa_session() {
    let moto = Moto::start();
    let operator = moto.create_user_with_mfa("operator").await;
    let sandbox = crate::common::Sandbox::new(&moto);
    sandbox.write_credentials(&operator.credentials_section("default"));
    sandbox.write_config(&format!(
        "[default]\nmfa_serial = {}\nmfa_process = echo 123456\n",
        operator.serial()
    ));

    for _ in 0..2 {
        let output = sandbox.run(&["devices", "operator", "--output", "json"]);
        assert_exit(&output, 0);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(json["devices"][0]["serial_number"], operator.serial());
    }
    assert_eq!(
        moto.count("GetSessionToken"),
        1,
        "one MFA session, then the cache"
    );
}
