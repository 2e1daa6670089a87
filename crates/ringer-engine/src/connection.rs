//! The connection's state machine (Agora's states and reasons) and the socket's phase.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use ringer_proto::{ErrorCode, ReqId};

use crate::event::Event;
use crate::heartbeat::Heartbeat;

/// Agora's connection states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Not connected and not trying: before the first dial, and after logout.
    Disconnected,
    /// Dialing or logging in for the first time.
    Connecting,
    /// Logged in.
    Connected,
    /// The connection was lost after a login; dialing or logging in again.
    Reconnecting,
    /// The server refused the credentials for good; the driver stops until new ones are set.
    Aborted,
}

/// Why the connection state changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionChangeReason {
    /// The engine started to log in.
    Login,
    /// The server welcomed this device.
    LoginSuccess,
    /// The server refused the login: bad credentials (then `Aborted`), or for now only
    /// (too many devices, rate limited, internal; then it retries).
    LoginFailure,
    /// No `welcome` within `login_timeout`.
    LoginTimeout,
    /// The connection was lost or went silent.
    Interrupted,
    /// The user logged out.
    Logout,
    /// The account is disabled.
    BannedByServer,
    /// The session token expired.
    TokenExpired,
    /// The session token was revoked (or never existed).
    TokenRevoked,
    /// Another login replaced this one. Never produced by this engine: the protocol has no frame
    /// for it yet; kept for Agora parity.
    RemoteLogin,
}

impl ConnectionState {
    /// SPEC's (Agora's) snake_case name, as clients print and serialise it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Disconnected => "disconnected",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Aborted => "aborted",
        }
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ConnectionChangeReason {
    /// SPEC's (Agora's) snake_case name, as clients print and serialise it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionChangeReason::Login => "login",
            ConnectionChangeReason::LoginSuccess => "login_success",
            ConnectionChangeReason::LoginFailure => "login_failure",
            ConnectionChangeReason::LoginTimeout => "login_timeout",
            ConnectionChangeReason::Interrupted => "interrupted",
            ConnectionChangeReason::Logout => "logout",
            ConnectionChangeReason::BannedByServer => "banned_by_server",
            ConnectionChangeReason::TokenExpired => "token_expired",
            ConnectionChangeReason::TokenRevoked => "token_revoked",
            ConnectionChangeReason::RemoteLogin => "remote_login",
        }
    }
}

impl fmt::Display for ConnectionChangeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a login `error` means for the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginVerdict {
    /// Stop for good with this reason (state `Aborted`).
    Abort(ConnectionChangeReason),
    /// Close and try again later (reason `login_failure`).
    Retry,
}

/// Maps the code of a refused `login` / `authenticate` to what the engine does (see the crate
/// docs for the table).
pub(crate) fn login_verdict(code: ErrorCode) -> LoginVerdict {
    match code {
        ErrorCode::BadCredentials
        | ErrorCode::InvalidArgument
        | ErrorCode::TooLarge
        | ErrorCode::Unsupported
        | ErrorCode::Forbidden => LoginVerdict::Abort(ConnectionChangeReason::LoginFailure),
        ErrorCode::TokenExpired => LoginVerdict::Abort(ConnectionChangeReason::TokenExpired),
        // A token the server cannot find is as dead as a revoked one.
        ErrorCode::TokenRevoked | ErrorCode::NotLoggedIn => {
            LoginVerdict::Abort(ConnectionChangeReason::TokenRevoked)
        }
        ErrorCode::AccountDisabled => LoginVerdict::Abort(ConnectionChangeReason::BannedByServer),
        ErrorCode::TooManyDevices
        | ErrorCode::RateLimited
        | ErrorCode::Internal
        | ErrorCode::AlreadyLoggedIn
        | ErrorCode::AlreadySent
        | ErrorCode::AlreadyEnd
        | ErrorCode::AlreadyAccept
        | ErrorCode::NotStarted => LoginVerdict::Retry,
    }
}

/// The socket's phase, below the user-visible state.
#[derive(Debug)]
pub(crate) enum Link {
    /// No socket, or one the engine has given up on.
    Down,
    /// The socket is open and `login` / `authenticate` is out.
    AwaitingWelcome {
        /// The login's request id.
        req: ReqId,
        /// When to give up on the welcome.
        deadline: Instant,
    },
    /// Logged in.
    Up(Heartbeat),
}

/// The connection's state, reason and socket phase.
#[derive(Debug)]
pub(crate) struct Connection {
    pub state: ConnectionState,
    pub reason: Option<ConnectionChangeReason>,
    pub link: Link,
    /// The driver should keep (re)connecting: set by dialing, cleared by abort and logout.
    pub want_online: bool,
    /// The `server_id` of the last welcome; a different one means the server restarted.
    pub server_id: Option<String>,
}

