//! Bad frames from a raw connection: each gets its specific error, and the bystanders' call goes
//! on as if nothing happened.

use std::time::Duration;

use ringer_client::Event;
use ringer_proto::RefuseReason;
use ringer_proto::limits::MAX_FRAME_BYTES;
use ringer_server::rate_limit::Rate;
use serde_json::json;

use crate::support::raw::{assert_error, close_code};
use crate::support::scenario::{answer, hang_up, ring};
use crate::support::{Bystanders, Server, display_name, fresh_id, uid};

#[tokio::test]
async fn frames_before_login_are_not_logged_in_and_do_nothing() {
    let server = Server::start(&["alice", "bob"]).await;
    let calls = Bystanders::in_a_call(&server).await;
    let mut anonymous = server.raw().await;

    anonymous
        .send(&json!({"type": "invite", "req": 7, "id": fresh_id().as_str(), "callee": "bob"}))
        .await;
    assert_error(&anonymous.recv().await, "not_logged_in", Some(7));
    // Even naming the live call's id.
    anonymous
        .send(&json!({"type": "hang_up", "req": 8, "id": calls.id.as_str()}))
        .await;
    assert_error(&anonymous.recv().await, "not_logged_in", Some(8));
    anonymous
        .send(&json!({"type": "directory", "req": 9}))
        .await;
    assert_error(&anonymous.recv().await, "not_logged_in", Some(9));

    calls.hang_up().await;
}

#[tokio::test]
async fn malformed_frames_are_invalid_argument_and_the_connection_stays_usable() {
    let server = Server::start(&["alice", "bob", "mallory"]).await;
    let calls = Bystanders::in_a_call(&server).await;
    let (mut mallory, _) = server.raw_login("mallory", "mallory-pc").await;

    mallory.send_text("{not json").await;
    assert_error(&mallory.recv().await, "invalid_argument", None);
    mallory.send_text("[1, 2, 3]").await;
    assert_error(&mallory.recv().await, "invalid_argument", None);
    mallory
        .send(&json!({"type": "invite", "req": 3, "id": "has space", "callee": "bob"}))
        .await;
    assert_error(&mallory.recv().await, "invalid_argument", Some(3));
    mallory
        .send(&json!({"type": "accept", "req": 4, "id": calls.id.as_str(), "response": 42}))
        .await;
    assert_error(&mallory.recv().await, "invalid_argument", Some(4));
    mallory.send(&json!({"type": "teleport", "req": 5})).await;
    assert_error(&mallory.recv().await, "unsupported", Some(5));

    mallory.send(&json!({"type": "directory", "req": 6})).await;
    let reply = mallory.recv_type("directory_result", Some(6)).await;
    assert_eq!(reply["users"].as_array().map(Vec::len), Some(3), "{reply}");

    calls.hang_up().await;
}

#[tokio::test]
async fn an_oversized_frame_is_too_large_and_closes_only_that_connection() {
    let server = Server::start(&["alice", "bob", "mallory"]).await;
    let calls = Bystanders::in_a_call(&server).await;
    let (mut mallory, _) = server.raw_login("mallory", "mallory-pc").await;

    let padding = "x".repeat(MAX_FRAME_BYTES);
    mallory
        .send(&json!({"type": "invite", "req": 3, "id": fresh_id().as_str(), "callee": "bob", "content": padding}))
        .await;
    let (frames, ended) = mallory.drain_until_end().await;
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert_error(&frames[0], "too_large", None);
    assert_eq!(close_code(&ended), 1009);

    calls.hang_up().await;
}

