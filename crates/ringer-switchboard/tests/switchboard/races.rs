//! Races the server arbitrates (SPEC §5, §7): the first terminal action wins, the loser gets
//! `already_end` and has the winning outcome already queued.

use ringer_proto::{InvitationState, Status};

use crate::harness::{Harness, secs};

/// alice (a1) invites bob (b1, b2) with "c1"; both bob devices acknowledged; queues drained.
fn ringing() -> (
    Harness,
    ringer_switchboard::ConnId,
    ringer_switchboard::ConnId,
    ringer_switchboard::ConnId,
) {
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
    (h, a, b1, b2)
}

#[test]
fn cancel_then_accept_cancel_wins() {
    let (mut h, a, b1, b2) = ringing();
    h.cancel(a, "c1");
    h.accept(b1, "c1");
    assert_eq!(h.take(b1), ["canceled:c1:canceled", "error:already_end"]);
    assert_eq!(h.take(b2), ["canceled:c1:canceled"]);
    assert_eq!(h.take(a), ["ok", "canceled:c1:canceled"]);
}

#[test]
fn accept_then_cancel_accept_wins() {
    let (mut h, a, b1, b2) = ringing();
    h.accept(b1, "c1");
    h.cancel(a, "c1");
    assert_eq!(h.take(a), ["accepted:c1", "error:already_end"]);
    assert_eq!(h.take(b1), ["ok"]);
    assert_eq!(h.take(b2), ["canceled:c1:answered_elsewhere"]);
    h.confirm(a, "c1");
    assert_eq!(h.take(b1), ["accept_confirmed:c1"]);
}

#[test]
fn accept_just_before_expiry_wins_and_just_after_loses() {
    let (mut h, a, b1, _b2) = ringing();
    h.advance(secs(59));
    h.accept(b1, "c1");
    assert_eq!(h.take(b1), ["ok"]);
    assert_eq!(h.take(a), ["accepted:c1"]);

    let (mut h, a, b1, b2) = ringing();
    // The shell has not fired the timer yet when the accept arrives: the expiry came first.
    h.now += secs(60);
    h.accept(b1, "c1");
    assert_eq!(
        h.take(b1),
        ["failed:c1:invitation_expire", "error:already_end"]
    );
    assert_eq!(h.take(b2), ["failed:c1:invitation_expire"]);
    assert_eq!(h.take(a), ["failed:c1:invitation_expire"]);
}

#[test]
fn two_devices_accept_at_once_one_wins() {
    let (mut h, a, b1, b2) = ringing();
    h.accept(b2, "c1");
    h.accept(b1, "c1");
    assert_eq!(h.take(b2), ["ok"]);
    assert_eq!(
        h.take(b1),
        ["canceled:c1:answered_elsewhere", "error:already_end"]
    );
    assert_eq!(h.take(a), ["accepted:c1"]);
    // The loser is not part of the call.
    h.hang_up(b1, "c1");
    assert_eq!(h.take(b1), ["error:already_end"]);
}

#[test]
fn refuse_then_accept_and_accept_then_refuse() {
    let (mut h, a, b1, b2) = ringing();
    h.refuse(b1, "c1", None);
    h.accept(b2, "c1");
    assert_eq!(
        h.take(b2),
        ["canceled:c1:declined_elsewhere", "error:already_end"]
    );
    assert_eq!(h.take(a), ["refused:c1:declined"]);

    let (mut h, a, b1, b2) = ringing();
    h.accept(b1, "c1");
    h.refuse(b2, "c1", None);
    assert_eq!(
        h.take(b2),
        ["canceled:c1:answered_elsewhere", "error:already_end"]
    );
    assert_eq!(h.take(a), ["accepted:c1"]);
}

#[test]
fn cancel_after_end_and_refuse_after_cancel() {
    let (mut h, a, b1, _b2) = ringing();
    h.refuse(b1, "c1", None);
    h.cancel(a, "c1");
    assert_eq!(h.take(a), ["refused:c1:declined", "error:already_end"]);
    h.refuse(b1, "c1", None);
    assert_eq!(
        h.take(b1),
        ["ok", "refused:c1:declined", "error:already_end"]
    );
}

#[test]
fn glare_lands_both_in_the_earlier_invitation() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    h.invite(a, "early", "bob");
    h.frames(a);
    assert_eq!(h.take(b1), ["invitation:early"]);
    h.frames(b2);
    // bob calls alice back before acknowledging alice's invitation.
    h.invite(b1, "late", "alice");
    assert_eq!(h.take(b1), ["ok", "failed:late:glare"]);
    assert_eq!(h.take(b2), ["canceled:early:answered_elsewhere"]);
    assert_eq!(h.take(a), ["received_by_peer:early", "accepted:early"]);
    h.confirm(a, "early");
    assert_eq!(h.take(b1), ["accept_confirmed:early"]);
    assert_eq!(
        h.sb.presence(&crate::harness::uid("alice")),
        ringer_proto::Presence::InCall
    );
    assert_eq!(
        h.sb.presence(&crate::harness::uid("bob")),
        ringer_proto::Presence::InCall
    );
}

