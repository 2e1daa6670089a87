//! Frames from the server: routed to the invitation, call or request they concern.

use std::time::Instant;

use ringer_proto::{
    ClientFrame, ErrorCode, FailureReason, InvitationId, InvitationInfo, ReqId, ServerFrame,
};

use super::Engine;
use crate::connection::Link;
use crate::event::{Event, Reply, ServerError};
use crate::local::LocalInvitationState;
use crate::remote::{self, RemoteInvitationState};
use crate::requests::{Pending, RequestKind};

impl Engine {
    /// A frame from the server.
    pub fn handle_frame(&mut self, frame: ServerFrame, now: Instant) {
        match &mut self.conn.link {
            Link::Down => tracing::debug!(?frame, "frame without a live connection ignored"),
            Link::AwaitingWelcome { req, .. } => {
                let login = *req;
                self.on_frame_before_welcome(login, frame, now);
            }
            Link::Up(heartbeat) => {
                heartbeat.on_received(now);
                self.on_frame(frame, now);
            }
        }
        self.finish_input(now);
    }

    fn on_frame_before_welcome(&mut self, login: ReqId, frame: ServerFrame, now: Instant) {
        match frame {
            ServerFrame::Welcome(welcome) => self.on_welcome(*welcome, now),
            ServerFrame::Error {
                req: Some(req),
                code,
                message,
            } if req == login => self.on_login_error(req, code, &message, now),
            ServerFrame::Error { .. }
            | ServerFrame::Ok { .. }
            | ServerFrame::TokenRenewed { .. }
            | ServerFrame::Pong {}
            | ServerFrame::Invitation { .. }
            | ServerFrame::ReceivedByPeer { .. }
            | ServerFrame::Accepted { .. }
            | ServerFrame::Refused { .. }
            | ServerFrame::Canceled { .. }
            | ServerFrame::Failed { .. }
            | ServerFrame::AcceptConfirmed { .. }
            | ServerFrame::CallEnded { .. }
            | ServerFrame::Presence { .. }
            | ServerFrame::StatusChanged { .. }
            | ServerFrame::PresenceResult { .. }
            | ServerFrame::HistoryResult { .. }
            | ServerFrame::DirectoryResult { .. } => {
                tracing::debug!(?frame, "frame before welcome ignored");
            }
        }
    }

    fn on_frame(&mut self, frame: ServerFrame, now: Instant) {
        match frame {
            ServerFrame::Welcome(_) => tracing::debug!("second welcome ignored"),
            ServerFrame::Ok { req } => self.on_ok(req, now),
            ServerFrame::Error { req, code, message } => match req {
                Some(req) => self.on_error(req, code, message, now),
                None => tracing::warn!(%code, message, "the server refused a frame"),
            },
            ServerFrame::TokenRenewed { req, expires_at } => {
                self.reply(req, Reply::TokenRenewed { expires_at });
            }
            ServerFrame::Pong {} => {}
            ServerFrame::Invitation { invitation } => self.on_invitation(invitation, now),
            ServerFrame::ReceivedByPeer { id } => {
                self.local_to(&id, LocalInvitationState::ReceivedByRemote, now);
            }
            ServerFrame::Accepted { id, response } => {
                let to = LocalInvitationState::AcceptedByRemote { response };
                if self.local_to(&id, to, now) {
                    self.transmit(ClientFrame::Confirm { id }, now);
                }
            }
            ServerFrame::Refused {
                id,
                response,
                reason,
            } => {
                if self.locals.contains_key(&id) {
                    let to = LocalInvitationState::RefusedByRemote { response, reason };
                    self.local_to(&id, to, now);
                } else {
                    self.remote_to(&id, RemoteInvitationState::Refused, now);
                }
            }
            ServerFrame::Canceled { id, reason } => {
                if self.locals.contains_key(&id) {
                    self.local_to(&id, LocalInvitationState::Canceled, now);
                } else {
                    self.remote_to(&id, RemoteInvitationState::Canceled(reason), now);
                }
            }
            ServerFrame::Failed { id, reason } => {
                if self.locals.contains_key(&id) {
                    self.local_to(&id, LocalInvitationState::Failure(reason), now);
                } else {
                    self.remote_to(&id, RemoteInvitationState::Failure(reason), now);
                }
            }
            ServerFrame::AcceptConfirmed { id } => {
                self.remote_to(&id, RemoteInvitationState::Accepted, now);
            }
            ServerFrame::CallEnded { id, reason, by } => self.end_call(&id, reason, by, None, now),
            ServerFrame::Presence { uid, presence } => {
                self.events
                    .push_back(Event::PresenceChanged { uid, presence });
            }
            ServerFrame::StatusChanged {
                status,
                call_waiting,
            } => {
                self.known_status = Some((status, call_waiting));
                self.events.push_back(Event::StatusChanged {
                    status,
                    call_waiting,
                });
            }
            ServerFrame::PresenceResult { req, entries } => match self.requests.finish(req) {
                Some(RequestKind::Subscribe { uids, user }) => {
                    self.subscriptions.extend(uids);
                    if user {
                        self.reply_now(req, Reply::Presence(entries));
                    } else {
                        for entry in entries {
                            self.events.push_back(Event::PresenceChanged {
                                uid: entry.uid,
                                presence: entry.presence,
                            });
                        }
                    }
                }
                Some(_) => self.reply_now(req, Reply::Presence(entries)),
                None => tracing::debug!(req, "reply to an unknown request ignored"),
            },
            ServerFrame::HistoryResult { req, records } => self.reply(req, Reply::History(records)),
            ServerFrame::DirectoryResult { req, users } => {
                self.reply(req, Reply::Directory(users));
            }
        }
    }

