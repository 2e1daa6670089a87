//! A real server on 127.0.0.1:0 over a real SQLite data directory, and a raw WebSocket client
//! that speaks proto frames.

use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use ringer_proto::{
    ClientFrame, DeviceId, Password, ServerFrame, Token, Uid, Welcome, decode_server, encode,
};
use ringer_server::{ServerConfig, ServerHandle};
use ringer_store::{Store, StoreOptions};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should happen promptly before it fails; a safety
/// net against hangs, not a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The password every test user has.
pub const PASSWORD: &str = "correct horse battery staple";

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

pub fn device(s: &str) -> DeviceId {
    DeviceId::new(s).expect("valid device id")
}

/// Opens the data directory's store the way an admin command does, with cheap hashing.
pub fn open_store(dir: &Path) -> Store {
    Store::open_with(dir, StoreOptions::insecure_for_tests()).expect("open the test store")
}

/// Adds users (password [`PASSWORD`]) to the store in `dir`.
pub fn add_users(dir: &Path, uids: &[&str]) {
    let store = open_store(dir);
    let password = Password::new(PASSWORD).expect("valid password");
    for name in uids {
        store
            .add_user(&uid(name), None, &password)
            .expect("add a test user");
    }
}

/// A running server and its data directory.
pub struct TestServer {
    pub handle: Option<ServerHandle>,
    pub dir: TempDir,
    pub url: String,
}

impl TestServer {
    /// A server with test defaults (fast account polling, cheap hashing) and `users`.
    pub async fn start(users: &[&str]) -> TestServer {
        TestServer::start_with(users, |_| {}).await
    }

    /// Like [`TestServer::start`], with `configure` applied to the configuration.
    pub async fn start_with(
        users: &[&str],
        configure: impl FnOnce(&mut ServerConfig),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary data directory");
        add_users(dir.path(), users);
        let mut config = test_config(dir.path());
        configure(&mut config);
        let handle = ringer_server::serve(config, CancellationToken::new())
            .await
            .expect("the server starts");
        let url = handle.url();
        TestServer {
            handle: Some(handle),
            dir,
            url,
        }
    }

    pub fn handle(&self) -> &ServerHandle {
        self.handle.as_ref().expect("the server is running")
    }

    /// A new raw connection.
    pub async fn connect(&self) -> Client {
        Client::connect(&self.url).await
    }

    /// A connection signed in as `name` on `device_id`.
    pub async fn login(&self, name: &str, device_id: &str) -> (Client, Box<Welcome>) {
        let mut client = self.connect().await;
        let welcome = client.login(name, PASSWORD, device_id).await;
        (client, welcome)
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            tokio::time::timeout(PATIENCE, handle.shutdown())
                .await
                .expect("the server stops");
        }
    }
}

/// The test configuration: loopback port 0, cheap hashing, fast account polling.
pub fn test_config(dir: &Path) -> ServerConfig {
    let listen = "127.0.0.1:0".parse().expect("valid address");
    let mut config =
        ServerConfig::with_defaults(listen, dir.to_owned()).expect("the defaults are valid");
    config.store = StoreOptions::insecure_for_tests();
    config.limits.account_poll_interval = Duration::from_millis(50);
    config
}

/// A raw WebSocket client.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What ended a connection, as the client saw it.
#[derive(Debug)]
pub enum Ended {
    /// A close frame (with its code and reason, if any).
    Closed(Option<CloseFrame>),
    /// The stream ended or failed without a close frame.
    Dropped,
}

impl Client {
    pub async fn connect(url: &str) -> Client {
        let (ws, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect in time")
            .expect("the WebSocket handshake succeeds");
        Client { ws }
    }

    pub fn from_stream(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Client {
        Client { ws }
    }

    pub fn into_stream(self) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
        self.ws
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(&encode(frame)).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text))
            .await
            .expect("send a text message");
    }

    pub async fn send_message(&mut self, message: Message) {
        self.ws.send(message).await.expect("send a message");
    }

    /// The next message other than ping/pong.
    pub async fn next_message(&mut self) -> Option<Message> {
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

    /// The next frame; fails the test on anything else.
    pub async fn recv(&mut self) -> ServerFrame {
        match self.next_message().await {
            Some(Message::Text(text)) => {
                decode_server(text.as_str()).expect("a valid server frame")
            }
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// Frames until one matches `pred`, which is returned.
    pub async fn recv_until(&mut self, pred: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
        loop {
            let frame = self.recv().await;
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// Reads until the connection ends; fails if a frame arrives first.
    pub async fn expect_end(&mut self) -> Ended {
        match self.next_message().await {
            Some(Message::Close(frame)) => Ended::Closed(frame),
            None => Ended::Dropped,
            Some(other) => panic!("expected the connection to end, got {other:?}"),
        }
    }

    /// Reads frames until the connection ends, returning them and how it ended.
    pub async fn drain_until_end(&mut self) -> (Vec<ServerFrame>, Ended) {
        let mut frames = Vec::new();
        loop {
            match self.next_message().await {
                Some(Message::Text(text)) => {
                    frames.push(decode_server(text.as_str()).expect("a valid server frame"))
                }
                Some(Message::Close(frame)) => return (frames, Ended::Closed(frame)),
                None => return (frames, Ended::Dropped),
                Some(other) => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Sends a login and returns the reply.
    pub async fn try_login(&mut self, name: &str, password: &str, device_id: &str) -> ServerFrame {
        self.send(&ClientFrame::Login {
            req: 1,
            protocol: 1,
            uid: uid(name),
            password: Password::new(password).expect("valid password"),
            device_id: device(device_id),
            client: None,
        })
        .await;
        self.recv().await
    }

    /// Logs in; fails the test unless welcomed.
    pub async fn login(&mut self, name: &str, password: &str, device_id: &str) -> Box<Welcome> {
        let reply = self.try_login(name, password, device_id).await;
        let ServerFrame::Welcome(welcome) = reply else {
            panic!("expected welcome, got {reply:?}");
        };
        welcome
    }

    /// Sends an authenticate and returns the reply.
    pub async fn try_authenticate(
        &mut self,
        name: &str,
        token: &Token,
        device_id: &str,
    ) -> ServerFrame {
        self.send(&ClientFrame::Authenticate {
            req: 2,
            protocol: 1,
            uid: uid(name),
            token: token.clone(),
            device_id: device(device_id),
            client: None,
        })
        .await;
        self.recv().await
    }
}

/// The error code of an `error` frame, or a test failure.
pub fn error_code(frame: &ServerFrame) -> ringer_proto::ErrorCode {
    let ServerFrame::Error { code, .. } = frame else {
        panic!("expected an error frame, got {frame:?}");
    };
    *code
}

/// The close code, or a test failure if the connection ended without a close frame.
pub fn close_code(ended: &Ended) -> u16 {
    let Ended::Closed(Some(frame)) = ended else {
        panic!("expected a close frame with a code, got {ended:?}");
    };
    u16::from(frame.code)
}
