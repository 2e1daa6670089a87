//! Ringer's wire protocol: the frames a client and the server exchange over a WebSocket, the
//! validated field types they are made of, and every limit of SPEC §1 and §9.
//!
//! - [`ClientFrame`] and [`ServerFrame`] are the two directions. Each is one JSON object per
//!   WebSocket text message, tagged by `type`.
//! - Field types in [`fields`] ([`Uid`], [`InvitationId`], [`Content`], …) can only hold valid
//!   values, so a decoded frame is a valid frame.
//! - [`decode_client`] / [`decode_server`] turn text into frames and say, as an [`ErrorCode`],
//!   why they could not; [`encode`] goes the other way.
//!
//! `docs/protocol.md` at the repository root describes the same protocol for people writing a
//! client in another language.

pub mod codec;
pub mod error_code;
pub mod fields;
pub mod frame;
pub mod limits;
pub mod vocab;

pub use codec::{DecodeError, decode_client, decode_server, encode};
pub use error_code::ErrorCode;
pub use fields::{
    ChannelId, ClientName, Content, DeviceId, DisplayName, FieldError, InvitationId, Password,
    Response, Token, Uid,
};
pub use frame::client::{ClientFrame, ReqId};
pub use frame::server::{
    CallRecord, DirectoryEntry, InvitationInfo, InvitationState, PresenceEntry, ServerFrame,
    SnapshotEntry, UnixMillis, Welcome,
};
pub use vocab::{
    CallEndReason, CancelReason, Direction, FailureReason, Outcome, Presence, RefuseReason, Role,
    Status,
};
