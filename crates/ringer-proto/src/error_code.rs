//! Error codes carried by the server's `error` frame and returned by the client's API calls.

use serde::{Deserialize, Serialize};

/// A specific, machine-readable reason a request was refused. The set is closed: a client can
/// match on every code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field is missing, has the wrong type, or breaks its rules.
    InvalidArgument,
    /// The frame, or one of its fields, is larger than allowed.
    TooLarge,
    /// The frame type or protocol version is not one this server speaks, or the frame is not
    /// JSON text.
    Unsupported,
    /// The request acts on something the sender is not party to.
    Forbidden,
    /// The connection has not authenticated yet, or the session was not found.
    NotLoggedIn,
    /// Too many requests; try again later.
    RateLimited,
    /// The uid or password is wrong (one code for both, so that uids cannot be probed).
    BadCredentials,
    /// The session token has expired.
    TokenExpired,
    /// The session token was revoked, or never existed.
    TokenRevoked,
    /// The account is disabled.
    AccountDisabled,
    /// The uid already has the maximum number of devices online.
    TooManyDevices,
    /// The connection is already authenticated.
    AlreadyLoggedIn,
    /// An invitation with this id was already sent.
    AlreadySent,
    /// The invitation or call has already ended; its outcome follows as an event.
    AlreadyEnd,
    /// This device already accepted the invitation.
    AlreadyAccept,
    /// Cancel before send (client-side only).
    NotStarted,
    /// The server failed internally; the request had no effect.
    Internal,
}

impl ErrorCode {
    /// The code's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotLoggedIn => "not_logged_in",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::TooManyDevices => "too_many_devices",
            ErrorCode::AlreadyLoggedIn => "already_logged_in",
            ErrorCode::AlreadySent => "already_sent",
            ErrorCode::AlreadyEnd => "already_end",
            ErrorCode::AlreadyAccept => "already_accept",
            ErrorCode::NotStarted => "not_started",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
