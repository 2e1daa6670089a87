//! Driving invitations: every phase change goes through [`Switchboard::drive`], which applies
//! the input to the invitation's state machine, re-arms its timer, tells every reachable party
//! device what changed for it, and records the end.

use std::time::Instant;

use ringer_proto::{DeviceId, InvitationId};

use super::Switchboard;
use crate::devices::DeviceKey;
use crate::invitation::{
    Expiry, Illegal, Input, Phase, Wait, callee_frames, callee_view, caller_frames, caller_view,
};
use crate::records::records_for;
use crate::timers::{Owner, TimerKind};

/// Who hears about a change first, as SPEC §5 orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Order {
    /// The caller first (received by peer, accepted), then the callee devices.
    CallerFirst,
    /// The callee devices first (cancel, refuse, failures), led by the given device if any,
    /// then the caller.
    CalleesFirst(Option<DeviceId>),
}

impl Switchboard {
    /// Applies `input` to invitation `id` and carries out everything that follows from it.
    pub(super) fn drive(
        &mut self,
        id: &InvitationId,
        input: Input,
        order: Order,
        now: Instant,
    ) -> Result<(), Illegal> {
        let phase = self.invitations.apply(id, input, now)?;
        let inv = self.invitations.get(id).ok_or(Illegal::NoEffect)?;
        let (caller, callee) = (inv.info.caller.clone(), inv.info.callee.clone());
        self.arm(id, &phase, now);
        self.sync(id, &order);
        if let (Phase::Ended { end, .. }, Some(inv)) = (&phase, self.invitations.get(id)) {
            let records = records_for(inv, end, self.clock.at(now), &self.clock);
            self.records.extend(records);
        }
        self.presence_book.touch(&caller);
        self.presence_book.touch(&callee);
        Ok(())
    }

    /// Sets the one timer that belongs to `phase`.
    pub(super) fn arm(&mut self, id: &InvitationId, phase: &Phase, now: Instant) {
        let owner = Owner::Invitation(id.clone());
        let (kind, after) = match phase {
            Phase::Pending {
                wait: Wait::Offline,
            } => (
                TimerKind::Expiry(Expiry::OfflineWait),
                self.config.offline_wait,
            ),
            Phase::Pending { wait: Wait::Ack } => {
                (TimerKind::Expiry(Expiry::Ack), self.config.ack_timeout)
            }
            Phase::Ringing => (TimerKind::Expiry(Expiry::Ring), self.config.ring_timeout),
            Phase::Accepting(_) => (
                TimerKind::Expiry(Expiry::Confirm),
                self.config.accept_confirm_timeout,
            ),
            Phase::InCall(_) => {
                self.timers.cancel(&owner);
                return;
            }
            Phase::Ended { .. } => (TimerKind::Purge, self.config.ended_retention),
        };
        self.timers.set(owner, kind, now + after);
    }

    /// Tells every connected party device of `id` what changed for it since it was last told.
    pub(super) fn sync(&mut self, id: &InvitationId, order: &Order) {
        let Some(inv) = self.invitations.get(id) else {
            return;
        };
        let mut callees = inv.callee_parties();
        match order {
            Order::CallerFirst => {
                self.sync_caller(id);
                for device in &callees {
                    self.sync_callee(id, device);
                }
            }
            Order::CalleesFirst(lead) => {
                let lead_at = lead
                    .as_ref()
                    .and_then(|lead| callees.iter().position(|d| d == lead));
                if let Some(pos) = lead_at {
                    let lead = callees.remove(pos);
                    callees.insert(0, lead);
                }
                for device in &callees {
                    self.sync_callee(id, device);
                }
                self.sync_caller(id);
            }
        }
    }

    fn sync_caller(&mut self, id: &InvitationId) {
        let Some(inv) = self.invitations.get_mut(id) else {
            return;
        };
        let key = DeviceKey {
            uid: inv.info.caller.clone(),
            device_id: inv.caller_device.clone(),
        };
        let Some(conn) = self.devices.conn_of(&key) else {
            return;
        };
        let now_view = caller_view(inv.phase());
        let frames = caller_frames(&inv.info, &inv.caller_seen, &now_view);
        inv.caller_seen = now_view;
        for frame in frames {
            self.send(conn, frame);
        }
    }

    fn sync_callee(&mut self, id: &InvitationId, device: &DeviceId) {
        let Some(inv) = self.invitations.get_mut(id) else {
            return;
        };
        let key = DeviceKey {
            uid: inv.info.callee.clone(),
            device_id: device.clone(),
        };
        let Some(conn) = self.devices.conn_of(&key) else {
            return;
        };
        let now_view = callee_view(inv.phase(), device);
        let old = inv.callee_seen.get(device).cloned().flatten();
        let frames = callee_frames(&inv.info, old.as_ref(), &now_view);
        // A device not told yet stays so until a frame is due (see `callee_frames`).
        if old.is_some() || !frames.is_empty() {
            inv.callee_seen.insert(device.clone(), Some(now_view));
        }
        for frame in frames {
            self.send(conn, frame);
        }
    }

    /// Fires every timer due at or before `now`, each at its own deadline.
    pub(super) fn run_due(&mut self, now: Instant) {
        while let Some((at, owner, kind)) = self.timers.pop_due(now) {
            match (owner, kind) {
                (Owner::Invitation(id), TimerKind::Expiry(expiry)) => {
                    let order = Order::CalleesFirst(None);
                    match self.drive(&id, Input::Timeout(expiry), order, at) {
                        Ok(()) => {}
                        Err(err) => tracing::debug!(%id, %err, "stale timer {expiry:?}"),
                    }
                }
                (Owner::Invitation(id), TimerKind::Purge) => {
                    tracing::debug!(%id, "purged");
                    self.invitations.remove(&id);
                }
                (Owner::Device(key), TimerKind::Grace) => self.device_lost(&key, at),
                (Owner::Invitation(id), TimerKind::Grace) => {
                    tracing::debug!(%id, "grace timer on an invitation ignored");
                }
                (Owner::Device(key), TimerKind::Expiry(_) | TimerKind::Purge) => {
                    tracing::debug!(uid = %key.uid, "invitation timer on a device ignored");
                }
            }
        }
    }
}
