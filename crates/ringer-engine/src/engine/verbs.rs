//! The user's commands. Invitation actions record a pending action and send its frame (or queue
//! it while reconnecting); their outcome arrives later as an event, when the server confirms.

use std::time::Instant;

use ringer_proto::limits::{MAX_HISTORY_LIMIT, MAX_PRESENCE_QUERY, MAX_SUBSCRIPTIONS};
use ringer_proto::{
    ClientFrame, FailureReason, InvitationId, RefuseReason, ReqId, Response, Status, Uid,
};

use super::Engine;
use crate::call::CallState;
use crate::config::Invite;
use crate::error::ApiError;
use crate::local::{self, LocalInvitation, LocalInvitationState};
use crate::remote::{self, RemoteInvitationState};
use crate::requests::{Pending, RequestKind};

impl Engine {
    /// Sends an invitation. While not connected it fails at once with `not_logged_in` (an event,
    /// not an error: SPEC §3).
    pub fn send(&mut self, invite: Invite, now: Instant) -> Result<(), ApiError> {
        let id = invite.id.clone();
        if self.locals.contains_key(&id) || self.remotes.contains_key(&id) {
            return Err(ApiError::AlreadySent);
        }
        let mut inv = LocalInvitation::new(invite.clone());
        let to = if self.conn.is_up() {
            LocalInvitationState::SentToRemote
        } else {
            LocalInvitationState::Failure(FailureReason::NotLoggedIn)
        };
        let sent = to == LocalInvitationState::SentToRemote;
        if let Err(err) = local::transition(&mut inv, to, now, &mut self.events) {
            tracing::warn!(%err, "ignored");
        }
        self.locals.insert(id, inv);
        if sent {
            self.send_invite(&invite, now);
        }
        self.finish_input(now);
        Ok(())
    }

    /// Cancels an invitation this device sent; `local_invitation_canceled` follows when the
    /// server confirms (unless the callee's answer won).
    pub fn cancel(&mut self, id: &InvitationId, now: Instant) -> Result<(), ApiError> {
        let inv = self.locals.get(id).ok_or(ApiError::NotStarted)?;
        match inv.state {
            LocalInvitationState::Idle => return Err(ApiError::NotStarted),
            LocalInvitationState::SentToRemote | LocalInvitationState::ReceivedByRemote => {}
            LocalInvitationState::AcceptedByRemote { .. }
            | LocalInvitationState::RefusedByRemote { .. }
            | LocalInvitationState::Canceled
            | LocalInvitationState::Failure(_) => return Err(ApiError::AlreadyEnd),
        }
        if !inv.cancel.requested() {
            self.send_action(RequestKind::Cancel(id.clone()), now);
        }
        self.finish_input(now);
        Ok(())
    }

    /// Accepts an invitation sent to this uid: `accept_sent_to_local` at once,
    /// `remote_invitation_accepted` when the caller's device confirms.
    pub fn accept(
        &mut self,
        id: &InvitationId,
        response: Option<Response>,
        now: Instant,
    ) -> Result<(), ApiError> {
        self.check_remote(id)?;
        let Some(inv) = self.remotes.get_mut(id) else {
            return Err(ApiError::InvalidArgument(format!("no invitation {id}")));
        };
        match inv.state {
            RemoteInvitationState::InvitationReceived => {}
            RemoteInvitationState::AcceptSentToLocal | RemoteInvitationState::Accepted => {
                return Err(ApiError::AlreadyAccept);
            }
            RemoteInvitationState::Refused
            | RemoteInvitationState::Canceled(_)
            | RemoteInvitationState::Failure(_) => return Err(ApiError::AlreadyEnd),
        }
        if inv.refuse.requested() {
            return Err(ApiError::AlreadyEnd);
        }
        inv.accept_response = response;
        let to = RemoteInvitationState::AcceptSentToLocal;
        if let Err(err) = remote::transition(inv, to, now, &mut self.events) {
            tracing::warn!(%err, "ignored");
        }
        self.send_action(RequestKind::Accept(id.clone()), now);
        self.finish_input(now);
        Ok(())
    }

    /// Refuses an invitation sent to this uid; `remote_invitation_refused` follows when the
    /// server confirms (unless something else won first).
    pub fn refuse(
        &mut self,
        id: &InvitationId,
        response: Option<Response>,
        reason: Option<RefuseReason>,
        now: Instant,
    ) -> Result<(), ApiError> {
        self.check_remote(id)?;
        let Some(inv) = self.remotes.get_mut(id) else {
            return Err(ApiError::InvalidArgument(format!("no invitation {id}")));
        };
        match inv.state {
            RemoteInvitationState::InvitationReceived => {}
            RemoteInvitationState::AcceptSentToLocal | RemoteInvitationState::Accepted => {
                return Err(ApiError::AlreadyAccept);
            }
            RemoteInvitationState::Refused
            | RemoteInvitationState::Canceled(_)
            | RemoteInvitationState::Failure(_) => return Err(ApiError::AlreadyEnd),
        }
        if !inv.refuse.requested() {
            inv.refuse_args = (response, reason);
            self.send_action(RequestKind::Refuse(id.clone()), now);
        }
        self.finish_input(now);
        Ok(())
    }

