//! SPEC §4: the callee's RemoteInvitation, row by row, with every API error.

use ringer_engine::{ApiError, CallState, Event, RemoteInvitationState as R};
use ringer_proto::{
    CallEndReason, CancelReason, ClientFrame, ErrorCode, FailureReason, RefuseReason, Response,
    ServerFrame,
};

use crate::harness::{Harness, PEER, iid, incoming, uid};

fn accept_confirmed(id: &str) -> ServerFrame {
    ServerFrame::AcceptConfirmed { id: iid(id) }
}

#[test]
fn delivery_rings_reports_and_acknowledges() {
    let mut h = Harness::connected();
    h.frame(ServerFrame::Invitation {
        invitation: incoming("r1"),
    });
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::InvitationReceived)
    );
    assert_eq!(
        h.engine.remote_invitation_info(&iid("r1")),
        Some(&incoming("r1"))
    );
    assert_eq!(
        h.events(),
        vec![Event::RemoteInvitationReceived {
            invitation: incoming("r1")
        }]
    );
    assert_eq!(h.frames(), vec![ClientFrame::Received { id: iid("r1") }]);
    // Delivered again on the same connection: no second event, no second acknowledgement.
    h.frame(ServerFrame::Invitation {
        invitation: incoming("r1"),
    });
    assert_eq!(h.events(), vec![]);
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn accept_is_immediate_locally_and_accepted_on_confirmation() {
    let mut h = Harness::connected();
    h.ringing("r1");
    let response = Some(Response::new("coming").expect("valid response"));
    h.engine
        .accept(&iid("r1"), response.clone(), h.now)
        .expect("accept succeeds");
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::AcceptSentToLocal)
    );
    assert_eq!(h.events(), vec![]);
    let frames = h.frames();
    assert!(
        matches!(frames.as_slice(), [ClientFrame::Accept { id, response: r, .. }] if *id == iid("r1") && *r == response),
        "{frames:?}"
    );
    h.frame(accept_confirmed("r1"));
    assert_eq!(h.engine.remote_invitation(&iid("r1")), Some(R::Accepted));
    assert_eq!(h.engine.call_state(&iid("r1")), Some(CallState::Live));
    assert_eq!(
        h.events(),
        vec![Event::RemoteInvitationAccepted { id: iid("r1") }]
    );
    h.frame(accept_confirmed("r1"));
    assert_eq!(h.events(), vec![]);
}

#[test]
fn an_unconfirmed_accept_fails_with_accept_failure() {
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.clear();
    h.frame(ServerFrame::Failed {
        id: iid("r1"),
        reason: FailureReason::AcceptFailure,
    });
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::Failure(FailureReason::AcceptFailure))
    );
    assert_eq!(
        h.events(),
        vec![Event::RemoteInvitationFailure {
            id: iid("r1"),
            reason: FailureReason::AcceptFailure
        }]
    );
    assert_eq!(h.engine.call_state(&iid("r1")), None);
}

#[test]
fn refuse_waits_for_the_server_then_reports() {
    let mut h = Harness::connected();
    h.ringing("r1");
    let response = Some(Response::new("busy now").expect("valid response"));
    h.engine
        .refuse(
            &iid("r1"),
            response.clone(),
            Some(RefuseReason::Busy),
            h.now,
        )
        .expect("refuse succeeds");
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::InvitationReceived)
    );
    assert_eq!(h.events(), vec![]);
    let frames = h.frames();
    assert!(
        matches!(frames.as_slice(), [ClientFrame::Refuse { id, response: r, reason: Some(RefuseReason::Busy), .. }] if *id == iid("r1") && *r == response),
        "{frames:?}"
    );
    // Refuse again while pending: nothing sent twice.
    h.engine
        .refuse(&iid("r1"), None, None, h.now)
        .expect("second refuse is a no-op");
    assert_eq!(h.frames(), vec![]);
    h.frame(ServerFrame::Refused {
        id: iid("r1"),
        response,
        reason: RefuseReason::Busy,
    });
    assert_eq!(h.engine.remote_invitation(&iid("r1")), Some(R::Refused));
    assert_eq!(
        h.events(),
        vec![Event::RemoteInvitationRefused { id: iid("r1") }]
    );
}

