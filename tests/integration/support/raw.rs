//! A raw WebSocket client that sends arbitrary text, for frames a real client would never send.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::PATIENCE;

/// A server frame as JSON, so that a test can look at exactly what was sent.
pub type Json = serde_json::Value;

/// One raw connection.
pub struct Raw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a connection ended, as the raw client saw it.
#[derive(Debug)]
pub enum Ended {
    /// A close frame (with its code and reason, if any).
    Closed(Option<CloseFrame>),
    /// The stream ended or failed without a close frame.
    Dropped,
}

impl Raw {
    pub async fn connect(url: &str) -> Raw {
        let (ws, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect in time")
            .expect("the WebSocket handshake succeeds");
        Raw { ws }
    }

    /// Sends one text message as it is.
    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text))
            .await
            .expect("send a text message");
    }

    /// Sends a JSON value as one text message.
    pub async fn send(&mut self, frame: &Json) {
        self.send_text(&frame.to_string()).await;
    }

    /// The next message other than WebSocket ping/pong, or `None` when the connection ended.
    async fn next_message(&mut self) -> Option<Message> {
        loop {
            let next = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a message in time");
            match next {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(message)) => return Some(message),
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// The next frame. Every frame must also decode as a valid server frame.
    pub async fn recv(&mut self) -> Json {
        match self.next_message().await {
            Some(Message::Text(text)) => parse(text.as_str()),
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// Frames until one of type `kind` (optionally with request `req`), which is returned.
    pub async fn recv_type(&mut self, kind: &str, req: Option<u64>) -> Json {
        loop {
            let frame = self.recv().await;
            if frame["type"] == kind && req.is_none_or(|r| frame["req"] == r) {
                return frame;
            }
        }
    }

    /// Reads frames until the connection ends; returns them and how it ended.
    pub async fn drain_until_end(&mut self) -> (Vec<Json>, Ended) {
        let mut frames = Vec::new();
        loop {
            match self.next_message().await {
                Some(Message::Text(text)) => frames.push(parse(text.as_str())),
                Some(Message::Close(frame)) => return (frames, Ended::Closed(frame)),
                None => return (frames, Ended::Dropped),
                Some(other) => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Sends a `login` and returns the reply.
    pub async fn try_login(&mut self, user: &str, password: &str, device_id: &str) -> Json {
        self.send(&serde_json::json!({
            "type": "login", "req": 1, "protocol": 1, "uid": user, "password": password,
            "device_id": device_id,
        }))
        .await;
        self.recv_type_any(&["welcome", "error"], 1).await
    }

    /// Logs in; fails the test unless welcomed.
    pub async fn login(&mut self, user: &str, password: &str, device_id: &str) -> Json {
        let reply = self.try_login(user, password, device_id).await;
        assert_eq!(reply["type"], "welcome", "{reply}");
        reply
    }

    /// Sends an `authenticate` and returns the reply.
    pub async fn try_authenticate(&mut self, user: &str, token: &str, device_id: &str) -> Json {
        self.send(&serde_json::json!({
            "type": "authenticate", "req": 2, "protocol": 1, "uid": user, "token": token,
            "device_id": device_id,
        }))
        .await;
        self.recv_type_any(&["welcome", "error"], 2).await
    }

    async fn recv_type_any(&mut self, kinds: &[&str], req: u64) -> Json {
        loop {
            let frame = self.recv().await;
            if kinds.iter().any(|k| frame["type"] == *k) && frame["req"] == req {
                return frame;
            }
        }
    }
}

fn parse(text: &str) -> Json {
    if let Err(error) = ringer_proto::decode_server(text) {
        panic!("the server sent an invalid frame {text}: {error}");
    }
    serde_json::from_str(text).expect("a server frame is JSON")
}

/// Asserts that `frame` is an `error` with `code` answering request `req`.
pub fn assert_error(frame: &Json, code: &str, req: Option<u64>) {
    assert_eq!(frame["type"], "error", "{frame}");
    assert_eq!(frame["code"], code, "{frame}");
    match req {
        Some(req) => assert_eq!(frame["req"], req, "{frame}"),
        None => assert!(frame.get("req").is_none(), "{frame}"),
    }
}

/// The close code, or a test failure if the connection ended without a close frame.
pub fn close_code(ended: &Ended) -> u16 {
    let Ended::Closed(Some(frame)) = ended else {
        panic!("expected a close frame with a code, got {ended:?}");
    };
    u16::from(frame.code)
}
