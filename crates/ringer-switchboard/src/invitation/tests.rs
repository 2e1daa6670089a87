//! Table tests of the transition function and of the per-device views.

use std::time::{Duration, Instant};

use ringer_proto::{
    CallEndReason, CancelReason, DeviceId, FailureReason, InvitationId, InvitationInfo,
    InvitationState, RefuseReason, ServerFrame, Uid,
};

use super::phase::{Actor, Answer, End, Expiry, Illegal, Input, Phase, Wait, step};
use super::view::{callee_frames, callee_view, caller_frames, caller_view};
use super::{Book, Invitation};

fn dev(s: &str) -> DeviceId {
    DeviceId::new(s).expect("valid device id")
}

fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

fn answer(t0: Instant) -> Answer {
    Answer {
        acceptor: dev("b1"),
        response: None,
        at: t0,
    }
}

/// The phases every input is tried against.
fn phases(t0: Instant) -> Vec<(&'static str, Phase)> {
    vec![
        (
            "pending_offline",
            Phase::Pending {
                wait: Wait::Offline,
            },
        ),
        ("pending_ack", Phase::Pending { wait: Wait::Ack }),
        ("ringing", Phase::Ringing),
        ("accepting", Phase::Accepting(answer(t0))),
        ("in_call", Phase::InCall(answer(t0))),
        (
            "ended",
            Phase::Ended {
                end: End::Canceled,
                at: t0,
            },
        ),
    ]
}

/// A compact name for a step's result, so a table row fits on a line.
fn outcome(result: Result<Phase, Illegal>) -> String {
    match result {
        Ok(phase) => phase.to_string(),
        Err(illegal) => format!("err:{illegal:?}"),
    }
}

#[test]
fn every_input_in_every_phase() {
    let t0 = Instant::now();
    let hang_up = |actor| Input::HangUp {
        actor,
        by: uid("x"),
    };
    let inputs: Vec<(&str, Input)> = vec![
        ("reachable", Input::CalleeReachable),
        ("received", Input::Received),
        (
            "accept_b1",
            Input::Accept {
                device: dev("b1"),
                response: None,
            },
        ),
        (
            "accept_b2",
            Input::Accept {
                device: dev("b2"),
                response: None,
            },
        ),
        (
            "refuse_b1",
            Input::Refuse {
                device: dev("b1"),
                response: None,
                reason: RefuseReason::Declined,
            },
        ),
        (
            "refuse_b2",
            Input::Refuse {
                device: dev("b2"),
                response: None,
                reason: RefuseReason::Declined,
            },
        ),
        (
            "auto_busy",
            Input::AutoRefuse {
                reason: RefuseReason::Busy,
            },
        ),
        ("cancel", Input::Cancel),
        ("confirm", Input::Confirm),
        ("hang_up_caller", hang_up(Actor::Caller)),
        ("hang_up_b1", hang_up(Actor::Callee(dev("b1")))),
        ("hang_up_b2", hang_up(Actor::Callee(dev("b2")))),
        (
            "fail_glare",
            Input::Fail {
                reason: FailureReason::Glare,
            },
        ),
        ("t_offline", Input::Timeout(Expiry::OfflineWait)),
        ("t_ack", Input::Timeout(Expiry::Ack)),
        ("t_ring", Input::Timeout(Expiry::Ring)),
        ("t_confirm", Input::Timeout(Expiry::Confirm)),
        ("caller_lost", Input::CallerLost),
        ("b1_lost", Input::CalleeLost { device: dev("b1") }),
        ("b2_lost", Input::CalleeLost { device: dev("b2") }),
        ("shutdown", Input::Shutdown),
    ];
    // Rows: input; columns: pending_offline, pending_ack, ringing, accepting(b1), in_call(b1),
    // ended.
    let expected: &[(&str, [&str; 6])] = &[
        (
            "reachable",
            [
                "pending(Ack)",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
            ],
        ),
        (
            "received",
            [
                "ringing",
                "ringing",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:AlreadyEnd",
            ],
        ),
        (
            "accept_b1",
            [
                "accepting(by b1)",
                "accepting(by b1)",
                "accepting(by b1)",
                "err:AlreadyAccept",
                "err:AlreadyAccept",
                "err:AlreadyEnd",
            ],
        ),
        (
            "accept_b2",
            [
                "accepting(by b2)",
                "accepting(by b2)",
                "accepting(by b2)",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
            ],
        ),
        (
            "refuse_b1",
            [
                "ended(refused:Declined)",
                "ended(refused:Declined)",
                "ended(refused:Declined)",
                "err:AlreadyAccept",
                "err:AlreadyAccept",
                "err:AlreadyEnd",
            ],
        ),
        (
            "refuse_b2",
            [
                "ended(refused:Declined)",
                "ended(refused:Declined)",
                "ended(refused:Declined)",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
            ],
        ),
        (
            "auto_busy",
            [
                "ended(refused:Busy)",
                "ended(refused:Busy)",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:AlreadyEnd",
            ],
        ),
        (
            "cancel",
            [
                "ended(canceled)",
                "ended(canceled)",
                "ended(canceled)",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
            ],
        ),
        (
            "confirm",
            [
                "err:NotAccepted",
                "err:NotAccepted",
                "err:NotAccepted",
                "in_call(with b1)",
                "err:NoEffect",
                "err:AlreadyEnd",
            ],
        ),
        (
            "hang_up_caller",
            [
                "err:NotAccepted",
                "err:NotAccepted",
                "err:NotAccepted",
                "ended(call_ended:Hangup)",
                "ended(call_ended:Hangup)",
                "err:AlreadyEnd",
            ],
        ),
        (
            "hang_up_b1",
            [
                "err:NotAccepted",
                "err:NotAccepted",
                "err:NotAccepted",
                "ended(call_ended:Hangup)",
                "ended(call_ended:Hangup)",
                "err:AlreadyEnd",
            ],
        ),
        (
            "hang_up_b2",
            [
                "err:NotAccepted",
                "err:NotAccepted",
                "err:NotAccepted",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
                "err:AlreadyEnd",
            ],
        ),
        (
            "fail_glare",
            [
                "ended(failed:Glare)",
                "ended(failed:Glare)",
                "ended(failed:Glare)",
                "err:NoEffect",
                "err:NoEffect",
                "err:AlreadyEnd",
            ],
        ),
        (
            "t_offline",
            [
                "ended(failed:PeerOffline)",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
            ],
        ),
        (
            "t_ack",
            [
                "err:NoEffect",
                "ended(failed:PeerNoResponse)",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
            ],
        ),
        (
            "t_ring",
            [
                "err:NoEffect",
                "err:NoEffect",
                "ended(failed:InvitationExpire)",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
            ],
        ),
        (
            "t_confirm",
            [
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "ended(unconfirmed:AcceptFailure)",
                "err:NoEffect",
                "err:NoEffect",
            ],
        ),
        (
            "caller_lost",
            [
                "ended(failed:PeerOffline)",
                "ended(failed:PeerOffline)",
                "ended(failed:PeerOffline)",
                "ended(unconfirmed:AcceptFailure)",
                "ended(call_ended:ConnectionLost)",
                "err:NoEffect",
            ],
        ),
        (
            "b1_lost",
            [
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "ended(unconfirmed:AcceptFailure)",
                "ended(call_ended:ConnectionLost)",
                "err:NoEffect",
            ],
        ),
        (
            "b2_lost",
            [
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
                "err:NoEffect",
            ],
        ),
        (
            "shutdown",
            [
                "ended(failed:ServerRestart)",
                "ended(failed:ServerRestart)",
                "ended(failed:ServerRestart)",
                "ended(unconfirmed:ServerRestart)",
                "ended(call_ended:ServerRestart)",
                "err:NoEffect",
            ],
        ),
    ];
    assert_eq!(inputs.len(), expected.len(), "every input has a row");
    for ((name, input), (row_name, row)) in inputs.into_iter().zip(expected) {
        assert_eq!(name, *row_name);
        for ((phase_name, phase), want) in phases(t0).into_iter().zip(row) {
            let got = outcome(step(&phase, input.clone(), t0));
            assert_eq!(got, *want, "{name} in {phase_name}");
        }
    }
}

