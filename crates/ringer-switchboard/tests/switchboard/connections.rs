//! Devices coming and going (SPEC §1, §8): limits, replacement, grace, resume snapshots, bans
//! and shutdown.

use ringer_proto::{CallEndReason, CancelReason, InvitationState, Role};
use ringer_switchboard::{AdmitError, CloseReason, Config};

use crate::harness::{Harness, entry_summary, secs, uid};

#[test]
fn device_limit_counts_devices_in_grace_but_not_a_replaced_connection() {
    let mut h = Harness::with_config(Config {
        max_devices_per_uid: 2,
        ..Config::default()
    });
    let b1 = h.admit("bob", "b1");
    let _b2 = h.admit("bob", "b2");
    assert_eq!(
        h.try_admit("bob", "b3").map(|_| ()),
        Err(AdmitError::TooManyDevices)
    );
    // The same device again replaces its old connection and does not count twice.
    let b1_again = h.admit("bob", "b1");
    assert_eq!(h.closes, vec![(b1, CloseReason::Replaced)]);
    assert_eq!(h.sb.uid_of(b1), None);
    assert_eq!(h.sb.uid_of(b1_again), Some(&uid("bob")));
    // A device in its grace period still counts; after it, the slot is free.
    h.disconnect(b1_again);
    assert_eq!(
        h.try_admit("bob", "b3").map(|_| ()),
        Err(AdmitError::TooManyDevices)
    );
    h.advance(secs(30));
    assert!(h.try_admit("bob", "b3").is_ok());
}

#[test]
fn admission_errors() {
    let mut h = Harness::new();
    h.set_account("dave", false);
    assert_eq!(
        h.try_admit("dave", "d1").map(|_| ()),
        Err(AdmitError::UnknownAccount)
    );
    assert_eq!(
        h.try_admit("zed", "z1").map(|_| ()),
        Err(AdmitError::UnknownAccount)
    );
    assert_eq!(
        AdmitError::UnknownAccount.code(),
        ringer_proto::ErrorCode::AccountDisabled
    );
    let a = h.admit("alice", "a1");
    let auth = ringer_switchboard::Authenticated {
        req: 1,
        uid: uid("alice"),
        device_id: crate::harness::dev("a9"),
        token: None,
        token_expires_at: 0,
    };
    assert_eq!(
        h.sb.handle_authenticated(a, auth, h.now),
        Err(AdmitError::AlreadyAdmitted)
    );
}

#[test]
fn welcome_carries_identity_status_and_settings() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    h.set_status(a, ringer_proto::Status::Dnd, Some(true));
    let (_, welcome) = h.try_admit("alice", "a2").expect("admitted");
    assert_eq!(welcome.uid, uid("alice"));
    assert_eq!(welcome.display_name.as_str(), "alice name");
    assert_eq!(welcome.device_id.as_str(), "a2");
    assert_eq!(welcome.server_id, "server-1");
    assert_eq!(welcome.heartbeat_interval_ms, 10_000);
    assert_eq!(welcome.status, ringer_proto::Status::Dnd);
    assert!(welcome.call_waiting);
    assert!(welcome.snapshot.is_empty());
}

#[test]
fn callee_disconnect_within_grace_keeps_the_invitation() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.received(b, "c1");
    h.disconnect(b);
    h.advance(secs(20));
    // Presence still counts the device.
    assert_eq!(h.sb.presence(&uid("bob")), ringer_proto::Presence::Online);
    let (b, snapshot) = h.admit_snapshot("bob", "b1");
    assert_eq!(
        snapshot.iter().map(entry_summary).collect::<Vec<_>>(),
        ["c1:callee:ringing"]
    );
    h.accept(b, "c1");
    assert_eq!(h.take(a), ["ok", "received_by_peer:c1", "accepted:c1"]);
}

#[test]
fn caller_disconnect_within_grace_sees_what_it_missed() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.invite(a, "c2", "bob");
    h.frames(a);
    h.disconnect(a);
    // While alice is away: c1 is accepted, c2 refused.
    h.received(b, "c1");
    h.accept(b, "c1");
    h.refuse(b, "c2", None);
    assert_eq!(h.sb.presence(&uid("alice")), ringer_proto::Presence::InCall);
    let (a, snapshot) = h.admit_snapshot("alice", "a1");
    assert_eq!(
        snapshot.iter().map(entry_summary).collect::<Vec<_>>(),
        ["c1:caller:accepting", "c2:caller:refused:declined"]
    );
    assert!(snapshot.iter().all(|e| e.role == Role::Caller));
    // Nothing else was queued for the new connection; it confirms from the snapshot.
    assert_eq!(h.take(a), Vec::<String>::new());
    h.confirm(a, "c1");
    assert_eq!(
        h.take(b),
        [
            "invitation:c1",
            "invitation:c2",
            "ok",
            "ok",
            "refused:c2:declined",
            "accept_confirmed:c1"
        ]
    );
}

#[test]
fn caller_gone_past_grace_fails_its_ringing_invitations() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    h.invite(a, "c1", "bob");
    h.received(b1, "c1");
    h.frames(b1);
    h.frames(b2);
    h.now += secs(5);
    h.disconnect(a);
    h.jump();
    assert_eq!(h.now - h.t0, secs(35));
    assert_eq!(h.take(b1), ["failed:c1:peer_offline"]);
    assert_eq!(h.take(b2), ["failed:c1:peer_offline"]);
    assert_eq!(
        h.sb.presence(&uid("alice")),
        ringer_proto::Presence::Offline
    );
    // Coming back later as a fresh device still shows the outcome while retained.
    let (_a, snapshot) = h.admit_snapshot("alice", "a1");
    assert_eq!(
        snapshot.iter().map(entry_summary).collect::<Vec<_>>(),
        ["c1:caller:failed:peer_offline"]
    );
}

