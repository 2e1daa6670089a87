//! One WebSocket connection: a reader (this task) and a writer (a second task) around a bounded
//! outbound queue.
//!
//! The reader decodes each text message, answers what the shell owns (authentication, logout,
//! token renewal, history, bad input) and forwards the rest to the hub. Before authentication
//! only `login`, `authenticate` and `ping` are answered; everything else is `not_logged_in`,
//! and the connection is closed if it has not authenticated within `auth_timeout`.
//!
//! Close codes: 1000 after logout, 1001 on shutdown or when idle past `idle_timeout`, 1008
//! for an authentication timeout, a disabled account or revoked sessions, 1007 for a text
//! message that is not UTF-8, 1009 for a message over 64 KiB.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::FusedFuture;
use futures_util::{FutureExt, SinkExt, StreamExt};
use ringer_proto::limits::MAX_FRAME_BYTES;
use ringer_proto::{ClientFrame, ErrorCode, ReqId, ServerFrame, Token, Uid, decode_client, encode};
use ringer_switchboard::ConnId;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

use crate::auth::{Admission, Auth, LoginRequest, Refusal};
use crate::config::Limits;
use crate::hub::{HubInput, Outbound};
use crate::rate_limit::TokenBucket;

/// How long the reader waits for the peer's close reply after the writer sent a close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// The WebSocket settings of every connection: small buffers (a connection carries small JSON
/// frames) and the protocol's 64 KiB frame limit. Frames queued together are written with one
/// `send` (the writer flushes when its queue is empty), up to 8 KiB at a time.
///
/// Reads take at most 2 KiB: an `invite` is ~160 bytes, so a read still holds a dozen frames,
/// and a larger one (up to the 64 KiB limit) is read in several. The read buffer lives as long
/// as the connection: 2 KiB instead of 4 took an idle device from 11.8 to 9.8 KiB of the
/// server's memory.
pub fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(2 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(2 * MAX_FRAME_BYTES)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

/// What every connection shares.
#[derive(Debug)]
pub struct Shared {
    /// The hub's input.
    pub hub: mpsc::Sender<HubInput>,
    /// Authentication and the other store-backed requests.
    pub auth: Auth,
    /// The shell's limits.
    pub limits: Limits,
    /// Cuts every connection at once (after the shutdown grace).
    pub hard_stop: CancellationToken,
}

/// Serves one upgraded connection until it ends.
pub async fn run<S>(ws: WebSocketStream<S>, conn: ConnId, peer: SocketAddr, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::channel(shared.limits.outbound_queue);
    let kill = shared.hard_stop.child_token();
    let register = HubInput::Register {
        conn,
        tx: tx.clone(),
        kill: kill.clone(),
    };
    if shared.hub.send(register).await.is_err() {
        return;
    }
    tracing::debug!(conn = conn.0, %peer, "connection opened");
    let (sink, stream) = ws.split();
    let writer = tokio::spawn(write_loop(sink, rx));
    let abort_writer = writer.abort_handle();
    let mut writer = writer.fuse();
    let mut reader = Reader {
        conn,
        peer,
        shared: Arc::clone(&shared),
        tx,
        kill: kill.clone(),
        frames: TokenBucket::new(shared.limits.frame_rate, crate::hub::now()),
        phase: Phase::Unauthenticated {
            deadline: Instant::now() + shared.limits.auth_timeout,
        },
        last_heard: Instant::now(),
    };
    reader.read_loop(stream, &mut writer).await;
    // The reader watches `kill` and the writer does not (a token's every poll takes its locks,
    // and the writer would poll it for every frame): a cut connection's writer stops here.
    if kill.is_cancelled() {
        abort_writer.abort();
    }
    let uid = reader.uid().cloned();
    drop(reader);
    let _ = shared.hub.send(HubInput::Disconnected { conn }).await;
    // The writer ends once the hub has dropped its sender too, after sending what is queued.
    if !writer.is_terminated()
        && tokio::time::timeout(shared.limits.shutdown_grace, &mut writer)
            .await
            .is_err()
    {
        abort_writer.abort();
    }
    tracing::debug!(conn = conn.0, %peer, uid = ?uid, "connection closed");
}

enum Phase {
    Unauthenticated { deadline: Instant },
    Authenticated { uid: Uid, token: Token },
}

/// Why the read loop should stop.
struct Stop;

struct Reader {
    conn: ConnId,
    peer: SocketAddr,
    shared: Arc<Shared>,
    tx: mpsc::Sender<Outbound>,
    kill: CancellationToken,
    frames: TokenBucket,
    phase: Phase,
    last_heard: Instant,
}

impl Reader {
    fn uid(&self) -> Option<&Uid> {
        match &self.phase {
            Phase::Unauthenticated { .. } => None,
            Phase::Authenticated { uid, .. } => Some(uid),
        }
    }

    /// Reads until the peer is done, `kill`, or silence; once `writer` has ended (a close frame
    /// sent, or the socket failed) it only waits `CLOSE_LINGER` for the peer's close reply.
    async fn read_loop<St, W>(&mut self, mut stream: St, writer: &mut W)
    where
        St: futures_util::Stream<Item = Result<Message, WsError>> + Unpin,
        W: Future + Unpin,
    {
        // Made once, not once per frame: a new `cancelled()` registers with the token (behind
        // its lock) and a new `Sleep` with tokio's timer wheel every time. The timer is armed
        // lazily: a frame only moves `last_heard`, and when the timer fires before the real
        // deadline it is pushed on to it.
        let kill = self.kill.clone();
        let killed = kill.cancelled();
        let timer = tokio::time::sleep_until(self.deadline(None));
        tokio::pin!(killed, timer);
        let mut linger: Option<Instant> = None;
        loop {
            let message = tokio::select! {
                biased;
                () = &mut killed => return,
                _ = &mut *writer, if linger.is_none() => {
                    start_linger(&mut linger, timer.as_mut());
                    continue;
                }
                () = &mut timer => {
                    let deadline = self.deadline(linger);
                    if Instant::now() < deadline {
                        timer.as_mut().reset(deadline);
                        continue;
                    }
                    if linger.is_none() {
                        self.timed_out();
                    }
                    return;
                }
                message = stream.next() => message,
            };
            let handled = match message {
                None => return,
                // Read on: the next read sends the close reply tungstenite has queued, then ends
                // the stream (RFC 6455's closing handshake); the linger bounds the wait for a
                // peer that does not take the reply.
                Some(Ok(Message::Close(_))) => {
                    start_linger(&mut linger, timer.as_mut());
                    continue;
                }
                Some(Ok(message)) => self.handle_message(message).await,
                Some(Err(err)) => {
                    self.read_failed(err);
                    return;
                }
            };
            if handled.is_err() {
                return;
            }
            // Signing in moves the deadline from the authentication timeout to the idle timeout,
            // which can come sooner: the lazily re-armed timer must not wait for the later one.
            let deadline = self.deadline(linger);
            if deadline < timer.deadline() {
                timer.as_mut().reset(deadline);
            }
        }
    }

    /// When the connection is closed for silence: the authentication deadline, then
    /// `idle_timeout` after the last frame heard, or `linger` once a close frame went out.
    fn deadline(&self, linger: Option<Instant>) -> Instant {
        linger.unwrap_or(match &self.phase {
            Phase::Unauthenticated { deadline } => *deadline,
            Phase::Authenticated { .. } => self.last_heard + self.shared.limits.idle_timeout,
        })
    }

    fn timed_out(&mut self) {
        match self.phase {
            Phase::Unauthenticated { .. } => {
                tracing::info!(conn = self.conn.0, peer = %self.peer, "closing: not authenticated in time");
                let _ = self.push(Outbound::close(CloseCode::Policy, "authentication timeout"));
            }
            Phase::Authenticated { .. } => {
                tracing::info!(conn = self.conn.0, peer = %self.peer, "closing: idle");
                let _ = self.push(Outbound::close(CloseCode::Away, "idle timeout"));
            }
        }
    }

    /// The stream cannot go on after a read error; where the client sent something it can be
    /// told about, it hears why before the close.
    fn read_failed(&mut self, err: WsError) {
        let (code, message, close_code, close_reason) = match err {
            WsError::Capacity(err) => (
                ErrorCode::TooLarge,
                format!("{err}; frames are at most {MAX_FRAME_BYTES} bytes"),
                CloseCode::Size,
                "message too large",
            ),
            WsError::Utf8(err) => (
                ErrorCode::InvalidArgument,
                format!("a text message must be UTF-8: {err}"),
                CloseCode::Invalid,
                "text message not UTF-8",
            ),
            err @ (WsError::ConnectionClosed
            | WsError::AlreadyClosed
            | WsError::Io(_)
            | WsError::Tls(_)
            | WsError::Protocol(_)
            | WsError::WriteBufferFull(_)
            | WsError::AttackAttempt
            | WsError::Url(_)
            | WsError::Http(_)
            | WsError::HttpFormat(_)) => {
                tracing::debug!(conn = self.conn.0, %err, "read failed");
                return;
            }
        };
        tracing::info!(conn = self.conn.0, message, "closing: {close_reason}");
        let _ = self.reply(ServerFrame::Error {
            req: None,
            code,
            message,
        });
        let _ = self.push(Outbound::close(close_code, close_reason));
    }

    async fn handle_message(&mut self, message: Message) -> Result<(), Stop> {
        self.last_heard = Instant::now();
        match message {
            Message::Text(text) => self.handle_text(text.as_str()).await,
            Message::Binary(_) => self.reply(ServerFrame::Error {
                req: None,
                code: ErrorCode::Unsupported,
                message: "binary messages are not supported; send JSON text".to_owned(),
            }),
            // tungstenite answers pings and close frames itself.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Ok(()),
            Message::Close(_) => Err(Stop),
        }
    }

    async fn handle_text(&mut self, text: &str) -> Result<(), Stop> {
        let frame = match decode_client(text) {
            Ok(frame) => frame,
            Err(err) => return self.reply(err.to_frame()),
        };
        if !self.frames.try_take(crate::hub::now()) {
            return self.reply(ServerFrame::Error {
                req: frame.req(),
                code: ErrorCode::RateLimited,
                message: "too many frames; slow down".to_owned(),
            });
        }
        match &self.phase {
            Phase::Unauthenticated { .. } => self.before_auth(frame).await,
            Phase::Authenticated { .. } => self.after_auth(frame).await,
        }
    }

    async fn before_auth(&mut self, frame: ClientFrame) -> Result<(), Stop> {
        match frame {
            ClientFrame::Ping {} => self.reply(ServerFrame::Pong {}),
            ClientFrame::Login {
                req,
                protocol,
                uid,
                password,
                device_id,
                client,
            } => {
                tracing::debug!(conn = self.conn.0, %uid, client = ?client, "login");
                let request = LoginRequest {
                    req,
                    protocol,
                    uid,
                    password,
                    device_id,
                };
                // Boxed, like every rare store call here: held inline, its state would size
                // the connection's future for the connection's whole life.
                let result = Box::pin(self.shared.auth.login(request, self.peer.ip())).await;
                Box::pin(self.admit(req, result)).await
            }
            ClientFrame::Authenticate {
                req,
                protocol,
                uid,
                token,
                device_id,
                client,
            } => {
                tracing::debug!(conn = self.conn.0, %uid, client = ?client, "authenticate");
                let result = Box::pin(
                    self.shared
                        .auth
                        .authenticate(req, protocol, uid, token, device_id),
                )
                .await;
                Box::pin(self.admit(req, result)).await
            }
            ClientFrame::Logout { .. }
            | ClientFrame::RenewToken { .. }
            | ClientFrame::Invite { .. }
            | ClientFrame::Received { .. }
            | ClientFrame::Cancel { .. }
            | ClientFrame::Accept { .. }
            | ClientFrame::Refuse { .. }
            | ClientFrame::Confirm { .. }
            | ClientFrame::HangUp { .. }
            | ClientFrame::SetStatus { .. }
            | ClientFrame::QueryPresence { .. }
            | ClientFrame::Subscribe { .. }
            | ClientFrame::Unsubscribe { .. }
            | ClientFrame::History { .. }
            | ClientFrame::Directory { .. } => self.reply(ServerFrame::Error {
                req: frame.req(),
                code: ErrorCode::NotLoggedIn,
                message: format!("{} needs a login first", frame.kind()),
            }),
        }
    }

    /// Asks the hub to admit a connection whose credentials the store accepted.
    async fn admit(&mut self, req: ReqId, result: Result<Admission, Refusal>) -> Result<(), Stop> {
        let admission = match result {
            Ok(admission) => admission,
            Err(refusal) => return self.reply(refusal.to_frame(req)),
        };
        let Admission {
            auth,
            token,
            fresh,
            sessions_epoch,
            account,
        } = admission;
        let uid = auth.uid.clone();
        let (reply, verdict) = oneshot::channel();
        let admit = HubInput::Admit {
            conn: self.conn,
            auth,
            sessions_epoch,
            account: Box::new(account),
            reply,
        };
        if self.shared.hub.send(admit).await.is_err() {
            return Err(Stop);
        }
        match verdict.await {
            Ok(Ok(())) => {
                tracing::info!(conn = self.conn.0, %uid, peer = %self.peer, "device signed in");
                self.phase = Phase::Authenticated { uid, token };
                Ok(())
            }
            Ok(Err(err)) => {
                if fresh {
                    self.shared.auth.discard(token).await;
                }
                self.reply(ServerFrame::Error {
                    req: Some(req),
                    code: err.code(),
                    message: err.to_string(),
                })
            }
            Err(_) => Err(Stop),
        }
    }

    /// The signed-in uid and token, copied for the few requests that need them (not for the
    /// signalling frames, which are most of the traffic).
    fn session(&self) -> Result<(Uid, Token), Stop> {
        match &self.phase {
            Phase::Authenticated { uid, token } => Ok((uid.clone(), token.clone())),
            Phase::Unauthenticated { .. } => Err(Stop),
        }
    }

    async fn after_auth(&mut self, frame: ClientFrame) -> Result<(), Stop> {
        match frame {
            ClientFrame::Login { req, .. } | ClientFrame::Authenticate { req, .. } => {
                self.reply(ServerFrame::Error {
                    req: Some(req),
                    code: ErrorCode::AlreadyLoggedIn,
                    message: "this connection is already signed in".to_owned(),
                })
            }
            ClientFrame::Logout { req } => {
                let (uid, token) = self.session()?;
                match Box::pin(self.shared.auth.logout(token)).await {
                    Ok(()) => {
                        tracing::info!(conn = self.conn.0, %uid, "logged out");
                        let _ = self
                            .shared
                            .hub
                            .send(HubInput::LoggedOut { conn: self.conn })
                            .await;
                        self.reply(ServerFrame::Ok { req })?;
                        let _ = self.push(Outbound::close(CloseCode::Normal, "logout"));
                        Err(Stop)
                    }
                    Err(refusal) => self.reply(refusal.to_frame(req)),
                }
            }
            ClientFrame::RenewToken { req } => {
                let (_, token) = self.session()?;
                match Box::pin(self.shared.auth.renew(token)).await {
                    Ok(expires_at) => self.reply(ServerFrame::TokenRenewed { req, expires_at }),
                    Err(refusal) => self.reply(refusal.to_frame(req)),
                }
            }
            ClientFrame::History { req, limit } => {
                let (uid, _) = self.session()?;
                match Box::pin(self.shared.auth.history(uid, limit)).await {
                    Ok(records) => self.reply(ServerFrame::HistoryResult { req, records }),
                    Err(refusal) => self.reply(refusal.to_frame(req)),
                }
            }
            frame @ (ClientFrame::Invite { .. }
            | ClientFrame::Received { .. }
            | ClientFrame::Cancel { .. }
            | ClientFrame::Accept { .. }
            | ClientFrame::Refuse { .. }
            | ClientFrame::Confirm { .. }
            | ClientFrame::HangUp { .. }
            | ClientFrame::SetStatus { .. }
            | ClientFrame::QueryPresence { .. }
            | ClientFrame::Subscribe { .. }
            | ClientFrame::Unsubscribe { .. }
            | ClientFrame::Directory { .. }
            | ClientFrame::Ping {}) => {
                let input = HubInput::Frame {
                    conn: self.conn,
                    frame,
                };
                self.shared.hub.send(input).await.map_err(|_| Stop)
            }
        }
    }

    /// Queues a frame for this connection.
    fn reply(&mut self, frame: ServerFrame) -> Result<(), Stop> {
        self.push(Outbound::Frame(Box::new(frame)))
    }

    fn push(&mut self, out: Outbound) -> Result<(), Stop> {
        match self.tx.try_send(out) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    conn = self.conn.0,
                    "slow consumer: outbound queue full, closing"
                );
                self.kill.cancel();
                Err(Stop)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(Stop),
        }
    }
}

