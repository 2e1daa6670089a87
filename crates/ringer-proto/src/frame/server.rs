//! Frames the server sends to a client.

use serde::{Deserialize, Serialize};

use crate::error_code::ErrorCode;
use crate::fields::{
    ChannelId, Content, DeviceId, DisplayName, InvitationId, Response, Token, Uid,
};
use crate::frame::client::ReqId;
use crate::vocab::{
    CallEndReason, CancelReason, Direction, FailureReason, Outcome, Presence, RefuseReason, Role,
    Status,
};

/// Milliseconds since the Unix epoch, as stamped by the server.
pub type UnixMillis = u64;

/// Everything the server may send. On the wire: a JSON object whose `type` is the variant's
/// snake_case name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Reply to `login` or `authenticate`: the connection is now a device of `uid`.
    Welcome(Box<Welcome>),
    /// Reply to a request that succeeded and returns nothing else.
    Ok {
        /// The request's id.
        req: ReqId,
    },
    /// Reply to a request that failed, or (without `req`) a refusal of a frame that carried no
    /// request id or could not be parsed far enough to find one.
    Error {
        /// The request's id, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        req: Option<ReqId>,
        /// What went wrong.
        code: ErrorCode,
        /// A readable explanation.
        message: String,
    },
    /// Reply to `renew_token`.
    TokenRenewed {
        /// The request's id.
        req: ReqId,
        /// The token's new expiry.
        expires_at: UnixMillis,
    },
    /// Heartbeat reply to `ping`.
    Pong {},
    /// An invitation for this device's uid (callee side); the device acknowledges with
    /// `received`.
    Invitation {
        /// The invitation as the server stamped it.
        invitation: InvitationInfo,
    },
    /// A callee device acknowledged receipt (caller side).
    ReceivedByPeer {
        /// The invitation.
        id: InvitationId,
    },
    /// The callee accepted (caller side); the caller's device confirms with `confirm`.
    Accepted {
        /// The invitation.
        id: InvitationId,
        /// The callee's response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
    },
    /// The invitation was refused: to the caller, and to the callee device that refused.
    Refused {
        /// The invitation.
        id: InvitationId,
        /// The callee's response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
        /// Why.
        reason: RefuseReason,
    },
    /// The invitation was canceled: to the callee devices (with the reason) and, after them, to
    /// the caller (reason `canceled`).
    Canceled {
        /// The invitation.
        id: InvitationId,
        /// Why.
        reason: CancelReason,
    },
    /// The invitation failed.
    Failed {
        /// The invitation.
        id: InvitationId,
        /// Why.
        reason: FailureReason,
    },
    /// The caller confirmed this device's accept (callee side): the call is live.
    AcceptConfirmed {
        /// The invitation.
        id: InvitationId,
    },
    /// A live call ended.
    CallEnded {
        /// The invitation that became the call.
        id: InvitationId,
        /// Why.
        reason: CallEndReason,
        /// Who hung up, for `hangup`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Uid>,
    },
    /// A subscribed uid's presence changed.
    Presence {
        /// Whose.
        uid: Uid,
        /// Now.
        presence: Presence,
    },
    /// This uid's status changed (sent to every device of the uid, including the one that set
    /// it, after its `ok`).
    StatusChanged {
        /// The status.
        status: Status,
        /// Whether call waiting is on.
        call_waiting: bool,
    },
    /// Reply to `query_presence` (and the first answer to `subscribe`).
    PresenceResult {
        /// The request's id.
        req: ReqId,
        /// One entry per uid asked for, in the order asked.
        entries: Vec<PresenceEntry>,
    },
    /// Reply to `history`.
    HistoryResult {
        /// The request's id.
        req: ReqId,
        /// Newest first.
        records: Vec<CallRecord>,
    },
    /// Reply to `directory`.
    DirectoryResult {
        /// The request's id.
        req: ReqId,
        /// Every enabled account, sorted by uid.
        users: Vec<DirectoryEntry>,
    },
}

