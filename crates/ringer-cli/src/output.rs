//! What the CLI prints: one line per event, as readable text or as one JSON object.
//!
//! [`Line`] is everything a command can print; [`json_line`] and [`human_line`] are pure so the
//! format can be tested, and [`Printer`] writes them and remembers who each invitation is with.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringer_engine::{Event, Reply};
use ringer_proto::{
    CallRecord, CancelReason, ChannelId, Content, DirectoryEntry, FailureReason, InvitationId,
    Presence, PresenceEntry, RefuseReason, Uid,
};
use serde_json::{Value, json};

/// One thing a command prints.
#[derive(Debug, Clone, Copy)]
pub enum Line<'a> {
    /// An engine event; `peer` is the other party of the invitation it is about, when known.
    Event {
        /// The event.
        event: &'a Event,
        /// The other party.
        peer: Option<&'a Uid>,
    },
    /// `call` sent its invitation.
    InvitationSent {
        /// The invitation's id.
        id: &'a InvitationId,
        /// The callee.
        peer: &'a Uid,
        /// The content sent.
        content: Option<&'a Content>,
        /// The channel sent.
        channel_id: Option<&'a ChannelId>,
    },
    /// One uid's presence, from `presence`.
    Presence(&'a PresenceEntry),
    /// One call record, from `history`.
    HistoryRecord(&'a CallRecord),
    /// One account, from `directory`.
    DirectoryEntry(&'a DirectoryEntry),
    /// `logout` revoked the token (or found it already invalid) and deleted it.
    LoggedOut {
        /// Whose token.
        uid: &'a Uid,
    },
    /// A command failed.
    Error {
        /// The exit-status class: `usage`, `auth`, `unreachable`, `interrupted`, `error`.
        kind: &'a str,
        /// What went wrong.
        message: &'a str,
    },
}

/// Writes [`Line`]s in the chosen format and tracks the peer of each invitation.
pub struct Printer {
    json: bool,
    out: Box<dyn Write + Send>,
    peers: HashMap<InvitationId, Uid>,
}

impl Printer {
    /// A printer to standard output.
    pub fn stdout(json: bool) -> Self {
        Printer::new(json, Box::new(io::stdout()))
    }

    /// A printer to any writer.
    pub fn new(json: bool, out: Box<dyn Write + Send>) -> Self {
        Printer {
            json,
            out,
            peers: HashMap::new(),
        }
    }

    /// Whether the output is JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Records that invitation `id` is with `peer`, for later events about it.
    pub fn remember_peer(&mut self, id: InvitationId, peer: Uid) {
        self.peers.insert(id, peer);
    }

    /// The peer recorded for `id`.
    pub fn peer(&self, id: &InvitationId) -> Option<&Uid> {
        self.peers.get(id)
    }

    /// Prints an engine event, naming its peer.
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        if let Event::RemoteInvitationReceived { invitation } = event {
            self.peers
                .insert(invitation.id.clone(), invitation.caller.clone());
        }
        let peer = event_id(event).and_then(|id| self.peers.get(id)).cloned();
        self.print(&Line::Event {
            event,
            peer: peer.as_ref(),
        })
    }

    /// Prints one line.
    pub fn print(&mut self, line: &Line<'_>) -> io::Result<()> {
        let text = if self.json {
            json_line(line).to_string()
        } else {
            human_line(line)
        };
        writeln!(self.out, "{text}")?;
        self.out.flush()
    }
}

/// The invitation an event is about.
pub fn event_id(event: &Event) -> Option<&InvitationId> {
    match event {
        Event::LocalInvitationReceivedByPeer { id }
        | Event::LocalInvitationAccepted { id, .. }
        | Event::LocalInvitationRefused { id, .. }
        | Event::LocalInvitationCanceled { id }
        | Event::LocalInvitationFailure { id, .. }
        | Event::RemoteInvitationAccepted { id }
        | Event::RemoteInvitationRefused { id }
        | Event::RemoteInvitationCanceled { id, .. }
        | Event::RemoteInvitationFailure { id, .. }
        | Event::CallEnded { id, .. } => Some(id),
        Event::RemoteInvitationReceived { invitation } => Some(&invitation.id),
        Event::ConnectionStateChanged { .. }
        | Event::LoggedIn { .. }
        | Event::PresenceChanged { .. }
        | Event::StatusChanged { .. }
        | Event::Reply { .. }
        | Event::RequestFailed { .. } => None,
    }
}

/// The JSON object for a line. Its `event` field names it with SPEC's event names.
pub fn json_line(line: &Line<'_>) -> Value {
    match *line {
        Line::Event { event, peer } => json_event(event, peer),
        Line::InvitationSent {
            id,
            peer,
            content,
            channel_id,
        } => json!({
            "event": "invitation_sent",
            "id": id,
            "peer": peer,
            "content": content,
            "channel_id": channel_id,
        }),
        Line::Presence(entry) => json!({
            "event": "presence",
            "uid": entry.uid,
            "presence": entry.presence,
        }),
        Line::HistoryRecord(record) => json!({
            "event": "history_record",
            "id": record.id,
            "peer": record.peer,
            "direction": record.direction,
            "outcome": record.outcome,
            "reason": record.reason,
            "missed": record.missed,
            "started_at": record.started_at,
            "answered_at": record.answered_at,
            "ended_at": record.ended_at,
        }),
        Line::DirectoryEntry(entry) => json!({
            "event": "directory_entry",
            "uid": entry.uid,
            "display_name": entry.display_name,
            "presence": entry.presence,
        }),
        Line::LoggedOut { uid } => json!({ "event": "logged_out", "uid": uid }),
        Line::Error { kind, message } => json!({
            "event": "error",
            "kind": kind,
            "message": message,
        }),
    }
}

fn json_event(event: &Event, peer: Option<&Uid>) -> Value {
    match event {
        Event::LocalInvitationReceivedByPeer { id } => json!({
            "event": "local_invitation_received_by_peer", "id": id, "peer": peer,
        }),
        Event::LocalInvitationAccepted { id, response } => json!({
            "event": "local_invitation_accepted", "id": id, "peer": peer, "response": response,
        }),
        Event::LocalInvitationRefused {
            id,
            response,
            reason,
        } => json!({
            "event": "local_invitation_refused", "id": id, "peer": peer,
            "response": response, "reason": reason,
        }),
        Event::LocalInvitationCanceled { id } => json!({
            "event": "local_invitation_canceled", "id": id, "peer": peer,
        }),
        Event::LocalInvitationFailure { id, reason, error } => json!({
            "event": "local_invitation_failure", "id": id, "peer": peer, "reason": reason,
            "code": error.as_ref().map(|e| e.code),
            "message": error.as_ref().map(|e| &e.message),
        }),
        Event::RemoteInvitationReceived { invitation } => json!({
            "event": "remote_invitation_received",
            "id": invitation.id,
            "peer": invitation.caller,
            "peer_name": invitation.caller_name,
            "content": invitation.content,
            "channel_id": invitation.channel_id,
            "sent_at": invitation.sent_at,
        }),
        Event::RemoteInvitationAccepted { id } => json!({
            "event": "remote_invitation_accepted", "id": id, "peer": peer,
        }),
        Event::RemoteInvitationRefused { id } => json!({
            "event": "remote_invitation_refused", "id": id, "peer": peer,
        }),
        Event::RemoteInvitationCanceled { id, reason } => json!({
            "event": "remote_invitation_canceled", "id": id, "peer": peer, "reason": reason,
        }),
        Event::RemoteInvitationFailure { id, reason } => json!({
            "event": "remote_invitation_failure", "id": id, "peer": peer, "reason": reason,
        }),
        Event::CallEnded { id, reason, by } => json!({
            "event": "call_ended", "id": id, "peer": peer, "reason": reason, "by": by,
        }),
        Event::ConnectionStateChanged { state, reason } => json!({
            "event": "connection_state_changed",
            "state": state.as_str(),
            "reason": reason.as_str(),
        }),
        Event::LoggedIn {
            uid,
            display_name,
            token: _,
            token_expires_at,
            status,
            call_waiting,
        } => json!({
            "event": "logged_in",
            "uid": uid,
            "display_name": display_name,
            "token_expires_at": token_expires_at,
            "status": status,
            "call_waiting": call_waiting,
        }),
        Event::PresenceChanged { uid, presence } => json!({
            "event": "presence", "uid": uid, "presence": presence,
        }),
        Event::StatusChanged {
            status,
            call_waiting,
        } => json!({
            "event": "status_changed", "status": status, "call_waiting": call_waiting,
        }),
        Event::Reply { req, reply } => json!({
            "event": "reply", "req": req, "reply": reply_name(reply),
        }),
        Event::RequestFailed { req, code, message } => json!({
            "event": "error", "kind": "server", "req": req, "code": code, "message": message,
        }),
    }
}

/// The readable text for a line.
pub fn human_line(line: &Line<'_>) -> String {
    match *line {
        Line::Event { event, peer } => human_event(event, peer),
        Line::InvitationSent {
            id,
            peer,
            content,
            channel_id,
        } => {
            let mut text = format!("calling {peer} (invitation {id})");
            if let Some(content) = content {
                text.push_str(&format!(", content {:?}", content.as_str()));
            }
            if let Some(channel) = channel_id {
                text.push_str(&format!(", channel {:?}", channel.as_str()));
            }
            text
        }
        Line::Presence(entry) => format!("{}: {}", entry.uid, presence_text(entry.presence)),
        Line::HistoryRecord(record) => human_record(record),
        Line::DirectoryEntry(entry) => format!(
            "{}\t{}\t{}",
            entry.uid,
            entry.display_name,
            presence_text(entry.presence)
        ),
        Line::LoggedOut { uid } => format!("logged out {uid}"),
        Line::Error { message, .. } => format!("error: {message}"),
    }
}

fn human_event(event: &Event, peer: Option<&Uid>) -> String {
    let who = peer.map_or_else(|| "the peer".to_owned(), Uid::to_string);
    match event {
        Event::LocalInvitationReceivedByPeer { .. } => format!("ringing {who}"),
        Event::LocalInvitationAccepted { response, .. } => {
            format!("{who} accepted{}", response_suffix(response.as_deref()))
        }
        Event::LocalInvitationRefused {
            response, reason, ..
        } => format!(
            "{who} refused: {}{}",
            refuse_text(*reason),
            response_suffix(response.as_deref())
        ),
        Event::LocalInvitationCanceled { .. } => format!("call to {who} canceled"),
        // The wire reason stands in for an error the server answered the invite with: say the
        // error, not what the reason would mean (no account).
        Event::LocalInvitationFailure {
            error: Some(error), ..
        } => format!(
            "call to {who} failed: server refused the request: {}: {}",
            error.code, error.message
        ),
        Event::LocalInvitationFailure {
            reason,
            error: None,
            ..
        } => format!("call to {who} failed: {}", failure_text(*reason)),
        Event::RemoteInvitationReceived { invitation } => {
            let mut text = format!(
                "incoming call from {} ({}), invitation {}",
                invitation.caller, invitation.caller_name, invitation.id
            );
            if let Some(content) = &invitation.content {
                text.push_str(&format!(", content {:?}", content.as_str()));
            }
            if let Some(channel) = &invitation.channel_id {
                text.push_str(&format!(", channel {:?}", channel.as_str()));
            }
            text
        }
        Event::RemoteInvitationAccepted { .. } => format!("in a call with {who}"),
        Event::RemoteInvitationRefused { .. } => format!("refused the call from {who}"),
        Event::RemoteInvitationCanceled { reason, .. } => {
            format!("call from {who} {}", cancel_text(*reason))
        }
        Event::RemoteInvitationFailure { reason, .. } => {
            format!("call from {who} failed: {}", failure_text(*reason))
        }
        Event::CallEnded { reason, by, .. } => {
            let by = by
                .as_ref()
                .map(|uid| format!(" by {uid}"))
                .unwrap_or_default();
            format!("call with {who} ended: {}{by}", call_end_text(*reason))
        }
        Event::ConnectionStateChanged { state, reason } => format!(
            "connection {} ({})",
            state.as_str(),
            reason.as_str().replace('_', " ")
        ),
        Event::LoggedIn {
            uid, display_name, ..
        } => format!("signed in as {uid} ({display_name})"),
        Event::PresenceChanged { uid, presence } => {
            format!("{uid}: {}", presence_text(*presence))
        }
        Event::StatusChanged {
            status,
            call_waiting,
        } => format!(
            "status {}, call waiting {}",
            enum_name(status),
            if *call_waiting { "on" } else { "off" }
        ),
        Event::Reply { req, reply } => format!("request {req}: {}", reply_name(reply)),
        Event::RequestFailed { code, message, .. } => format!("error: {code}: {message}"),
    }
}

fn human_record(record: &CallRecord) -> String {
    let arrow = match record.direction {
        ringer_proto::Direction::Outgoing => "to",
        ringer_proto::Direction::Incoming => "from",
    };
    let mut text = format!(
        "{} {} {} {}",
        format_time(record.started_at),
        arrow,
        record.peer,
        enum_name(&record.outcome)
    );
    if let Some(reason) = &record.reason {
        text.push_str(&format!(" ({reason})"));
    }
    if record.missed {
        text.push_str(", missed");
    }
    if let Some(answered) = record.answered_at {
        let seconds = record.ended_at.saturating_sub(answered) / 1000;
        text.push_str(&format!(", {seconds} s"));
    }
    text
}

/// Milliseconds since the epoch as an RFC 3339 UTC time, to the second.
fn format_time(millis: u64) -> String {
    let time = UNIX_EPOCH + Duration::from_millis(millis);
    humantime::format_rfc3339_seconds(time.max(SystemTime::UNIX_EPOCH)).to_string()
}

fn response_suffix(response: Option<&str>) -> String {
    match response {
        Some(text) if !text.is_empty() => format!(", response {text:?}"),
        Some(_) | None => String::new(),
    }
}

/// Readable text for a failure reason, naming the wire name too.
pub fn failure_text(reason: FailureReason) -> String {
    let text = match reason {
        FailureReason::PeerOffline => "the peer is offline",
        FailureReason::PeerNoResponse => "the peer's devices did not respond",
        FailureReason::InvitationExpire => "no answer",
        FailureReason::PeerUnknown => "unknown user",
        FailureReason::NotLoggedIn => "not logged in",
        FailureReason::AcceptFailure => "the accept was not confirmed",
        FailureReason::Glare => "both called each other; the other call won",
        FailureReason::ServerRestart => "the server restarted",
    };
    format!("{text} ({})", enum_name(&reason))
}

fn refuse_text(reason: RefuseReason) -> &'static str {
    match reason {
        RefuseReason::Declined => "declined",
        RefuseReason::Busy => "busy",
        RefuseReason::Dnd => "do not disturb",
    }
}

