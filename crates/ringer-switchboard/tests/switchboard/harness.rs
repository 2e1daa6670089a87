//! A test bench around one switchboard: connections, virtual time, and every output collected
//! per connection, as the server shell would see it.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use ringer_proto::{
    CallRecord, ClientFrame, DeviceId, DisplayName, InvitationId, RefuseReason, ReqId, Response,
    ServerFrame, SnapshotEntry, Status, Uid, Welcome,
};
use ringer_switchboard::{
    Account, AdmitError, Authenticated, CloseReason, Config, ConnId, Switchboard,
};

/// The wall time of the harness's start instant.
pub const EPOCH_MS: u64 = 1_700_000_000_000;

/// Every uid the default harness knows.
pub const USERS: &[&str] = &["alice", "bob", "carol", "dave"];

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("test uid is valid")
}

pub fn id(s: &str) -> InvitationId {
    InvitationId::new(s).expect("test invitation id is valid")
}

pub fn dev(s: &str) -> DeviceId {
    DeviceId::new(s).expect("test device id is valid")
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub struct Harness {
    pub sb: Switchboard,
    pub t0: Instant,
    pub now: Instant,
    next_conn: u64,
    next_req: ReqId,
    inbox: BTreeMap<ConnId, VecDeque<ServerFrame>>,
    pub records: Vec<(Uid, CallRecord)>,
    pub closes: Vec<(ConnId, CloseReason)>,
}

impl Harness {
    /// A switchboard with the default config and the accounts in [`USERS`].
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Self {
        let t0 = Instant::now();
        let mut h = Harness {
            sb: Switchboard::new(config, "server-1".into(), t0, EPOCH_MS),
            t0,
            now: t0,
            next_conn: 0,
            next_req: 0,
            inbox: BTreeMap::new(),
            records: Vec::new(),
            closes: Vec::new(),
        };
        for user in USERS {
            h.set_account(user, true);
        }
        h
    }

    pub fn set_account(&mut self, user: &str, enabled: bool) {
        let account = Account {
            uid: uid(user),
            display_name: DisplayName::new(format!("{user} name")).expect("valid name"),
            enabled,
        };
        self.sb.set_account(account, self.now);
        self.pump();
    }

    pub fn remove_account(&mut self, user: &str) {
        self.sb.remove_account(&uid(user), self.now);
        self.pump();
    }

    /// Admits a new connection for `user` on `device`, returning it with its welcome.
    pub fn try_admit(&mut self, user: &str, device: &str) -> Result<(ConnId, Welcome), AdmitError> {
        self.next_conn += 1;
        let conn = ConnId(self.next_conn);
        let req = self.req();
        let auth = Authenticated {
            req,
            uid: uid(user),
            device_id: dev(device),
            token: None,
            token_expires_at: EPOCH_MS + 1000,
        };
        let result = self.sb.handle_authenticated(conn, auth, self.now);
        self.pump();
        result?;
        let first = self.inbox.get_mut(&conn).and_then(VecDeque::pop_front);
        match first {
            Some(ServerFrame::Welcome(welcome)) => {
                assert_eq!(welcome.req, req);
                Ok((conn, *welcome))
            }
            other => panic!("welcome must be the first frame, got {other:?}"),
        }
    }

    pub fn admit(&mut self, user: &str, device: &str) -> ConnId {
        self.try_admit(user, device).expect("admitted").0
    }

    /// Admits and returns the welcome snapshot, as `(invitation id, summary of its state)`.
    pub fn admit_snapshot(&mut self, user: &str, device: &str) -> (ConnId, Vec<SnapshotEntry>) {
        let (conn, welcome) = self.try_admit(user, device).expect("admitted");
        (conn, welcome.snapshot)
    }

    pub fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    pub fn send(&mut self, conn: ConnId, frame: ClientFrame) {
        self.sb.handle_frame(conn, frame, self.now);
        self.pump();
    }

    /// Sends a frame and returns every frame it caused, across connections, in the order the
    /// switchboard queued them.
    pub fn send_ordered(&mut self, conn: ConnId, frame: ClientFrame) -> Vec<(ConnId, String)> {
        self.sb.handle_frame(conn, frame, self.now);
        let mut order = Vec::new();
        while let Some(t) = self.sb.poll_transmit() {
            order.push((t.conn, summary(&t.frame)));
        }
        self.pump();
        order
    }

    pub fn invite(&mut self, conn: ConnId, inv: &str, callee: &str) {
        let req = self.req();
        self.send(
            conn,
            ClientFrame::Invite {
                req,
                id: id(inv),
                callee: uid(callee),
                content: None,
                channel_id: None,
            },
        );
    }

    pub fn received(&mut self, conn: ConnId, inv: &str) {
        self.send(conn, ClientFrame::Received { id: id(inv) });
    }

    pub fn accept(&mut self, conn: ConnId, inv: &str) {
        let req = self.req();
        self.send(
            conn,
            ClientFrame::Accept {
                req,
                id: id(inv),
                response: Some(Response::new("hi").expect("valid response")),
            },
        );
    }

    pub fn refuse(&mut self, conn: ConnId, inv: &str, reason: Option<RefuseReason>) {
        let req = self.req();
        self.send(
            conn,
            ClientFrame::Refuse {
                req,
                id: id(inv),
                response: None,
                reason,
            },
        );
    }

    pub fn cancel(&mut self, conn: ConnId, inv: &str) {
        let req = self.req();
        self.send(conn, ClientFrame::Cancel { req, id: id(inv) });
    }

    pub fn confirm(&mut self, conn: ConnId, inv: &str) {
        self.send(conn, ClientFrame::Confirm { id: id(inv) });
    }

    pub fn hang_up(&mut self, conn: ConnId, inv: &str) {
        let req = self.req();
        self.send(conn, ClientFrame::HangUp { req, id: id(inv) });
    }

    pub fn set_status(&mut self, conn: ConnId, status: Status, call_waiting: Option<bool>) {
        let req = self.req();
        self.send(
            conn,
            ClientFrame::SetStatus {
                req,
                status,
                call_waiting,
            },
        );
    }

    pub fn disconnect(&mut self, conn: ConnId) {
        self.sb.handle_disconnected(conn, self.now);
        self.pump();
    }

    pub fn logout(&mut self, conn: ConnId) {
        self.sb.handle_logout(conn, self.now);
        self.pump();
    }

    /// Moves virtual time forward by `d`, firing whatever is due.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        self.sb.handle_timeout(self.now);
        self.pump();
    }

    /// Jumps to the switchboard's next deadline and fires it.
    pub fn jump(&mut self) {
        let next = self.sb.poll_timeout().expect("a timer is armed");
        assert!(next >= self.now, "a timer in the past");
        self.now = next;
        self.sb.handle_timeout(self.now);
        self.pump();
    }

    pub fn shutdown(&mut self) {
        self.sb.shutdown(self.now);
        self.pump();
    }

    /// Drains every output; closed connections are reported back as the shell would.
    pub fn pump(&mut self) {
        loop {
            let mut any = false;
            while let Some(t) = self.sb.poll_transmit() {
                any = true;
                self.inbox.entry(t.conn).or_default().push_back(t.frame);
            }
            while let Some(record) = self.sb.poll_record() {
                any = true;
                self.records.push(record);
            }
            let mut closed = Vec::new();
            while let Some(close) = self.sb.poll_close() {
                any = true;
                closed.push(close);
            }
            for (conn, reason) in closed {
                self.closes.push((conn, reason));
                self.sb.handle_disconnected(conn, self.now);
            }
            if !any {
                break;
            }
        }
        if let Some(next) = self.sb.poll_timeout() {
            assert!(next >= self.now, "a timer in the past");
        }
    }

    /// Takes every frame queued for `conn`.
    pub fn frames(&mut self, conn: ConnId) -> Vec<ServerFrame> {
        self.inbox
            .get_mut(&conn)
            .map(|q| q.drain(..).collect())
            .unwrap_or_default()
    }

    /// Takes every frame queued for `conn`, as short summaries (see [`summary`]).
    pub fn take(&mut self, conn: ConnId) -> Vec<String> {
        self.frames(conn).iter().map(summary).collect()
    }

    /// Takes the records emitted so far, as short summaries (see [`record_summary`]).
    pub fn take_records(&mut self) -> Vec<String> {
        self.records
            .drain(..)
            .map(|(owner, r)| record_summary(&owner, &r))
            .collect()
    }
}

fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// A frame as `type[:id][:reason][:by=uid]`; `error:code`; `presence:uid:presence`;
/// `status_changed:status:call_waiting`; the bare type for the rest.
pub fn summary(frame: &ServerFrame) -> String {
    match frame {
        ServerFrame::Error { code, .. } => format!("error:{}", code.as_str()),
        ServerFrame::Invitation { invitation } => format!("invitation:{}", invitation.id),
        ServerFrame::ReceivedByPeer { id } => format!("received_by_peer:{id}"),
        ServerFrame::Accepted { id, .. } => format!("accepted:{id}"),
        ServerFrame::Refused { id, reason, .. } => format!("refused:{id}:{}", name(reason)),
        ServerFrame::Canceled { id, reason } => format!("canceled:{id}:{}", name(reason)),
        ServerFrame::Failed { id, reason } => format!("failed:{id}:{}", name(reason)),
        ServerFrame::AcceptConfirmed { id } => format!("accept_confirmed:{id}"),
        ServerFrame::CallEnded { id, reason, by } => match by {
            Some(by) => format!("call_ended:{id}:{}:by={by}", name(reason)),
            None => format!("call_ended:{id}:{}", name(reason)),
        },
        ServerFrame::Presence { uid, presence } => format!("presence:{uid}:{}", name(presence)),
        ServerFrame::StatusChanged {
            status,
            call_waiting,
        } => format!("status_changed:{}:{call_waiting}", name(status)),
        ServerFrame::Welcome(_) => "welcome".into(),
        ServerFrame::Ok { .. } => "ok".into(),
        ServerFrame::TokenRenewed { .. } => "token_renewed".into(),
        ServerFrame::Pong {} => "pong".into(),
        ServerFrame::PresenceResult { .. } => "presence_result".into(),
        ServerFrame::HistoryResult { .. } => "history_result".into(),
        ServerFrame::DirectoryResult { .. } => "directory_result".into(),
    }
}

/// A snapshot entry as `id:role:state[:reason]`.
pub fn entry_summary(entry: &SnapshotEntry) -> String {
    let state = serde_json::to_value(&entry.state).expect("state serialises");
    let mut out = format!(
        "{}:{}:{}",
        entry.invitation.id,
        name(&entry.role),
        state["state"].as_str().unwrap_or("?")
    );
    if let Some(reason) = state.get("reason").and_then(|r| r.as_str()) {
        out.push(':');
        out.push_str(reason);
    }
    out
}

/// A record as `owner:direction:peer:outcome[:reason][:missed]`.
pub fn record_summary(owner: &Uid, r: &CallRecord) -> String {
    let mut out = format!(
        "{owner}:{}:{}:{}",
        name(&r.direction),
        r.peer,
        name(&r.outcome)
    );
    if let Some(reason) = &r.reason {
        out.push(':');
        out.push_str(reason);
    }
    if r.missed {
        out.push_str(":missed");
    }
    out
}