    /// A typed reply: forwarded if the request is known.
    fn reply(&mut self, req: ReqId, reply: Reply) {
        if self.requests.finish(req).is_some() {
            self.reply_now(req, reply);
        } else {
            tracing::debug!(req, "reply to an unknown request ignored");
        }
    }

    fn reply_now(&mut self, req: ReqId, reply: Reply) {
        self.events.push_back(Event::Reply { req, reply });
    }

    fn on_invitation(&mut self, info: InvitationInfo, now: Instant) {
        let id = info.id.clone();
        if self.locals.contains_key(&id) {
            tracing::warn!(%id, "invitation with the id of one this device sent ignored");
            return;
        }
        match self.remotes.get(&id) {
            None => {
                let inv = remote::receive(info, &mut self.events);
                self.remotes.insert(id.clone(), inv);
                self.acknowledge(&id, now);
            }
            // Delivered again (e.g. after a reconnect): acknowledge once per connection.
            Some(inv) => {
                if inv.state == RemoteInvitationState::InvitationReceived {
                    self.acknowledge(&id, now);
                }
            }
        }
    }

    /// Sends `received` for a ringing invitation, once per connection.
    pub(super) fn acknowledge(&mut self, id: &InvitationId, now: Instant) {
        let epoch = self.epoch;
        let Some(inv) = self.remotes.get_mut(id) else {
            return;
        };
        if inv.acked_on == epoch || inv.state != RemoteInvitationState::InvitationReceived {
            return;
        }
        inv.acked_on = epoch;
        self.transmit(ClientFrame::Received { id: id.clone() }, now);
    }

    fn on_ok(&mut self, req: ReqId, now: Instant) {
        let Some(kind) = self.requests.finish(req) else {
            tracing::debug!(req, "ok for an unknown request ignored");
            return;
        };
        match kind {
            RequestKind::Login => {}
            RequestKind::Logout => self.on_logout_ok(req, now),
            RequestKind::SetStatus {
                status,
                call_waiting,
                user,
            } => {
                let current_cw = self.known_status.map(|(_, cw)| cw).unwrap_or(false);
                self.known_status = Some((status, call_waiting.unwrap_or(current_cw)));
                if user {
                    self.reply_now(req, Reply::Ok);
                }
            }
            RequestKind::Subscribe { uids, user } => {
                self.subscriptions.extend(uids);
                if user {
                    self.reply_now(req, Reply::Ok);
                }
            }
            RequestKind::Unsubscribe { uids } => {
                for uid in &uids {
                    self.subscriptions.remove(uid);
                }
                self.reply_now(req, Reply::Ok);
            }
            RequestKind::RenewToken
            | RequestKind::QueryPresence
            | RequestKind::History
            | RequestKind::Directory => self.reply_now(req, Reply::Ok),
            RequestKind::Invite(id) => {
                if let Some(inv) = self.locals.get_mut(&id) {
                    inv.invite_acked = true;
                }
            }
            RequestKind::Cancel(id) => {
                if let Some(inv) = self.locals.get_mut(&id) {
                    ack(&mut inv.cancel, req);
                }
            }
            RequestKind::Accept(id) => {
                if let Some(inv) = self.remotes.get_mut(&id) {
                    ack(&mut inv.accept, req);
                }
            }
            RequestKind::Refuse(id) => {
                if let Some(inv) = self.remotes.get_mut(&id) {
                    ack(&mut inv.refuse, req);
                }
            }
            RequestKind::HangUp(id) => {
                if let Some(call) = self.call_mut(&id) {
                    ack(&mut call.hang_up, req);
                }
            }
        }
    }

