//! The invitation flows of SPEC §3–§6 on the happy and unhappy paths, with frame order.

use ringer_proto::{
    CallEndReason, ClientFrame, Content, InvitationState, RefuseReason, ServerFrame,
};

use crate::harness::{EPOCH_MS, Harness, id, secs, uid};

#[test]
fn full_accept_flow_in_order() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.now += secs(2);
    let req = h.req();
    h.send(
        a,
        ClientFrame::Invite {
            req,
            id: id("c1"),
            callee: uid("bob"),
            content: Some(Content::new("lunch?").expect("valid content")),
            channel_id: None,
        },
    );
    assert_eq!(h.take(a), ["ok"]);
    // The callee gets the invitation stamped by the server.
    let frames = h.frames(b);
    let [ServerFrame::Invitation { invitation }] = frames.as_slice() else {
        panic!("expected one invitation, got {frames:?}");
    };
    assert_eq!(invitation.caller, uid("alice"));
    assert_eq!(invitation.caller_name.as_str(), "alice name");
    assert_eq!(invitation.callee, uid("bob"));
    assert_eq!(invitation.sent_at, EPOCH_MS + 2000);
    assert_eq!(invitation.content.as_deref(), Some("lunch?"));

    // Receipt: the callee's invitation came before the caller's received_by_peer.
    h.received(b, "c1");
    assert_eq!(h.take(b), Vec::<String>::new());
    assert_eq!(h.take(a), ["received_by_peer:c1"]);

    h.accept(b, "c1");
    assert_eq!(h.take(b), ["ok"]);
    assert_eq!(h.take(a), ["accepted:c1"]);

    h.confirm(a, "c1");
    assert_eq!(h.take(a), Vec::<String>::new());
    assert_eq!(h.take(b), ["accept_confirmed:c1"]);

    h.hang_up(b, "c1");
    assert_eq!(h.take(b), ["ok", "call_ended:c1:hangup:by=bob"]);
    assert_eq!(h.take(a), ["call_ended:c1:hangup:by=bob"]);
    // Nothing more for either: every timer left is the purge.
    h.jump();
    assert_eq!(h.take(a).len() + h.take(b).len(), 0);
}

#[test]
fn accepted_frame_carries_the_response() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.received(b, "c1");
    h.frames(a);
    h.accept(b, "c1");
    let frames = h.frames(a);
    assert!(matches!(
        frames.as_slice(),
        [ServerFrame::Accepted { response: Some(r), .. }] if r.as_str() == "hi"
    ));
}

#[test]
fn refuse_confirms_to_refuser_then_others_then_caller() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    h.invite(a, "c1", "bob");
    h.received(b1, "c1");
    h.received(b2, "c1");
    h.frames(a);
    h.frames(b1);
    h.frames(b2);
    h.refuse(b2, "c1", None);
    assert_eq!(h.take(b2), ["ok", "refused:c1:declined"]);
    assert_eq!(h.take(b1), ["canceled:c1:declined_elsewhere"]);
    assert_eq!(h.take(a), ["refused:c1:declined"]);
}

#[test]
fn refuse_with_an_explicit_reason() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.received(b, "c1");
    h.frames(a);
    h.refuse(b, "c1", Some(RefuseReason::Busy));
    assert_eq!(h.take(a), ["refused:c1:busy"]);
}

#[test]
fn cancel_reaches_callees_before_the_caller() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    h.invite(a, "c1", "bob");
    h.received(b1, "c1");
    h.frames(b1);
    h.frames(b2);
    h.frames(a);
    let req = h.req();
    let order = h.send_ordered(a, ClientFrame::Cancel { req, id: id("c1") });
    let canceled = "canceled:c1:canceled".to_owned();
    assert_eq!(
        order,
        vec![
            (a, "ok".to_owned()),
            (b1, canceled.clone()),
            (b2, canceled.clone()),
            (a, canceled),
        ]
    );
}

#[test]
fn cancel_while_still_pending() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.cancel(a, "c1");
    assert_eq!(h.take(b), ["invitation:c1", "canceled:c1:canceled"]);
    assert_eq!(h.take(a), ["ok", "ok", "canceled:c1:canceled"]);
    // The callee's automatic acknowledgement races the cancel and is ignored quietly.
    h.received(b, "c1");
    assert_eq!(h.take(b), Vec::<String>::new());
}

