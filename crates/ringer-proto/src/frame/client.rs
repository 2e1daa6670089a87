//! Frames a client sends to the server.

use serde::{Deserialize, Serialize};

use crate::fields::{
    ChannelId, ClientName, Content, DeviceId, InvitationId, Password, Response, Token, Uid,
};
use crate::vocab::{RefuseReason, Status};

/// A request id chosen by the client; the server echoes it in the reply (`ok`, `error` or a
/// typed result) so the client can match them.
pub type ReqId = u64;

/// Everything a client may send. On the wire: a JSON object whose `type` is the variant's
/// snake_case name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Authenticates the connection with uid and password; the reply `welcome` carries a new
    /// session token.
    Login {
        /// Request id.
        req: ReqId,
        /// Protocol version the client speaks; must be 1.
        protocol: u32,
        /// Who is signing in.
        uid: Uid,
        /// Their password.
        password: Password,
        /// This installation's stable device id.
        device_id: DeviceId,
        /// The client software, for logs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<ClientName>,
    },
    /// Authenticates the connection with a session token from an earlier `login`.
    Authenticate {
        /// Request id.
        req: ReqId,
        /// Protocol version the client speaks; must be 1.
        protocol: u32,
        /// Whose token it is.
        uid: Uid,
        /// The session token.
        token: Token,
        /// This installation's stable device id.
        device_id: DeviceId,
        /// The client software, for logs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<ClientName>,
    },
    /// Revokes this connection's session token; the server replies `ok` and closes.
    Logout {
        /// Request id.
        req: ReqId,
    },
    /// Extends this connection's session token by the server's token lifetime from now.
    RenewToken {
        /// Request id.
        req: ReqId,
    },
    /// Sends an invitation (caller's `send`).
    Invite {
        /// Request id.
        req: ReqId,
        /// The new invitation's id.
        id: InvitationId,
        /// Who to call.
        callee: Uid,
        /// Free-form content shown to the callee.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<Content>,
        /// The channel the call will be carried on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel_id: Option<ChannelId>,
    },
    /// Acknowledges receipt of an `invitation` (sent automatically by the callee's device).
    Received {
        /// The invitation.
        id: InvitationId,
    },
    /// Cancels an invitation this device sent.
    Cancel {
        /// Request id.
        req: ReqId,
        /// The invitation.
        id: InvitationId,
    },
    /// Accepts an invitation sent to this device's uid.
    Accept {
        /// Request id.
        req: ReqId,
        /// The invitation.
        id: InvitationId,
        /// Free-form response for the caller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
    },
    /// Refuses an invitation sent to this device's uid.
    Refuse {
        /// Request id.
        req: ReqId,
        /// The invitation.
        id: InvitationId,
        /// Free-form response for the caller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<Response>,
        /// Why; `declined` when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<RefuseReason>,
    },
    /// Confirms the callee's accept (sent automatically by the caller's device on `accepted`).
    Confirm {
        /// The invitation.
        id: InvitationId,
    },
    /// Ends a live call this device is in.
    HangUp {
        /// Request id.
        req: ReqId,
        /// The invitation that became the call.
        id: InvitationId,
    },
    /// Sets this uid's status and call-waiting preference (applies to all its devices).
    SetStatus {
        /// Request id.
        req: ReqId,
        /// Available or do-not-disturb.
        status: Status,
        /// Whether invitations ring while in a call (instead of being refused as busy).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_waiting: Option<bool>,
    },
    /// Asks for the presence of up to 256 uids.
    QueryPresence {
        /// Request id.
        req: ReqId,
        /// Whose presence.
        uids: Vec<Uid>,
    },
    /// Subscribes to presence changes of uids (at most 512 in all per device).
    Subscribe {
        /// Request id.
        req: ReqId,
        /// Whose presence.
        uids: Vec<Uid>,
    },
    /// Ends presence subscriptions.
    Unsubscribe {
        /// Request id.
        req: ReqId,
        /// Whose presence.
        uids: Vec<Uid>,
    },
    /// Asks for this uid's call records, newest first.
    History {
        /// Request id.
        req: ReqId,
        /// At most this many records (default 100, at most 500).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// Asks for the team's directory: every enabled account with its presence.
    Directory {
        /// Request id.
        req: ReqId,
    },
    /// Heartbeat; the server answers `pong`.
    Ping {},
}

