//! The public face of the driver task: a cloneable [`Client`] for the user's verbs and an
//! [`EventStream`] for what happens.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use ringer_engine::{Credentials, Engine, EngineConfig, Event, Invite, Reply};
use ringer_proto::{
    CallRecord, DirectoryEntry, DisplayName, InvitationId, PresenceEntry, RefuseReason, Response,
    Status, Token, Uid, UnixMillis,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use crate::command::{CallOp, Command, RequestOp};
use crate::config::ClientConfig;
use crate::driver::Driver;
use crate::error::ClientError;
use crate::link::Link;
use crate::transport::Dialer;

/// A handle on one driver task. Clones share the task; the task ends on [`Client::shutdown`],
/// after [`Client::logout`], or when every handle is dropped.
#[derive(Clone)]
pub struct Client {
    commands: mpsc::Sender<Command>,
    link: watch::Receiver<Link>,
    next_attempt: watch::Receiver<Option<SystemTime>>,
    cancel: CancellationToken,
    request_timeout: Duration,
}

/// Who the client is signed in as, from the server's `welcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The signed-in uid.
    pub uid: Uid,
    /// Its display name.
    pub display_name: DisplayName,
    /// The new session token, when the client logged in with a password.
    pub token: Option<Token>,
    /// When the session token expires.
    pub token_expires_at: UnixMillis,
    /// The uid's status.
    pub status: Status,
    /// Whether call waiting is on.
    pub call_waiting: bool,
}

/// The engine's events, in the order they happened. Ends when the task ends.
///
/// The driver never drops an invitation or call event: when the buffer is full it waits for the
/// reader. Only presence changes of subscribed uids are dropped (with a warning) when the reader
/// falls that far behind.
pub struct EventStream {
    events: mpsc::Receiver<Event>,
}

impl Client {
    /// Starts the driver task on the current tokio runtime and begins connecting.
    ///
    /// Fails at once only for a configuration that cannot work (bad URL, unusable CA PEM);
    /// everything else is reported by [`Client::wait_connected`] and the event stream.
    pub fn spawn(config: ClientConfig) -> Result<(Client, EventStream), ClientError> {
        let dialer = Dialer::new(&config)?;
        let engine = Engine::new(
            EngineConfig {
                uid: config.uid.clone(),
                device_id: config.device_id.clone(),
                client: config.client_name.clone(),
                heartbeat_interval: config.heartbeat_interval,
                heartbeat_timeout: config.heartbeat_timeout,
                login_timeout: config.login_timeout,
            },
            config.credentials.clone(),
        );
        let (command_tx, command_rx) = mpsc::channel(config.command_capacity.max(1));
        let (event_tx, event_rx) = mpsc::channel(config.event_capacity.max(1));
        let (link_tx, link_rx) = watch::channel(Link::Connecting);
        let cancel = CancellationToken::new();
        let seed = config.backoff_seed.unwrap_or_else(rand::random);
        let driver = Driver::new(
            engine,
            dialer,
            seed,
            command_rx,
            event_tx,
            link_tx,
            cancel.clone(),
        );
        let next_attempt = driver.watch_next_attempt();
        tokio::spawn(driver.run());
        let client = Client {
            commands: command_tx,
            link: link_rx,
            next_attempt,
            cancel,
            request_timeout: config.request_timeout,
        };
        Ok((client, EventStream { events: event_rx }))
    }

