//! The caller's side of an invitation: `LocalInvitation` (SPEC §3).

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use ringer_proto::{FailureReason, InvitationId, RefuseReason, Response};

use crate::call::Call;
use crate::config::Invite;
use crate::event::{Event, ServerError};
use crate::requests::Pending;
use crate::transition::IllegalTransition;

/// A caller's invitation state (Agora's names). The last four are terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalInvitationState {
    /// Created, not sent yet (only ever seen inside `send`).
    Idle,
    /// Sent; no callee device has acknowledged it yet.
    SentToRemote,
    /// A callee device acknowledged it; it is ringing.
    ReceivedByRemote,
    /// The callee accepted; the invitation became a call (see [`crate::CallState`]).
    AcceptedByRemote {
        /// The callee's response.
        response: Option<Response>,
    },
    /// The callee refused.
    RefusedByRemote {
        /// The callee's response.
        response: Option<Response>,
        /// Why.
        reason: RefuseReason,
    },
    /// This device canceled it and the server confirmed.
    Canceled,
    /// It failed.
    Failure(FailureReason),
}

impl LocalInvitationState {
    /// True for the states nothing leaves.
    pub fn is_terminal(&self) -> bool {
        match self {
            LocalInvitationState::Idle
            | LocalInvitationState::SentToRemote
            | LocalInvitationState::ReceivedByRemote => false,
            LocalInvitationState::AcceptedByRemote { .. }
            | LocalInvitationState::RefusedByRemote { .. }
            | LocalInvitationState::Canceled
            | LocalInvitationState::Failure(_) => true,
        }
    }

    /// The state's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            LocalInvitationState::Idle => "idle",
            LocalInvitationState::SentToRemote => "sent_to_remote",
            LocalInvitationState::ReceivedByRemote => "received_by_remote",
            LocalInvitationState::AcceptedByRemote { .. } => "accepted_by_remote",
            LocalInvitationState::RefusedByRemote { .. } => "refused_by_remote",
            LocalInvitationState::Canceled => "canceled",
            LocalInvitationState::Failure(_) => "failure",
        }
    }
}

impl fmt::Display for LocalInvitationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalInvitationState::Failure(reason) => write!(f, "failure({reason:?})"),
            LocalInvitationState::Idle
            | LocalInvitationState::SentToRemote
            | LocalInvitationState::ReceivedByRemote
            | LocalInvitationState::AcceptedByRemote { .. }
            | LocalInvitationState::RefusedByRemote { .. }
            | LocalInvitationState::Canceled => f.write_str(self.name()),
        }
    }
}

/// Everything the engine knows about one invitation this device sent.
#[derive(Debug, Clone)]
pub(crate) struct LocalInvitation {
    pub invite: Invite,
    pub state: LocalInvitationState,
    /// The server answered the `invite` with `ok` (or showed it in a snapshot).
    pub invite_acked: bool,
    pub cancel: Pending,
    /// Present once accepted.
    pub call: Option<Call>,
    /// When it (and its call, if any) ended; ended invitations are forgotten some time later.
    pub ended_at: Option<Instant>,
    /// The server's `error` answer to the `invite`, for the failure event it causes.
    pub refusal: Option<ServerError>,
}

impl LocalInvitation {
    pub fn new(invite: Invite) -> Self {
        LocalInvitation {
            invite,
            state: LocalInvitationState::Idle,
            invite_acked: false,
            cancel: Pending::No,
            call: None,
            ended_at: None,
            refusal: None,
        }
    }

    /// Neither a live invitation nor a live call: nothing more may be sent for it.
    pub fn is_over(&self) -> bool {
        self.state.is_terminal() && !self.call.as_ref().is_some_and(Call::is_live)
    }
}

/// The one place a caller's invitation changes state: checks legality, logs `old -> new`, queues
/// the event, and starts the call on accept.
pub(crate) fn transition(
    inv: &mut LocalInvitation,
    to: LocalInvitationState,
    now: Instant,
    events: &mut VecDeque<Event>,
) -> Result<(), IllegalTransition> {
    let id = inv.invite.id.clone();
    if !allowed(&inv.state, &to) {
        return Err(IllegalTransition {
            id,
            from: inv.state.name(),
            to: to.name(),
        });
    }
    tracing::debug!(%id, "local invitation {} -> {}", inv.state, to);
    if let Some(event) = event_for(&id, &to, inv.refusal.as_ref()) {
        events.push_back(event);
    }
    match &to {
        LocalInvitationState::AcceptedByRemote { .. } => inv.call = Some(Call::live()),
        LocalInvitationState::RefusedByRemote { .. }
        | LocalInvitationState::Canceled
        | LocalInvitationState::Failure(_) => inv.ended_at = Some(now),
        LocalInvitationState::Idle
        | LocalInvitationState::SentToRemote
        | LocalInvitationState::ReceivedByRemote => {}
    }
    if to.is_terminal() {
        inv.cancel = Pending::No;
    }
    inv.state = to;
    Ok(())
}

fn allowed(from: &LocalInvitationState, to: &LocalInvitationState) -> bool {
    use LocalInvitationState as S;
    let from_idle = *from == S::Idle;
    let ringing = *from == S::SentToRemote || *from == S::ReceivedByRemote;
    match to {
        S::Idle => false,
        S::SentToRemote => from_idle,
        S::ReceivedByRemote => *from == S::SentToRemote,
        // Accept implies receipt: the engine passes through received_by_remote first.
        S::AcceptedByRemote { .. } => *from == S::ReceivedByRemote,
        // Busy and dnd are refused without ringing, hence from sent_to_remote too.
        S::RefusedByRemote { .. } | S::Canceled => ringing,
        S::Failure(_) => from_idle || ringing,
    }
}

fn event_for(
    id: &InvitationId,
    to: &LocalInvitationState,
    refusal: Option<&ServerError>,
) -> Option<Event> {
    let id = id.clone();
    match to {
        LocalInvitationState::Idle | LocalInvitationState::SentToRemote => None,
        LocalInvitationState::ReceivedByRemote => Some(Event::LocalInvitationReceivedByPeer { id }),
        LocalInvitationState::AcceptedByRemote { response } => {
            Some(Event::LocalInvitationAccepted {
                id,
                response: response.clone(),
            })
        }
        LocalInvitationState::RefusedByRemote { response, reason } => {
            Some(Event::LocalInvitationRefused {
                id,
                response: response.clone(),
                reason: *reason,
            })
        }
        LocalInvitationState::Canceled => Some(Event::LocalInvitationCanceled { id }),
        LocalInvitationState::Failure(reason) => Some(Event::LocalInvitationFailure {
            id,
            reason: *reason,
            error: refusal.cloned(),
        }),
    }
}
