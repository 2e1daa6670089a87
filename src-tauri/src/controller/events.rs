//! What each engine event does to the state and the desktop.

use std::time::{SystemTime, UNIX_EPOCH};

use ringer_client::{ConnectionChangeReason, Event, ServerError};
use ringer_proto::{
    CallEndReason, CancelReason, ErrorCode, FailureReason, InvitationId, InvitationInfo,
    RefuseReason, Status,
};
use tokio::sync::watch;

use super::links::meeting_url;
use super::{Controller, Effect, Effects, Meta, State, now_ms};
use crate::error::AppError;
use crate::integration::{Integration, Notice};
use crate::payload::{
    Call, CallDirection, CallState, Connection, ConnectionState, EndReason, IncomingCall,
    IncomingState, Missed, OutgoingState, PresenceChange, UiEvent,
};

/// What to do after an event, outside the state lock.
enum FollowUp {
    None,
    /// The caller's invitation rang during a call without call waiting: refuse it as busy.
    RefuseBusy(InvitationId),
    /// An invitation or call ended: its record is worth fetching.
    History,
    /// A (re)login: fetch directory and history, sync call waiting.
    Refresh {
        call_waiting: bool,
    },
    /// The server refused the session.
    LoseSession(AppError),
}

impl<I: Integration> Controller<I> {
    /// Feeds the events of sign-in `generation`'s client to the controller until it ends, and
    /// keeps `connection.retryAt` on the driver's next reconnect attempt.
    pub(super) fn spawn_events(&self, generation: u64, mut events: ringer_client::EventStream) {
        let this = self.clone();
        tokio::spawn(async move {
            while let Some(event) = events.next().await {
                this.handle_event(generation, event);
            }
        });
        if let Some(client) = self.client_of(generation) {
            self.spawn_retry_watch(generation, client.next_attempt());
        }
    }

    /// Follows the driver's next dial time: a failed dial while reconnecting changes it without
    /// any engine event, so the countdown cannot come from the event stream alone.
    fn spawn_retry_watch(&self, generation: u64, mut next: watch::Receiver<Option<SystemTime>>) {
        let this = self.clone();
        tokio::spawn(async move {
            // Ends with the driver task (the sender is dropped) or with this sign-in.
            while next.changed().await.is_ok() {
                let at = *next.borrow_and_update();
                let current = this.update(|st, fx| {
                    if !st.generation_is(generation) {
                        return false;
                    }
                    let retry_at = retry_at(st.connection.state, at);
                    if st.connection.retry_at != retry_at {
                        st.connection.retry_at = retry_at;
                        fx.emit(UiEvent::Connection(st.connection.clone()));
                    }
                    true
                });
                if !current {
                    break;
                }
            }
        });
    }

    /// Applies one engine event of sign-in `generation`'s client.
    pub(super) fn handle_event(&self, generation: u64, event: Event) {
        tracing::debug!(?event, "engine event");
        let follow_up = self.update(|st, fx| {
            if !st.generation_is(generation) {
                return FollowUp::None;
            }
            apply_event(st, fx, event)
        });
        match follow_up {
            FollowUp::None => {}
            FollowUp::RefuseBusy(id) => {
                if let Some(client) = self.client_of(generation) {
                    tokio::spawn(async move {
                        if let Err(error) = client.refuse(id, None, Some(RefuseReason::Busy)).await
                        {
                            tracing::warn!(%error, "cannot refuse as busy");
                        }
                    });
                }
            }
            FollowUp::History => self.spawn_history_refresh(generation),
            FollowUp::Refresh { call_waiting } => self.spawn_refresh(generation, call_waiting),
            FollowUp::LoseSession(error) => self.spawn_lose_session(generation, error),
        }
    }
}

