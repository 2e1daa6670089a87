//! SPEC §3: the caller's LocalInvitation, row by row, with every API error.

use ringer_engine::{ApiError, CallState, Event, LocalInvitationState as L, ServerError};
use ringer_proto::{
    CallEndReason, CancelReason, ChannelId, ClientFrame, Content, ErrorCode, FailureReason,
    RefuseReason, Response, ServerFrame,
};

use crate::harness::{Harness, PEER, iid, invite, uid};

fn received_by_peer(id: &str) -> ServerFrame {
    ServerFrame::ReceivedByPeer { id: iid(id) }
}

#[test]
fn send_goes_to_sent_to_remote_with_the_invite_frame_and_no_event() {
    let mut h = Harness::connected();
    let mut inv = invite("c1");
    inv.content = Some(Content::new("hello").expect("valid content"));
    inv.channel_id = Some(ChannelId::new("room").expect("valid channel"));
    h.engine.send(inv, h.now).expect("send succeeds");
    assert_eq!(h.engine.local_invitation(&iid("c1")), Some(L::SentToRemote));
    assert_eq!(h.events(), vec![]);
    let frames = h.frames();
    assert_eq!(frames.len(), 1);
    let ClientFrame::Invite {
        id,
        callee,
        content,
        channel_id,
        ..
    } = &frames[0]
    else {
        panic!("expected invite, got {frames:?}");
    };
    assert_eq!(id, &iid("c1"));
    assert_eq!(callee, &uid(PEER));
    assert_eq!(content.as_deref(), Some("hello"));
    assert_eq!(channel_id.as_deref(), Some("room"));
}

#[test]
fn receipt_moves_to_received_by_remote_with_event() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(received_by_peer("c1"));
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::ReceivedByRemote)
    );
    assert_eq!(
        h.events(),
        vec![Event::LocalInvitationReceivedByPeer { id: iid("c1") }]
    );
    // A duplicate receipt changes nothing.
    h.frame(received_by_peer("c1"));
    assert_eq!(h.events(), vec![]);
}

#[test]
fn accept_moves_to_accepted_sends_confirm_and_starts_the_call() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(received_by_peer("c1"));
    h.clear();
    let response = Some(Response::new("yes").expect("valid response"));
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: response.clone(),
    });
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::AcceptedByRemote {
            response: response.clone()
        })
    );
    assert_eq!(h.engine.call_state(&iid("c1")), Some(CallState::Live));
    assert_eq!(
        h.events(),
        vec![Event::LocalInvitationAccepted {
            id: iid("c1"),
            response: response.clone()
        }]
    );
    assert_eq!(h.frames(), vec![ClientFrame::Confirm { id: iid("c1") }]);
    // A duplicate accept neither confirms again nor reports again.
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response,
    });
    assert_eq!(h.events(), vec![]);
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn accept_before_receipt_reports_both_in_protocol_order() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: None,
    });
    assert_eq!(
        h.events(),
        vec![
            Event::LocalInvitationReceivedByPeer { id: iid("c1") },
            Event::LocalInvitationAccepted {
                id: iid("c1"),
                response: None
            },
        ]
    );
    assert_eq!(h.frames(), vec![ClientFrame::Confirm { id: iid("c1") }]);
}

#[test]
fn refusal_from_either_live_state() {
    for (rung, reason) in [
        (true, RefuseReason::Declined),
        (true, RefuseReason::Busy),
        // Busy and dnd are refused without ringing.
        (false, RefuseReason::Dnd),
        (false, RefuseReason::Busy),
    ] {
        let mut h = Harness::connected();
        h.sent("c1");
        if rung {
            h.frame(received_by_peer("c1"));
            h.clear();
        }
        let response = Some(Response::new("sorry").expect("valid response"));
        h.frame(ServerFrame::Refused {
            id: iid("c1"),
            response: response.clone(),
            reason,
        });
        let expected = L::RefusedByRemote {
            response: response.clone(),
            reason,
        };
        assert_eq!(h.engine.local_invitation(&iid("c1")), Some(expected));
        assert_eq!(
            h.events(),
            vec![Event::LocalInvitationRefused {
                id: iid("c1"),
                response,
                reason
            }]
        );
        assert_eq!(h.engine.call_state(&iid("c1")), None);
    }
}

