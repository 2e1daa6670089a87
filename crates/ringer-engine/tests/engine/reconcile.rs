//! SPEC §8: reconciliation with the welcome's snapshot after a reconnect, and actions queued
//! while reconnecting.

use ringer_engine::{CallState, Event, LocalInvitationState as L, RemoteInvitationState as R};
use ringer_proto::{
    CallEndReason, CancelReason, ClientFrame, ErrorCode, FailureReason, InvitationState as S,
    RefuseReason, Response, Role, ServerFrame,
};

use crate::harness::{Harness, PEER, SERVER, entry, iid, incoming, outgoing, uid};

fn caller(id: &str, state: S) -> ringer_proto::SnapshotEntry {
    entry(outgoing(id), Role::Caller, state)
}

fn callee(id: &str, state: S) -> ringer_proto::SnapshotEntry {
    entry(incoming(id), Role::Callee, state)
}

/// Events about invitations, without connection bookkeeping.
fn invitation_events(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                Event::ConnectionStateChanged { .. } | Event::LoggedIn { .. }
            )
        })
        .collect()
}

fn id_frames(frames: Vec<ClientFrame>) -> Vec<ClientFrame> {
    frames
        .into_iter()
        .filter(|f| f.kind() != "ping" && f.kind() != "subscribe")
        .collect()
}

#[test]
fn a_sent_invitation_catches_up_with_every_snapshot_state() {
    let c = || iid("c1");
    let resp = Some(Response::new("ok").expect("valid"));
    let received = Event::LocalInvitationReceivedByPeer { id: c() };
    let accepted = Event::LocalInvitationAccepted {
        id: c(),
        response: resp.clone(),
    };
    let rows: Vec<(S, Vec<Event>, L, Vec<ClientFrame>)> = vec![
        (S::Pending, vec![], L::SentToRemote, vec![]),
        (
            S::Ringing,
            vec![received.clone()],
            L::ReceivedByRemote,
            vec![],
        ),
        (
            S::Accepting {
                response: resp.clone(),
            },
            vec![received.clone(), accepted.clone()],
            L::AcceptedByRemote {
                response: resp.clone(),
            },
            vec![ClientFrame::Confirm { id: c() }],
        ),
        (
            S::InCall {
                response: resp.clone(),
            },
            vec![received.clone(), accepted.clone()],
            L::AcceptedByRemote {
                response: resp.clone(),
            },
            vec![],
        ),
        (
            S::Refused {
                response: None,
                reason: RefuseReason::Declined,
            },
            vec![Event::LocalInvitationRefused {
                id: c(),
                response: None,
                reason: RefuseReason::Declined,
            }],
            L::RefusedByRemote {
                response: None,
                reason: RefuseReason::Declined,
            },
            vec![],
        ),
        (
            S::Canceled {
                reason: CancelReason::Canceled,
            },
            vec![Event::LocalInvitationCanceled { id: c() }],
            L::Canceled,
            vec![],
        ),
        (
            S::Failed {
                reason: FailureReason::PeerNoResponse,
            },
            vec![Event::LocalInvitationFailure {
                id: c(),
                reason: FailureReason::PeerNoResponse,
                error: None,
            }],
            L::Failure(FailureReason::PeerNoResponse),
            vec![],
        ),
        (
            S::CallEnded {
                response: resp.clone(),
                reason: CallEndReason::Hangup,
                by: Some(uid(PEER)),
            },
            vec![
                received.clone(),
                accepted.clone(),
                Event::CallEnded {
                    id: c(),
                    reason: CallEndReason::Hangup,
                    by: Some(uid(PEER)),
                },
            ],
            L::AcceptedByRemote {
                response: resp.clone(),
            },
            vec![],
        ),
    ];
    for (state, events, final_state, frames) in rows {
        let mut h = Harness::connected();
        h.sent("c1");
        h.reconnect(SERVER, vec![caller("c1", state.clone())]);
        assert_eq!(invitation_events(h.events()), events, "{state:?}");
        assert_eq!(
            h.engine.local_invitation(&c()),
            Some(final_state),
            "{state:?}"
        );
        assert_eq!(id_frames(h.frames()), frames, "{state:?}");
        // The same snapshot again (another reconnect) reports nothing more.
        h.reconnect(SERVER, vec![caller("c1", state.clone())]);
        assert_eq!(invitation_events(h.events()), vec![], "{state:?} twice");
    }
}

