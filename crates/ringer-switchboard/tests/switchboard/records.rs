//! Call records and missed calls (SPEC §7): one record per side per invitation.

use ringer_proto::{Direction, Outcome, Status};
use ringer_switchboard::Config;

use crate::harness::{EPOCH_MS, Harness, secs};

#[test]
fn answered_call_records_times_on_both_sides() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.advance(secs(3));
    h.accept(b, "c1");
    h.confirm(a, "c1");
    assert!(h.records.is_empty(), "no record while the call is live");
    h.advance(secs(60));
    h.hang_up(a, "c1");
    assert_eq!(h.records.len(), 2);
    let (owner, outgoing) = &h.records[0];
    assert_eq!(owner.as_str(), "alice");
    assert_eq!(outgoing.direction, Direction::Outgoing);
    assert_eq!(outgoing.peer.as_str(), "bob");
    assert_eq!(outgoing.outcome, Outcome::Answered);
    assert_eq!(outgoing.reason.as_deref(), Some("hangup"));
    assert_eq!(outgoing.started_at, EPOCH_MS);
    assert_eq!(outgoing.answered_at, Some(EPOCH_MS + 3000));
    assert_eq!(outgoing.ended_at, EPOCH_MS + 63_000);
    let (owner, incoming) = &h.records[1];
    assert_eq!(owner.as_str(), "bob");
    assert_eq!(incoming.direction, Direction::Incoming);
    assert_eq!(incoming.peer.as_str(), "alice");
    assert!(!incoming.missed);
    assert_eq!(incoming.answered_at, outgoing.answered_at);
}

#[test]
fn missed_flags_for_every_kind_of_end() {
    let mut h = Harness::with_config(Config {
        max_devices_per_uid: 5,
        ..Config::default()
    });
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");

    h.invite(a, "canceled", "bob");
    h.cancel(a, "canceled");
    h.invite(a, "declined", "bob");
    h.refuse(b1, "declined", None);
    h.invite(a, "expired", "bob");
    h.received(b1, "expired");
    h.advance(secs(60));
    h.invite(a, "no_ack", "bob");
    h.advance(secs(30));
    assert_eq!(
        h.take_records(),
        [
            "alice:outgoing:bob:canceled",
            "bob:incoming:alice:canceled:missed",
            "alice:outgoing:bob:refused:declined",
            "bob:incoming:alice:refused:declined",
            "alice:outgoing:bob:failed:invitation_expire",
            "bob:incoming:alice:failed:invitation_expire:missed",
            "alice:outgoing:bob:failed:peer_no_response",
            "bob:incoming:alice:failed:peer_no_response:missed",
        ]
    );

    h.set_status(b2, Status::Dnd, None);
    h.invite(a, "dnd", "bob");
    h.set_status(b2, Status::Available, None);
    h.invite(a, "unknown", "nobody");
    h.invite(a, "accept_failure", "bob");
    h.accept(b2, "accept_failure");
    h.advance(secs(5));
    assert_eq!(
        h.take_records(),
        [
            "alice:outgoing:bob:refused:dnd",
            "bob:incoming:alice:refused:dnd:missed",
            "alice:outgoing:nobody:failed:peer_unknown",
            "alice:outgoing:bob:failed:accept_failure",
            "bob:incoming:alice:failed:accept_failure",
        ]
    );

    // Busy: carol calls bob while bob is in a call.
    let c = h.admit("carol", "c1");
    h.invite(a, "call", "bob");
    h.accept(b1, "call");
    h.invite(c, "busy", "bob");
    h.confirm(a, "call");
    h.hang_up(b1, "call");
    assert_eq!(
        h.take_records(),
        [
            "carol:outgoing:bob:refused:busy",
            "bob:incoming:carol:refused:busy:missed",
            "alice:outgoing:bob:answered:hangup",
            "bob:incoming:alice:answered:hangup",
        ]
    );

    // Glare: the later invitation is not a missed call; the earlier became the call.
    h.invite(a, "early", "bob");
    h.invite(b1, "late", "alice");
    h.confirm(a, "early");
    h.hang_up(a, "early");
    // Caller lost while ringing, and the callee never online.
    h.invite(c, "lost", "alice");
    h.received(a, "lost");
    h.disconnect(c);
    h.advance(secs(30));
    h.invite(a, "offline", "dave");
    h.advance(secs(30));
    assert_eq!(
        h.take_records(),
        [
            "bob:outgoing:alice:failed:glare",
            "alice:incoming:bob:failed:glare",
            "alice:outgoing:bob:answered:hangup",
            "bob:incoming:alice:answered:hangup",
            "carol:outgoing:alice:failed:peer_offline",
            "alice:incoming:carol:failed:peer_offline:missed",
            "alice:outgoing:dave:failed:peer_offline",
            "dave:incoming:alice:failed:peer_offline:missed",
        ]
    );
}
