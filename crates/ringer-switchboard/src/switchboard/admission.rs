//! Devices coming and going: admission, disconnects, grace expiry, bans and shutdown.

use std::time::Instant;

use ringer_proto::{ServerFrame, Uid, Welcome};

use super::Switchboard;
use super::drive::Order;
use crate::devices::{DeviceKey, Link};
use crate::invitation::{Illegal, Input};
use crate::io::{AdmitError, Authenticated, CloseReason, ConnId};
use crate::timers::{Owner, TimerKind};

impl Switchboard {
    pub(super) fn admit(
        &mut self,
        conn: ConnId,
        auth: Authenticated,
        now: Instant,
    ) -> Result<(), AdmitError> {
        if self.devices.conn(conn).is_some() {
            return Err(AdmitError::AlreadyAdmitted);
        }
        let display_name = self
            .enabled_account(&auth.uid)
            .ok_or(AdmitError::UnknownAccount)?
            .display_name
            .clone();
        let key = DeviceKey {
            uid: auth.uid.clone(),
            device_id: auth.device_id.clone(),
        };
        match self.devices.link(&key) {
            Some(Link::Connected(old)) => {
                self.detach_conn(old);
                self.closes.push_back((old, CloseReason::Replaced));
            }
            Some(Link::Away { .. }) => self.timers.cancel(&Owner::Device(key.clone())),
            None => {
                if self.devices.count(&key.uid) >= self.config.max_devices_per_uid {
                    return Err(AdmitError::TooManyDevices);
                }
            }
        }
        self.devices.connect(key.clone(), conn);
        tracing::debug!(conn = conn.0, uid = %key.uid, device = %key.device_id, "admitted");

        let (snapshot, reachable) = self.snapshot_for(&key);
        let prefs = self.prefs_of(&key.uid);
        let heartbeat_interval_ms =
            u64::try_from(self.config.heartbeat_interval.as_millis()).unwrap_or(u64::MAX);
        self.send(
            conn,
            ServerFrame::Welcome(Box::new(Welcome {
                req: auth.req,
                uid: auth.uid,
                display_name,
                device_id: auth.device_id,
                token: auth.token,
                token_expires_at: auth.token_expires_at,
                server_id: self.server_id.clone(),
                heartbeat_interval_ms,
                status: prefs.status,
                call_waiting: prefs.call_waiting,
                snapshot,
            })),
        );
        for id in reachable {
            // A pending invitation now has a callee device to acknowledge it: its offline wait
            // becomes the ack timeout. Already waiting for an ack is no change.
            match self.drive(&id, Input::CalleeReachable, Order::CallerFirst, now) {
                Ok(()) | Err(Illegal::NoEffect) => {}
                Err(
                    err @ (Illegal::AlreadyEnd | Illegal::AlreadyAccept | Illegal::NotAccepted),
                ) => {
                    tracing::debug!(%id, %err, "callee reachable: ignored");
                }
            }
        }
        self.presence_book.touch(&key.uid);
        Ok(())
    }

    pub(super) fn disconnect(&mut self, conn: ConnId, now: Instant) {
        let Some(gone) = self.detach_conn(conn) else {
            return;
        };
        if self.devices.link(&gone) == Some(Link::Connected(conn)) {
            tracing::debug!(conn = conn.0, uid = %gone.uid, device = %gone.device_id, "away");
            self.devices.set_away(&gone, now);
            self.timers.set(
                Owner::Device(gone),
                TimerKind::Grace,
                now + self.config.reconnect_grace,
            );
        }
    }

    pub(super) fn log_out(&mut self, conn: ConnId, now: Instant) {
        let Some(gone) = self.detach_conn(conn) else {
            return;
        };
        if self.devices.link(&gone) == Some(Link::Connected(conn)) {
            self.device_lost(&gone, now);
        }
    }

    /// The grace period of a device is over, or it was banned: it is gone, and so are the
    /// invitations and calls that depended on it.
    pub(super) fn device_lost(&mut self, key: &DeviceKey, now: Instant) {
        tracing::debug!(uid = %key.uid, device = %key.device_id, "device gone");
        self.timers.cancel(&Owner::Device(key.clone()));
        self.devices.remove(key);
        self.presence_book.touch(&key.uid);
        for id in self.invitations.of_uid(&key.uid) {
            let Some(inv) = self.invitations.get(&id) else {
                continue;
            };
            let (input, order) = if inv.info.caller == key.uid && inv.caller_device == key.device_id
            {
                (Input::CallerLost, Order::CalleesFirst(None))
            } else if inv.info.callee == key.uid {
                (
                    Input::CalleeLost {
                        device: key.device_id.clone(),
                    },
                    Order::CallerFirst,
                )
            } else {
                continue;
            };
            match self.drive(&id, input, order, now) {
                Ok(()) | Err(Illegal::NoEffect) => {}
                Err(
                    err @ (Illegal::AlreadyEnd | Illegal::AlreadyAccept | Illegal::NotAccepted),
                ) => {
                    tracing::debug!(%id, %err, "device lost: ignored");
                }
            }
        }
    }

    /// Closes every device of `uid` at once, without grace.
    pub(super) fn ban(&mut self, uid: &Uid, now: Instant) {
        for (device_id, link) in self.devices.of_uid(uid) {
            if let Link::Connected(conn) = link {
                self.detach_conn(conn);
                self.closes.push_back((conn, CloseReason::Banned));
            }
            let key = DeviceKey {
                uid: uid.clone(),
                device_id,
            };
            self.device_lost(&key, now);
        }
    }

    pub(super) fn shut_down(&mut self, now: Instant) {
        for id in self.invitations.all_ids() {
            match self.drive(&id, Input::Shutdown, Order::CalleesFirst(None), now) {
                Ok(()) | Err(Illegal::NoEffect) => {}
                Err(
                    err @ (Illegal::AlreadyEnd | Illegal::AlreadyAccept | Illegal::NotAccepted),
                ) => {
                    tracing::debug!(%id, %err, "shutdown: ignored");
                }
            }
        }
        for conn in self.devices.all_conns() {
            self.closes.push_back((conn, CloseReason::Shutdown));
        }
        self.devices.clear();
        self.presence_book.clear();
        self.timers.clear();
    }

    /// Forgets an admitted connection and its subscriptions; returns its device.
    fn detach_conn(&mut self, conn: ConnId) -> Option<DeviceKey> {
        let gone = self.devices.detach(conn)?;
        self.presence_book
            .unsubscribe_all(conn, &gone.subscriptions);
        Some(gone.device)
    }
}
