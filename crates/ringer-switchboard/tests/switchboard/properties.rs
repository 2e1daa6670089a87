//! Property tests: random interleavings of actions, time jumps, disconnects and bans among 2–4
//! parties with two devices each, ending with a shutdown. Checked as it runs and at the end:
//!
//! - every request gets exactly one reply, and no timer is ever in the past (the harness);
//! - nothing is sent to a device about an invitation after it heard its end, so each device
//!   hears at most one terminal frame, and a later snapshot never shows a different end;
//! - after shutdown, every connected device that knew an invitation has heard its end;
//! - the caller's and every callee device's outcomes agree, and at most one callee device
//!   answered;
//! - each invitation leaves exactly one record per side, and they agree with what was seen;
//! - a device is pushed a uid's presence only while it subscribes to it and only when it
//!   changed, and after every step what each subscriber was last told is the uid's presence.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use ringer_proto::{
    CallRecord, ClientFrame, InvitationId, InvitationState, Outcome, Presence, RefuseReason, ReqId,
    ServerFrame, Status, Uid,
};
use ringer_switchboard::{AdmitError, Config, ConnId};

use crate::harness::{Harness, USERS, id, uid};

type Device = (usize, usize);

/// Who acts on an invitation: mostly a device with the right role, sometimes anyone.
#[derive(Debug, Clone, Copy)]
enum Who {
    Caller,
    Callee(usize),
    Any(Device),
}

#[derive(Debug, Clone)]
enum Act {
    Connect(Device),
    Disconnect(Device),
    Invite {
        from: Device,
        callee: usize,
        reuse: Option<usize>,
    },
    Received(Who, usize),
    Accept(Who, usize),
    Refuse(Who, usize, bool),
    Cancel(Who, usize),
    Confirm(Who, usize),
    HangUp(Who, usize),
    Status {
        user: usize,
        dnd: bool,
        call_waiting: bool,
    },
    ToggleAccount(usize),
    Subscribe(Device, usize),
    Unsubscribe(Device, usize),
    Advance(u64),
    Jump,
}

fn device() -> impl Strategy<Value = Device> {
    (0..4usize, 0..2usize)
}

fn callee_side() -> impl Strategy<Value = Who> {
    prop_oneof![4 => (0..2usize).prop_map(Who::Callee), 1 => device().prop_map(Who::Any)]
}

fn caller_side() -> impl Strategy<Value = Who> {
    prop_oneof![4 => Just(Who::Caller), 1 => device().prop_map(Who::Any)]
}

fn either_side() -> impl Strategy<Value = Who> {
    prop_oneof![
        2 => Just(Who::Caller),
        2 => (0..2usize).prop_map(Who::Callee),
        1 => device().prop_map(Who::Any),
    ]
}

/// Which invitation to act on, counted back from the newest: mostly the newest two.
fn recent() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0..2usize, 1 => 0..8usize]
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        3 => device().prop_map(Act::Connect),
        1 => device().prop_map(Act::Disconnect),
        4 => (device(), 0..4usize, prop::option::weighted(0.1, 0..8usize))
            .prop_map(|(from, callee, reuse)| Act::Invite { from, callee, reuse }),
        3 => (callee_side(), recent()).prop_map(|(w, i)| Act::Received(w, i)),
        3 => (callee_side(), recent()).prop_map(|(w, i)| Act::Accept(w, i)),
        1 => (callee_side(), recent(), any::<bool>()).prop_map(|(w, i, busy)| Act::Refuse(w, i, busy)),
        1 => (caller_side(), recent()).prop_map(|(w, i)| Act::Cancel(w, i)),
        3 => (caller_side(), recent()).prop_map(|(w, i)| Act::Confirm(w, i)),
        2 => (either_side(), recent()).prop_map(|(w, i)| Act::HangUp(w, i)),
        1 => (0..4usize, any::<bool>(), any::<bool>())
            .prop_map(|(user, dnd, call_waiting)| Act::Status { user, dnd, call_waiting }),
        1 => (0..4usize).prop_map(Act::ToggleAccount),
        2 => (device(), 0..4usize).prop_map(|(d, user)| Act::Subscribe(d, user)),
        1 => (device(), 0..4usize).prop_map(|(d, user)| Act::Unsubscribe(d, user)),
        2 => prop::sample::select(vec![100u64, 1_000, 4_000, 5_000, 29_000, 30_000, 31_000, 61_000])
            .prop_map(Act::Advance),
        2 => Just(Act::Jump),
    ]
}

