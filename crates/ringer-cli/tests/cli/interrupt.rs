//! Ctrl-C (SIGINT) sent to `ringer call` and `ringer listen` processes: a ringing invitation is
//! canceled, a call is hung up, and the other side learns of it through the server.

use std::path::Path;
use std::process::Command;

use crate::util::{Running, Server, find, names, password_line, ringer};

/// Sends SIGINT, as Ctrl-C in a terminal would.
fn interrupt(process: &Running) {
    let status = Command::new("kill")
        .args(["-INT", &process.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -INT failed");
}

/// Starts `ringer listen` as bob with `args` and waits until it is signed in.
fn listening(server: &Server, home: &Path, args: &[&str]) -> Running {
    let mut all = vec!["listen", "--password-stdin", "--device-id", "bob-cli"];
    all.extend_from_slice(args);
    let mut bob = Running::start(ringer(home, &server.url, "bob", &all), &password_line());
    bob.wait_for("logged_in");
    bob
}

/// Starts `ringer call bob` as alice and waits until the invitation has been sent.
fn calling(server: &Server, home: &Path) -> (Running, String) {
    let all = [
        "call",
        "bob",
        "--password-stdin",
        "--device-id",
        "alice-cli",
    ];
    let mut alice = Running::start(ringer(home, &server.url, "alice", &all), &password_line());
    let sent = alice.wait_for("invitation_sent");
    let id = sent["id"].as_str().expect("an invitation id").to_owned();
    (alice, id)
}

#[test]
fn ctrl_c_cancels_a_ringing_call() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let mut bob = listening(&server, home.path(), &[]);
    let (mut alice, id) = calling(&server, home.path());
    let ringing = alice.wait_for("local_invitation_received_by_peer");
    assert_eq!(ringing["id"], id.as_str());
    bob.wait_for("remote_invitation_received");

    interrupt(&alice);
    let (status, alice_events, stderr) = alice.finish();
    assert_eq!(status.code(), Some(1), "{alice_events:?} {stderr}");
    let canceled = find(&alice_events, "local_invitation_canceled");
    assert_eq!(canceled["id"], id.as_str());
    assert_eq!(canceled["peer"], "bob");
    assert!(
        !names(&alice_events).contains(&"local_invitation_accepted".to_owned()),
        "{alice_events:?}"
    );
    assert!(stderr.contains("call not accepted"), "{stderr}");

    let canceled = bob.wait_for("remote_invitation_canceled");
    assert_eq!(canceled["id"], id.as_str());
    assert_eq!(canceled["peer"], "alice");
    assert_eq!(canceled["reason"], "canceled");

    // A listener that is in no call just exits 0.
    interrupt(&bob);
    let (status, bob_events, stderr) = bob.finish();
    assert_eq!(status.code(), Some(0), "{bob_events:?} {stderr}");
}

#[test]
fn ctrl_c_on_the_caller_hangs_up_an_accepted_call() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let mut bob = listening(&server, home.path(), &["--accept", "--once"]);
    let (mut alice, id) = calling(&server, home.path());
    let accepted = alice.wait_for("local_invitation_accepted");
    assert_eq!(accepted["id"], id.as_str());
    bob.wait_for("remote_invitation_accepted");

    interrupt(&alice);
    let (status, alice_events, stderr) = alice.finish();
    assert_eq!(status.code(), Some(0), "{alice_events:?} {stderr}");
    let ended = find(&alice_events, "call_ended");
    assert_eq!(ended["id"], id.as_str());
    assert_eq!(ended["peer"], "bob");
    assert_eq!(ended["reason"], "hangup");
    assert_eq!(ended["by"], "alice");

    let (status, bob_events, stderr) = bob.finish();
    assert_eq!(status.code(), Some(0), "{bob_events:?} {stderr}");
    let ended = find(&bob_events, "call_ended");
    assert_eq!(ended["id"], id.as_str());
    assert_eq!(ended["peer"], "alice");
    assert_eq!(ended["reason"], "hangup");
    assert_eq!(ended["by"], "alice");
}

#[test]
fn ctrl_c_on_the_listener_hangs_up_its_call() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let mut bob = listening(&server, home.path(), &["--accept"]);
    let (mut alice, id) = calling(&server, home.path());
    alice.wait_for("local_invitation_accepted");
    let accepted = bob.wait_for("remote_invitation_accepted");
    assert_eq!(accepted["id"], id.as_str());

    interrupt(&bob);
    let (status, bob_events, stderr) = bob.finish();
    assert_eq!(status.code(), Some(0), "{bob_events:?} {stderr}");
    // Like `call`, the listener waits for the server to confirm its hang-up.
    let ended = find(&bob_events, "call_ended");
    assert_eq!(ended["id"], id.as_str());
    assert_eq!(ended["peer"], "alice");
    assert_eq!(ended["reason"], "hangup");
    assert_eq!(ended["by"], "bob");

    let (status, alice_events, stderr) = alice.finish();
    assert_eq!(status.code(), Some(0), "{alice_events:?} {stderr}");
    let ended = find(&alice_events, "call_ended");
    assert_eq!(ended["id"], id.as_str());
    assert_eq!(ended["peer"], "bob");
    assert_eq!(ended["reason"], "hangup");
    assert_eq!(ended["by"], "bob");
}
