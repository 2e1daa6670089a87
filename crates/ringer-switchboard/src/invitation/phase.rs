//! The life of one invitation on the server, as a pure transition function.
//!
//! ```text
//!            received              accept               confirm
//! Pending ───────────▶ Ringing ─────────────▶ Accepting ───────▶ InCall
//!    │  (accept/refuse      │                     │                 │
//!    │   from Pending too)  │                     │                 │
//!    └──────────────────────┴─▶ Ended(Refused | Canceled | Failed)  │
//!                                                 └─▶ Ended(Unconfirmed | CallEnded) ◀─┘
//! ```
//!
//! [`step`] is the only place that decides what an input does; it never panics and answers an
//! input that does not apply with an [`Illegal`] value, so the first terminal input wins and
//! every later one is told why it lost.

use std::fmt;
use std::time::Instant;

use ringer_proto::{CallEndReason, DeviceId, FailureReason, RefuseReason, Response, Uid};

/// What a pending invitation is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The callee has no connected device; `offline_wait` runs.
    Offline,
    /// The callee's connected devices have it; `ack_timeout` runs.
    Ack,
}

/// The deadlines a live invitation can run into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// `offline_wait` while pending without any callee device.
    OfflineWait,
    /// `ack_timeout` while pending with callee devices.
    Ack,
    /// `ring_timeout` while ringing.
    Ring,
    /// `accept_confirm_timeout` while accepting.
    Confirm,
}

/// The callee's accept: who, what they answered and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) acceptor: DeviceId,
    pub(crate) response: Option<Response>,
    pub(crate) at: Instant,
}

/// Where an invitation is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Sent; no callee device has acknowledged it.
    Pending { wait: Wait },
    /// A callee device acknowledged it; it rings on every callee device.
    Ringing,
    /// A callee device accepted; the caller's device has to confirm.
    Accepting(Answer),
    /// Confirmed: a live call.
    InCall(Answer),
    /// Over; nothing leaves this phase.
    Ended { end: End, at: Instant },
}

/// How an invitation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// Refused by a callee device (`refuser`), or by the server for it (dnd, busy).
    Refused {
        response: Option<Response>,
        reason: RefuseReason,
        refuser: Option<DeviceId>,
    },
    /// Canceled by the caller.
    Canceled,
    /// Failed before anyone accepted.
    Failed { reason: FailureReason },
    /// Accepted but never confirmed: the acceptor sees `Failed(acceptor_reason)`, the caller,
    /// who had seen `accepted`, sees its call end with `caller_reason`.
    Unconfirmed {
        answer: Answer,
        acceptor_reason: FailureReason,
        caller_reason: CallEndReason,
    },
    /// It was a call, and the call ended.
    CallEnded {
        answer: Answer,
        reason: CallEndReason,
        by: Option<Uid>,
    },
}

/// Who acts on an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Actor {
    /// The caller's device that sent it.
    Caller,
    /// A device of the callee's uid.
    Callee(DeviceId),
}

/// Everything that can happen to an invitation, in the order the switchboard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// A callee device became connected while pending without any.
    CalleeReachable,
    /// A callee device acknowledged receipt.
    Received,
    /// A callee device accepted.
    Accept {
        device: DeviceId,
        response: Option<Response>,
    },
    /// A callee device refused.
    Refuse {
        device: DeviceId,
        response: Option<Response>,
        reason: RefuseReason,
    },
    /// The server refused for the callee (dnd, busy) before anything rang.
    AutoRefuse { reason: RefuseReason },
    /// The caller canceled.
    Cancel,
    /// The caller's device confirmed the accept.
    Confirm,
    /// A party hung up.
    HangUp { actor: Actor, by: Uid },
    /// The server failed it at once (`peer_unknown`, `glare`).
    Fail { reason: FailureReason },
    /// A deadline passed.
    Timeout(Expiry),
    /// The caller's device was away for longer than the grace period (or was banned).
    CallerLost,
    /// A callee device was away for longer than the grace period (or was banned).
    CalleeLost { device: DeviceId },
    /// The server is shutting down.
    Shutdown,
}

/// Why an input does not apply to the invitation's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Illegal {
    /// The invitation is over, from the actor's point of view.
    #[error("the invitation has already ended")]
    AlreadyEnd,
    /// The actor already accepted it.
    #[error("this device already accepted the invitation")]
    AlreadyAccept,
    /// Confirm or hang up before anyone accepted.
    #[error("the invitation has not been accepted yet")]
    NotAccepted,
    /// The input changes nothing here (a stale timer, a repeated acknowledgement, the loss of a
    /// device that does not matter to this invitation).
    #[error("nothing to do in this state")]
    NoEffect,
}

