//! Frames from admitted connections: one handler per request.

use std::time::Instant;

use ringer_proto::{
    ClientFrame, DirectoryEntry, ErrorCode, InvitationId, RefuseReason, ReqId, Response,
    ServerFrame, Status,
};

use super::Switchboard;
use super::drive::Order;
use super::invite::NewInvitation;
use crate::Account;
use crate::devices::DeviceKey;
use crate::invitation::{Actor, Illegal, Input, Invitation};
use crate::io::ConnId;

const FORBIDDEN: &str = "no such invitation, or this device is not party to it";

/// Which side of an invitation a device is on.
enum Side {
    /// The caller's device that sent it.
    CallerDevice,
    /// A device of the callee's uid.
    Callee,
    /// Another device of the caller's uid, or a stranger.
    None,
}

fn side(inv: &Invitation, key: &DeviceKey) -> Side {
    if inv.info.caller == key.uid && inv.caller_device == key.device_id {
        Side::CallerDevice
    } else if inv.info.callee == key.uid {
        Side::Callee
    } else {
        Side::None
    }
}

fn error_code(illegal: Illegal) -> ErrorCode {
    match illegal {
        Illegal::AlreadyEnd => ErrorCode::AlreadyEnd,
        Illegal::AlreadyAccept => ErrorCode::AlreadyAccept,
        Illegal::NotAccepted | Illegal::NoEffect => ErrorCode::InvalidArgument,
    }
}

impl Switchboard {
    pub(super) fn dispatch(&mut self, conn: ConnId, frame: ClientFrame, now: Instant) {
        let Some(key) = self.devices.conn(conn).map(|c| c.device.clone()) else {
            let message = "authenticate first";
            self.reply_error(conn, frame.req(), ErrorCode::NotLoggedIn, message);
            return;
        };
        match frame {
            ClientFrame::Login { req, .. }
            | ClientFrame::Authenticate { req, .. }
            | ClientFrame::Logout { req }
            | ClientFrame::RenewToken { req }
            | ClientFrame::History { req, .. } => {
                let message = "the switchboard does not handle this request";
                self.reply_error(conn, Some(req), ErrorCode::Unsupported, message);
            }
            ClientFrame::Ping {} => self.send(conn, ServerFrame::Pong {}),
            ClientFrame::Invite {
                req,
                id,
                callee,
                content,
                channel_id,
            } => {
                let new = NewInvitation {
                    id,
                    callee,
                    content,
                    channel_id,
                };
                self.invite(conn, &key, req, new, now);
            }
            ClientFrame::Received { id } => self.received(conn, &key, &id, now),
            ClientFrame::Accept { req, id, response } => {
                self.accept(conn, &key, req, &id, response, now);
            }
            ClientFrame::Refuse {
                req,
                id,
                response,
                reason,
            } => {
                let input = Input::Refuse {
                    device: key.device_id.clone(),
                    response,
                    reason: reason.unwrap_or(RefuseReason::Declined),
                };
                self.refuse(conn, &key, req, &id, input, now);
            }
            ClientFrame::Cancel { req, id } => self.cancel(conn, &key, req, &id, now),
            ClientFrame::Confirm { id } => self.confirm(conn, &key, &id, now),
            ClientFrame::HangUp { req, id } => self.hang_up(conn, &key, req, &id, now),
            ClientFrame::SetStatus {
                req,
                status,
                call_waiting,
            } => self.set_status(conn, &key, req, status, call_waiting),
            ClientFrame::QueryPresence { req, uids } => self.query_presence(conn, req, uids),
            ClientFrame::Subscribe { req, uids } => self.subscribe(conn, req, uids),
            ClientFrame::Unsubscribe { req, uids } => self.unsubscribe(conn, req, uids),
            ClientFrame::Directory { req } => self.directory(conn, req),
        }
    }

