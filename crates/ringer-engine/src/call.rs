//! A live call: what an accepted invitation becomes, on either side (SPEC §6).

use std::collections::VecDeque;

use ringer_proto::{CallEndReason, InvitationId, Uid};

use crate::event::Event;
use crate::requests::Pending;
use crate::transition::IllegalTransition;

/// The call an accepted invitation became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    /// Both sides are in the call.
    Live,
    /// The call is over; nothing leaves this state.
    Ended {
        /// Why.
        reason: CallEndReason,
        /// Who hung up, for `hangup`.
        by: Option<Uid>,
    },
}

/// A call and the user's hang-up request on it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub state: CallState,
    pub hang_up: Pending,
}

impl Call {
    pub fn live() -> Self {
        Call {
            state: CallState::Live,
            hang_up: Pending::No,
        }
    }

    pub fn is_live(&self) -> bool {
        match self.state {
            CallState::Live => true,
            CallState::Ended { .. } => false,
        }
    }
}

/// The one place a call ends: checks it is live, logs, queues `call_ended`.
pub(crate) fn end(
    id: &InvitationId,
    call: &mut Call,
    reason: CallEndReason,
    by: Option<Uid>,
    events: &mut VecDeque<Event>,
) -> Result<(), IllegalTransition> {
    if !call.is_live() {
        return Err(IllegalTransition {
            id: id.clone(),
            from: "call_ended",
            to: "call_ended",
        });
    }
    tracing::debug!(%id, ?reason, "call live -> ended");
    call.state = CallState::Ended {
        reason,
        by: by.clone(),
    };
    call.hang_up = Pending::No;
    events.push_back(Event::CallEnded {
        id: id.clone(),
        reason,
        by,
    });
    Ok(())
}
