//! Races the server arbitrates, made real by network delays: whichever input reaches the
//! server first wins, and everyone ends up agreeing.

use ringer_engine::CallState;
use ringer_proto::Presence;

use crate::flows::{ringing, team};
use crate::sim::{Sim, iid, ms, secs, uid};

/// No request of `d` failed visibly: a lost race's `already_end` is swallowed.
fn no_request_failed(sim: &mut Sim, d: usize) {
    let all = sim.take_all(d);
    assert!(
        all.iter().all(|e| !e.starts_with("request_failed")),
        "{all:?}"
    );
}

#[test]
fn accept_reaching_the_server_before_cancel_wins() {
    let mut sim = team();
    let (a, b0, b1) = (sim.dev("alice", 0), sim.dev("bob", 0), sim.dev("bob", 1));
    ringing(&mut sim, "i1");
    sim.set_delays(a, ms(50), ms(5));
    sim.set_delays(b0, ms(10), ms(5));
    sim.cancel(a, "i1").expect("cancel");
    sim.accept(b0, "i1").expect("accept");
    sim.run(secs(1));
    assert_eq!(
        sim.take_wire("i1"),
        [
            "bob/0 -> server: accept(i1)",
            "server -> alice/0: accepted(i1)",
            "server -> bob/1: canceled(i1, answered_elsewhere)",
            "alice/0 -> server: cancel(i1)",
            "alice/0 -> server: confirm(i1)",
            "server -> bob/0: accept_confirmed(i1)",
        ]
    );
    assert_eq!(
        sim.take_everyone(),
        [
            "alice/0: local_invitation_accepted(i1, ok)",
            "bob/1: remote_invitation_canceled(i1, answered_elsewhere)",
            "bob/0: remote_invitation_accepted(i1)",
        ]
    );
    // The cancel lost: the server answered it `already_end`, which the engine swallows.
    assert!(sim.wire_has("server -> alice/0: error(already_end)"));
    for d in [a, b0, b1] {
        no_request_failed(&mut sim, d);
    }
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn cancel_reaching_the_server_before_accept_wins() {
    let mut sim = team();
    let (a, b0, b1) = (sim.dev("alice", 0), sim.dev("bob", 0), sim.dev("bob", 1));
    ringing(&mut sim, "i1");
    sim.set_delays(a, ms(10), ms(5));
    sim.set_delays(b0, ms(50), ms(5));
    sim.accept(b0, "i1").expect("accept");
    sim.cancel(a, "i1").expect("cancel");
    sim.run(secs(1));
    assert_eq!(
        sim.take_wire("i1"),
        [
            "alice/0 -> server: cancel(i1)",
            "server -> bob/0: canceled(i1, canceled)",
            "server -> bob/1: canceled(i1, canceled)",
            "server -> alice/0: canceled(i1, canceled)",
            "bob/0 -> server: accept(i1)",
        ]
    );
    // Bob's device had already sent its accept: the cancel still wins there.
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_canceled(i1, canceled)",
            "bob/1: remote_invitation_canceled(i1, canceled)",
            "alice/0: local_invitation_canceled(i1)",
        ]
    );
    for d in [a, b0, b1] {
        no_request_failed(&mut sim, d);
    }
    sim.check_settled();
    sim.assert_clean();
}

/// Rings Bob with all delays at 5 ms and returns when the server's ring timeout fires: the
/// invite reaches the server after 5 ms, the invitation Bob after 10, his receipt the server
/// after 15; from then it rings for 60 s.
fn ringing_until_expiry(sim: &mut Sim) -> std::time::Instant {
    let a = sim.dev("alice", 0);
    let sent = sim.now;
    sim.send(a, "i1", "bob").expect("send");
    sim.run(ms(100));
    sim.take_everyone();
    sim.take_wire("i1");
    sent + ms(15) + secs(60)
}