#[test]
fn a_confirm_lost_with_the_connection_is_sent_again() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: None,
    });
    h.clear();
    h.reconnect(SERVER, vec![caller("c1", S::Accepting { response: None })]);
    assert_eq!(invitation_events(h.events()), vec![]);
    assert_eq!(
        id_frames(h.frames()),
        vec![ClientFrame::Confirm { id: iid("c1") }]
    );
}

#[test]
fn a_received_invitation_catches_up_with_every_snapshot_state() {
    let r = || iid("r1");
    let accepted = Event::RemoteInvitationAccepted { id: r() };
    let rows: Vec<(S, Vec<Event>, R, Vec<ClientFrame>)> = vec![
        // Still ringing: acknowledged again on the new connection.
        (
            S::Ringing,
            vec![],
            R::InvitationReceived,
            vec![ClientFrame::Received { id: r() }],
        ),
        (
            S::InCall { response: None },
            vec![accepted.clone()],
            R::Accepted,
            vec![],
        ),
        (
            S::Refused {
                response: None,
                reason: RefuseReason::Declined,
            },
            vec![Event::RemoteInvitationRefused { id: r() }],
            R::Refused,
            vec![],
        ),
        (
            S::Canceled {
                reason: CancelReason::AnsweredElsewhere,
            },
            vec![Event::RemoteInvitationCanceled {
                id: r(),
                reason: CancelReason::AnsweredElsewhere,
            }],
            R::Canceled(CancelReason::AnsweredElsewhere),
            vec![],
        ),
        (
            S::Failed {
                reason: FailureReason::InvitationExpire,
            },
            vec![Event::RemoteInvitationFailure {
                id: r(),
                reason: FailureReason::InvitationExpire,
            }],
            R::Failure(FailureReason::InvitationExpire),
            vec![],
        ),
        (
            S::CallEnded {
                response: None,
                reason: CallEndReason::ConnectionLost,
                by: None,
            },
            vec![
                accepted.clone(),
                Event::CallEnded {
                    id: r(),
                    reason: CallEndReason::ConnectionLost,
                    by: None,
                },
            ],
            R::Accepted,
            vec![],
        ),
    ];
    for (state, events, final_state, frames) in rows {
        let mut h = Harness::connected();
        h.ringing("r1");
        h.reconnect(SERVER, vec![callee("r1", state.clone())]);
        assert_eq!(invitation_events(h.events()), events, "{state:?}");
        assert_eq!(
            h.engine.remote_invitation(&r()),
            Some(final_state),
            "{state:?}"
        );
        assert_eq!(id_frames(h.frames()), frames, "{state:?}");
        // The invitation frame the server repeats after the welcome adds nothing.
        h.frame(ServerFrame::Invitation {
            invitation: incoming("r1"),
        });
        assert_eq!(invitation_events(h.events()), vec![], "{state:?}");
        assert_eq!(id_frames(h.frames()), vec![], "{state:?}");
    }
}

#[test]
fn an_accept_in_flight_is_resent_unless_the_server_took_it() {
    // The server never got it: the snapshot still says ringing.
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine
        .accept(&iid("r1"), Some(Response::new("hi").expect("valid")), h.now)
        .expect("accept");
    h.clear();
    h.reconnect(SERVER, vec![callee("r1", S::Ringing)]);
    let frames = id_frames(h.frames());
    assert!(
        matches!(frames.as_slice(), [ClientFrame::Accept { id, response: Some(r), .. }] if *id == iid("r1") && r.as_str() == "hi"),
        "{frames:?}"
    );
    // The server has it: the snapshot says accepting; nothing resent, confirmation awaited.
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine.accept(&iid("r1"), None, h.now).expect("accept");
    h.clear();
    h.reconnect(SERVER, vec![callee("r1", S::Accepting { response: None })]);
    assert_eq!(id_frames(h.frames()), vec![]);
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::AcceptSentToLocal)
    );
    h.frame(ServerFrame::AcceptConfirmed { id: iid("r1") });
    assert_eq!(
        invitation_events(h.events()),
        vec![Event::RemoteInvitationAccepted { id: iid("r1") }]
    );
}

