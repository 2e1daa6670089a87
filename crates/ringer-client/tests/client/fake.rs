//! A scripted WebSocket server for the cases the real server cannot be made to show on demand:
//! a socket dropped mid-session, a server gone silent, a handshake that fails.

use futures_util::{SinkExt, StreamExt};
use ringer_proto::{
    ClientFrame, DeviceId, DisplayName, ReqId, ServerFrame, Status, Token, Uid, Welcome,
    decode_client, encode,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use crate::util::PATIENCE;

/// A listening fake server.
pub struct FakeServer {
    listener: TcpListener,
}

/// One accepted WebSocket.
pub struct FakeConn {
    ws: WebSocketStream<TcpStream>,
    /// When the TCP connection was accepted.
    pub accepted_at: Instant,
}

impl FakeServer {
    pub async fn bind() -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        FakeServer { listener }
    }

    pub fn url(&self) -> String {
        let addr = self.listener.local_addr().expect("a bound address");
        format!("ws://{addr}")
    }

    /// Accepts a TCP connection without speaking WebSocket.
    pub async fn accept_tcp(&self) -> (TcpStream, Instant) {
        let (stream, _) = tokio::time::timeout(PATIENCE, self.listener.accept())
            .await
            .expect("the client dials in time")
            .expect("accept a connection");
        (stream, Instant::now())
    }

    /// Accepts a connection and completes the WebSocket handshake.
    pub async fn accept(&self) -> FakeConn {
        let (stream, accepted_at) = self.accept_tcp().await;
        let ws = tokio_tungstenite::accept_async(stream)
            .await
            .expect("websocket handshake");
        FakeConn { ws, accepted_at }
    }
}

impl FakeConn {
    /// The next client frame, or `None` when the client closed the socket.
    pub async fn recv(&mut self) -> Option<ClientFrame> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the client sends something in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Some(decode_client(text.as_str()).expect("a valid client frame"));
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_)))
                | Some(Ok(Message::Frame(_))) => {}
            }
        }
    }

    pub async fn send(&mut self, frame: &ServerFrame) {
        self.ws
            .send(Message::text(encode(frame)))
            .await
            .expect("send a frame to the client");
    }

    /// Reads the login (or authenticate) frame and returns its request id.
    pub async fn expect_login(&mut self) -> ReqId {
        match self.recv().await {
            Some(ClientFrame::Login { req, .. } | ClientFrame::Authenticate { req, .. }) => req,
            other => panic!("expected a login, got {other:?}"),
        }
    }

    /// Answers the login with a welcome for `uid`.
    pub async fn welcome(&mut self, uid: &str, heartbeat_interval_ms: u64) {
        let req = self.expect_login().await;
        self.send(&welcome(req, uid, heartbeat_interval_ms)).await;
    }
}

/// A welcome with an empty snapshot and a fixed server id.
pub fn welcome(req: ReqId, uid: &str, heartbeat_interval_ms: u64) -> ServerFrame {
    ServerFrame::Welcome(Box::new(Welcome {
        req,
        uid: Uid::new(uid).expect("valid uid"),
        display_name: DisplayName::new(uid).expect("valid name"),
        device_id: DeviceId::new("fake").expect("valid device id"),
        token: Some(Token::new("fake-token").expect("valid token")),
        token_expires_at: 4_102_444_800_000,
        server_id: "fake-server".to_owned(),
        heartbeat_interval_ms,
        status: Status::Available,
        call_waiting: false,
        snapshot: Vec::new(),
    }))
}