#[test]
fn an_ended_phase_never_changes() {
    let t0 = Instant::now();
    let ended = Phase::Ended {
        end: End::Failed {
            reason: FailureReason::InvitationExpire,
        },
        at: t0,
    };
    let later = t0 + Duration::from_secs(1);
    for input in [
        Input::Cancel,
        Input::Confirm,
        Input::Shutdown,
        Input::CallerLost,
        Input::Timeout(Expiry::Ring),
        Input::Accept {
            device: dev("b1"),
            response: None,
        },
    ] {
        assert!(step(&ended, input, later).is_err());
    }
}

fn info() -> InvitationInfo {
    InvitationInfo {
        id: InvitationId::new("inv-1").expect("valid id"),
        caller: uid("alice"),
        caller_name: ringer_proto::DisplayName::new("Alice").expect("valid name"),
        callee: uid("bob"),
        content: None,
        channel_id: None,
        sent_at: 0,
    }
}

#[test]
fn views_of_an_accepted_then_ended_call() {
    let t0 = Instant::now();
    let ended = Phase::Ended {
        end: End::CallEnded {
            answer: answer(t0),
            reason: CallEndReason::Hangup,
            by: Some(uid("alice")),
        },
        at: t0,
    };
    assert_eq!(
        caller_view(&ended),
        InvitationState::CallEnded {
            response: None,
            reason: CallEndReason::Hangup,
            by: Some(uid("alice"))
        }
    );
    assert_eq!(caller_view(&ended), callee_view(&ended, &dev("b1")));
    assert_eq!(
        callee_view(&ended, &dev("b2")),
        InvitationState::Canceled {
            reason: CancelReason::AnsweredElsewhere
        }
    );
    let unconfirmed = Phase::Ended {
        end: End::Unconfirmed {
            answer: answer(t0),
            acceptor_reason: FailureReason::AcceptFailure,
            caller_reason: CallEndReason::ConnectionLost,
        },
        at: t0,
    };
    assert_eq!(
        callee_view(&unconfirmed, &dev("b1")),
        InvitationState::Failed {
            reason: FailureReason::AcceptFailure
        }
    );
    assert!(matches!(
        caller_view(&unconfirmed),
        InvitationState::CallEnded {
            reason: CallEndReason::ConnectionLost,
            ..
        }
    ));
}

