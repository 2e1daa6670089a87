//! The payloads the UI sees: command results and event bodies, mirroring the interfaces of
//! `ui/src/api.ts` (camelCase fields, snake_case string unions).

use ringer_proto::{CallEndReason, FailureReason, Presence, RefuseReason, Status};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where the app stands with its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// The stored token is being tried.
    Starting,
    /// Nobody is signed in.
    SignedOut,
    /// A sign-in with a password is running.
    SigningIn,
    /// Signed in (the connection may still be re-establishing itself).
    SignedIn,
}

/// Payload of the `session` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The state.
    pub state: SessionState,
    /// The server in use, or the last one used.
    pub server_url: Option<String>,
    /// Own uid, or the last one used.
    pub uid: Option<String>,
    /// Own display name, when signed in.
    pub display_name: Option<String>,
    /// Own status, when signed in.
    pub status: Option<Status>,
    /// Why the session is signed out, unless the user signed out themself.
    pub error: Option<AppError>,
}

/// Agora's connection states, as the UI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Not connected and not trying.
    Disconnected,
    /// Connecting for the first time.
    Connecting,
    /// Logged in.
    Connected,
    /// Lost, trying again.
    Reconnecting,
    /// The server refused the credentials for good.
    Aborted,
}

/// Payload of the `connection` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// The state.
    pub state: ConnectionState,
    /// Why it last changed (`login`, `login_success`, `interrupted`, …).
    pub reason: Option<String>,
    /// Local epoch ms of the next reconnect attempt while `reconnecting` waits out its backoff;
    /// `None` while a dial is under way and in every other state.
    pub retry_at: Option<u64>,
}

/// One account of the team directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntry {
    /// The account's uid.
    pub uid: String,
    /// Its display name.
    pub display_name: String,
    /// Its presence now.
    pub presence: Presence,
}

/// Payload of the `presence` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceChange {
    /// Whose presence changed.
    pub uid: String,
    /// To what.
    pub presence: Presence,
}

/// The state of an invitation this device sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutgoingState {
    /// Sent; no callee device acknowledged yet.
    Calling,
    /// It rings at the peer.
    Ringing,
    /// The peer accepted.
    Accepted,
    /// The peer refused.
    Refused,
    /// This device canceled.
    Canceled,
    /// It failed.
    Failed,
}

/// Why an outgoing invitation ended without a call: a refuse or a failure reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EndReason {
    /// The callee refused.
    Refused(RefuseReason),
    /// The invitation failed.
    Failed(FailureReason),
}

/// An invitation this device sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingCall {
    /// The invitation id.
    pub id: String,
    /// The callee's uid.
    pub peer: String,
    /// The callee's display name (the uid when unknown).
    pub peer_name: String,
    /// The state.
    pub state: OutgoingState,
    /// For `refused` and `failed`.
    pub reason: Option<EndReason>,
    /// For `failed`: the server's error when it refused the invitation itself. `reason` is then
    /// only the wire's stand-in (`peer_unknown`), and this is what to tell the user.
    pub error: Option<AppError>,
    /// The callee's response.
    pub response: Option<String>,
    /// What the caller wrote.
    pub content: Option<String>,
}

/// The state of an invitation ringing here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingState {
    /// Ringing.
    Ringing,
    /// Accepted here; waiting for the caller's confirmation.
    Accepting,
}

/// An invitation ringing at this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingCall {
    /// The invitation id.
    pub id: String,
    /// The caller's uid.
    pub caller: String,
    /// The caller's display name.
    pub caller_name: String,
    /// What the caller wrote.
    pub content: Option<String>,
    /// The state.
    pub state: IncomingState,
    /// No ringtone (Silence pressed, or a quiet call-waiting ring).
    pub silenced: bool,
    /// Shown in the always-on-top popup window.
    pub popup: bool,
    /// Local epoch ms when it started ringing here.
    pub received_at: u64,
}

/// Which way a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// This user called.
    Outgoing,
    /// This user was called.
    Incoming,
}

/// Whether a call is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// Live.
    Active,
    /// Over.
    Ended,
}

/// A call this device is or was in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// The invitation id.
    pub id: String,
    /// The other party's uid.
    pub peer: String,
    /// Their display name.
    pub peer_name: String,
    /// Which way it went.
    pub direction: CallDirection,
    /// Live or over.
    pub state: CallState,
    /// Local epoch ms when it became live here.
    pub since: u64,
    /// Local epoch ms when it ended.
    pub ended_at: Option<u64>,
    /// Why it ended.
    pub end_reason: Option<CallEndReason>,
    /// Who hung up.
    pub ended_by: Option<String>,
    /// The channel the media goes on.
    pub channel_id: Option<String>,
    /// The meeting link made from the template.
    pub meeting_url: Option<String>,
}

