//! Validated field types: a value of one of these types obeys SPEC §1's rules by construction.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::limits::{
    MAX_CHANNEL_ID_BYTES, MAX_CLIENT_BYTES, MAX_CONTENT_BYTES, MAX_DEVICE_ID_BYTES,
    MAX_DISPLAY_NAME_BYTES, MAX_INVITATION_ID_BYTES, MAX_PASSWORD_BYTES, MAX_RESPONSE_BYTES,
    MAX_TOKEN_BYTES, MAX_UID_BYTES,
};

/// Why a field value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The value is longer than the field allows.
    #[error("{field} is too large: {len} bytes, at most {max} allowed")]
    TooLarge {
        /// The field's name on the wire.
        field: &'static str,
        /// The value's length in bytes.
        len: usize,
        /// The field's limit in bytes.
        max: usize,
    },
    /// The value is empty where the field needs at least one byte.
    #[error("{field} must not be empty")]
    Empty {
        /// The field's name on the wire.
        field: &'static str,
    },
    /// The value breaks the field's rules in another way.
    #[error("{field} is invalid: {why}")]
    Invalid {
        /// The field's name on the wire.
        field: &'static str,
        /// What rule it breaks.
        why: &'static str,
    },
}

impl FieldError {
    /// True when the value broke a size limit rather than a rule of form.
    pub fn is_too_large(&self) -> bool {
        matches!(self, FieldError::TooLarge { .. })
    }
}

/// Marker that [`crate::codec`] looks for to tell a size violation from other field errors,
/// since serde flattens a field's error into a message.
pub(crate) const TOO_LARGE_MARKER: &str = " is too large: ";

macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The wire name of this field, used in error messages.
            pub const FIELD: &'static str = $field;

            /// Validates `value`.
            pub fn new(value: impl Into<String>) -> Result<Self, FieldError> {
                let value = value.into();
                let check: fn(&'static str, &str) -> Result<(), FieldError> = $check;
                check($field, &value)?;
                Ok(Self(value))
            }

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, FieldError> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = FieldError;
            fn try_from(value: &str) -> Result<Self, FieldError> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

validated_string!(
    /// A user id: 1–64 bytes of ASCII letters, digits, space and
    /// `` !#$%&()+-:;<=.>?@[]^_{}|~, ``; no leading or trailing space; never `null`.
    Uid,
    "uid",
    check_uid
);

validated_string!(
    /// A device id, chosen by the client once per installation: 1–64 bytes of ASCII letters,
    /// digits, `-`, `_`, `.` and `:`.
    DeviceId,
    "device_id",
    |field, v| check_token_chars(field, v, MAX_DEVICE_ID_BYTES, b"-_.:")
);

validated_string!(
    /// An invitation id, chosen by the caller: 1–64 bytes of ASCII letters, digits, `-` and `_`
    /// (a UUID v4 is the intended form).
    InvitationId,
    "id",
    |field, v| check_token_chars(field, v, MAX_INVITATION_ID_BYTES, b"-_")
);

validated_string!(
    /// The free-form content of an invitation: UTF-8, at most 8 KiB, may be empty.
    Content,
    "content",
    |field, v| check_max(field, v, MAX_CONTENT_BYTES)
);

validated_string!(
    /// The callee's free-form response to an invitation: UTF-8, at most 8 KiB, may be empty.
    Response,
    "response",
    |field, v| check_max(field, v, MAX_RESPONSE_BYTES)
);

validated_string!(
    /// The channel an accepted call is carried on: UTF-8, at most 64 bytes, may be empty.
    ChannelId,
    "channel_id",
    |field, v| check_max(field, v, MAX_CHANNEL_ID_BYTES)
);

validated_string!(
    /// A user's display name: 1–128 bytes of UTF-8 without control characters.
    DisplayName,
    "display_name",
    |field, v| {
        check_non_empty_max(field, v, MAX_DISPLAY_NAME_BYTES)?;
        if v.chars().any(char::is_control) {
            return Err(FieldError::Invalid { field, why: "control characters are not allowed" });
        }
        Ok(())
    }
);

validated_string!(
    /// A password as sent at login: 1–1024 bytes of UTF-8. Its `Debug` form is the password
    /// itself, so never log a frame that carries one; `ClientFrame`'s `Debug` redacts it.
    Password,
    "password",
    |field, v| check_non_empty_max(field, v, MAX_PASSWORD_BYTES)
);

validated_string!(
    /// An opaque session token as issued by the server: 1–128 bytes of ASCII letters, digits,
    /// `-` and `_`.
    Token,
    "token",
    |field, v| check_token_chars(field, v, MAX_TOKEN_BYTES, b"-_")
);

validated_string!(
    /// A free-form description of the client software, for the server's logs: at most 128 bytes
    /// of printable UTF-8.
    ClientName,
    "client",
    |field, v| {
        check_max(field, v, MAX_CLIENT_BYTES)?;
        if v.chars().any(char::is_control) {
            return Err(FieldError::Invalid { field, why: "control characters are not allowed" });
        }
        Ok(())
    }
);

const UID_PUNCTUATION: &[u8] = b" !#$%&()+-:;<=.>?@[]^_{}|~,";

fn check_uid(field: &'static str, value: &str) -> Result<(), FieldError> {
    check_non_empty_max(field, value, MAX_UID_BYTES)?;
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || UID_PUNCTUATION.contains(&b))
    {
        return Err(FieldError::Invalid {
            field,
            why: "only ASCII letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~, are allowed",
        });
    }
    if value.starts_with(' ') || value.ends_with(' ') {
        return Err(FieldError::Invalid {
            field,
            why: "no leading or trailing space is allowed",
        });
    }
    if value == "null" {
        return Err(FieldError::Invalid {
            field,
            why: "\"null\" is not a uid",
        });
    }
    Ok(())
}

