//! Bad input before and after authentication: each gets its specific error and affects nobody
//! else.

use std::time::Duration;

use ringer_proto::{ClientFrame, ErrorCode, InvitationId, ServerFrame, limits::MAX_FRAME_BYTES};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::util::{TestServer, close_code, error_code, uid};

#[tokio::test]
async fn requests_before_login_are_not_logged_in() {
    let server = TestServer::start(&[]).await;
    let mut client = server.connect().await;
    client
        .send(&ClientFrame::Invite {
            req: 9,
            id: InvitationId::new("abc").expect("valid id"),
            callee: uid("bob"),
            content: None,
            channel_id: None,
        })
        .await;
    let reply = client.recv().await;
    assert_eq!(error_code(&reply), ErrorCode::NotLoggedIn);
    assert!(
        matches!(reply, ServerFrame::Error { req: Some(9), .. }),
        "{reply:?}"
    );

    client.send(&ClientFrame::Directory { req: 10 }).await;
    assert_eq!(error_code(&client.recv().await), ErrorCode::NotLoggedIn);
}

#[tokio::test]
async fn ping_before_login_is_answered() {
    let server = TestServer::start(&[]).await;
    let mut client = server.connect().await;
    client.send(&ClientFrame::Ping {}).await;
    assert_eq!(client.recv().await, ServerFrame::Pong {});
}

#[tokio::test]
async fn malformed_json_is_invalid_argument() {
    let server = TestServer::start(&[]).await;
    let mut client = server.connect().await;
    client.send_text("{not json").await;
    assert_eq!(error_code(&client.recv().await), ErrorCode::InvalidArgument);
    client.send_text(r#"{"type":"login","req":4}"#).await;
    let reply = client.recv().await;
    assert_eq!(error_code(&reply), ErrorCode::InvalidArgument);
    assert!(
        matches!(reply, ServerFrame::Error { req: Some(4), .. }),
        "{reply:?}"
    );
    // The connection is still usable.
    client.send(&ClientFrame::Ping {}).await;
    assert_eq!(client.recv().await, ServerFrame::Pong {});
}

#[tokio::test]
async fn unknown_frame_type_is_unsupported() {
    let server = TestServer::start(&[]).await;
    let mut client = server.connect().await;
    client.send_text(r#"{"type":"teleport","req":3}"#).await;
    let reply = client.recv().await;
    assert_eq!(error_code(&reply), ErrorCode::Unsupported);
    assert!(
        matches!(reply, ServerFrame::Error { req: Some(3), .. }),
        "{reply:?}"
    );
}

#[tokio::test]
async fn binary_messages_are_unsupported() {
    let server = TestServer::start(&[]).await;
    let mut client = server.connect().await;
    client.send_message(Message::binary(vec![1u8, 2, 3])).await;
    assert_eq!(error_code(&client.recv().await), ErrorCode::Unsupported);
    client.send(&ClientFrame::Ping {}).await;
    assert_eq!(client.recv().await, ServerFrame::Pong {});
}

#[tokio::test]
async fn oversized_message_gets_too_large_and_close_1009() {
    let server = TestServer::start(&[]).await;
    let mut bystander = server.connect().await;
    let mut client = server.connect().await;
    let text = format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES)
    );
    client.send_text(&text).await;
    let (frames, ended) = client.drain_until_end().await;
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert_eq!(error_code(&frames[0]), ErrorCode::TooLarge);
    assert_eq!(close_code(&ended), 1009);

    bystander.send(&ClientFrame::Ping {}).await;
    assert_eq!(bystander.recv().await, ServerFrame::Pong {});
}