#[test]
fn actions_requested_while_reconnecting_are_sent_after_reconciliation() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.ringing("r1");
    h.ringing("r2");
    h.sent("c3");
    h.frame(ServerFrame::Accepted {
        id: iid("c3"),
        response: None,
    });
    h.engine.handle_disconnected(h.now);
    h.clear();
    h.engine
        .cancel(&iid("c1"), h.now)
        .expect("cancel is queued");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept is queued");
    h.engine
        .refuse(&iid("r2"), None, None, h.now)
        .expect("refuse is queued");
    h.engine
        .hang_up(&iid("c3"), h.now)
        .expect("hang up is queued");
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::AcceptSentToLocal)
    );
    assert_eq!(h.frames(), vec![]);
    assert_eq!(h.events(), vec![]);
    h.login(
        SERVER,
        vec![
            caller("c1", S::Ringing),
            callee("r1", S::Ringing),
            callee("r2", S::Ringing),
            caller("c3", S::InCall { response: None }),
        ],
    );
    let kinds: Vec<_> = id_frames(h.frames())
        .into_iter()
        .filter(|f| f.kind() != "received")
        .map(|f| f.kind())
        .collect();
    assert_eq!(kinds, vec!["cancel", "hang_up", "accept", "refuse"]);
}

#[test]
fn queued_actions_that_no_longer_apply_are_dropped() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.ringing("r1");
    h.engine.handle_disconnected(h.now);
    h.engine
        .cancel(&iid("c1"), h.now)
        .expect("cancel is queued");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept is queued");
    h.clear();
    h.login(
        SERVER,
        vec![
            caller("c1", S::InCall { response: None }),
            callee(
                "r1",
                S::Canceled {
                    reason: CancelReason::Canceled,
                },
            ),
        ],
    );
    assert_eq!(id_frames(h.frames()), vec![]);
    assert_eq!(
        invitation_events(h.events()),
        vec![
            Event::LocalInvitationReceivedByPeer { id: iid("c1") },
            Event::LocalInvitationAccepted {
                id: iid("c1"),
                response: None
            },
            Event::RemoteInvitationCanceled {
                id: iid("r1"),
                reason: CancelReason::Canceled
            },
        ]
    );
}

#[test]
fn a_server_restart_fails_everything_live() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.ringing("r1");
    h.sent("c2");
    h.frame(ServerFrame::Accepted {
        id: iid("c2"),
        response: None,
    });
    h.sent("c3");
    h.frame(ServerFrame::Failed {
        id: iid("c3"),
        reason: FailureReason::PeerOffline,
    });
    h.clear();
    h.reconnect("server-2", Vec::new());
    let mut events = invitation_events(h.events());
    events.sort_by_key(|e| format!("{e:?}"));
    let mut expected = vec![
        Event::LocalInvitationFailure {
            id: iid("c1"),
            reason: FailureReason::ServerRestart,
            error: None,
        },
        Event::CallEnded {
            id: iid("c2"),
            reason: CallEndReason::ServerRestart,
            by: None,
        },
        Event::RemoteInvitationFailure {
            id: iid("r1"),
            reason: FailureReason::ServerRestart,
        },
    ];
    expected.sort_by_key(|e| format!("{e:?}"));
    assert_eq!(events, expected);
    assert_eq!(id_frames(h.frames()), vec![]);
}

#[test]
fn an_invite_the_server_never_acknowledged_is_sent_again() {
    let mut h = Harness::connected();
    h.engine
        .send(crate::harness::invite("c1"), h.now)
        .expect("send");
    h.clear();
    h.reconnect(SERVER, Vec::new());
    let frames = id_frames(h.frames());
    assert!(
        matches!(frames.as_slice(), [ClientFrame::Invite { id, .. }] if *id == iid("c1")),
        "{frames:?}"
    );
    assert_eq!(h.engine.local_invitation(&iid("c1")), Some(L::SentToRemote));
    assert_eq!(invitation_events(h.events()), vec![]);
    // ... but after a server restart it fails instead.
    let mut h = Harness::connected();
    h.engine
        .send(crate::harness::invite("c1"), h.now)
        .expect("send");
    h.clear();
    h.reconnect("server-2", Vec::new());
    assert_eq!(id_frames(h.frames()), vec![]);
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::Failure(FailureReason::ServerRestart))
    );
}

#[test]
fn what_the_same_server_forgot_ends() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.ringing("r1");
    h.engine.accept(&iid("r1"), None, h.now).expect("accept");
    h.frame(ServerFrame::AcceptConfirmed { id: iid("r1") });
    h.clear();
    h.reconnect(SERVER, Vec::new());
    let events = invitation_events(h.events());
    assert!(events.contains(&Event::LocalInvitationFailure {
        id: iid("c1"),
        reason: FailureReason::ServerRestart,
        error: None,
    }));
    assert!(events.contains(&Event::CallEnded {
        id: iid("r1"),
        reason: CallEndReason::ConnectionLost,
        by: None
    }));
    assert_eq!(events.len(), 2);
}