    /// A callee device acknowledges receipt. Acknowledgements race every end (a cancel right
    /// after the invitation, say), so one for an ended invitation is ignored, not refused.
    fn received(&mut self, conn: ConnId, key: &DeviceKey, id: &InvitationId, now: Instant) {
        let Some(inv) = self.invitations.get_mut(id) else {
            self.reply_error(conn, None, ErrorCode::Forbidden, FORBIDDEN);
            return;
        };
        match side(inv, key) {
            Side::Callee => {}
            Side::CallerDevice | Side::None => {
                self.reply_error(conn, None, ErrorCode::Forbidden, FORBIDDEN);
                return;
            }
        }
        mark_told(inv, key);
        match self.drive(id, Input::Received, Order::CalleesFirst(None), now) {
            Ok(()) | Err(Illegal::NoEffect | Illegal::AlreadyEnd) => {}
            Err(err @ (Illegal::AlreadyAccept | Illegal::NotAccepted)) => {
                tracing::debug!(%id, %err, "received: ignored");
            }
        }
    }

    fn accept(
        &mut self,
        conn: ConnId,
        key: &DeviceKey,
        req: ReqId,
        id: &InvitationId,
        response: Option<Response>,
        now: Instant,
    ) {
        let input = Input::Accept {
            device: key.device_id.clone(),
            response,
        };
        if self.check_callee(conn, key, req, id, &input, now) {
            self.reply_ok(conn, req);
            self.callee_acts(id, key, now);
            self.drive_reporting(id, input, Order::CallerFirst, now);
        }
    }

    fn refuse(
        &mut self,
        conn: ConnId,
        key: &DeviceKey,
        req: ReqId,
        id: &InvitationId,
        input: Input,
        now: Instant,
    ) {
        if self.check_callee(conn, key, req, id, &input, now) {
            self.reply_ok(conn, req);
            self.callee_acts(id, key, now);
            let order = Order::CalleesFirst(Some(key.device_id.clone()));
            self.drive_reporting(id, input, order, now);
        }
    }

    fn cancel(
        &mut self,
        conn: ConnId,
        key: &DeviceKey,
        req: ReqId,
        id: &InvitationId,
        now: Instant,
    ) {
        let Some(inv) = self.invitations.get(id) else {
            self.reply_error(conn, Some(req), ErrorCode::Forbidden, FORBIDDEN);
            return;
        };
        match side(inv, key) {
            Side::CallerDevice => {}
            Side::Callee | Side::None => {
                self.reply_error(conn, Some(req), ErrorCode::Forbidden, FORBIDDEN);
                return;
            }
        }
        if let Err(illegal) = inv.check(Input::Cancel, now) {
            self.reply_error(conn, Some(req), error_code(illegal), &illegal.to_string());
            return;
        }
        self.reply_ok(conn, req);
        self.drive_reporting(id, Input::Cancel, Order::CalleesFirst(None), now);
    }

    /// The caller's device confirms an accept. It has no request id, so a refusal is an error
    /// without one; a repeated confirm is ignored.
    fn confirm(&mut self, conn: ConnId, key: &DeviceKey, id: &InvitationId, now: Instant) {
        let Some(inv) = self.invitations.get(id) else {
            self.reply_error(conn, None, ErrorCode::Forbidden, FORBIDDEN);
            return;
        };
        match side(inv, key) {
            Side::CallerDevice => {}
            Side::Callee | Side::None => {
                self.reply_error(conn, None, ErrorCode::Forbidden, FORBIDDEN);
                return;
            }
        }
        match self.drive(id, Input::Confirm, Order::CallerFirst, now) {
            Ok(()) | Err(Illegal::NoEffect) => {}
            Err(
                illegal @ (Illegal::AlreadyEnd | Illegal::AlreadyAccept | Illegal::NotAccepted),
            ) => {
                self.reply_error(conn, None, error_code(illegal), &illegal.to_string());
            }
        }
    }

    fn hang_up(
        &mut self,
        conn: ConnId,
        key: &DeviceKey,
        req: ReqId,
        id: &InvitationId,
        now: Instant,
    ) {
        let Some(inv) = self.invitations.get(id) else {
            self.reply_error(conn, Some(req), ErrorCode::Forbidden, FORBIDDEN);
            return;
        };
        let actor = match side(inv, key) {
            Side::CallerDevice => Actor::Caller,
            Side::Callee => Actor::Callee(key.device_id.clone()),
            Side::None => {
                self.reply_error(conn, Some(req), ErrorCode::Forbidden, FORBIDDEN);
                return;
            }
        };
        let input = Input::HangUp {
            actor,
            by: key.uid.clone(),
        };
        if let Err(illegal) = inv.check(input.clone(), now) {
            self.reply_error(conn, Some(req), error_code(illegal), &illegal.to_string());
            return;
        }
        self.reply_ok(conn, req);
        self.drive_reporting(id, input, Order::CalleesFirst(None), now);
    }