#[test]
fn accept_arriving_just_before_the_ring_timeout_wins() {
    let mut sim = team();
    let (a, b0) = (sim.dev("alice", 0), sim.dev("bob", 0));
    let expiry = ringing_until_expiry(&mut sim);
    // Sent 6 ms before the expiry, it arrives 1 ms before it.
    sim.run_until(expiry - ms(6));
    sim.accept(b0, "i1").expect("accept");
    sim.run(secs(1));
    assert_eq!(
        sim.take_everyone(),
        [
            "alice/0: local_invitation_accepted(i1, ok)",
            "bob/1: remote_invitation_canceled(i1, answered_elsewhere)",
            "bob/0: remote_invitation_accepted(i1)",
        ]
    );
    assert_eq!(
        sim.devices[a].engine.call_state(&iid("i1")),
        Some(CallState::Live)
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn accept_arriving_just_after_the_ring_timeout_loses() {
    let mut sim = team();
    let b0 = sim.dev("bob", 0);
    let expiry = ringing_until_expiry(&mut sim);
    // Sent 4 ms before the expiry, while Bob's device still rings; it arrives 1 ms after it.
    sim.run_until(expiry - ms(4));
    sim.accept(b0, "i1").expect("accept");
    sim.run(secs(1));
    assert_eq!(
        sim.take_wire("i1"),
        [
            "bob/0 -> server: accept(i1)",
            "server -> bob/0: failed(i1, invitation_expire)",
            "server -> bob/1: failed(i1, invitation_expire)",
            "server -> alice/0: failed(i1, invitation_expire)",
        ]
    );
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_failure(i1, invitation_expire)",
            "bob/1: remote_invitation_failure(i1, invitation_expire)",
            "alice/0: local_invitation_failure(i1, invitation_expire)",
        ]
    );
    assert!(sim.wire_has("server -> bob/0: error(already_end)"));
    no_request_failed(&mut sim, b0);
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn two_callee_devices_accepting_at_once_the_first_to_arrive_wins() {
    let mut sim = team();
    let (b0, b1) = (sim.dev("bob", 0), sim.dev("bob", 1));
    ringing(&mut sim, "i1");
    sim.set_delays(b0, ms(20), ms(5));
    sim.set_delays(b1, ms(10), ms(5));
    sim.accept(b0, "i1").expect("accept");
    sim.accept(b1, "i1").expect("accept");
    sim.run(secs(1));
    assert_eq!(
        sim.take_everyone(),
        [
            "alice/0: local_invitation_accepted(i1, ok)",
            "bob/0: remote_invitation_canceled(i1, answered_elsewhere)",
            "bob/1: remote_invitation_accepted(i1)",
        ]
    );
    no_request_failed(&mut sim, b0);
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn refuse_on_one_device_beats_a_later_accept_on_the_other() {
    let mut sim = team();
    let (b0, b1) = (sim.dev("bob", 0), sim.dev("bob", 1));
    ringing(&mut sim, "i1");
    sim.set_delays(b0, ms(20), ms(5));
    sim.set_delays(b1, ms(10), ms(5));
    sim.accept(b0, "i1").expect("accept");
    sim.refuse(b1, "i1").expect("refuse");
    sim.run(secs(1));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/1: remote_invitation_refused(i1)",
            "bob/0: remote_invitation_canceled(i1, declined_elsewhere)",
            "alice/0: local_invitation_refused(i1, declined)",
        ]
    );
    no_request_failed(&mut sim, b0);
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn glare_puts_both_parties_in_the_earlier_call_and_fails_the_later_invitation() {
    let mut sim = team();
    let (a, b0, b1) = (sim.dev("alice", 0), sim.dev("bob", 0), sim.dev("bob", 1));
    sim.set_delays(a, ms(10), ms(5));
    sim.set_delays(b0, ms(30), ms(5));
    sim.send(a, "i1", "bob").expect("send");
    sim.send(b0, "i2", "alice").expect("send");
    sim.run(secs(1));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_received(i1, from alice)",
            "bob/1: remote_invitation_received(i1, from alice)",
            "alice/0: local_invitation_received_by_peer(i1)",
            "bob/0: local_invitation_failure(i2, glare)",
            "alice/0: local_invitation_accepted(i1)",
            "bob/1: remote_invitation_canceled(i1, answered_elsewhere)",
            "bob/0: remote_invitation_accepted(i1)",
        ]
    );
    for d in [a, b0] {
        assert_eq!(
            sim.devices[d].engine.call_state(&iid("i1")),
            Some(CallState::Live)
        );
    }
    assert_eq!(sim.devices[b1].engine.call_state(&iid("i1")), None);
    for user in ["alice", "bob"] {
        assert_eq!(sim.switchboard().presence(&uid(user)), Presence::InCall);
    }
    sim.hang_up(a, "i1").expect("hang up");
    sim.run(secs(1));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: call_ended(i1, hangup, by alice)",
            "alice/0: call_ended(i1, hangup, by alice)",
        ]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_glare_acceptor_whose_invitation_was_lost_hears_of_the_call_after_reconnecting() {
    let mut sim = Sim::new(&[("alice", 1), ("bob", 1)]);
    let (a, b) = (sim.dev("alice", 0), sim.dev("bob", 0));
    sim.set_delays(a, ms(5), ms(5));
    sim.set_delays(b, ms(0), ms(20));
    sim.connect_all();
    sim.take_everyone();
    sim.send(a, "i1", "bob").expect("send");
    sim.run(ms(10));
    // The invitation is still on its way to Bob when he calls Alice: glare, and the server
    // accepts i1 on his device's behalf.
    sim.send(b, "i2", "alice").expect("send");
    // Bob's connection breaks with the invitation (and the glare failure) still in flight.
    sim.drop_link(b);
    sim.run(secs(2));
    assert!(sim.is_connected(b));
    assert_eq!(
        sim.take(a),
        [
            "local_invitation_received_by_peer(i1)",
            "local_invitation_accepted(i1)",
        ]
    );
    assert_eq!(
        sim.devices[b].engine.call_state(&iid("i1")),
        Some(CallState::Live)
    );
    // The events he would have seen without the drop (see the glare test above), told by the
    // reconnect snapshot in its order (i1 was sent first): never a call he did not hear of.
    assert_eq!(
        sim.take(b),
        [
            "remote_invitation_received(i1, from alice)",
            "remote_invitation_accepted(i1)",
            "local_invitation_failure(i2, glare)",
        ]
    );
}
