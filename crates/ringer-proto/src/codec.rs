//! Turning text into frames and back, with the errors a peer needs to hear about.

use serde::Deserialize;

use crate::error_code::ErrorCode;
use crate::fields::TOO_LARGE_MARKER;
use crate::frame::client::{CLIENT_FRAME_TYPES, ClientFrame, ReqId};
use crate::frame::server::ServerFrame;
use crate::limits::MAX_FRAME_BYTES;

/// Why a frame could not be decoded; carries what the reply `error` frame needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DecodeError {
    /// The request id, when the frame was readable far enough to find one.
    pub req: Option<ReqId>,
    /// `too_large`, `unsupported` or `invalid_argument`.
    pub code: ErrorCode,
    /// What was wrong, for people.
    pub message: String,
}

impl DecodeError {
    /// The `error` frame that answers this decode failure.
    pub fn to_frame(&self) -> ServerFrame {
        ServerFrame::Error {
            req: self.req,
            code: self.code,
            message: self.message.clone(),
        }
    }
}

/// Decodes one client frame from the text of a WebSocket message.
pub fn decode_client(text: &str) -> Result<ClientFrame, DecodeError> {
    decode(text, |envelope| {
        CLIENT_FRAME_TYPES.contains(&envelope.kind.as_deref().unwrap_or(""))
    })
}

/// Decodes one server frame from the text of a WebSocket message.
pub fn decode_server(text: &str) -> Result<ServerFrame, DecodeError> {
    // A client cannot tell an unknown server frame type from a malformed one cheaply, and need
    // not: both are `unsupported` from its point of view only when the type is unknown.
    decode(text, |_| true)
}

/// Encodes a frame as the text of one WebSocket message.
pub fn encode<T: serde::Serialize>(frame: &T) -> String {
    // Our frame types contain only strings, integers, booleans and enums with string tags, for
    // which serde_json cannot fail; the fallback keeps the connection alive if that ever changes.
    serde_json::to_string(frame).unwrap_or_else(|e| {
        format!(r#"{{"type":"error","code":"internal","message":"encode failed: {e}"}}"#)
    })
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: Option<String>,
    req: Option<ReqId>,
}

fn decode<T: serde::de::DeserializeOwned>(
    text: &str,
    known_type: impl Fn(&Envelope) -> bool,
) -> Result<T, DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError {
            req: None,
            code: ErrorCode::TooLarge,
            message: format!(
                "frame is {} bytes, at most {MAX_FRAME_BYTES} allowed",
                text.len()
            ),
        });
    }
    match serde_json::from_str::<T>(text) {
        Ok(frame) => Ok(frame),
        Err(err) => Err(classify(text, &err, known_type)),
    }
}

fn classify(
    text: &str,
    err: &serde_json::Error,
    known_type: impl Fn(&Envelope) -> bool,
) -> DecodeError {
    let Ok(envelope) = serde_json::from_str::<Envelope>(text) else {
        return DecodeError {
            req: None,
            code: ErrorCode::InvalidArgument,
            message: format!("frame is not a JSON object with a string \"type\": {err}"),
        };
    };
    let req = envelope.req;
    let Some(kind) = envelope.kind.clone() else {
        return DecodeError {
            req,
            code: ErrorCode::InvalidArgument,
            message: "frame has no \"type\"".to_owned(),
        };
    };
    if !known_type(&envelope) {
        return DecodeError {
            req,
            code: ErrorCode::Unsupported,
            message: format!("unknown frame type {kind:?}"),
        };
    }
    let message = err.to_string();
    let code = if message.contains(TOO_LARGE_MARKER) {
        ErrorCode::TooLarge
    } else {
        ErrorCode::InvalidArgument
    };
    DecodeError {
        req,
        code,
        message: format!("bad {kind:?} frame: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{InvitationId, Uid};

    #[test]
    fn decodes_an_invite() {
        let frame = decode_client(r#"{"type":"invite","req":7,"id":"abc","callee":"bob"}"#);
        assert_eq!(
            frame,
            Ok(ClientFrame::Invite {
                req: 7,
                id: InvitationId::new("abc").expect("valid id"),
                callee: Uid::new("bob").expect("valid uid"),
                content: None,
                channel_id: None,
            })
        );
    }

    #[test]
    fn unknown_fields_are_ignored_for_forward_compatibility() {
        let frame = decode_client(r#"{"type":"ping","future":1}"#);
        assert_eq!(frame, Ok(ClientFrame::Ping {}));
    }

    /// docs/protocol.md §2 promises this depth: serde_json's recursion limit.
    #[test]
    fn unknown_members_nest_up_to_127_levels_with_the_frame() {
        let nested = |levels: usize| {
            let arrays = levels - 1;
            format!(
                r#"{{"type":"ping","x":{}{}}}"#,
                "[".repeat(arrays),
                "]".repeat(arrays)
            )
        };
        assert_eq!(decode_client(&nested(127)), Ok(ClientFrame::Ping {}));
        let err = decode_client(&nested(128)).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidArgument));
    }

    #[test]
    fn unknown_type_is_unsupported_and_keeps_req() {
        let err = decode_client(r#"{"type":"teleport","req":3}"#).err();
        assert_eq!(err.as_ref().map(|e| e.code), Some(ErrorCode::Unsupported));
        assert_eq!(err.and_then(|e| e.req), Some(3));
    }

    #[test]
    fn bad_uid_is_invalid_argument() {
        let err = decode_client(r#"{"type":"invite","req":1,"id":"a","callee":"null"}"#).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidArgument));
    }

    #[test]
    fn missing_field_is_invalid_argument() {
        let err = decode_client(r#"{"type":"cancel","req":1}"#).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::InvalidArgument));
    }

    #[test]
    fn oversized_content_is_too_large() {
        let content = "x".repeat(8 * 1024 + 1);
        let text =
            format!(r#"{{"type":"invite","req":1,"id":"a","callee":"bob","content":"{content}"}}"#);
        let err = decode_client(&text).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::TooLarge));
    }

    #[test]
    fn oversized_frame_is_too_large() {
        let text = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_FRAME_BYTES)
        );
        let err = decode_client(&text).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::TooLarge));
    }

    #[test]
    fn not_json_is_invalid_argument() {
        for text in ["", "nonsense", "[1,2]", "{\"type\":5}", "null"] {
            let err = decode_client(text).err();
            assert_eq!(
                err.map(|e| e.code),
                Some(ErrorCode::InvalidArgument),
                "{text}"
            );
        }
    }

    #[test]
    fn server_frames_round_trip() {
        let frame = ServerFrame::Error {
            req: Some(1),
            code: ErrorCode::AlreadyEnd,
            message: "it ended".to_owned(),
        };
        assert_eq!(decode_server(&encode(&frame)), Ok(frame));
    }
}
