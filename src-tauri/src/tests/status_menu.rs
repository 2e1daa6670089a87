//! The status chosen from the tray's menu, whose check marks toggle themselves when clicked.

use ringer_proto::Status;

use super::recorder::Record;
use super::server::{App, TestServer};
use crate::payload::UiEvent;

/// The statuses of the `session` events emitted from record `from` on, in order.
fn session_statuses(app: &App, from: usize) -> Vec<Option<Status>> {
    app.rec
        .records()
        .into_iter()
        .skip(from)
        .filter_map(|r| {
            if let Record::Emit(UiEvent::Session(session)) = r {
                Some(session.status)
            } else {
                None
            }
        })
        .collect()
}

/// An earlier version sent the session it read right after the server's `ok`, which could be
/// from before the confirmed status was applied: the window and the tray then showed Available
/// while the server had Do not disturb.
#[tokio::test]
async fn a_status_from_the_menu_shows_only_as_the_server_confirms_it() {
    let server = TestServer::start().await;
    let app = server.controller();
    app.sign_in(&server.url, "bob").await;
    app.settle();

    for status in [Status::Dnd, Status::Available, Status::Dnd] {
        let from = app.rec.records().len();
        app.ctl.set_status_from_menu(status).await;
        app.rec
            .wait_for_from(from, "the confirmed status", |r| {
                matches!(r, Record::Emit(UiEvent::Session(s)) if s.status == Some(status))
                    .then_some(())
            })
            .await;
        app.settle();
        assert_eq!(
            session_statuses(&app, from),
            [Some(status)],
            "one session event, with the confirmed status"
        );
        assert_eq!(app.ctl.app_state().session.status, Some(status));
    }
}

/// Signed out, the request fails: the error shows, and the session as it is puts the marks
/// back.
#[tokio::test]
async fn a_status_from_the_menu_that_fails_puts_the_marks_back() {
    let server = TestServer::start().await;
    let app = server.controller();
    let from = app.rec.records().len();
    app.ctl.set_status_from_menu(Status::Dnd).await;
    let emitted: Vec<&'static str> = app
        .rec
        .records()
        .into_iter()
        .skip(from)
        .filter_map(|r| {
            if let Record::Emit(event) = r {
                Some(event.name())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(emitted, ["error", "session"]);
    assert_eq!(session_statuses(&app, from), [None], "still signed out");
}
