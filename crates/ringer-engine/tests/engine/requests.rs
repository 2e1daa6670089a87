//! Queries and pushes: argument limits, not-logged-in, replies, failures, status and
//! subscriptions across reconnects.

use ringer_engine::{ApiError, Event, Reply};
use ringer_proto::{
    CallRecord, ClientFrame, DirectoryEntry, DisplayName, ErrorCode, Presence, PresenceEntry,
    ServerFrame, Status, Uid,
};

use crate::harness::{Harness, PEER, SERVER, iid, uid, welcome};

fn uids(n: usize) -> Vec<Uid> {
    (0..n).map(|i| uid(&format!("u{i}"))).collect()
}

#[test]
fn every_query_needs_a_connection() {
    let mut h = Harness::new();
    let now = h.now;
    let e = &mut h.engine;
    assert_eq!(
        e.set_status(Status::Dnd, None, now),
        Err(ApiError::NotLoggedIn)
    );
    assert_eq!(e.query_presence(uids(1), now), Err(ApiError::NotLoggedIn));
    assert_eq!(e.subscribe(uids(1), now), Err(ApiError::NotLoggedIn));
    assert_eq!(e.unsubscribe(uids(1), now), Err(ApiError::NotLoggedIn));
    assert_eq!(e.history(None, now), Err(ApiError::NotLoggedIn));
    assert_eq!(e.directory(now), Err(ApiError::NotLoggedIn));
    assert_eq!(e.renew_token(now), Err(ApiError::NotLoggedIn));
    assert_eq!(e.logout(now), Err(ApiError::NotLoggedIn));
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn query_arguments_are_checked_against_the_limits() {
    let mut h = Harness::connected();
    let now = h.now;
    let bad = |r: Result<u64, ApiError>| matches!(r, Err(ApiError::InvalidArgument(_)));
    assert!(bad(h.engine.query_presence(Vec::new(), now)));
    assert!(bad(h.engine.query_presence(uids(257), now)));
    assert!(h.engine.query_presence(uids(256), now).is_ok());
    assert!(bad(h.engine.subscribe(uids(513), now)));
    assert!(bad(h.engine.subscribe(Vec::new(), now)));
    assert!(bad(h.engine.unsubscribe(Vec::new(), now)));
    assert!(bad(h.engine.history(Some(0), now)));
    assert!(bad(h.engine.history(Some(501), now)));
    assert!(h.engine.history(Some(500), now).is_ok());
    assert!(h.engine.history(Some(1), now).is_ok());
    assert_eq!(h.frames().len(), 3);
}

#[test]
fn subscriptions_are_limited_in_all() {
    let mut h = Harness::connected();
    let req = h
        .engine
        .subscribe(uids(512), h.now)
        .expect("512 is allowed");
    h.frame(ServerFrame::PresenceResult {
        req,
        entries: Vec::new(),
    });
    assert!(matches!(
        h.engine.subscribe(vec![uid("extra")], h.now),
        Err(ApiError::InvalidArgument(_))
    ));
    // Already subscribed uids do not count twice.
    assert!(h.engine.subscribe(vec![uid("u3")], h.now).is_ok());
}

#[test]
fn replies_arrive_under_the_request_id() {
    let mut h = Harness::connected();
    let now = h.now;
    let presence = vec![PresenceEntry {
        uid: uid(PEER),
        presence: Presence::InCall,
    }];
    let record = CallRecord {
        id: iid("c1"),
        peer: uid(PEER),
        direction: ringer_proto::Direction::Outgoing,
        outcome: ringer_proto::Outcome::Answered,
        reason: Some("hangup".into()),
        missed: false,
        started_at: 1,
        answered_at: Some(2),
        ended_at: 3,
    };
    let user = DirectoryEntry {
        uid: uid(PEER),
        display_name: DisplayName::new("Bob").expect("valid"),
        presence: Presence::Online,
    };
    let q = h
        .engine
        .query_presence(vec![uid(PEER)], now)
        .expect("query");
    let s = h.engine.subscribe(vec![uid(PEER)], now).expect("subscribe");
    let hi = h.engine.history(None, now).expect("history");
    let d = h.engine.directory(now).expect("directory");
    let r = h.engine.renew_token(now).expect("renew");
    let st = h
        .engine
        .set_status(Status::Dnd, Some(true), now)
        .expect("status");
    let u = h
        .engine
        .unsubscribe(vec![uid(PEER)], now)
        .expect("unsubscribe");
    let frames = h.frames();
    assert_eq!(
        frames,
        vec![
            ClientFrame::QueryPresence {
                req: q,
                uids: vec![uid(PEER)]
            },
            ClientFrame::Subscribe {
                req: s,
                uids: vec![uid(PEER)]
            },
            ClientFrame::History {
                req: hi,
                limit: None
            },
            ClientFrame::Directory { req: d },
            ClientFrame::RenewToken { req: r },
            ClientFrame::SetStatus {
                req: st,
                status: Status::Dnd,
                call_waiting: Some(true)
            },
            ClientFrame::Unsubscribe {
                req: u,
                uids: vec![uid(PEER)]
            },
        ]
    );
    h.frame(ServerFrame::PresenceResult {
        req: q,
        entries: presence.clone(),
    });
    h.frame(ServerFrame::PresenceResult {
        req: s,
        entries: presence.clone(),
    });
    h.frame(ServerFrame::HistoryResult {
        req: hi,
        records: vec![record.clone()],
    });
    h.frame(ServerFrame::DirectoryResult {
        req: d,
        users: vec![user.clone()],
    });
    h.frame(ServerFrame::TokenRenewed {
        req: r,
        expires_at: 77,
    });
    h.frame(ServerFrame::Ok { req: st });
    h.frame(ServerFrame::Error {
        req: Some(u),
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
    });
    // A reply nobody asked for is ignored.
    h.frame(ServerFrame::Ok { req: 9_999 });
    assert_eq!(
        h.events(),
        vec![
            Event::Reply {
                req: q,
                reply: Reply::Presence(presence.clone())
            },
            Event::Reply {
                req: s,
                reply: Reply::Presence(presence)
            },
            Event::Reply {
                req: hi,
                reply: Reply::History(vec![record])
            },
            Event::Reply {
                req: d,
                reply: Reply::Directory(vec![user])
            },
            Event::Reply {
                req: r,
                reply: Reply::TokenRenewed { expires_at: 77 }
            },
            Event::Reply {
                req: st,
                reply: Reply::Ok
            },
            Event::RequestFailed {
                req: u,
                code: ErrorCode::RateLimited,
                message: "slow down".into()
            },
        ]
    );
    assert_eq!(h.engine.status(), Some((Status::Dnd, true)));
}

#[test]
fn unanswered_queries_fail_when_the_connection_drops() {
    let mut h = Harness::connected();
    let req = h.engine.directory(h.now).expect("directory");
    h.clear();
    h.engine.handle_disconnected(h.now);
    let events = h.events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::RequestFailed { req: r, code: ErrorCode::NotLoggedIn, .. } if *r == req
    )));
    // The late answer on a new connection is not delivered twice.
    h.login(SERVER, Vec::new());
    h.clear();
    h.frame(ServerFrame::DirectoryResult {
        req,
        users: Vec::new(),
    });
    assert_eq!(h.events(), vec![]);
}

