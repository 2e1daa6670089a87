//! What the driver needs to know to sign in and stay connected.

use std::fmt;
use std::time::Duration;

use ringer_engine::Credentials;
use ringer_proto::{ClientName, DeviceId, Uid};

/// Everything [`crate::Client::spawn`] needs. [`ClientConfig::new`] fills in sensible defaults
/// for the timing and capacity fields.
#[derive(Clone)]
pub struct ClientConfig {
    /// `ws://host:port[/path]` or `wss://host:port[/path]`.
    pub server_url: String,
    /// Who signs in.
    pub uid: Uid,
    /// This installation's stable device id.
    pub device_id: DeviceId,
    /// A password (for a first login) or a session token from an earlier one.
    pub credentials: Credentials,
    /// The client software, for the server's logs.
    pub client_name: Option<ClientName>,
    /// Which certificate authorities a `wss://` server may be signed by.
    pub tls: TlsConfig,
    /// How long one dial (TCP, TLS and WebSocket handshake) may take.
    pub connect_timeout: Duration,
    /// How long to wait for the server's `welcome` after the socket opened.
    pub login_timeout: Duration,
    /// How often to ping an otherwise idle server (the server's own value overrides it).
    pub heartbeat_interval: Duration,
    /// Silence from the server longer than this means the connection is dead.
    pub heartbeat_timeout: Duration,
    /// How long a [`crate::Client`] request waits for its reply.
    pub request_timeout: Duration,
    /// How many events the stream buffers before the driver waits for the reader.
    pub event_capacity: usize,
    /// How many commands may wait for the driver.
    pub command_capacity: usize,
    /// Seed for the reconnect backoff's jitter; random when `None`.
    pub backoff_seed: Option<u64>,
}

impl ClientConfig {
    /// A configuration with default timing: 10 s to dial and to log in, a ping every 15 s
    /// unless the server says otherwise, 30 s of silence before a connection counts as dead, and
    /// 15 s for a request's reply.
    pub fn new(
        server_url: impl Into<String>,
        uid: Uid,
        device_id: DeviceId,
        credentials: Credentials,
    ) -> Self {
        ClientConfig {
            server_url: server_url.into(),
            uid,
            device_id,
            credentials,
            client_name: None,
            tls: TlsConfig::default(),
            connect_timeout: Duration::from_secs(10),
            login_timeout: Duration::from_secs(10),
            heartbeat_interval: Duration::from_secs(15),
            heartbeat_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(15),
            event_capacity: 1024,
            command_capacity: 64,
            backoff_seed: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    /// Never prints the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("server_url", &self.server_url)
            .field("uid", &self.uid)
            .field("device_id", &self.device_id)
            .field("client_name", &self.client_name)
            .field("tls", &self.tls)
            .field("connect_timeout", &self.connect_timeout)
            .field("login_timeout", &self.login_timeout)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .field("heartbeat_timeout", &self.heartbeat_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// Which certificate authorities a `wss://` server may be signed by.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// Trust the operating system's root certificates (default: true).
    pub native_roots: bool,
    /// Also trust the certificates in this PEM text, e.g. a self-signed development server's.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            native_roots: true,
            extra_ca_pem: None,
        }
    }
}