    /// Waits until the client is logged in and returns the session.
    ///
    /// Fails with the reason as soon as a connection attempt fails — the one under way, or the
    /// latest one while the driver waits out its backoff ([`ClientError::Unreachable`],
    /// [`ClientError::BadCredentials`], [`ClientError::TokenExpired`], …; the task keeps
    /// retrying in the background unless the credentials were refused), with [`ClientError::Closed`] when the task has ended, and with
    /// [`ClientError::Timeout`] when nothing was decided within `timeout`.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<Session, ClientError> {
        let mut link = self.link.clone();
        let outcome = async move {
            loop {
                let current = link.borrow_and_update().clone();
                match current {
                    Link::Connected(session) => return Ok(session),
                    Link::Failed(error) | Link::Aborted(error) => return Err(error),
                    Link::Closed => return Err(ClientError::Closed),
                    Link::Connecting => {}
                }
                if link.changed().await.is_err() {
                    return Err(ClientError::Closed);
                }
            }
        };
        tokio::time::timeout(timeout, outcome)
            .await
            .unwrap_or(Err(ClientError::Timeout))
    }

    /// Whether the client is logged in right now.
    pub fn is_connected(&self) -> bool {
        matches!(*self.link.borrow(), Link::Connected(_))
    }

    /// When the driver dials next, as a watch: `Some(wall-clock time)` while it waits out its
    /// reconnect backoff, `None` while a dial is under way, while connected, and once the task
    /// has ended or given up.
    ///
    /// It changes after the [`Event::ConnectionStateChanged`] that started the wait has been
    /// sent to the stream, and also between two failed dials, which the engine reports with no
    /// new event: a reconnect countdown watches this rather than the event stream.
    pub fn next_attempt(&self) -> watch::Receiver<Option<SystemTime>> {
        self.next_attempt.clone()
    }

    /// Sends an invitation (caller's `send`); what happens to it arrives as events.
    pub async fn send(&self, invite: Invite) -> Result<(), ClientError> {
        self.call(CallOp::Send(invite)).await
    }

    /// Cancels an invitation this device sent.
    pub async fn cancel(&self, id: InvitationId) -> Result<(), ClientError> {
        self.call(CallOp::Cancel(id)).await
    }

    /// Accepts an invitation ringing on this device.
    pub async fn accept(
        &self,
        id: InvitationId,
        response: Option<Response>,
    ) -> Result<(), ClientError> {
        self.call(CallOp::Accept(id, response)).await
    }

    /// Refuses an invitation ringing on this device (`declined` when `reason` is `None`).
    pub async fn refuse(
        &self,
        id: InvitationId,
        response: Option<Response>,
        reason: Option<RefuseReason>,
    ) -> Result<(), ClientError> {
        self.call(CallOp::Refuse(id, response, reason)).await
    }

    /// Hangs up a live call.
    pub async fn hang_up(&self, id: InvitationId) -> Result<(), ClientError> {
        self.call(CallOp::HangUp(id)).await
    }

    /// Sets the uid's status and, when given, its call-waiting preference.
    pub async fn set_status(
        &self,
        status: Status,
        call_waiting: Option<bool>,
    ) -> Result<(), ClientError> {
        let reply = self
            .request(RequestOp::SetStatus(status, call_waiting))
            .await?;
        expect_ok("set_status", reply)
    }

    /// Asks for the presence of up to 256 uids, in the order asked.
    pub async fn query_presence(&self, uids: Vec<Uid>) -> Result<Vec<PresenceEntry>, ClientError> {
        let reply = self.request(RequestOp::QueryPresence(uids)).await?;
        let Reply::Presence(entries) = reply else {
            return Err(unexpected("query_presence", &reply));
        };
        Ok(entries)
    }

    /// Subscribes to presence changes of uids; returns their presence now. Changes arrive as
    /// [`Event::PresenceChanged`].
    pub async fn subscribe(&self, uids: Vec<Uid>) -> Result<Vec<PresenceEntry>, ClientError> {
        match self.request(RequestOp::Subscribe(uids)).await? {
            Reply::Presence(entries) => Ok(entries),
            Reply::Ok => Ok(Vec::new()),
            reply @ (Reply::History(_) | Reply::Directory(_) | Reply::TokenRenewed { .. }) => {
                Err(unexpected("subscribe", &reply))
            }
        }
    }

    /// Ends presence subscriptions.
    pub async fn unsubscribe(&self, uids: Vec<Uid>) -> Result<(), ClientError> {
        let reply = self.request(RequestOp::Unsubscribe(uids)).await?;
        expect_ok("unsubscribe", reply)
    }

    /// The uid's call records, newest first (the server's default count when `limit` is
    /// `None`).
    pub async fn history(&self, limit: Option<u32>) -> Result<Vec<CallRecord>, ClientError> {
        let reply = self.request(RequestOp::History(limit)).await?;
        let Reply::History(records) = reply else {
            return Err(unexpected("history", &reply));
        };
        Ok(records)
    }

    /// Every enabled account with its presence.
    pub async fn directory(&self) -> Result<Vec<DirectoryEntry>, ClientError> {
        let reply = self.request(RequestOp::Directory).await?;
        let Reply::Directory(users) = reply else {
            return Err(unexpected("directory", &reply));
        };
        Ok(users)
    }

    /// Extends the session token; returns its new expiry.
    pub async fn renew_token(&self) -> Result<UnixMillis, ClientError> {
        let reply = self.request(RequestOp::RenewToken).await?;
        let Reply::TokenRenewed { expires_at } = reply else {
            return Err(unexpected("renew_token", &reply));
        };
        Ok(expires_at)
    }

    /// Revokes the session token server-side; the task then ends.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let reply = self.request(RequestOp::Logout).await?;
        expect_ok("logout", reply)
    }

    /// Replaces the credentials; when the engine had given up (refused credentials), it
    /// connects again with these.
    pub async fn set_credentials(&self, credentials: Credentials) -> Result<(), ClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::SetCredentials(credentials, tx))
            .await
            .map_err(|_| ClientError::Closed)?;
        rx.await.map_err(|_| ClientError::Closed)
    }

    /// Stops the task (closing the socket politely) and waits until it has ended.
    pub async fn shutdown(&self) {
        self.cancel.cancel();
        let mut link = self.link.clone();
        while !matches!(*link.borrow_and_update(), Link::Closed) {
            if link.changed().await.is_err() {
                break;
            }
        }
    }

    async fn call(&self, op: CallOp) -> Result<(), ClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Call(op, tx))
            .await
            .map_err(|_| ClientError::Closed)?;
        rx.await.map_err(|_| ClientError::Closed)?
    }

    async fn request(&self, op: RequestOp) -> Result<Reply, ClientError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Request(op, tx))
            .await
            .map_err(|_| ClientError::Closed)?;
        match tokio::time::timeout(self.request_timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_dropped)) => Err(ClientError::Closed),
            Err(_elapsed) => Err(ClientError::Timeout),
        }
    }
}

impl EventStream {
    /// The next event, or `None` once the task has ended and every event was read.
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next event if one is already waiting.
    pub fn try_next(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

impl futures_util::Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.events.poll_recv(cx)
    }
}

fn expect_ok(request: &str, reply: Reply) -> Result<(), ClientError> {
    let Reply::Ok = reply else {
        return Err(unexpected(request, &reply));
    };
    Ok(())
}

fn unexpected(request: &str, reply: &Reply) -> ClientError {
    ClientError::UnexpectedReply(format!("{request} answered with {reply:?}"))
}
