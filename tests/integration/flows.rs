//! Whole invitation flows through a running server with real clients: accept and hang up, refuse,
//! cancel, the timeouts, an unknown callee, do-not-disturb, busy and several devices, each with
//! the events on both sides and the call records they leave.

use ringer_client::Event;
use ringer_proto::{
    CallEndReason, CancelReason, Direction, FailureReason, Outcome, RefuseReason, Response, Status,
};

use crate::support::{PATIENCE, SHORT, Server, assert_record, display_name, fresh_id, invite, uid};

fn response(text: &str) -> Response {
    Response::new(text).expect("valid response")
}

#[tokio::test]
async fn accept_then_hang_up_both_sides_see_every_step_and_agree() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;
    let id = fresh_id();

    alice.client.send(invite(&id, "bob")).await.expect("sent");
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

    bob.client
        .accept(id.clone(), Some(response("on my way")))
        .await
        .expect("accepted");
    let accepted_at = alice
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: Some(response("on my way")),
        })
        .await;
    // The callee's accepted follows the caller's confirm.
    let confirmed_at = bob
        .expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;
    assert!(accepted_at < confirmed_at);

    bob.client.hang_up(id.clone()).await.expect("hung up");
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::Hangup,
        by: Some(uid("bob")),
    };
    bob.expect(ended.clone()).await;
    alice.expect(ended).await;

    let record = alice.record(&id).await;
    assert_record(
        &record,
        "bob",
        Direction::Outgoing,
        Outcome::Answered,
        Some("hangup"),
        false,
    );
    assert!(record.answered_at.is_some(), "{record:?}");
    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Answered,
        Some("hangup"),
        false,
    );

    // The call is over for the server too: hanging up again is refused by the engine.
    assert!(alice.client.hang_up(id).await.is_err());
}

#[tokio::test]
async fn refuse_carries_the_response_and_reason_to_the_caller() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;
    let id = fresh_id();

    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    bob.client
        .refuse(
            id.clone(),
            Some(response("driving")),
            Some(RefuseReason::Busy),
        )
        .await
        .expect("refused");
    bob.expect(Event::RemoteInvitationRefused { id: id.clone() })
        .await;
    alice
        .expect(Event::LocalInvitationRefused {
            id: id.clone(),
            response: Some(response("driving")),
            reason: RefuseReason::Busy,
        })
        .await;

    // Declined by the user: not a missed call.
    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Refused,
        Some("busy"),
        false,
    );
    let record = alice.record(&id).await;
    assert_record(
        &record,
        "bob",
        Direction::Outgoing,
        Outcome::Refused,
        Some("busy"),
        false,
    );
}

#[tokio::test]
async fn cancel_reaches_the_callee_and_the_caller_and_is_a_missed_call() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;
    let id = fresh_id();

    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    alice.client.cancel(id.clone()).await.expect("canceled");
    // The server queues the callee's `canceled` before the caller's, but each connection has
    // its own writer, so the order in which two sockets deliver them is not observable here
    // without timing; the switchboard's and the simulation's tests check that order.
    bob.expect(Event::RemoteInvitationCanceled {
        id: id.clone(),
        reason: CancelReason::Canceled,
    })
    .await;
    alice
        .expect(Event::LocalInvitationCanceled { id: id.clone() })
        .await;

    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Canceled,
        None,
        true,
    );
    let record = alice.record(&id).await;
    assert_record(
        &record,
        "bob",
        Direction::Outgoing,
        Outcome::Canceled,
        None,
        false,
    );

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
    let id = fresh_id();

    alice.client.send(invite(&id, "carol")).await.expect("sent");
    alice
        .expect(Event::LocalInvitationFailure {
            id: id.clone(),
            reason: FailureReason::PeerOffline,
        })
        .await;

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
    let next = fresh_id();
    alice
        .client
        .send(invite(&next, "carol"))
        .await
        .expect("sent");
    carol.expect_invitation(&next).await;
}

#[tokio::test]
async fn an_unanswered_invitation_expires_on_both_sides_after_ring_timeout() {
    let server = Server::start_with(&["alice", "bob"], |config| {
        config.switchboard.ring_timeout = SHORT;
    })
    .await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;
    let id = fresh_id();

    alice.client.send(invite(&id, "bob")).await.expect("sent");
    bob.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    bob.expect(Event::RemoteInvitationFailure {
        id: id.clone(),
        reason: FailureReason::InvitationExpire,
    })
    .await;
    alice
        .expect(Event::LocalInvitationFailure {
            id: id.clone(),
            reason: FailureReason::InvitationExpire,
        })
        .await;

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
    let id = fresh_id();

    alice
        .client
        .send(invite(&id, "nobody"))
        .await
        .expect("sent");
    alice
        .expect(Event::LocalInvitationFailure {
            id: id.clone(),
            reason: FailureReason::PeerUnknown,
        })
        .await;
    // A disabled account is as unknown as a missing one. The admin disables dave while the
    // server runs; the directory shows when the server has taken it in.
    let store = ringer_store::Store::open_with(
        server.dir.path(),
        ringer_store::StoreOptions::insecure_for_tests(),
    )
    .expect("open the store");
    ringer_server::admin::disable_user(&store, "dave").expect("disable dave");
    drop(store);
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
    let disabled = fresh_id();
    alice
        .client
        .send(invite(&disabled, "dave"))
        .await
        .expect("sent");
    alice
        .expect(Event::LocalInvitationFailure {
            id: disabled,
            reason: FailureReason::PeerUnknown,
        })
        .await;
}