#[test]
fn logout_ends_the_device_at_once_without_grace() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.received(b, "c1");
    h.frames(b);
    h.logout(a);
    assert_eq!(h.take(b), ["failed:c1:peer_offline"]);
    assert_eq!(
        h.sb.presence(&uid("alice")),
        ringer_proto::Presence::Offline
    );
}

#[test]
fn caller_lost_during_call_ends_it_with_connection_lost() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.accept(b, "c1");
    h.confirm(a, "c1");
    h.frames(b);
    h.disconnect(a);
    h.advance(secs(29));
    assert_eq!(h.take(b), Vec::<String>::new());
    h.advance(secs(1));
    assert_eq!(h.take(b), ["call_ended:c1:connection_lost"]);
    let (_, snapshot) = h.admit_snapshot("alice", "a1");
    assert!(matches!(
        snapshot[0].state,
        InvitationState::CallEnded {
            reason: CallEndReason::ConnectionLost,
            by: None,
            ..
        }
    ));
}

#[test]
fn acceptor_lost_before_confirm_is_an_accept_failure() {
    let mut h = Harness::with_config(Config {
        accept_confirm_timeout: secs(60),
        ..Config::default()
    });
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.accept(b, "c1");
    h.frames(a);
    h.disconnect(b);
    h.jump();
    assert_eq!(h.now - h.t0, secs(30));
    assert_eq!(h.take(a), ["call_ended:c1:connection_lost"]);
    let (_, snapshot) = h.admit_snapshot("bob", "b1");
    assert_eq!(
        snapshot.iter().map(entry_summary).collect::<Vec<_>>(),
        ["c1:callee:failed:accept_failure"]
    );
}

#[test]
fn snapshots_show_each_device_its_own_side_until_retention_ends() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b1 = h.admit("bob", "b1");
    h.invite(a, "c1", "bob");
    h.disconnect(b1);
    let b2 = h.admit("bob", "b2");
    h.accept(b2, "c1");
    h.advance(secs(1));
    // b1 had the invitation: it sees it was answered elsewhere.
    let (_, snapshot) = h.admit_snapshot("bob", "b1");
    assert_eq!(
        snapshot.iter().map(|e| e.state.clone()).collect::<Vec<_>>(),
        [InvitationState::Canceled {
            reason: CancelReason::AnsweredElsewhere
        }]
    );
    // A device of bob that never had it does not see it.
    let (_, snapshot) = h.admit_snapshot("bob", "b3");
    assert!(snapshot.is_empty());
    // alice leaves without confirming: the accept fails at 5 s and is retained until 305 s.
    h.disconnect(a);
    h.advance(secs(199));
    let (a, snapshot) = h.admit_snapshot("alice", "a1");
    assert_eq!(
        snapshot.iter().map(entry_summary).collect::<Vec<_>>(),
        ["c1:caller:call_ended:connection_lost"]
    );
    h.disconnect(a);
    h.advance(secs(105));
    let (_, snapshot) = h.admit_snapshot("alice", "a1");
    assert!(snapshot.is_empty());
}

#[test]
fn disabling_an_account_bans_its_devices_without_grace() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    h.invite(a, "ring", "carol");
    h.invite(b, "call", "alice");
    h.accept(a, "call");
    h.confirm(b, "call");
    h.frames(b);
    h.frames(c);
    h.set_account("alice", false);
    assert_eq!(h.closes, vec![(a, CloseReason::Banned)]);
    assert_eq!(h.take(b), ["call_ended:call:connection_lost"]);
    assert_eq!(h.take(c), ["failed:ring:peer_offline"]);
    assert_eq!(
        h.sb.presence(&uid("alice")),
        ringer_proto::Presence::Offline
    );
    assert_eq!(
        h.try_admit("alice", "a1").map(|_| ()),
        Err(AdmitError::UnknownAccount)
    );
    h.remove_account("bob");
    assert_eq!(h.closes.last(), Some(&(b, CloseReason::Banned)));
}

#[test]
fn shutdown_ends_everything_with_server_restart() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let b = h.admit("bob", "b1");
    let c = h.admit("carol", "c1");
    let d = h.admit("dave", "d1");
    h.invite(a, "ring", "carol");
    h.received(c, "ring");
    h.invite(b, "call", "dave");
    h.accept(d, "call");
    h.confirm(b, "call");
    h.invite(d, "accepting", "alice");
    h.accept(a, "accepting");
    for conn in [a, b, c, d] {
        h.frames(conn);
    }
    h.records.clear();
    h.shutdown();
    assert_eq!(h.take(c), ["failed:ring:server_restart"]);
    assert_eq!(
        h.take(a),
        [
            "failed:ring:server_restart",
            "failed:accepting:server_restart"
        ]
    );
    assert_eq!(h.take(b), ["call_ended:call:server_restart"]);
    assert_eq!(
        h.take(d),
        [
            "call_ended:call:server_restart",
            "call_ended:accepting:server_restart"
        ]
    );
    let mut closed: Vec<_> = h.closes.clone();
    closed.sort_by_key(|(conn, _)| *conn);
    assert_eq!(
        closed,
        [a, b, c, d]
            .map(|conn| (conn, CloseReason::Shutdown))
            .to_vec()
    );
    assert_eq!(h.records.len(), 6);
    assert_eq!(
        h.sb.presence(&uid("alice")),
        ringer_proto::Presence::Offline
    );
}