#[test]
fn unknown_snapshot_entries() {
    let mut h = Harness::connected();
    h.reconnect(
        SERVER,
        vec![
            // Ringing for us: new to the user.
            callee("r1", S::Ringing),
            // Live and ours: a caller's are adopted silently; a callee's call is announced.
            caller("c1", S::Ringing),
            caller("c2", S::Accepting { response: None }),
            callee("r2", S::InCall { response: None }),
            callee("r4", S::Accepting { response: None }),
            // Ended: ignored.
            caller(
                "c3",
                S::Failed {
                    reason: FailureReason::PeerOffline,
                },
            ),
            callee(
                "r3",
                S::Canceled {
                    reason: CancelReason::Canceled,
                },
            ),
        ],
    );
    assert_eq!(
        invitation_events(h.events()),
        vec![
            Event::RemoteInvitationReceived {
                invitation: incoming("r1")
            },
            Event::RemoteInvitationReceived {
                invitation: incoming("r2")
            },
            Event::RemoteInvitationAccepted { id: iid("r2") },
            Event::RemoteInvitationReceived {
                invitation: incoming("r4")
            },
        ]
    );
    assert_eq!(
        id_frames(h.frames()),
        vec![ClientFrame::Received { id: iid("r1") }]
    );
    assert_eq!(
        h.engine.remote_invitation(&iid("r4")),
        Some(R::AcceptSentToLocal)
    );
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::ReceivedByRemote)
    );
    assert_eq!(h.engine.call_state(&iid("c2")), Some(CallState::Live));
    assert_eq!(h.engine.remote_invitation(&iid("r2")), Some(R::Accepted));
    assert_eq!(h.engine.local_invitation(&iid("c3")), None);
    assert_eq!(h.engine.remote_invitation(&iid("r3")), None);
    // Later frames apply to adopted invitations.
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: None,
    });
    assert_eq!(
        invitation_events(h.events()),
        vec![Event::LocalInvitationAccepted {
            id: iid("c1"),
            response: None
        }]
    );
    assert_eq!(
        id_frames(h.frames()),
        vec![ClientFrame::Confirm { id: iid("c1") }]
    );
    h.frame(ServerFrame::CallEnded {
        id: iid("r2"),
        reason: CallEndReason::Hangup,
        by: Some(uid(PEER)),
    });
    assert_eq!(
        invitation_events(h.events()),
        vec![Event::CallEnded {
            id: iid("r2"),
            reason: CallEndReason::Hangup,
            by: Some(uid(PEER))
        }]
    );
}

#[test]
fn an_outcome_that_arrives_live_after_the_snapshot_reported_it_is_ignored() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.reconnect(
        SERVER,
        vec![caller(
            "c1",
            S::Refused {
                response: None,
                reason: RefuseReason::Busy,
            },
        )],
    );
    h.clear();
    h.frame(ServerFrame::Refused {
        id: iid("c1"),
        response: None,
        reason: RefuseReason::Busy,
    });
    h.frame(ServerFrame::Failed {
        id: iid("c1"),
        reason: FailureReason::ServerRestart,
    });
    assert_eq!(h.events(), vec![]);
}

#[test]
fn a_hang_up_acknowledged_but_not_done_is_sent_again() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: None,
    });
    h.engine.hang_up(&iid("c1"), h.now).expect("hang up");
    h.pump();
    let req = h.req_of("hang_up");
    h.frame(ServerFrame::Ok { req });
    h.clear();
    h.reconnect(SERVER, vec![caller("c1", S::InCall { response: None })]);
    let frames = id_frames(h.frames());
    let kinds: Vec<_> = frames.iter().map(|f| f.kind()).collect();
    assert_eq!(kinds, vec!["hang_up"]);
    // An error already_end for it is swallowed; call_ended arrives.
    let req = frames[0].req().expect("hang_up has a req");
    h.clear();
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::AlreadyEnd,
        message: "ended".into(),
    });
    assert_eq!(h.events(), vec![]);
    h.frame(ServerFrame::CallEnded {
        id: iid("c1"),
        reason: CallEndReason::Hangup,
        by: Some(uid(crate::harness::ME)),
    });
    assert_eq!(
        h.events(),
        vec![Event::CallEnded {
            id: iid("c1"),
            reason: CallEndReason::Hangup,
            by: Some(uid(crate::harness::ME))
        }]
    );
}