#[tokio::test]
async fn do_not_disturb_refuses_without_ringing_and_records_a_missed_call() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;

    bob.client.set_status(Status::Dnd, None).await.expect("dnd");
    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    alice
        .expect(Event::LocalInvitationRefused {
            id: id.clone(),
            response: None,
            reason: RefuseReason::Dnd,
        })
        .await;
    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Refused,
        Some("dnd"),
        true,
    );

    // Nothing rang: the first invitation bob ever sees is the one after he is available again.
    bob.client
        .set_status(Status::Available, None)
        .await
        .expect("available");
    let next = fresh_id();
    alice.client.send(invite(&next, "bob")).await.expect("sent");
    bob.expect_invitation(&next).await;
}

#[tokio::test]
async fn a_callee_in_a_call_refuses_further_invitations_as_busy() {
    let server = Server::start(&["alice", "bob", "carol"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-phone").await;
    let mut carol = server.party("carol", "carol-desk").await;

    let call = fresh_id();
    carol.client.send(invite(&call, "bob")).await.expect("sent");
    bob.expect_invitation(&call).await;
    bob.client
        .accept(call.clone(), None)
        .await
        .expect("accepted");
    bob.expect(Event::RemoteInvitationAccepted { id: call.clone() })
        .await;

    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    alice
        .expect(Event::LocalInvitationRefused {
            id: id.clone(),
            response: None,
            reason: RefuseReason::Busy,
        })
        .await;
    let record = bob.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Refused,
        Some("busy"),
        true,
    );

    // The call with carol was not disturbed, and bob heard nothing of alice's invitation.
    carol
        .expect(Event::LocalInvitationReceivedByPeer { id: call.clone() })
        .await;
    carol
        .expect(Event::LocalInvitationAccepted {
            id: call.clone(),
            response: None,
        })
        .await;
    carol.client.hang_up(call.clone()).await.expect("hung up");
    let ended = Event::CallEnded {
        id: call,
        reason: CallEndReason::Hangup,
        by: Some(uid("carol")),
    };
    bob.expect(ended.clone()).await;
    carol.expect(ended).await;
}

#[tokio::test]
async fn on_two_devices_the_one_that_answers_wins_and_the_other_stops_ringing() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut phone = server.party("bob", "bob-phone").await;
    let mut desk = server.party("bob", "bob-desk").await;

    // First a call that nobody answers: missed once for bob, not once per device.
    let missed = fresh_id();
    alice
        .client
        .send(invite(&missed, "bob"))
        .await
        .expect("sent");
    phone.expect_invitation(&missed).await;
    desk.expect_invitation(&missed).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: missed.clone() })
        .await;
    alice.client.cancel(missed.clone()).await.expect("canceled");
    for device in [&mut phone, &mut desk] {
        device
            .expect(Event::RemoteInvitationCanceled {
                id: missed.clone(),
                reason: CancelReason::Canceled,
            })
            .await;
    }
    alice
        .expect(Event::LocalInvitationCanceled { id: missed.clone() })
        .await;

    // Then one the desk answers.
    let id = fresh_id();
    alice.client.send(invite(&id, "bob")).await.expect("sent");
    phone.expect_invitation(&id).await;
    desk.expect_invitation(&id).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    desk.client
        .accept(id.clone(), None)
        .await
        .expect("accepted");
    alice
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: None,
        })
        .await;
    desk.expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;
    phone
        .expect(Event::RemoteInvitationCanceled {
            id: id.clone(),
            reason: CancelReason::AnsweredElsewhere,
        })
        .await;

    alice.client.hang_up(id.clone()).await.expect("hung up");
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::Hangup,
        by: Some(uid("alice")),
    };
    desk.expect(ended.clone()).await;
    alice.expect(ended).await;

    // History is per uid: one record per invitation and side, the same on every device.
    let record = phone.record(&missed).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Canceled,
        None,
        true,
    );
    let record = phone.record(&id).await;
    assert_record(
        &record,
        "alice",
        Direction::Incoming,
        Outcome::Answered,
        Some("hangup"),
        false,
    );
    assert_eq!(desk.record(&id).await, record);
    let record = alice.record(&missed).await;
    assert_record(
        &record,
        "bob",
        Direction::Outgoing,
        Outcome::Canceled,
        None,
        false,
    );
    let record = alice.record(&id).await;
    assert_record(
        &record,
        "bob",
        Direction::Outgoing,
        Outcome::Answered,
        Some("hangup"),
        false,
    );
    let bobs = server.history_in_store("bob");
    assert_eq!(bobs.len(), 2, "{bobs:#?}");
}