fn apply_event(st: &mut State, fx: &mut Effects, event: Event) -> FollowUp {
    match event {
        Event::LocalInvitationReceivedByPeer { id } => {
            set_outgoing(st, fx, &id, |call| {
                if call.state == OutgoingState::Calling {
                    call.state = OutgoingState::Ringing;
                }
            });
            FollowUp::None
        }
        Event::LocalInvitationAccepted { id, response } => {
            let key = id.as_str().to_owned();
            st.outgoing.retain(|call| call.id != key);
            fx.emit(UiEvent::Outgoing(st.outgoing.clone()));
            tracing::debug!(id = %key, ?response, "accepted by the peer");
            start_call(st, fx, &key);
            FollowUp::None
        }
        Event::LocalInvitationRefused {
            id,
            response,
            reason,
        } => {
            set_outgoing(st, fx, &id, |call| {
                call.state = OutgoingState::Refused;
                call.reason = Some(EndReason::Refused(reason));
                call.response = response.map(|r| r.into_string());
            });
            FollowUp::History
        }
        Event::LocalInvitationCanceled { id } => {
            set_outgoing(st, fx, &id, |call| call.state = OutgoingState::Canceled);
            FollowUp::History
        }
        Event::LocalInvitationFailure { id, reason, error } => {
            set_outgoing(st, fx, &id, |call| {
                call.state = OutgoingState::Failed;
                call.reason = Some(EndReason::Failed(reason));
                // The card words the server's refusal; the engine sends no RequestFailed for it,
                // so no toast repeats it.
                call.error =
                    error.map(|ServerError { code, message }| AppError::Code { code, message });
            });
            FollowUp::History
        }
        Event::RemoteInvitationReceived { invitation } => ring(st, fx, invitation),
        Event::RemoteInvitationAccepted { id } => {
            end_incoming(st, fx, id.as_str(), false);
            start_call(st, fx, id.as_str());
            FollowUp::None
        }
        Event::RemoteInvitationRefused { id } => {
            end_incoming(st, fx, id.as_str(), false);
            FollowUp::History
        }
        Event::RemoteInvitationCanceled { id, reason } => {
            let missed = match reason {
                CancelReason::Canceled => true,
                CancelReason::AnsweredElsewhere | CancelReason::DeclinedElsewhere => false,
            };
            end_incoming(st, fx, id.as_str(), missed);
            FollowUp::History
        }
        Event::RemoteInvitationFailure { id, reason } => {
            let missed = match reason {
                FailureReason::InvitationExpire
                | FailureReason::PeerOffline
                | FailureReason::PeerNoResponse
                | FailureReason::ServerRestart => true,
                // accept_failure: the user did answer; glare: the user is in the other call;
                // not_logged_in: this device signed out.
                FailureReason::AcceptFailure
                | FailureReason::Glare
                | FailureReason::NotLoggedIn
                | FailureReason::PeerUnknown => false,
            };
            let was_ours = st.incoming.iter().any(|call| call.id == id.as_str());
            end_incoming(st, fx, id.as_str(), missed);
            if reason == FailureReason::AcceptFailure && was_ours {
                fx.emit(UiEvent::Error(AppError::AcceptFailure));
            }
            FollowUp::History
        }
        Event::CallEnded { id, reason, by } => {
            end_call(st, fx, id.as_str(), reason, by.map(|uid| uid.into_string()));
            FollowUp::History
        }
        Event::ConnectionStateChanged { state, reason } => {
            let state_now = connection_state(state);
            // The driver may already have scheduled the next dial; if not, the retry watch
            // fills it in when it does.
            let next_attempt = st
                .link
                .as_ref()
                .and_then(|link| *link.client.next_attempt().borrow());
            st.connection = Connection {
                state: state_now,
                reason: Some(reason.as_str().to_owned()),
                retry_at: retry_at(state_now, next_attempt),
            };
            fx.emit(UiEvent::Connection(st.connection.clone()));
            let signed_in = st.session.state == crate::payload::SessionState::SignedIn;
            let aborted = state == ringer_client::ConnectionState::Aborted;
            match lost_session_error(reason) {
                Some(error) if aborted && signed_in => FollowUp::LoseSession(error),
                Some(_) | None => FollowUp::None,
            }
        }
        Event::LoggedIn {
            display_name,
            status,
            call_waiting,
            ..
        } => {
            if st.session.state != crate::payload::SessionState::SignedIn {
                // The sign-in itself finishes the session; this is its first welcome.
                return FollowUp::None;
            }
            st.session.display_name = Some(display_name.into_string());
            st.session.status = Some(status);
            fx.emit(UiEvent::Session(st.session.clone()));
            FollowUp::Refresh { call_waiting }
        }
        Event::PresenceChanged { uid, presence } => {
            if let Some(entry) = st.directory.iter_mut().find(|e| e.uid == uid.as_str()) {
                entry.presence = presence;
            }
            fx.emit(UiEvent::Presence(PresenceChange {
                uid: uid.into_string(),
                presence,
            }));
            FollowUp::None
        }
        Event::StatusChanged {
            status,
            call_waiting,
        } => {
            let was = st.session.status.replace(status);
            fx.emit(UiEvent::Session(st.session.clone()));
            if st.settings.call_waiting != call_waiting {
                // Another device of this user changed it; the preference is per user.
                st.settings.call_waiting = call_waiting;
                fx.emit(UiEvent::Settings(st.settings.clone()));
            }
            if was == Some(Status::Dnd) && status == Status::Available {
                // The calls refused meanwhile never rang here: the history has them.
                FollowUp::History
            } else {
                FollowUp::None
            }
        }
        Event::Reply { .. } => FollowUp::None,
        Event::RequestFailed { code, message, .. } => {
            if code != ErrorCode::AlreadyEnd {
                fx.emit(UiEvent::Error(AppError::Code { code, message }));
            }
            FollowUp::None
        }
    }
}

