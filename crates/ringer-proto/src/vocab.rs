//! The protocol's closed vocabularies: reasons, presence, status, roles. Each serialises as the
//! snake_case name SPEC.md uses.

use serde::{Deserialize, Serialize};

/// Why an invitation was refused (caller's `local_invitation_refused`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefuseReason {
    /// The callee's user declined.
    Declined,
    /// The callee is in a live call and call waiting is off, or the user said busy.
    Busy,
    /// The callee's status is do-not-disturb; the server refused without ringing.
    Dnd,
}

/// Why a callee's invitation was canceled (callee's `remote_invitation_canceled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The caller canceled.
    Canceled,
    /// Another device of the callee's uid accepted.
    AnsweredElsewhere,
    /// Another device of the callee's uid refused.
    DeclinedElsewhere,
}

/// Why an invitation failed, on either side (`*_invitation_failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The callee had no online device for `offline_wait`, or the caller went offline for
    /// longer than the grace period while it rang.
    PeerOffline,
    /// The callee's online devices did not acknowledge receipt within `ack_timeout`.
    PeerNoResponse,
    /// Nobody accepted, refused or canceled within `ring_timeout`.
    InvitationExpire,
    /// The callee uid has no account, or it is disabled.
    PeerUnknown,
    /// The invitation was sent while not logged in.
    NotLoggedIn,
    /// The callee accepted but the caller's device did not confirm within
    /// `accept_confirm_timeout`.
    AcceptFailure,
    /// Both parties invited each other; this, the later invitation, gave way to the earlier.
    Glare,
    /// The server stopped or restarted while the invitation was live.
    ServerRestart,
}

/// Why a live call ended (`call_ended`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEndReason {
    /// A party hung up; `by` says who.
    Hangup,
    /// A party was lost for longer than the grace period, or the accept was never confirmed.
    ConnectionLost,
    /// The server stopped or restarted during the call.
    ServerRestart,
}

/// A uid's presence, aggregated over its devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// At least one device is online and the status is available.
    Online,
    /// No device is online.
    Offline,
    /// Online with status do-not-disturb.
    Dnd,
    /// Online and in a live call.
    InCall,
}

/// The status a user sets for themself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Invitations ring.
    #[default]
    Available,
    /// Invitations are refused with `dnd` without ringing and recorded as missed.
    Dnd,
}

/// Which side of an invitation a device is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The device sent the invitation.
    Caller,
    /// The invitation was sent to the device's uid.
    Callee,
}

/// Which way a call went, from the point of view of the uid whose history it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// This uid called the peer.
    Outgoing,
    /// The peer called this uid.
    Incoming,
}

/// How an invitation ended, as a call record tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted: it became a call.
    Answered,
    /// Refused (reason in the record).
    Refused,
    /// Canceled by the caller.
    Canceled,
    /// Failed (reason in the record).
    Failed,
}
