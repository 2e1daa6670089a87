//! What an engine is built from: its configuration, its credentials, and what `send` needs.

use std::time::Duration;

use ringer_proto::{ChannelId, ClientName, Content, DeviceId, InvitationId, Password, Token, Uid};

/// How one engine identifies itself and times its connection.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The uid this device signs in as.
    pub uid: Uid,
    /// This installation's stable device id.
    pub device_id: DeviceId,
    /// The client software, for the server's logs.
    pub client: Option<ClientName>,
    /// How often to ping when idle (the server's `heartbeat_interval_ms` overrides it).
    pub heartbeat_interval: Duration,
    /// Silence from the server longer than this means the connection is dead. The engine never
    /// waits less than twice the heartbeat interval, so a slow server cannot trip it.
    pub heartbeat_timeout: Duration,
    /// How long to wait for `welcome` after connecting.
    pub login_timeout: Duration,
}

impl EngineConfig {
    /// A configuration with the default timers: ping every 10 s, dead after 30 s of silence
    /// (SPEC §8), `welcome` expected within 10 s.
    pub fn new(uid: Uid, device_id: DeviceId) -> Self {
        EngineConfig {
            uid,
            device_id,
            client: None,
            heartbeat_interval: Duration::from_secs(10),
            heartbeat_timeout: Duration::from_secs(30),
            login_timeout: Duration::from_secs(10),
        }
    }
}

/// How the engine authenticates each new connection. Its `Debug` form never shows the secret.
#[derive(Clone)]
pub enum Credentials {
    /// Sends `login`; the `welcome` carries a session token, which the engine then uses for every
    /// later connection (and reports in [`crate::Event::LoggedIn`] so the driver can store it).
    Password(Password),
    /// Sends `authenticate` with a session token from an earlier login.
    Token(Token),
}

/// What `send` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The invitation's id, chosen by the caller (a UUID v4 is the intended form).
    pub id: InvitationId,
    /// Who to call.
    pub callee: Uid,
    /// Free-form content shown to the callee.
    pub content: Option<Content>,
    /// The channel the call will be carried on.
    pub channel_id: Option<ChannelId>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password(_) => f.write_str("Password(<redacted>)"),
            Credentials::Token(_) => f.write_str("Token(<redacted>)"),
        }
    }
}
