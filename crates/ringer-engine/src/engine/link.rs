//! The connection's inputs: dialing, the socket opening and closing, login replies, heartbeats.

use std::time::{Duration, Instant};

use ringer_proto::limits::PROTOCOL_VERSION;
use ringer_proto::{ClientFrame, ErrorCode, ReqId, Welcome};

use super::Engine;
use crate::config::Credentials;
use crate::connection::{
    ConnectionChangeReason, ConnectionState, Link, LoginVerdict, login_verdict,
};
use crate::event::{Event, Reply, Transmit};
use crate::heartbeat::Heartbeat;
use crate::requests::RequestKind;

impl Engine {
    /// The driver starts dialing.
    pub fn handle_connecting(&mut self, now: Instant) {
        self.conn.want_online = true;
        self.start_login_attempt();
        self.finish_input(now);
    }

    /// The socket is open: queues `login` / `authenticate`.
    pub fn handle_connected(&mut self, now: Instant) {
        if !matches!(self.conn.link, Link::Down) {
            // A new socket without news of the old one's end: the old one is gone.
            self.link_lost(now, false);
        }
        self.conn.want_online = true;
        self.start_login_attempt();
        let req = self.requests.start(RequestKind::Login);
        let frame = match &self.credentials {
            Credentials::Password(password) => ClientFrame::Login {
                req,
                protocol: PROTOCOL_VERSION,
                uid: self.config.uid.clone(),
                password: password.clone(),
                device_id: self.config.device_id.clone(),
                client: self.config.client.clone(),
            },
            Credentials::Token(token) => ClientFrame::Authenticate {
                req,
                protocol: PROTOCOL_VERSION,
                uid: self.config.uid.clone(),
                token: token.clone(),
                device_id: self.config.device_id.clone(),
                client: self.config.client.clone(),
            },
        };
        self.conn.link = Link::AwaitingWelcome {
            req,
            deadline: now + self.config.login_timeout,
        };
        self.transmit(frame, now);
        self.finish_input(now);
    }

    /// The socket closed (or the dial failed).
    pub fn handle_disconnected(&mut self, now: Instant) {
        if !matches!(self.conn.link, Link::Down) {
            self.link_lost(now, false);
        }
        self.finish_input(now);
    }

    /// `disconnected` / `aborted` become `connecting`; `reconnecting` stays as it is.
    fn start_login_attempt(&mut self) {
        match self.conn.state {
            ConnectionState::Disconnected | ConnectionState::Aborted => {
                self.set_connection(ConnectionState::Connecting, ConnectionChangeReason::Login);
            }
            ConnectionState::Connecting
            | ConnectionState::Connected
            | ConnectionState::Reconnecting => {}
        }
    }

    pub(super) fn set_connection(&mut self, to: ConnectionState, reason: ConnectionChangeReason) {
        if let Err(err) = self.conn.set(to, reason, &mut self.events) {
            tracing::warn!(%err, "ignored");
        }
    }

    /// The socket is gone (`engine_closes`: the engine decided so and asks the driver to close
    /// it). Unanswered requests fail or wait for the next connection.
    pub(super) fn link_lost(&mut self, now: Instant, engine_closes: bool) {
        self.conn.link = Link::Down;
        if engine_closes {
            self.transmits.push_back(Transmit::Disconnect);
        }
        let mut logout_req = None;
        for (req, kind) in self.requests.drain() {
            match kind {
                RequestKind::Login => {}
                RequestKind::Logout => logout_req = Some(req),
                RequestKind::RenewToken
                | RequestKind::SetStatus { user: true, .. }
                | RequestKind::QueryPresence
                | RequestKind::Subscribe { user: true, .. }
                | RequestKind::Unsubscribe { .. }
                | RequestKind::History
                | RequestKind::Directory => self.events.push_back(Event::RequestFailed {
                    req,
                    code: ErrorCode::NotLoggedIn,
                    message: "the connection was lost before the server answered".into(),
                }),
                RequestKind::SetStatus { user: false, .. }
                | RequestKind::Subscribe { user: false, .. } => {}
                // Their invitations keep a `Pending` that goes again after reconciliation.
                RequestKind::Invite(_)
                | RequestKind::Cancel(_)
                | RequestKind::Accept(_)
                | RequestKind::Refuse(_)
                | RequestKind::HangUp(_) => {}
            }
        }
        for inv in self.locals.values_mut() {
            inv.cancel.requeue();
            if let Some(call) = inv.call.as_mut() {
                call.hang_up.requeue();
            }
        }
        for inv in self.remotes.values_mut() {
            inv.accept.requeue();
            inv.refuse.requeue();
            if let Some(call) = inv.call.as_mut() {
                call.hang_up.requeue();
            }
        }
        match self.conn.state {
            // A logout in flight ends in disconnected below, not in reconnecting.
            ConnectionState::Connected if logout_req.is_none() => {
                self.set_connection(
                    ConnectionState::Reconnecting,
                    ConnectionChangeReason::Interrupted,
                );
            }
            ConnectionState::Connected
            | ConnectionState::Disconnected
            | ConnectionState::Connecting
            | ConnectionState::Reconnecting
            | ConnectionState::Aborted => {}
        }
        if let Some(req) = logout_req {
            // The user wanted out; the token may still be valid, which the failure says.
            self.events.push_back(Event::RequestFailed {
                req,
                code: ErrorCode::NotLoggedIn,
                message: "the connection was lost before the server confirmed the logout".into(),
            });
            self.logged_out(now);
        }
    }

