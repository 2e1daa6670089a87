//! The driver task: one `select!` loop that feeds one engine from the socket, the command channel
//! and the clock, and drains the engine's outputs after every input.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures_util::{SinkExt, StreamExt};
use ringer_engine::{
    Backoff, ConnectionChangeReason, ConnectionState, Credentials, Engine, Event, Reply, Transmit,
};
use ringer_proto::{ClientFrame, ReqId, ServerFrame};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::sync::CancellationToken;

use crate::command::{CallOp, Command, RequestOp};
use crate::error::ClientError;
use crate::handle::Session;
use crate::link::Link;
use crate::transport::{Dialer, Socket};

/// How long a polite close may take before the socket is simply dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

type Dialing = Pin<Box<dyn Future<Output = Result<Socket, ClientError>> + Send>>;

/// The task's state; [`Driver::run`] consumes it.
pub(crate) struct Driver {
    engine: Engine,
    dialer: Dialer,
    backoff: Backoff,
    socket: Option<Socket>,
    dialing: Option<Dialing>,
    next_dial: Option<Instant>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<Event>,
    link: watch::Sender<Link>,
    /// The wall-clock time of `next_dial`, for [`crate::Client::next_attempt`].
    next_attempt: watch::Sender<Option<SystemTime>>,
    cancel: CancellationToken,
    pending: HashMap<ReqId, oneshot::Sender<Result<Reply, ClientError>>>,
    /// The logout request in flight; its answer ends the task.
    logout: Option<ReqId>,
    /// The server's refusal of the latest login, to name the reason when the engine aborts.
    login_error: Option<ClientError>,
    finished: bool,
}

/// What woke the loop.
enum Wake {
    Shutdown,
    Command(Option<Command>),
    Message(Option<Result<Message, tungstenite::Error>>),
    Dialed(Box<Result<Socket, ClientError>>),
    EngineTimer,
    DialTimer,
}

impl Driver {
    pub(crate) fn new(
        engine: Engine,
        dialer: Dialer,
        backoff_seed: u64,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<Event>,
        link: watch::Sender<Link>,
        cancel: CancellationToken,
    ) -> Self {
        Driver {
            engine,
            dialer,
            backoff: Backoff::new(backoff_seed),
            socket: None,
            dialing: None,
            next_dial: None,
            commands,
            events,
            link,
            next_attempt: watch::Sender::new(None),
            cancel,
            pending: HashMap::new(),
            logout: None,
            login_error: None,
            finished: false,
        }
    }

    /// A receiver of the next dial's wall-clock time (see [`crate::Client::next_attempt`]).
    pub(crate) fn watch_next_attempt(&self) -> watch::Receiver<Option<SystemTime>> {
        self.next_attempt.subscribe()
    }

    /// Runs until shutdown, logout, or every [`crate::Client`] handle is dropped.
    pub(crate) async fn run(mut self) {
        self.start_dial();
        self.drain().await;
        while !self.finished {
            let engine_deadline = self.engine.poll_timeout().map(Instant::from_std);
            let wake = tokio::select! {
                biased;
                () = self.cancel.cancelled() => Wake::Shutdown,
                command = self.commands.recv() => Wake::Command(command),
                message = next_message(&mut self.socket) => Wake::Message(message),
                dialed = finish_dial(&mut self.dialing) => Wake::Dialed(Box::new(dialed)),
                () = sleep_until(engine_deadline) => Wake::EngineTimer,
                () = sleep_until(self.next_dial) => Wake::DialTimer,
            };
            self.handle(wake).await;
            self.drain().await;
            self.schedule_reconnect();
        }
        self.close().await;
    }

    async fn handle(&mut self, wake: Wake) {
        match wake {
            Wake::Shutdown | Wake::Command(None) => self.finished = true,
            Wake::Command(Some(command)) => self.handle_command(command),
            Wake::Message(message) => self.handle_message(message),
            Wake::Dialed(dialed) => self.handle_dialed(*dialed),
            Wake::EngineTimer => self.engine.handle_timeout(now()),
            Wake::DialTimer => {
                self.set_next_dial(None);
                self.start_dial();
            }
        }
    }

