//! Disconnects, the grace period, half-open connections and server restarts: no event is lost,
//! and both sides end up agreeing (SPEC §8).

use ringer_engine::CallState;

use crate::flows::{ringing, team};
use crate::sim::{Sim, iid, ms, secs};

/// Alice, Bob (two devices), Carol and Dave; Carol and Dave in call `c1`; Alice ringing Bob with
/// `i1`.
fn busy_team() -> Sim {
    let mut sim = Sim::new(&[("alice", 1), ("bob", 2), ("carol", 1), ("dave", 1)]);
    for d in 0..5 {
        sim.set_delays(d, ms(5), ms(5));
    }
    sim.connect_all();
    let (c, d) = (sim.dev("carol", 0), sim.dev("dave", 0));
    sim.send(c, "c1", "dave").expect("send");
    sim.run(ms(100));
    sim.accept(d, "c1").expect("accept");
    sim.run(ms(100));
    ringing(&mut sim, "i1");
    sim.take_everyone();
    sim
}

#[test]
fn a_caller_back_within_the_grace_period_finds_its_invitation_still_ringing() {
    let mut sim = team();
    let (a, b0) = (sim.dev("alice", 0), sim.dev("bob", 0));
    ringing(&mut sim, "i1");
    sim.offline(a);
    sim.run(secs(20));
    sim.online(a);
    sim.run(secs(1));
    assert_eq!(
        sim.take_all(a),
        [
            "connection(reconnecting, Interrupted)",
            "connection(connected, LoginSuccess)",
            "logged_in",
        ]
    );
    assert!(sim.take_everyone().is_empty());
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
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_refusal_while_the_caller_is_away_reaches_it_in_the_snapshot() {
    let mut sim = team();
    let (a, b0) = (sim.dev("alice", 0), sim.dev("bob", 0));
    ringing(&mut sim, "i1");
    sim.offline(a);
    sim.refuse(b0, "i1").expect("refuse");
    sim.run(secs(10));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_refused(i1)",
            "bob/1: remote_invitation_canceled(i1, declined_elsewhere)",
        ]
    );
    sim.online(a);
    sim.run(secs(1));
    assert_eq!(sim.take(a), ["local_invitation_refused(i1, declined)"]);
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn an_accept_the_away_caller_cannot_confirm_fails_and_the_caller_learns_its_call_ended() {
    let mut sim = team();
    let (a, b0) = (sim.dev("alice", 0), sim.dev("bob", 0));
    ringing(&mut sim, "i1");
    sim.offline(a);
    sim.accept(b0, "i1").expect("accept");
    sim.run(secs(10));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/1: remote_invitation_canceled(i1, answered_elsewhere)",
            "bob/0: remote_invitation_failure(i1, accept_failure)",
        ]
    );
    sim.online(a);
    sim.run(secs(1));
    // Neither side is left in a call the other does not have.
    assert_eq!(
        sim.take(a),
        [
            "local_invitation_accepted(i1, ok)",
            "call_ended(i1, connection_lost)",
        ]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_caller_away_beyond_the_grace_period_fails_the_invitation_peer_offline_on_both_sides() {
    let mut sim = team();
    let a = sim.dev("alice", 0);
    ringing(&mut sim, "i1");
    sim.offline(a);
    sim.run(secs(29));
    assert!(sim.take_everyone().is_empty());
    sim.run(secs(2));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: remote_invitation_failure(i1, peer_offline)",
            "bob/1: remote_invitation_failure(i1, peer_offline)",
        ]
    );
    sim.online(a);
    sim.run(secs(1));
    assert_eq!(sim.take(a), ["local_invitation_failure(i1, peer_offline)"]);
    sim.check_settled();
    sim.assert_clean();
}

/// Alice and Bob's first device in call `i1`.
fn in_call() -> Sim {
    let mut sim = team();
    let b0 = sim.dev("bob", 0);
    ringing(&mut sim, "i1");
    sim.accept(b0, "i1").expect("accept");
    sim.run(ms(100));
    sim.take_everyone();
    sim
}

