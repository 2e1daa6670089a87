//! The `connection` payload while the connection is lost: the reconnect countdown.

use std::time::{SystemTime, UNIX_EPOCH};

use ringer_engine::Backoff;

use super::recorder::Record;
use super::server::TestServer;
use crate::payload::{Connection, ConnectionState, UiEvent};

fn epoch_ms(at: SystemTime) -> u64 {
    let since = at.duration_since(UNIX_EPOCH).expect("after 1970");
    u64::try_from(since.as_millis()).expect("fits in u64")
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).expect("fits in u64")
}

fn connection_events(records: Vec<Record>) -> Vec<Connection> {
    records
        .into_iter()
        .filter_map(|r| {
            if let Record::Emit(UiEvent::Connection(c)) = r {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn retry_at_follows_the_reconnect_backoff_while_reconnecting_and_is_null_otherwise() {
    let server = TestServer::start().await;
    let app = server.controller();
    app.sign_in(&server.url, "bob").await;
    assert_eq!(app.ctl.app_state().connection.retry_at, None);

    let lost_at = epoch_ms(SystemTime::now());
    server.shutdown().await;

    // The first wait: the first backoff delay (half its ceiling to all of it) after the loss.
    let first = app
        .rec
        .wait_for_event("reconnecting with a retry time", |e| {
            matches!(
                e,
                UiEvent::Connection(Connection {
                    state: ConnectionState::Reconnecting,
                    retry_at: Some(_),
                    ..
                })
            )
        })
        .await;
    let seen_at = epoch_ms(SystemTime::now());
    let UiEvent::Connection(Connection {
        retry_at: Some(first_at),
        ..
    }) = first
    else {
        unreachable!("matched above");
    };
    assert!(
        first_at >= lost_at + ms(Backoff::INITIAL) / 2
            && first_at <= seen_at + ms(Backoff::INITIAL),
        "retry at {first_at}, lost at {lost_at}, seen at {seen_at}"
    );

    // Nobody listens any more: the dial fails without a new state, and the countdown moves on
    // to a later attempt.
    let later = app
        .rec
        .wait_for_event("a later retry time", |e| {
            matches!(e, UiEvent::Connection(Connection {
                state: ConnectionState::Reconnecting,
                retry_at: Some(at),
                ..
            }) if *at > first_at)
        })
        .await;
    assert!(matches!(later, UiEvent::Connection(_)));
    assert_eq!(
        app.ctl.app_state().connection.state,
        ConnectionState::Reconnecting
    );

    // Only `reconnecting` ever carries a retry time.
    let events = connection_events(app.rec.records());
    assert!(
        events
            .iter()
            .all(|c| c.state == ConnectionState::Reconnecting || c.retry_at.is_none()),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|c| c.state == ConnectionState::Connected && c.retry_at.is_none()),
        "{events:?}"
    );
}