/// One thing a device learned about one invitation.
#[derive(Debug, Clone)]
struct Seen {
    /// How far along the invitation was: 0 pending, 1 ringing, 2 accepting, 3 in call, 4 ended.
    stage: u8,
    /// The end it learned of, normalised (see [`norm`]), if this was an end.
    end: Option<String>,
    from_frame: bool,
}

struct Run {
    h: Harness,
    users: usize,
    conns: BTreeMap<Device, ConnId>,
    devices: BTreeMap<ConnId, Device>,
    seen: BTreeMap<(Device, InvitationId), Vec<Seen>>,
    /// Invitations created (their invite got `ok`): caller device and callee user.
    created: BTreeMap<InvitationId, (Device, usize)>,
    tried: Vec<InvitationId>,
    disabled: BTreeSet<usize>,
    next_id: usize,
    /// What each connection was last told of each uid it subscribes to.
    told: BTreeMap<(ConnId, Uid), Presence>,
}

/// A state's stage and its name as `kind[:reason][:by]`, without the free-form response.
fn norm(state: &InvitationState) -> (u8, String) {
    let name = |v: &dyn erased::Named| v.name();
    match state {
        InvitationState::Pending => (0, "pending".into()),
        InvitationState::Ringing => (1, "ringing".into()),
        InvitationState::Accepting { .. } => (2, "accepting".into()),
        InvitationState::InCall { .. } => (3, "in_call".into()),
        InvitationState::Refused { reason, .. } => (4, format!("refused:{}", name(reason))),
        InvitationState::Canceled { reason } => (4, format!("canceled:{}", name(reason))),
        InvitationState::Failed { reason } => (4, format!("failed:{}", name(reason))),
        InvitationState::CallEnded { reason, by, .. } => (
            4,
            format!(
                "call_ended:{}:{}",
                name(reason),
                by.as_deref().unwrap_or("-")
            ),
        ),
    }
}

mod erased {
    /// Serialisable vocabulary, by its wire name.
    pub trait Named {
        fn name(&self) -> String;
    }
    impl<T: serde::Serialize> Named for T {
        fn name(&self) -> String {
            match serde_json::to_value(self) {
                Ok(serde_json::Value::String(s)) => s,
                other => format!("{other:?}"),
            }
        }
    }
}

/// The invitation a frame is about, the stage it moves its device to, and the end it
/// announces, if any.
fn about(frame: &ServerFrame) -> Option<(InvitationId, u8, Option<String>)> {
    let (id, end) = about_end(frame)?;
    let stage = match (frame, &end) {
        (_, Some(_)) => 4,
        (ServerFrame::Accepted { .. }, None) => 2,
        (ServerFrame::AcceptConfirmed { .. }, None) => 3,
        (_, None) => 1,
    };
    Some((id, stage, end))
}

fn about_end(frame: &ServerFrame) -> Option<(InvitationId, Option<String>)> {
    let end = |state: InvitationState| Some(norm(&state).1);
    match frame {
        ServerFrame::Invitation { invitation } => Some((invitation.id.clone(), None)),
        ServerFrame::ReceivedByPeer { id }
        | ServerFrame::Accepted { id, .. }
        | ServerFrame::AcceptConfirmed { id } => Some((id.clone(), None)),
        ServerFrame::Refused { id, reason, .. } => Some((
            id.clone(),
            end(InvitationState::Refused {
                response: None,
                reason: *reason,
            }),
        )),
        ServerFrame::Canceled { id, reason } => Some((
            id.clone(),
            end(InvitationState::Canceled { reason: *reason }),
        )),
        ServerFrame::Failed { id, reason } => {
            Some((id.clone(), end(InvitationState::Failed { reason: *reason })))
        }
        ServerFrame::CallEnded { id, reason, by } => Some((
            id.clone(),
            end(InvitationState::CallEnded {
                response: None,
                reason: *reason,
                by: by.clone(),
            }),
        )),
        ServerFrame::Welcome(_)
        | ServerFrame::Ok { .. }
        | ServerFrame::Error { .. }
        | ServerFrame::TokenRenewed { .. }
        | ServerFrame::Pong {}
        | ServerFrame::Presence { .. }
        | ServerFrame::StatusChanged { .. }
        | ServerFrame::PresenceResult { .. }
        | ServerFrame::HistoryResult { .. }
        | ServerFrame::DirectoryResult { .. } => None,
    }
}

