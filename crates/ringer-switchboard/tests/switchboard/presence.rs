//! Presence, status and the directory (SPEC §7, §8), with their limits.

use ringer_proto::limits::{MAX_PRESENCE_QUERY, MAX_SUBSCRIPTIONS};
use ringer_proto::{ClientFrame, Presence, ServerFrame, Status, Uid};
use ringer_switchboard::ConnId;

use crate::harness::{Harness, secs, uid};

fn many(prefix: &str, n: usize) -> Vec<Uid> {
    (0..n).map(|i| uid(&format!("{prefix}{i}"))).collect()
}

fn presences(frames: &[ServerFrame]) -> Vec<(String, Presence)> {
    match frames {
        [ServerFrame::PresenceResult { entries, .. }] => entries
            .iter()
            .map(|e| (e.uid.to_string(), e.presence))
            .collect(),
        other => panic!("expected one presence_result, got {other:?}"),
    }
}

/// `conn` subscribes to `who`; the presences its result lists.
fn subscribe(h: &mut Harness, conn: ConnId, who: &str) -> Vec<(String, Presence)> {
    let req = h.req();
    let uids = vec![uid(who)];
    h.send(conn, ClientFrame::Subscribe { req, uids });
    presences(&h.frames(conn))
}

/// `conn` unsubscribes from `who`; what it is sent then.
fn unsubscribe(h: &mut Harness, conn: ConnId, who: &str) -> Vec<String> {
    let req = h.req();
    let uids = vec![uid(who)];
    h.send(conn, ClientFrame::Unsubscribe { req, uids });
    h.take(conn)
}

#[test]
fn presence_follows_devices_status_and_calls() {
    let mut h = Harness::new();
    let bob = uid("bob");
    assert_eq!(h.sb.presence(&bob), Presence::Offline);
    let b = h.admit("bob", "b1");
    assert_eq!(h.sb.presence(&bob), Presence::Online);
    h.set_status(b, Status::Dnd, None);
    assert_eq!(h.sb.presence(&bob), Presence::Dnd);
    h.set_status(b, Status::Available, None);
    let a = h.admit("alice", "a1");
    h.invite(a, "c1", "bob");
    assert_eq!(h.sb.presence(&bob), Presence::Online);
    h.accept(b, "c1");
    // Accepting already counts as in a call.
    assert_eq!(h.sb.presence(&bob), Presence::InCall);
    h.confirm(a, "c1");
    h.hang_up(a, "c1");
    assert_eq!(h.sb.presence(&bob), Presence::Online);
    h.disconnect(b);
    assert_eq!(h.sb.presence(&bob), Presence::Online);
    h.advance(secs(30));
    assert_eq!(h.sb.presence(&bob), Presence::Offline);
    assert_eq!(h.sb.presence(&uid("nobody")), Presence::Offline);
}

#[test]
fn subscribers_get_every_change_pushed() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let req = h.req();
    h.send(
        a,
        ClientFrame::Subscribe {
            req,
            uids: vec![uid("bob"), uid("nobody")],
        },
    );
    assert_eq!(
        presences(&h.frames(a)),
        [
            ("bob".to_owned(), Presence::Offline),
            ("nobody".to_owned(), Presence::Offline)
        ]
    );
    let b = h.admit("bob", "b1");
    assert_eq!(h.take(a), ["presence:bob:online"]);
    h.set_status(b, Status::Dnd, None);
    assert_eq!(h.take(a), ["presence:bob:dnd"]);
    // A second device changes nothing.
    let b2 = h.admit("bob", "b2");
    assert_eq!(h.take(a), Vec::<String>::new());
    h.set_status(b2, Status::Available, None);
    let c = h.admit("carol", "c1");
    h.invite(c, "x", "bob");
    h.accept(b, "x");
    h.frames(b);
    assert_eq!(h.take(a), ["presence:bob:online", "presence:bob:in_call"]);
    h.hang_up(b, "x");
    assert_eq!(h.take(a), ["presence:bob:online"]);
    h.disconnect(b);
    h.disconnect(b2);
    h.advance(secs(30));
    assert_eq!(h.take(a), ["presence:bob:offline"]);
    // Unsubscribed: silence.
    assert_eq!(unsubscribe(&mut h, a, "bob"), ["ok"]);
    h.admit("bob", "b1");
    assert_eq!(h.take(a), Vec::<String>::new());
}

#[test]
fn a_change_made_while_nobody_subscribed_is_not_pushed_again() {
    let mut h = Harness::new();
    let b = h.admit("bob", "b1");
    h.set_status(b, Status::Dnd, None);
    let a = h.admit("alice", "a1");
    let dnd = [("bob".to_owned(), Presence::Dnd)];
    assert_eq!(subscribe(&mut h, a, "bob"), dnd);
    // A second device touches bob's presence without changing it.
    let b2 = h.admit("bob", "b2");
    assert_eq!(h.take(a), Vec::<String>::new());
    // Unsubscribed, bob changes; subscribed again, alice is told once.
    assert_eq!(unsubscribe(&mut h, a, "bob"), ["ok"]);
    h.set_status(b2, Status::Available, None);
    let online = [("bob".to_owned(), Presence::Online)];
    assert_eq!(subscribe(&mut h, a, "bob"), online);
    h.disconnect(b);
    assert_eq!(h.take(a), Vec::<String>::new());
    h.set_status(b2, Status::Dnd, None);
    assert_eq!(h.take(a), ["presence:bob:dnd"]);
}

