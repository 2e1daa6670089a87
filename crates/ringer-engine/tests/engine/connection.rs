//! Connection states and reasons: login, welcome, refused logins, disconnects, logout.

use std::time::Duration;

use ringer_engine::{
    ConnectionChangeReason as Why, ConnectionState as S, Credentials, Engine, Event,
    LocalInvitationState as L, RemoteInvitationState as R, Reply, Transmit,
};
use ringer_proto::{CallEndReason, ClientFrame, ErrorCode, FailureReason, ServerFrame, Status};

use crate::harness::{Harness, ME, SERVER, config, iid, token, uid, welcome};

fn state_changes(events: &[Event]) -> Vec<(S, Why)> {
    events
        .iter()
        .filter_map(|e| {
            if let Event::ConnectionStateChanged { state, reason } = e {
                Some((*state, *reason))
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn password_login_sends_login_and_welcome_connects() {
    let mut h = Harness::new();
    assert_eq!(h.engine.connection_state(), S::Disconnected);
    assert!(!h.engine.should_reconnect());
    let login = h.open();
    let ClientFrame::Login {
        protocol,
        uid: u,
        device_id,
        client,
        password,
        ..
    } = login.clone()
    else {
        panic!("expected login, got {login:?}");
    };
    assert_eq!(protocol, 1);
    assert_eq!(u, uid(ME));
    assert_eq!(device_id.as_str(), "laptop-1");
    assert_eq!(client.as_deref(), Some("tests"));
    assert_eq!(password.as_str(), "secret");
    assert_eq!(h.engine.connection_state(), S::Connecting);
    assert!(h.engine.should_reconnect());
    let req = login.req().expect("login has a req");
    h.frame(welcome(req, SERVER, Vec::new()));
    assert_eq!(h.engine.connection_state(), S::Connected);
    assert_eq!(h.engine.server_id(), Some(SERVER));
    let events = h.events();
    assert_eq!(
        state_changes(&events),
        vec![
            (S::Connecting, Why::Login),
            (S::Connected, Why::LoginSuccess)
        ]
    );
    assert!(events.contains(&Event::LoggedIn {
        uid: uid(ME),
        display_name: ringer_proto::DisplayName::new("Alice").expect("valid"),
        token: Some(token("tok_1")),
        token_expires_at: 99_000,
        status: Status::Available,
        call_waiting: false,
    }));
}

#[test]
fn token_credentials_authenticate_and_a_login_token_is_reused() {
    let mut h = Harness {
        engine: Engine::new(config(), Credentials::Token(token("tok_0"))),
        ..Harness::new()
    };
    let login = h.open();
    let ClientFrame::Authenticate {
        token: t, protocol, ..
    } = &login
    else {
        panic!("expected authenticate, got {login:?}");
    };
    assert_eq!(*t, token("tok_0"));
    assert_eq!(*protocol, 1);
    // After a password login, the welcome's token is used for the next connection.
    let mut h = Harness::connected();
    h.engine.handle_disconnected(h.now);
    let login = h.open();
    assert!(
        matches!(&login, ClientFrame::Authenticate { token: t, .. } if *t == token("tok_1")),
        "{login:?}"
    );
}

#[test]
fn refused_logins_map_to_states_and_reasons() {
    let rows = [
        (
            ErrorCode::BadCredentials,
            S::Aborted,
            Why::LoginFailure,
            false,
        ),
        (
            ErrorCode::TokenExpired,
            S::Aborted,
            Why::TokenExpired,
            false,
        ),
        (
            ErrorCode::TokenRevoked,
            S::Aborted,
            Why::TokenRevoked,
            false,
        ),
        (
            ErrorCode::AccountDisabled,
            S::Aborted,
            Why::BannedByServer,
            false,
        ),
        (ErrorCode::Unsupported, S::Aborted, Why::LoginFailure, false),
        (
            ErrorCode::TooManyDevices,
            S::Connecting,
            Why::LoginFailure,
            true,
        ),
        (
            ErrorCode::RateLimited,
            S::Connecting,
            Why::LoginFailure,
            true,
        ),
        (ErrorCode::Internal, S::Connecting, Why::LoginFailure, true),
    ];
    for (code, state, reason, retry) in rows {
        let mut h = Harness::new();
        let req = h.open().req().expect("login has a req");
        h.clear();
        h.frame(ServerFrame::Error {
            req: Some(req),
            code,
            message: "no".into(),
        });
        assert_eq!(h.engine.connection_state(), state, "{code}");
        assert_eq!(h.engine.connection_reason(), Some(reason), "{code}");
        assert_eq!(h.engine.should_reconnect(), retry, "{code}");
        assert_eq!(h.take_transmits(), vec![Transmit::Disconnect], "{code}");
        assert_eq!(state_changes(&h.events()), vec![(state, reason)], "{code}");
        assert_eq!(h.engine.poll_timeout(), None, "{code}");
    }
}

#[test]
fn a_refused_relogin_keeps_reconnecting_or_aborts() {
    for (code, state, reason) in [
        (
            ErrorCode::TooManyDevices,
            S::Reconnecting,
            Why::LoginFailure,
        ),
        (ErrorCode::TokenExpired, S::Aborted, Why::TokenExpired),
    ] {
        let mut h = Harness::connected();
        h.engine.handle_disconnected(h.now);
        let req = h.open().req().expect("login has a req");
        h.clear();
        h.frame(ServerFrame::Error {
            req: Some(req),
            code,
            message: "no".into(),
        });
        assert_eq!(h.engine.connection_state(), state);
        assert_eq!(state_changes(&h.events()), vec![(state, reason)]);
    }
}

#[test]
fn new_credentials_after_aborted_log_in_again() {
    let mut h = Harness::new();
    let req = h.open().req().expect("login has a req");
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::BadCredentials,
        message: "no".into(),
    });
    h.engine.handle_disconnected(h.now);
    h.clear();
    h.engine.set_credentials(Credentials::Token(token("tok_9")));
    let login = h.login(SERVER, Vec::new());
    assert!(matches!(login, ClientFrame::Authenticate { token: t, .. } if t == token("tok_9")));
    assert_eq!(h.engine.connection_state(), S::Connected);
    assert_eq!(
        state_changes(&h.events()),
        vec![
            (S::Connecting, Why::Login),
            (S::Connected, Why::LoginSuccess)
        ]
    );
}

#[test]
fn login_timeout_closes_the_socket_and_retries() {
    let mut h = Harness::new();
    h.open();
    h.clear();
    assert_eq!(
        h.engine.poll_timeout(),
        Some(h.now + Duration::from_secs(10))
    );
    let start = h.now;
    assert!(h.fire());
    assert_eq!(h.now, start + Duration::from_secs(10));
    assert_eq!(h.take_transmits(), vec![Transmit::Disconnect]);
    assert_eq!(h.engine.connection_state(), S::Connecting);
    assert_eq!(h.engine.connection_reason(), Some(Why::LoginTimeout));
    assert!(h.engine.should_reconnect());
    assert_eq!(h.engine.poll_timeout(), None);
    // A welcome that arrives late on the dead socket is ignored.
    h.frame(welcome(1, SERVER, Vec::new()));
    assert_eq!(h.engine.connection_state(), S::Connecting);
}

#[test]
fn a_lost_connection_reconnects_through_reconnecting() {
    let mut h = Harness::connected();
    h.engine.handle_disconnected(h.now);
    assert_eq!(h.engine.connection_state(), S::Reconnecting);
    assert_eq!(
        state_changes(&h.events()),
        vec![(S::Reconnecting, Why::Interrupted)]
    );
    // Dialing again keeps reconnecting (no event); a failed dial too.
    h.engine.handle_connecting(h.now);
    h.engine.handle_disconnected(h.now);
    h.engine.handle_connecting(h.now);
    assert_eq!(h.events(), vec![]);
    let req = {
        h.engine.handle_connected(h.now);
        h.pump();
        h.req_of("authenticate")
    };
    h.frame(welcome(req, SERVER, Vec::new()));
    assert_eq!(h.engine.connection_state(), S::Connected);
    assert_eq!(
        state_changes(&h.events()),
        vec![(S::Connected, Why::LoginSuccess)]
    );
}

#[test]
fn frames_without_a_connection_are_ignored() {
    let mut h = Harness::new();
    h.frame(ServerFrame::Invitation {
        invitation: crate::harness::incoming("r1"),
    });
    assert_eq!(h.engine.remote_invitation(&iid("r1")), None);
    // Before the welcome only the login's answer counts.
    h.open();
    h.clear();
    h.frame(ServerFrame::Invitation {
        invitation: crate::harness::incoming("r1"),
    });
    h.frame(ServerFrame::Error {
        req: Some(999),
        code: ErrorCode::BadCredentials,
        message: "not for the login".into(),
    });
    assert_eq!(h.engine.remote_invitation(&iid("r1")), None);
    assert_eq!(h.engine.connection_state(), S::Connecting);
    assert_eq!(h.events(), vec![]);
    assert_eq!(h.frames(), vec![]);
}

#[test]
fn logout_disconnects_for_good_and_ends_what_was_live() {
    let mut h = Harness::new();
    assert_eq!(
        h.engine.logout(h.now),
        Err(ringer_engine::ApiError::NotLoggedIn)
    );
    let mut h = Harness::connected();
    h.sent("c1");
    h.ringing("r1");
    let req = h.engine.logout(h.now).expect("logout starts");
    assert_eq!(h.frames(), vec![ClientFrame::Logout { req }]);
    h.frame(ServerFrame::Ok { req });
    assert_eq!(h.engine.connection_state(), S::Disconnected);
    assert_eq!(h.engine.connection_reason(), Some(Why::Logout));
    assert!(!h.engine.should_reconnect());
    assert_eq!(h.take_transmits(), vec![Transmit::Disconnect]);
    let events = h.events();
    assert!(events.contains(&Event::Reply {
        req,
        reply: Reply::Ok
    }));
    assert_eq!(state_changes(&events), vec![(S::Disconnected, Why::Logout)]);
    assert!(events.contains(&Event::LocalInvitationFailure {
        id: iid("c1"),
        reason: FailureReason::NotLoggedIn,
        error: None,
    }));
    assert!(events.contains(&Event::RemoteInvitationFailure {
        id: iid("r1"),
        reason: FailureReason::NotLoggedIn
    }));
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn a_logout_cut_short_still_logs_out() {
    let mut h = Harness::connected();
    let req = h.engine.logout(h.now).expect("logout starts");
    h.clear();
    h.engine.handle_disconnected(h.now);
    let events = h.events();
    assert!(matches!(
        events.first(),
        Some(Event::RequestFailed { req: r, code: ErrorCode::NotLoggedIn, .. }) if *r == req
    ));
    assert_eq!(h.engine.connection_state(), S::Disconnected);
    assert!(!h.engine.should_reconnect());
}

#[test]
fn aborting_ends_every_live_invitation_and_call() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.ringing("r1");
    h.engine
        .accept(&iid("r1"), None, h.now)
        .expect("accept succeeds");
    h.frame(ServerFrame::AcceptConfirmed { id: iid("r1") });
    h.engine.handle_disconnected(h.now);
    let req = h.open().req().expect("login has a req");
    h.clear();
    h.frame(ServerFrame::Error {
        req: Some(req),
        code: ErrorCode::AccountDisabled,
        message: "disabled".into(),
    });
    assert_eq!(h.engine.connection_state(), S::Aborted);
    assert_eq!(
        h.engine.local_invitation(&iid("c1")),
        Some(L::Failure(FailureReason::NotLoggedIn))
    );
    assert_eq!(h.engine.remote_invitation(&iid("r1")), Some(R::Accepted));
    let events = h.events();
    assert!(events.contains(&Event::CallEnded {
        id: iid("r1"),
        reason: CallEndReason::ConnectionLost,
        by: None
    }));
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut h = Harness::connected();
    h.engine.set_credentials(Credentials::Password(
        ringer_proto::Password::new("hunter2").expect("valid password"),
    ));
    let shown = format!("{:?}", h.engine);
    assert!(!shown.contains("hunter2"), "{shown}");
    h.engine
        .set_credentials(Credentials::Token(token("tok_secret")));
    let shown = format!("{:?}", h.engine);
    assert!(!shown.contains("tok_secret"), "{shown}");
}

#[test]
fn ended_invitations_are_forgotten_after_the_retention() {
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Failed {
        id: iid("c1"),
        reason: FailureReason::PeerOffline,
    });
    h.advance(ringer_engine::ENDED_RETENTION - std::time::Duration::from_secs(1));
    h.frame(ServerFrame::Pong {});
    assert_eq!(
        h.engine.cancel(&iid("c1"), h.now),
        Err(ringer_engine::ApiError::AlreadyEnd)
    );
    // Forgotten lazily: at the latest one prune interval after the retention.
    h.advance(std::time::Duration::from_secs(1) + ringer_engine::PRUNE_INTERVAL);
    h.engine.handle_timeout(h.now);
    assert_eq!(h.engine.local_invitation(&iid("c1")), None);
    assert_eq!(
        h.engine.cancel(&iid("c1"), h.now),
        Err(ringer_engine::ApiError::NotStarted)
    );
}

#[test]
fn each_ended_invitation_is_kept_for_the_whole_retention_then_forgotten() {
    use std::time::Duration;
    let mut h = Harness::connected();
    h.sent("c1");
    h.frame(ServerFrame::Failed {
        id: iid("c1"),
        reason: FailureReason::PeerOffline,
    });
    // Time passes on a live connection (the server answers the pings).
    let pass = |h: &mut Harness, by: Duration| {
        let until = h.now + by;
        while h.now < until {
            h.advance(Duration::from_secs(5).min(until - h.now));
            h.frame(ServerFrame::Pong {});
        }
    };
    pass(&mut h, Duration::from_secs(5 * 60));
    h.sent("c2");
    h.frame(ServerFrame::Failed {
        id: iid("c2"),
        reason: FailureReason::PeerOffline,
    });
    // c1 is past its retention (and a prune interval); c2 ended five minutes later.
    pass(
        &mut h,
        ringer_engine::ENDED_RETENTION - Duration::from_secs(5 * 60)
            + ringer_engine::PRUNE_INTERVAL,
    );
    assert_eq!(h.engine.local_invitation(&iid("c1")), None);
    assert_eq!(
        h.engine.cancel(&iid("c2"), h.now),
        Err(ringer_engine::ApiError::AlreadyEnd)
    );
    pass(&mut h, Duration::from_secs(5 * 60));
    assert_eq!(h.engine.local_invitation(&iid("c2")), None);
}
