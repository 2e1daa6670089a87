//! Calls the server refused as do-not-disturb: quiet while DND, one summary when it ends.

use std::time::Duration;

use ringer_client::{Event, Invite};
use ringer_proto::{InvitationId, RefuseReason, Status, Uid};

use super::recorder::{PATIENCE, Record, Recorder};
use super::server::{App, Peer, TestServer};
use crate::integration::Notice;
use crate::payload::{CallDirection, UiEvent};

/// Sends invitation `id` from `caller` to bob and waits for the server's `dnd` refusal.
async fn refused_for_dnd(caller: &mut Peer, id: &str) {
    caller
        .client
        .send(Invite {
            id: InvitationId::new(id).expect("valid id"),
            callee: Uid::new("bob").expect("valid uid"),
            content: None,
            channel_id: None,
        })
        .await
        .expect("sent");
    let reason = caller
        .wait_for("the refusal", |e| {
            if let Event::LocalInvitationRefused {
                id: refused,
                reason,
                ..
            } = e
                && refused.as_str() == id
            {
                Some(*reason)
            } else {
                None
            }
        })
        .await;
    assert_eq!(reason, RefuseReason::Dnd);
}

/// Waits until the server's history of the app's user holds `ids` as missed (the server writes
/// records off the signaling path).
async fn wait_recorded(app: &App, ids: &[&str]) {
    let recorded = tokio::time::timeout(PATIENCE, async {
        loop {
            let history = app.ctl.get_history(None).await.expect("the history");
            let missed = |id: &&str| {
                history
                    .iter()
                    .any(|r| r.id == *id && r.missed && r.direction == CallDirection::Incoming)
            };
            if ids.iter().all(missed) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        recorded.is_ok(),
        "the server never recorded {ids:?} as missed"
    );
}

/// Waits for a `session` event with `status` among the records from index `from` on.
async fn wait_status(app: &App, from: usize, status: Status) {
    app.rec
        .wait_for_from(from, "the status", |r| {
            matches!(r, Record::Emit(UiEvent::Session(s)) if s.status == Some(status)).then_some(())
        })
        .await;
}

/// Waits for a `history` event among the records from index `from` on.
async fn wait_history(app: &App, from: usize) {
    app.rec
        .wait_for_from(from, "a history event", |r| {
            matches!(r, Record::Emit(UiEvent::History(_))).then_some(())
        })
        .await;
}

/// Waits for a missed-call notification among the records from index `from` on.
async fn wait_missed_notice(app: &App, from: usize) -> Notice {
    app.rec
        .wait_for_from(from, "a missed-call notification", |r| {
            if let Record::Notify(notice @ Notice::Missed { .. }) = r {
                Some(notice.clone())
            } else {
                None
            }
        })
        .await
}

fn notices(rec: &Recorder) -> Vec<Notice> {
    rec.records()
        .into_iter()
        .filter_map(|r| {
            if let Record::Notify(notice) = r {
                Some(notice)
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn calls_refused_in_dnd_are_announced_once_in_one_summary_when_dnd_ends() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    wait_history(&bob, 0).await;
    let mut alice = server.client("alice", "alice-laptop").await;
    let mut carol = server.client("carol", "carol-laptop").await;

    let mark = bob.rec.records().len();
    bob.ctl.set_status(Status::Dnd).await.expect("dnd on");
    wait_status(&bob, mark, Status::Dnd).await;
    refused_for_dnd(&mut alice, "dnd-1").await;
    refused_for_dnd(&mut carol, "dnd-2").await;
    wait_recorded(&bob, &["dnd-1", "dnd-2"]).await;
    bob.settle();
    assert!(notices(&bob.rec).is_empty(), "nothing shows while in DND");
    assert_eq!(bob.ctl.app_state().missed.count, 0);

    let mark = bob.rec.records().len();
    bob.ctl
        .set_status(Status::Available)
        .await
        .expect("dnd off");
    let notice = wait_missed_notice(&bob, mark).await;
    assert_eq!(
        notice.title(),
        "Missed calls from Carol King and Alice Martin"
    );
    assert_eq!(notice.body(), Some("2 missed calls while Do not disturb"));
    bob.settle();
    let since: Vec<Record> = bob.rec.records().split_off(mark);
    assert!(since.contains(&Record::Badge(2)));
    assert!(
        since.contains(&Record::Emit(UiEvent::Missed(crate::payload::Missed {
            count: 2
        })))
    );
    // The history event that came first lists them, as missed, for History to show.
    let history = since
        .iter()
        .find_map(|r| {
            if let Record::Emit(UiEvent::History(h)) = r {
                Some(h.clone())
            } else {
                None
            }
        })
        .expect("a history event");
    for id in ["dnd-1", "dnd-2"] {
        let record = history.iter().find(|r| r.id == id).expect("listed");
        assert!(record.missed, "{id} is missed");
        assert_eq!(record.reason.as_deref(), Some("dnd"));
    }
    assert_eq!(bob.ctl.app_state().missed.count, 2);

    // Seen; DND on and off again with no new calls: nothing is announced twice.
    bob.ctl.mark_missed_seen();
    let mark = bob.rec.records().len();
    bob.ctl.set_status(Status::Dnd).await.expect("dnd on");
    wait_status(&bob, mark, Status::Dnd).await;
    let mark = bob.rec.records().len();
    bob.ctl
        .set_status(Status::Available)
        .await
        .expect("dnd off");
    wait_status(&bob, mark, Status::Available).await;
    wait_history(&bob, mark).await;
    bob.settle();
    assert_eq!(notices(&bob.rec).len(), 1, "one summary only");
    assert_eq!(bob.ctl.app_state().missed.count, 0);
}

#[tokio::test]
async fn a_sign_in_in_dnd_announces_the_stretch_when_another_device_ends_it() {
    let server = TestServer::start().await;
    let mut phone = server.client("bob", "bob-phone").await;
    phone
        .client
        .set_status(Status::Dnd, None)
        .await
        .expect("dnd on");
    phone
        .wait_for("dnd", |e| {
            matches!(
                e,
                Event::StatusChanged {
                    status: Status::Dnd,
                    ..
                }
            )
            .then_some(())
        })
        .await;
    let mut alice = server.client("alice", "alice-laptop").await;
    refused_for_dnd(&mut alice, "before-sign-in").await;

    // The app starts in the middle of the stretch: quiet.
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    assert_eq!(bob.ctl.app_state().session.status, Some(Status::Dnd));
    wait_recorded(&bob, &["before-sign-in"]).await;
    wait_history(&bob, 0).await;
    refused_for_dnd(&mut alice, "after-sign-in").await;
    wait_recorded(&bob, &["after-sign-in"]).await;
    bob.settle();
    assert!(notices(&bob.rec).is_empty(), "nothing shows while in DND");

    // The phone ends DND: the app learns it from status_changed.
    let mark = bob.rec.records().len();
    phone
        .client
        .set_status(Status::Available, None)
        .await
        .expect("dnd off");
    let notice = wait_missed_notice(&bob, mark).await;
    assert_eq!(notice.title(), "Missed calls from Alice Martin");
    assert_eq!(notice.body(), Some("2 missed calls while Do not disturb"));
    bob.settle();
    assert_eq!(bob.ctl.app_state().missed.count, 2);
    assert_eq!(notices(&bob.rec).len(), 1);

    // Another start while available announces nothing it finds already in the history.
    let again = server.controller();
    again.sign_in(&server.url, "bob").await;
    wait_history(&again, 0).await;
    again.settle();
    assert!(
        notices(&again.rec).is_empty(),
        "no repeat at the next start"
    );
    assert_eq!(again.ctl.app_state().missed.count, 0);
}