    fn set_status(
        &mut self,
        conn: ConnId,
        key: &DeviceKey,
        req: ReqId,
        status: Status,
        call_waiting: Option<bool>,
    ) {
        let prefs = self.prefs.entry(key.uid.clone()).or_default();
        prefs.status = status;
        if let Some(call_waiting) = call_waiting {
            prefs.call_waiting = call_waiting;
        }
        let changed = ServerFrame::StatusChanged {
            status: prefs.status,
            call_waiting: prefs.call_waiting,
        };
        self.reply_ok(conn, req);
        for device_conn in self.devices.conns_of_uid(&key.uid) {
            self.send(device_conn, changed.clone());
        }
        self.presence_book.touch(&key.uid);
    }

    fn directory(&mut self, conn: ConnId, req: ReqId) {
        let mut enabled: Vec<&Account> = self.accounts.values().filter(|a| a.enabled).collect();
        enabled.sort_unstable_by(|a, b| a.uid.cmp(&b.uid));
        let users = enabled
            .into_iter()
            .map(|a| DirectoryEntry {
                uid: a.uid.clone(),
                display_name: a.display_name.clone(),
                presence: self.presence_of(&a.uid),
            })
            .collect();
        self.send(conn, ServerFrame::DirectoryResult { req, users });
    }

    /// Checks that a callee-side request may act, replying the error if not.
    fn check_callee(
        &mut self,
        conn: ConnId,
        key: &DeviceKey,
        req: ReqId,
        id: &InvitationId,
        input: &Input,
        now: Instant,
    ) -> bool {
        let Some(inv) = self.invitations.get(id) else {
            self.reply_error(conn, Some(req), ErrorCode::Forbidden, FORBIDDEN);
            return false;
        };
        match side(inv, key) {
            Side::Callee => {}
            Side::CallerDevice | Side::None => {
                self.reply_error(conn, Some(req), ErrorCode::Forbidden, FORBIDDEN);
                return false;
            }
        }
        match inv.check(input.clone(), now) {
            Ok(()) => true,
            Err(illegal) => {
                self.reply_error(conn, Some(req), error_code(illegal), &illegal.to_string());
                false
            }
        }
    }

    /// Before a callee device's accept or refuse: it evidently knows the invitation, and if no
    /// device had acknowledged it yet, its answer is its acknowledgement too, so the caller hears
    /// `received_by_peer` before the answer, as SPEC §3's table has it.
    fn callee_acts(&mut self, id: &InvitationId, key: &DeviceKey, now: Instant) {
        if let Some(inv) = self.invitations.get_mut(id) {
            mark_told(inv, key);
        }
        match self.drive(id, Input::Received, Order::CalleesFirst(None), now) {
            Ok(()) | Err(Illegal::NoEffect) => {}
            Err(err @ (Illegal::AlreadyEnd | Illegal::AlreadyAccept | Illegal::NotAccepted)) => {
                tracing::debug!(%id, %err, "implicit receipt: ignored");
            }
        }
    }

    /// Drives an input already checked legal; a failure here is a bug worth a log line.
    fn drive_reporting(&mut self, id: &InvitationId, input: Input, order: Order, now: Instant) {
        if let Err(err) = self.drive(id, input, order, now) {
            tracing::warn!(%id, %err, "checked input was refused");
        }
    }
}

/// Records that a callee device knows an unanswered invitation (it acted on it), so it counts
/// as a party from now on.
fn mark_told(inv: &mut Invitation, key: &DeviceKey) {
    if inv.phase().is_unanswered() {
        let told = inv.callee_seen.entry(key.device_id.clone()).or_insert(None);
        if told.is_none() {
            *told = Some(ringer_proto::InvitationState::Ringing);
        }
    }
}
