//! SKELETON — the public API the client driver codes against. The implementation replaces the
//! bodies; the signatures stay (extend, do not break, and tell the driver's author).
#![allow(missing_docs, unused_variables)]

use std::time::{Duration, Instant};

use ringer_proto::{
    CallEndReason, CancelReason, ChannelId, ClientFrame, ClientName, Content, DeviceId,
    DirectoryEntry, DisplayName, ErrorCode, FailureReason, InvitationId, InvitationInfo, Password,
    Presence, PresenceEntry, RefuseReason, ReqId, Response, Status, Token, Uid, UnixMillis,
    CallRecord,
};

/// Agora's connection states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState { Disconnected, Connecting, Connected, Reconnecting, Aborted }

/// Why the connection state changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionChangeReason {
    Login, LoginSuccess, LoginFailure, LoginTimeout, Interrupted, Logout, BannedByServer,
    TokenExpired, TokenRevoked, RemoteLogin,
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub uid: Uid,
    pub device_id: DeviceId,
    pub client: Option<ClientName>,
    /// How often to ping when idle (the server's `heartbeat_interval_ms` overrides it).
    pub heartbeat_interval: Duration,
    /// Silence from the server longer than this means the connection is dead.
    pub heartbeat_timeout: Duration,
    /// How long to wait for `welcome` after connecting.
    pub login_timeout: Duration,
}

#[derive(Debug, Clone)]
pub enum Credentials { Password(Password), Token(Token) }

/// What `send` needs.
#[derive(Debug, Clone)]
pub struct Invite {
    pub id: InvitationId,
    pub callee: Uid,
    pub content: Option<Content>,
    pub channel_id: Option<ChannelId>,
}

/// Errors returned by API calls (state unchanged), SPEC §3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("the invitation was not sent yet")]
    NotStarted,
    #[error("the invitation has already ended")]
    AlreadyEnd,
    #[error("the invitation was already accepted")]
    AlreadyAccept,
    #[error("an invitation with this id was already sent")]
    AlreadySent,
    #[error("not logged in")]
    NotLoggedIn,
}

/// Replies to requests, keyed by the request id the API call returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Ok,
    Presence(Vec<PresenceEntry>),
    History(Vec<CallRecord>),
    Directory(Vec<DirectoryEntry>),
    TokenRenewed { expires_at: UnixMillis },
}

/// Everything the engine tells its user; names follow SPEC.md (Agora's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    LocalInvitationReceivedByPeer { id: InvitationId },
    LocalInvitationAccepted { id: InvitationId, response: Option<Response> },
    LocalInvitationRefused { id: InvitationId, response: Option<Response>, reason: RefuseReason },
    LocalInvitationCanceled { id: InvitationId },
    LocalInvitationFailure { id: InvitationId, reason: FailureReason },
    RemoteInvitationReceived { invitation: InvitationInfo },
    RemoteInvitationAccepted { id: InvitationId },
    RemoteInvitationRefused { id: InvitationId },
    RemoteInvitationCanceled { id: InvitationId, reason: CancelReason },
    RemoteInvitationFailure { id: InvitationId, reason: FailureReason },
    CallEnded { id: InvitationId, reason: CallEndReason, by: Option<Uid> },
    ConnectionStateChanged { state: ConnectionState, reason: ConnectionChangeReason },
    LoggedIn { uid: Uid, display_name: DisplayName, token: Option<Token>, token_expires_at: UnixMillis, status: Status, call_waiting: bool },
    PresenceChanged { uid: Uid, presence: Presence },
    StatusChanged { status: Status, call_waiting: bool },
    Reply { req: ReqId, reply: Reply },
    RequestFailed { req: ReqId, code: ErrorCode, message: String },
}

/// What the driver must do on the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit { Frame(ClientFrame), Disconnect }

pub struct Engine {}

impl Engine {
    pub fn new(config: EngineConfig, credentials: Credentials) -> Self { unimplemented!() }
    pub fn set_credentials(&mut self, credentials: Credentials) {}
    /// The driver starts dialing.
    pub fn handle_connecting(&mut self, now: Instant) {}
    /// The socket is open: queues `login` / `authenticate`.
    pub fn handle_connected(&mut self, now: Instant) {}
    pub fn handle_disconnected(&mut self, now: Instant) {}
    pub fn handle_frame(&mut self, frame: ringer_proto::ServerFrame, now: Instant) {}
    pub fn handle_timeout(&mut self, now: Instant) {}
    pub fn send(&mut self, invite: Invite, now: Instant) -> Result<(), ApiError> { unimplemented!() }
    pub fn cancel(&mut self, id: &InvitationId, now: Instant) -> Result<(), ApiError> { unimplemented!() }
    pub fn accept(&mut self, id: &InvitationId, response: Option<Response>, now: Instant) -> Result<(), ApiError> { unimplemented!() }
    pub fn refuse(&mut self, id: &InvitationId, response: Option<Response>, reason: Option<RefuseReason>, now: Instant) -> Result<(), ApiError> { unimplemented!() }
    pub fn hang_up(&mut self, id: &InvitationId, now: Instant) -> Result<(), ApiError> { unimplemented!() }
    pub fn set_status(&mut self, status: Status, call_waiting: Option<bool>, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn query_presence(&mut self, uids: Vec<Uid>, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn subscribe(&mut self, uids: Vec<Uid>, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn unsubscribe(&mut self, uids: Vec<Uid>, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn history(&mut self, limit: Option<u32>, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn directory(&mut self, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn renew_token(&mut self, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    /// Revokes the token; after the server's `ok` the state becomes disconnected/logout.
    pub fn logout(&mut self, now: Instant) -> Result<ReqId, ApiError> { unimplemented!() }
    pub fn connection_state(&self) -> ConnectionState { ConnectionState::Disconnected }
    pub fn poll_transmit(&mut self) -> Option<Transmit> { None }
    pub fn poll_event(&mut self) -> Option<Event> { None }
    pub fn poll_timeout(&self) -> Option<Instant> { None }
}

/// Jittered exponential reconnect backoff (0.5 s doubling to 30 s), seeded.
pub struct Backoff {}
impl Backoff {
    pub fn new(seed: u64) -> Self { Backoff {} }
    pub fn next_delay(&mut self) -> Duration { Duration::from_millis(500) }
    pub fn reset(&mut self) {}
}
