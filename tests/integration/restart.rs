//! A server restart while an invitation rings: both sides fail it cleanly, the clients come back
//! by themselves to the new run (same address, same data) with their stored tokens, and calls
//! work again.

use ringer_client::{Credentials, Event};
use ringer_proto::{CallEndReason, FailureReason};

use crate::support::scenario::{
    answer, answered_at_once, both_see_failure, caller_sees_answered, hang_up, ring,
};
use crate::support::{Party, Server, config};

/// Signs in once with the password to get a token, then starts the client that only knows the
/// token, as an app does after its first login.
async fn with_stored_token(server: &Server, user: &str, device_id: &str) -> Party {
    let first = server.party(user, device_id).await;
    let token = first.token();
    first.shutdown().await;
    let mut config = config(&server.url, user, device_id);
    config.credentials = Credentials::Token(token);
    Party::signed_in(config).await
}

#[tokio::test]
async fn a_restart_fails_ringing_invitations_on_both_sides_and_clients_reconnect() {
    let mut server = Server::start(&["alice", "bob"]).await;
    let mut alice = with_stored_token(&server, "alice", "alice-laptop").await;
    let mut bob = with_stored_token(&server, "bob", "bob-phone").await;
    let first_run = server.server_id();

    let ringing = ring(&mut alice, &mut bob).await;

    server.stop().await;
    both_see_failure(&mut alice, &mut bob, &ringing, FailureReason::ServerRestart).await;
    alice.expect_interrupted().await;
    bob.expect_interrupted().await;

    server.start_again().await;
    assert_ne!(server.server_id(), first_run);
    alice.expect_reconnected().await;
    bob.expect_reconnected().await;
    assert!(alice.client.is_connected() && bob.client.is_connected());

    // A new call on the new run goes all the way, and nothing about the old one comes back.
    let id = ring(&mut alice, &mut bob).await;
    answer(&mut alice, &mut bob, &id).await;
    hang_up(&mut alice, &mut bob, &id).await;

    // The old invitation was recorded before the restart and survived it in the data directory.
    let record = bob.record(&ringing).await;
    assert_eq!(
        record.reason.as_deref(),
        Some("server_restart"),
        "{record:?}"
    );
    assert!(record.missed, "{record:?}");
}

#[tokio::test]
async fn a_restart_ends_a_live_call_on_both_sides() {
    let mut server = Server::start(&["alice", "bob"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;

    let id = answered_at_once(&alice, &mut bob).await;

    server.stop().await;
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::ServerRestart,
        by: None,
    };
    bob.expect(ended.clone()).await;
    caller_sees_answered(&mut alice, &id).await;
    alice.expect(ended).await;

    server.start_again().await;
    alice.expect_reconnected().await;
    bob.expect_reconnected().await;
    assert!(alice.client.hang_up(id).await.is_err(), "the call is over");
}
