//! A client whose socket drops abruptly: back within the reconnect grace it keeps its ringing
//! invitations (and learns of new ones from the snapshot); away for longer, the other side's
//! invitation fails `peer_offline`, and both sides agree on it.

use ringer_client::Event;
use ringer_proto::{CallEndReason, Direction, FailureReason, InvitationId, Outcome, RefuseReason};

use crate::support::proxy::Proxy;
use crate::support::{Party, SHORT, Server, assert_record, config, fresh_id, invite, uid};

#[tokio::test]
async fn a_callee_back_within_the_grace_keeps_its_invitation_and_accepts_it() {
    let server = Server::start(&["alice", "bob", "carol"]).await;
    let proxy = Proxy::start(server.addr).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut carol = server.party("carol", "carol-desk").await;
    let mut bob = Party::signed_in(config(&proxy.url, "bob", "bob-phone")).await;

    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;

    proxy.cut_and_block();
    bob.expect_interrupted().await;
    // While bob is away, carol calls him: he can only learn of it from the snapshot.
    let while_away = fresh_id();
    carol
        .client
        .send(invite(&while_away, "bob"))
        .await
        .expect("sent");
    proxy.unblock();
    bob.expect_reconnected().await;

    // Alice's invitation was known and still rings: no new event for it. Carol's is new.
    let invitation = bob.expect_invitation(&while_away).await;
    assert_eq!(invitation.caller, uid("carol"));
    carol
        .expect(Event::LocalInvitationReceivedByPeer {
            id: while_away.clone(),
        })
        .await;
    bob.client
        .refuse(while_away.clone(), None, Some(RefuseReason::Declined))
        .await
        .expect("refused");
    bob.expect(Event::RemoteInvitationRefused {
        id: while_away.clone(),
    })
    .await;
    carol
        .expect(Event::LocalInvitationRefused {
            id: while_away,
            response: None,
            reason: RefuseReason::Declined,
        })
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
    bob.client.hang_up(id.clone()).await.expect("hung up");
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::Hangup,
        by: Some(uid("bob")),
    };
    bob.expect(ended.clone()).await;
    alice.expect(ended).await;
}

#[tokio::test]
async fn a_caller_back_within_the_grace_keeps_its_invitation_and_gets_the_accept() {
    let server = Server::start(&["alice", "bob"]).await;
    let proxy = Proxy::start(server.addr).await;
    let mut alice = Party::signed_in(config(&proxy.url, "alice", "alice-laptop")).await;
    let mut bob = server.party("bob", "bob-phone").await;

    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;

    proxy.cut_and_block();
    alice.expect_interrupted().await;
    proxy.unblock();
    alice.expect_reconnected().await;

    bob.client.accept(id.clone(), None).await.expect("accepted");
    alice
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: None,
        })
        .await;
    bob.expect(Event::RemoteInvitationAccepted { id }).await;
}

/// Alice's device drops while her invitation rings on bob's and stays away past a short grace.
async fn caller_lost_past_the_grace(
    server: &Server,
    proxy: &Proxy,
) -> (Party, Party, InvitationId) {
    let mut alice = Party::signed_in(config(&proxy.url, "alice", "alice-laptop")).await;
    let mut bob = server.party("bob", "bob-phone").await;
    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;

    proxy.cut_and_block();
    bob.expect(Event::RemoteInvitationFailure {
        id: id.clone(),
        reason: FailureReason::PeerOffline,
    })
    .await;
    (alice, bob, id)
}

#[tokio::test]
async fn a_caller_away_longer_than_the_grace_fails_the_invitation_peer_offline() {
    let server = Server::start_with(&["alice", "bob"], |config| {
        config.switchboard.reconnect_grace = SHORT;
    })
    .await;
    let proxy = Proxy::start(server.addr).await;
    let (mut alice, bob, id) = caller_lost_past_the_grace(&server, &proxy).await;

    // When alice is back, her snapshot tells her the same outcome.
    proxy.unblock();
    alice.expect_reconnected().await;
    alice
        .expect(Event::LocalInvitationFailure {
            id: id.clone(),
            reason: FailureReason::PeerOffline,
        })
        .await;

    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Failed,
        Some("peer_offline"),
        true,
    );
    let record = alice.record(&id).await;
    assert_record(
        &record,
        "bob",
        Direction::Outgoing,
        Outcome::Failed,
        Some("peer_offline"),
        false,
    );
}

#[tokio::test]
async fn a_call_whose_party_stays_away_longer_than_the_grace_ends_connection_lost() {
    let server = Server::start_with(&["alice", "bob"], |config| {
        config.switchboard.reconnect_grace = SHORT;
    })
    .await;
    let proxy = Proxy::start(server.addr).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = Party::signed_in(config(&proxy.url, "bob", "bob-phone")).await;

    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    bob.client.accept(id.clone(), None).await.expect("accepted");
    bob.expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;

    proxy.cut_and_block();
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    alice
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: None,
        })
        .await;
    let lost = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::ConnectionLost,
        by: None,
    };
    alice.expect(lost.clone()).await;
    proxy.unblock();
    bob.expect_reconnected().await;
    bob.expect(lost).await;
}