#[test]
fn unknown_and_disabled_callees_fail_at_once() {
    let mut h = Harness::new();
    h.set_account("dave", false);
    let a = h.admit("alice", "a1");
    h.invite(a, "c1", "nobody");
    h.invite(a, "c2", "dave");
    assert_eq!(
        h.take(a),
        [
            "ok",
            "failed:c1:peer_unknown",
            "ok",
            "failed:c2:peer_unknown"
        ]
    );
    assert_eq!(h.sb.poll_timeout().map(|t| t - h.now), Some(secs(300)));
}

#[test]
fn offline_callee_fails_after_offline_wait() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    h.invite(a, "c1", "bob");
    assert_eq!(h.take(a), ["ok"]);
    h.advance(secs(29));
    assert_eq!(h.take(a), Vec::<String>::new());
    h.jump();
    assert_eq!(h.now - h.t0, secs(30));
    assert_eq!(h.take(a), ["failed:c1:peer_offline"]);
}

#[test]
fn callee_device_coming_online_gets_the_invitation_and_switches_to_ack_timeout() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    h.invite(a, "c1", "bob");
    h.advance(secs(20));
    let (b, snapshot) = h.admit_snapshot("bob", "b1");
    assert_eq!(snapshot.len(), 1);
    assert_eq!(snapshot[0].state, InvitationState::Ringing);
    assert_eq!(snapshot[0].invitation.id, id("c1"));
    // No separate invitation frame: the snapshot delivered it.
    assert_eq!(h.take(b), Vec::<String>::new());
    // The offline wait (due at 30 s) is replaced by the ack timeout (due at 20 + 30 s).
    h.jump();
    assert_eq!(h.now - h.t0, secs(50));
    assert_eq!(h.take(a), ["ok", "failed:c1:peer_no_response"]);
    assert_eq!(h.take(b), ["failed:c1:peer_no_response"]);
}

#[test]
fn unacknowledged_invitation_fails_after_ack_timeout() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.frames(a);
    h.frames(b);
    h.jump();
    assert_eq!(h.now - h.t0, secs(30));
    assert_eq!(h.take(b), ["failed:c1:peer_no_response"]);
    assert_eq!(h.take(a), ["failed:c1:peer_no_response"]);
}

#[test]
fn ringing_invitation_expires_after_ring_timeout_from_receipt() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    h.invite(a, "c1", "bob");
    h.advance(secs(10));
    h.received(b1, "c1");
    h.frames(a);
    h.frames(b1);
    h.frames(b2);
    h.jump();
    assert_eq!(h.now - h.t0, secs(70));
    assert_eq!(h.take(b1), ["failed:c1:invitation_expire"]);
    assert_eq!(h.take(b2), ["failed:c1:invitation_expire"]);
    assert_eq!(h.take(a), ["failed:c1:invitation_expire"]);
}

#[test]
fn unconfirmed_accept_fails_for_acceptor_and_ends_the_callers_call() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.received(b, "c1");
    h.accept(b, "c1");
    h.frames(a);
    h.frames(b);
    h.jump();
    assert_eq!(h.now - h.t0, secs(5));
    assert_eq!(h.take(b), ["failed:c1:accept_failure"]);
    assert_eq!(h.take(a), ["call_ended:c1:connection_lost"]);
    // A confirm that comes too late is told the invitation ended.
    h.confirm(a, "c1");
    assert_eq!(h.take(a), ["error:already_end"]);
    assert_eq!(h.take(b), Vec::<String>::new());
}

#[test]
fn accept_before_receipt_still_tells_the_caller_received_first() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.frames(a);
    h.frames(b);
    h.accept(b, "c1");
    assert_eq!(h.take(a), ["received_by_peer:c1", "accepted:c1"]);
    assert_eq!(h.take(b), ["ok"]);
}

#[test]
fn caller_hang_up_while_accepting_confirms_then_ends() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.received(b, "c1");
    h.accept(b, "c1");
    h.frames(a);
    h.frames(b);
    h.hang_up(a, "c1");
    assert_eq!(h.take(a), ["ok", "call_ended:c1:hangup:by=alice"]);
    assert_eq!(
        h.take(b),
        ["accept_confirmed:c1", "call_ended:c1:hangup:by=alice"]
    );
}

#[test]
fn hang_up_twice_and_before_accept() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.hang_up(a, "c1");
    assert_eq!(h.take(a), ["ok", "error:invalid_argument"]);
    h.accept(b, "c1");
    h.confirm(a, "c1");
    h.hang_up(a, "c1");
    h.frames(a);
    h.frames(b);
    h.hang_up(b, "c1");
    assert_eq!(h.take(b), ["error:already_end"]);
    assert_eq!(h.take(a), Vec::<String>::new());
}

