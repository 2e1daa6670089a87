//! Connecting, failing to connect, reconnecting, heartbeats and shutdown.

use std::io;
use std::time::{Duration, SystemTime};

use ringer_client::{Client, ClientError, ConnectionChangeReason, ConnectionState, Event};
use ringer_engine::Backoff;
use ringer_proto::{ClientFrame, ErrorCode, Presence, PresenceEntry, ServerFrame};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::fake::FakeServer;
use crate::util::{PATIENCE, config, next_matching, uid};

#[tokio::test]
async fn an_unreachable_server_is_reported_with_the_io_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);

    let (client, _events) =
        Client::spawn(config(&format!("ws://{addr}"), "alice", "d1")).expect("valid config");
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("nothing listens there");
    let ClientError::Unreachable { source, .. } = &error else {
        panic!("expected unreachable, got {error:?}");
    };
    assert_eq!(source.kind(), io::ErrorKind::ConnectionRefused);
    assert!(
        error.to_string().starts_with("server unreachable: "),
        "{error}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn a_bad_url_is_refused_before_anything_starts() {
    for url in ["http://127.0.0.1:1", "127.0.0.1:7878", "ws://"] {
        let result = Client::spawn(config(url, "alice", "d1"));
        assert!(
            matches!(result, Err(ClientError::Config(_))),
            "{url} was accepted"
        );
    }
}

#[tokio::test]
async fn a_dropped_socket_is_redialed_after_the_backoff_and_signs_in_again() {
    let server = FakeServer::bind().await;
    let (client, mut events) =
        Client::spawn(config(&server.url(), "alice", "d1")).expect("valid config");

    let mut first = server.accept().await;
    first.welcome("alice", 10_000).await;
    client.wait_connected(PATIENCE).await.expect("signed in");
    let dropped_at = Instant::now();
    drop(first);

    let mut second = server.accept().await;
    // The same seed gives the same jitter: the driver waited at least its first delay.
    let expected = Backoff::new(7).next_delay();
    assert!(
        second.accepted_at - dropped_at >= expected,
        "redialed after {:?}, backoff was {expected:?}",
        second.accepted_at - dropped_at
    );
    // The engine switched to the token the first welcome carried.
    let req = match second.recv().await {
        Some(ClientFrame::Authenticate { req, token, .. }) => {
            assert_eq!(token.as_str(), "fake-token");
            req
        }
        other => panic!("expected authenticate, got {other:?}"),
    };
    second
        .send(&crate::fake::welcome(req, "alice", 10_000))
        .await;

    let mut seen = Vec::new();
    for _ in 0..2 {
        let event = next_matching(&mut events, |e| {
            matches!(e, Event::ConnectionStateChanged { .. })
        })
        .await;
        seen.push(event);
    }
    // Connecting then connected for the first socket; read on to the reconnection.
    let reconnecting = next_matching(&mut events, |e| {
        matches!(e, Event::ConnectionStateChanged { .. })
    })
    .await;
    assert_eq!(
        reconnecting,
        Event::ConnectionStateChanged {
            state: ConnectionState::Reconnecting,
            reason: ConnectionChangeReason::Interrupted,
        }
    );
    let back = next_matching(&mut events, |e| {
        matches!(e, Event::ConnectionStateChanged { .. })
    })
    .await;
    assert_eq!(
        back,
        Event::ConnectionStateChanged {
            state: ConnectionState::Connected,
            reason: ConnectionChangeReason::LoginSuccess,
        }
    );
    assert_eq!(
        seen,
        vec![
            Event::ConnectionStateChanged {
                state: ConnectionState::Connecting,
                reason: ConnectionChangeReason::Login,
            },
            Event::ConnectionStateChanged {
                state: ConnectionState::Connected,
                reason: ConnectionChangeReason::LoginSuccess,
            },
        ]
    );
    assert!(client.is_connected());
    client.shutdown().await;
}