/// The reply to a successful `login` or `authenticate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// The request's id.
    pub req: ReqId,
    /// Who this device is signed in as.
    pub uid: Uid,
    /// Their display name.
    pub display_name: DisplayName,
    /// This device.
    pub device_id: DeviceId,
    /// A new session token, after `login` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Token>,
    /// When the session token expires.
    pub token_expires_at: UnixMillis,
    /// Identifies this run of the server: a different value after a reconnect means the server
    /// restarted and forgot every live invitation.
    pub server_id: String,
    /// How often the client should send `ping` when otherwise idle.
    pub heartbeat_interval_ms: u64,
    /// The uid's status.
    pub status: Status,
    /// Whether the uid has call waiting on.
    pub call_waiting: bool,
    /// Every invitation and call this device is party to that is live or ended recently.
    pub snapshot: Vec<SnapshotEntry>,
}

/// An invitation as the server stamped it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    /// The invitation's id.
    pub id: InvitationId,
    /// The sending uid (stamped by the server).
    pub caller: Uid,
    /// The caller's display name.
    pub caller_name: DisplayName,
    /// The called uid.
    pub callee: Uid,
    /// Free-form content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// The channel the call will be carried on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<ChannelId>,
    /// When the server received it.
    pub sent_at: UnixMillis,
}

/// One invitation in a `welcome` snapshot, as this device should see it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotEntry {
    /// The invitation.
    pub invitation: InvitationInfo,
    /// This device's side of it.
    pub role: Role,
    /// Its state from this device's point of view.
    #[serde(flatten)]
    pub state: InvitationState,
}

/// The state of an invitation from one device's point of view, as carried in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InvitationState {
    /// Caller: sent, no callee device has acknowledged yet.
    Pending,
    /// Caller: a callee device acknowledged. Callee: ringing here.
    Ringing,
    /// The callee accepted and the caller has not confirmed yet. Caller: confirm it now.
    /// Callee: only the device that accepted sees this.
    Accepting {
        /// The callee's response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
    },
    /// The call is live (the device is the caller's, or the callee device that accepted).
    InCall {
        /// The callee's response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
    },
    /// Ended: refused.
    Refused {
        /// The callee's response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
        /// Why.
        reason: RefuseReason,
    },
    /// Ended: canceled.
    Canceled {
        /// Why.
        reason: CancelReason,
    },
    /// Ended: failed.
    Failed {
        /// Why.
        reason: FailureReason,
    },
    /// Ended: it was a call, and the call ended.
    CallEnded {
        /// The callee's response to the accept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
        /// Why.
        reason: CallEndReason,
        /// Who hung up, for `hangup`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Uid>,
    },
}

/// One uid's presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEntry {
    /// Whose.
    pub uid: Uid,
    /// Their presence (`offline` for a uid without an account, so that uids cannot be probed).
    pub presence: Presence,
}

/// One account in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The account's uid.
    pub uid: Uid,
    /// Its display name.
    pub display_name: DisplayName,
    /// Its presence.
    pub presence: Presence,
}

/// One call record of a uid's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The invitation.
    pub id: InvitationId,
    /// The other party.
    pub peer: Uid,
    /// Which way it went.
    pub direction: Direction,
    /// How it ended.
    pub outcome: Outcome,
    /// Why, for refused and failed (e.g. `busy`, `dnd`, `invitation_expire`) and for an answered
    /// call's end (`hangup`, `connection_lost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// True for an incoming invitation that stopped ringing unanswered (canceled, expired, dnd,
    /// caller lost), except when answered or declined on another device.
    pub missed: bool,
    /// When it was sent.
    pub started_at: UnixMillis,
    /// When it was accepted, for answered calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<UnixMillis>,
    /// When it (or its call) ended.
    pub ended_at: UnixMillis,
}
