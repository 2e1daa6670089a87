//! One invitation: what the server stamped, where it is in its life, and what each party device
//! was last told about it.

mod phase;
mod view;

use std::collections::BTreeMap;
use std::time::Instant;

use ringer_proto::{DeviceId, InvitationId, InvitationInfo, InvitationState, Uid};

use crate::HashMap;

pub(crate) use phase::{Actor, End, Expiry, Illegal, Input, Phase, Wait, step};
pub(crate) use view::{callee_frames, callee_view, caller_frames, caller_view};

/// One invitation and its parties.
#[derive(Debug, Clone)]
pub(crate) struct Invitation {
    /// As stamped by the server and delivered to the callee.
    pub(crate) info: InvitationInfo,
    /// The caller's device that sent it; only it may cancel, confirm or hang up for the caller.
    pub(crate) caller_device: DeviceId,
    /// Creation order, for deterministic iteration.
    pub(crate) seq: u64,
    phase: Phase,
    /// What the caller's device was last told.
    pub(crate) caller_seen: InvitationState,
    /// The callee devices party to it, with what each was last told (`None`: to be told).
    pub(crate) callee_seen: BTreeMap<DeviceId, Option<InvitationState>>,
}

impl Invitation {
    /// A new, pending invitation.
    pub(crate) fn new(info: InvitationInfo, caller_device: DeviceId, seq: u64, wait: Wait) -> Self {
        tracing::debug!(id = %info.id, caller = %info.caller, callee = %info.callee, "created, pending({wait:?})");
        Invitation {
            info,
            caller_device,
            seq,
            phase: Phase::Pending { wait },
            caller_seen: InvitationState::Pending,
            callee_seen: BTreeMap::new(),
        }
    }

    /// Where it is now.
    pub(crate) fn phase(&self) -> &Phase {
        &self.phase
    }

    /// What `input` would do, without doing it.
    pub(crate) fn check(&self, input: Input, now: Instant) -> Result<(), Illegal> {
        step(&self.phase, input, now).map(|_| ())
    }

    /// The one place an invitation changes phase: applies `input`, logging `old -> new`. Private
    /// to this module so that every change goes through [`Book::apply`], which keeps the index
    /// of live invitations.
    fn apply(&mut self, input: Input, now: Instant) -> Result<&Phase, Illegal> {
        let next = step(&self.phase, input, now)?;
        tracing::debug!(id = %self.info.id, "{} -> {}", self.phase, next);
        self.phase = next;
        Ok(&self.phase)
    }

    /// The callee devices party to it: those told about it, and the acceptor.
    pub(crate) fn callee_parties(&self) -> Vec<DeviceId> {
        let mut parties: Vec<DeviceId> = self.callee_seen.keys().cloned().collect();
        let untold_acceptor = self
            .phase
            .acceptor()
            .filter(|acceptor| !self.callee_seen.contains_key(*acceptor));
        if let Some(acceptor) = untold_acceptor {
            parties.push(acceptor.clone());
        }
        parties
    }
}

/// Every invitation the switchboard remembers: live ones and ended ones within retention.
#[derive(Debug, Default)]
pub(crate) struct Book {
    by_id: HashMap<InvitationId, Invitation>,
    /// Per party uid, its invitations in creation order.
    by_uid: HashMap<Uid, BTreeMap<u64, InvitationId>>,
    /// Per party uid, its live (not ended) invitations in creation order: presence, busy and
    /// glare checks walk only these, not the ended ones kept for `ended_retention`.
    live_by_uid: HashMap<Uid, BTreeMap<u64, InvitationId>>,
    next_seq: u64,
}

impl Book {
    /// The sequence number for the next invitation.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// True when an invitation with this id is live or retained.
    pub(crate) fn contains(&self, id: &InvitationId) -> bool {
        self.by_id.contains_key(id)
    }

    pub(crate) fn get(&self, id: &InvitationId) -> Option<&Invitation> {
        self.by_id.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &InvitationId) -> Option<&mut Invitation> {
        self.by_id.get_mut(id)
    }

    pub(crate) fn insert(&mut self, inv: Invitation) {
        let live = !inv.phase.is_ended();
        for uid in [&inv.info.caller, &inv.info.callee] {
            index(&mut self.by_uid, uid, inv.seq, &inv.info.id);
            if live {
                index(&mut self.live_by_uid, uid, inv.seq, &inv.info.id);
            }
        }
        self.by_id.insert(inv.info.id.clone(), inv);
    }

    /// Applies `input` to invitation `id` (see [`Invitation::apply`]) and keeps the index of
    /// live invitations up to date; the new phase.
    pub(crate) fn apply(
        &mut self,
        id: &InvitationId,
        input: Input,
        now: Instant,
    ) -> Result<Phase, Illegal> {
        let inv = self.by_id.get_mut(id).ok_or(Illegal::NoEffect)?;
        let phase = inv.apply(input, now)?.clone();
        if phase.is_ended() {
            for uid in [&inv.info.caller, &inv.info.callee] {
                unindex(&mut self.live_by_uid, uid, inv.seq);
            }
        }
        Ok(phase)
    }

    pub(crate) fn remove(&mut self, id: &InvitationId) {
        if let Some(inv) = self.by_id.remove(id) {
            for uid in [&inv.info.caller, &inv.info.callee] {
                unindex(&mut self.by_uid, uid, inv.seq);
                unindex(&mut self.live_by_uid, uid, inv.seq);
            }
        }
    }

    /// The invitations `uid` is party to (as caller or callee), in creation order.
    pub(crate) fn of_uid(&self, uid: &Uid) -> Vec<InvitationId> {
        self.by_uid
            .get(uid)
            .map_or_else(Vec::new, |ids| ids.values().cloned().collect())
    }

    /// The live (not ended) invitations `uid` is party to, in creation order.
    pub(crate) fn iter_live_uid<'a>(
        &'a self,
        uid: &Uid,
    ) -> impl Iterator<Item = &'a Invitation> + 'a {
        self.live_by_uid
            .get(uid)
            .into_iter()
            .flat_map(|ids| ids.values())
            .filter_map(|id| self.by_id.get(id))
    }

    /// Every invitation, in creation order.
    pub(crate) fn all_ids(&self) -> Vec<InvitationId> {
        let mut all: Vec<(u64, InvitationId)> = self
            .by_id
            .values()
            .map(|inv| (inv.seq, inv.info.id.clone()))
            .collect();
        all.sort();
        all.into_iter().map(|(_, id)| id).collect()
    }
}

fn index(
    map: &mut HashMap<Uid, BTreeMap<u64, InvitationId>>,
    uid: &Uid,
    seq: u64,
    id: &InvitationId,
) {
    map.entry(uid.clone()).or_default().insert(seq, id.clone());
}

fn unindex(map: &mut HashMap<Uid, BTreeMap<u64, InvitationId>>, uid: &Uid, seq: u64) {
    if let Some(ids) = map.get_mut(uid) {
        ids.remove(&seq);
        if ids.is_empty() {
            map.remove(uid);
        }
    }
}

#[cfg(test)]
mod tests;
