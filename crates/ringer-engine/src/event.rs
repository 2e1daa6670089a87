//! The engine's outputs: events for the user and transmits for the socket.

use ringer_proto::{
    CallEndReason, CallRecord, CancelReason, ClientFrame, DirectoryEntry, DisplayName, ErrorCode,
    FailureReason, InvitationId, InvitationInfo, Presence, PresenceEntry, RefuseReason, ReqId,
    Response, Status, Token, Uid, UnixMillis,
};

use crate::connection::{ConnectionChangeReason, ConnectionState};

/// Replies to requests, keyed by the request id the API call returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The request succeeded and returns nothing else.
    Ok,
    /// Answer to `query_presence` or `subscribe`.
    Presence(Vec<PresenceEntry>),
    /// Answer to `history`, newest first.
    History(Vec<CallRecord>),
    /// Answer to `directory`.
    Directory(Vec<DirectoryEntry>),
    /// Answer to `renew_token`.
    TokenRenewed {
        /// The token's new expiry.
        expires_at: UnixMillis,
    },
}

/// A server's `error` answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The server's error code.
    pub code: ErrorCode,
    /// The server's explanation.
    pub message: String,
}

/// Everything the engine tells its user; names follow SPEC.md (Agora's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Caller: a callee device acknowledged receipt.
    LocalInvitationReceivedByPeer {
        /// The invitation.
        id: InvitationId,
    },
    /// Caller: the callee accepted; the engine has confirmed and the call is live.
    LocalInvitationAccepted {
        /// The invitation.
        id: InvitationId,
        /// The callee's response.
        response: Option<Response>,
    },
    /// Caller: the callee refused.
    LocalInvitationRefused {
        /// The invitation.
        id: InvitationId,
        /// The callee's response.
        response: Option<Response>,
        /// Why.
        reason: RefuseReason,
    },
    /// Caller: the server confirmed this device's cancel.
    LocalInvitationCanceled {
        /// The invitation.
        id: InvitationId,
    },
    /// Caller: the invitation failed.
    LocalInvitationFailure {
        /// The invitation.
        id: InvitationId,
        /// Why, in the wire's vocabulary.
        reason: FailureReason,
        /// The server's `error` answer when it refused the `invite` itself rather than fail
        /// the invitation with a reason: then `reason` is only `not_logged_in` (for that code)
        /// or `peer_unknown` (any other), and this says what really happened. `None` otherwise.
        error: Option<ServerError>,
    },
    /// Callee: an invitation arrived (its receipt is already acknowledged).
    RemoteInvitationReceived {
        /// The invitation as the server stamped it.
        invitation: InvitationInfo,
    },
    /// Callee: the caller's device confirmed the accept; the call is live.
    RemoteInvitationAccepted {
        /// The invitation.
        id: InvitationId,
    },
    /// Callee: the server confirmed this device's refusal.
    RemoteInvitationRefused {
        /// The invitation.
        id: InvitationId,
    },
    /// Callee: the caller canceled, or another device of this uid answered or declined.
    RemoteInvitationCanceled {
        /// The invitation.
        id: InvitationId,
        /// Why.
        reason: CancelReason,
    },
    /// Callee: the invitation failed.
    RemoteInvitationFailure {
        /// The invitation.
        id: InvitationId,
        /// Why.
        reason: FailureReason,
    },
    /// A live call ended (either side).
    CallEnded {
        /// The invitation that became the call.
        id: InvitationId,
        /// Why.
        reason: CallEndReason,
        /// Who hung up, for `hangup`.
        by: Option<Uid>,
    },
    /// The connection state changed, or stayed and gained a new reason.
    ConnectionStateChanged {
        /// The new state.
        state: ConnectionState,
        /// Why.
        reason: ConnectionChangeReason,
    },
    /// The server welcomed this device.
    LoggedIn {
        /// Who this device is signed in as.
        uid: Uid,
        /// Their display name.
        display_name: DisplayName,
        /// A new session token, after a password login only: store it.
        token: Option<Token>,
        /// When the session token expires.
        token_expires_at: UnixMillis,
        /// The uid's status.
        status: Status,
        /// Whether the uid has call waiting on.
        call_waiting: bool,
    },
    /// A subscribed uid's presence changed.
    PresenceChanged {
        /// Whose.
        uid: Uid,
        /// Now.
        presence: Presence,
    },
    /// This uid's status changed (from any of its devices).
    StatusChanged {
        /// The status.
        status: Status,
        /// Whether call waiting is on.
        call_waiting: bool,
    },
    /// A request returned by an API call succeeded.
    Reply {
        /// The request id the API call returned.
        req: ReqId,
        /// The answer.
        reply: Reply,
    },
    /// A request failed: the server refused it, or the connection was lost before it answered
    /// (`not_logged_in`). Also reported for invitation actions, whose request ids the API does
    /// not return, except a refused `invite`, whose [`Event::LocalInvitationFailure`] carries
    /// the error instead; see the crate docs.
    RequestFailed {
        /// The request id.
        req: ReqId,
        /// What went wrong.
        code: ErrorCode,
        /// A readable explanation.
        message: String,
    },
}

/// What the driver must do on the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Send this frame.
    Frame(ClientFrame),
    /// Close the socket: the engine decided it is dead or no longer wanted. The driver then
    /// calls `handle_disconnected` and, if `should_reconnect`, dials again after a backoff.
    Disconnect,
}
