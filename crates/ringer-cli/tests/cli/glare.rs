//! Glare (SPEC §5): two `ringer call` processes inviting each other land in one call, and the
//! `call` whose invitation lost follows that call like an answered one.

use crate::util::{Running, Server, find, names, password_line, ringer};

#[test]
fn two_users_calling_each_other_land_in_one_call() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");

    // Bob is offline, so alice's invitation waits for him; his `call` signs in, gets it, and
    // sends the later invitation.
    let mut alice = Running::start(
        ringer(
            home.path(),
            &server.url,
            "alice",
            &[
                "call",
                "bob",
                "--password-stdin",
                "--device-id",
                "alice-cli",
            ],
        ),
        &password_line(),
    );
    let earlier = alice.wait_for("invitation_sent")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let mut bob = Running::start(
        ringer(
            home.path(),
            &server.url,
            "bob",
            &[
                "call",
                "alice",
                "--hangup-after",
                "0.3",
                "--password-stdin",
                "--device-id",
                "bob-cli",
            ],
        ),
        &password_line(),
    );
    let later = bob.wait_for("invitation_sent")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    alice.wait_for("local_invitation_accepted");

    let (status, bob_events, stderr) = bob.finish();
    assert_eq!(status.code(), Some(0), "{bob_events:?} {stderr}");
    let failure = find(&bob_events, "local_invitation_failure");
    assert_eq!(failure["id"], later.as_str());
    assert_eq!(failure["reason"], "glare");
    let joined = find(&bob_events, "remote_invitation_accepted");
    assert_eq!(joined["id"], earlier.as_str());
    assert_eq!(joined["peer"], "alice");
    let ended = find(&bob_events, "call_ended");
    assert_eq!(ended["id"], earlier.as_str());
    assert_eq!(ended["reason"], "hangup");
    assert_eq!(ended["by"], "bob");
    assert!(!stderr.contains("not accepted"), "{stderr}");

    let (status, alice_events, stderr) = alice.finish();
    assert_eq!(status.code(), Some(0), "{alice_events:?} {stderr}");
    let ended = find(&alice_events, "call_ended");
    assert_eq!(ended["id"], earlier.as_str());
    assert_eq!(ended["by"], "bob");
    assert!(
        !names(&alice_events).contains(&"remote_invitation_received".to_owned()),
        "alice never hears of bob's invitation: {alice_events:?}"
    );
}