/// Payload of the `missed` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Missed {
    /// Missed calls the user has not seen yet.
    pub count: u32,
}

/// One call record of the user's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    /// The invitation id.
    pub id: String,
    /// The other party's uid.
    pub peer: String,
    /// Their display name, when the directory knows it.
    pub peer_name: Option<String>,
    /// Which way it went.
    pub direction: CallDirection,
    /// How it ended.
    pub outcome: ringer_proto::Outcome,
    /// The refuse or failure reason, or for answered calls the end reason.
    pub reason: Option<String>,
    /// Whether it counts as missed.
    pub missed: bool,
    /// Epoch ms.
    pub started_at: u64,
    /// Epoch ms.
    pub answered_at: Option<u64>,
    /// Epoch ms.
    pub ended_at: u64,
}

/// The user's preferences, stored in the app's config directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Ringtone and ringback.
    pub sounds: bool,
    /// Let invitations ring (quietly) during a call instead of refusing them as busy.
    pub call_waiting: bool,
    /// e.g. `https://meet.example.org/{channel}`; empty for none.
    pub meeting_link_template: String,
    /// Start the app when the user logs in.
    pub start_at_login: bool,
    /// Starred uids.
    pub favourites: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sounds: true,
            call_waiting: false,
            meeting_link_template: String::new(),
            start_at_login: false,
            favourites: Vec::new(),
        }
    }
}

/// The fields `update_settings` may change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SettingsPatch {
    /// New `sounds`.
    pub sounds: Option<bool>,
    /// New `callWaiting`.
    pub call_waiting: Option<bool>,
    /// New `meetingLinkTemplate`.
    pub meeting_link_template: Option<String>,
    /// New `startAtLogin`.
    pub start_at_login: Option<bool>,
}

/// Result of `get_state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    /// The session.
    pub session: Session,
    /// The connection.
    pub connection: Connection,
    /// The directory.
    pub directory: Vec<DirectoryEntry>,
    /// This device's outgoing invitations.
    pub outgoing: Vec<OutgoingCall>,
    /// Invitations ringing here.
    pub incoming: Vec<IncomingCall>,
    /// Calls, live and ended-but-not-dismissed.
    pub calls: Vec<Call>,
    /// The missed-call badge.
    pub missed: Missed,
    /// The settings.
    pub settings: Settings,
}

/// Every event the backend emits, with its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiEvent {
    /// `session`
    Session(Session),
    /// `connection`
    Connection(Connection),
    /// `directory`
    Directory(Vec<DirectoryEntry>),
    /// `presence`
    Presence(PresenceChange),
    /// `outgoing`
    Outgoing(Vec<OutgoingCall>),
    /// `incoming`
    Incoming(Vec<IncomingCall>),
    /// `calls`
    Calls(Vec<Call>),
    /// `history`
    History(Vec<CallRecord>),
    /// `missed`
    Missed(Missed),
    /// `settings`
    Settings(Settings),
    /// `error`
    Error(AppError),
}

impl UiEvent {
    /// The event's name, as the UI listens for it.
    pub fn name(&self) -> &'static str {
        match self {
            UiEvent::Session(_) => "session",
            UiEvent::Connection(_) => "connection",
            UiEvent::Directory(_) => "directory",
            UiEvent::Presence(_) => "presence",
            UiEvent::Outgoing(_) => "outgoing",
            UiEvent::Incoming(_) => "incoming",
            UiEvent::Calls(_) => "calls",
            UiEvent::History(_) => "history",
            UiEvent::Missed(_) => "missed",
            UiEvent::Settings(_) => "settings",
            UiEvent::Error(_) => "error",
        }
    }

    /// The payload as JSON.
    pub fn payload(&self) -> serde_json::Value {
        let value = match self {
            UiEvent::Session(p) => serde_json::to_value(p),
            UiEvent::Connection(p) => serde_json::to_value(p),
            UiEvent::Directory(p) => serde_json::to_value(p),
            UiEvent::Presence(p) => serde_json::to_value(p),
            UiEvent::Outgoing(p) => serde_json::to_value(p),
            UiEvent::Incoming(p) => serde_json::to_value(p),
            UiEvent::Calls(p) => serde_json::to_value(p),
            UiEvent::History(p) => serde_json::to_value(p),
            UiEvent::Missed(p) => serde_json::to_value(p),
            UiEvent::Settings(p) => serde_json::to_value(p),
            UiEvent::Error(p) => serde_json::to_value(p),
        };
        // Every payload is plain data with string keys, so serialising cannot fail.
        value.unwrap_or(serde_json::Value::Null)
    }
}
