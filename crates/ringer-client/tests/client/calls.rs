//! Two clients and a real server: sign-in, calls, queries, tokens, and a server restart.

use ringer_client::{
    Client, ClientError, ConnectionChangeReason, ConnectionState, Credentials, Event, Invite,
};
use ringer_proto::{
    CallEndReason, Direction, FailureReason, Outcome, Password, Presence, RefuseReason, Response,
    Status,
};

use crate::util::{PATIENCE, TestServer, config, invitation_id, next_matching, signed_in, uid};

fn invite(id: &str, callee: &str) -> Invite {
    Invite {
        id: invitation_id(id),
        callee: uid(callee),
        content: None,
        channel_id: None,
    }
}

#[tokio::test]
async fn a_call_is_accepted_then_hung_up_and_both_sides_agree() {
    let server = TestServer::start(&["alice", "bob"]).await;
    let (alice, mut alice_events) = signed_in(config(&server.url, "alice", "a1")).await;
    let (bob, mut bob_events) = signed_in(config(&server.url, "bob", "b1")).await;

    alice.send(invite("call-1", "bob")).await.expect("sent");
    let received = next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationReceived { .. })
    })
    .await;
    let Event::RemoteInvitationReceived { invitation } = received else {
        unreachable!("matched above");
    };
    assert_eq!(invitation.caller, uid("alice"));
    assert_eq!(invitation.id, invitation_id("call-1"));
    next_matching(&mut alice_events, |e| {
        matches!(e, Event::LocalInvitationReceivedByPeer { .. })
    })
    .await;

    let response = Response::new("on my way").expect("valid response");
    bob.accept(invitation.id.clone(), Some(response.clone()))
        .await
        .expect("accepted");
    let accepted = next_matching(&mut alice_events, |e| {
        matches!(e, Event::LocalInvitationAccepted { .. })
    })
    .await;
    assert_eq!(
        accepted,
        Event::LocalInvitationAccepted {
            id: invitation_id("call-1"),
            response: Some(response),
        }
    );
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationAccepted { .. })
    })
    .await;

    alice
        .hang_up(invitation_id("call-1"))
        .await
        .expect("hung up");
    for events in [&mut alice_events, &mut bob_events] {
        let ended = next_matching(events, |e| matches!(e, Event::CallEnded { .. })).await;
        assert_eq!(
            ended,
            Event::CallEnded {
                id: invitation_id("call-1"),
                reason: CallEndReason::Hangup,
                by: Some(uid("alice")),
            }
        );
    }

    // The server writes call records off its hot path: ask until the record is there.
    let history = tokio::time::timeout(PATIENCE, async {
        loop {
            let history = bob.history(Some(10)).await.expect("bob's history");
            if !history.is_empty() {
                break history;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the call record is written");
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].peer, uid("alice"));
    assert_eq!(history[0].direction, Direction::Incoming);
    assert_eq!(history[0].outcome, Outcome::Answered);

    // An API error comes back from the engine unchanged.
    let error = alice
        .send(invite("call-1", "bob"))
        .await
        .expect_err("the id was used");
    assert!(
        matches!(
            error,
            ClientError::Api(ringer_client::ApiError::AlreadySent)
        ),
        "{error:?}"
    );
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test]
async fn a_refusal_reaches_the_caller_with_its_reason() {
    let server = TestServer::start(&["alice", "bob"]).await;
    let (alice, mut alice_events) = signed_in(config(&server.url, "alice", "a1")).await;
    let (bob, mut bob_events) = signed_in(config(&server.url, "bob", "b1")).await;

    alice.send(invite("call-2", "bob")).await.expect("sent");
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationReceived { .. })
    })
    .await;
    bob.refuse(invitation_id("call-2"), None, Some(RefuseReason::Busy))
        .await
        .expect("refused");
    let refused = next_matching(&mut alice_events, |e| {
        matches!(e, Event::LocalInvitationRefused { .. })
    })
    .await;
    assert_eq!(
        refused,
        Event::LocalInvitationRefused {
            id: invitation_id("call-2"),
            response: None,
            reason: RefuseReason::Busy,
        }
    );
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationRefused { .. })
    })
    .await;

    // Calling someone without an account fails at once.
    alice.send(invite("call-3", "nobody")).await.expect("sent");
    let failed = next_matching(&mut alice_events, |e| {
        matches!(e, Event::LocalInvitationFailure { .. })
    })
    .await;
    assert_eq!(
        failed,
        Event::LocalInvitationFailure {
            id: invitation_id("call-3"),
            reason: FailureReason::PeerUnknown,
            error: None,
        }
    );
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test]
async fn status_presence_and_directory_round_trip() {
    let server = TestServer::start(&["alice", "bob", "carol"]).await;
    let (alice, _alice_events) = signed_in(config(&server.url, "alice", "a1")).await;
    let (bob, mut bob_events) = signed_in(config(&server.url, "bob", "b1")).await;

    bob.set_status(Status::Dnd, Some(true))
        .await
        .expect("status set");
    let changed = next_matching(&mut bob_events, |e| {
        matches!(e, Event::StatusChanged { .. })
    })
    .await;
    assert_eq!(
        changed,
        Event::StatusChanged {
            status: Status::Dnd,
            call_waiting: true,
        }
    );

    let presence = alice
        .query_presence(vec![uid("bob"), uid("carol"), uid("alice")])
        .await
        .expect("presence");
    let presence: Vec<_> = presence.into_iter().map(|e| (e.uid, e.presence)).collect();
    assert_eq!(
        presence,
        vec![
            (uid("bob"), Presence::Dnd),
            (uid("carol"), Presence::Offline),
            (uid("alice"), Presence::Online),
        ]
    );

    let directory = alice.directory().await.expect("directory");
    let uids: Vec<_> = directory.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(uids, ["alice", "bob", "carol"]);

    // An invalid request is refused by the engine before it reaches the server.
    let error = alice.query_presence(Vec::new()).await.expect_err("no uids");
    assert!(
        matches!(
            error,
            ClientError::Api(ringer_client::ApiError::InvalidArgument(_))
        ),
        "{error:?}"
    );
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_and_a_revoked_token_abort_with_specific_errors() {
    let server = TestServer::start(&["alice"]).await;

    let mut wrong = config(&server.url, "alice", "a1");
    wrong.credentials = Credentials::Password(Password::new("wrong").expect("valid password"));
    let (client, mut events) = Client::spawn(wrong).expect("valid config");
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("wrong password");
    assert!(matches!(error, ClientError::BadCredentials), "{error:?}");
    next_matching(&mut events, |e| {
        *e == Event::ConnectionStateChanged {
            state: ConnectionState::Aborted,
            reason: ConnectionChangeReason::LoginFailure,
        }
    })
    .await;
    client.shutdown().await;

    let unknown = config(&server.url, "mallory", "m1");
    let (client, _events) = Client::spawn(unknown).expect("valid config");
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("no such user");
    assert!(matches!(error, ClientError::BadCredentials), "{error:?}");
    client.shutdown().await;

    // Log in, keep the token, log out: the token is revoked and the task ends.
    let (alice, mut alice_events) =
        Client::spawn(config(&server.url, "alice", "a1")).expect("valid config");
    let session = alice.wait_connected(PATIENCE).await.expect("signed in");
    let token = session.token.expect("a password login returns a token");
    alice.logout().await.expect("logged out");
    next_matching(&mut alice_events, |e| {
        *e == Event::ConnectionStateChanged {
            state: ConnectionState::Disconnected,
            reason: ConnectionChangeReason::Logout,
        }
    })
    .await;
    let rest = tokio::time::timeout(PATIENCE, async {
        while alice_events.next().await.is_some() {}
    })
    .await;
    assert!(rest.is_ok(), "the event stream ends after logout");

    let mut with_token = config(&server.url, "alice", "a1");
    with_token.credentials = Credentials::Token(token);
    let (client, _events) = Client::spawn(with_token).expect("valid config");
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("the token was revoked");
    assert!(matches!(error, ClientError::TokenRevoked), "{error:?}");

    // New credentials restart an aborted client.
    client
        .set_credentials(crate::util::password())
        .await
        .expect("the task runs");
    let session = client
        .wait_connected(PATIENCE)
        .await
        .expect("the password works");
    assert_eq!(session.uid, uid("alice"));
    client.shutdown().await;
}

#[tokio::test]
async fn clients_reconnect_after_a_server_restart_and_call_again() {
    let mut server = TestServer::start(&["alice", "bob"]).await;
    let addr = server.handle.as_ref().expect("running").local_addr();
    let (alice, mut alice_events) = signed_in(config(&server.url, "alice", "a1")).await;
    let (bob, mut bob_events) = signed_in(config(&server.url, "bob", "b1")).await;

    alice.send(invite("before", "bob")).await.expect("sent");
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationReceived { .. })
    })
    .await;

    // The server goes away: the ringing invitation fails on both sides, never rings forever.
    server.stop().await;
    let failed = next_matching(&mut alice_events, |e| {
        matches!(e, Event::LocalInvitationFailure { .. })
    })
    .await;
    assert_eq!(
        failed,
        Event::LocalInvitationFailure {
            id: invitation_id("before"),
            reason: FailureReason::ServerRestart,
            error: None,
        }
    );
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationFailure { .. })
    })
    .await;
    next_matching(&mut alice_events, |e| {
        matches!(
            e,
            Event::ConnectionStateChanged {
                state: ConnectionState::Reconnecting,
                ..
            }
        )
    })
    .await;

    // Same address and data: the clients come back by themselves with their tokens.
    let dir = server.dir;
    let restarted = restart_on(addr, dir).await;
    for events in [&mut alice_events, &mut bob_events] {
        next_matching(events, |e| {
            *e == Event::ConnectionStateChanged {
                state: ConnectionState::Connected,
                reason: ConnectionChangeReason::LoginSuccess,
            }
        })
        .await;
    }

    alice.send(invite("after", "bob")).await.expect("sent");
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationReceived { .. })
    })
    .await;
    bob.accept(invitation_id("after"), None)
        .await
        .expect("accepted");
    next_matching(&mut alice_events, |e| {
        matches!(e, Event::LocalInvitationAccepted { .. })
    })
    .await;
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationAccepted { .. })
    })
    .await;
    alice.shutdown().await;
    bob.shutdown().await;
    drop(restarted);
}

