//! Arbitrary sequences of (connection, frame | disconnect | logout | time jump | account change)
//! fed to one switchboard, with every output drained after each input, as the server's hub does.
//!
//! Checks: nothing panics; `poll_timeout` is never earlier than the last input's `now` (its
//! documented contract); a successful admission's first transmit to that connection is its
//! `welcome`; a connection that was never admitted gets nothing but `error not_logged_in`.
#![no_main]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ringer_proto::{
    ClientFrame, DeviceId, DisplayName, ErrorCode, InvitationId, RefuseReason, Response,
    ServerFrame, Status, Uid, decode_client,
};
use ringer_switchboard::{Account, Authenticated, Config, ConnId, Switchboard};

const USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];
const IDS: [&str; 4] = ["i0", "i1", "i2", "i3"];

#[derive(Arbitrary, Debug)]
enum Step {
    Admit { conn: u8, user: u8, device: u8 },
    Frame { conn: u8, frame: Frame },
    Raw { conn: u8, text: String },
    Disconnect { conn: u8 },
    Logout { conn: u8 },
    Advance { centis: u16 },
    FireTimer,
    SetAccount { user: u8, enabled: bool },
    RemoveAccount { user: u8 },
    Shutdown,
}

#[derive(Arbitrary, Debug)]
enum Frame {
    Invite {
        req: u8,
        id: u8,
        callee: u8,
    },
    Received {
        id: u8,
    },
    Cancel {
        req: u8,
        id: u8,
    },
    Accept {
        req: u8,
        id: u8,
        response: bool,
    },
    Refuse {
        req: u8,
        id: u8,
        busy: bool,
    },
    Confirm {
        id: u8,
    },
    HangUp {
        req: u8,
        id: u8,
    },
    SetStatus {
        req: u8,
        dnd: bool,
        call_waiting: Option<bool>,
    },
    QueryPresence {
        req: u8,
        users: Vec<u8>,
    },
    Subscribe {
        req: u8,
        users: Vec<u8>,
    },
    Unsubscribe {
        req: u8,
        users: Vec<u8>,
    },
    Directory {
        req: u8,
    },
    Ping,
}

fn uid(n: u8) -> Uid {
    Uid::new(USERS[usize::from(n) % USERS.len()]).expect("valid uid")
}

fn id(n: u8) -> InvitationId {
    InvitationId::new(IDS[usize::from(n) % IDS.len()]).expect("valid id")
}

fn client_frame(frame: Frame) -> ClientFrame {
    let req = |r: u8| u64::from(r);
    let uids = |users: Vec<u8>| users.into_iter().take(8).map(uid).collect();
    match frame {
        Frame::Invite {
            req: r,
            id: i,
            callee,
        } => ClientFrame::Invite {
            req: req(r),
            id: id(i),
            callee: uid(callee),
            content: None,
            channel_id: None,
        },
        Frame::Received { id: i } => ClientFrame::Received { id: id(i) },
        Frame::Cancel { req: r, id: i } => ClientFrame::Cancel {
            req: req(r),
            id: id(i),
        },
        Frame::Accept {
            req: r,
            id: i,
            response,
        } => ClientFrame::Accept {
            req: req(r),
            id: id(i),
            response: response.then(|| Response::new("ok").expect("valid response")),
        },
        Frame::Refuse {
            req: r,
            id: i,
            busy,
        } => ClientFrame::Refuse {
            req: req(r),
            id: id(i),
            response: None,
            reason: Some(if busy {
                RefuseReason::Busy
            } else {
                RefuseReason::Declined
            }),
        },
        Frame::Confirm { id: i } => ClientFrame::Confirm { id: id(i) },
        Frame::HangUp { req: r, id: i } => ClientFrame::HangUp {
            req: req(r),
            id: id(i),
        },
        Frame::SetStatus {
            req: r,
            dnd,
            call_waiting,
        } => ClientFrame::SetStatus {
            req: req(r),
            status: if dnd { Status::Dnd } else { Status::Available },
            call_waiting,
        },
        Frame::QueryPresence { req: r, users } => ClientFrame::QueryPresence {
            req: req(r),
            uids: uids(users),
        },
        Frame::Subscribe { req: r, users } => ClientFrame::Subscribe {
            req: req(r),
            uids: uids(users),
        },
        Frame::Unsubscribe { req: r, users } => ClientFrame::Unsubscribe {
            req: req(r),
            uids: uids(users),
        },
        Frame::Directory { req: r } => ClientFrame::Directory { req: req(r) },
        Frame::Ping => ClientFrame::Ping {},
    }
}

