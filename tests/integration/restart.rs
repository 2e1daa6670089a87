//! A server restart while an invitation rings: both sides fail it cleanly, the clients come back
//! by themselves to the new run (same address, same data) with their stored tokens, and calls
//! work again.

use ringer_client::{Credentials, Event};
use ringer_proto::{CallEndReason, FailureReason};

use crate::support::{Party, Server, config, fresh_id, invite, uid};

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

    let ringing = fresh_id();
    alice
        .client
        .send(invite(&ringing, "bob"))
        .await
        .expect("sent");
    bob.expect_invitation(&ringing).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer {
            id: ringing.clone(),
        })
        .await;

    server.stop().await;
    bob.expect(Event::RemoteInvitationFailure {
        id: ringing.clone(),
        reason: FailureReason::ServerRestart,
    })
    .await;
    alice
        .expect(Event::LocalInvitationFailure {
            id: ringing.clone(),
            reason: FailureReason::ServerRestart,
        })
        .await;
    alice.expect_interrupted().await;
    bob.expect_interrupted().await;

    server.start_again().await;
    assert_ne!(server.server_id(), first_run);
    alice.expect_reconnected().await;
    bob.expect_reconnected().await;
    assert!(alice.client.is_connected() && bob.client.is_connected());

    // A new call on the new run goes all the way, and nothing about the old one comes back.
    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    bob.client.accept(id.clone(), None).await.expect("accepted");
    alice
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: None,
        })
        .await;
    bob.expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;
    alice.client.hang_up(id.clone()).await.expect("hung up");
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::Hangup,
        by: Some(uid("alice")),
    };
    bob.expect(ended.clone()).await;
    alice.expect(ended).await;

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
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;

    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    bob.client.accept(id.clone(), None).await.expect("accepted");
    bob.expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;

    server.stop().await;
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::ServerRestart,
        by: None,
    };
    bob.expect(ended.clone()).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    alice
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: None,
        })
        .await;
    alice.expect(ended).await;

    server.start_again().await;
    alice.expect_reconnected().await;
    bob.expect_reconnected().await;
    assert!(alice.client.hang_up(id).await.is_err(), "the call is over");
}