/// Starts the wait for the peer's close reply (once: a later call keeps the first deadline).
fn start_linger(linger: &mut Option<Instant>, timer: std::pin::Pin<&mut tokio::time::Sleep>) {
    if linger.is_none() {
        let until = Instant::now() + CLOSE_LINGER;
        *linger = Some(until);
        timer.reset(until);
    }
}

/// Writes queued frames until a close frame or the end of the queue (or until [`run`] aborts
/// it). Frames are fed without flushing while more are queued, then flushed together.
async fn write_loop<Si>(mut sink: Si, mut rx: mpsc::Receiver<Outbound>)
where
    Si: futures_util::Sink<Message, Error = WsError> + Unpin,
{
    loop {
        let (message, last) = match rx.recv().await {
            Some(Outbound::Frame(frame)) => (Message::text(encode(&frame)), false),
            Some(Outbound::Close(frame)) => (Message::Close(Some(frame)), true),
            None => (Message::Close(None), true),
        };
        let flush = last || rx.is_empty();
        let mut written = sink.feed(message).await;
        if flush && written.is_ok() {
            written = sink.flush().await;
        }
        if last {
            break;
        }
        if let Err(err) = written {
            tracing::debug!(%err, "write failed");
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::time::Duration;

    use ringer_store::{Store, StoreOptions};
    use ringer_switchboard::ConnId;
    use tokio::sync::mpsc;
    use tokio_tungstenite::WebSocketStream;
    use tokio_tungstenite::tungstenite::protocol::Role;
    use tokio_util::sync::CancellationToken;

    use super::{Shared, run, ws_config};
    use crate::auth::Auth;
    use crate::config::Limits;
    use crate::hub::{HubInput, Outbound};
    use crate::rate_limit::{LoginLimiter, Rate};
    use futures_util::StreamExt;
    use tokio::io::AsyncReadExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

    fn limits() -> Limits {
        let rate = Rate::new(5, Duration::from_secs(60));
        Limits {
            auth_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            token_lifetime: Duration::from_secs(60),
            max_connections: 16,
            outbound_queue: 16,
            frame_rate: rate,
            login_failures_per_uid: rate,
            login_failures_per_ip: rate,
            account_poll_interval: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(1),
        }
    }

    fn shared(store: Store) -> Arc<Shared> {
        let (hub, _) = mpsc::channel(1);
        shared_with(store, hub, limits())
    }

    fn shared_with(store: Store, hub: mpsc::Sender<HubInput>, limits: Limits) -> Arc<Shared> {
        let rate = Rate::new(5, Duration::from_secs(60));
        Arc::new(Shared {
            hub,
            auth: Auth::new(
                Arc::new(store),
                LoginLimiter::new(rate, rate),
                Duration::from_secs(60),
            ),
            limits,
            hard_stop: CancellationToken::new(),
        })
    }

    /// A connection task over an in-memory pipe of 64 bytes whose far end nobody reads, and
    /// what the hub would hold of it.
    struct TestConnection {
        task: tokio::task::JoinHandle<()>,
        far_end: tokio::io::DuplexStream,
        outbound: mpsc::Sender<Outbound>,
        kill: CancellationToken,
        _hub_inputs: mpsc::Receiver<HubInput>,
        _dir: tempfile::TempDir,
    }

    async fn connection(limits: Limits) -> TestConnection {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).expect("open store");
        let (hub, mut hub_inputs) = mpsc::channel(16);
        let shared = shared_with(store, hub, limits);
        let (socket, far_end) = tokio::io::duplex(64);
        let ws = WebSocketStream::from_raw_socket(socket, Role::Server, Some(ws_config())).await;
        let peer: SocketAddr = "127.0.0.1:1".parse().expect("address");
        let task = tokio::spawn(run(ws, ConnId(1), peer, shared));
        let Some(HubInput::Register { tx, kill, .. }) = hub_inputs.recv().await else {
            panic!("the connection registers first");
        };
        TestConnection {
            task,
            far_end,
            outbound: tx,
            kill,
            _hub_inputs: hub_inputs,
            _dir: dir,
        }
    }

    /// The connection's future lives as long as the connection: the rare, large states (the
    /// store calls of `login`, `authenticate`, `logout`, …) are boxed only while they run.
    #[tokio::test]
    async fn a_connection_future_is_small() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).expect("open store");
        let (socket, _other_end) = tokio::io::duplex(64);
        let ws = WebSocketStream::from_raw_socket(socket, Role::Server, Some(ws_config())).await;
        let ws_size = std::mem::size_of_val(&ws);
        let peer: SocketAddr = "127.0.0.1:1".parse().expect("address");
        let future = run(ws, ConnId(1), peer, shared(store));
        let size = std::mem::size_of_val(&future);
        eprintln!("connection future: {size} bytes ({ws_size} of them the stream)");
        // Was ~1.9 KiB beyond the stream with the store calls inline, ~1.5 KiB boxed; the
        // reader's and writer's persistent timer and `cancelled()` futures add ~0.2 KiB.
        assert!(size <= ws_size + 1800, "connection future is {size} bytes");
    }

    /// A cut connection (slow consumer, hard stop) ends at once even while its writer is stuck
    /// on a peer that reads nothing; only a connection that ends normally gives its writer the
    /// shutdown grace to send what is queued.
    #[tokio::test]
    async fn a_cut_connection_ends_while_its_writer_is_stuck() {
        let connection = connection(Limits {
            shutdown_grace: Duration::from_secs(600),
            ..limits()
        })
        .await;
        let frame = ringer_proto::ServerFrame::Error {
            req: None,
            code: ringer_proto::ErrorCode::Internal,
            message: "x".repeat(4096),
        };
        connection
            .outbound
            .send(Outbound::Frame(Box::new(frame)))
            .await
            .expect("queued");
        // Let the writer take the frame and block on the full pipe.
        tokio::task::yield_now().await;
        connection.kill.cancel();

        tokio::time::timeout(Duration::from_secs(10), connection.task)
            .await
            .expect("the cut connection ended before its shutdown grace")
            .expect("the connection task did not panic");
    }

    /// Once its close frame is out, a connection waits only `CLOSE_LINGER` for the peer's
    /// reply, not for the authentication or idle timeout.
    #[tokio::test]
    async fn a_closed_connection_waits_briefly_for_the_peer_to_answer_the_close() {
        let mut connection = connection(Limits {
            auth_timeout: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(600),
            ..limits()
        })
        .await;
        let close = Outbound::close(CloseCode::Policy, "session revoked");
        connection.outbound.send(close).await.expect("queued");

        tokio::time::timeout(Duration::from_secs(10), &mut connection.task)
            .await
            .expect("the connection ended soon after its close frame")
            .expect("the connection task did not panic");
        let mut first = [0u8; 1];
        connection
            .far_end
            .read_exact(&mut first)
            .await
            .expect("a frame was sent");
        assert_eq!(first[0], 0x88, "the frame sent is a final close frame");
    }

    /// RFC 6455: a peer that starts the closing handshake gets a close frame back before the
    /// connection ends.
    #[tokio::test]
    async fn a_close_from_the_peer_is_answered() {
        let connection = connection(limits()).await;
        let mut client =
            WebSocketStream::from_raw_socket(connection.far_end, Role::Client, None).await;
        client.close(None).await.expect("close sent");

        let reply = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("an answer in time");
        assert!(
            matches!(reply, Some(Ok(Message::Close(_)))),
            "expected a close frame, got {reply:?}"
        );
        tokio::time::timeout(Duration::from_secs(10), connection.task)
            .await
            .expect("the connection ended")
            .expect("the connection task did not panic");
    }
}