#[test]
fn a_call_survives_a_disconnect_within_the_grace_period() {
    let mut sim = in_call();
    let (a, b0) = (sim.dev("alice", 0), sim.dev("bob", 0));
    sim.offline(b0);
    sim.run(secs(25));
    sim.online(b0);
    sim.run(secs(1));
    assert!(sim.take_everyone().is_empty());
    assert_eq!(
        sim.devices[a].engine.call_state(&iid("i1")),
        Some(CallState::Live)
    );
    sim.hang_up(b0, "i1").expect("hang up");
    sim.run(ms(100));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/0: call_ended(i1, hangup, by bob)",
            "alice/0: call_ended(i1, hangup, by bob)",
        ]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_call_ends_connection_lost_when_a_side_stays_away_beyond_the_grace_period() {
    let mut sim = in_call();
    let b0 = sim.dev("bob", 0);
    sim.offline(b0);
    sim.run(secs(29));
    assert!(sim.take_everyone().is_empty());
    sim.run(secs(2));
    assert_eq!(
        sim.take_everyone(),
        ["alice/0: call_ended(i1, connection_lost)"]
    );
    sim.online(b0);
    sim.run(secs(1));
    assert_eq!(sim.take(b0), ["call_ended(i1, connection_lost)"]);
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_silent_connection_is_noticed_by_the_heartbeat_and_the_snapshot_tells_what_was_missed() {
    let mut sim = team();
    let (a, b0) = (sim.dev("alice", 0), sim.dev("bob", 0));
    ringing(&mut sim, "i1");
    // Half-open: the accept's `accepted` never reaches Alice, her `confirm` is never sent.
    sim.cut(a);
    sim.accept(b0, "i1").expect("accept");
    sim.run(secs(10));
    assert_eq!(
        sim.take_everyone(),
        [
            "bob/1: remote_invitation_canceled(i1, answered_elsewhere)",
            "bob/0: remote_invitation_failure(i1, accept_failure)",
        ]
    );
    sim.run(secs(40));
    assert_eq!(
        sim.take_all(a),
        [
            "connection(reconnecting, Interrupted)",
            "connection(connected, LoginSuccess)",
            "logged_in",
            "local_invitation_accepted(i1, ok)",
            "call_ended(i1, connection_lost)",
        ]
    );
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_server_crash_fails_live_invitations_and_calls_with_server_restart() {
    let mut sim = busy_team();
    sim.restart_server(false);
    sim.run(secs(5));
    // Each device learns it from the new server's welcome, whenever its backoff lets it dial.
    let expected = [
        ("alice", 0, "local_invitation_failure(i1, server_restart)"),
        ("bob", 0, "remote_invitation_failure(i1, server_restart)"),
        ("bob", 1, "remote_invitation_failure(i1, server_restart)"),
        ("carol", 0, "call_ended(c1, server_restart)"),
        ("dave", 0, "call_ended(c1, server_restart)"),
    ];
    for (user, n, event) in expected {
        let d = sim.dev(user, n);
        assert_eq!(sim.take(d), [event], "{user}/{n}");
    }
    for d in 0..5 {
        assert!(sim.is_connected(d), "{} reconnected", sim.devices[d].name);
        assert_eq!(sim.devices[d].engine.server_id(), Some("server-2"));
    }
    sim.check_settled();
    sim.assert_clean();
}

#[test]
fn a_graceful_restart_tells_everyone_before_it_goes() {
    let mut sim = busy_team();
    sim.restart_server(true);
    sim.run(ms(10));
    // Delivered before the connections close: no reconnect needed to learn the outcome.
    assert_eq!(
        sim.take_everyone(),
        [
            "dave/0: call_ended(c1, server_restart)",
            "carol/0: call_ended(c1, server_restart)",
            "bob/0: remote_invitation_failure(i1, server_restart)",
            "bob/1: remote_invitation_failure(i1, server_restart)",
            "alice/0: local_invitation_failure(i1, server_restart)",
        ]
    );
    sim.run(secs(5));
    assert!(sim.take_everyone().is_empty());
    for d in 0..5 {
        assert!(sim.is_connected(d), "{} reconnected", sim.devices[d].name);
    }
    sim.check_settled();
    sim.assert_clean();
}