#[test]
fn pushes_become_events() {
    let mut h = Harness::connected();
    h.frame(ServerFrame::Presence {
        uid: uid(PEER),
        presence: Presence::Dnd,
    });
    h.frame(ServerFrame::StatusChanged {
        status: Status::Dnd,
        call_waiting: true,
    });
    h.frame(ServerFrame::Pong {});
    assert_eq!(
        h.events(),
        vec![
            Event::PresenceChanged {
                uid: uid(PEER),
                presence: Presence::Dnd
            },
            Event::StatusChanged {
                status: Status::Dnd,
                call_waiting: true
            },
        ]
    );
    assert_eq!(h.engine.status(), Some((Status::Dnd, true)));
}

#[test]
fn status_is_reapplied_after_a_server_restart_only() {
    let mut h = Harness::connected();
    let req = h
        .engine
        .set_status(Status::Dnd, None, h.now)
        .expect("set status");
    h.frame(ServerFrame::Ok { req });
    h.clear();
    // Same server: its status (Available in the welcome) wins, nothing re-applied.
    h.reconnect(SERVER, Vec::new());
    assert!(!h.frames().iter().any(|f| f.kind() == "set_status"));
    assert_eq!(h.engine.status(), Some((Status::Available, false)));
    // Set it again, then the server restarts and forgets it.
    let req = h
        .engine
        .set_status(Status::Dnd, Some(true), h.now)
        .expect("set status");
    h.frame(ServerFrame::Ok { req });
    h.clear();
    h.reconnect("server-2", Vec::new());
    let frames = h.frames();
    let set: Vec<_> = frames.iter().filter(|f| f.kind() == "set_status").collect();
    assert_eq!(set.len(), 1, "{frames:?}");
    assert!(matches!(
        set[0],
        ClientFrame::SetStatus {
            status: Status::Dnd,
            call_waiting: Some(true),
            ..
        }
    ));
    // Its ok is the engine's own: no reply event for the user.
    let req = set[0].req().expect("set_status has a req");
    h.clear();
    h.frame(ServerFrame::Ok { req });
    assert_eq!(h.events(), vec![]);
}

#[test]
fn subscriptions_are_renewed_after_a_reconnect() {
    let mut h = Harness::connected();
    let req = h
        .engine
        .subscribe(vec![uid(PEER)], h.now)
        .expect("subscribe");
    h.frame(ServerFrame::PresenceResult {
        req,
        entries: Vec::new(),
    });
    h.clear();
    h.engine.handle_disconnected(h.now);
    let login = h.open();
    h.clear();
    h.frame(welcome(login.req().expect("req"), SERVER, Vec::new()));
    let frames = h.frames();
    let sub = frames
        .iter()
        .find(|f| f.kind() == "subscribe")
        .expect("re-subscribed");
    assert!(matches!(sub, ClientFrame::Subscribe { uids, .. } if *uids == vec![uid(PEER)]));
    let req = sub.req().expect("req");
    h.clear();
    h.frame(ServerFrame::PresenceResult {
        req,
        entries: vec![PresenceEntry {
            uid: uid(PEER),
            presence: Presence::Online,
        }],
    });
    assert_eq!(
        h.events(),
        vec![Event::PresenceChanged {
            uid: uid(PEER),
            presence: Presence::Online
        }]
    );
}