fn set_outgoing(
    st: &mut State,
    fx: &mut Effects,
    id: &InvitationId,
    change: impl FnOnce(&mut crate::payload::OutgoingCall),
) {
    if let Some(call) = st.outgoing.iter_mut().find(|c| c.id == id.as_str()) {
        change(call);
        fx.emit(UiEvent::Outgoing(st.outgoing.clone()));
    }
}

/// A new invitation for this user: ring, or refuse as busy during a call without call waiting.
fn ring(st: &mut State, fx: &mut Effects, invitation: InvitationInfo) -> FollowUp {
    let id = invitation.id.as_str().to_owned();
    if st.incoming.iter().any(|call| call.id == id) {
        return FollowUp::None;
    }
    let in_call = st.in_call();
    if in_call && !st.settings.call_waiting {
        // The server refuses these itself when it knows; this covers the race where the call
        // started here before the server's busy check saw it.
        return FollowUp::RefuseBusy(invitation.id);
    }
    let caller = invitation.caller.into_string();
    let caller_name = invitation.caller_name.into_string();
    let content = invitation.content.map(|c| c.into_string());
    st.invitations.insert(
        id.clone(),
        Meta {
            peer: caller.clone(),
            peer_name: caller_name.clone(),
            direction: CallDirection::Incoming,
            channel: invitation.channel_id.map(|c| c.into_string()),
        },
    );
    st.incoming.push(IncomingCall {
        id: id.clone(),
        caller,
        caller_name: caller_name.clone(),
        content: content.clone(),
        state: IncomingState::Ringing,
        // A call-waiting ring is quiet: no ringtone over the live call.
        silenced: in_call,
        popup: true,
        received_at: now_ms(),
    });
    fx.emit(UiEvent::Incoming(st.incoming.clone()));
    fx.push(Effect::Notify(Notice::Incoming {
        id: id.clone(),
        caller_name,
        content,
        quiet: in_call,
    }));
    fx.push(Effect::OpenWindow(id));
    FollowUp::None
}

/// An invitation stopped ringing here: withdraw everything at once, and count it as missed when
/// it ended unanswered.
fn end_incoming(st: &mut State, fx: &mut Effects, id: &str, missed: bool) {
    let Some(position) = st.incoming.iter().position(|call| call.id == id) else {
        return;
    };
    let call = st.incoming.remove(position);
    fx.push(Effect::Withdraw(call.id.clone()));
    fx.push(Effect::CloseWindow(call.id.clone()));
    fx.emit(UiEvent::Incoming(st.incoming.clone()));
    // An invitation this device had accepted was answered, whatever won the race.
    if missed && call.state == IncomingState::Ringing {
        st.missed += 1;
        fx.push(Effect::Notify(Notice::Missed {
            id: call.id,
            caller_name: call.caller_name,
            calls: 1,
            content: call.content,
        }));
        fx.emit(UiEvent::Missed(Missed { count: st.missed }));
        fx.push(Effect::Badge(st.missed));
    }
}