    /// Hangs up a live call (either side); `call_ended(hangup)` follows from the server.
    pub fn hang_up(&mut self, id: &InvitationId, now: Instant) -> Result<(), ApiError> {
        let (call, terminal) = match (self.locals.get(id), self.remotes.get(id)) {
            (Some(inv), _) => (inv.call.as_ref(), inv.state.is_terminal()),
            (None, Some(inv)) => (inv.call.as_ref(), inv.state.is_terminal()),
            (None, None) => {
                return Err(ApiError::InvalidArgument(format!("no invitation {id}")));
            }
        };
        let requested = match call {
            None if terminal => return Err(ApiError::AlreadyEnd),
            None => return Err(ApiError::NotStarted),
            Some(call) => match call.state {
                CallState::Ended { .. } => return Err(ApiError::AlreadyEnd),
                CallState::Live => call.hang_up.requested(),
            },
        };
        if !requested {
            self.send_action(RequestKind::HangUp(id.clone()), now);
        }
        self.finish_input(now);
        Ok(())
    }

    /// Sets this uid's status (and call waiting, when given); the engine re-applies it after a
    /// server restart.
    pub fn set_status(
        &mut self,
        status: Status,
        call_waiting: Option<bool>,
        now: Instant,
    ) -> Result<ReqId, ApiError> {
        self.request(
            RequestKind::SetStatus {
                status,
                call_waiting,
                user: true,
            },
            |req| ClientFrame::SetStatus {
                req,
                status,
                call_waiting,
            },
            now,
        )
    }

    /// Asks for the presence of 1–256 uids; answered by `Reply::Presence`.
    pub fn query_presence(&mut self, uids: Vec<Uid>, now: Instant) -> Result<ReqId, ApiError> {
        check_uids(&uids, MAX_PRESENCE_QUERY)?;
        self.request(
            RequestKind::QueryPresence,
            |req| ClientFrame::QueryPresence { req, uids },
            now,
        )
    }

    /// Subscribes to presence changes (at most 512 uids in all); answered by `Reply::Presence`
    /// and then `PresenceChanged` events. Subscriptions are renewed after every reconnect.
    pub fn subscribe(&mut self, uids: Vec<Uid>, now: Instant) -> Result<ReqId, ApiError> {
        check_uids(&uids, MAX_SUBSCRIPTIONS)?;
        let new = uids
            .iter()
            .filter(|uid| !self.subscriptions.contains(*uid))
            .count();
        if self.subscriptions.len() + new > MAX_SUBSCRIPTIONS {
            return Err(ApiError::InvalidArgument(format!(
                "at most {MAX_SUBSCRIPTIONS} subscriptions"
            )));
        }
        let kind = RequestKind::Subscribe {
            uids: uids.clone(),
            user: true,
        };
        self.request(kind, |req| ClientFrame::Subscribe { req, uids }, now)
    }

    /// Ends presence subscriptions.
    pub fn unsubscribe(&mut self, uids: Vec<Uid>, now: Instant) -> Result<ReqId, ApiError> {
        check_uids(&uids, MAX_SUBSCRIPTIONS)?;
        let kind = RequestKind::Unsubscribe { uids: uids.clone() };
        self.request(kind, |req| ClientFrame::Unsubscribe { req, uids }, now)
    }

    /// Asks for this uid's call records (1–500, default 100); answered by `Reply::History`.
    pub fn history(&mut self, limit: Option<u32>, now: Instant) -> Result<ReqId, ApiError> {
        if let Some(limit) = limit
            && (limit == 0 || limit > MAX_HISTORY_LIMIT)
        {
            return Err(ApiError::InvalidArgument(format!(
                "history limit must be 1 to {MAX_HISTORY_LIMIT}"
            )));
        }
        self.request(
            RequestKind::History,
            |req| ClientFrame::History { req, limit },
            now,
        )
    }

    /// Asks for the team's directory; answered by `Reply::Directory`.
    pub fn directory(&mut self, now: Instant) -> Result<ReqId, ApiError> {
        self.request(
            RequestKind::Directory,
            |req| ClientFrame::Directory { req },
            now,
        )
    }

    /// Extends the session token; answered by `Reply::TokenRenewed`.
    pub fn renew_token(&mut self, now: Instant) -> Result<ReqId, ApiError> {
        self.request(
            RequestKind::RenewToken,
            |req| ClientFrame::RenewToken { req },
            now,
        )
    }

    /// Revokes the token; after the server's `ok` the state becomes disconnected/logout, every
    /// live invitation and call ends locally, and the driver stops reconnecting.
    pub fn logout(&mut self, now: Instant) -> Result<ReqId, ApiError> {
        self.request(RequestKind::Logout, |req| ClientFrame::Logout { req }, now)
    }