    fn handle_dialed(&mut self, dialed: Result<Socket, ClientError>) {
        self.dialing = None;
        match dialed {
            Ok(socket) => {
                self.socket = Some(socket);
                self.engine.handle_connected(now());
            }
            Err(error) => {
                tracing::info!(%error, "connection attempt failed");
                self.set_link(Link::Failed(error));
                self.engine.handle_disconnected(now());
            }
        }
    }

    fn handle_command(&mut self, command: Command) {
        let now = now();
        match command {
            Command::Call(op, reply) => {
                let result = match op {
                    CallOp::Send(invite) => self.engine.send(invite, now),
                    CallOp::Cancel(id) => self.engine.cancel(&id, now),
                    CallOp::Accept(id, response) => self.engine.accept(&id, response, now),
                    CallOp::Refuse(id, response, reason) => {
                        self.engine.refuse(&id, response, reason, now)
                    }
                    CallOp::HangUp(id) => self.engine.hang_up(&id, now),
                };
                // The caller may have given up waiting; the engine has acted either way.
                let _ = reply.send(result.map_err(ClientError::from));
            }
            Command::Request(op, reply) => {
                let is_logout = matches!(op, RequestOp::Logout);
                let started = match op {
                    RequestOp::SetStatus(status, waiting) => {
                        self.engine.set_status(status, waiting, now)
                    }
                    RequestOp::QueryPresence(uids) => self.engine.query_presence(uids, now),
                    RequestOp::Subscribe(uids) => self.engine.subscribe(uids, now),
                    RequestOp::Unsubscribe(uids) => self.engine.unsubscribe(uids, now),
                    RequestOp::History(limit) => self.engine.history(limit, now),
                    RequestOp::Directory => self.engine.directory(now),
                    RequestOp::RenewToken => self.engine.renew_token(now),
                    RequestOp::Logout => self.engine.logout(now),
                };
                match started {
                    Ok(req) => {
                        if is_logout {
                            self.logout = Some(req);
                        }
                        self.pending.insert(req, reply);
                    }
                    Err(error) => {
                        let _ = reply.send(Err(ClientError::from(error)));
                    }
                }
            }
            Command::SetCredentials(credentials, done) => {
                self.set_credentials(credentials);
                let _ = done.send(());
            }
        }
    }

    fn set_credentials(&mut self, credentials: Credentials) {
        self.engine.set_credentials(credentials);
        self.login_error = None;
        let stopped = !self.engine.should_reconnect();
        if stopped && self.socket.is_none() && self.dialing.is_none() {
            self.backoff.reset();
            self.set_next_dial(None);
            self.set_link(Link::Connecting);
            self.start_dial();
        }
    }

