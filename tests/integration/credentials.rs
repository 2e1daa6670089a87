//! Credentials over real sockets: a wrong password, an expired and a revoked token, and the
//! failed-login limit, each with its specific error for a raw client and for a real one, while
//! the bystanders' call goes on.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringer_client::{ClientError, ConnectionChangeReason, ConnectionState, Credentials, Event};
use ringer_proto::{Password, Token};
use ringer_server::rate_limit::Rate;

use crate::support::raw::assert_error;
use crate::support::{Bystanders, PASSWORD, Party, Server, config};

/// Starts a real client with `credentials` and checks it gives up with `error` and the state
/// change `reason`.
async fn refused(
    server: &Server,
    credentials: Credentials,
    reason: ConnectionChangeReason,
    want: impl Fn(&ClientError) -> bool,
) {
    let mut config = config(&server.url, "mallory", "mallory-pc");
    config.credentials = credentials;
    let mut party = Party::spawn(config);
    let error = party
        .client
        .wait_connected(crate::support::PATIENCE)
        .await
        .expect_err("the credentials are refused");
    assert!(want(&error), "{error:?}");
    party
        .wait_for("aborted", |e| {
            *e == Event::ConnectionStateChanged {
                state: ConnectionState::Aborted,
                reason,
            }
        })
        .await;
    party.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_bad_credentials() {
    let server = Server::start(&["alice", "bob", "mallory"]).await;
    let calls = Bystanders::in_a_call(&server).await;

    let mut raw = server.raw().await;
    assert_error(
        &raw.try_login("mallory", "guess", "mallory-pc").await,
        "bad_credentials",
        Some(1),
    );
    // An unknown uid gets the same answer, so that uids cannot be probed.
    assert_error(
        &raw.try_login("nobody", "guess", "mallory-pc").await,
        "bad_credentials",
        Some(1),
    );
    let wrong = Credentials::Password(Password::new("guess").expect("valid password"));
    refused(&server, wrong, ConnectionChangeReason::LoginFailure, |e| {
        matches!(e, ClientError::BadCredentials)
    })
    .await;

    calls.hang_up().await;
}

#[tokio::test]
async fn an_expired_token_is_token_expired() {
    let lifetime = Duration::from_millis(500);
    let server = Server::start_with(&["alice", "bob", "mallory"], |config| {
        config.limits.token_lifetime = lifetime;
    })
    .await;
    let calls = Bystanders::in_a_call(&server).await;

    let (raw, welcome) = server.raw_login("mallory", "mallory-pc").await;
    drop(raw);
    let token = welcome["token"].as_str().expect("a login returns a token");
    let expires_at = welcome["token_expires_at"].as_u64().expect("an expiry");
    // Wait for the expiry the server announced (same machine, same clock).
    let now_ms = u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis(),
    )
    .expect("fits");
    tokio::time::sleep(Duration::from_millis(
        expires_at.saturating_sub(now_ms) + 50,
    ))
    .await;

    let mut raw = server.raw().await;
    assert_error(
        &raw.try_authenticate("mallory", token, "mallory-pc").await,
        "token_expired",
        Some(2),
    );
    let token = Credentials::Token(Token::new(token).expect("valid token"));
    refused(&server, token, ConnectionChangeReason::TokenExpired, |e| {
        matches!(e, ClientError::TokenExpired)
    })
    .await;

    calls.hang_up().await;
}

#[tokio::test]
async fn a_token_revoked_by_logout_is_token_revoked() {
    let server = Server::start(&["alice", "bob", "mallory"]).await;
    let calls = Bystanders::in_a_call(&server).await;

    let party = server.party("mallory", "mallory-pc").await;
    let token = party.token();
    party.client.logout().await.expect("logged out");

    let mut raw = server.raw().await;
    assert_error(
        &raw.try_authenticate("mallory", token.as_str(), "mallory-pc")
            .await,
        "token_revoked",
        Some(2),
    );
    refused(
        &server,
        Credentials::Token(token),
        ConnectionChangeReason::TokenRevoked,
        |e| matches!(e, ClientError::TokenRevoked),
    )
    .await;

    calls.hang_up().await;
}

#[tokio::test]
async fn failed_logins_are_rate_limited_and_signed_in_users_are_untouched() {
    let server = Server::start_with(&["alice", "bob", "mallory"], |config| {
        config.limits.login_failures_per_uid = Rate::new(3, Duration::from_secs(3600));
    })
    .await;
    let calls = Bystanders::in_a_call(&server).await;

    let mut raw = server.raw().await;
    for _ in 0..3 {
        assert_error(
            &raw.try_login("alice", "guess", "x").await,
            "bad_credentials",
            Some(1),
        );
    }
    // Over the limit even the right password is refused, on a new connection too.
    assert_error(
        &raw.try_login("alice", PASSWORD, "x").await,
        "rate_limited",
        Some(1),
    );
    let mut again = server.raw().await;
    assert_error(
        &again.try_login("alice", PASSWORD, "x").await,
        "rate_limited",
        Some(1),
    );
    // Another uid from the same address still signs in.
    server.raw_login("mallory", "mallory-pc").await;

    calls.hang_up().await;
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_address() {
    let server = Server::start_with(&["alice", "bob", "mallory"], |config| {
        config.limits.login_failures_per_ip = Rate::new(3, Duration::from_secs(3600));
    })
    .await;
    let calls = Bystanders::in_a_call(&server).await;

    let mut raw = server.raw().await;
    for name in ["x1", "x2", "x3"] {
        assert_error(
            &raw.try_login(name, "guess", "x").await,
            "bad_credentials",
            Some(1),
        );
    }
    assert_error(
        &raw.try_login("mallory", PASSWORD, "x").await,
        "rate_limited",
        Some(1),
    );

    calls.hang_up().await;
}

/// An admin's password change revokes the uid's sessions: the server closes that uid's
/// connected devices (1008, "session revoked") within its account poll, and no one else's.
#[tokio::test]
async fn a_password_change_closes_the_uids_devices_only() {
    let server = Server::start(&["alice", "bob"]).await;
    let (mut alice, _) = server.raw_login("alice", "alice-laptop").await;
    let (mut bob, _) = server.raw_login("bob", "bob-phone").await;
    let new_password = Password::new("a new password").expect("valid password");
    ringer_server::admin::set_password(&server.store(), "alice", &new_password)
        .expect("set password");

    let (_, ended) = alice.drain_until_end().await;
    match ended {
        crate::support::raw::Ended::Closed(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 1008, "{frame:?}");
            assert_eq!(frame.reason.as_str(), "session revoked");
        }
        other
        @ (crate::support::raw::Ended::Closed(None) | crate::support::raw::Ended::Dropped) => {
            panic!("alice's device should be closed as revoked, got {other:?}")
        }
    }
    // bob is still signed in and served.
    bob.send(&serde_json::json!({"type": "directory", "req": 7}))
        .await;
    let reply = bob.recv_type("directory_result", Some(7)).await;
    assert_eq!(reply["req"], 7);
}