    /// The login was answered with `welcome`: connected; reconcile; resend what waited.
    pub(super) fn on_welcome(&mut self, welcome: Welcome, now: Instant) {
        let Welcome {
            req,
            uid,
            display_name,
            device_id: _,
            token,
            token_expires_at,
            server_id,
            heartbeat_interval_ms,
            status,
            call_waiting,
            snapshot,
        } = welcome;
        self.requests.finish(req);
        let previous = self.conn.server_id.replace(server_id.clone());
        let restarted = previous.is_some_and(|p| p != server_id);
        self.epoch += 1;
        let interval = if heartbeat_interval_ms == 0 {
            self.config.heartbeat_interval
        } else {
            Duration::from_millis(heartbeat_interval_ms)
        };
        self.conn.link = Link::Up(Heartbeat::new(now, interval, self.config.heartbeat_timeout));
        if let Some(token) = &token {
            self.credentials = Credentials::Token(token.clone());
        }
        self.set_connection(
            ConnectionState::Connected,
            ConnectionChangeReason::LoginSuccess,
        );
        self.events.push_back(Event::LoggedIn {
            uid,
            display_name,
            token,
            token_expires_at,
            status,
            call_waiting,
        });
        self.reconcile(snapshot, restarted, now);
        self.flush_queued(now);
        match self.known_status {
            Some((wanted, wanted_cw))
                if restarted && (wanted, wanted_cw) != (status, call_waiting) =>
            {
                let req = self.requests.start(RequestKind::SetStatus {
                    status: wanted,
                    call_waiting: Some(wanted_cw),
                    user: false,
                });
                self.transmit(
                    ClientFrame::SetStatus {
                        req,
                        status: wanted,
                        call_waiting: Some(wanted_cw),
                    },
                    now,
                );
            }
            Some(_) | None => self.known_status = Some((status, call_waiting)),
        }
        if !self.subscriptions.is_empty() {
            let uids: Vec<_> = self.subscriptions.iter().cloned().collect();
            let req = self.requests.start(RequestKind::Subscribe {
                uids: uids.clone(),
                user: false,
            });
            self.transmit(ClientFrame::Subscribe { req, uids }, now);
        }
    }

    /// The login was refused.
    pub(super) fn on_login_error(
        &mut self,
        req: ReqId,
        code: ErrorCode,
        message: &str,
        now: Instant,
    ) {
        self.requests.finish(req);
        tracing::info!(%code, message, "login refused");
        match login_verdict(code) {
            LoginVerdict::Abort(reason) => {
                self.conn.link = Link::Down;
                self.transmits.push_back(Transmit::Disconnect);
                self.conn.want_online = false;
                self.set_connection(ConnectionState::Aborted, reason);
                self.abandon_all(now);
            }
            LoginVerdict::Retry => self.retry_later(ConnectionChangeReason::LoginFailure),
        }
    }

    /// Gives up on this socket and lets the driver dial again after its backoff.
    fn retry_later(&mut self, reason: ConnectionChangeReason) {
        self.conn.link = Link::Down;
        self.transmits.push_back(Transmit::Disconnect);
        match self.conn.state {
            // The state stays (the driver keeps dialing); the reason tells the user why.
            state @ (ConnectionState::Connecting | ConnectionState::Reconnecting) => {
                self.set_connection(state, reason);
            }
            ConnectionState::Disconnected
            | ConnectionState::Connected
            | ConnectionState::Aborted => {}
        }
    }

    /// The server confirmed the logout (or the connection died while it was out).
    pub(super) fn logged_out(&mut self, now: Instant) {
        if !matches!(self.conn.link, Link::Down) {
            self.conn.link = Link::Down;
            self.transmits.push_back(Transmit::Disconnect);
        }
        self.conn.want_online = false;
        self.conn.server_id = None;
        self.subscriptions.clear();
        self.set_connection(
            ConnectionState::Disconnected,
            ConnectionChangeReason::Logout,
        );
        self.abandon_all(now);
    }

    /// Fires the login timeout, the heartbeat silence timeout, and pings.
    pub(super) fn service_timers(&mut self, now: Instant) {
        match &self.conn.link {
            Link::Down => {}
            Link::AwaitingWelcome { req, deadline } => {
                if now >= *deadline {
                    let req = *req;
                    tracing::info!("no welcome within the login timeout");
                    self.requests.finish(req);
                    self.retry_later(ConnectionChangeReason::LoginTimeout);
                }
            }
            Link::Up(heartbeat) => {
                if now >= heartbeat.dead_at() {
                    tracing::info!("the server went silent");
                    self.link_lost(now, true);
                } else if now >= heartbeat.ping_at() {
                    self.transmit(ClientFrame::Ping {}, now);
                }
            }
        }
    }

    /// A `logout` request succeeded.
    pub(super) fn on_logout_ok(&mut self, req: ReqId, now: Instant) {
        self.events.push_back(Event::Reply {
            req,
            reply: Reply::Ok,
        });
        self.logged_out(now);
    }
}