#[test]
fn cancel_sends_the_frame_and_the_event_waits_for_the_server() {
    for rung in [false, true] {
        let mut h = Harness::connected();
        h.sent("c1");
        if rung {
            h.frame(received_by_peer("c1"));
            h.clear();
        }
        let before = h.engine.local_invitation(&iid("c1"));
        h.engine.cancel(&iid("c1"), h.now).expect("cancel succeeds");
        assert_eq!(h.engine.local_invitation(&iid("c1")), before);
        assert_eq!(h.events(), vec![]);
        let frames = h.frames();
        assert!(
            matches!(frames.as_slice(), [ClientFrame::Cancel { id, .. }] if *id == iid("c1")),
            "{frames:?}"
        );
        // Cancel again before the confirmation: fine, nothing sent twice.
        h.engine
            .cancel(&iid("c1"), h.now)
            .expect("second cancel is a no-op");
        assert_eq!(h.frames(), vec![]);
        h.frame(ServerFrame::Canceled {
            id: iid("c1"),
            reason: CancelReason::Canceled,
        });
        assert_eq!(h.engine.local_invitation(&iid("c1")), Some(L::Canceled));
        assert_eq!(
            h.events(),
            vec![Event::LocalInvitationCanceled { id: iid("c1") }]
        );
    }
}

#[test]
fn every_failure_reason_from_the_table() {
    // (reason, whether it fails after receipt)
    let rows = [
        (FailureReason::PeerOffline, false),
        (FailureReason::PeerNoResponse, false),
        (FailureReason::InvitationExpire, true),
        (FailureReason::PeerUnknown, false),
        (FailureReason::Glare, false),
        (FailureReason::Glare, true),
        (FailureReason::ServerRestart, true),
        (FailureReason::ServerRestart, false),
    ];
    for (reason, rung) in rows {
        let mut h = Harness::connected();
        h.sent("c1");
        if rung {
            h.frame(received_by_peer("c1"));
            h.clear();
        }
        h.frame(ServerFrame::Failed {
            id: iid("c1"),
            reason,
        });
        assert_eq!(
            h.engine.local_invitation(&iid("c1")),
            Some(L::Failure(reason))
        );
        assert_eq!(
            h.events(),
            vec![Event::LocalInvitationFailure {
                id: iid("c1"),
                reason,
                error: None,
            }]
        );
    }
}

