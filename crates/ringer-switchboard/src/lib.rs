//! SKELETON — the public API the server shell codes against. The implementation replaces the
//! bodies; the signatures stay (extend, do not break, and tell the shell's author).
#![allow(missing_docs, unused_variables, clippy::missing_const_for_fn)]

use std::time::{Duration, Instant};

use ringer_proto::{
    CallRecord, ClientFrame, DeviceId, DisplayName, ErrorCode, Presence, ReqId, ServerFrame,
    Token, Uid, UnixMillis,
};

/// Identifies one connection in the shell; the switchboard never interprets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Every timer and limit of the switchboard (SPEC §3–8); all configurable.
#[derive(Debug, Clone)]
pub struct Config {
    pub offline_wait: Duration,
    pub ack_timeout: Duration,
    pub ring_timeout: Duration,
    pub accept_confirm_timeout: Duration,
    pub reconnect_grace: Duration,
    pub ended_retention: Duration,
    pub max_devices_per_uid: usize,
    pub heartbeat_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            offline_wait: Duration::from_secs(30),
            ack_timeout: Duration::from_secs(30),
            ring_timeout: Duration::from_secs(60),
            accept_confirm_timeout: Duration::from_secs(5),
            reconnect_grace: Duration::from_secs(30),
            ended_retention: Duration::from_secs(300),
            max_devices_per_uid: 5,
            heartbeat_interval: Duration::from_secs(10),
        }
    }
}

/// An account as the switchboard needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub uid: Uid,
    pub display_name: DisplayName,
    pub enabled: bool,
}

/// A connection the shell has authenticated (login or token).
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub req: ReqId,
    pub uid: Uid,
    pub device_id: DeviceId,
    /// The new token, after a password login.
    pub token: Option<Token>,
    pub token_expires_at: UnixMillis,
}

/// Why the switchboard would not admit an authenticated connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    #[error("the uid already has the maximum number of devices online")]
    TooManyDevices,
    #[error("no such account, or it is disabled")]
    UnknownAccount,
    #[error("the connection is already authenticated")]
    AlreadyAdmitted,
}

impl AdmitError {
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
    pub conn: ConnId,
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

/// The server's brain.
pub struct Switchboard {}

impl Switchboard {
    /// `epoch` and `epoch_unix_ms` are the same moment on the monotonic and wall clocks; wall
    /// times (`sent_at`, records) are derived from `now` through them.
    pub fn new(config: Config, server_id: String, epoch: Instant, epoch_unix_ms: UnixMillis) -> Self {
        unimplemented!()
    }
    /// Adds or updates an account; disabling one closes its devices (`poll_close`).
    pub fn set_account(&mut self, account: Account, now: Instant) {}
    pub fn remove_account(&mut self, uid: &Uid, now: Instant) {}
    /// Admits an authenticated connection as a device: queues `welcome` (with the snapshot) as
    /// its first transmit, then any invitation still ringing for its uid.
    pub fn handle_authenticated(&mut self, conn: ConnId, auth: Authenticated, now: Instant) -> Result<(), AdmitError> {
        unimplemented!()
    }
    /// A frame from an admitted connection. `login`, `authenticate`, `logout`, `renew_token` and
    /// `history` belong to the shell; if passed here they get `error unsupported`.
    pub fn handle_frame(&mut self, conn: ConnId, frame: ClientFrame, now: Instant) {}
    pub fn handle_disconnected(&mut self, conn: ConnId, now: Instant) {}
    pub fn handle_timeout(&mut self, now: Instant) {}
    /// Ends every live invitation and call with `server_restart` on every side, and asks to
    /// close every connection.
    pub fn shutdown(&mut self, now: Instant) {}
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        None
    }
    /// A finished call record for one uid, to persist.
    pub fn poll_record(&mut self) -> Option<(Uid, CallRecord)> {
        None
    }
    pub fn poll_close(&mut self) -> Option<(ConnId, CloseReason)> {
        None
    }
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }
    pub fn presence(&self, uid: &Uid) -> Presence {
        Presence::Offline
    }
    /// The uid an admitted connection belongs to.
    pub fn uid_of(&self, conn: ConnId) -> Option<&Uid> {
        None
    }
}
