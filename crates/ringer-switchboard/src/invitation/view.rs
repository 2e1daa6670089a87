//! An invitation as each party device sees it, and the frames that move a device from what it
//! was last told to what is true now.
//!
//! Deriving frames from the difference between two views, instead of writing them by hand per
//! transition, is what guarantees that a device's live frames and its welcome snapshot never
//! disagree, that each device hears exactly one terminal outcome, and that nothing follows it.

use ringer_proto::{
    CallEndReason, CancelReason, DeviceId, FailureReason, InvitationInfo, InvitationState,
    ServerFrame,
};

use super::phase::{End, Phase};

/// How far along an invitation is, as one device sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Pending,
    Ringing,
    Accepting,
    InCall,
    Ended,
}

fn stage(state: &InvitationState) -> Stage {
    match state {
        InvitationState::Pending => Stage::Pending,
        InvitationState::Ringing => Stage::Ringing,
        InvitationState::Accepting { .. } => Stage::Accepting,
        InvitationState::InCall { .. } => Stage::InCall,
        InvitationState::Refused { .. }
        | InvitationState::Canceled { .. }
        | InvitationState::Failed { .. }
        | InvitationState::CallEnded { .. } => Stage::Ended,
    }
}

/// True for a state nothing follows.
fn is_terminal(state: &InvitationState) -> bool {
    stage(state) == Stage::Ended
}

/// The invitation as the caller's device sees it.
pub(crate) fn caller_view(phase: &Phase) -> InvitationState {
    match phase {
        Phase::Pending { .. } => InvitationState::Pending,
        Phase::Ringing => InvitationState::Ringing,
        Phase::Accepting(answer) => InvitationState::Accepting {
            response: answer.response.clone(),
        },
        Phase::InCall(answer) => InvitationState::InCall {
            response: answer.response.clone(),
        },
        Phase::Ended { end, .. } => match end {
            End::Refused {
                response, reason, ..
            } => InvitationState::Refused {
                response: response.clone(),
                reason: *reason,
            },
            End::Canceled => InvitationState::Canceled {
                reason: CancelReason::Canceled,
            },
            End::Failed { reason } => InvitationState::Failed { reason: *reason },
            // The caller had been told `accepted`, so for it a call ended.
            End::Unconfirmed {
                answer,
                caller_reason,
                ..
            } => InvitationState::CallEnded {
                response: answer.response.clone(),
                reason: *caller_reason,
                by: None,
            },
            End::CallEnded { answer, reason, by } => InvitationState::CallEnded {
                response: answer.response.clone(),
                reason: *reason,
                by: by.clone(),
            },
        },
    }
}

/// The invitation as one device of the callee's uid sees it.
pub(crate) fn callee_view(phase: &Phase, device: &DeviceId) -> InvitationState {
    let answered_elsewhere = InvitationState::Canceled {
        reason: CancelReason::AnsweredElsewhere,
    };
    match phase {
        Phase::Pending { .. } | Phase::Ringing => InvitationState::Ringing,
        Phase::Accepting(answer) if answer.acceptor == *device => InvitationState::Accepting {
            response: answer.response.clone(),
        },
        Phase::InCall(answer) if answer.acceptor == *device => InvitationState::InCall {
            response: answer.response.clone(),
        },
        Phase::Accepting(_) | Phase::InCall(_) => answered_elsewhere,
        Phase::Ended { end, .. } => match end {
            End::Refused {
                response,
                reason,
                refuser,
            } => match refuser {
                Some(refuser) if refuser != device => InvitationState::Canceled {
                    reason: CancelReason::DeclinedElsewhere,
                },
                Some(_) | None => InvitationState::Refused {
                    response: response.clone(),
                    reason: *reason,
                },
            },
            End::Canceled => InvitationState::Canceled {
                reason: CancelReason::Canceled,
            },
            End::Failed { reason } => InvitationState::Failed { reason: *reason },
            End::Unconfirmed {
                answer,
                acceptor_reason,
                ..
            } => {
                if answer.acceptor == *device {
                    InvitationState::Failed {
                        reason: *acceptor_reason,
                    }
                } else {
                    answered_elsewhere
                }
            }
            End::CallEnded { answer, reason, by } => {
                if answer.acceptor == *device {
                    InvitationState::CallEnded {
                        response: answer.response.clone(),
                        reason: *reason,
                        by: by.clone(),
                    }
                } else {
                    answered_elsewhere
                }
            }
        },
    }
}

