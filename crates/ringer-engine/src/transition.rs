//! What every per-invitation transition function returns when a move is not allowed.

use ringer_proto::InvitationId;

/// A transition the state machine does not allow: a late, duplicate or contradicting input. The
/// engine logs it and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal transition of {id}: {from} -> {to}")]
pub(crate) struct IllegalTransition {
    pub id: InvitationId,
    pub from: &'static str,
    pub to: &'static str,
}