/// An invitation became a live call here; opens the meeting link when one is configured.
fn start_call(st: &mut State, fx: &mut Effects, id: &str) {
    if st.calls.iter().any(|call| call.id == id) {
        return;
    }
    let Some(meta) = st.invitations.get(id).cloned() else {
        tracing::warn!(%id, "a call started for an invitation this device never saw");
        return;
    };
    let meeting = meeting_url(&st.settings.meeting_link_template, meta.channel.as_deref());
    st.calls.push(Call {
        id: id.to_owned(),
        peer: meta.peer,
        peer_name: meta.peer_name,
        direction: meta.direction,
        state: CallState::Active,
        since: now_ms(),
        ended_at: None,
        end_reason: None,
        ended_by: None,
        channel_id: meta.channel,
        meeting_url: meeting.clone(),
    });
    fx.emit(UiEvent::Calls(st.calls.clone()));
    if let Some(url) = meeting {
        fx.push(Effect::OpenUrl(url));
    }
}

fn end_call(st: &mut State, fx: &mut Effects, id: &str, reason: CallEndReason, by: Option<String>) {
    if let Some(call) = st
        .calls
        .iter_mut()
        .find(|call| call.id == id && call.state == CallState::Active)
    {
        call.state = CallState::Ended;
        call.ended_at = Some(now_ms());
        call.end_reason = Some(reason);
        call.ended_by = by;
        fx.emit(UiEvent::Calls(st.calls.clone()));
    }
}

fn connection_state(state: ringer_client::ConnectionState) -> ConnectionState {
    match state {
        ringer_client::ConnectionState::Disconnected => ConnectionState::Disconnected,
        ringer_client::ConnectionState::Connecting => ConnectionState::Connecting,
        ringer_client::ConnectionState::Connected => ConnectionState::Connected,
        ringer_client::ConnectionState::Reconnecting => ConnectionState::Reconnecting,
        ringer_client::ConnectionState::Aborted => ConnectionState::Aborted,
    }
}

/// `connection.retryAt`: the next dial in local epoch ms, only while reconnecting.
fn retry_at(state: ConnectionState, next_attempt: Option<SystemTime>) -> Option<u64> {
    match state {
        ConnectionState::Reconnecting => next_attempt.map(|at| {
            at.duration_since(UNIX_EPOCH).map_or(0, |since| {
                u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
            })
        }),
        ConnectionState::Disconnected
        | ConnectionState::Connecting
        | ConnectionState::Connected
        | ConnectionState::Aborted => None,
    }
}

/// The error to show when the server stops accepting a live session for `reason`.
fn lost_session_error(reason: ConnectionChangeReason) -> Option<AppError> {
    let (code, message) = match reason {
        ConnectionChangeReason::TokenExpired => (
            ErrorCode::TokenExpired,
            "your session has expired; sign in again",
        ),
        ConnectionChangeReason::TokenRevoked => (
            ErrorCode::TokenRevoked,
            "your session was revoked; sign in again",
        ),
        ConnectionChangeReason::BannedByServer => {
            (ErrorCode::AccountDisabled, "your account is disabled")
        }
        ConnectionChangeReason::LoginFailure => {
            (ErrorCode::BadCredentials, "the server refused the sign-in")
        }
        ConnectionChangeReason::Login
        | ConnectionChangeReason::LoginSuccess
        | ConnectionChangeReason::LoginTimeout
        | ConnectionChangeReason::Interrupted
        | ConnectionChangeReason::Logout
        | ConnectionChangeReason::RemoteLogin => return None,
    };
    Some(AppError::Code {
        code,
        message: message.into(),
    })
}
