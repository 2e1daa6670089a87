//! Login, token authentication, logout, renewal, and the login rate limits.

use std::time::Duration;

use ringer_proto::{ClientFrame, ErrorCode, Password, Presence, PresenceEntry, ServerFrame, Uid};
use ringer_server::rate_limit::Rate;

use crate::util::{Client, PASSWORD, PATIENCE, TestServer, close_code, device, error_code, uid};

#[tokio::test]
async fn login_welcomes_with_a_token_that_authenticates_later() {
    let server = TestServer::start(&["alice"]).await;
    let (_first, welcome) = server.login("alice", "laptop").await;
    assert_eq!(welcome.uid, uid("alice"));
    assert_eq!(welcome.server_id, server.handle().server_id());
    let token = welcome.token.clone().expect("login issues a token");

    let mut second = server.connect().await;
    let reply = second.try_authenticate("alice", &token, "phone").await;
    let ServerFrame::Welcome(welcome) = reply else {
        panic!("expected welcome, got {reply:?}");
    };
    assert_eq!(welcome.uid, uid("alice"));
    assert_eq!(welcome.token, None, "authenticate issues no new token");
}

#[tokio::test]
async fn wrong_password_and_unknown_uid_are_bad_credentials() {
    let server = TestServer::start(&["alice"]).await;
    let mut client = server.connect().await;
    let reply = client.try_login("alice", "wrong", "laptop").await;
    assert_eq!(error_code(&reply), ErrorCode::BadCredentials);
    let reply = client.try_login("nobody", PASSWORD, "laptop").await;
    assert_eq!(error_code(&reply), ErrorCode::BadCredentials);
    // Still usable: the right password works on the same connection.
    client.login("alice", PASSWORD, "laptop").await;
}

#[tokio::test]
async fn another_protocol_version_is_unsupported() {
    let server = TestServer::start(&["alice"]).await;
    let mut client = server.connect().await;
    client
        .send(&ClientFrame::Login {
            req: 5,
            protocol: 2,
            uid: uid("alice"),
            password: Password::new(PASSWORD).expect("valid password"),
            device_id: device("laptop"),
            client: None,
        })
        .await;
    assert_eq!(error_code(&client.recv().await), ErrorCode::Unsupported);
}

#[tokio::test]
async fn a_second_login_on_one_connection_is_already_logged_in() {
    let server = TestServer::start(&["alice"]).await;
    let (mut client, _) = server.login("alice", "laptop").await;
    let reply = client.try_login("alice", PASSWORD, "laptop").await;
    assert_eq!(error_code(&reply), ErrorCode::AlreadyLoggedIn);
}

#[tokio::test]
async fn an_expired_token_is_token_expired() {
    let server = TestServer::start_with(&["alice"], |config| {
        config.limits.token_lifetime = Duration::from_millis(200);
    })
    .await;
    let (_client, welcome) = server.login("alice", "laptop").await;
    let token = welcome.token.clone().expect("login issues a token");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut later = server.connect().await;
    let reply = later.try_authenticate("alice", &token, "laptop").await;
    assert_eq!(error_code(&reply), ErrorCode::TokenExpired);
}

#[tokio::test]
async fn logout_revokes_the_token_and_closes() {
    let server = TestServer::start(&["alice", "bob"]).await;
    let (mut client, welcome) = server.login("alice", "laptop").await;
    let (mut bob, _) = server.login("bob", "phone").await;
    let token = welcome.token.clone().expect("login issues a token");
    client.send(&ClientFrame::Logout { req: 42 }).await;
    let ok = client
        .recv_until(|f| matches!(f, ServerFrame::Ok { req: 42 }))
        .await;
    assert_eq!(ok, ServerFrame::Ok { req: 42 });
    let ended = client.expect_end().await;
    assert_eq!(close_code(&ended), 1000);

    // A signed-out device is not coming back: no grace period keeps alice present.
    let alice = Uid::new("alice").expect("valid uid");
    bob.send(&ClientFrame::QueryPresence {
        req: 5,
        uids: vec![alice.clone()],
    })
    .await;
    let reply = bob
        .recv_until(|f| matches!(f, ServerFrame::PresenceResult { .. }))
        .await;
    assert_eq!(
        reply,
        ServerFrame::PresenceResult {
            req: 5,
            entries: vec![PresenceEntry {
                uid: alice,
                presence: Presence::Offline
            }]
        }
    );

    let mut again = server.connect().await;
    let reply = again.try_authenticate("alice", &token, "laptop").await;
    assert_eq!(error_code(&reply), ErrorCode::TokenRevoked);
}

