//! The engine: one device's connection, invitations and calls, driven by `handle_*` inputs and
//! drained through `poll_*` outputs.

mod frames;
mod link;
mod reconcile;
mod verbs;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use ringer_proto::{
    CallEndReason, ClientFrame, InvitationId, InvitationInfo, Response, Status, Uid,
};

use crate::call::{self, CallState};
use crate::config::{Credentials, EngineConfig};
use crate::connection::{Connection, ConnectionChangeReason, ConnectionState, Link};
use crate::event::{Event, Transmit};
use crate::local::{self, LocalInvitation, LocalInvitationState};
use crate::remote::{self, RemoteInvitation, RemoteInvitationState};
use crate::requests::Requests;

/// How long an ended invitation is remembered, so late frames for it are recognised and API
/// calls on it answer `already_end`. Longer than the server's 5-minute retention of ended
/// invitations in snapshots.
pub const ENDED_RETENTION: Duration = Duration::from_secs(10 * 60);

/// Ended invitations are looked for at most this often, so an ended invitation is forgotten
/// between [`ENDED_RETENTION`] and this much later: a walk over every remembered invitation per
/// input made a busy client (a bot, a reception desk) pay O(remembered) on every frame.
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(60);

/// One device's sans-IO client core. See the crate docs for the drive loop.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    credentials: Credentials,
    conn: Connection,
    requests: Requests,
    locals: BTreeMap<InvitationId, LocalInvitation>,
    remotes: BTreeMap<InvitationId, RemoteInvitation>,
    /// The uid's status as last known (welcome, push, or this device's own `set_status`), re-applied
    /// after a server restart.
    known_status: Option<(Status, bool)>,
    /// Presence subscriptions, renewed on every reconnect.
    subscriptions: BTreeSet<Uid>,
    /// Counts welcomes; identifies the current connection.
    epoch: u64,
    /// No remembered invitation expires before this; `None` until the first input.
    next_prune: Option<Instant>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

impl Engine {
    /// A disconnected engine; nothing happens until the driver calls `handle_connecting`.
    pub fn new(config: EngineConfig, credentials: Credentials) -> Self {
        Engine {
            config,
            credentials,
            conn: Connection::new(),
            requests: Requests::default(),
            locals: BTreeMap::new(),
            remotes: BTreeMap::new(),
            known_status: None,
            subscriptions: BTreeSet::new(),
            epoch: 0,
            next_prune: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Replaces the credentials used by the next `login` / `authenticate` (e.g. after `Aborted`).
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = credentials;
    }

    /// The connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.conn.state
    }

    /// Why the connection state last changed; `None` before the first dial.
    pub fn connection_reason(&self) -> Option<ConnectionChangeReason> {
        self.conn.reason
    }

    /// True while the driver should keep (re)connecting: from `handle_connecting` until the
    /// engine is `Aborted` or logged out.
    pub fn should_reconnect(&self) -> bool {
        self.conn.want_online
    }

    /// The `server_id` of the last welcome.
    pub fn server_id(&self) -> Option<&str> {
        self.conn.server_id.as_deref()
    }

    /// The uid's status as last known, with its call-waiting flag.
    pub fn status(&self) -> Option<(Status, bool)> {
        self.known_status
    }

    /// The state of an invitation this device sent, while remembered.
    pub fn local_invitation(&self, id: &InvitationId) -> Option<LocalInvitationState> {
        self.locals.get(id).map(|inv| inv.state.clone())
    }

    /// The state of an invitation sent to this device's uid, while remembered.
    pub fn remote_invitation(&self, id: &InvitationId) -> Option<RemoteInvitationState> {
        self.remotes.get(id).map(|inv| inv.state.clone())
    }

    /// An invitation sent to this device's uid, as the server stamped it.
    pub fn remote_invitation_info(&self, id: &InvitationId) -> Option<&InvitationInfo> {
        self.remotes.get(id).map(|inv| &inv.info)
    }

    /// The call an accepted invitation (either side) became.
    pub fn call_state(&self, id: &InvitationId) -> Option<CallState> {
        let call = match self.locals.get(id) {
            Some(inv) => inv.call.as_ref(),
            None => self.remotes.get(id).and_then(|inv| inv.call.as_ref()),
        };
        call.map(|c| c.state.clone())
    }

    /// Ids of every remembered invitation this device sent.
    pub fn local_invitation_ids(&self) -> impl Iterator<Item = &InvitationId> {
        self.locals.keys()
    }

    /// Ids of every remembered invitation sent to this device's uid.
    pub fn remote_invitation_ids(&self) -> impl Iterator<Item = &InvitationId> {
        self.remotes.keys()
    }

