//! Short, readable forms of events and frames, so scenarios can assert exact sequences.

use ringer_engine::Event;
use ringer_proto::{ClientFrame, InvitationId, ServerFrame};

/// The wire name of a vocabulary value (`answered_elsewhere`, `peer_offline`, …): its variant
/// name in snake_case, as the protocol spells it.
pub fn name<T: std::fmt::Debug>(value: &T) -> String {
    let mut out = String::new();
    for (i, c) in format!("{value:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The invitation an event is about, if any.
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

/// An event as SPEC.md names it, with its arguments: `local_invitation_refused(i1, declined)`.
pub fn event(event: &Event) -> String {
    match event {
        Event::LocalInvitationReceivedByPeer { id } => {
            format!("local_invitation_received_by_peer({id})")
        }
        Event::LocalInvitationAccepted { id, response } => match response {
            Some(r) => format!("local_invitation_accepted({id}, {})", r.as_str()),
            None => format!("local_invitation_accepted({id})"),
        },
        Event::LocalInvitationRefused { id, reason, .. } => {
            format!("local_invitation_refused({id}, {})", name(reason))
        }
        Event::LocalInvitationCanceled { id } => format!("local_invitation_canceled({id})"),
        Event::LocalInvitationFailure { id, reason, .. } => {
            format!("local_invitation_failure({id}, {})", name(reason))
        }
        Event::RemoteInvitationReceived { invitation } => {
            format!(
                "remote_invitation_received({}, from {})",
                invitation.id, invitation.caller
            )
        }
        Event::RemoteInvitationAccepted { id } => format!("remote_invitation_accepted({id})"),
        Event::RemoteInvitationRefused { id } => format!("remote_invitation_refused({id})"),
        Event::RemoteInvitationCanceled { id, reason } => {
            format!("remote_invitation_canceled({id}, {})", name(reason))
        }
        Event::RemoteInvitationFailure { id, reason } => {
            format!("remote_invitation_failure({id}, {})", name(reason))
        }
        Event::CallEnded { id, reason, by } => match by {
            Some(by) => format!("call_ended({id}, {}, by {by})", name(reason)),
            None => format!("call_ended({id}, {})", name(reason)),
        },
        Event::ConnectionStateChanged { state, reason } => {
            format!("connection({state}, {reason:?})")
        }
        Event::LoggedIn { .. } => "logged_in".into(),
        Event::PresenceChanged { uid, presence } => format!("presence({uid}, {})", name(presence)),
        Event::StatusChanged { status, .. } => format!("status_changed({})", name(status)),
        Event::Reply { req, .. } => format!("reply({req})"),
        Event::RequestFailed { code, .. } => format!("request_failed({code})"),
    }
}

/// A client frame as `kind` or `kind(id)`.
pub fn client_frame(frame: &ClientFrame) -> String {
    match client_frame_id(frame) {
        Some(id) => format!("{}({id})", frame.kind()),
        None => frame.kind().to_owned(),
    }
}

/// The invitation a client frame is about, if any.
pub fn client_frame_id(frame: &ClientFrame) -> Option<&InvitationId> {
    match frame {
        ClientFrame::Invite { id, .. }
        | ClientFrame::Received { id }
        | ClientFrame::Cancel { id, .. }
        | ClientFrame::Accept { id, .. }
        | ClientFrame::Refuse { id, .. }
        | ClientFrame::Confirm { id }
        | ClientFrame::HangUp { id, .. } => Some(id),
        ClientFrame::Login { .. }
        | ClientFrame::Authenticate { .. }
        | ClientFrame::Logout { .. }
        | ClientFrame::RenewToken { .. }
        | ClientFrame::SetStatus { .. }
        | ClientFrame::QueryPresence { .. }
        | ClientFrame::Subscribe { .. }
        | ClientFrame::Unsubscribe { .. }
        | ClientFrame::History { .. }
        | ClientFrame::Directory { .. }
        | ClientFrame::Ping {} => None,
    }
}

/// A server frame as `kind(id[, reason])`; errors as `error(code)`.
pub fn server_frame(frame: &ServerFrame) -> String {
    match frame {
        ServerFrame::Welcome(w) => format!("welcome({} entries)", w.snapshot.len()),
        ServerFrame::Ok { .. } => "ok".into(),
        ServerFrame::Error { code, .. } => format!("error({code})"),
        ServerFrame::TokenRenewed { .. } => "token_renewed".into(),
        ServerFrame::Pong {} => "pong".into(),
        ServerFrame::Invitation { invitation } => format!("invitation({})", invitation.id),
        ServerFrame::ReceivedByPeer { id } => format!("received_by_peer({id})"),
        ServerFrame::Accepted { id, .. } => format!("accepted({id})"),
        ServerFrame::Refused { id, reason, .. } => format!("refused({id}, {})", name(reason)),
        ServerFrame::Canceled { id, reason } => format!("canceled({id}, {})", name(reason)),
        ServerFrame::Failed { id, reason } => format!("failed({id}, {})", name(reason)),
        ServerFrame::AcceptConfirmed { id } => format!("accept_confirmed({id})"),
        ServerFrame::CallEnded { id, reason, .. } => format!("call_ended({id}, {})", name(reason)),
        ServerFrame::Presence { uid, presence } => format!("presence({uid}, {})", name(presence)),
        ServerFrame::StatusChanged { status, .. } => format!("status_changed({})", name(status)),
        ServerFrame::PresenceResult { .. } => "presence_result".into(),
        ServerFrame::HistoryResult { .. } => "history_result".into(),
        ServerFrame::DirectoryResult { .. } => "directory_result".into(),
    }
}