fn cancel_text(reason: CancelReason) -> &'static str {
    match reason {
        CancelReason::Canceled => "canceled",
        CancelReason::AnsweredElsewhere => "answered on another device",
        CancelReason::DeclinedElsewhere => "declined on another device",
    }
}

fn call_end_text(reason: ringer_proto::CallEndReason) -> &'static str {
    match reason {
        ringer_proto::CallEndReason::Hangup => "hung up",
        ringer_proto::CallEndReason::ConnectionLost => "connection lost",
        ringer_proto::CallEndReason::ServerRestart => "the server restarted",
    }
}

fn presence_text(presence: Presence) -> &'static str {
    match presence {
        Presence::Online => "online",
        Presence::Offline => "offline",
        Presence::Dnd => "do not disturb",
        Presence::InCall => "in a call",
    }
}

fn reply_name(reply: &Reply) -> &'static str {
    match reply {
        Reply::Ok => "ok",
        Reply::Presence(_) => "presence",
        Reply::History(_) => "history",
        Reply::Directory(_) => "directory",
        Reply::TokenRenewed { .. } => "token_renewed",
    }
}

/// The wire (snake_case) name of a protocol enum value.
fn enum_name<T: serde::Serialize>(value: &T) -> String {
    if let Ok(Value::String(name)) = serde_json::to_value(value) {
        name
    } else {
        "?".to_owned()
    }
}