struct Run {
    sb: Switchboard,
    now: Instant,
    admitted_ever: HashSet<ConnId>,
    awaiting_welcome: HashSet<ConnId>,
    epochs: [u64; 16],
}

impl Run {
    fn drain(&mut self) {
        if let Some(at) = self.sb.poll_timeout() {
            assert!(at >= self.now, "poll_timeout is in the past");
        }
        while let Some(t) = self.sb.poll_transmit() {
            if !self.admitted_ever.contains(&t.conn) {
                assert!(
                    matches!(
                        t.frame,
                        ServerFrame::Error {
                            code: ErrorCode::NotLoggedIn,
                            ..
                        }
                    ),
                    "frame to a connection never admitted: {t:?}"
                );
            }
            if self.awaiting_welcome.remove(&t.conn) {
                assert!(
                    matches!(t.frame, ServerFrame::Welcome(_)),
                    "first frame after admission is not welcome: {t:?}"
                );
            }
        }
        while self.sb.poll_record().is_some() {}
        while self.sb.poll_close().is_some() {}
    }

    fn conn(&self, n: u8) -> ConnId {
        // Connection ids are never reused by the server; a slot starts a new epoch after each
        // disconnect, so "reconnecting" on that slot uses a fresh id.
        let slot = usize::from(n % 16);
        ConnId(self.epochs[slot] * 16 + slot as u64)
    }

    fn end(&mut self, n: u8) {
        self.epochs[usize::from(n % 16)] += 1;
    }
}

fuzz_target!(|steps: Vec<Step>| {
    let t0 = Instant::now();
    let mut run = Run {
        sb: Switchboard::new(Config::default(), "fuzz".to_owned(), t0, 1_700_000_000_000),
        now: t0,
        admitted_ever: HashSet::new(),
        awaiting_welcome: HashSet::new(),
        epochs: [0; 16],
    };
    for user in USERS {
        let account = Account {
            uid: Uid::new(user).expect("valid uid"),
            display_name: DisplayName::new(user).expect("valid name"),
            enabled: true,
        };
        run.sb.set_account(account, t0);
    }
    run.drain();
    for step in steps.into_iter().take(256) {
        let now = run.now;
        match step {
            Step::Admit { conn, user, device } => {
                let conn = run.conn(conn);
                let auth = Authenticated {
                    req: 1,
                    uid: uid(user),
                    device_id: DeviceId::new(format!("d{}", device % 7)).expect("valid device"),
                    token: None,
                    token_expires_at: 1_800_000_000_000,
                };
                if run.sb.handle_authenticated(conn, auth, now).is_ok() {
                    run.admitted_ever.insert(conn);
                    run.awaiting_welcome.insert(conn);
                }
            }
            Step::Frame { conn, frame } => {
                let conn = run.conn(conn);
                run.sb.handle_frame(conn, client_frame(frame), now);
            }
            Step::Raw { conn, text } => {
                if let Ok(frame) = decode_client(&text) {
                    let conn = run.conn(conn);
                    run.sb.handle_frame(conn, frame, now);
                }
            }
            Step::Disconnect { conn: n } => {
                let conn = run.conn(n);
                run.sb.handle_disconnected(conn, now);
                run.end(n);
            }
            Step::Logout { conn: n } => {
                let conn = run.conn(n);
                run.sb.handle_logout(conn, now);
                run.end(n);
            }
            Step::Advance { centis } => {
                run.now += Duration::from_millis(u64::from(centis) * 10);
                run.sb.handle_timeout(run.now);
            }
            Step::FireTimer => {
                if let Some(at) = run.sb.poll_timeout() {
                    run.now = run.now.max(at);
                    run.sb.handle_timeout(run.now);
                }
            }
            Step::SetAccount { user, enabled } => {
                let name = USERS[usize::from(user) % USERS.len()];
                let account = Account {
                    uid: uid(user),
                    display_name: DisplayName::new(name).expect("valid name"),
                    enabled,
                };
                run.sb.set_account(account, now);
            }
            Step::RemoveAccount { user } => run.sb.remove_account(&uid(user), now),
            Step::Shutdown => run.sb.shutdown(now),
        }
        run.drain();
    }
});
