//! Reconnect reconciliation (SPEC §8): bring every invitation and call in line with the
//! welcome's snapshot, emitting what was missed in protocol order, then send what waited.

use std::collections::BTreeSet;
use std::time::Instant;

use ringer_proto::{
    CallEndReason, ClientFrame, FailureReason, InvitationId, InvitationInfo, InvitationState,
    SnapshotEntry,
};

use super::Engine;
use crate::call::Call;
use crate::config::Invite;
use crate::local::{LocalInvitation, LocalInvitationState};
use crate::remote::{self, RemoteInvitationState};
use crate::requests::{Pending, RequestKind};

impl Engine {
    /// Applies a welcome's snapshot. `restarted`: the server_id changed since the last welcome.
    pub(super) fn reconcile(
        &mut self,
        snapshot: Vec<SnapshotEntry>,
        restarted: bool,
        now: Instant,
    ) {
        let mut seen = BTreeSet::new();
        for SnapshotEntry {
            invitation,
            role,
            state,
        } in snapshot
        {
            seen.insert(invitation.id.clone());
            match role {
                ringer_proto::Role::Caller => self.reconcile_local(invitation, state, now),
                ringer_proto::Role::Callee => self.reconcile_remote(invitation, state, now),
            }
        }
        let missing_local: Vec<InvitationId> = self
            .locals
            .iter()
            .filter(|(id, inv)| !inv.is_over() && !seen.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in missing_local {
            self.local_missing(&id, restarted, now);
        }
        let missing_remote: Vec<InvitationId> = self
            .remotes
            .iter()
            .filter(|(id, inv)| !inv.is_over() && !seen.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in missing_remote {
            let call_reason = if restarted {
                CallEndReason::ServerRestart
            } else {
                CallEndReason::ConnectionLost
            };
            self.end_locally(&id, FailureReason::ServerRestart, call_reason, now);
        }
    }

    fn reconcile_local(&mut self, info: InvitationInfo, state: InvitationState, now: Instant) {
        let id = info.id.clone();
        let Some(inv) = self.locals.get_mut(&id) else {
            if self.remotes.contains_key(&id) {
                tracing::warn!(%id, "snapshot says caller for a received invitation; ignored");
            } else {
                self.adopt_local(info, state);
            }
            return;
        };
        inv.invite_acked = true;
        match state {
            InvitationState::Pending | InvitationState::Ringing => {
                // The server has not taken a cancel it acknowledged: send it again.
                if inv.cancel == Pending::Acked {
                    inv.cancel = Pending::Queued;
                }
                if state == InvitationState::Ringing {
                    self.local_to(&id, LocalInvitationState::ReceivedByRemote, now);
                }
            }
            InvitationState::Accepting { response } => {
                self.local_to(
                    &id,
                    LocalInvitationState::AcceptedByRemote { response },
                    now,
                );
                // Our confirm may have been lost with the connection: confirm (again).
                let live = self
                    .locals
                    .get(&id)
                    .and_then(|inv| inv.call.as_ref())
                    .is_some_and(Call::is_live);
                if live {
                    self.transmit(ClientFrame::Confirm { id }, now);
                }
            }
            InvitationState::InCall { response } => {
                self.local_to(
                    &id,
                    LocalInvitationState::AcceptedByRemote { response },
                    now,
                );
                self.requeue_hang_up(&id);
            }
            InvitationState::Refused { response, reason } => {
                let to = LocalInvitationState::RefusedByRemote { response, reason };
                self.local_to(&id, to, now);
            }
            InvitationState::Canceled { .. } => {
                self.local_to(&id, LocalInvitationState::Canceled, now);
            }
            InvitationState::Failed { reason } => {
                self.local_to(&id, LocalInvitationState::Failure(reason), now);
            }
            InvitationState::CallEnded {
                response,
                reason,
                by,
            } => self.end_call(&id, reason, by, response, now),
        }
    }

    /// A live invitation this device sent that the engine does not know (e.g. the client
    /// restarted): taken over silently so later frames apply. An accept is not confirmed: the
    /// user of this engine never saw the call, so it is left to fail on the server.
    fn adopt_local(&mut self, info: InvitationInfo, state: InvitationState) {
        let local_state = match state {
            InvitationState::Pending => LocalInvitationState::SentToRemote,
            InvitationState::Ringing => LocalInvitationState::ReceivedByRemote,
            InvitationState::Accepting { response } | InvitationState::InCall { response } => {
                LocalInvitationState::AcceptedByRemote { response }
            }
            InvitationState::Refused { .. }
            | InvitationState::Canceled { .. }
            | InvitationState::Failed { .. }
            | InvitationState::CallEnded { .. } => return,
        };
        let id = info.id.clone();
        tracing::debug!(%id, "local invitation adopted from the snapshot as {local_state}");
        let mut inv = LocalInvitation::new(Invite {
            id: info.id,
            callee: info.callee,
            content: info.content,
            channel_id: info.channel_id,
        });
        if let LocalInvitationState::AcceptedByRemote { .. } = local_state {
            inv.call = Some(Call::live());
        }
        inv.state = local_state;
        inv.invite_acked = true;
        self.locals.insert(id, inv);
    }

    fn local_missing(&mut self, id: &InvitationId, restarted: bool, now: Instant) {
        let Some(inv) = self.locals.get(id) else {
            return;
        };
        if restarted {
            self.end_locally(
                id,
                FailureReason::ServerRestart,
                CallEndReason::ServerRestart,
                now,
            );
        } else if !inv.invite_acked && inv.state == LocalInvitationState::SentToRemote {
            // The invite never reached this server: send it again (the server dedups ids).
            let invite = inv.invite.clone();
            self.send_invite(&invite, now);
        } else {
            self.end_locally(
                id,
                FailureReason::ServerRestart,
                CallEndReason::ConnectionLost,
                now,
            );
        }
    }

    fn reconcile_remote(&mut self, info: InvitationInfo, state: InvitationState, now: Instant) {
        let id = info.id.clone();
        let Some(inv) = self.remotes.get_mut(&id) else {
            if self.locals.contains_key(&id) {
                tracing::warn!(%id, "snapshot says callee for a sent invitation; ignored");
            } else {
                self.adopt_remote(info, state, now);
            }
            return;
        };
        match state {
            InvitationState::Pending => {}
            InvitationState::Ringing => {
                // The server has not taken an accept or refuse it acknowledged: send it again.
                if inv.accept == Pending::Acked {
                    inv.accept = Pending::Queued;
                }
                if inv.refuse == Pending::Acked {
                    inv.refuse = Pending::Queued;
                }
                self.acknowledge(&id, now);
            }
            InvitationState::Accepting { .. } => {
                self.remote_to(&id, RemoteInvitationState::AcceptSentToLocal, now);
                if let Some(inv) = self.remotes.get_mut(&id)
                    && inv.state == RemoteInvitationState::AcceptSentToLocal
                {
                    inv.accept = Pending::Acked;
                }
            }
            InvitationState::InCall { .. } => {
                self.remote_to(&id, RemoteInvitationState::Accepted, now);
                self.requeue_hang_up(&id);
            }
            InvitationState::Refused { .. } => {
                self.remote_to(&id, RemoteInvitationState::Refused, now);
            }
            InvitationState::Canceled { reason } => {
                self.remote_to(&id, RemoteInvitationState::Canceled(reason), now);
            }
            InvitationState::Failed { reason } => {
                self.remote_to(&id, RemoteInvitationState::Failure(reason), now);
            }
            InvitationState::CallEnded { reason, by, .. } => {
                self.end_call(&id, reason, by, None, now);
            }
        }
    }

    /// An invitation for this uid the engine does not know: one still ringing is new to the user
    /// (event and acknowledgement); one this device already accepted is taken over silently.
    fn adopt_remote(&mut self, info: InvitationInfo, state: InvitationState, now: Instant) {
        let id = info.id.clone();
        let inv = match state {
            InvitationState::Ringing => {
                let inv = remote::receive(info, &mut self.events);
                self.remotes.insert(id.clone(), inv);
                self.acknowledge(&id, now);
                return;
            }
            // This device was made the acceptor without hearing of the invitation (glare while
            // its link was down, or a restarted client): announce it, as the live path does, so
            // the user is never in a call they were not told about.
            InvitationState::Accepting { .. } => {
                let mut inv = remote::receive(info, &mut self.events);
                inv.state = RemoteInvitationState::AcceptSentToLocal;
                inv.accept = Pending::Acked;
                inv
            }
            InvitationState::InCall { .. } => {
                let mut inv = remote::receive(info, &mut self.events);
                if let Err(err) = remote::transition(
                    &mut inv,
                    RemoteInvitationState::Accepted,
                    now,
                    &mut self.events,
                ) {
                    tracing::warn!(%err, "adopting a live call");
                }
                inv
            }
            InvitationState::Pending
            | InvitationState::Refused { .. }
            | InvitationState::Canceled { .. }
            | InvitationState::Failed { .. }
            | InvitationState::CallEnded { .. } => return,
        };
        tracing::debug!(%id, "remote invitation adopted from the snapshot as {}", inv.state);
        self.remotes.insert(id, inv);
    }

    /// The call is live on the server: a hang-up it acknowledged was lost, so send it again.
    fn requeue_hang_up(&mut self, id: &InvitationId) {
        let call = match self.locals.get_mut(id) {
            Some(inv) => inv.call.as_mut(),
            None => self.remotes.get_mut(id).and_then(|inv| inv.call.as_mut()),
        };
        if let Some(call) = call
            && call.is_live()
            && call.hang_up == Pending::Acked
        {
            call.hang_up = Pending::Queued;
        }
    }

    /// Sends every action the user asked for while the connection was down, if it still
    /// applies after reconciliation.
    pub(super) fn flush_queued(&mut self, now: Instant) {
        let mut actions = Vec::new();
        for (id, inv) in &mut self.locals {
            if inv.cancel == Pending::Queued {
                if inv.state.is_terminal() {
                    inv.cancel = Pending::No;
                } else {
                    actions.push(RequestKind::Cancel(id.clone()));
                }
            }
            if let Some(call) = inv.call.as_mut() {
                queue_hang_up(id, call, &mut actions);
            }
        }
        for (id, inv) in &mut self.remotes {
            if inv.accept == Pending::Queued {
                if inv.state == RemoteInvitationState::AcceptSentToLocal {
                    actions.push(RequestKind::Accept(id.clone()));
                } else {
                    inv.accept = Pending::No;
                }
            }
            if inv.refuse == Pending::Queued {
                if inv.state == RemoteInvitationState::InvitationReceived {
                    actions.push(RequestKind::Refuse(id.clone()));
                } else {
                    inv.refuse = Pending::No;
                }
            }
            if let Some(call) = inv.call.as_mut() {
                queue_hang_up(id, call, &mut actions);
            }
        }
        for kind in actions {
            self.send_action(kind, now);
        }
    }
}

fn queue_hang_up(id: &InvitationId, call: &mut Call, actions: &mut Vec<RequestKind>) {
    if call.hang_up == Pending::Queued {
        if call.is_live() {
            actions.push(RequestKind::HangUp(id.clone()));
        } else {
            call.hang_up = Pending::No;
        }
    }
}
