//! A new invitation: the checks before it exists, and the server's decision on what happens to
//! it at once.
//!
//! Decision order, after `ok`: the callee has no enabled account (`peer_unknown`); its status is
//! do-not-disturb (refused `dnd`); it is in a call without call waiting (refused `busy`); it has
//! an unanswered invitation to the caller (glare); otherwise it rings. Busy and dnd are recorded
//! as missed calls for the callee.

use std::time::Instant;

use ringer_proto::{
    ChannelId, Content, ErrorCode, FailureReason, InvitationId, InvitationInfo, RefuseReason,
    ReqId, Uid,
};

use super::Switchboard;
use super::drive::Order;

/// What an `invite` frame asks for.
pub(super) struct NewInvitation {
    pub(super) id: InvitationId,
    pub(super) callee: Uid,
    pub(super) content: Option<Content>,
    pub(super) channel_id: Option<ChannelId>,
}
use crate::devices::{DeviceKey, Link};
use crate::invitation::{Illegal, Input, Invitation, Wait};
use crate::io::ConnId;

impl Switchboard {
    pub(super) fn invite(
        &mut self,
        conn: ConnId,
        caller: &DeviceKey,
        req: ReqId,
        new: NewInvitation,
        now: Instant,
    ) {
        let NewInvitation {
            id,
            callee,
            content,
            channel_id,
        } = new;
        if self.invitations.contains(&id) {
            let message = "an invitation with this id was already sent";
            self.reply_error(conn, Some(req), ErrorCode::AlreadySent, message);
            return;
        }
        if callee == caller.uid {
            let message = "a uid cannot invite itself";
            self.reply_error(conn, Some(req), ErrorCode::InvalidArgument, message);
            return;
        }
        let Some(caller_name) = self
            .enabled_account(&caller.uid)
            .map(|a| a.display_name.clone())
        else {
            // Admitted devices of a disabled account are closed at once; this is a race with
            // that close.
            let message = "the account is disabled";
            self.reply_error(conn, Some(req), ErrorCode::AccountDisabled, message);
            return;
        };
        self.reply_ok(conn, req);

        let info = InvitationInfo {
            id: id.clone(),
            caller: caller.uid.clone(),
            caller_name,
            callee: callee.clone(),
            content,
            channel_id,
            sent_at: self.clock.at(now),
        };
        let callee_devices: Vec<_> = self
            .devices
            .of_uid(&callee)
            .into_iter()
            .filter_map(|(device, link)| match link {
                Link::Connected(_) => Some(device),
                Link::Away { .. } => None,
            })
            .collect();
        let wait = if callee_devices.is_empty() {
            Wait::Offline
        } else {
            Wait::Ack
        };
        let seq = self.invitations.next_seq();
        let mut inv = Invitation::new(info, caller.device_id.clone(), seq, wait);
        let phase = inv.phase().clone();

        let immediate = if self.enabled_account(&callee).is_none() {
            Some(Input::Fail {
                reason: FailureReason::PeerUnknown,
            })
        } else if self.prefs_of(&callee).status == ringer_proto::Status::Dnd {
            Some(Input::AutoRefuse {
                reason: RefuseReason::Dnd,
            })
        } else if self.in_call(&callee) && !self.prefs_of(&callee).call_waiting {
            Some(Input::AutoRefuse {
                reason: RefuseReason::Busy,
            })
        } else {
            self.glare_with(&caller.uid, &callee).map(|_| Input::Fail {
                reason: FailureReason::Glare,
            })
        };

        match immediate {
            Some(input) => {
                let glare = matches!(
                    input,
                    Input::Fail {
                        reason: FailureReason::Glare
                    }
                );
                self.invitations.insert(inv);
                self.arm(&id, &phase, now);
                self.drive_or_log(&id, input, Order::CalleesFirst(None), now);
                if glare {
                    self.resolve_glare(caller, &callee, now);
                }
            }
            None => {
                for device in callee_devices {
                    inv.callee_seen.insert(device, None);
                }
                self.invitations.insert(inv);
                self.arm(&id, &phase, now);
                self.sync(&id, &Order::CalleesFirst(None));
            }
        }
        self.presence_book.touch(&caller.uid);
    }

    /// The earliest unanswered invitation from `callee` to `caller`, if any.
    fn glare_with(&self, caller: &Uid, callee: &Uid) -> Option<InvitationId> {
        self.invitations
            .iter_live_uid(caller)
            .find(|inv| {
                inv.info.caller == *callee
                    && inv.info.callee == *caller
                    && inv.phase().is_unanswered()
            })
            .map(|inv| inv.info.id.clone())
    }

    /// Glare: `caller`'s device invited `callee` while `callee` was ringing `caller`. The earlier
    /// invitation is accepted on `caller`'s behalf, with this device as the acceptor.
    fn resolve_glare(&mut self, caller: &DeviceKey, callee: &Uid, now: Instant) {
        let Some(earlier) = self.glare_with(&caller.uid, callee) else {
            return;
        };
        tracing::debug!(id = %earlier, acceptor = %caller.device_id, "glare: accepting the earlier invitation");
        match self.drive(&earlier, Input::Received, Order::CalleesFirst(None), now) {
            Ok(()) | Err(Illegal::NoEffect) => {}
            Err(err @ (Illegal::AlreadyEnd | Illegal::AlreadyAccept | Illegal::NotAccepted)) => {
                tracing::debug!(id = %earlier, %err, "glare receipt: ignored");
            }
        }
        let accept = Input::Accept {
            device: caller.device_id.clone(),
            response: None,
        };
        self.drive_or_log(&earlier, accept, Order::CallerFirst, now);
    }

    fn drive_or_log(&mut self, id: &InvitationId, input: Input, order: Order, now: Instant) {
        if let Err(err) = self.drive(id, input, order, now) {
            tracing::warn!(%id, %err, "input at creation was refused");
        }
    }
}
