//! Every size and count limit of the protocol, in one place (SPEC §1, §8, §9).

/// Largest frame, in bytes, that either side accepts.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Largest uid, in bytes.
pub const MAX_UID_BYTES: usize = 64;
/// Largest device id, in bytes.
pub const MAX_DEVICE_ID_BYTES: usize = 64;
/// Largest invitation id, in bytes.
pub const MAX_INVITATION_ID_BYTES: usize = 64;
/// Largest `content` of an invitation, in bytes.
pub const MAX_CONTENT_BYTES: usize = 8 * 1024;
/// Largest `response` to an invitation, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024;
/// Largest `channel_id` of an invitation, in bytes.
pub const MAX_CHANNEL_ID_BYTES: usize = 64;
/// Largest display name, in bytes.
pub const MAX_DISPLAY_NAME_BYTES: usize = 128;
/// Largest password, in bytes; bounds the work an Argon2 hash can be made to do.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Largest session token, in bytes.
pub const MAX_TOKEN_BYTES: usize = 128;
/// Largest client description (`client` field of a login), in bytes.
pub const MAX_CLIENT_BYTES: usize = 128;
/// Most uids in one presence query.
pub const MAX_PRESENCE_QUERY: usize = 256;
/// Most uids one device may be subscribed to.
pub const MAX_SUBSCRIPTIONS: usize = 512;
/// Most history records one request returns.
pub const MAX_HISTORY_LIMIT: u32 = 500;
/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;