fn reply_req(frame: &ServerFrame) -> Option<ReqId> {
    match frame {
        ServerFrame::Ok { req }
        | ServerFrame::PresenceResult { req, .. }
        | ServerFrame::DirectoryResult { req, .. } => Some(*req),
        ServerFrame::Error { req, .. } => *req,
        ServerFrame::Welcome(_)
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
        | ServerFrame::HistoryResult { .. } => None,
    }
}

impl Run {
    fn new(users: usize) -> Self {
        let h = Harness::with_config(Config {
            // Long enough that nothing is purged within a run, so ids stay unique.
            ended_retention: Duration::from_secs(1_000_000),
            ..Config::default()
        });
        Run {
            h,
            users,
            conns: BTreeMap::new(),
            devices: BTreeMap::new(),
            seen: BTreeMap::new(),
            created: BTreeMap::new(),
            tried: Vec::new(),
            disabled: BTreeSet::new(),
            next_id: 0,
            told: BTreeMap::new(),
        }
    }

    fn user(&self, i: usize) -> &'static str {
        USERS[i % self.users]
    }

    fn dev(&self, (u, d): Device) -> Device {
        (u % self.users, d)
    }

    fn inv(&self, i: usize) -> InvitationId {
        match self.tried.len() {
            0 => id("none"),
            n => self.tried[n - 1 - i % n].clone(),
        }
    }

    fn step(&mut self, act: Act) -> Result<(), TestCaseError> {
        match act {
            Act::Connect(d) => {
                let d = self.dev(d);
                let device_name = format!("d{}", d.1);
                match self.h.try_admit(self.user(d.0), &device_name) {
                    Ok((conn, welcome)) => {
                        self.conns.insert(d, conn);
                        self.devices.insert(conn, d);
                        for entry in &welcome.snapshot {
                            let (stage, state) = norm(&entry.state);
                            let end = (stage == 4).then_some(state);
                            self.observe(d, &entry.invitation.id, stage, end, false)?;
                        }
                    }
                    Err(err) => prop_assert_eq!(err, AdmitError::UnknownAccount),
                }
                self.collect_closes();
            }
            Act::Disconnect(d) => {
                let d = self.dev(d);
                if let Some(conn) = self.conns.remove(&d) {
                    self.devices.remove(&conn);
                    self.h.disconnect(conn);
                }
            }
            Act::Invite {
                from,
                callee,
                reuse,
            } => {
                let from = self.dev(from);
                let Some(&conn) = self.conns.get(&from) else {
                    return Ok(());
                };
                let inv = match reuse {
                    Some(i) if !self.tried.is_empty() => self.inv(i),
                    Some(_) | None => {
                        self.next_id += 1;
                        id(&format!("i{}", self.next_id))
                    }
                };
                let fresh = !self.tried.contains(&inv);
                let req = self.h.req();
                let callee_uid = uid(self.user(callee));
                let frame = ClientFrame::Invite {
                    req,
                    id: inv.clone(),
                    callee: callee_uid.clone(),
                    content: None,
                    channel_id: None,
                };
                let reply = self.request(conn, req, frame)?;
                let self_call = callee % self.users == from.0;
                match (&reply, fresh, self_call) {
                    (ServerFrame::Ok { .. }, true, false) => {
                        self.created
                            .insert(inv.clone(), (from, callee % self.users));
                    }
                    (ServerFrame::Error { code, .. }, false, _) => {
                        prop_assert_eq!(*code, ringer_proto::ErrorCode::AlreadySent);
                    }
                    (ServerFrame::Error { code, .. }, true, true) => {
                        prop_assert_eq!(*code, ringer_proto::ErrorCode::InvalidArgument);
                    }
                    (other, _, _) => prop_assert!(false, "unexpected invite reply {other:?}"),
                }
                if fresh && !self_call {
                    self.tried.push(inv);
                }
            }
            Act::Received(w, i) => {
                let inv = self.inv(i);
                let d = self.who(w, &inv);
                self.plain(d, ClientFrame::Received { id: inv })?;
            }
            Act::Confirm(w, i) => {
                let inv = self.inv(i);
                let d = self.who(w, &inv);
                self.plain(d, ClientFrame::Confirm { id: inv })?;
            }
            Act::Accept(w, i) => {
                let (inv, req) = (self.inv(i), self.h.req());
                let d = self.who(w, &inv);
                self.req_on(
                    d,
                    req,
                    ClientFrame::Accept {
                        req,
                        id: inv,
                        response: None,
                    },
                )?;
            }
            Act::Refuse(w, i, busy) => {
                let (inv, req) = (self.inv(i), self.h.req());
                let d = self.who(w, &inv);
                let reason = busy.then_some(RefuseReason::Busy);
                let frame = ClientFrame::Refuse {
                    req,
                    id: inv,
                    response: None,
                    reason,
                };
                self.req_on(d, req, frame)?;
            }
            Act::Cancel(w, i) => {
                let (inv, req) = (self.inv(i), self.h.req());
                let d = self.who(w, &inv);
                self.req_on(d, req, ClientFrame::Cancel { req, id: inv })?;
            }
            Act::HangUp(w, i) => {
                let (inv, req) = (self.inv(i), self.h.req());
                let d = self.who(w, &inv);
                self.req_on(d, req, ClientFrame::HangUp { req, id: inv })?;
            }
            Act::Status {
                user,
                dnd,
                call_waiting,
            } => {
                let conn = self
                    .conns
                    .iter()
                    .find(|((u, _), _)| *u == user % self.users)
                    .map(|(_, c)| *c);
                if let Some(conn) = conn {
                    let req = self.h.req();
                    let status = if dnd { Status::Dnd } else { Status::Available };
                    let frame = ClientFrame::SetStatus {
                        req,
                        status,
                        call_waiting: Some(call_waiting),
                    };
                    let reply = self.request(conn, req, frame)?;
                    let ok = matches!(reply, ServerFrame::Ok { .. });
                    prop_assert!(ok, "set_status answered {:?}", reply);
                }
            }
            Act::ToggleAccount(user) => {
                let user = user % self.users;
                let enable = self.disabled.contains(&user);
                if enable {
                    self.disabled.remove(&user);
                } else {
                    self.disabled.insert(user);
                }
                self.h.set_account(USERS[user], enable);
                self.collect_closes();
            }
            Act::Subscribe(d, user) => {
                let Some(&conn) = self.conns.get(&self.dev(d)) else {
                    return Ok(());
                };
                let req = self.h.req();
                let uids = vec![uid(self.user(user))];
                let reply = self.request(conn, req, ClientFrame::Subscribe { req, uids })?;
                let ServerFrame::PresenceResult { entries, .. } = reply else {
                    return Err(TestCaseError::fail(format!("subscribe answered {reply:?}")));
                };
                for entry in entries {
                    self.told.insert((conn, entry.uid), entry.presence);
                }
            }
            Act::Unsubscribe(d, user) => {
                let Some(&conn) = self.conns.get(&self.dev(d)) else {
                    return Ok(());
                };
                let req = self.h.req();
                let target = uid(self.user(user));
                let uids = vec![target.clone()];
                let reply = self.request(conn, req, ClientFrame::Unsubscribe { req, uids })?;
                let ok = matches!(reply, ServerFrame::Ok { .. });
                prop_assert!(ok, "unsubscribe answered {:?}", reply);
                self.told.remove(&(conn, target));
            }
            Act::Advance(ms) => self.h.advance(Duration::from_millis(ms)),
            Act::Jump => {
                // Never as far as the purge of ended invitations: ids must stay unique.
                let horizon = self.h.now + Duration::from_secs(3600);
                if self.h.sb.poll_timeout().is_some_and(|t| t < horizon) {
                    self.h.jump();
                }
            }
        }
        self.drain(None)?;
        for ((conn, uid), told) in &self.told {
            if self.devices.contains_key(conn) {
                prop_assert_eq!(*told, self.h.sb.presence(uid), "{:?} about {}", conn, uid);
            }
        }
        Ok(())
    }

    /// The device that acts for `who` on `inv`.
    fn who(&self, who: Who, inv: &InvitationId) -> Device {
        let parties = self.created.get(inv);
        match (who, parties) {
            (Who::Caller, Some((caller, _))) => *caller,
            (Who::Callee(d), Some((_, callee))) => (*callee, d),
            (Who::Any(d), _) => self.dev(d),
            (Who::Caller | Who::Callee(_), None) => (0, 0),
        }
    }

    /// Sends a request on a device's connection, if connected.
    fn req_on(&mut self, d: Device, req: ReqId, frame: ClientFrame) -> Result<(), TestCaseError> {
        let d = self.dev(d);
        if let Some(&conn) = self.conns.get(&d) {
            self.request(conn, req, frame)?;
        }
        Ok(())
    }

    /// Sends a frame without a request id, if the device is connected.
    fn plain(&mut self, d: Device, frame: ClientFrame) -> Result<(), TestCaseError> {
        let d = self.dev(d);
        if let Some(&conn) = self.conns.get(&d) {
            self.h.send(conn, frame);
        }
        Ok(())
    }

    /// Sends a request and returns its one reply.
    fn request(
        &mut self,
        conn: ConnId,
        req: ReqId,
        frame: ClientFrame,
    ) -> Result<ServerFrame, TestCaseError> {
        self.h.send(conn, frame);
        let mut replies = Vec::new();
        self.drain(Some((conn, req, &mut replies)))?;
        prop_assert_eq!(replies.len(), 1, "exactly one reply to request {}", req);
        Ok(replies.remove(0))
    }

    /// Takes every queued frame, checking each against what its device already knows.
    fn drain(
        &mut self,
        mut replies: Option<(ConnId, ReqId, &mut Vec<ServerFrame>)>,
    ) -> Result<(), TestCaseError> {
        let conns: Vec<(ConnId, Device)> = self.devices.iter().map(|(c, d)| (*c, *d)).collect();
        for (conn, d) in conns {
            for frame in self.h.frames(conn) {
                let wanted = replies
                    .as_mut()
                    .filter(|(c, r, _)| *c == conn && reply_req(&frame) == Some(*r));
                if let Some((_, _, out)) = wanted {
                    out.push(frame.clone());
                }
                if let Some((inv, stage, end)) = about(&frame) {
                    self.observe(d, &inv, stage, end, true)?;
                }
                if let ServerFrame::Presence { uid, presence } = frame {
                    let before = self.told.insert((conn, uid.clone()), presence);
                    prop_assert!(before.is_some(), "{:?} pushed {} unsubscribed", conn, uid);
                    prop_assert_ne!(
                        before,
                        Some(presence),
                        "{:?} pushed {} unchanged",
                        conn,
                        uid
                    );
                }
            }
        }
        self.collect_closes();
        Ok(())
    }

    fn observe(
        &mut self,
        d: Device,
        inv: &InvitationId,
        stage: u8,
        end: Option<String>,
        from_frame: bool,
    ) -> Result<(), TestCaseError> {
        let log = self.seen.entry((d, inv.clone())).or_default();
        // Frames only ever move a device forward, each step once; a snapshot never back.
        if let Some(last) = log.last() {
            if from_frame {
                prop_assert!(
                    stage > last.stage,
                    "{d:?}: {inv} went from stage {} to {stage}",
                    last.stage
                );
            } else {
                prop_assert!(
                    stage >= last.stage,
                    "{d:?}: snapshot of {inv} went back to {stage}"
                );
            }
        }
        if let Some(earlier) = log.iter().find_map(|s| s.end.clone()) {
            prop_assert!(
                !from_frame,
                "{d:?} got a frame about {inv} after its end {earlier}"
            );
            prop_assert_eq!(
                Some(earlier.clone()),
                end.clone(),
                "{:?}: snapshot of {} changed its end",
                d,
                inv
            );
        }
        log.push(Seen {
            stage,
            end,
            from_frame,
        });
        Ok(())
    }

    /// Connections the switchboard closed (replaced, banned) are gone.
    fn collect_closes(&mut self) {
        for (conn, _) in std::mem::take(&mut self.h.closes) {
            let device = self.devices.remove(&conn);
            if let Some(d) = device.filter(|d| self.conns.get(d) == Some(&conn)) {
                self.conns.remove(&d);
            }
        }
    }

    fn finish(&mut self) -> Result<(), TestCaseError> {
        let connected: BTreeSet<Device> = self.conns.keys().copied().collect();
        self.h.shutdown();
        self.drain(None)?;
        prop_assert!(self.h.sb.poll_timeout().is_none_or(|t| t >= self.h.now));

        let records = std::mem::take(&mut self.h.records);
        for (inv, (caller, callee)) in &self.created {
            let ends = |d: Device| -> Option<String> {
                self.seen
                    .get(&(d, inv.clone()))
                    .and_then(|log| log.iter().find_map(|s| s.end.clone()))
            };
            // Every connected device that knew of it heard how it ended.
            for d in &connected {
                if let Some(log) = self.seen.get(&(*d, inv.clone())) {
                    prop_assert!(
                        log.iter().any(|s| s.end.is_some()),
                        "{d:?} never heard the end of {inv}"
                    );
                    let terminal_frames = log
                        .iter()
                        .filter(|s| s.from_frame && s.end.is_some())
                        .count();
                    prop_assert!(terminal_frames <= 1);
                }
            }
            let caller_end = ends(*caller);
            let mut answered = 0;
            for dev in 0..2 {
                let Some(callee_end) = ends((*callee, dev)) else {
                    continue;
                };
                if callee_end.starts_with("refused")
                    || callee_end.starts_with("call_ended")
                    || callee_end == "failed:accept_failure"
                {
                    answered += 1;
                }
                if let Some(caller_end) = &caller_end {
                    prop_assert!(
                        agree(caller_end, &callee_end),
                        "{inv}: caller saw {caller_end}, callee device {dev} saw {callee_end}"
                    );
                }
            }
            prop_assert!(answered <= 1, "{inv}: {answered} callee devices answered");

            let caller_uid = uid(USERS[caller.0]);
            let callee_uid = uid(USERS[*callee]);
            let mine = |owner: &Uid| -> Vec<&CallRecord> {
                records
                    .iter()
                    .filter(|(o, r)| o == owner && r.id == *inv)
                    .map(|(_, r)| r)
                    .collect()
            };
            let outgoing = mine(&caller_uid);
            prop_assert_eq!(outgoing.len(), 1, "{} outgoing records", inv);
            let outgoing = outgoing[0];
            let incoming = mine(&callee_uid);
            if outgoing.reason.as_deref() == Some("peer_unknown") {
                prop_assert!(incoming.is_empty());
            } else {
                prop_assert_eq!(incoming.len(), 1, "{} incoming records", inv);
                prop_assert_eq!(incoming[0].outcome, outgoing.outcome);
                prop_assert_eq!(&incoming[0].reason, &outgoing.reason);
            }
            prop_assert!(!outgoing.missed);
            if let Some(caller_end) = &caller_end {
                prop_assert!(
                    record_agrees(caller_end, outgoing),
                    "{inv}: caller saw {caller_end}, record says {outgoing:?}"
                );
            }
        }
        // No record for an invitation that was never created.
        prop_assert!(
            records
                .iter()
                .all(|(_, r)| self.created.contains_key(&r.id))
        );
        Ok(())
    }
}