#[tokio::test]
async fn the_next_attempt_is_published_while_the_backoff_runs() {
    let server = FakeServer::bind().await;
    let (client, mut events) =
        Client::spawn(config(&server.url(), "alice", "d1")).expect("valid config");
    let mut next = client.next_attempt();
    let mut first = server.accept().await;
    first.welcome("alice", 10_000).await;
    client.wait_connected(PATIENCE).await.expect("signed in");
    assert_eq!(*next.borrow(), None, "nothing is scheduled while connected");

    // The first wait: the seed's first delay from the moment the socket was lost.
    let mut backoff = Backoff::new(7);
    let delay = backoff.next_delay();
    let before = SystemTime::now();
    drop(first);
    let at = wait_next_attempt(&mut next, |at| at.is_some()).await;
    let after = SystemTime::now();
    let at = at.expect("a dial is scheduled");
    assert!(
        at >= before + delay && at <= after + delay,
        "next attempt {at:?} is not {delay:?} after the loss ({before:?}..{after:?})"
    );
    // The event that started the wait is already in the stream.
    let mut states = Vec::new();
    while let Some(event) = events.try_next() {
        if let Event::ConnectionStateChanged { state, .. } = event {
            states.push(state);
        }
    }
    assert_eq!(
        states.last(),
        Some(&ConnectionState::Reconnecting),
        "{states:?}"
    );

    // A failed dial brings no new event, but a new, longer wait.
    let (stream, _) = server.accept_tcp().await;
    let delay = backoff.next_delay();
    let before = SystemTime::now();
    drop(stream);
    let again = wait_next_attempt(&mut next, |again| again.is_some_and(|t| t != at)).await;
    let after = SystemTime::now();
    let again = again.expect("another dial is scheduled");
    assert!(
        again >= before + delay && again <= after + delay,
        "next attempt {again:?} is not {delay:?} after the failed dial ({before:?}..{after:?})"
    );

    // Back in: nothing is scheduled any more.
    let mut third = server.accept().await;
    assert_eq!(
        *next.borrow(),
        None,
        "a dial is under way, none is scheduled"
    );
    third.welcome("alice", 10_000).await;
    client
        .wait_connected(PATIENCE)
        .await
        .expect("signed in again");
    assert_eq!(*next.borrow(), None);
    client.shutdown().await;
}

/// Waits until the driver's next attempt satisfies `ready`, and returns it.
async fn wait_next_attempt(
    next: &mut watch::Receiver<Option<SystemTime>>,
    ready: impl Fn(Option<SystemTime>) -> bool,
) -> Option<SystemTime> {
    let value = tokio::time::timeout(PATIENCE, next.wait_for(|at| ready(*at)))
        .await
        .expect("the next attempt changes in time")
        .expect("the driver task runs");
    *value
}

#[tokio::test]
async fn failed_dials_back_off_exponentially() {
    let server = FakeServer::bind().await;
    let (client, _events) =
        Client::spawn(config(&server.url(), "alice", "d1")).expect("valid config");

    // Accept TCP and hang up at once: every WebSocket handshake fails.
    let mut accepted = Vec::new();
    for _ in 0..4 {
        let (stream, at) = server.accept_tcp().await;
        drop(stream);
        accepted.push(at);
    }
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("no handshake succeeds");
    assert!(
        matches!(
            error,
            ClientError::Handshake { .. } | ClientError::Unreachable { .. }
        ),
        "{error:?}"
    );

    let mut backoff = Backoff::new(7);
    for pair in accepted.windows(2) {
        let gap = pair[1] - pair[0];
        let delay = backoff.next_delay();
        assert!(
            gap >= delay,
            "redialed after {gap:?}, backoff was {delay:?}"
        );
    }
    client.shutdown().await;
}

#[tokio::test]
async fn a_silent_server_is_dropped_after_the_heartbeat_timeout_and_redialed() {
    let server = FakeServer::bind().await;
    let mut config = config(&server.url(), "alice", "d1");
    config.heartbeat_timeout = Duration::from_millis(300);
    let (client, mut events) = Client::spawn(config).expect("valid config");

    let mut first = server.accept().await;
    first.welcome("alice", 100).await;
    client.wait_connected(PATIENCE).await.expect("signed in");

    // Never answer: the client pings, then gives up on the socket.
    let mut pings = 0;
    while let Some(frame) = first.recv().await {
        if frame == (ClientFrame::Ping {}) {
            pings += 1;
        }
    }
    assert!(pings >= 1, "the client never pinged");

    let event = next_matching(&mut events, |e| {
        matches!(
            e,
            Event::ConnectionStateChanged {
                state: ConnectionState::Reconnecting,
                ..
            }
        )
    })
    .await;
    assert_eq!(
        event,
        Event::ConnectionStateChanged {
            state: ConnectionState::Reconnecting,
            reason: ConnectionChangeReason::Interrupted,
        }
    );
    let mut second = server.accept().await;
    second.welcome("alice", 10_000).await;
    next_matching(&mut events, |e| matches!(e, Event::LoggedIn { .. })).await;
    client.shutdown().await;
}