impl ClientFrame {
    /// The request id, for frames that carry one.
    pub fn req(&self) -> Option<ReqId> {
        match self {
            ClientFrame::Login { req, .. }
            | ClientFrame::Authenticate { req, .. }
            | ClientFrame::Logout { req }
            | ClientFrame::RenewToken { req }
            | ClientFrame::Invite { req, .. }
            | ClientFrame::Cancel { req, .. }
            | ClientFrame::Accept { req, .. }
            | ClientFrame::Refuse { req, .. }
            | ClientFrame::HangUp { req, .. }
            | ClientFrame::SetStatus { req, .. }
            | ClientFrame::QueryPresence { req, .. }
            | ClientFrame::Subscribe { req, .. }
            | ClientFrame::Unsubscribe { req, .. }
            | ClientFrame::History { req, .. }
            | ClientFrame::Directory { req } => Some(*req),
            ClientFrame::Received { .. } | ClientFrame::Confirm { .. } | ClientFrame::Ping {} => {
                None
            }
        }
    }

    /// The frame's wire `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientFrame::Login { .. } => "login",
            ClientFrame::Authenticate { .. } => "authenticate",
            ClientFrame::Logout { .. } => "logout",
            ClientFrame::RenewToken { .. } => "renew_token",
            ClientFrame::Invite { .. } => "invite",
            ClientFrame::Received { .. } => "received",
            ClientFrame::Cancel { .. } => "cancel",
            ClientFrame::Accept { .. } => "accept",
            ClientFrame::Refuse { .. } => "refuse",
            ClientFrame::Confirm { .. } => "confirm",
            ClientFrame::HangUp { .. } => "hang_up",
            ClientFrame::SetStatus { .. } => "set_status",
            ClientFrame::QueryPresence { .. } => "query_presence",
            ClientFrame::Subscribe { .. } => "subscribe",
            ClientFrame::Unsubscribe { .. } => "unsubscribe",
            ClientFrame::History { .. } => "history",
            ClientFrame::Directory { .. } => "directory",
            ClientFrame::Ping {} => "ping",
        }
    }
}

/// Every client frame type, for telling an unknown type (`unsupported`) from a known one with bad
/// fields (`invalid_argument`).
pub const CLIENT_FRAME_TYPES: &[&str] = &[
    "login",
    "authenticate",
    "logout",
    "renew_token",
    "invite",
    "received",
    "cancel",
    "accept",
    "refuse",
    "confirm",
    "hang_up",
    "set_status",
    "query_presence",
    "subscribe",
    "unsubscribe",
    "history",
    "directory",
    "ping",
];

impl std::fmt::Debug for ClientFrame {
    /// Like the derived form, but never prints a password or token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientFrame::Login {
                req,
                uid,
                device_id,
                ..
            } => f
                .debug_struct("Login")
                .field("req", req)
                .field("uid", uid)
                .field("device_id", device_id)
                .finish_non_exhaustive(),
            ClientFrame::Authenticate {
                req,
                uid,
                device_id,
                ..
            } => f
                .debug_struct("Authenticate")
                .field("req", req)
                .field("uid", uid)
                .field("device_id", device_id)
                .finish_non_exhaustive(),
            ClientFrame::Logout { .. }
            | ClientFrame::RenewToken { .. }
            | ClientFrame::Invite { .. }
            | ClientFrame::Received { .. }
            | ClientFrame::Cancel { .. }
            | ClientFrame::Accept { .. }
            | ClientFrame::Refuse { .. }
            | ClientFrame::Confirm { .. }
            | ClientFrame::HangUp { .. }
            | ClientFrame::SetStatus { .. }
            | ClientFrame::QueryPresence { .. }
            | ClientFrame::Subscribe { .. }
            | ClientFrame::Unsubscribe { .. }
            | ClientFrame::History { .. }
            | ClientFrame::Directory { .. }
            | ClientFrame::Ping {} => {
                let json = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
                f.write_str(&json)
            }
        }
    }
}