#[test]
fn cancellations_for_every_reason() {
    for (reason, accepted_first) in [
        (CancelReason::Canceled, false),
        (CancelReason::AnsweredElsewhere, false),
        (CancelReason::DeclinedElsewhere, false),
        // The caller's cancel won over this device's accept.
        (CancelReason::Canceled, true),
    ] {
        let mut h = Harness::connected();
        h.ringing("r1");
        let mut accept_req = None;
        if accepted_first {
            h.engine
                .accept(&iid("r1"), None, h.now)
                .expect("accept succeeds");
            h.pump();
            accept_req = Some(h.req_of("accept"));
            h.clear();
        }
        h.frame(ServerFrame::Canceled {
            id: iid("r1"),
            reason,
        });
        if let Some(req) = accept_req {
            h.frame(ServerFrame::Error {
                req: Some(req),
                code: ErrorCode::AlreadyEnd,
                message: "canceled".into(),
            });
        }
        assert_eq!(
            h.engine.remote_invitation(&iid("r1")),
            Some(R::Canceled(reason))
        );
        assert_eq!(
            h.events(),
            vec![Event::RemoteInvitationCanceled {
                id: iid("r1"),
                reason
            }]
        );
    }
}

#[test]
fn failures_for_every_reason() {
    for reason in [
        FailureReason::InvitationExpire,
        FailureReason::PeerOffline,
        FailureReason::ServerRestart,
    ] {
        let mut h = Harness::connected();
        h.ringing("r1");
        h.frame(ServerFrame::Failed {
            id: iid("r1"),
            reason,
        });
        assert_eq!(
            h.engine.remote_invitation(&iid("r1")),
            Some(R::Failure(reason))
        );
        assert_eq!(
            h.events(),
            vec![Event::RemoteInvitationFailure {
                id: iid("r1"),
                reason
            }]
        );
    }
}

#[test]
fn glare_the_server_accepts_on_this_devices_behalf() {
    let mut h = Harness::connected();
    h.ringing("r1");
    h.frame(accept_confirmed("r1"));
    assert_eq!(h.engine.remote_invitation(&iid("r1")), Some(R::Accepted));
    assert_eq!(h.engine.call_state(&iid("r1")), Some(CallState::Live));
    assert_eq!(
        h.events(),
        vec![Event::RemoteInvitationAccepted { id: iid("r1") }]
    );
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn a_refuse_that_loses_reports_the_winner_only() {
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine
        .refuse(&iid("r1"), None, None, h.now)
        .expect("refuse succeeds");
    h.pump();
    let req = h.req_of("refuse");
    h.clear();
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::AlreadyEnd,
        message: "canceled".into(),
    });
    h.frame(ServerFrame::Canceled {
        id: iid("r1"),
        reason: CancelReason::Canceled,
    });
    assert_eq!(
        h.events(),
        vec![Event::RemoteInvitationCanceled {
            id: iid("r1"),
            reason: CancelReason::Canceled
        }]
    );
}