#[test]
fn query_presence_limit() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let req = h.req();
    h.send(
        a,
        ClientFrame::QueryPresence {
            req,
            uids: many("u", MAX_PRESENCE_QUERY),
        },
    );
    assert_eq!(presences(&h.frames(a)).len(), MAX_PRESENCE_QUERY);
    let req = h.req();
    h.send(
        a,
        ClientFrame::QueryPresence {
            req,
            uids: many("u", MAX_PRESENCE_QUERY + 1),
        },
    );
    assert_eq!(h.take(a), ["error:too_large"]);
    let req = h.req();
    h.send(
        a,
        ClientFrame::QueryPresence {
            req,
            uids: vec![uid("alice"), uid("bob")],
        },
    );
    assert_eq!(
        presences(&h.frames(a)),
        [
            ("alice".to_owned(), Presence::Online),
            ("bob".to_owned(), Presence::Offline)
        ]
    );
}

#[test]
fn subscription_limit_is_per_connection_and_adds_nothing_when_exceeded() {
    let mut h = Harness::new();
    let a = h.admit("alice", "a1");
    let req = h.req();
    h.send(
        a,
        ClientFrame::Subscribe {
            req,
            uids: many("u", MAX_SUBSCRIPTIONS - 1),
        },
    );
    assert_eq!(presences(&h.frames(a)).len(), MAX_SUBSCRIPTIONS - 1);
    // Two more (one of them already subscribed... no: both new) would be 513.
    let req = h.req();
    h.send(
        a,
        ClientFrame::Subscribe {
            req,
            uids: vec![uid("bob"), uid("carol")],
        },
    );
    assert_eq!(h.take(a), ["error:too_large"]);
    // Nothing was added: bob coming online is not pushed.
    h.admit("bob", "b1");
    assert_eq!(h.take(a), Vec::<String>::new());
    // Resubscribing to one already held plus one new fits exactly.
    let req = h.req();
    h.send(
        a,
        ClientFrame::Subscribe {
            req,
            uids: vec![uid("u0"), uid("carol")],
        },
    );
    assert_eq!(presences(&h.frames(a)).len(), 2);
    h.admit("carol", "c1");
    assert_eq!(h.take(a), ["presence:carol:online"]);
    // Another connection has its own budget.
    let a2 = h.admit("alice", "a2");
    let req = h.req();
    h.send(
        a2,
        ClientFrame::Subscribe {
            req,
            uids: vec![uid("bob")],
        },
    );
    assert_eq!(presences(&h.frames(a2)).len(), 1);
}

#[test]
fn set_status_reaches_every_device_of_the_uid() {
    let mut h = Harness::new();
    let b1 = h.admit("bob", "b1");
    let b2 = h.admit("bob", "b2");
    let a = h.admit("alice", "a1");
    h.set_status(b2, Status::Dnd, Some(true));
    assert_eq!(h.take(b2), ["ok", "status_changed:dnd:true"]);
    assert_eq!(h.take(b1), ["status_changed:dnd:true"]);
    assert_eq!(h.take(a), Vec::<String>::new());
    // call_waiting left out keeps its value.
    h.set_status(b1, Status::Available, None);
    assert_eq!(h.take(b1), ["ok", "status_changed:available:true"]);
}

#[test]
fn directory_lists_enabled_accounts_sorted_with_presence() {
    let mut h = Harness::new();
    h.set_account("dave", false);
    // Added in reverse order, so that the listing's order is the server's doing.
    let team: Vec<String> = (0..20).rev().map(|n| format!("member-{n:02}")).collect();
    for uid in &team {
        h.set_account(uid, true);
    }
    let c = h.admit("carol", "c1");
    h.set_status(c, Status::Dnd, None);
    h.frames(c);
    let req = h.req();
    h.send(c, ClientFrame::Directory { req });
    let frames = h.frames(c);
    let [ServerFrame::DirectoryResult { users, .. }] = frames.as_slice() else {
        panic!("expected a directory_result, got {frames:?}");
    };
    let listed: Vec<(String, Presence)> = users
        .iter()
        .map(|u| (u.uid.to_string(), u.presence))
        .collect();
    let mut expected = vec![
        ("alice".to_owned(), Presence::Offline),
        ("bob".to_owned(), Presence::Offline),
        ("carol".to_owned(), Presence::Dnd),
    ];
    expected.extend(
        team.iter()
            .rev()
            .map(|uid| (uid.clone(), Presence::Offline)),
    );
    assert_eq!(listed, expected);
    assert_eq!(users[0].display_name.as_str(), "alice name");
}
