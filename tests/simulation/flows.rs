//! The basic flows through the whole stack: accept, refuse, cancel, busy, do-not-disturb,
//! offline and unknown callees.

use ringer_proto::Status;

use crate::sim::{Sim, ms, secs};

/// Alice with one device, Bob with two, Carol with one; everyone online, events read.
pub fn team() -> Sim {
    let mut sim = Sim::new(&[("alice", 1), ("bob", 2), ("carol", 1)]);
    for d in 0..4 {
        sim.set_delays(d, ms(5), ms(5));
    }
    sim.connect_all();
    sim.take_everyone();
    sim
}

/// Alice rings Bob's two devices with invitation `id`; everyone's events read.
pub fn ringing(sim: &mut Sim, id: &str) {
    let a = sim.dev("alice", 0);
    sim.send(a, id, "bob").expect("send");
    sim.run(ms(100));
    sim.take_everyone();
    sim.take_wire(id);
}

#[test]
fn accept_is_a_three_way_handshake_then_hang_up_ends_the_call_on_both_sides() {
    let mut sim = team();
    let (a, b0, b1) = (sim.dev("alice", 0), sim.dev("bob", 0), sim.dev("bob", 1));
    sim.send(a, "i1", "bob").expect("send");
    sim.run(ms(100));
    assert_eq!(
        sim.take_wire("i1"),
        [
            "alice/0 -> server: invite(i1)",
            "server -> bob/0: invitation(i1)",
            "server -> bob/1: invitation(i1)",
            "bob/0 -> server: received(i1)",
            "bob/1 -> server: received(i1)",
            "server -> alice/0: received_by_peer(i1)",
        ]
    );
    // The callee's `received` comes before the caller's `received_by_peer` (SPEC §5).
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_received(i1, from alice)",
            "bob/1: remote_invitation_received(i1, from alice)",
            "alice/0: local_invitation_received_by_peer(i1)",
        ]
    );

    sim.accept(b0, "i1").expect("accept");
    sim.run(ms(100));
    assert_eq!(
        sim.take_wire("i1"),
        [
            "bob/0 -> server: accept(i1)",
            "server -> alice/0: accepted(i1)",
            "server -> bob/1: canceled(i1, answered_elsewhere)",
            "alice/0 -> server: confirm(i1)",
            "server -> bob/0: accept_confirmed(i1)",
        ]
    );
    assert_eq!(sim.take(a), ["local_invitation_accepted(i1, ok)"]);
    assert_eq!(sim.take(b0), ["remote_invitation_accepted(i1)"]);
    assert_eq!(
        sim.take(b1),
        ["remote_invitation_canceled(i1, answered_elsewhere)"]
    );

    sim.hang_up(b0, "i1").expect("hang up");
    sim.run(ms(100));
    assert_eq!(sim.take(a), ["call_ended(i1, hangup, by bob)"]);
    assert_eq!(sim.take(b0), ["call_ended(i1, hangup, by bob)"]);
    assert!(sim.take(b1).is_empty());
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn refuse_on_one_device_is_declined_elsewhere_on_the_other() {
    let mut sim = team();
    let (a, b0, b1) = (sim.dev("alice", 0), sim.dev("bob", 0), sim.dev("bob", 1));
    ringing(&mut sim, "i1");
    sim.refuse(b1, "i1").expect("refuse");
    sim.run(ms(100));
    // The refusing device first, then its siblings, then the caller.
    assert_eq!(
        sim.take_wire("i1"),
        [
            "bob/1 -> server: refuse(i1)",
            "server -> bob/1: refused(i1, declined)",
            "server -> bob/0: canceled(i1, declined_elsewhere)",
            "server -> alice/0: refused(i1, declined)",
        ]
    );
    assert_eq!(sim.take(a), ["local_invitation_refused(i1, declined)"]);
    assert_eq!(sim.take(b1), ["remote_invitation_refused(i1)"]);
    assert_eq!(
        sim.take(b0),
        ["remote_invitation_canceled(i1, declined_elsewhere)"]
    );
    assert_eq!(
        sim.accept(b0, "i1"),
        Err(ringer_engine::ApiError::AlreadyEnd)
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn cancel_reaches_the_callee_devices_before_the_caller() {
    let mut sim = team();
    let a = sim.dev("alice", 0);
    ringing(&mut sim, "i1");
    sim.cancel(a, "i1").expect("cancel");
    // Nothing happens until the server confirms.
    assert!(sim.take(a).is_empty());
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_canceled(i1, canceled)",
            "bob/1: remote_invitation_canceled(i1, canceled)",
            "alice/0: local_invitation_canceled(i1)",
        ]
    );
    assert_eq!(
        sim.take_wire("i1"),
        [
            "alice/0 -> server: cancel(i1)",
            "server -> bob/0: canceled(i1, canceled)",
            "server -> bob/1: canceled(i1, canceled)",
            "server -> alice/0: canceled(i1, canceled)",
        ]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn nobody_answering_expires_on_both_sides_after_the_ring_timeout() {
    let mut sim = team();
    let a = sim.dev("alice", 0);
    ringing(&mut sim, "i1");
    sim.run(secs(59));
    assert!(sim.take_everyone().is_empty());
    sim.run(secs(2));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_failure(i1, invitation_expire)",
            "bob/1: remote_invitation_failure(i1, invitation_expire)",
            "alice/0: local_invitation_failure(i1, invitation_expire)",
        ]
    );
    assert_eq!(
        sim.cancel(a, "i1"),
        Err(ringer_engine::ApiError::AlreadyEnd)
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_callee_in_a_call_is_busy_without_ringing() {
    let mut sim = team();
    let (b0, c) = (sim.dev("bob", 0), sim.dev("carol", 0));
    ringing(&mut sim, "i1");
    sim.accept(b0, "i1").expect("accept");
    sim.run(ms(100));
    sim.take_everyone();

    sim.send(c, "i2", "bob").expect("send");
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        ["carol/0: local_invitation_refused(i2, busy)"]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_callee_on_do_not_disturb_is_refused_without_ringing() {
    let mut sim = team();
    let (b1, c) = (sim.dev("bob", 1), sim.dev("carol", 0));
    sim.set_status(b1, Status::Dnd).expect("set status");
    sim.run(ms(100));
    sim.send(c, "i1", "bob").expect("send");
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        ["carol/0: local_invitation_refused(i1, dnd)"]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_callee_without_devices_makes_the_invitation_fail_peer_offline() {
    let mut sim = team();
    let c = sim.dev("carol", 0);
    let bobs = [sim.dev("bob", 0), sim.dev("bob", 1)];
    for b in bobs {
        sim.offline(b);
    }
    // Past the grace period: Bob is gone.
    sim.run(secs(31));
    sim.take_everyone();
    sim.send(c, "i1", "bob").expect("send");
    sim.run(secs(29));
    assert!(sim.take_everyone().is_empty());
    sim.run(secs(2));
    assert_eq!(
        sim.take_everyone(),
        ["carol/0: local_invitation_failure(i1, peer_offline)"]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_callee_coming_online_while_the_caller_waits_gets_the_invitation() {
    let mut sim = team();
    let (a, b0, b1) = (sim.dev("alice", 0), sim.dev("bob", 0), sim.dev("bob", 1));
    sim.offline(b0);
    sim.offline(b1);
    sim.run(secs(31));
    sim.take_everyone();
    sim.send(a, "i1", "bob").expect("send");
    sim.run(secs(20));
    sim.online(b1);
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/1: remote_invitation_received(i1, from alice)",
            "alice/0: local_invitation_received_by_peer(i1)",
        ]
    );
    sim.accept(b1, "i1").expect("accept");
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        [
            "alice/0: local_invitation_accepted(i1, ok)",
            "bob/1: remote_invitation_accepted(i1)",
        ]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn inviting_a_uid_without_an_account_fails_peer_unknown_at_once() {
    let mut sim = team();
    let a = sim.dev("alice", 0);
    sim.send(a, "i1", "zed").expect("send");
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        ["alice/0: local_invitation_failure(i1, peer_unknown)"]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn sending_while_disconnected_fails_not_logged_in() {
    let mut sim = team();
    let a = sim.dev("alice", 0);
    sim.offline(a);
    sim.take_everyone();
    sim.send(a, "i1", "bob").expect("send");
    assert_eq!(sim.take(a), ["local_invitation_failure(i1, not_logged_in)"]);
    sim.online(a);
    sim.run(secs(5));
    assert!(sim.take_everyone().is_empty());
    sim.check_settled();
    sim.assert_clean();
}