    fn handle_message(&mut self, message: Option<Result<Message, tungstenite::Error>>) {
        match message {
            Some(Ok(Message::Text(text))) => match ringer_proto::decode_server(text.as_str()) {
                Ok(frame) => {
                    self.note_login_error(&frame);
                    self.engine.handle_frame(frame, now());
                }
                Err(error) => tracing::warn!(%error, "ignoring a frame the server sent"),
            },
            Some(Ok(Message::Binary(_))) => {
                tracing::warn!("ignoring a binary message from the server");
            }
            // tungstenite answers pings by itself; a close frame is followed by the end.
            Some(Ok(
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) | Message::Close(_),
            )) => {}
            Some(Err(error)) => {
                tracing::info!(%error, "connection lost");
                self.lose_socket();
            }
            None => {
                tracing::info!("server closed the connection");
                self.lose_socket();
            }
        }
    }

    /// Before the welcome, an `error` frame is the answer to the engine's login. The engine
    /// reports only the resulting state and reason; keep the server's code to name the failure.
    fn note_login_error(&mut self, frame: &ServerFrame) {
        if let ServerFrame::Error { code, message, .. } = frame
            && !matches!(*self.link.borrow(), Link::Connected(_))
        {
            self.login_error = Some(ClientError::from_code(*code, message.clone()));
        }
    }

    /// The socket failed under us: tell the engine.
    fn lose_socket(&mut self) {
        if self.socket.take().is_some() {
            self.engine.handle_disconnected(now());
        }
    }

    fn start_dial(&mut self) {
        if self.dialing.is_some() || self.socket.is_some() {
            return;
        }
        if matches!(*self.link.borrow(), Link::Failed(_)) {
            // Waiters from now on wait for this attempt's outcome.
            self.set_link(Link::Connecting);
        }
        self.engine.handle_connecting(now());
        self.dialing = Some(Box::pin(self.dialer.clone().dial()));
    }

    /// After every input: if the connection is gone and the engine still wants one, dial again
    /// after the backoff.
    fn schedule_reconnect(&mut self) {
        if self.finished
            || self.socket.is_some()
            || self.dialing.is_some()
            || self.next_dial.is_some()
            || self.logout.is_some()
        {
            return;
        }
        let wants = self.engine.should_reconnect();
        if wants {
            let delay = self.backoff.next_delay();
            tracing::debug!(?delay, "reconnecting after backoff");
            self.set_next_dial(Some(delay));
        }
    }

    /// Schedules the next dial `delay` from now (or none), and publishes its wall-clock time.
    fn set_next_dial(&mut self, delay: Option<Duration>) {
        self.next_dial = delay.map(|delay| Instant::now() + delay);
        let at = delay.map(|delay| SystemTime::now() + delay);
        self.next_attempt.send_if_modified(|current| {
            let changed = *current != at;
            *current = at;
            changed
        });
    }

    /// Drains the engine's outputs until it has nothing more to say.
    async fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(transmit) = self.engine.poll_transmit() {
                progressed = true;
                match transmit {
                    Transmit::Frame(frame) => self.write(&frame).await,
                    Transmit::Disconnect => self.disconnect().await,
                }
            }
            while let Some(event) = self.engine.poll_event() {
                progressed = true;
                self.dispatch(event).await;
            }
            if !progressed {
                break;
            }
        }
    }

    async fn write(&mut self, frame: &ClientFrame) {
        let Some(socket) = self.socket.as_mut() else {
            tracing::debug!(kind = frame.kind(), "no socket; frame dropped");
            return;
        };
        let text = ringer_proto::encode(frame);
        if let Err(error) = socket.send(Message::text(text)).await {
            tracing::info!(%error, "connection lost while sending");
            self.lose_socket();
        }
    }

    /// The engine asked to drop the socket (heartbeat silence, refused login, logout…).
    async fn disconnect(&mut self) {
        if let Some(mut socket) = self.socket.take() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.close(None)).await;
            self.engine.handle_disconnected(now());
        }
    }

    async fn dispatch(&mut self, event: Event) {
        match event {
            Event::Reply { req, reply } => {
                if let Some(waiter) = self.pending.remove(&req) {
                    let _ = waiter.send(Ok(reply));
                }
                if self.logout == Some(req) {
                    self.finished = true;
                }
            }
            Event::RequestFailed { req, code, message } => {
                if self.logout == Some(req) {
                    self.finished = true;
                }
                if let Some(waiter) = self.pending.remove(&req) {
                    let _ = waiter.send(Err(ClientError::from_code(code, message)));
                } else {
                    // An invitation action's: its verb returned before the server answered,
                    // so the stream is the only way the user hears of it.
                    self.forward(Event::RequestFailed { req, code, message })
                        .await;
                }
            }
            Event::LoggedIn {
                uid,
                display_name,
                token,
                token_expires_at,
                status,
                call_waiting,
            } => {
                self.backoff.reset();
                self.login_error = None;
                let session = Session {
                    uid: uid.clone(),
                    display_name: display_name.clone(),
                    token: token.clone(),
                    token_expires_at,
                    status,
                    call_waiting,
                };
                // Stream first, then waiters: whoever wakes from `wait_connected` finds the
                // event already in the stream.
                self.forward(Event::LoggedIn {
                    uid,
                    display_name,
                    token,
                    token_expires_at,
                    status,
                    call_waiting,
                })
                .await;
                self.set_link(Link::Connected(session));
            }
            Event::ConnectionStateChanged { state, reason } => {
                self.forward(Event::ConnectionStateChanged { state, reason })
                    .await;
                self.on_state(state, reason);
            }
            event @ (Event::LocalInvitationReceivedByPeer { .. }
            | Event::LocalInvitationAccepted { .. }
            | Event::LocalInvitationRefused { .. }
            | Event::LocalInvitationCanceled { .. }
            | Event::LocalInvitationFailure { .. }
            | Event::RemoteInvitationReceived { .. }
            | Event::RemoteInvitationAccepted { .. }
            | Event::RemoteInvitationRefused { .. }
            | Event::RemoteInvitationCanceled { .. }
            | Event::RemoteInvitationFailure { .. }
            | Event::CallEnded { .. }
            | Event::PresenceChanged { .. }
            | Event::StatusChanged { .. }) => self.forward(event).await,
        }
    }

    fn on_state(&mut self, state: ConnectionState, reason: ConnectionChangeReason) {
        match state {
            ConnectionState::Aborted => {
                let error = self
                    .login_error
                    .take()
                    .unwrap_or_else(|| ClientError::from_abort(reason));
                self.fail_pending(&error);
                self.set_link(Link::Aborted(error));
            }
            ConnectionState::Disconnected => {
                if matches!(reason, ConnectionChangeReason::Logout) {
                    self.finished = true;
                }
            }
            ConnectionState::Connecting | ConnectionState::Reconnecting => match reason {
                // The engine retries these after the backoff; tell waiters why this one failed.
                ConnectionChangeReason::LoginFailure | ConnectionChangeReason::LoginTimeout => {
                    let error = self
                        .login_error
                        .take()
                        .unwrap_or_else(|| ClientError::from_abort(reason));
                    self.set_link(Link::Failed(error));
                }
                ConnectionChangeReason::Login
                | ConnectionChangeReason::LoginSuccess
                | ConnectionChangeReason::Interrupted
                | ConnectionChangeReason::Logout
                | ConnectionChangeReason::BannedByServer
                | ConnectionChangeReason::TokenExpired
                | ConnectionChangeReason::TokenRevoked
                | ConnectionChangeReason::RemoteLogin => {
                    if matches!(*self.link.borrow(), Link::Connected(_)) {
                        self.set_link(Link::Connecting);
                    }
                }
            },
            ConnectionState::Connected => {}
        }
    }

    /// Hands an event to the stream. Waits for a slow reader rather than lose an invitation
    /// event; only a presence change is dropped when the stream is full.
    async fn forward(&mut self, event: Event) {
        match self.events.try_send(event) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(event)) => {
                if let Event::PresenceChanged { uid, .. } = &event {
                    tracing::warn!(%uid, "event stream full; presence change dropped");
                    return;
                }
                tokio::select! {
                    _ = self.events.send(event) => {}
                    () = self.cancel.cancelled() => {}
                }
            }
        }
    }

    fn fail_pending(&mut self, error: &ClientError) {
        for (_, waiter) in self.pending.drain() {
            let _ = waiter.send(Err(error.clone()));
        }
    }

    fn set_link(&self, link: Link) {
        self.link.send_replace(link);
    }

    /// Ends the task: a polite close, then every waiter hears that the client is gone.
    async fn close(mut self) {
        if let Some(mut socket) = self.socket.take() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.close(None)).await;
        }
        self.fail_pending(&ClientError::Closed);
        self.set_next_dial(None);
        self.set_link(Link::Closed);
    }
}

/// The engine's clock: tokio's, so that tests with a paused clock drive the engine too.
fn now() -> std::time::Instant {
    Instant::now().into_std()
}

async fn next_message(socket: &mut Option<Socket>) -> Option<Result<Message, tungstenite::Error>> {
    match socket {
        Some(socket) => socket.next().await,
        None => std::future::pending().await,
    }
}

async fn finish_dial(dialing: &mut Option<Dialing>) -> Result<Socket, ClientError> {
    match dialing {
        Some(dial) => dial.await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
