//! A client whose socket drops abruptly: back within the reconnect grace it keeps its ringing
//! invitations (and learns of new ones from the snapshot); away for longer, the other side's
//! invitation fails `peer_offline`, and both sides agree on it.

use ringer_client::Event;
use ringer_proto::{CallEndReason, FailureReason, InvitationId, Outcome, RefuseReason};

use crate::support::proxy::Proxy;
use crate::support::scenario::{
    answer, answered_at_once, assert_records, caller_sees_answered, hang_up, refuse, ring,
};
use crate::support::{Party, SHORT, Server, config, uid};

#[tokio::test]
async fn a_callee_back_within_the_grace_keeps_its_invitation_and_accepts_it() {
    let server = Server::start(&["alice", "bob", "carol"]).await;
    let proxy = Proxy::start(server.addr).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut carol = server.party("carol", "carol-desk").await;
    let mut bob = Party::signed_in(config(&proxy.url, "bob", "bob-phone")).await;

    let id = ring(&mut alice, &mut bob).await;

    proxy.cut_and_block();
    bob.expect_interrupted().await;
    // While bob is away, carol calls him: he can only learn of it from the snapshot.
    let while_away = carol.send_invite("bob").await;
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
    refuse(
        &mut carol,
        &mut bob,
        &while_away,
        None,
        RefuseReason::Declined,
    )
    .await;

    answer(&mut alice, &mut bob, &id).await;
    hang_up(&mut bob, &mut alice, &id).await;
}

#[tokio::test]
async fn a_caller_back_within_the_grace_keeps_its_invitation_and_gets_the_accept() {
    let server = Server::start(&["alice", "bob"]).await;
    let proxy = Proxy::start(server.addr).await;
    let mut alice = Party::signed_in(config(&proxy.url, "alice", "alice-laptop")).await;
    let mut bob = server.party("bob", "bob-phone").await;

    let id = ring(&mut alice, &mut bob).await;

    proxy.cut_and_block();
    alice.expect_interrupted().await;
    proxy.unblock();
    alice.expect_reconnected().await;

    answer(&mut alice, &mut bob, &id).await;
}

/// Alice and bob's server with a short reconnect grace, and a proxy in front of it.
async fn short_grace() -> (Server, Proxy) {
    let server = Server::start_with(&["alice", "bob"], |config| {
        config.switchboard.reconnect_grace = SHORT;
    })
    .await;
    let proxy = Proxy::start(server.addr).await;
    (server, proxy)
}

/// Alice's device drops while her invitation rings on bob's and stays away past a short grace.
async fn caller_lost_past_the_grace(
    server: &Server,
    proxy: &Proxy,
) -> (Party, Party, InvitationId) {
    let mut alice = Party::signed_in(config(&proxy.url, "alice", "alice-laptop")).await;
    let mut bob = server.party("bob", "bob-phone").await;
    let id = ring(&mut alice, &mut bob).await;

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
    let (server, proxy) = short_grace().await;
    let (mut alice, bob, id) = caller_lost_past_the_grace(&server, &proxy).await;

    // When alice is back, her snapshot tells her the same outcome.
    proxy.unblock();
    alice.expect_reconnected().await;
    alice.expect_failure(&id, FailureReason::PeerOffline).await;

    assert_records(
        &alice,
        &bob,
        &id,
        Outcome::Failed,
        Some("peer_offline"),
        true,
    )
    .await;
}

#[tokio::test]
async fn a_call_whose_party_stays_away_longer_than_the_grace_ends_connection_lost() {
    let (server, proxy) = short_grace().await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = Party::signed_in(config(&proxy.url, "bob", "bob-phone")).await;

    let id = answered_at_once(&alice, &mut bob).await;

    proxy.cut_and_block();
    caller_sees_answered(&mut alice, &id).await;
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