    fn on_error(&mut self, req: ReqId, code: ErrorCode, message: String, now: Instant) {
        let Some(kind) = self.requests.finish(req) else {
            tracing::debug!(req, %code, "error for an unknown request ignored");
            return;
        };
        // `already_end`: another terminal action won; its outcome arrives as its own frame.
        let lost_race = code == ErrorCode::AlreadyEnd;
        match kind {
            RequestKind::Login => {}
            RequestKind::SetStatus { user: false, .. }
            | RequestKind::Subscribe { user: false, .. } => {
                tracing::warn!(%code, message, "re-applying state after a reconnect failed");
            }
            RequestKind::Logout
            | RequestKind::RenewToken
            | RequestKind::SetStatus { user: true, .. }
            | RequestKind::QueryPresence
            | RequestKind::Subscribe { user: true, .. }
            | RequestKind::Unsubscribe { .. }
            | RequestKind::History
            | RequestKind::Directory => self.request_failed(req, code, message),
            RequestKind::Invite(id) => {
                let reason = match code {
                    ErrorCode::NotLoggedIn => FailureReason::NotLoggedIn,
                    ErrorCode::InvalidArgument
                    | ErrorCode::TooLarge
                    | ErrorCode::Unsupported
                    | ErrorCode::Forbidden
                    | ErrorCode::RateLimited
                    | ErrorCode::BadCredentials
                    | ErrorCode::TokenExpired
                    | ErrorCode::TokenRevoked
                    | ErrorCode::AccountDisabled
                    | ErrorCode::TooManyDevices
                    | ErrorCode::AlreadyLoggedIn
                    | ErrorCode::AlreadySent
                    | ErrorCode::AlreadyEnd
                    | ErrorCode::AlreadyAccept
                    | ErrorCode::NotStarted
                    | ErrorCode::Internal => FailureReason::PeerUnknown,
                };
                let error = ServerError { code, message };
                let failed = match self.locals.get_mut(&id) {
                    Some(inv) => {
                        inv.refusal = Some(error.clone());
                        self.local_to(&id, LocalInvitationState::Failure(reason), now)
                    }
                    None => false,
                };
                if !failed {
                    // Forgotten or already ended: no failure event carries the error.
                    self.request_failed(req, error.code, error.message);
                }
            }
            RequestKind::Cancel(id) => {
                if let Some(inv) = self.locals.get_mut(&id) {
                    settle(&mut inv.cancel, req, lost_race);
                }
                if !lost_race {
                    self.request_failed(req, code, message);
                }
            }
            RequestKind::Refuse(id) => {
                if let Some(inv) = self.remotes.get_mut(&id) {
                    settle(&mut inv.refuse, req, lost_race);
                }
                if !lost_race {
                    self.request_failed(req, code, message);
                }
            }
            RequestKind::HangUp(id) => {
                if let Some(call) = self.call_mut(&id) {
                    settle(&mut call.hang_up, req, lost_race);
                }
                if !lost_race {
                    self.request_failed(req, code, message);
                }
            }
            RequestKind::Accept(id) => {
                let taken = lost_race || code == ErrorCode::AlreadyAccept;
                if let Some(inv) = self.remotes.get_mut(&id) {
                    settle(&mut inv.accept, req, taken);
                }
                if !taken {
                    // The server will never confirm this accept: end it rather than hang.
                    self.request_failed(req, code, message);
                    self.remote_to(
                        &id,
                        RemoteInvitationState::Failure(FailureReason::AcceptFailure),
                        now,
                    );
                }
            }
        }
    }

    fn request_failed(&mut self, req: ReqId, code: ErrorCode, message: String) {
        self.events
            .push_back(Event::RequestFailed { req, code, message });
    }

    fn call_mut(&mut self, id: &InvitationId) -> Option<&mut crate::call::Call> {
        match self.locals.get_mut(id) {
            Some(inv) => inv.call.as_mut(),
            None => self.remotes.get_mut(id).and_then(|inv| inv.call.as_mut()),
        }
    }
}

/// `ok` for the request this action is waiting on.
fn ack(pending: &mut Pending, req: ReqId) {
    if *pending == Pending::InFlight(req) {
        *pending = Pending::Acked;
    }
}

/// `error` for the request this action is waiting on: taken (the outcome follows) or dropped
/// (the user may try again).
fn settle(pending: &mut Pending, req: ReqId, taken: bool) {
    if *pending == Pending::InFlight(req) {
        *pending = if taken { Pending::Acked } else { Pending::No };
    }
}
