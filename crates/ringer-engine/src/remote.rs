//! The callee's side of an invitation: `RemoteInvitation` (SPEC §4).

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use ringer_proto::{CancelReason, FailureReason, InvitationInfo, RefuseReason, Response};

use crate::call::Call;
use crate::event::Event;
use crate::requests::Pending;
use crate::transition::IllegalTransition;

/// A callee's invitation state (Agora's names). The last four are terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteInvitationState {
    /// Ringing on this device.
    InvitationReceived,
    /// This device accepted; waiting for the caller's device to confirm.
    AcceptSentToLocal,
    /// The caller confirmed; the invitation became a call (see [`crate::CallState`]).
    Accepted,
    /// This device refused and the server confirmed.
    Refused,
    /// The caller canceled, or another device of this uid answered or declined.
    Canceled(CancelReason),
    /// It failed.
    Failure(FailureReason),
}

impl RemoteInvitationState {
    /// True for the states nothing leaves.
    pub fn is_terminal(&self) -> bool {
        match self {
            RemoteInvitationState::InvitationReceived
            | RemoteInvitationState::AcceptSentToLocal => false,
            RemoteInvitationState::Accepted
            | RemoteInvitationState::Refused
            | RemoteInvitationState::Canceled(_)
            | RemoteInvitationState::Failure(_) => true,
        }
    }

    /// The state's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            RemoteInvitationState::InvitationReceived => "invitation_received",
            RemoteInvitationState::AcceptSentToLocal => "accept_sent_to_local",
            RemoteInvitationState::Accepted => "accepted",
            RemoteInvitationState::Refused => "refused",
            RemoteInvitationState::Canceled(_) => "canceled",
            RemoteInvitationState::Failure(_) => "failure",
        }
    }
}

impl fmt::Display for RemoteInvitationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteInvitationState::Canceled(reason) => write!(f, "canceled({reason:?})"),
            RemoteInvitationState::Failure(reason) => write!(f, "failure({reason:?})"),
            RemoteInvitationState::InvitationReceived
            | RemoteInvitationState::AcceptSentToLocal
            | RemoteInvitationState::Accepted
            | RemoteInvitationState::Refused => f.write_str(self.name()),
        }
    }
}

/// Everything the engine knows about one invitation sent to this device's uid.
#[derive(Debug, Clone)]
pub(crate) struct RemoteInvitation {
    pub info: InvitationInfo,
    pub state: RemoteInvitationState,
    pub accept: Pending,
    pub accept_response: Option<Response>,
    pub refuse: Pending,
    pub refuse_args: (Option<Response>, Option<RefuseReason>),
    /// The connection (welcome count) on which `received` was last sent, so each connection
    /// acknowledges a ringing invitation once.
    pub acked_on: u64,
    /// Present once accepted.
    pub call: Option<Call>,
    /// When it (and its call, if any) ended; ended invitations are forgotten some time later.
    pub ended_at: Option<Instant>,
}

impl RemoteInvitation {
    /// Neither a live invitation nor a live call: nothing more may be sent for it.
    pub fn is_over(&self) -> bool {
        self.state.is_terminal() && !self.call.as_ref().is_some_and(Call::is_live)
    }
}

/// The one place a callee's invitation is born: logs `- -> invitation_received` and queues
/// `remote_invitation_received`. The caller of this sends the acknowledgement.
pub(crate) fn receive(info: InvitationInfo, events: &mut VecDeque<Event>) -> RemoteInvitation {
    tracing::debug!(id = %info.id, "remote invitation - -> invitation_received");
    events.push_back(Event::RemoteInvitationReceived {
        invitation: info.clone(),
    });
    adopt(info, RemoteInvitationState::InvitationReceived)
}

/// An invitation taken over from a snapshot as it stands, without events (the engine never saw
/// it begin).
pub(crate) fn adopt(info: InvitationInfo, state: RemoteInvitationState) -> RemoteInvitation {
    let call = match state {
        RemoteInvitationState::Accepted => Some(Call::live()),
        RemoteInvitationState::InvitationReceived
        | RemoteInvitationState::AcceptSentToLocal
        | RemoteInvitationState::Refused
        | RemoteInvitationState::Canceled(_)
        | RemoteInvitationState::Failure(_) => None,
    };
    RemoteInvitation {
        info,
        state,
        accept: Pending::No,
        accept_response: None,
        refuse: Pending::No,
        refuse_args: (None, None),
        acked_on: 0,
        call,
        ended_at: None,
    }
}

/// The one place a callee's invitation changes state: checks legality, logs `old -> new`, queues
/// the event, and starts the call on accept.
pub(crate) fn transition(
    inv: &mut RemoteInvitation,
    to: RemoteInvitationState,
    now: Instant,
    events: &mut VecDeque<Event>,
) -> Result<(), IllegalTransition> {
    let id = inv.info.id.clone();
    if !allowed(&inv.state, &to) {
        return Err(IllegalTransition {
            id,
            from: inv.state.name(),
            to: to.name(),
        });
    }
    tracing::debug!(%id, "remote invitation {} -> {}", inv.state, to);
    let event = match &to {
        RemoteInvitationState::InvitationReceived | RemoteInvitationState::AcceptSentToLocal => {
            None
        }
        RemoteInvitationState::Accepted => {
            inv.call = Some(Call::live());
            Some(Event::RemoteInvitationAccepted { id })
        }
        RemoteInvitationState::Refused => Some(Event::RemoteInvitationRefused { id }),
        RemoteInvitationState::Canceled(reason) => Some(Event::RemoteInvitationCanceled {
            id,
            reason: *reason,
        }),
        RemoteInvitationState::Failure(reason) => Some(Event::RemoteInvitationFailure {
            id,
            reason: *reason,
        }),
    };
    if let Some(event) = event {
        events.push_back(event);
    }
    if to.is_terminal() {
        inv.accept = Pending::No;
        inv.refuse = Pending::No;
        if inv.call.is_none() {
            inv.ended_at = Some(now);
        }
    }
    inv.state = to;
    Ok(())
}

fn allowed(from: &RemoteInvitationState, to: &RemoteInvitationState) -> bool {
    use RemoteInvitationState as S;
    let ringing = *from == S::InvitationReceived;
    let live = ringing || *from == S::AcceptSentToLocal;
    match to {
        S::InvitationReceived => false,
        S::AcceptSentToLocal => ringing,
        // From invitation_received too: under glare the server accepts on this device's behalf.
        S::Accepted | S::Canceled(_) | S::Failure(_) => live,
        S::Refused => ringing,
    }
}