/// A connection transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal connection transition {from} -> {to}")]
pub(crate) struct IllegalConnectionTransition {
    from: ConnectionState,
    to: ConnectionState,
}

impl Connection {
    pub fn new() -> Self {
        Connection {
            state: ConnectionState::Disconnected,
            reason: None,
            link: Link::Down,
            want_online: false,
            server_id: None,
        }
    }

    /// True when logged in.
    pub fn is_up(&self) -> bool {
        matches!(self.link, Link::Up(_))
    }

    /// The one place the connection state changes: checks legality, logs, queues the event. A
    /// change of reason alone (e.g. `reconnecting` after a failed re-login) is reported too.
    pub fn set(
        &mut self,
        to: ConnectionState,
        reason: ConnectionChangeReason,
        events: &mut VecDeque<Event>,
    ) -> Result<(), IllegalConnectionTransition> {
        let from = self.state;
        if from == to && self.reason == Some(reason) {
            return Ok(());
        }
        if !allowed(from, to) {
            return Err(IllegalConnectionTransition { from, to });
        }
        tracing::debug!(?reason, "connection {from} -> {to}");
        self.state = to;
        self.reason = Some(reason);
        events.push_back(Event::ConnectionStateChanged { state: to, reason });
        Ok(())
    }
}

fn allowed(from: ConnectionState, to: ConnectionState) -> bool {
    use ConnectionState::{Aborted, Connected, Connecting, Disconnected, Reconnecting};
    let sources: &[ConnectionState] = match to {
        Disconnected => &[Connecting, Connected, Reconnecting],
        Connecting => &[Disconnected, Aborted, Connecting],
        Connected => &[Connecting, Reconnecting],
        Reconnecting => &[Connected, Reconnecting],
        Aborted => &[Connecting, Connected, Reconnecting],
    };
    sources.contains(&from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_table() {
        let mut events = VecDeque::new();
        let mut c = Connection::new();
        assert!(
            c.set(
                ConnectionState::Connected,
                ConnectionChangeReason::LoginSuccess,
                &mut events
            )
            .is_err()
        );
        assert!(events.is_empty());
        assert_eq!(c.state, ConnectionState::Disconnected);
        c.set(
            ConnectionState::Connecting,
            ConnectionChangeReason::Login,
            &mut events,
        )
        .expect("disconnected -> connecting is legal");
        c.set(
            ConnectionState::Connected,
            ConnectionChangeReason::LoginSuccess,
            &mut events,
        )
        .expect("connecting -> connected is legal");
        assert!(
            c.set(
                ConnectionState::Connecting,
                ConnectionChangeReason::Login,
                &mut events
            )
            .is_err()
        );
        c.set(
            ConnectionState::Reconnecting,
            ConnectionChangeReason::Interrupted,
            &mut events,
        )
        .expect("connected -> reconnecting is legal");
        c.set(
            ConnectionState::Reconnecting,
            ConnectionChangeReason::LoginFailure,
            &mut events,
        )
        .expect("a new reason alone is legal");
        c.set(
            ConnectionState::Reconnecting,
            ConnectionChangeReason::LoginFailure,
            &mut events,
        )
        .expect("no change is a no-op");
        assert_eq!(events.len(), 4);
    }

    #[test]
    fn every_login_error_has_a_verdict() {
        use ConnectionChangeReason as R;
        assert_eq!(
            login_verdict(ErrorCode::BadCredentials),
            LoginVerdict::Abort(R::LoginFailure)
        );
        assert_eq!(
            login_verdict(ErrorCode::TokenExpired),
            LoginVerdict::Abort(R::TokenExpired)
        );
        assert_eq!(
            login_verdict(ErrorCode::TokenRevoked),
            LoginVerdict::Abort(R::TokenRevoked)
        );
        assert_eq!(
            login_verdict(ErrorCode::AccountDisabled),
            LoginVerdict::Abort(R::BannedByServer)
        );
        assert_eq!(
            login_verdict(ErrorCode::Unsupported),
            LoginVerdict::Abort(R::LoginFailure)
        );
        assert_eq!(
            login_verdict(ErrorCode::TooManyDevices),
            LoginVerdict::Retry
        );
        assert_eq!(login_verdict(ErrorCode::RateLimited), LoginVerdict::Retry);
        assert_eq!(login_verdict(ErrorCode::Internal), LoginVerdict::Retry);
    }
}