/// The frames that take the caller's device from `old` to `new`.
pub(crate) fn caller_frames(
    info: &InvitationInfo,
    old: &InvitationState,
    new: &InvitationState,
) -> Vec<ServerFrame> {
    let id = &info.id;
    let from = stage(old);
    if old == new || from == Stage::Ended {
        return Vec::new();
    }
    let mut out = Vec::new();
    let accepted = |out: &mut Vec<ServerFrame>, response: &Option<ringer_proto::Response>| {
        if from < Stage::Ringing {
            out.push(ServerFrame::ReceivedByPeer { id: id.clone() });
        }
        if from < Stage::Accepting {
            out.push(ServerFrame::Accepted {
                id: id.clone(),
                response: response.clone(),
            });
        }
    };
    match new {
        InvitationState::Pending => {}
        InvitationState::Ringing => {
            if from < Stage::Ringing {
                out.push(ServerFrame::ReceivedByPeer { id: id.clone() });
            }
        }
        InvitationState::Accepting { response } | InvitationState::InCall { response } => {
            accepted(&mut out, response);
        }
        InvitationState::Refused { response, reason } => out.push(ServerFrame::Refused {
            id: id.clone(),
            response: response.clone(),
            reason: *reason,
        }),
        InvitationState::Canceled { reason } => out.push(ServerFrame::Canceled {
            id: id.clone(),
            reason: *reason,
        }),
        InvitationState::Failed { reason } => out.push(failed(info, *reason)),
        InvitationState::CallEnded {
            response,
            reason,
            by,
        } => {
            accepted(&mut out, response);
            out.push(call_ended(info, *reason, by));
        }
    }
    out
}

/// The frames that take a callee device from `old` (`None`: it has not been told about the
/// invitation yet) to `new`.
pub(crate) fn callee_frames(
    info: &InvitationInfo,
    old: Option<&InvitationState>,
    new: &InvitationState,
) -> Vec<ServerFrame> {
    let id = &info.id;
    let mut out = Vec::new();
    let from = match old {
        Some(old) if old == new || is_terminal(old) => return out,
        Some(old) => stage(old),
        None => {
            if stage(new) == Stage::Accepting {
                // A glare acceptor that never had the invitation: it hears of it with the
                // outcome of the accept, not while the caller has yet to confirm.
                return out;
            }
            out.push(ServerFrame::Invitation {
                invitation: info.clone(),
            });
            Stage::Ringing
        }
    };
    let confirmed = |out: &mut Vec<ServerFrame>| {
        if from < Stage::InCall {
            out.push(ServerFrame::AcceptConfirmed { id: id.clone() });
        }
    };
    match new {
        InvitationState::Pending | InvitationState::Ringing | InvitationState::Accepting { .. } => {
        }
        InvitationState::InCall { .. } => confirmed(&mut out),
        InvitationState::CallEnded { reason, by, .. } => {
            // A hang-up while accepting ends the call as if confirmed first.
            confirmed(&mut out);
            out.push(call_ended(info, *reason, by));
        }
        InvitationState::Refused { response, reason } => out.push(ServerFrame::Refused {
            id: id.clone(),
            response: response.clone(),
            reason: *reason,
        }),
        InvitationState::Canceled { reason } => out.push(ServerFrame::Canceled {
            id: id.clone(),
            reason: *reason,
        }),
        InvitationState::Failed { reason } => out.push(failed(info, *reason)),
    }
    out
}

fn failed(info: &InvitationInfo, reason: FailureReason) -> ServerFrame {
    ServerFrame::Failed {
        id: info.id.clone(),
        reason,
    }
}

fn call_ended(
    info: &InvitationInfo,
    reason: CallEndReason,
    by: &Option<ringer_proto::Uid>,
) -> ServerFrame {
    ServerFrame::CallEnded {
        id: info.id.clone(),
        reason,
        by: by.clone(),
    }
}