#[test]
fn glare_with_a_callee_device_that_learned_of_it_from_its_snapshot() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    h.invite(a, "early", "bob");
    h.frames(a);
    // bob's device comes online (the snapshot delivers "early") and calls alice at once.
    let (b, snapshot) = h.admit_snapshot("bob", "b1");
    assert_eq!(snapshot.len(), 1);
    h.invite(b, "late", "alice");
    assert_eq!(h.take(b), ["ok", "failed:late:glare"]);
    assert_eq!(h.take(a), ["received_by_peer:early", "accepted:early"]);
    h.confirm(a, "early");
    assert_eq!(h.take(b), ["accept_confirmed:early"]);
}

#[test]
fn busy_without_call_waiting_and_ringing_with_it() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    h.invite(a, "call", "bob");
    h.accept(b, "call");
    h.confirm(a, "call");
    h.frames(a);
    h.frames(b);
    h.invite(c, "second", "bob");
    assert_eq!(h.take(c), ["ok", "refused:second:busy"]);
    assert_eq!(h.take(b), Vec::<String>::new());
    // The caller (alice) is busy too.
    h.invite(c, "third", "alice");
    assert_eq!(h.take(c), ["ok", "refused:third:busy"]);

    h.set_status(b, Status::Available, Some(true));
    assert_eq!(h.take(b), ["ok", "status_changed:available:true"]);
    h.invite(c, "fourth", "bob");
    assert_eq!(h.take(c), ["ok"]);
    assert_eq!(h.take(b), ["invitation:fourth"]);
}

#[test]
fn busy_while_still_accepting() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    h.invite(a, "call", "bob");
    h.accept(b, "call");
    h.invite(c, "second", "bob");
    assert_eq!(h.take(c), ["ok", "refused:second:busy"]);
}

#[test]
fn dnd_refuses_without_ringing() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.set_status(b, Status::Dnd, None);
    assert_eq!(h.take(b), ["ok", "status_changed:dnd:false"]);
    h.invite(a, "c1", "bob");
    assert_eq!(h.take(a), ["ok", "refused:c1:dnd"]);
    assert_eq!(h.take(b), Vec::<String>::new());
    // DND applies with no device online too: status is per uid.
    h.disconnect(b);
    h.advance(secs(31));
    h.invite(a, "c2", "bob");
    assert_eq!(h.take(a), ["ok", "refused:c2:dnd"]);
}

#[test]
fn multi_device_fan_out_and_late_device() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    h.invite(a, "c1", "bob");
    assert_eq!(h.take(b1), ["invitation:c1"]);
    assert_eq!(h.take(b2), ["invitation:c1"]);
    h.received(b1, "c1");
    h.received(b2, "c1");
    // Only the first acknowledgement reaches the caller.
    assert_eq!(h.take(a), ["ok", "received_by_peer:c1"]);
    h.advance(secs(10));
    let (b3, snapshot) = h.admit_snapshot("bob", "b3");
    assert_eq!(snapshot.len(), 1);
    assert_eq!(snapshot[0].state, InvitationState::Ringing);
    h.received(b3, "c1");
    assert_eq!(h.take(a), Vec::<String>::new());
    h.accept(b3, "c1");
    assert_eq!(h.take(b1), ["canceled:c1:answered_elsewhere"]);
    assert_eq!(h.take(b2), ["canceled:c1:answered_elsewhere"]);
    assert_eq!(h.take(b3), ["ok"]);
    assert_eq!(h.take(a), ["accepted:c1"]);
}

#[test]
fn several_invitations_in_flight_from_one_caller() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    h.invite(a, "x1", "bob");
    h.invite(a, "x2", "carol");
    h.invite(a, "x3", "bob");
    assert_eq!(h.take(b), ["invitation:x1", "invitation:x3"]);
    assert_eq!(h.take(c), ["invitation:x2"]);
    h.refuse(b, "x1", None);
    h.received(c, "x2");
    // A refuse before any acknowledgement counts as one: the caller hears receipt first.
    assert_eq!(
        h.take(a),
        [
            "ok",
            "ok",
            "ok",
            "received_by_peer:x1",
            "refused:x1:declined",
            "received_by_peer:x2"
        ]
    );
}