#[test]
fn send_while_not_logged_in_fails_with_an_event_not_an_error() {
    let mut h = Harness::new();
    h.engine.send(invite("c1"), h.now).expect("send returns ok");
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::Failure(FailureReason::NotLoggedIn))
    );
    assert_eq!(
        h.events(),
        vec![Event::LocalInvitationFailure {
            id: iid("c1"),
            reason: FailureReason::NotLoggedIn,
            error: None,
        }]
    );
    assert_eq!(h.frames(), vec![]);
    // While reconnecting too.
    let mut h = Harness::connected();
    h.engine.handle_disconnected(h.now);
    h.clear();
    h.engine.send(invite("c2"), h.now).expect("send returns ok");
    assert_eq!(
        h.engine.local_invitation(&iid("c2")),
        Some(L::Failure(FailureReason::NotLoggedIn))
    );
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn api_errors_leave_the_state_unchanged() {
    let mut h = Harness::connected();
    // not_started: cancel of an id never sent.
    assert_eq!(
        h.engine.cancel(&iid("nope"), h.now),
        Err(ApiError::NotStarted)
    );
    // already_sent: the same id twice, live or ended.
    h.sent("c1");
    assert_eq!(
        h.engine.send(invite("c1"), h.now),
        Err(ApiError::AlreadySent)
    );
    // hang_up of an invitation that is not a call yet, and of an unknown id.
    assert_eq!(
        h.engine.hang_up(&iid("c1"), h.now),
        Err(ApiError::NotStarted)
    );
    assert!(matches!(
        h.engine.hang_up(&iid("nope"), h.now),
        Err(ApiError::InvalidArgument(_))
    ));
    // accept / refuse of an invitation this device sent.
    assert!(matches!(
        h.engine.accept(&iid("c1"), None, h.now),
        Err(ApiError::InvalidArgument(_))
    ));
    assert!(matches!(
        h.engine.refuse(&iid("c1"), None, None, h.now),
        Err(ApiError::InvalidArgument(_))
    ));
    assert_eq!(h.engine.local_invitation(&iid("c1")), Some(L::SentToRemote));
    assert_eq!(h.frames(), vec![]);
    // already_end: anything after a terminal state.
    h.frame(ServerFrame::Failed {
        id: iid("c1"),
        reason: FailureReason::PeerOffline,
    });
    h.clear();
    assert_eq!(
        h.engine.cancel(&iid("c1"), h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(
        h.engine.hang_up(&iid("c1"), h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(
        h.engine.send(invite("c1"), h.now),
        Err(ApiError::AlreadySent)
    );
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::Failure(FailureReason::PeerOffline))
    );
    assert_eq!(h.frames(), vec![]);
    assert_eq!(h.events(), vec![]);
}

#[test]
fn cancel_after_accept_is_already_end() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: None,
    });
    h.clear();
    assert_eq!(
        h.engine.cancel(&iid("c1"), h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn a_cancel_that_loses_to_an_accept_ends_in_the_call() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(received_by_peer("c1"));
    h.engine.cancel(&iid("c1"), h.now).expect("cancel succeeds");
    h.pump();
    let req = h.req_of("cancel");
    h.clear();
    h.frame(ServerFrame::Accepted {
        id: iid("c1"),
        response: None,
    });
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::AlreadyEnd,
        message: "already accepted".into(),
    });
    assert_eq!(
        h.events(),
        vec![Event::LocalInvitationAccepted {
            id: iid("c1"),
            response: None
        }]
    );
    assert_eq!(h.frames(), vec![ClientFrame::Confirm { id: iid("c1") }]);
    assert_eq!(h.engine.call_state(&iid("c1")), Some(CallState::Live));
}

#[test]
fn a_refused_cancel_can_be_retried() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.engine.cancel(&iid("c1"), h.now).expect("cancel succeeds");
    h.pump();
    let req = h.req_of("cancel");
    h.clear();
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
    });
    assert_eq!(
        h.events(),
        vec![Event::RequestFailed {
            req,
            code: ErrorCode::RateLimited,
            message: "slow down".into()
        }]
    );
    assert_eq!(h.engine.local_invitation(&iid("c1")), Some(L::SentToRemote));
    h.engine.cancel(&iid("c1"), h.now).expect("retry succeeds");
    assert_eq!(h.frames().len(), 1);
}

/// The wire has no failure reason for a refused `invite`: the event keeps the server's error,
/// and reports it only there (no `RequestFailed` besides).
#[test]
fn a_refused_invite_fails_the_invitation_with_the_servers_error() {
    for (code, reason) in [
        (ErrorCode::InvalidArgument, FailureReason::PeerUnknown),
        (ErrorCode::Forbidden, FailureReason::PeerUnknown),
        (ErrorCode::RateLimited, FailureReason::PeerUnknown),
        (ErrorCode::Internal, FailureReason::PeerUnknown),
        (ErrorCode::AlreadySent, FailureReason::PeerUnknown),
        (ErrorCode::NotLoggedIn, FailureReason::NotLoggedIn),
    ] {
        let mut h = Harness::connected();
        h.engine.send(invite("c1"), h.now).expect("send succeeds");
        h.pump();
        let req = h.req_of("invite");
        h.clear();
        h.frame(ServerFrame::Error {
            req: Some(req),
            code,
            message: "no".into(),
        });
        assert_eq!(
            h.events(),
            vec![Event::LocalInvitationFailure {
                id: iid("c1"),
                reason,
                error: Some(ServerError {
                    code,
                    message: "no".into()
                }),
            }]
        );
    }
}

