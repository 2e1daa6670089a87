//! The types the shell hands in and takes out: connections, accounts, admissions, transmits.

use ringer_proto::{DeviceId, DisplayName, ErrorCode, ReqId, ServerFrame, Token, Uid, UnixMillis};

/// Identifies one connection in the shell; the switchboard never interprets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// An account as the switchboard needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's uid.
    pub uid: Uid,
    /// The name shown to the people it calls and in the directory.
    pub display_name: DisplayName,
    /// A disabled account cannot be admitted, called or listed.
    pub enabled: bool,
}

/// A connection the shell has authenticated (login or token).
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The id of the `login` or `authenticate` request, echoed in `welcome`.
    pub req: ReqId,
    /// Who authenticated.
    pub uid: Uid,
    /// The installation's stable device id.
    pub device_id: DeviceId,
    /// The new token, after a password login.
    pub token: Option<Token>,
    /// When the session token expires.
    pub token_expires_at: UnixMillis,
}

/// Why the switchboard would not admit an authenticated connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// The uid already has `max_devices_per_uid` other devices, connected or within grace.
    #[error("the uid already has the maximum number of devices online")]
    TooManyDevices,
    /// The account does not exist or is disabled.
    #[error("no such account, or it is disabled")]
    UnknownAccount,
    /// This connection was admitted before.
    #[error("the connection is already authenticated")]
    AlreadyAdmitted,
}

impl AdmitError {
    /// The error code the shell replies with.
    pub fn code(&self) -> ErrorCode {
        match self {
            AdmitError::TooManyDevices => ErrorCode::TooManyDevices,
            AdmitError::UnknownAccount => ErrorCode::AccountDisabled,
            AdmitError::AlreadyAdmitted => ErrorCode::AlreadyLoggedIn,
        }
    }
}

/// A frame to send on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub conn: ConnId,
    /// What to send.
    pub frame: ServerFrame,
}

/// Why the switchboard wants a connection closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The account was disabled or removed.
    Banned,
    /// The same device id connected again; this older connection is replaced.
    Replaced,
    /// The server is shutting down.
    Shutdown,
}
