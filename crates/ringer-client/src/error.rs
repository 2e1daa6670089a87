//! The one error type of the client driver.

use std::io;
use std::sync::Arc;

use ringer_engine::{ApiError, ConnectionChangeReason};
use ringer_proto::ErrorCode;

/// Why a [`crate::Client`] call, or the connection, failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The engine refused the call; nothing changed (SPEC §3's API errors).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The server refused the request.
    #[error("server refused the request: {code}: {message}")]
    Server {
        /// The server's error code.
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// No connection could be opened to the server (refused, unresolvable, timed out…).
    #[error("server unreachable: {url}: {source}")]
    Unreachable {
        /// The URL dialed.
        url: String,
        /// What the operating system said.
        source: Arc<io::Error>,
    },
    /// The server was reached but the TLS handshake failed (e.g. an untrusted certificate).
    #[error("tls handshake with {url} failed: {message}")]
    Tls {
        /// The URL dialed.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server was reached but did not speak WebSocket as expected.
    #[error("websocket handshake with {url} failed: {message}")]
    Handshake {
        /// The URL dialed.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The uid or password is wrong.
    #[error("bad credentials")]
    BadCredentials,
    /// The session token has expired; log in again with the password.
    #[error("token expired")]
    TokenExpired,
    /// The session token was revoked or never existed; log in again with the password.
    #[error("token revoked")]
    TokenRevoked,
    /// The account is disabled.
    #[error("account disabled")]
    AccountDisabled,
    /// The engine stopped connecting for another reason.
    #[error("connection aborted: {reason:?}")]
    Aborted {
        /// The engine's reason.
        reason: ConnectionChangeReason,
    },
    /// The server accepted the connection but did not answer the login in time.
    #[error("the server did not answer the login in time")]
    LoginTimeout,
    /// The server answered a request with a reply of the wrong kind.
    #[error("unexpected reply from the server: {0}")]
    UnexpectedReply(String),
    /// The configuration cannot work (bad URL, unreadable CA certificate…).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The driver task has ended (shutdown, logout, or every handle dropped).
    #[error("the client has shut down")]
    Closed,
    /// No answer in time.
    #[error("timed out")]
    Timeout,
}

impl ClientError {
    /// The error for a request the server refused with `code`, naming the authentication
    /// failures specifically.
    pub fn from_code(code: ErrorCode, message: String) -> Self {
        match code {
            ErrorCode::BadCredentials => ClientError::BadCredentials,
            ErrorCode::TokenExpired => ClientError::TokenExpired,
            ErrorCode::TokenRevoked => ClientError::TokenRevoked,
            ErrorCode::AccountDisabled => ClientError::AccountDisabled,
            ErrorCode::InvalidArgument
            | ErrorCode::TooLarge
            | ErrorCode::Unsupported
            | ErrorCode::Forbidden
            | ErrorCode::NotLoggedIn
            | ErrorCode::RateLimited
            | ErrorCode::TooManyDevices
            | ErrorCode::AlreadyLoggedIn
            | ErrorCode::AlreadySent
            | ErrorCode::AlreadyEnd
            | ErrorCode::AlreadyAccept
            | ErrorCode::NotStarted
            | ErrorCode::Internal => ClientError::Server { code, message },
        }
    }

    /// The error for an engine that stopped connecting with `reason` when the server's own
    /// error code is not known.
    pub(crate) fn from_abort(reason: ConnectionChangeReason) -> Self {
        match reason {
            ConnectionChangeReason::LoginFailure => ClientError::BadCredentials,
            ConnectionChangeReason::TokenExpired => ClientError::TokenExpired,
            ConnectionChangeReason::TokenRevoked => ClientError::TokenRevoked,
            ConnectionChangeReason::BannedByServer => ClientError::AccountDisabled,
            ConnectionChangeReason::LoginTimeout => ClientError::LoginTimeout,
            ConnectionChangeReason::Login
            | ConnectionChangeReason::LoginSuccess
            | ConnectionChangeReason::Interrupted
            | ConnectionChangeReason::Logout
            | ConnectionChangeReason::RemoteLogin => ClientError::Aborted { reason },
        }
    }

    /// True when the server refused the credentials themselves, so retrying cannot help.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ClientError::BadCredentials
                | ClientError::TokenExpired
                | ClientError::TokenRevoked
                | ClientError::AccountDisabled
        )
    }
}
