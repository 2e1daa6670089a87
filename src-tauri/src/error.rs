//! The app's one error type: what every command rejects with and what the `error` event carries.
//! It serialises as `{ code, message }` (the UI's `AppError`).

use ringer_client::{ApiError, ClientError};
use ringer_proto::ErrorCode;
use serde::{Deserialize, Serialize};

/// Why something the user asked for failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// A ringer-proto error code (from the server or the engine's API checks).
    #[error("{message}")]
    Code {
        /// The code.
        code: ErrorCode,
        /// A readable explanation.
        message: String,
    },
    /// No TCP, TLS-less or WebSocket connection could be made to the server.
    #[error("can't reach the server: {0}")]
    Unreachable(String),
    /// The server URL does not parse or is not `ws://` / `wss://`.
    #[error("invalid server url: {0}")]
    InvalidUrl(String),
    /// The server's certificate is not valid.
    #[error("tls: {0}")]
    Tls(String),
    /// The server did not answer in time.
    #[error("the server did not answer in time")]
    Timeout,
    /// The OS credential store failed.
    #[error("credential store: {0}")]
    Keyring(String),
    /// The command needs a session.
    #[error("not signed in")]
    NotSignedIn,
    /// The server sent something this client does not understand.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// This device accepted but the caller never confirmed.
    #[error("the caller did not confirm the accept; the call did not start")]
    AcceptFailure,
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The error for a bad argument.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        AppError::Code {
            code: ErrorCode::InvalidArgument,
            message: message.into(),
        }
    }

    /// The code the UI matches on.
    pub fn code(&self) -> &str {
        match self {
            AppError::Code { code, .. } => code.as_str(),
            AppError::Unreachable(_) => "unreachable",
            AppError::InvalidUrl(_) => "invalid_url",
            AppError::Tls(_) => "tls",
            AppError::Timeout => "timeout",
            AppError::Keyring(_) => "keyring",
            AppError::NotSignedIn => "not_signed_in",
            AppError::Protocol(_) => "protocol",
            AppError::AcceptFailure => "accept_failure",
            AppError::Internal(_) => "internal",
        }
    }

    fn from_parts(code: &str, message: String) -> Self {
        if let Ok(code) = serde_json::from_value::<ErrorCode>(serde_json::Value::from(code)) {
            return AppError::Code { code, message };
        }
        match code {
            "unreachable" => AppError::Unreachable(message),
            "invalid_url" => AppError::InvalidUrl(message),
            "tls" => AppError::Tls(message),
            "timeout" => AppError::Timeout,
            "keyring" => AppError::Keyring(message),
            "not_signed_in" => AppError::NotSignedIn,
            "protocol" => AppError::Protocol(message),
            "accept_failure" => AppError::AcceptFailure,
            _ => AppError::Internal(message),
        }
    }
}

impl From<ClientError> for AppError {
    fn from(error: ClientError) -> Self {
        let message = error.to_string();
        let code = |code: ErrorCode| AppError::Code {
            code,
            message: message.clone(),
        };
        match error {
            ClientError::Api(api) => code(api_code(&api)),
            ClientError::Server { code, message } => AppError::Code { code, message },
            ClientError::Unreachable { .. } | ClientError::Handshake { .. } => {
                AppError::Unreachable(message)
            }
            ClientError::Tls { .. } => AppError::Tls(message),
            ClientError::BadCredentials => code(ErrorCode::BadCredentials),
            ClientError::TokenExpired => code(ErrorCode::TokenExpired),
            ClientError::TokenRevoked => code(ErrorCode::TokenRevoked),
            ClientError::AccountDisabled => code(ErrorCode::AccountDisabled),
            ClientError::Aborted { .. } | ClientError::Closed => AppError::NotSignedIn,
            ClientError::LoginTimeout | ClientError::Timeout => AppError::Timeout,
            ClientError::UnexpectedReply(_) => AppError::Protocol(message),
            ClientError::Config(_) => AppError::InvalidUrl(message),
        }
    }
}

fn api_code(error: &ApiError) -> ErrorCode {
    match error {
        ApiError::InvalidArgument(_) => ErrorCode::InvalidArgument,
        ApiError::NotStarted => ErrorCode::NotStarted,
        ApiError::AlreadyEnd => ErrorCode::AlreadyEnd,
        ApiError::AlreadyAccept => ErrorCode::AlreadyAccept,
        ApiError::AlreadySent => ErrorCode::AlreadySent,
        ApiError::NotLoggedIn => ErrorCode::NotLoggedIn,
    }
}

/// The wire form, `{ code, message }`.
#[derive(Serialize, Deserialize)]
struct Wire {
    code: String,
    message: String,
}

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        Ok(AppError::from_parts(&wire.code, wire.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(AppError::from(ClientError::BadCredentials))
            .expect("serialisable");
        assert_eq!(json["code"], "bad_credentials");
        assert_eq!(json["message"], "bad credentials");
        let json = serde_json::to_value(AppError::NotSignedIn).expect("serialisable");
        assert_eq!(json["code"], "not_signed_in");
    }

    #[test]
    fn round_trips_through_the_wire_form() {
        for error in [
            AppError::invalid_argument("no"),
            AppError::Unreachable("ws://x".into()),
            AppError::AcceptFailure,
            AppError::Keyring("locked".into()),
        ] {
            let json = serde_json::to_value(&error).expect("serialisable");
            let back: AppError = serde_json::from_value(json).expect("deserialisable");
            assert_eq!(back.code(), error.code());
        }
    }

    #[test]
    fn maps_client_errors_to_the_contract_codes() {
        let cases = [
            (ClientError::TokenExpired, "token_expired"),
            (ClientError::TokenRevoked, "token_revoked"),
            (ClientError::AccountDisabled, "account_disabled"),
            (ClientError::Timeout, "timeout"),
            (ClientError::Config("bad url".into()), "invalid_url"),
            (ClientError::Api(ApiError::AlreadyEnd), "already_end"),
            (
                ClientError::Tls {
                    url: "wss://x".into(),
                    message: "unknown issuer".into(),
                },
                "tls",
            ),
        ];
        for (error, code) in cases {
            assert_eq!(AppError::from(error).code(), code);
        }
    }
}