/// Whether a caller's end and one callee device's end tell the same story.
fn agree(caller: &str, callee: &str) -> bool {
    let parts: Vec<&str> = caller.split(':').collect();
    match parts.as_slice() {
        ["refused", reason] => {
            callee == format!("refused:{reason}") || callee == "canceled:declined_elsewhere"
        }
        ["canceled", "canceled"] => callee == "canceled:canceled",
        ["failed", reason] => callee == format!("failed:{reason}"),
        ["call_ended", reason, _by] => {
            callee == caller
                || callee == "canceled:answered_elsewhere"
                || (*reason == "connection_lost" && callee == "failed:accept_failure")
                || (*reason == "server_restart" && callee == "failed:server_restart")
        }
        _ => false,
    }
}

/// Whether the caller's end matches its call record.
fn record_agrees(caller: &str, record: &CallRecord) -> bool {
    let parts: Vec<&str> = caller.split(':').collect();
    let reason = record.reason.as_deref();
    match parts.as_slice() {
        ["refused", r] => record.outcome == Outcome::Refused && reason == Some(r),
        ["canceled", _] => record.outcome == Outcome::Canceled,
        ["failed", r] => record.outcome == Outcome::Failed && reason == Some(r),
        ["call_ended", r, _] => match record.outcome {
            Outcome::Answered => reason == Some(r),
            Outcome::Failed => {
                (*r == "connection_lost" && reason == Some("accept_failure"))
                    || (*r == "server_restart" && reason == Some("server_restart"))
            }
            Outcome::Refused | Outcome::Canceled => false,
        },
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_interleavings_keep_every_invariant(
        users in 2..=4usize,
        acts in prop::collection::vec(act(), 1..80),
    ) {
        let mut run = Run::new(users);
        // Everyone starts online on one device so that most actions land.
        for user in 0..users {
            run.step(Act::Connect((user, 0)))?;
        }
        for act in acts {
            run.step(act)?;
        }
        run.finish()?;
    }
}
