//! The CLI's errors, each with the exit status of its class.

use ringer_client::ClientError;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the call or invitation ended without being accepted.
pub const EXIT_NOT_ACCEPTED: u8 = 1;
/// Exit status: bad arguments.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: not logged in or credentials refused.
pub const EXIT_AUTH: u8 = 3;
/// Exit status: the server could not be reached or the connection was lost.
pub const EXIT_UNREACHABLE: u8 = 4;
/// Exit status: the server refused a request, or another error.
pub const EXIT_OTHER: u8 = 5;
/// Exit status: Ctrl-C at the password prompt, or after it while signing in (before `call` or
/// `listen` handle Ctrl-C themselves); 128 + SIGINT, as a shell reports a process SIGINT ended.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An argument is invalid.
    #[error("{0}")]
    Usage(String),
    /// There is no stored token and no password was given.
    #[error("not logged in: run `ringer login` first{0}")]
    NotLoggedIn(String),
    /// The uid or password is wrong.
    #[error("bad credentials")]
    BadCredentials,
    /// The stored token has expired.
    #[error("token expired: run `ringer login`")]
    TokenExpired,
    /// The stored token was revoked: by `logout`, a password reset, or the removal of the
    /// account (the server does not say which).
    #[error("token revoked (logged out, password reset, or account removed): run `ringer login`")]
    TokenRevoked,
    /// The account is disabled.
    #[error("account disabled")]
    AccountDisabled,
    /// The server could not be reached, or the connection was lost.
    #[error("{0}")]
    Unreachable(String),
    /// The client failed in another way.
    #[error("{0}")]
    Client(ClientError),
    /// The OS keyring failed.
    #[error("keyring: {0}")]
    Keyring(String),
    /// Ctrl-C was pressed at the password prompt.
    #[error("interrupted")]
    Interrupted,
    /// Reading standard input or writing output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::NotLoggedIn(_)
            | CliError::BadCredentials
            | CliError::TokenExpired
            | CliError::TokenRevoked
            | CliError::AccountDisabled => EXIT_AUTH,
            CliError::Unreachable(_) => EXIT_UNREACHABLE,
            CliError::Client(_) | CliError::Keyring(_) | CliError::Io(_) => EXIT_OTHER,
            CliError::Interrupted => EXIT_INTERRUPTED,
        }
    }

    /// The class name used in `--json` error lines.
    pub fn kind(&self) -> &'static str {
        match self.exit_code() {
            EXIT_USAGE => "usage",
            EXIT_AUTH => "auth",
            EXIT_UNREACHABLE => "unreachable",
            EXIT_INTERRUPTED => "interrupted",
            _ => "error",
        }
    }
}

impl From<ClientError> for CliError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::BadCredentials => CliError::BadCredentials,
            ClientError::TokenExpired => CliError::TokenExpired,
            ClientError::TokenRevoked => CliError::TokenRevoked,
            ClientError::AccountDisabled => CliError::AccountDisabled,
            ClientError::Tls { ref message, .. } if message.contains("CaUsedAsEndEntity") => {
                // rustls' own words name a variant, not the cure: a self-signed certificate
                // made with `openssl req -x509` alone is a CA certificate (CA:TRUE).
                CliError::Unreachable(format!(
                    "{error}: the server's certificate is a CA certificate (basicConstraints \
                     CA:TRUE); a server needs an end-entity certificate (CA:FALSE), e.g. one \
                     made with `openssl req -x509 ... -addext basicConstraints=critical,CA:FALSE`"
                ))
            }
            ClientError::Unreachable { .. }
            | ClientError::Tls { .. }
            | ClientError::Handshake { .. } => CliError::Unreachable(error.to_string()),
            ClientError::LoginTimeout => {
                CliError::Unreachable(format!("server unreachable: {error}"))
            }
            ClientError::Timeout => {
                CliError::Unreachable("server unreachable: no answer in time".to_owned())
            }
            ClientError::Config(message) => CliError::Usage(message),
            ClientError::Api(_)
            | ClientError::Server { .. }
            | ClientError::Aborted { .. }
            | ClientError::UnexpectedReply(_)
            | ClientError::Closed => CliError::Client(error),
        }
    }
}