/// The phase `input` leads to from `phase` at `now`, or why it does not apply.
pub(crate) fn step(phase: &Phase, input: Input, now: Instant) -> Result<Phase, Illegal> {
    use Phase::{Accepting, Ended, InCall, Pending, Ringing};
    let ended = |end: End| Ok(Ended { end, at: now });
    match input {
        Input::CalleeReachable => match phase {
            Pending {
                wait: Wait::Offline,
            } => Ok(Pending { wait: Wait::Ack }),
            Pending { wait: Wait::Ack } | Ringing | Accepting(_) | InCall(_) | Ended { .. } => {
                Err(Illegal::NoEffect)
            }
        },
        Input::Received => match phase {
            Pending { .. } => Ok(Ringing),
            Ringing | Accepting(_) | InCall(_) => Err(Illegal::NoEffect),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::Accept { device, response } => match phase {
            Pending { .. } | Ringing => Ok(Accepting(Answer {
                acceptor: device,
                response,
                at: now,
            })),
            Accepting(answer) | InCall(answer) => Err(acceptor_or_end(answer, &device)),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::Refuse {
            device,
            response,
            reason,
        } => match phase {
            Pending { .. } | Ringing => ended(End::Refused {
                response,
                reason,
                refuser: Some(device),
            }),
            Accepting(answer) | InCall(answer) => Err(acceptor_or_end(answer, &device)),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::AutoRefuse { reason } => match phase {
            Pending { .. } => ended(End::Refused {
                response: None,
                reason,
                refuser: None,
            }),
            Ringing | Accepting(_) | InCall(_) => Err(Illegal::NoEffect),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::Cancel => match phase {
            Pending { .. } | Ringing => ended(End::Canceled),
            // The accept was committed first: the cancel loses.
            Accepting(_) | InCall(_) | Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::Confirm => match phase {
            Accepting(answer) => Ok(InCall(answer.clone())),
            InCall(_) => Err(Illegal::NoEffect),
            Pending { .. } | Ringing => Err(Illegal::NotAccepted),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::HangUp { actor, by } => match phase {
            Accepting(answer) | InCall(answer) => {
                let in_call = match &actor {
                    Actor::Caller => true,
                    Actor::Callee(device) => *device == answer.acceptor,
                };
                if in_call {
                    ended(End::CallEnded {
                        answer: answer.clone(),
                        reason: CallEndReason::Hangup,
                        by: Some(by),
                    })
                } else {
                    // Another device of the callee: for it the invitation ended when it was
                    // answered elsewhere.
                    Err(Illegal::AlreadyEnd)
                }
            }
            Pending { .. } | Ringing => Err(Illegal::NotAccepted),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::Fail { reason } => match phase {
            Pending { .. } | Ringing => ended(End::Failed { reason }),
            Accepting(_) | InCall(_) => Err(Illegal::NoEffect),
            Ended { .. } => Err(Illegal::AlreadyEnd),
        },
        Input::Timeout(expiry) => timeout(phase, expiry, now),
        Input::CallerLost => match phase {
            Pending { .. } | Ringing => ended(End::Failed {
                reason: FailureReason::PeerOffline,
            }),
            Accepting(answer) => ended(unconfirmed(answer)),
            InCall(answer) => ended(End::CallEnded {
                answer: answer.clone(),
                reason: CallEndReason::ConnectionLost,
                by: None,
            }),
            Ended { .. } => Err(Illegal::NoEffect),
        },
        Input::CalleeLost { device } => match phase {
            Accepting(answer) if answer.acceptor == device => ended(unconfirmed(answer)),
            InCall(answer) if answer.acceptor == device => ended(End::CallEnded {
                answer: answer.clone(),
                reason: CallEndReason::ConnectionLost,
                by: None,
            }),
            // Other callee devices may still answer, or the invitation times out.
            Pending { .. } | Ringing | Accepting(_) | InCall(_) | Ended { .. } => {
                Err(Illegal::NoEffect)
            }
        },
        Input::Shutdown => match phase {
            Pending { .. } | Ringing => ended(End::Failed {
                reason: FailureReason::ServerRestart,
            }),
            Accepting(answer) => ended(End::Unconfirmed {
                answer: answer.clone(),
                acceptor_reason: FailureReason::ServerRestart,
                caller_reason: CallEndReason::ServerRestart,
            }),
            InCall(answer) => ended(End::CallEnded {
                answer: answer.clone(),
                reason: CallEndReason::ServerRestart,
                by: None,
            }),
            Ended { .. } => Err(Illegal::NoEffect),
        },
    }
}

fn timeout(phase: &Phase, expiry: Expiry, now: Instant) -> Result<Phase, Illegal> {
    let failed = |reason| {
        Ok(Phase::Ended {
            end: End::Failed { reason },
            at: now,
        })
    };
    // Only the deadline of the current phase counts; any other is stale.
    match (phase, expiry) {
        (
            Phase::Pending {
                wait: Wait::Offline,
            },
            Expiry::OfflineWait,
        ) => failed(FailureReason::PeerOffline),
        (Phase::Pending { wait: Wait::Ack }, Expiry::Ack) => failed(FailureReason::PeerNoResponse),
        (Phase::Ringing, Expiry::Ring) => failed(FailureReason::InvitationExpire),
        (Phase::Accepting(answer), Expiry::Confirm) => Ok(Phase::Ended {
            end: unconfirmed(answer),
            at: now,
        }),
        (
            Phase::Pending { .. } | Phase::Ringing | Phase::Accepting(_) | Phase::InCall(_),
            Expiry::OfflineWait | Expiry::Ack | Expiry::Ring | Expiry::Confirm,
        )
        | (
            Phase::Ended { .. },
            Expiry::OfflineWait | Expiry::Ack | Expiry::Ring | Expiry::Confirm,
        ) => Err(Illegal::NoEffect),
    }
}

fn unconfirmed(answer: &Answer) -> End {
    End::Unconfirmed {
        answer: answer.clone(),
        acceptor_reason: FailureReason::AcceptFailure,
        caller_reason: CallEndReason::ConnectionLost,
    }
}

fn acceptor_or_end(answer: &Answer, device: &DeviceId) -> Illegal {
    if answer.acceptor == *device {
        Illegal::AlreadyAccept
    } else {
        Illegal::AlreadyEnd
    }
}

impl Phase {
    /// True while accepted and not over: the parties count as in a call.
    pub(crate) fn is_call(&self) -> bool {
        match self {
            Phase::Accepting(_) | Phase::InCall(_) => true,
            Phase::Pending { .. } | Phase::Ringing | Phase::Ended { .. } => false,
        }
    }

    /// True once over, whatever the end.
    pub(crate) fn is_ended(&self) -> bool {
        match self {
            Phase::Ended { .. } => true,
            Phase::Pending { .. } | Phase::Ringing | Phase::Accepting(_) | Phase::InCall(_) => {
                false
            }
        }
    }

    /// True while nobody has answered yet.
    pub(crate) fn is_unanswered(&self) -> bool {
        match self {
            Phase::Pending { .. } | Phase::Ringing => true,
            Phase::Accepting(_) | Phase::InCall(_) | Phase::Ended { .. } => false,
        }
    }

    /// The acceptor, once someone accepted.
    pub(crate) fn acceptor(&self) -> Option<&DeviceId> {
        match self {
            Phase::Accepting(answer) | Phase::InCall(answer) => Some(&answer.acceptor),
            Phase::Ended { end, .. } => match end {
                End::Unconfirmed { answer, .. } | End::CallEnded { answer, .. } => {
                    Some(&answer.acceptor)
                }
                End::Refused { .. } | End::Canceled | End::Failed { .. } => None,
            },
            Phase::Pending { .. } | Phase::Ringing => None,
        }
    }
}

impl fmt::Display for Phase {
    /// A short name for logs: `pending(ack)`, `ringing`, `ended(failed:glare)`, ….
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Pending { wait } => write!(f, "pending({wait:?})"),
            Phase::Ringing => f.write_str("ringing"),
            Phase::Accepting(answer) => write!(f, "accepting(by {})", answer.acceptor),
            Phase::InCall(answer) => write!(f, "in_call(with {})", answer.acceptor),
            Phase::Ended { end, .. } => match end {
                End::Refused { reason, .. } => write!(f, "ended(refused:{reason:?})"),
                End::Canceled => f.write_str("ended(canceled)"),
                End::Failed { reason } => write!(f, "ended(failed:{reason:?})"),
                End::Unconfirmed {
                    acceptor_reason, ..
                } => write!(f, "ended(unconfirmed:{acceptor_reason:?})"),
                End::CallEnded { reason, .. } => write!(f, "ended(call_ended:{reason:?})"),
            },
        }
    }
}