#[test]
fn accepting_twice_is_already_accept() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.accept(b, "c1");
    h.frames(b);
    h.accept(b, "c1");
    assert_eq!(h.take(b), ["error:already_accept"]);
    h.refuse(b, "c1", None);
    assert_eq!(h.take(b), ["error:already_accept"]);
}

#[test]
fn already_sent_never_makes_a_second_call() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    h.invite(a, "c1", "bob");
    h.invite(a, "c1", "bob");
    h.invite(c, "c1", "bob");
    assert_eq!(h.take(a), ["ok", "error:already_sent"]);
    assert_eq!(h.take(c), ["error:already_sent"]);
    assert_eq!(h.take(b), ["invitation:c1"]);
    // Still blocked while retained after the end, free again once purged.
    h.cancel(a, "c1");
    h.advance(secs(299));
    h.invite(a, "c1", "bob");
    assert_eq!(
        h.take(a),
        ["ok", "canceled:c1:canceled", "error:already_sent"]
    );
    h.advance(secs(1));
    h.invite(a, "c1", "bob");
    assert_eq!(h.take(a), ["ok"]);
}

#[test]
fn inviting_yourself_is_invalid() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let a2 = h.admit("alice", "a2");
    h.invite(a, "c1", "alice");
    assert_eq!(h.take(a), ["error:invalid_argument"]);
    assert_eq!(h.take(a2), Vec::<String>::new());
}

#[test]
fn forbidden_on_someone_elses_invitation() {
    let mut h = Harness::new();
    let a1 = h.admit("alice", "a1");
    let a2 = h.admit("alice", "a2");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    h.invite(a1, "c1", "bob");
    h.frames(a1);
    h.frames(b);
    // A stranger can do nothing with it.
    h.accept(c, "c1");
    h.refuse(c, "c1", None);
    h.cancel(c, "c1");
    h.hang_up(c, "c1");
    h.received(c, "c1");
    h.confirm(c, "c1");
    assert_eq!(h.take(c), vec!["error:forbidden"; 6]);
    // Another device of the caller may not cancel or confirm; the callee may not cancel.
    h.cancel(a2, "c1");
    h.confirm(a2, "c1");
    h.accept(a2, "c1");
    assert_eq!(h.take(a2), vec!["error:forbidden"; 3]);
    h.cancel(b, "c1");
    h.confirm(b, "c1");
    assert_eq!(h.take(b), vec!["error:forbidden"; 2]);
    // The caller's device may not act as callee.
    h.accept(a1, "c1");
    assert_eq!(h.take(a1), ["error:forbidden"]);
    // An unknown id reads the same.
    h.accept(b, "nope");
    assert_eq!(h.take(b), ["error:forbidden"]);
    // And none of it changed anything.
    h.received(b, "c1");
    assert_eq!(h.take(a1), ["received_by_peer:c1"]);
}

#[test]
fn shell_requests_are_unsupported_and_ping_pongs() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let req = h.req();
    h.send(a, ClientFrame::Logout { req });
    h.send(a, ClientFrame::RenewToken { req });
    h.send(a, ClientFrame::History { req, limit: None });
    h.send(a, ClientFrame::Ping {});
    assert_eq!(
        h.take(a),
        [
            "error:unsupported",
            "error:unsupported",
            "error:unsupported",
            "pong"
        ]
    );
    // A connection that was never admitted.
    h.send(ringer_switchboard::ConnId(999), ClientFrame::Ping {});
    assert_eq!(
        h.take(ringer_switchboard::ConnId(999)),
        ["error:not_logged_in"]
    );
}

#[test]
fn call_lifecycle_and_response_in_snapshot() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.accept(b, "c1");
    h.confirm(a, "c1");
    // The caller reconnects mid-call: its snapshot says in call, with the response.
    h.disconnect(a);
    let (_a, snapshot) = h.admit_snapshot("alice", "a1");
    assert!(matches!(
        &snapshot[..],
        [entry] if matches!(&entry.state, InvitationState::InCall { response: Some(r) } if r.as_str() == "hi")
    ));
    h.hang_up(b, "c1");
    assert!(h.frames(b).iter().any(|f| matches!(
        f,
        ServerFrame::CallEnded {
            reason: CallEndReason::Hangup,
            ..
        }
    )));
}
