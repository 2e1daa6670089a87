//! Accepting connections: TCP, then TLS if configured, then the HTTP request head (health check,
//! refusals), then the WebSocket upgrade.
//!
//! Two bounds: `max_connections` WebSocket connections (a further upgrade is answered `503`),
//! and that many again plus [`HANDSHAKE_HEADROOM`] open sockets in all (a socket over it is
//! closed at once), so that health checks and 503s still work at the limit without letting
//! half-open handshakes pile up. Every handshake step must finish within `auth_timeout`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ringer_switchboard::ConnId;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::connection::{self, Shared, ws_config};
use crate::http_health::{self, Prefixed, Request};

/// Sockets allowed beyond `max_connections` for handshakes in progress.
pub const HANDSHAKE_HEADROOM: usize = 64;

/// Everything the accept loop needs.
pub struct Listener {
    /// The bound socket.
    pub tcp: TcpListener,
    /// TLS, if configured.
    pub tls: Option<TlsAcceptor>,
    /// What every connection shares.
    pub shared: Arc<Shared>,
    /// One permit per WebSocket connection.
    pub connections: Arc<Semaphore>,
    /// One permit per open socket.
    pub sockets: Arc<Semaphore>,
    /// Stops accepting.
    pub shutdown: CancellationToken,
    /// Tracks the connection tasks.
    pub tracker: TaskTracker,
}

impl Listener {
    /// Accepts until shutdown.
    pub async fn run(self) {
        let next_id = Arc::new(AtomicU64::new(1));
        loop {
            let accepted = tokio::select! {
                () = self.shutdown.cancelled() => break,
                accepted = self.tcp.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Typically out of file descriptors; back off instead of spinning.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(socket) = Arc::clone(&self.sockets).try_acquire_owned() else {
                tracing::warn!(%peer, "too many open sockets; dropping a new one");
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let conn = ConnId(next_id.fetch_add(1, Ordering::Relaxed));
            let accept = Accept {
                shared: Arc::clone(&self.shared),
                connections: Arc::clone(&self.connections),
                shutdown: self.shutdown.clone(),
                tracker: self.tracker.clone(),
                socket,
                conn,
                peer,
            };
            self.tracker.spawn(accept.socket(tcp, self.tls.clone()));
        }
        tracing::info!("no longer accepting connections");
    }
}

/// One accepted socket until its WebSocket upgrade (or its HTTP answer). Dropping it releases
/// the socket's permit.
struct Accept {
    shared: Arc<Shared>,
    connections: Arc<Semaphore>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    socket: OwnedSemaphorePermit,
    conn: ConnId,
    peer: SocketAddr,
}

impl Accept {
    async fn socket(self, tcp: TcpStream, tls: Option<TlsAcceptor>) {
        match tls {
            None => self.stream(tcp).await,
            Some(acceptor) => {
                let handshake =
                    tokio::time::timeout(self.shared.limits.auth_timeout, acceptor.accept(tcp));
                match handshake.await {
                    Ok(Ok(stream)) => self.stream(stream).await,
                    Ok(Err(err)) => {
                        tracing::debug!(peer = %self.peer, %err, "TLS handshake failed")
                    }
                    Err(_) => tracing::debug!(peer = %self.peer, "TLS handshake timed out"),
                }
            }
        }
    }

    async fn stream<S>(self, mut stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let limit = self.shared.limits.auth_timeout;
        let head = tokio::select! {
            () = self.shutdown.cancelled() => return,
            head = tokio::time::timeout(limit, http_health::read_head(&mut stream)) => head,
        };
        let (request, bytes) = match head {
            Ok(Ok(head)) => head,
            Ok(Err(http_health::HeadError::TooLarge)) => {
                let _ = http_health::respond(
                    &mut stream,
                    "431 Request Header Fields Too Large",
                    "text/plain",
                    "request head too large\n",
                )
                .await;
                return;
            }
            Ok(Err(http_health::HeadError::Io(_))) | Err(_) => return,
        };
        match request {
            Request::Health => {
                let body = http_health::health_body(self.open_connections());
                let _ =
                    http_health::respond(&mut stream, "200 OK", "application/json", &body).await;
            }
            Request::Other => {
                let _ = http_health::respond(
                    &mut stream,
                    "426 Upgrade Required",
                    "text/plain",
                    "this is a Ringer server: connect with a WebSocket client, or GET /health\n",
                )
                .await;
            }
            Request::Upgrade => {
                let Ok(permit) = Arc::clone(&self.connections).try_acquire_owned() else {
                    tracing::warn!(peer = %self.peer, "connection limit reached; answering 503");
                    let _ = http_health::respond(
                        &mut stream,
                        "503 Service Unavailable",
                        "text/plain",
                        "too many connections; try again later\n",
                    )
                    .await;
                    return;
                };
                self.upgrade(Prefixed::new(bytes, stream), permit).await;
            }
        }
    }

    async fn upgrade<S>(self, stream: Prefixed<S>, permit: OwnedSemaphorePermit)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let handshake = tokio::time::timeout(
            self.shared.limits.auth_timeout,
            tokio_tungstenite::accept_async_with_config(stream, Some(ws_config())),
        );
        match handshake.await {
            Ok(Ok(ws)) => {
                // The connection gets its own task, and this one ends: a task's future is
                // allocated at the size of its largest state, and this one's includes the TLS
                // and HTTP handshakes, which the connection no longer needs.
                let Accept {
                    shared,
                    tracker,
                    socket,
                    conn,
                    peer,
                    ..
                } = self;
                tracker.spawn(async move {
                    connection::run(ws, conn, peer, shared).await;
                    drop(permit);
                    drop(socket);
                });
            }
            Ok(Err(err)) => tracing::debug!(peer = %self.peer, %err, "WebSocket handshake failed"),
            Err(_) => tracing::debug!(peer = %self.peer, "WebSocket handshake timed out"),
        }
    }

    fn open_connections(&self) -> usize {
        self.shared
            .limits
            .max_connections
            .saturating_sub(self.connections.available_permits())
    }
}