    /// The next thing to do on the socket.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the user.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call `handle_timeout` next; never earlier than the `now` of the last input.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.conn.link {
            Link::Down => None,
            Link::AwaitingWelcome { deadline, .. } => Some(*deadline),
            Link::Up(heartbeat) => Some(heartbeat.next_deadline()),
        }
    }

    /// Time passed: pings, heartbeat silence, login timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.finish_input(now);
    }

    /// Runs after every input: fires due timers and forgets long-ended invitations.
    fn finish_input(&mut self, now: Instant) {
        self.service_timers(now);
        self.prune(now);
    }

    fn prune(&mut self, now: Instant) {
        if self.next_prune.is_some_and(|due| now < due) {
            return;
        }
        let mut oldest_kept: Option<Instant> = None;
        let mut keep = |ended_at: Option<Instant>| match ended_at {
            Some(at) if now.saturating_duration_since(at) >= ENDED_RETENTION => false,
            Some(at) => {
                oldest_kept = Some(oldest_kept.map_or(at, |oldest| oldest.min(at)));
                true
            }
            None => true,
        };
        self.locals.retain(|_, inv| keep(inv.ended_at));
        self.remotes.retain(|_, inv| keep(inv.ended_at));
        // Whatever ends from now on ends at `now` or later, so it expires no earlier than
        // `now + ENDED_RETENTION`.
        let due = oldest_kept.map_or(now, |oldest| oldest.min(now)) + ENDED_RETENTION;
        self.next_prune = Some(due.max(now + PRUNE_INTERVAL));
    }

    /// Queues a frame and counts it for the heartbeat.
    fn transmit(&mut self, frame: ClientFrame, now: Instant) {
        if let Link::Up(heartbeat) = &mut self.conn.link {
            heartbeat.on_sent(now);
        }
        tracing::trace!(kind = frame.kind(), "transmit");
        self.transmits.push_back(Transmit::Frame(frame));
    }

    /// Moves a caller's invitation towards `to`, passing through `received_by_remote` when an
    /// accept arrives before the receipt, so events keep protocol order. Returns whether `to` was
    /// reached now; being there already, or an illegal move, changes nothing.
    fn local_to(&mut self, id: &InvitationId, to: LocalInvitationState, now: Instant) -> bool {
        let Some(inv) = self.locals.get_mut(id) else {
            tracing::debug!(%id, to = to.name(), "frame for an unknown local invitation ignored");
            return false;
        };
        if std::mem::discriminant(&inv.state) == std::mem::discriminant(&to) {
            return false;
        }
        let needs_receipt = match &to {
            LocalInvitationState::AcceptedByRemote { .. } => true,
            LocalInvitationState::Idle
            | LocalInvitationState::SentToRemote
            | LocalInvitationState::ReceivedByRemote
            | LocalInvitationState::RefusedByRemote { .. }
            | LocalInvitationState::Canceled
            | LocalInvitationState::Failure(_) => false,
        };
        if needs_receipt && inv.state == LocalInvitationState::SentToRemote {
            let receipt = LocalInvitationState::ReceivedByRemote;
            if let Err(err) = local::transition(inv, receipt, now, &mut self.events) {
                tracing::debug!(%err, "ignored");
            }
        }
        match local::transition(inv, to, now, &mut self.events) {
            Ok(()) => true,
            Err(err) => {
                tracing::debug!(%err, "ignored");
                false
            }
        }
    }

    /// Moves a callee's invitation to `to`; see [`Engine::local_to`].
    fn remote_to(&mut self, id: &InvitationId, to: RemoteInvitationState, now: Instant) -> bool {
        let Some(inv) = self.remotes.get_mut(id) else {
            tracing::debug!(%id, to = to.name(), "frame for an unknown remote invitation ignored");
            return false;
        };
        if std::mem::discriminant(&inv.state) == std::mem::discriminant(&to) {
            return false;
        }
        match remote::transition(inv, to, now, &mut self.events) {
            Ok(()) => true,
            Err(err) => {
                tracing::debug!(%err, "ignored");
                false
            }
        }
    }

    /// Ends the call of an invitation on either side. An invitation still ringing is first moved
    /// to accepted (its accept was missed), so the user sees accepted before call_ended.
    fn end_call(
        &mut self,
        id: &InvitationId,
        reason: CallEndReason,
        by: Option<Uid>,
        response: Option<Response>,
        now: Instant,
    ) {
        if self.locals.contains_key(id) {
            self.local_to(id, LocalInvitationState::AcceptedByRemote { response }, now);
            if let Some(inv) = self.locals.get_mut(id)
                && let Some(c) = inv.call.as_mut()
            {
                match call::end(id, c, reason, by, &mut self.events) {
                    Ok(()) => inv.ended_at = Some(now),
                    Err(err) => tracing::debug!(%err, "ignored"),
                }
            }
        } else if self.remotes.contains_key(id) {
            self.remote_to(id, RemoteInvitationState::Accepted, now);
            if let Some(inv) = self.remotes.get_mut(id)
                && let Some(c) = inv.call.as_mut()
            {
                match call::end(id, c, reason, by, &mut self.events) {
                    Ok(()) => inv.ended_at = Some(now),
                    Err(err) => tracing::debug!(%err, "ignored"),
                }
            }
        } else {
            tracing::debug!(%id, "call_ended for an unknown invitation ignored");
        }
    }

    /// Ends one live invitation or call the server can no longer tell us about.
    fn end_locally(
        &mut self,
        id: &InvitationId,
        failure: ringer_proto::FailureReason,
        call_reason: CallEndReason,
        now: Instant,
    ) {
        let call_live = self
            .locals
            .get(id)
            .and_then(|inv| inv.call.as_ref())
            .or_else(|| self.remotes.get(id).and_then(|inv| inv.call.as_ref()))
            .is_some_and(call::Call::is_live);
        if call_live {
            self.end_call(id, call_reason, None, None, now);
        } else if self.locals.contains_key(id) {
            self.local_to(id, LocalInvitationState::Failure(failure), now);
        } else {
            self.remote_to(id, RemoteInvitationState::Failure(failure), now);
        }
    }

    /// Ends everything still live, when the engine will not hear from the server again (logout,
    /// aborted): nothing is left ringing forever.
    fn abandon_all(&mut self, now: Instant) {
        let live: Vec<InvitationId> = self
            .locals
            .iter()
            .filter(|(_, inv)| !inv.is_over())
            .map(|(id, _)| id.clone())
            .chain(
                self.remotes
                    .iter()
                    .filter(|(_, inv)| !inv.is_over())
                    .map(|(id, _)| id.clone()),
            )
            .collect();
        for id in live {
            self.end_locally(
                &id,
                ringer_proto::FailureReason::NotLoggedIn,
                CallEndReason::ConnectionLost,
                now,
            );
        }
    }
}