    /// Sends a request that needs a connected session.
    fn request(
        &mut self,
        kind: RequestKind,
        frame: impl FnOnce(ReqId) -> ClientFrame,
        now: Instant,
    ) -> Result<ReqId, ApiError> {
        if !self.conn.is_up() {
            return Err(ApiError::NotLoggedIn);
        }
        let req = self.requests.start(kind);
        self.transmit(frame(req), now);
        self.finish_input(now);
        Ok(req)
    }

    /// Accept and refuse apply to invitations sent to this uid only.
    fn check_remote(&self, id: &InvitationId) -> Result<(), ApiError> {
        if self.locals.contains_key(id) {
            return Err(ApiError::InvalidArgument(format!(
                "{id} is an invitation this device sent"
            )));
        }
        Ok(())
    }

    pub(super) fn send_invite(&mut self, invite: &Invite, now: Instant) {
        let req = self.requests.start(RequestKind::Invite(invite.id.clone()));
        self.transmit(
            ClientFrame::Invite {
                req,
                id: invite.id.clone(),
                callee: invite.callee.clone(),
                content: invite.content.clone(),
                channel_id: invite.channel_id.clone(),
            },
            now,
        );
    }

    /// Sends an invitation action now, or queues it until the next welcome.
    pub(super) fn send_action(&mut self, kind: RequestKind, now: Instant) {
        if !self.conn.is_up() {
            if let Some(pending) = self.pending_mut(&kind) {
                *pending = Pending::Queued;
            }
            return;
        }
        let frame = match &kind {
            RequestKind::Cancel(id) => Some((id.clone(), ActionFrame::Cancel)),
            RequestKind::HangUp(id) => Some((id.clone(), ActionFrame::HangUp)),
            RequestKind::Accept(id) => self
                .remotes
                .get(id)
                .map(|inv| (id.clone(), ActionFrame::Accept(inv.accept_response.clone()))),
            RequestKind::Refuse(id) => self.remotes.get(id).map(|inv| {
                let (response, reason) = inv.refuse_args.clone();
                (id.clone(), ActionFrame::Refuse(response, reason))
            }),
            RequestKind::Login
            | RequestKind::Logout
            | RequestKind::RenewToken
            | RequestKind::SetStatus { .. }
            | RequestKind::QueryPresence
            | RequestKind::Subscribe { .. }
            | RequestKind::Unsubscribe { .. }
            | RequestKind::History
            | RequestKind::Directory
            | RequestKind::Invite(_) => None,
        };
        let Some((id, action)) = frame else {
            return;
        };
        let req = self.requests.start(kind.clone());
        if let Some(pending) = self.pending_mut(&kind) {
            *pending = Pending::InFlight(req);
        }
        let frame = match action {
            ActionFrame::Cancel => ClientFrame::Cancel { req, id },
            ActionFrame::HangUp => ClientFrame::HangUp { req, id },
            ActionFrame::Accept(response) => ClientFrame::Accept { req, id, response },
            ActionFrame::Refuse(response, reason) => ClientFrame::Refuse {
                req,
                id,
                response,
                reason,
            },
        };
        self.transmit(frame, now);
    }

    fn pending_mut(&mut self, kind: &RequestKind) -> Option<&mut Pending> {
        match kind {
            RequestKind::Cancel(id) => self.locals.get_mut(id).map(|inv| &mut inv.cancel),
            RequestKind::Accept(id) => self.remotes.get_mut(id).map(|inv| &mut inv.accept),
            RequestKind::Refuse(id) => self.remotes.get_mut(id).map(|inv| &mut inv.refuse),
            RequestKind::HangUp(id) => {
                let call = match self.locals.get_mut(id) {
                    Some(inv) => inv.call.as_mut(),
                    None => self.remotes.get_mut(id).and_then(|inv| inv.call.as_mut()),
                };
                call.map(|call| &mut call.hang_up)
            }
            RequestKind::Login
            | RequestKind::Logout
            | RequestKind::RenewToken
            | RequestKind::SetStatus { .. }
            | RequestKind::QueryPresence
            | RequestKind::Subscribe { .. }
            | RequestKind::Unsubscribe { .. }
            | RequestKind::History
            | RequestKind::Directory
            | RequestKind::Invite(_) => None,
        }
    }
}

/// The frame an invitation action sends, before it has a request id.
enum ActionFrame {
    Cancel,
    HangUp,
    Accept(Option<Response>),
    Refuse(Option<Response>, Option<RefuseReason>),
}

fn check_uids(uids: &[Uid], max: usize) -> Result<(), ApiError> {
    if uids.is_empty() {
        return Err(ApiError::InvalidArgument("no uids given".into()));
    }
    if uids.len() > max {
        return Err(ApiError::InvalidArgument(format!(
            "{} uids given, at most {max} allowed",
            uids.len()
        )));
    }
    Ok(())
}
