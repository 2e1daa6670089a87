//! Whole invitation flows through a running server with real clients: accept and hang up, refuse,
//! cancel, the timeouts, an unknown callee, do-not-disturb, busy and several devices, each with
//! the events on both sides and the call records they leave.

use ringer_client::Event;
use ringer_proto::{
    CancelReason, Direction, FailureReason, Outcome, RefuseReason, Response, Status,
};

use crate::support::scenario::{
    answer, answer_with, answered_at_once, assert_records, both_see_failure, caller_sees_answered,
    cancel, hang_up, refuse, refused_without_ringing, ring, ring_devices,
};
use crate::support::{PATIENCE, SHORT, Server, assert_record, display_name, invite, uid};

fn response(text: &str) -> Response {
    Response::new(text).expect("valid response")
}

#[tokio::test]
async fn accept_then_hang_up_both_sides_see_every_step_and_agree() {
    let server = Server::start(&["alice", "bob"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;

    let id = alice.send_invite("bob").await;
    let invitation = bob.expect_invitation(&id).await;
    assert_eq!(invitation.caller, uid("alice"));
    assert_eq!(invitation.caller_name.as_str(), display_name("alice"));
    assert_eq!(invitation.callee, uid("bob"));
    assert_eq!(invitation.content, invite(&id, "bob").content);
    let received_at = bob.last_seq();
    // The callee's receipt causes the caller's received_by_peer, so it is always seen first.
    let by_peer_at = alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    assert!(received_at < by_peer_at);

    let (accepted_at, confirmed_at) =
        answer_with(&mut alice, &mut bob, &id, Some(response("on my way"))).await;
    // The callee's accepted follows the caller's confirm.
    assert!(accepted_at < confirmed_at);

    hang_up(&mut bob, &mut alice, &id).await;

    let (record, _) =
        assert_records(&alice, &bob, &id, Outcome::Answered, Some("hangup"), false).await;
    assert!(record.answered_at.is_some(), "{record:?}");

    // The call is over for the server too: hanging up again is refused by the engine.
    assert!(alice.client.hang_up(id).await.is_err());
}

#[tokio::test]
async fn refuse_carries_the_response_and_reason_to_the_caller() {
    let server = Server::start(&["alice", "bob"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;

    let id = ring(&mut alice, &mut bob).await;
    refuse(
        &mut alice,
        &mut bob,
        &id,
        Some(response("driving")),
        RefuseReason::Busy,
    )
    .await;

    // Declined by the user: not a missed call.
    assert_records(&alice, &bob, &id, Outcome::Refused, Some("busy"), false).await;
}

#[tokio::test]
async fn cancel_reaches_the_callee_and_the_caller_and_is_a_missed_call() {
    let server = Server::start(&["alice", "bob"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;

    let id = ring(&mut alice, &mut bob).await;
    // The server queues the callee's `canceled` before the caller's, but each connection has
    // its own writer, so the order in which two sockets deliver them is not observable here
    // without timing; the switchboard's and the simulation's tests check that order.
    cancel(&mut alice, &mut [&mut bob], &id).await;

    assert_records(&alice, &bob, &id, Outcome::Canceled, None, true).await;

    // The invitation is over on the callee side: accepting it now is refused by the engine.
    assert!(bob.client.accept(id, None).await.is_err());
}

#[tokio::test]
async fn a_callee_with_no_device_online_fails_peer_offline_after_offline_wait() {
    let server = Server::start_with(&["alice", "carol"], |config| {
        config.switchboard.offline_wait = SHORT;
    })
    .await;
    let mut alice = server.party("alice", "alice-laptop").await;

    let id = alice.send_invite("carol").await;
    alice.expect_failure(&id, FailureReason::PeerOffline).await;

    // Carol signs in later: the call is in her history as missed, and nothing rings.
    let mut carol = server.party("carol", "carol-desk").await;
    let record = carol.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Failed,
        Some("peer_offline"),
        true,
    );
    let next = alice.send_invite("carol").await;
    carol.expect_invitation(&next).await;
}

#[tokio::test]
async fn an_unanswered_invitation_expires_on_both_sides_after_ring_timeout() {
    let server = Server::start_with(&["alice", "bob"], |config| {
        config.switchboard.ring_timeout = SHORT;
    })
    .await;
    let (mut alice, mut bob) = server.alice_and_bob().await;

    let id = ring(&mut alice, &mut bob).await;
    both_see_failure(&mut alice, &mut bob, &id, FailureReason::InvitationExpire).await;

    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Failed,
        Some("invitation_expire"),
        true,
    );
}

#[tokio::test]
async fn an_unknown_callee_fails_peer_unknown_at_once() {
    let server = Server::start(&["alice", "dave"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;

    let id = alice.send_invite("nobody").await;
    alice.expect_failure(&id, FailureReason::PeerUnknown).await;
    // A disabled account is as unknown as a missing one. The admin disables dave while the
    // server runs; the directory shows when the server has taken it in.
    ringer_server::admin::disable_user(&server.store(), "dave").expect("disable dave");
    tokio::time::timeout(PATIENCE, async {
        while alice
            .client
            .directory()
            .await
            .expect("directory")
            .iter()
            .any(|entry| entry.uid == uid("dave"))
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the server sees dave disabled");
    let disabled = alice.send_invite("dave").await;
    alice
        .expect_failure(&disabled, FailureReason::PeerUnknown)
        .await;
}

#[tokio::test]
async fn do_not_disturb_refuses_without_ringing_and_records_a_missed_call() {
    let server = Server::start(&["alice", "bob"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;

    bob.client.set_status(Status::Dnd, None).await.expect("dnd");
    refused_without_ringing(&mut alice, &bob, RefuseReason::Dnd, "dnd").await;

    // Nothing rang: the first invitation bob ever sees is the one after he is available again.
    bob.client
        .set_status(Status::Available, None)
        .await
        .expect("available");
    let next = alice.send_invite("bob").await;
    bob.expect_invitation(&next).await;
}

#[tokio::test]
async fn a_callee_in_a_call_refuses_further_invitations_as_busy() {
    let server = Server::start(&["alice", "bob", "carol"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;
    let mut carol = server.party("carol", "carol-desk").await;

    let call = answered_at_once(&carol, &mut bob).await;
    refused_without_ringing(&mut alice, &bob, RefuseReason::Busy, "busy").await;

    // The call with carol was not disturbed, and bob heard nothing of alice's invitation.
    caller_sees_answered(&mut carol, &call).await;
    hang_up(&mut carol, &mut bob, &call).await;
}

#[tokio::test]
async fn on_two_devices_the_one_that_answers_wins_and_the_other_stops_ringing() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut phone = server.party("bob", "bob-phone").await;
    let mut desk = server.party("bob", "bob-desk").await;

    // First a call that nobody answers: missed once for bob, not once per device.
    let missed = ring_devices(&mut alice, &mut [&mut phone, &mut desk]).await;
    cancel(&mut alice, &mut [&mut phone, &mut desk], &missed).await;

    // Then one the desk answers.
    let id = ring_devices(&mut alice, &mut [&mut phone, &mut desk]).await;
    answer(&mut alice, &mut desk, &id).await;
    phone
        .expect(Event::RemoteInvitationCanceled {
            id: id.clone(),
            reason: CancelReason::AnsweredElsewhere,
        })
        .await;

    hang_up(&mut alice, &mut desk, &id).await;

    // History is per uid: one record per invitation and side, the same on every device.
    assert_records(&alice, &phone, &missed, Outcome::Canceled, None, true).await;
    let (_, record) = assert_records(
        &alice,
        &phone,
        &id,
        Outcome::Answered,
        Some("hangup"),
        false,
    )
    .await;
    assert_eq!(desk.record(&id).await, record);
    let bobs = server.history_in_store("bob");
    assert_eq!(bobs.len(), 2, "{bobs:#?}");
}