#[tokio::test]
async fn a_forged_caller_is_ignored_and_the_callee_sees_the_real_sender() {
    let server = Server::start(&["alice", "bob", "mallory"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;
    let (mut mallory, _) = server.raw_login("mallory", "mallory-pc").await;

    let id = fresh_id();
    mallory
        .send(&json!({
            "type": "invite", "req": 3, "id": id.as_str(), "callee": "bob",
            "caller": "alice", "caller_name": "Alice", "sent_at": 0,
        }))
        .await;
    mallory.recv_type("ok", Some(3)).await;
    let invitation = bob.expect_invitation(&id).await;
    assert_eq!(invitation.caller, uid("mallory"));
    assert_eq!(invitation.caller_name.as_str(), display_name("mallory"));
    assert_ne!(invitation.sent_at, 0);

    bob.client
        .refuse(id.clone(), None, None)
        .await
        .expect("refused");
    bob.expect(Event::RemoteInvitationRefused { id: id.clone() })
        .await;
    let refused = mallory.recv_type("refused", None).await;
    assert_eq!(refused["id"], id.as_str(), "{refused}");
    assert_eq!(refused["reason"], "declined", "{refused}");
    let record = bob.record(&id).await;
    assert_eq!(record.peer, uid("mallory"), "{record:?}");

    // Alice heard nothing of it: the first thing her client reports is her own call.
    ring(&mut alice, &mut bob).await;
}

#[tokio::test]
async fn acting_on_someone_elses_invitation_is_forbidden_and_changes_nothing() {
    let server = Server::start(&["alice", "bob", "mallory"]).await;
    let (mut alice, mut bob) = server.alice_and_bob().await;
    let (mut mallory, _) = server.raw_login("mallory", "mallory-pc").await;
    // Another device of the caller's uid is not the caller device either.
    let (mut alice_phone, _) = server.raw_login("alice", "alice-phone").await;

    let id = ring(&mut alice, &mut bob).await;

    let id_text = id.as_str();
    for (req, frame) in [
        (10, json!({"type": "cancel", "req": 10, "id": id_text})),
        (11, json!({"type": "accept", "req": 11, "id": id_text})),
        (
            12,
            json!({"type": "refuse", "req": 12, "id": id_text, "reason": "busy"}),
        ),
        (13, json!({"type": "hang_up", "req": 13, "id": id_text})),
    ] {
        mallory.send(&frame).await;
        assert_error(&mallory.recv().await, "forbidden", Some(req));
    }
    for frame in [
        json!({"type": "received", "id": id_text}),
        json!({"type": "confirm", "id": id_text}),
    ] {
        mallory.send(&frame).await;
        assert_error(&mallory.recv().await, "forbidden", None);
    }
    alice_phone
        .send(&json!({"type": "cancel", "req": 14, "id": id_text}))
        .await;
    assert_error(&alice_phone.recv().await, "forbidden", Some(14));

    // The invitation still rings, untouched: bob accepts it and the call is live on both sides.
    answer(&mut alice, &mut bob, &id).await;
    mallory
        .send(&json!({"type": "hang_up", "req": 15, "id": id_text}))
        .await;
    assert_error(&mallory.recv().await, "forbidden", Some(15));
    hang_up(&mut alice, &mut bob, &id).await;
}

#[tokio::test]
async fn a_frame_flood_is_rate_limited_while_another_users_call_proceeds() {
    const LIMIT: u32 = 20;
    const FLOOD: u64 = 60;
    let server = Server::start_with(&["alice", "bob", "mallory"], |config| {
        // Far above what the real clients send in this test, far below the flood.
        config.limits.frame_rate = Rate::new(LIMIT, Duration::from_secs(3600));
    })
    .await;
    let (mut alice, mut bob) = server.alice_and_bob().await;
    let (mut mallory, _) = server.raw_login("mallory", "mallory-pc").await;

    let flood = async {
        for req in 100..100 + FLOOD {
            mallory
                .send(&json!({"type": "directory", "req": req}))
                .await;
        }
        let mut answered = 0;
        let mut limited = 0;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..FLOOD {
            let reply = mallory.recv().await;
            let req = reply["req"]
                .as_u64()
                .expect("every reply names its request");
            assert!(seen.insert(req), "request {req} answered twice");
            match reply["type"].as_str() {
                Some("directory_result") => answered += 1,
                Some("error") => {
                    assert_error(&reply, "rate_limited", Some(req));
                    limited += 1;
                }
                _ => panic!("unexpected reply {reply}"),
            }
        }
        (answered, limited)
    };
    let call = async {
        let id = alice.send_invite("bob").await;
        bob.expect_invitation(&id).await;
        bob.client
            .refuse(id.clone(), None, Some(RefuseReason::Busy))
            .await
            .expect("refused");
        alice
            .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
            .await;
        alice
            .expect(Event::LocalInvitationRefused {
                id: id.clone(),
                response: None,
                reason: RefuseReason::Busy,
            })
            .await;
        bob.expect(Event::RemoteInvitationRefused { id }).await;
    };
    let ((answered, limited), ()) = tokio::join!(flood, call);
    assert!(
        (1..=u64::from(LIMIT)).contains(&answered),
        "{answered} answered"
    );
    assert_eq!(answered + limited, FLOOD);

    // Over the limit, even a ping is refused rather than answered.
    mallory.send(&json!({"type": "ping"})).await;
    assert_error(&mallory.recv().await, "rate_limited", None);
    assert!(
        alice.client.directory().await.is_ok(),
        "alice is not limited"
    );
}