#[tokio::test]
async fn a_login_refused_for_now_is_reported_and_retried() {
    let server = FakeServer::bind().await;
    let (client, _events) =
        Client::spawn(config(&server.url(), "alice", "d1")).expect("valid config");

    let mut first = server.accept().await;
    let req = first.expect_login().await;
    first
        .send(&ServerFrame::Error {
            req: Some(req),
            code: ErrorCode::TooManyDevices,
            message: "five devices are online".to_owned(),
        })
        .await;
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("the login was refused");
    assert!(
        matches!(
            error,
            ClientError::Server {
                code: ErrorCode::TooManyDevices,
                ..
            }
        ),
        "expected too_many_devices, got {error:?}"
    );

    // It is not final: the driver dials again and gets in.
    let mut second = server.accept().await;
    second.welcome("alice", 10_000).await;
    // The second dial is under way since it was accepted: waiting now waits for it.
    let session = client
        .wait_connected(PATIENCE)
        .await
        .expect("the second attempt signs in");
    assert_eq!(session.uid, uid("alice"));
    client.shutdown().await;
}

#[tokio::test]
async fn requests_get_their_replies_and_time_out_without_one() {
    let server = FakeServer::bind().await;
    let mut config = config(&server.url(), "alice", "d1");
    config.request_timeout = Duration::from_millis(300);
    let (client, _events) = Client::spawn(config).expect("valid config");
    let mut conn = server.accept().await;
    conn.welcome("alice", 10_000).await;
    client.wait_connected(PATIENCE).await.expect("signed in");

    let asking = tokio::spawn({
        let client = client.clone();
        async move { client.query_presence(vec![uid("bob")]).await }
    });
    let req = match conn.recv().await {
        Some(ClientFrame::QueryPresence { req, uids }) => {
            assert_eq!(uids, vec![uid("bob")]);
            req
        }
        other => panic!("expected query_presence, got {other:?}"),
    };
    let entries = vec![PresenceEntry {
        uid: uid("bob"),
        presence: Presence::InCall,
    }];
    conn.send(&ServerFrame::PresenceResult {
        req,
        entries: entries.clone(),
    })
    .await;
    let answer = asking.await.expect("the task ran");
    assert_eq!(answer.expect("a presence reply"), entries);

    // A request the server never answers ends in a timeout, not a hang.
    let error = client
        .directory()
        .await
        .expect_err("the fake server does not answer");
    assert!(matches!(error, ClientError::Timeout), "{error:?}");

    // A server error is passed on with its code.
    let asking = tokio::spawn({
        let client = client.clone();
        async move { client.history(Some(10)).await }
    });
    let req = loop {
        match conn.recv().await {
            Some(ClientFrame::History { req, .. }) => break req,
            Some(_) => {}
            None => panic!("the client hung up"),
        }
    };
    conn.send(&ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::RateLimited,
        message: "slow down".to_owned(),
    })
    .await;
    let error = asking
        .await
        .expect("the task ran")
        .expect_err("the server refused");
    assert!(
        matches!(
            error,
            ClientError::Server {
                code: ErrorCode::RateLimited,
                ..
            }
        ),
        "{error:?}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_the_socket_and_ends_the_event_stream() {
    let server = FakeServer::bind().await;
    let (client, mut events) =
        Client::spawn(config(&server.url(), "alice", "d1")).expect("valid config");
    let mut conn = server.accept().await;
    conn.welcome("alice", 10_000).await;
    client.wait_connected(PATIENCE).await.expect("signed in");

    client.shutdown().await;
    assert_eq!(conn.recv().await, None, "the socket is closed");
    let rest = tokio::time::timeout(PATIENCE, async {
        let mut rest = Vec::new();
        while let Some(event) = events.next().await {
            rest.push(event);
        }
        rest
    })
    .await
    .expect("the stream ends");
    assert!(
        rest.iter()
            .all(|e| !matches!(e, Event::RequestFailed { .. })),
        "{rest:?}"
    );
    let error = client
        .set_status(ringer_proto::Status::Dnd, None)
        .await
        .expect_err("the client is gone");
    assert!(matches!(error, ClientError::Closed), "{error:?}");
}