#[test]
fn api_errors_leave_the_state_unchanged() {
    let mut h = Harness::connected();
    assert!(matches!(
        h.engine.accept(&iid("nope"), None, h.now),
        Err(ApiError::InvalidArgument(_))
    ));
    assert!(matches!(
        h.engine.refuse(&iid("nope"), None, None, h.now),
        Err(ApiError::InvalidArgument(_))
    ));
    // cancel is for the caller: an id received is not one this device started.
    h.ringing("r1");
    assert_eq!(
        h.engine.cancel(&iid("r1"), h.now),
        Err(ApiError::NotStarted)
    );
    assert_eq!(
        h.engine.hang_up(&iid("r1"), h.now),
        Err(ApiError::NotStarted)
    );
    // Sending an invitation with a received id.
    assert_eq!(
        h.engine.send(crate::harness::invite("r1"), h.now),
        Err(ApiError::AlreadySent)
    );
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.clear();
    assert_eq!(
        h.engine.accept(&iid("r1"), None, h.now),
        Err(ApiError::AlreadyAccept)
    );
    assert_eq!(
        h.engine.refuse(&iid("r1"), None, None, h.now),
        Err(ApiError::AlreadyAccept)
    );
    h.frame(accept_confirmed("r1"));
    h.clear();
    assert_eq!(
        h.engine.accept(&iid("r1"), None, h.now),
        Err(ApiError::AlreadyAccept)
    );
    assert_eq!(h.engine.remote_invitation(&iid("r1")), Some(R::Accepted));
    assert_eq!(h.frames(), vec![]);

    // After a refuse was requested, accept is too late.
    h.ringing("r2");
    h.engine
        .refuse(&iid("r2"), None, None, h.now)
        .expect("refuse succeeds");
    h.clear();
    assert_eq!(
        h.engine.accept(&iid("r2"), None, h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(
        h.engine.remote_invitation(&iid("r2")),
        Some(R::InvitationReceived)
    );

    // already_end after a terminal state.
    h.ringing("r3");
    h.frame(ServerFrame::Failed {
        id: iid("r3"),
        reason: FailureReason::InvitationExpire,
    });
    h.clear();
    assert_eq!(
        h.engine.accept(&iid("r3"), None, h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(
        h.engine.refuse(&iid("r3"), None, None, h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(
        h.engine.hang_up(&iid("r3"), h.now),
        Err(ApiError::AlreadyEnd)
    );
    assert_eq!(h.frames(), vec![]);
    assert_eq!(h.events(), vec![]);
}

#[test]
fn a_refused_accept_fails_rather_than_hangs() {
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.pump();
    let req = h.req_of("accept");
    h.clear();
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::Forbidden,
        message: "not yours".into(),
    });
    assert_eq!(
        h.events(),
        vec![
            Event::RequestFailed {
                req,
                code: ErrorCode::Forbidden,
                message: "not yours".into()
            },
            Event::RemoteInvitationFailure {
                id: iid("r1"),
                reason: FailureReason::AcceptFailure
            },
        ]
    );
}

#[test]
fn callee_hangs_up_and_the_call_ends_once() {
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.frame(accept_confirmed("r1"));
    h.clear();
    h.engine
        .hang_up(&iid("r1"), h.now)
        .expect("hang up succeeds");
    let frames = h.frames();
    assert!(
        matches!(frames.as_slice(), [ClientFrame::HangUp { id, .. }] if *id == iid("r1")),
        "{frames:?}"
    );
    let ended = ServerFrame::CallEnded {
        id: iid("r1"),
        reason: CallEndReason::Hangup,
        by: Some(uid(crate::harness::ME)),
    };
    h.frame(ended.clone());
    h.frame(ended);
    assert_eq!(
        h.events(),
        vec![Event::CallEnded {
            id: iid("r1"),
            reason: CallEndReason::Hangup,
            by: Some(uid(crate::harness::ME))
        }]
    );
    assert_eq!(
        h.engine.hang_up(&iid("r1"), h.now),
        Err(ApiError::AlreadyEnd)
    );
}

#[test]
fn call_ended_for_a_missed_confirmation_reports_accepted_first() {
    let mut h = Harness::connected();
    h.ringing("r1");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.clear();
    h.frame(ServerFrame::CallEnded {
        id: iid("r1"),
        reason: CallEndReason::Hangup,
        by: Some(uid(PEER)),
    });
    assert_eq!(
        h.events(),
        vec![
            Event::RemoteInvitationAccepted { id: iid("r1") },
            Event::CallEnded {
                id: iid("r1"),
                reason: CallEndReason::Hangup,
                by: Some(uid(PEER))
            },
        ]
    );
}

#[test]
fn illegal_frames_for_the_callee_are_ignored() {
    let mut h = Harness::connected();
    h.ringing("r1");
    // Caller-side frames for a received invitation.
    h.frame(ServerFrame::ReceivedByPeer { id: iid("r1") });
    h.frame(ServerFrame::Accepted {
        id: iid("r1"),
        response: None,
    });
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::InvitationReceived)
    );
    assert_eq!(h.events(), vec![]);
    assert_eq!(h.frames(), vec![]);
    // refused for an invitation this device accepted is not a legal move.
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.clear();
    h.frame(ServerFrame::Refused {
        id: iid("r1"),
        response: None,
        reason: RefuseReason::Declined,
    });
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::AcceptSentToLocal)
    );
    assert_eq!(h.events(), vec![]);
    // After the end, nothing moves it.
    h.frame(ServerFrame::Canceled {
        id: iid("r1"),
        reason: CancelReason::Canceled,
    });
    h.clear();
    for frame in [
        accept_confirmed("r1"),
        ServerFrame::Failed {
            id: iid("r1"),
            reason: FailureReason::InvitationExpire,
        },
        ServerFrame::Canceled {
            id: iid("r1"),
            reason: CancelReason::AnsweredElsewhere,
        },
        ServerFrame::Invitation {
            invitation: incoming("r1"),
        },
    ] {
        h.frame(frame);
    }
    assert_eq!(
        h.engine.remote_invitation(&iid("r1")),
        Some(R::Canceled(CancelReason::Canceled))
    );
    assert_eq!(h.events(), vec![]);
    assert_eq!(h.frames(), vec![]);
}