#[test]
fn frames_follow_the_difference_between_views() {
    let info = info();
    let id = info.id.clone();
    // Caller jumps from pending to accepted: it still hears the receipt first.
    assert_eq!(
        caller_frames(
            &info,
            &InvitationState::Pending,
            &InvitationState::Accepting { response: None }
        ),
        vec![
            ServerFrame::ReceivedByPeer { id: id.clone() },
            ServerFrame::Accepted {
                id: id.clone(),
                response: None
            }
        ]
    );
    // Nothing after a terminal state.
    let canceled = InvitationState::Canceled {
        reason: CancelReason::Canceled,
    };
    assert!(caller_frames(&info, &canceled, &InvitationState::Ringing).is_empty());
    assert!(callee_frames(&info, Some(&canceled), &InvitationState::Ringing).is_empty());
    // A callee device never told: the invitation comes first.
    assert_eq!(
        callee_frames(&info, None, &canceled),
        vec![
            ServerFrame::Invitation {
                invitation: info.clone()
            },
            ServerFrame::Canceled {
                id: id.clone(),
                reason: CancelReason::Canceled
            }
        ]
    );
    // A hang-up while accepting reaches the acceptor as confirm then end.
    assert_eq!(
        callee_frames(
            &info,
            Some(&InvitationState::Accepting { response: None }),
            &InvitationState::CallEnded {
                response: None,
                reason: CallEndReason::Hangup,
                by: None
            }
        ),
        vec![
            ServerFrame::AcceptConfirmed { id: id.clone() },
            ServerFrame::CallEnded {
                id,
                reason: CallEndReason::Hangup,
                by: None
            }
        ]
    );
    // A glare acceptor is not told while the caller has yet to confirm.
    assert!(callee_frames(&info, None, &InvitationState::Accepting { response: None }).is_empty());
}

fn live_ids(book: &Book, of: &str) -> Vec<String> {
    book.iter_live_uid(&uid(of))
        .map(|inv| inv.info.id.as_str().to_owned())
        .collect()
}

fn invitation(book: &mut Book, id: &str) -> Invitation {
    let info = InvitationInfo {
        id: InvitationId::new(id).expect("valid id"),
        ..info()
    };
    let seq = book.next_seq();
    Invitation::new(info, dev("a1"), seq, Wait::Ack)
}

#[test]
fn the_book_indexes_only_live_invitations_as_live() -> Result<(), Illegal> {
    let t0 = Instant::now();
    let mut book = Book::default();
    let first = invitation(&mut book, "inv-1");
    let second = invitation(&mut book, "inv-2");
    let (first_id, second_id) = (first.info.id.clone(), second.info.id.clone());
    book.insert(first);
    book.insert(second);
    assert_eq!(live_ids(&book, "alice"), ["inv-1", "inv-2"]);
    assert_eq!(live_ids(&book, "bob"), ["inv-1", "inv-2"]);

    let accept = Input::Accept {
        device: dev("b1"),
        response: None,
    };
    assert!(book.apply(&first_id, accept, t0)?.is_call());
    assert_eq!(live_ids(&book, "alice"), ["inv-1", "inv-2"]);
    assert!(book.apply(&second_id, Input::Cancel, t0)?.is_ended());
    assert_eq!(live_ids(&book, "alice"), ["inv-1"]);
    assert_eq!(live_ids(&book, "bob"), ["inv-1"]);
    // An ended invitation stays in the book (for snapshots) until removed.
    assert_eq!(
        book.of_uid(&uid("bob")),
        [first_id.clone(), second_id.clone()]
    );
    assert!(book.contains(&second_id));

    let hang_up = Input::HangUp {
        actor: Actor::Caller,
        by: uid("alice"),
    };
    assert!(book.apply(&first_id, hang_up, t0)?.is_ended());
    assert!(live_ids(&book, "alice").is_empty());
    assert!(live_ids(&book, "bob").is_empty());
    assert_eq!(book.of_uid(&uid("alice")).len(), 2);

    // A refused input changes nothing, the index included.
    assert!(book.apply(&first_id, Input::Cancel, t0).is_err());
    book.remove(&first_id);
    book.remove(&second_id);
    assert!(book.of_uid(&uid("alice")).is_empty());
    Ok(())
}

#[test]
fn an_invitation_removed_while_live_leaves_the_live_index() {
    let mut book = Book::default();
    let inv = invitation(&mut book, "inv-1");
    let id = inv.info.id.clone();
    book.insert(inv);
    book.remove(&id);
    assert!(live_ids(&book, "alice").is_empty());
    assert!(live_ids(&book, "bob").is_empty());
}