/// Starts a server on `addr` over an existing data directory.
async fn restart_on(addr: std::net::SocketAddr, dir: tempfile::TempDir) -> TestServer {
    let mut config = ringer_server::ServerConfig::with_defaults(addr, dir.path().to_owned())
        .expect("the defaults are valid");
    config.store = ringer_store::StoreOptions::insecure_for_tests();
    let handle = ringer_server::serve(config, tokio_util::sync::CancellationToken::new())
        .await
        .expect("the server restarts on the same port");
    let url = handle.url();
    TestServer {
        handle: Some(handle),
        dir,
        url,
    }
}

/// A refused `cancel` leaves the invitation ringing, and the user must hear why: its request id
/// was never returned, so the error reaches the event stream (an earlier driver handed request
/// errors only to callers waiting for them, and dropped these).
#[tokio::test]
async fn a_cancel_the_server_refuses_is_reported_on_the_event_stream() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let server = TestServer::start_with(dir, &["alice", "bob"], |config| {
        // alice's login and invite use up her frames; her cancel is one too many.
        config.limits.frame_rate =
            ringer_server::rate_limit::Rate::new(2, std::time::Duration::from_secs(3600));
    })
    .await;
    let (alice, mut alice_events) = signed_in(config(&server.url, "alice", "a1")).await;
    let (_bob, mut bob_events) = signed_in(config(&server.url, "bob", "b1")).await;

    alice.send(invite("call-1", "bob")).await.expect("sent");
    next_matching(&mut bob_events, |e| {
        matches!(e, Event::RemoteInvitationReceived { .. })
    })
    .await;
    alice.cancel(invitation_id("call-1")).await.expect("asked");
    let failed = next_matching(&mut alice_events, |e| {
        matches!(
            e,
            Event::RequestFailed { .. } | Event::LocalInvitationCanceled { .. }
        )
    })
    .await;
    let Event::RequestFailed { code, .. } = failed else {
        panic!("expected the cancel's error, got {failed:?}");
    };
    assert_eq!(code, ringer_proto::ErrorCode::RateLimited);
}
