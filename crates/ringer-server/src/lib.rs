//! The Ringer server: a tokio shell around the sans-IO [`ringer_switchboard::Switchboard`], with
//! the SQLite account store and the admin commands.
//!
//! [`serve`] starts a server and returns a [`ServerHandle`] with its real address; the
//! `ringer-server` binary is a thin wrapper around it and [`admin`].
//!
//! # Layout
//!
//! - [`config`]: every timer and limit; flags > `RINGER_*` environment > TOML file > defaults.
//! - [`cli`]: the command line (`serve`, `user …`, `backup`).
//! - [`listener`]: accepts sockets; [`tls`] wraps them for wss://; [`http_health`] reads the
//!   request head and answers `GET /health`, `503` over `max_connections`, and refusals, then
//!   replays the head to tungstenite.
//! - [`connection`]: one WebSocket: a reader that decodes, rate-limits and routes frames, and a
//!   writer behind a bounded queue.
//! - [`auth`]: what the shell answers from the store: login, authenticate, logout, renew_token,
//!   history; [`rate_limit`]: token buckets for frames and failed logins.
//! - [`hub`]: the one task that owns the switchboard and drains its outputs after every input.
//! - [`records`]: persists call records on a thread of its own; [`account_sync`]: reloads accounts
//!   when the admin commands change the database.
//! - [`shutdown`]: SIGINT/SIGTERM; [`admin`]: the `user` and `backup` commands.
//!
//! # Life of a server
//!
//! 1. [`serve`] opens the store, loads every account into a new switchboard, binds, and spawns
//!    the hub, the store writer's thread, the account watcher and the accept loop, all tracked
//!    by one `TaskTracker` (the writer through a task that ends when its thread has written the
//!    last record).
//! 2. Each connection registers its outbound queue with the hub, authenticates through
//!    [`auth`], and is then admitted by the switchboard, which sends `welcome`.
//! 3. Cancelling the shutdown token stops accepting; the hub calls `Switchboard::shutdown`
//!    (every live invitation and call ends with `server_restart` on both sides) and asks every
//!    connection to close; connections get `shutdown_grace` to flush, then are cut.

#![warn(missing_docs)]

pub mod account_sync;
pub mod admin;
pub mod admin_prompt;
pub mod auth;
pub mod cli;
pub mod config;
pub mod connection;
pub mod http_health;
pub mod hub;
pub mod listener;
pub mod rate_limit;
pub mod records;
pub mod runtime;
pub mod shutdown;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ringer_store::{Store, StoreError};
use ringer_switchboard::Switchboard;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::{ConfigError, ServerConfig, Settings};

use crate::auth::Auth;
use crate::connection::Shared;
use crate::hub::Hub;
use crate::listener::{HANDSHAKE_HEADROOM, Listener};
use crate::rate_limit::LoginLimiter;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Plain ws:// was asked for on a non-loopback address without `--allow-plaintext`.
    #[error(
        "refusing plain ws:// on non-loopback address {0}: give --tls-cert and --tls-key, or --allow-plaintext if a TLS proxy sits in front"
    )]
    PlaintextRefused(SocketAddr),
    /// The TLS identity could not be loaded.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The store could not be opened.
    #[error("cannot open the store")]
    Store(#[from] StoreError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A startup task failed.
    #[error("startup failed: {0}")]
    Startup(String),
}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    tls: bool,
    server_id: String,
    shutdown: CancellationToken,
    hard_stop: CancellationToken,
    tracker: TaskTracker,
    grace: Duration,
}

impl ServerHandle {
    /// The address the server listens on (with the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `ws://ADDR` or `wss://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "wss" } else { "ws" };
        format!("{scheme}://{}", self.local_addr)
    }

    /// This run's id, as sent in every `welcome`.
    pub fn server_id(&self) -> &str {
        &self.server_id
    }

    /// The token that stops the server.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until the server has been told to stop and has stopped: every connection closed
    /// (or cut after the shutdown grace) and every call record written.
    pub async fn stopped(self) {
        self.shutdown.cancelled().await;
        self.tracker.close();
        if tokio::time::timeout(self.grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("connections did not close in time; cutting them");
            self.hard_stop.cancel();
            self.tracker.wait().await;
        }
        tracing::info!("server stopped");
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        self.stopped().await;
    }
}

/// Starts a server; returns once it accepts connections. Cancel `shutdown` (or call
/// [`ServerHandle::shutdown`]) to stop it.
pub async fn serve(
    config: ServerConfig,
    shutdown: CancellationToken,
) -> Result<ServerHandle, ServeError> {
    if config.tls.is_none() && !config.listen.ip().is_loopback() && !config.allow_plaintext {
        return Err(ServeError::PlaintextRefused(config.listen));
    }
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;

    let data_dir = config.data_dir.clone();
    let options = config.store;
    let (store, version, accounts) = tokio::task::spawn_blocking(move || {
        let store = Store::open_with(&data_dir, options)?;
        let version = store.data_version()?;
        let accounts = store.load_accounts()?;
        Ok::<_, StoreError>((store, version, accounts))
    })
    .await
    .map_err(|err| ServeError::Startup(err.to_string()))??;
    let store = Arc::new(store);

    let tcp = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    let local_addr = tcp.local_addr().map_err(|source| ServeError::Bind {
        addr: config.listen,
        source,
    })?;

    let server_id = uuid::Uuid::new_v4().to_string();
    let now = hub::now();
    let mut switchboard = Switchboard::new(
        config.switchboard.clone(),
        server_id.clone(),
        now,
        auth::unix_now_ms(),
    );
    hub::load_accounts(&mut switchboard, &accounts, now);

    let tracker = TaskTracker::new();
    let hard_stop = CancellationToken::new();
    let (hub_tx, hub_rx) = mpsc::channel(hub::INPUT_QUEUE);
    let (record_tx, record_rx) = mpsc::channel(hub::RECORD_QUEUE);
    let limits = config.limits.clone();

    let records_written = records::start(Arc::clone(&store), record_rx)
        .map_err(|err| ServeError::Startup(format!("cannot start the store writer: {err}")))?;
    tracker.spawn(records_written);
    tracker.spawn(Hub::new(switchboard, accounts, record_tx).run(hub_rx, shutdown.clone()));
    tracker.spawn(account_sync::run(
        Arc::clone(&store),
        hub_tx.clone(),
        limits.account_poll_interval,
        version,
        shutdown.clone(),
    ));

    let limiter = LoginLimiter::new(limits.login_failures_per_uid, limits.login_failures_per_ip);
    let shared = Arc::new(Shared {
        hub: hub_tx,
        auth: Auth::new(store, limiter, limits.token_lifetime),
        limits: limits.clone(),
        hard_stop: hard_stop.clone(),
    });
    let listener = Listener {
        tcp,
        tls,
        shared,
        connections: Arc::new(Semaphore::new(limits.max_connections)),
        sockets: Arc::new(Semaphore::new(
            limits.max_connections.saturating_add(HANDSHAKE_HEADROOM),
        )),
        shutdown: shutdown.clone(),
        tracker: tracker.clone(),
    };
    tracker.spawn(listener.run());

    let handle = ServerHandle {
        local_addr,
        tls: config.tls.is_some(),
        server_id,
        shutdown,
        hard_stop,
        tracker,
        grace: limits.shutdown_grace,
    };
    tracing::info!(url = %handle.url(), data = %config.data_dir.display(), "listening");
    Ok(handle)
}