#[tokio::test]
async fn renew_token_extends_the_session() {
    let server = TestServer::start(&["alice"]).await;
    let (mut client, welcome) = server.login("alice", "laptop").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    client.send(&ClientFrame::RenewToken { req: 8 }).await;
    let reply = client
        .recv_until(|f| {
            matches!(
                f,
                ServerFrame::TokenRenewed { .. } | ServerFrame::Error { .. }
            )
        })
        .await;
    let ServerFrame::TokenRenewed { req, expires_at } = reply else {
        panic!("expected token_renewed, got {reply:?}");
    };
    assert_eq!(req, 8);
    assert!(
        expires_at > welcome.token_expires_at,
        "{expires_at} vs {}",
        welcome.token_expires_at
    );
}

#[tokio::test]
async fn history_starts_empty_and_its_limit_is_enforced() {
    let server = TestServer::start(&["alice"]).await;
    let (mut client, _) = server.login("alice", "laptop").await;
    client
        .send(&ClientFrame::History {
            req: 3,
            limit: None,
        })
        .await;
    let reply = client
        .recv_until(|f| {
            matches!(
                f,
                ServerFrame::HistoryResult { .. } | ServerFrame::Error { .. }
            )
        })
        .await;
    assert_eq!(
        reply,
        ServerFrame::HistoryResult {
            req: 3,
            records: vec![]
        }
    );
    client
        .send(&ClientFrame::History {
            req: 4,
            limit: Some(501),
        })
        .await;
    let reply = client
        .recv_until(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    assert_eq!(error_code(&reply), ErrorCode::TooLarge);
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_uid_while_others_log_in() {
    let server = TestServer::start_with(&["alice", "bob"], |config| {
        config.limits.login_failures_per_uid = Rate::new(3, Duration::from_secs(3600));
    })
    .await;
    let mut attacker = server.connect().await;
    for _ in 0..3 {
        let reply = attacker.try_login("alice", "guess", "x").await;
        assert_eq!(error_code(&reply), ErrorCode::BadCredentials);
    }
    let reply = attacker.try_login("alice", PASSWORD, "x").await;
    assert_eq!(error_code(&reply), ErrorCode::RateLimited);
    // A fresh connection from the same address does not reset it.
    let mut retry = server.connect().await;
    let reply = retry.try_login("alice", PASSWORD, "x").await;
    assert_eq!(error_code(&reply), ErrorCode::RateLimited);

    let (_bob, welcome) = server.login("bob", "phone").await;
    assert_eq!(welcome.uid, uid("bob"));
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_address() {
    let server = TestServer::start_with(&["carol"], |config| {
        config.limits.login_failures_per_ip = Rate::new(2, Duration::from_secs(3600));
    })
    .await;
    let mut client = server.connect().await;
    for name in ["x1", "x2"] {
        let reply = client.try_login(name, "guess", "d").await;
        assert_eq!(error_code(&reply), ErrorCode::BadCredentials);
    }
    let reply = client.try_login("carol", PASSWORD, "d").await;
    assert_eq!(error_code(&reply), ErrorCode::RateLimited);
}

#[tokio::test]
async fn devices_over_the_limit_are_too_many_devices() {
    let server = TestServer::start_with(&["alice"], |config| {
        config.switchboard.max_devices_per_uid = 1;
    })
    .await;
    let (_laptop, _) = server.login("alice", "laptop").await;
    let mut phone = server.connect().await;
    let reply = phone.try_login("alice", PASSWORD, "phone").await;
    assert_eq!(error_code(&reply), ErrorCode::TooManyDevices);
}

#[tokio::test]
async fn users_added_by_the_admin_can_log_in_on_a_running_server() {
    let server = TestServer::start(&[]).await;
    crate::util::add_users(server.dir.path(), &["dave"]);
    // The server polls the store; retry until it has picked the account up.
    let welcome = tokio::time::timeout(PATIENCE, async {
        loop {
            let mut client = server.connect().await;
            if let ServerFrame::Welcome(welcome) = client.try_login("dave", PASSWORD, "d").await {
                return welcome;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the new user can log in");
    assert_eq!(welcome.uid, uid("dave"));
}

#[tokio::test]
async fn disabling_a_user_closes_their_devices() {
    let server = TestServer::start(&["erin"]).await;
    let (mut client, _) = server.login("erin", "laptop").await;
    let store = crate::util::open_store(server.dir.path());
    store.disable_user(&uid("erin")).expect("disable erin");
    let (_, ended) = client.drain_until_end().await;
    assert_eq!(close_code(&ended), 1008);

    let mut again: Client = server.connect().await;
    let reply = again.try_login("erin", PASSWORD, "laptop").await;
    assert_eq!(error_code(&reply), ErrorCode::AccountDisabled);
}

#[tokio::test]
async fn a_password_change_closes_the_users_devices() {
    let server = TestServer::start(&["frank"]).await;
    let (mut client, _) = server.login("frank", "laptop").await;
    let store = crate::util::open_store(server.dir.path());
    store
        .set_password(
            &uid("frank"),
            &Password::new("new password").expect("valid"),
        )
        .expect("change the password");
    let (_, ended) = client.drain_until_end().await;
    assert_eq!(close_code(&ended), 1008);
}

#[tokio::test]
async fn a_device_signed_in_after_a_password_change_stays() {
    let server = TestServer::start(&["gina"]).await;
    let (mut old, _) = server.login("gina", "laptop").await;
    let store = crate::util::open_store(server.dir.path());
    store
        .set_password(&uid("gina"), &Password::new("new password").expect("valid"))
        .expect("change the password");
    // Sign in with the new password, possibly before the server has noticed the change.
    let mut fresh = server.connect().await;
    fresh.login("gina", "new password", "phone").await;
    let (_, ended) = old.drain_until_end().await;
    assert_eq!(close_code(&ended), 1008);
    // The old device's close proves the reload happened; the new one is still served.
    fresh.send(&ClientFrame::Ping {}).await;
    let pong = fresh
        .recv_until(|f| matches!(f, ServerFrame::Pong {}))
        .await;
    assert_eq!(pong, ServerFrame::Pong {});
}

/// An account added while the server runs can sign in, and be called, at once: the server
/// learns of it from the credentials check, not only from its next poll of the store.
#[tokio::test]
async fn an_account_added_while_running_signs_in_before_the_next_poll() {
    let server = TestServer::start_with(&["alice"], |config| {
        config.limits.account_poll_interval = Duration::from_secs(3600);
    })
    .await;
    crate::util::add_users(server.dir.path(), &["carol"]);

    let (mut carol, welcome) = server.login("carol", "desk").await;
    assert_eq!(welcome.uid, uid("carol"));
    let (mut alice, _) = server.login("alice", "laptop").await;
    let id = ringer_proto::InvitationId::new("to-carol").expect("valid id");
    alice
        .send(&ClientFrame::Invite {
            req: 1,
            id: id.clone(),
            callee: uid("carol"),
            content: None,
            channel_id: None,
        })
        .await;
    let invitation = carol
        .recv_until(|f| matches!(f, ServerFrame::Invitation { .. }))
        .await;
    let ServerFrame::Invitation { invitation } = invitation else {
        panic!("expected an invitation, got {invitation:?}");
    };
    assert_eq!(invitation.id, id);
    assert_eq!(invitation.caller, uid("alice"));
}

/// An account enabled again while the server runs signs in at once, as a new one does: the
/// credentials check has just seen it enabled, so the server does not wait for its next poll
/// of the store to agree.
#[tokio::test]
async fn an_account_enabled_again_signs_in_before_the_next_poll() {
    let server = TestServer::start_with(&["alice", "carol"], |config| {
        config.limits.account_poll_interval = Duration::from_secs(3600);
        crate::util::open_store(&config.data_dir)
            .disable_user(&uid("carol"))
            .expect("disable carol");
    })
    .await;
    let mut refused = server.connect().await;
    let reply = refused.try_login("carol", PASSWORD, "desk").await;
    assert_eq!(error_code(&reply), ErrorCode::AccountDisabled);

    crate::util::open_store(server.dir.path())
        .enable_user(&uid("carol"))
        .expect("enable carol");
    let (_carol, welcome) = server.login("carol", "desk").await;
    assert_eq!(welcome.uid, uid("carol"));
    let (mut alice, _) = server.login("alice", "laptop").await;
    alice
        .send(&ClientFrame::QueryPresence {
            req: 1,
            uids: vec![uid("carol")],
        })
        .await;
    let reply = alice
        .recv_until(|f| matches!(f, ServerFrame::PresenceResult { .. }))
        .await;
    assert_eq!(
        reply,
        ServerFrame::PresenceResult {
            req: 1,
            entries: vec![PresenceEntry {
                uid: uid("carol"),
                presence: Presence::Online
            }]
        }
    );
}
