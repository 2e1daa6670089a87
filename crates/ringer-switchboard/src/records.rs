//! Call records: one for the caller's uid (outgoing) and one for the callee's (incoming) when an
//! invitation ends unanswered or its call ends.
//!
//! # Missed calls
//!
//! An incoming record is `missed` when the invitation stopped ringing (or never rang) without
//! the callee's user answering or declining on any device:
//!
//! | end | missed |
//! |---|---|
//! | canceled by the caller | yes |
//! | `invitation_expire`, `peer_no_response`, `peer_offline` (callee never online, or caller lost) | yes |
//! | refused by the server: `dnd`, `busy` (callee in a call without call waiting) | yes |
//! | `server_restart` while unanswered | yes: it stopped ringing unanswered |
//! | refused by a callee device (any reason), on this or another device | no |
//! | accepted: the call ended, or the accept failed (`accept_failure`, `server_restart`) | no |
//! | `glare`: the two invitations became one call | no |
//! | `peer_unknown` | no incoming record at all: the callee has no account |
//!
//! The outgoing record is never missed. `reason` is the snake_case name of the refuse, failure
//! or call-end reason; a cancel has none.

use ringer_proto::{
    CallEndReason, CallRecord, Direction, FailureReason, Outcome, RefuseReason, Uid, UnixMillis,
};

use crate::clock::WallClock;
use crate::invitation::{End, Invitation};

/// The records an invitation that ended with `end` leaves, at wall time `ended_at`.
pub(crate) fn records_for(
    inv: &Invitation,
    end: &End,
    ended_at: UnixMillis,
    clock: &WallClock,
) -> Vec<(Uid, CallRecord)> {
    let (outcome, reason, missed, answered_at) = match end {
        End::Refused {
            reason, refuser, ..
        } => (
            Outcome::Refused,
            Some(refuse_name(*reason)),
            refuser.is_none(),
            None,
        ),
        End::Canceled => (Outcome::Canceled, None, true, None),
        End::Failed { reason } => (
            Outcome::Failed,
            Some(failure_name(*reason)),
            failure_is_missed(*reason),
            None,
        ),
        End::Unconfirmed {
            acceptor_reason, ..
        } => (
            Outcome::Failed,
            Some(failure_name(*acceptor_reason)),
            false,
            None,
        ),
        End::CallEnded { answer, reason, .. } => (
            Outcome::Answered,
            Some(call_end_name(*reason)),
            false,
            Some(clock.at(answer.at)),
        ),
    };
    let record = |peer: &Uid, direction, missed| CallRecord {
        id: inv.info.id.clone(),
        peer: peer.clone(),
        direction,
        outcome,
        reason: reason.map(str::to_owned),
        missed,
        started_at: inv.info.sent_at,
        answered_at,
        ended_at,
    };
    let mut records = vec![(
        inv.info.caller.clone(),
        record(&inv.info.callee, Direction::Outgoing, false),
    )];
    let callee_unknown = matches!(
        end,
        End::Failed {
            reason: FailureReason::PeerUnknown
        }
    );
    if !callee_unknown {
        records.push((
            inv.info.callee.clone(),
            record(&inv.info.caller, Direction::Incoming, missed),
        ));
    }
    records
}

fn failure_is_missed(reason: FailureReason) -> bool {
    match reason {
        FailureReason::PeerOffline
        | FailureReason::PeerNoResponse
        | FailureReason::InvitationExpire
        | FailureReason::ServerRestart => true,
        FailureReason::PeerUnknown
        | FailureReason::NotLoggedIn
        | FailureReason::AcceptFailure
        | FailureReason::Glare => false,
    }
}

/// The wire name of a refuse reason.
pub(crate) fn refuse_name(reason: RefuseReason) -> &'static str {
    match reason {
        RefuseReason::Declined => "declined",
        RefuseReason::Busy => "busy",
        RefuseReason::Dnd => "dnd",
    }
}

/// The wire name of a failure reason.
pub(crate) fn failure_name(reason: FailureReason) -> &'static str {
    match reason {
        FailureReason::PeerOffline => "peer_offline",
        FailureReason::PeerNoResponse => "peer_no_response",
        FailureReason::InvitationExpire => "invitation_expire",
        FailureReason::PeerUnknown => "peer_unknown",
        FailureReason::NotLoggedIn => "not_logged_in",
        FailureReason::AcceptFailure => "accept_failure",
        FailureReason::Glare => "glare",
        FailureReason::ServerRestart => "server_restart",
    }
}

/// The wire name of a call-end reason.
pub(crate) fn call_end_name(reason: CallEndReason) -> &'static str {
    match reason {
        CallEndReason::Hangup => "hangup",
        CallEndReason::ConnectionLost => "connection_lost",
        CallEndReason::ServerRestart => "server_restart",
    }
}