#[test]
fn an_invite_refused_after_its_invitation_ended_is_reported_on_its_own() {
    let mut h = Harness::connected();
    h.engine.send(invite("c1"), h.now).expect("send succeeds");
    h.pump();
    let req = h.req_of("invite");
    h.frame(ServerFrame::Failed {
        id: iid("c1"),
        reason: FailureReason::PeerOffline,
    });
    h.clear();
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::Internal,
        message: "late".into(),
    });
    assert_eq!(
        h.events(),
        vec![Event::RequestFailed {
            req,
            code: ErrorCode::Internal,
            message: "late".into()
        }]
    );
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::Failure(FailureReason::PeerOffline))
    );
}

#[test]
fn the_call_ends_on_hang_up_from_either_side_once() {
    for (by_me, reason) in [
        (true, CallEndReason::Hangup),
        (false, CallEndReason::Hangup),
        (false, CallEndReason::ConnectionLost),
        (false, CallEndReason::ServerRestart),
    ] {
        let mut h = Harness::connected();
        h.sent("c1");
        h.frame(received_by_peer("c1"));
        h.frame(ServerFrame::Accepted {
            id: iid("c1"),
            response: None,
        });
        h.clear();
        let by = if by_me {
            h.engine
                .hang_up(&iid("c1"), h.now)
                .expect("hang up succeeds");
            let frames = h.frames();
            assert!(
                matches!(frames.as_slice(), [ClientFrame::HangUp { id, .. }] if *id == iid("c1")),
                "{frames:?}"
            );
            // Twice before the server answers: nothing sent twice.
            h.engine
                .hang_up(&iid("c1"), h.now)
                .expect("second hang up is a no-op");
            assert_eq!(h.frames(), vec![]);
            Some(uid(crate::harness::ME))
        } else {
            (reason == CallEndReason::Hangup).then(|| uid(PEER))
        };
        let ended = ServerFrame::CallEnded {
            id: iid("c1"),
            reason,
            by: by.clone(),
        };
        h.frame(ended.clone());
        h.frame(ended);
        assert_eq!(
            h.events(),
            vec![Event::CallEnded {
                id: iid("c1"),
                reason,
                by: by.clone()
            }]
        );
        assert_eq!(
            h.engine.call_state(&iid("c1")),
            Some(CallState::Ended { reason, by })
        );
        assert_eq!(
            h.engine.hang_up(&iid("c1"), h.now),
            Err(ApiError::AlreadyEnd)
        );
        assert_eq!(h.frames(), vec![]);
    }
}

#[test]
fn frames_after_the_end_are_ignored() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Canceled {
        id: iid("c1"),
        reason: CancelReason::Canceled,
    });
    h.clear();
    for frame in [
        received_by_peer("c1"),
        ServerFrame::Accepted {
            id: iid("c1"),
            response: None,
        },
        ServerFrame::Refused {
            id: iid("c1"),
            response: None,
            reason: RefuseReason::Declined,
        },
        ServerFrame::Canceled {
            id: iid("c1"),
            reason: CancelReason::Canceled,
        },
        ServerFrame::Failed {
            id: iid("c1"),
            reason: FailureReason::InvitationExpire,
        },
        ServerFrame::CallEnded {
            id: iid("c1"),
            reason: CallEndReason::Hangup,
            by: None,
        },
        // And for ids never seen.
        received_by_peer("zz"),
        ServerFrame::Accepted {
            id: iid("zz"),
            response: None,
        },
        ServerFrame::CallEnded {
            id: iid("zz"),
            reason: CallEndReason::Hangup,
            by: None,
        },
    ] {
        h.frame(frame);
    }
    assert_eq!(h.engine.local_invitation(&iid("c1")), Some(L::Canceled));
    assert_eq!(h.events(), vec![]);
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn several_invitations_in_flight_are_independent() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.sent("c2");
    h.frame(received_by_peer("c2"));
    h.frame(ServerFrame::Failed {
        id: iid("c1"),
        reason: FailureReason::PeerOffline,
    });
    assert_eq!(
        h.engine.local_invitation(&iid("c2")),
        Some(L::ReceivedByRemote)
    );
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::Failure(FailureReason::PeerOffline))
    );
}