fn check_token_chars(
    field: &'static str,
    value: &str,
    max: usize,
    extra: &[u8],
) -> Result<(), FieldError> {
    check_non_empty_max(field, value, max)?;
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    {
        return Err(FieldError::Invalid {
            field,
            why: "unexpected character",
        });
    }
    Ok(())
}

fn check_non_empty_max(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::Empty { field });
    }
    check_max(field, value, max)
}

fn check_max(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.len() > max {
        return Err(FieldError::TooLarge {
            field,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_accepts_every_allowed_character() {
        assert!(Uid::new("alice").is_ok());
        assert!(Uid::new("a b").is_ok());
        assert!(Uid::new("!#$%&()+-:;<=.>?@[]^_{}|~,").is_ok());
        assert!(Uid::new("x".repeat(64)).is_ok());
        assert!(Uid::new("nullx").is_ok());
    }

    #[test]
    fn uid_refuses_what_spec_forbids() {
        assert_eq!(Uid::new(""), Err(FieldError::Empty { field: "uid" }));
        assert!(Uid::new("x".repeat(65)).is_err_and(|e| e.is_too_large()));
        assert!(Uid::new(" alice").is_err());
        assert!(Uid::new("alice ").is_err());
        assert!(Uid::new("null").is_err());
        assert!(Uid::new("al\"ice").is_err());
        assert!(Uid::new("al*ice").is_err());
        assert!(Uid::new("al/ice").is_err());
        assert!(Uid::new("é").is_err());
        assert!(Uid::new("a\tb").is_err());
    }

    #[test]
    fn content_response_and_channel_limits() {
        assert!(Content::new("x".repeat(8 * 1024)).is_ok());
        assert!(Content::new("x".repeat(8 * 1024 + 1)).is_err_and(|e| e.is_too_large()));
        assert!(Response::new("").is_ok());
        assert!(Response::new("x".repeat(8 * 1024 + 1)).is_err_and(|e| e.is_too_large()));
        assert!(ChannelId::new("x".repeat(64)).is_ok());
        assert!(ChannelId::new("x".repeat(65)).is_err_and(|e| e.is_too_large()));
    }

    #[test]
    fn ids_and_tokens() {
        assert!(InvitationId::new("0b9e4f5c-58a4-4e5b-9a43-1f8e0f1e2d3c").is_ok());
        assert!(InvitationId::new("").is_err());
        assert!(InvitationId::new("a b").is_err());
        assert!(DeviceId::new("laptop:1").is_ok());
        assert!(DeviceId::new("x".repeat(65)).is_err());
        assert!(Token::new("abc_DEF-123").is_ok());
        assert!(Token::new("abc=").is_err());
        assert!(DisplayName::new("Alice Example").is_ok());
        assert!(DisplayName::new("").is_err());
        assert!(DisplayName::new("a\nb").is_err());
        assert!(Password::new("").is_err());
        assert!(Password::new("x".repeat(1025)).is_err_and(|e| e.is_too_large()));
    }

    #[test]
    fn too_large_message_carries_the_marker() {
        let err = Content::new("x".repeat(9000)).err().map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains(TOO_LARGE_MARKER)));
    }
}