/// A text message that is not UTF-8 cannot be read as a frame, and the WebSocket protocol ends
/// the connection (RFC 6455 §8.1): the client hears why first, then close code 1007.
#[tokio::test]
async fn a_text_message_that_is_not_utf8_gets_invalid_argument_and_close_1007() {
    let server = TestServer::start(&["alice"]).await;
    let (mut bystander, _) = server.login("alice", "laptop").await;
    let mut client = server.connect().await;
    let text = b"{\"type\":\"ping\",\"pad\":\"\xc3\x28\"}".to_vec();
    client
        .send_message(Message::Frame(Frame::message(
            text,
            OpCode::Data(Data::Text),
            true,
        )))
        .await;
    let (frames, ended) = client.drain_until_end().await;
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert_eq!(error_code(&frames[0]), ErrorCode::InvalidArgument);
    assert_eq!(close_code(&ended), 1007);

    bystander.send(&ClientFrame::Ping {}).await;
    assert_eq!(bystander.recv().await, ServerFrame::Pong {});
}

#[tokio::test]
async fn a_frame_of_exactly_the_limit_is_read() {
    let server = TestServer::start(&[]).await;
    let mut client = server.connect().await;
    let overhead = r#"{"type":"ping","pad":""}"#.len();
    let text = format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES - overhead)
    );
    assert_eq!(text.len(), MAX_FRAME_BYTES);
    client.send_text(&text).await;
    assert_eq!(client.recv().await, ServerFrame::Pong {});
}

#[tokio::test]
async fn unauthenticated_connection_is_closed_after_auth_timeout() {
    let server = TestServer::start_with(&[], |config| {
        config.limits.auth_timeout = Duration::from_millis(300);
    })
    .await;
    let mut client = server.connect().await;
    // Frames other than a successful login do not extend the deadline.
    client.send(&ClientFrame::Ping {}).await;
    assert_eq!(client.recv().await, ServerFrame::Pong {});
    let ended = client.expect_end().await;
    assert_eq!(close_code(&ended), 1008);
}

#[tokio::test]
async fn frames_over_the_rate_limit_are_refused_without_affecting_others() {
    let server = TestServer::start_with(&[], |config| {
        config.limits.frame_rate =
            ringer_server::rate_limit::Rate::new(3, Duration::from_secs(3600));
    })
    .await;
    let mut flooder = server.connect().await;
    let mut other = server.connect().await;
    for _ in 0..3 {
        flooder.send(&ClientFrame::Ping {}).await;
        assert_eq!(flooder.recv().await, ServerFrame::Pong {});
    }
    flooder.send(&ClientFrame::Directory { req: 77 }).await;
    let reply = flooder.recv().await;
    assert_eq!(error_code(&reply), ErrorCode::RateLimited);
    assert!(
        matches!(reply, ServerFrame::Error { req: Some(77), .. }),
        "{reply:?}"
    );

    other.send(&ClientFrame::Ping {}).await;
    assert_eq!(other.recv().await, ServerFrame::Pong {});
}

#[tokio::test]
async fn a_silent_device_is_closed_after_idle_timeout() {
    // The idle timeout, not the longer authentication timeout that was running until the
    // device signed in: waiting for that one would outlast the test's patience.
    let server = TestServer::start_with(&["alice"], |config| {
        config.limits.auth_timeout = Duration::from_secs(60);
        config.limits.idle_timeout = Duration::from_millis(300);
    })
    .await;
    let (mut client, _) = server.login("alice", "laptop").await;
    let (_, ended) = client.drain_until_end().await;
    assert_eq!(close_code(&ended), 1001);
}

#[tokio::test]
async fn frames_keep_a_device_open_past_the_auth_and_idle_timeouts() {
    let server = TestServer::start_with(&["alice"], |config| {
        config.limits.auth_timeout = Duration::from_millis(300);
        config.limits.idle_timeout = Duration::from_millis(400);
    })
    .await;
    let (mut client, _) = server.login("alice", "laptop").await;
    // 1.2 s of a ping every 100 ms: past the authentication deadline and three idle timeouts.
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.send(&ClientFrame::Ping {}).await;
        assert_eq!(client.recv().await, ServerFrame::Pong {});
    }
    let (_, ended) = client.drain_until_end().await;
    assert_eq!(close_code(&ended), 1001);
}
