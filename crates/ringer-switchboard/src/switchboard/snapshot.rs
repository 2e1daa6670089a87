//! The welcome snapshot: every invitation a device is party to, as that device should see it.

use ringer_proto::{InvitationId, InvitationState, Role, SnapshotEntry};

use super::Switchboard;
use crate::devices::DeviceKey;
use crate::invitation::{callee_view, caller_view};

impl Switchboard {
    /// The snapshot for a device being admitted, in creation order. The device counts as told
    /// everything in it; invitations to its uid still ringing are delivered to it this way. Also
    /// returns the unanswered invitations it is a callee device of.
    pub(super) fn snapshot_for(
        &mut self,
        key: &DeviceKey,
    ) -> (Vec<SnapshotEntry>, Vec<InvitationId>) {
        let mut entries = Vec::new();
        let mut reachable = Vec::new();
        for id in self.invitations.of_uid(&key.uid) {
            let Some(inv) = self.invitations.get_mut(&id) else {
                continue;
            };
            let (role, state) = if inv.info.caller == key.uid && inv.caller_device == key.device_id
            {
                let state = caller_view(inv.phase());
                inv.caller_seen = state.clone();
                (Role::Caller, state)
            } else if inv.info.callee == key.uid {
                let party = inv.callee_parties().contains(&key.device_id);
                if !party && !inv.phase().is_unanswered() {
                    continue;
                }
                let state = callee_view(inv.phase(), &key.device_id);
                if matches!(state, InvitationState::Accepting { .. })
                    && !inv.callee_seen.contains_key(&key.device_id)
                {
                    // A glare acceptor that was never told: see `callee_frames`.
                    continue;
                }
                if inv.phase().is_unanswered() {
                    reachable.push(id.clone());
                }
                inv.callee_seen
                    .insert(key.device_id.clone(), Some(state.clone()));
                (Role::Callee, state)
            } else {
                continue;
            };
            entries.push(SnapshotEntry {
                invitation: inv.info.clone(),
                role,
                state,
            });
        }
        (entries, reachable)
    }
}
